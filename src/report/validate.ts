// Checks a ReportDoc before drawing it: a producer's mistake (a histogram with one edge too few, a
// series shorter than its categories, a NaN range) becomes an InvalidArgumentError naming the block,
// instead of a chart that silently draws the wrong thing or an exception from inside echarts.
import { InvalidArgumentError, describe } from '../errors';
import type { ReportBlock, ReportDoc } from './types';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** NaN and Infinity as themselves (JSON would print null), short arrays in full. */
const describeValue = (v: unknown): string =>
  typeof v === 'number' ? `${v} of type number` : Array.isArray(v) && v.length <= 4 ? `[${v.map(String).join(', ')}]` : describe(v);

function checkRange(where: string, name: string, r: unknown) {
  if (r === undefined) return;
  if (!Array.isArray(r) || r.length !== 2 || !finite(r[0]) || !finite(r[1]) || r[0] > r[1])
    throw new InvalidArgumentError(`expected ${where} ${name} to be [min, max] with finite min <= max but received ${describeValue(r)}`);
}

function checkBlock(b: ReportBlock, where: string) {
  switch (b?.kind) {
    case 'text':
      if (typeof b.text !== 'string') throw new InvalidArgumentError(`expected ${where} text to be a string but received ${describeValue(b.text)}`);
      return;
    case 'table':
      b.rows.forEach((r, i) => {
        if (r.length !== b.columns.length) throw new InvalidArgumentError(`expected ${where} row ${i} to have ${b.columns.length} cells (one per column) but received ${r.length}`);
      });
      return;
    case 'bars':
      for (const s of b.series) {
        if (s.values.length !== b.categories.length)
          throw new InvalidArgumentError(`expected ${where} series "${s.name}" to have ${b.categories.length} values (one per category) but received ${s.values.length}`);
        const bad = s.values.findIndex((v) => v !== null && !finite(v));
        if (bad >= 0) throw new InvalidArgumentError(`expected ${where} series "${s.name}" values to be finite numbers or null but received ${describeValue(s.values[bad])} at ${bad}`);
      }
      return;
    case 'histogram': {
      const { edges, counts } = b;
      if (counts.length < 1 || edges.length !== counts.length + 1)
        throw new InvalidArgumentError(`expected ${where} to have counts.length + 1 edges and at least one bin but received ${edges.length} edges for ${counts.length} counts`);
      const e = edges.findIndex((v, i) => !finite(v) || (i > 0 && v < edges[i - 1]));
      if (e >= 0) throw new InvalidArgumentError(`expected ${where} edges to be finite and ascending but received ${describeValue(edges[e])} at ${e}`);
      const c = counts.findIndex((v) => !finite(v) || v < 0);
      if (c >= 0) throw new InvalidArgumentError(`expected ${where} counts to be finite and >= 0 but received ${describeValue(counts[c])} at ${c}`);
      checkRange(where, 'chosen', b.chosen);
      checkRange(where, 'observed', b.observed);
      return;
    }
    default:
      throw new InvalidArgumentError(`expected ${where} kind to be text, table, bars or histogram but received ${describeValue((b as { kind?: unknown })?.kind)}`);
  }
}

/** Throws InvalidArgumentError for the first malformed block, naming its section and title. */
export function validateReport(doc: ReportDoc): void {
  doc.sections.forEach((s, i) =>
    s.blocks.forEach((b, j) => {
      const title = b && 'title' in b ? ` "${b.title}"` : '';
      checkBlock(b, `report section ${i} ("${s.heading}") block ${j} (${b?.kind}${title})`);
    }),
  );
}

// renderReport: a ReportDoc as one self-contained HTML page. Charts are inline SVG (src/report/charts.ts),
// styling is one inline stylesheet, and there is no script and no URL, so the file opens offline,
// from an e-mail attachment or a CI artifact alike. The same doc always gives the same bytes.
import { barsSvg, histogramSvg } from './charts';
import { CSS, esc, table } from './html';
import type { BarsBlock, ReportBlock, ReportDoc } from './types';
import { validateReport } from './validate';

/** Per render: chart ids (unique within the page, stable across calls). */
interface Ids {
  next: number;
}

/** The numbers behind a bar chart, folded away: labels in the chart may be truncated. */
const barsTable = (b: BarsBlock) =>
  `<details><summary>numbers</summary>${table(['', ...b.series.map((s) => `${s.name} (${b.unit})`)], b.categories.map((c, i) => [c, ...b.series.map((s) => s.values[i])]))}</details>`;

const figure = (kind: string, id: string, title: string, svg: string) =>
  `<figure class="chart" data-kind="${kind}" id="${id}"><figcaption>${esc(title)}</figcaption>${svg}</figure>`;

function block(b: ReportBlock, ids: Ids): string {
  const id = `c${ids.next++}`;
  switch (b.kind) {
    case 'text':
      return `<p>${esc(b.text)}</p>`;
    case 'table':
      return table(b.columns, b.rows, b.caption);
    case 'bars':
      return figure('bars', id, b.title, barsSvg(b, id, esc(b.title))) + barsTable(b);
    case 'histogram':
      // The legend inside the chart states the chosen and observed ranges in numbers.
      return figure('histogram', id, b.title, histogramSvg(b, id, esc(b.title)));
  }
}

/** Consecutive histograms share rows (a per-layer report has dozens of them). */
function blocks(list: ReportBlock[], ids: Ids): string {
  const out: string[] = [];
  for (let i = 0; i < list.length; ) {
    if (list[i].kind !== 'histogram') {
      out.push(block(list[i++], ids));
      continue;
    }
    const run: string[] = [];
    while (i < list.length && list[i].kind === 'histogram') run.push(block(list[i++], ids));
    out.push(`<div class="hists">${run.join('\n')}</div>`);
  }
  return out.join('\n');
}

/**
 * One self-contained HTML page (inline SVG charts, no scripts, no network, deterministic bytes).
 * @param doc The report: title, summary, sections of text, tables, bar charts and histograms.
 * @returns The page, a complete HTML document.
 * @throws {@link InvalidArgumentError} when a block is malformed, naming its section and block: a table row
 *   without one cell per column, a bar series without one finite value (or null) per category, a
 *   histogram whose edges are not counts.length + 1 finite ascending values or whose counts are not
 *   finite and >= 0, a chosen or observed range that is not a finite [min, max], or an unknown kind.
 */
export function renderReport(doc: ReportDoc): string {
  validateReport(doc);
  const ids: Ids = { next: 0 };
  const toc = doc.sections.length > 1 ? `<nav><ol>${doc.sections.map((s, i) => `<li><a href="#s${i}">${esc(s.heading)}</a></li>`).join('')}</ol></nav>` : '';
  const sections = doc.sections
    .map((s, i) => `<section id="s${i}"><h2>${esc(s.heading)}</h2>${s.intro ? `<p>${esc(s.intro)}</p>` : ''}\n${blocks(s.blocks, ids)}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(doc.title)}</title>
<style>${CSS}</style>
</head><body><h1>${esc(doc.title)}</h1>${doc.summary ? `<p class="summary">${esc(doc.summary)}</p>` : ''}
${toc}
${sections}
</body></html>
`;
}

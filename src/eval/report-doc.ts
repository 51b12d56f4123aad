/**
 * An evaluation as a ReportDoc (for renderReport) and as terminal text: accuracy and size tables,
 * and per-class accuracy with the classes INT8 hurt most first.
 */
import type { ReportDoc, ReportSection } from '../report/types';
import type { ClassMetrics, EvalResult } from './evaluate';

/** Model file sizes, for the size table of an evaluation report. */
export interface ModelSizes {
  /** The FP32 model's bytes. */
  fp32Bytes: number;
  /** The INT8 model's bytes, when one was evaluated. */
  int8Bytes?: number;
}

/** What was evaluated, for titles and summaries. */
export interface EvalSubject {
  /** The FP32 model's name, e.g. its file name. */
  model: string;
  /** The INT8 model's name, when one was evaluated. */
  int8Model?: string;
  /** The data's name, e.g. the --data path. */
  data: string;
  /** The model sizes; without them the report has no size table. */
  sizes?: ModelSizes;
}

const f2 = (v: number) => v.toFixed(2);
const bytesText = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`);

/**
 * Classes by INT8 drop, largest first, then by the lower INT8 (else FP32) accuracy, then by class index.
 * @param r What {@link evaluate} returned.
 * @returns A sorted copy of `r.perClass`.
 * @throws Never: it only sorts.
 */
export function worstClasses(r: EvalResult): ClassMetrics[] {
  return [...r.perClass].sort((a, b) => (b.drop ?? 0) - (a.drop ?? 0) || (a.int8 ?? a.fp32) - (b.int8 ?? b.fp32) || a.index - b.index);
}

function accuracyRows(r: EvalResult): (string | number)[][] {
  const row = (name: string, f: (m: NonNullable<EvalResult['int8']>) => string) => [name, f(r.fp32), ...(r.int8 ? [f(r.int8)] : [])];
  return [
    row('top-1 %', (m) => f2(m.top1)),
    row(`top-${r.topk} %`, (m) => f2(m.topk)),
    row('images/s', (m) => m.imagesPerSecond.toFixed(0)),
    ...(r.agreement !== undefined ? [['agreement with FP32 top-1 %', '', f2(r.agreement)]] : []),
  ];
}

function sizeRows(s: ModelSizes): string[][] {
  return [[bytesText(s.fp32Bytes), s.int8Bytes !== undefined ? bytesText(s.int8Bytes) : '', s.int8Bytes ? `${(s.fp32Bytes / s.int8Bytes).toFixed(2)}x` : '']];
}

const classRow = (c: ClassMetrics) => [c.name, c.count, f2(c.fp32), ...(c.int8 !== undefined ? [f2(c.int8), f2(c.drop!)] : [])];
const classColumns = (r: EvalResult) => ['class', 'samples', 'FP32 top-1 %', ...(r.int8 ? ['INT8 top-1 %', 'drop (points)'] : [])];

/**
 * The evaluation as a report for {@link renderReport}: accuracy (and agreement), sizes, per-class bars
 * and table with the classes INT8 hurt most first.
 * @param r What {@link evaluate} returned.
 * @param s What was evaluated: model and data names, sizes.
 * @returns The report document.
 * @throws Never: it only arranges the numbers.
 */
export function evalReportDoc(r: EvalResult, s: EvalSubject): ReportDoc {
  const sections: ReportSection[] = [{
    heading: 'Accuracy',
    intro: `Top-1 and top-${r.topk} accuracy on ${r.count} samples; agreement is the share of samples whose INT8 top-1 class is the FP32 one, right or wrong.`,
    blocks: [{ kind: 'table', columns: ['', 'FP32', ...(r.int8 ? ['INT8'] : [])], rows: accuracyRows(r) }],
  }];
  if (s.sizes) sections.push({ heading: 'Model size', blocks: [{ kind: 'table', columns: ['FP32', 'INT8', 'ratio'], rows: sizeRows(s.sizes) }] });
  const worst = worstClasses(r);
  sections.push({
    heading: 'Per-class accuracy',
    intro: r.int8 ? 'Top-1 accuracy per class, the classes that INT8 hurt most first.' : 'Top-1 accuracy per class.',
    blocks: [
      {
        kind: 'bars', title: 'Top-1 accuracy per class', unit: '%', horizontal: true,
        categories: worst.map((c) => c.name),
        series: [{ name: 'FP32', values: worst.map((c) => c.fp32) }, ...(r.int8 ? [{ name: 'INT8', values: worst.map((c) => c.int8 ?? null) }] : [])],
      },
      { kind: 'table', columns: classColumns(r), rows: worst.map(classRow) },
    ],
  });
  return {
    title: `Accuracy of ${s.model}${s.int8Model ? ` vs ${s.int8Model}` : ''}`,
    summary: `FP32 ${s.model}${s.int8Model ? ` and INT8 ${s.int8Model}` : ''} evaluated on ${r.count} samples of ${s.data} (${r.classes} classes).`,
    sections,
  };
}

const mdTable = (columns: string[], rows: (string | number)[][]) =>
  [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/**
 * The evaluation as Markdown tables for the terminal, with the `worst` classes by INT8 drop.
 * @param r What {@link evaluate} returned.
 * @param s What was evaluated: model and data names, sizes.
 * @param worst How many classes to list (default 5).
 * @returns The tables, separated by blank lines.
 * @throws Never: string formatting only.
 */
export function evalText(r: EvalResult, s: EvalSubject, worst = 5): string {
  const parts = [mdTable(['', 'FP32', ...(r.int8 ? ['INT8'] : [])], accuracyRows(r))];
  if (s.sizes) parts.push(mdTable(['FP32 size', 'INT8 size', 'ratio'], sizeRows(s.sizes)));
  const classes = worstClasses(r).slice(0, worst);
  parts.push(`${r.int8 ? `Classes with the largest INT8 drop (${classes.length} of ${r.perClass.length})` : `Classes (${classes.length} of ${r.perClass.length})`}:\n${mdTable(classColumns(r), classes.map(classRow))}`);
  return parts.join('\n\n');
}

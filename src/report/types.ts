/**
 * The report model: what int8kit's HTML reports say, independent of how they are drawn.
 * Producers (demo, eval, inspect, bench) build a ReportDoc; src/report/render.ts turns it into one
 * self-contained HTML page.
 */
export interface ReportDoc {
  title: string;
  /** One paragraph under the title: the model, the data, the settings. */
  summary?: string;
  sections: ReportSection[];
}

export interface ReportSection {
  heading: string;
  /** A plain-text paragraph that says how to read the section. */
  intro?: string;
  blocks: ReportBlock[];
}

export type ReportBlock = TextBlock | TableBlock | BarsBlock | HistogramBlock;

export interface TextBlock {
  kind: 'text';
  text: string;
}

export interface TableBlock {
  kind: 'table';
  caption?: string;
  columns: string[];
  rows: (string | number)[][];
}

/** Grouped bars: one group per category, one bar per series (e.g. latency per backend, FP32 vs INT8). */
export interface BarsBlock {
  kind: 'bars';
  title: string;
  /** Value axis label, e.g. "ms" or "dB". */
  unit: string;
  categories: string[];
  series: { name: string; values: (number | null)[] }[];
  /** Draw bars horizontally (long category names such as layer names). */
  horizontal?: boolean;
}

/**
 * A histogram of one tensor's values with the range the observer chose and the range observed.
 * `edges` has counts.length + 1 entries.
 */
export interface HistogramBlock {
  kind: 'histogram';
  title: string;
  edges: number[];
  counts: number[];
  /** The clipping range the quantization parameters represent. */
  chosen?: [number, number];
  /** The min and max seen in the data. */
  observed?: [number, number];
  /** Log-scale counts (activations are often heavy-tailed). */
  logCounts?: boolean;
}

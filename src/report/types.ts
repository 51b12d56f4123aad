/**
 * The report model: what int8kit's HTML reports say, independent of how they are drawn.
 * Producers (demo, eval, inspect, bench) build a ReportDoc; src/report/render.ts turns it into one
 * self-contained HTML page.
 */
/** A whole report: a title, an optional summary, and its sections in order. Render it with {@link renderReport}. */
export interface ReportDoc {
  /** The page title (the `<title>` and the top heading). */
  title: string;
  /** One paragraph under the title: the model, the data, the settings. */
  summary?: string;
  /** The sections in page order; with more than one, the page opens with a table of contents. */
  sections: ReportSection[];
}

/** One section of a {@link ReportDoc}: a heading, a paragraph on how to read it, and its blocks. */
export interface ReportSection {
  /** The section heading (also its table-of-contents entry). */
  heading: string;
  /** A plain-text paragraph that says how to read the section. */
  intro?: string;
  /** Text, tables and charts, in order; consecutive histograms share rows. */
  blocks: ReportBlock[];
}

/** One block of a {@link ReportSection}, told apart by its `kind`. */
export type ReportBlock = TextBlock | TableBlock | BarsBlock | HistogramBlock;

/** A paragraph of plain text. */
export interface TextBlock {
  /** The block's type tag. */
  kind: 'text';
  /** The paragraph (plain text; HTML is escaped). */
  text: string;
}

/** A table; cells that are numbers (or numbers formatted as text, such as "97.81" or "2.75x") align right. */
export interface TableBlock {
  /** The block's type tag. */
  kind: 'table';
  /** A caption above the table. */
  caption?: string;
  /** The column headings. */
  columns: string[];
  /** The rows, each with one cell per column. */
  rows: (string | number)[][];
}

/** Grouped bars: one group per category, one bar per series (e.g. latency per backend, FP32 vs INT8). */
export interface BarsBlock {
  /** The block's type tag. */
  kind: 'bars';
  /** The chart's caption. */
  title: string;
  /** Value axis label, e.g. "ms" or "dB". */
  unit: string;
  /** One label per group of bars. */
  categories: string[];
  /** One entry per bar in each group; series named FP32 and INT8 get fixed colours. */
  series: {
    /** The legend entry. */
    name: string;
    /** One value per category; null draws no bar. */
    values: (number | null)[];
  }[];
  /** Draw bars horizontally (long category names such as layer names). */
  horizontal?: boolean;
}

/**
 * A histogram of one tensor's values with the range the observer chose and the range observed.
 * `edges` has counts.length + 1 entries.
 */
export interface HistogramBlock {
  /** The block's type tag. */
  kind: 'histogram';
  /** The chart's caption. */
  title: string;
  /** The bin edges, finite and ascending: counts.length + 1 of them. */
  edges: number[];
  /** The count in each bin, finite and >= 0 (at least one bin). */
  counts: number[];
  /** The clipping range the quantization parameters represent. */
  chosen?: [number, number];
  /** The min and max seen in the data. */
  observed?: [number, number];
  /** Log-scale counts (activations are often heavy-tailed). */
  logCounts?: boolean;
}

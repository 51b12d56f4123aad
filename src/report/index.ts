// The report model and its HTML renderer, for tools that write their own reports.
export { renderReport } from './render';
export type { ReportDoc, ReportSection, ReportBlock, TextBlock, TableBlock, BarsBlock, HistogramBlock } from './types';

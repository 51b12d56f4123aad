// A ReportDoc with every block kind, names that need escaping, a null bar, an empty histogram bin,
// a log histogram and ranges wider than the bins: shared by the Node and Chromium report tests.
import type { BarsBlock, HistogramBlock, ReportDoc, TableBlock } from '../src/report/types';

/** Markup, entities, quotes, echarts rich-text syntax and a CDATA terminator, all in one name. */
export const NASTY = `<b>x</b> & "q" 'a' {r|t} ]]>`;

export const latency: BarsBlock = {
  kind: 'bars', title: `Latency ${NASTY}`, unit: 'ms', categories: ['fbgemm', 'wasm', NASTY],
  series: [{ name: 'FP32', values: [4, 8, 2] }, { name: 'INT8', values: [1, null, 0.5] }],
};
export const sqnr: BarsBlock = {
  kind: 'bars', title: 'SQNR per layer', unit: 'dB', horizontal: true,
  categories: ['/features/features.0/conv/Conv_output_0_a_rather_long_layer_name', NASTY, 'fc'], series: [{ name: 'SQNR', values: [31.5, 24, 40] }],
};
export const linearHist: HistogramBlock = {
  kind: 'histogram', title: `act ${NASTY}`, edges: [-2, -1, 0, 1, 2, 3], counts: [5, 0, 20, 10, 1], chosen: [-1.5, 2.5], observed: [-2, 3],
};
export const logHist: HistogramBlock = {
  kind: 'histogram', title: 'weights (log)', edges: [0, 0.25, 0.5, 0.75, 1], counts: [10000, 100, 1, 0], logCounts: true, chosen: [0, 1.25], observed: [0, 0.8],
};
export const sizes: TableBlock = { kind: 'table', caption: `Sizes ${NASTY}`, columns: ['model', 'bytes'], rows: [['FP32', 1000], ['INT8', 260], [NASTY, 1]] };

export const fixtureDoc = (): ReportDoc => ({
  title: `Report ${NASTY}`,
  summary: `Summary ${NASTY}`,
  sections: [
    { heading: `Latency ${NASTY}`, intro: 'How to read it.', blocks: [latency, sizes] },
    { heading: 'Layers', blocks: [sqnr, { kind: 'text', text: `Text ${NASTY}` }, linearHist, logHist] },
  ],
});

// The inspect result as a ReportDoc: output error and attribution, SQNR bars per layer, one
// histogram per layer with the chosen and observed ranges, the saturation table.
import type { ReportBlock, ReportDoc } from '../report/types';
import { db, layerRow, LAYER_COLUMNS } from './format';
import type { InspectResult } from './inspect';

/** Infinity (an exact match) has no bar length: it is drawn as no bar and shown as "inf" in the tables. */
const bar = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/**
 * The report of an inspect run, for {@link renderReport}: the layers most responsible for the output
 * error (bars and a top table), SQNR per layer (bars and the full layer table), one activation-range
 * histogram per layer with the chosen and observed ranges, the saturation table, and the notes.
 * @param r What {@link inspect} returned.
 * @param title The page title, e.g. the model's file name.
 * @param top How many layers the ranking table lists (default 5).
 * @returns The report document.
 * @throws Never for a result of {@link inspect}: it only arranges the numbers.
 */
export function inspectReportDoc(r: InspectResult, title = 'int8kit inspect', top = 5): ReportDoc {
  const names = r.layers.map((l) => l.name);
  const byName = new Map(r.layers.map((l) => [l.name, l]));
  const histograms: ReportBlock[] = r.layers.flatMap((l) =>
    l.range
      ? [{ kind: 'histogram' as const, title: `${l.name} (${l.opType}) output ${l.value}`, edges: l.range.histogram.edges, counts: l.range.histogram.counts, chosen: l.range.chosen ?? undefined, observed: l.range.observed, logCounts: true }]
      : [],
  );
  return {
    title,
    summary: `${r.layers.length} quantized layers compared with the FP32 model on ${r.samples} calibration samples. Model output SQNR: ${db(r.output.simulateSqnr)} dB simulated, ${db(r.output.int8Sqnr)} dB on the INT8 kernels.`,
    sections: [
      {
        heading: 'Layers most responsible for the output error',
        intro: 'Each layer quantized alone (every other layer in FP32, simulated): the lower the output SQNR, the more error that layer adds. Cumulative: this layer and every one before it quantized.',
        blocks: [
          { kind: 'bars', title: 'Model output SQNR vs FP32', unit: 'dB', categories: names, horizontal: true, series: [
            { name: 'only this layer', values: r.layers.map((l) => bar(l.onlyThisLayerSqnr)) },
            { name: 'cumulative', values: r.layers.map((l) => bar(l.cumulativeSqnr)) },
          ] },
          { kind: 'table', caption: `Top ${Math.min(top, r.ranking.length)} layers`, columns: ['rank', 'layer', 'op', 'output SQNR dB (only this layer)'], rows: r.ranking.slice(0, top).map((n, i) => [i + 1, n, byName.get(n)!.opType, db(byName.get(n)!.onlyThisLayerSqnr)]) },
        ],
      },
      {
        heading: 'SQNR per layer',
        intro: 'Signal-to-quantization-noise ratio, 10 log10(sum x^2 / sum (x - y)^2), of each layer\'s INT8 activation (simulated and on the integer kernels) and dequantized weights against FP32. Higher is better; about 6 dB per bit.',
        blocks: [
          { kind: 'bars', title: 'SQNR per layer', unit: 'dB', categories: names, horizontal: true, series: [
            { name: 'activation (simulated)', values: r.layers.map((l) => bar(l.activation?.sqnr)) },
            { name: 'activation (INT8 kernels)', values: r.layers.map((l) => bar(l.activationInt8?.sqnr)) },
            { name: 'weights', values: r.layers.map((l) => bar(l.weight?.sqnr)) },
          ] },
          { kind: 'table', columns: LAYER_COLUMNS, rows: r.layers.map(layerRow) },
        ],
      },
      {
        heading: 'Activation ranges',
        intro: 'Histogram of each layer\'s FP32 output on the calibration data (log counts), with the clipping range its quantization parameters represent (chosen) and the min/max seen (observed). Values outside the chosen range are clipped.',
        blocks: histograms,
      },
      {
        heading: 'Saturation report',
        intro: r.saturationNote,
        blocks: [{
          kind: 'table', columns: ['layer', 'op', 'pairs', 'saturating pairs', 'fraction', 'worst output channels (count)'],
          rows: r.layers.map((l) => [l.name, l.opType, l.saturation?.pairs ?? '-', l.saturation?.saturating ?? '-', l.saturation ? `${(100 * l.saturation.fraction).toFixed(4)}%` : '-', l.saturation?.worstChannels.map((c) => `${c.channel} (${c.count})`).join(', ') || '-']),
        }],
      },
      ...(r.layers.some((l) => l.notes.length) || r.output.int8Note
        ? [{ heading: 'Notes', blocks: [...(r.output.int8Note ? [r.output.int8Note] : []), ...r.layers.flatMap((l) => l.notes.map((n) => `${l.name}: ${n}`))].map((text) => ({ kind: 'text' as const, text })) }]
        : []),
    ],
  };
}

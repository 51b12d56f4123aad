// inspectReportDoc: the ReportDoc every renderer draws from an inspect result — SQNR bars per layer,
// one histogram per layer with its chosen and observed ranges, the saturation table, the top layers.
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor, inspect, inspectReportDoc, quantizeStatic, type InspectResult } from '../src';
import type { BarsBlock, HistogramBlock, TableBlock } from '../src/report/types';
import { renderReport } from '../src/report/render';
import { loadMnistSplit } from '../src/data/mnist';

const fpPath = join(resolve(__dirname, '..'), 'assets', 'mnist-cnn.onnx');
const digits = loadMnistSplit('calibration');
const samples = Array.from({ length: 10 }, (_, i) => ({ input: new Tensor('float32', digits.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));

describe('inspectReportDoc', () => {
  let r: InspectResult;
  beforeAll(async () => {
    r = await inspect(fpPath, (await quantizeStatic(fpPath, { calibration: samples })).graph!, samples);
  });

  it('holds the numbers of the result: bars, histograms with ranges, saturation rows, top layers', () => {
    const doc = inspectReportDoc(r, 'MNIST', 2);
    expect(doc.title).toBe('MNIST');
    const blocks = doc.sections.flatMap((s) => s.blocks);
    const bars = blocks.filter((b): b is BarsBlock => b.kind === 'bars');
    const names = r.layers.map((l) => l.name);
    for (const b of bars) expect(b.categories).toEqual(names);
    const sqnr = bars.find((b) => b.title === 'SQNR per layer')!;
    expect(sqnr.series.find((s) => s.name === 'activation (simulated)')!.values).toEqual(r.layers.map((l) => l.activation!.sqnr));
    const attribution = bars.find((b) => b.title === 'Model output SQNR vs FP32')!;
    expect(attribution.series[0].values).toEqual(r.layers.map((l) => l.onlyThisLayerSqnr));
    const hist = blocks.filter((b): b is HistogramBlock => b.kind === 'histogram');
    expect(hist).toHaveLength(r.layers.length);
    hist.forEach((h, i) => {
      expect(h.chosen).toEqual(r.layers[i].range!.chosen);
      expect(h.observed).toEqual(r.layers[i].range!.observed);
      expect(h.edges).toHaveLength(h.counts.length + 1);
    });
    const tables = blocks.filter((b): b is TableBlock => b.kind === 'table');
    const sat = tables.find((t) => t.columns.includes('saturating pairs') && t.columns.includes('pairs'))!;
    expect(sat.rows.map((row) => row[3])).toEqual(r.layers.map((l) => l.saturation!.saturating));
    expect(doc.sections.find((s) => s.heading === 'Saturation report')!.intro).toMatch(/int8kit's kernels do not saturate/);
    const top = tables.find((t) => t.caption === 'Top 2 layers')!;
    expect(top.rows.map((row) => row[1])).toEqual(r.ranking.slice(0, 2));
    expect(renderReport(doc)).toContain('<h2>Activation ranges</h2>');
  });

  it('an exact match (SQNR +Infinity) has no bar length: null', () => {
    const exact: InspectResult = { ...r, layers: r.layers.map((l) => ({ ...l, activation: { sqnr: Infinity, mse: 0 } })) };
    const bars = inspectReportDoc(exact).sections.flatMap((s) => s.blocks).find((b): b is BarsBlock => b.kind === 'bars' && b.title === 'SQNR per layer')!;
    expect(bars.series[0].values.every((v) => v === null)).toBe(true);
  });
});

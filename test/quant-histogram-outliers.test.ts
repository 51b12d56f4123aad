// HistogramObserver vs MinMaxObserver on Laplace data with and without outliers (histogram_outliers.json, PyTorch 1.13).
import { describe, expect, it } from 'vitest';
import { HistogramObserver, MinMaxObserver, fakeQuantizeWithMask } from '../src';
import { bits, f32List, f32Rec, loadGolden } from './fixtures/golden/golden';
import { torchSumFloat32 } from '../src/quant/observers/torch-float-sum';

const golden: { inputs: Record<string, number[]>; cases: any[] } = loadGolden('histogram_outliers.json');

describe('histogram_outliers.json', () => {
  it.each(golden.cases.map((c) => [`${c.dtype} ${c.qscheme} reduce_range=${c.reduce_range} ${c.input}`, c] as [string, any]))('%s', (_l, c) => {
    const x = f32List(golden.inputs[c.input]);
    const opts = { dtype: c.dtype, qscheme: c.qscheme, reduceRange: c.reduce_range };
    for (const obs of [new MinMaxObserver(opts), new HistogramObserver(opts)]) {
      const g = c[obs.constructor.name];
      obs.observe(x, [x.length]);
      expect(bits([obs.minVal, obs.maxVal])).toEqual(bits([f32Rec(g.observed_min), f32Rec(g.observed_max)]));
      if (obs instanceof HistogramObserver) expect(bits(obs.searchRange())).toEqual(bits([f32Rec(g.picked_min), f32Rec(g.picked_max)]));
      const q = obs.calculateQParams();
      expect(bits(q.scale)).toEqual(bits([f32Rec(g.scale)]));
      expect(q.zeroPoint[0]).toBe(g.zero_point);
      // The MSE and clipping counts of the golden file, from our own fake-quantization.
      // (n_clipped counts the inputs outside [min(y), max(y)], as gen_golden.py does.)
      const { y } = fakeQuantizeWithMask(x, q.scale[0], q.zeroPoint[0], q.quantMin, q.quantMax);
      let se = 0;
      for (let i = 0; i < x.length; i++) se += (y[i] - x[i]) ** 2;
      expect(se / x.length).toBeCloseTo(g.mse, 15);
      const [ylo, yhi] = [Math.min(...y), Math.max(...y)];
      expect(x.filter((v) => v < ylo || v > yhi).length).toBe(g.n_clipped);
    }
  });

  it('records the known weakness: with outliers the histogram search keeps practically the MinMax range', () => {
    const c = golden.cases.find((k) => k.input === 'laplace_plus_outliers' && k.dtype === 'quint8' && !k.reduce_range);
    const h = new HistogramObserver({ dtype: 'quint8' });
    const x = f32List(golden.inputs.laplace_plus_outliers);
    h.observe(x, [x.length]);
    const [lo, hi] = h.searchRange();
    expect(lo).toBe(-30);
    expect(hi).toBeGreaterThan(59.9);
    expect(f32Rec(c.HistogramObserver.picked_max)).toBe(hi);
  });
});

// Longer sequences (widening, narrowing, one-sided, sub-unit ranges, constant first batch, 12 batches), made with the
// same PyTorch by test/fixtures/golden/gen_histogram_multibatch.py: the whole float32 histogram state must agree.
const multi: { sequences: Record<string, number[][]>; cases: any[] } = loadGolden('histogram_multibatch.json');

describe('histogram_multibatch.json: HistogramObserver state after many batches, bin for bin', () => {
  it.each(multi.cases.map((c) => [`${c.sequence} ${c.dtype} ${c.qscheme} reduce_range=${c.reduce_range}`, c] as [string, any]))('%s', (_l, c) => {
    const obs = new HistogramObserver({ dtype: c.dtype, qscheme: c.qscheme, reduceRange: c.reduce_range });
    for (const b of multi.sequences[c.sequence]) obs.observe(Float32Array.from(b), [b.length]);
    expect(bits([obs.minVal, obs.maxVal])).toEqual(bits([f32Rec(c.min_val), f32Rec(c.max_val)]));
    expect(bits(obs.histogram)).toEqual(bits(c.histogram));
    expect(bits(obs.searchRange())).toEqual(bits([f32Rec(c.search_min), f32Rec(c.search_max)]));
    const q = obs.calculateQParams();
    expect(bits(q.scale)).toEqual(bits([f32Rec(c.scale)]));
    expect(q.zeroPoint[0]).toBe(c.zero_point);
  });
});

// torch.sum's float32 summation order (float_sum.json, made with gen_float_sum.py): the vectors were picked so that a
// sequential float32 sum disagrees with PyTorch's.
describe('torchSumFloat32 reproduces torch.sum of float32 vectors', () => {
  const sums: { cases: { x: number[]; sum: number; sequential_float32: number }[] } = loadGolden('float_sum.json');
  it.each(sums.cases.map((c) => [c.x.length, c] as [number, any]))('length %i', (_n, c) => {
    expect(torchSumFloat32(Float32Array.from(c.x))).toBe(c.sum);
    if (c.x.length >= 64) expect(c.sequential_float32).not.toBe(c.sum);
  });
});

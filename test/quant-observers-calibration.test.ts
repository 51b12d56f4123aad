// Percentile, Entropy and MSE observers against independent oracles computed from the raw data.
import { describe, expect, it } from 'vitest';
import {
  EntropyObserver, MinMaxObserver, MseObserver, PercentileObserver, fakeQuantize, type Observer, type QParams,
} from '../src';
import { rng } from '../src/bench/random';

const uniform = (n: number, lo: number, hi: number, seed: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r.float(lo, hi));
};

/** Laplace(0, b) by inverse CDF. */
const laplace = (n: number, b: number, seed: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = r.next() - 0.5;
    return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u) + 1e-300);
  });
};

const concat = (...parts: ArrayLike<number>[]) => Float32Array.from(parts.flatMap((p) => Array.from(p)));

/** Mean squared error of fake-quantizing the raw data with qparams. */
function rawMse(x: Float32Array, q: QParams): number {
  const y = fakeQuantize(x, q.scale[0], q.zeroPoint[0], q.quantMin, q.quantMax);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (y[i] - x[i]) ** 2;
  return s / x.length;
}

function observed<T extends Observer>(obs: T, ...batches: Float32Array[]): T {
  for (const b of batches) obs.observe(b, [b.length]);
  return obs;
}

/** The exact order statistic: the smallest value with at least a fraction q of the data at or below it. */
function exactQuantile(x: Float32Array, q: number): number {
  const s = Float64Array.from(x).sort();
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
}

// Laplace(0, 1) with a few large outliers: MinMax stretches the range for 4 values out of 20 004.
const core = laplace(20000, 1, 11);
const outliers = Float32Array.of(25, -30, 45, 60);
const withOutliers = concat(core, outliers);

describe('PercentileObserver', () => {
  it('finds the percentiles of the raw data to within one histogram bin, across batches that widen the range', () => {
    const x = concat(uniform(30000, -1, 1, 1), Float32Array.of(-20, 20));
    const batches = [x.subarray(0, 10000), x.subarray(10000, 20000), x.subarray(20000)];
    batches[0] = batches[0].map((v) => v * 0.25); // the first batch is narrow: later ones make the histogram grow
    const all = concat(...batches);
    const obs = observed(new PercentileObserver({ percentile: 99.9 }), ...batches);
    const [lo, hi] = obs.clipRange();
    const w = obs.histogram.width;
    expect(w).toBeLessThan(0.05);
    expect(Math.abs(lo - exactQuantile(all, 0.001))).toBeLessThanOrEqual(w);
    expect(Math.abs(hi - exactQuantile(all, 0.999))).toBeLessThanOrEqual(w);
    expect(obs.histogram.counts).toHaveLength(2048); // state does not grow with the range
  });

  it('clips the outliers: a much tighter range than min/max and a much lower error on the bulk of the data', () => {
    const p = observed(new PercentileObserver({ percentile: 99.9 }), withOutliers);
    const m = observed(new MinMaxObserver(), withOutliers);
    const [lo, hi] = p.clipRange();
    expect(hi - lo).toBeLessThan(0.3 * (m.maxVal - m.minVal));
    expect(rawMse(core, p.calculateQParams())).toBeLessThan(rawMse(core, m.calculateQParams()) / 3);
  });

  it('at 100% gives exactly the MinMax parameters', () => {
    for (const qscheme of ['per_tensor_affine', 'per_tensor_symmetric'] as const) {
      const p = observed(new PercentileObserver({ percentile: 100, qscheme, dtype: 'qint8' }), withOutliers).calculateQParams();
      const m = observed(new MinMaxObserver({ qscheme, dtype: 'qint8' }), withOutliers).calculateQParams();
      expect(p).toEqual(m);
    }
  });
});

describe('EntropyObserver (TensorRT KL-divergence threshold)', () => {
  /**
   * The oracle: for every candidate threshold bin i, the KL divergence computed element by element from the raw
   * values. P: each |x| counted in its bin, clipped into bin i-1; Q: the unclipped values counted per group of
   * floor(i/128) bins (the last group takes the rest), spread evenly over the group's bins that P has values in.
   */
  function oracleThresholdBin(x: Float32Array, bins: number, levels: number): number {
    const a = Float64Array.from(x, Math.abs);
    const w = Math.max(...a) / bins;
    const bin = Int32Array.from(a, (v) => Math.min(Math.floor(v / w), bins - 1));
    let bestBin = -1;
    let bestKl = Infinity;
    for (let i = levels; i <= bins; i++) {
      const p = new Float64Array(i);
      const perGroup = Math.floor(i / levels);
      const groupOf = (b: number) => Math.min(Math.floor(b / perGroup), levels - 1);
      const mass = new Float64Array(levels);
      for (const b of bin) {
        p[Math.min(b, i - 1)] += 1;
        if (b < i) mass[groupOf(b)] += 1;
      }
      const nonEmpty = new Float64Array(levels);
      for (let b = 0; b < i; b++) if (p[b] > 0) nonEmpty[groupOf(b)] += 1;
      let kl = 0;
      for (let b = 0; b < i; b++) {
        if (p[b] === 0) continue;
        const q = mass[groupOf(b)] / nonEmpty[groupOf(b)];
        kl += q === 0 ? Infinity : (p[b] / a.length) * Math.log(p[b] / a.length / (q / a.length));
      }
      if (kl < bestKl) [bestKl, bestBin] = [kl, i];
    }
    return bestBin;
  }

  it('picks the same threshold as a brute-force KL search over the raw data', () => {
    const x = concat(laplace(6000, 1, 3), Float32Array.of(20, -25));
    const obs = observed(new EntropyObserver({ dtype: 'qint8' }), x);
    const t = obs.threshold();
    expect(t.bin).toBe(oracleThresholdBin(x, 2048, 128));
    expect(t.threshold).toBeCloseTo(t.bin * (25 / 2048), 4);
  }, 60_000);

  it('clips Laplace outliers: threshold far below max|x|, much lower error on the bulk than MinMax', () => {
    const e = observed(new EntropyObserver({ dtype: 'qint8' }), withOutliers);
    const m = observed(new MinMaxObserver({ dtype: 'qint8', qscheme: 'per_tensor_symmetric' }), withOutliers);
    const { threshold } = e.threshold();
    expect(threshold).toBeLessThan(0.3 * 60);
    expect(threshold).toBeGreaterThan(3); // still keeps the bulk of Laplace(0, 1)
    const q = e.calculateQParams();
    expect(q.zeroPoint[0]).toBe(0);
    expect(q.scale[0]).toBeCloseTo(threshold / 127.5, 6);
    expect(rawMse(core, q)).toBeLessThan(rawMse(core, m.calculateQParams()) / 5);
  });
});

describe('MseObserver', () => {
  it('is within 2% of the best symmetric-shrink clipping found by brute force on the raw data, and beats MinMax', () => {
    for (const dtype of ['quint8', 'qint8'] as const) {
      const obs = observed(new MseObserver({ dtype }), withOutliers);
      const mm = observed(new MinMaxObserver({ dtype }), withOutliers);
      let best = Infinity;
      for (let k = 1; k <= 400; k++) {
        const f = k / 400;
        const q = observed(new MinMaxObserver({ dtype }), Float32Array.of(f * mm.minVal, f * mm.maxVal)).calculateQParams();
        best = Math.min(best, rawMse(withOutliers, q));
      }
      const ours = rawMse(withOutliers, obs.calculateQParams());
      expect(ours).toBeLessThanOrEqual(best * 1.02);
      expect(ours).toBeLessThan(rawMse(withOutliers, mm.calculateQParams()));
    }
  });

  it('finds the known optimal 4-bit clipping of Laplace(0, b): about 5.03 b (Banner et al., ACIQ)', () => {
    const b = 0.5;
    const x = laplace(100000, b, 21);
    const obs = observed(new MseObserver({ dtype: 'qint8', qscheme: 'per_tensor_symmetric', quantMin: -8, quantMax: 7 }), x);
    const mm = observed(new MinMaxObserver(), x);
    const [lo, hi] = obs.clipRange();
    const alpha = Math.max(-lo, hi);
    expect(alpha / b).toBeGreaterThan(5.03 * 0.85);
    expect(alpha / b).toBeLessThan(5.03 * 1.15);
    expect(alpha).toBeLessThan(0.6 * Math.max(-mm.minVal, mm.maxVal)); // much tighter than min/max
  });

  it('keeps (nearly) the whole range of uniform data, where clipping only hurts', () => {
    const x = uniform(20000, -3, 5, 9);
    const [lo, hi] = observed(new MseObserver(), x).clipRange();
    expect(lo).toBeLessThan(-2.9);
    expect(hi).toBeGreaterThan(4.85);
  });
});

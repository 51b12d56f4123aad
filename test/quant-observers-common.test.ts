// What every observer shares: non-finite data, unobserved defaults, configuration checks, per-channel axes, custom ranges.
import { describe, expect, it } from 'vitest';
import {
  EntropyObserver, FixedQParamsObserver, HistogramObserver, InvalidArgumentError, MinMaxObserver, MovingAverageMinMaxObserver, MseObserver,
  PercentileObserver, PerChannelMinMaxObserver, PerChannelMovingAverageMinMaxObserver, PowerOfTwoObserver, calculateQParams, type Observer,
} from '../src';

const factories: [string, (o: { name?: string; ignoreNonFinite?: boolean }) => Observer][] = [
  ['MinMaxObserver', (o) => new MinMaxObserver(o)],
  ['MovingAverageMinMaxObserver', (o) => new MovingAverageMinMaxObserver(o)],
  ['PerChannelMinMaxObserver', (o) => new PerChannelMinMaxObserver(o)],
  ['PerChannelMovingAverageMinMaxObserver', (o) => new PerChannelMovingAverageMinMaxObserver(o)],
  ['HistogramObserver', (o) => new HistogramObserver(o)],
  ['PercentileObserver', (o) => new PercentileObserver(o)],
  ['EntropyObserver', (o) => new EntropyObserver(o)],
  ['MseObserver', (o) => new MseObserver(o)],
  ['PowerOfTwoObserver', (o) => new PowerOfTwoObserver(o)],
  ['FixedQParamsObserver', (o) => FixedQParamsObserver.sigmoid(o)],
];

const clean = Float32Array.of(-1.5, 0.25, 3, 2, -0.5, 1);
const dirty = Float32Array.of(-1.5, 0.25, 3, NaN, 2, -0.5, Infinity, 1, -Infinity);
// Per-channel observers see [3, 2] / [3, 3]: the non-finite values are placed so that every channel keeps its values.
const dirtyPerChannel = Float32Array.of(-1.5, 0.25, NaN, 3, 2, Infinity, -0.5, 1, -Infinity);
const cleanPerChannel = Float32Array.of(-1.5, 0.25, 0.25, 3, 2, 2, -0.5, 1, 1);

describe('non-finite values in observed data', () => {
  it.each(factories)('%s names the tensor and the rule, and can be told to skip them', (cls, make) => {
    const perChannel = cls.startsWith('PerChannel');
    const obs = make({ name: 'conv1.output' });
    const x = perChannel ? dirtyPerChannel : dirty;
    const shape = perChannel ? [3, 3] : [9];
    expect(() => obs.observe(x, shape)).toThrow(InvalidArgumentError);
    expect(() => obs.observe(x, shape)).toThrow(
      new RegExp(`Expected finite values \\(no NaN or Infinity\\) for the tensor "conv1.output" observed by ${cls} but received NaN at flat index ${perChannel ? 2 : 3}; .*ignoreNonFinite: true`),
    );
    const skipping = make({ ignoreNonFinite: true });
    skipping.observe(x, shape);
    const reference = make({});
    reference.observe(perChannel ? cleanPerChannel : clean, perChannel ? [3, 3] : [6]);
    expect(skipping.calculateQParams()).toEqual(reference.calculateQParams());
  });
});

describe('observers that saw nothing return PyTorch\'s defaults (scale 1, zero point 0)', () => {
  it.each(factories.filter(([c]) => !c.startsWith('Fixed')))('%s', (_cls, make) => {
    const obs = make({});
    obs.observe(new Float32Array(0), [0, 4]);
    const q = obs.calculateQParams();
    expect(Array.from(q.scale)).toEqual([1]);
    expect(Array.from(q.zeroPoint)).toEqual([0]);
  });
});

describe('per-channel observers', () => {
  // x[i, j, k] = (j + 1) * (k - 1.5) * (i ? 2 : 1): along axis 1 the range of channel j is (j + 1) * [-3, 3].
  const shape = [2, 3, 4];
  const x = Float32Array.from({ length: 24 }, (_, t) => {
    const [i, j, k] = [Math.floor(t / 12), Math.floor(t / 4) % 3, t % 4];
    return (j + 1) * (k - 1.5) * (i ? 2 : 1);
  });

  it('reduce over every axis but chAxis, for any axis (negative ones too)', () => {
    for (const chAxis of [1, -2]) {
      const obs = new PerChannelMinMaxObserver({ chAxis, qscheme: 'per_channel_symmetric', dtype: 'qint8' });
      obs.observe(x, shape);
      expect(Array.from(obs.minVal)).toEqual([-3, -6, -9]);
      expect(Array.from(obs.maxVal)).toEqual([3, 6, 9]);
      const q = obs.calculateQParams();
      expect(q.axis).toBe(chAxis);
      expect(Array.from(q.scale)).toEqual([3, 6, 9].map((a) => Math.fround(a / 127.5)));
    }
    const last = new PerChannelMinMaxObserver({ chAxis: 2 });
    last.observe(x, shape);
    expect(Array.from(last.minVal)).toEqual([-9, -3, 0.5, 1.5]);
    expect(Array.from(last.maxVal)).toEqual([-1.5, -0.5, 3, 9]);
  });

  it('the moving average moves each channel by c * (batch - state) in float32', () => {
    const obs = new PerChannelMovingAverageMinMaxObserver({ averagingConstant: 0.5 });
    obs.observe(Float32Array.of(0, 4, -2, 2), [2, 2]);
    obs.observe(Float32Array.of(-2, 8, -2, 6), [2, 2]);
    expect(Array.from(obs.minVal)).toEqual([-1, -2]);
    expect(Array.from(obs.maxVal)).toEqual([6, 4]);
  });

  it('rejects a batch whose channel count changed, and an axis outside the shape', () => {
    const obs = new PerChannelMinMaxObserver({ name: 'w' });
    obs.observe(new Float32Array(6), [3, 2]);
    expect(() => obs.observe(new Float32Array(8), [4, 2])).toThrow(/Expected 3 channels along axis 0 \(as in earlier batches\) for the tensor "w"/);
    expect(() => new PerChannelMinMaxObserver({ chAxis: 3 }).observe(new Float32Array(6), [3, 2])).toThrow(InvalidArgumentError);
  });
});

describe('calculateQParams', () => {
  it('custom quant ranges: 4-bit affine, symmetric quint8 centred at floor((min + max) / 2), reduceRange halving them', () => {
    const affine = calculateQParams(-1, 2, { dtype: 'qint8', quantMin: -8, quantMax: 7 });
    expect(affine.scale[0]).toBe(Math.fround(3 / 15));
    expect(affine.zeroPoint[0]).toBe(-8 - Math.round(-1 / Math.fround(3 / 15)));
    const sym = calculateQParams(-1, 2, { dtype: 'quint8', qscheme: 'per_tensor_symmetric', quantMin: 0, quantMax: 15 });
    expect([sym.zeroPoint[0], sym.scale[0]]).toEqual([7, Math.fround(2 / 7.5)]);
    const reduced = calculateQParams(-1, 2, { dtype: 'quint8', quantMin: 0, quantMax: 15, reduceRange: true });
    expect([reduced.quantMin, reduced.quantMax]).toEqual([0, 7]);
  });

  it('qint32 uses the full int32 range', () => {
    const q = calculateQParams(-1, 1e4, { dtype: 'qint32', qscheme: 'per_tensor_symmetric' });
    expect([q.quantMin, q.quantMax, q.zeroPoint[0]]).toEqual([-2147483648, 2147483647, 0]);
    expect(q.scale[0]).toBe(Math.fround(1e4 / Math.fround(4294967295 / 2)));
  });

  it('never returns a scale below eps, and always represents 0 exactly', () => {
    const tiny = calculateQParams(0, 0, {});
    expect(tiny.scale[0]).toBe(2 ** -23);
    const positive = calculateQParams(2, 5, { dtype: 'quint8' });
    expect(positive.zeroPoint[0]).toBe(0); // the range is widened to [0, 5]
    expect(calculateQParams(1, 2, { eps: 1 }).scale[0]).toBe(1);
  });

  it('rejects PyTorch\'s invalid ranges and ours with clear messages', () => {
    expect(() => calculateQParams(0, 1, { quantMin: 1, quantMax: 10 })).toThrow(/Expected a range that includes 0 for quantMin\/quantMax of a quint8 range but received \[1, 10\]/);
    expect(() => calculateQParams(0, 1, { quantMin: 0, quantMax: 0 })).toThrow(/Expected quantMin < quantMax/);
    expect(() => calculateQParams(0, 1, { dtype: 'qint8', quantMin: -200, quantMax: 10 })).toThrow(/Expected a range inside \[-128, 127\]/);
    expect(() => calculateQParams(0, 1, { quantMin: 0 })).toThrow(/both or neither/);
    expect(() => calculateQParams(2, 1, {})).toThrow(/Expected min <= max/);
    expect(() => calculateQParams(0, 1, { eps: 0 })).toThrow(InvalidArgumentError);
    expect(() => calculateQParams(0, 1, { dtype: 'qint4' as never })).toThrow(/Expected one of quint8, qint8, qint32 for dtype/);
    expect(() => calculateQParams(0, 1, { qscheme: 'per_tensor_float' as never })).toThrow(/for qscheme/);
  });

  it('rejects bad observer options', () => {
    expect(() => new MovingAverageMinMaxObserver({ averagingConstant: 0 })).toThrow(/Expected a number in \(0, 1\] for the averagingConstant of MovingAverageMinMaxObserver/);
    expect(() => new HistogramObserver({ bins: 0 })).toThrow(/Expected a positive integer for the bins of HistogramObserver/);
    expect(() => new PercentileObserver({ percentile: 20 })).toThrow(InvalidArgumentError);
    expect(() => new EntropyObserver({ bins: 100 })).toThrow(/Expected an even number of at least 128 for the bins of EntropyObserver/);
    expect(() => new MinMaxObserver({ eps: -1 })).toThrow(/eps of MinMaxObserver/);
  });
});

describe('observer state stays bounded however many batches are observed', () => {
  it('histograms keep their bin count while the range widens by orders of magnitude', () => {
    const hist = new HistogramObserver();
    const pct = new PercentileObserver();
    for (let b = 0; b < 30; b++) {
      // integer values and ranges, so that PyTorch's int(min)/int(max) histc bounds drop nothing
      const x = Float32Array.from({ length: 64 }, (_, i) => (i - 32) * 2 ** Math.floor(b / 2));
      hist.observe(x, [64]);
      pct.observe(x, [64]);
    }
    expect(hist.histogram).toHaveLength(2048);
    expect(pct.histogram.counts).toHaveLength(2048);
    expect(pct.histogram.total).toBe(30 * 64);
    // Re-binning nearly keeps the mass; PyTorch 1.13 itself ends with 1919.923 here (its histc drops values past the
    // relaxed max), and histogram_multibatch.json checks such sequences bin for bin.
    expect(hist.histogram.reduce((a, b) => a + b, 0)).toBeCloseTo(1919.923, 2);
  });
});

// MinMax, MovingAverageMinMax, PerChannelMinMax and Histogram observers against PyTorch 1.13 (observers.json):
// the observer state (min/max), the Histogram search range and the qparams, all bit for bit.
import { describe, expect, it } from 'vitest';
import {
  HistogramObserver, InvalidArgumentError, MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver,
  PerChannelMovingAverageMinMaxObserver, type Observer, type QParams,
} from '../src';
import { bits, f32List, f32Rec, loadGolden, type F32Rec } from './fixtures/golden/golden';

const golden: { inputs: Record<string, { shape: number[]; values: number[] }>; cases: any[]; invalid_configs: any[] } = loadGolden('observers.json');

const optionsOf = (c: any) => ({ dtype: c.dtype, qscheme: c.qscheme, reduceRange: c.reduce_range });

function make(c: any): Observer {
  switch (c.observer) {
    case 'MinMaxObserver': return new MinMaxObserver(optionsOf(c));
    case 'MovingAverageMinMaxObserver': return new MovingAverageMinMaxObserver({ ...optionsOf(c), averagingConstant: c.averaging_constant });
    case 'PerChannelMinMaxObserver': return new PerChannelMinMaxObserver({ ...optionsOf(c), chAxis: c.ch_axis });
    case 'HistogramObserver': return new HistogramObserver({ ...optionsOf(c), bins: c.bins });
    default: throw new Error(c.observer);
  }
}

/** Feeds an input the way gen_golden.py did: ma_batches as 5 batches of 64, hist_2batch as 2 batches of 4x64. */
function feed(obs: Observer, key: string): void {
  const { shape, values } = golden.inputs[key];
  const x = f32List(values);
  if (key === 'mixed' || key === 'positive') return obs.observe(x, shape);
  const batch = shape.slice(1);
  const n = batch.reduce((a, b) => a * b, 1);
  for (let b = 0; b < shape[0]; b++) obs.observe(x.subarray(b * n, (b + 1) * n), batch);
}

const list = (v: F32Rec | F32Rec[]) => (Array.isArray(v) ? v : [v]).map(f32Rec);
const label = (c: any) => `${c.observer} ${c.dtype} ${c.qscheme} reduce_range=${c.reduce_range} ${c.input}`;

describe('observers reproduce PyTorch 1.13 exactly (all 59 cases of observers.json)', () => {
  it('has the 59 cases the README describes', () => expect(golden.cases).toHaveLength(59));

  it.each(golden.cases.map((c) => [label(c), c] as [string, any]))('%s', (_label, c) => {
    const obs = make(c);
    feed(obs, c.input);
    const state = obs as unknown as { minVal: number | Float32Array; maxVal: number | Float32Array };
    expect(bits(list(c.min_val))).toEqual(bits(typeof state.minVal === 'number' ? [state.minVal] : state.minVal));
    expect(bits(list(c.max_val))).toEqual(bits(typeof state.maxVal === 'number' ? [state.maxVal] : state.maxVal));
    if (obs instanceof HistogramObserver) {
      const [lo, hi] = obs.searchRange();
      expect(bits([lo, hi])).toEqual(bits([f32Rec(c.search_min), f32Rec(c.search_max)]));
    }
    const q: QParams = obs.calculateQParams();
    expect(bits(q.scale)).toEqual(bits(list(c.scale)));
    expect(Array.from(q.zeroPoint)).toEqual(Array.isArray(c.zero_point) ? c.zero_point : [c.zero_point]);
    expect([q.quantMin, q.quantMax]).toEqual([c.quant_min, c.quant_max]);
  });
});

describe('invalid observer configurations are rejected as PyTorch rejects them (observers.json invalid_configs)', () => {
  it.each(golden.invalid_configs.map((c) => [label(c), c] as [string, any]))('%s', (_label, c) => {
    const expected = c.error.includes('Cannot reduce range') ? /PyTorch cannot reduce the range of symmetric quint8/ : /Expected per_(tensor|channel)_affine or per_(tensor|channel)_symmetric for the qscheme of/;
    expect(() => make(c)).toThrow(InvalidArgumentError);
    expect(() => make(c)).toThrow(expected);
  });

  it('HistogramObserver accepts quint8 + symmetric + reduceRange (zero point 128, quantMax 127), unlike MinMaxObserver', () => {
    const h = new HistogramObserver({ dtype: 'quint8', qscheme: 'per_tensor_symmetric', reduceRange: true });
    h.observe(Float32Array.of(-1, 2, 3), [3]);
    const q = h.calculateQParams();
    expect([q.zeroPoint[0], q.quantMin, q.quantMax]).toEqual([128, 0, 127]);
    expect(() => new MinMaxObserver({ dtype: 'quint8', qscheme: 'per_tensor_symmetric', reduceRange: true })).toThrow(InvalidArgumentError);
    expect(() => new PerChannelMovingAverageMinMaxObserver({ dtype: 'quint8', qscheme: 'per_channel_symmetric', reduceRange: true })).toThrow(InvalidArgumentError);
  });
});

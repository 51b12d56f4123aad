// quantize / dequantize / fakeQuantize against PyTorch 1.13 (test/fixtures/golden), bit for bit.
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError, MinMaxObserver, PerChannelMinMaxObserver, dequantize, dequantizePerChannel, fakeQuantizePerChannelWithMask,
  fakeQuantizeWith, fakeQuantizeWithMask, quantize, quantizePerChannel, quantizeWith, toQuantDType, type QuantDType,
} from '../src';
import { bits, f32List, f32Rec, loadGolden } from './fixtures/golden/golden';

const fq: { cases: any[] } = loadGolden('fake_quant.json');
const rt: { cases: any[] } = loadGolden('quantize_roundtrip.json');

describe('fakeQuantize matches torch.fake_quantize_per_*_affine (fake_quant.json)', () => {
  it.each(fq.cases.map((c: any) => [c.name, c] as [string, any]))('%s: every output bit and the gradient mask', (_name, c: any) => {
    const x = f32List(c.x);
    const r = c.kind === 'per_tensor'
      ? fakeQuantizeWithMask(x, f32Rec(c.scale), c.zero_point, c.quant_min, c.quant_max)
      : fakeQuantizePerChannelWithMask(x, {
        shape: c.shape, axis: c.axis, scales: c.scale.map(f32Rec), zeroPoints: c.zero_point, quantMin: c.quant_min, quantMax: c.quant_max,
      });
    expect(bits(r.y)).toEqual(bits(f32List(c.y)));
    expect(Array.from(r.mask)).toEqual(c.grad.map(Number));
  });
});

describe('quantize / dequantize match torch.quantize_per_* and dequantize (quantize_roundtrip.json)', () => {
  const label = (c: any) => `${c.kind ?? 'per_tensor'} ${c.dtype} scale ${c.scale.repr ?? 'per channel'} zp ${c.zero_point} ${c.input ?? ''}`;
  it.each(rt.cases.map((c: any) => [label(c), c] as [string, any]))('%s', (_name, c: any) => {
    const x = f32List(c.x);
    const dtype = c.dtype as QuantDType;
    if (c.kind === 'per_channel') {
      const args = { shape: c.shape, axis: c.axis, scales: c.scale.map(f32Rec), zeroPoints: c.zero_point };
      const q = quantizePerChannel(x, { ...args, dtype });
      expect(Array.from(q)).toEqual(c.q);
      // torch keeps per-channel scales in float64 (stored_scales_f64); dequantization multiplies by those.
      const stored = Float64Array.from(c.stored_scales_f64, Number);
      expect(bits(dequantizePerChannel(q, { ...args, scales: stored }))).toEqual(bits(f32List(c.dequant)));
    } else {
      const q = quantize(x, f32Rec(c.scale), c.zero_point, dtype);
      expect(Array.from(q)).toEqual(c.q);
      expect(bits(dequantize(q, f32Rec(c.scale), c.zero_point))).toEqual(bits(f32List(c.dequant)));
    }
  });
});

describe('quantize edge cases', () => {
  it('sends +inf, -inf and NaN to the minimum code and -0 to the zero point', () => {
    const x = Float32Array.of(Infinity, -Infinity, NaN, -0, 0);
    expect(Array.from(quantize(x, 0.1, 10, 'quint8'))).toEqual([0, 0, 0, 10, 10]);
    expect(Array.from(quantize(x, 0.1, 3, 'qint8'))).toEqual([-128, -128, -128, 3, 3]);
    expect(Array.from(quantize(x, 0.1, 0, 'qint32'))).toEqual([-2147483648, -2147483648, -2147483648, 0, 0]);
  });

  it('rounds exact ties to even, both signs', () => {
    const x = Float32Array.of(0.5, 1.5, 2.5, -0.5, -1.5, -2.5);
    expect(Array.from(quantize(x, 1, 0, 'qint8'))).toEqual([0, 2, 2, 0, -2, -2]);
  });

  it('rejects bad scales, zero points, shapes and axes with InvalidArgumentError', () => {
    const x = new Float32Array(6);
    expect(() => quantize(x, 0, 0, 'qint8')).toThrow(/Expected a positive finite float32 number for scale but received 0/);
    expect(() => quantize(x, 1, 300, 'quint8')).toThrow(/Expected an integer in \[0, 255\] for zero point but received 300/);
    expect(() => quantizePerChannel(x, { shape: [2, 3], axis: 2, scales: [1, 1], zeroPoints: [0, 0], dtype: 'qint8' })).toThrow(InvalidArgumentError);
    expect(() => quantizePerChannel(x, { shape: [2, 3], axis: 1, scales: [1, 1], zeroPoints: [0, 0], dtype: 'qint8' }))
      .toThrow(/Expected 3 scales \(dimension 1 of \[2, 3\]\)/);
    expect(() => quantizePerChannel(x, { shape: [4, 2], axis: 0, scales: [1, 1, 1, 1], zeroPoints: [0, 0, 0, 0], dtype: 'qint8' }))
      .toThrow(/Expected 8 elements/);
  });

  it('per-channel quantization on a middle axis uses the right channel for every element', () => {
    // shape [2, 3, 2], axis 1: channel c has scale 2^-c, all values 1 -> codes 1, 2, 4.
    const x = new Float32Array(12).fill(1);
    const q = quantizePerChannel(x, { shape: [2, 3, 2], axis: -2, scales: [1, 0.5, 0.25], zeroPoints: [0, 0, 0], dtype: 'qint8' });
    expect(Array.from(q)).toEqual([1, 1, 2, 2, 4, 4, 1, 1, 2, 2, 4, 4]);
  });
});

describe('quantizing with an observer\'s parameters', () => {
  it('round-trips every observed value to within half a step, per tensor and per channel on axis 1', () => {
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 4)));
    const shape = [2, 3, 4];
    for (const obs of [new MinMaxObserver({ dtype: 'quint8' }), new PerChannelMinMaxObserver({ dtype: 'qint8', qscheme: 'per_channel_symmetric', chAxis: 2 })]) {
      obs.observe(x, shape);
      const qp = obs.calculateQParams();
      const q = quantizeWith(x, shape, qp);
      expect(q).toBeInstanceOf(qp.dtype === 'quint8' ? Uint8Array : Int8Array);
      const y = fakeQuantizeWith(x, shape, qp);
      for (let i = 0; i < x.length; i++) {
        const s = qp.scale[qp.axis === undefined ? 0 : i % 4];
        expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(s / 2 + 1e-7);
      }
    }
  });

  it('maps the u8/s8/s32 shorthands to PyTorch\'s dtype names', () => {
    expect(['u8', 's8', 's32', 'qint8'].map((d) => toQuantDType(d as never))).toEqual(['quint8', 'qint8', 'qint32', 'qint8']);
    expect(() => toQuantDType('u4' as never)).toThrow(InvalidArgumentError);
  });
});

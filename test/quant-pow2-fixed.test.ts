// Power-of-two ("decimal position p") scales and fixed qparams for sigmoid/softmax/tanh outputs.
import { describe, expect, it } from 'vitest';
import {
  FixedQParamsObserver, InvalidArgumentError, PowerOfTwoObserver, fakeQuantize, powerOfTwoPosition, powerOfTwoQParams, quantize,
} from '../src';
import { rng } from '../src/bench/random';

describe('powerOfTwoPosition: the largest p whose range [qmin, qmax] * 2^-p holds [min, max]', () => {
  it('known answers at and just past the boundaries', () => {
    expect(powerOfTwoPosition(-1, 1)).toBe(6); // 127/64 >= 1 but 127/128 < 1
    expect(powerOfTwoPosition(0, 127 / 64)).toBe(6); // exactly the top code fits
    expect(powerOfTwoPosition(0, 127 / 64 + 2 ** -20)).toBe(5);
    expect(powerOfTwoPosition(-2, 0)).toBe(6); // -128/64 = -2 fits exactly
    expect(powerOfTwoPosition(-2 - 2 ** -20, 0)).toBe(5);
    expect(powerOfTwoPosition(-0.001, 300)).toBe(-2); // 127 * 4 = 508 >= 300 > 254
    expect(powerOfTwoPosition(-5, 1, 'quint8')).toBe(7); // quint8: only the max counts, 255/128 >= 1
    expect(powerOfTwoPosition(0, 0)).toBeNull();
  });

  it('scaling the data by 2^k moves p by exactly -k, and the data then quantize without clipping', () => {
    const r = rng(4);
    for (let t = 0; t < 200; t++) {
      const lo = -r.float(0, 10);
      const hi = r.float(0.001, 10);
      const p = powerOfTwoPosition(lo, hi)!;
      const k = r.int(-20, 20);
      expect(powerOfTwoPosition(lo * 2 ** k, hi * 2 ** k)).toBe(p - k);
      const q = quantize(Float32Array.of(lo, hi), 2 ** -p, 0, 'qint8');
      // within range: no code saturates unless the value sits exactly on the boundary
      expect(Math.abs(q[0] * 2 ** -p - lo)).toBeLessThanOrEqual(2 ** -p / 2);
      expect(Math.abs(q[1] * 2 ** -p - hi)).toBeLessThanOrEqual(2 ** -p / 2);
      // and p + 1 would not fit
      expect(hi > 127 * 2 ** -(p + 1) || lo < -128 * 2 ** -(p + 1)).toBe(true);
    }
  });

  it('powerOfTwoQParams gives scale 2^-p and zero point 0, and rejects positions whose scale is not a normal float32', () => {
    const q = powerOfTwoQParams(6);
    expect([q.scale[0], q.zeroPoint[0], q.quantMin, q.quantMax]).toEqual([1 / 64, 0, -128, 127]);
    expect(() => powerOfTwoQParams(127)).toThrow(InvalidArgumentError);
    expect(() => powerOfTwoQParams(1.5)).toThrow(/Expected an integer in \[-127, 126\] for a decimal position/);
  });
});

describe('PowerOfTwoObserver: p per batch, the mode over batches', () => {
  const batch = (amax: number) => Float32Array.of(-amax / 2, amax);
  const run = (...amaxes: number[]) => {
    const obs = new PowerOfTwoObserver();
    for (const a of amaxes) obs.observe(batch(a), [2]);
    return obs;
  };

  it('takes the most frequent p, not the one of the widest batch', () => {
    const obs = run(1, 1.5, 3, 0.9); // p = 6, 6, 5, 7
    expect([...obs.votes.entries()].sort()).toEqual([[5, 1], [6, 2], [7, 1]]);
    expect(obs.position()).toBe(6);
    expect(obs.calculateQParams().scale[0]).toBe(1 / 64);
  });

  it('breaks ties towards the smaller p (the wider range)', () => {
    expect(run(1, 3).position()).toBe(5);
    expect(run(3, 1).position()).toBe(5);
  });

  it('ignores batches of zeros and defaults to p = 0 without votes', () => {
    expect(run(0, 0).position()).toBe(0);
    expect(run(0, 1).position()).toBe(6);
  });
});

describe('FixedQParamsObserver', () => {
  it('sigmoid/softmax: scale 1/256, zero point 0; tanh: scale 2/256, zero point 128 (quint8)', () => {
    for (const [obs, scale, zp] of [[FixedQParamsObserver.sigmoid(), 1 / 256, 0], [FixedQParamsObserver.softmax(), 1 / 256, 0],
      [FixedQParamsObserver.tanh(), 2 / 256, 128]] as const) {
      obs.observe(Float32Array.of(0.1, 0.7), [2]); // observing changes nothing
      const q = obs.calculateQParams();
      expect([q.scale[0], q.zeroPoint[0], q.dtype, q.quantMin, q.quantMax]).toEqual([scale, zp, 'quint8', 0, 255]);
    }
  });

  it('represents sigmoid outputs to within half a step, except 1 itself which clips to 255/256', () => {
    const x = Float32Array.from({ length: 1001 }, (_, i) => 1 / (1 + Math.exp(-(i - 500) / 50)));
    const q = FixedQParamsObserver.sigmoid().calculateQParams();
    const y = fakeQuantize(x, q.scale[0], q.zeroPoint[0], q.quantMin, q.quantMax);
    for (let i = 0; i < x.length; i++) {
      expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(x[i] > 255 / 256 ? 1 / 256 : 1 / 512);
    }
    expect(fakeQuantize(Float32Array.of(1), q.scale[0], 0, 0, 255)[0]).toBe(255 / 256);
  });

  it('rejects a zero point outside the range and a non-positive scale', () => {
    expect(() => new FixedQParamsObserver({ scale: 0.1, zeroPoint: 300 })).toThrow(/Expected an integer in \[0, 255\] for the zero point of FixedQParamsObserver/);
    expect(() => new FixedQParamsObserver({ scale: -1, zeroPoint: 0 })).toThrow(InvalidArgumentError);
  });
});

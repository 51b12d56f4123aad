// The saturation report counts the int16 pair sums a[2i] w[2i] + a[2i+1] w[2i+1] (adjacent k) that
// a plain vpmaddubsw kernel would overflow. Checked on pairs where overflow is known by
// construction (255 x 127 twice must saturate; 7-bit weights never can), on convolutions with
// pads, strides, dilations and groups against a naive count written here (one window at a time, no
// im2col matrix), and end to end through inspect() on QDQ layers built to saturate.
import { describe, expect, it } from 'vitest';
import { Tensor, inspect, type Graph } from '../src';
import { convGeometry, convSaturation, countSaturatingPairs, matrixSaturation } from '../src/debug/saturation';
import { rng } from './support/random';

describe('countSaturatingPairs', () => {
  it('255 x 127 pairs saturate, 255 x 63 (7-bit weights) and a lone odd-k product do not', () => {
    const per = new Float64Array(3);
    const k = 5; // two pairs and a last lone product
    const a = new Uint8Array(k).fill(255);
    const w = Int8Array.of(127, 127, 127, 127, 127, /* 7-bit */ 63, 63, 63, 63, 63, /* min */ -128, -128, 0, -128, -128);
    // Channel 2: 255 * -128 * 2 = -65280 saturates; 0 * -128 + 255 * -128 = -32640 fits.
    expect(countSaturatingPairs(a, 1, k, w, 3, per)).toBe(3);
    expect(Array.from(per)).toEqual([2, 0, 1]);
  });

  it('7-bit weights never saturate on any activations', () => {
    const r = rng(5), k = 64, m = 50, n = 8;
    const a = Uint8Array.from({ length: m * k }, () => r.pick([0, 255, Math.floor(r.next() * 256)]));
    const w = Int8Array.from({ length: n * k }, () => r.pick([-64, 63, Math.floor(r.next() * 128) - 64]));
    expect(countSaturatingPairs(a, m, k, w, n, new Float64Array(n))).toBe(0);
  });

  it('pairs are adjacent k: 255*127 + 0*127 fits, 128*127 + 128*127 = 32512 fits, 129*127 * 2 = 32766 fits, 130*127 * 2 does not', () => {
    const per = new Float64Array(1);
    const rows = Uint8Array.of(255, 0, 128, 128, 129, 129, 130, 130);
    const w = Int8Array.of(127, 127);
    expect(countSaturatingPairs(rows, 4, 2, w, 1, per)).toBe(1);
  });

  it('a [k, n] weight is read column by column', () => {
    const a = Uint8Array.of(255, 255, 255, 255);
    const w = Int8Array.of(127, 1, 127, 1, 127, 1, 127, 1); // [4, 2]: column 0 saturates twice, column 1 never
    const per = new Float64Array(2);
    expect(matrixSaturation(a, 1, 4, w, 2, false, per)).toEqual({ pairs: 4, saturating: 2 });
    expect(Array.from(per)).toEqual([2, 0]);
  });
});

/** Naive count: for each output element, walk its window in (kh, kw, channel) order and pair adjacent terms. */
function naiveConvCount(x: Uint8Array, zp: number, xd: number[], w: Int8Array, wd: number[], group: number, stride: number[], dil: number[], pads: number[]): { pairs: number; saturating: number } {
  const [n, c, h, wdt] = xd, [oc, cg, kh, kw] = wd;
  const oh = Math.floor((h + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((wdt + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) / stride[1]) + 1;
  let pairs = 0, saturating = 0;
  for (let b = 0; b < n; b++)
    for (let o = 0; o < oc; o++) {
      const g = Math.floor(o / (oc / group));
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const terms: number[] = [];
          for (let y = 0; y < kh; y++)
            for (let xx = 0; xx < kw; xx++)
              for (let ci = 0; ci < cg; ci++) {
                const iy = oy * stride[0] + y * dil[0] - pads[0], ix = ox * stride[1] + xx * dil[1] - pads[1];
                const inside = iy >= 0 && iy < h && ix >= 0 && ix < wdt;
                const av = inside ? x[((b * c + g * cg + ci) * h + iy) * wdt + ix] : zp;
                terms.push(av * w[((o * cg + ci) * kh + y) * kw + xx]);
              }
          for (let i = 0; i < terms.length; i += 2) {
            pairs++;
            const s = terms[i] + (terms[i + 1] ?? 0);
            if (s > 32767 || s < -32768) saturating++;
          }
        }
    }
  return { pairs, saturating };
}

describe('convSaturation (im2col in int8kit K order)', () => {
  const cases = [
    { name: '3x3 pad 1 stride 1', c: 4, oc: 6, k: [3, 3], group: 1, stride: [1, 1], dil: [1, 1], pads: [1, 1, 1, 1], hw: [7, 6] },
    { name: '3x3 stride 2 asymmetric pads', c: 3, oc: 5, k: [3, 3], group: 1, stride: [2, 2], dil: [1, 1], pads: [0, 1, 2, 1], hw: [9, 8] },
    { name: 'grouped 2 x (3 -> 2), 5x3 dilation 2', c: 6, oc: 4, k: [5, 3], group: 2, stride: [1, 2], dil: [2, 1], pads: [2, 1, 2, 1], hw: [10, 9] },
    { name: 'depthwise 3x3 pad 1 stride 2', c: 5, oc: 5, k: [3, 3], group: 5, stride: [2, 2], dil: [1, 1], pads: [1, 1, 1, 1], hw: [8, 8] },
    { name: '1x1 odd channels', c: 7, oc: 3, k: [1, 1], group: 1, stride: [1, 1], dil: [1, 1], pads: [0, 0, 0, 0], hw: [4, 5] },
  ];
  for (const t of cases)
    it(`equals the naive count: ${t.name}, zero points 0/128/255`, () => {
      const r = rng(t.c * 31 + t.oc);
      for (const zp of [0, 128, 255]) {
        const xd = [2, t.c, ...t.hw], wd = [t.oc, t.c / t.group, ...t.k];
        // Extreme codes often, so that a good share of pairs saturate and a wrong pairing shows.
        const x = Uint8Array.from({ length: xd.reduce((a, b) => a * b) }, () => r.pick([255, 250, 0, Math.floor(r.next() * 256)]));
        const w = Int8Array.from({ length: wd.reduce((a, b) => a * b) }, () => r.pick([127, -128, 120, Math.floor(r.next() * 256) - 128]));
        const geo = convGeometry({ group: t.group, strides: t.stride, dilations: t.dil, pads: t.pads, kernel_shape: t.k }, xd, wd);
        const got = convSaturation(x, zp, w, geo, new Float64Array(t.oc));
        const want = naiveConvCount(x, zp, xd, w, wd, t.group, t.stride, t.dil, t.pads);
        expect(got).toEqual(want);
        expect(want.saturating).toBeGreaterThan(0);
      }
    });

  it('SAME_UPPER auto_pad gives the same count as its explicit pads', () => {
    const r = rng(9), xd = [1, 2, 6, 6], wd = [3, 2, 4, 4];
    const x = Uint8Array.from({ length: 72 }, () => r.pick([255, 0, 200]));
    const w = Int8Array.from({ length: 96 }, () => r.pick([127, -128, 90]));
    // SAME_UPPER, stride 2 on 6 with a 4-tap kernel: out 3, total pad 2, 1 before and 1 after.
    const auto = convSaturation(x, 7, w, convGeometry({ auto_pad: 'SAME_UPPER', strides: [2, 2] }, xd, wd), new Float64Array(3));
    expect(auto).toEqual(naiveConvCount(x, 7, xd, w, wd, 1, [2, 2], [1, 1], [1, 1, 1, 1]));
  });
});

// Through inspect(): X -> Q/DQ(u8) -> Conv(weights DQ(s8)) -> Y, inputs that quantize to code 255.
function satModel(weightCode: number, xs: number): { fp: Graph; qdq: Graph } {
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs = {}) => ({ name, opType, domain: '', inputs, outputs, attrs });
  const w = new Int8Array(2 * 2 * 3 * 3).fill(weightCode);
  const g = (nodes: Graph['nodes'], inits: Graph['initializers']): Graph => ({ opset: 13, inputs: [{ name: 'x', type: { dtype: 'float32', shape: [1, 2, 5, 5] } }], outputs: [{ name: 'y' }], nodes, initializers: inits, valueInfo: new Map() });
  const conv = node('conv', 'Conv', ['x', 'w'], ['y'], { kernel_shape: [3, 3] });
  const fp = g([conv], new Map([['w', { dtype: 'float32', dims: [2, 2, 3, 3], data: Float32Array.from(w, (v) => v * 0.01) }]]));
  const qdq = g([
    node('q', 'QuantizeLinear', ['x', 's', 'z'], ['xq']), node('dq', 'DequantizeLinear', ['xq', 's', 'z'], ['xd']),
    node('wdq', 'DequantizeLinear', ['w_quantized', 'ws'], ['wd']), { ...conv, inputs: ['xd', 'wd'] },
  ], new Map([
    ['s', { dtype: 'float32', dims: [], data: Float32Array.of(xs) }], ['z', { dtype: 'uint8', dims: [], data: Uint8Array.of(0) }],
    ['w_quantized', { dtype: 'int8', dims: [2, 2, 3, 3], data: w }], ['ws', { dtype: 'float32', dims: [], data: Float32Array.of(0.01) }],
  ]));
  return { fp, qdq };
}

describe('inspect saturation column', () => {
  const ones = [{ x: new Tensor('float32', new Float32Array(50).fill(1), [1, 2, 5, 5]) }];
  it('activations at code 255 with weights 127: every pair saturates', async () => {
    const m = satModel(127, 1 / 255);
    const r = await inspect(m.fp, m.qdq, ones, { attribution: false });
    // 3x3 output, 2 channels, K = 18 -> 9 pairs per output element.
    expect(r.layers[0].saturation).toMatchObject({ pairs: 9 * 2 * 9, saturating: 9 * 2 * 9, fraction: 1 });
    expect(r.layers[0].saturation!.worstChannels).toEqual([{ channel: 0, count: 81 }, { channel: 1, count: 81 }]);
    expect(r.saturationNote).toMatch(/int8kit's kernels do not saturate/);
  });
  it('7-bit weights (63) never saturate', async () => {
    const m = satModel(63, 1 / 255);
    const r = await inspect(m.fp, m.qdq, ones, { attribution: false });
    expect(r.layers[0].saturation).toMatchObject({ pairs: 162, saturating: 0, fraction: 0, worstChannels: [] });
  });
  it('activations at code 128 with weights 127 fit (2 * 128 * 127 = 32512)', async () => {
    const m = satModel(127, 1 / 128);
    const r = await inspect(m.fp, m.qdq, ones, { attribution: false });
    expect(r.layers[0].saturation!.saturating).toBe(0);
  });
});

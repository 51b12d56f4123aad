/**
 * QLinearConv for the tests: random cases, an independent JavaScript definition (integer
 * accumulation of (x - x_zp) * (w - w_zp), then the float32 output stage every int8kit backend
 * uses), and builders for a one-op plan and a one-node ONNX model.
 */
import type { DType, OnnxModel, OnnxTensor, Plan } from '../../src';
import { rng } from './random';

export interface QConvCase {
  n: number; cin: number; h: number; w: number; cout: number; group: number;
  kh: number; kw: number; strides: [number, number]; dilations: [number, number];
  pads: [number, number, number, number]; autoPad?: 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  xType: 'uint8' | 'int8'; wType: 'uint8' | 'int8'; yType: 'uint8' | 'int8';
  x: number[]; wq: number[]; bias: number[] | null;
  xScale: number; xZp: number; wScale: number[]; wZp: number[]; yScale: number; yZp: number;
}

const lim = (t: 'uint8' | 'int8') => (t === 'uint8' ? [0, 255] : [-128, 127]);

/** Output size and leading pad of one spatial axis, by ONNX's rules. */
export function axis(c: QConvCase, i: 0 | 1): { out: number; pad: number } {
  const inSize = i === 0 ? c.h : c.w, k = i === 0 ? c.kh : c.kw, s = c.strides[i], d = c.dilations[i];
  const dk = (k - 1) * d + 1;
  if (c.autoPad === 'SAME_UPPER' || c.autoPad === 'SAME_LOWER') {
    const out = Math.ceil(inSize / s), total = Math.max(0, (out - 1) * s + dk - inSize);
    return { out, pad: c.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2) };
  }
  const [pb, pe] = c.autoPad === 'VALID' ? [0, 0] : [c.pads[i], c.pads[i + 2]];
  return { out: Math.floor((inSize + pb + pe - dk) / s) + 1, pad: pb };
}

export const outShape = (c: QConvCase) => [c.n, c.cout, axis(c, 0).out, axis(c, 1).out];

const halfEven = (v: number) => {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
};

/** The reference: exact integer sums, then y = clamp(round_half_even(f32(f32(acc) * m)) + y_zp) with m = f32(f32(sx * sw) / sy). */
export function qconvRef(c: QConvCase, clamp?: [number, number]): number[] {
  const [oh, ow] = [axis(c, 0), axis(c, 1)];
  const cinG = c.cin / c.group, coutG = c.cout / c.group;
  const [lo, hi] = clamp ?? lim(c.yType);
  const y: number[] = [];
  for (let n = 0; n < c.n; n++)
    for (let o = 0; o < c.cout; o++) {
      const g = Math.floor(o / coutG), ch = c.wScale.length > 1 ? o : 0, zch = c.wZp.length > 1 ? o : 0;
      const m = Math.fround(Math.fround(c.xScale * c.wScale[ch]) / c.yScale);
      for (let oy = 0; oy < oh.out; oy++)
        for (let ox = 0; ox < ow.out; ox++) {
          let acc = c.bias ? c.bias[o] : 0;
          for (let ci = 0; ci < cinG; ci++)
            for (let ky = 0; ky < c.kh; ky++)
              for (let kx = 0; kx < c.kw; kx++) {
                const iy = oy * c.strides[0] + ky * c.dilations[0] - oh.pad, ix = ox * c.strides[1] + kx * c.dilations[1] - ow.pad;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                const xv = c.x[((n * c.cin + g * cinG + ci) * c.h + iy) * c.w + ix];
                const wv = c.wq[((o * cinG + ci) * c.kh + ky) * c.kw + kx];
                acc += (xv - c.xZp) * (wv - c.wZp[zch]);
              }
          const v = Math.fround(Math.fround(acc) * m);
          y.push(Math.min(hi - c.yZp, Math.max(lo - c.yZp, halfEven(v))) + c.yZp);
        }
    }
  return y;
}

const arr = (t: DType, v: number[]) => (t === 'uint8' ? Uint8Array.from(v) : t === 'int8' ? Int8Array.from(v) : t === 'int32' ? Int32Array.from(v) : Float32Array.from(v));

/** Random case: kind 0 depthwise, 1 pointwise, 2 grouped, else any window. */
export function randomQConv(seed: number, kind = seed % 5): QConvCase {
  const r = rng(seed);
  const group = kind === 0 ? r.int(1, 24) : kind === 2 ? r.int(2, 3) : 1;
  const cin = group * (kind === 0 ? 1 : r.int(1, 12)), cout = kind === 0 ? cin : group * r.int(1, 20);
  const k1 = kind === 1;
  const kh = k1 ? 1 : kind === 0 ? r.pick([3, 3, 5, 2]) : r.int(1, 4), kw = k1 ? 1 : r.next() < 0.7 ? kh : r.int(1, 4);
  const strides: [number, number] = k1 ? [1, 1] : [r.int(1, 2), r.int(1, 2)];
  const dilations: [number, number] = k1 || r.next() < 0.7 ? [1, 1] : [r.int(1, 2), r.int(1, 2)];
  const reach = [(kh - 1) * dilations[0], (kw - 1) * dilations[1]];
  const pads: [number, number, number, number] = k1 ? [0, 0, 0, 0] : [r.int(0, reach[0]), r.int(0, reach[1]), r.int(0, reach[0]), r.int(0, reach[1])];
  const autoPad = k1 ? undefined : r.pick([undefined, undefined, undefined, 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const);
  const h = Math.max(r.int(1, 9), reach[0] + 1), w = Math.max(r.int(1, 9), reach[1] + 1);
  const xType = r.next() < 0.3 ? 'int8' : 'uint8', wType = r.next() < 0.5 ? 'int8' : 'uint8', yType = r.next() < 0.3 ? 'int8' : 'uint8';
  const [xl, xh] = lim(xType), [wl, wh] = lim(wType), [yl, yh] = lim(yType);
  const extreme = r.next() < 0.2;
  const x = Array.from({ length: r.int(1, 2) * cin * h * w }, () => (extreme ? r.pick([xl, xh]) : r.int(xl, xh)));
  const n = x.length / (cin * h * w);
  const wq = Array.from({ length: cout * (cin / group) * kh * kw }, () => (extreme ? r.pick([wl, wh]) : r.int(wl, wh)));
  const perChannel = r.next() < 0.5;
  // s8 weights are symmetric (the QDQ export); u8 weights get zero points.
  const wZp = Array.from({ length: perChannel && wType === 'uint8' ? cout : 1 }, () => (wType === 'int8' ? 0 : r.pick([0, 128, 255, r.int(0, 255)])));
  const kk = (cin / group) * kh * kw;
  const accRms = Math.sqrt(kk) * 100 * (wType === 'int8' ? 74 : 120);
  const xScale = r.float(0.002, 0.05);
  const wScale = Array.from({ length: perChannel ? cout : 1 }, () => r.float(0.001, 0.02));
  return {
    n, cin, h, w, cout, group, kh, kw, strides, dilations, pads, autoPad, xType, wType, yType, x, wq,
    bias: r.next() < 0.7 ? Array.from({ length: cout }, () => r.int(-Math.round(accRms), Math.round(accRms))) : null,
    xScale, xZp: r.pick([xl, xh, r.int(xl, xh), xType === 'uint8' ? 128 : 0]), wScale, wZp,
    yScale: Math.fround(xScale * 0.01 * accRms / r.float(20, 160)), yZp: r.pick([yl, yh, r.int(yl, yh)]),
  };
}

function attrs(c: QConvCase): Record<string, number | number[] | string> {
  const a: Record<string, number | number[] | string> = { group: c.group, kernel_shape: [c.kh, c.kw], strides: c.strides, dilations: c.dilations };
  if (c.autoPad) a.auto_pad = c.autoPad;
  else a.pads = c.pads;
  return a;
}

/** The inputs of QLinearConv after x, as [dtype, shape, values]. */
function params(c: QConvCase): [DType, number[], number[]][] {
  const vec = (v: number[]) => (v.length === 1 ? [] : [v.length]);
  return [
    ['float32', [], [c.xScale]], [c.xType, [], [c.xZp]],
    [c.wType, [c.cout, c.cin / c.group, c.kh, c.kw], c.wq], ['float32', vec(c.wScale), c.wScale], [c.wType, vec(c.wZp), c.wZp],
    ['float32', [], [c.yScale]], [c.yType, [], [c.yZp]],
    ...(c.bias ? [['int32', [c.cout], c.bias] as [DType, number[], number[]]] : []),
  ];
}

export function qconvPlan(c: QConvCase, extra: Record<string, number> = {}): Plan {
  const ps = params(c);
  return {
    values: [
      { dtype: c.xType, shape: [c.n, c.cin, c.h, c.w] },
      ...ps.map(([dtype, shape, v]) => ({ dtype, shape, data: arr(dtype, v) })),
      { dtype: c.yType, shape: outShape(c) },
    ],
    ops: [{ op: 'QLinearConv', inputs: [0, 1, 2, 3, 4, 5, 6, 7, ...(c.bias ? [8] : [])], outputs: [ps.length + 1], attrs: { ...attrs(c), ...extra } }],
    inputs: [0],
    outputs: [ps.length + 1],
  };
}

const names = ['x_scale', 'x_zero_point', 'w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point', 'B'];

/** One QLinearConv node; x is the graph input, everything else an initializer. */
export function qconvModel(c: QConvCase): OnnxModel {
  const inits: OnnxTensor[] = params(c).map(([dtype, dims, v], i) => ({ name: names[i], dtype: dtype as never, dims, data: arr(dtype, v) as never }));
  const attributes = Object.fromEntries(Object.entries(attrs(c)).map(([k, v]) =>
    [k, typeof v === 'string' ? { type: 'string', value: v } : Array.isArray(v) ? { type: 'ints', value: v } : { type: 'int', value: v }]));
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'int8kit-test', producerVersion: '1', domain: '', modelVersion: 1, metadataProps: [],
    graph: {
      name: 'qconv', initializers: inits, valueInfo: [],
      nodes: [{ opType: 'QLinearConv', domain: '', name: 'conv', inputs: ['x', ...inits.map((t) => t.name)], outputs: ['y'], attributes: attributes as never }],
      inputs: [{ name: 'x', type: { kind: 'tensor', dtype: c.xType, shape: [c.n, c.cin, c.h, c.w] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', dtype: c.yType, shape: outShape(c) } }],
    },
  } as OnnxModel;
}

export const xArray = (c: QConvCase) => arr(c.xType, c.x) as Uint8Array | Int8Array;

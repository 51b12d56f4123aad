// The integer GEMM family's plan ops (QLinearMatMul, MatMulInteger, MatMulIntegerToFloat,
// ConvInteger, DynamicQuantizeLinear) on every backend and ISA, against independent JavaScript definitions of
// the ONNX semantics (exact integer sums, float32 requantization step by step, round half to
// even), with B constant (packed at creation) and fed at run time; the typed plan errors for
// malformed inputs; and the same ops against onnxruntime-node through whole ONNX models.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, Session, Tensor, graphToOnnx, writeModel, type DType, type Graph, type PlanTypedArray } from '../src';
import { backendIsas } from './support/backends';
import { opPlan, typedArray } from './support/elementwise-reference';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');
const targets = (await backendIsas()).filter((t) => t.isa.available);

type Q = 'uint8' | 'int8';
const range = (t: Q) => (t === 'uint8' ? [0, 255] : [-128, 127]);
const halfEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

interface MM {
  aShape: number[];
  bShape: number[];
  yShape: number[];
  m: number;
  k: number;
  n: number;
  /** For each output matrix, the A and B matrix it multiplies. */
  pairs: [number, number][];
}

/** MatMul shapes with batch broadcasting (2-D and up). */
function mm(aBatch: number[], bBatch: number[], m: number, k: number, n: number): MM {
  const r = Math.max(aBatch.length, bBatch.length);
  const pa = [...Array(r - aBatch.length).fill(1), ...aBatch], pb = [...Array(r - bBatch.length).fill(1), ...bBatch];
  const out = pa.map((d, i) => Math.max(d, pb[i]));
  const total = out.reduce((x, y) => x * y, 1);
  const pairs: [number, number][] = [];
  for (let t = 0; t < total; t++) {
    let rem = t, ai = 0, bi = 0, as = 1, bs = 1;
    for (let i = r - 1; i >= 0; i--) {
      const c = rem % out[i];
      rem = Math.floor(rem / out[i]);
      ai += (pa[i] === 1 ? 0 : c) * as, as *= pa[i];
      bi += (pb[i] === 1 ? 0 : c) * bs, bs *= pb[i];
    }
    pairs.push([ai, bi]);
  }
  return { aShape: [...aBatch, m, k], bShape: [...bBatch, k, n], yShape: [...out, m, n], m, k, n, pairs };
}

/** Exact sums of (a - za)(b - zb[bmatrix][col]). */
function integerMatMul(s: MM, a: ArrayLike<number>, b: ArrayLike<number>, za: number, zb: (bm: number, j: number) => number): number[] {
  const y: number[] = [];
  for (const [am, bm] of s.pairs)
    for (let i = 0; i < s.m; i++)
      for (let j = 0; j < s.n; j++) {
        let acc = 0;
        for (let kk = 0; kk < s.k; kk++) acc += (a[am * s.m * s.k + i * s.k + kk] - za) * (b[bm * s.k * s.n + kk * s.n + j] - zb(bm, j));
        y.push(acc);
      }
  return y;
}

const codes = (r: ReturnType<typeof rng>, t: Q, n: number) => {
  const [lo, hi] = range(t);
  return Array.from({ length: n }, () => (r.next() < 0.1 ? r.pick([lo, hi]) : r.int(lo, hi)));
};

async function runPlan(plan: ReturnType<typeof opPlan>, feeds: PlanTypedArray[], backend: string, isa: string, threads = 1) {
  const s = await PlanSession.create(plan, { backend, isa, threads } as never);
  try {
    return await s.run(feeds);
  } finally {
    s.release();
  }
}

const shapes = [mm([], [], 1, 1, 1), mm([], [], 7, 33, 19), mm([], [], 40, 70, 45), mm([2, 3], [3], 5, 9, 11), mm([1], [4], 3, 17, 33)];

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  it('MatMulInteger: u8/s8 x u8/s8, zero points absent / per tensor / per column, B constant and fed, batched', async () => {
    const r = rng(5);
    let cases = 0;
    for (const s of shapes)
      for (const at of ['uint8', 'int8'] as Q[])
        for (const bt of ['uint8', 'int8'] as Q[]) {
          const a = codes(r, at, s.aShape.reduce((x, y) => x * y, 1)), b = codes(r, bt, s.bShape.reduce((x, y) => x * y, 1));
          const zform = cases % 3, constB = cases % 2 === 0;
          const za = zform === 0 ? 0 : codes(r, at, 1)[0];
          const zb = zform === 0 ? [0] : codes(r, bt, zform === 1 ? 1 : s.n);
          const inputs = [
            { dtype: at as DType, shape: s.aShape },
            { dtype: bt as DType, shape: s.bShape, ...(constB ? { data: typedArray(bt, b) } : {}) },
            ...(zform ? [{ dtype: at as DType, shape: [], data: typedArray(at, [za]) }, { dtype: bt as DType, shape: [zb.length], data: typedArray(bt, zb) }] : []),
          ];
          const plan = opPlan('MatMulInteger', inputs, [{ dtype: 'int32', shape: s.yShape }]);
          const feeds = constB ? [typedArray(at, a)] : [typedArray(at, a), typedArray(bt, b)];
          const [y] = await runPlan(plan, feeds, t.backend, t.isa.isa, 2);
          const want = integerMatMul(s, a, b, za, (_bm, j) => zb[zb.length === 1 ? 0 : j]);
          expect(Array.from(y as Int32Array), `${at} x ${bt} ${s.yShape} zp form ${zform}`).toEqual(want);
          cases++;
        }
  });

  it('QLinearMatMul: u8/s8 in and out, per-tensor and per-column B scale and zero point, requantized with ties', async () => {
    const r = rng(7);
    let cases = 0;
    for (const s of shapes)
      for (const at of ['uint8', 'int8'] as Q[])
        for (const bt of ['uint8', 'int8'] as Q[]) {
          const yt: Q = cases % 2 ? 'int8' : 'uint8';
          const perColumn = cases % 3 === 2, constB = cases % 4 < 2;
          const a = codes(r, at, s.aShape.reduce((x, y) => x * y, 1)), b = codes(r, bt, s.bShape.reduce((x, y) => x * y, 1));
          const za = codes(r, at, 1)[0], zb = codes(r, bt, perColumn ? s.n : 1), zy = codes(r, yt, 1)[0];
          // Power-of-two scales make many products exact halves (ties); the others are arbitrary.
          const as = Math.fround(r.next() < 0.5 ? 2 ** -r.int(2, 6) : r.float(0.001, 0.05));
          const bs = Float32Array.from({ length: zb.length }, () => (r.next() < 0.5 ? 2 ** -r.int(2, 6) : r.float(0.001, 0.05)));
          const ys = Math.fround(as * 0.02 * Math.sqrt(s.k) * 128);
          const f = (v: number) => Float32Array.of(v);
          const plan = opPlan('QLinearMatMul', [
            { dtype: at, shape: s.aShape }, { dtype: 'float32', shape: [], data: f(as) }, { dtype: at, shape: [], data: typedArray(at, [za]) },
            { dtype: bt, shape: s.bShape, ...(constB ? { data: typedArray(bt, b) } : {}) }, { dtype: 'float32', shape: [bs.length], data: bs }, { dtype: bt, shape: [zb.length], data: typedArray(bt, zb) },
            { dtype: 'float32', shape: [], data: f(ys) }, { dtype: yt, shape: [], data: typedArray(yt, [zy]) },
          ], [{ dtype: yt, shape: s.yShape }]);
          const [y] = await runPlan(plan, constB ? [typedArray(at, a)] : [typedArray(at, a), typedArray(bt, b)], t.backend, t.isa.isa);
          const acc = integerMatMul(s, a, b, za, (_bm, j) => zb[perColumn ? j : 0]);
          const [lo, hi] = range(yt);
          const want = acc.map((v, e) => {
            const j = e % s.n;
            const scale = Math.fround(Math.fround(as * bs[perColumn ? j : 0]) / ys);
            const x = Math.fround(Math.fround(v) * scale);
            return halfEven(Math.min(hi - zy, Math.max(lo - zy, x))) + zy;
          });
          expect(Array.from(y as ArrayLike<number>), `${at} x ${bt} -> ${yt} ${s.yShape}`).toEqual(want);
          cases++;
        }
  });

  it('MatMulIntegerToFloat: the f32 output stage, float(acc) * (a_scale * b_scale) then + bias, per tensor and per column', async () => {
    const r = rng(23);
    let cases = 0;
    for (const s of shapes)
      for (const at of ['uint8', 'int8'] as Q[]) {
        const bt: Q = cases % 2 ? 'uint8' : 'int8';
        const perColumn = cases % 3 !== 0, withBias = cases % 2 === 0, constB = cases % 4 < 2;
        const a = codes(r, at, s.aShape.reduce((x, y) => x * y, 1)), b = codes(r, bt, s.bShape.reduce((x, y) => x * y, 1));
        const za = codes(r, at, 1)[0], zb = codes(r, bt, perColumn ? s.n : 1);
        const as = Math.fround(r.float(0.001, 0.05));
        const bs = Float32Array.from({ length: zb.length }, () => r.float(0.001, 0.05));
        const bias = Float32Array.from({ length: s.n }, () => r.float(-2, 2));
        const plan = opPlan('MatMulIntegerToFloat', [
          { dtype: at, shape: s.aShape }, { dtype: bt, shape: s.bShape, ...(constB ? { data: typedArray(bt, b) } : {}) },
          { dtype: 'float32', shape: [], data: Float32Array.of(as) }, { dtype: 'float32', shape: [bs.length], data: bs },
          { dtype: at, shape: [], data: typedArray(at, [za]) }, { dtype: bt, shape: [zb.length], data: typedArray(bt, zb) },
          ...(withBias ? [{ dtype: 'float32' as DType, shape: [s.n], data: bias }] : []),
        ], [{ dtype: 'float32', shape: s.yShape }]);
        const [y] = await runPlan(plan, constB ? [typedArray(at, a)] : [typedArray(at, a), typedArray(bt, b)], t.backend, t.isa.isa);
        const acc = integerMatMul(s, a, b, za, (_bm, j) => zb[perColumn ? j : 0]);
        const want = acc.map((v, e) => {
          const j = e % s.n;
          const x = Math.fround(Math.fround(v) * Math.fround(as * bs[perColumn ? j : 0]));
          return withBias ? Math.fround(x + bias[j]) : x;
        });
        expect(Array.from(y as Float32Array), `${at} x ${bt} ${s.yShape}`).toEqual(want);
        cases++;
      }
  });

  it('ConvInteger: pads, strides, dilations, groups, zero points per tensor and per output channel', async () => {
    const r = rng(11);
    type ConvAttrs = { group?: number; pads?: number[]; strides?: number[]; dilations?: number[]; auto_pad?: string };
    const convs: { x: number[]; w: number[]; attrs: ConvAttrs }[] = [
      { x: [1, 1, 3, 3], w: [1, 1, 2, 2], attrs: {} },
      { x: [2, 4, 7, 6], w: [6, 2, 3, 3], attrs: { group: 2, pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2] } },
      { x: [1, 3, 5, 5], w: [5, 3, 3, 1], attrs: { auto_pad: 'SAME_UPPER' } },
      { x: [1, 2, 9], w: [3, 2, 3], attrs: { pads: [1, 1], strides: [2] } },
    ];
    for (const [ci, cv] of convs.entries())
      for (const xt of ['uint8', 'int8'] as Q[]) {
        const wt: Q = ci % 2 ? 'int8' : 'uint8';
        const x = codes(r, xt, cv.x.reduce((p, q) => p * q, 1)), w = codes(r, wt, cv.w.reduce((p, q) => p * q, 1));
        const zx = codes(r, xt, 1)[0], zw = codes(r, wt, ci === 1 ? cv.w[0] : 1);
        const twoD = cv.x.length === 4;
        const [N, C, H, W] = twoD ? cv.x : [cv.x[0], cv.x[1], 1, cv.x[2]];
        const [M, Cg, KH, KW] = twoD ? cv.w : [cv.w[0], cv.w[1], 1, cv.w[2]];
        const a = cv.attrs;
        const g = a.group ?? 1, st = twoD ? a.strides ?? [1, 1] : [1, (a.strides ?? [1])[0]], dl = twoD ? a.dilations ?? [1, 1] : [1, 1];
        let pads = twoD ? a.pads ?? [0, 0, 0, 0] : [0, (a.pads ?? [0, 0])[0], 0, (a.pads ?? [0, 0])[1]];
        if (a.auto_pad === 'SAME_UPPER') {
          const tot = [H, W].map((n, i) => Math.max(0, (Math.ceil(n / st[i]) - 1) * st[i] + (i ? KW : KH) - n));
          pads = [Math.floor(tot[0] / 2), Math.floor(tot[1] / 2), tot[0] - Math.floor(tot[0] / 2), tot[1] - Math.floor(tot[1] / 2)];
        }
        const OH = Math.floor((H + pads[0] + pads[2] - dl[0] * (KH - 1) - 1) / st[0]) + 1, OW = Math.floor((W + pads[1] + pads[3] - dl[1] * (KW - 1) - 1) / st[1]) + 1;
        const want: number[] = [];
        for (let n = 0; n < N; n++)
          for (let m = 0; m < M; m++)
            for (let oy = 0; oy < OH; oy++)
              for (let ox = 0; ox < OW; ox++) {
                let acc = 0;
                const gi = Math.floor(m / (M / g));
                for (let c = 0; c < Cg; c++)
                  for (let ky = 0; ky < KH; ky++)
                    for (let kx = 0; kx < KW; kx++) {
                      const iy = oy * st[0] + ky * dl[0] - pads[0], ix = ox * st[1] + kx * dl[1] - pads[1];
                      const xv = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[((n * C + gi * Cg + c) * H + iy) * W + ix] : zx;
                      acc += (xv - zx) * (w[((m * Cg + c) * KH + ky) * KW + kx] - zw[zw.length === 1 ? 0 : m]);
                    }
                want.push(acc);
              }
        const yShape = twoD ? [N, M, OH, OW] : [N, M, OW];
        const constW = ci % 2 === 0;
        const plan = opPlan('ConvInteger', [
          { dtype: xt, shape: cv.x }, { dtype: wt, shape: cv.w, ...(constW ? { data: typedArray(wt, w) } : {}) },
          { dtype: xt, shape: [], data: typedArray(xt, [zx]) }, { dtype: wt, shape: [zw.length], data: typedArray(wt, zw) },
        ], [{ dtype: 'int32', shape: yShape }], Object.fromEntries(Object.entries(cv.attrs).filter(([, v]) => v !== undefined)) as Record<string, number | string | number[]>);
        const [y] = await runPlan(plan, constW ? [typedArray(xt, x)] : [typedArray(xt, x), typedArray(wt, w)], t.backend, t.isa.isa);
        expect(Array.from(y as Int32Array), `conv ${ci} ${xt} x ${wt}`).toEqual(want);
      }
  });

  it('DynamicQuantizeLinear: range including 0, scale (max - min) / 255, rounded zero point, codes with ties', async () => {
    const r = rng(13);
    const inputs = [
      Float32Array.from({ length: 1000 }, () => r.float(-3, 5)),
      Float32Array.from({ length: 37 }, () => r.float(1, 2)), // all positive: min becomes 0
      Float32Array.from({ length: 70000 }, () => r.float(-9, -1)), // all negative, several threads' chunks
      Float32Array.of(0, 0, 0), // empty range: scale 1 (onnxruntime's choice; ONNX would divide by 0)
      Float32Array.of(-2.55, 0, 2.55, 1.275, NaN, -1e-3),
    ];
    for (const x of inputs) {
      const plan = opPlan('DynamicQuantizeLinear', [{ dtype: 'float32', shape: [x.length] }], [{ dtype: 'uint8', shape: [x.length] }, { dtype: 'float32', shape: [] }, { dtype: 'uint8', shape: [] }]);
      const [y, s, z] = await runPlan(plan, [x], t.backend, t.isa.isa, 2);
      let mn = 0, mx = 0;
      for (const v of x) if (!Number.isNaN(v)) (mn = Math.min(mn, v)), (mx = Math.max(mx, v));
      const scale = mx === mn ? 1 : Math.fround(Math.fround(mx - mn) / 255);
      const zp = halfEven(Math.min(255, Math.max(0, Math.fround(0 - Math.fround(mn / scale)))));
      expect((s as Float32Array)[0]).toBe(scale);
      expect((z as Uint8Array)[0]).toBe(zp);
      const want = Array.from(x, (v) => {
        const q = halfEven(Math.fround(v / scale)) + zp;
        return Number.isNaN(q) ? 0 : Math.min(255, Math.max(0, q));
      });
      expect(Array.from(y as Uint8Array)).toEqual(want);
    }
  });

  it('refuses malformed inputs with a typed error naming the op and the rule', async () => {
    const u8 = (shape: number[], data?: number[]) => ({ dtype: 'uint8' as DType, shape, ...(data ? { data: Uint8Array.from(data) } : {}) });
    const f = (v: number) => ({ dtype: 'float32' as DType, shape: [], data: Float32Array.of(v) });
    const bad: [ReturnType<typeof opPlan>, RegExp][] = [
      [opPlan('MatMulInteger', [u8([2, 3]), u8([4, 5])], [{ dtype: 'int32', shape: [2, 5] }]), /expected B with 3 rows/],
      [opPlan('MatMulInteger', [u8([2, 3]), u8([3, 5]), u8([], [1]), u8([4], [1, 2, 3, 4])], [{ dtype: 'int32', shape: [2, 5] }]), /b_zero_point with 1 entry/],
      [opPlan('MatMulInteger', [u8([2, 3]), u8([3, 5]), u8([2], [1, 2])], [{ dtype: 'int32', shape: [2, 5] }]), /per-tensor a_zero_point/],
      [opPlan('MatMulInteger', [u8([2, 3]), { dtype: 'int8', shape: [3, 5] }, null, u8([], [1])], [{ dtype: 'int32', shape: [2, 5] }]), /b_zero_point of dtype int8/],
      [opPlan('MatMulInteger', [u8([2, 3]), u8([3, 5])], [{ dtype: 'float32', shape: [2, 5] }]), /Y of dtype int32/],
      [opPlan('QLinearMatMul', [u8([2, 3]), f(1), u8([], [0]), u8([3, 5]), f(1), u8([], [0]), f(1), { dtype: 'int8', shape: [], data: Int8Array.of(0) }], [{ dtype: 'uint8', shape: [2, 5] }]), /y of y_zero_point's dtype/],
      [opPlan('QLinearMatMul', [u8([2, 3]), { dtype: 'uint8', shape: [], data: Uint8Array.of(1) }, u8([], [0]), u8([3, 5]), f(1), u8([], [0]), f(1), u8([], [0])], [{ dtype: 'uint8', shape: [2, 5] }]), /a_scale of dtype float32/],
      [opPlan('MatMulIntegerToFloat', [u8([2, 3]), u8([3, 5]), f(1), f(1), null, null, { dtype: 'float32', shape: [4], data: new Float32Array(4) }], [{ dtype: 'float32', shape: [2, 5] }]), /bias of dtype float32 and shape \[5\]/],
      [opPlan('ConvInteger', [u8([1, 3, 5, 5]), u8([4, 2, 3, 3])], [{ dtype: 'int32', shape: [1, 4, 3, 3] }]), /group/],
      [opPlan('ConvInteger', [u8([1, 2, 5, 5]), u8([4, 2, 3, 3])], [{ dtype: 'int32', shape: [1, 4, 5, 5] }]), /expected y of dtype int32 and shape \[1, 4, 3, 3\]/],
      [opPlan('DynamicQuantizeLinear', [u8([3])], [u8([3]), { dtype: 'float32', shape: [] }, u8([])]), /x of dtype float32/],
    ];
    for (const [plan, rule] of bad) {
      const err = await PlanSession.create(plan, { backend: t.backend, isa: t.isa.isa } as never).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidPlanError);
      expect(err.message).toMatch(/QLinearMatMul|MatMulInteger|MatMulIntegerToFloat|ConvInteger|DynamicQuantizeLinear/);
      expect(err.message).toMatch(rule);
    }
  });
});

// Valid plans of each op with one random mutation (a dtype, a dimension added, removed or changed,
// an input dropped): each is refused with a typed error or runs; none may crash the process (a
// crash fails the whole file).
describe('mutated plans of the integer GEMM ops', () => {
  it('give InvalidPlanError or run, on the native and WebAssembly backends', async () => {
    const r = rng(29);
    type V = { dtype: DType; shape: number[]; constant?: boolean };
    const T = (dtype: DType, shape: number[], constant = false): V => ({ dtype, shape, constant });
    const templates: [string, V[], V[], Record<string, number | string | number[]>][] = [
      ['MatMulInteger', [T('uint8', [2, 3]), T('int8', [3, 4], true), T('uint8', [], true), T('int8', [4], true)], [T('int32', [2, 4])], {}],
      ['QLinearMatMul', [T('uint8', [2, 3]), T('float32', [], true), T('uint8', [], true), T('uint8', [3, 4]), T('float32', [4], true), T('uint8', [4], true), T('float32', [], true), T('uint8', [], true)], [T('uint8', [2, 4])], {}],
      ['MatMulIntegerToFloat', [T('int8', [2, 2, 3]), T('uint8', [3, 4], true), T('float32', [], true), T('float32', [4], true), T('int8', [], true), T('uint8', [4], true), T('float32', [4], true)], [T('float32', [2, 2, 4])], {}],
      ['ConvInteger', [T('uint8', [1, 2, 5, 5]), T('int8', [3, 2, 3, 3], true), T('uint8', [], true), T('int8', [3], true)], [T('int32', [1, 3, 3, 3])], { strides: [1, 1] }],
      ['DynamicQuantizeLinear', [T('float32', [7])], [T('uint8', [7]), T('float32', []), T('uint8', [])], {}],
    ];
    const dtypes: DType[] = ['uint8', 'int8', 'int32', 'float32'];
    let refused = 0, ran = 0;
    for (const backend of ['native', 'wasm'])
      for (let c = 0; c < 200; c++) {
        const [op, ins, outs, attrs] = r.pick(templates);
        const inputs: (V | null)[] = ins.map((v) => ({ ...v, shape: [...v.shape] }));
        const outputs = outs.map((v) => ({ ...v, shape: [...v.shape] }));
        const all = [...inputs, ...outputs];
        const i = r.int(0, all.length - 1), v = all[i]!;
        switch (r.int(0, 4)) {
          case 0: v.dtype = r.pick(dtypes); break;
          case 1: v.shape.push(r.int(0, 3)); break;
          case 2: v.shape.pop(); break;
          case 3: if (v.shape.length) v.shape[r.int(0, v.shape.length - 1)] = r.int(0, 5); break;
          default: if (i < inputs.length) inputs[i] = null;
        }
        const data = (x: V) => typedArray(x.dtype, Array.from({ length: x.shape.reduce((p, q) => p * q, 1) }, () => r.int(0, 3)));
        const plan = opPlan(op, inputs.map((x) => (x ? { dtype: x.dtype, shape: x.shape, ...(x.constant ? { data: data(x) } : {}) } : null)), outputs, attrs);
        const s = await PlanSession.create(plan, { backend } as never).catch((e) => e);
        if (s instanceof Error) {
          expect(s, `${op}: ${s.message}`).toBeInstanceOf(InvalidPlanError);
          refused++;
          continue;
        }
        await s.run(plan.inputs.map((id) => data(plan.values[id] as V)));
        s.release();
        ran++;
      }
    console.log(`mutated integer GEMM plans: ${refused} refused, ${ran} ran`);
    expect(refused).toBeGreaterThan(50);
    expect(ran).toBeGreaterThan(50);
  });
});

// ---- against onnxruntime-node -----------------------------------------------------------------

function node(opType: string, inputs: string[], outputs: string[], attrs = {}) {
  return { name: opType, opType, domain: '', inputs, outputs, attrs };
}
const onnxType = (t: Tensor) => ({ dtype: t.type as DType, shape: [...t.dims] });

async function bothRuntimes(graph: Graph, feeds: Record<string, Tensor>, backend: string) {
  const bytes = writeModel(graphToOnnx(graph));
  const ref = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const want = await ref.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor(v.type, v.data, v.dims)])));
  const s = await Session.create(bytes, { backend });
  const got = await s.run(feeds);
  s.release();
  return graph.outputs.map((o) => ({ got: got[o.name], want: want[o.name] }));
}

describe.each(['native', 'wasm'])('against onnxruntime-node on the %s backend', (backend) => {
  it('MatMulInteger and QLinearMatMul on random shapes: identical integers', async () => {
    const r = rng(17);
    let total = 0;
    const unsupported = new Set<string>();
    for (let c = 0; c < 16; c++) {
      const [m, k, n] = [r.int(1, 40), r.int(1, 300), r.int(1, 70)];
      const at: Q = r.pick(['uint8', 'int8'] as Q[]), bt: Q = r.pick(['uint8', 'int8'] as Q[]);
      const T = (t: Q, v: number[], dims: number[]) => new Tensor(t, typedArray(t, v) as never, dims);
      const a = T(at, codes(r, at, m * k), [m, k]);
      const b = T(bt, codes(r, bt, k * n), [k, n]);
      const perCol = c % 2 === 1;
      const za = T(at, codes(r, at, 1), []), zb = perCol ? T(bt, codes(r, bt, n), [n]) : T(bt, codes(r, bt, 1), []);
      const sc = (v: number[], dims: number[]) => new Tensor('float32', Float32Array.from(v), dims);
      const as = sc([r.float(0.001, 0.05)], []), bs = perCol ? sc(Array.from({ length: n }, () => r.float(0.001, 0.05)), [n]) : sc([r.float(0.001, 0.05)], []);
      const ys = sc([as.data[0] as number * 0.05 * Math.sqrt(k) * 100], []), zy = T(at, codes(r, at, 1), []); // onnxruntime's Y type follows A's
      const inits = new Map([['B', { dtype: bt as DType, dims: [k, n], data: b.data as PlanTypedArray }]]);
      const graph = (n: ReturnType<typeof node>, names: string[]): Graph => ({
        nodes: [n],
        inputs: names.filter((x) => x !== 'B').map((name) => ({ name, type: onnxType(feeds[name]) })),
        outputs: [{ name: n.outputs[0] }],
        initializers: inits,
        valueInfo: new Map(),
        opset: 13,
      });
      const feeds: Record<string, Tensor> = { A: a, za, zb, as, bs, ys, zy };
      const pick = (names: string[]) => Object.fromEntries(names.filter((x) => x !== 'B').map((x) => [x, feeds[x]]));
      const mi = ['A', 'B', 'za', 'zb'];
      const [yi] = await bothRuntimes(graph(node('MatMulInteger', mi, ['Yi']), mi), pick(mi), backend);
      expect(Array.from(yi.got.data as Int32Array), `MatMulInteger ${at} x ${bt} ${m}x${k}x${n}`).toEqual(Array.from(yi.want.data as Int32Array));
      const ql = ['A', 'as', 'za', 'B', 'bs', 'zb', 'ys', 'zy'];
      const yq = await bothRuntimes(graph(node('QLinearMatMul', ql, ['Yq']), ql), pick(ql), backend).then((o) => o[0], (e) => {
        // onnxruntime's CPU provider lacks some type combinations (an error at session creation).
        if (!/Could not find an implementation/.test(String(e))) throw e;
        unsupported.add(`${at} x ${bt}`);
        return undefined;
      });
      if (!yq) continue;
      expect(Array.from(yq.got.data as ArrayLike<number>), `QLinearMatMul ${at} x ${bt} ${m}x${k}x${n}`).toEqual(Array.from(yq.want.data as ArrayLike<number>));
      total++;
    }
    expect(total).toBeGreaterThan(0);
    if (unsupported.size) console.log(`onnxruntime has no QLinearMatMul for ${[...unsupported].join(', ')}`);
    console.log(`QLinearMatMul vs onnxruntime (${backend}): ${total} random cases identical`);
  });

  it('DynamicQuantizeLinear on random data: identical codes, scale and zero point', async () => {
    const r = rng(19);
    for (const len of [1, 15, 1000, 4099]) {
      const lo = r.float(-10, 1), hi = r.float(-1, 10);
      const x = new Tensor('float32', Float32Array.from({ length: len }, () => r.float(lo, hi)), [len]);
      const graph: Graph = {
        nodes: [node('DynamicQuantizeLinear', ['X'], ['Y', 'S', 'Z'])],
        inputs: [{ name: 'X', type: onnxType(x) }],
        outputs: [{ name: 'Y' }, { name: 'S' }, { name: 'Z' }],
        initializers: new Map(),
        valueInfo: new Map(),
        opset: 13,
      };
      const outs = await bothRuntimes(graph, { X: x }, backend);
      for (const { got, want } of outs) expect(Array.from(got.data as ArrayLike<number>)).toEqual(Array.from(want.data as ArrayLike<number>));
    }
  });
});

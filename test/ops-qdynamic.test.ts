// The DynamicQuantizeMatMul plan op (com.microsoft; native/plan/op-qdynamic.cc) on every backend
// and ISA, against two oracles that must agree with it bit for bit:
//  - an independent JavaScript definition: DynamicQuantizeLinear's codes, scale and zero point
//    (range including 0, float32 (max - min) / 255, round half to even), exact integer sums, then
//    float32 steps fround(fround(acc) * fround(a_scale * b_scale)) (+ bias);
//  - the unfused chain DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul -> Mul [-> Add] run
//    by int8kit as a plan of those ops on the same backend and ISA.
// Bitwise, not within a tolerance: the fused op performs the same float32 operations (one product,
// one sum) in the same order as the chain, on the same integers.
// Then against onnxruntime-node running the same com.microsoft op, and the typed errors.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, Session, Tensor, graphToOnnx, writeModel, type DType, type Graph, type Plan, type PlanOp, type PlanTypedArray, type PlanValue } from '../src';
import { backendIsas } from './support/backends';
import { opPlan, typedArray } from './support/elementwise-reference';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');
const targets = (await backendIsas()).filter((t) => t.isa.available);

type Q = 'uint8' | 'int8';
type R = ReturnType<typeof rng>;
const halfEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
const codes = (r: R, t: Q, n: number) => Array.from({ length: n }, () => (t === 'uint8' ? r.int(0, 255) : r.int(-128, 127)));

/** A random case: A [...batch, K] float32 with a random range, B [K, N], per tensor or per column parameters. */
interface Case {
  aShape: number[];
  k: number;
  n: number;
  a: Float32Array;
  bt: Q;
  b: number[];
  bs: Float32Array;
  bz: number[] | null;
  bias: Float32Array | null;
  constB: boolean;
}

function makeCase(r: R, aShape: number[], n: number, bt: Q, perColumn: boolean, withZp: boolean, withBias: boolean, constB: boolean): Case {
  const k = aShape[aShape.length - 1];
  const lo = r.float(-6, 1), hi = r.float(-1, 6);
  const a = Float32Array.from({ length: numel(aShape) }, () => r.float(lo, hi));
  // Extremes and exact zeros, so both range ends and the zero point are exercised.
  if (a.length > 3) a.set([lo, hi, 0], r.int(0, a.length - 3));
  const cols = perColumn ? n : 1;
  return {
    aShape, k, n, a, bt, b: codes(r, bt, k * n), constB,
    bs: Float32Array.from({ length: cols }, () => r.float(0.001, 0.05)),
    bz: withZp ? codes(r, bt, cols) : null,
    bias: withBias ? Float32Array.from({ length: n }, () => r.float(-2, 2)) : null,
  };
}

const yShape = (c: Case) => [...c.aShape.slice(0, -1), c.n];
const paramShape = (len: number) => (len === 1 ? [] : [len]);

/** The JavaScript definition (see the file comment). */
function reference(c: Case): Float32Array {
  let mn = 0, mx = 0;
  for (const v of c.a) if (!Number.isNaN(v)) (mn = Math.min(mn, v)), (mx = Math.max(mx, v));
  const as = mx === mn ? 1 : Math.fround(Math.fround(mx - mn) / 255);
  const za = halfEven(Math.min(255, Math.max(0, Math.fround(0 - Math.fround(mn / as)))));
  const aq = Array.from(c.a, (v) => Math.min(255, Math.max(0, halfEven(Math.fround(v / as)) + za)));
  const m = c.a.length / c.k || numel(c.aShape.slice(0, -1));
  const y = new Float32Array(m * c.n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < c.n; j++) {
      const zb = c.bz ? c.bz[c.bz.length === 1 ? 0 : j] : 0;
      let acc = 0;
      for (let kk = 0; kk < c.k; kk++) acc += (aq[i * c.k + kk] - za) * (c.b[kk * c.n + j] - zb);
      const v = Math.fround(Math.fround(acc) * Math.fround(as * c.bs[c.bs.length === 1 ? 0 : j]));
      y[i * c.n + j] = c.bias ? Math.fround(v + c.bias[j]) : v;
    }
  return y;
}

function fusedPlan(c: Case): Plan {
  return opPlan('DynamicQuantizeMatMul', [
    { dtype: 'float32', shape: c.aShape },
    { dtype: c.bt, shape: [c.k, c.n], ...(c.constB ? { data: typedArray(c.bt, c.b) } : {}) },
    { dtype: 'float32', shape: paramShape(c.bs.length), data: c.bs },
    c.bz ? { dtype: c.bt, shape: paramShape(c.bz.length), data: typedArray(c.bt, c.bz) } : null,
    c.bias ? { dtype: 'float32', shape: [c.n], data: c.bias } : null,
  ], [{ dtype: 'float32', shape: yShape(c) }]);
}

/** The unfused chain as one plan of standard ops (B fed at run time when not constant, as in fusedPlan). */
function chainPlan(c: Case): Plan {
  const values: PlanValue[] = [];
  const v = (dtype: DType, shape: number[], data?: PlanTypedArray) => values.push(data ? { dtype, shape, data } : { dtype, shape }) - 1;
  const ys = yShape(c);
  const A = v('float32', c.aShape), B = v(c.bt, [c.k, c.n], c.constB ? typedArray(c.bt, c.b) : undefined);
  const bs = v('float32', paramShape(c.bs.length), c.bs);
  const bz = c.bz ? v(c.bt, paramShape(c.bz.length), typedArray(c.bt, c.bz)) : null;
  const aq = v('uint8', c.aShape), as = v('float32', []), az = v('uint8', []);
  const acc = v('int32', ys), accF = v('float32', ys), scale = v('float32', paramShape(c.bs.length)), prod = v('float32', ys);
  const ops: PlanOp[] = [
    { op: 'DynamicQuantizeLinear', inputs: [A], outputs: [aq, as, az], attrs: {} },
    { op: 'MatMulInteger', inputs: [aq, B, az, ...(bz === null ? [] : [bz])], outputs: [acc], attrs: {} },
    { op: 'Cast', inputs: [acc], outputs: [accF], attrs: { to: 1 } },
    { op: 'Mul', inputs: [as, bs], outputs: [scale], attrs: {} },
    { op: 'Mul', inputs: [accF, scale], outputs: [prod], attrs: {} },
  ];
  let out = prod;
  if (c.bias) {
    const bias = v('float32', [c.n], c.bias);
    out = v('float32', ys);
    ops.push({ op: 'Add', inputs: [prod, bias], outputs: [out], attrs: {} });
  }
  return { values, ops, inputs: c.constB ? [A] : [A, B], outputs: [out] };
}

async function runPlan(plan: Plan, feeds: PlanTypedArray[], backend: string, isa: string, threads = 1) {
  const s = await PlanSession.create(plan, { backend, isa, threads } as never);
  try {
    return (await s.run(feeds))[0] as Float32Array;
  } finally {
    s.release();
  }
}

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

// A shapes: K around the kernels' KR groups (1, 3, 4, 5) and long (1000, 4096); M across the MR
// tiles (1, 7, 9, 33 rows) with 1-D and N-D A; N not a multiple of any NR (1, 19, 33, 70).
const shapes: [number[], number][] = [
  [[1], 1], [[3], 19], [[7, 5], 33], [[2, 3, 4], 70], [[9, 1000], 19], [[33, 64], 70], [[1, 2, 3, 17], 5], [[2, 4096], 33],
];

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  it('DynamicQuantizeMatMul equals the JavaScript definition and the unfused chain bit for bit', async () => {
    const r = rng(41);
    let cases = 0;
    for (const [aShape, n] of shapes)
      for (const bt of ['int8', 'uint8'] as Q[]) {
        const c = makeCase(r, aShape, n, bt, cases % 2 === 0, cases % 3 !== 1, cases % 4 !== 3, cases % 5 !== 4);
        const feeds = c.constB ? [c.a] : [c.a, typedArray(c.bt, c.b)];
        const label = `A ${aShape} N ${n} ${bt} B${c.constB ? ' const' : ''} scale ${c.bs.length} zp ${c.bz?.length ?? 'absent'} bias ${!!c.bias}`;
        const fused = await runPlan(fusedPlan(c), feeds, t.backend, t.isa.isa, 1 + (cases % 2));
        expect(bits(fused), label).toEqual(bits(reference(c)));
        const chain = await runPlan(chainPlan(c), feeds, t.backend, t.isa.isa);
        expect(bits(fused), `${label} vs the chain`).toEqual(bits(chain));
        cases++;
      }
    expect(cases).toBe(shapes.length * 2);
  });

  it('DynamicQuantizeMatMul with K = 0 and M = 0 gives the empty products', async () => {
    const r = rng(43);
    for (const aShape of [[4, 0], [0, 6]]) {
      const c = makeCase(r, aShape, 5, 'int8', true, true, true, true);
      const y = await runPlan(fusedPlan(c), [c.a], t.backend, t.isa.isa);
      expect(bits(y)).toEqual(bits(reference(c)));
    }
  });

  it('refuses malformed inputs with a typed error naming the rule', async () => {
    const A = { dtype: 'float32' as DType, shape: [2, 3] };
    const B = { dtype: 'int8' as DType, shape: [3, 4], data: new Int8Array(12) };
    const S = { dtype: 'float32' as DType, shape: [], data: Float32Array.of(0.1) };
    const Y = [{ dtype: 'float32' as DType, shape: [2, 4] }];
    const bad: [Plan, RegExp][] = [
      [opPlan('DynamicQuantizeMatMul', [A, B], Y), /expected inputs \(A, B, b_scale/],
      [opPlan('DynamicQuantizeMatMul', [{ dtype: 'uint8', shape: [2, 3] }, B, S], Y), /expected A of dtype float32/],
      [opPlan('DynamicQuantizeMatMul', [A, { ...B, dtype: 'int32', data: new Int32Array(12) }, S], Y), /expected B of dtype int8 or uint8/],
      [opPlan('DynamicQuantizeMatMul', [A, { ...B, shape: [4, 3] }, S], [{ dtype: 'float32', shape: [2, 3] }]), /expected B with 3 rows/],
      [opPlan('DynamicQuantizeMatMul', [A, B, S], [{ dtype: 'float32', shape: [2, 5] }]), /expected Y of dtype float32 and shape \[2, 4\]/],
      [opPlan('DynamicQuantizeMatMul', [A, B, { dtype: 'float32', shape: [3], data: new Float32Array(3) }], Y), /expected b_scale .*per tensor or per column/],
      [opPlan('DynamicQuantizeMatMul', [A, B, S, { dtype: 'uint8', shape: [], data: Uint8Array.of(0) }], Y), /expected b_zero_point of dtype int8/],
      [opPlan('DynamicQuantizeMatMul', [A, B, S, null, { dtype: 'float32', shape: [1, 4], data: new Float32Array(4) }], Y), /expected bias of dtype float32 and shape \[4\]/],
      [opPlan('DynamicQuantizeMatMul', [{ dtype: 'float32', shape: [1, 40000] }, { dtype: 'int8', shape: [40000, 1] }, S], [{ dtype: 'float32', shape: [1, 1] }]), /expected K <= 32768/],
    ];
    for (const [plan, rule] of bad) {
      const err = await PlanSession.create(plan, { backend: t.backend, isa: t.isa.isa } as never).catch((e) => e);
      expect(err, String(rule)).toBeInstanceOf(InvalidPlanError);
      expect(err.message).toMatch(/DynamicQuantizeMatMul/);
      expect(err.message).toMatch(rule);
    }
  });
});

// One random mutation of a valid plan (a dtype, a dim added, removed or changed, an input
// dropped): refused with a typed error or run; never a crash (which would fail the whole file).
describe('mutated DynamicQuantizeMatMul plans', () => {
  it('give InvalidPlanError or run, on the native and WebAssembly backends', async () => {
    const r = rng(47);
    const dtypes: DType[] = ['uint8', 'int8', 'int32', 'float32'];
    let refused = 0, ran = 0;
    for (const backend of ['native', 'wasm'])
      for (let i = 0; i < 150; i++) {
        type V = { dtype: DType; shape: number[]; constant: boolean };
        const ins: (V | null)[] = [
          { dtype: 'float32', shape: [2, 2, 3], constant: false }, { dtype: r.pick(['int8', 'uint8'] as DType[]), shape: [3, 4], constant: r.int(0, 1) === 1 },
          { dtype: 'float32', shape: [4], constant: true }, { dtype: 'int8', shape: [4], constant: true }, { dtype: 'float32', shape: [4], constant: true },
        ];
        ins[3]!.dtype = ins[1]!.dtype;
        const outs: V[] = [{ dtype: 'float32', shape: [2, 2, 4], constant: false }];
        const all = [...ins, ...outs];
        const j = r.int(0, all.length - 1), v = all[j]!;
        switch (r.int(0, 4)) {
          case 0: v.dtype = r.pick(dtypes); break;
          case 1: v.shape.push(r.int(0, 3)); break;
          case 2: v.shape.pop(); break;
          case 3: if (v.shape.length) v.shape[r.int(0, v.shape.length - 1)] = r.int(0, 5); break;
          default: if (j < ins.length) ins[j] = null;
        }
        const data = (x: { dtype: DType; shape: readonly number[] }) => typedArray(x.dtype, Array.from({ length: numel([...x.shape]) }, () => r.int(0, 3)));
        const plan = opPlan('DynamicQuantizeMatMul', ins.map((x) => (x ? { dtype: x.dtype, shape: x.shape, ...(x.constant ? { data: data(x) } : {}) } : null)), outs);
        const s = await PlanSession.create(plan, { backend } as never).catch((e) => e);
        if (s instanceof Error) {
          expect(s, s.message).toBeInstanceOf(InvalidPlanError);
          refused++;
          continue;
        }
        await s.run(plan.inputs.map((id) => data(plan.values[id])));
        s.release();
        ran++;
      }
    console.log(`mutated DynamicQuantizeMatMul plans: ${refused} refused, ${ran} ran`);
    expect(refused).toBeGreaterThan(30);
    expect(ran).toBeGreaterThan(30);
  });
});

// ---- against onnxruntime-node -------------------------------------------------------------------

/** The op as a one-node ONNX model (B and the parameters as initializers; the com.microsoft opset imported). */
function dynamicMatMulModel(c: Case): Uint8Array {
  const inits = new Map<string, { dtype: DType; dims: number[]; data: PlanTypedArray }>([
    ['B', { dtype: c.bt, dims: [c.k, c.n], data: typedArray(c.bt, c.b) }],
    ['bs', { dtype: 'float32', dims: paramShape(c.bs.length), data: c.bs }],
  ]);
  if (c.bz) inits.set('bz', { dtype: c.bt, dims: paramShape(c.bz.length), data: typedArray(c.bt, c.bz) });
  if (c.bias) inits.set('bias', { dtype: 'float32', dims: [c.n], data: c.bias });
  const graph: Graph = {
    nodes: [{ name: 'dqmm', opType: 'DynamicQuantizeMatMul', domain: 'com.microsoft', inputs: ['A', 'B', 'bs', c.bz ? 'bz' : '', c.bias ? 'bias' : ''], outputs: ['Y'], attrs: {} }],
    inputs: [{ name: 'A', type: { dtype: 'float32', shape: c.aShape } }],
    outputs: [{ name: 'Y' }],
    initializers: inits,
    valueInfo: new Map(),
    opset: 13,
  };
  const model = graphToOnnx(graph);
  model.opsetImports.push({ domain: 'com.microsoft', version: 1 });
  return writeModel(model);
}

describe.each(['native', 'wasm'])('DynamicQuantizeMatMul against onnxruntime-node on the %s backend', (backend) => {
  it('random shapes, int8 and uint8 B, per tensor and per column, with and without bias', async () => {
    const r = rng(53);
    let worst = 0, differing = 0, total = 0;
    for (let i = 0; i < 12; i++) {
      const aShape = [...(i % 3 === 0 ? [2] : []), r.int(1, 40), r.int(1, 300)];
      const c = makeCase(r, aShape, r.int(1, 70), i % 2 ? 'uint8' : 'int8', i % 4 < 2, i % 3 !== 2, i % 5 !== 0, true);
      const bytes = dynamicMatMulModel(c);
      const ref = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
      const want = (await ref.run({ A: new ort.Tensor('float32', c.a, c.aShape) })).Y.data as Float32Array;
      await ref.release();
      const s = await Session.create(bytes, { backend });
      const got = (await s.run({ A: new Tensor('float32', c.a, c.aShape) })).Y.data as Float32Array;
      s.release();
      // onnxruntime quantizes A identically (ops-qmatmul.test.ts checks DynamicQuantizeLinear codes
      // bit for bit) and sums the same integers; its output stage may round float(acc) * scale + bias
      // once (a fused multiply-add) where int8kit rounds twice. So each element may differ by at
      // most one rounding of the product and one of the sum: 2^-24 (|product| + |y|), plus a
      // 2^-24 scale-product term for good measure. Anything larger would mean different integers.
      const exact = reference(c);
      for (let e = 0; e < got.length; e++) {
        expect(got[e], `element ${e} vs the JavaScript definition`).toBe(exact[e]);
        const prod = Math.abs(c.bias ? exact[e] - c.bias[e % c.n] : exact[e]);
        const tol = 2 ** -23 * (prod + Math.abs(exact[e])) + 2 ** -24 * prod;
        const d = Math.abs(got[e] - want[e]);
        expect(d, `element ${e} of ${aShape} x ${c.n}: ${got[e]} vs ${want[e]}`).toBeLessThanOrEqual(tol);
        if (d) differing++;
        worst = Math.max(worst, tol ? d / tol : 0);
        total++;
      }
    }
    console.log(`DynamicQuantizeMatMul vs onnxruntime (${backend}): ${differing} of ${total} elements differ, worst at ${worst.toFixed(3)} of the tolerance`);
  });
});

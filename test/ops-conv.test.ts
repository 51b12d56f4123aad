// Conv, ConvTranspose, MatMul, ONNX Gemm and the pools on every ISA of every backend against the
// independent JavaScript oracles of support/conv-reference.ts: float results within each
// element's stated error bound (max pooling exactly), threads 1 and 2 bit for bit equal, and bad
// plans rejected with InvalidPlanError naming the op and the rule.
import { describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, type Plan, type PlanOp } from '../src';
import { backendIsas } from './support/backends';
import {
  convReference, convTransposeReference, gemmOnnxReference, matmulReference, poolReference,
  type ActivationName, type ConvArgs, type ConvTransposeArgs, type PoolArgs,
} from './support/conv-reference';
import { rng } from './support/random';
import { listCases, loadCase, type OnnxCase } from './support/conv-onnx-cases';

const targets = await backendIsas();
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const randArray = (r: ReturnType<typeof rng>, n: number) => Float32Array.from({ length: n }, () => r.float(-1, 1));

interface Case {
  name: string;
  plan: Plan;
  inputs: Float32Array[];
  ref: { value: Float64Array; bound: Float64Array; shape: number[] };
}

/** One-op plan: inputs given as [shape, data or null (run-time input)]. */
function onePlan(op: string, ins: ([number[], Float32Array | null] | null)[], out: number[], attrs: PlanOp['attrs']): { plan: Plan; inputs: Float32Array[] } {
  const values: Plan['values'][number][] = [], ids: (number | null)[] = [], planInputs: number[] = [], inputs: Float32Array[] = [];
  for (const v of ins) {
    if (!v) { ids.push(null); continue; }
    ids.push(values.length);
    if (v[1] && v[1] !== RUNTIME.get(v)) values.push({ dtype: 'float32', shape: v[0], data: v[1] });
    else { planInputs.push(values.length); values.push({ dtype: 'float32', shape: v[0] }); inputs.push(RUNTIME.get(v)!); }
  }
  values.push({ dtype: 'float32', shape: out });
  return { plan: { values, ops: [{ op, inputs: ids, outputs: [values.length - 1], attrs }], inputs: planInputs, outputs: [values.length - 1] }, inputs };
}
// Marks an onePlan input as fed at run time (with this data).
const RUNTIME = new WeakMap<object, Float32Array>();
const runtime = (shape: number[], data: Float32Array): [number[], Float32Array | null] => {
  const v: [number[], Float32Array | null] = [shape, null];
  RUNTIME.set(v, data);
  return v;
};

function windowAttrs(a: { kernel?: number[]; strides?: number[]; dilations?: number[]; pads?: number[]; autoPad?: string; ceilMode?: boolean }) {
  const at: Record<string, any> = {};
  if (a.strides) at.strides = a.strides;
  if (a.dilations) at.dilations = a.dilations;
  if (a.pads) at.pads = a.pads;
  if (a.autoPad) at.auto_pad = a.autoPad;
  if (a.ceilMode !== undefined) at.ceil_mode = a.ceilMode ? 1 : 0;
  return at;
}

function convCase(name: string, a: ConvArgs): Case {
  const ref = convReference(a);
  const attrs: Record<string, any> = { ...windowAttrs(a), group: a.group ?? 1 };
  if (a.activation) attrs.activation = a.activation;
  if (a.activationParams) attrs.activation_params = Float32Array.from(a.activationParams);
  const { plan, inputs } = onePlan('Conv', [runtime(a.xShape, a.x), [a.wShape, a.w], a.b ? [[a.wShape[0]], a.b] : null], ref.shape, attrs);
  return { name, plan, inputs, ref };
}

function randomConv(seed: number, o: Partial<ConvArgs> & { n: number; cin: number; cout: number; in: number[]; k: number[] }): Case {
  const r = rng(seed), g = o.group ?? 1;
  const xShape = [o.n, o.cin, ...o.in], wShape = [o.cout, o.cin / g, ...o.k];
  const args: ConvArgs = { ...o, kernel: o.k, x: randArray(r, size(xShape)), xShape, w: randArray(r, size(wShape)), wShape, b: o.b ?? (r.next() < 0.7 ? randArray(r, o.cout) : undefined) };
  return convCase(`Conv ${JSON.stringify({ ...o, x: undefined, w: undefined, b: undefined })}`, args);
}

const acts: [ActivationName, number[] | undefined][] = [['Relu', undefined], ['Clip', [-0.5, 0.75]], ['LeakyRelu', [0.1]], ['HardSigmoid', [0.2, 0.5]], ['HardSwish', undefined], ['Sigmoid', undefined]];

function convCases(): Case[] {
  const cs: Case[] = [];
  let seed = 100;
  // GEMM path: tile edges (cout vs MR up to 12, pixels vs NR up to 32), groups, pads, strides, dilations.
  for (const [cin, cout, h, w] of [[1, 1, 1, 1], [3, 13, 7, 9], [8, 25, 6, 6], [5, 12, 11, 3], [16, 7, 5, 13]])
    for (const k of [[1, 1], [3, 3], [2, 3]])
      cs.push(randomConv(seed++, { n: 1, cin, cout, in: [h, w], k, pads: [1, 1, k[0] - 1, 1] }));
  cs.push(randomConv(seed++, { n: 2, cin: 6, cout: 9, in: [9, 10], k: [3, 3], group: 3, strides: [2, 1], dilations: [1, 2], pads: [1, 2, 0, 1] }));
  cs.push(randomConv(seed++, { n: 1, cin: 4, cout: 4, in: [8, 8], k: [3, 3], group: 2, strides: [3, 2] }));
  cs.push(randomConv(seed++, { n: 1, cin: 3, cout: 16, in: [23, 21], k: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3] }));
  // Large strides (patch embeddings): one phase plane per tap, or planes of a single pixel.
  cs.push(randomConv(seed++, { n: 2, cin: 3, cout: 20, in: [16, 20], k: [4, 4], strides: [4, 4] }));
  cs.push(randomConv(seed++, { n: 1, cin: 2, cout: 7, in: [11, 13], k: [3, 2], strides: [5, 6], pads: [2, 1, 0, 3], dilations: [2, 3] }));
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID'] as const)
    for (const strides of [[1, 1], [2, 2]])
      cs.push(randomConv(seed++, { n: 1, cin: 3, cout: 5, in: [8, 7], k: [4, 3], autoPad, strides }));
  // Pixel-major tiles (small planes whose width is a multiple of 7, on kernels with >= 7 rows):
  // 3x3 padded and 1x1 in place, couts past a 32-channel panel, groups, batch 2, an activation.
  for (const [cin, cout, hw, k] of [[20, 40, 7, 3], [9, 70, 14, 1], [33, 16, 7, 1], [6, 48, 14, 3]])
    cs.push(randomConv(seed++, { n: 2, cin, cout, in: [hw, hw], k: [k, k], pads: Array(4).fill(k >> 1) }));
  cs.push(randomConv(seed++, { n: 1, cin: 8, cout: 64, group: 2, in: [7, 14], k: [3, 3], pads: [1, 1, 1, 1], dilations: [1, 2] }));
  cs.push(randomConv(seed++, { n: 1, cin: 12, cout: 36, in: [7, 7], k: [3, 3], pads: [1, 1, 1, 1], activation: 'HardSwish' }));
  // 1-D.
  cs.push(randomConv(seed++, { n: 2, cin: 3, cout: 5, in: [17], k: [3], pads: [2, 1], strides: [2] }));
  cs.push(randomConv(seed++, { n: 1, cin: 4, cout: 4, in: [9], k: [5], group: 4, dilations: [2], autoPad: 'SAME_UPPER' }));
  // Depthwise: 3x3 and 5x5, stride 1 and 2, channel multiplier 1 and 2, odd widths.
  for (const k of [3, 5])
    for (const s of [1, 2])
      for (const [c, mult] of [[8, 1], [3, 2]])
        cs.push(randomConv(seed++, { n: 2, cin: c, cout: c * mult, group: c, in: [13, 19], k: [k, k], strides: [s, s], pads: Array(4).fill(k >> 1) }));
  cs.push(randomConv(seed++, { n: 1, cin: 4, cout: 4, group: 4, in: [3, 2], k: [3, 3], strides: [1, 3], dilations: [2, 1], pads: [2, 0, 1, 3] }));
  // Fused activations on both paths.
  for (const [i, [activation, activationParams]] of acts.entries()) {
    cs.push(randomConv(seed++, { n: 1, cin: 5, cout: 14, in: [6, 7], k: [3, 3], pads: [1, 1, 1, 1], activation, activationParams }));
    cs.push(randomConv(seed++, { n: 1, cin: 6, cout: 6, group: 6, in: [7, 9], k: [3, 3], strides: [i % 2 + 1, 1], activation, activationParams }));
  }
  return cs;
}

function convTransposeCases(): Case[] {
  const cs: Case[] = [];
  const add = (seed: number, xShape: number[], wShape: number[], o: Partial<ConvTransposeArgs>) => {
    const r = rng(seed);
    const a: ConvTransposeArgs = { ...o, x: randArray(r, size(xShape)), xShape, w: randArray(r, size(wShape)), wShape, b: seed % 2 ? randArray(r, wShape[1] * (o.group ?? 1)) : undefined };
    const ref = convTransposeReference(a);
    const attrs: Record<string, any> = { group: o.group ?? 1 };
    if (o.strides) attrs.strides = o.strides;
    if (o.dilations) attrs.dilations = o.dilations;
    if (o.pads) attrs.pads = o.pads;
    if (o.outputPadding) attrs.output_padding = o.outputPadding;
    if (o.outputShape) attrs.output_shape = o.outputShape;
    if (o.autoPad) attrs.auto_pad = o.autoPad;
    const { plan, inputs } = onePlan('ConvTranspose', [runtime(xShape, a.x), [wShape, a.w], a.b ? [[ref.shape[1]], a.b] : null], ref.shape, attrs);
    cs.push({ name: `ConvTranspose ${JSON.stringify({ xShape, wShape, ...o })}`, plan, inputs, ref });
  };
  add(1, [1, 1, 3, 3], [1, 2, 3, 3], {});
  add(2, [2, 4, 5, 4], [4, 3, 3, 2], { strides: [2, 3], pads: [1, 0, 0, 1], outputPadding: [1, 0] });
  add(3, [1, 4, 4, 4], [4, 1, 3, 3], { group: 2, dilations: [2, 1], strides: [2, 2] });
  add(4, [1, 2, 5], [2, 3, 4], { strides: [3], pads: [1, 2] });
  add(5, [1, 3, 4, 3], [3, 2, 3, 3], { strides: [2, 2], autoPad: 'SAME_UPPER' });
  add(6, [1, 3, 4, 3], [3, 2, 3, 3], { strides: [2, 2], outputShape: [9, 6] });
  add(7, [1, 2, 3, 3], [2, 2, 3, 3], { strides: [3, 2], outputShape: [10, 8] });
  return cs;
}

function poolCases(): Case[] {
  const cs: Case[] = [];
  let seed = 300;
  const add = (xShape: number[], o: Omit<PoolArgs, 'x' | 'xShape'>) => {
    const r = rng(seed++);
    const a: PoolArgs = { ...o, x: randArray(r, size(xShape)), xShape };
    const ref = poolReference(a);
    const attrs: Record<string, any> = { ...windowAttrs(o), kernel_shape: o.kernel };
    if (o.kind === 'average' && o.countIncludePad !== undefined) attrs.count_include_pad = o.countIncludePad ? 1 : 0;
    const { plan, inputs } = onePlan(o.kind === 'max' ? 'MaxPool' : 'AveragePool', [runtime(xShape, a.x)], ref.shape, attrs);
    cs.push({ name: `${o.kind} pool ${JSON.stringify({ xShape, ...o })}`, plan, inputs, ref });
  };
  for (const kind of ['max', 'average'] as const) {
    add([1, 3, 7, 8], { kind, kernel: [2, 2], strides: [2, 2] });
    add([2, 2, 7, 8], { kind, kernel: [3, 3], strides: [2, 2], ceilMode: true });
    add([1, 2, 5, 5], { kind, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true });
    add([1, 2, 6, 7], { kind, kernel: [3, 2], pads: [1, 0, 2, 1], countIncludePad: true });
    add([1, 2, 6, 7], { kind, kernel: [3, 2], pads: [1, 0, 2, 1] });
    add([1, 1, 9, 9], { kind, kernel: [3, 3], dilations: [2, 2], strides: [1, 2] });
    add([1, 3, 7, 5], { kind, kernel: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' });
    add([1, 3, 7, 5], { kind, kernel: [2, 2], autoPad: 'SAME_LOWER', countIncludePad: kind === 'average' });
    add([2, 3, 11], { kind, kernel: [3], strides: [2], pads: [1, 1] });
    add([1, 1, 1, 1], { kind, kernel: [1, 1] });
  }
  for (const kind of ['GlobalAveragePool', 'GlobalMaxPool'])
    for (const xShape of [[2, 3, 5, 7], [1, 4, 9], [1, 1, 1, 1]]) {
      const r = rng(seed++), x = randArray(r, size(xShape)), planes = xShape[0] * xShape[1], n = size(xShape.slice(2));
      const value = new Float64Array(planes), bound = new Float64Array(planes);
      for (let p = 0; p < planes; p++) {
        const v = Array.from(x.subarray(p * n, (p + 1) * n));
        value[p] = kind === 'GlobalMaxPool' ? Math.max(...v) : v.reduce((s, t) => s + t, 0) / n;
        bound[p] = kind === 'GlobalMaxPool' ? 0 : 4 * 2 ** -24 * v.reduce((s, t) => s + Math.abs(t), 0) / n;
      }
      const shape = [xShape[0], xShape[1], ...xShape.slice(2).map(() => 1)];
      const { plan, inputs } = onePlan(kind, [runtime(xShape, x)], shape, {});
      cs.push({ name: `${kind} ${xShape}`, plan, inputs, ref: { value, bound, shape } });
    }
  return cs;
}

function matmulCases(): Case[] {
  const cs: Case[] = [];
  let seed = 500;
  for (const [aShape, bShape] of [
    [[5, 7], [7, 9]], [[13, 40], [40, 33]], [[7], [7, 5]], [[4, 7], [7]], [[6], [6]], [[2, 3, 5, 4], [4, 6]],
    [[3, 5, 4], [1, 4, 6]], [[2, 1, 3, 4], [3, 4, 2]], [[1, 70], [70, 65]], [[0, 4], [4, 3]], [[3, 0], [0, 5]], [[2, 3, 4], [4]],
  ])
    for (const constant of [true, false]) {
      const r = rng(seed++), a = randArray(r, size(aShape)), b = randArray(r, size(bShape));
      const ref = matmulReference(a, aShape, b, bShape);
      const { plan, inputs } = onePlan('MatMul', [runtime(aShape, a), constant ? [bShape, b] : runtime(bShape, b)], ref.shape, {});
      cs.push({ name: `MatMul ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} ${constant ? 'constant' : 'run-time'} B`, plan, inputs, ref });
    }
  for (const [m, k, n, tA, tB, alpha, beta, cShape, cConst] of [
    [3, 5, 4, 0, 0, 1, 1, [4], true], [3, 5, 4, 1, 0, 1, 1, null, true], [3, 5, 4, 0, 1, 0.5, 1, [1, 4], true],
    [7, 6, 33, 1, 1, 0.25, 0.35, [7, 33], true], [3, 5, 4, 0, 0, 1, 2, [], true], [3, 5, 4, 0, 0, 1, 1, [1], true],
    [3, 5, 4, 0, 0, 1, -1, [3, 1], true], [13, 8, 20, 0, 0, 1, 0.5, [13, 20], false], [1, 8, 5, 0, 1, 2, 3, [1, 5], false],
  ] as [number, number, number, number, number, number, number, number[] | null, boolean][]) {
    const r = rng(seed++), aShape = tA ? [k, m] : [m, k], bShape = tB ? [n, k] : [k, n];
    const a = randArray(r, m * k), b = randArray(r, k * n), c = cShape ? randArray(r, size(cShape)) : null;
    const ref = gemmOnnxReference(a, aShape, b, bShape, c, cShape ?? [], { transA: tA, transB: tB, alpha, beta });
    const cIn = c ? (cConst ? [cShape!, c] as [number[], Float32Array] : runtime(cShape!, c)) : null;
    const { plan, inputs } = onePlan('Gemm', [runtime(aShape, a), [bShape, b], cIn], ref.shape, { transA: tA, transB: tB, alpha, beta });
    cs.push({ name: `Gemm ${JSON.stringify({ m, k, n, tA, tB, alpha, beta, cShape, cConst })}`, plan, inputs, ref });
  }
  return cs;
}

const groups: [string, Case[]][] = [['Conv', convCases()], ['ConvTranspose', convTransposeCases()], ['pools', poolCases()], ['MatMul and Gemm', matmulCases()]];

function check(c: Case, y: Float32Array) {
  expect(y.length, `${c.name}: output length`).toBe(c.ref.value.length);
  for (let j = 0; j < y.length; j++) {
    const err = Math.abs(y[j] - c.ref.value[j]);
    if (!(err <= c.ref.bound[j])) expect.fail(`${c.name} element ${j}: ${y[j]} vs ${c.ref.value[j]} (error ${err} > ${c.ref.bound[j]})`);
  }
}

describe.each(targets)('$backend $isa.isa', ({ backend, isa }) => {
  const why = isa.available ? '' : ` (skipped: ${isa.reason})`;
  for (const [group, cases] of groups)
    it.skipIf(!isa.available)(`${group} is within the stated bound of the float64 reference on ${cases.length} cases${why}`, async () => {
      for (const c of cases) {
        const s = await PlanSession.create(c.plan, { backend, isa: isa.isa });
        const y = (await s.run(c.inputs))[0] as Float32Array;
        s.release();
        check(c, y);
      }
    });
});

describe('native threads', () => {
  it('give exactly the single-thread results', async () => {
    const cases = [
      randomConv(900, { n: 2, cin: 16, cout: 40, in: [20, 22], k: [3, 3], pads: [1, 1, 1, 1], activation: 'HardSwish' }),
      randomConv(901, { n: 1, cin: 24, cout: 24, group: 24, in: [30, 30], k: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
      // One pixel panel: the output channels are split over the threads instead.
      randomConv(902, { n: 1, cin: 32, cout: 50, in: [5, 5], k: [3, 3], pads: [1, 1, 1, 1], activation: 'LeakyRelu', activationParams: [0.2] }),
      ...matmulCases().filter((c) => c.name.includes('[13,40]')),
      ...poolCases().slice(0, 3),
      ...convTransposeCases().slice(1, 2),
    ];
    for (const c of cases) {
      const one = await PlanSession.create(c.plan, { backend: 'native', threads: 1 });
      const two = await PlanSession.create(c.plan, { backend: 'native', threads: 2 });
      const [y1] = await one.run(c.inputs);
      const [y2] = await two.run(c.inputs);
      one.release(); two.release();
      expect(y2, c.name).toEqual(y1);
      check(c, y2 as Float32Array);
    }
  });
});

describe('bad plans', () => {
  const conv = randomConv(1, { n: 1, cin: 4, cout: 6, in: [5, 5], k: [3, 3], pads: [1, 1, 1, 1], b: new Float32Array(6).fill(0.25) });
  const variant = (base: Case, change: (p: any) => void): Plan => {
    const p = { ...base.plan, values: base.plan.values.map((v) => ({ ...v })), ops: base.plan.ops.map((o) => ({ ...o, inputs: [...o.inputs], outputs: [...o.outputs], attrs: { ...o.attrs } })) } as any;
    change(p);
    return p;
  };
  const mm = matmulCases()[0];
  const pool = poolCases()[0];
  const cases: [string, Plan, RegExp][] = [
    ['Conv: weights not constant', variant(conv, (p) => { delete p.values[1].data; p.inputs = [0, 1]; }), /Conv.*expected W to be a constant/],
    ['Conv: wrong output shape', variant(conv, (p) => (p.values[3].shape = [1, 6, 4, 5])), /Conv.*expected Y of dtype float32 and shape \[1, 6, 5, 5\] but received float32 \[1, 6, 4, 5\]/],
    ['Conv: group not dividing', variant(conv, (p) => (p.ops[0].attrs.group = 3)), /Conv.*expected attribute group >= 1 dividing/],
    ['Conv: unknown activation', variant(conv, (p) => (p.ops[0].attrs.activation = 'Gelu')), /Conv.*expected attribute activation Relu, Clip.*but received Gelu/],
    ['Conv: Clip without params', variant(conv, (p) => (p.ops[0].attrs.activation = 'Clip')), /Conv.*activation_params \[min, max\] for activation Clip but received 0 values/],
    ['Conv: bad auto_pad', variant(conv, (p) => (p.ops[0].attrs.auto_pad = 'SAME')), /Conv.*auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID but received SAME/],
    ['Conv: zero stride', variant(conv, (p) => (p.ops[0].attrs.strides = [0, 1])), /Conv.*strides >= 1/],
    ['Conv: pads of the wrong length', variant(conv, (p) => (p.ops[0].attrs.pads = [1, 1])), /Conv.*pads with 4 values but received \[1, 1\]/],
    ['Conv: kernel_shape disagreeing', variant(conv, (p) => (p.ops[0].attrs.kernel_shape = [2, 2])), /Conv.*kernel_shape \[3, 3\].*but received \[2, 2\]/],
    ['Conv: 3-D', variant(conv, (p) => { p.values[0].shape = [1, 4, 5, 5, 5]; }), /Conv.*expected X of dtype float32 and rank 3 to 4 but received float32 of rank 5/],
    ['Conv: bias of the wrong length', variant(conv, (p) => { p.values[2] = { dtype: 'float32', shape: [5], data: new Float32Array(5) }; p.ops[0].inputs[2] = 2; }), /Conv.*expected B of length 6 but received 5/],
    ['Conv: kernel larger than the input', variant(conv, (p) => { p.ops[0].attrs.pads = [0, 0, 0, 0]; p.values[0].shape = [1, 4, 2, 5]; }), /Conv.*padded input 2 to be at least the dilated kernel 3/],
    ['MatMul: K disagreeing', variant(mm, (p) => (p.values[1].shape = [6, 9]) && (p.values[1].data = new Float32Array(54))), /MatMul.*expected B with 7 rows/],
    ['MatMul: batch not broadcastable', variant(mm, (p) => { p.values[0].shape = [2, 5, 7]; p.values[1].shape = [3, 7, 9]; p.values[1].data = new Float32Array(189); p.values[2].shape = [2, 5, 9]; }), /MatMul.*broadcastable batch dimensions/],
    ['MaxPool: Indices output', variant(pool, (p) => { p.values.push({ dtype: 'int64', shape: [1, 3, 3, 4] }); p.ops[0].outputs.push(2); }), /MaxPool.*Indices output of MaxPool is not supported/],
    ['MaxPool: no kernel_shape', variant(pool, (p) => delete p.ops[0].attrs.kernel_shape), /MaxPool.*kernel_shape with 2 positive sizes but received none/],
    ['MaxPool: unknown attribute', variant(pool, (p) => (p.ops[0].attrs.count_include_pad = 1)), /MaxPool.*unknown attribute count_include_pad/],
    ['Gemm: C not broadcastable', variant(matmulCases().find((c) => c.name.startsWith('Gemm'))!, (p) => { p.values[2] = { dtype: 'float32', shape: [2, 4], data: new Float32Array(8) }; }), /Gemm.*C\) of dtype float32 broadcastable to \[3, 4\] but received float32 \[2, 4\]/],
    ['Gemm: transA 2', variant(matmulCases().find((c) => c.name.startsWith('Gemm'))!, (p) => (p.ops[0].attrs.transA = 2)), /Gemm.*transA and transB to be 0 or 1/],
  ];
  for (const { backend } of targets.filter((t, i, all) => all.findIndex((u) => u.backend === t.backend) === i))
    it.each(cases)(`${backend}: %s`, async (_, plan, message) => {
      const err = await PlanSession.create(plan, { backend }).then(() => null, (e) => e);
      expect(err).toBeInstanceOf(InvalidPlanError);
      expect(err.message).toMatch(message);
    });
});

// ONNX's own conformance data: every float32 case of the family (3-D and MaxPool's Indices output
// must be refused with InvalidPlanError instead).
const onnxNames = listCases(/^test_(basic_conv|conv_|convtranspose|averagepool|maxpool|globalaveragepool|globalmaxpool|gemm|matmul_)/);
describe.skipIf(onnxNames.length === 0)('ONNX conformance cases (libonnx-testdata)', () => {
  const cases = onnxNames.map((n) => loadCase(n)).filter((c) => c !== null);
  const refused = (c: OnnxCase) => /(pool|conv\w*)_3d|with_argmax/.test(c.name);
  for (const { backend, isa } of targets.filter((t) => t.isa.available))
    it(`${backend} ${isa.isa}: ${cases.length} cases match within 1e-4 relative + 1e-5 absolute`, async () => {
      for (const c of cases) {
        const made = await PlanSession.create(c.plan, { backend, isa: isa.isa }).then((s) => s, (e) => e as Error);
        if (refused(c)) {
          expect(made, c.name).toBeInstanceOf(InvalidPlanError);
          continue;
        }
        if (made instanceof Error) expect.fail(`${c.name}: ${made.message}`);
        const y = (await made.run(c.inputs))[0] as Float32Array;
        made.release();
        const e = c.expected[0].data;
        expect(y.length, c.name).toBe(e.length);
        for (let j = 0; j < y.length; j++)
          if (!(Math.abs(y[j] - e[j]) <= 1e-4 * Math.abs(e[j]) + 1e-5)) expect.fail(`${c.name} element ${j}: ${y[j]} vs ${e[j]}`);
      }
    });
  it('MatMul cases also match with B fed at run time', async () => {
    for (const n of onnxNames.filter((x) => x.startsWith('test_matmul_'))) {
      const c = loadCase(n, [0, 1])!;
      const s = await PlanSession.create(c.plan, { backend: 'native' });
      const y = (await s.run(c.inputs))[0] as Float32Array;
      s.release();
      for (let j = 0; j < y.length; j++) expect(Math.abs(y[j] - c.expected[0].data[j]), n).toBeLessThanOrEqual(1e-4 * Math.abs(c.expected[0].data[j]) + 1e-5);
    }
  });
});

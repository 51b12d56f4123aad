// Layout ops (data movement) on every backend and ISA against the independent oracles of
// support/layout-reference.ts: bit for bit for every dtype (Resize linear within a stated float32
// bound), on randomized shapes with size-1 and empty dims; threads 1 vs 2 identical; bad plans
// rejected with InvalidPlanError naming the op and the rule; out-of-range Gather indices rejected
// at run time without reading out of bounds.
import { describe, expect, it } from 'vitest';
import { DTYPES, InvalidArgumentError, InvalidPlanError, PlanSession, type AttrValue, type DType, type Plan, type PlanTypedArray } from '../src';
import { backendIsas, firstDifference } from './support/backends';
import { rng } from './support/random';
import * as ref from './support/layout-reference';
import type { Tensor } from './support/layout-reference';

const targets = (await backendIsas()).filter((t) => t.isa.available);
const DT: DType[] = ['float32', 'uint8', 'int8', 'int32', 'int64', 'bool'];

interface In { t: Tensor; constant?: boolean }
interface Case {
  name: string;
  op: string;
  attrs?: Record<string, AttrValue>;
  inputs: (In | null)[];
  expected: Tensor[];
  /** Absolute error allowed per element (float ops only); exact otherwise. */
  tol?: number;
}

function typed(t: Tensor): PlanTypedArray {
  const A = DTYPES[t.dtype].array;
  const a = new A(t.data.length);
  t.data.forEach((v, i) => ((a as unknown as (number | bigint)[])[i] = t.dtype === 'int64' ? BigInt(v) : v));
  return a;
}

const i64 = (data: number[]): In => ({ t: { dtype: 'int64', shape: [data.length], data }, constant: true });
const i32 = (data: number[]): In => ({ t: { dtype: 'int32', shape: [data.length], data }, constant: true });
const f32c = (data: number[]): In => ({ t: { dtype: 'float32', shape: [data.length], data }, constant: true });

function planOf(c: Case): { plan: Plan; feeds: PlanTypedArray[] } {
  const values: Plan['values'][number][] = [];
  const inputs: number[] = [];
  const feeds: PlanTypedArray[] = [];
  const ids = c.inputs.map((x) => {
    if (!x) return null;
    const id = values.length;
    values.push({ dtype: x.t.dtype, shape: x.t.shape, ...(x.constant ? { data: typed(x.t) } : {}) });
    if (!x.constant) inputs.push(id), feeds.push(typed(x.t));
    return id;
  });
  const outputs = c.expected.map((e) => (values.push({ dtype: e.dtype, shape: e.shape }), values.length - 1));
  return { plan: { values, ops: [{ op: c.op, inputs: ids, outputs, attrs: c.attrs }], inputs, outputs }, feeds };
}

function compare(c: Case, got: PlanTypedArray[], where: string) {
  c.expected.forEach((e, o) => {
    const y = Array.from(got[o] as ArrayLike<number | bigint>, Number);
    expect(y.length, `${c.name} output ${o} length ${where}`).toBe(e.data.length);
    for (let i = 0; i < y.length; i++) {
      const ok = c.tol === undefined ? Object.is(y[i], e.data[i]) : Math.abs(y[i] - e.data[i]) <= c.tol;
      if (!ok) expect.fail(`${c.name} ${where}: output ${o} element ${i} is ${y[i]}, expected ${e.data[i]}`);
    }
  });
}

async function runCase(c: Case, backend: string, isa: string | undefined, threads = 1) {
  const { plan, feeds } = planOf(c);
  const s = await PlanSession.create(plan, { backend, isa, ...(backend === 'native' ? { threads } : {}) });
  try {
    return await s.run(feeds);
  } finally {
    s.release();
  }
}

// ---- random data ------------------------------------------------------------------------------

type R = ReturnType<typeof rng>;

function randomData(r: R, dtype: DType, n: number): number[] {
  return Array.from({ length: n }, () => {
    switch (dtype) {
      case 'float32': return Math.fround(r.float(-100, 100));
      case 'uint8': return r.int(0, 255);
      case 'int8': return r.int(-128, 127);
      case 'int32': return r.int(-2e9, 2e9);
      case 'int64': return r.int(-1e15, 1e15);
      case 'bool': return r.int(0, 1);
    }
  });
}

function tensor(r: R, dtype: DType, shape: number[]): Tensor {
  return { dtype, shape, data: randomData(r, dtype, ref.size(shape)) };
}

/** Dims 1..maxDim, often 1, sometimes 0 when empty is allowed. */
function shapeOf(r: R, rank: number, maxDim: number, empty = false): number[] {
  return Array.from({ length: rank }, () => (empty && r.next() < 0.08 ? 0 : r.next() < 0.25 ? 1 : r.int(1, maxDim)));
}

function permutation(r: R, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(0, i);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

// ---- cases ------------------------------------------------------------------------------------

function transposeCases(): Case[] {
  const r = rng(11);
  const cases: Case[] = [];
  for (let i = 0; i < 40; i++) {
    const rank = r.int(1, 5);
    const x = tensor(r, r.pick(DT), shapeOf(r, rank, rank > 3 ? 7 : 40, true));
    const perm = permutation(r, rank);
    cases.push({ name: `Transpose ${x.dtype} [${x.shape}] perm [${perm}]`, op: 'Transpose', attrs: { perm }, inputs: [{ t: x }], expected: [ref.transpose(x, perm)] });
  }
  const fixed: [number[], number[] | undefined][] = [
    [[67, 131], undefined], [[130, 9], [1, 0]], [[1, 3, 37, 29], [0, 2, 3, 1]], [[2, 29, 37, 3], [0, 3, 1, 2]],
    [[2, 33, 17, 19], [0, 2, 3, 1]], [[5, 64, 64], [0, 2, 1]], [[3, 4, 5, 6, 7], [4, 2, 0, 3, 1]],
  ];
  for (const [shape, perm] of fixed)
    for (const dtype of ['float32', 'uint8', 'int64'] as DType[]) {
      const x = tensor(r, dtype, shape);
      cases.push({ name: `Transpose ${dtype} [${shape}] perm ${perm ?? 'default'}`, op: 'Transpose', attrs: perm ? { perm } : {}, inputs: [{ t: x }], expected: [ref.transpose(x, perm)] });
    }
  return cases;
}

function concatSplitCases(): Case[] {
  const r = rng(22);
  const cases: Case[] = [];
  for (let i = 0; i < 30; i++) {
    const rank = r.int(1, 4);
    const dtype = r.pick(DT);
    const base = shapeOf(r, rank, 9);
    const axis = r.int(-rank, rank - 1);
    const a = axis < 0 ? axis + rank : axis;
    const xs = Array.from({ length: r.int(1, 4) }, () => tensor(r, dtype, base.map((d, k) => (k === a ? r.int(0, 6) : d))));
    cases.push({
      name: `Concat ${dtype} axis ${axis} of ${xs.map((x) => `[${x.shape}]`).join(' ')}`, op: 'Concat', attrs: { axis },
      inputs: xs.map((t) => ({ t, constant: r.next() < 0.3 })), expected: [ref.concat(xs, axis)],
    });
    const whole = ref.concat(xs, axis);
    const sizes = xs.map((x) => x.shape[a]);
    const form = r.int(0, 2);
    cases.push({
      name: `Split ${dtype} [${whole.shape}] axis ${axis} into [${sizes}] (${['input', 'attribute', 'input int32'][form]})`, op: 'Split',
      attrs: form === 1 ? { axis, split: sizes } : { axis },
      inputs: form === 1 ? [{ t: whole }] : [{ t: whole }, form === 0 ? i64(sizes) : i32(sizes)],
      expected: ref.split(whole, axis, sizes),
    });
  }
  const x = tensor(r, 'float32', [4, 7, 3]);
  cases.push({ name: 'Split equal parts', op: 'Split', attrs: { axis: 0 }, inputs: [{ t: x }], expected: ref.split(x, 0, [2, 2]) });
  cases.push({ name: 'Split num_outputs 3 of 7', op: 'Split', attrs: { axis: 1, num_outputs: 3 }, inputs: [{ t: x }], expected: ref.split(x, 1, [3, 3, 1]) });
  cases.push({ name: 'Split zero-size parts', op: 'Split', attrs: { axis: -1 }, inputs: [{ t: x }, i64([0, 3, 0])], expected: ref.split(x, -1, [0, 3, 0]) });
  return cases;
}

function sliceCases(): Case[] {
  const r = rng(33);
  const cases: Case[] = [];
  const big = 2 ** 40;
  for (let i = 0; i < 50; i++) {
    const rank = r.int(1, 4);
    const x = tensor(r, r.pick(DT), shapeOf(r, rank, 12, true));
    const k = r.int(1, rank);
    const axes = permutation(r, rank).slice(0, k).map((a) => (r.next() < 0.3 ? a - rank : a));
    const steps = axes.map(() => (r.next() < 0.3 ? -r.int(1, 3) : r.int(1, 3)));
    const pt = () => r.pick([r.int(-15, 15), r.int(-15, 15), big, -big]);
    const starts = axes.map(pt), ends = axes.map(pt);
    const useAxes = r.next() < 0.8 || axes.some((a, j) => a !== j);
    const useSteps = r.next() < 0.8 || steps.some((s) => s !== 1);
    const inputs: (In | null)[] = [{ t: x }, i64(starts), i64(ends), useAxes ? i64(axes) : null];
    if (useSteps) inputs.push(i64(steps));
    cases.push({
      name: `Slice ${x.dtype} [${x.shape}] starts [${starts}] ends [${ends}] axes [${axes}] steps [${steps}]`, op: 'Slice', inputs,
      expected: [ref.slice(x, starts, ends, useAxes ? axes : undefined, useSteps ? steps : undefined)],
    });
  }
  const x = tensor(r, 'float32', [20, 10, 5]);
  cases.push({ name: 'Slice opset 1 attributes', op: 'Slice', attrs: { starts: [0, 2], ends: [3, -1], axes: [0, 1] }, inputs: [{ t: x }], expected: [ref.slice(x, [0, 2], [3, -1], [0, 1])] });
  cases.push({ name: 'Slice int32 starts', op: 'Slice', inputs: [{ t: x }, i32([1]), i32([1000]), i32([1]), i32([2])], expected: [ref.slice(x, [1], [1000], [1], [2])] });
  return cases;
}

function reshapeCases(): Case[] {
  const r = rng(44);
  const cases: Case[] = [];
  for (const dtype of DT) {
    const x = tensor(r, dtype, [2, 3, 1, 4]);
    cases.push({ name: `Reshape ${dtype} 0 and -1`, op: 'Reshape', inputs: [{ t: x }, i64([0, -1, 2])], expected: [{ ...x, shape: ref.reshapeShape(x.shape, [0, -1, 2]) }] });
    cases.push({ name: `Identity ${dtype}`, op: 'Identity', inputs: [{ t: x }], expected: [x] });
    cases.push({ name: `Flatten ${dtype} axis -2`, op: 'Flatten', attrs: { axis: -2 }, inputs: [{ t: x }], expected: [{ ...x, shape: [6, 4] }] });
    cases.push({ name: `Flatten ${dtype} axis 0`, op: 'Flatten', attrs: { axis: 0 }, inputs: [{ t: x }], expected: [{ ...x, shape: [1, 24] }] });
    cases.push({ name: `Squeeze ${dtype} input axes`, op: 'Squeeze', inputs: [{ t: x }, i64([-2])], expected: [{ ...x, shape: [2, 3, 4] }] });
    cases.push({ name: `Squeeze ${dtype} all`, op: 'Squeeze', inputs: [{ t: x }], expected: [{ ...x, shape: [2, 3, 4] }] });
    cases.push({ name: `Unsqueeze ${dtype} attribute`, op: 'Unsqueeze', attrs: { axes: [0, -1] }, inputs: [{ t: x }], expected: [{ ...x, shape: [1, 2, 3, 1, 4, 1] }] });
    cases.push({ name: `Unsqueeze ${dtype} input`, op: 'Unsqueeze', inputs: [{ t: x }, i64([1, 3])], expected: [{ ...x, shape: [2, 1, 3, 1, 1, 4] }] });
  }
  const e = tensor(r, 'float32', [0, 3]);
  cases.push({ name: 'Reshape empty allowzero', op: 'Reshape', attrs: { allowzero: 1 }, inputs: [{ t: e }, i64([3, 0])], expected: [{ ...e, shape: [3, 0] }] });
  const big = tensor(r, 'float32', [64, 1000]);
  cases.push({ name: 'Reshape large', op: 'Reshape', inputs: [{ t: big }, i64([-1])], expected: [{ ...big, shape: [64000] }] });
  const c = tensor(r, 'int32', [3, 2]);
  cases.push({ name: 'Identity of a constant', op: 'Identity', inputs: [{ t: c, constant: true }], expected: [c] });
  return cases;
}

function expandTileGatherCases(): Case[] {
  const r = rng(55);
  const cases: Case[] = [];
  for (let i = 0; i < 25; i++) {
    const rank = r.int(0, 4);
    const dtype = r.pick(DT);
    const x = tensor(r, dtype, shapeOf(r, rank, 5));
    const extra = r.int(0, 2);
    const shape = [...shapeOf(r, extra, 4), ...x.shape.map((d) => (d === 1 && r.next() < 0.7 ? r.int(0, 6) : r.next() < 0.3 ? 1 : d))];
    cases.push({ name: `Expand ${dtype} [${x.shape}] to [${shape}]`, op: 'Expand', inputs: [{ t: x }, i64(shape)], expected: [ref.expand(x, shape)] });
    if (rank > 0) {
      const repeats = x.shape.map(() => r.int(0, 3));
      cases.push({ name: `Tile ${dtype} [${x.shape}] by [${repeats}]`, op: 'Tile', inputs: [{ t: x }, i64(repeats)], expected: [ref.tile(x, repeats)] });
      const axis = r.int(-rank, rank - 1);
      const n = x.shape[axis < 0 ? axis + rank : axis];
      const ishape = shapeOf(r, r.int(0, 2), 4, true);
      const wide = r.next() < 0.5;
      const indices: Tensor = { dtype: wide ? 'int64' : 'int32', shape: ishape, data: Array.from({ length: ref.size(ishape) }, () => r.int(-n, n - 1)) };
      cases.push({
        name: `Gather ${dtype} [${x.shape}] axis ${axis} ${indices.dtype} [${ishape}]`, op: 'Gather', attrs: { axis },
        inputs: [{ t: x, constant: r.next() < 0.3 }, { t: indices, constant: r.next() < 0.2 }], expected: [ref.gather(x, indices, axis)],
      });
    }
  }
  // BERT-style embedding lookup: constant table, token ids at run time.
  const table = tensor(r, 'float32', [500, 64]);
  const ids: Tensor = { dtype: 'int64', shape: [2, 17], data: Array.from({ length: 34 }, () => r.int(0, 499)) };
  cases.push({ name: 'Gather embedding rows', op: 'Gather', inputs: [{ t: table, constant: true }, { t: ids }], expected: [ref.gather(table, ids, 0)] });
  return cases;
}

function padCases(): Case[] {
  const r = rng(66);
  const cases: Case[] = [];
  for (let i = 0; i < 40; i++) {
    const rank = r.int(1, 4);
    const dtype = r.pick(DT);
    const mode = r.pick(['constant', 'edge', 'reflect'] as const);
    const x = tensor(r, dtype, shapeOf(r, rank, 7).map((d) => (mode === 'reflect' ? Math.max(d, 2) : d)));
    const useAxes = r.next() < 0.3;
    const axes = useAxes ? permutation(r, rank).slice(0, r.int(1, rank)) : x.shape.map((_, k) => k);
    const pads = [...axes, ...axes].map((a) => {
      const n = x.shape[a];
      return mode === 'constant' ? r.int(-Math.floor(n / 2), 4) : r.int(0, mode === 'reflect' && r.next() < 0.5 ? 2 * n : 3);
    });
    const value = randomData(r, dtype, 1)[0];
    const inputs: (In | null)[] = [{ t: x }, i64(pads)];
    if (mode === 'constant' || useAxes) inputs.push(mode === 'constant' ? { t: { dtype, shape: [], data: [value] }, constant: true } : null);
    if (useAxes) inputs.push(i64(axes));
    cases.push({
      name: `Pad ${mode} ${dtype} [${x.shape}] pads [${pads}] axes [${axes}]`, op: 'Pad', attrs: { mode }, inputs,
      expected: [ref.pad(x, pads, mode, mode === 'constant' ? value : 0, axes)],
    });
  }
  const x = tensor(r, 'float32', [1, 8, 30, 30]);
  cases.push({ name: 'Pad opset 2 attributes', op: 'Pad', attrs: { pads: [0, 0, 1, 1, 0, 0, 1, 1], value: 1.5 }, inputs: [{ t: x }], expected: [ref.pad(x, [0, 0, 1, 1, 0, 0, 1, 1], 'constant', 1.5)] });
  cases.push({ name: 'Pad default zero', op: 'Pad', inputs: [{ t: x }, i64([0, 0, 3, 2, 0, 0, 1, 4])], expected: [ref.pad(x, [0, 0, 3, 2, 0, 0, 1, 4], 'constant', 0)] });
  return cases;
}

function resizeCases(): Case[] {
  const r = rng(77);
  const cases: Case[] = [];
  const coords: ref.Coord[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
  const rounds: ref.Round[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
  for (let i = 0; i < 40; i++) {
    const linear = r.next() < 0.5;
    const dtype: DType = linear ? 'float32' : r.pick(DT);
    const x = tensor(r, dtype, [r.int(1, 2), r.int(1, 3), r.int(1, 9), r.int(1, 9)]);
    const mode = r.pick(linear ? coords.slice(0, 4) : coords);
    const round = r.pick(rounds);
    const bySizes = r.next() < 0.5;
    const spatial = () => r.pick([0.5, 2, 3, 1.5, 0.75, 1, 2.5, 0.3]);
    const scales = bySizes ? undefined : [1, 1, spatial(), spatial()];
    const sizes = bySizes ? [x.shape[0], x.shape[1], r.int(1, 20), r.int(1, 20)] : undefined;
    const expected = linear ? ref.resizeLinear(x, scales, sizes, mode) : ref.resizeNearest(x, scales, sizes, mode, round);
    if (ref.size(expected.shape) === 0) continue;
    const emptyScales: In = { t: { dtype: 'float32', shape: [0], data: [] }, constant: true };
    cases.push({
      name: `Resize ${linear ? 'linear' : `nearest ${round}`} ${mode} ${dtype} [${x.shape}] ${bySizes ? `sizes [${sizes}]` : `scales [${scales}]`}`,
      op: 'Resize',
      attrs: { mode: linear ? 'linear' : 'nearest', coordinate_transformation_mode: mode, ...(linear ? {} : { nearest_mode: round }) },
      inputs: bySizes ? [{ t: x }, null, r.next() < 0.5 ? emptyScales : null, i64(sizes!)] : [{ t: x }, null, f32c(scales!)],
      expected: [expected],
      // float32 interpolation of values within +-100: a few ulps of 100.
      tol: linear ? 1e-4 : undefined,
    });
  }
  const x = tensor(r, 'float32', [1, 2, 4, 4]);
  cases.push({ name: 'Resize opset 10 (X, scales)', op: 'Resize', attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, inputs: [{ t: x }, f32c([1, 1, 2, 2])], expected: [ref.resizeNearest(x, [1, 1, 2, 2], undefined, 'asymmetric', 'floor')] });
  return cases;
}

function shapeCases(): Case[] {
  const x: Tensor = { dtype: 'uint8', shape: [2, 3, 5], data: Array(30).fill(1) };
  return [
    { name: 'Shape', op: 'Shape', inputs: [{ t: x }], expected: [{ dtype: 'int64', shape: [3], data: [2, 3, 5] }] },
    { name: 'Shape start -2', op: 'Shape', attrs: { start: -2 }, inputs: [{ t: x }], expected: [{ dtype: 'int64', shape: [2], data: [3, 5] }] },
    { name: 'Shape start 1 end 2', op: 'Shape', attrs: { start: 1, end: 2 }, inputs: [{ t: x }], expected: [{ dtype: 'int64', shape: [1], data: [3] }] },
    { name: 'Size', op: 'Size', inputs: [{ t: x }], expected: [{ dtype: 'int64', shape: [], data: [30] }] },
  ];
}

const families: [string, Case[]][] = [
  ['Transpose', transposeCases()],
  ['Concat and Split', concatSplitCases()],
  ['Slice', sliceCases()],
  ['Reshape, Flatten, Squeeze, Unsqueeze, Identity', reshapeCases()],
  ['Expand, Tile, Gather', expandTileGatherCases()],
  ['Pad', padCases()],
  ['Resize', resizeCases()],
  ['Shape and Size', shapeCases()],
];

describe.each(targets)('$backend $isa.isa', ({ backend, isa }) => {
  it.each(families)('%s equal the reference', async (_, cases) => {
    for (const c of cases) compare(c, await runCase(c, backend, isa.isa), `on ${backend} ${isa.isa}`);
  });
});

// float32 moves must keep every bit (NaN payloads, -0, denormals): the same cases as int32 (checked
// against the reference) give the same bits as float32.
function bitCases(): Case[] {
  const r = rng(123);
  const bits = (shape: number[]): Tensor => ({ dtype: 'int32', shape, data: Array.from({ length: ref.size(shape) }, () => r.pick([0x7fc00001, 0x7f800001, -0x80000000, 0xff800000 | 0, 1, r.int(-2e9, 2e9)])) });
  const a = bits([37, 45]), b = bits([1, 16, 9, 11]), t = bits([30, 8]);
  const ids: Tensor = { dtype: 'int64', shape: [5], data: [0, 29, -1, 3, 3] };
  return [
    { name: 'Transpose 2-D', op: 'Transpose', inputs: [{ t: a }], expected: [ref.transpose(a)] },
    { name: 'Transpose NCHW->NHWC', op: 'Transpose', attrs: { perm: [0, 2, 3, 1] }, inputs: [{ t: b }], expected: [ref.transpose(b, [0, 2, 3, 1])] },
    { name: 'Concat', op: 'Concat', attrs: { axis: 1 }, inputs: [{ t: a }, { t: a }], expected: [ref.concat([a, a], 1)] },
    { name: 'Slice', op: 'Slice', inputs: [{ t: a }, i64([-1]), i64([-100]), i64([1]), i64([-3])], expected: [ref.slice(a, [-1], [-100], [1], [-3])] },
    { name: 'Gather', op: 'Gather', inputs: [{ t, constant: true }, { t: ids }], expected: [ref.gather(t, ids, 0)] },
    { name: 'Pad reflect', op: 'Pad', attrs: { mode: 'reflect' }, inputs: [{ t: b }, i64([0, 0, 2, 3, 0, 0, 4, 1])], expected: [ref.pad(b, [0, 0, 2, 3, 0, 0, 4, 1], 'reflect')] },
    { name: 'Resize nearest', op: 'Resize', attrs: { mode: 'nearest' }, inputs: [{ t: b }, null, f32c([1, 1, 2, 1.5])], expected: [ref.resizeNearest(b, [1, 1, 2, 1.5], undefined, 'half_pixel', 'round_prefer_floor')] },
  ];
}

function asFloat(c: Case): Case {
  const f = (x: In | null): In | null => (x && x.t.dtype === 'int32' && (c.op !== 'Gather' || x === c.inputs[0]) ? { ...x, t: { ...x.t, dtype: 'float32' } } : x);
  return { ...c, inputs: c.inputs.map(f), expected: c.expected.map((e) => ({ ...e, dtype: 'float32' })) };
}

describe.each(targets)('$backend $isa.isa', ({ backend, isa }) => {
  it('float32 moves keep every bit pattern', async () => {
    for (const c of bitCases()) {
      const fc = asFloat(c);
      const { plan } = planOf(fc);
      const { feeds } = planOf(c);
      // The float32 inputs get the int32 bits.
      const fplan: Plan = { ...plan, values: plan.values.map((v, i) => (v.data && v.dtype === 'float32' && fc.inputs.some((x) => x?.t.dtype === 'float32' && x.constant) ? { ...v, data: new Float32Array((planOf(c).plan.values[i].data as Int32Array).buffer) } : v)) };
      const s = await PlanSession.create(fplan, { backend, isa: isa.isa });
      const y = await s.run(feeds.map((x) => (x instanceof Int32Array ? new Float32Array(x.buffer) : x)));
      s.release();
      compare(c, y.map((v) => (v instanceof Float32Array ? new Int32Array(v.buffer) : v)), `bits on ${backend} ${isa.isa}`);
    }
  });
});

describe('native threads', () => {
  const r = rng(99);
  const big: Case[] = [];
  const x = tensor(r, 'float32', [1, 64, 112, 112]);
  big.push({ name: 'Transpose NCHW->NHWC', op: 'Transpose', attrs: { perm: [0, 2, 3, 1] }, inputs: [{ t: x }], expected: [ref.transpose(x, [0, 2, 3, 1])] });
  const a = tensor(r, 'uint8', [8, 300, 257]);
  big.push({ name: 'Concat uint8', op: 'Concat', attrs: { axis: 1 }, inputs: [{ t: a }, { t: a }], expected: [ref.concat([a, a], 1)] });
  big.push({ name: 'Slice step 2', op: 'Slice', inputs: [{ t: x }, i64([1, 1]), i64([1000, 1000]), i64([2, 3]), i64([2, 1])], expected: [ref.slice(x, [1, 1], [1000, 1000], [2, 3], [2, 1])] });
  big.push({ name: 'Pad reflect', op: 'Pad', attrs: { mode: 'reflect' }, inputs: [{ t: x }, i64([0, 0, 3, 3, 0, 0, 3, 3])], expected: [ref.pad(x, [0, 0, 3, 3, 0, 0, 3, 3], 'reflect')] });
  big.push({ name: 'Reshape', op: 'Reshape', inputs: [{ t: x }, i64([64, -1])], expected: [{ ...x, shape: [64, 112 * 112] }] });
  const table = tensor(r, 'float32', [1000, 256]);
  const ids: Tensor = { dtype: 'int32', shape: [512], data: Array.from({ length: 512 }, () => r.int(-1000, 999)) };
  big.push({ name: 'Gather', op: 'Gather', inputs: [{ t: table, constant: true }, { t: ids }], expected: [ref.gather(table, ids, 0)] });
  const small = tensor(r, 'float32', [1, 32, 56, 56]);
  big.push({ name: 'Resize linear', op: 'Resize', attrs: { mode: 'linear' }, inputs: [{ t: small }, null, f32c([1, 1, 2, 2])], expected: [ref.resizeLinear(small, [1, 1, 2, 2], undefined, 'half_pixel')], tol: 1e-4 });
  it('give the single-thread results exactly and match the reference', async () => {
    for (const c of big) {
      const one = await runCase(c, 'native', undefined, 1);
      const two = await runCase(c, 'native', undefined, 2);
      compare(c, one, 'threads 1');
      // Bitwise over the bytes (toEqual on large typed arrays is slow).
      two.forEach((y, o) => {
        const a = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
        const b = new Uint8Array(one[o].buffer, one[o].byteOffset, one[o].byteLength);
        expect(firstDifference(a, b), `${c.name} threads 2`).toBe(-1);
      });
    }
  });
});

describe('bad plans', () => {
  const x: Tensor = { dtype: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] };
  const out = (shape: number[], dtype: DType = 'float32'): Tensor => ({ dtype, shape, data: Array(ref.size(shape)).fill(0) });
  const bad: [string, Case, RegExp][] = [
    ['Transpose perm', { name: '', op: 'Transpose', attrs: { perm: [0, 0] }, inputs: [{ t: x }], expected: [out([2, 2])] }, /op 0 \(Transpose\): expected perm to be a permutation/],
    ['Transpose output shape', { name: '', op: 'Transpose', inputs: [{ t: x }], expected: [out([2, 3])] }, /op 0 \(Transpose\): expected output 0 of shape \[3, 2\] but received \[2, 3\]/],
    ['Reshape non-constant shape', { name: '', op: 'Reshape', inputs: [{ t: x }, { t: { dtype: 'int64', shape: [1], data: [6] } }], expected: [out([6])] }, /Reshape\): expected input shape to be a constant/],
    ['Reshape count', { name: '', op: 'Reshape', inputs: [{ t: x }, i64([4])], expected: [out([4])] }, /Reshape\): expected a shape of 6 elements/],
    ['Reshape two -1', { name: '', op: 'Reshape', inputs: [{ t: x }, i64([-1, -1])], expected: [out([6])] }, /expected at most one -1/],
    ['Concat dtype', { name: '', op: 'Concat', attrs: { axis: 0 }, inputs: [{ t: x }, { t: { ...x, dtype: 'int32' } }], expected: [out([4, 3])] }, /Concat\): expected input 1 of dtype float32/],
    ['Concat axis', { name: '', op: 'Concat', attrs: { axis: 2 }, inputs: [{ t: x }], expected: [out([2, 3])] }, /expected axis in \[-2, 1\] but received 2/],
    ['Concat no axis', { name: '', op: 'Concat', inputs: [{ t: x }], expected: [out([2, 3])] }, /expected attribute axis/],
    ['Split sizes', { name: '', op: 'Split', attrs: { axis: 1 }, inputs: [{ t: x }, i64([1, 1])], expected: [out([2, 1]), out([2, 1])] }, /Split\): expected 2 non-negative split sizes summing to 3/],
    ['Slice step 0', { name: '', op: 'Slice', inputs: [{ t: x }, i64([0]), i64([1]), i64([0]), i64([0])], expected: [out([1, 3])] }, /Slice\): expected non-zero steps/],
    ['Squeeze non-1', { name: '', op: 'Squeeze', inputs: [{ t: x }, i64([0])], expected: [out([3])] }, /expected dim 0 to be 1/],
    ['Unsqueeze repeated axis', { name: '', op: 'Unsqueeze', inputs: [{ t: x }, i64([0, 0])], expected: [out([1, 1, 2, 3])] }, /expected distinct axes/],
    ['Expand', { name: '', op: 'Expand', inputs: [{ t: x }, i64([4])], expected: [out([2, 4])] }, /Expand\): expected shape broadcastable/],
    ['Tile repeats', { name: '', op: 'Tile', inputs: [{ t: x }, i64([2])], expected: [out([4, 3])] }, /Tile\): expected 2 repeats >= 0/],
    ['Gather float indices', { name: '', op: 'Gather', inputs: [{ t: x }, { t: x }], expected: [out([2, 3, 3])] }, /Gather\): expected indices of dtype int64 or int32/],
    ['Pad mode', { name: '', op: 'Pad', attrs: { mode: 'wrap' }, inputs: [{ t: x }, i64([0, 0, 0, 0])], expected: [out([2, 3])] }, /Pad\): expected mode constant, reflect or edge but received wrap/],
    ['Pad reflect negative', { name: '', op: 'Pad', attrs: { mode: 'reflect' }, inputs: [{ t: x }, i64([0, -1, 0, 0])], expected: [out([2, 2])] }, /expected pads >= 0 in mode reflect/],
    ['Resize cubic', { name: '', op: 'Resize', attrs: { mode: 'cubic' }, inputs: [{ t: x }, null, f32c([1, 2])], expected: [out([2, 6])] }, /Resize\): expected mode nearest or linear but received cubic/],
    ['Resize both', { name: '', op: 'Resize', inputs: [{ t: x }, null, f32c([1, 2]), i64([2, 6])], expected: [out([2, 6])] }, /expected exactly one of scales and sizes/],
    ['Resize linear int', { name: '', op: 'Resize', attrs: { mode: 'linear' }, inputs: [{ t: { ...x, dtype: 'int32' } }, null, f32c([1, 2])], expected: [out([2, 6], 'int32')] }, /expected float32 for mode linear/],
    ['unknown attribute', { name: '', op: 'Transpose', attrs: { perm: [1, 0], bogus: 1 }, inputs: [{ t: x }], expected: [out([3, 2])] }, /Transpose\): unknown attribute bogus/],
    ['output dtype', { name: '', op: 'Identity', inputs: [{ t: x }], expected: [out([2, 3], 'int32')] }, /Identity\): expected output 0 of dtype float32 \(the input's\) but received int32/],
  ];
  describe.each(targets.filter((t) => t.isa.isa === 'scalar' || t.backend === 'wasm'))('$backend $isa.isa', ({ backend, isa }) => {
    it.each(bad)('rejects %s', async (_, c, message) => {
      const err = await runCase(c, backend, isa.isa).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidPlanError);
      expect((err as Error).message).toMatch(message);
    });

    it('rejects out-of-range Gather indices at run time and keeps working', async () => {
      const table: Tensor = { dtype: 'float32', shape: [4, 2], data: [0, 1, 2, 3, 4, 5, 6, 7] };
      const c: Case = { name: 'Gather', op: 'Gather', inputs: [{ t: table, constant: true }, { t: { dtype: 'int64', shape: [2], data: [1, 4] } }], expected: [out([2, 2])] };
      const { plan } = planOf(c);
      const s = await PlanSession.create(plan, { backend, isa: isa.isa });
      for (const ids of [[1, 4], [-5, 0], [2 ** 40, 0]]) {
        const err = await s.run([BigInt64Array.from(ids.map(BigInt))]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidArgumentError);
        expect((err as Error).message).toMatch(/op 0 \(Gather\): expected indices in \[-4, 3\] but received -?\d+ at position \d/);
      }
      expect(Array.from((await s.run([BigInt64Array.from([3n, -4n])]))[0] as Float32Array)).toEqual([6, 7, 0, 1]);
      s.release();
    });
  });
});

// QLinearConv (native/plan/op-qconv.cc) on every backend and ISA against an independent JavaScript
// definition (integer sums, the float32 output stage), on random shapes with groups, depthwise,
// strides, dilations, pads and auto_pad, u8/s8 inputs and outputs, s8 weights and u8 weights with
// zero points; the output clamp; against onnxruntime-node on random one-node models (its rounding
// may differ by one: the distribution is printed); ONNX's own test_qlinearconv; and typed plan
// errors for malformed ops.
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, Session, Tensor, writeModel, type AttrValue, type DType, type Plan, type PlanTypedArray } from '../src';
import { DEFAULT_DATA, runCase } from '../src/tools/conformance';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backendIsas } from './support/backends';
import { runOrt } from './support/onnx-ort';
import { outShape, qconvModel, qconvPlan, qconvRef, randomQConv, xArray, type QConvCase } from './support/qconv-reference';

const targets = (await backendIsas()).filter((t) => t.isa.available);

async function runPlan(c: QConvCase, backend: string, isa: string, extra: Record<string, number> = {}, threads = 1) {
  const s = await PlanSession.create(qconvPlan(c, extra), { backend, isa, threads } as never);
  try {
    return Array.from((await s.run([xArray(c)]))[0] as ArrayLike<number>);
  } finally {
    s.release();
  }
}

const describeCase = (c: QConvCase) =>
  `N${c.n} C${c.cin} ${c.h}x${c.w} -> ${c.cout} g${c.group} k${c.kh}x${c.kw} s${c.strides} d${c.dilations} ${c.autoPad ?? `p${c.pads}`} x ${c.xType} w ${c.wType} zp ${c.wZp.length > 1 ? 'per channel' : c.wZp[0]} y ${c.yType}`;

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  it('matches the JavaScript definition on 120 random convolutions (every path: depthwise, 1x1, im2col, grouped, split u8 weights)', async () => {
    for (let seed = 1; seed <= 120; seed++) {
      const c = randomQConv(seed);
      const got = await runPlan(c, t.backend, t.isa.isa, {}, seed % 4 === 0 ? 2 : 1);
      const want = qconvRef(c);
      expect(got.length, describeCase(c)).toBe(want.length);
      const bad = got.findIndex((v, i) => v !== want[i]);
      expect(bad, `seed ${seed}: ${describeCase(c)}: y[${bad}] = ${got[bad]}, expected ${want[bad]}`).toBe(-1);
    }
  });

  it('clamps the output to y_min / y_max (a fused ReLU or ReLU6)', async () => {
    for (let seed = 200; seed < 215; seed++) {
      const c = randomQConv(seed);
      const [lo, hi] = c.yType === 'uint8' ? [c.yZp, Math.min(255, c.yZp + 40)] : [c.yZp, Math.min(127, c.yZp + 40)];
      const got = await runPlan(c, t.backend, t.isa.isa, { y_min: lo, y_max: hi });
      expect(got).toEqual(qconvRef(c, [lo, hi]));
      expect(got.some((v) => v === lo) || got.some((v) => v === hi)).toBe(true);
    }
  });

  it('runs 1-D convolutions (rank-3 tensors) as 2-D with H = 1', async () => {
    for (let seed = 400; seed < 410; seed++) {
      const c = { ...randomQConv(seed, 3 + (seed % 2)), h: 1, kh: 1, autoPad: undefined };
      c.dilations = [1, c.dilations[1]], c.strides = [1, c.strides[1]], c.pads = [0, c.pads[1], 0, c.pads[3]];
      c.x = c.x.slice(0, c.n * c.cin * c.w);
      c.wq = Array.from({ length: c.cout * (c.cin / c.group) * c.kw }, (_, i) => c.wq[i % c.wq.length]);
      const plan = structuredClone(qconvPlan(c)) as unknown as { values: { shape: number[] }[]; ops: { attrs: Record<string, AttrValue> }[] };
      const drop = (shape: number[]) => [...shape.slice(0, 2), shape[3]];
      plan.values[0].shape = drop(plan.values[0].shape);
      plan.values[3].shape = drop(plan.values[3].shape);
      plan.values[plan.values.length - 1].shape = drop(plan.values[plan.values.length - 1].shape);
      Object.assign(plan.ops[0].attrs, { kernel_shape: [c.kw], strides: [c.strides[1]], dilations: [c.dilations[1]], pads: [c.pads[1], c.pads[3]] });
      const s = await PlanSession.create(plan as unknown as Plan, { backend: t.backend, isa: t.isa.isa } as never);
      const got = Array.from((await s.run([xArray(c)]))[0] as ArrayLike<number>);
      s.release();
      expect(got, describeCase(c)).toEqual(qconvRef(c));
    }
  });

  it('refuses malformed ops with a typed error naming the rule', async () => {
    const base = randomQConv(3, 3);
    const ok = qconvPlan(base);
    type Editable = { values: { dtype: DType; shape: number[]; data?: PlanTypedArray }[]; ops: { inputs: (number | null)[]; attrs: Record<string, AttrValue> }[]; inputs: number[] };
    const mutate = (f: (p: Editable) => void): Plan => {
      const p = structuredClone(ok);
      f(p as unknown as Editable);
      return p;
    };
    const bad: [string, Plan][] = [
      ['float32 zero point', mutate((p) => { p.values[2] = { dtype: 'float32', shape: [], data: Float32Array.of(0) }; })],
      ['w_scale length', mutate((p) => { p.values[4] = { dtype: 'float32', shape: [base.cout + 1], data: new Float32Array(base.cout + 1).fill(0.01) }; })],
      ['zero scale', mutate((p) => { p.values[1] = { dtype: 'float32', shape: [], data: Float32Array.of(0) }; })],
      ['run-time weights', mutate((p) => { delete p.values[3].data; p.inputs.push(3); })],
      ['group', mutate((p) => { p.ops[0].attrs.group = base.cin + 1; })],
      ['output shape', mutate((p) => { p.values[p.values.length - 1].shape = [1, 1, 1, 1]; })],
      ['auto_pad', mutate((p) => { p.ops[0].attrs.auto_pad = 'SAME'; delete p.ops[0].attrs.pads; })],
      ['kernel_shape', mutate((p) => { p.ops[0].attrs.kernel_shape = [base.kh + 1, base.kw]; })],
      ['y_min', mutate((p) => { p.ops[0].attrs.y_min = 300; })],
      ['too few inputs', mutate((p) => { p.ops[0].inputs = p.ops[0].inputs.slice(0, 5); })],
      ['float x', mutate((p) => { p.values[0].dtype = 'float32'; })],
    ];
    for (const [what, plan] of bad) {
      const err = await PlanSession.create(plan, { backend: t.backend, isa: t.isa.isa } as never).catch((e) => e);
      expect(err, what).toBeInstanceOf(InvalidPlanError);
      expect(err.message, what).toMatch(/QLinearConv.*expected/);
    }
  });

  it('refuses weights whose int32 accumulators could overflow', async () => {
    const c: QConvCase = { ...randomQConv(5, 1), bias: null };
    c.bias = Array(c.cout).fill(2 ** 31 - 1000);
    const err = await PlanSession.create(qconvPlan(c), { backend: t.backend, isa: t.isa.isa } as never).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidPlanError);
    expect(err.message).toMatch(/int32 accumulators/);
  });
});

describe.skipIf(!existsSync(join(DEFAULT_DATA, 'node/test_qlinearconv')))('ONNX test_qlinearconv', () => {
  it.each(['native', 'wasm'])('passes on %s', async (backend) => {
    const r = await runCase(join(DEFAULT_DATA, 'node/test_qlinearconv'), 'node', backend);
    expect(r.outcome, r.detail).toBe('pass');
  });
});

// onnxruntime's QLinearConv requantizes its own way; codes may differ by one.
const diffs = new Map<number, number>();
let models = 0;
afterAll(() => console.log(`QLinearConv int8kit vs onnxruntime-node on ${models} models, |difference| -> outputs: ${[...diffs].sort((a, b) => a[0] - b[0]).map(([d, n]) => `${d}: ${n}`).join(', ')}`));

describe('against onnxruntime-node', () => {
  it('random one-node models agree within one code', async () => {
    let compared = 0;
    for (let seed = 300; seed < 360; seed++) {
      const c = randomQConv(seed);
      // onnxruntime's CPU kernel takes int8 x only with int8 w.
      if (c.xType === 'int8' && c.wType === 'uint8') c.wType = 'int8', c.wq = c.wq.map((v) => v - 128), c.wZp = c.wZp.map(() => 0);
      // and y of x's dtype, and no dilation with SAME_* padding.
      if (c.autoPad?.startsWith('SAME')) c.dilations = [1, 1];
      if (c.yType !== c.xType) c.yZp += c.xType === 'uint8' ? 128 : -128, c.yType = c.xType;
      const model = writeModel(qconvModel(c));
      const ort = await runOrt(model, { x: { name: 'x', dtype: c.xType, dims: [c.n, c.cin, c.h, c.w], data: xArray(c) } });
      if (!ort) continue;
      const s = await Session.create(model, { backend: 'native' });
      const y = (await s.run({ x: new Tensor(c.xType, xArray(c), [c.n, c.cin, c.h, c.w]) })).y;
      s.release();
      expect(y.dims).toEqual(outShape(c));
      const want = Array.from(ort.y.data as ArrayLike<number>), got = Array.from(y.data as ArrayLike<number>);
      got.forEach((v, i) => { const d = Math.abs(v - want[i]); diffs.set(d, (diffs.get(d) ?? 0) + 1); });
      expect(Math.max(...got.map((v, i) => Math.abs(v - want[i]))), `seed ${seed}: ${describeCase(c)}`).toBeLessThanOrEqual(1);
      compared++;
    }
    models = compared;
    expect(compared).toBeGreaterThan(40);
  }, 120_000);
});

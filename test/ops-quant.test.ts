// QuantizeLinear and DequantizeLinear plan ops on every backend, per tensor and per axis, against an
// independent JavaScript definition of the ONNX semantics (division, round half to even, saturation),
// and the plan's typed errors for malformed parameters.
import { describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, type DType, type PlanTypedArray } from '../src';
import { backendIsas } from './support/backends';
import { opPlan, typedArray } from './support/elementwise-reference';
import { rng } from './support/random';

const targets = (await backendIsas()).filter((t) => t.isa.available);

const halfEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
const quantizeRef = (x: number, s: number, zp: number, lo: number, hi: number) => {
  const v = halfEven(Math.fround(x / s)) + zp; // float32 division as ONNX's float x / float scale
  return Number.isNaN(v) ? lo : Math.min(hi, Math.max(lo, v));
};

async function run(plan: ReturnType<typeof opPlan>, feeds: PlanTypedArray[], backend: string, isa: string) {
  const s = await PlanSession.create(plan, { backend, isa } as never);
  try {
    return (await s.run(feeds))[0];
  } finally {
    s.release();
  }
}

const shape = [2, 3, 5];
const scales = Float32Array.of(0.05, 0.1, 0.25);
const cases: { qt: DType; lo: number; hi: number; zps: number[] }[] = [
  { qt: 'uint8', lo: 0, hi: 255, zps: [128, 0, 255] },
  { qt: 'int8', lo: -128, hi: 127, zps: [0, -5, 7] },
];

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  for (const { qt, lo, hi, zps } of cases)
    for (const perAxis of [false, true]) {
      it(`QuantizeLinear and DequantizeLinear to ${qt}, ${perAxis ? 'per axis 1' : 'per tensor'}, with ties, saturation and non-finite values`, async () => {
        const r = rng(qt.length + +perAxis);
        const x = Float32Array.from({ length: 30 }, () => Math.fround(r.float(-20, 20)));
        // Exact ties (k + 0.5 steps), both saturation ends, infinities and NaN.
        x.set([Math.fround(0.025), Math.fround(0.075), -1e6, 1e6, Infinity, -Infinity, NaN], 0);
        const s = perAxis ? scales : scales.subarray(0, 1), zp = perAxis ? zps : zps.slice(0, 1);
        const ch = (i: number) => (perAxis ? Math.floor(i / 5) % 3 : 0);
        const plan = opPlan('QuantizeLinear', [{ dtype: 'float32', shape }, { dtype: 'float32', shape: [s.length], data: s }, { dtype: qt, shape: [s.length], data: typedArray(qt, zp) }], [{ dtype: qt, shape }], perAxis ? { axis: 1 } : {});
        const q = await run(plan, [x], t.backend, t.isa.isa);
        const want = Array.from(x, (v, i) => quantizeRef(v, s[ch(i)], zp[ch(i)], lo, hi));
        expect(Array.from(q as ArrayLike<number>)).toEqual(want.map((v, i) => (Number.isNaN(x[i]) || x[i] === -Infinity ? lo : v)));
        const dplan = opPlan('DequantizeLinear', [{ dtype: qt, shape }, { dtype: 'float32', shape: [s.length], data: s }, { dtype: qt, shape: [s.length], data: typedArray(qt, zp) }], [{ dtype: 'float32', shape }], perAxis ? { axis: 1 } : {});
        const y = await run(dplan, [q], t.backend, t.isa.isa);
        expect(Array.from(y as Float32Array)).toEqual(Array.from(q as ArrayLike<number>, (v, i) => Math.fround((v - zp[ch(i)]) * s[ch(i)])));
      });
    }

  it('DequantizeLinear of int32 (biases) without a zero point', async () => {
    const x = Int32Array.of(-2147483648, -1, 0, 1, 2147483647, 123456789);
    const plan = opPlan('DequantizeLinear', [{ dtype: 'int32', shape: [6] }, { dtype: 'float32', shape: [], data: Float32Array.of(0.001) }], [{ dtype: 'float32', shape: [6] }]);
    const y = await run(plan, [x], t.backend, t.isa.isa);
    expect(Array.from(y as Float32Array)).toEqual(Array.from(x, (v) => Math.fround(Math.fround(v) * Math.fround(0.001))));
  });

  it('refuses malformed parameters with a typed error naming the rule', async () => {
    const bad = [
      // scale of the wrong length for the axis
      opPlan('QuantizeLinear', [{ dtype: 'float32', shape }, { dtype: 'float32', shape: [4], data: new Float32Array(4).fill(1) }], [{ dtype: 'uint8', shape }], { axis: 1 }),
      // int32 zero point for QuantizeLinear
      opPlan('QuantizeLinear', [{ dtype: 'float32', shape: [3] }, { dtype: 'float32', shape: [], data: Float32Array.of(1) }, { dtype: 'int32', shape: [], data: Int32Array.of(0) }], [{ dtype: 'int32', shape: [3] }]),
      // axis out of range
      opPlan('DequantizeLinear', [{ dtype: 'uint8', shape: [3] }, { dtype: 'float32', shape: [3], data: Float32Array.of(1, 1, 1) }], [{ dtype: 'float32', shape: [3] }], { axis: 4 }),
    ];
    for (const plan of bad) {
      const err = await PlanSession.create(plan, { backend: t.backend, isa: t.isa.isa } as never).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidPlanError);
      expect(err.message).toMatch(/QuantizeLinear|DequantizeLinear/);
    }
  });
});

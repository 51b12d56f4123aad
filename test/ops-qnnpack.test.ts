// QnnpackConv and QnnpackMatMul (the QNNPACK-like u8 x u8 family) on every backend and ISA against an
// independent JavaScript definition (test/support/qnnpack-reference.ts), in both requantization
// modes, on random shapes: groups, padding, strides, dilations, auto_pad, per-channel scales, zero
// points 0 / 128 / 255 (the kernel's per tensor or per channel); and the plan's typed errors for
// malformed inputs.
import { describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, type Plan, type PlanTypedArray, type PlanValue } from '../src';
import { backendIsas } from './support/backends';
import { opPlan } from './support/elementwise-reference';
import { convPlan, convReference, realScale, requantize, type ConvCase, type Mode } from './support/qnnpack-reference';
import { rng } from './support/random';

const targets = (await backendIsas()).filter((t) => t.isa.available);

async function run(plan: Plan, feeds: PlanTypedArray[], backend: string, isa: string) {
  const s = await PlanSession.create(plan, { backend, isa } as never);
  try {
    return (await s.run(feeds))[0] as Uint8Array;
  } finally {
    s.release();
  }
}

function randomConv(seed: number, mode: Mode): ConvCase {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r.float(0, 1) * (hi - lo + 1));
  const pick = <T>(v: T[]) => v[int(0, v.length - 1)];
  const group = pick([1, 1, 2, 4]), cpg = pick([1, 3, 8, 19]), opg = pick([1, 7, 16, 33]);
  const kh = int(1, 3), kw = int(1, 3), h = int(kh, 9), w = int(kw, 9);
  const c = cpg * group, oc = opg * group, n = int(1, 2);
  const xZp = pick([0, 128, 255, int(0, 255)]);
  const wZp = r.float(0, 1) < 0.3 ? Array.from({ length: oc }, () => int(0, 255)) : pick([0, 128, 255, int(0, 255)]);
  const products = cpg * kh * kw;
  const perChannel = r.float(0, 1) < 0.5;
  const wScale = Array.from({ length: perChannel ? oc : 1 }, () => Math.fround(r.float(0.002, 0.02)));
  const xScale = Math.fround(r.float(0.01, 0.05));
  // y_scale so that typical sums land inside the u8 range, with some saturation.
  const yScale = Math.fround((xScale * wScale[0] * Math.sqrt(products) * 110 * 110) / r.float(30, 90));
  return {
    n, c, h, w, oc, kh, kw, group, mode, xScale, xZp, wZp, yScale, yZp: pick([0, 128, 255, int(0, 255)]), wScale,
    strides: [int(1, 2), int(1, 2)], dilations: [int(1, 2), int(1, 2)], pads: [int(0, 2), int(0, 2), int(0, 2), int(0, 2)],
    x: Uint8Array.from({ length: n * c * h * w }, () => int(0, 255)),
    wq: Uint8Array.from({ length: oc * cpg * kh * kw }, () => int(0, 255)),
    bias: r.float(0, 1) < 0.75 ? Int32Array.from({ length: oc }, () => int(-50000, 50000)) : undefined,
    autoPad: pick([undefined, undefined, 'SAME_UPPER', 'SAME_LOWER', 'VALID']),
  };
}

const f32 = (v: number) => ({ dtype: 'float32' as const, shape: [], data: Float32Array.of(v) });
const u8 = (v: number) => ({ dtype: 'uint8' as const, shape: [], data: Uint8Array.of(v) });

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  for (const mode of ['fp32', 'q31'] as const)
    it(`QnnpackConv (${mode}) on random shapes equals the JavaScript definition`, async () => {
      let outputs = 0;
      for (let seed = 1; seed <= 24; seed++) {
        const k = randomConv(seed * 7 + (mode === 'q31' ? 1 : 0), mode);
        const [oh, ow] = [convPlan(k).values.at(-1)!.shape[2], convPlan(k).values.at(-1)!.shape[3]];
        if (!(oh > 0 && ow > 0)) continue; // a kernel larger than the padded input: refused, tested below
        const y = await run(convPlan(k), [k.x], t.backend, t.isa.isa);
        expect(Array.from(y), `seed ${seed}: ${JSON.stringify({ ...k, x: undefined, wq: undefined, bias: undefined })}`).toEqual(Array.from(convReference(k)));
        outputs += y.length;
      }
      expect(outputs).toBeGreaterThan(1000);
    });

  for (const mode of ['fp32', 'q31'] as const)
    it(`QnnpackMatMul (${mode}), a of rank 3, per-tensor and per-channel scales and b zero points`, async () => {
      const r = rng(mode === 'q31' ? 11 : 12);
      const int = (lo: number, hi: number) => lo + Math.floor(r.float(0, 1) * (hi - lo + 1));
      for (const [b0, m, k, n, perChannel] of [[2, 5, 64, 17, false], [1, 33, 300, 40, true], [3, 1, 7, 1, true], [1, 9, 1, 70, false]] as const) {
        const aZp = [0, 128, 255][int(0, 2)], yZp = int(0, 255);
        // Per-channel cases take per-channel b zero points too.
        const bZp = Array.from({ length: perChannel ? n : 1 }, () => (perChannel ? int(0, 255) : [0, 128, 255][int(0, 2)]));
        const a = Uint8Array.from({ length: b0 * m * k }, () => int(0, 255));
        const b = Uint8Array.from({ length: k * n }, () => int(0, 255));
        const as = 0.02, bs = Array.from({ length: perChannel ? n : 1 }, () => Math.fround(r.float(0.002, 0.02)));
        const ys = Math.fround((as * bs[0] * Math.sqrt(k) * 110 * 110) / 60);
        const plan = opPlan('QnnpackMatMul', [
          { dtype: 'uint8', shape: [b0, m, k] }, f32(as), u8(aZp), { dtype: 'uint8', shape: [k, n], data: b },
          { dtype: 'float32', shape: [bs.length], data: Float32Array.from(bs) }, { dtype: 'uint8', shape: [bZp.length], data: Uint8Array.from(bZp) }, f32(ys), u8(yZp),
        ], [{ dtype: 'uint8', shape: [b0, m, n] }], { requantization: mode });
        const y = await run(plan, [a], t.backend, t.isa.isa);
        const want = new Uint8Array(b0 * m * n);
        for (let i = 0; i < b0 * m; i++)
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let kk = 0; kk < k; kk++) acc += (a[i * k + kk] - aZp) * (b[kk * n + j] - bZp[perChannel ? j : 0]);
            want[i * n + j] = requantize(acc, realScale(Math.fround(as), bs[perChannel ? j : 0], ys), yZp, mode);
          }
        expect(Array.from(y), `${b0}x${m}x${k}x${n}`).toEqual(Array.from(want));
      }
    });

  it('refuses malformed QnnpackConv / QnnpackMatMul with a typed error naming the rule', async () => {
    const base = randomConv(3, 'q31');
    const conv = (patch: Partial<ConvCase>, attrs: Record<string, unknown> = {}) => {
      const p = convPlan({ ...base, ...patch });
      Object.assign(p.ops[0].attrs!, attrs);
      return p;
    };
    const cases: [Plan, RegExp][] = [
      [conv({ yScale: base.xScale * 1e-4 }), /\[2\^-32, 1\) for requantization q31/],
      [conv({}, { requantization: 'int16' }), /requantization "fp32", "onnx" or "q31"/],
      [conv({}, { group: 5 }), /expected group >= 1 dividing/],
      [conv({}, { auto_pad: 'SAME' }), /auto_pad/],
      [conv({}, { strides: [0, 1] }), /strides and dilations/],
      [conv({}, { unknown_attribute: 1 }), /unknown attribute/],
    ];
    // A w zero point of the wrong length; w not a constant; a wrong output shape.
    const badZp = convPlan(base);
    (badZp.values as PlanValue[])[5] = { dtype: 'uint8', shape: [base.oc + 1], data: new Uint8Array(base.oc + 1) };
    cases.push([badZp, /expected w_zero_point with 1 or \d+ values/]);
    const wVar = convPlan(base);
    delete (wVar.values[3] as { data?: unknown }).data;
    (wVar.inputs as number[]).push(3);
    cases.push([wVar, /expected w to be a constant/]);
    const badY = convPlan(base);
    badY.values.at(-1)!.shape = [1, 1, 1, 1];
    cases.push([badY, /expected y of dtype uint8 and shape/]);
    cases.push([opPlan('QnnpackMatMul', [{ dtype: 'uint8', shape: [2, 3] }, f32(1), u8(0), { dtype: 'uint8', shape: [4, 2], data: new Uint8Array(8) }, f32(1), u8(0), f32(1), u8(0)], [{ dtype: 'uint8', shape: [2, 2] }]), /expected b with 3 rows/]);
    cases.push([opPlan('QnnpackMatMul', [{ dtype: 'int8', shape: [2, 3] }, f32(1), u8(0), { dtype: 'uint8', shape: [3, 2], data: new Uint8Array(6) }, f32(1), u8(0), f32(1), u8(0)], [{ dtype: 'uint8', shape: [2, 2] }]), /expected a of dtype uint8/]);
    cases.push([opPlan('QnnpackMatMul', [{ dtype: 'uint8', shape: [2, 3] }, f32(-1), u8(0), { dtype: 'uint8', shape: [3, 2], data: new Uint8Array(6) }, f32(1), u8(0), f32(1), u8(0)], [{ dtype: 'uint8', shape: [2, 2] }]), /positive finite a_scale/]);
    for (const [plan, msg] of cases) {
      const err = await PlanSession.create(plan, { backend: t.backend, isa: t.isa.isa } as never).catch((e) => e);
      expect(err, String(msg)).toBeInstanceOf(InvalidPlanError);
      expect(err.message).toMatch(/Qnnpack(Conv|MatMul)/);
      expect(err.message).toMatch(msg);
    }
  });
});

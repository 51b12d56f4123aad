// The quantized small plan ops (native/plan/op-qsmall.cc, MaxPool of u8 / s8) on every backend and
// ISA against independent JavaScript definitions (test/support/qsmall-reference.ts): QLinearAdd
// and QLinearMul with broadcasting, QLinearAveragePool, QLinearGlobalAveragePool, MaxPool,
// QLinearSigmoid, QLinearLeakyRelu, QLinearLookup; and typed errors for malformed parameters.
import { describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, type DType, type Plan, type PlanTypedArray } from '../src';
import { backendIsas } from './support/backends';
import { broadcastIndex, broadcastShapes, numel, opPlan, typedArray, type Shape } from './support/elementwise-reference';
import { rng } from './support/random';
import * as Q from './support/qsmall-reference';

const targets = (await backendIsas()).filter((t) => t.isa.available);

async function run(plan: Plan, feeds: PlanTypedArray[], backend: string, isa: string) {
  const s = await PlanSession.create(plan, { backend, isa } as never);
  try {
    return Array.from((await s.run(feeds))[0] as ArrayLike<number>);
  } finally {
    s.release();
  }
}

const scalar = (dtype: DType, v: number) => ({ dtype, shape: [] as number[], data: typedArray(dtype, [v]) });
const f32 = (v: number) => scalar('float32', Math.fround(v));

// Codes with a quarter at the two extremes.
function codes(r: ReturnType<typeof rng>, n: number, signed: boolean): number[] {
  const { lo, hi } = Q.range(signed);
  return Array.from({ length: n }, () => (r.next() < 0.25 ? r.pick([lo, hi]) : r.int(lo, hi)));
}

const dtypes = [
  { dt: 'uint8' as const, signed: false, zps: [0, 128, 255] },
  { dt: 'int8' as const, signed: true, zps: [-128, 0, 127] },
];

const binaryShapes: [Shape, Shape][] = [
  [[2, 3, 4, 5], [2, 3, 4, 5]],
  [[1000], [1000]],
  [[2, 3, 4, 5], [3, 1, 1]],
  [[1], [2, 3, 37]],
  [[2, 1, 33], [2, 3, 1]],
  [[3, 1], [1]],
];

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  for (const { dt, signed, zps } of dtypes) {
    it(`QLinearAdd and QLinearMul of ${dt} with broadcasting, every zero point extreme`, async () => {
      const r = rng(signed ? 11 : 12);
      for (const [sa, sb] of binaryShapes)
        for (const op of ['QLinearAdd', 'QLinearMul'] as const) {
          const out = broadcastShapes(sa, sb)!;
          const p: Q.QParams = { sa: Math.fround(r.float(0.01, 0.1)), za: r.pick(zps), sb: Math.fround(r.float(0.01, 0.1)), zb: r.pick(zps), sy: Math.fround(op === 'QLinearAdd' ? r.float(0.02, 0.2) : r.float(0.2, 4)), zy: r.pick(zps) };
          const a = codes(r, numel(sa), signed), b = codes(r, numel(sb), signed);
          const plan = opPlan(op, [{ dtype: dt, shape: sa }, f32(p.sa), scalar(dt, p.za), { dtype: dt, shape: sb }, f32(p.sb), scalar(dt, p.zb), f32(p.sy), scalar(dt, p.zy)], [{ dtype: dt, shape: out }]);
          const got = await run(plan, [typedArray(dt, a), typedArray(dt, b)], t.backend, t.isa.isa);
          const ia = broadcastIndex(out, sa), ib = broadcastIndex(out, sb);
          const fn = op === 'QLinearAdd' ? Q.qlinearAdd : Q.qlinearMul;
          const want = Array.from({ length: numel(out) }, (_, i) => fn(a[ia[i]], b[ib[i]], p, signed));
          expect(got, `${op} [${sa}] x [${sb}]`).toEqual(want);
          // B as a constant (an initializer), as models hold biases and residual constants.
          const constB = opPlan(op, [{ dtype: dt, shape: sa }, f32(p.sa), scalar(dt, p.za), { dtype: dt, shape: sb, data: typedArray(dt, b) }, f32(p.sb), scalar(dt, p.zb), f32(p.sy), scalar(dt, p.zy)], [{ dtype: dt, shape: out }]);
          expect(await run(constB, [typedArray(dt, a)], t.backend, t.isa.isa), `${op} [${sa}] x constant [${sb}]`).toEqual(want);
        }
    });

    it(`MaxPool, QLinearAveragePool and QLinearGlobalAveragePool of ${dt}`, async () => {
      const r = rng(signed ? 21 : 22);
      for (let rep = 0; rep < 12; rep++) {
        const k = r.pick([1, 2, 3, 5]), s = r.pick([1, 2, 3]), d = r.pick([1, 1, 2]);
        const pad = r.int(0, k - 1);
        const p: Q.Pool = { n: r.int(1, 2), c: r.int(1, 3), h: r.int(k * d, 20), w: r.int(k * d, 70), kh: k, kw: r.pick([k, 1, 3]), sh: s, sw: r.pick([s, 1, 2]), dh: d, dw: d, pt: pad, pl: pad, pb: r.int(0, k - 1), pr: pad, ceil: r.next() < 0.3 };
        const [oh, ow] = Q.poolOut(p);
        const x = codes(r, p.n * p.c * p.h * p.w, signed);
        const xs = [p.n, p.c, p.h, p.w], ys = [p.n, p.c, oh, ow];
        const attrs = { kernel_shape: [p.kh, p.kw], strides: [p.sh, p.sw], pads: [p.pt, p.pl, p.pb, p.pr], ceil_mode: +p.ceil };
        const what = JSON.stringify(p);
        const mp = opPlan('MaxPool', [{ dtype: dt, shape: xs }], [{ dtype: dt, shape: ys }], { ...attrs, dilations: [p.dh, p.dw] });
        expect(await run(mp, [typedArray(dt, x)], t.backend, t.isa.isa), `MaxPool ${what}`).toEqual(Q.maxPool(p, x, signed));
        // QLinearAveragePool has no dilations.
        const pa = { ...p, dh: 1, dw: 1 };
        const [ah, aw] = Q.poolOut(pa);
        const sx = Math.fround(r.float(0.01, 0.1)), sy = Math.fround(r.float(0.01, 0.1)), zx = r.pick(zps), zy = r.pick(zps);
        for (const include of [0, 1]) {
          const ap = opPlan('QLinearAveragePool', [{ dtype: dt, shape: xs }, f32(sx), scalar(dt, zx), f32(sy), scalar(dt, zy)], [{ dtype: dt, shape: [p.n, p.c, ah, aw] }], { ...attrs, count_include_pad: include });
          expect(await run(ap, [typedArray(dt, x)], t.backend, t.isa.isa), `QLinearAveragePool include_pad ${include} ${what}`).toEqual(Q.qlinearAvgPool(pa, x, include === 1, sx, zx, sy, zy, signed));
        }
        const gp = opPlan('QLinearGlobalAveragePool', [{ dtype: dt, shape: xs }, f32(sx), scalar(dt, zx), f32(sy), scalar(dt, zy)], [{ dtype: dt, shape: [p.n, p.c, 1, 1] }]);
        expect(await run(gp, [typedArray(dt, x)], t.backend, t.isa.isa), `QLinearGlobalAveragePool ${what}`).toEqual(Q.qlinearGlobalAvgPool(x, p.n * p.c, p.h * p.w, sx, zx, sy, zy, signed));
      }
    });

    it(`QLinearSigmoid, QLinearLeakyRelu and QLinearLookup of ${dt}: every code`, async () => {
      const r = rng(signed ? 31 : 32);
      const { lo } = Q.range(signed);
      const x = Array.from({ length: 300 }, (_, i) => lo + (i % 256));
      const shape = [3, 100];
      for (const zx of zps) {
        const sx = Math.fround(r.float(0.02, 0.1)), zy = r.pick(zps), sy = Math.fround(r.float(0.002, 0.05));
        const ins = [{ dtype: dt, shape }, f32(sx), scalar(dt, zx), f32(sy), scalar(dt, zy)];
        const sig = await run(opPlan('QLinearSigmoid', ins, [{ dtype: dt, shape }]), [typedArray(dt, x)], t.backend, t.isa.isa);
        expect(sig, `sigmoid zx ${zx}`).toEqual(x.map((v) => Q.lookupFunction(v, Q.sigmoid, sx, zx, sy, zy, signed)));
        const alpha = r.pick([0.01, 0.1, 0.5]);
        const lr = await run(opPlan('QLinearLeakyRelu', ins, [{ dtype: dt, shape }], { alpha }), [typedArray(dt, x)], t.backend, t.isa.isa);
        expect(lr, `leaky relu zx ${zx}`).toEqual(x.map((v) => Q.lookupFunction(v, Q.leakyRelu(alpha), sx, zx, sy, zy, signed)));
      }
      for (const tdt of ['uint8', 'int8'] as const) {
        const table = codes(r, 256, tdt === 'int8');
        const y = await run(opPlan('QLinearLookup', [{ dtype: dt, shape }, { dtype: tdt, shape: [256], data: typedArray(tdt, table) }], [{ dtype: tdt, shape }]), [typedArray(dt, x)], t.backend, t.isa.isa);
        expect(y).toEqual(x.map((v) => table[v & 255]));
      }
    });
  }

  it('refuses malformed parameters with a typed error naming the rule', async () => {
    const x = { dtype: 'uint8' as const, shape: [1, 2, 4, 4] };
    const y = [{ dtype: 'uint8' as const, shape: [1, 2, 4, 4] }];
    const u8 = (v: number) => scalar('uint8', v);
    const bad: [Plan, RegExp][] = [
      // a scale computed at run time
      [opPlan('QLinearSigmoid', [x, { dtype: 'float32', shape: [] }, u8(0), f32(0.1), u8(0)], y), /expected a constant X_scale/],
      // negative, zero and NaN scales
      [opPlan('QLinearSigmoid', [x, f32(-1), u8(0), f32(0.1), u8(0)], y), /expected a positive finite X_scale/],
      [opPlan('QLinearLeakyRelu', [x, f32(0.1), u8(0), f32(NaN), u8(0)], y), /expected a positive finite Y_scale/],
      // zero point of the wrong dtype, a per-channel scale
      [opPlan('QLinearAdd', [x, f32(0.1), scalar('int8', 0), x, f32(0.1), u8(0), f32(0.1), u8(0)], y), /expected uint8 for A_zero_point but received int8/],
      [opPlan('QLinearMul', [x, { dtype: 'float32', shape: [2], data: Float32Array.of(1, 1) }, u8(0), x, f32(0.1), u8(0), f32(0.1), u8(0)], y), /expected a scalar A_scale but received shape \[2\]/],
      // operands of different dtypes, shapes that do not broadcast, a wrong output shape
      [opPlan('QLinearAdd', [x, f32(0.1), u8(0), { dtype: 'int8', shape: [4] }, f32(0.1), scalar('int8', 0), f32(0.1), u8(0)], y), /expected B of A's dtype uint8 but received int8/],
      [opPlan('QLinearAdd', [x, f32(0.1), u8(0), { dtype: 'uint8', shape: [3] }, f32(0.1), u8(0), f32(0.1), u8(0)], y), /expected A and B to broadcast/],
      [opPlan('QLinearGlobalAveragePool', [x, f32(0.1), u8(0), f32(0.1), u8(0)], y), /expected Y of dtype uint8 and shape \[1, 2, 1, 1\]/],
      // NHWC, float input, too few inputs
      [opPlan('QLinearAveragePool', [x, f32(0.1), u8(0), f32(0.1), u8(0)], y, { kernel_shape: [1, 1], channels_last: 2 }), /expected attribute channels_last 0 \(NCHW\) or 1 \(NHWC\) but received 2/],
      [opPlan('QLinearSigmoid', [{ dtype: 'float32', shape: [4] }, f32(0.1), u8(0), f32(0.1), u8(0)], [{ dtype: 'float32', shape: [4] }]), /expected a uint8 or int8 input 0 but received float32/],
      [opPlan('QLinearAdd', [x, f32(0.1), u8(0)], y), /expected 7 to 8 inputs/],
      // tables: wrong length, computed at run time
      [opPlan('QLinearLookup', [x, { dtype: 'uint8', shape: [255], data: new Uint8Array(255) }], y), /expected a constant uint8 or int8 table of shape \[256\]/],
      [opPlan('QLinearLookup', [x, { dtype: 'uint8', shape: [256] }], y), /expected a constant uint8 or int8 table/],
      // u8 MaxPool: missing kernel_shape, wrong output dtype
      [opPlan('MaxPool', [x], y), /expected attribute kernel_shape/],
      [opPlan('MaxPool', [x], [{ dtype: 'int8', shape: [1, 2, 4, 4] }], { kernel_shape: [1, 1] }), /expected Y of dtype uint8/],
    ];
    for (const [plan, msg] of bad) {
      const err = await PlanSession.create(plan, { backend: t.backend, isa: t.isa.isa } as never).catch((e) => e);
      expect(err, String(msg)).toBeInstanceOf(InvalidPlanError);
      expect(err.message).toMatch(msg);
    }
  });
});

// QLinearMatMul's extensions for the QDQ lowering of Gemm / MatMul + bias + ReLU: an int32 bias at
// a_scale * b_scale (input 8) and an output clamp (y_min / y_max). Oracle: the same product as a
// 1x1 QLinearConv with that bias and clamp (another code path: NHWC im2col-free GEMM with its own
// bias folding), which must give identical codes on every backend and ISA.
import { describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, type PlanTypedArray } from '../src';
import { backendIsas } from './support/backends';
import { opPlan } from './support/elementwise-reference';
import { rng } from './support/random';

const targets = (await backendIsas()).filter((t) => t.isa.available);

describe.each(targets)('QLinearMatMul with bias and clamp on $backend / $isa.isa', ({ backend, isa }) => {
  it('equals QLinearConv 1x1 with the same bias and clamp on random shapes, u8 and s8 outputs', async () => {
    const r = rng(17);
    let onBounds = 0;
    for (let trial = 0; trial < 12; trial++) {
      const m = 1 + Math.floor(r.next() * 40), k = 1 + Math.floor(r.next() * 300), n = 1 + Math.floor(r.next() * 70);
      const yt = trial % 2 ? 'int8' : 'uint8';
      const [lo, hi] = yt === 'uint8' ? [0, 255] : [-128, 127];
      const yMin = lo + Math.floor(r.next() * 60), yMax = hi - Math.floor(r.next() * 60);
      const a = Uint8Array.from({ length: m * k }, () => Math.floor(r.next() * 256));
      const wNK = Int8Array.from({ length: n * k }, () => Math.floor(r.next() * 255) - 127);
      const wKN = new Int8Array(k * n);
      for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) wKN[kk * n + j] = wNK[j * k + kk];
      const bias = Int32Array.from({ length: n }, () => Math.floor((r.next() - 0.5) * 200000));
      const ws = Float32Array.from({ length: n }, () => 0.001 + r.next() * 0.01);
      const p = (dtype: 'float32' | 'uint8' | 'int8', dims: number[], v: number) => ({ dtype, shape: dims, data: dtype === 'float32' ? Float32Array.of(v) : dtype === 'uint8' ? Uint8Array.of(v) : Int8Array.of(v) });
      const common = [p('float32', [], 0.02), p('uint8', [], 3 + trial)];
      const tail = [{ dtype: 'float32' as const, shape: [n], data: ws }, { dtype: 'int8' as const, shape: [n], data: new Int8Array(n) }, p('float32', [], 0.05 + r.next()), p(yt, [], yt === 'uint8' ? 100 : -5)];
      const attrs = { y_min: yMin, y_max: yMax };
      const run = async (plan: ReturnType<typeof opPlan>, x: PlanTypedArray) => {
        const s = await PlanSession.create(plan, { backend, isa: isa.isa });
        const [y] = await s.run([x]);
        s.release();
        return Array.from(y as Int8Array);
      };
      const mm = await run(opPlan('QLinearMatMul', [{ dtype: 'uint8', shape: [m, k] }, ...common, { dtype: 'int8', shape: [k, n], data: wKN }, ...tail, { dtype: 'int32', shape: [n], data: bias }], [{ dtype: yt, shape: [m, n] }], attrs), a);
      const conv = await run(opPlan('QLinearConv', [{ dtype: 'uint8', shape: [m, k, 1, 1] }, ...common, { dtype: 'int8', shape: [n, k, 1, 1], data: wNK }, ...tail, { dtype: 'int32', shape: [n], data: bias }], [{ dtype: yt, shape: [m, n, 1, 1] }], attrs), a);
      expect(mm).toEqual(conv);
      expect(Math.min(...mm)).toBeGreaterThanOrEqual(yMin);
      expect(Math.max(...mm)).toBeLessThanOrEqual(yMax);
      onBounds += mm.filter((v) => v === yMin || v === yMax).length;
    }
    // The clamp is really applied: some codes sit on the bounds.
    expect(onBounds).toBeGreaterThan(100);
  });

  it('rejects a bias of the wrong type or length and a clamp outside the output range', async () => {
    const base = (bias: { dtype: 'int32' | 'float32'; shape: number[]; data: Int32Array | Float32Array }, attrs = {}) =>
      opPlan('QLinearMatMul', [
        { dtype: 'uint8', shape: [2, 3] }, { dtype: 'float32', shape: [], data: Float32Array.of(1) }, { dtype: 'uint8', shape: [], data: Uint8Array.of(0) },
        { dtype: 'int8', shape: [3, 4], data: new Int8Array(12) }, { dtype: 'float32', shape: [], data: Float32Array.of(1) }, { dtype: 'int8', shape: [], data: Int8Array.of(0) },
        { dtype: 'float32', shape: [], data: Float32Array.of(1) }, { dtype: 'uint8', shape: [], data: Uint8Array.of(0) }, bias,
      ], [{ dtype: 'uint8', shape: [2, 4] }], attrs);
    await expect(PlanSession.create(base({ dtype: 'int32', shape: [3], data: new Int32Array(3) }), { backend, isa: isa.isa })).rejects.toThrow(/expected bias of dtype int32 and shape \[4\]/);
    await expect(PlanSession.create(base({ dtype: 'float32', shape: [4], data: new Float32Array(4) }), { backend, isa: isa.isa })).rejects.toThrow(InvalidPlanError);
    await expect(PlanSession.create(base({ dtype: 'int32', shape: [4], data: new Int32Array(4) }, { y_min: 10, y_max: 5 }), { backend, isa: isa.isa })).rejects.toThrow(/y_min <= y_max/);
  });
});

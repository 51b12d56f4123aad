// Every ISA of every backend against independent references: QGemm bit for bit against the
// JavaScript definition (and so against the scalar C++ reference, which must match it too), Gemm
// within a stated float32 error bound. Shapes cover every tile edge of every kernel.
import { describe, expect, it } from 'vitest';
import { PlanSession } from '../src';
import { backendIsas, firstDifference } from './support/backends';
import { edgeShapes, gemmPlan, gemmReference, qgemmPlan, qgemmReference, randomGemm, randomQGemm } from './support/gemm';

const targets = await backendIsas();
const shapes = edgeShapes(2024, 60);
const qcases = shapes.map(([m, k, n], i) => randomQGemm(1000 + i, m, k, n));
const qexpected = qcases.map(qgemmReference);
const fcases = shapes.map(([m, k, n], i) => randomGemm(5000 + i, m, k, n));
const fexpected = fcases.map(gemmReference);

describe.each(targets)('$backend $isa.isa', ({ backend, isa }) => {
  const why = isa.available ? '' : ` (skipped: ${isa.reason})`;

  it.skipIf(!isa.available)(`QGemm equals the reference bit for bit on ${shapes.length} shapes${why}`, async () => {
    for (const [i, c] of qcases.entries()) {
      const s = await PlanSession.create(qgemmPlan(c), { backend, isa: isa.isa });
      const y = (await s.run([c.a]))[0] as Uint8Array;
      s.release();
      const at = firstDifference(y, qexpected[i]);
      expect(at, `shape ${c.m}x${c.k}x${c.n} case ${i}: element ${at} is ${y[at]}, expected ${qexpected[i][at]}`).toBe(-1);
    }
  });

  it.skipIf(!isa.available)(`Gemm is within 2(K+1)2^-24 sum|ab| of the float64 result on ${shapes.length} shapes${why}`, async () => {
    for (const [i, c] of fcases.entries()) {
      const s = await PlanSession.create(gemmPlan(c), { backend, isa: isa.isa });
      const y = (await s.run([c.a]))[0] as Float32Array;
      s.release();
      const { value, bound } = fexpected[i];
      for (let j = 0; j < y.length; j++) {
        const err = Math.abs(y[j] - value[j]);
        if (!(err <= bound[j])) expect.fail(`shape ${c.m}x${c.k}x${c.n} element ${j}: ${y[j]} vs ${value[j]} (error ${err} > ${bound[j]})`);
      }
    }
  });
});

describe('the plan session reports what it runs on', () => {
  it('uses the requested backend and ISA', async () => {
    const c = qcases[5];
    for (const { backend, isa } of targets.filter((t) => t.isa.available)) {
      const s = await PlanSession.create(qgemmPlan(c), { backend, isa: isa.isa });
      expect([s.backend, s.isa]).toEqual([backend, isa.isa]);
      s.release();
    }
  });
});

describe('native threads', () => {
  it('give exactly the single-thread results (each output tile is computed by one kernel call)', async () => {
    for (const [i, c] of qcases.entries()) {
      if (c.m * c.n < 64) continue;
      const s = await PlanSession.create(qgemmPlan(c), { backend: 'native', threads: 2 });
      const y = (await s.run([c.a]))[0] as Uint8Array;
      s.release();
      expect(firstDifference(y, qexpected[i])).toBe(-1);
    }
    const big = randomGemm(77, 300, 200, 500);
    const one = await PlanSession.create(gemmPlan(big), { backend: 'native', threads: 1 });
    const two = await PlanSession.create(gemmPlan(big), { backend: 'native', threads: 2 });
    const [y1] = await one.run([big.a]);
    const [y2] = await two.run([big.a]);
    expect(y2).toEqual(y1);
  });

  it('rejects a thread count outside [1, 256]', async () => {
    await expect(PlanSession.create(qgemmPlan(qcases[0]), { threads: 0 })).rejects.toThrow(/integer in \[1, 256\] for options\.threads/);
  });
});

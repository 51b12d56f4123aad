// Native runs execute off the JavaScript thread: timers keep firing during a long run, and many
// concurrent runs of one plan give the results of sequential runs.
import { describe, expect, it } from 'vitest';
import { PlanSession } from '../src';
import { qgemmPlan, randomGemm, gemmPlan, randomQGemm } from './support/gemm';

describe('native backend concurrency', () => {
  it('keeps the event loop free during a long run', async () => {
    const c = randomGemm(3, 512, 512, 512);
    const s = await PlanSession.create(gemmPlan(c), { backend: 'native', isa: 'scalar' });
    const inputs = [c.a];
    const t0 = performance.now();
    await s.run(inputs); // warm-up, and the duration to compare against
    const oneRun = performance.now() - t0;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    const start = performance.now();
    await Promise.all([s.run(inputs), s.run(inputs)]);
    const elapsed = performance.now() - start;
    clearInterval(timer);
    s.release();
    // A blocked loop would see at most one tick; a free one about elapsed/2ms (timers are coarse
    // under load, so ask for a quarter of that).
    expect(oneRun).toBeGreaterThan(20);
    expect(ticks).toBeGreaterThan(elapsed / 2 / 4);
  });

  it('gives 100 concurrent runs exactly the results of sequential runs', async () => {
    const cases = Array.from({ length: 100 }, (_, i) => randomQGemm(i, 17, 64, 33));
    const s = await PlanSession.create(qgemmPlan(cases[0]), { backend: 'native' });
    const sequential = [];
    for (const c of cases) sequential.push((await s.run([c.a]))[0]);
    const concurrent = await Promise.all(cases.map((c) => s.run([c.a]).then((r) => r[0])));
    expect(concurrent).toEqual(sequential);
    s.release();
  });

  it('finishes runs in flight when the plan is released', async () => {
    const c = randomQGemm(1, 64, 256, 64);
    const s = await PlanSession.create(qgemmPlan(c), { backend: 'native' });
    const [expected] = await s.run([c.a]);
    const inFlight = [s.run([c.a]), s.run([c.a])];
    s.release();
    for (const [y] of await Promise.all(inFlight)) expect(y).toEqual(expected);
  });
});

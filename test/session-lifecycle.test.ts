// Session behaviour under concurrency and release, on FP32 and quantized models (static QDQ and
// dynamic), on every backend: 100 concurrent runs give bit for bit the results of the same inputs
// run one after another; native runs leave the event loop free; release() while runs are in flight
// never crashes or hangs (each run resolves with the right result or rejects with ReleasedError).
// Memory over long runs and create/release cycles: test/session-lifecycle-memory.test.ts.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodePlan, registerBackend, ReleasedError, resolveBackend, Session, Tensor, type BackendPlan, type Graph } from '../src';
import { packageRoot } from '../src/backends/package-root';
import { bertLike, mobilenetV2Like, resnet18Like } from '../src/bench/models';
import { quantizeDynamic, quantizeStatic } from '../src/quant/api';
import { gemmPlan, randomGemm } from './support/gemm';
import { rng } from './support/random';

interface Model {
  name: string;
  graph: Graph;
  /** A distinct input per seed. */
  feeds(seed: number): Record<string, Tensor>;
}

const image = (size: number, batch = 1) => (seed: number) => {
  const r = rng(seed);
  return { input: new Tensor('float32', Float32Array.from({ length: batch * 3 * size * size }, () => r.float(-2, 2)), [batch, 3, size, size]) };
};
const tokens = (length: number) => (seed: number) => {
  const r = rng(seed);
  return { input_ids: new Tensor('int64', BigInt64Array.from({ length }, () => BigInt(r.int(0, 999))), [1, length]) };
};

const NAMES = ['resnet18Like fp32', 'resnet18Like int8 QDQ', 'mobilenetV2Like int8 QDQ', 'bertLike int8 dynamic'] as const;

async function models(): Promise<Model[]> {
  const calibration = (f: (s: number) => Record<string, Tensor>) => Array.from({ length: 4 }, (_, i) => f(900 + i));
  const resnet = resnet18Like(1, 32, 10), mobilenet = mobilenetV2Like(2, 32, 10), bert = bertLike(3, 2, 64, 2);
  return [
    { name: NAMES[0], graph: resnet, feeds: image(32) },
    { name: NAMES[1], graph: (await quantizeStatic(resnet, { calibration: calibration(image(32)) })).graph!, feeds: image(32) },
    { name: NAMES[2], graph: (await quantizeStatic(mobilenet, { calibration: calibration(image(32)) })).graph!, feeds: image(32) },
    { name: NAMES[3], graph: (await quantizeDynamic(bert)).graph!, feeds: tokens(16) },
  ];
}

const configs = [
  { backend: 'native', threads: 1 },
  { backend: 'native', threads: 2 },
  { backend: 'wasm', threads: 1 },
];

const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
/** Every output of a run as bytes, in output-name order. */
const outputBytes = (out: Record<string, Tensor>) => Object.keys(out).sort().map((k) => bytes(out[k]));

function expectBitwiseEqual(got: Buffer[], want: Buffer[], what: string) {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => expect(g.equals(want[i]), `${what}: output ${i} differs`).toBe(true));
}

let all: Model[] = [];
const model = (name: string) => all.find((m) => m.name === name)!;
beforeAll(async () => {
  all = await models();
}, 120_000);

/** Each input's outputs from one run at a time on a session of its own. */
async function sequentialResults(m: Model, inputs: Record<string, Tensor>[], options: { backend: string; threads: number }): Promise<Buffer[][]> {
  const s = await Session.create(m.graph, options);
  const want: Buffer[][] = [];
  for (const feeds of inputs) want.push(outputBytes(await s.run(feeds)));
  s.release();
  return want;
}

describe.each(configs)('Session on $backend with $threads thread(s)', ({ backend, threads }) => {
  it.each(NAMES)('gives 100 concurrent runs the results of 100 sequential runs: %s', async (name) => {
    const m = model(name);
    const inputs = Array.from({ length: 100 }, (_, i) => m.feeds(i));
    const want = await sequentialResults(m, inputs, { backend, threads });
    // A fresh session: the concurrent runs also race to build the first specialisation.
    const concurrent = await Session.create(m.graph, { backend, threads });
    const got = await Promise.all(inputs.map((feeds) => concurrent.run(feeds).then(outputBytes)));
    concurrent.release();
    // Runs with different inputs must differ somewhere, or the comparison proves little.
    expect(want.some((w) => !w[0].equals(want[0][0])), `${m.name}: all inputs gave one output`).toBe(true);
    got.forEach((g, i) => expectBitwiseEqual(g, want[i], `${m.name} input ${i}`));
  });

  it.each([NAMES[0], NAMES[1], NAMES[3]])('settles every run in flight when released, then rejects later runs: %s', async (name) => {
    const m = model(name);
    const inputs = Array.from({ length: 24 }, (_, i) => m.feeds(i));
    const want = await sequentialResults(m, inputs, { backend, threads });

    // Released at three moments: before the first specialisation exists, right after runs were
    // queued, and while runs are executing (after a timer tick).
    const outcomes = { fulfilled: 0, rejected: 0 };
    for (const when of ['cold', 'queued', 'running'] as const) {
      const s = await Session.create(m.graph, { backend, threads });
      if (when !== 'cold') await s.run(inputs[0]); // specialised and warm
      const runs = inputs.map((feeds) => s.run(feeds).then(outputBytes));
      if (when === 'running') await new Promise((r) => setTimeout(r, 1));
      s.release();
      s.release(); // a second release is harmless
      const settled = await Promise.allSettled(runs);
      settled.forEach((r, i) => {
        if (r.status === 'fulfilled') expectBitwiseEqual(r.value, want[i], `${m.name} ${when} run ${i}`);
        else expect(r.reason, `${m.name} ${when} run ${i}`).toBeInstanceOf(ReleasedError);
      });
      settled.forEach((r) => outcomes[r.status]++);
      await expect(s.run(inputs[0])).rejects.toBeInstanceOf(ReleasedError);
    }
    // Runs started before release() finish (the plan outlives them); the check above is not vacuous.
    expect(outcomes.fulfilled, JSON.stringify(outcomes)).toBeGreaterThan(0);
  });
});

describe('native runs off the JavaScript thread', () => {
  it.each([NAMES[0], NAMES[1]])('keeps timers firing during long runs: %s', async (name) => {
    // A batch of 24 images makes one run long enough (tens of ms) to count timer ticks in.
    const m = { ...model(name), feeds: image(32, 24) };
    const s = await Session.create(m.graph, { backend: 'native', threads: 1 });
    const feeds = m.feeds(5);
    const t0 = performance.now();
    await s.run(feeds); // specialise and warm up, then time one run
    const t1 = performance.now();
    await s.run(feeds);
    const oneRun = performance.now() - t1;
    expect(oneRun, `one run took ${oneRun} ms (warm-up ${t1 - t0} ms)`).toBeGreaterThan(10);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    const start = performance.now();
    await Promise.all([s.run(feeds), s.run(feeds)]);
    const elapsed = performance.now() - start;
    clearInterval(timer);
    s.release();
    // A blocked loop sees at most a tick or two; a free one about elapsed / 2 ms. Timers are coarse
    // on a loaded 2-core box, so ask for a quarter of that.
    expect(ticks, `${ticks} ticks in ${elapsed} ms`).toBeGreaterThan(elapsed / 2 / 4);
  });
});

describe('native runs whose JavaScript environment goes away', () => {
  // A worker thread that is terminated (or exits) with runs in flight: Node completes the runs
  // during the worker's teardown, when no JavaScript can run. Settling their promises then must not
  // abort the process. Run in a child process so that an abort is a failed assertion, not a lost
  // test worker.
  it('survives worker threads terminated or exiting with runs in flight', () => {
    const root = packageRoot();
    const addon = process.env.INT8KIT_ADDON ? resolve(process.env.INT8KIT_ADDON) : createRequire(__filename)('node-gyp-build').path(root);
    const c = randomGemm(3, 128, 512, 512);
    const script = `
      const { Worker } = require('node:worker_threads');
      const [addon, plan, input] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      const child = \`
        const { workerData: w, parentPort } = require('node:worker_threads');
        const plan = new (require(w.addon).NativePlan)(Uint8Array.from(w.plan), 'scalar', 2);
        for (let i = 0; i < 6; i++) plan.run([Float32Array.from(w.input)]);
        if (w.exit) process.exit(0); else parentPort.postMessage('running');
      \`;
      (async () => {
        for (let i = 0; i < 10; i++) {
          const w = new Worker(child, { eval: true, workerData: { addon, plan, input, exit: i % 2 === 1 } });
          const exited = new Promise((r) => w.once('exit', r));
          if (i % 2 === 0) await new Promise((r) => w.once('message', r)), await w.terminate();
          await exited;
        }
        console.log('survived');
      })();`;
    const input = JSON.stringify([addon, [...encodePlan(gemmPlan(c))], [...c.a]]);
    const r = spawnSync(process.execPath, ['-e', script], { input, encoding: 'utf8', timeout: 120_000 });
    expect({ status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr.slice(-500) }).toEqual({ status: 0, signal: null, stdout: 'survived', stderr: '' });
  });
});

describe('Session.release frees every plan it created', () => {
  // The native backend behind a wrapper that counts plans created and not yet released (lowest
  // priority: only used when named).
  const live = new Set<BackendPlan>();
  registerBackend('counting-native', {
    async load() {
      const { backend } = await resolveBackend('native');
      return {
        info: () => backend.info(),
        createPlan(bytes, outputs, options) {
          const p = backend.createPlan(bytes, outputs, options);
          const h: BackendPlan = { isa: p.isa, run: (i) => p.run(i), memory: () => p.memory(), release: () => (live.delete(h), p.release()) };
          live.add(h);
          return h;
        },
      };
    },
  }, -1);
  const settle = async (runs: Promise<unknown>[]) => {
    const settled = await Promise.allSettled(runs);
    await new Promise((r) => setImmediate(r));
    for (const r of settled) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ReleasedError);
  };

  it('with runs in flight, before, during and after the first specialisation', async () => {
    const m = model(NAMES[1]);
    for (const when of ['cold', 'queued', 'running'] as const) {
      const s = await Session.create(m.graph, { backend: 'counting-native' });
      if (when !== 'cold') await s.run(m.feeds(0));
      const runs = Array.from({ length: 8 }, (_, i) => s.run(m.feeds(i)));
      if (when === 'running') await new Promise((r) => setTimeout(r, 1));
      s.release();
      await settle(runs);
      expect(live.size, when).toBe(0);
    }
  });

  // A graph input used as a constant (Reshape's shape) makes the first run specialise twice: once to
  // learn which inputs to bind, again with their values. Released in between, Session must not build
  // the second specialisation (its plan would never be released).
  it('when released while the first run binds inputs', async () => {
    const graph: Graph = {
      opset: 17,
      inputs: [{ name: 'x', type: { dtype: 'float32', shape: [2, 3] } }, { name: 'shape', type: { dtype: 'int64', shape: [2] } }],
      outputs: [{ name: 'y' }],
      initializers: new Map(),
      valueInfo: new Map(),
      nodes: [{ name: 'r', opType: 'Reshape', domain: '', inputs: ['x', 'shape'], outputs: ['y'], attrs: {} }],
    };
    const s = await Session.create(graph, { backend: 'counting-native' });
    const run = s.run({ x: new Tensor('float32', Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]), shape: new Tensor('int64', BigInt64Array.of(3n, 2n), [2]) });
    s.release();
    await settle([run]);
    expect(live.size).toBe(0);
  });
});

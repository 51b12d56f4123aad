// No leaks: 10,000 runs on one session and 100 create/release cycles keep resident memory flat
// (after a warm-up, with garbage collected), on the native and wasm backends; the wasm heap (which
// never shrinks) stops growing, and plans dropped without release() are freed when collected.
// The figures for a 224x224 model: scripts/bench-memory.cjs.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlanSession, Session, Tensor, type Graph, type Node, type TensorData } from '../src';
import { resolveBackend } from '../src/backends/registry';
import { quantizeStatic } from '../src/quant/api';
import { qgemmPlan, randomQGemm } from './support/gemm';
import { rng } from './support/random';

/** global.gc, exposed at run time when node was not started with --expose-gc. */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = collector();
const MB = 1 << 20;

/** Resident bytes after collecting garbage (twice: finalizers free native memory in between). */
async function rss(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().rss;
}

async function wasmHeapBytes(): Promise<number> {
  const { backend } = await resolveBackend('wasm');
  return (backend as unknown as { heapBytes(): number }).heapBytes();
}

const image = (seed: number) => {
  const r = rng(seed);
  return { input: new Tensor('float32', Float32Array.from({ length: 3 * 32 * 32 }, () => r.float(-2, 2)), [1, 3, 32, 32]) };
};

/**
 * A small net that runs in about a millisecond but carries a 2048 x 1024 weight (2 MB in int8)
 * and has 12 KB of input and 8 KB of output, so a plan left behind per cycle, or a buffer per run,
 * would show: Conv 3->16 + Relu, GlobalAveragePool, Gemm 16->1024 + Relu, Gemm 1024->2048.
 */
function smallNet(): Graph {
  const r = rng(11);
  const init = new Map<string, TensorData>();
  const weight = (name: string, dims: number[], scale: number) => {
    init.set(name, { dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b) }, () => r.float(-scale, scale)) });
    return name;
  };
  const node = (opType: string, inputs: string[], attrs: Node['attrs'] = {}): Node => ({ name: `${opType}_${inputs[0]}`, opType, domain: '', inputs, outputs: [`${opType}_${inputs[0]}`], attrs });
  const nodes: Node[] = [];
  const op = (opType: string, inputs: string[], attrs: Node['attrs'] = {}) => (nodes.push(node(opType, inputs, attrs)), nodes[nodes.length - 1].outputs[0]);
  let x = op('Relu', [op('Conv', ['input', weight('w0', [16, 3, 3, 3], 0.3), weight('b0', [16], 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]);
  x = op('Flatten', [op('GlobalAveragePool', [x])], { axis: 1 });
  x = op('Relu', [op('Gemm', [x, weight('w1', [1024, 16], 0.25), weight('b1', [1024], 0.1)], { transB: 1 })]);
  x = op('Gemm', [x, weight('w2', [2048, 1024], 0.03), weight('b2', [2048], 0.1)], { transB: 1 });
  return { opset: 17, nodes, initializers: init, valueInfo: new Map(), inputs: [{ name: 'input', type: { dtype: 'float32', shape: [1, 3, 32, 32] } }], outputs: [{ name: x }] };
}

/**
 * Memory at the warm-up mark and after each third of `steps` steps: growth after warm-up stays under
 * a generous bound, and one of the last two thirds grows less than `slack` / 2. A leak grows every
 * third alike; the allocator's high-water mark rises in steps (8 runs in flight take their scratch
 * from different heaps), and one such step can land in any third: 48,000 runs measured flat after
 * the first few thousand, with single steps of 2-20 MB at random times.
 */
async function expectFlat(what: string, steps: number, step: (i: number) => Promise<void>, probe: () => Promise<number>, bound: number, slack: number) {
  const warm = Math.max(1, Math.floor(steps / 20));
  for (let i = 0; i < warm; i++) await step(i);
  const marks = [await probe()];
  const thirds = [1, 2].map((k) => warm + Math.floor(((steps - warm) * k) / 3) - 1);
  for (let i = warm; i < steps; i++) {
    await step(i);
    if (thirds.includes(i)) marks.push(await probe());
  }
  marks.push(await probe());
  const report = `${what}: ${marks.map((m) => (m / MB).toFixed(1)).join(' -> ')} MB`;
  if (process.env.INT8KIT_MEMORY_REPORT) console.log(report);
  expect(marks[3] - marks[0], report).toBeLessThan(bound);
  expect(Math.min(marks[2] - marks[1], marks[3] - marks[2]), report).toBeLessThan(slack / 2);
  return marks;
}

let quantized: Graph;
beforeAll(async () => {
  quantized = (await quantizeStatic(smallNet(), { calibration: Array.from({ length: 4 }, (_, i) => image(900 + i)) })).graph!;
}, 60_000);

describe.each(['native', 'wasm'])('memory on %s', (backend) => {
  it('stays flat over 10,000 runs of one session', async () => {
    const s = await Session.create(quantized, { backend });
    const inputs = Array.from({ length: 8 }, (_, i) => image(i));
    // Eight runs in flight at a time: concurrent runs take their own scratch memory.
    await expectFlat(`${backend} 10,000 runs RSS`, 1250, async () => void (await Promise.all(inputs.map((f) => s.run(f)))), rss, 48 * MB, 16 * MB);
    s.release();
  });

  it('stays flat over 100 create/run/release cycles', async () => {
    const feeds = image(1);
    const cycle = async () => {
      const s = await Session.create(quantized, { backend });
      await s.run(feeds);
      s.release();
    };
    await expectFlat(`${backend} 100 create/release RSS`, 100, cycle, rss, 64 * MB, 32 * MB);
  });
});

describe('the wasm heap', () => {
  // Plans whose weights are large (1 MB and 4 MB of int8), so that a plan left in the heap shows.
  const small = randomQGemm(7, 1, 1024, 1024), large = randomQGemm(8, 1, 2048, 2048);

  it('stops growing over create/release cycles', async () => {
    const cycle = async () => {
      const s = await PlanSession.create(qgemmPlan(small), { backend: 'wasm' });
      await s.run([small.a]);
      s.release();
    };
    // 100 leaked plans would need > 100 MB.
    const marks = await expectFlat('wasm heap, 100 create/release', 100, cycle, wasmHeapBytes, 16 * MB, 1);
    expect(marks[3]).toBe(marks[1]); // not a byte after the first third
  });

  it('frees plans dropped without release() once they are collected', async () => {
    const before = await wasmHeapBytes();
    for (let i = 0; i < 30; i++) {
      const s = await PlanSession.create(qgemmPlan(large), { backend: 'wasm' });
      await s.run([large.a]);
      if (i % 5 === 4) await rss(); // collect: the finalizers free the dropped plans
    }
    // 30 plans kept would need > 120 MB.
    expect((await wasmHeapBytes()) - before).toBeLessThan(64 * MB);
  });
});

// prepare() and calibrate(): where observers go on ResNet- and MobileNet-shaped graphs, and that the
// tensors calibration streams into them are the model's true intermediate values (onnxruntime-node
// computes the same values from the original graph, with those values added as outputs).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Tensor, graphToOnnx, writeModel, InvalidArgumentError, type Graph } from '../src';
import { mobilenetV2Like, resnet18Like } from '../src/bench/models';
import { prepare, type ActivationObserver } from '../src/quant/prepare';
import { calibrate, CalibrationAbortedError } from '../src/quant/calibrate';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');

/** Keeps every tensor it sees (tests only: real observers keep O(bins) state). */
class Recorder implements ActivationObserver {
  seen: { data: Float32Array; shape: number[] }[] = [];
  constructor(readonly values: readonly string[]) {}
  observe(x: Float32Array, shape: readonly number[]) {
    this.seen.push({ data: Float32Array.from(x), shape: [...shape] });
  }
  calculateQParams(): never {
    throw new Error('not used by these tests');
  }
}

const image = (seed: number, size: number) => {
  const r = rng(seed);
  return new Tensor('float32', Float32Array.from({ length: 3 * size * size }, () => r.float(-2, 2)), [1, 3, size, size]);
};

const producers = (g: Graph) => new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));

describe('prepare', () => {
  const p = prepare(resnet18Like(1, 32, 10), { observer: (v) => new Recorder(v) });
  const made = producers(p.graph);

  it('folds BatchNormalization and fuses Conv/Add with the Relu after them', () => {
    expect(p.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const convs = p.graph.nodes.filter((n) => n.opType === 'Conv');
    expect(convs.length).toBe(20);
    // Every Conv followed by Relu is fused, and so is each residual Add + Relu.
    for (const [name, act] of p.fusedActivations) {
      const node = p.graph.nodes.find((n) => n.name === name)!;
      expect(act.opType).toBe('Relu');
      expect(act.inputs[0]).toBe(node.outputs[0]);
      expect(p.groupOf.has(node.outputs[0])).toBe(false); // observed after the activation only
      expect(p.groupOf.has(act.outputs[0])).toBe(true);
    }
    expect([...p.fusedActivations.keys()].filter((n) => made.get(p.graph.nodes.find((x) => x.name === n)!.outputs[0])?.opType === 'Add').length).toBe(8);
    expect(p.fusedActivations.size).toBe(9 + 8); // stem + 8 first convs of the blocks; 8 Adds
  });

  it('gives MaxPool and Flatten their input\'s parameters, and quantizes every Conv and Gemm input', () => {
    const pool = p.graph.nodes.find((n) => n.opType === 'MaxPool')!;
    expect(p.groupOf.get(pool.outputs[0])).toBe(p.groupOf.get(pool.inputs[0]));
    const flatten = p.graph.nodes.find((n) => n.opType === 'Flatten')!;
    expect(p.groupOf.get(flatten.outputs[0])).toBe(p.groupOf.get(flatten.inputs[0]));
    for (const n of p.graph.nodes.filter((x) => x.opType === 'Conv' || x.opType === 'Gemm')) {
      expect(p.quantizedNodes.has(n.name)).toBe(true);
      expect(p.groupOf.has(n.inputs[0])).toBe(true);
      expect(p.groupOf.has(n.inputs[1])).toBe(false); // weights: quantized from their values
    }
    expect(p.observers.length).toBe(p.groups.length);
  });

  it('shares one group across a Concat\'s inputs and output', () => {
    const g: Graph = {
      nodes: [
        { name: 'a', opType: 'Relu', domain: '', inputs: ['x'], outputs: ['r'], attrs: {} },
        { name: 'c', opType: 'Concat', domain: '', inputs: ['x', 'r'], outputs: ['y'], attrs: { axis: 1 } },
      ],
      inputs: [{ name: 'x', type: { dtype: 'float32', shape: [1, 2] } }],
      outputs: [{ name: 'y' }],
      initializers: new Map(),
      valueInfo: new Map(),
      opset: 13,
    };
    const q = prepare(g, { observer: (v) => new Recorder(v) });
    expect(q.groups.length).toBe(1);
    expect(new Set(q.groups[0])).toEqual(new Set(['x', 'r', 'y']));
  });

  it('keeps excluded nodes and op types in float', () => {
    const all = prepare(mobilenetV2Like(2, 32, 10), { observer: (v) => new Recorder(v) });
    const q = prepare(mobilenetV2Like(2, 32, 10), { observer: (v) => new Recorder(v), exclude: { opTypes: ['Add'], nodes: [all.graph.nodes.find((n) => n.opType === 'Gemm')!.name] } });
    expect([...q.quantizedNodes].some((n) => q.graph.nodes.find((x) => x.name === n)!.opType === 'Add')).toBe(false);
    expect(q.quantizedNodes.size).toBe(all.quantizedNodes.size - 10 - 1);
    expect(() => prepare(resnet18Like(1, 32, 10), { observer: (v) => new Recorder(v), exclude: { nodes: ['nope'] } })).toThrow(InvalidArgumentError);
  });
});

describe('calibrate', () => {
  it('streams the true intermediate values of every sample into the observers (checked against onnxruntime)', async () => {
    const graph = mobilenetV2Like(2, 32, 10);
    const p = prepare(graph, { observer: (v) => new Recorder(v) });
    const samples = [image(1, 32), image(2, 32), image(3, 32)];
    const progress: number[] = [];
    const n = await calibrate(p, (function* () { for (const s of samples) yield { input: s }; })(), { onProgress: (k) => progress.push(k) });
    expect(n).toBe(3);
    expect(progress).toEqual([1, 2, 3]);
    // onnxruntime on the prepared graph with every observed value as an output.
    const observed = [...p.groupOf.keys()].filter((v) => v !== 'input');
    const withTaps: Graph = { ...p.graph, outputs: [...p.graph.outputs, ...observed.filter((v) => !p.graph.outputs.some((o) => o.name === v)).map((name) => ({ name }))] };
    const ref = await ort.InferenceSession.create(writeModel(graphToOnnx(withTaps)), { intraOpNumThreads: 1 });
    for (const [k, s] of samples.entries()) {
      const want = await ref.run({ input: new ort.Tensor('float32', s.data, s.dims) });
      for (const [gi, group] of p.groups.entries()) {
        const rec = p.observers[gi] as Recorder;
        // Each sample adds one tensor per member value, in the order calibrate visits them.
        const members = group.filter((v) => v === 'input' || want[v]);
        expect(rec.seen.length).toBe(members.length * samples.length);
        for (const [m, v] of members.entries()) {
          const got = rec.seen[k * members.length + m];
          const w = v === 'input' ? s.data as Float32Array : want[v].data as Float32Array;
          expect(got.data.length).toBe(w.length);
          const scale = Math.max(1e-6, ...Array.from(w, Math.abs));
          let worst = 0;
          for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - got.data[i]));
          expect(worst / scale).toBeLessThanOrEqual(1e-4);
        }
      }
    }
  }, 120_000);

  it('accepts async iterables, stops on abort, and rejects empty or non-iterable data', async () => {
    const p = prepare(resnet18Like(1, 32, 10), { observer: (v) => new Recorder(v) });
    async function* feeds(k: number) { for (let i = 0; i < k; i++) yield { input: image(10 + i, 32) }; }
    expect(await calibrate(p, feeds(2))).toBe(2);
    const ac = new AbortController();
    await expect(calibrate(p, feeds(5), { onProgress: (k) => k === 2 && ac.abort(), signal: ac.signal })).rejects.toThrow(CalibrationAbortedError);
    await expect(calibrate(p, feeds(0))).rejects.toThrow(InvalidArgumentError);
    await expect(calibrate(p, 42 as never)).rejects.toThrow(InvalidArgumentError);
  }, 120_000);
});

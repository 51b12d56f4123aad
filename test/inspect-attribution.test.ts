// Attribution ("the layers most responsible for the output error") on the real MNIST CNN: a layer
// whose output scale is made 100x too coarse ranks first, its only-this-layer output SQNR collapses
// while the others stay put, and the cumulative view ends at the whole QDQ model's output SQNR.
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor, inspect, quantizeStatic, type Graph, type InspectResult } from '../src';
import { loadMnistSplit } from '../src/data/mnist';

const fpPath = join(resolve(__dirname, '..'), 'assets', 'mnist-cnn.onnx');
const digits = loadMnistSplit('calibration');
const samples = Array.from({ length: 32 }, (_, i) => ({ input: new Tensor('float32', digits.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));

/** A copy of `g` where the Q/DQ pair on `value` (only that one) uses a scale `factor` times its own. */
function coarsen(g: Graph, value: string, factor: number): Graph {
  const q = g.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === value)!;
  const dq = g.nodes.find((n) => n.opType === 'DequantizeLinear' && n.inputs[0] === q.outputs[0])!;
  const s = g.initializers.get(q.inputs[1])!;
  const initializers = new Map(g.initializers).set('coarse_scale', { ...s, data: Float32Array.from(s.data as Float32Array, (v) => v * factor) });
  const nodes = g.nodes.map((n) => (n === q || n === dq ? { ...n, inputs: [n.inputs[0], 'coarse_scale', n.inputs[2]] } : n));
  return { ...g, nodes, initializers };
}

describe('inspect attribution on the MNIST CNN', () => {
  let good: InspectResult, broken: InspectResult;
  const target = '/features/features.4/Conv';
  beforeAll(async () => {
    const qdq = (await quantizeStatic(fpPath, { calibration: samples })).graph!;
    good = await inspect(fpPath, qdq, samples);
    // The second conv's own output pair (its Relu), not the MaxPool pair that shares the scale.
    broken = await inspect(fpPath, coarsen(qdq, '/features/features.6/Relu_output_0', 100), samples);
  });

  it('ranks every layer, and a healthy model has no layer far below the rest', () => {
    expect(good.ranking).toHaveLength(4);
    const s = good.layers.map((l) => l.onlyThisLayerSqnr!);
    expect(Math.min(...s)).toBeGreaterThan(30);
    expect(good.ranking[0]).not.toBe(target);
  });

  it('a layer with a 100x too coarse output scale ranks first, far below the others', () => {
    expect(broken.ranking[0]).toBe(target);
    const bad = broken.layers.find((l) => l.name === target)!;
    const others = broken.layers.filter((l) => l !== bad);
    expect(bad.onlyThisLayerSqnr!).toBeLessThan(Math.min(...others.map((l) => l.onlyThisLayerSqnr!)) - 15);
    // The other layers' attribution does not move: only the coarse pair changed.
    for (const l of others) expect(l.onlyThisLayerSqnr!).toBeCloseTo(good.layers.find((x) => x.name === l.name)!.onlyThisLayerSqnr!, 6);
    // Its activation SQNR shows the same, and the coarse range covers far more than was observed.
    expect(bad.activation!.sqnr).toBeLessThan(good.layers[1].activation!.sqnr - 20);
    expect(bad.range!.chosen![1]).toBeGreaterThan(50 * bad.range!.observed[1]);
  });

  it('the cumulative output SQNR with every layer quantized equals the whole QDQ model\'s', () => {
    for (const r of [good, broken]) expect(r.layers[r.layers.length - 1].cumulativeSqnr!).toBeCloseTo(r.output.simulateSqnr, 6);
    // Quantizing more layers does not make the output more faithful by much (noise adds up).
    expect(good.layers[3].cumulativeSqnr!).toBeLessThan(good.layers[0].cumulativeSqnr! + 1);
  });
});

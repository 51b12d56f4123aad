// Graph passes keep outputs identical: each graph runs with and without them on the same inputs.
import { describe, expect, it } from 'vitest';
import { Session, Tensor, optimize, type Graph, type Node, type TensorData } from '../src';
import { rng } from './support/random';

const node = (opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node =>
  ({ name: outputs[0], opType, domain: '', inputs, outputs, attrs });
const f32 = (dims: number[], r: ReturnType<typeof rng>, lo = -1, hi = 1): TensorData =>
  ({ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r.float(lo, hi)) });

/** x -> Conv -> BN -> act -> Identity -> Conv(depthwise) -> BN -> Clip(0, 6) -> Dropout -> y, plus a dead branch. */
function cnn(act: string): Graph {
  const r = rng(11);
  const init = new Map<string, TensorData>([
    ['w1', f32([8, 3, 3, 3], r)], ['b1', f32([8], r)],
    ['g1', f32([8], r, 0.5, 1.5)], ['be1', f32([8], r)], ['m1', f32([8], r)], ['v1', f32([8], r, 0.5, 2)],
    ['w2', f32([8, 1, 3, 3], r)],
    ['g2', f32([8], r, 0.5, 1.5)], ['be2', f32([8], r)], ['m2', f32([8], r)], ['v2', f32([8], r, 0.5, 2)],
    ['lo', { dtype: 'float32', dims: [], data: Float32Array.of(0) }], ['hi', { dtype: 'float32', dims: [], data: Float32Array.of(6) }],
  ]);
  return {
    opset: 17, initializers: init, valueInfo: new Map(),
    inputs: [{ name: 'x', type: { dtype: 'float32', shape: [1, 3, 16, 16] } }],
    outputs: [{ name: 'y' }],
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: [1, 1, 1, 1] }),
      node('BatchNormalization', ['c1', 'g1', 'be1', 'm1', 'v1'], ['n1'], { epsilon: 1e-5 }),
      node(act, ['n1'], ['a1'], act === 'LeakyRelu' ? { alpha: 0.1 } : {}),
      node('Identity', ['a1'], ['i1']),
      node('Conv', ['i1', 'w2'], ['c2'], { group: 8, pads: [1, 1, 1, 1], strides: [2, 2] }),
      node('BatchNormalization', ['c2', 'g2', 'be2', 'm2', 'v2'], ['n2']),
      node('Clip', ['n2', 'lo', 'hi'], ['a2']),
      node('Dropout', ['a2'], ['y']),
      node('Relu', ['c1'], ['dead']),
    ],
  };
}

describe('graph passes', () => {
  it.each(['Relu', 'LeakyRelu', 'Sigmoid', 'HardSwish'])('keep the outputs of a Conv-BN-%s network', async (act) => {
    const g = cnn(act);
    const changes = optimize(structuredClone(g));
    expect(changes).toMatchObject({ removeIdentities: 1, foldBatchNorm: 2, fuseActivations: 2 });
    const r = rng(5);
    const x = new Tensor('float32', Float32Array.from({ length: 3 * 16 * 16 }, () => r.float(-2, 2)), [1, 3, 16, 16]);
    const plain = await Session.create(g, { optimize: false });
    const opt = await Session.create(g);
    const [a, b] = [(await plain.run({ x })).y.data, (await opt.run({ x })).y.data] as Float32Array[];
    const scale = Math.max(...Array.from(a, Math.abs));
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-5 * scale));
  });
});

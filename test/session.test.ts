// Session on hand-built graphs: shape chains folded before running (Shape -> Gather -> Unsqueeze
// -> Concat -> Reshape, as exporters emit), dynamic batch (one specialisation per input shape),
// and the errors a bad graph or bad feeds get.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidGraphError, ReleasedError, Session, Tensor, UnsupportedOpError, type Graph, type Node, type TensorData } from '../src';
import { rng } from './support/random';

const i64 = (...v: number[]) => ({ dtype: 'int64' as const, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });
const node = (opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}, name = outputs[0]): Node =>
  ({ name, opType, domain: '', inputs, outputs, attrs });

/** y = reshape(x, [batch, 6]) x W + b, with the target shape computed from x's shape in-graph. */
function mlp(k = 6, n = 5): { graph: Graph; w: Float32Array; b: Float32Array } {
  const r = rng(3);
  const w = Float32Array.from({ length: k * n }, () => r.float(-1, 1));
  const b = Float32Array.from({ length: n }, () => r.float(-1, 1));
  const graph: Graph = {
    opset: 17,
    inputs: [{ name: 'x', type: { dtype: 'float32', shape: ['batch', 2, 3] } }],
    outputs: [{ name: 'y' }, { name: 'six' }],
    initializers: new Map<string, TensorData>([
      ['W', { dtype: 'float32', dims: [k, n], data: w }],
      ['bias', { dtype: 'float32', dims: [n], data: b }],
      ['zero', { dtype: 'int64', dims: [], data: BigInt64Array.of(0n) }], // a scalar index, as exporters write it
      ['axes0', i64(0)],
      ['six', i64(6)],
    ]),
    valueInfo: new Map(),
    nodes: [
      node('Shape', ['x'], ['xs']),
      node('Gather', ['xs', 'zero'], ['batch'], { axis: 0 }),
      node('Unsqueeze', ['batch', 'axes0'], ['batch1']),
      node('Concat', ['batch1', 'six'], ['target'], { axis: 0 }),
      node('Reshape', ['x', 'target'], ['x2']),
      node('Gemm', ['x2', 'W', 'bias'], ['y']),
    ],
  };
  return { graph, w, b };
}

function reference(x: Float32Array, batch: number, w: Float32Array, b: Float32Array, k = 6, n = 5): number[] {
  const out: number[] = [];
  for (let i = 0; i < batch; i++)
    for (let j = 0; j < n; j++) {
      let s = b[j];
      for (let q = 0; q < k; q++) s += x[i * k + q] * w[q * n + j];
      out.push(s);
    }
  return out;
}

describe.each(['native', 'wasm'])('Session on the %s backend', (backend) => {
  it('folds shape computations and runs each batch size through its own specialisation', async () => {
    const { graph, w, b } = mlp();
    const s = await Session.create(graph, { backend });
    expect(s.inputNames).toEqual(['x']);
    expect(s.outputNames).toEqual(['y', 'six']);
    expect(s.inputMetadata[0]).toEqual({ name: 'x', type: 'float32', shape: ['batch', 2, 3] });
    for (const batch of [1, 7, 1, 3]) {
      const r = rng(batch);
      const x = Float32Array.from({ length: batch * 6 }, () => r.float(-1, 1));
      const out = await s.run({ x: new Tensor('float32', x, [batch, 2, 3]) });
      expect(out.y.dims).toEqual([batch, 5]);
      const want = reference(x, batch, w, b);
      Array.from(out.y.data as Float32Array).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
      expect(Array.from(out.six.data as BigInt64Array)).toEqual([6n]); // an output that folded to a constant
    }
    s.release();
    await expect(s.run({ x: new Tensor('float32', new Float32Array(6), [1, 2, 3]) })).rejects.toThrow(ReleasedError);
  });

  it('rejects bad feeds with messages naming the input', async () => {
    const s = await Session.create(mlp().graph, { backend });
    await expect(s.run({})).rejects.toThrow(/a Tensor for input x/);
    await expect(s.run({ x: new Tensor('float32', new Float32Array(6), [1, 2, 3]), z: new Tensor('float32', [1]) })).rejects.toThrow(/inputs named among x/);
    await expect(s.run({ x: new Tensor('int32', new Int32Array(6), [1, 2, 3]) })).rejects.toThrow(/a float32 tensor for input x but received "int32 tensor"/);
    await expect(s.run({ x: new Tensor('float32', new Float32Array(6), [1, 3, 2]) })).rejects.toThrow(InvalidArgumentError);
    await expect(s.run({ x: new Tensor('float32', new Float32Array(6), [1, 3, 2]) })).rejects.toThrow(/dims \[batch,2,3\] for input x but received "dims \[1,3,2\]"/);
    s.release();
  });
});

describe('graph errors', () => {
  const base = () => mlp().graph;
  const staticInput = (g: Graph) => ((g.inputs[0].type.shape = [2, 2, 3]), g);

  it('names an unsupported op, its node and the opset before running', async () => {
    const g = staticInput(base());
    g.nodes.push(node('Frobnicate', ['y'], ['z'], {}, 'frob_1'));
    g.outputs.push({ name: 'z' });
    await expect(Session.create(g)).rejects.toThrow(UnsupportedOpError);
    await expect(Session.create(g)).rejects.toThrow(/node "frob_1" \(Frobnicate\) \(opset 17\)/);
  });

  it('names a missing initializer', async () => {
    const g = staticInput(base());
    g.initializers.delete('W');
    await expect(Session.create(g)).rejects.toThrow(/node "y" \(Gemm\) reads "W", which no node, input or initializer provides/);
  });

  it('names a cycle', async () => {
    const g = staticInput(base());
    g.nodes[0].inputs = ['y'];
    await expect(Session.create(g)).rejects.toThrow(InvalidGraphError);
    await expect(Session.create(g)).rejects.toThrow(/cycle through/);
  });

  it('names inconsistent shapes with the node and its inputs', async () => {
    const g = staticInput(base());
    g.initializers.set('six', i64(4));
    await expect(Session.create(g)).rejects.toThrow(/node "x2" \(Reshape\) with inputs x: float32\[2,2,3\].*expected a shape with 12 elements/);
  });
});

describe('ops the shape rules know but no kernel implements', () => {
  it('are UnsupportedOpErrors naming the node and opset', async () => {
    // ConstantOfShape is folded up to 65,536 elements; a larger one reaches the plan, and no
    // backend has a kernel for it.
    const g: Graph = {
      opset: 17, valueInfo: new Map(),
      initializers: new Map<string, TensorData>([['shape', { dtype: 'int64', dims: [2], data: BigInt64Array.of(300n, 300n) }]]),
      inputs: [{ name: 'x', type: { dtype: 'float32', shape: [300, 300] } }], outputs: [{ name: 'y' }],
      nodes: [node('ConstantOfShape', ['shape'], ['zeros'], {}, 'fill'), node('Add', ['x', 'zeros'], ['y'])],
    };
    await expect(Session.create(g)).rejects.toThrow(UnsupportedOpError);
    await expect(Session.create(g)).rejects.toThrow(/node "fill" \(ConstantOfShape\) \(opset 17\) has no kernel/);
  });
});

// Each lowering rule on its own: a hand-written QDQ chain (DequantizeLinear -> op -> QuantizeLinear,
// u8 and s8, random parameters) runs on int8kit lowered to integer ops and in onnxruntime-node as
// written (float op between the pairs). The codes must agree: identical, or one step apart where
// the float op itself rounds differently (a table computed in double vs onnxruntime's float).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Session, Tensor, graphToOnnx, writeModel, type Graph, type Node, type TensorData } from '../src';
import { lowerQdq } from '../src/graph/lower-qdq';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');
type Q = 'uint8' | 'int8';

interface Chain {
  /** The float op(s) between DequantizeLinear of the inputs and QuantizeLinear of the output. */
  ops: (x: string[]) => Omit<Node, 'name' | 'domain'>[];
  inputs: number;
  /** The integer op the lowering must produce. */
  lowered: string;
  /** Output parameters equal to the input's (ops that move codes). */
  sameParams?: boolean;
  floats?: Record<string, TensorData>;
  exact?: boolean;
}

const f32 = (v: number): TensorData => ({ dtype: 'float32', dims: [], data: Float32Array.of(v) });
const CHAINS: Record<string, Chain> = {
  Tanh: { ops: ([x]) => [{ opType: 'Tanh', inputs: [x], outputs: ['y'], attrs: {} }], inputs: 1, lowered: 'QLinearLookup' },
  Sigmoid: { ops: ([x]) => [{ opType: 'Sigmoid', inputs: [x], outputs: ['y'], attrs: {} }], inputs: 1, lowered: 'QLinearLookup' },
  HardSwish: { ops: ([x]) => [{ opType: 'HardSwish', inputs: [x], outputs: ['y'], attrs: {} }], inputs: 1, lowered: 'QLinearLookup' },
  LeakyRelu: { ops: ([x]) => [{ opType: 'LeakyRelu', inputs: [x], outputs: ['y'], attrs: { alpha: 0.1 } }], inputs: 1, lowered: 'QLinearLookup' },
  Elu: { ops: ([x]) => [{ opType: 'Elu', inputs: [x], outputs: ['y'], attrs: {} }], inputs: 1, lowered: 'QLinearLookup' },
  'Clip(-0.5, 0.7)': { ops: ([x]) => [{ opType: 'Clip', inputs: [x, 'lo', 'hi'], outputs: ['y'], attrs: {} }], inputs: 1, lowered: 'QLinearLookup', floats: { lo: f32(-0.5), hi: f32(0.7) } },
  Add: { ops: ([a, b]) => [{ opType: 'Add', inputs: [a, b], outputs: ['y'], attrs: {} }], inputs: 2, lowered: 'QLinearAdd' },
  'Add + Relu': { ops: ([a, b]) => [{ opType: 'Add', inputs: [a, b], outputs: ['s'], attrs: {} }, { opType: 'Relu', inputs: ['s'], outputs: ['y'], attrs: {} }], inputs: 2, lowered: 'QLinearAdd' },
  Mul: { ops: ([a, b]) => [{ opType: 'Mul', inputs: [a, b], outputs: ['y'], attrs: {} }], inputs: 2, lowered: 'QLinearMul' },
  AveragePool: { ops: ([x]) => [{ opType: 'AveragePool', inputs: [x], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } }], inputs: 1, lowered: 'QLinearAveragePool' },
  GlobalAveragePool: { ops: ([x]) => [{ opType: 'GlobalAveragePool', inputs: [x], outputs: ['y'], attrs: {} }], inputs: 1, lowered: 'QLinearGlobalAveragePool' },
  MaxPool: { ops: ([x]) => [{ opType: 'MaxPool', inputs: [x], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } }], inputs: 1, lowered: 'MaxPool', sameParams: true, exact: true },
  Transpose: { ops: ([x]) => [{ opType: 'Transpose', inputs: [x], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } }], inputs: 1, lowered: 'Transpose', sameParams: true, exact: true },
  Flatten: { ops: ([x]) => [{ opType: 'Flatten', inputs: [x], outputs: ['y'], attrs: { axis: 1 } }], inputs: 1, lowered: 'Flatten', sameParams: true, exact: true },
};

const SHAPE = [1, 6, 10, 10];

function chainGraph(c: Chain, dtype: Q, r: ReturnType<typeof rng>): Graph {
  const init = new Map<string, TensorData>(Object.entries(c.floats ?? {}));
  const zp = (v: number): TensorData => ({ dtype, dims: [], data: dtype === 'uint8' ? Uint8Array.of(v) : Int8Array.of(v) });
  const param = (name: string) => {
    init.set(`${name}_s`, f32(0.01 + r.next() * 0.05));
    init.set(`${name}_z`, zp(dtype === 'uint8' ? 60 + Math.floor(r.next() * 120) : Math.floor(r.next() * 100) - 50));
    return [`${name}_s`, `${name}_z`];
  };
  const nodes: Node[] = [];
  const add = (n: Omit<Node, 'name' | 'domain'>) => nodes.push({ ...n, name: `n${nodes.length}`, domain: '' });
  const xs: string[] = [];
  const first = param('x0');
  for (let i = 0; i < c.inputs; i++) {
    const p = i === 0 ? first : param(`x${i}`);
    add({ opType: 'QuantizeLinear', inputs: [`in${i}`, ...p], outputs: [`q${i}`], attrs: {} });
    add({ opType: 'DequantizeLinear', inputs: [`q${i}`, ...p], outputs: [`d${i}`], attrs: {} });
    xs.push(`d${i}`);
  }
  c.ops(xs).forEach(add);
  const out = c.sameParams ? first : param('y');
  add({ opType: 'QuantizeLinear', inputs: ['y', ...out], outputs: ['yq'], attrs: {} });
  add({ opType: 'DequantizeLinear', inputs: ['yq', ...out], outputs: ['out'], attrs: {} });
  const inputs = Array.from({ length: c.inputs }, (_, i) => ({ name: `in${i}`, type: { dtype: 'float32' as const, shape: SHAPE } }));
  return { opset: 17, nodes, initializers: init, valueInfo: new Map(), inputs, outputs: [{ name: 'out' }] };
}

describe.each(Object.entries(CHAINS))('%s', (_, c) => {
  it.each(['uint8', 'int8'] as Q[])('%s: lowered to its integer op, codes as onnxruntime computes them', async (dtype) => {
    const r = rng(7);
    const g = chainGraph(c, dtype, r);
    const bytes = writeModel(graphToOnnx(g));
    const copy = chainGraph(c, dtype, rng(7));
    expect(Object.keys(lowerQdq(copy))).toEqual([c.lowered]);
    const feeds = Array.from({ length: c.inputs }, () => Float32Array.from({ length: 600 }, () => r.float(-3, 3)));
    const s = await Session.create(bytes);
    const ours = (await s.run(Object.fromEntries(feeds.map((f, i) => [`in${i}`, new Tensor('float32', f, SHAPE)]))))['out'].data as Float32Array;
    s.release();
    const o = await ort.InferenceSession.create(bytes);
    const theirs = (await o.run(Object.fromEntries(feeds.map((f, i) => [`in${i}`, new ort.Tensor('float32', f, SHAPE)]))))['out'].data as Float32Array;
    const step = (g.initializers.get(g.nodes.at(-1)!.inputs[1])!.data as Float32Array)[0];
    const diff = Array.from(ours, (v, i) => Math.round(Math.abs(v - theirs[i]) / step));
    expect(Math.max(...diff)).toBeLessThanOrEqual(c.exact ? 0 : 1);
    expect(diff.filter((d) => d > 0).length / diff.length).toBeLessThanOrEqual(c.exact ? 0 : 0.02);
  });
});

describe('chains the lowering must leave alone', () => {
  it('keeps an op whose float output is also read elsewhere, and a move that changes parameters', () => {
    const g = chainGraph(CHAINS.Tanh, 'uint8', rng(1));
    g.outputs.push({ name: 'y' }); // the float Tanh output is a graph output too
    expect(lowerQdq(g)).toEqual({});
    const m = chainGraph({ ...CHAINS.MaxPool, sameParams: false }, 'uint8', rng(1));
    expect(lowerQdq(m)).toEqual({});
  });
});

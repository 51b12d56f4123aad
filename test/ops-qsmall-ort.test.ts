// The quantized small ops as whole ONNX models (com.microsoft contrib ops in a Session) against
// onnxruntime-node on random inputs. int8kit follows its own documented float32 definitions
// (native/kernels/q8-*/*.h); onnxruntime computes some ops differently, so results may differ by
// one step where a value lands near a rounding boundary:
//   QLinearAdd / QLinearMul: MLAS requantizes in float too, but with its own operation order.
//   QLinearAveragePool / QLinearGlobalAveragePool: onnxruntime pools dequantized floats (sum of
//     x_scale * (x - zp), then / count); int8kit sums codes exactly and scales once.
//   QLinearSigmoid: onnxruntime's table uses MLAS's approximate logistic; int8kit's the exact one.
//   QLinearLeakyRelu, MaxPool: the same definition, so no difference is allowed.
// The test prints, per op, how many outputs differ and by how much.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Session, Tensor, graphToOnnx, writeModel, type DType, type Graph, type TensorData } from '../src';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');

interface Case {
  op: string;
  domain: string;
  dt: 'uint8' | 'int8';
  inputs: { name: string; shape: number[] }[];
  /** Constant inputs by position (scales and zero points); null for a graph input. */
  consts: (TensorData | null)[];
  attrs?: Graph['nodes'][number]['attrs'];
  /** Largest difference allowed against onnxruntime. */
  tolerance: number;
}

const ARRAYS = { uint8: Uint8Array, int8: Int8Array } as const;

function graphOf(c: Case): Graph {
  const initializers = new Map<string, TensorData>();
  let gi = 0;
  const names = c.consts.map((t, i) => {
    if (!t) return c.inputs[gi++].name;
    initializers.set(`c${i}`, t);
    return `c${i}`;
  });
  return {
    opset: 17,
    nodes: [{ name: 'n', opType: c.op, domain: c.domain, inputs: names, outputs: ['y'], attrs: c.attrs ?? {} }],
    inputs: c.inputs.map((i) => ({ name: i.name, type: { dtype: c.dt as DType, shape: i.shape } })),
    outputs: [{ name: 'y' }],
    initializers,
    valueInfo: new Map(),
  };
}

async function compare(c: Case, seed: number, backend: string) {
  const model = graphToOnnx(graphOf(c));
  if (c.domain) model.opsetImports.push({ domain: c.domain, version: 1 });
  const bytes = writeModel(model);
  const r = rng(seed);
  const lo = c.dt === 'int8' ? -128 : 0, hi = c.dt === 'int8' ? 127 : 255;
  const feeds = Object.fromEntries(c.inputs.map((i) => {
    const n = i.shape.reduce((a, b) => a * b, 1);
    return [i.name, new Tensor(c.dt, (ARRAYS[c.dt] as Uint8ArrayConstructor).from({ length: n }, () => (r.next() < 0.1 ? r.pick([lo, hi]) : r.int(lo, hi))), i.shape)];
  }));
  const ref = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const want = (await ref.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)])))).y;
  const s = await Session.create(bytes, { backend });
  const got = (await s.run(feeds)).y;
  s.release();
  expect(Array.from(got.dims)).toEqual(Array.from(want.dims as number[]));
  const g = got.data as ArrayLike<number>, w = want.data as ArrayLike<number>;
  let differ = 0, worst = 0;
  for (let i = 0; i < w.length; i++) {
    const d = Math.abs(g[i] - w[i]);
    if (d) differ++, (worst = Math.max(worst, d));
  }
  return { differ, worst, n: w.length };
}

const f32 = (v: number): TensorData => ({ dtype: 'float32', dims: [], data: Float32Array.of(v) });
const zp = (dt: 'uint8' | 'int8', v: number): TensorData => ({ dtype: dt, dims: [], data: ARRAYS[dt].of(v) });

function cases(dt: 'uint8' | 'int8'): Case[] {
  const z = (u: number) => zp(dt, dt === 'int8' ? u - 128 : u);
  const ms = 'com.microsoft';
  const x = [{ name: 'x', shape: [2, 16, 19, 23] }];
  const requant = [null, f32(0.05), z(120), f32(0.03), z(131)];
  return [
    { op: 'QLinearAdd', domain: ms, dt, inputs: [{ name: 'a', shape: [2, 16, 19, 23] }, { name: 'b', shape: [16, 1, 23] }], consts: [null, f32(0.04), z(125), null, f32(0.07), z(130), f32(0.09), z(128)], tolerance: 1 },
    { op: 'QLinearMul', domain: ms, dt, inputs: [{ name: 'a', shape: [2, 16, 19, 23] }, { name: 'b', shape: [2, 16, 19, 23] }], consts: [null, f32(0.04), z(125), null, f32(0.07), z(130), f32(0.2), z(128)], tolerance: 1 },
    { op: 'QLinearAveragePool', domain: ms, dt, inputs: x, consts: requant, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 }, tolerance: 1 },
    { op: 'QLinearAveragePool', domain: ms, dt, inputs: x, consts: requant, attrs: { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], count_include_pad: 1 }, tolerance: 1 },
    { op: 'QLinearGlobalAveragePool', domain: ms, dt, inputs: [{ name: 'x', shape: [2, 128, 7, 7] }], consts: requant, attrs: { channels_last: 0 }, tolerance: 1 },
    { op: 'QLinearSigmoid', domain: ms, dt, inputs: x, consts: [null, f32(0.05), z(120), f32(1 / 256), z(dt === 'int8' ? 0 : 0)], tolerance: 1 },
    { op: 'QLinearLeakyRelu', domain: ms, dt, inputs: x, consts: requant, attrs: { alpha: 0.1 }, tolerance: 0 },
    { op: 'MaxPool', domain: '', dt, inputs: x, consts: [null], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, tolerance: 0 },
  ];
}

describe.each(['native', 'wasm'])('quantized small ops: int8kit (%s) vs onnxruntime-node', (backend) => {
  for (const dt of ['uint8', 'int8'] as const)
    for (const [i, c] of cases(dt).entries())
      it(`${c.op} ${dt} ${JSON.stringify(c.attrs ?? {})}`, async () => {
        const { differ, worst, n } = await compare(c, 100 + i, backend);
        console.log(`${backend} ${c.op} ${dt}: ${differ} of ${n} outputs differ from onnxruntime, by at most ${worst}`);
        expect(worst).toBeLessThanOrEqual(c.tolerance);
      }, 60_000);
});

describe.each(['native', 'wasm'])('a QOperator chain in one Session (%s) vs onnxruntime-node', (backend) => {
  it('QuantizeLinear -> QLinearAdd (broadcast constant) -> QLinearSigmoid -> MaxPool -> QLinearGlobalAveragePool -> DequantizeLinear', async () => {
    const r = rng(5);
    const c = 8;
    const u8 = (v: number): TensorData => ({ dtype: 'uint8', dims: [], data: Uint8Array.of(v) });
    const initializers = new Map<string, TensorData>([
      ['s0', f32(0.04)], ['z0', u8(128)], ['b', { dtype: 'uint8', dims: [1, c, 1, 1], data: Uint8Array.from({ length: c }, () => r.int(0, 255)) }],
      ['sb', f32(0.02)], ['zb', u8(100)], ['sa', f32(0.06)], ['za', u8(120)], ['ss', f32(1 / 256)], ['zs', u8(0)], ['sg', f32(0.003)], ['zg', u8(10)],
    ]);
    const ms = 'com.microsoft';
    const node = (opType: string, domain: string, inputs: string[], out: string, attrs = {}) => ({ name: out, opType, domain, inputs, outputs: [out], attrs });
    const graph: Graph = {
      opset: 17,
      nodes: [
        node('QuantizeLinear', '', ['x', 's0', 'z0'], 'q'),
        node('QLinearAdd', ms, ['q', 's0', 'z0', 'b', 'sb', 'zb', 'sa', 'za'], 'a'),
        node('QLinearSigmoid', ms, ['a', 'sa', 'za', 'ss', 'zs'], 'sig'),
        node('MaxPool', '', ['sig'], 'mp', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
        node('QLinearGlobalAveragePool', ms, ['mp', 'ss', 'zs', 'sg', 'zg'], 'gp', { channels_last: 0 }),
        node('DequantizeLinear', '', ['gp', 'sg', 'zg'], 'y'),
      ],
      inputs: [{ name: 'x', type: { dtype: 'float32', shape: [2, c, 15, 15] } }],
      outputs: [{ name: 'y' }],
      initializers,
      valueInfo: new Map(),
    };
    const model = graphToOnnx(graph);
    model.opsetImports.push({ domain: ms, version: 1 });
    const bytes = writeModel(model);
    const x = new Tensor('float32', Float32Array.from({ length: 2 * c * 15 * 15 }, () => r.float(-6, 6)), [2, c, 15, 15]);
    const ref = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const want = (await ref.run({ x: new ort.Tensor('float32', x.data, x.dims) })).y.data as Float32Array;
    const s = await Session.create(bytes, { backend });
    const got = (await s.run({ x })).y.data as Float32Array;
    s.release();
    const steps = Array.from(got, (v, i) => Math.round(Math.abs(v - want[i]) / Math.fround(0.003)));
    console.log(`${backend} QOperator chain: ${steps.filter(Boolean).length} of ${steps.length} outputs differ from onnxruntime, by at most ${Math.max(...steps)} step`);
    expect(got.length).toBe(2 * c);
    expect(Math.max(...steps)).toBeLessThanOrEqual(1);
  }, 60_000);
});

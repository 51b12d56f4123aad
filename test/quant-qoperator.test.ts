// QOperator models read into QDQ form. The QOperator models come from onnxruntime itself: its
// optimizer (level "extended") turns our QDQ export into QLinearConv, com.microsoft QLinearAdd and
// QLinearGlobalAveragePool, with MaxPool and Flatten on uint8; we read that back into QDQ and
// onnxruntime runs both. The imported graph must compute what the QOperator model computes.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor, graphToOnnx, writeModel, quantizeStatic, readQuantizedModel, qoperatorToQdq, UnsupportedOpError, type Graph } from '../src';
import { mobilenetV2Like, resnet18Like } from '../src/bench/models';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');

const image = (seed: number) => {
  const r = rng(seed);
  return new Tensor('float32', Float32Array.from({ length: 3 * 32 * 32 }, () => r.float(-2, 2)), [1, 3, 32, 32]);
};

async function run(model: Uint8Array | string, x: Tensor, level = 'disabled') {
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, graphOptimizationLevel: level });
  return (await s.run({ input: new ort.Tensor('float32', x.data, x.dims) }))[s.outputNames[0]].data as Float32Array;
}

describe.each([
  ['ResNet-18-shaped', () => resnet18Like(1, 32, 10)],
  ['MobileNetV2-shaped', () => mobilenetV2Like(2, 32, 10)],
])('%s', (_, build) => {
  it('QOperator form (from onnxruntime) reads back into QDQ that computes the same outputs', async () => {
    const q = await quantizeStatic(build(), { calibration: [image(1), image(2), image(3)].map((input) => ({ input })), observer: 'minmax' });
    const qop = join(mkdtempSync(join(tmpdir(), 'int8kit-qop-')), 'qop.onnx');
    await ort.InferenceSession.create(q.toBytes(), { graphOptimizationLevel: 'extended', optimizedModelFilePath: qop });
    const imported = readQuantizedModel(qop);
    const ops = new Set(imported.nodes.map((n) => n.opType));
    expect([...ops].filter((o) => o.startsWith('QLinear'))).toEqual([]);
    expect(imported.nodes.filter((n) => n.opType === 'Conv').length).toBe(q.graph!.nodes.filter((n) => n.opType === 'Conv').length);
    // MaxPool and Flatten run on float between DQ and Q, not on uint8.
    for (const n of imported.nodes.filter((x) => x.opType === 'MaxPool' || x.opType === 'Flatten'))
      expect(imported.nodes.find((p) => p.outputs.includes(n.inputs[0]))?.opType).toBe('DequantizeLinear');
    const x = image(9);
    const worst = (want: Float32Array, got: Float32Array) => {
      const scale = Math.max(...Array.from(want, Math.abs));
      let w = 0;
      for (let i = 0; i < want.length; i++) w = Math.max(w, Math.abs(want[i] - got[i]));
      return w / scale;
    };
    const want = await run(readFileSync(qop), x); // QLinear integer kernels
    const bytes = writeModel(graphToOnnx(imported));
    // Fused again by onnxruntime, the imported QDQ graph runs the same integer kernels.
    expect(worst(want, await run(bytes, x, 'all'))).toBeLessThan(1e-5);
    // As a float simulation of those kernels it differs only where a requantized value rounds
    // the other way (a code or two), as in the convert tests.
    expect(worst(want, await run(bytes, x))).toBeLessThan(0.03);
  }, 120_000);
});

it('refuses com.microsoft QLinear ops it has no rewrite for, naming the node', () => {
  const g: Graph = {
    nodes: [{ name: 'mystery', opType: 'QLinearSoftmax', domain: 'com.microsoft', inputs: ['x', 's', 'z', 's', 'z'], outputs: ['y'], attrs: {} }],
    inputs: [{ name: 'x', type: { dtype: 'uint8', shape: [1, 4] } }],
    outputs: [{ name: 'y' }],
    initializers: new Map([['s', { dtype: 'float32', dims: [], data: Float32Array.of(0.1) }], ['z', { dtype: 'uint8', dims: [], data: Uint8Array.of(0) }]]),
    valueInfo: new Map(),
    opset: 13,
  };
  expect(() => qoperatorToQdq(g)).toThrow(UnsupportedOpError);
  expect(() => qoperatorToQdq(g)).toThrow(/mystery.*QLinearSoftmax/);
});

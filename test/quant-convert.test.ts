// prepare -> calibrate -> convert on ResNet- and MobileNet-shaped graphs: the QDQ model we write is
// standard ONNX that onnxruntime-node runs in INT8 (its optimizer turns our Q/DQ pairs into
// QLinearConv), and its INT8 outputs agree with the float simulation of the same QDQ graph
// (onnxruntime with graph optimizations off runs QuantizeLinear/DequantizeLinear as plain float ops).
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session, Tensor, graphToOnnx, readModel, writeModel, type Graph } from '../src';
import { mobilenetV2Like, resnet18Like } from '../src/bench/models';
import { prepare } from '../src/quant/prepare';
import { calibrate } from '../src/quant/calibrate';
import { convert } from '../src/quant/convert';
import { MinMaxObserver } from '../src/quant';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');

const image = (seed: number, size: number) => {
  const r = rng(seed);
  return new Tensor('float32', Float32Array.from({ length: 3 * size * size }, () => r.float(-2, 2)), [1, 3, size, size]);
};

async function quantized(graph: Graph, size: number) {
  const p = prepare(graph, { observer: (v) => new MinMaxObserver({ dtype: 'quint8', name: v[0] }) });
  await calibrate(p, Array.from({ length: 6 }, (_, i) => ({ input: image(100 + i, size) })));
  return convert(p);
}

async function runOrt(bytes: Uint8Array, input: Tensor, level: 'disabled' | 'all', dump?: string) {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: level, ...(dump ? { optimizedModelFilePath: dump } : {}) });
  const out = await s.run({ input: new ort.Tensor('float32', input.data, input.dims) });
  return out[s.outputNames[0]].data as Float32Array;
}

const worst = (a: Float32Array, b: Float32Array) => {
  const scale = Math.max(...Array.from(a, Math.abs));
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w / scale;
};

describe.each([
  ['ResNet-18-shaped', () => resnet18Like(1, 32, 10)],
  ['MobileNetV2-shaped', () => mobilenetV2Like(2, 32, 10)],
])('%s (32x32)', (_, build) => {
  it('exports QDQ ONNX that onnxruntime runs in INT8, agreeing with the float simulation of the same graph', async () => {
    const q = await quantized(build(), 32);
    const bytes = writeModel(graphToOnnx(q));
    const dump = join(mkdtempSync(join(tmpdir(), 'int8kit-qdq-')), 'optimized.onnx');
    const x = image(7, 32);
    const simulated = await runOrt(bytes, x, 'disabled');
    const int8 = await runOrt(bytes, x, 'all', dump);
    // onnxruntime really ran INT8 kernels: every Conv became a QLinearConv.
    const ops = readModel(readFileSync(dump)).graph.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'Conv')).toEqual([]);
    expect(ops.filter((o) => o === 'QLinearConv').length).toBe(q.nodes.filter((n) => n.opType === 'Conv').length);
    // INT8 requantizes where the simulation stays in float between Q/DQ pairs: a few codes may
    // round the other way, which moves the output by a few quantization steps at most.
    expect(worst(simulated, int8)).toBeLessThan(0.03);
    // int8kit runs the same QDQ model as a fake-quant simulation (qdq: 'simulate', its
    // QuantizeLinear and DequantizeLinear ops): equal to onnxruntime's simulation up to float
    // rounding; and lowered to INT8 ops (the default), within the same few steps of both.
    const run = async (qdq: 'simulate' | 'int8') => {
      const s = await Session.create(bytes, { qdq });
      const out = (await s.run({ input: x }))[q.outputs[0].name].data as Float32Array;
      s.release();
      return out;
    };
    const ours = await run('simulate');
    expect(worst(simulated, ours)).toBeLessThan(1e-3);
    expect(worst(int8, ours)).toBeLessThan(0.03);
    const oursInt8 = await run('int8');
    expect(worst(int8, oursInt8)).toBeLessThan(0.01);
    expect(worst(simulated, oursInt8)).toBeLessThan(0.03);
    // And the quantized model still computes the float model's function.
    const fp32 = await runOrt(writeModel(graphToOnnx(build())), x, 'all');
    expect(worst(fp32, simulated)).toBeLessThan(0.15);
  }, 120_000);

  it('stores int8 weights per output channel and int32 biases at scale s_input * s_weight', async () => {
    const q = await quantized(build(), 32);
    const producer = new Map(q.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
    for (const conv of q.nodes.filter((n) => n.opType === 'Conv')) {
      const [x, w, b] = conv.inputs.map((i) => producer.get(i)!);
      expect([x.opType, w.opType, b.opType]).toEqual(['DequantizeLinear', 'DequantizeLinear', 'DequantizeLinear']);
      const wq = q.initializers.get(w.inputs[0])!, ws = q.initializers.get(w.inputs[1])!.data as Float32Array;
      expect(wq.dtype).toBe('int8');
      expect(w.attrs.axis).toBe(0);
      expect(ws.length).toBe(wq.dims[0]);
      // Symmetric over PyTorch's qint8 range: scale = max|w| / 127.5, so each channel's largest
      // |weight| lands on 127 or 128 in magnitude (x * f32(1/scale) is 127.5 up to float rounding).
      const per = wq.data.length / wq.dims[0];
      for (let c = 0; c < wq.dims[0]; c++) {
        const codes = Array.from((wq.data as Int8Array).subarray(c * per, (c + 1) * per), Math.abs);
        expect(Math.max(...codes)).toBeGreaterThanOrEqual(127);
      }
      const xs = (q.initializers.get(x.inputs[1])!.data as Float32Array)[0];
      const bq = q.initializers.get(b.inputs[0])!, bs = q.initializers.get(b.inputs[1])!.data as Float32Array;
      expect(bq.dtype).toBe('int32');
      for (let c = 0; c < bs.length; c++) expect(bs[c]).toBe(Math.fround(xs * ws[c]));
    }
  }, 120_000);
});

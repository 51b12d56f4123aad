// int8kit inspect against independent oracles: the taps (intermediate values made graph outputs)
// equal onnxruntime-node running the same models with the same extra outputs, and every statistic
// (activation SQNR/MSE, weight SQNR/MSE, chosen range, observed min/max, clipped fraction,
// histogram) equals a direct computation in this file on those onnxruntime outputs. A tiny model
// built here (its quantization parameters known) and the real MNIST CNN quantized by int8kit.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor, graphToOnnx, inspect, quantizeStatic, readModel, graphFromOnnx, writeModel, type Graph, type InspectResult } from '../src';
import { loadMnistSplit } from '../src/data/mnist';
import { tapSession } from '../src/debug/taps';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');
const root = resolve(__dirname, '..');

/** `graph` with `names` appended to its outputs, as ONNX bytes (written here, not by inspect's code). */
const withOutputsBytes = (g: Graph, names: string[]) => writeModel(graphToOnnx({ ...g, outputs: [...g.outputs, ...names.map((name) => ({ name }))] }));

async function ortRun(model: Uint8Array, samples: Record<string, Tensor>[], names: string[]): Promise<Map<string, Float32Array[]>> {
  const s = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const out = new Map<string, Float32Array[]>(names.map((n) => [n, []]));
  for (const f of samples) {
    const r = await s.run(Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.dims)])));
    for (const n of names) out.get(n)!.push(r[n].data as Float32Array);
  }
  await s.release();
  return out;
}

const flat = (xs: Float32Array[]) => Float64Array.from(xs.flatMap((x) => Array.from(x)));
function jsSqnr(x: Float64Array, y: Float64Array) {
  let s = 0, n = 0;
  x.forEach((v, i) => ((s += v * v), (n += (v - y[i]) ** 2)));
  return 10 * Math.log10(s / n);
}
const jsMse = (x: Float64Array, y: Float64Array) => x.reduce((a, v, i) => a + (v - y[i]) ** 2, 0) / x.length;

// The tiny model: X[1,3,7,7] -> Q/DQ (u8) -> Conv(4, 3x3, pad 1, stride 2, per-channel s8 weights) -> Relu
// -> Q/DQ -> Flatten -> MatMul(64 x 5, per-tensor s8 weights) -> Y. Its FP32 twin has the float weights.
const xS = 0.02, xZ = 100, yS = 0.015, yZ = 0;
function tiny(): { fp: Graph; qdq: Graph; w1: Float32Array; w1s: Float32Array; w2: Float32Array; w2s: number } {
  const r = rng(11);
  const w1 = Float32Array.from({ length: 4 * 3 * 9 }, () => r.float(-0.5, 0.5));
  const w1s = Float32Array.from({ length: 4 }, (_, c) => Math.max(...w1.slice(c * 27, (c + 1) * 27).map(Math.abs)) / 127);
  const w1q = Int8Array.from(w1, (v, i) => Math.round(v / w1s[Math.floor(i / 27)]));
  const w2 = Float32Array.from({ length: 64 * 5 }, () => r.float(-0.3, 0.3));
  const w2s = Math.max(...Array.from(w2, Math.abs)) / 127;
  const w2q = Int8Array.from(w2, (v) => Math.round(v / w2s));
  const f32 = (dims: number[], data: Float32Array) => ({ dtype: 'float32' as const, dims, data });
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs = {}) => ({ name, opType, domain: '', inputs, outputs, attrs });
  const conv = node('conv', 'Conv', ['x', 'w1', 'b1'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] });
  const base = (nodes: Graph['nodes'], inits: [string, Graph['initializers'] extends Map<string, infer T> ? T : never][]): Graph => ({
    opset: 13, inputs: [{ name: 'x', type: { dtype: 'float32', shape: [1, 3, 7, 7] } }], outputs: [{ name: 'y' }],
    initializers: new Map(inits), valueInfo: new Map(), nodes,
  });
  const fp = base([conv, node('relu', 'Relu', ['c'], ['r']), node('flat', 'Flatten', ['r'], ['f']), node('mm', 'MatMul', ['f', 'w2'], ['y'])],
    [['w1', f32([4, 3, 3, 3], w1)], ['b1', f32([4], Float32Array.of(0.1, -0.2, 0.05, 0))], ['w2', f32([64, 5], w2)]]);
  const qdq = base([
    node('xq', 'QuantizeLinear', ['x', 'xs', 'xz'], ['x_q']), node('xdq', 'DequantizeLinear', ['x_q', 'xs', 'xz'], ['x_dq']),
    node('w1dq', 'DequantizeLinear', ['w1_quantized', 'w1s', 'w1z'], ['w1_dq'], { axis: 0 }),
    { ...conv, inputs: ['x_dq', 'w1_dq', 'b1'] }, node('relu', 'Relu', ['c'], ['r']),
    node('rq', 'QuantizeLinear', ['r', 'ys', 'yz'], ['r_q']), node('rdq', 'DequantizeLinear', ['r_q', 'ys', 'yz'], ['r_dq']),
    node('flat', 'Flatten', ['r_dq'], ['f']),
    node('fq', 'QuantizeLinear', ['f', 'ys', 'yz'], ['f_q']), node('fdq', 'DequantizeLinear', ['f_q', 'ys', 'yz'], ['f_dq']),
    node('w2dq', 'DequantizeLinear', ['w2_quantized', 'w2s', 'w2z'], ['w2_dq']), node('mm', 'MatMul', ['f_dq', 'w2_dq'], ['y']),
  ], [
    ['xs', f32([], Float32Array.of(xS))], ['xz', { dtype: 'uint8', dims: [], data: Uint8Array.of(xZ) }],
    ['ys', f32([], Float32Array.of(yS))], ['yz', { dtype: 'uint8', dims: [], data: Uint8Array.of(yZ) }],
    ['w1_quantized', { dtype: 'int8', dims: [4, 3, 3, 3], data: w1q }], ['w1s', f32([4], w1s)], ['w1z', { dtype: 'int8', dims: [4], data: new Int8Array(4) }],
    ['b1', f32([4], Float32Array.of(0.1, -0.2, 0.05, 0))],
    ['w2_quantized', { dtype: 'int8', dims: [64, 5], data: w2q }], ['w2s', f32([], Float32Array.of(w2s))], ['w2z', { dtype: 'int8', dims: [], data: Int8Array.of(0) }],
  ]);
  return { fp, qdq, w1, w1s, w2, w2s };
}

describe('inspect on a tiny model built here', () => {
  const m = tiny();
  const r = rng(3);
  // Inputs beyond the input range [(0 - 100) * 0.02, (255 - 100) * 0.02] = [-2, 3.1] so some clip.
  const samples = Array.from({ length: 6 }, () => ({ x: new Tensor('float32', Float32Array.from({ length: 147 }, () => r.float(-2.5, 3.5)), [1, 3, 7, 7]) }));
  let result: InspectResult;
  let fpOrt: Map<string, Float32Array[]>, qOrt: Map<string, Float32Array[]>;
  beforeAll(async () => {
    result = await inspect(m.fp, m.qdq, samples);
    fpOrt = await ortRun(withOutputsBytes(m.fp, ['r']), samples, ['r', 'y']);
    qOrt = await ortRun(withOutputsBytes(m.qdq, ['r_dq', 'x_dq']), samples, ['r_dq', 'x_dq', 'y']);
  });

  it('finds the two layers, matched by node name, with their tapped values', () => {
    expect(result.layers.map((l) => [l.name, l.opType, l.matchedBy, l.value])).toEqual([['conv', 'Conv', 'node name', 'r'], ['mm', 'MatMul', 'node name', 'y']]);
  });

  it('taps equal onnxruntime on the FP32 and the QDQ model', async () => {
    // The sessions inspect runs: FP32 as written, the QDQ model simulated.
    const fpTaps = await tapSession(m.fp, ['r'], { optimize: false });
    const qTaps = await tapSession(m.qdq, ['r_dq'], { optimize: false, qdq: 'simulate' });
    expect(fpTaps.outputNames).toEqual(['y', 'r']);
    for (let s = 0; s < samples.length; s++) {
      const a = (await fpTaps.run(samples[s])).r.data as Float32Array, b = fpOrt.get('r')![s];
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[i]))));
      // Dequantized values: equal, or one step apart where float rounding lands on a half step.
      const c = (await qTaps.run(samples[s])).r_dq.data as Float32Array, d = qOrt.get('r_dq')![s];
      let off = 0;
      c.forEach((v, i) => {
        expect(Math.abs(v - d[i])).toBeLessThanOrEqual(yS * 1.0001);
        if (v !== d[i]) off++;
      });
      expect(off).toBeLessThanOrEqual(1);
    }
    fpTaps.release();
    qTaps.release();
  });

  it('activation SQNR and MSE equal the computation on the onnxruntime taps', () => {
    const conv = result.layers[0];
    const ref = flat(fpOrt.get('r')!), test = flat(qOrt.get('r_dq')!);
    expect(conv.activation!.sqnr).toBeCloseTo(jsSqnr(ref, test), 1);
    expect(conv.activation!.mse / jsMse(ref, test)).toBeCloseTo(1, 1);
    const mm = result.layers[1];
    const yRef = flat(fpOrt.get('y')!), yTest = flat(qOrt.get('y')!);
    // The MatMul output has no Q/DQ pair: its float output is compared, and it is the model output.
    expect(mm.activation!.sqnr).toBeCloseTo(jsSqnr(yRef, yTest), 1);
    expect(result.output.simulateSqnr).toBeCloseTo(jsSqnr(yRef, yTest), 1);
    expect(mm.notes.join()).toMatch(/not quantized/);
  });

  it('weight SQNR and MSE equal the dequantized codes against the float weights (per channel and per tensor)', () => {
    const deq1 = Float64Array.from(m.w1, (v, i) => Math.round(v / m.w1s[Math.floor(i / 27)]) * m.w1s[Math.floor(i / 27)]);
    const w1 = Float64Array.from(m.w1);
    expect(result.layers[0].weight!.sqnr).toBeCloseTo(jsSqnr(w1, deq1), 4);
    expect(result.layers[0].weight!.mse / jsMse(w1, deq1)).toBeCloseTo(1, 4);
    expect(result.layers[0].weight!.perChannel).toBe(true);
    const perChannel = [0, 1, 2, 3].map((c) => jsSqnr(w1.slice(c * 27, c * 27 + 27), deq1.slice(c * 27, c * 27 + 27)));
    expect(result.layers[0].weight!.worstChannel!.sqnr).toBeCloseTo(Math.min(...perChannel), 4);
    expect(result.layers[0].weight!.worstChannel!.channel).toBe(perChannel.indexOf(Math.min(...perChannel)));
    const w2 = Float64Array.from(m.w2), deq2 = Float64Array.from(m.w2, (v) => Math.round(v / m.w2s) * m.w2s);
    expect(result.layers[1].weight!.sqnr).toBeCloseTo(jsSqnr(w2, deq2), 4);
    expect(result.layers[1].weight!.perChannel).toBe(false);
  });

  it('the chosen range comes from the Q node; observed min/max, clipped fraction and histogram from the FP32 values', () => {
    const conv = result.layers[0], ref = flat(fpOrt.get('r')!);
    expect(conv.range!.chosen).toEqual([(0 - yZ) * Math.fround(yS), (255 - yZ) * Math.fround(yS)]);
    const lo = ref.reduce((a, b) => Math.min(a, b)), hi = ref.reduce((a, b) => Math.max(a, b));
    expect(conv.range!.observed[0]).toBeCloseTo(lo, 5);
    expect(conv.range!.observed[1]).toBeCloseTo(hi, 5);
    const outside = ref.filter((v) => v > 255 * Math.fround(yS)).length / ref.length;
    expect(outside).toBeGreaterThan(0); // the data was made to clip
    expect(conv.range!.clipped!).toBeCloseTo(outside, 2);
    const h = conv.range!.histogram;
    expect(h.counts.length).toBe(128);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(ref.length);
    expect(h.edges[0]).toBeCloseTo(lo, 5);
    expect(h.edges[128]).toBeCloseTo(hi, 5);
    // The zeros of the Relu all fall in the first bin.
    expect(h.counts[0]).toBeGreaterThanOrEqual(ref.filter((v) => v === 0).length);
  });
});

describe('inspect on the MNIST CNN quantized by int8kit (BatchNorm folded into the convs)', () => {
  const digits = loadMnistSplit('calibration');
  const samples = Array.from({ length: 24 }, (_, i) => ({ input: new Tensor('float32', digits.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));
  const fpPath = join(root, 'assets', 'mnist-cnn.onnx');
  let qdq: Graph, result: InspectResult;
  beforeAll(async () => {
    qdq = (await quantizeStatic(fpPath, { calibration: samples })).graph!;
    result = await inspect(fpPath, qdq, samples);
  });

  it('finds the four layers and matches each FP32 node by name', () => {
    expect(result.layers.map((l) => `${l.opType} ${l.matchedBy}`)).toEqual(['Conv node name', 'Conv node name', 'Gemm node name', 'Gemm node name']);
    expect(result.layers.every((l) => l.weight && l.weight.sqnr > 30 && l.weight.perChannel)).toBe(true);
  });

  it('activation SQNR/MSE of every layer equal the computation on onnxruntime taps of the same values', async () => {
    const fpNames = result.layers.map((l) => l.value);
    const qNames = result.layers.map((l) => `${l.value}_dequantized`);
    const fpOrt = await ortRun(withOutputsBytes(graphFromOnnx(readModel(fpPath)), fpNames), samples, fpNames);
    const qOrt = await ortRun(withOutputsBytes(qdq, qNames), samples, qNames);
    result.layers.forEach((l, i) => {
      const ref = flat(fpOrt.get(fpNames[i])!), test = flat(qOrt.get(qNames[i])!);
      expect(Math.abs(l.activation!.sqnr - jsSqnr(ref, test)), l.name).toBeLessThan(0.1);
      expect(l.activation!.mse / jsMse(ref, test)).toBeGreaterThan(0.97);
      expect(l.activation!.mse / jsMse(ref, test)).toBeLessThan(1.03);
      // The integer kernels land within a fraction of a dB of the simulation.
      expect(Math.abs(l.activationInt8!.sqnr - l.activation!.sqnr)).toBeLessThan(1);
      expect(l.range!.observed[1]).toBeCloseTo(ref.reduce((a, b) => Math.max(a, b)), 4);
    });
    expect(result.output.int8Sqnr).not.toBeNull();
  });
});

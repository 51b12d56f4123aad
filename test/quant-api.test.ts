// quantizeStatic with every QConfig preset and quantizeDynamic, end to end through onnxruntime-node:
// the written models load and run in INT8, stay close to the float model, and are about 4x smaller.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Tensor, graphToOnnx, writeModel, quantizeStatic, quantizeDynamic, convertFloat16, float32ToFloat16Bits, float16BitsToFloat32, InvalidArgumentError, type Graph } from '../src';
import { bertLike, resnet18Like } from '../src/bench/models';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');

const image = (seed: number) => {
  const r = rng(seed);
  return new Tensor('float32', Float32Array.from({ length: 3 * 32 * 32 }, () => r.float(-2, 2)), [1, 3, 32, 32]);
};
const calibration = () => Array.from({ length: 6 }, (_, i) => ({ input: image(200 + i) }));

async function run(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)])));
  return out[s.outputNames[0]].data as Float32Array;
}

const relError = (want: Float32Array, got: Float32Array) => {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) (num += (want[i] - got[i]) ** 2), (den += want[i] ** 2);
  return Math.sqrt(num / den);
};

const initializerOf = (g: Graph, node: Graph['nodes'][number], i: number) => g.initializers.get(node.inputs[i])!;

describe('quantizeStatic', () => {
  const float = resnet18Like(1, 32, 10);
  const x = image(7);
  it.each([
    ['fbgemm', undefined],
    ['qnnpack', undefined],
    ['symmetric', undefined],
    ['pow2', undefined],
    ['fbgemm', 'minmax'],
    ['fbgemm', 'entropy'],
    ['fbgemm', 'percentile'],
    ['fbgemm', 'mse'],
  ] as const)('qconfig %s, observer %s: runs in onnxruntime close to FP32 at a quarter of the size', async (name, observer) => {
    const q = await quantizeStatic(float, { calibration: calibration(), qconfig: name, observer });
    const want = await run(writeModel(graphToOnnx(float)), { input: x });
    const got = await run(q.toBytes(), { input: x });
    // Random weights and inputs: looser than on real data (see the MNIST test), tight enough to
    // catch a wrong scale, zero point or axis (those give errors near 1).
    expect(relError(want, got)).toBeLessThan(0.3);
    const report = q.sizeReport();
    expect(report.ratio).toBeGreaterThan(3.5);
    expect(report.fp32Bytes).toBe(writeModel(graphToOnnx(float)).length);
    // The preset's choices are visible in the graph.
    const dqs = q.graph!.nodes.filter((n) => n.opType === 'DequantizeLinear');
    const weights = dqs.filter((n) => q.graph!.initializers.get(n.inputs[0])?.dtype === 'int8' && initializerOf(q.graph!, n, 0).dims.length === 4);
    expect(weights.length).toBe(20);
    for (const n of weights) expect(initializerOf(q.graph!, n, 1).dims).toEqual(name === 'qnnpack' || name === 'pow2' ? [] : [initializerOf(q.graph!, n, 0).dims[0]]);
    const activationZps = q.graph!.nodes.filter((n) => n.opType === 'QuantizeLinear').map((n) => initializerOf(q.graph!, n, 2));
    for (const zp of activationZps) expect(zp.dtype).toBe(name === 'symmetric' || name === 'pow2' ? 'int8' : 'uint8');
    if (name === 'symmetric') for (const zp of activationZps) expect(zp.data[0]).toBe(0);
    if (name === 'pow2')
      for (const n of dqs) for (const s of initializerOf(q.graph!, n, 1).data as Float32Array) expect(Number.isInteger(Math.log2(s))).toBe(true);
  }, 120_000);

  it('applies overrides per op type and per node, node first', async () => {
    const convs = float.nodes.filter((n) => n.opType === 'Conv');
    const first = convs[0].name;
    const base = await quantizeStatic(float, { calibration: calibration() });
    const minmax = await quantizeStatic(float, { calibration: calibration(), observer: 'minmax' });
    const q = await quantizeStatic(float, {
      calibration: calibration(),
      opTypes: { Gemm: { perChannel: false }, Conv: { observer: 'percentile' } },
      nodes: { [first]: { observer: 'minmax' } },
    });
    const weightScale = (m: typeof q, opType: string) => {
      const n = m.graph!.nodes.find((x) => x.opType === opType)!;
      const dq = m.graph!.nodes.find((x) => x.outputs[0] === n.inputs[1])!;
      return m.graph!.initializers.get(dq.inputs[1])!;
    };
    expect(weightScale(q, 'Gemm').dims).toEqual([]);
    expect(weightScale(q, 'Conv').dims).toEqual([64]);
    // The first Conv's fused Relu output: the scale of its Q node.
    const outScale = (m: typeof q) => {
      const relu = m.graph!.nodes.find((x) => x.opType === 'Relu')!;
      const qn = m.graph!.nodes.find((x) => x.opType === 'QuantizeLinear' && x.inputs[0] === relu.outputs[0])!;
      return (m.graph!.initializers.get(qn.inputs[1])!.data as Float32Array)[0];
    };
    expect(outScale(q)).toBe(outScale(minmax));
    expect(outScale(base)).not.toBe(outScale(minmax));
  }, 120_000);

  it('names the tensor when calibration data holds NaN', async () => {
    const bad = image(3);
    (bad.data as Float32Array)[17] = NaN;
    await expect(quantizeStatic(float, { calibration: [{ input: image(1) }, { input: bad }] })).rejects.toThrow(/"input".*NaN|NaN.*"input"/);
    // ... or skips non-finite values when asked: the input's range is then the clean run's, since
    // the replaced element is not an extreme of that image (fixed seed).
    const skipped = await quantizeStatic(float, { calibration: [{ input: image(1) }, { input: bad }], ignoreNonFinite: true, observer: 'minmax' });
    const clean = await quantizeStatic(float, { calibration: [{ input: image(1) }, { input: image(3) }], observer: 'minmax' });
    const inputScale = (m: typeof clean) => {
      const qn = m.graph!.nodes.find((x) => x.opType === 'QuantizeLinear' && x.inputs[0] === 'input')!;
      return (m.graph!.initializers.get(qn.inputs[1])!.data as Float32Array)[0];
    };
    expect(inputScale(skipped)).toBe(inputScale(clean));
  });

  it('rejects unknown presets and observers', async () => {
    await expect(quantizeStatic(float, { calibration: calibration(), qconfig: 'fast' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(quantizeStatic(float, { calibration: calibration(), observer: 'magic' as never })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('quantizeDynamic', () => {
  it('BERT-shaped encoder: int8 MatMul weights, runs in onnxruntime close to FP32, about 4x smaller', async () => {
    const float = bertLike(3, 2, 128, 4);
    const r = rng(5);
    const ids = new Tensor('int64', BigInt64Array.from({ length: 32 }, () => BigInt(r.int(0, 999))), [1, 32]);
    const q = await quantizeDynamic(float);
    const constantB = float.nodes.filter((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && float.initializers.get(n.inputs[1])?.dims.length === 2);
    expect(q.graph!.nodes.filter((n) => n.opType === 'MatMulInteger').length).toBe(constantB.length);
    expect(q.graph!.nodes.filter((n) => n.opType === 'MatMul').length).toBe(float.nodes.filter((n) => n.opType === 'MatMul').length - constantB.filter((n) => n.opType === 'MatMul').length);
    const want = await run(writeModel(graphToOnnx(float)), { input_ids: ids });
    const got = await run(q.toBytes(), { input_ids: ids });
    expect(relError(want, got)).toBeLessThan(0.05);
    // Each quantized weight shrinks to a quarter (plus one scale per column); the rest is unchanged.
    const weightBytes = constantB.reduce((t, n) => t + float.initializers.get(n.inputs[1])!.data.byteLength, 0);
    const report = q.sizeReport();
    expect(Math.abs(report.quantizedBytes - (report.fp32Bytes - 0.75 * weightBytes)) / report.fp32Bytes).toBeLessThan(0.02);
  }, 120_000);

  it('rejects op types it cannot quantize dynamically', async () => {
    await expect(quantizeDynamic(bertLike(3, 1, 64, 2), { opTypes: ['Conv'] })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('convertFloat16', () => {
  it('converts every float32 value exactly as IEEE binary16 round-half-to-even does', () => {
    // Every binary16 pattern survives float16 -> float32 -> float16 unchanged (NaNs stay NaN).
    for (let h = 0; h < 0x10000; h++) {
      const back = float32ToFloat16Bits(float16BitsToFloat32(h));
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) expect(back & 0x7c00).toBe(0x7c00);
      else expect(back).toBe(h);
    }
    // Midpoints between neighbours round to the even one; past the largest finite value, infinity.
    const mid = (h: number) => (float16BitsToFloat32(h) + float16BitsToFloat32(h + 1)) / 2;
    for (const h of [0x0000, 0x0001, 0x03ff, 0x3c00, 0x3c01, 0x7bfe]) expect(float32ToFloat16Bits(mid(h))).toBe(h % 2 === 0 ? h : h + 1);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0); // half the smallest subnormal: ties to even (0)
  });

  it('halves the size of a model\'s weights and still runs in onnxruntime close to FP32', async () => {
    const float = resnet18Like(1, 32, 10);
    const q = await convertFloat16(float);
    expect(q.graph).toBeUndefined();
    const report = q.sizeReport();
    expect(report.ratio).toBeGreaterThan(1.95);
    const x = image(9);
    const want = await run(writeModel(graphToOnnx(float)), { input: x });
    const got = await run(q.toBytes(), { input: x });
    expect(relError(want, got)).toBeLessThan(5e-3);
  }, 120_000);
});

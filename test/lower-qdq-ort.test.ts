// Quantized models run in INT8 on int8kit: the QDQ graph is lowered to integer ops (QLinearConv,
// QLinearMatMul, QLinearAdd, ...) and its outputs are checked against onnxruntime-node running the
// same model in INT8 (at least 99.9% of elements within one quantization step of the output, same
// top-1), against each other across backends (identical), and on real MNIST digits against FP32.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor, graphFromOnnx, graphToOnnx, quantizeStatic, readModel, readQuantizedModel, writeModel, type Graph } from '../src';
import { bertLike, mobilenetV2Like, resnet18Like } from '../src/bench/models';
import { lowerQdq } from '../src/graph/lower-qdq';
import { optimize } from '../src/graph/passes';
import { loadMnistSplit } from '../src/data/mnist';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');

interface Fixture {
  name: string;
  graph: () => Graph;
  input: (seed: number) => Tensor;
  /** Output rows whose argmax is the "top-1" (classes per row). */
  classes: number;
}

const image = (size: number) => (seed: number) => {
  const r = rng(seed);
  return new Tensor('float32', Float32Array.from({ length: 3 * size * size }, () => r.float(-2, 2)), [1, 3, size, size]);
};
const tokens = (seq: number) => (seed: number) => {
  const r = rng(seed);
  return new Tensor('int64', BigInt64Array.from({ length: seq }, () => BigInt(Math.floor(r.next() * 1000))), [1, seq]);
};

const FIXTURES: Fixture[] = [
  { name: 'ResNet-18-shaped (64x64)', graph: () => resnet18Like(1, 64, 100), input: image(64), classes: 100 },
  { name: 'MobileNetV2-shaped (64x64)', graph: () => mobilenetV2Like(2, 64, 100), input: image(64), classes: 100 },
  { name: 'BERT-shaped (2 layers, d 64, 16 tokens)', graph: () => bertLike(3, 2, 64, 2), input: tokens(16), classes: 64 },
];

const feeds = (g: Graph, x: Tensor) => ({ [g.inputs[0].name]: x });

/**
 * The quantization step at a graph output: the scale of the QuantizeLinear the quantizer put on it,
 * or, for an FP32 island's output (BERT's last LayerNorm), the step of the island's input.
 */
function outputStep(q: Graph): number {
  const out = q.outputs[0].name;
  const producer = q.nodes.find((n) => n.outputs.includes(out))!;
  const qn = q.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === out);
  const dq = q.nodes.find((n) => n.opType === 'DequantizeLinear' && n.outputs[0] === producer.inputs[0]);
  return (q.initializers.get((qn ?? dq)!.inputs[1])!.data as Float32Array)[0];
}

function argmaxRows(x: Float32Array, classes: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r < x.length / classes; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (x[r * classes + c] > x[r * classes + best]) best = c;
    rows.push(best);
  }
  return rows;
}

async function runOrt(bytes: Uint8Array, x: Tensor): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor(x.type, x.data, x.dims) });
  return out[s.outputNames[0]].data as Float32Array;
}

describe.each(FIXTURES)('$name', (f) => {
  let q: Graph;
  let bytes: Uint8Array;
  beforeAll(async () => {
    const calibration = Array.from({ length: 4 }, (_, i) => feeds(f.graph(), f.input(100 + i)));
    q = (await quantizeStatic(f.graph(), { calibration })).graph!;
    bytes = writeModel(graphToOnnx(q));
  }, 120_000);

  it('lowers every quantized Conv, MatMul and Add to an integer op', () => {
    const g = graphFromOnnx(readModel(bytes));
    optimize(g);
    const report = lowerQdq(g);
    const count = (t: string) => q.nodes.filter((n) => n.opType === t).length;
    // What is left in float: FP32 islands, ops reading a DequantizeLinear output. The CNNs have none;
    // BERT keeps the ops with no integer kernel (and the bias Adds of a float constant).
    const dequantized = new Set(g.nodes.filter((n) => n.opType === 'DequantizeLinear').map((n) => n.outputs[0]));
    const islands = new Set(g.nodes.filter((n) => n.opType !== 'QuantizeLinear' && n.inputs.some((i) => dequantized.has(i))).map((n) => n.opType));
    for (const t of ['Conv', 'MatMul', 'Gemm']) expect(g.nodes.filter((n) => n.opType === t)).toEqual([]);
    if (f.name.startsWith('BERT')) expect([...islands].sort()).toEqual(['Add', 'Div', 'LayerNormalization', 'Mul', 'Softmax']);
    else expect([...islands]).toEqual([]);
  });

  it('agrees with onnxruntime INT8 on the same QDQ model: >= 99.9% within one output step, same top-1', async () => {
    const step = outputStep(q);
    const s = await Session.create(bytes);
    expect(s.int8Ops.QLinearConv ?? 0).toBe(q.nodes.filter((n) => n.opType === 'Conv').length);
    let within = 0, total = 0, worst = 0;
    for (let i = 0; i < 4; i++) {
      const x = f.input(200 + i);
      const ours = (await s.run(feeds(q, x)))[q.outputs[0].name].data as Float32Array;
      const theirs = await runOrt(bytes, x);
      expect(ours.length).toBe(theirs.length);
      for (let k = 0; k < ours.length; k++) {
        const d = Math.abs(ours[k] - theirs[k]) / step;
        worst = Math.max(worst, d);
        if (d <= 1 + 1e-3) within++;
      }
      total += ours.length;
      expect(argmaxRows(ours, f.classes)).toEqual(argmaxRows(theirs, f.classes));
    }
    s.release();
    console.log(`${f.name}: ${within} of ${total} outputs within one step (${step.toExponential(3)}) of onnxruntime INT8, largest ${worst.toFixed(2)} steps`);
    expect(within / total).toBeGreaterThanOrEqual(0.999);
  }, 120_000);

  it('gives identical outputs on the fbgemm, qnnpack, reference and wasm backends, at 1 and 2 threads', async () => {
    const x = f.input(300);
    const results: Record<string, Float32Array> = {};
    for (const [backend, threads] of [['fbgemm', 1], ['fbgemm', 2], ['qnnpack', 1], ['reference', 1], ['wasm', 1]] as const) {
      const s = await Session.create(bytes, { backend, threads });
      results[`${backend}/${threads}`] = (await s.run(feeds(q, x)))[q.outputs[0].name].data as Float32Array;
      s.release();
    }
    // The integer ops give identical codes everywhere. BERT's FP32 islands (LayerNorm, Softmax, Erf)
    // round differently per instruction set, so its float output may move by up to a step there.
    const step = outputStep(q);
    for (const [k, v] of Object.entries(results)) {
      if (!f.name.startsWith('BERT')) expect([k, Buffer.from(v.buffer).equals(Buffer.from(results['fbgemm/1'].buffer))]).toEqual([k, true]);
      else expect([k, Math.max(...Array.from(v, (x, i) => Math.abs(x - results['fbgemm/1'][i]))) <= step]).toEqual([k, true]);
    }
  }, 120_000);
});

describe('a QOperator model (QLinearConv, QLinearMatMul, QLinearAdd, QLinearGlobalAveragePool)', () => {
  it('runs on int8kit with the codes onnxruntime computes', async () => {
    const f = FIXTURES[0];
    const calibration = Array.from({ length: 4 }, (_, i) => feeds(f.graph(), f.input(100 + i)));
    const q = (await quantizeStatic(f.graph(), { calibration })).graph!;
    const step = outputStep(q);
    // The standard lowering writes only ops onnxruntime knows: a QOperator model.
    const report = lowerQdq(q, { standard: true });
    expect(report.QLinearConv).toBe(20);
    expect(report.QLinearAdd).toBe(8);
    const bytes = writeModel(graphToOnnx(q));
    const ops = new Set(readModel(bytes).graph.nodes.map((n) => n.opType));
    for (const op of ['QLinearConv', 'QLinearAdd', 'QLinearGlobalAveragePool']) expect(ops.has(op)).toBe(true);
    expect(ops.has('Conv')).toBe(false);
    const s = await Session.create(bytes);
    for (let i = 0; i < 3; i++) {
      const x = f.input(400 + i);
      const ours = (await s.run(feeds(q, x)))[q.outputs[0].name].data as Float32Array;
      const theirs = await runOrt(bytes, x);
      const off = Array.from(ours).filter((v, k) => Math.abs(v - theirs[k]) > step * (1 + 1e-3)).length;
      expect(off / ours.length).toBeLessThanOrEqual(0.001);
      expect(argmaxRows(ours, f.classes)).toEqual(argmaxRows(theirs, f.classes));
    }
    s.release();
  }, 120_000);
});

describe('the MNIST CNN quantized by int8kit, run on int8kit INT8', () => {
  it('keeps top-1 within 0.2 points of FP32 on the held-out split, on every backend', async () => {
    const model = join(__dirname, '../assets/mnist-cnn.onnx');
    const test = loadMnistSplit('test'), calib = loadMnistSplit('calibration');
    const image = (split: typeof test, i: number) => new Tensor('float32', split.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]);
    const q = await quantizeStatic(model, { calibration: Array.from({ length: 100 }, (_, i) => ({ input: image(calib, i) })), observer: 'histogram' });
    const all = new Tensor('float32', test.images, [test.count, 1, 28, 28]);
    const top1 = async (bytes: Uint8Array, backend: string) => {
      const s = await Session.create(bytes, { backend });
      const logits = (await s.run({ input: all }))[s.outputNames[0]].data as Float32Array;
      s.release();
      return (100 * argmaxRows(logits, 10).filter((c, i) => c === test.labels[i]).length) / test.count;
    };
    const fp32 = await top1(readFileSync(model), 'native');
    const lowered = graphFromOnnx(readModel(q.toBytes()));
    expect(lowerQdq(lowered).QLinearConv).toBeGreaterThan(0);
    for (const backend of ['fbgemm', 'qnnpack', 'wasm']) {
      const int8 = await top1(q.toBytes(), backend);
      console.log(`MNIST held-out top-1 (${test.count} images): FP32 ${fp32.toFixed(2)}%, int8kit INT8 ${backend} ${int8.toFixed(2)}%`);
      expect(Math.abs(int8 - fp32)).toBeLessThanOrEqual(0.2);
    }
  }, 180_000);
});

describe('a QDQ model exported by torch.onnx (Constant nodes, Casts after QuantizeLinear)', () => {
  it('lowers every Conv and Gemm to an integer op', () => {
    const g = readQuantizedModel(join(__dirname, 'fixtures/pytorch-qdq/small_qcnn.onnx'));
    optimize(g);
    expect(lowerQdq(g)).toEqual({ QLinearConv: 2, Flatten: 1, QLinearMatMul: 1 });
    expect(g.nodes.map((n) => n.opType)).toEqual(['QuantizeLinear', 'QLinearConv', 'QLinearConv', 'Flatten', 'QLinearMatMul', 'DequantizeLinear']);
  });
});

// int8kit demo: the whole product on an embedded real model, with no download. The MNIST CNN in
// assets/ (trained on the mnist package's digits by scripts/train-mnist-cnn.py) is quantized
// (static, per-channel, histogram observer) on 100 calibration digits, evaluated in FP32 and INT8
// on the 1,005 held-out digits, benchmarked FP32 vs INT8 per backend (and in onnxruntime-node when
// it is installed), inspected layer by layer, and summed up in a table and report.html.
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { packageRoot } from '../backends/package-root';
import { bench } from '../bench/bench';
import { formatTable } from '../bench/report';
import { loadMnistSplit, type MnistSplit } from '../data/mnist';
import { quantizeStatic } from '../quant/api';
import { Session } from '../runtime/session';
import { Tensor } from '../runtime/tensor';
import { inspect, inspectReportDoc } from '../debug';
import { demoReportHtml, type DemoAccuracy } from './demo-report';

const CALIBRATION_SAMPLES = 100;
const BENCH_BATCH = 64;

function hasOnnxruntime(): boolean {
  try {
    createRequire(__filename).resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
}

async function predictions(model: string | Uint8Array, backend: string, test: MnistSplit): Promise<number[]> {
  const s = await Session.create(model, { backend });
  const logits = (await s.run({ input: new Tensor('float32', test.images, [test.count, 1, 28, 28]) }))[s.outputNames[0]].data as Float32Array;
  s.release();
  return Array.from({ length: test.count }, (_, i) => {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
    return best;
  });
}

const top1 = (pred: number[], test: MnistSplit) => (100 * pred.filter((p, i) => p === test.labels[i]).length) / test.count;

export async function demoCommand(o: { report: string; rounds: string }) {
  const model = join(packageRoot(), 'assets', 'mnist-cnn.onnx');
  const calib = loadMnistSplit('calibration'), test = loadMnistSplit('test');
  console.log(`int8kit demo: a CNN trained on MNIST digits (${model})\n`);

  console.log(`1. Quantize: static INT8, per-channel weights, histogram observer, ${CALIBRATION_SAMPLES} calibration digits`);
  const bar = new SingleBar({ format: '   calibrating [{bar}] {value}/{total} digits', hideCursor: true, clearOnComplete: false }, undefined);
  bar.start(CALIBRATION_SAMPLES, 0);
  const calibration = Array.from({ length: CALIBRATION_SAMPLES }, (_, i) => ({ input: new Tensor('float32', calib.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));
  const q = await quantizeStatic(model, { calibration, qconfig: 'fbgemm', observer: 'histogram', perChannel: true, onProgress: (n) => bar.update(n) });
  bar.stop();
  const dir = mkdtempSync(join(tmpdir(), 'int8kit-demo-'));
  const int8Path = join(dir, 'mnist-cnn.int8.onnx');
  q.save(int8Path);
  const size = q.sizeReport();
  console.log(`   ${(size.fp32Bytes / 1024).toFixed(1)} KB -> ${(size.quantizedBytes / 1024).toFixed(1)} KB (${size.ratio.toFixed(2)}x smaller), written to ${int8Path}\n`);

  console.log(`2. Evaluate on ${test.count} held-out digits`);
  const fp32 = await predictions(model, 'native', test);
  const accuracy: DemoAccuracy[] = [{ model: 'FP32', backend: 'native', top1: top1(fp32, test), agreement: 100 }];
  for (const backend of ['fbgemm', 'qnnpack', 'wasm']) {
    const int8 = await predictions(int8Path, backend, test);
    accuracy.push({ model: 'INT8', backend, top1: top1(int8, test), agreement: (100 * int8.filter((p, i) => p === fp32[i]).length) / test.count });
  }
  console.log(['   | model | backend | top-1 % | agrees with FP32 % |', '   |---|---|---|---|', ...accuracy.map((a) => `   | ${a.model} | ${a.backend} | ${a.top1.toFixed(2)} | ${a.agreement.toFixed(2)} |`)].join('\n'));
  console.log();

  const peers = hasOnnxruntime() ? ['onnxruntime'] : [];
  // Batches of 64: one digit alone takes tens of microseconds, which is the runtime's per-run cost, not the kernels'.
  console.log(`3. Benchmark batches of ${BENCH_BATCH} digits, FP32 vs INT8 per backend${peers.length ? ' and onnxruntime-node' : ' (onnxruntime-node is not installed: no peer row)'}`);
  const report = await bench(model, {
    backends: ['fbgemm', 'qnnpack', 'wasm'], threads: [1], peers, rounds: Number(o.rounds), roundMs: 150,
    inputShapes: { input: [BENCH_BATCH, 1, 28, 28] }, int8: { file: int8Path }, warn: () => undefined,
  });
  console.log(formatTable(report).split('\n').map((l) => `   ${l}`).join('\n'));

  // The per-layer view (SQNR, chosen vs observed ranges, saturation, attribution) on the calibration digits.
  console.log(`\n4. Inspect each layer on the ${CALIBRATION_SAMPLES} calibration digits`);
  const layers = await inspect(model, int8Path, calibration, { backend: 'fbgemm' });
  const worst = layers.ranking[0];
  const only = layers.layers.find((l) => l.name === worst)?.onlyThisLayerSqnr;
  console.log(`   model output SQNR ${layers.output.int8Sqnr?.toFixed(1) ?? 'n/a'} dB on the INT8 kernels; the layer adding the most error: ${worst} (output SQNR ${only?.toFixed(1)} dB when quantized alone)`);
  const extra = inspectReportDoc(layers).sections;

  const out = resolve(o.report);
  writeFileSync(out, demoReportHtml({ model, size, accuracy, bench: report, calibrationSamples: CALIBRATION_SAMPLES, testCount: test.count, batch: BENCH_BATCH }, extra));
  console.log(`\n5. Report: ${out}`);
}

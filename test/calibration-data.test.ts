// calibrationFeeds(): .npy files split along axis 0, folders of .npy files and of images (made here with
// sharp from known pixels, the preprocessed values checked against the formulas computed in this file),
// the --samples limit, streaming (files read only as iteration reaches them) and every bad input.
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Tensor, writeNpy } from '../src';
import { calibrationFeeds, type CalibrationModel, type Feeds } from '../src/data/calibration';

const root = mkdtempSync(join(tmpdir(), 'int8kit-calib-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  return d;
};

const modelOf = (...shape: (number | string)[]): CalibrationModel => ({ inputs: [{ name: 'x', type: { dtype: 'float32', shape } }] });
const npy = (file: string, dims: number[], f: (i: number) => number) => {
  writeFileSync(file, writeNpy(new Tensor('float32', Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f(i)), dims)));
  return file;
};
async function collect(it: AsyncIterable<Feeds>): Promise<Tensor[]> {
  const out: Tensor[] = [];
  for await (const feeds of it) out.push(feeds.x);
  return out;
}
/** Rejects with an InvalidArgumentError whose message matches. */
async function rejects(p: Promise<unknown> | (() => unknown), message: RegExp) {
  const e = await Promise.resolve().then(typeof p === 'function' ? p : () => p).then(() => undefined, (e: unknown) => e);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  expect((e as Error).message).toMatch(message);
}

/** An RGB (or 1-channel) PNG/JPEG/WebP from a pixel function. */
async function image(file: string, width: number, height: number, pixel: (x: number, y: number) => number[], channels: 1 | 3 = 3) {
  const raw = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(pixel(x, y), (y * width + x) * channels);
  const s = sharp(raw, { raw: { width, height, channels } });
  const ext = file.slice(file.lastIndexOf('.') + 1);
  await (ext === 'png' ? s.png() : ext === 'webp' ? s.webp({ lossless: true }) : s.jpeg({ quality: 100 })).toFile(file);
  return file;
}

/** Element [0, c, y, x] of an NCHW tensor. */
const at = (t: Tensor, c: number, y: number, x: number) => (t.data as Float32Array)[(c * t.dims[2] + y) * t.dims[3] + x];
const MEAN = [0.485, 0.456, 0.406], STD = [0.229, 0.224, 0.225], CAFFE = [103.939, 116.779, 123.68];
const imagenet = (v: number, c: number) => Math.fround((v / 255 - MEAN[c]) / STD[c]);

describe('a .npy file: axis 0 is the sample axis', () => {
  it('splits along axis 0, adding the batch axis when the model has one', async () => {
    const file = npy(join(root, 'three.npy'), [3, 2, 2], (i) => i);
    const feeds = calibrationFeeds(file, modelOf('batch', 2, 2));
    expect([feeds.kind, feeds.count]).toEqual(['npy', 3]);
    const got = await collect(feeds);
    expect(got.map((t) => t.dims)).toEqual([[1, 2, 2], [1, 2, 2], [1, 2, 2]]);
    expect(got.map((t) => Array.from(t.data as Float32Array))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    // A model without a batch axis takes the samples as they are; so does [S, 1, 2, 2] for a [1, 2, 2] input.
    expect((await collect(calibrationFeeds(file, modelOf(2, 2)))).map((t) => t.dims)).toEqual([[2, 2], [2, 2], [2, 2]]);
    const batched = npy(join(root, 'batched.npy'), [2, 1, 2, 2], (i) => i);
    expect((await collect(calibrationFeeds(batched, modelOf(1, 2, 2)))).map((t) => t.dims)).toEqual([[1, 2, 2], [1, 2, 2]]);
  });

  it('--samples takes the first N', async () => {
    const file = npy(join(root, 'five.npy'), [5, 3], (i) => i);
    const feeds = calibrationFeeds(file, modelOf(1, 3), { samples: 2 });
    expect(feeds.count).toBe(2);
    expect((await collect(feeds)).map((t) => Array.from(t.data as Float32Array))).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(calibrationFeeds(file, modelOf(1, 3), { samples: 50 }).count).toBe(5);
  });

  it('a per-sample shape that does not fit names the file, the expected and the received shape', () => {
    const file = npy(join(root, 'wrong.npy'), [4, 3, 16, 16], () => 0);
    expect(() => calibrationFeeds(file, modelOf('N', 3, 32, 32))).toThrow(InvalidArgumentError);
    expect(() => calibrationFeeds(file, modelOf('N', 3, 32, 32))).toThrow(
      /^Expected a sample of shape \[N, 3, 32, 32\] for input "x" in .*wrong\.npy \(axis 0 is the sample axis\) but received shape \[3, 16, 16\]$/);
  });

  it('a model with several inputs, a dtype that differs, a missing file, samples < 1', () => {
    const file = npy(join(root, 'ok.npy'), [2, 3], () => 1);
    const two: CalibrationModel = { inputs: [{ name: 'a', type: { dtype: 'float32', shape: [1, 3] } }, { name: 'b', type: { dtype: 'float32', shape: [1, 3] } }] };
    expect(() => calibrationFeeds(file, two)).toThrow(/^Expected a model with one input for calibration data .*ok\.npy but received one with 2 \(a, b\)$/);
    expect(() => calibrationFeeds(file, { inputs: [{ name: 'ids', type: { dtype: 'int64', shape: [1, 3] } }] })).toThrow(/^Expected dtype int64 for input "ids" in .*ok\.npy but received float32$/);
    expect(() => calibrationFeeds(join(root, 'missing.npy'), modelOf(1, 3))).toThrow(/^Expected an existing \.npy file or folder for --calib but received ".*missing\.npy" of type string$/);
    for (const samples of [0, -1, 1.5, NaN])
      expect(() => calibrationFeeds(file, modelOf(1, 3), { samples })).toThrow(/^Expected an integer >= 1 for the number of calibration samples but received/);
  });

  it('NaN and infinity name the sample and the index, when iteration reaches them', async () => {
    const file = npy(join(root, 'nan.npy'), [3, 4], (i) => (i === 9 ? NaN : i));
    const it = calibrationFeeds(file, modelOf(1, 4))[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    expect((await it.next()).done).toBe(false);
    await rejects(it.next(), /^Expected finite values for sample 2 of .*nan\.npy but received NaN at index 1$/);
    await rejects(collect(calibrationFeeds(npy(join(root, 'inf.npy'), [1, 2], (i) => (i ? -Infinity : 0)), modelOf(1, 2))), /sample 0 of .*inf\.npy but received -Infinity at index 1/);
  });
});

describe('a folder of .npy files: one sample each, in name order', () => {
  it('yields the files sorted by name, --samples taking the first ones', async () => {
    const d = folder();
    for (const [name, v] of [['b', 2], ['a', 1], ['c', 3]] as const) npy(join(d, `${name}.npy`), [1, 2], () => v);
    writeFileSync(join(d, 'README.txt'), 'ignored');
    const feeds = calibrationFeeds(d, modelOf(1, 2));
    expect([feeds.kind, feeds.count]).toEqual(['npy-folder', 3]);
    expect((await collect(feeds)).map((t) => Array.from(t.data as Float32Array))).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect((await collect(calibrationFeeds(d, modelOf(1, 2), { samples: 2 }))).length).toBe(2);
  });

  it('streams: a file is read only when iteration reaches it', async () => {
    const d = folder();
    for (const name of ['0', '1', '2']) npy(join(d, `${name}.npy`), [1, 2], () => 0);
    const it = calibrationFeeds(d, modelOf(1, 2))[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    unlinkSync(join(d, '2.npy')); // after the first sample, before the third is read
    npy(join(d, '1.npy'), [1, 2], () => 7); // rewritten: the new contents are what the second sample holds
    expect(Array.from((await it.next()).value.x.data)).toEqual([7, 7]);
    await rejects(it.next(), /^Expected an existing file for a calibration \.npy file but received ".*2\.npy"/);
  });

  it('a file whose shape does not fit, or holding NaN, is named when reached', async () => {
    const d = folder();
    npy(join(d, 'a.npy'), [1, 2], () => 0);
    npy(join(d, 'b.npy'), [1, 5], () => 0);
    await rejects(collect(calibrationFeeds(d, modelOf(1, 2))), /^Expected a sample of shape \[1, 2\] for input "x" in .*b\.npy but received shape \[1, 5\]$/);
    const e = folder();
    npy(join(e, 'a.npy'), [2, 2], (i) => (i === 3 ? NaN : 0));
    await rejects(collect(calibrationFeeds(e, modelOf(2, 2))), /^Expected finite values for .*a\.npy but received NaN at index 3$/);
  });

  it('a folder with no usable files, with both kinds, for a model with several inputs', async () => {
    const empty = folder();
    expect(() => calibrationFeeds(empty, modelOf(1, 2))).toThrow(/^Expected \.npy files or images \(\.png, \.jpg, \.jpeg, \.webp\) in --calib folder .* but received an empty folder$/);
    writeFileSync(join(empty, 'a.csv'), '1,2');
    expect(() => calibrationFeeds(empty, modelOf(1, 2))).toThrow(/but received 1 other files \(a\.csv\)$/);
    const mixed = folder();
    npy(join(mixed, 'a.npy'), [1, 2], () => 0);
    await image(join(mixed, 'b.png'), 4, 4, () => [0, 0, 0]);
    expect(() => calibrationFeeds(mixed, modelOf(1, 2))).toThrow(/^Expected only \.npy files or only images in --calib folder .* but received 1 \.npy files and 1 images$/);
    const two: CalibrationModel = { inputs: [{ name: 'a', type: { dtype: 'float32' } }, { name: 'b', type: { dtype: 'float32' } }] };
    expect(() => calibrationFeeds(join(mixed, 'a.npy'), two)).toThrow(InvalidArgumentError);
  });
});

describe('a folder of images, preprocessed', () => {
  const solid = [200, 100, 50];

  it('imagenet: a solid colour gives exactly (v/255 - mean) / std per channel at 224x224', async () => {
    const d = folder();
    await image(join(d, 'solid.png'), 300, 260, () => solid);
    const feeds = calibrationFeeds(d, modelOf('N', 3, 'H', 'W'), { preprocess: 'imagenet' });
    expect([feeds.kind, feeds.count]).toEqual(['images', 1]);
    const [t] = await collect(feeds);
    expect(t.dims).toEqual([1, 3, 224, 224]);
    for (let c = 0; c < 3; c++) for (const [y, x] of [[0, 0], [111, 150], [223, 223]]) expect(at(t, c, y, x)).toBe(imagenet(solid[c], c));
  });

  it('imagenet and imagenet-caffe: a gradient checks the center crop and the channel order', async () => {
    // 320x256: the shorter side is already 256, so no resampling; the 224 crop starts at x=48, y=16.
    const d = folder();
    const px = (x: number, y: number) => [Math.floor((x * 255) / 319), y, 255 - (x % 200)];
    await image(join(d, 'gradient.png'), 320, 256, px);
    const [t] = await collect(calibrationFeeds(d, modelOf(1, 3, 224, 224), { preprocess: 'imagenet' }));
    const [b] = await collect(calibrationFeeds(d, modelOf(1, 3, 224, 224), { preprocess: 'imagenet-caffe' }));
    expect(b.dims).toEqual([1, 3, 224, 224]);
    for (const [y, x] of [[0, 0], [0, 223], [223, 0], [100, 37], [223, 223]]) {
      const [r, g, bl] = px(x + 48, y + 16);
      expect([at(t, 0, y, x), at(t, 1, y, x), at(t, 2, y, x)]).toEqual([imagenet(r, 0), imagenet(g, 1), imagenet(bl, 2)]);
      expect([at(b, 0, y, x), at(b, 1, y, x), at(b, 2, y, x)]).toEqual([Math.fround(bl - CAFFE[0]), Math.fround(g - CAFFE[1]), Math.fround(r - CAFFE[2])]);
    }
  });

  it('imagenet with a model of another fixed size crops to that size', async () => {
    const d = folder();
    await image(join(d, 'solid.jpg'), 200, 150, () => solid);
    const [t] = await collect(calibrationFeeds(d, modelOf(1, 3, 112, 112), { preprocess: 'imagenet' }));
    expect(t.dims).toEqual([1, 3, 112, 112]);
    // JPEG is lossy: within two levels of the colour.
    for (let c = 0; c < 3; c++) expect(Math.abs(at(t, c, 56, 56) - imagenet(solid[c], c))).toBeLessThanOrEqual(2 / 255 / STD[c]);
  });

  it('mnist: grayscale 28x28 /255 as [1, 1, 28, 28]', async () => {
    const d = folder();
    const px = (x: number, y: number) => [(x * 9 + y * 3) % 256];
    await image(join(d, 'a-digit.png'), 28, 28, px, 1);
    await image(join(d, 'b-solid.png'), 56, 84, () => [77], 1);
    const [digit, flat] = await collect(calibrationFeeds(d, modelOf('N', 1, 28, 28), { preprocess: 'mnist' }));
    expect(digit.dims).toEqual([1, 1, 28, 28]);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(at(digit, 0, y, x)).toBe(Math.fround(px(x, y)[0] / 255));
    expect(flat.dims).toEqual([1, 1, 28, 28]);
    expect(new Set(flat.data as Float32Array)).toEqual(new Set([Math.fround(77 / 255)]));
  });

  it("none: RGB /255 at the model input's H and W (webp too)", async () => {
    const d = folder();
    const px = (x: number, y: number) => [x * 8, y * 12, 255 - x];
    await image(join(d, 'exact.webp'), 30, 20, px);
    await image(join(d, 'solid.png'), 60, 40, () => solid);
    const [exact, flat] = await collect(calibrationFeeds(d, modelOf(1, 3, 20, 30), { preprocess: 'none' }));
    expect(exact.dims).toEqual([1, 3, 20, 30]);
    for (const [y, x] of [[0, 0], [19, 29], [7, 11]]) for (let c = 0; c < 3; c++) expect(at(exact, c, y, x)).toBe(Math.fround(px(x, y)[c] / 255));
    for (let c = 0; c < 3; c++) expect(at(flat, c, 13, 17)).toBe(Math.fround(solid[c] / 255));
  });

  it('streams: each image is decoded when iteration reaches it, --samples taking the first ones', async () => {
    const d = folder();
    for (const name of ['1', '2', '3']) await image(join(d, `${name}.png`), 8, 8, () => [Number(name), 0, 0]);
    expect(calibrationFeeds(d, modelOf(1, 3, 8, 8), { preprocess: 'none', samples: 2 }).count).toBe(2);
    const it = calibrationFeeds(d, modelOf(1, 3, 8, 8), { preprocess: 'none' })[Symbol.asyncIterator]();
    expect(at((await it.next()).value.x, 0, 0, 0)).toBe(Math.fround(1 / 255));
    await image(join(d, '2.png'), 8, 8, () => [9, 0, 0]); // replaced after the first sample: its new pixels are read
    unlinkSync(join(d, '3.png'));
    expect(at((await it.next()).value.x, 0, 0, 0)).toBe(Math.fround(9 / 255));
    await rejects(it.next(), /^Expected an existing file for a calibration image but received ".*3\.png"/);
  });

  it('a model input that images cannot feed, and a file sharp cannot decode', async () => {
    const d = folder();
    await image(join(d, 'a.png'), 8, 8, () => solid);
    expect(() => calibrationFeeds(d, modelOf(1, 3, 8))).toThrow(/^Expected a model input of rank 4 \(NCHW\) for image calibration data but received input "x" of shape \[1, 3, 8\]$/);
    expect(() => calibrationFeeds(d, modelOf(1, 3, 8, 8), { preprocess: 'mnist' })).toThrow(/^Expected a model input with 1 channel\(s\) for --preprocess mnist but received input "x" with 3$/);
    expect(() => calibrationFeeds(d, modelOf(1, 1, 8, 8), { preprocess: 'imagenet' })).toThrow(/^Expected a model input with 3 channel\(s\) for --preprocess imagenet but received input "x" with 1$/);
    expect(() => calibrationFeeds(d, modelOf(1, 3, 8, 8), { preprocess: 'sobel' as never })).toThrow(/^Expected one of imagenet, imagenet-caffe, mnist, none for --preprocess but received "sobel"/);
    writeFileSync(join(d, 'b.jpg'), 'not a jpeg');
    await rejects(collect(calibrationFeeds(d, modelOf(1, 3, 8, 8), { preprocess: 'none' })), /^Expected a decodable image for .*b\.jpg but received a file sharp cannot read/);
  });
});

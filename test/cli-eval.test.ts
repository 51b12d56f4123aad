// `int8kit eval` through the built CLI (dist/, built by `npm test`'s pretest or `npx tsup`): JSON and
// table output, the three --data layouts giving the same metrics, --quantize (static needs --calib,
// kept apart from the test set; dynamic), --report, and bad input as one "int8kit: Expected ..." line.
// The figures are checked against onnxruntime-node's logits counted here (as test/eval-metrics.test.ts).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor, quantizeStatic, writeNpy } from '../src';
import { loadMnistSplit } from '../src/data/mnist';
import { MNIST_MODEL, writeDigits, type DigitsFixture } from './eval-fixture';

const ort = createRequire(__filename)('onnxruntime-node');
const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'int8kit-cli-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const N = 120;
let fx: DigitsFixture, int8: string, calib: string, calibImages: string, calibFolder: string;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin', 'int8kit.cjs'), 'eval', ...args], { cwd: dir, encoding: 'utf8' });
}
function json(...args: string[]) {
  const r = cli(...args, '--json');
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe(''); // no progress bar with --json
  return JSON.parse(r.stdout);
}

/** Top-1 correct count of ORT on the digits. */
async function ortTop1(model: string): Promise<number> {
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const y = (await s.run({ input: new ort.Tensor('float32', fx.inputs, [N, 1, 28, 28]) })).logits.data as Float32Array;
  let correct = 0;
  for (let i = 0; i < N; i++) {
    const row = Array.from(y.subarray(i * 10, i * 10 + 10));
    if (row.indexOf(Math.max(...row)) === fx.labels[i]) correct++;
  }
  return correct;
}

beforeAll(async () => {
  fx = await writeDigits(dir, N);
  const c = loadMnistSplit('calibration');
  calib = join(dir, 'calib.npy');
  writeFileSync(calib, writeNpy(new Tensor('float32', c.images.slice(0, 32 * 784), [32, 1, 28, 28])));
  const calibration = Array.from({ length: 32 }, (_, i) => ({ input: new Tensor('float32', c.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));
  calibImages = join(dir, 'calib-images');
  calibFolder = join(dir, 'calib-folder');
  mkdirSync(calibImages);
  for (let i = 0; i < 16; i++) {
    const raw = Buffer.from(Uint8Array.from(c.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)));
    await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(calibImages, `c${i}.png`));
    mkdirSync(join(calibFolder, String(c.labels[i])), { recursive: true });
    await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(calibFolder, String(c.labels[i]), `c${i}.png`));
  }
  int8 = join(dir, 'int8.onnx');
  (await quantizeStatic(MNIST_MODEL, { calibration, perChannel: true })).save(int8);
}, 60_000);

describe('int8kit eval', () => {
  it('--json: the three layouts give the same metrics, close to ORT on the same models', async () => {
    const common = [MNIST_MODEL, '--int8', int8, '--topk', '3', '--batch', '16'];
    const runs = [
      json(...common, '--data', fx.npy, '--labels', fx.labelsNpy),
      json(...common, '--data', fx.imageFolder, '--preprocess', 'mnist'),
      json(...common, '--data', fx.flat, '--labels', fx.labelsTxt, '--preprocess', 'mnist'),
    ];
    expect(runs.map((r) => r.data.kind)).toEqual(['npy', 'image-folder', 'images-labels']);
    const figures = (r: any) => ({ count: r.count, topk: r.topk, classes: r.classes, agreement: r.agreement, fp32: [r.fp32.top1Correct, r.fp32.topkCorrect], int8: [r.int8.top1Correct, r.int8.topkCorrect], perClass: r.perClass.map((c: any) => [c.index, c.count, c.fp32, c.int8]).sort((a: number[], b: number[]) => a[0] - b[0]) });
    expect(figures(runs[1])).toEqual(figures(runs[0]));
    expect(figures(runs[2])).toEqual(figures(runs[0]));
    const r = runs[0];
    expect([r.count, r.topk, r.classes]).toEqual([N, 3, 10]);
    expect(Math.abs(r.fp32.top1Correct - (await ortTop1(MNIST_MODEL)))).toBeLessThanOrEqual(1);
    expect(Math.abs(r.int8.top1Correct - (await ortTop1(int8)))).toBeLessThanOrEqual(2);
    expect(r.fp32.top1).toBeCloseTo((100 * r.fp32.top1Correct) / N, 10);
    expect(r.sizes.fp32Bytes).toBe(readFileSync(MNIST_MODEL).length);
    expect(r.sizes.int8Bytes).toBe(readFileSync(int8).length);
    expect(r.sizes.ratio).toBeCloseTo(r.sizes.fp32Bytes / r.sizes.int8Bytes, 10);
    // perClass: every class, the largest INT8 drop first.
    expect(r.perClass).toHaveLength(10);
    for (let i = 1; i < 10; i++) expect(r.perClass[i - 1].drop).toBeGreaterThanOrEqual(r.perClass[i].drop);
  }, 120_000);

  it('tables on stdout, the report, no progress bar when stderr is not a terminal', () => {
    const report = join(dir, 'eval.html');
    const r = cli(MNIST_MODEL, '--int8', int8, '--data', fx.npy, '--labels', fx.labelsNpy, '--limit', '50', '--report', report);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\| top-1 % \| [\d.]+ \| [\d.]+ \|/);
    expect(r.stdout).toMatch(/\| top-5 % \| [\d.]+ \| [\d.]+ \|/);
    expect(r.stdout).toMatch(/\| agreement with FP32 top-1 % \|  \| [\d.]+ \|/);
    expect(r.stdout).toMatch(/Classes with the largest INT8 drop \(5 of 10\)/);
    expect(r.stdout).toContain('on 50 samples');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>Accuracy</h2>');
    expect(html).toContain('<h2>Per-class accuracy</h2>');
    expect(html).toContain('<h2>Model size</h2>');
    expect(html).not.toMatch(/<script|https?:\/\//);
  }, 60_000);

  it('--quantize: static on --calib, dynamic without; static without --calib is refused', () => {
    const base = [MNIST_MODEL, '--data', fx.npy, '--labels', fx.labelsNpy, '--limit', '40'];
    const s = json(...base, '--quantize', '--calib', calib, '--samples', '16', '--per-channel');
    expect(s.int8Model).toContain('quantized (static)');
    expect(s.agreement).toBeGreaterThan(90);
    expect(s.sizes.ratio).toBeGreaterThan(2);
    const d = json(...base, '--quantize', '--mode', 'dynamic');
    expect(d.int8Model).toContain('quantized (dynamic)');
    // Image calibration data is preprocessed as the evaluation data, custom flags included (here
    // an identity: 28x28 digits resized to 28 and cropped to 28x28), which gives the same model.
    const plain = json(...base, '--quantize', '--calib', calibImages, '--preprocess', 'mnist');
    const custom = json(...base, '--quantize', '--calib', calibImages, '--preprocess', 'mnist', '--resize', '28', '--size', '28x28', '--mean', '0', '--std', '1');
    expect(custom.sizes).toEqual(plain.sizes);
    expect([custom.int8.top1Correct, custom.int8.topkCorrect, custom.agreementCount]).toEqual([plain.int8.top1Correct, plain.int8.topkCorrect, plain.agreementCount]);
    // An ImageFolder works as calibration data too (the same 16 digits, in class-interleaved order).
    const folder = json(...base, '--quantize', '--calib', calibFolder, '--preprocess', 'mnist', '--std', '1');
    expect(folder.sizes).toEqual(plain.sizes);
    expect(folder.agreement).toBeGreaterThan(90);
    const r = cli(...base, '--quantize');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^int8kit: Expected calibration data separate from the test set \(--calib DATA/);
  }, 120_000);

  it('bad input: one typed message, exit code 1, no stack trace', () => {
    const labels = join(dir, 'bad-labels.csv');
    writeFileSync(labels, readFileSync(fx.labelsTxt, 'utf8').replace(/,(\d)\n/, ',12\n'));
    const cases: [string[], RegExp][] = [
      [[MNIST_MODEL, '--int8', int8, '--data', fx.flat, '--labels', labels, '--preprocess', 'mnist'], /^int8kit: Expected a label in \[0, 10\) \(the model's output has 10 classes\) for .*digit-0000\.png but received 12/],
      [[MNIST_MODEL, '--data', fx.npy, '--labels', fx.labelsNpy], /^int8kit: Expected the INT8 model to compare with \(--int8 QMODEL, or --quantize to make it here\) but received neither/],
      [[MNIST_MODEL, '--int8', int8, '--quantize', '--data', fx.npy, '--labels', fx.labelsNpy], /^int8kit: Expected either --int8 QMODEL or --quantize but received both/],
      [[MNIST_MODEL, '--int8', int8, '--data', fx.imageFolder], /^int8kit: Expected a --preprocess that makes 1-channel images for the input "input" of .*mnist-cnn\.onnx \(mnist\) but received --preprocess imagenet \(the default\)/],
      [[MNIST_MODEL, '--int8', int8, '--data', fx.imageFolder, '--preprocess', 'none'], /^int8kit: Expected a --preprocess that makes 1-channel images .* but received --preprocess none$/m],
      [[MNIST_MODEL, '--int8', int8, '--data', fx.npy, '--labels', fx.labelsNpy, '--topk', 'x'], /^int8kit: Expected an integer >= 1 for --topk but received "x"/],
      [[MNIST_MODEL, '--int8', int8, '--data', fx.imageFolder, '--preprocess', 'mnist', '--size', '32'], /^int8kit: Expected --size height 28 \(the model input fixes it\) but received 32/],
      [[MNIST_MODEL, '--int8', int8, '--data', fx.imageFolder, '--preprocess', 'mnist', '--mean', '0.1,x'], /^int8kit: Expected comma-separated numbers such as 0\.485,0\.456,0\.406 for --mean but received "0\.1,x"/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});

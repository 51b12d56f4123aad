// evaluate() against an independent oracle: onnxruntime-node runs the FP32 MNIST CNN and its INT8 QDQ
// model on the same real digits, and this file counts top-1 / top-k / agreement / per-class from ORT's
// logits with its own sort. evaluate() fed through an ORT-backed model must reproduce those counts
// exactly in all three --data layouts (the loop, batching, padding and datasets are what is tested);
// evaluate() on int8kit's own Sessions must land within a couple of samples of them (int8kit's and
// ORT's kernels round differently, which may flip a near-tie).
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor, evaluate, graphFromOnnx, openDataset, quantizeStatic, readModel, tensorDataset, type EvalModel, type EvalResult } from '../src';
import { loadMnistSplit } from '../src/data/mnist';
import { MNIST_MODEL, writeDigits, type DigitsFixture } from './eval-fixture';

const ort = createRequire(__filename)('onnxruntime-node');
const N = 250, K = 3;
const root = mkdtempSync(join(tmpdir(), 'int8kit-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let fx: DigitsFixture;
let int8Bytes: Uint8Array;

/** An EvalModel running onnxruntime-node; with `fixedBatch` it declares that batch dim and refuses any other. */
function ortModel(bytes: Uint8Array | string, fixedBatch?: number): EvalModel {
  let s: Promise<{ run(f: object): Promise<Record<string, { data: Float32Array; dims: number[] }>> }> | undefined;
  return {
    inputMetadata: [{ name: 'input', type: 'float32', shape: [fixedBatch ?? 'batch', 1, 28, 28] }],
    outputNames: ['logits'],
    async run(feeds) {
      const x = feeds.input;
      if (fixedBatch !== undefined && x.dims[0] !== fixedBatch) throw new Error(`batch ${x.dims[0]} given to a batch-${fixedBatch} model`);
      s ??= ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
      const out = (await (await s!).run({ input: new ort.Tensor('float32', x.data, x.dims) })).logits;
      return { logits: new Tensor('float32', out.data, out.dims) };
    },
  };
}

interface Oracle {
  top1: number[];
  topkHits: boolean[];
}

/** ORT's logits for all the digits in one run, ranked here by a stable sort (highest first, ties by index). */
async function oracle(bytes: Uint8Array | string): Promise<Oracle> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const logits = (await s.run({ input: new ort.Tensor('float32', fx.inputs, [N, 1, 28, 28]) })).logits.data as Float32Array;
  const top1: number[] = [], topkHits: boolean[] = [];
  for (let i = 0; i < N; i++) {
    const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
    const order = row.map((v, c) => ({ v, c })).sort((a, b) => b.v - a.v || a.c - b.c).map((e) => e.c);
    top1.push(order[0]);
    topkHits.push(order.slice(0, K).includes(fx.labels[i]));
  }
  return { top1, topkHits };
}

let fp32Oracle: Oracle, int8Oracle: Oracle;

beforeAll(async () => {
  fx = await writeDigits(root, N);
  const calib = loadMnistSplit('calibration');
  const calibration = Array.from({ length: 64 }, (_, i) => ({ input: new Tensor('float32', calib.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));
  int8Bytes = (await quantizeStatic(MNIST_MODEL, { calibration, perChannel: true })).toBytes();
  fp32Oracle = await oracle(MNIST_MODEL);
  int8Oracle = await oracle(int8Bytes);
}, 120_000);

const count = (xs: boolean[]) => xs.filter(Boolean).length;
const hits = (o: Oracle) => o.top1.map((p, i) => p === fx.labels[i]);

/** Every figure of `r` recomputed from the oracles. */
function expectOracle(r: EvalResult) {
  expect(r.count).toBe(N);
  expect([r.classes, r.topk]).toEqual([10, K]);
  expect(r.fp32.top1Correct).toBe(count(hits(fp32Oracle)));
  expect(r.fp32.topkCorrect).toBe(count(fp32Oracle.topkHits));
  expect(r.int8!.top1Correct).toBe(count(hits(int8Oracle)));
  expect(r.int8!.topkCorrect).toBe(count(int8Oracle.topkHits));
  expect(r.fp32.top1).toBeCloseTo((100 * r.fp32.top1Correct) / N, 10);
  expect(r.agreementCount).toBe(count(fp32Oracle.top1.map((p, i) => p === int8Oracle.top1[i])));
  expect(r.agreement).toBeCloseTo((100 * r.agreementCount!) / N, 10);
  for (let d = 0; d < 10; d++) {
    const mine = fx.labels.reduce<number[]>((a, l, i) => (l === d ? [...a, i] : a), []);
    const c = r.perClass.find((x) => x.index === d)!;
    expect(c.count).toBe(mine.length);
    expect(c.fp32).toBeCloseTo((100 * mine.filter((i) => fp32Oracle.top1[i] === d).length) / mine.length, 10);
    expect(c.int8).toBeCloseTo((100 * mine.filter((i) => int8Oracle.top1[i] === d).length) / mine.length, 10);
    expect(c.drop).toBeCloseTo(c.fp32 - c.int8!, 10);
  }
}

describe('evaluate() counts as an independent computation on ORT logits', () => {
  it('the digits are a meaningful test: the CNN is accurate and INT8 changes some logits', () => {
    expect(count(hits(fp32Oracle))).toBeGreaterThan(0.95 * N);
    expect(count(fp32Oracle.topkHits)).toBeGreaterThanOrEqual(count(hits(fp32Oracle)));
    expect(new Set(fx.labels).size).toBe(10);
  });

  it.each([
    ['ImageFolder', () => openDataset(fx.imageFolder, { preset: 'mnist' })],
    ['flat folder + labels file', () => openDataset(fx.flat, { labels: fx.labelsTxt, preset: 'mnist' })],
    ['.npy + labels.npy', () => openDataset(fx.npy, { labels: fx.labelsNpy })],
  ])('%s: the same metrics as the oracle', async (_, open) => {
    const ds = open();
    expect(ds.count).toBe(N);
    const progress: number[] = [];
    const r = await evaluate(ortModel(MNIST_MODEL), ortModel(int8Bytes), ds, { topk: K, batch: 16, keepPredictions: true, onProgress: (n) => progress.push(n) });
    expectOracle(r);
    expect(progress.at(-1)).toBe(N);
    expect(progress.length).toBe(Math.ceil(N / 16)); // 15 full batches and a partial one
    if (ds.kind !== 'image-folder') {
      expect(Array.from(r.predictions!.fp32)).toEqual(fp32Oracle.top1);
      expect(Array.from(r.predictions!.int8!)).toEqual(int8Oracle.top1);
      expect(Array.from(r.predictions!.labels)).toEqual(Array.from(fx.labels));
    }
  }, 120_000);

  it('a model with a fixed batch dim runs batches of that size, the last one padded, and scores only the real samples', async () => {
    const r = await evaluate(ortModel(MNIST_MODEL, 8), ortModel(int8Bytes, 8), openDataset(fx.npy, { labels: fx.labelsNpy }), { topk: K, batch: 32 });
    expectOracle(r); // 250 = 31 x 8 + 2
  });

  it('a batch larger than the data set is one partial batch', async () => {
    expectOracle(await evaluate(ortModel(MNIST_MODEL), ortModel(int8Bytes), openDataset(fx.npy, { labels: fx.labelsNpy }), { topk: K, batch: 1000 }));
  });
});

describe('evaluate() on int8kit Sessions', () => {
  const near = (a: number, b: number, samples: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(samples);

  it('FP32 and INT8 (fbgemm) within two samples of ORT on the same models', async () => {
    const fp32 = await Session.create(MNIST_MODEL), int8 = await Session.create(int8Bytes, { backend: 'fbgemm' });
    const r = await evaluate(fp32, int8, openDataset(fx.npy, { labels: fx.labelsNpy }), { topk: K, keepPredictions: true });
    fp32.release();
    int8.release();
    near(r.fp32.top1Correct, count(hits(fp32Oracle)), 1);
    near(r.fp32.topkCorrect, count(fp32Oracle.topkHits), 1);
    near(r.int8!.top1Correct, count(hits(int8Oracle)), 2);
    near(r.int8!.topkCorrect, count(int8Oracle.topkHits), 2);
    expect(r.predictions!.int8!.filter((p, i) => p !== int8Oracle.top1[i]).length).toBeLessThanOrEqual(2);
    expect(r.agreement).toBeGreaterThan(97);
    expect(r.fp32.imagesPerSecond).toBeGreaterThan(0);
  }, 60_000);

  it('a model whose batch dim is fixed at 1 runs one sample at a time', async () => {
    const graph = graphFromOnnx(readModel(MNIST_MODEL));
    graph.inputs[0].type.shape = [1, 1, 28, 28];
    const fp32 = await Session.create(graph);
    expect(fp32.inputMetadata[0].shape).toEqual([1, 1, 28, 28]);
    const r = await evaluate(fp32, undefined, openDataset(fx.npy, { labels: fx.labelsNpy, limit: 40 }), { batch: 32, keepPredictions: true });
    fp32.release();
    expect(r.count).toBe(40);
    expect(r.int8).toBeUndefined();
    expect(r.predictions!.fp32.filter((p, i) => p !== fp32Oracle.top1[i]).length).toBeLessThanOrEqual(1);
  }, 60_000);
});

describe('evaluate() ranking on logits with every rank and many ties', () => {
  // A "model" that looks up row x of a table of small random integer logits (so equal logits are
  // common), with labels spread over all ranks; the oracle ranks by a stable sort.
  const rows = 500, classes = 7;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const table = Float32Array.from({ length: rows * classes }, () => Math.floor(rand() * 4));
  const labels = Array.from({ length: rows }, () => Math.floor(rand() * classes));
  const lookup = (shift: number): EvalModel => ({
    inputMetadata: [{ name: 'x', type: 'float32', shape: ['n', 1] }],
    outputNames: ['y'],
    async run(feeds) {
      const idx = Array.from(feeds.x.data as Float32Array);
      const out = new Float32Array(idx.length * classes);
      idx.forEach((r, i) => out.set(table.subarray(r * classes, (r + 1) * classes).map((v, c) => (c === (r + shift) % classes ? v + 1 : v)), i * classes));
      return { y: new Tensor('float32', out, [idx.length, classes]) };
    },
  });
  const oracleOf = (shift: number, k: number) => labels.map((l, r) => {
    const row = Array.from(table.subarray(r * classes, (r + 1) * classes), (v, c) => (c === (r + shift) % classes ? v + 1 : v));
    const order = row.map((v, c) => ({ v, c })).sort((a, b) => b.v - a.v || a.c - b.c).map((e) => e.c);
    return { top1: order[0], hit: order.slice(0, k).includes(l) };
  });

  it.each([1, 2, 3, 6, 7, 10])('top-%i', async (k) => {
    const ds = tensorDataset(new Tensor('float32', Float32Array.from({ length: rows }, (_, i) => i), [rows, 1]), labels);
    const r = await evaluate(lookup(0), lookup(3), ds, { topk: k, batch: 64, keepPredictions: true });
    const a = oracleOf(0, k), b = oracleOf(3, k);
    expect(r.topk).toBe(Math.min(k, classes));
    expect(Array.from(r.predictions!.fp32)).toEqual(a.map((o) => o.top1));
    expect(Array.from(r.predictions!.int8!)).toEqual(b.map((o) => o.top1));
    expect(r.fp32.topkCorrect).toBe(a.filter((o) => o.hit).length);
    expect(r.int8!.topkCorrect).toBe(b.filter((o) => o.hit).length);
    expect(r.fp32.top1Correct).toBe(a.filter((o, i) => o.top1 === labels[i]).length);
    expect(r.agreementCount).toBe(a.filter((o, i) => o.top1 === b[i].top1).length);
    if (k < classes) expect(r.fp32.topkCorrect).toBeLessThan(rows); // the case is not trivially all hits
  });
});

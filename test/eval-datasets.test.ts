// openDataset(): layout detection, --classes mapping, labels files, and every bad input as a typed
// error naming the file (or line, or sample) and the rule, never a crash.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Tensor, evaluate, openDataset, tensorDataset, writeNpy, type EvalDataset, type EvalModel, type LabeledSample } from '../src';

const root = mkdtempSync(join(tmpdir(), 'int8kit-eval-ds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = (...subs: string[]) => {
  const d = join(root, `d${n++}`);
  for (const s of ['', ...subs]) mkdirSync(join(d, s), { recursive: true });
  return d;
};
/** A 2x2 grayscale PNG whose pixels are all `v`. */
const png = (file: string, v = 0) => sharp(Buffer.alloc(4, v), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(file);
const text = (file: string, body: string) => (writeFileSync(file, body), file);
const npy = (file: string, t: Tensor) => (writeFileSync(file, writeNpy(t)), file);

async function all(ds: EvalDataset): Promise<LabeledSample[]> {
  const out: LabeledSample[] = [];
  for await (const s of ds.samples({ channels: 1, height: 2, width: 2 })) out.push(s);
  return out;
}
async function rejects(p: Promise<unknown> | (() => unknown), message: RegExp) {
  const e = await Promise.resolve().then(typeof p === 'function' ? p : () => p).then(() => undefined, (e: unknown) => e);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  expect((e as Error).message).toMatch(message);
}

/** A 10-class model whose top class is the sample's first pixel value (x 255); `dims` overrides the output shape. */
const model = (dims?: (b: number) => number[]): EvalModel => ({
  inputMetadata: [{ name: 'x', type: 'float32', shape: ['n', 1, 2, 2] }],
  outputNames: ['y'],
  async run(feeds) {
    const b = feeds.x.dims[0], d = dims?.(b) ?? [b, 10];
    const y = new Float32Array(d.reduce((a, c) => a * c, 1));
    for (let i = 0; i < b; i++) y[i * 10 + Math.round((feeds.x.data as Float32Array)[i * 4] * 255)] = 1;
    return { y: new Tensor('float32', y, d) };
  },
});

describe('layouts', () => {
  it('ImageFolder: sorted folder names are the classes, read one class after another', async () => {
    const d = folder('cat', 'ant', 'bee');
    await Promise.all([png(join(d, 'cat', 'a.png'), 2), png(join(d, 'cat', 'b.png'), 2), png(join(d, 'ant', 'x.png'), 0), png(join(d, 'bee', 'y.png'), 1)]);
    const ds = openDataset(d, { preset: 'mnist' });
    expect([ds.kind, ds.count, ds.classNames]).toEqual(['image-folder', 4, ['ant', 'bee', 'cat']]);
    expect((await all(ds)).map((s) => [s.label, s.source.slice(d.length + 1)])).toEqual([[0, 'ant/x.png'], [1, 'bee/y.png'], [2, 'cat/a.png'], [2, 'cat/b.png']]);
    const r = await evaluate(model(), undefined, ds, { topk: 1 });
    expect(r.perClass.map((c) => [c.name, c.count, c.fp32])).toEqual([['ant', 1, 100], ['bee', 1, 100], ['cat', 2, 100]]);
    expect(openDataset(d, { preset: 'mnist', limit: 3 }).count).toBe(3);
  });

  it('ImageFolder with --classes: a folder\'s class is the line of its name (first token)', async () => {
    const d = folder('n02', 'n07');
    await Promise.all([png(join(d, 'n02', 'a.png')), png(join(d, 'n07', 'b.png'))]);
    const classes = text(join(d, '..', `classes${n}.txt`), 'n07 seven, 7\n\nn05 five\nn02 two\n');
    const ds = openDataset(d, { classes, preset: 'mnist' });
    expect(ds.classNames).toEqual(['n07 seven, 7', 'n05 five', 'n02 two']);
    expect((await all(ds)).map((s) => s.label)).toEqual([2, 0]);
  });

  it('a flat folder + labels: spaces or commas, a header, class keys with --classes, extra entries ignored', async () => {
    const d = folder();
    await Promise.all(['a.png', 'b.png', 'c.png'].map((f) => png(join(d, f))));
    const labels = text(join(root, `l${n}.txt`), 'image label\na.png 3\n  "b.png",  4\nsub/c.png n09\nmissing.png 1\n');
    const classes = text(join(root, `c${n}.txt`), Array.from({ length: 10 }, (_, i) => `n0${i}`).join('\n'));
    const ds = openDataset(d, { labels, classes, preset: 'mnist' });
    expect([ds.kind, ds.count]).toEqual(['images-labels', 3]);
    expect((await all(ds)).map((s) => s.label)).toEqual([3, 4, 9]);
  });

  it('.npy inputs + int64 / int32 / uint8 labels', async () => {
    const x = npy(join(root, 'x3.npy'), new Tensor('float32', Float32Array.from({ length: 12 }, (_, i) => i), [3, 1, 2, 2]));
    for (const [type, data] of [['int64', BigInt64Array.of(1n, 2n, 0n)], ['int32', Int32Array.of(1, 2, 0)], ['uint8', Uint8Array.of(1, 2, 0)]] as const) {
      const ds = openDataset(x, { labels: npy(join(root, `y-${type}.npy`), new Tensor(type, data as never, [3])) });
      const s = await all(ds);
      expect(s.map((v) => v.label)).toEqual([1, 2, 0]);
      expect(s.map((v) => [v.input.dims, Array.from(v.input.data)])).toEqual([[[1, 1, 2, 2], [0, 1, 2, 3]], [[1, 1, 2, 2], [4, 5, 6, 7]], [[1, 1, 2, 2], [8, 9, 10, 11]]]);
    }
  });
});

describe('bad input: typed errors naming the file and the rule', () => {
  it('a missing path, an empty folder, a folder of other files', async () => {
    await rejects(() => openDataset(join(root, 'nope')), /^Expected an existing folder or \.npy file for --data but received ".*nope"/);
    await rejects(() => openDataset(folder()), /^Expected images .* in --data .* but received an empty folder/);
    const d = folder('empty-class');
    text(join(d, 'notes.txt'), 'x');
    await rejects(() => openDataset(d), /but received no images among 2 entries/);
    await rejects(() => openDataset(text(join(root, 'x.csv'), '1')), /^Expected a folder of images or a \.npy file of inputs for --data/);
  });

  it('ambiguous layouts and --labels where it does not belong or is missing', async () => {
    const d = folder('a');
    await Promise.all([png(join(d, 'top.png')), png(join(d, 'a', 'x.png'))]);
    await rejects(() => openDataset(d), /^Expected either images \(with --labels\) or class subfolders of images \(ImageFolder\) in .* but received both: 1 images and 1 subfolders/);
    const f = folder('a');
    await png(join(f, 'a', 'x.png'));
    await rejects(() => openDataset(f, { labels: 'l.txt' }), /^Expected no --labels for the ImageFolder .* \(its class subfolders are the labels\) but received --labels l\.txt/);
    const flat = folder();
    await png(join(flat, 'x.png'));
    await rejects(() => openDataset(flat), /^Expected --labels FILE .* for the flat image folder .* but received no --labels/);
  });

  it('an ImageFolder class absent from --classes, a duplicate class, an empty class list', async () => {
    const d = folder('n01', 'zebra');
    await Promise.all([png(join(d, 'n01', 'a.png')), png(join(d, 'zebra', 'b.png'))]);
    await rejects(() => openDataset(d, { classes: text(join(root, 'k1.txt'), 'n00\nn01\n') }), /^Expected class folder "zebra" of .* to be a class listed in --classes .*k1\.txt but received a name absent from its 2 classes/);
    await rejects(() => openDataset(d, { classes: text(join(root, 'k2.txt'), 'n01\nzebra\nn01 again\n') }), /^Expected each class once in .*k2\.txt but received "n01" again at line 3/);
    await rejects(() => openDataset(d, { classes: text(join(root, 'k3.txt'), '\n# none\n') }), /^Expected one class per line in --classes .*k3\.txt but received no classes/);
  });

  it('a labels file: a malformed line (file:line), an image without a label, two labels for one file', async () => {
    const d = folder();
    await Promise.all([png(join(d, 'a.png')), png(join(d, 'b.png'))]);
    await rejects(() => openDataset(d, { labels: text(join(root, 'm1.txt'), 'a.png 1\nb.png three\n') }), /^Expected "file label" or "file,label" with an integer label at .*m1\.txt:2 but received "b\.png three"/);
    await rejects(() => openDataset(d, { labels: text(join(root, 'm2.txt'), 'a.png 1\n') }), /^Expected a label for image .*b\.png in --labels .*m2\.txt but received none for "b\.png"/);
    await rejects(() => openDataset(d, { labels: text(join(root, 'm3.txt'), 'a.png 1\nb.png 2\na.png 3\n') }), /^Expected one label per file in .*m3\.txt but received a\.png again at line 3 with another label \(1 then 3\)/);
    await rejects(() => openDataset(d, { labels: join(root, 'none.txt') }), /^Expected an existing text file for --labels/);
  });

  it('a label out of range for the model, naming the image', async () => {
    const d = folder();
    await Promise.all([png(join(d, 'a.png')), png(join(d, 'b.png'))]);
    const ds = openDataset(d, { labels: text(join(root, 'r.txt'), 'a.png 0\nb.png 12\n'), preset: 'mnist' });
    await rejects(evaluate(model(), undefined, ds), /^Expected a label in \[0, 10\) \(the model's output has 10 classes\) for .*b\.png but received 12/);
  });

  it('a corrupt image fails the evaluation naming the file', async () => {
    const d = folder();
    await png(join(d, 'a.png'));
    writeFileSync(join(d, 'b.png'), 'not a png at all');
    const ds = openDataset(d, { labels: text(join(root, 'c.txt'), 'a.png 0\nb.png 1\n'), preset: 'mnist' });
    await rejects(evaluate(model(), undefined, ds), /^Expected a decodable image for .*b\.png but received a file sharp cannot read/);
  });

  it('.npy: NaN in an input (naming the sample), label count mismatch, float labels, negative labels, no --labels', async () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i);
    data[6] = NaN;
    const x = npy(join(root, 'nan.npy'), new Tensor('float32', data, [3, 1, 2, 2]));
    const y3 = npy(join(root, 'y3.npy'), new Tensor('int32', Int32Array.of(0, 1, 2), [3]));
    await rejects(all(openDataset(x, { labels: y3 })), /^Expected finite inputs in .*nan\.npy but received NaN in sample 1 at index 2/);
    await rejects(evaluate(model(), undefined, openDataset(x, { labels: y3 })), /received NaN in sample 1/);
    await rejects(() => openDataset(x, { labels: npy(join(root, 'y2.npy'), new Tensor('int32', Int32Array.of(0, 1), [2])) }), /^Expected 3 labels \(shape \[3\]: one per sample of .*nan\.npy\) in .*y2\.npy but received shape \[2\]/);
    await rejects(() => openDataset(x, { labels: npy(join(root, 'yf.npy'), new Tensor('float32', Float32Array.of(0, 1, 2), [3])) }), /^Expected integer labels \(int32, int64, uint8\) in .*yf\.npy but received dtype float32/);
    await rejects(() => openDataset(x, { labels: npy(join(root, 'yn.npy'), new Tensor('int32', Int32Array.of(0, -1, 2), [3])) }), /^Expected labels >= 0 in .*yn\.npy but received -1 at index 1/);
    await rejects(() => openDataset(x), /^Expected --labels labels\.npy \(N integers\) for the inputs .*nan\.npy but received no --labels/);
    await rejects(() => openDataset(x, { labels: y3, limit: 0 }), /^Expected an integer >= 1 for --limit but received 0/);
  });

  it('a model whose output is not [N, classes], and bad options', async () => {
    const ds = tensorDataset(new Tensor('float32', new Float32Array(8), [2, 1, 2, 2]), [0, 1]);
    await rejects(evaluate(model((b) => [b, 5, 2]), undefined, ds), /^Expected the FP32 model's output "y" to be float32 \[2, classes\] \(logits or probabilities\) but received float32 \[2,5,2\]/);
    await rejects(evaluate(model((b) => [b * 10]), undefined, ds), /^Expected the FP32 model's output "y" to be float32 \[2, classes\]/);
    await rejects(evaluate(model(), model((b) => [b, 20]), ds), /^Expected 10 classes from the INT8 model \(as the other\) but received an output of \[2,20\]/);
    const r = await evaluate(model(), model((b) => [b, 10, 1, 1]), ds);
    expect(r.classes).toBe(10);
    await rejects(evaluate(model(), undefined, ds, { topk: 0 }), /^Expected an integer >= 1 for --topk but received 0/);
    await rejects(evaluate(model(), undefined, ds, { batch: 1.5 }), /^Expected an integer >= 1 for --batch but received 1\.5/);
    const two: EvalModel = { ...model(), inputMetadata: [...model().inputMetadata, { name: 'z', type: 'float32', shape: [1] }] };
    await rejects(evaluate(two, undefined, ds), /^Expected a model with one input for evaluation \(FP32\) but received one with 2 \(x, z\)/);
    const fixed = (b: number): EvalModel => ({ ...model(), inputMetadata: [{ name: 'x', type: 'float32', shape: [b, 1, 2, 2] }] });
    await rejects(evaluate(fixed(1), fixed(4), ds), /^Expected the FP32 and INT8 models to agree on a fixed batch size but received 1 and 4/);
    await rejects(() => tensorDataset(new Tensor('float32', new Float32Array(8), [2, 1, 2, 2]), [0]), /^Expected 2 labels/);
  });
});

describe('timing', () => {
  it('the first batch of each shape runs once untimed (a Session prepares itself then), the counts are unchanged', async () => {
    const shapes: number[] = [];
    const m = model();
    const counting: EvalModel = { ...m, run: (feeds) => (shapes.push(feeds.x.dims[0]), m.run(feeds)) };
    const ds = tensorDataset(new Tensor('float32', new Float32Array(10 * 4), [10, 1, 2, 2]), Array(10).fill(0));
    const r = await evaluate(counting, undefined, ds, { batch: 4 });
    expect(shapes).toEqual([4, 4, 4, 2, 2]); // 4 + 4 + 2 samples; shapes 4 and 2 each warmed once
    expect([r.count, r.fp32.top1Correct]).toEqual([10, 10]);
    expect(r.fp32.imagesPerSecond).toBeGreaterThan(0);
  });
});

// Models written by PyTorch's own exporter (torch.onnx.export, opset 14, dynamic batch/sequence
// axes; see scripts/export-pytorch-fixtures.py, whose outputs are committed under
// test/fixtures/pytorch/<name>/): int8kit reproduces PyTorch's outputs within 1e-4 relative to the
// output's largest magnitude on both backends, and so does onnxruntime-node as a second oracle.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session, Tensor, readNpy } from '../src';

const ort = createRequire(__filename)('onnxruntime-node');
const root = join(__dirname, 'fixtures', 'pytorch');
const fixtures = readdirSync(root).filter((f) => existsSync(join(root, f, 'model.onnx'))).sort();

interface Case {
  name: string;
  dir: string;
  inputs: Tensor[];
  outputs: Tensor[];
}

const numbered = (dir: string, prefix: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.npy'))
    .sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
    .map((f) => readNpy(readFileSync(join(dir, f)), f));

const cases: Case[] = fixtures.flatMap((name) =>
  readdirSync(join(root, name))
    .filter((d) => d.startsWith('set_'))
    .sort()
    .map((set) => {
      const dir = join(root, name, set);
      return { name: `${name}/${set}`, dir: join(root, name), inputs: numbered(dir, 'input_'), outputs: numbered(dir, 'output_') };
    }),
);

function expectClose(got: { dims: readonly number[]; data: unknown }, want: Tensor, what: string) {
  expect(got.dims, `${what} dims`).toEqual(want.dims);
  const w = want.data as Float32Array, g = got.data as Float32Array;
  expect(g.length, `${what} length`).toBe(w.length);
  let scale = 0, worst = 0;
  for (let i = 0; i < w.length; i++) scale = Math.max(scale, Math.abs(w[i]));
  for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - g[i]));
  expect(worst / scale, `${what}: worst error ${worst} against scale ${scale}`).toBeLessThanOrEqual(1e-4);
}

it('finds the committed fixtures', () => {
  expect(fixtures).toEqual(['mlp', 'small_cnn', 'tiny_transformer', 'upsample']);
  expect(cases.length).toBe(8);
});

describe.each(['native', 'wasm'])('PyTorch-exported models on the %s backend', (backend) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s matches PyTorch', async (_, c) => {
    const s = await Session.create(join(c.dir, 'model.onnx'), { backend });
    try {
      expect(s.inputNames.length).toBe(c.inputs.length);
      expect(s.outputNames.length).toBe(c.outputs.length);
      const feeds = Object.fromEntries(s.inputNames.map((n, i) => [n, c.inputs[i]]));
      const got = await s.run(feeds);
      s.outputNames.forEach((n, i) => expectClose(got[n], c.outputs[i], n));
    } finally {
      s.release();
    }
  }, 60_000);
});

describe('PyTorch-exported models on onnxruntime-node (second oracle)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s matches PyTorch', async (_, c) => {
    const s = await ort.InferenceSession.create(join(c.dir, 'model.onnx'), { intraOpNumThreads: 1 });
    const feeds = Object.fromEntries(
      (s.inputNames as string[]).map((n, i) => [n, new ort.Tensor(c.inputs[i].type, c.inputs[i].data, c.inputs[i].dims)]),
    );
    const got = await s.run(feeds);
    (s.outputNames as string[]).forEach((n, i) => expectClose({ dims: got[n].dims, data: got[n].data }, c.outputs[i], n));
  }, 60_000);
});

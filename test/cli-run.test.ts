// int8kit run on a conformance model: inputs converted from the stored .pb to .npy, the CLI's .npy
// outputs compared with the stored expected outputs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor, readNpy, writeNpy } from '../src';
import { readTensor } from '../src/onnx';

const root = resolve(__dirname, '..');
const data = '/usr/share/libonnx-testdata/data/node';
const dir = mkdtempSync(join(tmpdir(), 'int8kit-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pb = (file: string) => {
  const t = readTensor(readFileSync(file));
  return { name: t.name, tensor: new Tensor(t.dtype as never, t.data as never, t.dims) };
};

describe.skipIf(!existsSync(data))('int8kit run (needs libonnx-testdata)', () => {
  it.each(['test_relu', 'test_add_bcast', 'test_softmax_axis_1'])('reproduces the stored outputs of %s', (name) => {
    const test = join(data, name), set = join(test, 'test_data_set_0');
    const args = [join(root, 'bin', 'int8kit.cjs'), 'run', join(test, 'model.onnx'), '--output-dir', join(dir, name)];
    for (const f of readdirSync(set).filter((f) => f.startsWith('input_'))) {
      const { name: input, tensor } = pb(join(set, f));
      writeFileSync(join(dir, `${name}-${f}.npy`), writeNpy(tensor));
      args.push('--input', `${input}=${join(dir, `${name}-${f}.npy`)}`);
    }
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const f of readdirSync(set).filter((f) => f.startsWith('output_'))) {
      const want = pb(join(set, f));
      const got = readNpy(readFileSync(join(dir, name, `${want.name}.npy`)));
      expect(got.dims).toEqual(want.tensor.dims);
      (got.data as Float32Array).forEach((v, i) => expect(Math.abs(v - (want.tensor.data as Float32Array)[i])).toBeLessThan(1e-5));
    }
  });

  it('says which input is malformed', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'int8kit.cjs'), 'run', join(data, 'test_relu', 'model.onnx'), '--input', 'x', '--output-dir', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Expected NAME=FILE.npy for --input but received "x"/);
  });
});

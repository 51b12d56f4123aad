// .npy files against NumPy itself (Debian's python3-numpy): NumPy writes, we read; we write, NumPy reads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Tensor } from '../src';
import { readNpy, writeNpy } from '../src/io/npy';

const python = '/usr/bin/python3';
const hasNumpy = spawnSync(python, ['-c', 'import numpy']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'int8kit-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const py = (code: string) => {
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};

const cases: [string, string, number[]][] = [
  ['float32', 'float32', [2, 3, 4]], ['uint8', 'uint8', [5]], ['int8', 'int8', [3, 1]], ['int32', 'int32', [2, 2]],
  ['int64', 'int64', [7]], ['bool', 'bool_', [2, 3]], ['float32', 'float32', []], ['float32', 'float32', [0, 3]],
];

describe.skipIf(!hasNumpy)('.npy against NumPy (skipped without /usr/bin/python3 numpy)', () => {
  it.each(cases)('reads what NumPy writes: %s %s %j', (dtype, npType, shape) => {
    const file = join(dir, `np-${dtype}-${shape.join('x')}.npy`);
    const values = JSON.parse(py(`import numpy as np, json
rng = np.random.default_rng(7)
a = (rng.standard_normal(${JSON.stringify(shape)}) * 100).astype(np.${npType})
np.save(${JSON.stringify(file)}, a)
print(json.dumps(a.reshape(-1).tolist()))`));
    const t = readNpy(readFileSync(file));
    expect(t.type).toBe(dtype);
    expect(t.dims).toEqual(shape);
    const got = Array.from(t.data as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? Number(x) : x));
    expect(got).toEqual(values.map((v: number | boolean) => (typeof v === 'boolean' ? Number(v) : v)));
  });

  it.each(cases)('writes what NumPy reads: %s %s %j', (dtype, npType, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? i % 2 : dtype === 'uint8' ? i % 256 : i - 3));
    const t = new Tensor(dtype as never, dtype === 'int64' ? data.map(BigInt) as never : data, shape);
    const file = join(dir, `ours-${dtype}-${shape.join('x')}.npy`);
    writeFileSync(file, writeNpy(t));
    const out = JSON.parse(py(`import numpy as np, json
a = np.load(${JSON.stringify(file)})
print(json.dumps({'dtype': str(a.dtype), 'shape': list(a.shape), 'values': a.reshape(-1).astype(float).tolist()}))`));
    expect(out.dtype).toBe(npType === 'bool_' ? 'bool' : npType);
    expect(out.shape).toEqual(shape);
    expect(out.values).toEqual(data);
  });
});

describe('.npy errors', () => {
  it('names what is wrong', () => {
    const good = writeNpy(new Tensor('float32', [1, 2, 3], [3]));
    expect(() => readNpy(good.subarray(0, good.length - 1), 'x.npy')).toThrow(/Invalid .npy x.npy: expected 12 data bytes/);
    expect(() => readNpy(new Uint8Array(20))).toThrow(InvalidArgumentError);
    const f64 = Buffer.from(good);
    f64.write("'<f8'", f64.indexOf("'<f4'"));
    expect(() => readNpy(f64)).toThrow(/expected dtype one of .* but received <f8/);
  });
});

/** The reference ONNX implementation (Debian's python3-onnx) loads and checks what writeModel writes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readModel, writeModel } from '../src/onnx';
import { conformanceCases } from './support/onnx-conformance';

const python = '/usr/bin/python3';
const hasOnnx = spawnSync(python, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
const cases = conformanceCases().filter((c, i) => c.suite !== 'node' || i % 10 === 0);

test.skipIf(!hasOnnx || cases.length === 0)('onnx.checker accepts written models, inline and with external data (python3-onnx)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'int8kit-onnx-check-'));
  cases.forEach((c, i) => {
    const model = readModel(c.model);
    if (i % 2) writeModel(model, { path: join(dir, `m${i}.onnx`) });
    else writeModel(model, { path: join(dir, `m${i}.onnx`), externalDataThreshold: 16 });
  });
  const script = `
import glob, sys, onnx
bad = []
files = sorted(glob.glob(sys.argv[1] + '/*.onnx'))
for f in files:
    try:
        m = onnx.load(f)  # also loads external data relative to the file
        onnx.checker.check_model(m)
    except Exception as e:
        bad.append(f + ': ' + str(e)[:300])
print(len(files), len(bad))
print('\\n'.join(bad))
`;
  const out = execFileSync(python, ['-c', script, dir], { encoding: 'utf8' });
  const [counts, ...errors] = out.trim().split('\n');
  console.log(`onnx.checker: ${counts} (checked, rejected); ${errors.join('\n')}`);
  expect(counts).toBe(`${cases.length} 0`);
});

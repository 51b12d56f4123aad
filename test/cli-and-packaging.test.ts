// The built package as users get it: the CLI, CommonJS and ESM entries, and the WASM fallback when
// the addon is missing. Runs dist/ (built by `npm test`'s pretest step) in child processes.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const cli = join(root, 'bin', 'int8kit.cjs');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, ...env, NO_COLOR: '1' }, encoding: 'utf8' });

describe('int8kit info', () => {
  it('--json prints one object with version, CPU features and both backends available', () => {
    const out = JSON.parse(execFileSync(process.execPath, [cli, 'info', '--json'], { encoding: 'utf8' }));
    expect(out.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Array.isArray(out.cpu.features)).toBe(true);
    const byName = Object.fromEntries(out.backends.map((b: any) => [b.name, b]));
    expect(byName.wasm.available).toBe(true);
    expect(byName.wasm.isa.selected).toBe('wasmsimd');
    if (process.env.INT8KIT_ALLOW_NO_NATIVE) return;
    expect(byName.native.available, byName.native.reason).toBe(true);
    expect(out.cpu.features.length).toBeGreaterThan(0);
    expect(byName.native.isa.kernels.u8s8Gemm).toMatch(/^u8s8_gemm_/);
    // The kernel named for the selected ISA is the one that ISA's entry lists.
    const selected = byName.native.isas.find((i: any) => i.isa === byName.native.isa.selected);
    expect(selected.kernels).toEqual(byName.native.isa.kernels);
  });

  it('prints a readable report without --json', () => {
    const r = run([cli, 'info']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/backend native: (available|unavailable)/);
    expect(r.stdout).toMatch(/backend wasm: available/);
  });

  it('honours INT8KIT_ISA and explains an ISA this CPU cannot run', () => {
    const forced = JSON.parse(run([cli, 'info', '--json'], { INT8KIT_ISA: 'scalar' }).stdout);
    const native = forced.backends.find((b: any) => b.name === 'native');
    if (!native.available) return;
    expect(native.isa.selected).toBe('scalar');
    expect(native.isa.kernels.u8s8Gemm).toBe('u8s8_gemm_4x8_scalar');
    const bogus = JSON.parse(run([cli, 'info', '--json'], { INT8KIT_ISA: 'sse9' }).stdout);
    expect(bogus.backends.find((b: any) => b.name === 'native').isa.forcedIsaError).toMatch(/INT8KIT_ISA=sse9 is not a known ISA/);
  });

});

const smoke = `
  const plan = { values: [{ dtype: 'float32', shape: [1, 2] }, { dtype: 'float32', shape: [2, 1], data: new Float32Array([3, 4]) },
    { dtype: 'float32', shape: [1, 1] }], ops: [{ op: 'Gemm', inputs: [0, 1, null], outputs: [2] }], inputs: [0], outputs: [2] };
  const s = await m.PlanSession.create(plan);
  const [y] = await s.run([new Float32Array([1, 2])]);
  console.log(JSON.stringify({ backend: s.backend, y: Array.from(y) }));`;

describe('package entries', () => {
  it('loads from CommonJS', () => {
    const r = run(['-e', `(async () => { const m = require('int8kit'); ${smoke} })()`]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).y).toEqual([11]);
  });

  it('loads from ESM', () => {
    const r = run(['--input-type=module', '-e', `const m = await import('int8kit'); ${smoke}`]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).y).toEqual([11]);
  });
});

describe('shipped types', () => {
  it('type-check a consumer from ESM and from CommonJS (NodeNext resolution)', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = run([tsc, '-p', join(root, 'test', 'fixtures', 'types')]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the wasm backend', () => {
  it('leaves process-wide error handlers alone', () => {
    const r = run(['-e', `(async () => { const m = require('int8kit');
      const count = () => process.listenerCount('unhandledRejection') + process.listenerCount('uncaughtException');
      const before = count(); ${smoke.replace('PlanSession.create(plan)', "PlanSession.create(plan, { backend: 'wasm' })")}
      console.error(JSON.stringify({ before, after: count() })); })()`]);
    const counts = JSON.parse(r.stderr);
    expect(JSON.parse(r.stdout).backend).toBe('wasm');
    expect(counts.after).toBe(counts.before);
  });
});

describe('without the native addon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'int8kit-nonative-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('falls back to wasm and warns once with the reason and the fix', () => {
    // A copy of the package with no build/ and no prebuilds/: the addon genuinely cannot load.
    for (const p of ['package.json', 'dist', 'wasm/dist']) cpSync(join(root, p), join(dir, p), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const r = spawnSync(process.execPath, ['-e', `(async () => { const m = require('./dist/index.cjs'); ${smoke}
      const s2 = await m.PlanSession.create(plan); await s2.run([new Float32Array([1, 2])]); })()`], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual({ backend: 'wasm', y: [11] });
    const warnings = r.stderr.split('\n').filter((l) => l.includes('Int8kitWarning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Int8kitWarning: using the wasm backend because the native addon did not load .*npm rebuild int8kit/);
  });
});

// The C++ kernel driver (native/test/kernel-test.cc): every kernel config usable on this CPU against
// the scalar one, through the operators and through direct microkernel calls at page boundaries
// (an over-read faults). The same driver runs for AArch64 under qemu to test the NEON kernels.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function summary(output: string): { passed: number; failed: number } {
  const m = /^(\d+) passed, (\d+) failed/m.exec(output);
  if (!m) throw new Error(`no summary line in the driver output:\n${output.slice(-2000)}`);
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${out.slice(-3000)}`);
  return out;
}

describe('C++ kernel driver', () => {
  it.skipIf(!has('cmake'))('passes for every ISA this CPU has (needs cmake)', () => {
    const build = join(root, 'build-test');
    run('cmake', ['-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
    run('cmake', ['--build', build, '--target', 'kernel-test', '-j2']);
    const s = summary(run(join(build, 'kernel-test'), []));
    expect(s.failed).toBe(0);
    expect(s.passed).toBeGreaterThan(1000);
  }, 600_000);

  const neonTools = has('aarch64-linux-gnu-g++') && has('qemu-aarch64');
  it.skipIf(!neonTools)(
    `passes for the NEON kernels under qemu-aarch64${neonTools ? '' : ' (skipped: needs g++-aarch64-linux-gnu and qemu-user)'}`,
    () => {
      const s = summary(run('bash', [join(root, 'scripts', 'test-neon.sh')]));
      expect(s.failed).toBe(0);
      expect(s.passed).toBeGreaterThan(1000);
    },
    600_000,
  );
});

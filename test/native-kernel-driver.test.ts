// The C++ kernel driver (native/test/: harness.cc and one *-test.cc per kernel family): every kernel config usable on this CPU against
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

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, env });
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

  // Kernels must never touch memory outside the buffers they are given, tails included, and must
  // not rely on undefined behaviour. Built with clang: GCC 12 miscompiles the generic-vector
  // depthwise kernels whenever an arithmetic sanitizer is on (wrong sums, no report), while clang
  // 14 and GCC without sanitizers compute them exactly.
  const clang = ['clang++', 'clang++-14', 'clang++-15', 'clang++-16'].find(has);
  it.skipIf(!clang || !has('cmake'))(
    `passes under AddressSanitizer and UndefinedBehaviorSanitizer${clang ? '' : ' (skipped: needs clang)'}`,
    () => {
      const build = join(root, 'build-sanitize');
      const env = { ...process.env, CXX: clang, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1', UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1' };
      run('cmake', ['-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Release', '-DINT8KIT_SANITIZE=ON'], env);
      run('cmake', ['--build', build, '--target', 'kernel-test', '-j2'], env);
      const out = run(join(build, 'kernel-test'), [], env);
      expect(out).not.toMatch(/runtime error|AddressSanitizer|LeakSanitizer/);
      const s = summary(out);
      expect(s.failed).toBe(0);
      expect(s.passed).toBeGreaterThan(1000);
    },
    900_000,
  );

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

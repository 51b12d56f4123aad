// npm run bench:gemm [-- args]: builds the native GEMM benchmark (native/bench) with CMake in
// Release mode and runs it, then measures the WebAssembly backend on the same shapes through the
// plan API (wall clock, one thread) using the clock the native run calibrated. A benchmark, not a
// test: see BENCHMARKS.md for how to read it.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const build = path.join(root, 'build-bench');
const args = process.argv.slice(2);
const step = (cmd, argv, capture = false) => {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r.stdout;
};
step('cmake', ['-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
step('cmake', ['--build', build, '--target', 'bench-gemm', '-j2']);
// The probe is hand-written AVX-512 code: run it only where the CPU has it.
const cpuinfo = require('node:fs').existsSync('/proc/cpuinfo') ? require('node:fs').readFileSync('/proc/cpuinfo', 'utf8') : '';
if (!args.includes('--json') && /\bavx512_vnni\b/.test(cpuinfo)) {
  step('cmake', ['--build', build, '--target', 'cpu-peak', '-j2']);
  console.log('Per-core instruction peaks on this machine (native/bench/peak):');
  step(path.join(build, 'cpu-peak'), []);
  console.log('');
}
const native = step(path.join(build, 'bench-gemm'), args, true);
process.stdout.write(native);
if (args.includes('--json') || args.includes('--no-wasm')) process.exit(0);

const ghz = Number(/Clock[^:]*: ([\d.]+) GHz/.exec(native)?.[1]);
const shapes = args.filter((a) => /^\d+x\d+x\d+$/.test(a));
// The native run's default shapes (M x N x K; see native/bench/bench-gemm.cc for how the issue's
// MobileNetV2 and BERT shapes map onto them).
const defaults = ['1024x1024x1024', '128x768x768', '128x3072x768', '128x768x3072', '3136x24x144', '3136x144x24', '196x160x960', '196x960x160'];
benchWasm(shapes.length ? shapes : defaults, ghz);

async function benchWasm(shapeList, clockGhz) {
  const { PlanSession } = require(path.join(root, 'dist', 'index.cjs'));
  const rounds = 5;
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`\nWebAssembly backend (Node ${process.versions.node}), wall clock per plan run (includes copying`);
  console.log(`A into and Y out of the wasm heap), median of ${rounds} interleaved rounds; ops/cycle at ${clockGhz} GHz.\n`);
  console.log('| shape | ISA | INT8 GOPS | INT8 ops/cycle | FP32 GFLOPS | FP32 flops/cycle | INT8/FP32 speedup |');
  console.log('|---|---|---|---|---|---|---|');
  for (const shape of shapeList) {
    const [m, n, k] = shape.split('x').map(Number);
    const a8 = Uint8Array.from({ length: m * k }, () => (rand() * 256) | 0);
    const b8 = Int8Array.from({ length: k * n }, () => ((rand() * 256) | 0) - 128);
    const a32 = Float32Array.from(a8, (x) => x / 255 - 0.5);
    const b32 = Float32Array.from(b8, (x) => x / 128);
    const values = (ta, tb, dtA, dtB, dtY) => [
      { dtype: dtA, shape: [m, k] }, { dtype: dtB, shape: [k, n], data: tb }, { dtype: dtY, shape: [m, n] },
    ];
    const plans = {
      int8: { values: values(a8, b8, 'uint8', 'int8', 'uint8'), inputs: [0], outputs: [2],
        ops: [{ op: 'QGemm', inputs: [0, 1, null], outputs: [2], attrs: { a_scale: 0.01, a_zero_point: 128, b_scale: [0.01], y_scale: 0.5, y_zero_point: 128 } }] },
      fp32: { values: values(a32, b32, 'float32', 'float32', 'float32'), inputs: [0], outputs: [2],
        ops: [{ op: 'Gemm', inputs: [0, 1, null], outputs: [2] }] },
    };
    const isas = ['wasmsimd', 'scalar'];
    const sessions = {};
    for (const isa of isas)
      for (const kind of ['int8', 'fp32']) {
        const s = await PlanSession.create(plans[kind], { backend: 'wasm', isa });
        const input = kind === 'int8' ? a8 : a32;
        await s.run([input]); // warm-up: JIT tiers, heap growth
        sessions[`${isa}/${kind}`] = { s, input, samples: [] };
      }
    for (let r = 0; r < rounds; r++)
      for (const entry of Object.values(sessions)) {
        let runs = 0;
        const t0 = performance.now();
        do {
          await entry.s.run([entry.input]);
          runs++;
        } while (performance.now() - t0 < 20);
        entry.samples.push((performance.now() - t0) / runs);
      }
    const ops = 2 * m * n * k;
    for (const isa of isas) {
      const g = (kind) => ops / median(sessions[`${isa}/${kind}`].samples) / 1e6;
      const [gi, gf] = [g('int8'), g('fp32')];
      const cyc = (x) => (clockGhz ? (x / clockGhz).toFixed(1) : 'n/a');
      console.log(`| ${shape} | wasm ${isa} | ${gi.toFixed(1)} | ${cyc(gi)} | ${gf.toFixed(1)} | ${cyc(gf)} | ${(gi / gf).toFixed(2)} |`);
    }
    Object.values(sessions).forEach((e) => e.s.release());
  }
}

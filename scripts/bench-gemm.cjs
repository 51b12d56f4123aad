// npm run bench:gemm [-- args]: builds the native GEMM benchmark (native/bench) with CMake in
// Release mode and runs it. A benchmark, not a test: see BENCHMARKS.md for how to read it.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const build = path.join(root, 'build-bench');
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step('cmake', ['-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
step('cmake', ['--build', build, '--target', 'bench-gemm', '-j2']);
step(path.join(build, 'bench-gemm'), process.argv.slice(2));

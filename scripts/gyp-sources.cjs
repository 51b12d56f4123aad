// Prints the C++ sources of one binding.gyp target, found by the same name patterns CMakeLists.txt
// globs, so the two build descriptions cannot drift apart.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const list = (dir, test) =>
  fs.existsSync(path.join(root, dir))
    ? fs.readdirSync(path.join(root, dir)).filter(test).map((f) => `${dir}/${f}`)
    : [];
const kernels = (test) => fs.readdirSync(path.join(root, 'native/kernels'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => list(`native/kernels/${d.name}`, (f) => f.endsWith('.cc') && test(f)));

const targets = {
  core: () => ['native/napi', 'native/config', 'native/ops', 'native/plan'].flatMap((d) => list(d, (f) => f.endsWith('.cc'))),
  scalar: () => kernels((f) => f.endsWith('-scalar.cc')),
  sse2: () => kernels((f) => /-sse2/.test(f)),
  avx2: () => kernels((f) => /-avx2/.test(f)),
  avx512: () => kernels((f) => /-avx512/.test(f)),
  avxvnni: () => kernels((f) => f.endsWith('-avxvnni.cc')),
  avxvnni_evex: () => kernels((f) => f.endsWith('-avxvnni-evex.cc')),
  neon: () => kernels((f) => /-neon/.test(f)),
};
const target = targets[process.argv[2]];
if (!target) throw new Error(`usage: gyp-sources.cjs ${Object.keys(targets).join('|')}`);
console.log(target().join(' '));

// npm install hook: use a matching prebuild if there is one, else compile the addon (cmake-js,
// which builds offline against node-api-headers; then node-gyp). If neither works, int8kit still
// installs and runs on its WebAssembly backend, and says how to get the native one.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const log = (msg) => console.error(`int8kit: ${msg}`);

function existingAddon() {
  try {
    return require('node-gyp-build').path(root);
  } catch {
    return null;
  }
}

function run(args) {
  return spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status === 0;
}

function compileWithCmakeJs() {
  let cli;
  try {
    cli = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  } catch {
    return false;
  }
  return run([cli, 'compile', '--log-level', 'warn']);
}

function compileWithNodeGyp() {
  const nodeGyp = process.env.npm_config_node_gyp;
  return Boolean(nodeGyp) && run([nodeGyp, 'rebuild']);
}

if (process.env.INT8KIT_SKIP_NATIVE_BUILD) {
  log('INT8KIT_SKIP_NATIVE_BUILD is set: not building the native addon (the wasm backend will be used)');
} else if (existingAddon()) {
  log(`using the native addon at ${path.relative(root, existingAddon())}`);
} else if (compileWithCmakeJs() || compileWithNodeGyp()) {
  log('built the native addon');
} else {
  log('could not build the native addon; int8kit will run on its WebAssembly backend (slower).');
  log('To get the native backend: install CMake and a C++17 compiler, then run `npm rebuild int8kit`.');
}

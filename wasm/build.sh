#!/usr/bin/env bash
# Rebuilds wasm/dist/int8kit-wasm.{js,wasm} with Debian's emscripten. The outputs are committed so
# installs never need emcc; CI rebuilds them and fails when they differ from what is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v emcc >/dev/null || { echo "emcc not found: apt-get install emscripten" >&2; exit 1; }
# Debian's emscripten package finds acorn & co in Debian's system node_modules when optimizing.
if [ -d /usr/share/nodejs ]; then export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}; fi
build=build-wasm
emcmake cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target int8kit-wasm -j2
mkdir -p wasm/dist
cp "$build/int8kit-wasm.js" "$build/int8kit-wasm.wasm" wasm/dist/
echo "wrote wasm/dist/int8kit-wasm.js and wasm/dist/int8kit-wasm.wasm"

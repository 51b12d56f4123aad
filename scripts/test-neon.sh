#!/usr/bin/env bash
# Cross-compiles the kernels, config, operators and native/test/ (kernel-test) for AArch64 and runs
# the test under qemu-user, so the NEON kernels are checked on an x86 machine.
#
#   scripts/test-neon.sh [seed]
#
# Installs g++-aarch64-linux-gnu and qemu-user with apt-get when they are missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
if ((${#need[@]})); then
  echo "test-neon: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cxx=(aarch64-linux-gnu-g++ -std=c++17 -O2 -Wall -Wextra)

# Same per-file flags as CMakeLists.txt: the scalar twins without FP contraction, the NEON kernels
# with the AArch64 baseline (Advanced SIMD needs no flag there).
objs=()
for f in native/kernels/*/*-scalar.cc; do
  "${cxx[@]}" -ffp-contract=off -c "$f" -o "$out/$(basename "$f" .cc).o"
  objs+=("$out/$(basename "$f" .cc).o")
done
# The whole core but the plan (kernel-test drives configs and operators only, not plans).
for f in native/kernels/*/*-neon*.cc native/config/*.cc native/ops/*.cc native/plan/thread-pool.cc \
  native/test/*.cc; do
  "${cxx[@]}" -c "$f" -o "$out/$(basename "$f" .cc).o"
  objs+=("$out/$(basename "$f" .cc).o")
done
# Static, so the binary runs without the AArch64 loader; -L still lets qemu find it should a
# toolchain without a static libc force a dynamic link.
"${cxx[@]}" -static -pthread "${objs[@]}" -o "$out/kernel-test"

qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/kernel-test" "$@"

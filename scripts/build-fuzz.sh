#!/usr/bin/env bash
# Configures and builds the libFuzzer targets (tests/fuzz, docs/fuzzing.md) with
# clang, ASan and UBSan into their own build dir (default build-fuzz/, binaries
# in build-fuzz/bin). Extra arguments are passed to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${AGENTMON_FUZZ_BUILD_DIR:-build-fuzz}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAGENTMON_FUZZ=ON "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target fuzz_targets

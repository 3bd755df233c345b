#!/usr/bin/env bash
# Configures and builds the libFuzzer targets (tests/fuzz, docs/fuzzing.md) with
# clang, ASan and UBSan into their own build dir (default build-fuzz/, binaries
# in build-fuzz/bin). Extra arguments are passed to cmake's configure step;
# AGENTMON_BUILD_JOBS sets the parallel jobs (default: every core; the test
# suite builds on one core beside the live tests).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${AGENTMON_FUZZ_BUILD_DIR:-build-fuzz}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAGENTMON_FUZZ=ON "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j"${AGENTMON_BUILD_JOBS:-$(nproc)}" --target fuzz_targets

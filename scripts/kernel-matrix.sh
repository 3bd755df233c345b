#!/usr/bin/env bash
# Runs the kernel matrix locally: boots Debian's cloud kernels under qemu (TCG)
# with agentmon and agentbus in an initramfs and compares agentmon's counts with
# the bus's truth on every carrier (docs/kernels.md). Kernels come from the
# Debian archive once and are cached under <build>/kernel-cache.
# Usage: sudo scripts/kernel-matrix.sh [KERNEL...]   (default: 6.1 5.15 5.10)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
build_dir=${AGENTMON_BUILD_DIR:-build}
[[ -f "$build_dir/build.ninja" || -f "$build_dir/Makefile" ]] ||
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target agentmon agentbus
export AGENTMON_BIN_DIR="$(cd "$build_dir" && pwd)/bin" AGENTMON_SOURCE_DIR="$PWD" PYTHONDONTWRITEBYTECODE=1
export AGENTMON_KERNELS="${*:-6.1 5.15 5.10}"
exec python3 tests/integration/test_live_kernel_matrix.py

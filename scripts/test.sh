#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings as
# errors, and runs every test tier through ctest (unit, integration, live).
# Live-kernel tests skip without root unless AGENTMON_REQUIRE_BPF=1 (CI sets it),
# in which case they fail rather than skip. ctest runs two tests at a time where
# they can share the machine (tests/CMakeLists.txt says which cannot). The fuzz
# targets are built too (build-fuzz/, clang), so their 30 s smoke runs (label
# fuzz) run rather than skip.
# Usage: scripts/test.sh [ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
export AGENTMON_FUZZ_BUILD_DIR=${AGENTMON_FUZZ_BUILD_DIR:-$PWD/build-fuzz}
scripts/build.sh -DAGENTMON_WERROR=ON -DAGENTMON_FUZZ_BUILD_DIR="$AGENTMON_FUZZ_BUILD_DIR"
scripts/build-fuzz.sh -DAGENTMON_WERROR=ON
export AGENTMON_REQUIRE_FUZZ=1
cd "${AGENTMON_BUILD_DIR:-build}"
exec ctest --output-on-failure --timeout 600 -j"$(nproc)" "$@"

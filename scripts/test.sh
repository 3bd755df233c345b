#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings as
# errors, and runs every test tier through ctest (unit, integration, live).
# Live-kernel tests skip without root unless AGENTMON_REQUIRE_BPF=1 (CI sets it),
# in which case they fail rather than skip. ctest runs two tests at a time where
# they can share the machine (tests/CMakeLists.txt says which cannot): the live
# tests one after another in one slot, tidy's shards, the fuzz targets' build
# (build-fuzz/, clang; ctest's fuzz_build test) and their 15 s smoke runs, and
# the unit tests in the other. AGENTMON_REQUIRE_FUZZ=1 makes a missing fuzz
# toolchain a failure rather than a skip.
# Usage: scripts/test.sh [ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
export AGENTMON_FUZZ_BUILD_DIR=${AGENTMON_FUZZ_BUILD_DIR:-$PWD/build-fuzz}
scripts/build.sh -DAGENTMON_WERROR=ON -DAGENTMON_FUZZ_BUILD_DIR="$AGENTMON_FUZZ_BUILD_DIR"
export AGENTMON_REQUIRE_FUZZ=1
cd "${AGENTMON_BUILD_DIR:-build}"
# The order comes from the COST properties (tests/CMakeLists.txt), the same on a
# fresh clone as here: ctest's learned timings would start the long lint and
# fuzz work first and leave the serial lane of live tests idle meanwhile.
rm -f Testing/Temporary/CTestCostData.txt
exec ctest --output-on-failure --timeout 600 -j"$(nproc)" "$@"

#!/usr/bin/env bash
# The test suite's smoke run of one fuzz target (ctest label `fuzz`): 15 s of
# scripts/fuzz.sh, which first replays every committed seed (regressions
# included). Skips (77) when the fuzz build is missing, unless
# AGENTMON_REQUIRE_FUZZ=1 (scripts/test.sh sets it; ctest's fuzz_build
# test builds the targets before any fuzz test runs).
# Usage: tests/fuzz/run_smoke.sh TARGET [SECONDS=30]
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:?usage: run_smoke.sh TARGET [SECONDS]}
binary=${AGENTMON_FUZZ_BUILD_DIR:-build-fuzz}/bin/$target
if [[ ! -x $binary ]]; then
  if [[ ${AGENTMON_REQUIRE_FUZZ:-0} == 1 ]]; then
    echo "FAIL: $binary missing (AGENTMON_REQUIRE_FUZZ=1); run scripts/build-fuzz.sh"
    exit 1
  fi
  echo "SKIP: $binary missing; build the fuzz targets with scripts/build-fuzz.sh"
  exit 77
fi
exec scripts/fuzz.sh "$target" "${2:-15}" 100000000

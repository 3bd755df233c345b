#!/usr/bin/env bash
# The test suite's build of the fuzz targets (ctest test fuzz_build, the setup
# of every fuzz test): scripts/build-fuzz.sh with the suite's arguments. Skips
# (77) when clang or libFuzzer is missing, unless AGENTMON_REQUIRE_FUZZ=1
# (scripts/test.sh sets it after installing both), in which case it fails.
# Usage: tests/fuzz/build_for_suite.sh [cmake configure arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=""
if ! command -v clang++ >/dev/null; then
  missing="clang++"
elif [[ ! -f $(clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a) ]]; then
  missing="libFuzzer (libclang-rt-14-dev)"
fi
if [[ -n $missing ]]; then
  if [[ ${AGENTMON_REQUIRE_FUZZ:-0} == 1 ]]; then
    echo "FAIL: $missing not installed (AGENTMON_REQUIRE_FUZZ=1); scripts/install-deps.sh --with-tests installs it"
    exit 1
  fi
  echo "SKIP: $missing not installed; scripts/install-deps.sh --with-tests installs it"
  exit 77
fi
exec scripts/build-fuzz.sh "$@"

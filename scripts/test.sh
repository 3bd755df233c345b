#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings as
# errors, and runs every test tier through ctest (unit, integration, live).
# Live-kernel tests skip without root unless AGENTMON_REQUIRE_BPF=1 (CI sets it),
# in which case they fail rather than skip.
# Usage: scripts/test.sh [ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
scripts/build.sh -DAGENTMON_WERROR=ON
cd "${AGENTMON_BUILD_DIR:-build}"
exec ctest --output-on-failure --timeout 600 "$@"

#!/usr/bin/env bash
# The analytics collector's CPU per tick at the full mesh (28 agents), from
# agentmon's per-collector CPU account (scripts/bench_analytics.py). Builds
# first. Needs root; holds the host-wide test lock.
# Environment: SECONDS (default 60), RATE (bus frames/s, default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${AGENTMON_BUILD_DIR:-build}
cmake --build "$build_dir" --target agentmon agentbus >/dev/null
export AGENTMON_BIN_DIR=$build_dir/bin
exec python3 -u scripts/bench_analytics.py

#!/usr/bin/env bash
# Failure prediction against injected slow deaths and benign disturbances on the
# real bus (scripts/eval_prediction.py says what and how). Builds first. Needs
# root; holds the host-wide test lock for its ~16 minutes.
# Environment: ROUNDS (4), RATE (2000), HORIZON (60), WARMUP (90), TRACE.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${AGENTMON_BUILD_DIR:-build}
cmake --build "$build_dir" --target agentmon agentbus >/dev/null
export AGENTMON_BIN_DIR=$build_dir/bin
exec python3 -u scripts/eval_prediction.py

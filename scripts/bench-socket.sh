#!/usr/bin/env bash
# Socket-path benchmark (exactness, latency, overhead against agentbus, and a
# bpftrace peer): builds, then runs scripts/bench_socket.py. Needs root.
# Environment: see scripts/bench_socket.py (PAIRS, DURATION, AGENT_PATH, ROWS,
# SKIP_OVERHEAD, SKIP_EXACTNESS, TRACING). Installs bpftrace (install-deps --with-bench).
#   --tracing "0.01 1"  adds an agentmon column per tracing sample ratio (TRACING)
set -euo pipefail
if [[ "${1:-}" == "--tracing" ]]; then
  export TRACING="${2:?--tracing needs sample ratios, e.g. \"0.01 1\"}"
  shift 2
fi
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-bench
scripts/build.sh >/dev/null

export AGENTMON_BIN_DIR=${AGENTMON_BUILD_DIR:-build}/bin
exec python3 -u scripts/bench_socket.py

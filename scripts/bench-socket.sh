#!/usr/bin/env bash
# Socket-path benchmark (exactness, latency, overhead against agentbus, and a
# bpftrace peer): builds, then runs scripts/bench_socket.py. Needs root.
# Environment: see scripts/bench_socket.py (PAIRS, DURATION, AGENT_PATH, ROWS,
# SKIP_OVERHEAD, SKIP_EXACTNESS). Installs bpftrace (install-deps --with-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-bench
scripts/build.sh >/dev/null

export AGENTMON_BIN_DIR=${AGENTMON_BUILD_DIR:-build}/bin
exec python3 -u scripts/bench_socket.py

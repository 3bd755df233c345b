#!/usr/bin/env bash
# Socket-path benchmark (exactness, latency, overhead against agentbus, and a
# bpftrace peer): builds, then runs scripts/bench_socket.py. Needs root.
# Environment: PAIRS (A/B pairs, default 5), DURATION (seconds per run, default 3),
# SKIP_OVERHEAD=1 to run only the exactness and latency parts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
command -v bpftrace >/dev/null || echo "bench-socket: bpftrace missing; the peer comparison needs apt-get install bpftrace" >&2
export AGENTMON_BIN_DIR=${AGENTMON_BUILD_DIR:-build}/bin
exec python3 -u scripts/bench_socket.py

#!/usr/bin/env bash
# Socket-path benchmark (exactness, latency, overhead against agentbus, and a
# bpftrace peer): builds, then runs scripts/bench_socket.py. Needs root.
# Environment: see scripts/bench_socket.py (PAIRS, DURATION, AGENT_PATH, ROWS,
# SKIP_OVERHEAD, SKIP_EXACTNESS). Installs bpftrace (install-deps --with-bench).
exec "$(dirname "$0")/run-built.sh" --deps=--with-bench scripts/bench_socket.py

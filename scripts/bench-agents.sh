#!/usr/bin/env bash
# Agent state path cost: ns per run of each of its BPF programs, with no agents and
# with a 28-agent agentbus: runs per context switch, ns per tick of the task
# iterator, and the iterator against procfs for the per-tick read
# (scripts/bench_agents.py). Builds first. Needs root.
# Environment: SECONDS_PER_PHASE (default 10), RATE (bus frames/s, default 2000),
# ROUNDS (alternating read rounds, default 201).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
export AGENTMON_BIN_DIR=${AGENTMON_BUILD_DIR:-build}/bin
exec python3 -u scripts/bench_agents.py

#!/usr/bin/env bash
# Agent state path cost: ns per run of each of its BPF programs, with no agents and
# with a 28-agent agentbus: runs per context switch, ns per tick of the task
# iterator, and the iterator against procfs for the per-tick read
# (scripts/bench_agents.py). Builds first. Needs root.
# Environment: SECONDS_PER_PHASE (default 10), RATE (bus frames/s, default 2000),
# ROUNDS (alternating read rounds, default 201).
exec "$(dirname "$0")/run-built.sh" scripts/bench_agents.py

#!/usr/bin/env bash
# Ring-path benchmark (exactness, throughput and overhead against agentbus on the
# ring carrier, and the ring collector's CPU cost with 28 rings): builds, then runs
# scripts/bench_ring.py. Needs root.
# Environment: PAIRS (A/B pairs, default 7), DURATION (seconds per run, default 3),
# COST_SECONDS (default 20).
exec "$(dirname "$0")/run-built.sh" --deps scripts/bench_ring.py

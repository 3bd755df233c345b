#!/usr/bin/env bash
# The analytics collector's CPU per tick at the full mesh (28 agents), from
# agentmon's per-collector CPU account (scripts/bench_analytics.py). Builds
# first. Needs root; holds the host-wide test lock.
# Environment: SECONDS (default 60), RATE (bus frames/s, default 2000).
exec "$(dirname "$0")/run-built.sh" --rebuild scripts/bench_analytics.py

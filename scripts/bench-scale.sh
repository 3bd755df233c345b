#!/usr/bin/env bash
# Scale benchmark (series, memory, /metrics size and gzip, scrape latency with 10
# concurrent scrapers, collector CPU, exact per-carrier totals) with the shipped
# config under the demo's load: builds, then runs scripts/bench_scale.py. Needs root.
# Environment: DURATION (seconds, default 300), RATE (frames/s, default 100000),
# CONCURRENCY (default 10), SCRAPES (per scraper, default 20), CONFIG.
exec "$(dirname "$0")/run-built.sh" --deps scripts/bench_scale.py

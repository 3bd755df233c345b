#!/usr/bin/env bash
# Where agentmon's own CPU goes at the demo's load: agentmon with the shipped
# config (on a loopback port), agentbus with 28 agents on all four carriers at
# RATE frames/s, then `perf record -g` of agentmon for SECONDS and the
# collectors' CPU (agentmon_collector_cpu_seconds_total) over the same
# interval. Prints the per-collector shares and perf's top symbols. Needs root
# and perf; holds the host-wide test lock like every script that starts
# agentmon or agentbus. Uses build/bin (scripts/build.sh first).
# Environment: RATE (default 100000), PROFILE_SECONDS (default 20), PORT (default 19465).
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${RATE:-100000} seconds=${PROFILE_SECONDS:-20} port=${PORT:-19465}
command -v perf >/dev/null || { echo "profile-agentmon: perf not found (apt-get install linux-perf)" >&2; exit 2; }
exec 9>/tmp/agentmon-tests.lock
flock 9
work=$(mktemp -d)
trap 'kill "$bus" "$mon" 2>/dev/null || true; wait 2>/dev/null || true; build/bin/agentmon detach --config "$work/agentmon.json" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
sed "s/\"listen\": \"[^\"]*\"/\"listen\": \"127.0.0.1:$port\"/" deploy/agentmon.json >"$work/agentmon.json"
build/bin/agentmon detach --config "$work/agentmon.json" >/dev/null 2>&1 || true
build/bin/agentmon run --config "$work/agentmon.json" 2>"$work/agentmon.log" &
mon=$!
sleep 4
build/bin/agentbus --agents 28 --carrier unix,dgram,tcp,ring --rate "$rate" \
  --duration $((seconds + 20)) --run-dir "$work" --tcp-port 31000 >/dev/null 2>&1 &
bus=$!
sleep 8
cpu() { curl -s "127.0.0.1:$port/metrics" | awk '/^agentmon_collector_cpu_seconds_total/ {
  match($0, /collector="[^"]*"/); print substr($0, RSTART + 11, RLENGTH - 12), $NF }'; }
cpu >"$work/cpu0"
start=$(date +%s.%N)
perf record -q -g -p "$mon" -o "$work/perf.data" -- sleep "$seconds" 2>/dev/null
end=$(date +%s.%N)
cpu >"$work/cpu1"
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
echo "agentmon collectors' CPU over $wall s, share of one core:"
join "$work/cpu0" "$work/cpu1" | awk -v wall="$wall" \
  '{ printf "  %-10s %6.2f %%\n", $1, ($3 - $2) / wall * 100 }'
echo "perf: top symbols of the agentmon process (self time)"
perf report -i "$work/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null |
  grep -v '^#' | grep '%' | sed 's/  */ /g' | cut -c1-110 | head -25

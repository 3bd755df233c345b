#!/usr/bin/env bash
# The README's demo command: builds everything, starts agentmon, then the
# reference bus (28 agents on all four carriers) beside it, and prints a live
# summary every few seconds while /metrics is served. Ctrl-C stops it cleanly.
#
# Usage: scripts/demo.sh [--duration SECONDS] [--rate FRAMES_PER_SECOND] [--listen ADDR]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=0          # 0 = until Ctrl-C
rate=100000         # frames/s over the whole bus: busy, but leaves the machine usable
listen=127.0.0.1:9465
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
scripts/build.sh
bin=${AGENTMON_BUILD_DIR:-build}/bin

if [[ $(id -u) -ne 0 ]]; then
  echo "demo: agentmon loads BPF programs and needs root (or CAP_BPF, CAP_PERFMON," \
       "CAP_SYS_PTRACE and CAP_SYS_RESOURCE); run: sudo $0" >&2
  exit 1
fi

run_dir=$(mktemp -d /tmp/agentmon-demo.XXXXXX)
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # agentmon leaves its programs attached for the next run; the demo is over.
  "$bin/agentmon" detach --config "$run_dir/agentmon.json" >/dev/null 2>&1 || true
  echo "demo: stopped; logs and the bus's ground truth are in $run_dir"
}
trap cleanup INT TERM EXIT

"$bin/agentmon" check >"$run_dir/check.txt" 2>&1 || {
  cat "$run_dir/check.txt"; echo "demo: this kernel lacks what agentmon needs (above)" >&2; exit 1; }
# The shipped config, as an operator installs it: its label defaults keep a full
# mesh of 28 agents on four carriers under 15 000 series (docs/metrics.md).
cp deploy/agentmon.json "$run_dir/agentmon.json"
"$bin/agentmon" run --listen "$listen" --config "$run_dir/agentmon.json" 2>"$run_dir/agentmon.log" &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://$listen/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://$listen/readyz" >/dev/null || { cat "$run_dir/agentmon.log"; exit 1; }
echo "demo: agentmon is serving http://$listen/metrics (log: $run_dir/agentmon.log)"

bus_args=(--agents 28 --carrier unix,dgram,tcp,ring --rate "$rate" --status-interval 2
          --run-dir "$run_dir/bus" --truth "$run_dir/truth.json")
[[ "$duration" != 0 ]] && bus_args+=(--duration "$duration")
mkdir -p "$run_dir/bus"
"$bin/agentbus" "${bus_args[@]}" 2> >(sed -u 's/^/bus      | /' >&2) &
bus_pid=$!
pids+=($bus_pid)

# The live line reads agentmon's own /metrics, as Prometheus would; at the end it
# sets agentmon's final totals beside the bus's ground truth.
scripts/demo_live.py "http://$listen/metrics" "$bus_pid" "$run_dir/truth.json" 2 || true
wait "$bus_pid" || true
echo "demo: the bus's full ground truth is in $run_dir/truth.json"

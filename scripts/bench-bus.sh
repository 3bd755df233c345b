#!/usr/bin/env bash
# Benchmarks the reference bus (agentbus) on this machine.
#   1. ring carrier, 2 agents, 64-byte payloads, --rate 0: RUNS runs, median frames/s
#   2. unix stream, 2 agents, --batch 64, --rate 0: RUNS runs, median frames/s
#   3. exactness: every carrier alone with --messages delivers sent == received
# Frames/s is the truth file's throughput_mps: frames received by all agents
# divided by the run time (origination plus drain).
# Environment: RUNS (default 5), DURATION seconds per run (default 2),
# AGENTMON_BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${AGENTMON_BUILD_DIR:-build}
bin="$build_dir/bin/agentbus"
runs=${RUNS:-5}
duration=${DURATION:-2}
if [[ ! -x "$bin" ]]; then
  echo "building $bin ..." >&2
  cmake -S . -B "$build_dir" >/dev/null && cmake --build "$build_dir" -j2 --target agentbus >/dev/null
fi
tmp=$(mktemp -d /tmp/bench-bus.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

field() {  # field FILE KEY -> value of a top-level truth field
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

bench() {  # bench LABEL ARGS... -> prints each run, stores median in $result
  local label=$1
  shift
  local values=()
  for i in $(seq 1 "$runs"); do
    "$bin" --truth "$tmp/t.json" --duration "$duration" "$@" 2>/dev/null
    local mps sent recv
    mps=$(field "$tmp/t.json" throughput_mps)
    sent=$(field "$tmp/t.json" sent)
    recv=$(field "$tmp/t.json" received)
    printf '  %-28s run %d: %12.0f frames/s  (sent %s, received %s)\n' "$label" "$i" "$mps" "$sent" "$recv"
    values+=("$mps")
  done
  result=$(printf '%s\n' "${values[@]}" | median)
}

echo "agentbus benchmark: $(nproc) cores, $(uname -r), $runs runs of ${duration}s each"
bench "ring, 2 agents, 64 B" --agents 2 --carrier ring --payload 64 --rate 0
ring_median=$result
bench "unix, 2 agents, batch 64" --agents 2 --carrier unix --payload 64 --rate 0 --batch 64
unix_median=$result

echo "exactness: each carrier alone and all together, 4 agents, --messages 200000, no fault ..."
exact_rows=()
all_exact=1
for c in unix dgram tcp ring all; do
  carrier=$c
  [[ $c == all ]] && carrier=unix,dgram,tcp,ring
  "$bin" --truth "$tmp/e.json" --agents 4 --carrier "$carrier" --messages 200000 2>/dev/null
  read -r sent recv bs br < <(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["sent"], t["received"], t["bytes_sent"], t["bytes_received"])' "$tmp/e.json")
  ok=yes
  if [[ $sent != 200000 || $recv != "$sent" || $bs != "$br" ]]; then ok=NO; all_exact=0; fi
  exact_rows+=("$(printf '| %-6s | %9s | %9s | %11s | %11s | %-5s |' "$c" "$sent" "$recv" "$bs" "$br" "$ok")")
done

echo
echo "| benchmark                                   | median frames/s | target     |"
echo "|---------------------------------------------|-----------------|------------|"
printf '| ring, 2 agents, 64 B payload, --rate 0      | %15.0f | >= 4200000 |\n' "$ring_median"
printf '| unix stream, 2 agents, --batch 64, --rate 0 | %15.0f | >= 1000000 |\n' "$unix_median"
echo
echo "| carrier | sent      | received  | bytes_sent  | bytes_recv  | exact |"
echo "|---------|-----------|-----------|-------------|-------------|-------|"
printf '%s\n' "${exact_rows[@]}"

fail=0
awk -v v="$ring_median" 'BEGIN {exit !(v >= 4200000)}' || { echo "ring below 4.2 M frames/s"; fail=1; }
awk -v v="$unix_median" 'BEGIN {exit !(v >= 1000000)}' || { echo "unix batch 64 below 1 M frames/s"; fail=1; }
[[ $all_exact == 1 ]] || { echo "a carrier lost frames"; fail=1; }
exit $fail

#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz (docs/fuzzing.md) on its committed
# corpus, niced, until it has made MAX_RUNS executions or SECONDS have passed,
# whichever comes first; prints libFuzzer's log and one summary line:
#   fuzz: <target> runs=<N> seconds=<S> result=<ok|crash> [artifact=<path>]
# New inputs go to a scratch corpus (never into the committed one); a crash,
# leak or UB report leaves its input in $AGENTMON_FUZZ_ARTIFACTS (default
# build-fuzz/artifacts/<target>/) and exits non-zero.
# A unit running over 25 s counts as a hang (10 s gave false ones on a loaded
# host: the process stalled in ASan's free-list recycling, and replayed in 2 ms).
# Usage: scripts/fuzz.sh TARGET [SECONDS=600] [MAX_RUNS=10000000]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS] [MAX_RUNS]}
seconds=${2:-600}
max_runs=${3:-10000000}
build_dir=${AGENTMON_FUZZ_BUILD_DIR:-build-fuzz}
binary=$build_dir/bin/$target
[[ -x $binary ]] || { echo "fuzz: $binary missing; run scripts/build-fuzz.sh" >&2; exit 2; }
max_len=$(awk -v t="$target" '$1 == t {print $2}' tests/fuzz/targets.txt)
[[ -n $max_len ]] || { echo "fuzz: $target is not in tests/fuzz/targets.txt" >&2; exit 2; }
artifacts=${AGENTMON_FUZZ_ARTIFACTS:-$build_dir/artifacts/$target}
mkdir -p "$artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/$target.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
dict=()
[[ -f tests/fuzz/dict/$target.dict ]] && dict=(-dict="tests/fuzz/dict/$target.dict")
log=$scratch/log
start=$(date +%s)
set +e
nice -n 19 "$binary" -max_total_time="$seconds" -runs="$max_runs" -max_len="$max_len" \
  -timeout=25 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 "${dict[@]}" \
  -artifact_prefix="$artifacts/" "$scratch" tests/fuzz/corpus/"$target" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
if [[ $status -eq 0 ]]; then
  echo "fuzz: $target runs=${runs:-?} seconds=$elapsed result=ok"
else
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  echo "fuzz: $target runs=${runs:-?} seconds=$elapsed result=crash artifact=${artifact:-none}"
fi
exit "$status"

#!/usr/bin/env bash
# Fails when clang-tidy (the checks in .clang-tidy) reports anything in the C++
# user space. Needs a configured build directory with compile_commands.json
# (scripts/build.sh makes one).
# Usage: scripts/check-tidy.sh [--shard K/N] [--jobs J] [--per-file] [BUILD_DIR]
#   --shard K/N  check only the Kth of N shards (the test suite runs the
#                shards as separate tests, one core each)
#   --jobs J     clang-tidy processes at once (default: every core)
#   --per-file   one unit per source instead of one per library (slower)
set -euo pipefail
cd "$(dirname "$0")/.."
shard=1/1
jobs=$(nproc)
per_file=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --shard) shard=${2:?--shard needs K/N}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --per-file) per_file=--per-file; shift ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "check-tidy: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [[ ! $shard =~ ^([0-9]+)/([0-9]+)$ ]] || ((BASH_REMATCH[1] < 1 || BASH_REMATCH[1] > BASH_REMATCH[2])); then
  echo "check-tidy: --shard wants K/N with 1 <= K <= N, not $shard" >&2
  exit 2
fi
build_dir=${1:-${AGENTMON_BUILD_DIR:-build}}
if [[ ! -f "$build_dir/compile_commands.json" ]]; then
  echo "check-tidy: $build_dir/compile_commands.json missing: run scripts/build.sh first" >&2
  exit 2
fi
tidy=$(command -v clang-tidy || command -v clang-tidy-14 || true)
if [[ -z "$tidy" ]]; then
  echo "check-tidy: clang-tidy not found: apt-get install clang-tidy" >&2
  exit 2
fi
# The generated BPF skeletons are not ours: only user-space sources are checked,
# one unit per library (scripts/tidy_units.py says why), and the header filter
# in .clang-tidy keeps the reports to userspace/.
mapfile -t units < <(python3 scripts/tidy_units.py "$build_dir" "${shard%/*}" "${shard#*/}" $per_file)
database_dir=${units[0]}
units=("${units[@]:1}")
if [[ ${#units[@]} -eq 0 ]]; then
  echo "check-tidy: shard $shard of $build_dir/compile_commands.json has no user-space sources" >&2
  exit 2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\0' "${units[@]}" |
  xargs -0 -n 1 -P "$jobs" "$tidy" -quiet --config-file="$PWD/.clang-tidy" -p "$database_dir" \
    >"$log" 2>&1 || status=$?
findings=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '(error|warning): ' | grep -v 'warnings generated' | sort -u || true)
if [[ -n "$findings" || $status -ne 0 ]]; then
  printf '%s\n' "$findings"
  [[ -z "$findings" ]] && tail -20 "$log"
  echo "clang-tidy: $(printf '%s\n' "$findings" | grep -c . || true) findings"
  if grep -q 'redefinition of' <<<"$findings"; then
    echo "clang-tidy: a redefinition: two sources of one library share a name in an anonymous"
    echo "namespace (scripts/tidy_units.py); rename one, or move the helper to a shared header"
  fi
  exit 1
fi
echo "clang-tidy: ${#units[@]} units clean (shard $shard${per_file:+, per file})"

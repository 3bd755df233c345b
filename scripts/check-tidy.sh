#!/usr/bin/env bash
# Fails when clang-tidy (the checks in .clang-tidy) reports anything in the C++
# user space. Needs a configured build directory with compile_commands.json
# (scripts/build.sh makes one). Usage: scripts/check-tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-${AGENTMON_BUILD_DIR:-build}}
if [[ ! -f "$build_dir/compile_commands.json" ]]; then
  echo "check-tidy: $build_dir/compile_commands.json missing: run scripts/build.sh first" >&2
  exit 2
fi
runner=$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)
if [[ -z "$runner" ]]; then
  echo "check-tidy: run-clang-tidy not found: apt-get install clang-tidy" >&2
  exit 2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The generated BPF skeletons are not ours; the header filter in .clang-tidy
# keeps to userspace/, and only the sources below are checked.
status=0
"$runner" -quiet -p "$build_dir" -j "$(nproc)" '/userspace/' >"$log" 2>&1 || status=$?
findings=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '(error|warning): ' | grep -v 'warnings generated' | sort -u || true)
if [[ -n "$findings" || $status -ne 0 ]]; then
  printf '%s\n' "$findings"
  [[ -z "$findings" ]] && tail -20 "$log"
  echo "clang-tidy: $(printf '%s\n' "$findings" | grep -c . || true) findings"
  exit 1
fi
echo "clang-tidy: $(grep -c '^clang-tidy' "$log" || true) files clean"

#!/usr/bin/env bash
# Builds agentmon and agentbus, then runs one Python script of scripts/ (a benchmark or an
# evaluation) with AGENTMON_BIN_DIR set to the build's binaries: the part every
# scripts/bench-*.sh and eval-*.sh wrapper shares.
# Usage: scripts/run-built.sh [--deps[=FLAG]] [--rebuild] SCRIPT.py
#   --deps       run scripts/install-deps.sh first; --deps=--with-bench passes that flag on
#   --rebuild    only rebuild the agentmon and agentbus targets of an existing build
#                directory (without it, scripts/build.sh configures and builds everything)
# Environment: AGENTMON_BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${AGENTMON_BUILD_DIR:-build}
deps=()
rebuild=0
while [[ $# -gt 1 ]]; do
  case $1 in
    --deps) deps=(scripts/install-deps.sh) ;;
    --deps=*) deps=(scripts/install-deps.sh "${1#--deps=}") ;;
    --rebuild) rebuild=1 ;;
    *) echo "run-built.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if ((${#deps[@]})); then "${deps[@]}"; fi
if ((rebuild)); then
  cmake --build "$build_dir" --target agentmon agentbus >/dev/null
else
  scripts/build.sh >/dev/null
fi
export AGENTMON_BIN_DIR=$build_dir/bin
exec python3 -u "$1"

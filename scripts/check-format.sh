#!/usr/bin/env bash
# Fails when any C or C++ source differs from what clang-format makes of it
# (kernel style under bpf/, the project's C++ style elsewhere: each directory's
# nearest .clang-format decides). Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find bpf userspace tests -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' \) | sort)
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files clean"

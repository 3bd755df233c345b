#!/usr/bin/env bash
# Installs, from Debian packages, whatever the build, the demo and the tests
# need and this machine lacks. Does nothing when everything is present, so the
# README's commands can call it every time. Needs root (or sudo) only when
# something is missing.
set -euo pipefail

build_packages=(cmake g++ make pkg-config clang libbpf-dev bpftool libelf-dev zlib1g-dev
                libcli11-dev nlohmann-json3-dev doctest-dev prometheus-cpp-dev libcivetweb-dev linux-libc-dev
                clang-format)
test_packages=(python3 prometheus curl procps)

wanted=("${build_packages[@]}")
if [[ "${1:-}" == "--with-tests" ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing missing Debian packages: ${missing[*]}" >&2
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: need root to install ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
# --no-install-recommends keeps the prometheus package from pulling a desktop's worth of
# extras; the services it ships are started by the tests themselves, never by systemd.
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2

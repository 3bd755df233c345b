#!/usr/bin/env bash
# Installs, from Debian packages, whatever the build, the demo and the tests
# need and this machine lacks. Does nothing when everything is present, so the
# README's commands can call it every time. Needs root (or sudo) only when
# something is missing.
set -euo pipefail

build_packages=(cmake g++ make pkg-config clang libbpf-dev bpftool libelf-dev zlib1g-dev
                libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev doctest-dev prometheus-cpp-dev libmicrohttpd-dev libgnutls28-dev libyaml-cpp-dev libcrypt-dev linux-libc-dev
                clang-format clang-tidy)
# The monitoring-stack tests: promtool and amtool, the servers they check against,
# yq to read YAML from the stdlib-only Python tests, yamllint, and npm for the
# Kubernetes schema check (tests/k8s/package.json); docker-compose validates the
# compose file without a Docker engine.
# The packaging tests: systemd-analyze checks the unit, dpkg-dev's
# dpkg-shlibdeps computes the .deb's Depends (cpack), and the image is built
# with podman (runc: crun refuses hybrid cgroup hosts) on a base mmdebstrap
# makes from the Debian archive. qemu and a static busybox boot older Debian
# kernels for the kernel matrix (tests/integration/test_live_kernel_matrix.py,
# scripts/kernel-matrix.sh). libclang-rt-14-dev holds libFuzzer and the sanitizer
# runtimes of the fuzz targets (tests/fuzz, scripts/build-fuzz.sh).
test_packages=(python3 prometheus prometheus-alertmanager curl openssl procps yq yamllint docker-compose nodejs npm
               systemd dpkg-dev binutils podman runc mmdebstrap qemu-system-x86 busybox-static
               libclang-rt-14-dev)

# The socket benchmark's floor and peer observers (scripts/bench-socket.sh).
bench_packages=(bpftrace)

# Options, any of them: --with-tests, --with-bench.
with_tests=0 with_bench=0
for option in "$@"; do
  case "$option" in
    --with-tests) with_tests=1 ;;
    --with-bench) with_bench=1 ;;
    *) echo "install-deps: unknown option $option (expected --with-tests, --with-bench)" >&2
       exit 2 ;;
  esac
done

wanted=("${build_packages[@]}")
if [[ $with_tests -eq 1 ]]; then
  wanted+=("${test_packages[@]}")
fi
if [[ $with_bench -eq 1 ]]; then
  wanted+=("${bench_packages[@]}")
fi

# kubectl renders deploy/k8s (kubectl kustomize). Any kubectl will do: Debian's
# kubernetes-client only when none is installed (this machine image ships one).
if [[ $with_tests -eq 1 ]] && ! command -v kubectl >/dev/null; then
  wanted+=(kubernetes-client)
fi
# A node that brings its own npm (nodesource's) must not get Debian's npm on top:
# the two packages conflict. Only ask Debian for them when either is missing.
if command -v node >/dev/null && command -v npm >/dev/null; then
  kept=()
  for pkg in "${wanted[@]}"; do
    [[ "$pkg" == nodejs || "$pkg" == npm ]] || kept+=("$pkg")
  done
  wanted=("${kept[@]}")
fi

install_node_modules() {
  # The test-only npm packages, each folder pinned by its package-lock.json: the
  # schema check's (tests/k8s) and the OTLP receiver's decoder (tests/tracing).
  local dir name
  for name in k8s tracing; do
    dir="$(cd "$(dirname "$0")/.." && pwd)/tests/$name"
    if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules" ]]; then
      echo "install-deps: npm ci in tests/$name" >&2
      npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
      touch "$dir/node_modules"
    fi
  done
}

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  [[ $with_tests -eq 1 ]] && install_node_modules
  exit 0
fi

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
[[ $with_tests -eq 1 ]] && install_node_modules
echo "install-deps: done" >&2

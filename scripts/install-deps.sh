#!/usr/bin/env bash
# Installs the Debian packages wsvm needs to build and test, only those that are missing
# (idempotent), then the pinned npm tools in ../npm (see below). Run as root, or as a user
# with sudo.
#   scripts/install-deps.sh [--aarch64]
# --aarch64: instead, what the arm64 cross build needs (scripts/test-aarch64.sh): the arm64
# multiarch architecture, the cross compiler, qemu-user and the arm64 -dev packages.
set -euo pipefail

packages=(
  meson ninja-build g++ pkg-config python3
  libfmt-dev catch2 nlohmann-json3-dev libxxhash-dev libbenchmark-dev libasmjit-dev
  wabt clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
  clang-19 lld-19 libclang-rt-19-dev-wasm32
  libtomlplusplus-dev nettle-dev libmicrohttpd-dev libcurl4-openssl-dev libarchive-dev zlib1g-dev
  docker-registry skopeo umoci wrk
)

install_debian_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo_cmd=(sudo); else
      echo "install-deps: missing packages (${missing[*]}) and not root; run as root" >&2
      exit 1
    fi
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

# JavaScript-side tools from npm, pinned, in ../npm beside the checkout (where the meson
# build looks for jco): jco makes the component forms of the test programs and assembles
# component text; preview2-shim is what `jco run` runs components on. Without npm or the
# registry, the tests that need jco are reported as skipped, saying so.
npm_packages=(@bytecodealliance/jco@1.35.0 @bytecodealliance/preview2-shim@0.26.1)
install_npm_packages() {
  local dir
  dir="$(cd "$(dirname "$0")/../.." && pwd)/npm"
  local have=1
  for spec in "${npm_packages[@]}"; do
    local name="${spec%@*}" version="${spec##*@}"
    local pkg="$dir/node_modules/$name/package.json"
    if [ ! -f "$pkg" ] || ! grep -q "\"version\": \"$version\"" "$pkg"; then have=0; fi
  done
  [ "$have" -eq 1 ] && return 0
  if ! command -v npm >/dev/null; then
    echo "install-deps: npm not found: the component tests that need jco will be skipped" >&2
    return 0
  fi
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private": true}' > "$dir/package.json"
  echo "install-deps: npm install ${npm_packages[*]} in $dir" >&2
  if ! (cd "$dir" && npm install --no-audit --no-fund -E "${npm_packages[@]}" >/dev/null); then
    echo "install-deps: npm install failed: the component tests that need jco will be skipped" >&2
  fi
}

if [ "${1:-}" = --aarch64 ]; then
  packages=(
    g++-aarch64-linux-gnu qemu-user libc6-dev:arm64
    libfmt-dev:arm64 libxxhash-dev:arm64 libasmjit-dev:arm64
    libtomlplusplus-dev:arm64 nettle-dev:arm64 libmicrohttpd-dev:arm64 libcurl4-openssl-dev:arm64
    libarchive-dev:arm64 zlib1g-dev:arm64
  )
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "install-deps: adding the arm64 architecture (dpkg --add-architecture arm64)" >&2
    if [ "$(id -u)" -eq 0 ]; then dpkg --add-architecture arm64; else sudo dpkg --add-architecture arm64; fi
  fi
  install_debian_packages  # the arm64 packages are missing then, so it runs apt-get update
  exit 0
fi

install_debian_packages
install_npm_packages

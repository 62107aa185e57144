#!/usr/bin/env bash
# Installs the Debian packages wsvm needs to build and test, only those that are missing
# (idempotent). Run as root, or as a user with sudo.
set -euo pipefail

packages=(
  meson ninja-build g++ pkg-config python3
  libfmt-dev catch2 nlohmann-json3-dev libxxhash-dev libbenchmark-dev libasmjit-dev
  wabt clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
  libtomlplusplus-dev nettle-dev libmicrohttpd-dev libcurl4-openssl-dev
  docker-registry skopeo umoci wrk
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
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

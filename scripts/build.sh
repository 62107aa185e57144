#!/usr/bin/env bash
# Configures (once) and builds wsvm into ./build. Quiet unless something fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/build"
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$repo" >"$repo/.meson-setup.log" 2>&1 || { cat "$repo/.meson-setup.log" >&2; exit 1; }
  rm -f "$repo/.meson-setup.log"
fi
log=$(mktemp)
if ! ninja -C "$build" >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; exit 1; fi
rm -f "$log"

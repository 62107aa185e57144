#!/usr/bin/env bash
# Installs what is missing, builds, runs every test: the meson unit/process tests and the
# official spec suite. Ends with one line `N passed, N failed, N skipped` summing both
# (each meson test counts once; each spec-suite assertion counts once).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/totals.sh"
"$repo/scripts/install-deps.sh" || exit 1
"$repo/scripts/build.sh" || exit 1

build="$repo/build"
meson test -C "$build" --no-rebuild --print-errorlogs --num-processes "$(nproc)"
read -r unit_pass unit_fail unit_skip < <(python3 "$repo/scripts/meson_counts.py" "$build")

# The whole wasm-2.0 suite (146 files, SIMD included), one line per file, under every engine
# this machine builds (the interpreter, and the JIT on x86-64).
spec_out=$(mktemp)
"$repo/scripts/spec_engines.sh" "$build" | tee "$spec_out"
read -r spec_pass spec_fail spec_skip < <(last_total "$spec_out")
rm -f "$spec_out"
[ -n "${spec_pass:-}" ] || { spec_pass=0 spec_fail=1 spec_skip=0; }

echo "unit and process tests: $unit_pass passed, $unit_fail failed, $unit_skip skipped"
echo "spec suite assertions (all engines): $spec_pass passed, $spec_fail failed, $spec_skip skipped"
passed=$((unit_pass + spec_pass)); failed=$((unit_fail + spec_fail)); skipped=$((unit_skip + spec_skip))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Installs what is missing, builds, runs every test: the meson unit/process tests, the
# official spec suite under every engine, the sanitizer subset and the arm64 subset under
# qemu. Ends with one line `N passed, N failed, N skipped` summing them all (each meson test
# counts once; each spec-suite assertion counts once, per engine).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/totals.sh"
"$repo/scripts/install-deps.sh" || exit 1
"$repo/scripts/build.sh" || exit 1

build="$repo/build"
# Suites from outside the repository: one line for each that is missing here (the tests that
# need it report themselves skipped). A suite found later needs `meson setup --reconfigure build`.
for suite in spec wasi; do
  if ! where=$("$repo/scripts/suite_path.sh" "$suite" 2>&1 >/dev/null); then
    echo "suite missing: $where (its tests are counted as skipped)"
  fi
done
meson test -C "$build" --no-rebuild --print-errorlogs --num-processes "$(nproc)"
read -r unit_pass unit_fail unit_skip < <(python3 "$repo/scripts/meson_counts.py" "$build")

# The whole wasm-2.0 suite (146 files, SIMD included), one line per file, under every engine
# this machine builds (the interpreter, and the JIT on x86-64).
spec_out=$(mktemp)
"$repo/scripts/spec_engines.sh" "$build" | tee "$spec_out"
read -r spec_pass spec_fail spec_skip < <(last_total "$spec_out")
[ -n "${spec_pass:-}" ] || { spec_pass=0 spec_fail=1 spec_skip=0; }

# The wasm-3.0 scripts (issue 22), under every engine likewise: what is not implemented yet is
# counted as skipped, each with its reason (spec-tests/wasm-3.0-skip.txt).
"$repo/scripts/spec_engines.sh" "$build" --wasm3 | tee "$spec_out"
read -r w3_pass w3_fail w3_skip < <(last_total "$spec_out")
rm -f "$spec_out"
[ -n "${w3_pass:-}" ] || { w3_pass=0 w3_fail=1 w3_skip=0; }

# optional_phase PREFIX ENVVAR LABEL COMMAND...: runs COMMAND (unless $ENVVAR is 0: then one
# line and 1 skipped), shows its output and sets PREFIX_pass/_fail/_skip from its last line
# (no total line counts as 1 failed).
optional_phase() {
  local prefix=$1 var=$2 label=$3 p f s out
  shift 3
  if [ "${!var:-1}" = 0 ]; then
    echo "$label: not run ($var=0), counted as 1 skipped"
    p=0 f=0 s=1
  else
    echo "== $label: ${*#"$repo/"}"
    out=$(mktemp)
    "$@" | tee "$out"
    read -r p f s < <(last_total "$out")
    rm -f "$out"
    [ -n "${p:-}" ] || { p=0 f=1 s=0; }
  fi
  printf -v "${prefix}_pass" %s "$p"; printf -v "${prefix}_fail" %s "$f"; printf -v "${prefix}_skip" %s "$s"
}

# The sanitizer subset (issue 5): the spec suite under every engine and the fuzz suite (crash
# replays, interp-vs-JIT differential), built with ASan+UBSan into build-asan
# (scripts/sanitize.sh --spec-only; the full unit suite under sanitizers is
# `scripts/sanitize.sh`, too slow for the CI budget).
# WSVM_TEST_SANITIZE=0 leaves it out of a local run, and says so.
optional_phase san WSVM_TEST_SANITIZE "sanitizer subset (ASan+UBSan)" "$repo/scripts/sanitize.sh" --spec-only

# arm64 (issue 21): the cross build under qemu-user, the unit tests and a quarter of the
# wasm-2.0 spec files under both engines (scripts/test-aarch64.sh --ci; the full arm64 run is
# that script without --ci). WSVM_TEST_AARCH64=0 leaves it out of a local run, and says so.
optional_phase a64 WSVM_TEST_AARCH64 "arm64 subset under qemu-aarch64" "$repo/scripts/test-aarch64.sh" --ci

echo "unit and process tests: $unit_pass passed, $unit_fail failed, $unit_skip skipped"
echo "spec suite wasm-2.0 assertions (all engines): $spec_pass passed, $spec_fail failed, $spec_skip skipped"
echo "spec suite wasm-3.0 assertions (all engines): $w3_pass passed, $w3_fail failed, $w3_skip skipped"
echo "sanitizer subset: $san_pass passed, $san_fail failed, $san_skip skipped"
echo "arm64 subset (qemu): $a64_pass passed, $a64_fail failed, $a64_skip skipped"
passed=$((unit_pass + spec_pass + w3_pass + san_pass + a64_pass))
failed=$((unit_fail + spec_fail + w3_fail + san_fail + a64_fail))
skipped=$((unit_skip + spec_skip + w3_skip + san_skip + a64_skip))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

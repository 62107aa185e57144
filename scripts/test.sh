#!/usr/bin/env bash
# Installs what is missing, builds, runs every test: the meson unit/process tests and the
# official spec suite. Ends with one line `N passed, N failed, N skipped` summing both
# (each meson test counts once; each spec-suite assertion counts once).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/install-deps.sh" || exit 1
"$repo/scripts/build.sh" || exit 1

build="$repo/build"
meson test -C "$build" --no-rebuild --print-errorlogs --num-processes "$(nproc)"
read -r unit_pass unit_fail unit_skip < <(python3 "$repo/scripts/meson_counts.py" "$build")

# The whole wasm-2.0 suite (146 files, SIMD included), one line per file, under every engine
# this machine builds: the interpreter always, the JIT where it is built (x86-64 + asmjit).
engines=(interp)
[ -f "$build/jit/libwsvm_jit.a" ] && engines+=(jit)
spec_pass=0 spec_fail=0 spec_skip=0
for engine in "${engines[@]}"; do
  echo "== spec suite, --engine $engine"
  spec_out=$(mktemp)
  "$repo/spec-tests/run" --engine "$engine" | tee "$spec_out"
  spec_status=${PIPESTATUS[0]}
  read -r p f s < <(tail -n 1 "$spec_out" |
    sed -nE 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p')
  rm -f "$spec_out"
  if [ -z "${p:-}" ]; then
    echo "test: the spec runner (--engine $engine) did not print its total line (status $spec_status)" >&2
    p=0 f=1 s=0
  fi
  echo "spec suite assertions, $engine: $p passed, $f failed, $s skipped"
  spec_pass=$((spec_pass + p)); spec_fail=$((spec_fail + f)); spec_skip=$((spec_skip + s))
  unset p f s
done

echo "unit and process tests: $unit_pass passed, $unit_fail failed, $unit_skip skipped"
echo "spec suite assertions (${engines[*]}): $spec_pass passed, $spec_fail failed, $spec_skip skipped"
passed=$((unit_pass + spec_pass)); failed=$((unit_fail + spec_fail)); skipped=$((unit_skip + spec_skip))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

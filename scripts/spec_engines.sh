#!/usr/bin/env bash
# Runs the whole spec suite under every engine built in BUILD: the interpreter always, the
# JIT where it is built (x86-64 + asmjit). Used by scripts/test.sh and scripts/sanitize.sh.
#   scripts/spec_engines.sh BUILD [spec-tests/run options...]
# Prints each file's line, one subtotal per engine, and ends with the sum over the engines:
# exactly `N passed, N failed, N skipped`. Exit status 1 if anything failed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/totals.sh"
build=${1:?usage: spec_engines.sh BUILD [spec-tests/run options...]}
shift

# WSVM_SPEC_ENGINES="interp jit" picks the engines instead (sanitize.sh narrows it).
if [ -n "${WSVM_SPEC_ENGINES:-}" ]; then
  read -r -a engines <<<"$WSVM_SPEC_ENGINES"
else
  engines=(interp)
  [ -f "$build/jit/libwsvm_jit.a" ] && engines+=(jit)
fi
# Without the suite (and without explicit files) there is nothing to run: one line, 1 skipped.
if [ $# -eq 0 ] && ! where=$("$repo/scripts/suite_path.sh" spec 2>&1); then
  echo "spec suite: not run: $where"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
pass=0 fail=0 skip=0
for engine in "${engines[@]}"; do
  echo "== spec suite, --engine $engine"
  out=$(mktemp)
  "$repo/spec-tests/run" --build "$build" --engine "$engine" "$@" | tee "$out"
  status=${PIPESTATUS[0]}
  read -r p f s < <(last_total "$out")
  rm -f "$out"
  if [ -z "${p:-}" ]; then
    echo "spec: the runner (--engine $engine) did not print its total line (status $status)" >&2
    p=0 f=1 s=0
  fi
  echo "spec suite assertions, $engine: $p passed, $f failed, $s skipped"
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
  unset p f s
done
echo "spec suite engines: ${engines[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

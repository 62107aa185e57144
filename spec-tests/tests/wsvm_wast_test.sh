#!/usr/bin/env bash
# meson test: `wsvm wast` and `wsvm wat2wasm`, the command-line front of the executor that
# wsvm-spec uses. The self-check script must fail at exactly the lines wsvm-spec fails it at,
# in every engine; bad input gets one error line with its position and a clean exit status.
#   wsvm_wast_test.sh WSVM FIXTURE.wast EXPECTED EXAMPLE.wat
set -uo pipefail
wsvm=$1 fixture=$2 expected=$3 example=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The shared executor: same lines, same counts as spec-tests/wsvm-spec.
for engine in interp jit; do
  "$wsvm" wast --engine "$engine" --verbose "$fixture" >"$work/out.txt" 2>&1
  status=$?
  if [ "$engine" = jit ] && grep -q "not built" "$work/out.txt"; then
    echo "jit: not built here, skipped"; continue
  fi
  { sed -nE 's/^.*selfcheck\.wast:([0-9]+): ([a-z_]+( instance)?):.*/\1 \2/p' "$work/out.txt"; tail -n 1 "$work/out.txt"; } >"$work/got.txt"
  diff -u "$expected" "$work/got.txt" || fail "$engine: wsvm wast differs from the expected failures"
  [ "$status" -eq 1 ] || fail "$engine: exit status $status, expected 1"
done

# A passing script: exit 0.
printf '(module (func (export "f") (param i32) (result i32) (local.get 0)))\n(assert_return (invoke "f" (i32.const 7)) (i32.const 7))\n' >"$work/ok.wast"
out=$("$wsvm" wast "$work/ok.wast"); status=$?
[ "$status" -eq 0 ] && [ "$(tail -n 1 <<<"$out")" = "1 passed, 0 failed, 0 skipped" ] || fail "passing script: status $status: $out"

# A broken script: FILE:LINE:COLUMN and the spec suite's words; exit 1, never a crash.
printf '(module)\n(assert_return (invoke "f") (i32.const 1)\n' >"$work/broken.wast"
out=$("$wsvm" wast "$work/broken.wast" 2>&1); status=$?
[ "$status" -eq 1 ] && grep -q "broken.wast:2:1: unclosed parenthesis\|broken.wast:2:[0-9]*: unexpected" <<<"$out" || fail "broken script: status $status: $out"
for bad in /nonexistent.wast "$work"; do
  out=$("$wsvm" wast "$bad" 2>&1); status=$?
  [ "$status" -eq 1 ] && grep -q "0 passed, 1 failed, 0 skipped" <<<"$out" || fail "$bad: status $status: $out"
done
head -c 300 "$fixture" >"$work/truncated.wast"
"$wsvm" wast "$work/truncated.wast" >/dev/null 2>&1; [ $? -eq 1 ] || fail "truncated script"
"$wsvm" wast >/dev/null 2>&1; [ $? -eq 2 ] || fail "no script: usage error expected"
"$wsvm" wast --engine nosuch "$work/ok.wast" >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown engine"

# wat2wasm: a module that runs, default output name, stdout, and errors.
cp "$example" "$work/ex.wat"
"$wsvm" wat2wasm "$work/ex.wat" || fail "wat2wasm of $example"
[ "$(head -c 4 "$work/ex.wasm" | od -An -c | tr -d ' ')" = '\0asm' ] || fail "ex.wasm is not a binary module"
"$wsvm" validate "$work/ex.wasm" || fail "ex.wasm does not validate"
cmp -s <("$wsvm" wat2wasm "$work/ex.wat" -o -) "$work/ex.wasm" || fail "-o - differs from the file"
printf '(module\n  (func (i32.const 0x)))\n' >"$work/bad.wat"
out=$("$wsvm" wat2wasm "$work/bad.wat" 2>&1); status=$?
[ "$status" -eq 126 ] && [ "$out" = "wsvm: $work/bad.wat:2:20: unknown operator" ] || fail "bad.wat: status $status: $out"
[ ! -e "$work/bad.wasm" ] || fail "bad.wasm written"
printf '(module (func (result i32) (i64.const 0)))' >"$work/invalid.wat"
out=$("$wsvm" wat2wasm "$work/invalid.wat" 2>&1); status=$?
[ "$status" -eq 126 ] && grep -q "type mismatch" <<<"$out" || fail "invalid.wat: status $status: $out"
"$wsvm" wat2wasm "$work/ex.wat" -o "$work/no/such/dir.wasm" >/dev/null 2>&1; [ $? -eq 126 ] || fail "unwritable output"

[ "$failures" -eq 0 ] && echo "wsvm wast / wat2wasm: ok"
exit $((failures > 0))

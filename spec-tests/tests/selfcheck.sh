#!/usr/bin/env bash
# meson test: runs wsvm-spec on a script with assertions that are wrong on purpose and
# checks that exactly the expected lines fail and the counts add up.
#   selfcheck.sh WSVM_SPEC FIXTURE.wast EXPECTED
set -euo pipefail
runner=$1 fixture=$2 expected=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set +e
# MESON_EXE_WRAPPER: qemu-user in a cross build (meson sets it for tests)
${MESON_EXE_WRAPPER:-} "$runner" --verbose "$fixture" >"$work/out.txt" 2>&1
status=$?
set -e
{ sed -nE 's/^selfcheck\.wast:([0-9]+): ([a-z_]+( instance)?):.*/\1 \2/p' "$work/out.txt"; tail -n 1 "$work/out.txt"; } >"$work/got.txt"
if ! diff -u "$expected" "$work/got.txt"; then
  echo "--- runner output:"; cat "$work/out.txt"; exit 1
fi
[ "$status" -eq 1 ] || { echo "expected exit status 1, got $status"; exit 1; }
echo "selfcheck: ok"

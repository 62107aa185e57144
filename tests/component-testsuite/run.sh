#!/bin/sh
# run.sh RUNNER SKIP_LIST KNOWN_FAILURES: the component-model testsuite, or exit 77 (meson's
# "skipped") with the reason when the suite is not there.
runner=$1 skip=$2 known=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
suite=$("$repo/scripts/suite_path.sh" component) || { echo "skipped: component-model testsuite not found"; exit 77; }
# WSVM_EXE_WRAPPER: qemu-user in a cross build (top meson.build's exe_wrapper_env; meson's own
# MESON_EXE_WRAPPER is set only when the test's executable itself is cross-built)
exec ${WSVM_EXE_WRAPPER:-} "$runner" "$suite" --skip "$skip" --known "$known"

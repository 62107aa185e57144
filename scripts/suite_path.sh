#!/usr/bin/env bash
# Where an external test suite lives: the one place that knows the defaults and the variables.
#   scripts/suite_path.sh spec|wasi|component
# Prints the suite's directory and exits 0 when it is there; otherwise prints one line saying
# where to put it (or which variable to set) on stderr and exits 1. The suites are never part
# of the repository (they come from the workplace's ../shared, or any checkout you point at):
#   spec       WSVM_SPEC_TESTSUITE       default ../shared/spec-testsuite (wasm-2.0/, wasm-3.0/)
#   wasi       WSVM_WASI_TESTSUITE       default ../shared/wasi-testsuite
#   component  WSVM_COMPONENT_TESTSUITE  default ../shared/component-model-testsuite
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
  spec) var=WSVM_SPEC_TESTSUITE dir=spec-testsuite what="the WebAssembly spec testsuite" ;;
  wasi) var=WSVM_WASI_TESTSUITE dir=wasi-testsuite what="the WASI testsuite" ;;
  component) var=WSVM_COMPONENT_TESTSUITE dir=component-model-testsuite what="the component-model testsuite" ;;
  *) echo "usage: suite_path.sh spec|wasi|component" >&2; exit 2 ;;
esac
default=$(cd "$repo/.." && pwd)/shared/$dir
path=${!var:-$default}
if [ -d "$path" ]; then
  (cd "$path" && pwd)
  exit 0
fi
if [ -n "${!var:-}" ]; then
  echo "$what not found at \$$var=$path" >&2
else
  echo "$what not found: put a checkout at $default or set $var to its path" >&2
fi
exit 1

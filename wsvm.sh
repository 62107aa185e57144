#!/usr/bin/env bash
# Installs what is missing, builds, and runs wsvm with the given arguments:
#   ./wsvm.sh --invoke fac build/examples/fac.wasm 20
set -euo pipefail
repo=$(cd "$(dirname "$0")" && pwd)
"$repo/scripts/install-deps.sh"
"$repo/scripts/build.sh"
exec "$repo/build/cli/wsvm" "$@"

#!/usr/bin/env bash
# Wall and CPU time of the SIMD dot product against the same loop in scalar wasm.
#   tests/simd/bench.sh BUILD_DIR [REPS] [RUNS]
# (BUILD_DIR/tests/simd/bench_dot.wasm and BUILD_DIR/cli/wsvm must be built.)
set -euo pipefail
build=${1:?usage: bench.sh BUILD_DIR [REPS] [RUNS]}
reps=${2:-1000}
runs=${3:-3}
wsvm="$build/cli/wsvm"
module="$build/tests/simd/bench_dot.wasm"
for i in $(seq "$runs"); do
  for f in dot_scalar dot_simd; do
    /usr/bin/time -f "$f reps=$reps wall %es user %Us" "$wsvm" --invoke "$f" "$module" "$reps" >/dev/null
  done
done

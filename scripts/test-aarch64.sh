#!/usr/bin/env bash
# Cross-builds wsvm for arm64 Linux and runs its tests under qemu-user (issue 21):
#   scripts/test-aarch64.sh [--engine interp|jit|both] [--spec-subset] [--ci] [--build DIR]
# Installs what is missing (arm64 multiarch, Debian's g++-aarch64-linux-gnu, qemu-user, the
# arm64 -dev packages; idempotent), configures DIR (default build-aarch64) with
# scripts/cross/aarch64-linux-gnu.ini, builds, runs the meson tests through qemu (meson's
# exe_wrapper; process tests get a wrapper script, top meson.build) and then the whole
# wasm-2.0 spec suite under the engine (default interp; both: each in turn; --spec-subset: a
# representative quarter of the files). --ci is what scripts/test.sh runs: it builds only what
# the unit tests need, runs every meson test outside the process-level suites (counted as
# skipped, scripts/cross/ci_subset.py says which and why) and the spec subset under both
# engines. Ends with `N passed, N failed, N skipped`.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/totals.sh"
engine=interp
subset=0
ci=0
build="$repo/build-aarch64"
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=${2:?--engine needs interp, jit or both}; shift 2 ;;
    --spec-subset) subset=1; shift ;;
    --ci) ci=1; subset=1; engine=both; shift ;;
    --build) build=${2:?--build needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-aarch64: unknown argument $1" >&2; exit 2 ;;
  esac
done

"$repo/scripts/install-deps.sh" || exit 1   # the native tools: meson, clang for the test programs
"$repo/scripts/install-deps.sh" --aarch64 || exit 1

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$repo" --cross-file "$repo/scripts/cross/aarch64-linux-gnu.ini" \
    >"$build.setup.log" 2>&1 || { cat "$build.setup.log" >&2; exit 1; }
  rm -f "$build.setup.log"
fi
targets=()
if [ "$ci" = 1 ]; then
  # Regenerate first if a meson.build changed, so the introspection lists today's tests.
  ninja -C "$build" build.ninja >/dev/null 2>&1 || { echo "test-aarch64: meson could not regenerate $build" >&2; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
  mapfile -t targets < <(python3 "$repo/scripts/cross/ci_subset.py" "$build" targets) || exit 1
fi
log=$(mktemp)
start=$SECONDS
if ! ninja -C "$build" "${targets[@]}" >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; echo "0 passed, 1 failed, 0 skipped"; exit 1; fi
rm -f "$log"
echo "== arm64 cross build: $((SECONDS - start)) s"
engines=("$engine")
[ "$engine" = both ] && engines=(interp jit)
if [ ! -f "$build/jit/libwsvm_jit.a" ] && [[ " ${engines[*]} " == *" jit "* ]]; then
  echo "test-aarch64: the JIT is not built for arm64 (libasmjit for arm64 not found at configure time)" >&2
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

# Unit and process tests. The hostile suite compares time and memory ratios, which emulation
# distorts, and the benchmarks' checks are for the native build: both are left out (counted
# as one skip each, with the reason). --ci runs the tests outside the process-level suites.
start=$SECONDS
rm -f "$build/meson-logs/testlog.json"  # a run that cannot start must not count an old log
# The tests and what is left out (counted as skipped): scripts/cross/ci_subset.py says which
# and why (--ci: the process-level suites too).
which=full-
[ "$ci" = 1 ] && which=
mapfile -t kept < <(python3 "$repo/scripts/cross/ci_subset.py" "$build" "${which}tests") || exit 1
left=$(python3 "$repo/scripts/cross/ci_subset.py" "$build" "${which}left-out") || exit 1
echo "== meson tests under qemu-aarch64: ${#kept[@]} ($left left out and counted as skipped: scripts/cross/ci_subset.py)"
meson test -C "$build" --no-rebuild --print-errorlogs --num-processes "$(nproc)" \
  --timeout-multiplier 4 "${kept[@]}"
read -r unit_pass unit_fail unit_skip < <(python3 "$repo/scripts/meson_counts.py" "$build")
unit_skip=$((unit_skip + left))
if [ ! -s "$build/meson-logs/testlog.json" ]; then
  echo "test-aarch64: meson test ran no test (see above)" >&2
  unit_pass=0 unit_fail=1 unit_skip=${unit_skip:-0}
fi
echo "== arm64 meson tests: $((SECONDS - start)) s"

# The wasm-2.0 spec suite, wsvm-spec running under qemu.
files=()
if [ "$subset" = 1 ] && suite=$("$repo/scripts/suite_path.sh" spec 2>/dev/null); then
  # Every fourth file in name order, SIMD included: a fixed, representative sample.
  mapfile -t all < <(ls "$suite"/wasm-2.0/*.wast | sort)
  for i in "${!all[@]}"; do [ $((i % 4)) -eq 0 ] && files+=("${all[$i]}"); done
  echo "== spec suite subset: ${#files[@]} of ${#all[@]} wasm-2.0 files (every fourth)"
fi
spec_out=$(mktemp)
spec_pass=0 spec_fail=0 spec_skip=0
for e in "${engines[@]}"; do
  start=$SECONDS
  WSVM_EXE_WRAPPER=qemu-aarch64 "$repo/spec-tests/run" --build "$build" --engine "$e" "${files[@]}" \
    | tee "$spec_out"
  read -r p f s < <(last_total "$spec_out")
  [ -n "${p:-}" ] || { p=0 f=1 s=0; }
  echo "arm64 spec suite ($e): $p passed, $f failed, $s skipped ($((SECONDS - start)) s)"
  spec_pass=$((spec_pass + p)); spec_fail=$((spec_fail + f)); spec_skip=$((spec_skip + s))
  unset p f s
done
rm -f "$spec_out"

echo "arm64 unit and process tests: $unit_pass passed, $unit_fail failed, $unit_skip skipped"
echo "arm64 spec suite (${engines[*]}): $spec_pass passed, $spec_fail failed, $spec_skip skipped"
passed=$((unit_pass + spec_pass)); failed=$((unit_fail + spec_fail)); skipped=$((unit_skip + spec_skip))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

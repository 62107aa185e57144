#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer into ./build-asan (or
# $WSVM_ASAN_BUILD) and runs the whole meson test suite and the whole spec suite under it.
# Ends, like scripts/test.sh, with one line `N passed, N failed, N skipped`.
#   scripts/sanitize.sh [--spec-only | --unit-only] [--exclude-simd]
# --spec-only: build only the spec runner and the fuzz harnesses; run the spec suite and the
# fuzz suite (crash replays, interp-vs-JIT differential) (the reduced subset for the CI).
# Prints the time each phase took (the CI budget question: docs/FUZZING.md).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/totals.sh"
# Long CPU-bound job on a shared machine: run at niceness 10 (absolute, so calling the script
# under `nice` does not stack up to 19 and starve it).
if [ "$(nice)" -lt 10 ]; then renice -n 10 -p $$ >/dev/null; fi
build="${WSVM_ASAN_BUILD:-$repo/build-asan}"
run_unit=1 run_spec=1 spec_args=()
for arg in "$@"; do
  case "$arg" in
    --spec-only) run_unit=0 ;;
    --unit-only) run_spec=0 ;;
    --exclude-simd) spec_args+=(--exclude-simd) ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sanitize: unknown argument $arg" >&2; exit 2 ;;
  esac
done

# wsvm installs its own SIGSEGV/SIGBUS handler for guard-page traps (memory/trap_handler.cpp):
# handle_segv=0/handle_sigbus=0 keep ASan's handler out of the way, and allow_user_segv_handler=1
# lets wsvm's sigaction win even if ASan got there first. A fault outside a wasm reservation is
# still re-raised by wsvm's handler and kills the process loudly. The 8 GiB PROT_NONE
# reservations are plain mmap and need nothing. halt_on_error makes every UBSan finding fatal,
# so UB fails the test that triggers it instead of printing a line and passing.
export ASAN_OPTIONS="${ASAN_OPTIONS:-handle_segv=0:handle_sigbus=0:allow_user_segv_handler=1:detect_leaks=1:abort_on_error=1:print_summary=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:print_summary=1}"

# "passed failed skipped" of the last meson test run (same counting as test.sh).
count_meson_results() { python3 "$repo/scripts/meson_counts.py" "$build"; }

t0=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$repo" -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debugoptimized >"$build.setup.log" 2>&1 ||
    { cat "$build.setup.log" >&2; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
  rm -f "$build.setup.log"
fi
# --spec-only builds just the spec runner and the fuzz harnesses (a fraction of the build:
# no Catch2 test programs, which are slow to compile with sanitizers).
targets=()
if [ "$run_unit" = 0 ]; then
  targets=(spec-tests/wsvm-spec fuzz/fuzz_validate fuzz/fuzz_run)
  # The interp-vs-JIT differential test exists where the JIT is built.
  ninja -C "$build" -t query fuzz/fuzz_diff >/dev/null 2>&1 && targets+=(fuzz/fuzz_diff)
fi
log=$(mktemp)
if ! ninja -C "$build" "${targets[@]}" >"$log" 2>&1; then
  tail -n 40 "$log" >&2; rm -f "$log"; echo "sanitize: build failed" >&2
  echo "0 passed, 1 failed, 0 skipped"; exit 1
fi
rm -f "$log"
t1=$(date +%s)
echo "sanitize: build took $((t1 - t0)) s"

unit_pass=0 unit_fail=0 unit_skip=0
if [ "$run_unit" = 1 ]; then
  # Sanitized code runs 2-5x slower: the meson timeouts are stretched accordingly.
  meson test -C "$build" --no-rebuild --print-errorlogs --num-processes "$(nproc)" \
    --timeout-multiplier 5
  read -r unit_pass unit_fail unit_skip < <(count_meson_results)
fi
t2=$(date +%s)
[ "$run_unit" = 1 ] && echo "sanitize: meson tests took $((t2 - t1)) s"

if [ "$run_unit" = 0 ]; then
  # The fuzz regression replays are cheap and built in every mode: run them here too.
  meson test -C "$build" --no-rebuild --print-errorlogs --suite fuzz --timeout-multiplier 5
  read -r unit_pass unit_fail unit_skip < <(count_meson_results)
fi

spec_pass=0 spec_fail=0 spec_skip=0
if [ "$run_spec" = 1 ]; then
  # Under every engine built, in both modes (the JIT's generated code is not instrumented,
  # but its compiler, helpers, trap handling and the runtime are). WSVM_SPEC_ENGINES narrows it.
  spec_out=$(mktemp)
  "$repo/scripts/spec_engines.sh" "$build" "${spec_args[@]}" |
    tee "$spec_out"
  read -r spec_pass spec_fail spec_skip < <(last_total "$spec_out")
  rm -f "$spec_out"
  if [ -z "${spec_pass:-}" ]; then
    echo "sanitize: the spec suite did not print its total line" >&2
    spec_pass=0 spec_fail=1 spec_skip=0
  fi
  t3=$(date +%s)
  echo "sanitize: spec suite took $((t3 - t2)) s"
fi

echo "sanitize: total $(( $(date +%s) - t0 )) s"
echo "unit and process tests: $unit_pass passed, $unit_fail failed, $unit_skip skipped"
echo "spec suite assertions: $spec_pass passed, $spec_fail failed, $spec_skip skipped"
passed=$((unit_pass + spec_pass)); failed=$((unit_fail + spec_fail)); skipped=$((unit_skip + spec_skip))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

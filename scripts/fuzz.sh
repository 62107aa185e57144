#!/usr/bin/env bash
# Coverage-guided fuzzing of wsvm with AFL++ (Debian `afl++`, classic afl-g++ instrumentation).
#   scripts/fuzz.sh [MINUTES] [TARGET]
# MINUTES (default 10) is the total wall-clock fuzzing time; TARGET is `validate` (decode +
# validate), `run` (decode + validate + instantiate + run under fuel and limits) or `both`
# (default: MINUTES split evenly, one afl-fuzz at a time). Installs afl++ if missing, builds
# the instrumented harnesses into ./build-afl (or $WSVM_AFL_BUILD), prepares the seed corpus
# (spec-suite modules, the repo's test modules, fuzz/seeds), runs afl-fuzz under nice, then
# prints executions/second, corpus size, crashes and hangs. Findings stay in
# build-afl/out-TARGET/default/{crashes,hangs}; a re-run resumes the same output directory.
# Workflow and the regression rule: docs/FUZZING.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# Long CPU-bound job on a shared machine: run at niceness 10 (absolute, so calling the script
# under `nice` does not stack up to 19 and starve it).
if [ "$(nice)" -lt 10 ]; then renice -n 10 -p $$ >/dev/null; fi
minutes=${1:-10}
target=${2:-both}
build="${WSVM_AFL_BUILD:-$repo/build-afl}"
# The spec suite's modules are seeds when the suite is there (scripts/suite_path.sh).
if suite=$("$repo/scripts/suite_path.sh" spec 2>/dev/null); then suite="$suite/wasm-2.0"
else echo "fuzz: no spec suite, so no spec-suite seeds ($("$repo/scripts/suite_path.sh" spec 2>&1))"; suite=""; fi

case "$target" in validate|run) targets=("$target") ;; both) targets=(validate run) ;;
  *) echo "fuzz: unknown target '$target' (validate, run, both)" >&2; exit 2 ;; esac
[[ "$minutes" =~ ^[0-9]+$ ]] && [ "$minutes" -gt 0 ] || { echo "fuzz: MINUTES must be a positive integer" >&2; exit 2; }

# 1. AFL++ (idempotent).
if ! command -v afl-fuzz >/dev/null || ! command -v afl-g++ >/dev/null; then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y afl++ >/dev/null
fi

# 2. Instrumented harnesses. Classic mode (afl-g++ wraps g++ and instruments at the assembler)
# because Debian's GCC plugin refuses g++ 12; classic mode needs non-PIE code.
export AFL_QUIET=1
if [ ! -f "$build/build.ninja" ]; then
  # WSVM_INTERP_SWITCH: the interpreter's `switch` dispatch. Its computed-goto dispatch
  # crashes on every call once afl-as has instrumented it (the same sources built with plain
  # g++ run fine), so the AFL build uses the portable form.
  CXX=afl-g++ meson setup "$build" "$repo" -Db_pie=false -Db_staticpic=false \
    -Dcpp_args=-DWSVM_INTERP_SWITCH -Dcpp_link_args=-no-pie -Dbuildtype=debugoptimized >"$build.setup.log" 2>&1 ||
    { cat "$build.setup.log" >&2; exit 1; }
  rm -f "$build.setup.log"
fi
ninja -C "$build" "${targets[@]/#/fuzz/fuzz_}" >"$build.ninja.log" 2>&1 ||
  { tail -n 30 "$build.ninja.log" >&2; exit 1; }
rm -f "$build.ninja.log"

# 3. Seeds: every binary module the spec suite expects to be valid (module, unlinkable,
# uninstantiable), the repo's own test modules from ./build, and fuzz/seeds. Generated here,
# never committed; deduplicated by content.
seeds_raw="$build/seeds-raw"
if [ ! -d "$seeds_raw" ] || [ -z "$(ls -A "$seeds_raw")" ]; then
  mkdir -p "$seeds_raw" "$build/spec-json"
  for wast in ${suite:+"$suite"/*.wast}; do
    name=$(basename "$wast" .wast)
    mkdir -p "$build/spec-json/$name"
    wast2json --enable-all "$wast" -o "$build/spec-json/$name/$name.json" >/dev/null 2>&1 || continue
  done
  python3 - "$build/spec-json" "$seeds_raw" <<'PY'
import hashlib, json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
keep = {"module", "assert_unlinkable", "assert_uninstantiable"}
for d in sorted(os.listdir(src)):
    j = os.path.join(src, d, d + ".json")
    if not os.path.exists(j): continue
    for c in json.load(open(j))["commands"]:
        if c["type"] in keep and c.get("module_type", "binary") == "binary" and "filename" in c:
            data = open(os.path.join(src, d, c["filename"]), "rb").read()
            if len(data) <= 64 * 1024:
                open(os.path.join(dst, hashlib.sha1(data).hexdigest()[:16] + ".wasm"), "wb").write(data)
PY
  if [ -d "$repo/build" ]; then
    find "$repo/build" -name '*.wasm' -size -64k -not -path '*/spec-json/*' -print0 |
      while IFS= read -r -d '' f; do cp "$f" "$seeds_raw/$(sha1sum "$f" | cut -c1-16).wasm"; done
  fi
  cp "$repo"/fuzz/seeds/*.wasm "$seeds_raw/"
fi
echo "fuzz: $(ls "$seeds_raw" | wc -l) raw seeds in $seeds_raw"

export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_AUTORESUME=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export WSVM_FUZZ_TIMEOUT_MS=200  # fuzz_run: interrupt flag after 200 ms (fuel ends loops sooner)
seconds=$(( minutes * 60 / ${#targets[@]} ))
for t in "${targets[@]}"; do
  harness="$build/fuzz/fuzz_$t"
  seeds="$build/seeds-$t"
  # Minimise the corpus per target (keeps one input per distinct coverage tuple set).
  if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
    rm -rf "$seeds"
    if ! afl-cmin -m none -t 2000 -i "$seeds_raw" -o "$seeds" -- "$harness" @@ >"$build/cmin-$t.log" 2>&1; then
      echo "fuzz: afl-cmin failed (see $build/cmin-$t.log); using the raw seeds" >&2
      rm -rf "$seeds"; cp -r "$seeds_raw" "$seeds"
    fi
  fi
  echo "fuzz: $t: $(ls "$seeds" | wc -l) seeds after afl-cmin; fuzzing for $seconds s"
  out="$build/out-$t"
  # -m none: every linear memory reserves 8 GiB of address space. -t: a hang is an input
  # that runs longer than 1 s (fuel and the interrupt flag end every legal loop well before).
  afl-fuzz -i "$seeds" -o "$out" -m none -t 1000 -V "$seconds" -- "$harness" @@ \
    >"$build/afl-$t.log" 2>&1 || { tail -n 30 "$build/afl-$t.log" >&2; exit 1; }
  stats="$out/default/fuzzer_stats"
  get() { sed -nE "s/^$1 *: *(.*)$/\1/p" "$stats"; }
  crashes=$(find "$out/default/crashes" -type f -name 'id:*' | wc -l)
  hangs=$(find "$out/default/hangs" -type f -name 'id:*' | wc -l)
  echo "fuzz: $t: $(get execs_done) executions in $(get run_time) s (cumulative), $(get execs_per_sec) execs/s," \
    "corpus $(get corpus_count), crashes $crashes, hangs $hangs"
  [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] || echo "fuzz: $t: findings in $out/default/crashes and hangs (docs/FUZZING.md: triage)"
done

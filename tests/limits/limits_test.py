#!/usr/bin/env python3
"""Process tests of wsvm's limits (--timeout, --fuel, --max-stack, --max-memory, --stats):
exit status AND the one stderr line, for one engine at a time.

Usage: limits_test.py WSVM FIXTURES_DIR ENGINE CASE   (CASE: a test_ function minus test_)
Every case runs through `--engine ENGINE`, so the JIT reuses them unchanged. Timings are
asserted only against generous bounds (the machine is shared); the interrupt latency itself
is printed (from --stats), not asserted tightly.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from proc_test import Failure, expect, run_case, run_command  # noqa: E402

WSVM = ""
FIX = ""
ENGINE = ""

EXIT_OK, EXIT_USAGE, EXIT_LOAD, EXIT_TIMEOUT, EXIT_FUEL, EXIT_TRAP = 0, 2, 126, 124, 125, 134


def run(*args, timeout=60, stdin=subprocess.DEVNULL):
    return run_command([WSVM, "--engine", ENGINE, *args], timeout=timeout, stdin=stdin)


def non_stats_lines(err):
    return [l for l in err.splitlines() if not l.startswith("wsvm: stats: ")]


def stat(err, name):
    """The value of `wsvm: stats: NAME VALUE` (a string), or None."""
    for l in err.splitlines():
        if l.startswith("wsvm: stats: " + name + " "):
            return l[len("wsvm: stats: " + name + " "):]
    return None


def expect_limit(args, code, line, max_wall=None, stdout=""):
    """Exit `code`, exactly one (non-stats) stderr line equal to `line`."""
    r = run(*args)
    what = "wsvm " + " ".join(args)
    expect(r[0] == code, f"{what}: expected exit {code}", r)
    expect(r[1] == stdout, f"{what}: expected stdout {stdout!r}", r)
    lines = non_stats_lines(r[2])
    expect(lines == [line], f"{what}: expected the one stderr line {line!r}", r)
    if max_wall is not None:
        expect(r[3] < max_wall, f"{what}: should end within {max_wall} s", r)
    return r


def fix(name):
    return os.path.join(FIX, name + ".wasm")


# --- --timeout: status 124, `wsvm: timeout: run interrupted after D` -------------------------

def test_timeout_loop():
    line = "wsvm: timeout: run interrupted after 200ms"
    for args in (["--timeout", "200ms", fix("spin")],
                 ["--timeout=0.2s", "--invoke", "spin", fix("spin")],
                 ["--timeout", "200ms", "--invoke", "count_forever", fix("spin")]):
        r = expect_limit(args, EXIT_TIMEOUT, line, max_wall=2.0)
        expect(r[3] >= 0.2, "the run is not stopped before the deadline", r)
    r = expect_limit(["--timeout", "1s", "--stats", fix("spin")], EXIT_TIMEOUT,
                     "wsvm: timeout: run interrupted after 1s", max_wall=3.0)
    late = stat(r[2], "stopped")
    expect(late is not None and re.fullmatch(r"\d+\.\d{3} ms after the deadline "
                                             r"\(timer \d+\.\d{3} ms late\)", late),
           "--stats says how late the interrupt landed", r)
    print(f"interrupt latency (from --stats): {late}")
    expect(float(late.split()[0]) < 500, "the interrupt lands soon after the deadline", r)


def test_timeout_calls_without_loops():
    # 2^60 calls at most 60 deep, no loop: the checks at function entries stop it.
    expect_limit(["--timeout", "200ms", "--invoke", "spin_calls", fix("spin")], EXIT_TIMEOUT,
                 "wsvm: timeout: run interrupted after 200ms", max_wall=2.0)


def test_timeout_start_function():
    expect_limit(["--timeout", "200ms", fix("spin_start")], EXIT_TIMEOUT,
                 "wsvm: timeout: run interrupted after 200ms", max_wall=2.0)


def test_timeout_not_reached():
    r = run("--timeout", "5s", "--invoke", "count", fix("fuel"), "10")
    expect(r[0] == EXIT_OK and r[1] == "10\n" and r[2] == "", "a quick run is unaffected", r)
    expect(r[3] < 4.0, "and the timer does not hold the process until the deadline", r)


def test_timeout_blocking_host_calls():
    # The flag cannot reach a blocked host call; wsvm ends the process 100 ms after the
    # deadline instead (same status and line).
    line = "wsvm: timeout: run interrupted after 200ms"
    expect_limit(["--timeout", "200ms", fix("blocking")], EXIT_TIMEOUT, line, max_wall=3.0)
    p = subprocess.Popen([WSVM, "--engine", ENGINE, "--timeout", "200ms", "--invoke",
                          "read_stdin", fix("blocking")], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    start = time.monotonic()
    try:
        out, err = _wait_with_open_stdin(p)
    finally:
        if p.poll() is None:
            p.kill()
    r = (p.returncode, out, err, time.monotonic() - start)
    expect(r[0] == EXIT_TIMEOUT and r[2] == line + "\n", "a read from an idle pipe times out", r)
    expect(r[3] < 3.0, "promptly", r)


def _wait_with_open_stdin(p):
    """Waits for `p` without closing its stdin (so its fd_read blocks), up to 10 s."""
    deadline = time.monotonic() + 10
    while p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if p.poll() is None:
        p.kill()
        p.wait()
        raise Failure("a blocked fd_read was not ended by --timeout within 10 s")
    return p.stdout.read(), p.stderr.read()


# --- --fuel: status 125, `wsvm: out of fuel after N units`; --stats reports it ---------------

def test_fuel_exact():
    # fuel.wat derives these counts by hand from the contract: count(n) = 8n + 1,
    # fib(4) = 77.
    for n, cost in ((10, 81), (1, 9), (3, 25)):
        r = run("--stats", "--invoke", "count", fix("fuel"), str(n))
        expect(r[0] == EXIT_OK and r[1] == f"{n}\n", f"count({n}) runs", r)
        expect(stat(r[2], "fuel consumed") == str(cost), f"count({n}) costs {cost}", r)
    r = run("--stats", "--invoke", "fib", fix("fuel"), "4")
    expect(r[0] == EXIT_OK and r[1] == "3\n", "fib(4) runs", r)
    expect(stat(r[2], "fuel consumed") == "77", "fib(4) costs 77 (if/else/call regions)", r)
    # Exactly enough fuel succeeds; one unit less stops before the last region.
    r = run("--fuel", "81", "--invoke", "count", fix("fuel"), "10")
    expect(r[0] == EXIT_OK and r[1] == "10\n" and r[2] == "", "fuel 81 is enough for count(10)", r)
    expect_limit(["--fuel", "80", "--invoke", "count", fix("fuel"), "10"], EXIT_FUEL,
                 "wsvm: out of fuel after 80 units")
    expect_limit(["--fuel", "76", "--invoke", "fib", fix("fuel"), "4"], EXIT_FUEL,
                 "wsvm: out of fuel after 76 units")
    expect_limit(["--fuel", "0", "--invoke", "count", fix("fuel"), "10"], EXIT_FUEL,
                 "wsvm: out of fuel after 0 units")
    # In a start function (instantiation): [loop] is free, each [br] iteration costs 1.
    expect_limit(["--fuel", "100", fix("spin_start")], EXIT_FUEL,
                 "wsvm: out of fuel after 100 units")


def test_fuel_deterministic():
    counts = []
    for _ in range(2):
        r = run("--stats", fix("fuel"))
        expect(r[0] == EXIT_OK, "fib(25) runs", r)
        counts.append(stat(r[2], "fuel consumed"))
    expect(counts[0] is not None and counts[0] == counts[1],
           f"the same fuel on two runs: {counts}")
    total = int(counts[0])
    # Out of fuel halfway, twice: the same stopping point.
    half = total // 2
    for _ in range(2):
        r = expect_limit(["--fuel", str(half), "--stats", fix("fuel")], EXIT_FUEL,
                         f"wsvm: out of fuel after {half} units")
        expect(stat(r[2], "fuel consumed") == str(half), "--stats agrees with the message", r)
    expect_limit(["--fuel", "10", "--invoke", "spin", fix("spin")], EXIT_FUEL,
                 "wsvm: out of fuel after 10 units")


# --- --max-stack: status 134, `wsvm: trap: call stack exhausted` ------------------------------

def expect_stack_trap(args):
    r = run(*args)
    what = "wsvm " + " ".join(args)
    expect(r[0] == EXIT_TRAP, f"{what}: exits 134", r)
    lines = r[2].splitlines()
    expect(lines and lines[0] == "wsvm: trap: call stack exhausted", f"{what}: message", r)
    expect(all(l.startswith("  at ") for l in lines[1:]), f"{what}: backtrace lines", r)


def test_stack_limit():
    expect_stack_trap(["--invoke", "forever", fix("recurse"), "0"])  # the default 1 MiB
    expect_stack_trap(["--max-stack", "64KiB", "--invoke", "forever", fix("recurse"), "0"])
    expect_stack_trap(["--max-stack", "64MiB", "--invoke", "forever", fix("recurse"), "0"])
    # The limit is what decides: 5000 frames fit in 4 MiB, not in 16 KiB.
    r = run("--max-stack", "4MiB", "--invoke", "depth", fix("recurse"), "5000")
    expect(r[0] == EXIT_OK and r[1] == "5000\n", "5000 frames fit in 4MiB", r)
    expect_stack_trap(["--max-stack", "16KiB", "--invoke", "depth", fix("recurse"), "5000"])
    # Deeper than the default frame count of 20000 when the stack allows it.
    r = run("--max-stack", "64MiB", "--invoke", "depth", fix("recurse"), "100000")
    expect(r[0] == EXIT_OK and r[1] == "100000\n", "100000 frames fit in 64MiB", r)
    # Far deeper than a default 8 MiB thread stack holds machine frames: the module runs on
    # a thread sized for --max-stack (a JIT recurses on it).
    r = run("--max-stack", "256MiB", "--invoke", "depth", fix("recurse"), "1000000")
    expect(r[0] == EXIT_OK and r[1] == "1000000\n", "a million frames fit in 256MiB", r)


def run_with_stack_rlimit(kib, *args):
    """run(*args) with the soft RLIMIT_STACK set to `kib` KiB (or 'unlimited') first: wsvm runs
    the module on its main thread when that stack is big enough, else on a sized thread."""
    script = f'ulimit -S -s {kib} && exec "$0" "$@"'
    return run_command(["sh", "-c", script, WSVM, "--engine", ENGINE, *args])


def test_stack_limit_any_rlimit():
    # 1 MiB main stack and an unlimited one: a thread; 256 MiB: the main thread, even for
    # 64 MiB of wasm stack. The limit decides the depth wherever the module runs.
    for kib in ("1024", "unlimited", "262144"):
        what = f"under ulimit -s {kib}"
        r = run_with_stack_rlimit(kib, "--invoke", "forever", fix("recurse"), "0")
        expect(r[0] == EXIT_TRAP and r[2].startswith("wsvm: trap: call stack exhausted\n"),
               f"{what}: infinite recursion traps", r)
        r = run_with_stack_rlimit(kib, "--max-stack", "64MiB", "--invoke", "depth", fix("recurse"),
                                  "100000")
        expect(r[0] == EXIT_OK and r[1] == "100000\n", f"{what}: 100000 frames fit in 64MiB", r)
        r = run_with_stack_rlimit(kib, "--max-stack", "16KiB", "--invoke", "depth", fix("recurse"),
                                  "5000")
        expect(r[0] == EXIT_TRAP, f"{what}: 5000 frames do not fit in 16KiB", r)


# --- --max-memory: 126 at instantiation; memory.grow returns -1 ------------------------------

def test_memory_minimum_over_limit():
    path = fix("memory_big")
    r = run("--max-memory", "1MiB", path)
    what = "a 20-page minimum over --max-memory 1MiB"
    expect(r[0] == EXIT_LOAD and r[1] == "", what + ": exit 126", r)
    lines = r[2].splitlines()
    expect(len(lines) == 1, what + ": one line", r)
    expect(lines[0].startswith(f"wsvm: error: {path}: uninstantiable: "), what + ": prefix", r)
    for needle in ('memory 0 ("heap")', "20 pages", "16 pages", "1 MiB"):
        expect(needle in lines[0], f"{what}: names {needle!r}", r)
    r = run("--max-memory", "2MiB", path)
    expect(r[0] == EXIT_OK and r[2] == "", "20 pages fit in 2MiB", r)


def test_memory_grow_at_limit():
    m = fix("memory")
    # 4MiB = 64 pages: 1 + 63 fit, 1 + 64 do not.
    r = run("--max-memory", "4MiB", "--invoke", "grow", m, "63")
    expect(r[0] == EXIT_OK and r[1] == "1\n", "growing to the limit works (old size 1)", r)
    r = run("--max-memory", "4MiB", "--invoke", "grow", m, "64")
    expect(r[0] == EXIT_OK and r[1] == "-1\n", "growing past the limit returns -1", r)
    # Rounded down to whole pages: 100000 bytes = 1 page, so no growth at all.
    r = run("--max-memory", "100000", "--invoke", "grow", m, "1")
    expect(r[0] == EXIT_OK and r[1] == "-1\n", "--max-memory rounds down to pages", r)
    r = run("--max-memory", "100000", "--invoke", "size", m)
    expect(r[0] == EXIT_OK and r[1] == "1\n", "the one page is there", r)
    # The default (4 GiB) allows growth.
    r = run("--invoke", "grow", m, "16")
    expect(r[0] == EXIT_OK and r[1] == "1\n", "default limit allows growth", r)


# --- option errors: status 2, one line -------------------------------------------------------

def test_limit_usage_errors():
    for args, needle in ((["--max-memory", "12XB"], "XB"), (["--max-memory", "lots"], "lots"),
                         (["--max-memory", "99999999999999999999"], "99999999999999999999"),
                         (["--max-stack", "0"], "--max-stack"),
                         (["--max-stack", "2GiB"], "--max-stack"),
                         (["--timeout", "5h"], "5h"), (["--timeout", "0"], "0"),
                         (["--timeout", "-1s"], "-1s"), (["--timeout", "ms"], "ms"),
                         (["--fuel", "-1"], "-1"), (["--fuel", "1e6"], "1e6"),
                         (["--fuel", "9223372036854775808"], "9223372036854775808"),
                         (["--stats=yes"], "--stats"), (["--fuel"], "--fuel")):
        r = run(*args, fix("spin"))
        what = "wsvm " + " ".join(args)
        expect(r[0] == EXIT_USAGE, f"{what}: usage error", r)
        lines = r[2].splitlines()
        expect(len(lines) == 1 and lines[0].startswith("wsvm: error: "), f"{what}: one line", r)
        expect(needle in lines[0], f"{what}: names {needle!r}", r)


def test_help_states_limits():
    r = subprocess.run([WSVM, "--help"], capture_output=True, text=True)
    for needle in ("--max-memory SIZE", "default 4GiB", "--max-stack SIZE", "default 1MiB",
                   "--timeout DURATION", "--fuel N", "--stats", "124  timeout",
                   "125  out of fuel"):
        expect(needle in r.stdout, f"--help mentions {needle!r}")


def test_stats():
    r = run("--stats", "--invoke", "count", fix("fuel"), "10")
    expect(r[0] == EXIT_OK and r[1] == "10\n", "--stats does not change the result", r)
    for name in ("compile", "instantiate", "run"):
        v = stat(r[2], name)
        expect(v is not None and re.fullmatch(r"\d+\.\d{3} ms", v), f"--stats prints {name}", r)
    expect(stat(r[2], "peak rss") is not None, "--stats prints peak rss", r)
    expect(all(l.startswith("wsvm: stats: ") for l in r[2].splitlines()), "only stats lines", r)


def test_stats_json():
    def stats_of(r):
        last = r[2].splitlines()[-1] if r[2] else ""
        try:
            return json.loads(last)
        except ValueError:
            raise Failure(f"the last stderr line is not JSON: {last!r}")

    keys = ["module", "engine", "exit_code", "duration_ms", "compile_ms", "instantiate_ms", "run_ms",
            "fuel_consumed", "peak_rss_bytes"]
    r = run("--stats=json", "--invoke", "count", fix("fuel"), "10")
    expect(r[0] == EXIT_OK and r[1] == "10\n" and r[2].count("\n") == 1, "--stats=json: one line", r)
    j = stats_of(r)
    expect(list(j) == keys, "the keys, in order", j)
    expect(j["module"] == fix("fuel") and j["engine"] == ENGINE and j["exit_code"] == 0, "module, engine, exit", j)
    expect(j["fuel_consumed"] == 81, "fuel_consumed is the exact count (fuel.wat: count(10) = 81)", j)
    expect(all(isinstance(j[k], float) and j[k] >= 0 for k in ("compile_ms", "instantiate_ms", "run_ms")),
           "phase times in ms", j)
    expect(j["duration_ms"] >= j["compile_ms"] + j["instantiate_ms"] + j["run_ms"] - 0.01, "duration covers them", j)
    expect(isinstance(j["peak_rss_bytes"], int) and j["peak_rss_bytes"] > 1 << 20, "peak rss in bytes", j)
    r = run("--stats=json", "--fuel", "80", "--invoke", "count", fix("fuel"), "10")
    j = stats_of(r)
    expect(r[0] == EXIT_FUEL and j["exit_code"] == EXIT_FUEL and j["fuel_consumed"] == 80, "out of fuel", r)
    r = run("--stats=json", os.path.join(FIX, "no-such.wasm"))
    j = stats_of(r)
    expect(r[0] == EXIT_LOAD and j["exit_code"] == EXIT_LOAD and j["compile_ms"] is None and j["run_ms"] is None,
           "an unreadable module: nothing reached is null", r)
    r = run("--stats=xml", fix("fuel"))
    expect(r[0] == EXIT_USAGE and "--stats=json" in r[2], "an unknown format is a usage error", r)


def main():
    global WSVM, FIX, ENGINE
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    WSVM, FIX, ENGINE, case = (os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]),
                               sys.argv[3], sys.argv[4])
    return run_case(globals(), case, f"{case} [{ENGINE}]")


if __name__ == "__main__":
    sys.exit(main())

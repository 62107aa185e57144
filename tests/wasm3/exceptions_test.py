#!/usr/bin/env python3
"""Process tests of Wasm 3.0 exception handling, one engine at a time:

- wast: tests/wasm3/exceptions.wast through `wsvm wast` (payloads, handlers several frames
  up, catch_ref/throw_ref, legacy catch/rethrow/delegate, tags shared between modules);
- uncaught: an exception no handler catches ends the run with "uncaught exception" (134);
- sjlj_NAME: a C program using setjmp/longjmp built with clang-19 -mllvm -wasm-enable-sjlj
  (its helpers in sjlj_helpers.c) prints what its native build printed.

A case listed in jit-skip.txt for the engine (`CASE@ENGINE REASON`: the JIT compiles
exception handling in its own landing) must be refused cleanly, one line naming the
instruction and "declared bailout" with exit 126, and then reports skipped (exit 77) with its
reason; a listed case that runs is a failure (remove its line).

Usage: exceptions_test.py WSVM DIR ENGINE CASE [WASM EXPECTED]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import jit_skip  # noqa: E402
from jit_skip import Skipped  # noqa: E402
from proc_test import expect, run_case, run_command  # noqa: E402

WSVM = ""
DIR = ""
ENGINE = ""
ARGS = []
CASE = ""
EXIT_LOAD, EXIT_TRAP = 126, 134
EH_OPS = ("try", "catch", "throw", "rethrow", "delegate", "try_table", "throw_ref")


def skip_reason(case):
    """The reason jit-skip.txt gives for CASE in this engine, or None."""
    return jit_skip.skip_reason(DIR, case, ENGINE)


def declined(r, case, status=EXIT_LOAD):
    """For a case the skip list names: checks the clean refusal, then raises Skipped.
    False for any other case (judged by the case itself)."""
    reason = skip_reason(case)
    if reason is None:
        return False
    lines = [l for l in (r[1] + r[2]).strip().splitlines() if "declared bailout" in l]
    expect(r[0] == status and len(lines) >= 1 and any(op in lines[0] for op in EH_OPS),
           f"listed in jit-skip.txt ({reason}): a clean refusal naming the instruction "
           f"(exit {status}, 'declared bailout'); if it runs now, remove its line", r)
    raise Skipped(f"{reason} ({lines[0].strip()})")


def test_wast():
    r = run_command([WSVM, "wast", "--engine", ENGINE, os.path.join(DIR, "exceptions.wast")])
    if declined(r, "wast", status=1):
        return
    expect(r[0] == 0, "every assertion of exceptions.wast passes", r)
    print(r[1].strip().splitlines()[-1] if r[1].strip() else "ok")


def test_uncaught():
    r = run_command([WSVM, "--engine", ENGINE, "--invoke", "fail",
                     os.path.join(DIR, "uncaught.wat"), "5"])
    if declined(r, "uncaught"):
        return
    expect(r[0] == EXIT_TRAP and "uncaught exception" in r[2], "exit 134, 'uncaught exception'", r)


def test_sjlj():
    wasm, expected_file = ARGS
    with open(expected_file) as f:
        want = f.read()
    r = run_command([WSVM, "--engine", ENGINE, wasm])
    if declined(r, CASE):
        return
    expect(r[0] == 0 and r[1] == want, f"{os.path.basename(wasm)} prints what its native build prints", r)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    WSVM, DIR, ENGINE, CASE = sys.argv[1:5]
    ARGS = sys.argv[5:]
    try:
        sys.exit(run_case(globals(), CASE.split("-")[0], f"{ENGINE} {CASE}"))
    except Skipped as e:
        print(f"skipped: {ENGINE} {CASE}: {e}")
        sys.exit(77)

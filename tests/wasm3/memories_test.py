#!/usr/bin/env python3
"""Process tests of Wasm 3.0 multi-memory and memory64/table64, one engine at a time, as a
user runs them with `wsvm --invoke`:

- multi_memory: multi_memory.wat copies between two memories, grows memory 1 (to its
  maximum, after which the copy traps), loads and stores on each without touching the other,
  and traps past memory 1's end;
- bad_memory_index: a load from memory 5 of a module with two memories is refused by
  validation with one line naming the index (exit 126), in every engine;
- memory64: memory64.wat grows its 64-bit memory to 4 GiB (only the page written is
  touched) and stores and loads at its top; past --max-memory the grow returns -1; i64
  addresses out of bounds trap, whatever their upper bits;
- table64: table.grow on a 64-bit table returns the old size, -1 past its maximum (an
  i64), -1 for a delta of 2^32; call_indirect with an i64 index, 2^32 traps;
- wasi_memory64: a WASI preview 1 command whose memory 0 is 64-bit is refused with one line
  (exit 126).

A case listed in jit-skip.txt for the engine (`CASE@ENGINE REASON`) must be refused cleanly
instead: exit 126 and one "declared bailout" line naming the feature; it then reports
skipped (exit 77) with the reason. A listed case that runs is a failure (remove its line).

Usage: memories_test.py WSVM DIR ENGINE CASE
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
CASE = ""
EXIT_LOAD, EXIT_TRAP = 126, 134
FEATURES = ("multi-memory", "memory64")


def skip_reason(case):
    """The reason jit-skip.txt gives for CASE in this engine, or None."""
    return jit_skip.skip_reason(DIR, case, ENGINE)


def invoke(wat, name, *args, options=()):
    return run_command([WSVM, "--engine", ENGINE, *options, "--invoke", name,
                        os.path.join(DIR, wat), *[str(a) for a in args]])


def declined(r):
    """For a case the skip list names: checks the clean refusal, then raises Skipped."""
    reason = skip_reason(CASE)
    if reason is None:
        return False
    lines = r[2].strip().splitlines()
    expect(r[0] == EXIT_LOAD and len(lines) == 1 and "declared bailout" in lines[0] and
           any(f in lines[0] for f in FEATURES),
           f"listed in jit-skip.txt ({reason}): one line naming the feature (exit 126, "
           f"'declared bailout'); if it runs now, remove its line", r)
    raise Skipped(f"{reason} ({lines[0].strip()})")


def test_multi_memory():
    # run(at) = (sum of memory 1's 16 bytes at `at`) * 1000 + memory 1's pages.
    for at, pages in ((0, 1), (65530, 2), (3 * 65536 + 100, 4)):
        r = invoke("multi_memory.wat", "run", at)
        if declined(r):
            return
        expect(r[0] == 0 and r[1].strip() == str(1355 * 1000 + pages), f"run({at})", r)
    # Past memory 1's maximum (4 pages) the grow fails and memory.copy traps.
    r = invoke("multi_memory.wat", "run", 4 * 65536 - 8)
    expect(r[0] == EXIT_TRAP and "out of bounds memory access" in r[2], "run past max traps", r)
    r = invoke("multi_memory.wat", "past_b", 65536 - 3)
    expect(r[0] == EXIT_TRAP and "out of bounds memory access" in r[2],
           "a load across memory 1's end traps", r)


def test_bad_memory_index():
    r = invoke("bad_memory_index.wat", "f")
    lines = r[2].strip().splitlines()
    expect(r[0] == EXIT_LOAD and len(lines) == 1 and "unknown memory 5" in lines[0],
           "one line naming the unknown memory (exit 126)", r)


def test_memory64():
    gib4 = 1 << 32
    value = 0x1122334455667788
    # Grown to 65536 pages (4 GiB: --max-memory's default); only the written page is touched.
    r = invoke("memory64.wat", "poke", gib4 - 8, value)
    if declined(r):
        return
    expect(r[0] == 0 and r[1].strip() == str(value), "a store and load at 4 GiB - 8", r)
    # The declared maximum (65537 pages) allows more, the embedder's limit does not: -1.
    r = invoke("memory64.wat", "poke", gib4 + 16, 7)
    expect(r[0] == 0 and r[1].strip() == "-1", "memory.grow past --max-memory returns -1", r)
    for at in (65536 - 11, gib4, gib4 + 16, -4, 1 << 62):
        r = invoke("memory64.wat", "peek", at)
        expect(r[0] == EXIT_TRAP and "out of bounds memory access" in r[2],
               f"an i64 load at {at} traps", r)


def test_table64():
    for n, want in ((2, "1"), (10, "-1"), (1 << 32, "-1")):
        r = invoke("memory64.wat", "grow_table", n)
        if declined(r):
            return
        expect(r[0] == 0 and r[1].strip() == want, f"table.grow by {n} returns {want}", r)
    r = invoke("memory64.wat", "call", 0)
    expect(r[0] == 0 and r[1].strip() == "7", "call_indirect through a 64-bit table", r)
    for i in (1, 1 << 32):
        r = invoke("memory64.wat", "call", i)
        expect(r[0] == EXIT_TRAP and "undefined element" in r[2], f"call_indirect {i} traps", r)


def test_wasi_memory64():
    r = run_command([WSVM, "--engine", ENGINE, os.path.join(DIR, "wasi_memory64.wat")])
    lines = r[2].strip().splitlines()
    expect(r[0] == EXIT_LOAD and len(lines) == 1 and "64-bit" in lines[0] and
           "WASI" in lines[0], "one line: WASI preview 1 needs a 32-bit memory 0 (exit 126)", r)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    WSVM, DIR, ENGINE, CASE = sys.argv[1:5]
    try:
        sys.exit(run_case(globals(), CASE, f"{ENGINE} {CASE}"))
    except Skipped as e:
        print(f"skipped: {ENGINE} {CASE}: {e}")
        sys.exit(77)

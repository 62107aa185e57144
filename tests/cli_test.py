#!/usr/bin/env python3
"""Process tests of the `wsvm` command: exit codes, stdout and the one-line stderr contract.

Usage: cli_test.py WSVM EXAMPLES_DIR CASE   (CASE names are the functions below, minus test_)
Each meson test runs one case, so a failure names exactly what broke.
"""
import os
import sys
import tempfile

from proc_test import expect, run_case, run_command

WSVM = ""
EX = ""
TMP = ""

EXIT_OK, EXIT_USAGE, EXIT_LOAD, EXIT_TRAP = 0, 2, 126, 134


def run(*args, timeout=60):
    return run_command([WSVM, *args], timeout=timeout)


def expect_ok(args, stdout):
    r = run(*args)
    expect(r[0] == EXIT_OK, f"wsvm {' '.join(args)}: expected exit 0", r)
    expect(r[1] == stdout, f"wsvm {' '.join(args)}: expected stdout {stdout!r}", r)
    expect(r[2] == "", f"wsvm {' '.join(args)}: expected empty stderr", r)


def expect_error(args, code, prefix, contains=()):
    """Exit `code`, nothing on stdout, exactly one stderr line starting with `prefix`."""
    r = run(*args)
    what = f"wsvm {' '.join(args)}"
    expect(r[0] == code, f"{what}: expected exit {code}", r)
    expect(r[1] == "", f"{what}: expected empty stdout", r)
    lines = r[2].splitlines()
    expect(len(lines) == 1 and r[2].endswith("\n"), f"{what}: expected one stderr line", r)
    expect(lines[0].startswith(prefix), f"{what}: stderr should start with {prefix!r}", r)
    for c in contains:
        expect(c in lines[0], f"{what}: stderr should contain {c!r}", r)
    return lines[0]


def ex(name):
    return os.path.join(EX, name + ".wasm")


def tmpfile(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


HEADER = b"\0asm\1\0\0\0"


# --- running code ---------------------------------------------------------------------------

def test_fac():
    expect_ok(["--invoke", "fac", ex("fac"), "20"], "2432902008176640000\n")
    expect_ok(["--invoke", "fac_iter", ex("fac"), "20"], "2432902008176640000\n")
    expect_ok(["run", "--invoke", "fac_rec", ex("fac"), "0"], "1\n")
    expect_ok(["--invoke=fac", ex("fac"), "0x5"], "120\n")
    # 21! wraps modulo 2^64 and prints as a signed i64, like wasmtime.
    expect_ok(["--invoke", "fac_iter", ex("fac"), "21"], "-4249290049419214848\n")


def test_engines():
    expect_ok(["--engine", "interp", "--invoke", "fac", ex("fac"), "10"], "3628800\n")
    expect_ok(["--engine=auto", "--invoke", "fac", ex("fac"), "10"], "3628800\n")
    # jit where it is built (x86-64 + libasmjit), else a one-line usage error.
    r = run("--engine", "jit", "--invoke", "fac", ex("fac"), "10")
    if r[0] == EXIT_OK:
        expect(r[1] == "3628800\n" and r[2] == "", "--engine jit computes fac(10)", r)
    else:
        expect_error(["--engine", "jit", "--invoke", "fac", ex("fac"), "10"], EXIT_USAGE,
                     "wsvm: error: ", ["not built"])


def test_fib():
    expect_ok(["--invoke", "fib", ex("fib"), "50"], "12586269025\n")
    expect_ok(["--invoke", "fib", ex("fib"), "0"], "0\n")
    expect_ok(["--invoke", "fib_rec", ex("fib"), "20"], "6765\n")


def test_memory():
    expect_ok(["--invoke", "sum_squares", ex("memory"), "1000"], "332833500\n")
    expect_ok(["--invoke", "size", ex("memory")], "1\n")
    expect_ok(["--invoke", "grow", ex("memory"), "3"], "1\n")
    expect_ok(["--invoke", "grow", ex("memory"), "4"], "-1\n")  # past the declared max of 4
    expect_ok(["--invoke", "load", ex("memory"), "65532"], "0\n")


def test_floats_and_multi_value():
    expect_ok(["--invoke", "div", ex("floats"), "5", "2"], "2.5\n")
    expect_ok(["--invoke", "div", ex("floats"), "1", "0"], "inf\n")
    expect_ok(["--invoke", "div", ex("floats"), "-1", "0"], "-inf\n")
    expect_ok(["--invoke", "div", ex("floats"), "0x1p-1", "1"], "0.5\n")
    expect_ok(["--invoke", "sqrt32", ex("floats"), "2"], "1.4142135\n")
    r = run("--invoke", "div", ex("floats"), "0", "0")
    expect(r[0] == 0 and r[1] in ("nan\n", "-nan\n"), "0/0 prints a NaN", r)
    expect_ok(["--invoke", "pair", ex("floats"), "-1", "4294967296"], "4294967296\n-1\n")


def test_start():
    expect_ok([ex("start")], "")
    expect_ok(["run", ex("start"), "arg1", "--arg2"], "")
    expect_ok([ex("fac")], "")  # no _start: instantiating is the whole run


def test_validate():
    expect_ok(["validate", ex("fac")], "")
    expect_error(["validate", tmpfile("garbage.wasm", b"not wasm at all")], EXIT_LOAD,
                 "wsvm: error: ", ["malformed"])


# --- traps ----------------------------------------------------------------------------------

def test_trap():
    r = run("--invoke", "run", ex("trap"))
    expect(r[0] == EXIT_TRAP, "a trap exits 134", r)
    expect(r[1] == "", "a trap prints no result", r)
    lines = r[2].splitlines()
    expect(lines and lines[0] == "wsvm: trap: integer divide by zero", "trap message", r)
    expect(all(l.startswith("  at ") for l in lines[1:]), "backtrace lines are '  at NAME'", r)
    r = run("--invoke", "unreachable", ex("trap"))
    expect(r[0] == EXIT_TRAP and r[2].startswith("wsvm: trap: unreachable\n"), "unreachable", r)
    r = run("--invoke", "load", ex("memory"), "65533")
    expect(r[0] == EXIT_TRAP and r[2].startswith("wsvm: trap: out of bounds memory access\n"),
           "out-of-bounds load", r)
    r = run("--invoke", "load", ex("memory"), "-1")
    expect(r[0] == EXIT_TRAP and r[2].startswith("wsvm: trap: out of bounds memory access\n"),
           "out-of-bounds load at 4 GiB - 1", r)


def built_engines():
    """The engines this wsvm has (the JIT only where it is built)."""
    return [e for e in ("interp", "jit") if run("--engine", e, "validate", ex("fac"))[0] == EXIT_OK]


def test_trap_backtrace():
    for engine in built_engines():
        r = run("--engine", engine, "--invoke", "run", ex("trap"))
        expect(r[2] == "wsvm: trap: integer divide by zero\n  at divide\n  at run\n",
               f"{engine}: backtrace names the wasm functions, innermost first", r)


def test_stack_exhaustion():
    for engine in built_engines():
        r = run("--engine", engine, "--invoke", "recurse", ex("trap"), "1")
        expect(r[0] == EXIT_TRAP, f"{engine}: unbounded recursion traps (exit 134), it does not crash", r)
        lines = r[2].splitlines()
        expect(r[2].startswith("wsvm: trap: call stack exhausted\n"), "call stack exhausted", r)
        # Tens of thousands of frames of one function print as one line with their count.
        expect(len(lines) == 2 and lines[1].startswith("  at deep \u00d7"),
               f"{engine}: the recursion is one line `at deep \u00d7N`", (r[0], r[1], r[2][:300]))
        expect(int(lines[1].split("\u00d7")[1]) > 1000, f"{engine}: N counts the frames", lines)


def test_hostile_names():
    # An export named "\x1b[2J" (clear screen) that traps: the name reaches stderr escaped.
    name = b"\x1b[2Jx"
    data = (HEADER + bytes([0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00])
            + bytes([0x07, 4 + len(name), 0x01, len(name)]) + name + bytes([0x00, 0x00])
            + bytes([0x0A, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0B]))
    path = tmpfile("hostile_name.wasm", data)
    for engine in built_engines():
        r = run("--engine", engine, "--invoke", name.decode(), path)
        expect(r[0] == EXIT_TRAP and "\x1b" not in r[2] and "at \\x1b[2Jx" in r[2],
               f"{engine}: the trapping export's name is printed escaped", r)
    # An unknown export named with a newline stays on one line, escaped.
    expect_error(["--invoke", "a\nb", path], EXIT_USAGE, "wsvm: error: ", ["a\\x0ab"])


# --- load errors: exit 126, one line ----------------------------------------------------------

def test_malformed_files():
    with open(ex("fac"), "rb") as f:
        fac = f.read()
    cases = {
        "garbage.wasm": b"\x13\x37 this is not a module \xff\xfe",
        "truncated.wasm": fac[:20],
        "empty.wasm": b"",
        "header_only_bad_version.wasm": b"\0asm\2\0\0\0",
        "cut_header.wasm": b"\0as",
    }
    for name, data in cases.items():
        path = tmpfile(name, data)
        expect_error([path], EXIT_LOAD, f"wsvm: error: {path}: malformed")
        expect_error(["--invoke", "fac", path, "1"], EXIT_LOAD, f"wsvm: error: {path}: malformed")
        expect_error(["validate", path], EXIT_LOAD, f"wsvm: error: {path}: malformed")
    line = expect_error([tmpfile("t2.wasm", fac[:20])], EXIT_LOAD, "wsvm: error: ")
    expect(" at byte 0x" in line, "a decode error names its byte offset: " + line)


def test_io_errors():
    missing = os.path.join(TMP, "does-not-exist.wasm")
    expect_error([missing], EXIT_LOAD, f"wsvm: error: {missing}: ", ["No such file"])
    expect_error([TMP], EXIT_LOAD, f"wsvm: error: {TMP}: ", ["directory"])
    expect_error(["validate", TMP], EXIT_LOAD, f"wsvm: error: {TMP}: ", ["directory"])


def test_invalid_module():
    # (func (result i32) i64.const 0): type mismatch
    body = bytes([0x00, 0x42, 0x00, 0x0B])
    data = (HEADER + bytes([0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F])
            + bytes([0x03, 0x02, 0x01, 0x00])
            + bytes([0x0A, 2 + len(body), 0x01, len(body)]) + body)
    path = tmpfile("invalid.wasm", data)
    expect_error([path], EXIT_LOAD, f"wsvm: error: {path}: invalid", ["type mismatch"])
    expect_error(["validate", path], EXIT_LOAD, f"wsvm: error: {path}: invalid")


def test_unsupported_features():
    # An empty component (version 0x0d, layer 1) is valid but has nothing to run; a truncated
    # one is malformed, in every command. A module using GC names what it is.
    component = tmpfile("app.component.wasm", b"\0asm\x0d\0\x01\0")
    expect_ok(["validate", component], "")
    expect_error([component], EXIT_LOAD, f"wsvm: error: {component}: invalid", ["wasi:cli/run"])
    truncated = tmpfile("cut.component.wasm", b"\0asm\x0d\0\x01\0\x01\x05\x00")
    for args in ([truncated], ["validate", truncated], ["--invoke", "f", truncated]):
        expect_error(args, EXIT_LOAD, f"wsvm: error: {truncated}: malformed")
    tags = tmpfile("tags.wasm", HEADER + bytes([0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
                                                0x0D, 0x03, 0x01, 0x00, 0x00]))
    expect_ok(["validate", tags], "")  # exception handling is in (Wasm 3.0, issue 22)
    tail = tmpfile("tail.wasm", HEADER + bytes([0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
                                                0x03, 0x02, 0x01, 0x00,
                                                0x0A, 0x06, 0x01, 0x04, 0x00, 0x12, 0x00, 0x0B]))
    expect_ok(["validate", tail], "")  # tail calls are in (Wasm 3.0, issue 22)
    two = tmpfile("two-memories.wasm", HEADER + bytes([0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01]))
    expect_ok(["validate", two], "")  # multi-memory is in (Wasm 3.0, issue 22)
    # A GC reference type (anyref, 0x6e) in a function type (GC, not implemented yet): one
    # line that says so.
    gc = tmpfile("gc-type.wasm", HEADER + bytes([0x01, 0x05, 0x01, 0x60, 0x01, 0x6E, 0x00]))
    expect_error([gc], EXIT_LOAD, f"wsvm: error: {gc}: malformed", ["garbage collection"])


def test_unlinkable_import():
    # (import "env" "f" (func))
    data = (HEADER + bytes([0x01, 0x04, 0x01, 0x60, 0x00, 0x00])
            + bytes([0x02, 0x09, 0x01, 0x03]) + b"env" + bytes([0x01]) + b"f" + bytes([0x00, 0x00]))
    path = tmpfile("imports.wasm", data)
    expect_error([path], EXIT_LOAD, f"wsvm: error: {path}: unlinkable", ['"env"', '"f"'])
    expect_ok(["validate", path], "")  # valid, only not linkable


def test_text_format():
    # Text modules run like binary ones (text/ converts them): the examples' sources.
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")
    expect_ok(["--invoke", "fac", os.path.join(src, "fac.wat"), "20"], "2432902008176640000\n")
    expect_ok(["validate", os.path.join(src, "fac.wat")], "")
    # The text's $names reach the backtrace.
    r = run("--invoke", "run", os.path.join(src, "trap.wat"))
    expect(r[0] == EXIT_TRAP and r[2] == "wsvm: trap: integer divide by zero\n  at divide\n  at run\n",
           "backtrace of a text module", r)
    # Text without the .wat name is recognised by its first character.
    expect_ok(["--invoke", "f", tmpfile("m.txt", b";; c\n(module (func (export \"f\") (result i32) i32.const 7))")],
              "7\n")
    # Malformed text: one line with the position and the spec's words; invalid text: the validator.
    path = tmpfile("bad.wat", b"(module\n  (func (i32.const 1x)))")
    expect_error([path], EXIT_LOAD, f"wsvm: error: {path}:2:20: malformed: unknown operator")
    path = tmpfile("invalid.wat", b"(module (func (result i32)))")
    expect_error([path], EXIT_LOAD, f"wsvm: error: {path}: invalid", ["type mismatch"])
    expect_error(["validate", path], EXIT_LOAD, f"wsvm: error: {path}: invalid", ["type mismatch"])


# --- usage --------------------------------------------------------------------------------------

def test_help_and_version():
    for args in (["--help"], ["-h"], ["help"], ["run", "--help"]):
        r = run(*args)
        expect(r[0] == EXIT_OK and "Usage" in r[1] and r[2] == "", f"{args} prints help", r)
        for needle in ("--invoke", "--engine", "validate", "Exit status", "  134  trap"):
            expect(needle in r[1], f"help mentions {needle!r}", r)
    r = run("--version")
    expect(r[0] == EXIT_OK and r[1].startswith("wsvm ") and r[2] == "", "--version", r)


def test_bad_arguments():
    expect_error([], EXIT_USAGE, "wsvm: error: ")
    expect_error(["--frobnicate", ex("fac")], EXIT_USAGE, "wsvm: error: ", ["--frobnicate"])
    expect_error(["--engine", "warp", ex("fac")], EXIT_USAGE, "wsvm: error: ", ["warp"])
    expect_error(["--invoke"], EXIT_USAGE, "wsvm: error: ")
    expect_error(["--invoke", "fac"], EXIT_USAGE, "wsvm: error: ")
    expect_error(["validate"], EXIT_USAGE, "wsvm: error: ")
    expect_error(["--invoke", "fac", ex("fac")], EXIT_USAGE, "wsvm: error: ", ["expects 1"])
    expect_error(["--invoke", "fac", ex("fac"), "1", "2"], EXIT_USAGE, "wsvm: error: ")
    expect_error(["--invoke", "fac", ex("fac"), "twenty"], EXIT_USAGE, "wsvm: error: ",
                 ["twenty", "i64"])
    expect_error(["--invoke", "fib", ex("fib"), "4294967296"], EXIT_USAGE, "wsvm: error: ")
    expect_error(["--invoke", "nope", ex("fac")], EXIT_USAGE, "wsvm: error: ", ['"nope"'])
    expect_error(["--invoke", "memory", ex("memory")], EXIT_USAGE, "wsvm: error: ",
                 ["not a function"])


def test_companion_wrapper():
    """`wsvm serve` execs wsvm-net; $WSVM_EXE_WRAPPER (an emulator) is put in front of it."""
    marker = os.path.join(TMP, "wrapped-argv")
    wrapper = tmpfile("wrapper.sh", f'#!/bin/sh\necho "$@" > {marker}\nexit 7\n'.encode())
    os.chmod(wrapper, 0o755)
    env_before = os.environ.get("WSVM_EXE_WRAPPER")
    try:
        os.environ["WSVM_EXE_WRAPPER"] = wrapper
        r = run("serve", "--help")
        expect(r[0] == 7, "the wrapper ran in place of wsvm-net (its exit status)", r)
        with open(marker) as f:
            argv = f.read().split()
        expect(len(argv) == 3 and argv[0].endswith("/wsvm-net") and argv[1:] == ["serve", "--help"],
               f"the wrapper got the companion's path and the command: {argv}", r)
        os.environ["WSVM_EXE_WRAPPER"] = os.path.join(TMP, "no-such-emulator")
        expect_error(["serve", "--help"], EXIT_USAGE, "wsvm: error: ", ["no-such-emulator", "WSVM_EXE_WRAPPER"])
    finally:
        if env_before is None:
            os.environ.pop("WSVM_EXE_WRAPPER", None)
        else:
            os.environ["WSVM_EXE_WRAPPER"] = env_before


def main():
    global WSVM, EX, TMP
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    WSVM, EX, case = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="wsvm-cli-test-") as d:
        TMP = d
        return run_case(globals(), case, case)


if __name__ == "__main__":
    sys.exit(main())

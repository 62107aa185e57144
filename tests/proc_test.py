"""What the process tests of the `wsvm` command share (tests/cli_test.py,
tests/limits/limits_test.py): running the command, failing with the evidence, and the
one-case-per-invocation main that meson calls."""
import os
import subprocess
import sys
import time


class Failure(Exception):
    pass


def under_emulator():
    """Whether the wsvm under test runs under qemu-user (scripts/test-aarch64.sh): the meson
    tests that set exe_wrapper_env (top meson.build) see WSVM_EXE_WRAPPER. A test uses it only
    to scale a time or a load that emulation (~50x slower, serialised memory-map changes)
    distorts, never to change what it checks."""
    return bool(os.environ.get("WSVM_EXE_WRAPPER"))


def run_command(cmd, timeout=60, stdin=subprocess.DEVNULL):
    """(exit status, stdout, stderr, wall seconds) of cmd; Failure if it outlives timeout."""
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=stdin)
    except subprocess.TimeoutExpired:
        raise Failure(f"{' '.join(cmd)}: did not end within {timeout} s")
    return p.returncode, p.stdout, p.stderr, time.monotonic() - start


def expect(cond, what, result=None):
    """Failure(what) unless cond, with the run's status, output and wall time attached."""
    if not cond:
        detail = ""
        if result is not None:
            detail = (f"\n  exit {result[0]}\n  stdout: {result[1]!r}\n  stderr: {result[2]!r}"
                      f"\n  wall {result[3]:.3f} s")
        raise Failure(what + detail)


def run_case(module_globals, case, label):
    """Runs the function test_CASE of the calling script; prints `ok LABEL` or `FAIL LABEL:
    why` and returns the exit status for meson (2 for an unknown case)."""
    fn = module_globals.get("test_" + case)
    if fn is None:
        print(f"unknown case {case}", file=sys.stderr)
        return 2
    try:
        fn()
    except Failure as e:
        print(f"FAIL {label}: {e}", file=sys.stderr)
        return 1
    print(f"ok {label}")
    return 0

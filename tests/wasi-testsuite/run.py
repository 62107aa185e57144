#!/usr/bin/env python3
"""Runs the official WASI testsuite (WebAssembly/wasi-testsuite, branch prod/testsuite-base)
under one engine of wsvm, as its doc/specification.md describes: each X.wasm with an optional
X.json beside it (args, env, a root or dirs to preopen, expected exit code and stdout; legacy
keys or operations).

Usage: run.py WSVM ENGINE [--walk] [--wasip3 [--expected FILE]] [--suite DIR] [--only NAME ...]
              [--verbose]
(--walk: wsvm resolves paths with its component walk instead of openat2.)

Without --wasip3: the 72 preview 1 programs (run/read/wait: each runs to completion).
With --wasip3: the 55 WASI 0.3 components, whose operations talk to the running process
(interactive.py: stdin writes, sockets, HTTP requests to `wsvm serve`, test HTTP servers,
signals). Tests listed in wasip3_expected_failures.txt (each with its reason) must fail: one that
passes is reported so the list shrinks; a listed test is counted as an expected failure.

The suite is found at $WSVM_WASI_TESTSUITE, else at ../shared/wasi-testsuite beside the
repository. When it is absent this prints where to put it and exits 77 (meson: skipped).
Directories a test writes into are copied to a temporary folder first (the suite is never
modified); *.cleanup files (artifacts of earlier runs) are left out of the copy.
Prints one line per test and a total; exits 1 if any test failed unexpectedly.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from fnmatch import fnmatch

from interactive import run_interactive

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# scripts/suite_path.sh is the one place that knows where the external suites live.
SUITE_PATH = os.path.join(REPO, "scripts", "suite_path.sh")
# The preview 1 test folders of the suite (C, AssemblyScript, Rust).
FOLDERS = ["tests/c/testsuite/wasm32-wasip1",
           "tests/assemblyscript/testsuite/wasm32-wasip1",
           "tests/rust/testsuite/wasm32-wasip1"]
P3_FOLDERS = ["tests/rust/testsuite/wasm32-wasip3"]
P3_EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wasip3_expected_failures.txt")
TIMEOUT = 60


def find_suite(explicit, folders):
    if explicit:
        path, why = explicit, f"no suite at {explicit}"
    else:
        found = subprocess.run([SUITE_PATH, "wasi"], capture_output=True, text=True)
        path, why = found.stdout.strip(), found.stderr.strip()
    if path and all(os.path.isdir(os.path.join(path, f)) for f in folders):
        return path
    if path:
        why = f"no {' or '.join(folders)} under {path}"
    print(f"wasi-testsuite: skipped: {why} (a checkout of "
          "https://github.com/WebAssembly/wasi-testsuite, branch prod/testsuite-base)")
    sys.exit(77)


def operations(spec):
    """The test's operations. A legacy spec becomes run, a read of each stream it gives an
    expected text for (output it does not mention is not checked: several tests print
    diagnostics), and wait."""
    if "operations" in spec:
        return spec["operations"]
    ops = [{"type": "run", "args": spec.get("args", []), "env": spec.get("env", {}),
            "root": spec.get("root"), "dirs": spec.get("dirs", [])}]
    for stream in ("stdout", "stderr"):
        if stream in spec:
            ops.append({"type": "read", "id": stream, "payload": spec[stream]})
    ops.append({"type": "wait", "exit_code": spec.get("exit_code", 0)})
    return ops


def copy_tree(src, dst):
    """A writable copy of src (the suite's files may be read-only), symlinks kept as links,
    without *.cleanup artifacts."""
    os.makedirs(dst)
    for name in os.listdir(src):
        if name.endswith(".cleanup"):
            continue
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
        elif os.path.isdir(s):
            copy_tree(s, d)
        else:
            shutil.copyfile(s, d)


def expected_failures(path):
    """[(pattern, reason)] from a list file: `PATTERN  reason...` per line, # comments."""
    entries = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                pattern, _, reason = line.partition(" ")
                entries.append((pattern, reason.strip()))
    return entries


def run_test(wsvm, engine, wasm, spec, verbose, env, interactive):
    """Returns None when the test passed, else the reason it failed."""
    ops = operations(spec)
    if interactive:
        with tempfile.TemporaryDirectory(prefix="wsvm-wasi-testsuite-") as tmp:
            root = None
            run = next((op for op in ops if op["type"] == "run"), {})
            if run.get("root"):
                root = os.path.join(tmp, "root")
                copy_tree(os.path.join(os.path.dirname(wasm), run["root"]), root)
            return run_interactive(wsvm, engine, wasm, spec, ops, tmp, root, env, verbose)
    bad = [op["type"] for op in ops if op["type"] not in ("run", "read", "wait")]
    if bad:
        return f"unsupported operations {bad} (preview 1 tests need run/read/wait only)"
    test_dir = os.path.dirname(wasm)
    with tempfile.TemporaryDirectory(prefix="wsvm-wasi-testsuite-") as tmp:
        result = None
        for op in ops:
            kind = op["type"]
            if kind == "run":
                cmd = [wsvm, "--engine", engine]
                for key, value in op.get("env", {}).items():
                    cmd += ["--env", f"{key}={value}"]
                # Older specs name dirs to preopen under their own name; newer ones a root.
                for d in op.get("dirs", []):
                    copy_tree(os.path.join(test_dir, d), os.path.join(tmp, d))
                    cmd += ["--dir", f"{os.path.join(tmp, d)}::{d}"]
                if op.get("root"):
                    root = os.path.join(tmp, "root")
                    copy_tree(os.path.join(test_dir, op["root"]), root)
                    cmd += ["--dir", f"{root}::/"]
                cmd += [wasm, *op.get("args", [])]
                try:
                    p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, cwd=tmp,
                                       env=env)
                    result = (p.returncode, p.stdout.decode(errors="replace"),
                              p.stderr.decode(errors="replace"))
                except subprocess.TimeoutExpired:
                    return f"timed out after {TIMEOUT} s"
                if verbose:
                    print("  $ " + " ".join(cmd))
                    print("  status", result[0], "stdout", repr(result[1]), "stderr", repr(result[2]))
            elif result is None:
                return f"'{kind}' before 'run'"
            elif kind == "read":
                stream = op.get("id", "stdout")
                got = result[1] if stream == "stdout" else result[2]
                want = op.get("payload", "")
                if got != want:
                    return f"{stream} {got!r}, expected {want!r}; stderr: {result[2].strip()[:300]}"
            elif kind == "wait":
                want = op.get("exit_code", 0)
                if result[0] != want:
                    return (f"exit status {result[0]}, expected {want}; "
                            f"stderr: {result[2].strip()[:300]}")
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wsvm")
    ap.add_argument("engine")
    ap.add_argument("--walk", action="store_true")
    ap.add_argument("--wasip3", action="store_true")
    ap.add_argument("--expected", default=P3_EXPECTED, help="expected failures (with --wasip3)")
    ap.add_argument("--suite")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    folders = P3_FOLDERS if args.wasip3 else FOLDERS
    suite = find_suite(args.suite, folders)
    expected = expected_failures(args.expected) if args.wasip3 else []
    wsvm = os.path.abspath(args.wsvm)  # each test runs in its own temporary directory
    env = dict(os.environ)
    env.pop("WSVM_WASI_NO_OPENAT2", None)
    if args.walk:
        env["WSVM_WASI_NO_OPENAT2"] = "1"  # the CLI's switch to the resolver's component walk
    label = args.engine + (", walk" if args.walk else "") + (", wasip3" if args.wasip3 else "")
    passed, failed, xfailed = 0, [], 0
    for folder in folders:
        lang = folder.split("/")[1]
        directory = os.path.join(suite, folder)
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".wasm"):
                continue
            test = f"{lang}/{name[:-5]}"
            if args.only and not any(o in test for o in args.only):
                continue
            wasm = os.path.join(directory, name)
            spec_path = wasm[:-5] + ".json"
            spec = {}
            if os.path.exists(spec_path):
                with open(spec_path) as f:
                    spec = json.load(f)
            reason = run_test(wsvm, args.engine, wasm, spec, args.verbose, env, args.wasip3)
            why_expected = next((r for p, r in expected if fnmatch(name[:-5], p)), None)
            if reason is None and why_expected is None:
                passed += 1
                print(f"PASS {test}")
            elif reason is None:
                failed.append(test)
                print(f"FAIL {test}: passes, but {os.path.basename(args.expected)} lists it ({why_expected})")
            elif why_expected is not None:
                xfailed += 1
                print(f"XFAIL {test}: {reason} [expected: {why_expected}]")
            else:
                failed.append(test)
                print(f"FAIL {test}: {reason}")
    print(f"wasi-testsuite [{label}]: {passed} passed, {len(failed)} failed"
          + (f", {xfailed} expected failures" if args.wasip3 else ""))
    sys.exit(1 if failed or passed + xfailed == 0 else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Components under `wsvm`: --invoke with WAVE values, the limits on a component's core
instances, and bad components (one clear error line, a clean exit, never a crash).
Usage: run_component_test.py WSVM BUILD_DIR CASE ENGINE HELLO_COMPONENT"""
import json
import os
import subprocess
import sys
import tempfile

WSVM, BUILD, CASE, ENGINE, HELLO = sys.argv[1:6]


def comp(name):
    return HELLO if name == "hello" else os.path.join(BUILD, name + ".wasm")


def run(args, stdin=b""):
    # `validate` and `inspect` take no engine: they run nothing
    cmd = [WSVM, *args] if args[0] in ("validate", "inspect") else [WSVM, "--engine", ENGINE, *args]
    p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def expect(args, status, stdout=None, stderr_prefix=None, contains=()):
    rc, out, err = run(args)
    problems = []
    if rc != status:
        problems.append(f"status {rc}, want {status}")
    if stdout is not None and out != stdout:
        problems.append(f"stdout {out!r}, want {stdout!r}")
    if stderr_prefix is not None:
        lines = err.splitlines()
        if not err.startswith(stderr_prefix):
            problems.append(f"stderr should start with {stderr_prefix!r}")
        if stderr_prefix.startswith("wsvm: error:") and len(lines) != 1:
            problems.append("an error must be one line")
    for c in contains:
        if c not in err:
            problems.append(f"stderr lacks {c!r}")
    if problems:
        print(f"FAIL wsvm {' '.join(args)}: " + "; ".join(problems) + f"\n  stdout {out!r}\n  stderr {err!r}")
        sys.exit(1)
    print(f"ok: wsvm {' '.join(args)} -> {rc}")


def case_invoke():
    c = comp("invoke")
    expect(["--invoke", "add(1, 2)", c], 0, "3\n")
    expect(["--invoke", "add", c, "3", "4"], 0, "7\n")  # values after the component
    expect(["--invoke", 'greet("wsvm \\u{1f600}\\n")', c], 0, '"hi wsvm \U0001f600\\n"\n')
    expect(["--invoke", "swap({x: 1, y: -2})", c], 0, "{x: -2, y: 1}\n")
    expect(["--invoke", "swap({y: 5, x: 6,})", c], 0, "{x: 5, y: 6}\n")
    expect(["--invoke", "half(10)", c], 0, "some(5)\n")
    expect(["--invoke", "half(7)", c], 0, "none\n")
    # usage errors: one line, status 2
    expect(["--invoke", "add(1)", c], 2, "", "wsvm: error:", ["expects 2 arguments"])
    expect(["--invoke", "add(1, x)", c], 2, "", "wsvm: error:", ["argument 2", "expected a u32"])
    expect(["--invoke", "add(1, 4294967296)", c], 2, "", "wsvm: error:", ["expected a u32"])
    expect(["--invoke", "swap({x: 1})", c], 2, "", "wsvm: error:", ["field 'y' missing"])
    expect(["--invoke", "swap({x: 1, y: 2, z: 3})", c], 2, "", "wsvm: error:", ["no field 'z'"])
    expect(["--invoke", 'greet("open)', c], 2, "", "wsvm: error:")
    expect(["--invoke", "greet(" + "[" * 5000 + ")", c], 2, "", "wsvm: error:")
    expect(["--invoke", "nope()", c], 2, "", "wsvm: error:", ['no function "nope"'])
    expect(["--invoke", "add(1, 2)", c, "3"], 2, "", "wsvm: error:")
    # a component without wasi:cli/run has nothing to run by default
    expect([c], 126, "", "wsvm: error:", ["wasi:cli/run"])


def case_limits():
    c = comp("invoke")
    expect(["--fuel", "1000", "--invoke", "spin(100000000)", c], 125, "", "wsvm: out of fuel")
    expect(["--timeout", "200ms", "--invoke", "spin(4000000000)", c], 124, "", "wsvm: timeout:")
    expect(["--max-memory", "1MiB", "--invoke", "grow(100)", c], 0, "-1\n")
    expect(["--invoke", "grow(100)", c], 0, "1\n")
    expect(["--max-stack", "64KiB", "--invoke", "deep(100000)", c], 134, "", "wsvm: trap: call stack exhausted")
    expect(["--invoke", "deep(100)", c], 0, "100\n")
    # the limits apply to a WASI command component's core instances too
    expect(["--fuel", "100", comp("hello")], 125, "", "wsvm: out of fuel")
    expect(["--max-memory", "64KiB", comp("hello")], 126, "", "wsvm: error:", ["memory limit"])


def case_async():
    # Async calls of the WASI 0.3 host (p3_waits.wat): resolved by the event loop, cancelled,
    # outlived by --timeout, and the guest's own mistakes: one line, a clean exit.
    c = comp("p3_waits")
    expect(["--invoke", "short-wait()", c], 0, "2\n")
    expect(["--invoke", "cancel-wait()", c], 0, "4\n")
    expect(["--timeout", "300ms", "--invoke", "sleep-forever()", c], 124, "", "wsvm: timeout:")
    expect(["--invoke", "deadlock()", c], 134, "", "wsvm: trap: deadlock detected")
    expect(["--invoke", "bad-handle()", c], 134, "", "wsvm: trap: unknown handle index 99")


def case_sockets():
    # wasi:sockets@0.3.0 and bad requests (p3_sockets.wat): denied without the grant, a
    # wrong family, a multicast or a non-local address are error-code values; an address
    # family out of range traps in the lift (one line), before the host sees it.
    c = comp("p3_sockets")
    for f in ("bind-loopback", "bind-wrong-family", "bind-multicast", "bind-not-local"):
        expect(["--invoke", f + "()", c], 0, "0\n")  # access-denied
    net = ["--inherit-network", "--invoke"]
    expect(net + ["bind-loopback()", c], 0, "100\n")
    expect(net + ["bind-wrong-family()", c], 0, "2\n")  # invalid-argument
    expect(net + ["bind-multicast()", c], 0, "2\n")
    expect(net + ["bind-not-local()", c], 0, "6\n")  # address-not-bindable
    expect(net + ["bad-family()", c], 134, "", "wsvm: trap: invalid variant discriminant")


def case_inspect():
    # `wsvm inspect` prints a component's world as WIT: what `jco wit` prints for the same
    # binary (jco wit cannot print invoke's exported record type; WIT's typedef is shown).
    rc, out, err = run(["inspect", comp("invoke")])
    world = ("world root {\n"
             "    record point { x: s32, y: s32 }\n"
             "    export add: func(a: u32, b: u32) -> u32;\n"
             "    export greet: func(name: string) -> string;\n"
             "    export swap: func(p: point) -> point;\n"
             "    export half: func(x: u32) -> option<u32>;\n")
    if rc != 0 or world not in out or "  func add: func(a: u32, b: u32) -> u32\n" not in out:
        print(f"FAIL inspect invoke: status {rc}\n{out}{err}")
        sys.exit(1)
    jco = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "npm", "node_modules", ".bin", "jco")
    for name in ("hello", "missing_import"):
        rc, out, err = run(["inspect", "--json", comp(name)])
        ours = json.loads(out)["wit"] if rc == 0 else f"status {rc}: {err}"
        theirs = subprocess.run([jco, "wit", comp(name)], capture_output=True, text=True, timeout=120).stdout
        if ours.rstrip("\n") != theirs.rstrip("\n"):
            print(f"FAIL inspect {name}: wsvm's WIT differs from jco wit's\n--- wsvm\n{ours}--- jco\n{theirs}")
            sys.exit(1)
        print(f"ok: wsvm inspect --json {name}: the same WIT as jco wit ({ours.count(chr(10))} lines)")


def case_bad():
    expect([comp("missing_import")], 126, "", "wsvm: error:", ["wasi:nope/thing@0.2.0", "not defined by the host"])
    expect(["validate", comp("missing_import")], 0, "")  # valid, only not linkable
    expect([comp("mistyped_import")], 134, "", "wsvm: trap:", ["does not have type u32"])
    with open(comp("hello"), "rb") as f:
        good = f.read()
    with tempfile.TemporaryDirectory(prefix="wsvm-component-") as tmp:
        path = os.path.join(tmp, "bad.component.wasm")
        # truncations at many points, then a garbage tail: one error line each, no crash
        cuts = sorted(set([9, 10, 12, 16, 64, 200, 1000, len(good) // 3, len(good) // 2, len(good) - 1]))
        for cut in cuts:
            with open(path, "wb") as f:
                f.write(good[:cut])
            for cmd in ([path], ["validate", path]):
                expect(cmd, 126, "", "wsvm: error:", ["malformed"])
        with open(path, "wb") as f:
            f.write(good[:8] + bytes([0x01, 0xff, 0xff, 0xff, 0xff, 0x0f]) + b"\x00" * 32)
        expect([path], 126, "", "wsvm: error:", ["malformed"])


def case_js():
    # componentize-js (SpiderMonkey) components print what `jco run` prints for them (jco
    # run hands the guest its whole environment; wsvm only what --env grants).
    expect([comp("js_hello")], 0, "Hello from JavaScript!\n")
    expect([comp("js_hello"), "extra", "args"], 0, "Hello from JavaScript!\n")
    with tempfile.TemporaryDirectory(prefix="wsvm-js-") as tmp:
        with open(os.path.join(tmp, "data.txt"), "w") as f:
            f.write("from the host\n")
        expect(["--dir", tmp + "::data", "--env", "A=1", "--env", "B=two", comp("js_wasi"), "x", "y"], 0,
               "args 2, env A=1 B=two\nclocks true true\nrandom 16\nfile data/data.txt: from the host\n")


def case_qjs():
    # componentize-qjs (QuickJS, --sync) components: the QuickJS interpreter compiled to wasm
    # (extended constant expressions in its globals), running real JavaScript.
    expect([comp("qjs_hello")], 0, "Hello from QuickJS!\n")
    expect([comp("qjs_compute")], 0,
           "primes 9592 last 99991\n"
           "fib(200) 280571172992510140037611932413038677189525\n"
           'json ["grace","alan","ada"]\n'
           "words the:3 unique 9\n"
           "regex 07.12.2026, 31.01.1999\n"
           "exception TypeError\n"
           "closures 11,12,13\n"
           "string 10000 abcdenop\n"
           "math 1414214 0.30000000000000004 9007199254740992\n")  # what node prints for the same code
    with tempfile.TemporaryDirectory(prefix="wsvm-qjs-") as tmp:
        with open(os.path.join(tmp, "data.txt"), "w") as f:
            f.write("from the host\n")
        args = ["--dir", tmp + "::data", "--env", "A=1", "--env", "B=two", comp("qjs_wasi"), "x", "y"]
        rc, out, err = run(args)
        want = ("args x,y\nenv A=1 B=two\nclocks true true\nrandom 32 true\n"
                "read data/data.txt: from the host\nwrote data/out.txt\n")
        written = None
        if os.path.exists(os.path.join(tmp, "out.txt")):
            with open(os.path.join(tmp, "out.txt")) as f:
                written = f.read()
        if (rc, out, err, written) != (0, want, "to stderr\n", "written by QuickJS\n"):
            print(f"FAIL qjs_wasi: status {rc}, stdout {out!r}, stderr {err!r}, out.txt {written!r}")
            sys.exit(1)
        print(f"ok: wsvm {' '.join(args)} -> 0 (stdout, stderr and out.txt as written)")
        # wasi:cli/exit with err: status 1, after the output before it
        expect(args[:-2] + ["fail"], 1, want.replace("args x,y", "args fail"))


globals()["case_" + CASE]()
print("PASS", CASE)

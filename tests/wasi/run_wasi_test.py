#!/usr/bin/env python3
"""Runs one WASI test program under wsvm in a fresh temporary directory and checks its exit
status and output. Usage: run_wasi_test.py WSVM BUILD_DIR CASE [ENGINE [component]]

With `component`, each program runs as its WASI 0.2 command component (NAME.component.wasm,
made by `jco new --wasi-command`) with the same expected output; an expected exit status
the program chose (not one of wsvm's own: 0, 2, 124, 125, 126, 134) becomes 1, since
wasi:cli/exit carries only ok or err. Cases that cannot apply to a component are listed in
component_skip.txt with the reason, and exit 77 (skipped) saying so."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BUILD, CASE = sys.argv[2], sys.argv[3]
# The command and, when given, the engine: every case runs the same way under each engine.
WSVM = [sys.argv[1]] + (["--engine", sys.argv[4]] if len(sys.argv) > 4 else [])
COMPONENT = len(sys.argv) > 5 and sys.argv[5] == "component"
WSVM_STATUSES = (0, 2, 124, 125, 126, 134)


def component_skip_reason(case):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "component_skip.txt")
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(":")
                if name.strip() == case:
                    return reason.strip()
    return None


def wasm(name):
    return os.path.join(BUILD, name + (".component.wasm" if COMPONENT else ".wasm"))


def status_as_run(status):
    """The status a component gives where its preview 1 form gives `status`."""
    return status if not COMPONENT or status in WSVM_STATUSES else 1


def run(args, stdin=b"", env=None, timeout=60):
    p = subprocess.run(WSVM + args, input=stdin, capture_output=True, timeout=timeout,
                       env=env)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def expect(result, status=0, stdout=None, contains=None):
    rc, out, err = result
    status = status_as_run(status)
    ok = rc == status and (stdout is None or out == stdout) and (contains is None or contains in out)
    if not ok:
        print(f"FAIL: status {rc} (want {status})\n--- stdout\n{out}\n--- stderr\n{err}")
        if stdout is not None:
            print(f"--- wanted stdout\n{stdout}")
        sys.exit(1)
    return result


# Programs that take the argument "component" to expect WASI 0.2's errors where preview 1's
# cannot be carried (see each program's comment).
COMPONENT_ARG_PROGRAMS = ("trailing_slash", "hostile")


def program_args(name):
    return ["component"] if COMPONENT and name in COMPONENT_ARG_PROGRAMS else []


def in_work_dir(name, extra=()):
    with tempfile.TemporaryDirectory(prefix="wsvm-wasi-") as tmp:
        expect(run(["--dir", tmp + "::work", *extra, wasm(name), *program_args(name)]), 0,
               stdout=f"{name} ok\n")
        left = os.listdir(tmp)
        # each program cleans up or leaves only files it made inside the work dir
        print(f"{name}: ok, left in work dir: {sorted(left)}")


def case_hello():
    expect(run([wasm("hello")]), 0, "Hello, world! (argc=1)\n")
    expect(run([wasm("hello"), "a", "b"]), 0, "Hello, world! (argc=3)\n")


def case_args_env():
    env = dict(os.environ, INHERITED="bar")
    expect(run(["--env", "FOO=bar", "--env", "EMPTY=", wasm("args_env"), "one", "two words", ""]),
           0, "args_env ok\n")
    # --env KEY copies the host's value
    p = subprocess.run([*WSVM, "--env", "FOO", "--env", "EMPTY=", wasm("args_env"), "one",
                        "two words", ""], capture_output=True, env=dict(os.environ, FOO="bar"))
    if p.returncode != 0:
        print(p.stdout.decode(), p.stderr.decode())
        sys.exit(1)
    # nothing inherited by default: without --env the program's FOO check fails
    rc, _, _ = run([wasm("args_env"), "one", "two words", ""], env=env)
    if rc != 1:
        print("FAIL: program saw variables it was not given")
        sys.exit(1)


def case_exit_codes():
    expect(run([wasm("exit_codes"), "return7"]), 7, "before exit\n")
    expect(run([wasm("exit_codes"), "exit42"]), 42, "before exit\n")
    expect(run([wasm("exit_codes"), "proc_exit3"]), 3, "before exit\n")
    expect(run([wasm("exit_codes"), "none"]), 0, "before exit\n")
    rc, out, err = expect(run([wasm("exit_codes"), "trap"]), 134, "before exit\n")
    if "wsvm: trap:" not in err:
        print("FAIL: trap message missing:", err)
        sys.exit(1)
    if COMPONENT:
        print("skipped 2 checks: raise_term, raise_ignored (the preview 1 adapter traps in proc_raise)")
    else:
        expect(run([wasm("exit_codes"), "raise_term"]), 128 + 15, "before exit\n")
        expect(run([wasm("exit_codes"), "raise_ignored"]), 0)
    expect(run([wasm("exit_codes"), "yield"]), 0)


def case_clocks():
    expect(run([wasm("clocks"), str(int(time.time()))]), 0, "clocks ok\n")


def case_random():
    expect(run([wasm("random")]), 0, "random ok\n")


def case_stdin():
    data = bytes(range(256)) * 1000 + b"tail"
    s = 0
    for b in data:
        s = (s * 31 + b) & 0xFFFFFFFF
    expect(run([wasm("stdin_echo")], stdin=data), 0, f"{len(data)} bytes, checksum {s}\n")
    expect(run([wasm("stdin_echo")], stdin=b""), 0, "0 bytes, checksum 0\n")
    # stdin from a file
    with tempfile.NamedTemporaryFile() as f:
        f.write(b"abc")
        f.flush()
        with open(f.name, "rb") as fin:
            p = subprocess.run([*WSVM, wasm("stdin_echo")], stdin=fin, capture_output=True)
        s = 0
        for b in b"abc":
            s = (s * 31 + b) & 0xFFFFFFFF
        if p.stdout.decode() != f"3 bytes, checksum {s}\n":
            print("FAIL stdin from file:", p.stdout, p.stderr)
            sys.exit(1)


def case_poll():
    expect(run([wasm("poll")], stdin=b"ping\n"), 0, "poll ok\n")


def stream_bigout(mib):
    """Runs bigout writing MIB MiB to a pipe we drain; returns (status, bytes, peak RSS KiB)
    of that one child (wait4 gives its own rusage, not the maximum over all children)."""
    p = subprocess.Popen([*WSVM, wasm("bigout"), str(mib)], stdout=subprocess.PIPE)
    total = 0
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, total, usage.ru_maxrss


def case_bigout():
    # Streaming must run in bounded memory: the peak RSS of a 256 MiB stream may exceed that
    # of a 1 MiB stream by at most 32 MiB. Relative to the same binary's own baseline, so the
    # bound holds for sanitizer builds too (ASan's shadow and allocator raise the baseline).
    results = {}
    for mib in (1, 256):
        rc, total, rss_kib = stream_bigout(mib)
        if rc != 0 or total != mib << 20:
            print(f"FAIL: {mib} MiB stream: rc {rc}, {total} bytes")
            sys.exit(1)
        results[mib] = rss_kib
    growth = results[256] - results[1]
    print(f"bigout: peak RSS {results[1]} KiB for 1 MiB, {results[256]} KiB for 256 MiB")
    if growth > 32 * 1024:
        print(f"FAIL: streaming 255 MiB more grew the peak RSS by {growth} KiB")
        sys.exit(1)


def case_sockets():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    p = subprocess.Popen([*WSVM, "--tcplisten", f"127.0.0.1:{port}", wasm("sockets")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    conn = None
    for _ in range(200):
        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            time.sleep(0.02)
    if conn is None:
        p.kill()
        print("FAIL: could not connect")
        sys.exit(1)
    conn.sendall(b"hello socket\n")
    got = b""
    while True:
        c = conn.recv(1024)
        if not c:
            break
        got += c
    conn.close()
    out, err = p.communicate(timeout=30)
    if got != b"echo: hello socket\n" or p.returncode != 0 or out != b"sockets ok\n":
        print(f"FAIL: got {got!r}, rc {p.returncode}, out {out!r}, err {err!r}")
        sys.exit(1)


def hostile(env_extra):
    with tempfile.TemporaryDirectory(prefix="wsvm-wasi-hostile-") as tmp:
        box, outside, ro = (os.path.join(tmp, d) for d in ("box", "outside", "ro"))
        for d in (box, outside, ro, os.path.join(box, "sub")):
            os.mkdir(d)
        with open(os.path.join(outside, "secret.txt"), "w") as f:
            f.write("secret")
        with open(os.path.join(box, "file.txt"), "w") as f:
            f.write("file")
        with open(os.path.join(ro, "file.txt"), "w") as f:
            f.write("read only")
        os.symlink("../outside/secret.txt", os.path.join(box, "up"))
        os.symlink("/etc/passwd", os.path.join(box, "abs"))
        os.symlink("..", os.path.join(box, "dirup"))
        os.symlink("loop2", os.path.join(box, "loop1"))
        os.symlink("loop1", os.path.join(box, "loop2"))
        before = snapshot(tmp)
        env = dict(os.environ, **env_extra)
        rc, out, err = expect(run(["--dir", box + "::box", "--dir", ro + "::ro:ro",
                                   wasm("hostile"), *program_args("hostile")],
                                  env=env), 0, contains="hostile ok\n")
        print(out.strip())
        after = snapshot(tmp)
        # only box/ may change (nothing should, but the program may create legit files there)
        changed = {k for k in set(before) | set(after)
                   if before.get(k) != after.get(k) and not k.startswith("box/")}
        if changed:
            print("FAIL: changed outside the box:", sorted(changed))
            sys.exit(1)
        if "many iovecs ok" not in out:
            print("FAIL: many-iovec write missing")
            sys.exit(1)


def snapshot(root):
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            state[os.path.relpath(p, root)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return state


def case_hostile():
    hostile({})


def case_hostile_fallback():
    hostile({"WSVM_WASI_NO_OPENAT2": "1"})


def case_files_fallback():
    with tempfile.TemporaryDirectory(prefix="wsvm-wasi-") as tmp:
        env = dict(os.environ, WSVM_WASI_NO_OPENAT2="1")
        names = ("files", "links", "stat_times", "trailing_slash")
        if COMPONENT:  # files: see component_skip.txt
            names = names[1:]
            print("skipped 1 program: files (component_skip.txt)")
        for name in names:
            expect(run(["--dir", tmp + "::work", wasm(name), *program_args(name)], env=env), 0,
                   stdout=f"{name} ok\n")


def case_kvstore():
    native = os.path.join(BUILD, "kvstore_native")
    text = ("The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.\n" * 50 +
            "A store of keys and values, and a counter of words.\n")
    script = [["set", "alpha", "1"], ["set", "beta", "two"], ["get", "alpha"],
              ["set", "alpha", "one"], ["del", "beta"], ["get", "beta"], ["set", "gamma", "3"],
              ["list"], ["compact"], ["list"], ["set", "delta", "4"], ["list"],
              ["wc", "text.txt"], ["wc", "missing.txt"]]
    with tempfile.TemporaryDirectory() as wdir, tempfile.TemporaryDirectory() as ndir:
        for d in (wdir, ndir):
            with open(os.path.join(d, "text.txt"), "w") as f:
                f.write(text)
        for cmd in script:
            w = run(["--dir", wdir + "::data", wasm("kvstore"), "data", *cmd])
            n = subprocess.run([native, ndir, *cmd], capture_output=True)
            n = (n.returncode, n.stdout.decode(), n.stderr.decode())
            if w[:2] != n[:2]:
                print(f"FAIL {cmd}: wasm {w} native {n}")
                sys.exit(1)
            print(f"{' '.join(cmd)} -> {w[1].strip()!r}")
        with open(os.path.join(wdir, "kv.log")) as a, open(os.path.join(ndir, "kv.log")) as b:
            if a.read() != b.read():
                print("FAIL: stores differ")
                sys.exit(1)


def case_cli_options():
    rc, out, err = run(["--dir", "/nonexistent-wsvm-dir", wasm("hello")])
    if rc != 2 or "wsvm: error: --dir /nonexistent-wsvm-dir" not in err:
        print("FAIL bad --dir:", rc, err)
        sys.exit(1)
    for bad in (["--env", "=x"], ["--dir", "::x"], ["--tcplisten", "nohostport"], ["--dir"]):
        rc, out, err = run([*bad, wasm("hello")])
        if rc != 2 or not err.startswith("wsvm: error:"):
            print("FAIL", bad, rc, err)
            sys.exit(1)
    rc, out, err = run(["--help"])
    if "--dir HOST[::GUEST][:ro]" not in out or "--tcplisten" not in out:
        print("FAIL: --help lacks the WASI options")
        sys.exit(1)
    # valid options are accepted
    with tempfile.TemporaryDirectory() as tmp:
        expect(run(["--dir", tmp, "--env", "A=b", wasm("hello")]), 0, "Hello, world! (argc=1)\n")


def case_rights_ro():
    # The same checks on a read-only preopen; nothing in it may change.
    with tempfile.TemporaryDirectory(prefix="wsvm-wasi-") as tmp:
        with open(os.path.join(tmp, "keep"), "w") as f:
            f.write("kept")
        before = snapshot(tmp)
        expect(run(["--dir", tmp + "::work:ro", wasm("rights"), "ro"]), 0, stdout="rights ok\n")
        if snapshot(tmp) != before:
            print("FAIL: the read-only preopen changed")
            sys.exit(1)


def case_sigpipe():
    # Our end of stdout is closed before the program writes: every write must fail with
    # EPIPE for the guest; SIGPIPE must not end wsvm (status 141). Python restores SIGPIPE's
    # default action in the child (restore_signals), so the signal would be fatal.
    p = subprocess.Popen([*WSVM, wasm("sigpipe")], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode(errors="replace")
    rc = p.wait(timeout=60)
    print(f"sigpipe: status {rc}, stderr {err.strip()!r}")
    if rc != 0 or not err.startswith("EPIPE after "):
        print("FAIL: the guest did not get EPIPE")
        sys.exit(1)


def start_section_module(code):
    """A module whose start *section* function calls proc_exit(code); its _start (never
    reached) would exit with 99.
    (module
      (type (func (param i32))) (type (func))
      (import "wasi_snapshot_preview1" "proc_exit" (func (type 0)))
      (func (type 1) (call 0 (i32.const CODE)))
      (func (type 1) (call 0 (i32.const 99)))
      (export "_start" (func 2))
      (start 1))"""
    def section(sid, body):
        return bytes([sid, len(body)]) + body

    def name(text):
        return bytes([len(text)]) + text.encode()

    def body(value):  # no locals; i32.const value (LEB128, < 64); call 0; end
        code = bytes([0x00, 0x41, value, 0x10, 0x00, 0x0B])
        return bytes([len(code)]) + code
    assert 0 <= code < 64
    return (b"\0asm" + bytes([1, 0, 0, 0]) +
            section(1, bytes([2, 0x60, 1, 0x7F, 0, 0x60, 0, 0])) +
            section(2, bytes([1]) + name("wasi_snapshot_preview1") + name("proc_exit") + bytes([0, 0])) +
            section(3, bytes([2, 1, 1])) +
            section(7, bytes([1]) + name("_start") + bytes([0, 2])) +
            section(8, bytes([1])) +
            section(10, bytes([2]) + body(code) + body(99)))


def case_start_exit():
    # proc_exit inside a start section ends the run with the guest's code, in both engines.
    with tempfile.TemporaryDirectory(prefix="wsvm-wasi-") as tmp:
        for code in (7, 0):
            path = os.path.join(tmp, f"start_exit_{code}.wasm")
            with open(path, "wb") as f:
                f.write(start_section_module(code))
            rc, out, err = run([path])
            print(f"proc_exit({code}) in a start section: status {rc}, stderr {err.strip()!r}")
            if rc != code or err:
                print("FAIL: expected status", code, "and no message")
                sys.exit(1)


if COMPONENT and component_skip_reason(CASE) is not None:
    print(f"SKIP {CASE} as a component: {component_skip_reason(CASE)}")
    sys.exit(77)

SIMPLE_DIR_CASES = ("files", "seek", "readdir", "links", "stat_times", "rights", "trailing_slash")

if CASE in SIMPLE_DIR_CASES:
    in_work_dir(CASE)
else:
    globals()["case_" + CASE]()
print("PASS", CASE)

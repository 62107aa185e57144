#!/usr/bin/env python3
"""Checks run.py's interactive operations (interactive.py) without wsvm: a fake runtime (this
file, run with --fake) plays the guest of a small made-up wasip3 suite whose specs use every
operation (run, read and write while running, connect/send/recv, request, kill, wait) and the
runner's test servers (endpoints with bodies, chunks and trailers, echo-body, echo-headers, a
closed address). Some specs are built to fail; the check is that exactly the right ones do.

Usage: selftest.py   (exit 0 when the runner behaves; prints what differed otherwise)
"""
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def fake_serve(env):
    """`wsvm serve`: GET /echo calls the main test server's /echo (echo-body), /headers its
    /echo-headers, /chunks its chunked endpoint, /dead the closed address."""
    main, dead = env["HTTP_SERVER_MAIN"], env["HTTP_SERVER_DEAD"]

    def call(authority, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(authority, timeout=10)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp, resp.read()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            status, headers, body = 200, {}, b""
            if self.path == "/echo":
                _, body = call(main, "POST", "/echo", b"ping")
            elif self.path == "/headers":
                resp, _ = call(main, "GET", "/echo-headers", headers={"x-a": "1"})
                body = f"{resp.getheader('x-echo-x-a')} {resp.getheader('x-request-path')}".encode()
            elif self.path == "/chunks":
                resp, body = call(main, "GET", "/chunked")
                headers["x-framing"] = resp.getheader("transfer-encoding")
            elif self.path == "/dead":
                try:
                    call(dead, "GET", "/")
                except ConnectionRefusedError:
                    status, body = 502, b"refused"
            else:
                status = 404
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    print(f"Serving HTTP on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


def fake_main(argv):
    env = dict(a.split("=", 1) for a, prev in zip(argv, [""] + argv) if prev == "--env")
    wasm = next(os.path.basename(a) for a in argv if a.endswith(".wasm"))
    if argv[0] == "serve":
        return fake_serve(env)
    if wasm.startswith("stdio"):
        print("READY", flush=True)
        data = sys.stdin.read()
        sys.stdout.write(data)
        sys.stderr.write(data)
        return 3
    if wasm.startswith("socket"):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        print(f"127.0.0.1:{listener.getsockname()[1]}", flush=True)
        conn, _ = listener.accept()
        conn.sendall(conn.recv(100))
        return 0
    return 99


SERVERS = [{"name": "main", "endpoints": [
    {"method": "POST", "path": "/echo", "mode": "echo-body"},
    {"method": "GET", "path": "/echo-headers", "mode": "echo-headers"},
    {"method": "GET", "path": "/chunked", "response": {"status": 200, "chunks": ["a", "bc"],
                                                       "trailers": {"x-t": "1"}}}]},
    {"name": "dead", "kind": "closed"}]


def request(path, status, body=None, headers=None):
    response = {"status": status}
    if body is not None:
        response["body"] = body
    if headers:
        response["headers"] = headers
    return {"type": "request", "method": "GET", "path": path, "response": response}


def serve_spec(*requests):
    return {"world": "wasi:http/service", "servers": SERVERS,
            "operations": [{"type": "run"}, *requests, {"type": "kill", "signal": "SIGINT"},
                           {"type": "wait"}]}


STDIO = [{"type": "run"}, {"type": "read", "payload": "READY\n"},
         {"type": "write", "id": "stdin", "payload": "abc"},
         {"type": "read", "payload": "abc"}, {"type": "read", "id": "stderr", "payload": "abc"},
         {"type": "wait", "exit_code": 3}]
SOCKET = [{"type": "run"}, {"type": "connect", "id": "s"},
          {"type": "send", "id": "s", "payload": "hello"},
          {"type": "recv", "id": "s", "payload": "hello"}, {"type": "wait"}]

# name -> (spec, expected outcome: PASS, or FAIL with a word its reason must contain)
CASES = {
    "stdio": ({"operations": STDIO}, "PASS"),
    "stdio-wrong-read": ({"operations": STDIO[:3] + [{"type": "read", "payload": "xyz"}]}, "FAIL 'abc'"),
    "stdio-wrong-exit": ({"operations": STDIO[:-1] + [{"type": "wait"}]}, "FAIL exit status 3"),
    "socket": ({"proposals": ["sockets"], "operations": SOCKET}, "PASS"),
    "socket-wrong": ({"operations": SOCKET[:3] + [{"type": "recv", "id": "s", "payload": "bye"}]},
                     "FAIL received"),
    "serve": (serve_spec(request("/echo", 200, "ping"), request("/headers", 200, "1 /echo-headers"),
                         request("/chunks", 200, "abc", {"x-framing": "chunked"}),
                         request("/dead", 502, "refused"), request("/nowhere", 404)), "PASS"),
    "serve-wrong-status": (serve_spec(request("/nowhere", 200)), "FAIL status 404"),
    "serve-wrong-body": (serve_spec(request("/echo", 200, "pong")), "FAIL body"),
    "serve-wrong-header": (serve_spec(request("/chunks", 200, None, {"x-framing": "x"})), "FAIL header"),
}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--fake":
        return fake_main(sys.argv[2:])
    with tempfile.TemporaryDirectory(prefix="wsvm-wasi-selftest-") as tmp:
        folder = os.path.join(tmp, "tests/rust/testsuite/wasm32-wasip3")
        os.makedirs(folder)
        for name, (spec, _) in CASES.items():
            open(os.path.join(folder, name + ".wasm"), "wb").close()
            with open(os.path.join(folder, name + ".json"), "w") as f:
                json.dump(spec, f)
        expected = os.path.join(tmp, "expected.txt")
        with open(expected, "w") as f:
            f.write("# every failing case, so the run itself must succeed\n")
            f.writelines(f"{n}  built to fail\n" for n, (_, o) in CASES.items() if o != "PASS")
        fake = os.path.join(tmp, "fake-wsvm")
        with open(fake, "w") as f:
            f.write(f"#!/bin/sh\nexec {sys.executable} {os.path.abspath(__file__)} --fake \"$@\"\n")
        os.chmod(fake, 0o755)
        p = subprocess.run([sys.executable, os.path.join(HERE, "run.py"), fake, "fake", "--wasip3",
                            "--suite", tmp, "--expected", expected],
                           capture_output=True, text=True, timeout=300)
    lines = {ln.split(":")[0].split()[-1].split("/")[-1]: ln for ln in p.stdout.splitlines()
             if ln.startswith(("PASS", "FAIL", "XFAIL"))}
    problems = []
    for name, (_, outcome) in CASES.items():
        line = lines.get(name, "(no line)")
        if outcome == "PASS" and not line.startswith("PASS"):
            problems.append(f"{name}: expected to pass: {line}")
        elif outcome != "PASS" and not (line.startswith("XFAIL") and outcome[5:] in line):
            problems.append(f"{name}: expected to fail with {outcome[5:]!r}: {line}")
    passes = sum(o == "PASS" for _, o in CASES.values())
    total = f"{passes} passed, 0 failed, {len(CASES) - passes} expected failures"
    if p.returncode != 0 or not p.stdout.rstrip().endswith(total):
        problems.append(f"run.py exited {p.returncode}; expected its total to be '{total}'")
    for problem in problems:
        print("selftest:", problem)
    if problems:
        print(p.stdout, p.stderr, sep="\n")
    print(f"wasi-testsuite selftest: {len(CASES) - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

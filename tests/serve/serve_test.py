#!/usr/bin/env python3
"""Process tests of `wsvm serve`: the HTTP server (keep-alive, chunked bodies, concurrency,
port 0 and the first line, malformed requests, limits on clients, graceful stop) and the
per-request instances behind it (a trap, a loop or a memory hog ends its own request only).

Usage: serve_test.py WSVM GUEST_WASM ENGINE CASE   (CASE: a test_ function minus test_)
"""
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from proc_test import Failure, expect, run_case, run_command, under_emulator  # noqa: E402

WSVM = ""
GUEST = ""
ENGINE = ""


class Server:
    """wsvm serve on 127.0.0.1:0; the port from its first line."""

    def __init__(self, *options, module=None, command=None):
        command = command or [WSVM, "serve", "--addr", "127.0.0.1:0", "--engine", ENGINE, *options, module or GUEST]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.first_line = self.proc.stdout.readline()
        if not self.first_line.startswith("Serving HTTP on http://127.0.0.1:"):
            self.proc.kill()
            out, err = self.proc.communicate()
            raise Failure(f"no 'Serving HTTP on' line: {self.first_line!r} {err!r}")
        self.port = int(self.first_line.rsplit(":", 1)[1].rstrip("/\n"))
        self.err = None

    def request(self, method, path, body=None, headers=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        return r.status, dict(r.getheaders()), data.decode("utf-8", "replace")

    def raw(self, data, read_timeout=10):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout)
        s.sendall(data)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
                if b"\r\n\r\n" in b"".join(chunks) and not data.startswith(b"POST"):
                    break
        except socket.timeout:
            pass
        s.close()
        return b"".join(chunks).decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("wsvm serve did not stop after the signal")
        self.err = err
        return self.proc.returncode, err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def test_echo_and_keep_alive():
    with Server() as s:
        expect(s.first_line == f"Serving HTTP on http://127.0.0.1:{s.port}/\n", "the first line, as wasmtime prints it")
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        for i in range(5):  # one connection, five requests: keep-alive
            st, h, body = s.request("POST", f"/echo?i={i}", body=f"payload {i}", headers={"X-Test": "abc"}, conn=conn)
            expect(st == 200, f"request {i}: 200", (st, body, "", 0))
            expect(f"path /echo\nquery i={i}\nx-test abc\nbody payload {i}\n" in body, f"request {i} echoed", (st, body, "", 0))
            expect(h.get("x-wsvm-test") == "yes", "the handler's header reaches the client", (st, str(h), "", 0))
        conn.close()
        code, err = s.stop()
    expect(code == 0, "SIGTERM ends the server with 0", (code, "", err, 0))
    expect(err.count("wsvm: access: 127.0.0.1 POST /echo?i=") == 5, "an access line per request", (code, "", err, 0))


def test_chunked_request_body():
    with Server() as s:
        req = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        out = s.raw(req)
        expect(out.startswith("HTTP/1.1 200"), "chunked body accepted", (0, out, "", 0))
        expect("body hello world\nbody bytes 11" in out, "the chunks arrive joined", (0, out, "", 0))


def test_status_and_headers_from_handler():
    with Server() as s:
        st, h, body = s.request("GET", "/status")
        expect(st == 404 and body == "no such thing\n", "status: 404 from the handler", (st, body, "", 0))


def test_fresh_instance_per_request():
    with Server() as s:
        for _ in range(5):
            st, _, body = s.request("GET", "/count")
            expect(st == 200 and body == "count 1\n", "every request sees a fresh instance", (st, body, "", 0))


def test_trap_is_isolated():
    with Server() as s:
        st, _, body = s.request("GET", "/trap")
        expect(st == 500, "a trap answers 500", (st, body, "", 0))
        st, _, body = s.request("GET", "/echo")
        expect(st == 200, "the next request is served", (st, body, "", 0))
        st, _, _ = s.request("GET", "/exit")
        expect(st == 500, "a failing exit answers 500", (st, "", "", 0))
        st, _, _ = s.request("GET", "/garbage")
        expect(st == 502, "output without headers answers 502", (st, "", "", 0))
        st, _, _ = s.request("GET", "/stderr")
        code, err = s.stop()
    expect("wsvm: request GET /trap: trap: unreachable" in err, "one log line for the trap", (code, "", err, 0))
    expect("wsvm: request GET /exit: handler exited with 3" in err, "one log line for the exit", (code, "", err, 0))
    expect("wsvm: request GET /stderr: stderr: a line from the guest" in err, "guest stderr logged with its request", (code, "", err, 0))


def test_time_and_fuel_limits():
    # 200 ms stops the loop; under qemu-user the next request alone can take longer than that.
    with Server("--timeout", "2s" if under_emulator() else "200ms") as s:
        t = time.monotonic()
        st, _, body = s.request("GET", "/spin")
        expect(st == 503, "a looping request is stopped by --timeout: 503", (st, body, "", 0))
        expect(time.monotonic() - t < 20, "within bounds")
        st, _, _ = s.request("GET", "/echo")
        expect(st == 200, "others are unaffected", (st, "", "", 0))
        code, err = s.stop()
        expect("wsvm: request GET /spin: time limit reached" in err, "log line", (code, "", err, 0))
    with Server("--fuel", "2000000") as s:
        st, _, _ = s.request("GET", "/spin")
        expect(st == 503, "fuel: 503", (st, "", "", 0))
        st, _, _ = s.request("GET", "/echo")
        expect(st == 200, "a fresh budget for the next request", (st, "", "", 0))


def test_memory_limit():
    with Server("--max-memory", "8MiB") as s:
        st, _, body = s.request("GET", "/hog")
        expect(st == 200 and body.startswith("hog got ") and int(body.split()[2]) < 8, "memory stops at --max-memory", (st, body, "", 0))
        st, _, body = s.request("GET", "/count")
        expect(st == 200, "the next request runs", (st, body, "", 0))


def concurrent_clients(server, clients, per_client, one, also=()):
    """`clients` threads, each making `per_client` calls one(conn, n, i) -> bool on its own
    keep-alive connection, while the threads of `also` run beside them; the results."""
    results = []
    lock = threading.Lock()

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        for i in range(per_client):
            ok = one(conn, n, i)
            with lock:
                results.append(ok)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)] + list(also)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_many_concurrent_clients():
    with Server() as s:
        def one(conn, n, i):
            st, _, body = s.request("POST", f"/echo?c={n}&i={i}", body=f"{n}-{i}", conn=conn)
            return st == 200 and f"body {n}-{i}\n" in body

        results = concurrent_clients(s, 32, 10, one)
        expect(len(results) == 320 and all(results), f"320 requests from 32 clients all answered right ({sum(results)} ok)")


def test_malformed_requests():
    with Server("--max-body", "1KiB") as s:
        # libmicrohttpd ends a request target at a NUL byte: the request is for "/" then.
        out = s.raw(b"GET /\x00/../etc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", read_timeout=5)
        expect(out.startswith("HTTP/1.1 4") or "path /\n" in out, "a NUL in the target ends it", (0, out, "", 0))
        for bad in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                    b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", b"\xff\xfe\xfd\r\n\r\n",
                    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            out = s.raw(bad, read_timeout=5)
            expect(out == "" or out.startswith("HTTP/1.1 4") or out.startswith("HTTP/1.0 4") or out.startswith("HTTP/1.1 505"),
                   f"{bad!r}: a 4xx (or the connection closed), never a handler run", (0, out, "", 0))
        huge_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (256 * 1024) + b"\r\n\r\n"
        out = s.raw(huge_header, read_timeout=5)
        expect(out == "" or out.startswith("HTTP/1.1 4"), "an oversized header: 4xx or closed", (0, out[:100], "", 0))
        st, _, body = s.request("POST", "/echo", body="x" * 4096)
        expect(st == 413, "a body over --max-body: 413", (st, body, "", 0))
        st, _, _ = s.request("GET", "/echo")
        expect(st == 200, "the server still serves", (st, "", "", 0))
        code, err = s.stop()
        expect(code == 0, "and stops cleanly", (code, "", err, 0))


def test_stalled_clients_and_connection_cap():
    with Server("--max-connections", "4", "--idle-timeout", "1s") as s:
        stalled = []
        for _ in range(4):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            c.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            stalled.append(c)
        time.sleep(0.3)
        # The cap is reached: a fifth connection is closed at once, unanswered.
        extra = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        extra.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            got = extra.recv(100)
        except (ConnectionResetError, socket.timeout):
            got = b""
        expect(got == b"", f"a connection over the cap is refused ({got!r})")
        extra.close()
        # The stalled ones are dropped after the idle timeout; then the server answers again.
        t = time.monotonic()
        for c in stalled:
            try:
                b = c.recv(100)
            except (ConnectionResetError, socket.timeout):
                b = b""
            expect(b == b"" or b.startswith(b"HTTP/1.1 408"), f"a stalled client is closed ({b!r})")
            c.close()
        expect(time.monotonic() - t < 8, "within a few seconds of the idle timeout")
        st, _, _ = s.request("GET", "/echo")
        expect(st == 200, "served again once they are gone", (st, "", "", 0))


def metrics_text(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    return text


def test_graceful_stop_finishes_in_flight():
    with Server("--timeout", "2s", "--metrics", "127.0.0.1:0") as s:
        mport = int(s.proc.stdout.readline().rsplit(":", 1)[1].split("/")[0])
        result = {}

        def slow():
            result["r"] = s.request("GET", "/spin")

        t = threading.Thread(target=slow)
        t.start()
        # Signal only once the request is running (the metrics say so), however loaded the machine.
        for _ in range(300):
            if "wsvm_requests_in_flight 1" in metrics_text(mport):
                break
            time.sleep(0.01)
        code, err = s.stop(signal.SIGINT)
        t.join(30)
        expect(result.get("r", (0,))[0] == 503, "the request in flight got its answer", (code, str(result), err, 0))
        expect(code == 0 and "SIGINT received: stopping" in err, "SIGINT stops gracefully", (code, "", err, 0))


def test_metrics():
    # 2 s: under qemu-aarch64 (the cross build) a plain request took over 300 ms.
    with Server("--metrics", "127.0.0.1:0", "--timeout", "2s") as s:
        line = s.proc.stdout.readline()
        expect(line.startswith("Metrics on http://127.0.0.1:") and line.endswith("/metrics\n"), f"second line names the metrics address: {line!r}")
        mport = int(line.rsplit(":", 1)[1].split("/")[0])
        for path in ("/count", "/count", "/status", "/trap", "/spin"):
            s.request("GET", path)
        # A request is counted when the library reports it complete, just after its answer
        # was sent: ask again for a moment until all five are in.
        for _ in range(50):
            c = http.client.HTTPConnection("127.0.0.1", mport, timeout=30)
            c.request("GET", "/metrics")
            r = c.getresponse()
            text = r.read().decode()
            c.close()
            if "wsvm_request_duration_seconds_count 5" in text:
                break
            time.sleep(0.1)
        expect(r.status == 200 and r.getheader("Content-Type").startswith("text/plain; version=0.0.4"), "metrics in the text format", (r.status, text, "", 0))
        for want in ('wsvm_requests_total{code="200"} 2', 'wsvm_requests_total{code="404"} 1', 'wsvm_requests_total{code="500"} 1',
                     'wsvm_requests_total{code="503"} 1', 'wsvm_handler_failures_total{kind="trap"} 1',
                     'wsvm_handler_failures_total{kind="timeout"} 1', 'wsvm_request_duration_seconds_count 5',
                     'wsvm_request_duration_seconds_bucket{le="+Inf"} 5', "wsvm_requests_in_flight 0", "wsvm_peak_rss_bytes ",
                     # One request after another: from the second on, the memory comes from the
                     # module's image, and its one reservation waits reset in the pool.
                     "wsvm_image_memories_live 0", "wsvm_image_memories_pooled 1"):
            expect(want in text, f"metrics have {want!r}", (0, text, "", 0))


def test_manifest_with_http_is_served():
    import hashlib
    with open(GUEST, "rb") as f:
        digest = "sha256:" + hashlib.sha256(f.read()).hexdigest()
    work = tempfile.mkdtemp(prefix="wsvm-serve-")
    manifest = os.path.join(work, "app.toml")

    def write_manifest(checksum):
        with open(manifest, "w") as f:
            f.write(f'[container]\nname = "web"\n[image]\nsource = "{GUEST}"\nchecksum = "{checksum}"\n'
                    f'[resources]\nmax_memory = "16MiB"\nmax_cpu_time = "2s"\n'
                    f'[http]\naddr = "127.0.0.1:0"\nmax_connections = 8\n')

    try:
        served_manifest(manifest, write_manifest, digest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def served_manifest(manifest, write_manifest, digest):
    write_manifest(digest)
    with Server(command=[WSVM, "up", "--engine", ENGINE, manifest]) as s:
        st, _, body = s.request("GET", "/count")
        expect(st == 200 and body == "count 1\n", "wsvm up serves an [http] manifest", (st, body, "", 0))
        st, _, _ = s.request("GET", "/spin")
        expect(st == 503, "with the manifest's max_cpu_time per request", (st, "", "", 0))
        st, _, body = s.request("GET", "/hog")
        expect(st == 200 and int(body.split()[2]) < 16, "and its max_memory", (st, body, "", 0))
        code, err = s.stop()
        expect(code == 0, "stops on SIGTERM", (code, "", err, 0))
    write_manifest("sha256:" + "1" * 64)
    r = run_command([WSVM, "up", "--engine", ENGINE, manifest], timeout=30)
    expect(r[0] == 126 and "checksum mismatch" in r[2] and "Serving" not in r[1], "a checksum mismatch serves nothing", r)
    r = run_command([WSVM, "serve", "--checksum", "sha256:" + "1" * 64, "--addr", "127.0.0.1:0", GUEST], timeout=30)
    expect(r[0] == 126 and "checksum mismatch" in r[2], "wsvm serve --checksum verifies too", r)


@contextlib.contextmanager
def temp_manifest(prefix):
    """The path of app.toml in a new temporary folder, removed afterwards."""
    work = tempfile.mkdtemp(prefix=prefix)
    try:
        yield os.path.join(work, "app.toml")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_scaling():
    # --min-instances: instances made and torn down before serving, so the memory images
    # exist and that many reset memories wait in the pool before the first request.
    with Server("--min-instances", "3", "--max-instances", "3", "--metrics", "127.0.0.1:0") as s:
        line = s.proc.stdout.readline()
        mport = int(line.rsplit(":", 1)[1].split("/")[0])
        text = metrics_text(mport)
        expect("wsvm_image_memories_pooled 3" in text and "wsvm_image_memories_live 0" in text,
               "3 reset memories pooled before any request", (0, text, "", 0))
        st, _, body = s.request("GET", "/count")
        expect(st == 200 and body == "count 1\n", "a fresh instance still answers", (st, body, "", 0))
    # --max-instances 1: concurrent requests take turns, each in its own instance.
    with Server("--max-instances", "1") as s:
        def one(conn, n, i):
            st, _, body = s.request("GET", "/count", conn=conn)
            return st == 200 and body == "count 1\n"

        results = concurrent_clients(s, 8, 5, one)
        expect(len(results) == 40 and all(results), f"40 requests from 8 clients through one instance at a time ({sum(results)} ok)")
    for bad in (["--max-instances", "0"], ["--min-instances", "x"], ["--min-instances", "-1"], ["--max-instances", "100001"],
                ["--min-instances", "4", "--max-instances", "2"]):
        r = run_command([WSVM, "serve", "--addr", "127.0.0.1:0", *bad, GUEST], timeout=20)
        expect(r[0] == 2 and r[2].count("\n") == 1 and "-instances" in r[2], f"{bad}: one usage line", r)
    # A manifest's [scaling]: min/max instances reach wsvm serve; concurrency above 1 is refused.
    with temp_manifest("wsvm-scaling-") as manifest:
        def write(concurrency):
            with open(manifest, "w") as f:
                f.write(f'[container]\nname = "web"\n[image]\nsource = "{GUEST}"\n[resources]\nmax_cpu_time = "2s"\n'
                        f'[http]\naddr = "127.0.0.1:0"\n[scaling]\nmin_instances = 2\nmax_instances = 4\nconcurrency = {concurrency}\n')
        write(1)
        with Server(command=[WSVM, "up", "--engine", ENGINE, manifest]) as s:
            st, _, body = s.request("GET", "/count")
            expect(st == 200 and body == "count 1\n", "wsvm up serves with [scaling]", (st, body, "", 0))
        write(2)
        r = run_command([WSVM, "up", "--engine", ENGINE, manifest], timeout=30)
        expect(r[0] == 2 and "scaling.concurrency = 2" in r[2] and "Serving" not in r[1], "concurrency 2 is refused with its reason", r)


def test_usage_errors():
    r = run_command([WSVM, "serve", "--addr", "nonsense", GUEST])
    expect(r[0] == 2 and r[2].count("\n") == 1 and "--addr" in r[2], "a bad --addr", r)
    r = run_command([WSVM, "serve", "--addr", "127.0.0.1:99999", GUEST])
    expect(r[0] == 2 and "out of range" in r[2], "a port out of range", r)
    r = run_command([WSVM, "serve", "--addr", "127.0.0.1:0"])
    expect(r[0] == 2 and "no module" in r[2], "no module", r)
    r = run_command([WSVM, "serve", "--addr", "127.0.0.1:0", "/nonexistent.wasm"])
    expect(r[0] == 126 and r[2].count("\n") == 1, "a missing module", r)
    for bad in (["--link", "calc"], ["--link", "=x.wasm"], ["--link", "calc="]):
        r = run_command([WSVM, "serve", "--addr", "127.0.0.1:0", *bad, GUEST])
        expect(r[0] == 2 and r[2].count("\n") == 1 and "--link" in r[2], f"{bad}: one usage line", r)
    r = run_command([WSVM, "serve", "--addr", "127.0.0.1:0", "--link", "calc=" + GUEST, GUEST])
    expect(r[0] == 2 and r[2].count("\n") == 1 and "only a component" in r[2], "--link to a core module", r)
    with Server() as s:
        r = run_command([WSVM, "serve", "--addr", f"127.0.0.1:{s.port}", GUEST], timeout=20)
        expect(r[0] == 2 and "cannot listen on 127.0.0.1:" in r[2] and r[2].count("\n") == 1, "a port in use", r)


def test_component_refused_clearly():
    with tempfile.NamedTemporaryFile(suffix=".wasm") as f:
        f.write(b"\0asm\x0d\x00\x01\x00")  # an empty component
        f.flush()
        r = run_command([WSVM, "serve", "--addr", "127.0.0.1:0", f.name], timeout=20)
    expect(r[0] == 126 and "exports no wasi:http/incoming-handler" in r[2] and r[2].count("\n") == 1,
           "a component that is not an HTTP handler is refused with the reason", r)


def main():
    global WSVM, GUEST, ENGINE
    WSVM, GUEST, ENGINE, case = sys.argv[1:5]
    GUEST = os.path.abspath(GUEST)
    return run_case(globals(), case, f"{ENGINE} {case}")


if __name__ == "__main__":
    sys.exit(main())

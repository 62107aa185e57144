#!/usr/bin/env python3
"""Process tests of `wsvm serve` with wasi:http/proxy components: a fresh instance per
request, bodies streamed both ways (chunked when the guest declares no length), per-request
limits answered 5xx with one log line, isolation under concurrency, malformed requests.

Usage: http_component_test.py WSVM WAT_HANDLER JS_HANDLER LINKED_APP CALC ENGINE CASE
"""
import http.client
import os
import socket
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proc_test import Failure, expect, run_case, run_command, under_emulator  # noqa: E402
import serve_test  # noqa: E402  (its Server: wsvm serve on 127.0.0.1:0)

WAT = ""
JS = ""
LINKED_APP = ""  # http/linked_app.wat, importing local:math/calc
CALC = ""        # ../container/linked/calc.wat, exporting it


def server(*options, module=None):
    return serve_test.Server(*options, module=module or WAT)


def test_routes_and_streaming():
    with server() as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        st, h, body = s.request("GET", "/", conn=conn)
        expect(st == 200 and body == "hello from wat\n", "three writes make one body", (st, body, "", 0))
        expect(h.get("Transfer-Encoding") == "chunked" and "Content-Length" not in h,
               "no declared length: sent chunked", (st, str(h), "", 0))
        st, h, body = s.request("GET", "/length", conn=conn)
        expect(st == 200 and body == "12345" and h.get("Content-Length") == "5", "a declared length is sent",
               (st, str(h), "", 0))
        st, _, body = s.request("GET", "/status?x=1", conn=conn)
        expect(st == 418 and body == "", "the status the guest set", (st, body, "", 0))
        for _ in range(5):  # one keep-alive connection, a fresh instance each time
            st, _, body = s.request("GET", "/count", conn=conn)
            expect(st == 200 and body == "1", "a fresh instance per request", (st, body, "", 0))
        big = os.urandom(300 * 1024)
        conn.request("POST", "/echo", body=big)
        r = conn.getresponse()
        got = r.read()
        expect(r.status == 201 and got == big, f"300 KiB streamed through the guest and back ({len(got)} bytes)")
        conn.close()
        # A chunked request body, read by the guest while it arrives.
        out = s.raw(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        expect(out.startswith("HTTP/1.1 201") and out.rstrip().endswith("hello world") or "hello world" in out,
               "a chunked request body reaches the guest", (0, out, "", 0))
        # Trailers: the request's reach the guest (future-trailers.get), which sends them
        # back as its response's (outgoing-body.finish); a hop-by-hop one is not passed on.
        out = s.raw(b"POST /trailers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    b"5\r\nhello\r\n0\r\nX-Checksum: abc\r\nKeep-Alive: 5\r\nX-Two: 2\r\n\r\n")
        expect(out.startswith("HTTP/1.1 200") and "Transfer-Encoding: chunked" in out and
               out.endswith("5\r\nhello\r\n0\r\nx-checksum: abc\r\nx-two: 2\r\n\r\n"),
               "request trailers through the guest into the response's trailers", (0, out, "", 0))
        out = s.raw(b"POST /trailers HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
        expect(out.startswith("HTTP/1.1 200") and out.endswith("3\r\nabc\r\n0\r\n\r\n"), "no trailers: none sent",
               (0, out, "", 0))
        code, err = s.stop()
    expect(code == 0 and err.count("wsvm: access: 127.0.0.1 GET /count 200") == 5, "an access line per request",
           (code, "", err, 0))


def test_failures_are_isolated():
    with server("--timeout", "2s", "--max-memory", "4MiB") as s:  # 2 s: qemu-aarch64 is slow
        for path, status in (("/trap", 500), ("/loop", 503), ("/grow", 500), ("/none", 500)):
            st, _, body = s.request("GET", path)
            expect(st == status, f"{path}: {status}", (st, body, "", 0))
            st, _, body = s.request("GET", "/count")
            expect(st == 200 and body == "1", f"after {path} the next request is served", (st, body, "", 0))
        # Declared 10 bytes, wrote 5: the response is cut off (the client sees it incomplete).
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        c.request("GET", "/short")
        r = c.getresponse()
        try:
            r.read()
            cut = False
        except http.client.IncompleteRead:
            cut = True
        c.close()
        expect(cut, "a body shorter than its content-length is cut off, not padded")
        code, err = s.stop()
    for line in ("wsvm: request GET /trap: trap: unreachable", "wsvm: request GET /loop: time limit reached",
                 "wsvm: request GET /grow: trap: unreachable",
                 "wsvm: request GET /none: the handler returned without setting a response",
                 "wsvm: request GET /short: response body cut off: the body ended after 5 of its declared 10 bytes"):
        expect(err.count(line) == 1, f"one log line: {line}", (code, "", err, 0))


def test_stalled_clients():
    # Each guest starts when its request's headers are in and here waits for a body that
    # does not come: more of them than the server keeps workers for (serve/worker_pool.hpp,
    # 4 per core) must not delay a request that is whole.
    stalled = []
    with server("--body-timeout", "60s", "--idle-timeout", "60s") as s:
        try:
            for _ in range(4 * (os.cpu_count() or 1) + 4):
                c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
                c.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhello")
                stalled.append(c)
            # Answered long before the stalled ones time out (60 s), or the socket times out.
            st, _, body = s.request("GET", "/", conn=http.client.HTTPConnection("127.0.0.1", s.port, timeout=15))
            expect(st == 200 and body == "hello from wat\n", "a whole request beside stalled ones", (st, body, "", 0))
        finally:
            for c in stalled:
                c.close()
        st, _, body = s.request("GET", "/")
        expect(st == 200, "a request after the stalled clients left", (st, body, "", 0))
        code, err = s.stop()
    expect(code == 0, "graceful stop", (code, "", err, 0))


def test_fuel_limit():
    with server("--fuel", "1000000") as s:
        st, _, _ = s.request("GET", "/loop")
        expect(st == 503, "out of fuel: 503", (st, "", "", 0))
        st, _, body = s.request("GET", "/length")
        expect(st == 200 and body == "12345", "a fresh budget for the next request", (st, body, "", 0))
        code, err = s.stop()
    expect("wsvm: request GET /loop: fuel limit reached" in err, "log line", (code, "", err, 0))


def test_many_concurrent_clients():
    # Under qemu-user a request costs ~50x more and qemu serialises the threads' memory-map changes, so 32
    # clients wait on each other for seconds: fewer clients and a longer limit check the same
    # isolation beside trapping and looping requests.
    clients, limit = (8, "10s") if under_emulator() else (32, "1s")
    with server("--timeout", limit) as s:
        def one(conn, n, i):
            payload = f"{n}-{i}-" + "x" * (n * 97)
            st, _, body = s.request("POST", "/echo", body=payload, conn=conn)
            return st == 201 and body == payload

        def troublemaker(path):
            for _ in range(3):
                s.request("GET", path)

        trouble = [threading.Thread(target=troublemaker, args=(p,)) for p in ("/trap", "/loop", "/none")]
        results = serve_test.concurrent_clients(s, clients, 10, one, trouble)
        expect(len(results) == clients * 10 and all(results),
               f"{clients * 10} echoes from {clients} clients all right beside trapping and looping requests"
               f" ({sum(results)} ok)")


def test_malformed_requests():
    with server("--max-body", "64KiB") as s:
        for bad in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
                    b"\xff\xfe\xfd\r\n\r\n", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            out = s.raw(bad, read_timeout=5)
            expect(out == "" or out.startswith("HTTP/1.1 4") or out.startswith("HTTP/1.0 4") or out.startswith("HTTP/1.1 505"),
                   f"{bad!r}: a 4xx (or the connection closed)", (0, out, "", 0))
        out = s.raw(b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", read_timeout=5)
        expect(out.startswith("HTTP/1.1 400"), "a target that is not UTF-8: 400, never a guest", (0, out, "", 0))
        out = s.raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\nConnection: close\r\n\r\n", read_timeout=5)
        expect(out == "" or out.startswith("HTTP/1.1 400"), "a control byte in a header: 400", (0, out, "", 0))
        flood = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(20000)) + b"\r\n"
        out = s.raw(flood, read_timeout=5)
        expect(out == "" or out.startswith("HTTP/1.1 4"), "a header flood: 4xx or closed", (0, out[:80], "", 0))
        st, _, body = s.request("POST", "/echo", body="x" * (65 * 1024))
        expect(st == 413, "a declared body over --max-body: 413", (st, body, "", 0))
        chunked = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                   b"".join(b"4000\r\n" + b"y" * 0x4000 + b"\r\n" for _ in range(6)) + b"0\r\n\r\n")
        out = s.raw(chunked, read_timeout=10)
        expect(out == "" or out.startswith("HTTP/1.1 413"), "a streamed body growing over --max-body: 413 or closed",
               (0, out[:80], "", 0))
        st, _, body = s.request("GET", "/length")
        expect(st == 200 and body == "12345", "the server still serves", (st, body, "", 0))
        code, err = s.stop()
        expect(code == 0, "and stops cleanly", (code, "", err, 0))


def test_manifest_serves_component():
    import hashlib
    import shutil
    with open(WAT, "rb") as f:
        digest = "sha256:" + hashlib.sha256(f.read()).hexdigest()
    work = tempfile.mkdtemp(prefix="wsvm-serve-http-")
    manifest = os.path.join(work, "app.toml")
    try:
        with open(manifest, "w") as f:
            f.write(f'[container]\nname = "web"\n[image]\nsource = "{WAT}"\nchecksum = "{digest}"\n'
                    f'[resources]\nmax_memory = "4MiB"\nmax_cpu_time = "2s"\n'
                    f'[http]\naddr = "127.0.0.1:0"\n')
        with serve_test.Server(command=[serve_test.WSVM, "up", "--engine", serve_test.ENGINE, manifest]) as s:
            st, _, body = s.request("GET", "/count")
            expect(st == 200 and body == "1", "wsvm up serves an HTTP component", (st, body, "", 0))
            st, _, _ = s.request("GET", "/loop")
            expect(st == 503, "with the manifest's max_cpu_time per request", (st, "", "", 0))
            st, _, _ = s.request("GET", "/grow")
            expect(st == 500, "and its max_memory", (st, "", "", 0))
            code, err = s.stop()
            expect(code == 0, "stops on SIGTERM", (code, "", err, 0))
        # [components] with [http]: the handler calls a component linked by interface name
        # (local:math/calc@1.0.0, provided at 1.0.2), checked against its checksum.
        with open(CALC, "rb") as f:
            calc_digest = "sha256:" + hashlib.sha256(f.read()).hexdigest()
        def linked(checksum):
            with open(manifest, "w") as f:
                f.write(f'[container]\nname = "web"\n[image]\nsource = "{LINKED_APP}"\n'
                        f'[resources]\nmax_cpu_time = "2s"\n[http]\naddr = "127.0.0.1:0"\n'
                        f'[components.calc]\nsource = "{CALC}"\nchecksum = "{checksum}"\n')
        linked(calc_digest)
        with serve_test.Server(command=[serve_test.WSVM, "up", "--engine", serve_test.ENGINE, manifest]) as s:
            for _ in range(3):
                st, _, body = s.request("GET", "/")
                expect(st == 200 and body == "5", "an HTTP handler calling a linked component", (st, body, "", 0))
            code, err = s.stop()
            expect(code == 0, "stops on SIGTERM", (code, "", err, 0))
        linked("sha256:" + "0" * 64)
        code, out, err, _ = run_command([serve_test.WSVM, "up", "--engine", serve_test.ENGINE, manifest], timeout=30)
        expect(code != 0 and "checksum" in err and "Serving" not in out, "a linked component's checksum mismatch",
               (code, out, err, 0))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_not_an_http_component():
    with tempfile.NamedTemporaryFile(suffix=".wasm") as f:
        f.write(b"\0asm\x0d\x00\x01\x00")  # an empty component
        f.flush()
        r = run_command([serve_test.WSVM, "serve", "--addr", "127.0.0.1:0", f.name], timeout=20)
    expect(r[0] == 126 and "exports no wasi:http/incoming-handler" in r[2] and r[2].count("\n") == 1,
           "a component without the handler is refused with the reason", r)


class Upstream:
    """An HTTP server on 127.0.0.1:0 in this process: the peer a component calls out to."""

    def __init__(self):
        import http.server

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.answer(b"data")

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                if self.headers.get("Transfer-Encoding") == "chunked":
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        chunk = self.rfile.read(size + 2)[:size]
                        if size == 0:
                            break
                        body += chunk
                self.answer(b"got " + body)

            def answer(self, body):
                self.send_response(200)
                self.send_header("X-Upstream", "yes")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_outgoing_http():
    up = Upstream()
    closed = free_port()
    try:
        with server("--allow-http", f"127.0.0.1:{up.port}", "--allow-http", f"127.0.0.1:{closed}", module=JS) as s:
            st, _, body = s.request("GET", f"/fetch?url=http://127.0.0.1:{up.port}/data")
            expect(st == 200 and body == "upstream 200 yes data", "an allowed host is reached", (st, body, "", 0))
            st, _, body = s.request("POST", f"/fetch?url=http://127.0.0.1:{up.port}/post", body="abc")
            expect(st == 200 and body == "upstream 200 yes got abc", "with the request body", (st, body, "", 0))
            other = up.port + 1 if up.port + 1 != closed else up.port + 2
            st, _, body = s.request("GET", f"/fetch?url=http://127.0.0.1:{other}/data")
            expect(st == 502 and "fetch failed" in body, "another port of the same host is denied", (st, body, "", 0))
            st, _, body = s.request("GET", "/fetch?url=http://example.com/")
            expect(st == 502, "another host is denied", (st, body, "", 0))
            st, _, body = s.request("GET", f"/fetch?url=http://127.0.0.1:{closed}/data")
            expect(st == 502, "an allowed host that refuses the connection: an error, no crash", (st, body, "", 0))
            st, _, body = s.request("GET", f"/fetch?url=http://127.0.0.1:{up.port}/data")
            expect(st == 200, "and the next call works", (st, body, "", 0))
            code, err = s.stop()
        expect(f"wsvm: outgoing HTTP to http://127.0.0.1:{other} denied" in err and
               "wsvm: outgoing HTTP to http://example.com denied" in err, "a log line per refused call", (code, "", err, 0))
        with server(module=JS) as s:  # nothing granted
            st, _, body = s.request("GET", f"/fetch?url=http://127.0.0.1:{up.port}/data")
            expect(st == 502, "no --allow-http: every call is denied", (st, body, "", 0))
        r = run_command([serve_test.WSVM, "serve", "--allow-http", "bad host!", "--addr", "127.0.0.1:0", JS], timeout=20)
        expect(r[0] == 2 and "--allow-http" in r[2] and r[2].count("\n") == 1, "a bad --allow-http is a usage error", r)
        r = run_command([serve_test.WSVM, "--allow-http", "[::1", "--invoke", "x", JS], timeout=20)
        expect(r[0] == 2 and "--allow-http" in r[2] and r[2].count("\n") == 1, "wsvm run: a bad --allow-http too", r)
        # wsvm run with --allow-http runs in wsvm-net (the HTTP client is there): it gets as far
        # as looking for the export.
        r = run_command([serve_test.WSVM, "--engine", serve_test.ENGINE, "--allow-http", f"127.0.0.1:{up.port}",
                         "--invoke", "no-such-export", WAT], timeout=60)
        expect(r[0] == 2 and "no-such-export" in r[2] and r[2].count("\n") == 1, "wsvm run --allow-http runs the component", r)
        # The manifest's permissions.network.outbound is the same grant.
        with serve_test.temp_manifest("wsvm-serve-http-") as manifest:
            def write(outbound):
                with open(manifest, "w") as f:
                    f.write(f'[container]\nname = "web"\n[image]\nsource = "{JS}"\n'
                            f'[resources]\nmax_cpu_time = "20s"\n[permissions]\nnetwork = {{ inbound = [], outbound = {outbound} }}\n'
                            f'[http]\naddr = "127.0.0.1:0"\n')
            write(f'["127.0.0.1:{up.port}"]')
            with serve_test.Server(command=[serve_test.WSVM, "up", "--allow-risky", "--engine", serve_test.ENGINE, manifest]) as s:
                st, _, body = s.request("GET", f"/fetch?url=http://127.0.0.1:{up.port}/data")
                expect(st == 200 and body == "upstream 200 yes data", "outbound from the manifest", (st, body, "", 0))
                st, _, body = s.request("GET", "/fetch?url=http://example.com/")
                expect(st == 502, "and nothing else", (st, body, "", 0))
            write('["no/such host"]')
            r = run_command([serve_test.WSVM, "up", "--engine", serve_test.ENGINE, manifest], timeout=20)
            expect(r[0] == 2 and "permissions.network.outbound" in r[2] and r[2].count("\n") == 1,
                   "a malformed outbound entry: one line naming the field", r)
    finally:
        up.close()


def test_js_handler():
    with server(module=JS) as s:
        for i in range(3):  # the handler answers once per instance: fresh ones every time
            st, h, body = s.request("GET", "/")
            expect(st == 200 and body == "hello from componentize-js\n", f"request {i}", (st, body, "", 0))
        st, h, body = s.request("POST", "/echo?q=1", body="a body", headers={"X-Test": "abc"})
        expect(st == 200 and body == "POST /echo?q=1 abc a body" and h.get("x-handler") == "js",
               "method, path, query, a header and the body reach JavaScript", (st, body + str(h), "", 0))
        st, _, body = s.request("GET", "/status")
        expect(st == 418 and body == "teapot", "status from JavaScript", (st, body, "", 0))
        for i in range(2):  # workers are reused: each request logs its own lines, once
            st, _, body = s.request("GET", "/log")
            expect(st == 200 and body == "logged", "console.log and console.error", (st, body, "", 0))
            st, _, body = s.request("GET", "/")
            expect(st == 200, "a request after one that logged", (st, body, "", 0))
        def one(conn, n, i):
            st, _, body = s.request("POST", "/echo", body=f"{n}.{i}", conn=conn)
            return st == 200 and body.endswith(f" {n}.{i}")

        results = serve_test.concurrent_clients(s, 8, 3, one)
        expect(len(results) == 24 and all(results), f"8 concurrent clients x 3 requests ({sum(results)} ok)")
        code, err = s.stop()
    # The guest's output goes to the log with its request; nothing else is logged for one.
    expect(err.count("wsvm: request GET /log: stdout: a line on stdout\n") == 2 and
           err.count("wsvm: request GET /log: stderr: a line on stderr\n") == 2,
           "guest stdout and stderr lines logged with their request, once each", (code, "", err, 0))
    others = [l for l in err.splitlines() if "wsvm: request" in l and not l.startswith("wsvm: request GET /log: std")]
    expect(code == 0 and not others, "no request failed", (code, "", err, 0))


def main():
    global WAT, JS, LINKED_APP, CALC
    wsvm, WAT, JS, LINKED_APP, CALC, engine, case = sys.argv[1:8]
    WAT, JS, LINKED_APP, CALC = (os.path.abspath(p) for p in (WAT, JS, LINKED_APP, CALC))
    serve_test.WSVM, serve_test.ENGINE, serve_test.GUEST = wsvm, engine, WAT
    return run_case(globals(), case, f"{engine} {case}")


if __name__ == "__main__":
    sys.exit(main())

"""The operation-based specs of wasi-testsuite (doc/specification.md) that need a running
process: the wasm32-wasip3 tests write to stdin while the program runs, read what it printed so
far, connect to a socket it announces on stdout, send HTTP requests to `wsvm serve`, and send it
signals. The preview 1 tests use run/read/wait only and run to completion (run.py).

Beside the documented operations this implements what the wasip3 specs use on top:
- `"world": "wasi:http/service"`: `run` starts `wsvm serve --addr 127.0.0.1:0` and reads the
  address from its first line (`Serving HTTP on http://HOST:PORT/`); `request` sends one HTTP
  request there (method, path, headers, body) and checks the response's status, the headers it
  names (case-insensitive names, exact values) and its body when given; `kill` sends a signal.
- `"servers"`: HTTP servers the runner provides for the test to call, each announced to the
  guest as `HTTP_SERVER_<NAME>=127.0.0.1:PORT` in its environment. An endpoint matches method
  and path (query included) and answers its `response` (status, headers, body, or `chunks`
  sent with chunked framing and `trailers`), or by `mode`: `echo-body` returns the request
  body, `echo-headers` returns each request header as `x-echo-NAME` and each request trailer
  as `x-trailer-NAME`. Both modes add `x-request-method` and `x-request-path`. Anything else
  is 404. A server of `"kind": "closed"` is an address nobody listens on.
"""
import http.client
import http.server
import os
import re
import signal
import socket
import subprocess
import threading
import time

TIMEOUT = 60
SERVE_WORLD = "wasi:http/service"
# The flags that grant what a test's `proposals` need (wasmtime's adapter uses `-S inherit-network`
# for sockets and `-S http` for http). Outgoing HTTP is granted host by host: the runner's test
# servers (`--allow-http 127.0.0.1:PORT` each, added at `run`).
PROPOSAL_FLAGS = {"sockets": ["--inherit-network"], "http": []}


class Stream:
    """Collects what a pipe delivers, on a thread, so operations can wait for the next bytes."""

    def __init__(self, pipe):
        self.buf = bytearray()
        self.pos = 0
        self.ended = False
        self.cond = threading.Condition()
        threading.Thread(target=self._pump, args=(pipe,), daemon=True).start()

    def _pump(self, pipe):
        while True:
            chunk = os.read(pipe.fileno(), 65536)
            with self.cond:
                if not chunk:
                    self.ended = True
                else:
                    self.buf += chunk
                self.cond.notify_all()
            if not chunk:
                return

    def _wait_for(self, ready, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not ready() and not self.ended:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)

    def take(self, n, timeout=TIMEOUT):
        """The next n bytes, or fewer if the stream ends or the time runs out."""
        self._wait_for(lambda: len(self.buf) - self.pos >= n, timeout)
        with self.cond:
            out = bytes(self.buf[self.pos:self.pos + n])
            self.pos += len(out)
            return out

    def line(self, timeout=TIMEOUT):
        """The next line without its newline ('' if none comes)."""
        self._wait_for(lambda: b"\n" in self.buf[self.pos:], timeout)
        with self.cond:
            end = self.buf.find(b"\n", self.pos)
            end = len(self.buf) if end < 0 else end
            out = bytes(self.buf[self.pos:end])
            self.pos = min(end + 1, len(self.buf))
            return out.decode(errors="replace").rstrip("\r")

    def everything(self):
        with self.cond:
            return bytes(self.buf).decode(errors="replace")


class _EndpointHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _read_body(self):
        """The request body and trailers, chunked or by Content-Length."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
            trailers = []
            while True:
                line = self.rfile.readline().rstrip(b"\r\n")
                if not line:
                    return bytes(body), trailers
                name, _, value = line.decode("latin-1").partition(":")
                trailers.append((name.strip(), value.strip()))
        return self.rfile.read(int(self.headers.get("Content-Length", 0) or 0)), []

    def _answer(self, status, headers, body=b"", chunks=None, trailers=None):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if chunks is None:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in chunks:
            data = chunk.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.write(b"0\r\n")
        for name, value in (trailers or {}).items():
            self.wfile.write(f"{name}: {value}\r\n".encode())
        self.wfile.write(b"\r\n")

    def _any(self):
        body, trailers = self._read_body()
        for ep in self.server.endpoints:
            if ep.get("method") == self.command and ep.get("path") == self.path:
                break
        else:
            return self._answer(404, [], b"no such endpoint")
        mode = ep.get("mode")
        request_line = [("x-request-method", self.command), ("x-request-path", self.path)]
        if mode == "echo-body":
            return self._answer(200, request_line, body)
        if mode == "echo-headers":
            echoed = [("x-echo-" + k.lower(), v) for k, v in self.headers.items()]
            echoed += [("x-trailer-" + k.lower(), v) for k, v in trailers]
            return self._answer(200, echoed + request_line)
        r = ep.get("response", {})
        self._answer(r.get("status", 200), list(r.get("headers", {}).items()),
                     r.get("body", "").encode(), r.get("chunks"), r.get("trailers"))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _any


class TestServers:
    """The spec's `servers`, started on 127.0.0.1; `env` names them for the guest."""

    def __init__(self, specs):
        self.running = []
        self.env = {}
        for spec in specs:
            if spec.get("kind") == "closed":
                probe = socket.socket()
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
                probe.close()  # nothing listens there now: connections are refused
            else:
                server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EndpointHandler)
                server.endpoints = spec.get("endpoints", [])
                server.daemon_threads = True
                threading.Thread(target=server.serve_forever, daemon=True).start()
                self.running.append(server)
                port = server.server_address[1]
            self.env["HTTP_SERVER_" + spec["name"].upper()] = f"127.0.0.1:{port}"

    def close(self):
        for server in self.running:
            server.shutdown()
            server.server_close()


def _check_response(op, authority):
    want = op.get("response", {})
    conn = http.client.HTTPConnection(authority, timeout=TIMEOUT)
    try:
        body = op.get("body")
        conn.request(op.get("method", "GET"), op.get("path", "/"),
                     body=body.encode() if body is not None else None,
                     headers=op.get("headers", {}))
        resp = conn.getresponse()
        got_body = resp.read()
    except (OSError, http.client.HTTPException) as e:
        return f"request {op.get('method')} {op.get('path')}: {e}"
    finally:
        conn.close()
    where = f"{op.get('method', 'GET')} {op.get('path', '/')}"
    if "status" in want and resp.status != want["status"]:
        return f"{where}: status {resp.status}, expected {want['status']}"
    for name, value in want.get("headers", {}).items():
        if resp.getheader(name) != value:
            return f"{where}: header {name} {resp.getheader(name)!r}, expected {value!r}"
    if "body" in want and got_body != want["body"].encode():
        return f"{where}: body {got_body[:200]!r}, expected {want['body'][:200]!r}"
    return None


def run_interactive(wsvm, engine, wasm, spec, ops, tmp, root, env, verbose):
    """Runs the operations against one process. Returns None when all held, else why not."""
    servers = TestServers(spec.get("servers", []))
    proc = out = err = None
    conns = {}
    serve_at = None
    stdin_writes_left = sum(1 for op in ops if op["type"] == "write")

    def why(reason):
        tail = err.everything().strip()[-300:] if err else ""
        return reason + (f"; stderr: {tail}" if tail else "")

    try:
        for op in ops:
            kind = op["type"]
            if kind == "run":
                serving = spec.get("world") == SERVE_WORLD
                cmd = [os.path.abspath(wsvm)] + (["serve", "--addr", "127.0.0.1:0"] if serving else [])
                cmd += ["--engine", engine]
                for proposal in spec.get("proposals", []):
                    cmd += PROPOSAL_FLAGS.get(proposal, [])
                for address in servers.env.values():
                    cmd += ["--allow-http", address]
                for key, value in {**servers.env, **op.get("env", {})}.items():
                    cmd += ["--env", f"{key}={value}"]
                if root:
                    cmd += ["--dir", f"{root}::/"]
                # Run beside the test, named by its file name: the program's argv[0] is then
                # "x.wasm", which cli-env checks (as the upstream runner's engines see it).
                cmd += [os.path.basename(wasm), *op.get("args", [])]
                if verbose:
                    print("  $ " + " ".join(cmd))
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, cwd=os.path.dirname(os.path.abspath(wasm)),
                                        env=env)
                out, err = Stream(proc.stdout), Stream(proc.stderr)
                if serving:
                    first = out.line()
                    m = re.match(r"Serving HTTP on http://([^/\s]+)/", first)
                    if not m:
                        return why(f"`wsvm serve` printed {first!r}, not its address")
                    serve_at = m.group(1)
            elif proc is None:
                return f"'{kind}' before 'run'"
            elif kind == "write":
                stdin_writes_left -= 1
                try:
                    proc.stdin.write(op.get("payload", "").encode())
                    proc.stdin.flush()
                    if stdin_writes_left == 0:
                        proc.stdin.close()  # the last write: the guest then sees end of file
                except BrokenPipeError:
                    return why("stdin closed by the program before the write")
            elif kind == "read":
                want = op.get("payload", "").encode()
                stream = err if op.get("id", "stdout") == "stderr" else out
                got = stream.take(len(want))
                if got != want:
                    return why(f"{op.get('id', 'stdout')} {got!r}, expected {want!r}")
            elif kind == "connect":
                address = out.line()
                host, _, port = address.rpartition(":")
                if not port.isdigit():
                    return why(f"expected HOST:PORT on stdout, got {address!r}")
                proto = op.get("protocol_type", "tcp")
                try:
                    if proto == "udp":
                        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                             socket.SOCK_DGRAM)
                        sock.connect((host.strip("[]"), int(port)))
                    else:
                        sock = socket.create_connection((host.strip("[]"), int(port)), TIMEOUT)
                    sock.settimeout(TIMEOUT)
                except OSError as e:
                    return why(f"connect to {address}: {e}")
                conns[op.get("id", "server")] = sock
            elif kind in ("send", "recv"):
                sock = conns.get(op.get("id"))
                if sock is None:
                    return f"'{kind}' on unknown connection {op.get('id')!r}"
                want = op.get("payload", "").encode()
                try:
                    if kind == "send":
                        sock.sendall(want)
                        continue
                    got = b""
                    while len(got) < len(want):
                        part = sock.recv(len(want) - len(got))
                        if not part:
                            break
                        got += part
                except OSError as e:
                    return why(f"{kind} on {op.get('id')}: {e}")
                if got != want:
                    return why(f"received {got!r}, expected {want!r}")
            elif kind == "request":
                if serve_at is None:
                    return f"'request' in a test whose world is not {SERVE_WORLD}"
                problem = _check_response(op, serve_at)
                if problem:
                    return why(problem)
            elif kind == "kill":
                proc.send_signal(getattr(signal, op.get("signal", "SIGTERM")))
            elif kind == "wait":
                try:
                    status = proc.wait(TIMEOUT)
                except subprocess.TimeoutExpired:
                    return why(f"still running after {TIMEOUT} s")
                want = op.get("exit_code", 0)
                if status != want:
                    return why(f"exit status {status}, expected {want}")
            else:
                return f"unknown operation {kind!r}"
        return None
    finally:
        for sock in conns.values():
            sock.close()
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        servers.close()

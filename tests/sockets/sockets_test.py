#!/usr/bin/env python3
"""wasi:sockets under `wsvm --inherit-network` (and denied without it): a hand-written
component (sockets.wat) calls a TCP and a UDP echo server this script runs on 127.0.0.1,
and resolves names, through `wsvm --invoke`.

Usage: sockets_test.py WSVM SOCKETS_COMPONENT ENGINE CASE
"""
import os
import socket
import socketserver
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from proc_test import expect, run_case, run_command  # noqa: E402

WSVM = COMPONENT = ENGINE = ""


def invoke(call, *options):
    return run_command([WSVM, "--engine", ENGINE, *options, "--invoke", call, COMPONENT], timeout=30)


def wave_bytes(b):
    return "[" + ", ".join(str(x) for x in b) + "]"


class Echo:
    """TCP and UDP servers on 127.0.0.1:0 answering b"pong:" + what they got."""

    def __init__(self):
        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.sendall(b"pong:" + self.request.recv(100))

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                sock.sendto(b"pong:" + data, self.client_address)

        self.tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Tcp)
        self.udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), Udp)
        for s in (self.tcp, self.udp):
            threading.Thread(target=s.serve_forever, daemon=True).start()

    def close(self):
        for s in (self.tcp, self.udp):
            s.shutdown()
            s.server_close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_tcp():
    echo = Echo()
    try:
        port = echo.tcp.server_address[1]
        r = invoke(f"tcp-echo({port})", "--inherit-network")
        expect(r[0] == 0 and r[1] == f"ok({wave_bytes(b'pong:ping')})\n", "a TCP round trip over 127.0.0.1", r)
        r = invoke(f"tcp-echo({closed_port()})", "--inherit-network")
        expect(r[0] == 0 and r[1] == "err(connection-refused)\n", "a closed port: connection-refused", r)
        r = invoke(f"tcp-echo({port})")
        expect(r[0] == 0 and r[1] == "err(access-denied)\n", "without --inherit-network: access-denied", r)
    finally:
        echo.close()


def test_udp():
    echo = Echo()
    try:
        port = echo.udp.server_address[1]
        r = invoke(f"udp-echo({port})", "--inherit-network", "--timeout", "20s")
        expect(r[0] == 0 and r[1] == f"ok({wave_bytes(b'pong:ping')})\n", "a UDP round trip over 127.0.0.1", r)
        r = invoke(f"udp-echo({port})")
        expect(r[0] == 0 and r[1] == "err(access-denied)\n", "without --inherit-network: access-denied", r)
    finally:
        echo.close()


def test_name_lookup():
    r = invoke('lookup("127.0.0.1")', "--inherit-network")
    expect(r[0] == 0 and r[1] == "ok(some(ipv4((127, 0, 0, 1))))\n", "an address literal resolves to itself", r)
    r = invoke('lookup("localhost")', "--inherit-network")
    expect(r[0] == 0 and r[1] in ("ok(some(ipv4((127, 0, 0, 1))))\n", "ok(some(ipv6((0, 0, 0, 0, 0, 0, 0, 1))))\n"),
           "localhost resolves to a loopback address", r)
    r = invoke('lookup("no-such-host.invalid")', "--inherit-network")
    expect(r[0] == 0 and r[1] in ("err(name-unresolvable)\n", "err(temporary-resolver-failure)\n"),
           "an unknown name is an error value, not a trap", r)
    r = invoke('lookup("")', "--inherit-network")
    expect(r[0] == 0 and r[1] == "err(invalid-argument)\n", "an empty name: invalid-argument", r)
    r = invoke('lookup("localhost")')
    expect(r[0] == 0 and r[1] == "err(access-denied)\n", "without --inherit-network: access-denied", r)
    r = run_command([WSVM, "--inherit-network=yes", "--invoke", "lookup", COMPONENT])
    expect(r[0] == 2 and r[2].count("\n") == 1, "--inherit-network takes no value", r)


def main():
    global WSVM, COMPONENT, ENGINE
    WSVM, COMPONENT, ENGINE, case = sys.argv[1:5]
    COMPONENT = os.path.abspath(COMPONENT)
    return run_case(globals(), case, f"{ENGINE} {case}")


if __name__ == "__main__":
    sys.exit(main())

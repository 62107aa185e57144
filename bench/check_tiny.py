#!/usr/bin/env python3
"""CI check of one benchmark program: run it once at a tiny size natively (clang and gcc
builds) and under each given wsvm engine (default: the interpreter); every run must succeed
and print the same checksum line (the benchmark half of issue 7's interp-vs-JIT
differential test). Usage: check_tiny.py WSVM PROG.wasm PROG.clang PROG.gcc SIZE [ENGINE...]"""
import subprocess
import sys


def checksum(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=50)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\n{p.stderr}")
    lines = [l for l in p.stdout.splitlines() if l.startswith("checksum ")]
    if len(lines) != 1:
        sys.exit(f"FAIL: {' '.join(cmd)} printed {len(lines)} checksum lines:\n{p.stdout}")
    return lines[0]


def main():
    wsvm, wasm, clang, gcc, size = sys.argv[1:6]
    engines = sys.argv[6:] or ["interp"]
    runs = {
        "native-clang": checksum([clang, size]),
        "native-gcc": checksum([gcc, size]),
    }
    for engine in engines:
        runs["wsvm-" + engine] = checksum([wsvm, "--engine", engine, wasm, size])
    for engine, line in runs.items():
        print(f"{engine:13} {line}")
    if len(set(runs.values())) != 1:
        sys.exit("FAIL: checksums differ")
    print("ok")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""SIMD C program under wsvm vs the same computation in scalar C run natively.

usage: run_simd_test.py WSVM KERNELS.wasm KERNELS_NATIVE BENCH.wasm|- [ENGINE]
Passes when the wasm program (intrinsics) prints exactly what the native scalar build
prints, and both exports of the benchmark module (unless "-") return the same checksum."""
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=100)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\n{p.stderr}")
    return p.stdout


def main():
    wsvm, kernels, native, bench = sys.argv[1:5]
    # An optional fifth argument picks the engine; the same checks run under each one.
    engine = ["--engine", sys.argv[5]] if len(sys.argv) > 5 else []
    got = run([wsvm, *engine, kernels]).splitlines()
    want = run([native]).splitlines()
    bad = [f"  {w!r} (scalar C) != {g!r} (wasm SIMD)" for w, g in zip(want, got) if w != g]
    if len(got) != len(want) or bad or not want:
        sys.exit("FAIL: SIMD kernels differ from scalar C\n" + "\n".join(bad) +
                 f"\n  {len(want)} lines expected, {len(got)} printed")
    print(f"{len(want)} kernel results match scalar C")
    if bench == "-":
        return
    for reps in ("1", "3"):
        s = run([wsvm, *engine, "--invoke", "dot_scalar", bench, reps]).strip()
        v = run([wsvm, *engine, "--invoke", "dot_simd", bench, reps]).strip()
        if s != v or not s:
            sys.exit(f"FAIL: dot_scalar {s!r} != dot_simd {v!r} (reps {reps})")
    print("bench_dot: scalar and SIMD exports agree")


if __name__ == "__main__":
    main()

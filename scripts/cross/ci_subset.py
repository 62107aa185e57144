#!/usr/bin/env python3
"""What the arm64 CI run (scripts/test-aarch64.sh --ci) builds and runs, from the meson build's
own introspection, so a test added anywhere is picked up without editing a list here.

  ci_subset.py BUILD targets   ninja targets: the tests kept, what they depend on, wsvm, wsvm-spec
  ci_subset.py BUILD tests     the names of the tests kept, one per line
  ci_subset.py BUILD left-out  the number of tests left out
  ci_subset.py BUILD full-tests / full-left-out   the same for the full arm64 run: every test
                               but the hostile and bench suites (timing ratios and benchmark
                               checks mean nothing under emulation) and HEAVY_UNDER_EMULATION

Kept: every test outside the process-level suites below (and the few left out by name, each
with its reason). Those start wsvm (or a server, or a
compiler) once per case, and under qemu-user each start costs about a second of emulated
start-up: they took 28 of the 30 minutes of the full arm64 run (2026-12-07). The full run,
`scripts/test-aarch64.sh` without --ci, still runs them all.
"""
import json
import os
import subprocess
import sys

PROCESS_SUITES = {"serve", "serve-http", "wasi", "wasi-component", "wasi-testsuite", "container",
                  "sockets", "process", "component-cli", "component-js", "text", "fuzz",
                  "hostile", "bench"}
# Left out by name, with the reason.
HEAVY_UNDER_EMULATION = {
    # Thousands of core instances, each with an 8 GiB guard-page reservation: qemu-user keeps
    # page descriptors for every reserved page and does not give them back on munmap, so the
    # runner's RSS grew by ~35 MiB/s past 11 GiB (2026-12-07) before it was stopped.
    "component-testsuite",
}


def introspect(build, what):
    out = subprocess.run(["meson", "introspect", build, what], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def suites_of(test):
    # meson names a test's suites "PROJECT:SUITE" (or "PROJECT" alone when it has none).
    return {s.split(":", 1)[1] for s in test["suite"] if ":" in s}


def main():
    build, what = sys.argv[1], sys.argv[2]
    tests = introspect(build, "--tests")
    left_suites = PROCESS_SUITES
    if what.startswith("full-"):
        left_suites = {"hostile", "bench"}
        what = what[len("full-"):]
    kept = [t for t in tests
            if not suites_of(t) & left_suites and t["name"] not in HEAVY_UNDER_EMULATION]
    if what == "tests":
        print("\n".join(t["name"] for t in kept))
    elif what == "left-out":
        print(len(tests) - len(kept))
    elif what == "targets":
        by_id = {t["id"]: t for t in introspect(build, "--targets")}
        wanted = {d for t in kept for d in t["depends"]}
        # The test's own program when it is built here (depends may list only its inputs).
        programs = {t["cmd"][0] for t in kept}
        wanted |= {i for i, t in by_id.items() if set(t["filename"]) & programs}
        wanted |= {i for i, t in by_id.items() if t["name"] in ("wsvm", "wsvm-spec")}
        files = set()
        for i in wanted:
            if i in by_id:
                for f in by_id[i]["filename"]:
                    files.add(os.path.relpath(f, build))
        print("\n".join(sorted(files)))
    else:
        sys.exit(f"ci_subset.py: unknown request {what}")


if __name__ == "__main__":
    main()

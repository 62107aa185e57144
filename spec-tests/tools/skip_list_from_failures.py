#!/usr/bin/env python3
"""Drafts spec-tests/wasm-3.0-skip.txt from a verbose run of the wasm-3.0 suite.

    build/spec-tests/wsvm-spec --verbose ../shared/spec-testsuite/wasm-3.0/*.wast > out.txt
    spec-tests/tools/skip_list_from_failures.py out.txt > spec-tests/wasm-3.0-skip.txt

Every failure line is attributed to the Wasm 3.0 feature its error names (the decoder says
"... proposal, part of Wasm 3.0, which wsvm does not support yet"; the rest by its words).
A file where a module fails to load (later commands depend on it) is skipped whole; a file
whose failures are independent assertions gets one entry per line. A failure that names no
known feature is printed to stderr and left out: it is a bug to fix, not a skip.
Review the draft; when a feature lands, regenerate it so its entries go away.
"""
import re
import sys
from collections import defaultdict

# (words in the error, feature) in order: the first match names the feature.
FEATURES = [
    ("typed function references", "typed function references"),
    ("malformed reference type", "typed function references"),
    ("garbage collection", "GC"),
    ("malformed function type", "GC"),
    ("exception-handling", "exception handling"),
    ("malformed import kind", "exception handling"),
    ("relaxed SIMD", "relaxed SIMD"),
    ("tail-call", "tail calls"),
    ("multiple memories", "multi-memory"),
    ("zero byte expected", "multi-memory"),
    ("memop flags", "multi-memory"),
    ("END opcode expected", "multi-memory"),
    ("integer too large", "memory64/table64"),
    ("constant expression required", "extended constant expressions"),
    ("unknown global", "extended constant expressions"),
]

LINE = re.compile(r"^([^ :]+\.wast):(\d+): ([a-z_ ]+): (.*)$")


def feature_of(message):
    for words, feature in FEATURES:
        if words in message:
            return feature
    return None


def main(path):
    failures = defaultdict(list)  # file -> [(line, command, message)]
    for text in open(path, encoding="utf-8", errors="replace"):
        m = LINE.match(text.rstrip("\n"))
        if m and m.group(3) != "note":
            failures[m.group(1)].append((int(m.group(2)), m.group(3), m.group(4)))
    print("# Wasm 3.0 scripts (or their commands) that need features wsvm does not implement yet.")
    print("# spec-tests/run uses this list for ../shared/spec-testsuite/wasm-3.0; the runner counts")
    print("# every entry as skipped with its reason. Drafted by tools/skip_list_from_failures.py.")
    for file in sorted(failures):
        entries = failures[file]
        features = sorted({f for f in (feature_of(msg) for _, _, msg in entries) if f})
        whole = any(cmd in ("module", "module instance", "register") for _, cmd, _ in entries)
        if whole:
            if not features:
                print(f"{file}: no known feature behind its failures", file=sys.stderr)
                continue
            print(f"{file} not implemented yet: {', '.join(features)}")
            continue
        for line, cmd, msg in entries:
            feature = feature_of(msg)
            if feature is None:
                print(f"{file}:{line}: no known feature: {cmd}: {msg}", file=sys.stderr)
                continue
            print(f"{file}:{line} not implemented yet: {feature}")


if __name__ == "__main__":
    main(sys.argv[1])

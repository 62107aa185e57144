#!/usr/bin/env python3
"""Prints `passed failed skipped` of the meson test run logged in BUILD/meson-logs/testlog.json
(each meson test counts once). Shared by scripts/test.sh and scripts/sanitize.sh so both
count the same way. Usage: meson_counts.py BUILD_DIR"""
import json
import os
import sys

passed = failed = skipped = 0
with open(os.path.join(sys.argv[1], "meson-logs", "testlog.json")) as log:
    for line in log:
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(passed, failed, skipped)

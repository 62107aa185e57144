#!/usr/bin/env python3
"""Checks every #include of the repository against the layer rules in docs/layers.txt.

  scripts/check_layers.py [REPO]          (the meson test `layers` runs it)

Prints one line per broken rule, `FILE:LINE: includes "X": PART may not include TARGET
(rule "PART: ..." in docs/layers.txt)`, then a summary; exit status 1 when anything is
broken. A project include is resolved like the compiler does: next to the including file
first, then from the repository root.
"""
import fnmatch
import os
import re
import sys

SOURCE_EXTENSIONS = (".cpp", ".hpp", ".h", ".c", ".inc", ".def")
# Folders that hold no project source: build trees, VCS data, npm installs.
SKIPPED_DIRS = {".git", "node_modules", "__pycache__"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
RULES_FILE = os.path.join("docs", "layers.txt")


class Rules:
    def __init__(self, path):
        self.deps = {}      # part -> [declared deps]
        self.lines = {}     # part -> the rule's text, for messages
        self.externs = {}   # header root -> [part patterns]
        with open(path) as f:
            for number, raw in enumerate(f, 1):
                line = raw.split("#", 1)[0].strip()
                if not line:
                    continue
                head, sep, tail = line.partition(":")
                if not sep:
                    sys.exit(f"{path}:{number}: expected 'PART: DEP, ...', got {raw.strip()!r}")
                names = [n.strip() for n in tail.split(",") if n.strip()]
                head = head.strip()
                if head.startswith("extern "):
                    self.externs[head[len("extern "):].strip()] = names
                    continue
                if head in self.deps:
                    sys.exit(f"{path}:{number}: part {head!r} has two rules")
                self.deps[head] = names
                self.lines[head] = line
        for part, deps in self.deps.items():
            for d in deps:
                if d not in self.deps:
                    sys.exit(f"{path}: rule {self.lines[part]!r} names {d!r}, which has no rule")
        self.allowed = {part: self._closure(part, []) for part in self.deps}

    def _closure(self, part, chain):
        if part in chain:
            sys.exit(f"{RULES_FILE}: the rules form a cycle: {' -> '.join(chain + [part])}")
        result = set()
        deps = list(self.deps[part])
        if part.endswith("/tests"):
            owner = part[: -len("/tests")]
            if owner in self.deps:  # X/tests: what X may, and X itself
                deps.append(owner)
        for d in deps:
            result.add(d)
            result |= self._closure(d, chain + [part])
        return result

    def part_of(self, rel):
        """The longest declared part that contains the file `rel` (a repo-relative path)."""
        best = None
        for part in self.deps:
            if rel == part or rel.startswith(part + "/"):
                if best is None or len(part) > len(best):
                    best = part
        # Tests nested deeper in a part (wasi/preview1/tests/) follow the part's test rule.
        if best is not None and not best.endswith("/tests") and \
                "/tests/" in "/" + rel[len(best):] and best + "/tests" in self.deps:
            best += "/tests"
        return best

    def extern_root(self, name):
        """The extern rule's key for `#include <name>`: the longest declared one naming a
        header or folder inside the root (`asmjit/x86` for <asmjit/x86.h> and
        <asmjit/x86/...>), else the root folder itself."""
        best = name.split("/", 1)[0]
        for key in self.externs:
            if (name == key or name.startswith(key + "/") or name.startswith(key + ".")) and \
                    len(key) > len(best):
                best = key
        return best

    def extern_allowed(self, root, part):
        patterns = self.externs.get(root)
        if patterns is None:
            return True
        for p in patterns:
            if fnmatch.fnmatch(part, p) or part.startswith(p + "/") or (
                    part.endswith("/tests") and part[: -len("/tests")] == p):
                return True
        return False


def is_build_dir(repo, rel_dir):
    # Any meson build tree (build/, build-asan/, build-rel/, ...) is generated, not source.
    return os.path.exists(os.path.join(repo, rel_dir, "meson-private"))


def source_files(repo):
    for dirpath, dirnames, filenames in os.walk(repo):
        rel_dir = os.path.relpath(dirpath, repo)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and
                             not is_build_dir(repo, os.path.normpath(os.path.join(rel_dir, d))))
        for name in sorted(filenames):
            if name.endswith(SOURCE_EXTENSIONS):
                yield os.path.normpath(os.path.join(rel_dir, name))


def main():
    repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    rules = Rules(os.path.join(repo, RULES_FILE))
    problems = []
    files = includes = 0
    for rel in source_files(repo):
        files += 1
        part = rules.part_of(rel)
        if part is None:
            problems.append(f"{rel}: is in no part: add a rule for its folder to {RULES_FILE}")
            continue
        with open(os.path.join(repo, rel), errors="replace") as f:
            lines = f.readlines()
        for number, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            includes += 1
            quote, name = m.groups()
            if quote == "<":
                root = rules.extern_root(name)
                if not rules.extern_allowed(root, part):
                    problems.append(
                        f"{rel}:{number}: includes <{name}>: {part} may not use {root} "
                        f"(rule \"extern {root}: {', '.join(rules.externs[root])}\" in {RULES_FILE})")
                continue
            beside = os.path.normpath(os.path.join(os.path.dirname(rel), name))
            target = beside if os.path.exists(os.path.join(repo, beside)) else os.path.normpath(name)
            if not os.path.exists(os.path.join(repo, target)):
                continue  # a generated or system header: nothing in the repo to check
            target_part = rules.part_of(target)
            if target_part is None or target_part == part or target_part in rules.allowed[part]:
                continue
            problems.append(
                f"{rel}:{number}: includes \"{name}\": {part} may not include {target_part} "
                f"(rule \"{rules.lines[part]}\" in {RULES_FILE})")
    for p in problems:
        print(p)
    print(f"layers: {files} files, {includes} includes, {len(problems)} broken rule(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

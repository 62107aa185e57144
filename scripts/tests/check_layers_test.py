#!/usr/bin/env python3
"""Tests of scripts/check_layers.py on small scratch trees that use the real docs/layers.txt:
each upward include of issue 15 must fail with the rule's name, the allowed ones must pass.
  check_layers_test.py REPO"""
import os
import shutil
import subprocess
import sys
import tempfile

repo = os.path.abspath(sys.argv[1])
checker = os.path.join(repo, "scripts", "check_layers.py")
failures = 0


def run_tree(files, rules=None):
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "docs"))
        if rules is None:
            shutil.copy(os.path.join(repo, "docs", "layers.txt"), os.path.join(tmp, "docs"))
        else:
            with open(os.path.join(tmp, "docs", "layers.txt"), "w") as f:
                f.write(rules)
        for path, text in files.items():
            full = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)
        p = subprocess.run([sys.executable, checker, tmp], capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def expect(name, files, status, *texts, rules=None):
    global failures
    code, out = run_tree(files, rules)
    ok = code == status and all(t in out for t in texts)
    print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if not ok:
        failures += 1
        print(f"     status {code} (want {status}); output:\n" + out)


headers = {"decoder/module.hpp": "", "runtime/store.hpp": "", "interp/numerics.hpp": "",
           "cli/options.hpp": "", "semantics/numerics.hpp": "", "jit/compiler.hpp": ""}


def tree(**extra):
    files = dict(headers)
    files.update({k.replace("__", "/").replace("_dot_", "."): v for k, v in extra.items()})
    return files


upward = [
    ("decoder -> runtime", "decoder__decode_dot_cpp", '#include "runtime/store.hpp"', 'rule "decoder:'),
    ("jit -> interp", "jit__helpers_dot_cpp", '#include "interp/numerics.hpp"', 'rule "jit: runtime, semantics"'),
    ("wasi -> a tier", "wasi__fd_dot_cpp", '#include "jit/compiler.hpp"', 'rule "wasi: runtime, component"'),
    ("runtime -> cli", "runtime__store_dot_cpp", '#include "cli/options.hpp"', 'rule "runtime:'),
]
for name, path, line, rule in upward:
    expect(f"refused: {name}", tree(**{path: line + "\n"}), 1, rule, "may not include")

expect("allowed: jit -> semantics, runtime -> decoder (transitive), tests -> own part",
       tree(jit__helpers_dot_cpp='#include "semantics/numerics.hpp"\n#include "decoder/module.hpp"\n',
            jit__tests__a_dot_cpp='#include "jit/compiler.hpp"\n#include <catch2/catch.hpp>\n',
            decoder__x_dot_cpp='#include "module.hpp"\n'), 0, "0 broken rule(s)")
expect("refused: catch2 outside test code", tree(runtime__a_dot_cpp="#include <catch2/catch.hpp>\n"), 1,
       'rule "extern catch2')
expect("refused: asmjit outside the JIT", tree(interp__a_dot_cpp="#include <asmjit/x86.h>\n"), 1,
       'rule "extern asmjit')
expect("refused: a folder without a rule", tree(newpart__a_dot_cpp="int x;\n"), 1, "is in no part")
expect("refused: a cycle in the rules", tree(), 1, "cycle", rules="a: b\nb: a\n")
expect("refused: a rule naming an unknown part", tree(), 1, "has no rule", rules="a: nowhere\n")
print(f"{failures} failed")
sys.exit(1 if failures else 0)

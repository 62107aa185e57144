#!/usr/bin/env python3
"""Builds a JavaScript component with componentize-js (jco componentize, SpiderMonkey), or
with componentize-qjs (QuickJS, the synchronous ABI: --sync) given --qjs.
Usage: componentize.py NPM_DIR APP.js WORLD.wit WORLD_NAME OUT.wasm [--http | --qjs]

jco reads the WIT through its own WASI shim, which starts with no preopens; node first loads
a one-line module giving it '/' (TOOLCHAIN-NOTES.md). The WASI packages the world uses come
from jco's own copies (lib/wit/builtin/0.2.12). wasi:http and the fetch event are disabled
for command programs (they do not use them). With --http the program is a fetch-event
handler: its world exports wasi:http/incoming-handler@0.2.10, the version componentize-js's
engine implements, so the wasi:http package is given as 0.2.10 (TOOLCHAIN-NOTES.md).
componentize-qjs is a native program and reads the WIT itself."""
import os
import shutil
import subprocess
import sys
import tempfile

npm, app, world, name, out = sys.argv[1:6]
http = sys.argv[6:] == ["--http"]
qjs = sys.argv[6:] == ["--qjs"]
npm = os.path.abspath(npm)
jco_pkg = os.path.join(npm, "node_modules", "@bytecodealliance", "jco")
shim_fs = os.path.join(npm, "node_modules", "@bytecodealliance", "preview2-shim", "dist", "nodejs", "filesystem.js")
builtin = os.path.join(jco_pkg, "lib", "wit", "builtin", "0.2.12")
with tempfile.TemporaryDirectory(prefix="wsvm-componentize-") as tmp:
    wit = os.path.join(tmp, "wit")
    os.makedirs(os.path.join(wit, "deps"))
    shutil.copy(world, os.path.join(wit, "world.wit"))
    for pkg in os.listdir(builtin):
        shutil.copytree(os.path.join(builtin, pkg), os.path.join(wit, "deps", pkg))
    if http:
        http_wit = os.path.join(wit, "deps", "wasi-http")
        for f in os.listdir(http_wit):
            path = os.path.join(http_wit, f)
            with open(path) as src:
                text = src.read().replace("package wasi:http@0.2.12;", "package wasi:http@0.2.10;")
            with open(path, "w") as dst:
                dst.write(text)
    preopen = f"data:text/javascript,import {{ _setPreopens }} from 'file://{shim_fs}'; _setPreopens({{ '/': '/' }});"
    cmd = ["node", "--import", preopen, os.path.join(npm, "node_modules", ".bin", "jco"),
           "componentize", os.path.abspath(app),
           "--wit", wit, "-n", name, *([] if http else ["-d", "http", "fetch-event"]), "-o", os.path.abspath(out)]
    if qjs:
        cmd = [os.path.join(npm, "node_modules", ".bin", "componentize-qjs"), "--sync", "--wit", wit,
               "-n", name, "--js", os.path.abspath(app), "-o", os.path.abspath(out)]
    r = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(out):
        sys.stderr.write(r.stdout + r.stderr)
        sys.exit(1)

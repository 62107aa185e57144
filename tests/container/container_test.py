#!/usr/bin/env python3
"""Process tests of the application container: `wsvm up` (each grant and denial of a
manifest seen from inside the guest, limits, checksums, the audit's refusal), malformed
manifests, `wsvm inspect` of modules and manifests, and OCI image layouts.

Usage: container_test.py WSVM GUEST_WASM ENGINE CASE   (CASE: a test_ function minus test_)
Every case runs with `--engine ENGINE` where the command takes one.
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from proc_test import Failure, expect, run_case, run_command  # noqa: E402

WSVM = ""
GUEST = ""
ENGINE = ""
EXIT_OK, EXIT_USAGE, EXIT_LOAD, EXIT_TIMEOUT, EXIT_FUEL, EXIT_TRAP = 0, 2, 126, 124, 125, 134
WORK = None  # a fresh folder per case


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write(name, text):
    path = os.path.join(WORK, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def up(*args, manifest="app.toml", timeout=60):
    return run_command([WSVM, "up", "--engine", ENGINE, *args, os.path.join(WORK, manifest)], timeout=timeout)


def wsvm(*args, timeout=60):
    return run_command([WSVM, *args], timeout=timeout)


def manifest(args, extra="", resources='max_memory = "64MiB"\nmax_cpu_time = "10s"', image=None):
    """A manifest for the probe guest with its args; `extra` adds tables."""
    image = image or f'source = "{GUEST}"'
    argv = ", ".join(json.dumps(a) for a in args)
    return (f'[container]\nname = "probe"\nversion = "1.0.0"\n\n[image]\n{image}\nargs = [{argv}]\n\n'
            f'[resources]\n{resources}\n\n{extra}')


def folders():
    os.makedirs(os.path.join(WORK, "data"))
    os.makedirs(os.path.join(WORK, "out"))
    write("data/in.txt", "hello data\n")


def lines_without_warnings(err):
    return [l for l in err.splitlines() if not l.startswith("wsvm: warning: ")]


# --- grants and denials, seen from inside -----------------------------------------------------

def test_grants_and_denials():
    folders()
    write("app.toml", manifest(
        ["env", "GREETING", "HIDDEN", "HOME", "--", "read", "/data/in.txt", "write", "/data/new.txt",
         "write", "/out/result.txt", "read", "/etc/passwd", "read", "/data/../../etc/passwd"],
        extra='[permissions]\nenv = ["GREETING"]\nfs = [{ path = "data", access = "ro" }, { path = "out", access = "rw" }]\n\n'
              '[env]\nGREETING = "hi"\nHIDDEN = "secret"\n\n[mount]\ndata = "/data"\nout = "/out"\n'))
    r = up()
    expect(r[0] == EXIT_OK, "wsvm up should run the guest", r)
    out = r[1].splitlines()
    expect("GREETING=hi" in out, "an allowed [env] variable reaches the guest", r)
    expect("HIDDEN unset" in out, "an [env] variable outside permissions.env is not injected", r)
    expect("HOME unset" in out, "the host environment is not inherited", r)
    expect("read /data/in.txt: hello data" in out, "a read-only grant can be read", r)
    expect(any(l.startswith("write /data/new.txt: denied") for l in out), "a read-only grant refuses writes", r)
    expect("write /out/result.txt: ok" in out, "a read-write grant takes writes", r)
    expect(not os.path.exists(os.path.join(WORK, "data", "new.txt")), "nothing was written under the ro grant", r)
    with open(os.path.join(WORK, "out", "result.txt")) as f:
        expect(f.read() == "written by the guest\n", "the rw write reached the host folder")
    expect(any(l.startswith("read /etc/passwd: denied") for l in out), "an ungranted path is unreachable", r)
    expect(any(l.startswith("read /data/../../etc/passwd: denied") for l in out), "no escape with ..", r)
    expect("ENV_NOT_ALLOWED" in r[2], "wsvm up says which [env] variable it did not inject", r)


def test_no_grants_no_access():
    folders()
    write("app.toml", manifest(["read", "/data/in.txt", "env", "GREETING"], extra='[env]\nGREETING = "hi"\n'))
    r = up()
    expect(r[0] == EXIT_OK, "runs", r)
    expect(r[1].startswith("read /data/in.txt: denied"), "no fs grant: no file access", r)
    expect("GREETING unset" in r[1], "no env allow-list: no variable", r)


def test_args_and_exit_code():
    write("app.toml", manifest(["exit", "7"]))
    r = up()
    expect(r[0] == 7, "the guest's exit code passes through", r)
    r = run_command([WSVM, "up", "--engine", ENGINE, os.path.join(WORK, "app.toml"), "env", "X"])
    expect(r[0] == 7, "manifest args come first", r)


def test_mount_names_guest_path():
    folders()
    write("app.toml", manifest(["read", "/srv/in.txt"], extra='[permissions]\nfs = [{ path = "data" }]\n[mount]\ndata = "/srv"\n'))
    r = up()
    expect(r[1] == "read /srv/in.txt: hello data\n", "the mount's guest path names the grant", r)


def test_absolute_and_relative_source():
    shutil.copy(GUEST, os.path.join(WORK, "guest.wasm"))
    write("app.toml", manifest(["exit", "3"], image='source = "guest.wasm"'))
    r = up()
    expect(r[0] == 3, "a relative source is found beside the manifest", r)


# --- limits -------------------------------------------------------------------------------------

def test_cpu_time_limit():
    write("app.toml", manifest(["spin"], resources='max_cpu_time = "300ms"\nmax_memory = "64MiB"'))
    r = up(timeout=30)
    expect(r[0] == EXIT_TIMEOUT, "max_cpu_time ends a looping guest with 124", r)
    expect(lines_without_warnings(r[2]) == ["wsvm: timeout: run interrupted after 300ms"], "the timeout line", r)


def test_fuel_limit():
    write("app.toml", manifest(["spin"], resources='fuel = 100000\nmax_memory = "64MiB"'))
    r = up(timeout=30)
    expect(r[0] == EXIT_FUEL, "fuel ends a looping guest with 125", r)


def test_memory_limit():
    write("app.toml", manifest(["grow", "1", "grow", "8"], resources='max_memory = "4MiB"\nmax_cpu_time = "10s"'))
    r = up()
    expect(r[0] == EXIT_OK, "runs", r)
    expect(r[1] == "grow 1: ok\ngrow 8: failed\n", "memory past max_memory cannot be had", r)


def test_command_line_cannot_widen():
    write("app.toml", manifest(["exit", "0"]))
    for extra in (["--dir", "/"], ["--env", "A=1"], ["--max-memory", "1GiB"], ["--timeout", "1h"]):
        r = up(*extra)
        expect(r[0] == EXIT_USAGE and r[2].count("\n") == 1, f"wsvm up {' '.join(extra)} is refused", r)


# --- checksum ------------------------------------------------------------------------------------

def test_checksum_verified():
    with open(GUEST, "rb") as f:
        digest = sha256(f.read())
    write("app.toml", manifest(["exit", "5"], image=f'source = "{GUEST}"\nchecksum = "{digest}"'))
    r = up()
    expect(r[0] == 5, "the right checksum runs", r)
    expect("NO_CHECKSUM" not in r[2], "no checksum warning", r)
    write("app.toml", manifest(["exit", "5"], image=f'source = "{GUEST}"\nchecksum = "{digest.upper().replace("SHA256", "sha256")}"'))
    expect(up()[0] == 5, "hex digits in upper case are accepted")


def test_checksum_mismatch():
    bad = "sha256:" + "0" * 64
    write("app.toml", manifest(["write", "/out/x"], image=f'source = "{GUEST}"\nchecksum = "{bad}"'))
    r = up()
    expect(r[0] == EXIT_LOAD, "a checksum mismatch is a load error (126)", r)
    expect(r[1] == "", "nothing ran", r)
    expect(r[2].count("\n") == 1 and "checksum mismatch: expected " + bad in r[2] and "got sha256:" in r[2], "one line naming both digests", r)


# --- the audit ------------------------------------------------------------------------------------

def test_critical_findings_refused():
    os.makedirs(os.path.join(WORK, "data"))
    write("app.toml", manifest(["exit", "0"], resources='max_memory = "64MiB"'))
    r = up()
    expect(r[0] == EXIT_USAGE, "no cpu-time or fuel limit: refused", r)
    expect("wsvm: critical: NO_TIMEOUT:" in r[2] and "--allow-risky" in r[2], "says why and how to override", r)
    r = up("--allow-risky")
    expect(r[0] == EXIT_OK, "--allow-risky starts it anyway", r)
    write("app.toml", manifest(["exit", "0"], extra='[permissions]\nfs = [{ path = "/", access = "rw" }]\n'))
    r = up()
    expect(r[0] == EXIT_USAGE and "OVERLY_BROAD_FS" in r[2], "/ read-write is critical", r)
    write("app.toml", manifest(["exit", "0"], extra='[permissions]\nfs = [{ path = "data/../../../../../../etc", access = "rw" }]\n'))
    r = up()
    expect(r[0] == EXIT_USAGE and "OVERLY_BROAD_FS" in r[2] and "(/etc)" in r[2], "a path resolving to /etc is judged as /etc", r)


def test_inspect_manifest():
    with open(GUEST, "rb") as f:
        digest = sha256(f.read())
    write("app.toml", manifest(["x"], resources='max_memory = "1GiB"', image=f'source = "{GUEST}"\nchecksum = "{digest}"',
                               extra='[permissions]\nenv = ["DB_PASSWORD"]\nfs = [{ path = "/etc", access = "ro" }]\n'
                                     'network = { inbound = ["0.0.0.0:8080"], outbound = ["example.com"] }\n'
                                     '[env]\nDB_PASSWORD = "x"\n'))
    r = wsvm("inspect", os.path.join(WORK, "app.toml"))
    expect(r[0] == EXIT_OK, "inspect of a manifest succeeds", r)
    for code in ("warning MEMORY_LIMIT", "critical NO_TIMEOUT", "warning OVERLY_BROAD_FS", "warning SENSITIVE_ENV",
                 "warning NETWORK_INBOUND", "info NETWORK_OUTBOUND"):
        expect(code in r[1], f"finding {code}", r)
    r = wsvm("inspect", "--json", os.path.join(WORK, "app.toml"))
    j = json.loads(r[1])
    codes = {f["code"]: f["severity"] for f in j["findings"]}
    expect(codes.get("NO_TIMEOUT") == "critical" and codes.get("SENSITIVE_ENV") == "warning", "JSON findings", r)
    # What the image asks for and the manifest does not grant.
    write("app.toml", manifest(["x"]))
    r = wsvm("inspect", os.path.join(WORK, "app.toml"))
    expect("UNGRANTED_CAPABILITY" in r[1] and "files" in r[1], "files asked for, not granted", r)


# --- malformed manifests: one line with file:line:column and the field, exit 2 -----------------

BAD_MANIFESTS = [
    ("[image\nsource = 'x'", "app.toml:1:7: malformed TOML"),
    ("[container]\nname = 'x'\n", "app.toml:1:1: image: missing"),
    ("[image]\nsource = 'g.wasm'\n[resorces]\nfuel = 1\n", "app.toml:3:2: resorces: unknown table"),
    ("[image]\nsource = 'g.wasm'\n[resources]\nmax_memroy = '1MiB'\n", "app.toml:4:1: resources.max_memroy: unknown key"),
    ("[image]\nsource = 'g.wasm'\n[resources]\nmax_memory = '64MB'\n", "app.toml:4:14: resources.max_memory:"),
    ("[image]\nsource = 'g.wasm'\n[resources]\nmax_cpu_time = 'soon'\n", "app.toml:4:16: resources.max_cpu_time:"),
    ("[image]\nsource = 'g.wasm'\n[resources]\nfuel = -1\n", "app.toml:4:8: resources.fuel: -1 is out of range"),
    ("[image]\nsource = 'g.wasm'\n[resources]\nfuel = 'lots'\n", "app.toml:4:8: resources.fuel: must be a whole number"),
    ("[image]\nsource = 'g.wasm'\nchecksum = 'md5:abc'\n", "app.toml:3:12: image.checksum: must be \"sha256:\""),
    ("[image]\nsource = 42\n", "app.toml:2:10: image.source: must be a string"),
    ("[image]\nsource = 'g.wasm'\n[permissions]\nfs = [{ path = 'd', access = 'rwx' }]\n", "permissions.fs.access: must be \"ro\" or \"rw\""),
    ("[image]\nsource = 'g.wasm'\n[permissions]\nfs = ['d']\n", "app.toml:4:7: permissions.fs: each entry"),
    ("[image]\nsource = 'g.wasm'\n[permissions]\nclocks = false\n", "app.toml:4:10: permissions.clocks: denying clocks is not supported"),
    ("[image]\nsource = 'g.wasm'\n[permissions]\nnetwork = { inbound = ['nowhere'] }\n", "permissions.network.inbound: 'nowhere' is not HOST:PORT"),
    ("[image]\nsource = 'g.wasm'\n[mount]\n'/etc' = '/etc'\n", "app.toml:4:1: mount./etc: host path not granted by permissions.fs"),
    ("[image]\nsource = 'g.wasm'\n[env]\nA = 1\n", "app.toml:4:5: env.A: must be a string"),
    ("[image]\nsource = 'g.wasm'\n[scaling]\nmin_instances = 5\nmax_instances = 2\n", "scaling.min_instances: is larger than scaling.max_instances"),
    ("image = 3\n", "app.toml:1:1: image: must be a table"),
    ("[image]\nsource = 'g.wasm'\nsource = 'h.wasm'\n", "app.toml:3:10: malformed TOML"),
    ("\x00\x01\x02garbage", "app.toml:1:1: malformed TOML"),
    ("[=\n", "app.toml:1:2: malformed TOML"),
    ("[image]\nsource = \"\\u001b[31mred\"\nchecksum = 1\n", "image.checksum: must be a string"),
    ("[image]\nsource = 'g.wasm'\n[http]\nmax_connections = 3\n", "app.toml:3:1: http.addr: missing"),
    ("[image]\nsource = 'g.wasm'\n[http]\naddr = 'everywhere'\n", "app.toml:4:8: http.addr: 'everywhere' is not HOST:PORT"),
]


def test_malformed_manifests():
    for text, want in BAD_MANIFESTS:
        path = write("app.toml", text)
        for cmd in (["up", "--engine", ENGINE], ["inspect"]):
            r = wsvm(*cmd, path)
            expect(r[0] == EXIT_USAGE, f"{text!r}: exit 2 for wsvm {cmd[0]}", r)
            expect(r[1] == "" and r[2].count("\n") == 1, f"{text!r}: one stderr line", r)
            if want.startswith("app.toml:"):
                ok = r[2].startswith("wsvm: error: " + os.path.join(WORK, want))
            else:
                ok = r[2].startswith("wsvm: error: " + path + ":") and want in r[2]
            expect(ok, f"{text!r}: error names file:line:column and field: want {want!r}", r)
            expect("\x1b" not in r[2], "no raw control bytes in the message", r)


def test_unreadable_manifests():
    r = wsvm("up", os.path.join(WORK, "missing.toml"))
    expect(r[0] == EXIT_USAGE and "cannot read the manifest" in r[2] and r[2].count("\n") == 1, "missing manifest", r)
    r = wsvm("up", WORK)
    expect(r[0] == EXIT_USAGE and "is a directory" in r[2], "a directory", r)
    with open(os.path.join(WORK, "big.toml"), "w") as f:
        f.write("# " + "x" * (2 << 20) + "\n")
    r = wsvm("up", os.path.join(WORK, "big.toml"))
    expect(r[0] == EXIT_USAGE and "larger than" in r[2], "a huge manifest is refused unread", r)
    write("app.toml", manifest(["x"], image='source = "does-not-exist.wasm"'))
    r = up()
    expect(r[0] == EXIT_LOAD and "does-not-exist.wasm" in r[2] and r[2].count("\n") == 1, "a missing image", r)


# --- inspect a module ------------------------------------------------------------------------------

def test_inspect_module():
    r = wsvm("inspect", GUEST)
    expect(r[0] == EXIT_OK, "inspect succeeds", r)
    for want in ("core module", "func wasi_snapshot_preview1 path_open", "func _start: [] -> []", "memory 0: min",
                 "capabilities: args env exit files", "code ", "risks"):
        expect(want in r[1], f"text report has {want!r}", r)
    r = wsvm("inspect", "--json", GUEST)
    j = json.loads(r[1])
    expect(j["kind"] == "module" and "files" in j["capabilities"] and any(e["name"] == "_start" for e in j["exports"]), "JSON report", r)
    wat = write("m.wat", '(module (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))'
                         ' (memory 1 65536) (func $s) (start $s))')
    r = wsvm("inspect", wat)
    expect(r[0] == EXIT_OK and "imports sockets" in r[1] and "maximum 4 GiB" in r[1] and "start function" in r[1], "risk notes", r)


def test_inspect_bad_input():
    for name, data in (("empty.wasm", b""), ("trunc.wasm", b"\0asm\1\0\0\0\1\5"), ("garbage.wasm", os.urandom(64))):
        path = os.path.join(WORK, name)
        with open(path, "wb") as f:
            f.write(data)
        r = wsvm("inspect", path)
        expect(r[0] == EXIT_LOAD and r[2].count("\n") == 1 and r[2].startswith("wsvm: error: "), f"{name}: one error line, 126", r)
    r = wsvm("inspect")
    expect(r[0] == EXIT_USAGE, "no file: usage", r)


# --- OCI image layouts ---------------------------------------------------------------------------------

def make_layout(wasm, tag="latest", layer_type="application/wasm", config_type="application/vnd.wasm.config.v0+json"):
    """An OCI layout written by the test itself (the format's own JSON), not by wsvm."""
    root = os.path.join(WORK, "image")
    blobs = os.path.join(root, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)

    def blob(data):
        d = sha256(data)
        with open(os.path.join(blobs, d[7:]), "wb") as f:
            f.write(data)
        return d

    config = json.dumps({"architecture": "wasm", "os": "wasip1"}).encode()
    manifest_doc = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": config_type, "digest": blob(config), "size": len(config)},
        "layers": [{"mediaType": layer_type, "digest": blob(wasm), "size": len(wasm)}]}).encode()
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(manifest_doc),
        "size": len(manifest_doc), "annotations": {"org.opencontainers.image.ref.name": tag}}]}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    return root


def test_oci_layout_runs():
    with open(GUEST, "rb") as f:
        wasm = f.read()
    for layer in ("application/wasm", "application/vnd.wasm.content.layer.v1+wasm"):
        shutil.rmtree(os.path.join(WORK, "image"), ignore_errors=True)
        make_layout(wasm, tag="v1", layer_type=layer)
        write("app.toml", manifest(["exit", "9"], image='source = "oci:image:v1"'))
        r = up()
        expect(r[0] == 9, f"an OCI layout with a {layer} layer runs", r)
        write("app.toml", manifest(["exit", "9"], image='source = "oci:image"'))
        expect(up()[0] == 9, "the only manifest is chosen without a tag")
    write("app.toml", manifest(["exit", "9"], image='source = "oci:image:v2"'))
    r = up()
    expect(r[0] == EXIT_LOAD and "no manifest tagged 'v2' (tags: v1)" in r[2], "an unknown tag", r)


def test_oci_layout_tampered():
    with open(GUEST, "rb") as f:
        wasm = f.read()
    root = make_layout(wasm)
    layer = os.path.join(root, "blobs", "sha256", sha256(wasm)[7:])
    with open(layer, "r+b") as f:
        f.seek(100)
        f.write(b"\xff")
    write("app.toml", manifest(["exit", "9"], image='source = "oci:image"'))
    r = up()
    expect(r[0] == EXIT_LOAD and "checksum mismatch" in r[2] and r[1] == "", "a changed layer is refused before it runs", r)
    # A digest used as a path must not escape the blob folder.
    index = os.path.join(root, "index.json")
    with open(index) as f:
        j = json.load(f)
    j["manifests"][0]["digest"] = "sha256:../../../../etc/passwd"
    with open(index, "w") as f:
        json.dump(j, f)
    r = up()
    expect(r[0] == EXIT_LOAD and "is not sha256:<64 hex digits>" in r[2], "a hostile digest is refused", r)
    with open(index, "w") as f:
        f.write("{not json")
    r = up()
    expect(r[0] == EXIT_LOAD and "index.json is not a JSON object" in r[2] and r[2].count("\n") == 1, "garbage index.json", r)
    shutil.rmtree(root)
    make_layout(wasm, config_type="application/vnd.oci.image.config.v1+json")
    r = up()
    expect(r[0] == EXIT_LOAD and "not a Wasm artifact" in r[2], "a container image that is not Wasm", r)


def test_oci_layout_skopeo_cross_check():
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        raise Skip("skopeo is not installed (Debian package skopeo)")
    with open(GUEST, "rb") as f:
        wasm = f.read()
    make_layout(wasm, tag="v1")
    # skopeo copies the layout to another layout: its own reading and writing of the format.
    r = run_command([skopeo, "copy", "--insecure-policy", "oci:" + os.path.join(WORK, "image") + ":v1",
                     "oci:" + os.path.join(WORK, "copy") + ":v2"], timeout=120)
    expect(r[0] == 0, "skopeo copies the layout", r)
    write("app.toml", manifest(["exit", "4"], image='source = "oci:copy:v2"'))
    r = up()
    expect(r[0] == 4, "the layout skopeo wrote runs", r)


def test_build_and_run_oci():
    """`wsvm build` writes a layout that `wsvm run`, `validate`, `inspect` and a manifest take."""
    with open(GUEST, "rb") as f:
        wasm = f.read()
    image = "oci:" + os.path.join(WORK, "built")
    r = wsvm("build", GUEST, image + ":v1")
    expect(r[0] == EXIT_OK and sha256(wasm) in r[1] and f"{len(wasm)} bytes" in r[1], "build names the layer", r)
    r = wsvm("--engine", ENGINE, image + ":v1", "exit", "7")
    expect(r[0] == 7, "wsvm run oci:DIR:TAG runs the image", r)
    r = wsvm("--engine", ENGINE, image, "exit", "5")
    expect(r[0] == 5, "the only tag is chosen without one", r)
    expect(wsvm("validate", image + ":v1")[0] == EXIT_OK, "wsvm validate oci:...")
    r = wsvm("inspect", image + ":v1")
    expect(r[0] == EXIT_OK and "core module" in r[1], "wsvm inspect oci:...", r)
    write("app.toml", manifest(["exit", "3"], image='source = "oci:built:v1"'))
    expect(up()[0] == 3, "a manifest runs the built image")
    # From a manifest: its image, checksum verified, becomes the layer.
    write("src.toml", manifest(["exit", "3"], image=f'source = "{GUEST}"\nchecksum = "{sha256(wasm)}"'))
    r = wsvm("build", os.path.join(WORK, "src.toml"), image + ":v2")
    expect(r[0] == EXIT_OK and sha256(wasm) in r[1], "build from a manifest", r)
    r = wsvm("--engine", ENGINE, image, "exit", "5")
    expect(r[0] == EXIT_LOAD and "name one with oci:DIR:TAG (tags: v1, v2)" in r[2], "two tags: one must be named", r)
    write("bad.toml", manifest(["exit", "3"], image=f'source = "{GUEST}"\nchecksum = "sha256:{"0" * 64}"'))
    r = wsvm("build", os.path.join(WORK, "bad.toml"), "oci:" + os.path.join(WORK, "nope"))
    expect(r[0] == EXIT_LOAD and "checksum mismatch" in r[2], "a manifest whose checksum fails", r)
    expect(not os.path.exists(os.path.join(WORK, "nope")), "and nothing is written", r)
    garbage = write("garbage.wasm", "\0asm\x01\0\0\0\x05garbage")
    r = wsvm("build", garbage, "oci:" + os.path.join(WORK, "nope"))
    expect(r[0] == EXIT_LOAD and r[2].count("\n") == 1 and "malformed" in r[2], "an invalid module is refused", r)
    expect(not os.path.exists(os.path.join(WORK, "nope")), "and nothing is written", r)
    r = wsvm("build", GUEST, os.path.join(WORK, "plain-dir"))
    expect(r[0] == EXIT_USAGE and "oci:DIR[:TAG]" in r[2], "the target must be an oci: layout", r)
    r = wsvm("--engine", ENGINE, "oci:" + os.path.join(WORK, "missing") + ":v1")
    expect(r[0] == EXIT_LOAD and r[2].count("\n") == 1 and "not an OCI image layout" in r[2], "no layout there", r)
    skopeo = shutil.which("skopeo")
    if skopeo:  # skopeo reads what build wrote
        r = run_command([skopeo, "copy", "--insecure-policy", image + ":v1",
                         "oci:" + os.path.join(WORK, "copy") + ":v9"], timeout=120)
        expect(r[0] == 0, "skopeo copies the built layout", r)
        r = wsvm("--engine", ENGINE, "oci:" + os.path.join(WORK, "copy") + ":v9", "exit", "4")
        expect(r[0] == 4, "the copy skopeo wrote runs", r)


def tar_of(root, out, prefix="./", extra=None):
    """The layout folder `root` as a tar file (entries named PREFIX + path, as `tar -C root -cf
    out .` names them), plus `extra` entries: (TarInfo, bytes or None)."""
    with tarfile.open(out, "w") as t:
        for dirpath, _, names in os.walk(root):
            for name in sorted(names):
                full = os.path.join(dirpath, name)
                t.add(full, arcname=prefix + os.path.relpath(full, root))
        for info, data in extra or []:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return out


def test_oci_layout_tar():
    """oci:FILE.tar: a layout kept as one tar file (plain or gzip'd): run, build into it,
    skopeo's oci-archive both ways, and hostile archives answered with one line."""
    with open(GUEST, "rb") as f:
        wasm = f.read()
    root = make_layout(wasm, tag="v1")
    plain = tar_of(root, os.path.join(WORK, "image.tar"))
    r = wsvm("--engine", ENGINE, "oci:" + plain + ":v1", "exit", "6")
    expect(r[0] == 6, "a layout in a tar file runs", r)
    with open(plain, "rb") as f, gzip.open(os.path.join(WORK, "image.tar.gz"), "wb") as g:
        g.write(f.read())
    r = wsvm("--engine", ENGINE, "oci:" + os.path.join(WORK, "image.tar.gz") + ":v1", "exit", "5")
    expect(r[0] == 5, "a gzip'd tar runs", r)
    write("app.toml", manifest(["exit", "9"], image='source = "oci:image.tar:v1"'))
    expect(up()[0] == 9, "a manifest's source may be a tar layout")
    # wsvm build writes a tar when the target is one; a second tag keeps the first.
    built = os.path.join(WORK, "built.tar")
    expect(wsvm("build", GUEST, "oci:" + built + ":a")[0] == EXIT_OK, "build into a new .tar")
    expect(wsvm("build", GUEST, "oci:" + built + ":b")[0] == EXIT_OK, "build a second tag into it")
    with tarfile.open(built) as t:
        names = t.getnames()
    expect("index.json" in names and "oci-layout" in names and f"blobs/sha256/{sha256(wasm)[7:]}" in names,
           f"the tar holds the layout's files ({names})")
    for tag, code in (("a", 3), ("b", 4)):
        r = wsvm("--engine", ENGINE, f"oci:{built}:{tag}", "exit", str(code))
        expect(r[0] == code, f"tag {tag} of the built tar runs", r)
    skopeo = shutil.which("skopeo")
    if skopeo:
        r = run_command([skopeo, "copy", "--insecure-policy", f"oci-archive:{built}:a",
                         "oci:" + os.path.join(WORK, "from-tar") + ":v1"], timeout=120)
        expect(r[0] == 0, "skopeo reads the tar wsvm wrote", r)
        r = run_command([skopeo, "copy", "--insecure-policy", "oci:" + root + ":v1",
                         "oci-archive:" + os.path.join(WORK, "sk.tar") + ":v2"], timeout=120)
        expect(r[0] == 0, "skopeo writes an oci-archive", r)
        r = wsvm("--engine", ENGINE, "oci:" + os.path.join(WORK, "sk.tar") + ":v2", "exit", "2")
        expect(r[0] == 2, "the oci-archive skopeo wrote runs", r)

    def refused(path, what, phrase):
        r = wsvm("--engine", ENGINE, "oci:" + path + ":v1", "exit", "1")
        expect(r[0] == EXIT_LOAD and r[1] == "" and r[2].count("\n") == 1 and phrase in r[2], what, r)

    refused(write("garbage.tar", "this is no tar archive at all\n" * 40), "a file that is not a tar", "not a tar archive")
    with open(plain, "rb") as f:
        whole = f.read()
    cut = os.path.join(WORK, "cut.tar")
    at = whole.index(wasm[:64]) + 16  # inside the Wasm layer's data
    with open(cut, "wb") as f:
        f.write(whole[:at])
    r = wsvm("--engine", ENGINE, "oci:" + cut + ":v1", "exit", "1")
    expect(r[0] == EXIT_LOAD and r[2].count("\n") == 1, "a tar cut short inside a blob", r)
    # A blob changed inside the archive: the digest check refuses it.
    with open(os.path.join(WORK, "tampered.tar"), "wb") as f:
        f.write(whole[:at] + bytes([whole[at] ^ 0xff]) + whole[at + 1:])
    refused(os.path.join(WORK, "tampered.tar"), "a changed blob in a tar", "checksum mismatch")
    # The layer as a symlink to a file outside: links are never followed.
    layer_name = "blobs/sha256/" + sha256(wasm)[7:]
    os.remove(os.path.join(root, layer_name))
    link = tarfile.TarInfo("./" + layer_name)
    link.type, link.linkname = tarfile.SYMTYPE, GUEST
    refused(tar_of(root, os.path.join(WORK, "link.tar"), extra=[(link, None)]), "a blob that is a symlink",
            "not in the archive")
    # Entries climbing out ("../x", absolute names) are skipped, never written anywhere.
    escape = tarfile.TarInfo("../escaped-" + str(os.getpid()))
    escape.size = 3
    absolute = tarfile.TarInfo("/tmp/absolute-" + str(os.getpid()))
    absolute.size = 3
    refused(tar_of(root, os.path.join(WORK, "escape.tar"), extra=[(escape, b"abc"), (absolute, b"abc")]),
            "hostile names beside a missing layer", "not in the archive")
    expect(not os.path.exists(os.path.join(os.path.dirname(WORK), "escaped-" + str(os.getpid())))
           and not os.path.exists("/tmp/absolute-" + str(os.getpid())), "nothing extracted")
    # A layer whose header claims 64 GiB: refused from the header, no allocation.
    shutil.rmtree(root)
    root = make_layout(wasm, tag="v1")
    os.remove(os.path.join(root, layer_name))
    huge = tarfile.TarInfo(layer_name)
    huge.size = 64 << 30
    out = os.path.join(WORK, "huge.tar")
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
        for dirpath, _, names in os.walk(root):
            for name in names:
                t.add(os.path.join(dirpath, name), arcname=os.path.relpath(os.path.join(dirpath, name), root))
        t.fileobj.write(huge.tobuf(tarfile.GNU_FORMAT))  # the header only: no 64 GiB follow
    refused(out, "a blob declared as 64 GiB", "larger than")
    dup = tarfile.TarInfo("index.json")
    dup.size = 2
    refused(tar_of(root, os.path.join(WORK, "dup.tar"), prefix="", extra=[(dup, b"{}")]), "index.json twice",
            "appears twice")
    # Building into something that is not a tar changes nothing.
    before = open(os.path.join(WORK, "garbage.tar"), "rb").read()
    r = wsvm("build", GUEST, "oci:" + os.path.join(WORK, "garbage.tar") + ":v1")
    expect(r[0] != EXIT_OK and r[2].count("\n") == 1 and "not a tar archive" in r[2], "build into a non-tar file", r)
    expect(open(os.path.join(WORK, "garbage.tar"), "rb").read() == before, "which is left as it was")


def test_linked_components():
    """[components.NAME]: components linked to the image by interface name (semver), in
    dependency order whatever the manifest's order; cycles, an interface two of them export,
    a bad checksum, a missing provider, a trap inside a linked component."""
    fixtures = os.path.dirname(GUEST)  # linked_*.wasm, built beside the guest (meson.build)

    def fx(name):
        return os.path.join(fixtures, f"linked_{name}.wasm")

    def run_linked(app, components, extra=""):
        comps = "".join(f'[components.{n}]\nsource = "{fx(f)}"\n{extra if n == components[0][0] else ""}'
                        for n, f in components)
        write("app.toml", manifest([], image=f'source = "{fx(app)}"') + comps)
        r = up()
        return r[0], r[1], lines_without_warnings(r[2])

    r = run_linked("app", [("calc", "calc")])
    expect(r[0] == 42, "the app's exit status is add(40, 2) from the linked calc (1.0.0 import, 1.0.2 export)", r)
    r = run_linked("app_twice", [("twice", "twice"), ("calc", "calc")])
    expect(r[0] == 42, "twice -> calc: instantiated in dependency order, not the manifest's", r)
    r = run_linked("app_fail", [("calc", "calc")])
    expect(r[0] == EXIT_TRAP and r[2][:1] == ["wsvm: trap: unreachable"], "a trap in a linked component", r)
    r = run_linked("app", [("a", "cycle_a"), ("b", "cycle_b"), ("calc", "calc")])
    expect(r[0] == EXIT_LOAD and r[2] and r[2][0].endswith("components form a cycle: a -> b -> a") and len(r[2]) == 1,
           "a cycle is one error line naming it", r)
    r = run_linked("app", [("calc", "calc"), ("calc2", "calc")])
    expect(r[0] == EXIT_LOAD and "components calc and calc2 both export local:math/calc@1.0.2" in "".join(r[2]),
           "an interface two components export", r)
    r = run_linked("app_twice", [("twice", "twice")])
    expect(r[0] == EXIT_LOAD and "component twice: unlinkable" in "".join(r[2]) and "local:math/calc@1.0.0" in "".join(r[2]),
           "a linked component's missing import names the component and the interface", r)
    r = run_linked("app", [("calc", "calc")], extra=f'checksum = "sha256:{"0" * 64}"\n')
    expect(r[0] == EXIT_LOAD and "checksum mismatch" in "".join(r[2]), "a linked component's checksum is verified", r)
    with open(fx("calc"), "rb") as f:
        calc = f.read()
    r = run_linked("app", [("calc", "calc")], extra=f'checksum = "{sha256(calc)}"\n')
    expect(r[0] == 42, "and a matching one runs", r)
    r = run_linked("app", [])
    expect(r[0] == EXIT_LOAD and "local:math/calc@1.0.0" in "".join(r[2]), "without the component: unlinkable", r)
    write("app.toml", manifest(["exit", "3"]) + f'[components.calc]\nsource = "{fx("calc")}"\n')
    r = up()
    expect(r[0] == EXIT_USAGE and "need a component to link to" in r[2], "a core module image cannot link components", r)
    write("app.toml", manifest([], image=f'source = "{fx("app")}"') + '[components.Bad_Name]\nsource = "x.wasm"\n')
    r = up()
    expect(r[0] == EXIT_USAGE and "components.Bad_Name" in r[2], "a bad component name is a manifest error", r)
    r = wsvm("inspect", os.path.join(WORK, "app.toml"))
    expect(r[0] == EXIT_USAGE, "inspect refuses the same manifest", r)
    write("app.toml", manifest([], image=f'source = "{fx("app")}"') + f'[components.calc]\nsource = "{fx("calc")}"\n')
    r = wsvm("inspect", os.path.join(WORK, "app.toml"))
    expect(r[0] == EXIT_OK and "component calc: " in r[1] and "linked by interface name" in r[1], "inspect lists them", r)


class Skip(Exception):
    pass


class Registry:
    """docker-registry on 127.0.0.1 with a temporary config and storage folder."""

    def __init__(self, auth=""):
        exe = shutil.which("docker-registry")
        if exe is None:
            raise Skip("docker-registry is not installed (Debian package docker-registry)")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.store = os.path.join(WORK, "registry")
        config = write("registry.yml", f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
                                       f"    rootdirectory: {self.store}\nhttp:\n  addr: 127.0.0.1:{self.port}\n{auth}")
        self.proc = subprocess.Popen([exe, "serve", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.proc.kill()
        raise Failure("docker-registry did not start")

    def ref(self, name):
        return f"127.0.0.1:{self.port}/{name}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


def test_registry_round_trip():
    with Registry() as reg:
        r = wsvm("push", GUEST, reg.ref("apps/probe:v1"))
        expect(r[0] == EXIT_OK and "-> " + reg.ref("apps/probe:v1") in r[1], "push a .wasm", r)
        r = wsvm("pull", reg.ref("apps/probe:v1"), os.path.join(WORK, "pulled"))
        expect(r[0] == EXIT_OK and "oci:" in r[1], "pull it into a layout", r)
        write("app.toml", manifest(["exit", "6"], image='source = "oci:pulled:v1"'))
        r = up()
        expect(r[0] == 6, "the pulled image runs", r)
        # Push a layout again under another name; skopeo (another client) reads it back.
        r = wsvm("push", "oci:" + os.path.join(WORK, "pulled") + ":v1", reg.ref("apps/copy:v2"))
        expect(r[0] == EXIT_OK, "push a layout", r)
        skopeo = shutil.which("skopeo")
        if skopeo is not None:
            r = run_command([skopeo, "copy", "--insecure-policy", "--src-tls-verify=false",
                             "docker://" + reg.ref("apps/copy:v2"), "oci:" + os.path.join(WORK, "sk") + ":v3"], timeout=120)
            expect(r[0] == 0, "skopeo pulls what wsvm pushed", r)
            write("app.toml", manifest(["exit", "8"], image='source = "oci:sk:v3"'))
            r = up()
            expect(r[0] == 8, "and the layout skopeo wrote runs", r)


class TokenServer:
    """The Bearer token flow's other half (the distribution spec's token authentication): a
    token endpoint on 127.0.0.1 that checks Basic credentials and issues RS256 JWTs, signed
    by a key whose self-signed certificate the registry trusts (auth.token.rootcertbundle)."""
    USER, SECRET = "wsvm-user", "s3cret-Pa55-never-logged"

    def __init__(self):
        import base64
        import datetime
        import http.server
        import threading
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
        from cryptography.x509.oid import NameOID
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wsvm-test-token-issuer")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))
        self.cert = write("token-root.pem", cert.public_bytes(serialization.Encoding.PEM).decode())
        x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        b64url = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        server = self
        self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                from urllib.parse import parse_qs, urlparse
                q = parse_qs(urlparse(self.path).query)
                auth = self.headers.get("Authorization", "")
                server.requests.append(auth)
                want = "Basic " + base64.b64encode(f"{server.USER}:{server.SECRET}".encode()).decode()
                if auth != want:
                    self.send_response(401)
                    self.end_headers()
                    self.wfile.write(b'{"errors":[{"code":"UNAUTHORIZED"}]}')
                    return
                access = []
                for scope in q.get("scope", []):
                    for one in scope.split(" "):
                        kind, rest = one.split(":", 1)
                        repo, actions = rest.rsplit(":", 1)
                        access.append({"type": kind, "name": repo, "actions": actions.split(",")})
                t = int(time.time())
                header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
                claims = {"iss": "wsvm-test-issuer", "sub": server.USER, "aud": q.get("service", [""])[0],
                          "exp": t + 300, "nbf": t - 10, "iat": t, "jti": str(t), "access": access}
                signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
                sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
                body = json.dumps({"token": signing + "." + b64url(sig)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def registry_auth(self):
        return (f"auth:\n  token:\n    realm: http://127.0.0.1:{self.port}/token\n    service: wsvm-test\n"
                f"    issuer: wsvm-test-issuer\n    rootcertbundle: {self.cert}\n")


def test_registry_token_auth():
    try:
        tokens = TokenServer()
    except ImportError:
        raise Skip("python3-cryptography is needed to issue the test tokens")
    env_user = {"WSVM_REGISTRY_USERNAME": TokenServer.USER, "WSVM_REGISTRY_PASSWORD": TokenServer.SECRET}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WSVM_REGISTRY_") and k != "DOCKER_CONFIG"}
    clean["DOCKER_CONFIG"] = os.path.join(WORK, "no-docker-config")

    def run(args, extra):
        env = dict(clean, **extra)
        r = subprocess.run([WSVM, *args], capture_output=True, text=True, timeout=60, env=env)
        return r.returncode, r.stdout, r.stderr, 0

    with Registry(auth=tokens.registry_auth()) as reg:
        try:
            r = run(["push", GUEST, reg.ref("apps/probe:v1")], {})
            expect(r[0] == 1 and r[2].count("\n") == 1 and "401" in r[2], "no credentials: refused, one line", r)
            r = run(["push", GUEST, reg.ref("apps/probe:v1")], dict(env_user, WSVM_REGISTRY_PASSWORD="wrong"))
            expect(r[0] == 1 and r[2].count("\n") == 1 and "token" in r[2] and "wrong" not in r[2],
                   "wrong credentials: the token endpoint refuses, the password is not shown", r)
            r = run(["push", GUEST, reg.ref("apps/probe:v1")], env_user)
            expect(r[0] == EXIT_OK, "push with credentials from the environment (Bearer token flow)", r)
            # A docker-style config file: auths[registry].auth = base64(user:password).
            import base64
            conf = os.path.join(WORK, "docker")
            os.makedirs(conf)
            auth = base64.b64encode(f"{TokenServer.USER}:{TokenServer.SECRET}".encode()).decode()
            write(os.path.join(conf, "config.json"),
                  json.dumps({"auths": {f"127.0.0.1:{reg.port}": {"auth": auth}}}))
            r = run(["pull", reg.ref("apps/probe:v1"), os.path.join(WORK, "pulled")], {"DOCKER_CONFIG": conf})
            expect(r[0] == EXIT_OK and "oci:" in r[1], "pull with credentials from a docker config file", r)
            write(os.path.join(conf, "config.json"), "{not json")
            r = run(["pull", reg.ref("apps/probe:v1"), os.path.join(WORK, "pulled2")], {"DOCKER_CONFIG": conf})
            expect(r[0] == 1 and r[2].count("\n") == 1 and "config.json" in r[2], "a malformed config file: one line", r)
            expect(any(a.startswith("Basic ") for a in tokens.requests), "the token endpoint got Basic credentials")
        finally:
            tokens.httpd.shutdown()


def test_registry_errors():
    with Registry() as reg:
        r = wsvm("pull", reg.ref("apps/none:v1"), os.path.join(WORK, "x"))
        expect(r[0] == 1 and "HTTP 404" in r[2] and r[2].count("\n") == 1, "an unknown image: one line, status 1", r)
        for bad in ("noslash", "127.0.0.1:1/UPPER:v1", "127.0.0.1:1/a/../b:v1", "127.0.0.1:1/a:bad tag", "127.0.0.1:1/a?x=1:v1"):
            r = wsvm("pull", bad, os.path.join(WORK, "x"))
            expect(r[0] == EXIT_USAGE and r[2].count("\n") == 1, f"a bad reference {bad!r}: usage", r)
        r = wsvm("push", os.path.join(WORK, "nothing.wasm"), reg.ref("a:b"))
        expect(r[0] == EXIT_LOAD and r[2].count("\n") == 1, "push of a missing file", r)
        text = write("notwasm.wasm", "hello")
        r = wsvm("push", text, reg.ref("a:b"))
        expect(r[0] == EXIT_LOAD and "not a WebAssembly binary" in r[2], "push of a non-wasm file", r)
        # A registry that serves changed bytes: the layer's digest no longer matches.
        r = wsvm("push", GUEST, reg.ref("apps/t:v1"))
        with open(GUEST, "rb") as f:
            digest = sha256(f.read())[7:]
        data = os.path.join(reg.store, "docker", "registry", "v2", "blobs", "sha256", digest[:2], digest, "data")
        with open(data, "r+b") as f:
            f.seek(200)
            f.write(b"\xee")
        r = wsvm("pull", reg.ref("apps/t:v1"), os.path.join(WORK, "t"))
        expect(r[0] == 1 and "checksum mismatch" in r[2], "a tampered blob is refused", r)
        expect(not os.path.exists(os.path.join(WORK, "t")), "and nothing is written", r)
    r = wsvm("pull", "127.0.0.1:1/apps/none:v1", os.path.join(WORK, "x"))
    expect(r[0] == 1 and r[2].count("\n") == 1 and "127.0.0.1:1" in r[2], "no registry listening: one line", r)


def main():
    global WSVM, GUEST, ENGINE, WORK
    WSVM, GUEST, ENGINE, case = sys.argv[1:5]
    GUEST = os.path.abspath(GUEST)
    WORK = tempfile.mkdtemp(prefix="wsvm-container-")
    try:
        try:
            return run_case(globals(), case, f"{ENGINE} {case}")
        except Skip as s:
            print(f"skipped: {s}")
            return 77
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

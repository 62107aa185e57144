"""Hostile module shapes for tests/hostile (issue 17): each generator takes a size n and
returns the bytes of a module whose load or run cost should grow linearly with n (or, for the
fuel shapes, not at all). Built here byte by byte so the suite needs no other tool.
"""


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def vec(items):
    return leb(len(items)) + b"".join(items)


def name(s):
    return leb(len(s)) + s.encode()


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


def module(*sections):
    return b"\0asm\1\0\0\0" + b"".join(s for s in sections if s)


I32, I64 = 0x7F, 0x7E


def functype(params=(), results=()):
    return b"\x60" + vec([bytes([p]) for p in params]) + vec([bytes([r]) for r in results])


def body(code, locals_=b"\x00"):
    b = locals_ + code + b"\x0b"
    return leb(len(b)) + b


def one_func_module(code, locals_=b"\x00", params=(), extra=()):
    """One exported-as-_start-less function of type params -> (); never run (load cost)."""
    return module(section(1, vec([functype(params)])), section(3, vec([b"\x00"])),
                  *extra, section(10, vec([body(code, locals_)])))


# --- load-time shapes ---------------------------------------------------------------------

def elements(n):
    """A passive segment of n one-byte function indices (was ~142 bytes of RSS per byte)."""
    seg = b"\x01\x00" + leb(n) + b"\x00" * n
    return module(section(1, vec([functype()])), section(3, vec([b"\x00"])),
                  section(9, vec([seg])), section(10, vec([body(b"")])))


def nesting(n):
    """n nested empty blocks."""
    return one_func_module(b"\x02\x40" * n + b"\x0b" * n)


def br_table(n):
    """br_tables of 1000 targets each, n targets in all (one table is capped at 65520)."""
    one = b"\x41\x00\x0e" + leb(1000) + b"\x00" * 1000 + b"\x00"
    return one_func_module(one * (n // 1000))


def functions(n):
    """n empty functions."""
    return module(section(1, vec([functype()])), section(3, leb(n) + b"\x00" * n),
                  section(10, leb(n) + body(b"") * n))


def locals_read(n):
    """One function with n i32 locals (at most 50,000) that reads each once."""
    code = b"".join(b"\x20" + leb(i) + b"\x1a" for i in range(n))
    return one_func_module(code, locals_=b"\x01" + leb(n) + bytes([I32]))


def params_read(n):
    """n functions of 1000 i32 parameters (the limit), each reading all of them."""
    code = b"".join(b"\x20" + leb(i) + b"\x1a" for i in range(1000))
    return module(section(1, vec([functype([I32] * 1000)])),
                  section(3, leb(n) + b"\x00" * n), section(10, leb(n) + body(code) * n))


def jit_local_pattern(n):
    """Issue 17's JIT shape: n local.get 0, n (i32.const 1; local.set 0), n drops."""
    code = b"\x20\x00" * n + b"\x41\x01\x21\x00" * n + b"\x1a" * n
    return one_func_module(code, locals_=b"\x01\x01" + bytes([I32]))


def jit_local_pattern_start(n):
    """The same body exported as _start (run: a lazily compiled function compiles it then)."""
    code = b"\x20\x00" * n + b"\x41\x01\x21\x00" * n + b"\x1a" * n
    return module(section(1, vec([functype()])), section(3, vec([b"\x00"])),
                  section(7, vec([name("_start") + b"\x00\x00"])),
                  section(10, vec([body(code, b"\x01\x01" + bytes([I32]))])))


# --- run-time shapes (exported _start) ----------------------------------------------------

def _wasi_start(imports, code, pages, data=b"", locals_=b"\x00"):
    """A command: imports (name, type index) from wasi_snapshot_preview1, types given
    by the caller as the first entries, memory `pages`, optional data at 0, _start = code."""
    types, imps = zip(*imports) if imports else ((), ())
    type_sec = section(1, vec(list(types) + [functype()]))
    imp_sec = section(2, vec([name("wasi_snapshot_preview1") + name(nm) + b"\x00" + leb(i)
                              for i, nm in enumerate(imps)]))
    start_type = len(imports)
    func_sec = section(3, vec([leb(start_type)]))
    mem_sec = section(5, vec([b"\x00" + leb(pages)]))
    exp_sec = section(7, vec([name("_start") + b"\x00" + leb(len(imports))]))
    data_sec = section(11, vec([b"\x00\x41\x00\x0b" + leb(len(data)) + data])) if data else b""
    return module(type_sec, imp_sec, func_sec, mem_sec, exp_sec,
                  section(10, vec([body(code, locals_)])), data_sec)


def long_path(n):
    """path_open of an n-byte path "a/a/a/..." beneath fd 3; _start exits with the errno
    (ENAMETOOLONG is 37). Many short components: the fallback walk once split such a path
    into a string per component before any check (8.8 GB for 256 MiB). The path is a data
    segment, so the input grows with n."""
    path_open = functype([I32, I32, I32, I32, I32, I64, I64, I32, I32], [I32])
    proc_exit = functype([I32])
    pages = (n + 8 + 65535) // 65536
    code = (b"\x41\x03\x41\x00\x41\x00\x41" + sleb(n) + b"\x41\x00\x42\x00\x42\x00\x41\x00"
            b"\x41" + sleb(n) + b"\x10\x00\x10\x01")
    return _wasi_start([(path_open, "path_open"), (proc_exit, "proc_exit")], code, pages,
                       data=(b"a/" * (n // 2 + 1))[:n])


def fill_loop(pages):
    """memory.fill of the whole memory (`pages` pages) in an endless loop: run with --fuel,
    the fuel should bound the bytes filled (one unit per 64 bytes), not the loop count."""
    size = pages * 65536
    code = (b"\x03\x40" + b"\x41\x00\x41\x00\x41" + sleb(size) + b"\xfc\x0b\x00"
            + b"\x0c\x00\x0b")
    return module(section(1, vec([functype()])), section(3, vec([b"\x00"])),
                  section(5, vec([b"\x00" + leb(pages)])),
                  section(7, vec([name("_start") + b"\x00\x00"])), section(10, vec([body(code)])))


def read_loop(pages):
    """fd_read of a `pages`-page buffer from fd 0 (run with /dev/zero as stdin, so the host
    really copies) in an endless loop: under --fuel, host fuel (a unit per 64 bytes) should
    bound the bytes read, not the loop count."""
    fd_read = functype([I32, I32, I32, I32], [I32])
    size = pages * 65536
    # iovec {buf 16, len size} at 0; the count read at 8.
    code = (b"\x41\x00\x41\x10\x36\x02\x00" + b"\x41\x00\x41" + sleb(size) + b"\x36\x02\x04"
            + b"\x03\x40" + b"\x41\x00\x41\x00\x41\x01\x41\x08\x10\x00\x1a\x0c\x00\x0b")
    return _wasi_start([(fd_read, "fd_read")], code, pages + 1)


# --- other per-entry structures (measured for bytes of RSS per input byte) ----------------

def many_types(n):
    """n types () -> ()."""
    return module(section(1, leb(n) + functype() * n))


def many_imports(n):
    """n function imports with distinct short names (linking then fails: load cost only)."""
    return module(section(1, vec([functype()])),
                  section(2, vec([name("m") + name(str(i)) + b"\x00\x00" for i in range(n)])))


def many_exports(n):
    """n exports of one function, with distinct short names."""
    return module(section(1, vec([functype()])), section(3, vec([b"\x00"])),
                  section(7, vec([name(str(i)) + b"\x00\x00" for i in range(n)])),
                  section(10, vec([body(b"")])))


def many_globals(n):
    """n immutable i32 globals initialised by i32.const 0."""
    return module(section(6, leb(n) + b"\x7f\x00\x41\x00\x0b" * n))


def many_data_segments(n):
    """n passive, empty data segments."""
    return module(section(11, leb(n) + b"\x01\x00" * n))


if __name__ == "__main__":
    # wasm_gen.py GENERATOR N OUT: writes one module. hostile_test.py generates in a child
    # process so that its own RSS stays small: a child's peak RSS (ru_maxrss) starts from its
    # parent's at fork, and a parent holding a 12 MB module would hide the child's growth.
    import sys
    gen, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(out, "wb") as f:
        f.write(getattr(sys.modules[__name__], gen)(n))

#include "cli/options.hpp"

#include <string_view>

#include "engines/registry.hpp"

namespace wsvm::cli {
namespace {

std::unexpected<std::string> usage(std::string msg) { return std::unexpected(std::move(msg)); }

}  // namespace

// Options come before the module path; everything after it belongs to the module (so
// negative numbers such as `-1` are values, not options), as in `wsvm m.wasm -v`.
std::expected<Options, std::string> parse_options(const std::vector<std::string>& argv) {
  Options o;
  size_t i = 1;
  if (i < argv.size()) {
    if (argv[i] == "run") {
      ++i;
    } else if (argv[i] == "validate") {
      o.command = Command::Validate;
      ++i;
    } else if (argv[i] == "help") {
      o.command = Command::Help;
      return o;
    }
  }
  bool have_module = false;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;  // the module path ("-" alone would be a path)
    std::string name = a;
    std::optional<std::string> value;
    if (a.starts_with("--")) {
      if (auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
      }
    }
    auto take_value = [&]() -> std::expected<std::string, std::string> {
      if (value) return *value;
      if (i + 1 >= argv.size()) return usage("option '" + name + "' needs a value");
      return argv[++i];
    };
    if (name == "-h" || name == "--help") {
      o.command = Command::Help;
      return o;
    }
    if (name == "-V" || name == "--version") {
      o.command = Command::Version;
      return o;
    }
    if (name == "--invoke") {
      if (o.command == Command::Validate) return usage("'validate' does not take --invoke");
      auto v = take_value();
      if (!v) return std::unexpected(v.error());
      if (v->empty()) return usage("--invoke needs an export name");
      o.invoke = *v;
      continue;
    }
    if (name == "--inherit-network") {
      if (value) return usage("option '--inherit-network' takes no value");
      o.wasi.inherit_network = true;
      continue;
    }
    if (is_wasi_option(name)) {
      auto v = take_value();
      if (!v) return std::unexpected(v.error());
      if (auto r = add_wasi_option(o.wasi, name, *v); !r) return std::unexpected(r.error());
      continue;
    }
    if (is_limit_option(name)) {
      if (o.command == Command::Validate) return usage("'validate' does not take " + name);
      std::string v;
      if (limit_option_takes_value(name)) {
        auto tv = take_value();
        if (!tv) return std::unexpected(tv.error());
        v = *tv;
      } else if (value && name == "--stats") {
        v = *value;  // --stats=json
      } else if (value) {
        return usage("option '" + name + "' takes no value");
      }
      if (auto r = add_limit_option(o.limits, name, v); !r) return std::unexpected(r.error());
      continue;
    }
    if (name == "--engine") {
      auto v = take_value();
      if (!v) return std::unexpected(v.error());
      if (!is_engine_name(*v)) return usage("unknown engine '" + *v + "' (expected interp, jit or auto)");
      o.engine = *v;
      continue;
    }
    if (name == "--jit-compile") {
      auto v = take_value();
      if (!v) return std::unexpected(v.error());
      auto c = parse_jit_compile(*v);
      if (!c) return usage("unknown --jit-compile mode '" + *v + "' (expected eager, parallel or lazy)");
      o.jit_compile = *c;
      continue;
    }
    return usage("unknown option '" + a + "' (see 'wsvm --help')");
  }
  if (i < argv.size()) {
    o.module_path = argv[i++];
    have_module = true;
  }
  if (!have_module) return usage("no module given (see 'wsvm --help')");
  for (; i < argv.size(); ++i) o.args.push_back(argv[i]);
  if (o.command == Command::Validate && !o.args.empty())
    return usage("'validate' takes exactly one module");
  return o;
}

const char* help_text() {
  return R"(wsvm - a WebAssembly runtime

Usage:
  wsvm [run] [OPTIONS] module.wasm [ARGS...]
      Instantiate the module and call its `_start` export if it has one.
      A module importing wasi_snapshot_preview1 gets WASI: ARGS are its argv[1..]
      (argv[0] is the module path), and it sees only what the options below grant.
  wsvm [run] [OPTIONS] --invoke NAME module.wasm [VALUES...]
      Call the exported function NAME with VALUES parsed by its parameter types
      (i32/i64: decimal, signed or unsigned, or 0x hex; f32/f64: decimal, hex float,
      inf, nan, nan:0xPAYLOAD; funcref/externref: null) and print each result on
      its own line.
  wsvm [run] [OPTIONS] x.component.wasm [ARGS...]
      A component: WASI 0.2 (wasi:cli, io, clocks, random, filesystem) under the
      same options, and its wasi:cli/run is called (err exits with status 1).
  wsvm [run] [OPTIONS] --invoke 'NAME(ARGS)' x.component.wasm
      Call a component's exported function (`iface#name` for an interface's)
      with WAVE values: 1, -2.5, 'c', "text", [1, 2], (1, "a"), {x: 1},
      {flag-a, flag-b}, case(payload), some(x), none, ok(x), err(x); results
      print in WAVE.
  wsvm validate [OPTIONS] module.wasm
      Decode and validate only; prints nothing on success.
  wsvm wast [--engine ENGINE] [--wasm2] [--verbose] script.wast...
      Run WebAssembly spec scripts (every command, with the spectest module);
      prints failures, a line per file and the total; exit 1 if any failed.
  wsvm wat2wasm module.wat [-o module.wasm] [--no-names]
      Convert a text module to a validated binary module.
  wsvm up [--allow-risky] [OPTIONS] wcontainer.toml [ARGS...]
      Run the image a manifest names with what it grants (container/README.md).
  wsvm inspect [--json] module.wasm | wcontainer.toml
      Describe a module or component, or audit a manifest.
  wsvm serve [SERVE OPTIONS] [OPTIONS] app.wasm
      Answer HTTP requests, each in a fresh instance (`wsvm serve --help`).
  wsvm build module.wasm | module.wat | wcontainer.toml oci:DIR[:TAG]
      Validate and write the module (or the manifest's verified image) as a
      Wasm artifact into the OCI image layout DIR, tagged TAG (default latest).
  wsvm push module.wasm | oci:DIR[:TAG] REGISTRY/REPOSITORY[:TAG]
  wsvm pull REGISTRY/REPOSITORY[:TAG] DIR
      Send an image to, or fetch one from, an OCI registry (every digest checked).
  Wherever a module path is taken, oci:DIR[:TAG] names the Wasm layer of an OCI
  image layout instead (every digest verified before it is used); DIR may be a
  tar file of the layout (plain or gzip'd), and build/pull write one to a .tar.
  wsvm --help | --version

Options (before the module path; everything after it is passed to the module):
  --invoke NAME        call export NAME instead of _start
  --engine ENGINE      auto (default: jit where it is built, else interp),
                       interp, or jit: the baseline compiler for x86-64 and
                       arm64 (an error where it is not built)
  --jit-compile MODE   when the JIT compiles functions: parallel (the default:
                       all at load, split over the CPUs when the code is large,
                       else on one thread), eager (all at load on one thread) or
                       lazy (each at its first call; load only validates)
  --dir HOST[::GUEST][:ro]
                       preopen directory HOST, visible to WASI as GUEST (default
                       HOST); with :ro every write under it fails (ENOTCAPABLE)
  --env KEY=VALUE      set a WASI environment variable; --env KEY copies KEY from
                       this environment (none is inherited otherwise)
  --tcplisten HOST:PORT
                       hand the WASI program a listening TCP socket (sock_accept)
  --allow-http HOST[:PORT]
                       a component's outgoing HTTP (wasi:http/outgoing-handler)
                       may reach HOST (any port unless given; * for any host);
                       repeatable; every other request is HTTP-request-denied
  --inherit-network    a component's wasi:sockets (tcp, udp, name lookup) reach
                       this host's network (wasmtime's -S inherit-network);
                       without it every socket and lookup is access-denied

Limits (defaults are meant for untrusted code; SIZE is a whole number of bytes
with an optional unit B, KiB, MiB or GiB, e.g. 64MiB):
  --max-memory SIZE    most bytes per linear memory, rounded down to whole 64KiB
                       pages (default 4GiB, the wasm32 maximum); a larger memory
                       minimum fails to instantiate (126), memory.grow past it
                       returns -1
  --max-stack SIZE     wasm stack size, and at most SIZE/16 frames (default 1MiB,
                       at most 1GiB); deeper recursion traps with "call stack
                       exhausted" (134)
  --timeout DURATION   stop the run (compiling and instantiation included) after
                       DURATION: 500ms, 5s, 1.5s, 2m (a bare number is seconds); exit 124.
                       Default: none. Wasm code stops at its next call or loop
                       iteration; a host call that blocks (a WASI sleep, a read
                       from an idle pipe) does not, so wsvm exits 100ms after
                       the deadline if the run has not ended by then
  --compile-timeout DURATION
                       fail the load (126) when compiling takes longer
  --fuel N             stop after N units of fuel: one per wasm instruction, but
                       block, loop, else, end and nop are free, plus one per 64
                       bytes of bulk memory or host I/O, one per 8 elements of
                       bulk table operations (runtime/README.md); the same count
                       on every run; exit 125. Default: unlimited
  --stats              print compile, instantiate and run times, fuel consumed
                       and peak RSS to stderr (meters fuel even without --fuel)
  --stats=json         the same as one JSON object on the last line of stderr:
                       module, engine, exit_code, duration_ms, compile_ms,
                       instantiate_ms, run_ms, fuel_consumed, peak_rss_bytes
                       (a phase not reached is null)
  -h, --help           show this help
  -V, --version        show the version

Exit status:
  0    success (the invoked function or _start returned)
  N    the WASI program called proc_exit(N), N in 0..125 (a larger N is a
       trap: 134); a component's wasi:cli/exit: 0 for ok, 1 for err
  2    usage error (bad option, unknown export, bad --invoke value)
  124  timeout (--timeout), as GNU timeout
  125  out of fuel (--fuel)
  126  load error (cannot read the file; malformed, invalid, unlinkable or
       uninstantiable module, a memory minimum over --max-memory included)
  134  trap while running (as wasmtime on Unix), "call stack exhausted" included,
       and a wasm exception no handler caught ("uncaught exception")
Errors are one line on stderr: `wsvm: error: FILE: KIND at byte 0xOFFSET: MESSAGE`;
a trap prints `wsvm: trap: MESSAGE` followed by `  at FUNCTION` lines (innermost
first); a limit prints `wsvm: timeout: run interrupted after 500ms` or
`wsvm: out of fuel after N units`.
)";
}

}  // namespace wsvm::cli

// wasi:cli (environment, exit, stdio, terminal-*), wasi:clocks and wasi:random.
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/trap.hpp"
#include "wasi/p2/define.hpp"

namespace wsvm::wasi::p2 {
namespace {

struct TerminalInput : Resource {};
struct TerminalOutput : Resource {};

uint64_t clock_ns(clockid_t id, bool resolution) {
  timespec t{};
  if (resolution) clock_getres(id, &t); else clock_gettime(id, &t);
  return uint64_t(t.tv_sec) * 1'000'000'000u + uint64_t(t.tv_nsec);
}

Val datetime(uint64_t ns) {
  return Val::record({Val::u64(ns / 1'000'000'000u), Val::u32(uint32_t(ns % 1'000'000'000u))});
}

// Random bytes for one call: at most this many (a guest asking for more traps rather than
// making the host allocate without bound; the adapter asks in small pieces).
constexpr uint64_t kMaxRandomBytes = uint64_t{1} << 26;

AbiResult<Vals> random_bytes(uint64_t len) {
  if (len > kMaxRandomBytes)
    return std::unexpected(component::abi_trap("wasi:random: more than 64 MiB asked for at once"));
  std::vector<uint8_t> buf(len);
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = getrandom(buf.data() + got, buf.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(component::abi_trap("wasi:random: getrandom failed"));
    got += size_t(n);
  }
  return ret(bytes_val(buf));
}

uint64_t random_u64() {
  uint64_t v = 0;
  while (getrandom(&v, sizeof v, 0) != sizeof v) {
  }
  return v;
}

}  // namespace

void Host::define_cli(component::ComponentLinker& l) {
  const std::string env = iface("wasi:cli/environment");
  l.define_instance_func(env, "get-arguments", WASI_P2_FN {
    Vals args;
    for (const std::string& s : m_ctx->args()) args.push_back(Val::string(s));
    return ret(Val::list(std::move(args)));
  });
  l.define_instance_func(env, "get-environment", WASI_P2_FN {
    Vals vars;
    for (const std::string& kv : m_ctx->env()) {
      size_t eq = kv.find('=');
      std::string key = kv.substr(0, eq), value = eq == std::string::npos ? "" : kv.substr(eq + 1);
      vars.push_back(Val::tuple({Val::string(key), Val::string(value)}));
    }
    return ret(Val::list(std::move(vars)));
  });
  // The guest's working directory is not a host path: none, as wasmtime answers.
  l.define_instance_func(env, "initial-cwd", WASI_P2_FN_UNUSED { return ret(Val::none()); });

  const std::string exit = iface("wasi:cli/exit");
  // Unwinds the run as preview 1's proc_exit does; 0.2 carries only ok (0) or err (1).
  l.define_instance_func(exit, "exit", [](std::span<const Val> a) -> AbiResult<Vals> {
    Trap t = Trap::make(TrapKind::Exit);
    t.exit_code = a[0].disc == 0 ? 0 : 1;
    return std::unexpected(t);
  });
  l.define_instance_func(exit, "exit-with-code", [](std::span<const Val> a) -> AbiResult<Vals> {
    Trap t = Trap::make(TrapKind::Exit);
    t.exit_code = int(a[0].u & 0xff);
    return std::unexpected(t);
  });

  // Each get-std* gives a new stream on the host fd behind guest fd 0/1/2 (not owned: the
  // embedder's stdio stays open).
  auto stdio_fd = [this](uint32_t n) { return this->stdio_fd(n); };
  l.define_instance_func(iface("wasi:cli/stdin"), "get-stdin", [this, stdio_fd](std::span<const Val>) -> AbiResult<Vals> {
    return ret(WSVM_TRY(own(fd_input_stream(stdio_fd(0), std::nullopt))));
  });
  l.define_instance_func(iface("wasi:cli/stdout"), "get-stdout", [this, stdio_fd](std::span<const Val>) -> AbiResult<Vals> {
    return ret(WSVM_TRY(own(fd_output_stream(stdio_fd(1), std::nullopt))));
  });
  l.define_instance_func(iface("wasi:cli/stderr"), "get-stderr", [this, stdio_fd](std::span<const Val>) -> AbiResult<Vals> {
    return ret(WSVM_TRY(own(fd_output_stream(stdio_fd(2), std::nullopt))));
  });

  // terminal-*: a terminal resource when the stdio fd is a terminal, else none.
  l.define_instance(iface("wasi:cli/terminal-input"));
  l.define_instance(iface("wasi:cli/terminal-output"));
  auto drop = [this](uint32_t rep) { m_table.remove(rep); };
  l.define_resource_dtor(iface("wasi:cli/terminal-input"), "terminal-input", drop);
  l.define_resource_dtor(iface("wasi:cli/terminal-output"), "terminal-output", drop);
  auto terminal = [this](uint32_t n, bool input) -> AbiResult<Vals> {
    if (!isatty(m_ctx->get(n)->host)) return ret(Val::none());
    std::shared_ptr<Resource> r;
    if (input) r = std::make_shared<TerminalInput>(); else r = std::make_shared<TerminalOutput>();
    return ret(Val::some(WSVM_TRY(own(std::move(r)))));
  };
  l.define_instance_func(iface("wasi:cli/terminal-stdin"), "get-terminal-stdin",
                         [terminal](std::span<const Val>) { return terminal(0, true); });
  l.define_instance_func(iface("wasi:cli/terminal-stdout"), "get-terminal-stdout",
                         [terminal](std::span<const Val>) { return terminal(1, false); });
  l.define_instance_func(iface("wasi:cli/terminal-stderr"), "get-terminal-stderr",
                         [terminal](std::span<const Val>) { return terminal(2, false); });
}

void Host::define_clocks(component::ComponentLinker& l) {
  const std::string mono = iface("wasi:clocks/monotonic-clock");
  l.define_instance_func(mono, "now", WASI_P2_FN_UNUSED { return ret(Val::u64(clock_ns(CLOCK_MONOTONIC, false))); });
  l.define_instance_func(mono, "resolution", WASI_P2_FN_UNUSED { return ret(Val::u64(clock_ns(CLOCK_MONOTONIC, true))); });
  // steady_clock is CLOCK_MONOTONIC in libstdc++, so an instant is a steady time point.
  auto at = [this](uint64_t ns) -> AbiResult<Vals> {
    auto when = MonoClock::time_point(std::chrono::nanoseconds(int64_t(std::min<uint64_t>(ns, INT64_MAX))));
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([when] { return Readiness::at(when); }, nullptr))));
  };
  l.define_instance_func(mono, "subscribe-instant", [at](std::span<const Val> a) { return at(a[0].u); });
  l.define_instance_func(mono, "subscribe-duration", [at](std::span<const Val> a) {
    uint64_t now = clock_ns(CLOCK_MONOTONIC, false);
    return at(a[0].u > UINT64_MAX - now ? UINT64_MAX : now + a[0].u);
  });
  const std::string wall = iface("wasi:clocks/wall-clock");
  l.define_instance_func(wall, "now", WASI_P2_FN_UNUSED { return ret(datetime(clock_ns(CLOCK_REALTIME, false))); });
  l.define_instance_func(wall, "resolution", WASI_P2_FN_UNUSED { return ret(datetime(clock_ns(CLOCK_REALTIME, true))); });
}

void Host::define_random(component::ComponentLinker& l) {
  for (const char* name : {"wasi:random/random", "wasi:random/insecure"}) {
    bool secure = std::string_view(name) == "wasi:random/random";
    l.define_instance_func(iface(name), secure ? "get-random-bytes" : "get-insecure-random-bytes",
                           [](std::span<const Val> a) { return random_bytes(a[0].u); });
    l.define_instance_func(iface(name), secure ? "get-random-u64" : "get-insecure-random-u64",
                           WASI_P2_FN_UNUSED { return ret(Val::u64(random_u64())); });
  }
  l.define_instance_func(iface("wasi:random/insecure-seed"), "insecure-seed", WASI_P2_FN {
    (void)a;
    return ret(Val::tuple({Val::u64(m_seed[0]), Val::u64(m_seed[1])}));
  });
}

}  // namespace wsvm::wasi::p2

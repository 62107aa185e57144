// wasi:cli, wasi:clocks and wasi:random at 0.3.0. What 0.3 left as it was in 0.2 (arguments,
// environment, exit, terminals, random, the monotonic clock's now) is the 0.2 host's function
// under its 0.3 name; stdio are stream<u8>s pumped from and to the 0.2 host's fd streams;
// waiting on the monotonic clock is an async call resolved by an event-loop timer.
#include <time.h>

#include <fmt/format.h>

#include "component/event_loop.hpp"
#include "wasi/p3/define.hpp"
#include "wasi/p3/pump.hpp"

namespace wsvm::wasi::p3 {

using component::AbiResult;
using component::HostCall;
using component::Val;
using Vals = std::vector<Val>;

std::string iface(std::string_view name) { return fmt::format("{}@{}", name, kVersion); }

void reuse_p2(component::ComponentLinker& l, std::string_view p2_iface, std::string_view p3_iface,
              std::initializer_list<std::pair<const char*, const char*>> names) {
  const auto* from = l.instance(p2::iface(p2_iface));
  std::string to = iface(p3_iface);
  l.define_instance(to);
  if (!from) return;
  std::map<std::string, component::HostFn> fns = *from;  // the linker's maps grow below
  for (auto [p2_name, p3_name] : names)
    if (auto it = fns.find(p2_name); it != fns.end()) l.define_instance_func(to, p3_name, it->second);
}

component::VTypeP result_elem(const component::ComponentFunc& f, size_t tuple_index) {
  component::VTypeP t = f.sig.results.at(0);
  if (t->kind == component::VKind::Tuple) t = t->elems.at(tuple_index);
  return t->elems.at(0);
}

namespace {

uint64_t clock_ns(clockid_t id, bool resolution) {
  timespec t{};
  if (resolution) clock_getres(id, &t); else clock_gettime(id, &t);
  return uint64_t(t.tv_sec) * 1'000'000'000u + uint64_t(t.tv_nsec);
}

// wasi:cli/types error-code: io, illegal-byte-sequence, pipe.
Val cli_error(int err) { return Val::enumeration(err == EPIPE ? 2 : err == EILSEQ ? 1 : 0); }

// A monotonic-clock wait: resolves at `deadline` (at once if it passed), cancellable.
std::optional<Trap> wait_until(HostCall c, uint64_t deadline) {
  if (deadline <= component::EventLoop::now_ns()) return c.resolve(Vals{});
  component::EventLoop& loop = component::host_loop();
  auto resolve = c.resolve;
  uint64_t id = loop.add_timer(deadline, [resolve] { (void)resolve(Vals{}); });
  *c.cancel = [id, resolve, &loop] {
    loop.cancel(id);
    (void)resolve(std::nullopt);
  };
  return std::nullopt;
}

void define_cli(component::ComponentLinker& l, p2::Host& h) {
  reuse_p2(l, "wasi:cli/environment", "wasi:cli/environment",
           {{"get-environment", "get-environment"}, {"get-arguments", "get-arguments"},
            {"initial-cwd", "get-initial-cwd"}});
  reuse_p2(l, "wasi:cli/exit", "wasi:cli/exit", {{"exit", "exit"}, {"exit-with-code", "exit-with-code"}});
  l.define_instance(iface("wasi:cli/types"));
  // terminal-*: the 0.2 host's resources (same table), under the 0.3 interface names.
  reuse_p2(l, "wasi:cli/terminal-input", "wasi:cli/terminal-input", {});
  reuse_p2(l, "wasi:cli/terminal-output", "wasi:cli/terminal-output", {});
  auto drop = [&h](uint32_t rep) { h.table().remove(rep); };
  l.define_resource_dtor(iface("wasi:cli/terminal-input"), "terminal-input", drop);
  l.define_resource_dtor(iface("wasi:cli/terminal-output"), "terminal-output", drop);
  for (auto [p2n, fn] : {std::pair{"wasi:cli/terminal-stdin", "get-terminal-stdin"},
                         std::pair{"wasi:cli/terminal-stdout", "get-terminal-stdout"},
                         std::pair{"wasi:cli/terminal-stderr", "get-terminal-stderr"}})
    reuse_p2(l, p2n, p2n, {{fn, fn}});

  // stdin: a stream the host fills from fd 0 as the guest reads; the future says how it ended.
  l.define_instance_async_func(iface("wasi:cli/stdin"), "read-via-stream", [&h](HostCall c) {
    auto data = component::make_channel(false, result_elem(c.f, 0));
    auto fut = component::make_channel(true, result_elem(c.f, 1));
    pump_in(p2::fd_input_stream(h.stdio_fd(0), std::nullopt), data, [fut](int err) {
      resolve_result_future(fut, err ? std::optional(cli_error(err)) : std::nullopt);
    });
    return c.resolve(Vals{Val::tuple({component::readable_end(data), component::readable_end(fut)})});
  });
  // stdout, stderr: what the guest writes to its stream goes to fd 1 / 2.
  for (auto [name, fd] : {std::pair{"wasi:cli/stdout", 1u}, std::pair{"wasi:cli/stderr", 2u}}) {
    l.define_instance_async_func(iface(name), "write-via-stream", [&h, fd](HostCall c) {
      auto data = component::channel_of(c.args.at(0));
      auto fut = component::make_channel(true, result_elem(c.f, 0));
      pump_out(data, p2::fd_output_stream(h.stdio_fd(fd), std::nullopt), [fut](int err) {
        resolve_result_future(fut, err ? std::optional(cli_error(err)) : std::nullopt);
      });
      return c.resolve(Vals{component::readable_end(fut)});
    });
  }
}

void define_clocks(component::ComponentLinker& l) {
  reuse_p2(l, "wasi:clocks/monotonic-clock", "wasi:clocks/monotonic-clock",
           {{"now", "now"}, {"resolution", "get-resolution"}});
  const std::string mono = iface("wasi:clocks/monotonic-clock");
  l.define_instance_async_func(mono, "wait-until", [](HostCall c) { return wait_until(c, c.args.at(0).u); });
  l.define_instance_async_func(mono, "wait-for", [](HostCall c) {
    uint64_t now = component::EventLoop::now_ns();
    return wait_until(c, c.args.at(0).u > UINT64_MAX - now ? UINT64_MAX : now + c.args.at(0).u);
  });
  l.define_instance(iface("wasi:clocks/types"));
  // system-clock's instant has signed seconds (0.2's datetime had unsigned).
  const std::string sys = iface("wasi:clocks/system-clock");
  l.define_instance_func(sys, "now", [](std::span<const Val>) -> AbiResult<Vals> {
    timespec t{};
    clock_gettime(CLOCK_REALTIME, &t);
    return Vals{Val::record({Val::s64(int64_t(t.tv_sec)), Val::u32(uint32_t(t.tv_nsec))})};
  });
  l.define_instance_func(sys, "get-resolution", [](std::span<const Val>) -> AbiResult<Vals> {
    return Vals{Val::u64(clock_ns(CLOCK_REALTIME, true))};
  });
}

void define_random(component::ComponentLinker& l) {
  reuse_p2(l, "wasi:random/random", "wasi:random/random",
           {{"get-random-bytes", "get-random-bytes"}, {"get-random-u64", "get-random-u64"}});
  reuse_p2(l, "wasi:random/insecure", "wasi:random/insecure",
           {{"get-insecure-random-bytes", "get-insecure-random-bytes"},
            {"get-insecure-random-u64", "get-insecure-random-u64"}});
  reuse_p2(l, "wasi:random/insecure-seed", "wasi:random/insecure-seed", {{"insecure-seed", "get-insecure-seed"}});
}

}  // namespace

void define(component::ComponentLinker& linker, p2::Host& host) {
  define_cli(linker, host);
  define_clocks(linker);
  define_random(linker);
  define_filesystem(linker, host);
  define_sockets(linker, host);
  define_http(linker, host);
}

}  // namespace wsvm::wasi::p3

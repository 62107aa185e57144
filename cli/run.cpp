#include "cli/run.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/text_input.hpp"
#include "cli/values.hpp"
#include "cli/wave.hpp"
#include "decoder/printable.hpp"
#include "engines/registry.hpp"
#include "runner/exit_status.hpp"
#include "runner/runner.hpp"
#include "runner/stack.hpp"

namespace wsvm::cli {
namespace {

using runner::Ending;
using runner::Outcome;

// Messages must stay on one line, and reach the terminal harmless, whatever a module's names
// or the command line contain: control bytes and invalid UTF-8 are written as \xNN.
std::string one_line(std::string_view s) { return printable(s); }

int usage_error(const std::string& message) {
  print_error(message);
  return runner::kExitUsage;
}

std::string timeout_line(const Options& o) {
  return "wsvm: timeout: run interrupted after " + duration_text(*o.limits.timeout) + "\n";
}

}  // namespace

// Declared in run.hpp (wsvm serve builds its runs the same way).
// The engines read no environment: the variables of cli/README.md ("Development aids") are
// read here. An unknown WSVM_JIT_COMPILE value is ignored, as --jit-compile was not given.
EngineConfig engine_config(const Options& o, bool metered) {
  EngineConfig c{.fuel = metered, .interruptible = true, .jit_compile = o.jit_compile};
  if (c.jit_compile == JitCompile::Default) {
    if (const char* v = std::getenv("WSVM_JIT_COMPILE"))
      c.jit_compile = parse_jit_compile(v).value_or(JitCompile::Default);
  }
  if (const char* v = std::getenv("WSVM_INTERP_DUMP")) c.interp_dump = *v == '1';
  if (const char* v = std::getenv("WSVM_INTERP_NOFUSE")) c.interp_no_fuse = *v == '1';
  if (const char* v = std::getenv("WSVM_JIT_DUMP")) c.jit_dump_file = v;
  return c;
}

runner::RunRequest run_request(const Options& o) {
  runner::RunRequest r;
  const LimitOptions& lim = o.limits;
  r.limits.max_memory_pages = lim.max_memory_pages();
  r.limits.max_stack_bytes = lim.max_stack_bytes;
  if (lim.timeout) r.limits.timeout = *lim.timeout;
  r.limits.fuel = lim.fuel;
  r.wasi.args.push_back(o.module_path);  // argv[0] is the module as named on the command line
  if (!o.invoke) r.wasi.args.insert(r.wasi.args.end(), o.args.begin(), o.args.end());
  r.wasi.env = o.wasi.env;
  for (const WasiDir& d : o.wasi.dirs) r.wasi.preopens.push_back({d.host, d.guest, d.read_only});
  r.wasi.tcp_listen = o.wasi.tcp_listen;
  r.inherit_network = o.wasi.inherit_network;
  // Outgoing HTTP (wasi:http/outgoing-handler) reaches only the --allow-http hosts, through
  // the client of the program this is (none in the static wsvm: it execs wsvm-net for it).
  r.http_allow = o.wasi.allow_http;
  r.http_client = outgoing_http_client();
  r.http_denied = [](const std::string& s) {
    std::string line = "wsvm: " + printable(s) + " (not in --allow-http)\n";
    ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
  };
  // WSVM_WASI_NO_OPENAT2=1 forces the path resolver's component walk (the tests run both).
  const char* no_openat2 = std::getenv("WSVM_WASI_NO_OPENAT2");
  r.wasi.use_openat2 = !(no_openat2 != nullptr && no_openat2[0] == '1');
  if (lim.timeout) {
    // Still running 100 ms after the flag was set: stuck in a blocking host call that the
    // flag cannot reach. End the process from the timer thread (write + _exit: no stdio
    // locks, no destructors racing the main thread).
    r.on_timeout_overrun = [line = timeout_line(o)] {
      ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
      (void)ignored;
      _exit(runner::kExitTimeout);
    };
  }
  return r;
}

namespace {

// Prints what an outcome says (cli/README.md: the results, or one error line, or a trap
// with its backtrace) and returns the exit status.
int report(const Outcome& out, const Options& o) {
  switch (out.ending) {
    case Ending::Returned: {
      std::string text;
      for (const Value& v : out.results) text += format_value(v) + "\n";
      if (!text.empty()) std::fputs(text.c_str(), stdout);
      break;
    }
    case Ending::Exited: break;
    case Ending::LoadError:
    case Ending::UsageError: print_error(out.message); break;
    case Ending::TimedOut:
      std::fflush(stdout);
      std::fputs(timeout_line(o).c_str(), stderr);
      break;
    case Ending::OutOfFuel:
      std::fflush(stdout);
      std::fputs(fmt::format("wsvm: out of fuel after {} units\n",
                             out.stats.fuel_consumed.value_or(0)).c_str(), stderr);
      break;
    case Ending::Trapped: {
      std::fflush(stdout);
      std::string text = "wsvm: trap: " + one_line(out.trap->message) + "\n";
      text += format_backtrace(out.trap->backtrace);  // recursion collapsed, long traces capped
      std::fputs(text.c_str(), stderr);
      break;
    }
  }
  return runner::exit_status(out);
}

double ms(runner::Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// --stats: one `wsvm: stats: NAME VALUE` line each, after the run's own output; --stats=json:
// one JSON object for tools instead (a phase not reached is null). `status` is wsvm's exit
// status, `started` when the command began (duration_ms).
void print_stats(const runner::Stats& s, const Options& o, int status, runner::Clock::time_point started) {
  std::fflush(stdout);
  struct rusage ru {};
  const bool have_rss = getrusage(RUSAGE_SELF, &ru) == 0;
  std::string out;
  if (o.limits.stats_json) {
    auto millis = [](const std::optional<runner::Clock::duration>& d) {
      return d ? nlohmann::ordered_json(ms(*d)) : nlohmann::ordered_json(nullptr);
    };
    nlohmann::ordered_json j = {
        {"module", o.module_path},
        {"engine", o.engine},
        {"exit_code", status},
        {"duration_ms", ms(runner::Clock::now() - started)},
        {"compile_ms", millis(s.compile)},
        {"instantiate_ms", millis(s.instantiate)},
        {"run_ms", millis(s.instantiate ? s.run : std::nullopt)},
        {"fuel_consumed", s.fuel_consumed ? nlohmann::ordered_json(*s.fuel_consumed) : nlohmann::ordered_json(nullptr)},
        {"peak_rss_bytes", have_rss ? nlohmann::ordered_json(int64_t{ru.ru_maxrss} * 1024) : nlohmann::ordered_json(nullptr)},
    };
    // Invalid UTF-8 in a path becomes U+FFFD rather than an exception.
    out = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    std::fputs(out.c_str(), stderr);
    return;
  }
  out += fmt::format("wsvm: stats: compile {:.3f} ms\n", ms(s.compile.value_or(runner::Clock::duration{})));
  if (s.instantiate) {
    out += fmt::format("wsvm: stats: instantiate {:.3f} ms\n", ms(*s.instantiate));
    if (s.run) out += fmt::format("wsvm: stats: run {:.3f} ms\n", ms(*s.run));
  }
  if (s.fuel_consumed) out += fmt::format("wsvm: stats: fuel consumed {}\n", *s.fuel_consumed);
  if (s.stopped_after_deadline && s.timer_late) {
    out += fmt::format("wsvm: stats: stopped {:.3f} ms after the deadline (timer {:.3f} ms late)\n",
                       ms(*s.stopped_after_deadline), ms(*s.timer_late));
  }
  if (have_rss) out += fmt::format("wsvm: stats: peak rss {:.1f} MiB\n", ru.ru_maxrss / 1024.0);
  std::fputs(out.c_str(), stderr);
}

// --invoke on a component: `NAME(ARGS)` (or NAME with the VALUES after the component), each
// argument a WAVE value of the parameter's type (cli/wave.hpp); results print in WAVE.
int invoke_component_export(runner::Run& run, const Options& o) {
  auto inv = split_invocation(*o.invoke);
  if (!inv) return usage_error(fmt::format("--invoke '{}': {}", one_line(*o.invoke), inv.error()));
  std::vector<std::string> texts = inv->args ? *inv->args : o.args;
  if (inv->args && !o.args.empty())
    return usage_error("--invoke NAME(ARGS) takes no values after the component");
  auto f = run.find_component_function(inv->name);
  if (!f) return report(f.error(), o);
  const component::FuncSig& sig = (*f)->sig;
  if (texts.size() != sig.params.size()) {
    return usage_error(fmt::format("function \"{}\" expects {} argument{}, got {}", one_line(inv->name),
                                   sig.params.size(), sig.params.size() == 1 ? "" : "s", texts.size()));
  }
  std::vector<component::Val> args;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto v = parse_wave(*sig.params[i], texts[i]);
    if (!v) {
      return usage_error(fmt::format("argument {} of \"{}\" ({}): '{}': {}", i + 1, one_line(inv->name),
                                     sig.params[i]->to_string(), one_line(texts[i]), v.error()));
    }
    args.push_back(std::move(*v));
  }
  runner::Outcome out = run.invoke_component(**f, args);
  if (out.ending == Ending::Returned) {
    std::string text;
    for (size_t i = 0; i < out.component_results.size() && i < sig.results.size(); ++i)
      text += one_line(format_wave(*sig.results[i], out.component_results[i])) + "\n";
    std::fputs(text.c_str(), stdout);
  }
  return report(out, o);
}

// --invoke: the export's parameter types decide how the VALUES parse.
int invoke_export(runner::Run& run, const Options& o) {
  if (run.component_instance()) return invoke_component_export(run, o);
  const std::string& name = *o.invoke;
  auto f = run.find_function(name);
  if (!f) return report(f.error(), o);
  const FuncType& ft = *(*f)->type;
  if (o.args.size() != ft.params.size()) {
    return usage_error(fmt::format("function \"{}\" {} expects {} argument{}, got {}",
                                   one_line(name), ft.to_string(), ft.params.size(),
                                   ft.params.size() == 1 ? "" : "s", o.args.size()));
  }
  std::vector<Value> args;
  for (size_t i = 0; i < o.args.size(); ++i) {
    auto v = parse_value(ft.params[i], o.args[i]);
    if (!v) {
      return usage_error(fmt::format("argument {} of \"{}\": '{}' is {}", i + 1, one_line(name),
                                     one_line(o.args[i]), v.error()));
    }
    args.push_back(*v);
  }
  return report(run.invoke(*f, args), o);
}

}  // namespace

void print_error(const std::string& message) {
  std::fflush(stdout);
  std::string line = "wsvm: error: " + one_line(message) + "\n";
  std::fputs(line.c_str(), stderr);
}

// Ends the process as soon as a run is over, output flushed: the kernel reclaims the
// memory reservation, the compiled code and the run thread's stack at once, while the
// destructors would unmap and free them piece by piece (unmapping a touched 8 GiB
// reservation and madvising the thread stack away cost more than a small module's run).
// Sanitizer builds return normally so their exit-time leak check still runs.
static int finish(int status, bool exit_when_done) {
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  if (exit_when_done) {
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(status);
  }
#else
  (void)exit_when_done;
#endif
  return status;
}

// Engine, compile, link, instantiate and run (or validate) on the calling thread, through
// the runner (runner/runner.hpp); this file prints. With `exit_when_done` the process ends
// at the end of a run (see finish()), before the run's teardown.
static int run_module(const Options& o, bool exit_when_done) {
  const LimitOptions& lim = o.limits;
  // --stats meters fuel even without --fuel, so it can say how much a run needs.
  const bool metered = lim.fuel.has_value() || lim.stats;
  const runner::Clock::time_point started = runner::Clock::now();
  EngineConfig config = engine_config(o, metered);
  // Compilation counts against --timeout; --compile-timeout bounds it on its own.
  if (lim.timeout) config.compile_deadline = started + *lim.timeout;
  if (lim.compile_timeout) config.compile_budget = *lim.compile_timeout;
  auto engine = runner::open_engine(o.engine, config);
  if (!engine) return report(engine.error(), o);
  if (o.command == Command::Validate) return report(validate_module_input(o.module_path), o);

  auto bytes = o.module_bytes ? std::expected<std::vector<uint8_t>, Outcome>(*o.module_bytes)
                              : read_module_input(o.module_path);  // text modules become binary here
  if (!bytes) {
    const int status = report(bytes.error(), o);
    if (lim.stats) print_stats(bytes.error().stats, o, status, started);
    return status;
  }
  auto program = runner::load_program(*engine, config, std::move(*bytes), o.module_path);
  if (!program) {
    const int status = report(program.error(), o);
    if (lim.stats) print_stats(program.error().stats, o, status, started);
    return status;
  }
  runner::RunRequest request = run_request(o);
  for (const Options::Linked& l : o.linked_components) {
    auto linked = runner::load_linked_component(l.bytes, l.name, l.path);
    if (!linked) return report(linked.error(), o);
    request.components.push_back(std::move(*linked));
  }
  if (lim.timeout) {  // what is left of it after the load
    const auto left = started + *lim.timeout - runner::Clock::now();
    request.limits.timeout = std::max<runner::Clock::duration>(left, std::chrono::microseconds(1));
  }
  runner::Run run(*program, std::move(request));
  if (auto failed = run.link()) return report(*failed, o);
  int status;
  if (auto failed = run.instantiate()) {
    status = report(*failed, o);
  } else {
    status = o.invoke ? invoke_export(run, o) : report(run.call_start(), o);
  }
  run.end();  // keeps the first end time; covers usage errors before any call
  if (lim.stats) print_stats(run.stats(), o, status, started);
  return finish(status, exit_when_done);
}

int run_command(const Options& o) {
  if (o.command == Command::Validate) return run_module(o, false);
  return runner::run_on_sized_stack(runner::stack_bytes_needed(o.limits.max_stack_bytes),
                                    [&o] { return run_module(o, true); });
}

}  // namespace wsvm::cli

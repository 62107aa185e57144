#include "cli/run.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/load.hpp"
#include "cli/values.hpp"
#include "cli/wasi_link.hpp"
#include "engines/registry.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/deadline.hpp"
#include "runtime/engine.hpp"
#include "runtime/linker.hpp"
#include "runtime/native_stack.hpp"
#include "runtime/store.hpp"
#include "validator/validate.hpp"

namespace wsvm::cli {
namespace {

// Messages must stay on one line whatever a module's names contain.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

int load_error(const std::string& path, const Error& err) {
  print_error(path + ": " + err.to_string());
  return kExitLoad;
}

int usage_error(const std::string& message) {
  print_error(message);
  return kExitUsage;
}

using Clock = std::chrono::steady_clock;

// What the limit messages and --stats need to know about the run.
struct RunState {
  const Options* options = nullptr;
  Store* store = nullptr;
  bool metered = false;                 // the engine counts fuel
  std::optional<Deadline>* deadline = nullptr;
  Clock::time_point run_end{};           // when the (possibly interrupted) run returned
};

std::string timeout_line(const Options& o) {
  return "wsvm: timeout: run interrupted after " + duration_text(*o.limits.timeout) + "\n";
}

// Interrupted and OutOfFuel are the limits' own endings (statuses 124 and 125, one line);
// every other trap is status 134 with a backtrace.
int report_trap(const Trap& trap, const RunState& rs) {
  if (trap.kind == TrapKind::Exit) return trap.exit_code;
  std::fflush(stdout);
  if (trap.kind == TrapKind::Interrupted && rs.options->limits.timeout) {
    std::fputs(timeout_line(*rs.options).c_str(), stderr);
    return kExitTimeout;
  }
  if (trap.kind == TrapKind::OutOfFuel && rs.metered) {
    std::fputs(fmt::format("wsvm: out of fuel after {} units\n", rs.store->fuel_consumed()).c_str(),
               stderr);
    return kExitOutOfFuel;
  }
  std::string out = "wsvm: trap: " + one_line(trap.message) + "\n";
  for (const BacktraceFrame& f : trap.backtrace) out += "  at " + one_line(f.function) + "\n";
  std::fputs(out.c_str(), stderr);
  return kExitTrap;
}

bool ends_with_text_extension(const std::string& path) {
  return path.ends_with(".wat") || path.ends_with(".wast");
}

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

bool has_wasm_magic(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 4 && std::equal(bytes.begin(), bytes.begin() + 4, "\0asm");
}

// Prints a decode/validate/compile error (with a hint for text-format files).
int module_error(const std::string& path, bool is_binary, Error err) {
  if (err.kind == ErrorKind::Malformed && !is_binary && ends_with_text_extension(path))
    err.message += " (the text format is not supported yet: convert it with wat2wasm)";
  return load_error(path, err);
}

// Reads, decodes, validates and compiles; prints the error and gives the exit status on failure.
std::expected<std::shared_ptr<const CompiledModule>, int> load(Engine& engine,
                                                               const std::string& path) {
  auto bytes = read_module_file(path);
  if (!bytes) return std::unexpected(load_error(path, bytes.error()));
  const bool is_binary = has_wasm_magic(*bytes);
  auto compiled = compile_module(engine, std::move(*bytes));  // the module keeps the bytes
  if (!compiled) return std::unexpected(module_error(path, is_binary, compiled.error()));
  return *compiled;
}

// `wsvm validate`: decode and validate only, no engine translation.
int validate_file(const std::string& path) {
  auto bytes = read_module_file(path);
  if (!bytes) return load_error(path, bytes.error());
  const bool is_binary = has_wasm_magic(*bytes);
  auto module = decode_module(std::move(*bytes));
  if (!module) return module_error(path, is_binary, module.error());
  if (auto ok = validate_module(**module); !ok) return module_error(path, is_binary, ok.error());
  return kExitOk;
}

// The run is over: stop the timer before printing anything.
void end_run(RunState& rs) {
  if (rs.run_end == Clock::time_point{}) rs.run_end = Clock::now();
  if (rs.deadline && *rs.deadline) (*rs.deadline)->cancel();
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// --stats: one `wsvm: stats: NAME VALUE` line each, after the run's own output.
void print_stats(const RunState& rs, Clock::time_point t0, Clock::time_point t1,
                 Clock::time_point t2) {
  std::fflush(stdout);
  std::string out;
  out += fmt::format("wsvm: stats: compile {:.3f} ms\n", ms_between(t0, t1));
  if (t2 != Clock::time_point{}) {
    out += fmt::format("wsvm: stats: instantiate {:.3f} ms\n", ms_between(t1, t2));
    if (rs.run_end != Clock::time_point{})
      out += fmt::format("wsvm: stats: run {:.3f} ms\n", ms_between(t2, rs.run_end));
  }
  if (rs.store && rs.metered) out += fmt::format("wsvm: stats: fuel consumed {}\n", rs.store->fuel_consumed());
  if (rs.deadline && *rs.deadline && (*rs.deadline)->fired() && rs.run_end != Clock::time_point{}) {
    const Deadline& d = **rs.deadline;
    out += fmt::format("wsvm: stats: stopped {:.3f} ms after the deadline (timer {:.3f} ms late)\n",
                       ms_between(d.deadline(), rs.run_end), ms_between(d.deadline(), d.fired_at()));
  }
  struct rusage ru {};
  if (getrusage(RUSAGE_SELF, &ru) == 0)
    out += fmt::format("wsvm: stats: peak rss {:.1f} MiB\n", ru.ru_maxrss / 1024.0);
  std::fputs(out.c_str(), stderr);
}

int invoke_export(Store& store, Instance& inst, const Options& o, RunState& rs) {
  const std::string& name = *o.invoke;
  auto ext = inst.find_export(name);
  if (!ext) return usage_error(fmt::format("{}: unknown export \"{}\"", o.module_path, one_line(name)));
  if (ext->kind != ExternKind::Func) {
    return usage_error(fmt::format("{}: export \"{}\" is a {}, not a function", o.module_path,
                                   one_line(name), extern_kind_name(ext->kind)));
  }
  FuncInstance* f = ext->func;
  const FuncType& ft = *f->type;
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
  auto results = store.invoke(f, args);
  end_run(rs);
  if (!results) return report_trap(results.error(), rs);
  std::string out;
  for (const Value& v : *results) out += format_value(v) + "\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

int run_start(Store& store, Instance& inst, const Options& o, RunState& rs) {
  auto ext = inst.find_export("_start");
  if (!ext) return kExitOk;  // a reactor-style module: instantiation (and its start) is the run
  if (ext->kind != ExternKind::Func || !ext->func->type->params.empty() ||
      !ext->func->type->results.empty()) {
    return load_error(o.module_path, Error{ErrorKind::Invalid, kNoOffset,
                                           "export \"_start\" must be a function [] -> []"});
  }
  auto results = store.invoke(ext->func, {});
  end_run(rs);
  if (!results) return report_trap(results.error(), rs);
  return kExitOk;
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

// Compile, link, instantiate and run (or validate) on the calling thread. With
// `exit_when_done` the process ends at the end of a run (see finish()).
static int run_module(const Options& o, bool exit_when_done) {
  const LimitOptions& lim = o.limits;
  // --stats meters fuel even without --fuel, so it can say how much a run needs.
  const bool metered = lim.fuel.has_value() || lim.stats;
  auto engine = make_engine(o.engine, engine_config(o, metered));
  if (!engine) return usage_error(engine.error());
  // Engines that drop explicit bounds checks rely on it; installing it is idempotent.
  memory::install_trap_handler();

  if (o.command == Command::Validate) return validate_file(o.module_path);
  RunState rs;
  rs.options = &o;
  rs.metered = metered;
  const Clock::time_point t0 = Clock::now();
  auto compiled = load(**engine, o.module_path);
  const Clock::time_point t1 = Clock::now();
  if (!compiled) {
    if (lim.stats) print_stats(rs, t0, t1, {});
    return compiled.error();
  }

  StoreLimits limits;
  limits.max_memory_pages = lim.max_memory_pages();
  limits.max_stack_bytes = lim.max_stack_bytes;
  // --max-stack is the limit users set; the frame-count limit must not bind first. Every
  // frame (interpreter or machine) takes at least 16 bytes, so bytes / 16 frames never do.
  limits.max_call_depth = static_cast<uint32_t>(
      std::max<uint64_t>(limits.max_call_depth, lim.max_stack_bytes / 16));
  Store store(**engine, limits);
  rs.store = &store;
  if (metered) store.set_fuel(lim.fuel.value_or(UINT64_MAX));  // clamped to INT64_MAX
  Linker linker;
  auto wasi_ctx = link_wasi(linker, store, *(*compiled)->module, o);
  if (!wasi_ctx) return usage_error(wasi_ctx.error());

  // The timeout covers instantiation (a start function may loop) and the run. Declared after
  // the store: it is destroyed (cancelled) first.
  std::optional<Deadline> deadline;
  rs.deadline = &deadline;
  if (lim.timeout) {
    Deadline::Overrun overrun;
    overrun.grace = std::chrono::milliseconds(100);
    // Still running 100 ms after the flag was set: stuck in a blocking host call that the
    // flag cannot reach. End the process from the timer thread (write + _exit: no stdio
    // locks, no destructors racing the main thread).
    std::string line = timeout_line(o);
    overrun.callback = [line] {
      ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
      (void)ignored;
      _exit(kExitTimeout);
    };
    deadline.emplace(store, *lim.timeout, std::move(overrun));
  }
  auto inst = linker.instantiate(store, *compiled);
  const Clock::time_point t2 = Clock::now();
  int status;
  if (!inst) {
    end_run(rs);
    const std::optional<Trap>& trap = linker.last_trap();
    // A limit, or proc_exit in a start function, ends the run as it would in _start.
    bool limit_trap = trap && (trap->kind == TrapKind::Interrupted ||
                               trap->kind == TrapKind::OutOfFuel || trap->kind == TrapKind::Exit);
    status = limit_trap ? report_trap(*trap, rs) : load_error(o.module_path, inst.error());
  } else {
    status = o.invoke ? invoke_export(store, **inst, o, rs) : run_start(store, **inst, o, rs);
  }
  end_run(rs);  // keeps the first end time; covers usage errors before any call
  if (lim.stats) print_stats(rs, t0, t1, t2);
  return finish(status, exit_when_done);
}

// A JIT runs wasm on the machine stack, so the thread running the module needs room for
// --max-stack on top of the native-stack reserve and the host code (WASI, wsvm itself).
static size_t stack_bytes_needed(const Options& o) {
  constexpr size_t kHostRoom = size_t{4} << 20;
  return static_cast<size_t>(o.limits.max_stack_bytes) + kNativeStackReserve + kHostRoom;
}

// The main thread's stack grows on demand up to RLIMIT_STACK (the kernel keeps that range
// free of other mappings). When it is big enough, run there: a second thread costs ~1 ms of
// start-up on a small VM (its stack mapping, glibc's per-thread malloc arena, the join).
static bool main_stack_suffices(size_t want) {
  rlimit rl{};
  if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return false;
  constexpr size_t kUsedSoFar = size_t{256} << 10;  // main() and the CLI's frames, generously
  return rl.rlim_cur >= want + kUsedSoFar;
}

// Otherwise run on a thread sized for it (its stack is mapped lazily, so only what is used
// costs).
static int run_with_sized_stack(const Options& o) {
  constexpr size_t kMinStack = size_t{8} << 20;  // the usual main-thread stack
  const size_t need = stack_bytes_needed(o);
  if (main_stack_suffices(need)) return run_module(o, true);
  const size_t want = std::max(kMinStack, need);
  struct Call {
    const Options* options;
    int status = 0;
  } call{&o};
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return run_module(o, true);
  pthread_t thread;
  bool started = pthread_attr_setstacksize(&attr, want) == 0 &&
                 pthread_create(&thread, &attr, [](void* p) -> void* {
                   auto* c = static_cast<Call*>(p);
                   c->status = run_module(*c->options, true);
                   return nullptr;
                 }, &call) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return run_module(o, true);  // e.g. no memory for the stack: use this thread's
  pthread_join(thread, nullptr);
  return call.status;
}

int run_command(const Options& o) {
  if (o.command == Command::Validate) return run_module(o, false);
  return run_with_sized_stack(o);
}

}  // namespace wsvm::cli

// Fuzz target 2: decode + validate + instantiate + run, under limits. Every import is
// satisfied by a dummy of the required type (host functions returning zeros, fresh tables,
// memories and globals), then every exported function is called with zero arguments, each
// call with a fresh fuel budget; all of it in every built engine (interpreter and JIT). Load
// errors, link errors and traps are clean exits; only a crash, a sanitizer report, a hang or a
// compilation beyond the per-byte work budget (fuzz/work_budget.hpp) is a finding.
//   fuzz_run [FILE|DIR]...   (no argument: one module from stdin)
// Environment: WSVM_FUZZ_VERBOSE=1 prints each outcome; WSVM_FUZZ_TIMEOUT_MS (default 1000)
// is the wall-clock budget per input after which the interrupt flag is raised (a fallback:
// fuel normally ends every loop long before).
#include <signal.h>
#include <sys/time.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "fuzz/dummy_imports.hpp"
#include "fuzz/input.hpp"
#include "fuzz/work_budget.hpp"
#include "engines/registry.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/engine.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"

namespace {

constexpr int64_t kFuelPerCall = 100000;

bool g_verbose = false;
long g_timeout_ms = 1000;
std::atomic<uint32_t>* volatile g_interrupt = nullptr;  // the running store's flag

static_assert(std::atomic<uint32_t>::is_always_lock_free, "the SIGALRM handler stores into it");

void on_alarm(int) {
  if (std::atomic<uint32_t>* flag = g_interrupt) flag->store(1, std::memory_order_relaxed);
}

void arm_timer(long ms) {
  itimerval t{};
  t.it_value.tv_sec = ms / 1000;
  t.it_value.tv_usec = (ms % 1000) * 1000;
  setitimer(ITIMER_REAL, &t, nullptr);
}

void log(const std::string& name, const std::string& what) {
  if (g_verbose) std::fprintf(stderr, "%s: %s\n", name.c_str(), what.c_str());
}

wsvm::StoreLimits fuzz_limits() {
  wsvm::StoreLimits limits;
  limits.max_memory_pages = 256;             // 16 MiB per memory
  limits.max_table_elems = 100000;
  limits.max_stack_bytes = 256 * 1024;
  limits.max_call_depth = 2000;
  return limits;
}

// `name` is the input's name and the engine's, as every message names both.
void one_input(wsvm::Engine& engine, const wsvm::fuzz::WorkBudget& budget, const std::vector<uint8_t>& bytes,
               const std::string& name) {
  std::optional<decltype(wsvm::compile_module(engine, bytes))> compiled_or;
  budget.check(name, "compile", bytes.size(), [&] { compiled_or.emplace(wsvm::compile_module(engine, bytes)); });
  auto& compiled = *compiled_or;
  if (!compiled) return log(name, "load error: " + compiled.error().message);

  wsvm::Store store(engine, fuzz_limits());
  wsvm::ExecContext& ctx = store.exec();
  ctx.interrupt.store(0);
  g_interrupt = &ctx.interrupt;
  arm_timer(g_timeout_ms);

  wsvm::Linker linker;
  if (auto ok = wsvm::fuzz::define_dummy_imports(linker, store, *(*compiled)->module); !ok) {
    log(name, "dummy imports: " + ok.error().message);
  } else {
    store.set_fuel(kFuelPerCall);  // the start function's budget
    auto inst = linker.instantiate(store, *compiled);
    if (!inst) {
      log(name, "instantiate: " + inst.error().message);
    } else {
      const wsvm::Module& m = *(*compiled)->module;
      for (const wsvm::Export& e : m.exports) {
        if (e.kind != wsvm::ExternKind::Func) continue;
        wsvm::FuncInstance* f = (*inst)->funcs[e.index];
        std::vector<wsvm::Value> args;
        for (wsvm::ValType t : f->type->params) args.push_back(wsvm::Value::zero(t));
        store.set_fuel(kFuelPerCall);
        auto results = store.invoke(f, args);
        log(name, "call " + e.name + ": " + (results ? std::string("ok") : results.error().message));
      }
    }
  }
  arm_timer(0);
  g_interrupt = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  g_verbose = std::getenv("WSVM_FUZZ_VERBOSE") != nullptr;
  if (const char* t = std::getenv("WSVM_FUZZ_TIMEOUT_MS")) g_timeout_ms = std::max(1L, std::atol(t));
  struct sigaction sa{};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
  wsvm::memory::install_trap_handler();

  wsvm::EngineConfig config;
  config.fuel = true;
  config.interruptible = true;
  std::vector<std::pair<std::unique_ptr<wsvm::Engine>, std::string_view>> engines;
  for (std::string_view engine_name : wsvm::built_engine_names()) {
    engines.emplace_back(std::move(wsvm::make_engine(engine_name, config).value()), engine_name);
  }
  const wsvm::fuzz::WorkBudget budget;
  return wsvm::fuzz::for_each_input(argc, argv, [&](const std::vector<uint8_t>& bytes, const std::string& name) {
    for (auto& [engine, engine_name] : engines) {
      one_input(*engine, budget, bytes, name + " [" + std::string(engine_name) + "]");
    }
  });
}

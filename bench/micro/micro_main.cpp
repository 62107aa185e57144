// Google Benchmark micro-benchmarks of wsvm (issue 6, part 2): load-time throughput
// (decode+validate, decode+validate+translate per engine), instantiation of a small module,
// and the call paths host->wasm and wasm->host. The modules are generated in code
// (modules.cpp), so the benchmark needs no input files.
//
// Engines: every per-engine case is registered once per engine the build has (the registry,
// engines/registry.hpp); the JIT compiles eagerly here, its other modes are extra cases.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/micro/modules.hpp"
#include "decoder/module.hpp"
#include "engines/registry.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/engine.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"
#include "validator/validate.hpp"

namespace wsvm::bench {
namespace {

struct EngineEntry {
  std::string name;
  std::function<std::unique_ptr<Engine>()> make;
};

// The engine `name` with `config`; built_engine_names() lists only engines make_engine has.
std::function<std::unique_ptr<Engine>()> maker(std::string name, EngineConfig config) {
  return [name, config] { return std::move(make_engine(name, config).value()); };
}

const std::vector<EngineEntry>& engines() {
  // Eager: compile/jit measures one core's compile speed (the other modes below).
  static const std::vector<EngineEntry> list = [] {
    std::vector<EngineEntry> v;
    for (std::string_view n : built_engine_names())
      v.push_back({std::string(n), maker(std::string(n), EngineConfig{.jit_compile = JitCompile::Eager})});
    return v;
  }();
  return list;
}

constexpr uint32_t kLargeFuncs = 8000;  // ~5 MB of code

const Bytes& large() {
  static const Bytes bytes = large_module(kLargeFuncs);
  return bytes;
}

// Set by any case that reports an error, so the exit status (and the smoke test) fails.
bool g_failed = false;

void fail(benchmark::State& state, const std::string& what) {
  g_failed = true;
  state.SkipWithError(what.c_str());
}

// --- load time -------------------------------------------------------------------------

void BM_Decode(benchmark::State& state) {
  const Bytes& bytes = large();
  for (auto _ : state) {
    auto m = decode_module(bytes);
    if (!m) return fail(state, m.error().to_string());
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
  state.SetLabel(std::to_string(bytes.size()) + " byte module");
}

void BM_DecodeValidate(benchmark::State& state) {
  const Bytes& bytes = large();
  for (auto _ : state) {
    auto m = decode_module(bytes);
    if (!m) return fail(state, m.error().to_string());
    auto ok = validate_module(**m);
    if (!ok) return fail(state, ok.error().to_string());
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
}

// decode + validate + the engine's translation (what a module costs before it can run).
void BM_Compile(benchmark::State& state, const EngineEntry* e) {
  auto engine = e->make();
  const Bytes& bytes = large();
  for (auto _ : state) {
    auto compiled = compile_module(*engine, bytes);
    if (!compiled) return fail(state, compiled.error().to_string());
    benchmark::DoNotOptimize(compiled);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
}

// --- instantiation ---------------------------------------------------------------------

void BM_Instantiate(benchmark::State& state, const EngineEntry* e) {
  auto engine = e->make();
  auto compiled = compile_module(*engine, small_module());
  if (!compiled) return fail(state, compiled.error().to_string());
  for (auto _ : state) {
    Store store(*engine);
    Linker linker;
    auto inst = linker.instantiate(store, *compiled);
    if (!inst) return fail(state, inst.error().to_string());
    benchmark::DoNotOptimize(inst);
  }
}

// compile + instantiate of the same small module: the embedder's whole start-up cost.
void BM_CompileInstantiateSmall(benchmark::State& state, const EngineEntry* e) {
  auto engine = e->make();
  const Bytes bytes = small_module();
  for (auto _ : state) {
    auto compiled = compile_module(*engine, bytes);
    if (!compiled) return fail(state, compiled.error().to_string());
    Store store(*engine);
    Linker linker;
    auto inst = linker.instantiate(store, *compiled);
    if (!inst) return fail(state, inst.error().to_string());
    benchmark::DoNotOptimize(inst);
  }
}

// --- calls -----------------------------------------------------------------------------

// The call module instantiated with env.host(x) = x + 1.
struct CallFixture {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Store> store;
  FuncInstance* add = nullptr;
  FuncInstance* call_host = nullptr;
  std::string error;

  explicit CallFixture(const EngineEntry& e) : engine(e.make()) {
    auto compiled = compile_module(*engine, call_module());
    if (!compiled) { error = compiled.error().to_string(); return; }
    store = std::make_unique<Store>(*engine);
    FuncInstance* host = store->create_host_func(
        FuncType{{ValType::I32}, {ValType::I32}},
        [](HostContext&, uint64_t* slots) -> std::optional<Trap> {
          slots[0] = static_cast<uint32_t>(slots[0] + 1);
          return std::nullopt;
        });
    Linker linker;
    Extern ext;
    ext.kind = ExternKind::Func;
    ext.func = host;
    linker.define("env", "host", ext);
    auto inst = linker.instantiate(*store, *compiled);
    if (!inst) { error = inst.error().to_string(); return; }
    add = (*inst)->find_func("add");
    call_host = (*inst)->find_func("call_host");
  }
};

// Store::invoke: type-checked Value arguments, results as a vector.
void BM_InvokeAdd(benchmark::State& state, const EngineEntry* e) {
  CallFixture f(*e);
  if (!f.error.empty()) return fail(state, f.error);
  const Value args[2] = {Value::from_i32(1), Value::from_i32(2)};
  for (auto _ : state) {
    auto r = f.store->invoke(f.add, args);
    if (!r) return fail(state, r.error().message);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// Store::call_slots: the uniform-slots path, no conversion or allocation.
void BM_CallSlotsAdd(benchmark::State& state, const EngineEntry* e) {
  CallFixture f(*e);
  if (!f.error.empty()) return fail(state, f.error);
  uint64_t slots[2];
  for (auto _ : state) {
    slots[0] = 1;
    slots[1] = 2;
    if (auto trap = f.store->call_slots(f.add, slots, nullptr)) return fail(state, trap->message);
    benchmark::DoNotOptimize(slots[0]);
  }
  if (slots[0] != 3) fail(state, "add(1, 2) != 3");
  state.SetItemsProcessed(state.iterations());
}

// wasm -> host: one wasm loop calling env.host n times (items = host calls).
void BM_WasmToHost(benchmark::State& state, const EngineEntry* e) {
  CallFixture f(*e);
  if (!f.error.empty()) return fail(state, f.error);
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  uint64_t slots[1];
  for (auto _ : state) {
    slots[0] = n;
    if (auto trap = f.store->call_slots(f.call_host, slots, nullptr)) return fail(state, trap->message);
    benchmark::DoNotOptimize(slots[0]);
  }
  // sum over x = 1..n of (x + 1)
  if (static_cast<uint32_t>(slots[0]) != static_cast<uint32_t>(uint64_t(n) * (n + 1) / 2 + n))
    fail(state, "call_host result is wrong");
  state.SetItemsProcessed(int64_t(state.iterations()) * n);
}

void register_all() {
  benchmark::RegisterBenchmark("decode", BM_Decode)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("decode+validate", BM_DecodeValidate)->Unit(benchmark::kMillisecond);
  for (const EngineEntry& e : engines()) {
    std::string n = e.name;
    benchmark::RegisterBenchmark(("compile/" + n).c_str(), BM_Compile, &e)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("instantiate_small/" + n).c_str(), BM_Instantiate, &e)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("compile+instantiate_small/" + n).c_str(), BM_CompileInstantiateSmall, &e)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("host_to_wasm/invoke/" + n).c_str(), BM_InvokeAdd, &e);
    benchmark::RegisterBenchmark(("host_to_wasm/call_slots/" + n).c_str(), BM_CallSlotsAdd, &e);
    benchmark::RegisterBenchmark(("wasm_to_host/" + n).c_str(), BM_WasmToHost, &e)->Arg(1000);
  }
  // The JIT's other compile modes (jit/README.md), in wall time: parallel splits the work
  // over threads (CPU time would count only the calling thread's share), lazy only validates
  // and emits a stub per function.
  if (engine_is_built("jit")) {
    static const EngineEntry jit_modes[] = {
        {"jit-parallel", maker("jit", EngineConfig{.jit_compile = JitCompile::Parallel})},
        {"jit-lazy", maker("jit", EngineConfig{.jit_compile = JitCompile::Lazy})},
    };
    for (const EngineEntry& e : jit_modes)
      benchmark::RegisterBenchmark(("compile/" + e.name).c_str(), BM_Compile, &e)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
  }
}

}  // namespace

bool any_failed() { return g_failed; }
}  // namespace wsvm::bench

int main(int argc, char** argv) {
  wsvm::memory::install_trap_handler();  // engines that rely on guard pages need it
  wsvm::bench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return wsvm::bench::any_failed() ? 1 : 0;
}

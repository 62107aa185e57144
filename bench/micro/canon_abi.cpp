// Google Benchmark cases of canonical-ABI calls (issue 18 item 7), in every built engine:
// a component written here in the text format, instantiated once per engine, then
//   echo/ENGINE        host -> guest: a 1 KiB string in, the same string out (lowered with
//                      the guest's realloc, lifted back, post-return resets the allocator)
//   list_u8_in/ENGINE  host -> guest: a 1 MiB list<u8> argument (the guest returns its length)
//   list_u8_out/ENGINE guest -> host: a 1 MiB list<u8> result read from guest memory
//   record16/ENGINE    host -> guest: a record of 16 u32 fields in (16 flat parameters) and
//                      back (spilled through memory: the result is a pointer)
//   host_call/ENGINE   guest -> host: one wasm loop calling an imported host function that
//                      takes a 1 KiB string, 1000 times per iteration (items/s = calls/s;
//                      the issue's goal: under 1 microsecond a call)
// Run: build-X/bench/micro/wsvm_canon_abi [--benchmark_filter=REGEX]; pin with taskset -c 1.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "component/instance.hpp"
#include "engines/registry.hpp"
#include "runtime/store.hpp"
#include "text/component_text.hpp"

namespace wsvm::bench {
namespace {

using component::ComponentInstance;
using component::ComponentLinker;
using component::Val;

constexpr uint32_t kStringBytes = 1024;
constexpr uint32_t kListBytes = 1 << 20;
constexpr int kHostCallsPerIteration = 1000;

// The guest: a "libc" instance owning the memory and a bump allocator (reset by
// post-return), so the host import can be lowered before the main module is instantiated;
// then the functions above. Memory: 40 pages (2.5 MiB): a 1 MiB argument is allocated from
// 64 KiB up, the 1 MiB list result read at 1.5 MiB, the 1 KiB string for the host at 4096.
std::string component_text() {
  std::string fields, record_params, record_stores;
  for (int i = 0; i < 16; ++i) {
    fields += fmt::format(" (field \"f{}\" u32)", i);
    record_params += " i32";
    record_stores += fmt::format("(i32.store offset={} (i32.const 0) (local.get {}))", 64 + 4 * i, i);
  }
  return fmt::format(R"((component
  (type $rec_def (record{fields}))
  (export $rec "rec" (type $rec_def))  ;; named, so exported functions may use it
  (import "log" (func $log (param "s" string)))
  (core module $Libc
    (memory (export "mem") 40)
    (global $bump (mut i32) (i32.const 65536))
    (data (i32.const 4096) "{text}")
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "reset") (param i32) (global.set $bump (i32.const 65536))))
  (core instance $libc (instantiate $Libc))
  (alias core export $libc "mem" (core memory $mem_alias))
  (alias core export $libc "realloc" (core func $realloc))
  (alias core export $libc "reset" (core func $reset))
  (core func $log_lowered (canon lower (func $log) (memory $mem_alias)))
  (core instance $host (export "log" (func $log_lowered)))
  (core module $M
    (import "host" "log" (func $log (param i32 i32)))
    (import "libc" "mem" (memory 1))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 0) (local.get 0))
      (i32.store (i32.const 4) (local.get 1))
      (i32.const 0))
    (func (export "list-in") (param i32 i32) (result i32) (local.get 1))
    (func (export "list-out") (param i32) (result i32)
      (i32.store (i32.const 8) (i32.const 1572864))
      (i32.store (i32.const 12) (local.get 0))
      (i32.const 8))
    (func (export "record16") (param{record_params}) (result i32)
      {record_stores}
      (i32.const 64))
    (func (export "call-host") (param $n i32)
      (loop $l
        (call $log (i32.const 4096) (i32.const {len}))
        (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $l))))
  (core instance $i (instantiate $M (with "host" (instance $host)) (with "libc" (instance $libc))))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory $mem_alias) (realloc $realloc) (post-return $reset)))
  (func (export "list-in") (param "b" (list u8)) (result u32)
    (canon lift (core func $i "list-in") (memory $mem_alias) (realloc $realloc) (post-return $reset)))
  (func (export "list-out") (param "n" u32) (result (list u8))
    (canon lift (core func $i "list-out") (memory $mem_alias) (realloc $realloc)))
  (func (export "record16") (param "r" $rec) (result $rec)
    (canon lift (core func $i "record16") (memory $mem_alias)))
  (func (export "call-host") (param "n" u32) (canon lift (core func $i "call-host")))
))",
                     fmt::arg("fields", fields), fmt::arg("record_params", record_params),
                     fmt::arg("record_stores", record_stores), fmt::arg("text", std::string(kStringBytes, 'a')),
                     fmt::arg("len", kStringBytes));
}

bool g_failed = false;

void fail(benchmark::State& state, const std::string& what) {
  g_failed = true;
  state.SkipWithError(what.c_str());
}

// One engine's store and instance of the component (made once, shared by its cases).
struct Fixture {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Store> store;
  std::unique_ptr<ComponentInstance> inst;
  uint64_t host_calls = 0;
  std::string error;
};

Fixture& fixture(const std::string& engine_name) {
  static std::map<std::string, std::unique_ptr<Fixture>> all;
  auto& slot = all[engine_name];
  if (slot) return *slot;
  slot = std::make_unique<Fixture>();
  Fixture& f = *slot;
  auto bytes = text::component_wat_to_wasm(component_text());
  if (!bytes) return f.error = "text: " + bytes.error().to_string(), f;
  auto c = component::decode_component(std::move(*bytes));
  if (!c) return f.error = c.error().to_string(), f;
  auto engine = make_engine(engine_name);
  if (!engine) return f.error = "no engine " + engine_name, f;
  f.engine = std::move(*engine);
  f.store = std::make_unique<Store>(*f.engine);
  ComponentLinker linker;
  component::FuncSig log_type{{"s"}, {component::t_prim(component::VKind::String)}, {}};
  Fixture* fp = &f;
  linker.define_func("log", log_type, [fp](std::span<const Val> args) -> component::AbiResult<std::vector<Val>> {
    fp->host_calls += args[0].str.size() == kStringBytes;
    return std::vector<Val>{};
  });
  auto inst = component::instantiate(*f.store, *c, linker);
  if (!inst) return f.error = inst.error().to_string(), f;
  f.inst = std::move(*inst);
  return f;
}

// Calls `name` once per iteration; `check` looks at the results of the first call.
template <class Check>
void call_case(benchmark::State& state, const std::string& engine, const char* name, std::vector<Val> args,
               Check check, int64_t bytes_per_call) {
  Fixture& f = fixture(engine);
  if (!f.inst) return fail(state, f.error);
  auto first = f.inst->call(name, args);
  if (!first) return fail(state, first.error().message);
  if (std::string why = check(*first); !why.empty()) return fail(state, why);
  for (auto _ : state) {
    auto r = f.inst->call(name, args);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * bytes_per_call);
}

void register_cases() {
  for (std::string_view e : built_engine_names()) {
    std::string engine(e);
    benchmark::RegisterBenchmark(("echo/" + engine).c_str(), [engine](benchmark::State& s) {
      std::string text(kStringBytes, 'x');
      call_case(s, engine, "echo", {Val::string(text)}, [&](const std::vector<Val>& r) {
        return r.size() == 1 && r[0].str == text ? "" : "echo returned another string";
      }, kStringBytes);
    });
    benchmark::RegisterBenchmark(("list_u8_in/" + engine).c_str(), [engine](benchmark::State& s) {
      call_case(s, engine, "list-in", {Val::byte_list(std::vector<uint8_t>(kListBytes, 7))},
                [](const std::vector<Val>& r) { return r.size() == 1 && r[0].u == kListBytes ? "" : "wrong length"; },
                kListBytes);
    });
    benchmark::RegisterBenchmark(("list_u8_out/" + engine).c_str(), [engine](benchmark::State& s) {
      call_case(s, engine, "list-out", {Val::u32(kListBytes)},
                [](const std::vector<Val>& r) { return r.size() == 1 && r[0].list_size() == kListBytes ? "" : "wrong length"; },
                kListBytes);
    });
    benchmark::RegisterBenchmark(("record16/" + engine).c_str(), [engine](benchmark::State& s) {
      std::vector<Val> fields;
      for (uint32_t i = 0; i < 16; ++i) fields.push_back(Val::u32(i * 3));
      Val rec = Val::record(fields);
      call_case(s, engine, "record16", {rec}, [&](const std::vector<Val>& r) {
        return r.size() == 1 && r[0] == rec ? "" : "record16 returned another record";
      }, 64);
    });
    benchmark::RegisterBenchmark(("host_call/" + engine).c_str(), [engine](benchmark::State& s) {
      Fixture& f = fixture(engine);
      if (!f.inst) return fail(s, f.error);
      std::vector<Val> args{Val::u32(kHostCallsPerIteration)};
      uint64_t before = f.host_calls;
      for (auto _ : s) {
        auto r = f.inst->call("call-host", args);
        if (!r) return fail(s, r.error().message);
      }
      if (f.host_calls - before != uint64_t(s.iterations()) * kHostCallsPerIteration)
        return fail(s, "the host function did not see every 1 KiB string");
      s.SetItemsProcessed(s.iterations() * kHostCallsPerIteration);
    });
  }
}

}  // namespace
}  // namespace wsvm::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  wsvm::bench::register_cases();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return wsvm::bench::g_failed ? 1 : 0;
}

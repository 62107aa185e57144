// Scale (issue 5 part 5): many short-lived instances leak nothing, traps leak nothing, and
// one CompiledModule runs on 8 threads at once (each with its own Store). Catch2 macros run
// on the main thread only: worker threads record results, the main thread checks them.
#include <atomic>
#include <cstdio>
#include <latch>
#include <thread>

#include "runtime/linker.hpp"
#include "runtime/tests/limits_support.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

uint32_t fib_ref(uint32_t n) {
  uint32_t a = 0, b = 1;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t t = a + b;
    a = b;
    b = t;
  }
  return a;
}

// One instantiate/run/destroy cycle; returns store_and_sum(x) (= x for a fresh instance) or
// a negative value on failure.
int64_t cycle(const std::shared_ptr<const CompiledModule>& compiled, uint32_t x) {
  Store store(*compiled->engine);
  Linker linker;
  auto inst = linker.instantiate(store, compiled);
  if (!inst) return -1;
  FuncInstance* f = (*inst)->find_func("store_and_sum");
  if (!f) return -2;
  Value arg = Value::from_i32(x);
  auto r = store.invoke(f, std::span<const Value>(&arg, 1));
  if (!r) return -3;
  return (*r)[0].i32;
}

}  // namespace

TEST_CASE("scale: 10,000 instantiate/run/destroy cycles keep RSS and mappings flat",
          "[scale]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  auto engine = make_engine_named(name, EngineConfig{});
  REQUIRE(engine);
  auto compiled = compile_fixture(*engine, "limits");
  int wrong = 0;
  for (uint32_t i = 0; i < 200; ++i) wrong += cycle(compiled, i) != i;  // warm up the heap
  const long rss0 = rss_kib(), maps0 = mapping_count();
  for (uint32_t i = 0; i < 10000; ++i) wrong += cycle(compiled, i) != i;
  const long rss1 = rss_kib(), maps1 = mapping_count();
  std::fprintf(stderr, "[%s] 10000 cycles: RSS %ld -> %ld KiB, mappings %ld -> %ld\n",
               name.c_str(), rss0, rss1, maps0, maps1);
  CHECK(wrong == 0);
  CHECK(maps1 - maps0 <= 4);      // a leaked memory would add 10,000 mappings
  CHECK(rss1 - rss0 < 4 * 1024 + kSanitizerRssSlackKiB + emulator_rss_slack_kib());  // a leaked wasm page per cycle: 640 MiB
}

TEST_CASE("scale: 10,000 trapping calls in one process leak nothing", "[scale]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  auto engine = make_engine_named(name, EngineConfig{});
  REQUIRE(engine);
  Store store(*engine);
  Linker linker;
  auto inst = linker.instantiate(store, compile_fixture(*engine, "limits"));
  if (!inst) FAIL(inst.error().to_string());
  FuncInstance* load = (*inst)->find_func("load");
  REQUIRE(load);
  auto trapping_call = [&](uint32_t i) {
    // Addresses from just past the page to the far end of the 4 GiB index space.
    Value arg = Value::from_i32(65533 + i * 429487u);
    auto r = store.invoke(load, std::span<const Value>(&arg, 1));
    return !r && r.error().kind == TrapKind::MemoryOutOfBounds;
  };
  int trapped = 0;
  for (uint32_t i = 0; i < 100; ++i) trapped += trapping_call(i);
  const long rss0 = rss_kib(), maps0 = mapping_count();
  for (uint32_t i = 0; i < 10000; ++i) trapped += trapping_call(i);
  const long rss1 = rss_kib(), maps1 = mapping_count();
  std::fprintf(stderr, "[%s] 10000 trapping calls: RSS %ld -> %ld KiB, mappings %ld -> %ld\n",
               name.c_str(), rss0, rss1, maps0, maps1);
  CHECK(trapped == 10100);
  CHECK(store.exec().call_depth == 0);
  CHECK(maps1 - maps0 <= 2);
  CHECK(rss1 - rss0 < 2 * 1024 + kSanitizerRssSlackKiB + emulator_rss_slack_kib());
  // The store still works after all those traps.
  Value arg = Value::from_i32(65532);
  auto ok = store.invoke(load, std::span<const Value>(&arg, 1));
  REQUIRE(ok);
  CHECK((*ok)[0].i32 == 0);
}

TEST_CASE("scale: 8 threads run one shared CompiledModule at once", "[scale]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  auto engine = make_engine_named(name, EngineConfig{});
  REQUIRE(engine);
  auto compiled = compile_fixture(*engine, "limits");
  constexpr int kThreads = 8, kRounds = 200;
  struct Result {
    int instantiate_failures = 0;
    int wrong = 0;
    uint32_t last_sum = 0;
    uint64_t checks = 0;
  };
  std::vector<Result> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Result& res = results[t];
      start.arrive_and_wait();  // all at once
      Store store(*engine);
      Linker linker;
      auto inst = linker.instantiate(store, compiled);
      if (!inst) {
        ++res.instantiate_failures;
        return;
      }
      FuncInstance* fib = (*inst)->find_func("fib");
      FuncInstance* sum = (*inst)->find_func("store_and_sum");
      for (int round = 0; round < kRounds; ++round) {
        uint32_t n = 20 + (t * 7 + round) % 25;
        Value a = Value::from_i32(n);
        auto r = store.invoke(fib, std::span<const Value>(&a, 1));
        res.wrong += !r || static_cast<uint32_t>((*r)[0].i32) != fib_ref(n);
        // Per-instance memory: each thread's running sum of t + 1.
        Value b = Value::from_i32(static_cast<uint32_t>(t + 1));
        auto s = store.invoke(sum, std::span<const Value>(&b, 1));
        if (s) res.last_sum = (*s)[0].i32;
        res.wrong += !s;
        res.checks += 2;
      }
      // Plus short-lived instances of the same module.
      for (int i = 0; i < 50; ++i) res.wrong += cycle(compiled, t * 1000 + i) != t * 1000 + i;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    CHECK(results[t].instantiate_failures == 0);
    CHECK(results[t].wrong == 0);
    CHECK(results[t].checks == 2 * kRounds);
    CHECK(results[t].last_sum == static_cast<uint32_t>((t + 1) * kRounds));
  }
}

// The limits contract (runtime/store.hpp, above ExecContext) in the interpreter: exact fuel
// counts, OutOfFuel leaving fuel_remaining unchanged, interruption (set before a call and
// from another thread), value-stack exhaustion and host -> wasm re-entry recursion.
// The expected counts are derived by hand in the comments of tests/wat/limits.wat.
#include <atomic>
#include <chrono>
#include <thread>

#include <pthread.h>

#include "interp/disasm.hpp"
#include "interp/tests/exec_util.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

constexpr EngineConfig kFuel{.fuel = true, .interruptible = true};
constexpr EngineConfig kFuelOnly{.fuel = true, .interruptible = false};
constexpr EngineConfig kNoChecks{.fuel = false, .interruptible = false};

struct LimitsHarness : Harness {
  explicit LimitsHarness(EngineConfig c = {}, StoreLimits l = {}) : Harness(c, l) {
    host("reenter", FuncType{{ValType::I32}, {ValType::I32}},
         [this](HostContext& ctx, uint64_t* s) { return ctx.store.call_slots(down, s, ctx.caller); });
    host("nothing", FuncType{}, [](HostContext&, uint64_t*) { return std::optional<Trap>(); });
    load("limits");
    down = inst->find_func("down");
  }
  FuncInstance* down = nullptr;

  // Fuel consumed by one call that must succeed.
  int64_t fuel_of(const std::string& name, std::vector<Value> args = {}) {
    const int64_t start = 1'000'000;
    store.exec().fuel_remaining = start;
    auto r = call(name, std::move(args));
    if (!r) FAIL("trap: " << r.error().message);
    return start - store.exec().fuel_remaining;
  }
};

// The costs of the `fuel` ops of an export's code, in code order.
std::vector<uint64_t> fuel_ops(Harness& h, const std::string& name) {
  FuncInstance* f = h.inst->find_func(name);
  REQUIRE(f != nullptr);
  std::string text = interp::disassemble(*static_cast<const interp::FuncCode*>(f->code));
  std::vector<uint64_t> costs;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    size_t colon = line.find(": ");
    std::string rest = line.substr(colon + 2);
    if (rest.starts_with("fuel ")) costs.push_back(std::stoull(rest.substr(5)));
  }
  return costs;
}

}  // namespace

TEST_CASE("fuel: one op per executed region, none for empty or dead ones", "[interp][limits]") {
  LimitsHarness h(kFuel);
  using V = std::vector<uint64_t>;
  CHECK(fuel_ops(h, "count") == V{4, 5, 1});  // [block] and [loop] cost nothing
  CHECK(fuel_ops(h, "ifelse") == V{2, 1, 3, 2});
  CHECK(fuel_ops(h, "ifnoelse") == V{2, 2, 1});
  CHECK(fuel_ops(h, "dead") == V{2, 2});               // nothing for the dead region
  CHECK(fuel_ops(h, "table") == V{2, 2, 1});
  CHECK(fuel_ops(h, "unreach") == V{1});
  CHECK(fuel_ops(h, "calls") == V{2, 1, 2});
  CHECK(fuel_ops(h, "spin") == V{1});

  LimitsHarness plain(kNoChecks);
  CHECK(fuel_ops(plain, "count").empty());
}

TEST_CASE("fuel: exact counts per region", "[interp][limits]") {
  for (EngineConfig c : {kFuel, kFuelOnly}) {
    LimitsHarness h(c);
    CHECK(h.fuel_of("straight") == 3);
    CHECK(h.fuel_of("count", {i32(0)}) == 5);
    CHECK(h.fuel_of("count", {i32(1)}) == 14);
    CHECK(h.fuel_of("count", {i32(10)}) == 95);
    CHECK(h.fuel_of("ifelse", {i32(1)}) == 5);
    CHECK(h.fuel_of("ifelse", {i32(0)}) == 7);
    CHECK(h.fuel_of("ifnoelse", {i32(1)}) == 5);
    CHECK(h.fuel_of("ifnoelse", {i32(0)}) == 3);
    CHECK(h.fuel_of("calls") == 11);
    CHECK(h.fuel_of("host_call") == 2);
    CHECK(h.fuel_of("div", {i32(2)}) == 5);
    CHECK(h.fuel_of("dead") == 4);
    CHECK(h.fuel_of("table", {i32(0)}) == 4);
    CHECK(h.fuel_of("table", {i32(1)}) == 3);
    CHECK(h.fuel_of("table", {i32(77)}) == 3);
    CHECK(h.fuel_of("br_if_ret", {i32(1)}) == 3);
    CHECK(h.fuel_of("br_if_ret", {i32(0)}) == 5);
    CHECK(h.fuel_of("deep", {i32(0)}) == 4);
    CHECK(h.fuel_of("deep", {i32(100)}) == 904);
    // Results are unaffected by metering.
    CHECK(h.num("count", {i32(10)}) == 10);
    CHECK(h.num("br_if_ret", {i32(1)}) == 9);
    CHECK(h.num("br_if_ret", {i32(0)}) == 8);
    CHECK(h.num("dead") == 4);
    CHECK(h.num("ifelse", {i32(0)}) == 22);
  }
}

TEST_CASE("fuel: a trapping region is charged in full", "[interp][limits]") {
  LimitsHarness h(kFuel);
  h.store.exec().fuel_remaining = 100;
  CHECK(h.trap("div", {i32(0)}) == "integer divide by zero");
  CHECK(h.store.exec().fuel_remaining == 95);
  CHECK(h.trap("unreach") == "unreachable");
  CHECK(h.store.exec().fuel_remaining == 94);
}

TEST_CASE("fuel: running out traps and leaves the remainder unchanged", "[interp][limits]") {
  LimitsHarness h(kFuel);
  h.store.exec().fuel_remaining = 2;  // "straight" needs 3 in one region
  auto r = h.call("straight");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::OutOfFuel);
  CHECK(r.error().message == "out of fuel");
  CHECK(h.store.exec().fuel_remaining == 2);
  CHECK(h.store.exec().call_depth == 0);

  // count(10): five iterations use 45, the sixth test region 4 leaves 1, then the increment
  // region (5) does not start.
  h.store.exec().fuel_remaining = 50;
  r = h.call("count", {i32(10)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::OutOfFuel);
  CHECK(h.store.exec().fuel_remaining == 1);

  // Exactly enough is enough.
  h.store.exec().fuel_remaining = 95;
  CHECK(h.num("count", {i32(10)}) == 10);
  CHECK(h.store.exec().fuel_remaining == 0);

  // Zero fuel: not even the first region starts; an infinite loop ends.
  h.store.exec().fuel_remaining = 0;
  CHECK(h.trap("straight") == "out of fuel");
  h.store.exec().fuel_remaining = 1000;
  CHECK(h.trap("spin") == "out of fuel");
  CHECK(h.store.exec().fuel_remaining == 0);  // each iteration costs 1

  // Out of fuel deep in a recursion unwinds every frame: deep(100) needs 904.
  h.store.exec().fuel_remaining = 500;
  r = h.call("deep", {i32(100)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::OutOfFuel);
  CHECK(r.error().backtrace.size() > 40);
  CHECK(h.store.exec().call_depth == 0);
  h.store.exec().fuel_remaining = 904;
  CHECK(h.num("deep", {i32(100)}) == 100);
  CHECK(h.store.exec().fuel_remaining == 0);
}

TEST_CASE("fuel: an engine without metering ignores fuel_remaining", "[interp][limits]") {
  LimitsHarness h(kNoChecks);
  h.store.exec().fuel_remaining = 0;
  CHECK(h.num("count", {i32(10)}) == 10);
  CHECK(h.store.exec().fuel_remaining == 0);
}

TEST_CASE("interrupt set before the call traps at function entry", "[interp][limits]") {
  LimitsHarness h;  // default config: interruptible
  h.store.exec().interrupt.store(1);
  auto r = h.call("straight");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::Interrupted);
  CHECK(r.error().message == "interrupted");
  CHECK(r.error().backtrace.size() == 1);
  // It stays set until the embedder clears it.
  CHECK(h.trap("straight") == "interrupted");
  h.store.exec().interrupt.store(0);
  CHECK(h.num("straight") == 3);

  // A non-interruptible engine does not look at the flag.
  LimitsHarness plain(kNoChecks);
  plain.store.exec().interrupt.store(1);
  CHECK(plain.num("straight") == 3);
}

TEST_CASE("interrupt set by another thread ends an infinite loop", "[interp][limits]") {
  for (EngineConfig c : {EngineConfig{}, kFuel}) {
    for (const char* name : {"spin", "spin_if", "spin_cmp"}) {
      LimitsHarness h(c);
      h.store.exec().fuel_remaining = INT64_MAX;
      std::atomic<uint32_t>& flag = h.store.exec().interrupt;
      std::thread timer([&flag] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        flag.store(1, std::memory_order_relaxed);
      });
      auto start = std::chrono::steady_clock::now();
      std::vector<Value> args;
      if (name != std::string("spin")) args.push_back(i32(1));
      auto r = h.call(name, args);
      auto elapsed = std::chrono::steady_clock::now() - start;
      timer.join();
      INFO(name);
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == TrapKind::Interrupted);
      CHECK(elapsed >= std::chrono::milliseconds(25));
      CHECK(h.store.exec().call_depth == 0);
      flag.store(0);
      CHECK(h.num("count", {i32(3)}) == 3);
    }
  }
}

TEST_CASE("interrupt reaches a recursion without loops at its calls", "[interp][limits]") {
  StoreLimits limits;
  limits.max_call_depth = 1000000;
  limits.max_stack_bytes = uint64_t{1} << 30;
  LimitsHarness h({}, limits);
  h.store.exec().interrupt.store(1);
  CHECK(h.trap("deep", {i32(5)}) == "interrupted");
  h.store.exec().interrupt.store(0);
  CHECK(h.num("deep", {i32(5)}) == 5);
}

TEST_CASE("the value stack is max_stack_bytes long", "[interp][limits]") {
  StoreLimits small;
  small.max_stack_bytes = 4096;  // 512 slots
  small.max_call_depth = 1000000;
  LimitsHarness h({}, small);
  CHECK(h.num("deep", {i32(10)}) == 10);
  auto r = h.call("deep", {i32(100000)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::CallStackExhausted);
  CHECK(r.error().message == "call stack exhausted");
  CHECK(h.store.exec().call_depth == 0);
  // Everything was unwound: the stack is usable again.
  CHECK(h.num("deep", {i32(10)}) == 10);

  // The same depth fits in a bigger stack.
  StoreLimits big;
  big.max_stack_bytes = uint64_t{64} << 20;
  big.max_call_depth = 1000000;
  LimitsHarness b({}, big);
  CHECK(b.num("deep", {i32(100000)}) == 100000);

  // A limit below one frame: even the first call traps.
  StoreLimits tiny;
  tiny.max_stack_bytes = 8;
  LimitsHarness t({}, tiny);
  CHECK(t.trap("deep", {i32(1)}) == "call stack exhausted");
}

TEST_CASE("host -> wasm re-entry recursion traps before the machine stack overflows",
          "[interp][limits]") {
  StoreLimits limits;
  limits.max_call_depth = 100000000;  // only the native stack check can stop it
  limits.max_stack_bytes = uint64_t{1} << 30;
  LimitsHarness h({}, limits);
  CHECK(h.num("down", {i32(100)}) == 0);
  auto r = h.call("down", {i32(100000)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::CallStackExhausted);
  CHECK(h.store.exec().call_depth == 0);
  CHECK(h.num("down", {i32(100)}) == 0);  // usable again (1000 re-entries overflow ASan frames)

  // The same on a thread with a 1 MiB stack (the limit is taken from the calling thread).
  // No Catch2 macros on the worker: collect, check here.
  struct Job {
    Store* store;
    FuncInstance* f;
    std::optional<TrapKind> kind;
  } job{&h.store, h.down, std::nullopt};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{1} << 20);
  pthread_t tid;
  auto body = [](void* p) -> void* {
    auto* j = static_cast<Job*>(p);
    Value arg = Value::from_i32(100000);
    auto wr = j->store->invoke(j->f, std::span<const Value>(&arg, 1));
    if (!wr) j->kind = wr.error().kind;
    return nullptr;
  };
  REQUIRE(pthread_create(&tid, &attr, body, &job) == 0);
  pthread_join(tid, nullptr);
  pthread_attr_destroy(&attr);
  REQUIRE(job.kind.has_value());
  CHECK(*job.kind == TrapKind::CallStackExhausted);
}

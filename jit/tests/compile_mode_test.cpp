// The JIT's compile modes (EngineConfig::jit_compile): eager, parallel and lazy compilation
// behave alike: results, traps and their backtraces (function_at must find functions in
// every group and in lazily compiled chunks), nested entries, and one lazily compiled module
// shared by 8 threads that race to compile the same functions.
#include <atomic>
#include <latch>
#include <thread>

#include "jit/tests/jit_harness.hpp"

namespace wsvm::jit_test {
namespace {

const std::vector<std::pair<JitCompile, const char*>> kModes = {
    {JitCompile::Eager, "eager"}, {JitCompile::Parallel, "parallel"}, {JitCompile::Lazy, "lazy"}};

std::vector<std::string> mode_names(const Trap& t) {
  std::vector<std::string> out;
  for (const BacktraceFrame& f : t.backtrace) out.push_back(f.function);
  return out;
}

void leb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? b | 0x80 : b);
  } while (v);
}

void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& body) {
  out.push_back(id);
  leb(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

// n functions (param i32) (result i32), each `pad` bytes of `i32.const 0 drop` long:
// f_i(x) = f_{i+1}(x) + 1, and the last one traps (unreachable) when x == 0, else returns x.
// Large enough, the parallel mode splits it across workers: calls cross group boundaries.
std::vector<uint8_t> chain_module(uint32_t n, uint32_t pad) {
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f});
  std::vector<uint8_t> funcs;
  leb(funcs, n);
  for (uint32_t i = 0; i < n; ++i) funcs.push_back(0x00);
  section(m, 3, funcs);
  section(m, 7, {0x01, 0x02, 'f', '0', 0x00, 0x00});
  std::vector<uint8_t> code;
  leb(code, n);
  for (uint32_t i = 0; i < n; ++i) {
    std::vector<uint8_t> body = {0x00};  // no locals
    for (uint32_t k = 0; k < pad / 3; ++k) body.insert(body.end(), {0x41, 0x00, 0x1a});
    if (i + 1 < n) {
      body.insert(body.end(), {0x20, 0x00, 0x10});
      leb(body, i + 1);
      body.insert(body.end(), {0x41, 0x01, 0x6a});
    } else {
      body.insert(body.end(), {0x20, 0x00, 0x45, 0x04, 0x40, 0x00, 0x0b, 0x20, 0x00});
    }
    body.push_back(0x0b);
    leb(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  section(m, 10, code);
  return m;
}

// f() calls g (returns 1) `n` times through call_indirect and returns the sum: ~12 bytes of
// machine code per body byte, more than the eager layout reserves for a group
// (compile_eager's slices), so the module is assembled again into growing buffers.
std::vector<uint8_t> dense_module(uint32_t n) {
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {0x01, 0x60, 0x00, 0x01, 0x7f});              // type 0: [] -> [i32]
  section(m, 3, {0x02, 0x00, 0x00});                          // f, g: type 0
  section(m, 4, {0x01, 0x70, 0x00, 0x01});                    // table: 1 funcref
  section(m, 7, {0x01, 0x01, 'f', 0x00, 0x00});
  section(m, 9, {0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x01});  // elem: table[0] = g
  std::vector<uint8_t> f = {0x00, 0x41, 0x00};                // sum = 0
  for (uint32_t k = 0; k < n; ++k) f.insert(f.end(), {0x41, 0x00, 0x11, 0x00, 0x00, 0x6a});
  f.push_back(0x0b);
  std::vector<uint8_t> code = {0x02};
  leb(code, f.size());
  code.insert(code.end(), f.begin(), f.end());
  code.insert(code.end(), {0x04, 0x00, 0x41, 0x01, 0x0b});    // g: i32.const 1
  section(m, 10, code);
  return m;
}

}  // namespace

TEST_CASE("jit compile modes: code larger than its reserved slice") {
  for (auto [mode, name] : kModes) {
    INFO("mode " << name);
    Harness h(true, EngineConfig{.jit_compile = mode});
    h.load_bytes(dense_module(3000));
    CHECK(h.num("f") == 3000);
  }
}

TEST_CASE("jit compile modes: traps and backtraces alike") {
  for (auto [mode, name] : kModes) {
    INFO("mode " << name);
    StoreLimits limits;
    limits.max_call_depth = 50;
    Harness h(true, EngineConfig{.jit_compile = mode}, limits);
    add_reenter(h);
    h.load("backtrace");
    CHECK(h.num("run", {i32(1), i32(5)}) == 21);
    auto r = h.call("run", {i32(1), i32(0)});
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "integer divide by zero");
    CHECK(mode_names(r.error()) == std::vector<std::string>{"leaf_div", "mid", "run"});
    r = h.call("run", {i32(2), i32(0xfffffff0u)});
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "out of bounds memory access");
    CHECK(mode_names(r.error()) == std::vector<std::string>{"leaf_oob", "mid", "run"});
    r = h.call("run", {i32(3), i32(0)});
    REQUIRE_FALSE(r);
    CHECK(mode_names(r.error()) == std::vector<std::string>{"leaf_unreachable", "leaf_indirect", "mid", "run"});
    r = h.call("run", {i32(6), i32(0)});
    REQUIRE_FALSE(r);
    CHECK(mode_names(r.error()) == std::vector<std::string>{"leaf_div", "mid", "run"});
    r = h.call("run", {i32(5), i32(0)});
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "call stack exhausted");
    CHECK(r.error().backtrace.size() == 50);
    CHECK(h.store.exec().call_depth == 0);
  }
}

TEST_CASE("jit compile modes: calls across parallel groups and lazy chunks") {
  const uint32_t n = 600;
  std::vector<uint8_t> bytes = chain_module(n, 300);  // 180 KB of bodies
  for (auto [mode, name] : kModes) {
    INFO("mode " << name);
    Harness h(true, EngineConfig{.jit_compile = mode});
    h.load_bytes(bytes);
    CHECK(h.num("f0", {i32(7)}) == 7 + n - 1);
    auto r = h.call("f0", {i32(0)});
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "unreachable");
    REQUIRE(r.error().backtrace.size() == n);
    bool in_order = true;
    for (uint32_t i = 0; i < n; ++i) in_order &= r.error().backtrace[i].func_index == n - 1 - i;
    CHECK(in_order);
  }
}

TEST_CASE("jit compile modes: invalid bodies fail at load in every mode") {
  // (func (result i32)) whose body is empty: "type mismatch".
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {0x01, 0x60, 0x00, 0x01, 0x7f});
  section(m, 3, {0x01, 0x00});
  section(m, 10, {0x01, 0x02, 0x00, 0x0b});
  for (auto [mode, name] : kModes) {
    INFO("mode " << name);
    auto engine = make_jit_engine(EngineConfig{.jit_compile = mode});
    auto c = compile_module(*engine, m);
    REQUIRE_FALSE(c);
    CHECK(c.error().kind == ErrorKind::Invalid);
  }
}

TEST_CASE("jit lazy compilation: 8 threads race on one module") {
  auto engine = make_jit_engine(EngineConfig{.jit_compile = JitCompile::Lazy});
  const uint32_t n = 200;
  auto compiled = compile_module(*engine, chain_module(n, 30));
  REQUIRE(compiled);
  constexpr int kThreads = 8;
  std::atomic<int> wrong{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store store(*engine);
      Linker linker;
      auto inst = linker.instantiate(store, *compiled);
      start.arrive_and_wait();
      if (!inst) {
        ++wrong;
        return;
      }
      FuncInstance* f = (*inst)->find_func("f0");
      for (int k = 0; k < 20; ++k) {
        Value arg = Value::from_i32(static_cast<uint32_t>(t + 1));
        auto r = store.invoke(f, std::span<const Value>(&arg, 1));
        if (!r || (*r)[0].i32 != static_cast<uint32_t>(t + 1) + n - 1) ++wrong;
        Value zero = Value::from_i32(0);
        r = store.invoke(f, std::span<const Value>(&zero, 1));
        if (r || r.error().backtrace.size() != n) ++wrong;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK(wrong.load() == 0);
}

}  // namespace wsvm::jit_test

// Tail calls (return_call, return_call_indirect; Wasm 3.0) in the JIT, against the
// interpreter: results, constant stack and call depth (far more tail calls than the default
// call-depth limit of 20000 allows frames), more argument slots than the unrolled copy, a v128
// argument, callees that cannot take over a JIT frame (imports), traps and their backtraces,
// in every compile mode. wat/tail_calls.wat.
#include "jit/tests/jit_harness.hpp"

using namespace wsvm;
using namespace wsvm::jit_test;

namespace {

std::vector<uint32_t> frames(const Trap& t) {
  std::vector<uint32_t> out;
  for (const BacktraceFrame& f : t.backtrace) out.push_back(f.func_index);
  return out;
}

}  // namespace

TEST_CASE("jit tail calls: constant depth, wide argument lists, imports, traps") {
  const JitCompile mode = GENERATE(JitCompile::Eager, JitCompile::Parallel, JitCompile::Lazy);
  INFO("mode " << static_cast<int>(mode));
  Harness in(false), jt(true, EngineConfig{.jit_compile = mode});
  in.load("tail_calls");
  jt.load("tail_calls");
  for (Harness* h : {&in, &jt}) {
    const uint64_t n = 1000000;
    CHECK(h->num("sum", {i64(n), i64(0)}) == n * (n + 1) / 2);
    CHECK(h->num("parity", {i64(n + 1)}) == 1);
    CHECK(h->num("parity", {i64(n)}) == 0);
    CHECK(h->num("to_import", {i32(40), i32(2)}) == 42);
    CHECK(h->num("to_import_indirect", {i32(40), i32(3)}) == 43);
    CHECK(h->num("divide", {i32(12), i32(4)}) == 4);
    CHECK(h->trap("bad_index") == "undefined element");
    CHECK(h->trap("bad_type") == "indirect call type mismatch");
    CHECK(h->store.exec().call_depth == 0);
  }
  for (uint64_t k : {0ull, 1ull, 2ull, 19ull, 20ull, 57ull, 100000ull}) {
    INFO(k);
    CHECK(jt.num("rotate_indirect", {i64(k)}) == in.num("rotate_indirect", {i64(k)}));
  }
  auto a = in.call("divide", {i32(1), i32(0)});
  auto b = jt.call("divide", {i32(1), i32(0)});
  REQUIRE(!a);
  REQUIRE(!b);
  CHECK(b.error().message == "integer divide by zero");
  CHECK(frames(b.error()) == frames(a.error()));
  CHECK(jt.num("sum", {i64(10), i64(0)}) == 55);  // usable after the traps
}

// Trap backtraces from JIT code: the same frames (innermost first, same names and indices)
// as the interpreter's, for explicit traps, guard-page faults, helper and host traps, limits
// and traps in nested (host re-entry) entries. wat/backtrace.wat: run -> mid -> leaf.
#include <string>
#include <vector>

#include "jit/tests/jit_harness.hpp"

namespace wsvm::jit_test {
namespace {

std::vector<std::string> names(const Trap& t) {
  std::vector<std::string> out;
  for (const BacktraceFrame& f : t.backtrace) out.push_back(f.function);
  return out;
}

struct Pair {
  explicit Pair(StoreLimits limits = {}) : in(false, {}, limits), jt(true, {}, limits) {
    add_reenter(in);
    add_reenter(jt);
    in.load("backtrace");
    jt.load("backtrace");
  }
  // Runs run(which, arg) under both engines: both trap with the same message and frames.
  Trap trap(uint32_t which, uint32_t arg) {
    auto a = in.call("run", {i32(which), i32(arg)});
    auto b = jt.call("run", {i32(which), i32(arg)});
    REQUIRE_FALSE(a);
    REQUIRE_FALSE(b);
    CHECK(a.error().message == b.error().message);
    CHECK(names(a.error()) == names(b.error()));
    REQUIRE(a.error().backtrace.size() == b.error().backtrace.size());
    for (size_t i = 0; i < a.error().backtrace.size(); ++i)
      CHECK(a.error().backtrace[i].func_index == b.error().backtrace[i].func_index);
    CHECK(jt.store.exec().call_depth == 0);
    return b.error();
  }
  Harness in, jt;
};

const std::vector<std::string> kLeafMidRun(const char* leaf) { return {leaf, "mid", "run"}; }

}  // namespace

TEST_CASE("jit backtrace: explicit traps two calls deep") {
  Pair p;
  Trap t = p.trap(0, 0);
  CHECK(t.message == "unreachable");
  CHECK(names(t) == kLeafMidRun("leaf_unreachable"));
  CHECK(t.backtrace[0].func_index == 2);  // 2 imports, then leaf_unreachable
  t = p.trap(1, 0);
  CHECK(t.message == "integer divide by zero");
  CHECK(names(t) == kLeafMidRun("leaf_div"));
  // The same trap again: nothing is left over from the first one.
  CHECK(names(p.trap(1, 0)) == kLeafMidRun("leaf_div"));
  CHECK(p.jt.num("run", {i32(1), i32(5)}) == 21);
}

TEST_CASE("jit backtrace: guard-page fault two calls deep") {
  Pair p;
  Trap t = p.trap(2, 0xfffffff0u);
  CHECK(t.message == "out of bounds memory access");
  CHECK(names(t) == kLeafMidRun("leaf_oob"));
  t = p.trap(2, 65536 - 16);
  CHECK(names(t) == kLeafMidRun("leaf_oob"));
  CHECK(p.jt.num("run", {i32(2), i32(0)}) == 1);
}

TEST_CASE("jit backtrace: traps raised by helpers and host functions") {
  Pair p;
  Trap t = p.trap(3, 1);  // null table entry: the frame of the call_indirect is innermost
  CHECK(t.message == "uninitialized element");
  CHECK(names(t) == kLeafMidRun("leaf_indirect"));
  t = p.trap(3, 7);
  CHECK(t.message == "undefined element");
  t = p.trap(3, 0);  // the callee traps: three wasm frames below it
  CHECK(t.message == "unreachable");
  CHECK(names(t) == std::vector<std::string>{"leaf_unreachable", "leaf_indirect", "mid", "run"});
  t = p.trap(4, 0);
  CHECK(t.message == "host says no");
  CHECK(names(t) == kLeafMidRun("leaf_host"));
}

TEST_CASE("jit backtrace: a trap in a nested entry keeps the inner frames first") {
  Pair p;
  Trap t = p.trap(6, 0);  // run -> mid -> host reenter -> leaf_div(0)
  CHECK(t.message == "integer divide by zero");
  CHECK(names(t) == kLeafMidRun("leaf_div"));
}

TEST_CASE("jit backtrace: limits name the same frames as the interpreter") {
  StoreLimits limits;
  limits.max_call_depth = 50;
  Pair p(limits);
  Trap t = p.trap(5, 0);
  CHECK(t.message == "call stack exhausted");
  REQUIRE(t.backtrace.size() > 3);
  CHECK(t.backtrace.front().function == "recurse");
  CHECK(t.backtrace[t.backtrace.size() - 2].function == "mid");
  CHECK(t.backtrace.back().function == "run");

  p.in.store.exec().interrupt.store(1);
  p.jt.store.exec().interrupt.store(1);
  t = p.trap(1, 1);
  CHECK(t.message == "interrupted");
  CHECK(names(t) == std::vector<std::string>{"run"});
}

}  // namespace wsvm::jit_test

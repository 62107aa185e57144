// Calls: direct, indirect (with every trap), recursion, host calls, re-entry, call depth and
// value-stack exhaustion, locals zeroing, globals.
#include "interp/disasm.hpp"
#include "interp/tests/exec_util.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {
void load_calls(Harness& h) {
  h.host("add", FuncType{{ValType::I32, ValType::I32}, {ValType::I32}},
         [](HostContext&, uint64_t* s) -> std::optional<Trap> {
           s[0] = static_cast<uint32_t>(s[0] + s[1]);
           return std::nullopt;
         });
  h.host("reenter", FuncType{{ValType::I32}, {ValType::I32}},
         [&h](HostContext& ctx, uint64_t* s) -> std::optional<Trap> {
           FuncInstance* fib = h.inst->find_func("fib");
           Value arg = Value::from_i32(static_cast<uint32_t>(s[0]));
           auto r = ctx.store.invoke(fib, std::span<const Value>(&arg, 1));
           if (!r) return r.error();
           s[0] = (*r)[0].i32 + 1;
           return std::nullopt;
         });
  h.host("many", FuncType{{}, {ValType::I64, ValType::I64, ValType::I64}},
         [](HostContext&, uint64_t* s) -> std::optional<Trap> {
           s[0] = 1;
           s[1] = 20;
           s[2] = 300;
           return std::nullopt;
         });
  h.load("calls");
}
}  // namespace

TEST_CASE("direct calls and recursion", "[interp][exec]") {
  Harness h;
  load_calls(h);
  CHECK(h.num("fac", {i64(20)}) == 2432902008176640000ull);
  CHECK(h.num("fib", {i32(20)}) == 6765);
  CHECK(h.num("call_double", {i32(21)}) == 1042);
  CHECK(h.num("deep", {i32(10000)}) == 10000);
  CHECK(h.num("locals_zeroed", {i32(1)}) == 5);
  auto g = h.call("globals", {i32(5)});
  REQUIRE(g);
  CHECK((*g)[0].i32 == 15);
  CHECK((*g)[1].i64 == static_cast<uint64_t>(-3));
  g = h.call("globals", {i32(5)});
  CHECK((*g)[0].i32 == 20);
}

TEST_CASE("indirect calls", "[interp][exec]") {
  Harness h;
  load_calls(h);
  CHECK(h.num("call_indirect", {i32(1), i32(5)}) == 10);
  CHECK(h.trap("call_indirect", {i32(0), i32(5)}) == "indirect call type mismatch");
  CHECK(h.trap("call_indirect", {i32(3), i32(5)}) == "uninitialized element");
  CHECK(h.trap("call_indirect", {i32(4), i32(5)}) == "undefined element");
  CHECK(h.trap("call_indirect", {i32(0xffffffff), i32(5)}) == "undefined element");
  CHECK(h.call("call_indirect_v", {i32(2)}).has_value());
  CHECK(h.trap("call_indirect_v", {i32(1)}) == "indirect call type mismatch");
}

TEST_CASE("host calls and re-entry", "[interp][exec]") {
  Harness h;
  load_calls(h);
  CHECK(h.num("call_host", {i32(40), i32(2)}) == 43);
  CHECK(h.num("call_many") == 321);
  CHECK(h.num("reenter", {i32(10)}) == 61);
  // The stack is intact after the nested dispatch: run again and mix with plain calls.
  CHECK(h.num("reenter", {i32(15)}) == 616);
  CHECK(h.num("fib", {i32(10)}) == 55);
}

TEST_CASE("call stack exhaustion traps without crashing", "[interp][exec]") {
  Harness h;
  load_calls(h);
  CHECK(h.trap("runaway") == "call stack exhausted");
  // Frames of 256+ slots: the value stack runs out before the depth limit.
  CHECK(h.trap("big_frames", {i32(0)}) == "call stack exhausted");
  // Everything still works afterwards and the depth counter was reset.
  CHECK(h.store.exec().call_depth == 0);
  CHECK(h.num("deep", {i32(19000)}) == 19000);
}

TEST_CASE("traps carry a backtrace, innermost first", "[interp][exec]") {
  Harness h;
  load_calls(h);
  auto r = h.call("trap_in_callee", {i32(1)});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "integer divide by zero");
  REQUIRE(r.error().backtrace.size() == 2);
  CHECK(r.error().backtrace[0].func_index == 3 + 14);  // $inner: 3 imports + 14 defined before it
  CHECK(r.error().backtrace[1].function == "trap_in_callee");
}

TEST_CASE("same-module calls: call_local, ret0/ret1/ret", "[interp][exec]") {
  Harness h;
  load_calls(h);
  auto code = [&h](const char* name) {
    FuncInstance* f = h.inst->find_func(name);
    REQUIRE(f != nullptr);
    return interp::disassemble(*static_cast<const interp::FuncCode*>(f->code));
  };
  CHECK(code("call_multi").find("call_local") != std::string::npos);
  CHECK(code("call_host").find("call_local") == std::string::npos);  // an import: `call`
  CHECK(code("call_host").find(": call ") != std::string::npos);
  CHECK(code("multi").find(": ret ") != std::string::npos);
  CHECK(code("void_callee").find(": ret0 ") != std::string::npos);
  CHECK(code("zero_deep").find(": ret1 ") != std::string::npos);
  CHECK(h.num("call_multi", {i32(5)}) == 12);
  CHECK(h.num("zero_deep", {i32(1)}) == 1);
  CHECK(h.num("zero_deep", {i32(500)}) == 500);
  const uint32_t g0 = static_cast<uint32_t>(h.num("call_void", {i32(0)}));
  CHECK(h.num("call_void", {i32(7)}) == g0 + 7);
  // Exhaustion through call_local still traps, and the next call works.
  CHECK(h.trap("runaway") == "call stack exhausted");
  CHECK(h.num("zero_deep", {i32(3)}) == 3);
}

TEST_CASE("zeroing a declared local at entry emits nothing", "[interp][exec]") {
  Harness h;
  load_calls(h);
  FuncInstance* f = h.inst->find_func("entry_zero");
  REQUIRE(f != nullptr);
  const std::string code = interp::disassemble(*static_cast<const interp::FuncCode*>(f->code));
  INFO(code);
  // One const64 left: the zero-set after the write of local 2 (the first one is gone).
  size_t consts = 0;
  for (size_t at = code.find("const64"); at != std::string::npos; at = code.find("const64", at + 1)) ++consts;
  CHECK(consts == 1);
  for (uint32_t n : {0u, 1u, 7u, 300u}) CHECK(h.num("entry_zero", {i32(n)}) == n);
  CHECK(h.num("param_zero", {i32(99)}) == 0u);
  CHECK(h.num("loop_zero", {i32(1)}) == 5u);
  CHECK(h.num("loop_zero", {i32(10)}) == 5u);
}

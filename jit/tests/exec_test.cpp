// Direct JIT execution tests: values, traps and their messages, limits.
#include <fstream>
#include <sstream>

#include "jit/tests/jit_harness.hpp"

using namespace wsvm;
using namespace wsvm::jit_test;

TEST_CASE("jit: recursion and loops") {
  Harness h(true);
  h.load("control");
  CHECK(h.num("fac", {i64(20)}) == 2432902008176640000ull);
  CHECK(h.num("fac_loop", {i64(20)}) == 2432902008176640000ull);
  CHECK(h.num("fib", {i32(20)}) == 6765);
  CHECK(h.num("sum_loop", {i32(100000)}) == 5000050000ull);
  CHECK(h.num("deep", {i32(1000)}) == 1000);
}

TEST_CASE("jit: trap messages match the interpreter's") {
  Harness h(true);
  h.load("arith");
  CHECK(h.trap("i32_div_s", {i32(1), i32(0)}) == "integer divide by zero");
  CHECK(h.trap("i64_rem_u", {i64(1), i64(0)}) == "integer divide by zero");
  CHECK(h.trap("i32_div_s", {i32(0x80000000), i32(-1)}) == "integer overflow");
  CHECK(h.num("i32_rem_s", {i32(0x80000000), i32(-1)}) == 0);
  CHECK(h.trap("conv_i32_f64", {f64(NAN)}) == "invalid conversion to integer");
  CHECK(h.trap("conv_i32_f64", {f64(3e9)}) == "integer overflow");
  Harness c(true);
  c.load("control");
  CHECK(c.trap("trap_unreachable") == "unreachable");
  CHECK(c.trap("infinite") == "call stack exhausted");
  CHECK(c.store.exec().call_depth == 0);
  CHECK(c.num("fib", {i32(10)}) == 55);  // still usable after the traps
}

TEST_CASE("jit: out-of-bounds memory through guard pages") {
  Harness h(true);
  h.load("memory");
  CHECK(h.trap("load32", {i32(65536 - 16 - 3)}) == "out of bounds memory access");
  CHECK(h.num("load32", {i32(65536 - 16 - 4)}) == 0);
  CHECK(h.trap("load_big_offset", {i32(0)}) == "out of bounds memory access");
  CHECK(h.trap("load64", {i32(0xffffffff)}) == "out of bounds memory access");
  CHECK(h.num("grow", {i32(1)}) == 1);
  CHECK(h.num("load32", {i32(65536 - 16 - 3)}) == 0);  // the grown page is accessible
  CHECK(h.num("size") == 2);
  CHECK(h.num("grow", {i32(10)}) == 0xffffffff);
  CHECK(h.trap("fill_copy", {i32(0), i32(200000), i32(8)}) == "out of bounds memory access");
  CHECK(h.store.exec().call_depth == 0);
}

TEST_CASE("jit: call_indirect checks and host traps") {
  Harness h(true);
  h.load("calls");
  // indirect(elem, x)
  CHECK(h.num("indirect", {i32(0), i32(21)}) == 42);
  CHECK(h.num("indirect", {i32(1), i32(9)}) == 81);
  CHECK(h.num("indirect", {i32(2), i32(9)}) == 1009);
  CHECK(h.trap("indirect", {i32(3), i32(9)}) == "uninitialized element");
  CHECK(h.trap("indirect", {i32(4), i32(9)}) == "undefined element");
  CHECK(h.trap("indirect_wrong_type", {i32(0)}) == "indirect call type mismatch");
  CHECK(h.trap("host_trap", {i32(1)}) == "host says no");
  CHECK(h.num("host_trap", {i32(0)}) == 7);
  CHECK(h.num("host_add", {i32(2), i32(3)}) == 6);
  CHECK(h.store.exec().call_depth == 0);
}

TEST_CASE("jit: code memory is never writable and executable at once (W^X)") {
  Harness h(true);
  h.load("arith");
  h.load("control");
  CHECK(h.num("fib", {i32(5)}) == 5);
  std::ifstream maps("/proc/self/maps");
  REQUIRE(maps.good());
  std::string line;
  size_t exec_maps = 0;
  while (std::getline(maps, line)) {
    std::istringstream ls(line);
    std::string range, perms;
    ls >> range >> perms;
    INFO(line);
    CHECK(!(perms.size() >= 3 && perms[1] == 'w' && perms[2] == 'x'));
    if (perms.size() >= 3 && perms[2] == 'x') ++exec_maps;
  }
  CHECK(exec_maps > 0);
}

TEST_CASE("jit: interruption at loop headers and function entries") {
  EngineConfig cfg;
  cfg.interruptible = true;
  Harness h(true, cfg);
  h.load("control");
  h.store.exec().interrupt.store(1);
  CHECK(h.trap("sum_loop", {i32(10)}) == "interrupted");
  CHECK(h.store.exec().call_depth == 0);
  h.store.exec().interrupt.store(0);
  CHECK(h.num("sum_loop", {i32(10)}) == 55);
}

TEST_CASE("jit: host re-entry, traps in nested entries unwind to the right frame") {
  Harness h(true);
  h.host("reenter", FuncType{{ValType::I32}, {ValType::I32}},
         [&h](HostContext& hc, uint64_t* s) -> std::optional<Trap> {
           FuncInstance* inner = h.inst->find_func("inner");
           uint64_t slots[1] = {s[0]};
           if (auto t = hc.store.call_slots(inner, slots, nullptr)) {
             if (s[0] == 14) {  // swallow the nested trap and return a marker
               s[0] = t->message == "out of bounds memory access" ? 777 : 0;
               return std::nullopt;
             }
             return t;
           }
           s[0] = slots[0];
           return std::nullopt;
         });
  h.load("reenter");
  CHECK(h.num("outer", {i32(5)}) == 16);
  CHECK(h.trap("outer", {i32(13)}) == "unreachable");
  CHECK(h.store.exec().call_depth == 0);
  CHECK(h.num("outer", {i32(14)}) == 778);  // a guard-page fault inside the nested entry
  CHECK(h.store.exec().call_depth == 0);
  CHECK(h.num("outer", {i32(6)}) == 19);
}

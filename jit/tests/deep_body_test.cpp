// Bodies at the edges of the compiler's bookkeeping (issue 17): one cached local borrowed by
// hundreds of operands, value stacks thousands deep, loops and ifs nested past the number of
// entry states the compiler keeps (FunctionCompiler::kMaxStates; deeper ones start with no
// cache). Generated as text, run under the interpreter and the JIT: same results.
#include <string>

#include "jit/tests/jit_harness.hpp"
#include "text/text.hpp"

using namespace wsvm;
using namespace wsvm::jit_test;

namespace {

std::vector<uint8_t> wat(const std::string& src) {
  auto bytes = text::wat_to_wasm(src);
  if (!bytes) FAIL("wat: " << bytes.error().message);
  return *bytes;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// n reads of local 0 inside a loop (the local is cached there: every read borrows its
// register), summed: n * x.
std::string borrowers(int n) {
  return "(func (export \"borrow_i32\") (param i32) (result i32) (loop (result i32)\n" +
         repeat("local.get 0\n", n) + repeat("i32.add\n", n - 1) + "))\n" +
         "(func (export \"borrow_f64\") (param f64) (result f64) (loop (result f64)\n" +
         repeat("local.get 0\n", n) + repeat("f64.add\n", n - 1) + "))\n";
}

// `depth` nested loops adding their counters to an accumulator, every tenth and the
// innermost running twice: the innermost levels are past the kept entry states.
std::string nested_loops(int depth) {
  std::string body = "(func (export \"loops\") (param i32) (result i32) (local $acc i32)";
  for (int d = 0; d < depth; ++d) body += " (local $c" + std::to_string(d) + " i32)";
  body += "\n";
  for (int d = 0; d < depth; ++d) {
    std::string c = "$c" + std::to_string(d);
    body += "i32.const 0 local.set " + c + "\n(loop $l" + std::to_string(d) + "\n";
    body += "local.get $acc local.get 0 i32.add local.get " + c + " i32.add local.set $acc\n";
  }
  for (int d = depth - 1; d >= 0; --d) {
    std::string c = "$c" + std::to_string(d);
    const int runs = d % 10 == 0 || d == depth - 1 ? 2 : 1;  // 2^9 runs of the innermost
    body += "local.get " + c + " i32.const 1 i32.add local.tee " + c + " i32.const " +
            std::to_string(runs) + " i32.lt_u br_if $l" + std::to_string(d) + ")\n";
  }
  return body + "local.get $acc)\n";
}

// `depth` nested ifs inside a loop, with cached locals live across them and an else arm
// at every level that changes them.
std::string nested_ifs(int depth) {
  std::string body = "(func (export \"ifs\") (param i32) (result i32) (local $a i32) (local $b i32)\n"
                     "(loop $top\n local.get $a local.get 0 i32.add local.set $a\n";
  for (int d = 0; d < depth; ++d) {
    body += "local.get 0 i32.const " + std::to_string(d % 7) + " i32.gt_u (if (then\n"
            "local.get $a i32.const 3 i32.mul local.set $a\n";
  }
  for (int d = depth - 1; d >= 0; --d) {
    body += ") (else local.get $b local.get $a i32.add i32.const " + std::to_string(d) +
            " i32.add local.set $b))\n";
  }
  body += "local.get 0 i32.const 1 i32.sub local.tee 0 br_if $top)\n"
          "local.get $a local.get $b i32.xor)\n";
  return body;
}

// A value stack n deep of reads of n/4 different locals, folded back with adds.
std::string deep_stack(int n) {
  std::string body = "(func (export \"stack\") (param i32) (result i32)";
  for (int i = 0; i < 8; ++i) body += " (local i32)";
  body += "\n";
  for (int i = 1; i <= 8; ++i)
    body += "local.get 0 i32.const " + std::to_string(i) + " i32.mul local.set " +
            std::to_string(i) + "\n";
  for (int i = 0; i < n; ++i) body += "local.get " + std::to_string(i % 9) + "\n";
  body += repeat("i32.add\n", n - 1);
  return body + ")\n";
}


// Shifts by a variable count and divisions (fixed registers: rcx, rax/rdx on x86-64) on
// top of a value stack n deep of cached locals' borrowed registers, inside a loop.
std::string fixed_register_ops(int n) {
  std::string body = "(func (export \"fixed\") (param i32) (result i32)";
  for (int i = 0; i < 8; ++i) body += " (local i32)";
  body += "\n";
  for (int i = 1; i <= 8; ++i)
    body += "local.get 0 i32.const 1 i32.add i32.const " + std::to_string(i) + " i32.mul local.set " +
            std::to_string(i) + "\n";
  body += "(loop (result i32)\n";
  for (int i = 0; i < n; ++i) {
    body += "local.get " + std::to_string(i % 9) + "\n";
    const std::string other = std::to_string(1 + (i * 5) % 8);  // never 0 (x + 1 > 0)
    if (i % 4 == 1) body += "local.get " + other + " i32.shl\n";
    if (i % 4 == 2) body += "local.get " + other + " i32.div_u\n";
    if (i % 4 == 3) body += "local.get " + other + " i32.rem_s\n";
  }
  body += repeat("i32.xor\n", n - 1);
  return body + "))\n";
}

// One br_table of n entries over `depth` nested blocks, each block's end adding its depth.
std::string wide_br_table(int depth, int n) {
  std::string body = "(func (export \"table\") (param i32) (result i32) (local $r i32)\n";
  for (int d = 0; d < depth; ++d) body += "(block\n";
  body += "local.get 0 (br_table";
  for (int i = 0; i < n; ++i) body += " " + std::to_string((i * 7) % depth);
  body += " " + std::to_string(depth - 1) + ")\n";
  for (int d = 0; d < depth; ++d)
    body += ") local.get $r i32.const " + std::to_string(d + 1) + " i32.add local.set $r\n";
  return body + "local.get $r)\n";
}

// n distinct v128 constants, each one a pool entry (x86-64: a 16-byte memory operand).
std::string many_v128_constants(int n) {
  std::string body = "(func (export \"consts\") (param i32) (result i32)\nlocal.get 0 i32x4.splat\n";
  for (int i = 0; i < n; ++i) {
    body += "v128.const i32x4 " + std::to_string(i) + " " + std::to_string(3 * i + 1) + " " +
            std::to_string(i ^ 0x55) + " " + std::to_string(7 * i) + " i32x4.add\n";
  }
  return body + "i32x4.extract_lane 3)\n";
}
}  // namespace

TEST_CASE("jit vs interp: deep bodies (borrowers, nesting past the kept states, deep stacks)") {
  std::string src = "(module\n" + borrowers(300) + nested_loops(80) + nested_ifs(90) + deep_stack(3000) + ")";
  std::vector<uint8_t> bytes = wat(src);
  Harness in(false), jt(true);
  in.load_bytes(bytes);
  jt.load_bytes(bytes);
  for (uint32_t x : {0u, 1u, 3u, 7u, 1000u}) {
    INFO(x);
    CHECK(in.num("borrow_i32", {i32(x)}) == jt.num("borrow_i32", {i32(x)}));
    CHECK(jt.num("borrow_i32", {i32(x)}) == 300u * x);
    CHECK(in.num("loops", {i32(x)}) == jt.num("loops", {i32(x)}));
    CHECK(in.num("ifs", {i32(x + 1)}) == jt.num("ifs", {i32(x + 1)}));
    CHECK(in.num("stack", {i32(x)}) == jt.num("stack", {i32(x)}));
  }
  auto fi = in.call("borrow_f64", {f64(1.5)});
  auto fj = jt.call("borrow_f64", {f64(1.5)});
  REQUIRE(fi.has_value());
  REQUIRE(fj.has_value());
  CHECK((*fj)[0].f64 == 450.0);
  CHECK((*fi)[0].f64 == (*fj)[0].f64);
}

TEST_CASE("jit vs interp: fixed-register ops on deep stacks, wide br_table, many v128 constants") {
  std::string src = "(module\n" + fixed_register_ops(2000) + wide_br_table(150, 4000) +
                    many_v128_constants(3000) + ")";
  std::vector<uint8_t> bytes = wat(src);
  Harness in(false), jt(true);
  in.load_bytes(bytes);
  jt.load_bytes(bytes);
  for (uint32_t x : {0u, 1u, 3u, 149u, 150u, 3999u, 4000u, 100000u}) {
    INFO(x);
    CHECK(in.num("fixed", {i32(x)}) == jt.num("fixed", {i32(x)}));
    CHECK(in.num("table", {i32(x)}) == jt.num("table", {i32(x)}));
    CHECK(in.num("consts", {i32(x)}) == jt.num("consts", {i32(x)}));
  }
}

// Modules to bytes. Expected bytes of 2.0 modules come from wat2wasm (wabt 1.0.32), written
// next to their WAT; 3.0 modules (which wabt 1.0.32 cannot read) were encoded by hand from the
// spec's binary format, each byte group commented.
#include <catch2/catch.hpp>

#include <cstdio>

#include "decoder/module.hpp"
#include "text/text.hpp"

using namespace wsvm;
using namespace wsvm::text;

namespace {

std::string hex(const std::vector<uint8_t>& b) {
  std::string s;
  char buf[3];
  for (uint8_t x : b) {
    std::snprintf(buf, sizeof buf, "%02x", x);
    s += buf;
  }
  return s;
}

std::string wat(std::string_view src, bool wasm2 = false) {
  WatOptions o;
  o.names = false;
  o.wasm2_limits = wasm2;
  auto r = wat_to_wasm(src, o);
  if (!r) FAIL(r.error().to_string());
  return hex(*r);
}

std::string error_of(std::string_view src, bool wasm2 = false) {
  WatOptions o;
  o.wasm2_limits = wasm2;
  auto r = wat_to_wasm(src, o);
  if (r) FAIL("accepted: " << src);
  return r.error().to_string();
}

}  // namespace

TEST_CASE("folded and flat forms give wat2wasm's bytes", "[module]") {
  // (module (func $f (export "f") (param $x i32) (result i32)
  //   (i32.add (local.get $x) (i32.const 1))))
  const char* add = "0061736d0100000001060160017f017f03020100070501016600000a09010700200041016a0b";
  CHECK(wat("(module (func $f (export \"f\") (param $x i32) (result i32)"
            " (i32.add (local.get $x) (i32.const 1))))") == add);
  CHECK(wat("(module (func $f (export \"f\") (param $x i32) (result i32)"
            " local.get $x i32.const 1 i32.add))") == add);
  // The bare fields of a module are a module too.
  CHECK(wat("(func $f (export \"f\") (param $x i32) (result i32) local.get 0 i32.const 1 i32.add)") == add);

  const char* blocks = "0061736d010000000105016000017f030201000a12011000027f034041000d000b41010c000b0b";
  CHECK(wat("(module (func (result i32) (block $a (result i32) (loop $b (br_if $b (i32.const 0)))"
            " (i32.const 1) (br $a))))") == blocks);
  CHECK(wat("(module (func (result i32) block $a (result i32) loop $b i32.const 0 br_if $b end"
            " i32.const 1 br $a end))") == blocks);
}

TEST_CASE("imports, forward references, every section", "[module]") {
  // (module (type $t (func (param i32))) (import "m" "g" (func $g (type $t)))
  //   (func (call $h)) (func $h (call $g (i32.const 7))) (memory (export "mem") 1 2)
  //   (global $c (mut i64) (i64.const -1)) (table 2 funcref) (elem (i32.const 0) $h $g)
  //   (data (i32.const 8) "hi") (start $h))
  CHECK(wat("(module (type $t (func (param i32))) (import \"m\" \"g\" (func $g (type $t)))"
            " (func (call $h)) (func $h (call $g (i32.const 7))) (memory (export \"mem\") 1 2)"
            " (global $c (mut i64) (i64.const -1)) (table 2 funcref) (elem (i32.const 0) $h $g)"
            " (data (i32.const 8) \"hi\") (start $h))") ==
        "0061736d0100000001080260017f00600000020701016d0167000003030201010404017000020504010101"
        "020606017e01427f0b070701036d656d02000801020908010041000b0202000a0d02040010020b06004107"
        "10000b0b08010041080b026869");
}

TEST_CASE("if/else, floats, v128 lanes", "[module]") {
  CHECK(wat("(module (func (param i32) (result f64) (if (result f64) (local.get 0)"
            " (then (f64.const 1.5)) (else (f64.const -0x1p-2)))))") ==
        "0061736d0100000001060160017f017c030201000a1c011a002000047c44000000000000f83f05440000"
        "00000000d0bf0b0b");
  CHECK(wat("(module (func (result v128) (v128.const i16x8 1 -1 2 3 4 5 6 0xffff)))") ==
        "0061736d010000000105016000017b030201000a16011400fd0c0100ffff02000300040005000600ffff0b");
}

TEST_CASE("implicit types come after the explicit ones, in text order", "[module]") {
  // Types: 0 = (func) explicit, 1 = [i32] -> [] implicit; both functions use 1.
  CHECK(wat("(module (func (param i32)) (type (func)) (func (param i32)))") ==
        "0061736d01000000"
        "010802600000" "60017f00"  // type: [] -> [], [i32] -> []
        "0303020101"             // function: type 1, type 1
        "0a070202000b02000b");   // code: two empty bodies
}

TEST_CASE("Wasm 3.0: GC types, struct field names, rec groups", "[module]") {
  CHECK(wat("(module (type $p (struct (field $x i32) (field (mut i64)))) (type $a (array (mut i8)))"
            " (rec (type $n (sub (struct (field (ref null $n))))))"
            " (func (param (ref $p)) (result i32) (struct.get $p $x (local.get 0))))") ==
        "0061736d01000000"
        "0119" "04"
        "5f027f007e01"        // struct i32, mut i64
        "5e7801"              // array mut i8
        "4e0150005f01630200"  // rec 1: sub (no supers) struct (ref null 2)
        "6001640001" "7f"     // implicit [(ref 0)] -> [i32]
        "03020103"
        "0a0a0108" "00" "2000" "fb020000" "0b");  // struct.get 0 0
}

TEST_CASE("Wasm 3.0: tags, try_table, throw", "[module]") {
  CHECK(wat("(module (tag $e (param i32)) (func (result i32) (block $h (result i32)"
            " (try_table (catch $e $h) (throw $e (i32.const 3))) (i32.const 0))))") ==
        "0061736d01000000"
        "010902" "60017f00" "6000017f"  // the tag's type first (text order)
        "03020101"
        "0d03010000"                    // tag section: exception, type 0
        "0a140112" "00" "027f" "1f40" "0100" "0000"  // try_table: 1 catch (tag 0, label 0)
        "4103" "0800" "0b" "4100" "0b" "0b");
}

TEST_CASE("Wasm 3.0: memory64 limits and 64-bit offsets", "[module]") {
  CHECK(wat("(module (memory i64 1) (func (param i64) (result i32)"
            " (i32.load offset=0x1_0000_0000 (local.get 0))))") ==
        "0061736d01000000" "01060160017e017f" "03020100" "0503010401"
        "0a0d010b00" "2000" "2802" "8080808010" "0b");
}

TEST_CASE("the result decodes with wsvm's decoder, names included", "[module]") {
  auto bytes = wat_to_wasm("(module (func $first) (func (@name \"second!\") (export \"e\")))");
  REQUIRE(bytes);
  auto m = decode_module(std::span<const uint8_t>(*bytes));
  REQUIRE(m);
  CHECK((*m)->names.functions.at(0) == "first");
  CHECK((*m)->names.functions.at(1) == "second!");
  CHECK((*m)->exports.size() == 1);

  bytes = wat_to_wasm("(module (func $f (param $a i32) (param i32) (local $b i64)) (func (local $c f32)))");
  REQUIRE(bytes);
  m = decode_module(std::span<const uint8_t>(*bytes));
  REQUIRE(m);
  CHECK((*m)->names.locals.at(0).at(0) == "a");
  CHECK((*m)->names.locals.at(0).at(2) == "b");
  CHECK((*m)->names.locals.at(0).count(1) == 0);
  CHECK((*m)->names.locals.at(1).at(0) == "c");
}

TEST_CASE("malformed text: the spec's words, with line and column", "[module]") {
  CHECK(error_of("(module (func (i32.add_x)))") == "1:16: unknown operator i32.add_x");
  CHECK(error_of("(module\n  (func\n    (br $nope)))") == "3:9: unknown label $nope");
  CHECK(error_of("(module (func block $a end $b))") == "1:28: mismatching label");
  CHECK(error_of("(module (func $f) (func $f))").find("duplicate func") != std::string::npos);
  CHECK(error_of("(module (func) (import \"a\" \"b\" (func)))").find("import after function") != std::string::npos);
  CHECK(error_of("(module (type $t (func)) (func (type $t) (param i32)))").find("inline function type") !=
        std::string::npos);
  CHECK(error_of("(module (func $f) (start $f) (start $f))").find("multiple start sections") != std::string::npos);
  CHECK(error_of("(module (func (i32.const 0x1_0000_0000) drop))").find("constant out of range") != std::string::npos);
  CHECK(error_of("(module (func (i32.const 1x) drop))").find("unknown operator") != std::string::npos);
  CHECK(error_of("(module (func (i32.const) drop))").find("unexpected token") != std::string::npos);
  CHECK(error_of("(module (memory 1) (func (drop (i32.load align=3 (i32.const 0)))))")
            .find("alignment must be a power of two") != std::string::npos);
  CHECK(error_of("(module (func (call $nope)))").find("unknown function $nope") != std::string::npos);
  CHECK(error_of("(module (func (v128.const i32x4 0 0 0) drop))").find("wrong number of lane literals") !=
        std::string::npos);
  CHECK(error_of("(module (func (export \"\\ff\")))").find("malformed UTF-8 encoding") != std::string::npos);
  CHECK(error_of("(module) (module)").find("unexpected token") != std::string::npos);
}

TEST_CASE("Wasm 2.0 and 3.0 disagree on 32-bit limits and offsets", "[module]") {
  CHECK(error_of("(module (memory 0x1_0000_0000))", true).find("i32 constant out of range") != std::string::npos);
  // 3.0: parsed as u64 and left to the validator ("memory size").
  CHECK(wat("(module (memory 0x1_0000_0000))") == "0061736d01000000" "05070100" "8080808010");
}

TEST_CASE("binary and quote modules", "[module]") {
  CHECK(wat("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")") == "0061736d01000000");
  CHECK(wat("(module quote \"(func)\")") == wat("(module (func))"));
  std::string e = error_of("(module quote \"(func (nop_x))\")");
  CHECK(e.find("unknown operator") != std::string::npos);
  CHECK(e.find("1:8 of the quoted text") != std::string::npos);
}

TEST_CASE("garbage and truncated text never crash", "[module]") {
  std::string src =
      "(module (type $t (func (param i32) (result i32))) (func $f (type $t) (local i64)"
      " (block (result i32) (i32.add (local.get 0) (i32.const 1)))) (memory 1)"
      " (data (i32.const 0) \"abc\") (export \"f\" (func $f)))";
  for (size_t n = 0; n <= src.size(); ++n) (void)wat_to_wasm(src.substr(0, n));
  uint32_t seed = 1;
  for (int round = 0; round < 2000; ++round) {
    std::string s = src;
    for (int k = 0; k < 3; ++k) {
      seed = seed * 1664525 + 1013904223;
      s[seed % s.size()] = "()$\" ;0xa-_.@"[(seed >> 16) % 13];
    }
    (void)wat_to_wasm(s);
  }
  SUCCEED();
}

TEST_CASE("deep nesting is an error, not a stack overflow", "[module]") {
  auto nested = [](int n, bool flat) {
    std::string s = "(module (func ";
    for (int i = 0; i < n; ++i) s += flat ? "block " : "(block ";
    for (int i = 0; i < n; ++i) s += flat ? "end " : ")";
    return s + "))";
  };
  CHECK(wat_to_wasm(nested(1000, false)).has_value());  // 40,000 fit in a normal build
  CHECK(wat_to_wasm(nested(1000, true)).has_value());
  CHECK(error_of(nested(100000, false)).find("nesting too deep") != std::string::npos);
  CHECK(error_of(nested(100000, true)).find("nesting too deep") != std::string::npos);
  CHECK(error_of(std::string(1000000, '(')).find("unclosed parenthesis") != std::string::npos);
}

TEST_CASE("(@custom) annotations become custom sections where they say", "[module]") {
  // (before first), (before func), the default (after last); one inside a function is ignored.
  CHECK(wat("(module (@custom \"a\" \"x\") (func) (@custom \"b\" (before func) \"y\" \"z\")\n"
            " (@custom \"c\" (before first) \"\") (func (@custom \"ignored\" \"q\")))") ==
        "0061736d01000000"
        "0002" "0163"                    // custom "c"
        "010401600000"                   // type
        "000401" "62797a"                // custom "b": "y" "z"
        "0303020000"                     // func
        "0a0702020"  "00b02000b"         // code
        "000301" "6178");                // custom "a": "x"
  CHECK(wat("(module (func) (@custom \"d\" (after type) \"\\01\"))") ==
        "0061736d01000000" "010401600000" "0003016401" "03020100" "0a040102000b");
  // The decoder reads them back as custom sections of the module.
  auto bytes = wat_to_wasm("(module (@custom \"hello\" \"\\00\\01\"))");
  REQUIRE(bytes.has_value());
  auto m = decode_module(std::span<const uint8_t>(*bytes));
  REQUIRE(m.has_value());
}

TEST_CASE("malformed (@custom) annotations are errors with their position", "[module]") {
  CHECK(error_of("(module\n  (@custom \"a\" (after nowhere) \"\"))") == "2:3: malformed custom annotation");
  CHECK(error_of("(module (@custom))") == "1:9: malformed custom annotation");
  CHECK(error_of("(module (@custom \"a\" \"x\" (after func)))") == "1:9: malformed custom annotation");
  CHECK(error_of("(module (@custom \"a\" (between func) \"x\"))") == "1:9: malformed custom annotation");
  CHECK(error_of("(module (@custom $a \"x\"))") == "1:9: malformed custom annotation");
  CHECK(error_of("(module (@custom \"\\ff\" \"x\"))") == "1:18: malformed UTF-8 encoding");
  CHECK(error_of("(module (@custom \"a\" \"x\"") == "1:9: unclosed annotation");
}

// Modules of the Wasm 3.0 proposals. Those wabt 1.0.32 reads (legacy exceptions, tail calls,
// multi-memory, memory64 memories) have its bytes; the others (GC, typed function references,
// table64) are encoded by hand from the spec's binary format, byte groups commented.
#include <catch2/catch.hpp>

#include <cstdio>

#include "text/text.hpp"

using namespace wsvm::text;

namespace {

std::string wat(std::string_view src) {
  WatOptions o;
  o.names = false;
  auto r = wat_to_wasm(src, o);
  if (!r) FAIL(r.error().to_string());
  std::string s;
  char buf[3];
  for (uint8_t x : *r) {
    std::snprintf(buf, sizeof buf, "%02x", x);
    s += buf;
  }
  return s;
}

}  // namespace

TEST_CASE("legacy exceptions: try/catch/catch_all/rethrow/delegate, folded and flat (wabt's bytes)", "[module3]") {
  CHECK(wat("(module (tag $e (param i32)) (func (result i32) (try (result i32) (do (throw $e (i32.const 1)))"
            " (catch $e) (catch_all (i32.const 2)))))") ==
        "0061736d0100000001090260017f006000017f030201010d030100000a10010e00067f4101080007001941020b0b");
  CHECK(wat("(module (tag $e) (func try $l nop catch $e rethrow $l catch_all end)"
            " (func (try (do) (delegate 0))))") ==
        "0061736d0100000001040160000003030200000d030100000a14020b0006400107000900190b0b0600064018000b");
}

TEST_CASE("tail calls (wabt's bytes)", "[module3]") {
  CHECK(wat("(module (func $f (result i32) (return_call $f)) (table 1 funcref) (type $t (func (result i32)))"
            " (func (result i32) (return_call_indirect (type $t) (i32.const 0))))") ==
        "0061736d010000000105016000017f03030200000404017000010a0e02040012000b070041001300000b");
}

TEST_CASE("multi-memory and memory64 (wabt's bytes)", "[module3]") {
  CHECK(wat("(module (memory $a 1) (memory $b i64 2 3) (data (memory $b) (i64.const 4) \"x\")"
            " (func (result i32) (i32.load $b offset=3 (i64.const 0)) (memory.size $b) drop"
            " (memory.copy $a $b (i32.const 0) (i64.const 0) (i32.const 1))))") ==
        "0061736d010000000105016000017f0302010005060200010502030a170115004200284201033f011a41004200"
        "4101fc0a00010b0b0801020142040b0178");
}

TEST_CASE("table64 (by hand)", "[module3]") {
  CHECK(wat("(module (table $t i64 1 funcref) (func (param i64) (result funcref) (table.get $t (local.get 0))))") ==
        "0061736d01000000" "01060160017e0170" "03020100"
        "0404017004" "01"  // table: funcref, flags 4 (64-bit), min 1
        "0a08010600200025000b");
}

TEST_CASE("typed function references and GC instructions (by hand)", "[module3]") {
  // Types: 0 = (func), 1 = [funcref] -> [i32] (implicit), 2 = [funcref] -> [] (implicit).
  CHECK(wat("(module (type $f (func))"
            " (func (param funcref) (result i32) (ref.test (ref $f) (local.get 0)))"
            " (func (param funcref) (drop (ref.test (ref null $f) (local.get 0)))"
            "   (drop (ref.cast nullfuncref (local.get 0)))"
            "   (drop (block $l (result (ref $f)) (br_on_cast $l funcref (ref $f) (local.get 0)) (unreachable)))"
            "   (call_ref $f (ref.as_non_null (ref.null $f)))))") ==
        "0061736d01000000"
        "010d03" "600000" "600170017f" "60017000"
        "0303020102"
        "0a2b02"
        "0700" "2000" "fb1400" "0b"            // ref.test (ref 0)
        "2100" "2000" "fb1500" "1a"            // ref.test (ref null 0)
        "2000" "fb1773" "1a"                   // ref.cast nullfuncref: nullable, heap nofunc
        "026400" "2000" "fb18" "01" "00" "70" "00"  // block (ref 0); br_on_cast flags 1, label 0
        "00" "0b" "1a"                         // unreachable, end, drop
        "d000" "d4" "1400" "0b");              // ref.null 0, ref.as_non_null, call_ref 0
}

TEST_CASE("GC arrays and i31 (by hand)", "[module3]") {
  CHECK(wat("(module (type $a (array (mut i32))) (data $d \"abcd\")"
            " (func (result i32) (array.len (array.new_fixed $a 2 (i32.const 1) (i32.const 2))))"
            " (func (result (ref $a)) (array.new_data $a $d (i32.const 0) (i32.const 1)))"
            " (func (result i32) (i31.get_s (ref.i31 (i32.const -1)))))") ==
        "0061736d01000000"
        "010d03" "5e7f01" "6000017f" "6000016400"
        "030403010201"
        "0c0101"                                     // data count: array.new_data needs it
        "0a2203"
        "0c00" "4101" "4102" "fb080002" "fb0f" "0b"  // array.new_fixed 0 2; array.len
        "0a00" "4100" "4101" "fb090000" "0b"         // array.new_data 0 0
        "0800" "417f" "fb1c" "fb1d" "0b"             // ref.i31; i31.get_s
        "0b0701" "01" "0461626364");                 // passive data "abcd"
}

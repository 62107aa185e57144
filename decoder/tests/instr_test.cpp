// read_instr: every immediate kind, the opcode tables, and the malformed cases.
#include <catch2/catch.hpp>

#include "decoder/instr.hpp"
#include "test_util.hpp"

using namespace wsvm;
using wsvm::test::hex;

namespace {

Result<Instr> one(std::string_view h, size_t* left = nullptr) {
  std::vector<uint8_t> b = hex(h);
  Reader r(b, 10);
  Instr ins;
  auto res = read_instr(r, ins);
  if (left) *left = r.remaining();
  if (!res) return std::unexpected(res.error());
  return ins;
}

std::string msg(std::string_view h) {
  auto r = one(h);
  return r ? "ok" : r.error().message;
}

}  // namespace

TEST_CASE("opcode tables round-trip every opcode of opcodes.def", "[instr]") {
  for (uint16_t i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& info = op_info(op);
    Op back;
    INFO(info.text);
    if (info.prefix == 0x00) REQUIRE(op_from_byte(static_cast<uint8_t>(info.code), back));
    else if (info.prefix == 0xFC) REQUIRE(op_from_fc(info.code, back));
    else REQUIRE(op_from_fd(info.code, back));
    CHECK(back == op);
  }
  Op dummy;
  CHECK_FALSE(op_from_fd(0x9a, dummy));  // gaps in the SIMD codes
  CHECK_FALSE(op_from_fd(0xa2, dummy));
  CHECK_FALSE(op_from_fd(0x114, dummy));  // past the last relaxed SIMD code
  CHECK(op_from_fd(0x113, dummy));
  CHECK(dummy == Op::i32x4_relaxed_dot_i8x16_i7x16_add_s);
  CHECK_FALSE(op_from_byte(0x17, dummy));  // unassigned
  CHECK_FALSE(op_from_byte(0xFC, dummy));  // a prefix, not an opcode
  CHECK_FALSE(op_from_fc(0x12, dummy));
  CHECK_FALSE(op_from_fc(0xFFFFFFFF, dummy));
}

TEST_CASE("simple and index immediates", "[instr]") {
  size_t left = 0;
  auto add = one("6a 0b", &left);  // i32.add, then one more byte
  REQUIRE(add);
  CHECK(add->op == Op::i32_add);
  CHECK(add->offset == 10);
  CHECK(left == 1);

  auto call = one("10 e5 8e 26");  // call 624485
  REQUIRE(call);
  CHECK(call->op == Op::call);
  CHECK(call->a == 624485);

  auto ci = one("11 02 01");  // call_indirect (type 2) table 1
  REQUIRE(ci);
  CHECK(ci->a == 2);
  CHECK(ci->b == 1);

  auto load = one("29 03 80 02");  // i64.load align=8 offset=256
  REQUIRE(load);
  CHECK(load->op == Op::i64_load);
  CHECK(load->a == 3);
  CHECK(load->imm == 256);
}

TEST_CASE("constants", "[instr]") {
  CHECK(static_cast<int32_t>(one("41 7f")->imm) == -1);  // i32.const -1
  CHECK(one("41 7f")->imm == 0xFFFFFFFFFFFFFFFFull);     // sign-extended bits
  CHECK(static_cast<int64_t>(one("42 80 80 80 80 80 80 80 80 80 7f")->imm) == INT64_MIN);
  CHECK(one("43 00 00 c0 7f")->imm == 0x7fc00000u);  // f32.const nan
  CHECK(one("44 00 00 00 00 00 00 f0 3f")->imm == 0x3ff0000000000000ull);  // f64.const 1
  CHECK(msg("43 00 00") == "unexpected end");
  CHECK(msg("41 80 80 80 80 70") == "integer too large");
}

TEST_CASE("block types", "[instr]") {
  auto empty = one("02 40");
  REQUIRE(empty);
  CHECK(empty->block.kind == BlockType::Kind::Empty);
  auto val = one("03 7e");  // loop (result i64)
  REQUIRE(val);
  CHECK(val->block.kind == BlockType::Kind::Value);
  CHECK(val->block.value == ValType::I64);
  auto idx = one("04 05");  // if (type 5)
  REQUIRE(idx);
  CHECK(idx->block.kind == BlockType::Kind::TypeIndex);
  CHECK(idx->block.type_index == 5);
  auto big = one("02 80 01");  // block (type 128)
  REQUIRE(big);
  CHECK(big->block.type_index == 128);
  CHECK(msg("02 7a") == "malformed value type");
  CHECK(msg("02 80 7f") == "malformed block type");  // s33 -128
}

TEST_CASE("br_table", "[instr]") {
  auto bt = one("0e 03 00 01 02 04");
  REQUIRE(bt);
  CHECK(bt->targets == std::vector<uint32_t>{0, 1, 2});
  CHECK(bt->a == 4);
  auto none = one("0e 00 07");
  REQUIRE(none);
  CHECK(none->targets.empty());
  CHECK(none->a == 7);
  // A count larger than the input is rejected before any allocation.
  CHECK(msg("0e ff ff ff ff 0f 00") == "unexpected end");
  CHECK(msg("0e 02 00 01") == "unexpected end");
}

TEST_CASE("select with types", "[instr]") {
  auto s = one("1c 01 7d");
  REQUIRE(s);
  CHECK(s->op == Op::select_t);
  CHECK(s->type == ValType::F32);
  CHECK(s->b == 1);
  // Arity 0 and 2 decode; the validator reports "invalid result arity".
  auto zero = one("1c 00");
  REQUIRE(zero);
  CHECK(zero->b == 0);
  auto two = one("1c 02 7f 7e");
  REQUIRE(two);
  CHECK(two->b == 2);
  CHECK(two->type == ValType::I32);
  CHECK(msg("1c 01 40") == "malformed value type");
}

TEST_CASE("reference and 0xFC instructions", "[instr]") {
  CHECK(one("d0 6f")->type == ValType::ExternRef);
  CHECK(msg("d0 7f") == "malformed reference type");
  CHECK(one("d2 03")->a == 3);
  CHECK(one("fc 07")->op == Op::i64_trunc_sat_f64_u);
  auto mi = one("fc 08 05 00");  // memory.init 5
  REQUIRE(mi);
  CHECK(mi->a == 5);
  // Multi-memory: memory indices where 2.0 had reserved zero bytes.
  auto mi1 = one("fc 08 05 01");  // memory.init 5, memory 1
  REQUIRE(mi1);
  CHECK(mi1->a == 5);
  CHECK(mi1->b == 1);
  auto mc = one("fc 0a 02 01");  // memory.copy dst 2, src 1
  REQUIRE(mc);
  CHECK(mc->a == 2);
  CHECK(mc->b == 1);
  CHECK(one("fc 0b 03")->a == 3);  // memory.fill 3
  auto ti = one("fc 0c 02 01");  // table.init elem 2, table 1
  REQUIRE(ti);
  CHECK(ti->a == 2);
  CHECK(ti->b == 1);
  auto tc = one("fc 0e 03 04");  // table.copy dst 3, src 4
  REQUIRE(tc);
  CHECK(tc->a == 3);
  CHECK(tc->b == 4);
  CHECK(one("fc 11 01")->a == 1);  // table.fill 1
  // A non-minimal LEB opcode after the prefix is still the same opcode.
  CHECK(one("fc 80 00")->op == Op::i32_trunc_sat_f32_s);
}

TEST_CASE("memarg: memory index and u64 offset (multi-memory, memory64)", "[instr]") {
  auto plain = one("28 02 10");  // i32.load align=4 offset=16, memory 0
  REQUIRE(plain);
  CHECK(plain->a == 2);
  CHECK(plain->b == 0);
  CHECK(plain->imm == 16);
  auto m1 = one("28 42 01 10");  // flags 0x42: align=4, memory index 1 follows
  REQUIRE(m1);
  CHECK(m1->a == 2);
  CHECK(m1->b == 1);
  CHECK(m1->imm == 16);
  auto big = one("29 03 80 80 80 80 80 80 80 01");  // i64.load offset=2^49
  REQUIRE(big);
  CHECK(big->imm == uint64_t{1} << 49);
  auto lane = one("fd 54 40 02 08 03");  // v128.load8_lane memory 2 offset=8 lane 3
  REQUIRE(lane);
  CHECK(lane->a == 0);
  CHECK(lane->b == 2);
  CHECK(lane->imm == 8);
  CHECK(lane->lane == 3);
  CHECK(one("3f 01")->a == 1);  // memory.size 1
  CHECK(one("40 80 00")->a == 0);  // memory.grow, an overlong index 0
}

TEST_CASE("malformed opcodes", "[instr]") {
  auto bad = one("f3");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "illegal opcode");
  CHECK(bad.error().offset == 10);
  CHECK(bad.error().kind == ErrorKind::Malformed);
  CHECK(msg("fc 12") == "illegal opcode");
  CHECK(msg("fd 0c") == "unexpected end");  // v128.const needs 16 bytes
  CHECK(msg("fd 9a 01") == "illegal opcode");  // 0x9a is a gap in the SIMD codes
  CHECK(msg("fd 94 02") == "illegal opcode");  // 0x114: past the last (relaxed) SIMD code
  // Opcodes of features wsvm lacks say which feature, after the spec's own words.
  CHECK(msg("d3").starts_with("illegal opcode (ref.eq: the garbage collection proposal"));
  CHECK(msg("1f 40 01 04 00") == "malformed catch clause");  // try_table, catch kind 4
  CHECK(msg("1f 40 01 00").starts_with("unexpected end"));     // a catch without its tag
  CHECK(msg("fb 00").starts_with("illegal opcode (0xfb 0: the garbage collection proposal"));
  CHECK(msg("fe 00").starts_with("illegal opcode (0xfe 0: an atomic instruction"));
  CHECK(msg("28 80 01 00") == "malformed memop flags");  // memarg flags 2^7
  CHECK(msg("28 c2 01 00") == "malformed memop flags");
  CHECK(msg("3f") == "unexpected end");  // memory.size without its memory index
  CHECK(msg("") == "unexpected end");
}

TEST_CASE("SIMD table: 236 ops of 2.0 and 20 of relaxed SIMD in encoding order, lane counts from the shape", "[instr][simd]") {
  int n = 0;
  uint32_t last = 0;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix != 0xFD) continue;
    if (n) CHECK(info.code > last);
    last = info.code;
    ++n;
  }
  CHECK(n == 236 + 20);
  CHECK(lane_count(Op::i8x16_extract_lane_s) == 16);
  CHECK(lane_count(Op::i16x8_replace_lane) == 8);
  CHECK(lane_count(Op::f32x4_extract_lane) == 4);
  CHECK(lane_count(Op::i64x2_replace_lane) == 2);
  CHECK(lane_count(Op::v128_load8_lane) == 16);
  CHECK(lane_count(Op::v128_store64_lane) == 2);
  CHECK(lane_count(Op::i32x4_add) == 0);
  CHECK(op_info(Op::v128_load32_zero).mem == 4);
  CHECK(op_info(Op::v128_load8x8_u).mem == 8);
  CHECK(is_simd(Op::f64x2_convert_low_i32x4_u));
  CHECK_FALSE(is_simd(Op::i32_add));
}

TEST_CASE("SIMD immediates", "[instr][simd]") {
  // v128.const i32x4 1 2 3 0x80000000: 16 raw bytes, little-endian lanes.
  auto c = one("fd 0c 01 00 00 00 02 00 00 00 03 00 00 00 00 00 00 80");
  REQUIRE(c);
  CHECK(c->op == Op::v128_const);
  CHECK(c->v128[0] == 1);
  CHECK(c->v128[4] == 2);
  CHECK(c->v128[15] == 0x80);
  CHECK(msg("fd 0c 00 00 00") == "unexpected end");

  auto sh = one("fd 0d 00 01 02 03 04 05 06 07 10 11 12 13 14 15 16 ff");  // i8x16.shuffle
  REQUIRE(sh);
  CHECK(sh->op == Op::i8x16_shuffle);
  CHECK(sh->v128[8] == 0x10);
  CHECK(sh->v128[15] == 0xff);  // out of range: the validator's "invalid lane index"

  auto ex = one("fd 15 0f");  // i8x16.extract_lane_s 15
  REQUIRE(ex);
  CHECK(ex->op == Op::i8x16_extract_lane_s);
  CHECK(ex->lane == 15);
  auto ex2 = one("fd 21 80");  // f64x2.extract_lane: the lane is a raw byte, not a LEB
  REQUIRE(ex2);
  CHECK(ex2->lane == 0x80);
  CHECK(msg("fd 21") == "unexpected end");

  auto ld = one("fd 57 03 90 03 01");  // v128.load64_lane align=3 offset=400 lane 1
  REQUIRE(ld);
  CHECK(ld->op == Op::v128_load64_lane);
  CHECK(ld->a == 3);
  CHECK(ld->imm == 400);
  CHECK(ld->lane == 1);

  auto st = one("fd 0b 04 10");  // v128.store align=4 offset=16
  REQUIRE(st);
  CHECK(st->op == Op::v128_store);
  CHECK(st->a == 4);
  CHECK(st->imm == 16);

  // Opcodes are u32 LEBs: 0xFD 0x80 0x01 is i16x8.abs (0x80), an overlong 0x0e is swizzle.
  auto abs = one("fd 80 01");
  REQUIRE(abs);
  CHECK(abs->op == Op::i16x8_abs);
  auto sw = one("fd 8e 00");
  REQUIRE(sw);
  CHECK(sw->op == Op::i8x16_swizzle);
  auto last = one("fd ff 01");
  REQUIRE(last);
  CHECK(last->op == Op::f64x2_convert_low_i32x4_u);
}

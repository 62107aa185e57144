// Byte-level corner cases that wat2wasm cannot produce: hand-assembled modules.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

#include "decoder/module.hpp"
#include "validator/validate.hpp"

using namespace wsvm;

namespace {

using Bytes = std::vector<uint8_t>;

void put_uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

void put_section(Bytes& out, uint8_t id, const Bytes& payload) {
  out.push_back(id);
  put_uleb(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

// A module of `bodies.size()` functions of type [] -> []; each body is its locals vector
// followed by its instructions. `middle` holds whole sections between the function section
// and the code section (memory, data count, ...), `tail` sections after the code section.
Bytes module_of(std::initializer_list<Bytes> bodies, const Bytes& middle = {},
                const Bytes& tail = {}) {
  Bytes m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  put_section(m, 1, {0x01, 0x60, 0x00, 0x00});
  Bytes funcs;
  put_uleb(funcs, bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) funcs.push_back(0x00);
  put_section(m, 3, funcs);
  m.insert(m.end(), middle.begin(), middle.end());
  Bytes code;
  put_uleb(code, bodies.size());
  for (const Bytes& b : bodies) {
    put_uleb(code, b.size());
    code.insert(code.end(), b.begin(), b.end());
  }
  put_section(m, 10, code);
  m.insert(m.end(), tail.begin(), tail.end());
  return m;
}

Result<void> decode_and_validate(const Bytes& bytes) {
  auto m = decode_module(bytes);
  if (!m) return std::unexpected(m.error());
  return validate_module(**m);
}

void expect_error(const Bytes& bytes, ErrorKind kind, const std::string& prefix) {
  Result<void> r = decode_and_validate(bytes);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().to_string());
  CHECK(r.error().kind == kind);
  CHECK(r.error().message.rfind(prefix, 0) == 0);
}

const Bytes kMemory = {0x05, 0x03, 0x01, 0x00, 0x01};  // (memory 1)

}  // namespace

TEST_CASE("memory.init and data.drop need a data count section", "[validator][hex]") {
  // (func (data.drop 0)) with a data segment but no data count section.
  const Bytes data = {0x0b, 0x04, 0x01, 0x01, 0x01, 0x78};  // passive segment "x"
  expect_error(module_of({{0x00, 0xfc, 0x09, 0x00, 0x0b}}, kMemory, data), ErrorKind::Malformed,
               "data count section required");
  // Without any data segment the index is just unknown (invalid), as in memory_init.wast.
  expect_error(module_of({{0x00, 0xfc, 0x09, 0x00, 0x0b}}), ErrorKind::Invalid,
               "unknown data segment");
  // The same with a data count section validates.
  Bytes with_count = kMemory;
  with_count.insert(with_count.end(), {0x0c, 0x01, 0x01});
  CHECK(decode_and_validate(module_of({{0x00, 0xfc, 0x09, 0x00, 0x0b}}, with_count, data)));
}

TEST_CASE("locals are capped before they are expanded", "[validator][hex]") {
  // One run of 50000 i32 locals is the limit; 50001 is too many.
  CHECK(decode_and_validate(module_of({{0x01, 0xd0, 0x86, 0x03, 0x7f, 0x0b}})));
  expect_error(module_of({{0x01, 0xd1, 0x86, 0x03, 0x7f, 0x0b}}), ErrorKind::Invalid,
               "too many locals: 50001 (wsvm's limit is 50000)");
  // Runs whose sum overflows 32 bits are the decoder's "too many locals" (malformed).
  expect_error(module_of({{0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff,
                           0x0f, 0x7f, 0x0b}}),
               ErrorKind::Malformed, "too many locals");
}

TEST_CASE("a body must end exactly with the function's end", "[validator][hex]") {
  // block ... end, but the function's own end is missing.
  expect_error(module_of({{0x00, 0x02, 0x40, 0x0b}}), ErrorKind::Malformed,
               "END opcode expected");
  // Bytes after the final end.
  expect_error(module_of({{0x00, 0x0b, 0x01, 0x0b}}), ErrorKind::Malformed,
               "section size mismatch");
  // else outside an if.
  expect_error(module_of({{0x00, 0x05, 0x0b}}), ErrorKind::Malformed, "END opcode expected");
  // A second else in one if.
  expect_error(module_of({{0x00, 0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b}}),
               ErrorKind::Malformed, "END opcode expected");
}

TEST_CASE("malformed bodies win over invalid ones", "[validator][hex]") {
  // Function 0 is invalid (i32.add on an empty stack), function 1 has an illegal opcode.
  const Bytes bytes = module_of({{0x00, 0x6a, 0x0b}, {0x00, 0xff, 0x0b}});
  expect_error(bytes, ErrorKind::Malformed, "illegal opcode");
  // Alone, function 0 is invalid.
  expect_error(module_of({{0x00, 0x6a, 0x0b}}), ErrorKind::Invalid, "type mismatch");
  auto m = decode_module(bytes);
  REQUIRE(m);
  Result<void> f0 = validate_function(**m, 0);
  REQUIRE_FALSE(f0);
  CHECK(f0.error().kind == ErrorKind::Invalid);
  CHECK(f0.error().offset == 0x18);  // the i32.add
}

TEST_CASE("select with a type vector of length other than one", "[validator][hex]") {
  // i32.const 0 i32.const 0 i32.const 1 select (result) -- empty type vector
  expect_error(module_of({{0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0x1c, 0x00, 0x1a, 0x0b}}),
               ErrorKind::Invalid, "invalid result arity");
  CHECK(decode_and_validate(
      module_of({{0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0x1c, 0x01, 0x7f, 0x1a, 0x0b}})));
}

// The walk loop types local.get/set/tee, i32.const, simple numeric operators and one-byte
// memargs itself (walk_detail::FastKind); every irregular form must still be decoded and
// reported exactly as the general path does.
namespace {

void expect_error_at(const Bytes& bytes, ErrorKind kind, const std::string& message,
                     size_t offset) {
  Result<void> r = decode_and_validate(bytes);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().to_string());
  CHECK(r.error().kind == kind);
  CHECK(r.error().message == message);
  CHECK(r.error().offset == offset);
}

// Offset of a body's first instruction byte in module_of({body}) without middle sections:
// header 8 + type section 6 + function section 4 + code section id, size, count, body size.
constexpr size_t kBody0 = 8 + 6 + 4 + 4;

}  // namespace

TEST_CASE("fast-path instructions in their irregular forms", "[validator][hex][fast]") {
  const Bytes one_i32 = {0x01, 0x01, 0x7f};  // locals: one i32
  auto body = [&](std::initializer_list<uint8_t> code) {
    Bytes b = one_i32;
    b.insert(b.end(), code);
    return b;
  };
  // Multi-byte LEB immediates are valid and take the general decoder.
  CHECK(decode_and_validate(module_of({body({0x20, 0x80, 0x00, 0x1a, 0x0b})})));  // local.get 0
  CHECK(decode_and_validate(module_of({body({0x41, 0x80, 0x01, 0x21, 0x80, 0x00, 0x0b})})));
  CHECK(decode_and_validate(module_of({body({0x41, 0xff, 0x7f, 0x22, 0x00, 0x1a, 0x0b})})));
  // An unknown local, with one- and two-byte indices.
  expect_error_at(module_of({body({0x20, 0x05, 0x1a, 0x0b})}), ErrorKind::Invalid,
                  "unknown local 5", kBody0 + 3);
  expect_error_at(module_of({body({0x20, 0x81, 0x01, 0x1a, 0x0b})}), ErrorKind::Invalid,
                  "unknown local 129", kBody0 + 3);
  // local.set / local.tee of the wrong type or of nothing.
  expect_error_at(module_of({body({0x42, 0x00, 0x21, 0x00, 0x0b})}), ErrorKind::Invalid,
                  "type mismatch: local.set expects i32, got i64", kBody0 + 5);
  expect_error_at(module_of({body({0x22, 0x00, 0x1a, 0x0b})}), ErrorKind::Invalid,
                  "type mismatch: local.tee expects i32, got nothing", kBody0 + 3);
  // A simple operator short of operands, or given the wrong types.
  expect_error_at(module_of({body({0x41, 0x01, 0x6a, 0x1a, 0x0b})}), ErrorKind::Invalid,
                  "type mismatch: i32.add expects i32, got nothing", kBody0 + 5);
  expect_error_at(module_of({body({0x41, 0x01, 0x42, 0x01, 0x6a, 0x1a, 0x0b})}),
                  ErrorKind::Invalid, "type mismatch: i32.add expects i32, got i64", kBody0 + 7);
  // Truncated immediates at the end of the body (the decoder sees no final end).
  expect_error_at(module_of({body({0x20})}), ErrorKind::Malformed, "END opcode expected",
                  kBody0 + 3);
  expect_error_at(module_of({body({0x41, 0x80})}), ErrorKind::Malformed, "END opcode expected",
                  kBody0 + 4);
  // A LEB running into the final end: i32.const 1408, then no end.
  expect_error(module_of({body({0x41, 0x80, 0x0b})}), ErrorKind::Malformed,
               "END opcode expected");
}

TEST_CASE("fast-path instructions in unreachable code", "[validator][hex][fast]") {
  const Bytes one_i32 = {0x01, 0x01, 0x7f};
  auto body = [&](std::initializer_list<uint8_t> code) {
    Bytes b = one_i32;
    b.insert(b.end(), code);
    return b;
  };
  // unreachable; i32.add; drop -- the stack is polymorphic.
  CHECK(decode_and_validate(module_of({body({0x00, 0x6a, 0x1a, 0x0b})})));
  // unreachable; local.set 0 / local.tee 0; drop
  CHECK(decode_and_validate(module_of({body({0x00, 0x21, 0x00, 0x0b})})));
  CHECK(decode_and_validate(module_of({body({0x00, 0x22, 0x00, 0x1a, 0x0b})})));
  // unreachable; i32.load; drop (with a memory)
  CHECK(decode_and_validate(module_of({body({0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b})}, kMemory)));
  // unreachable; i32.const 1; i64.add -- a known operand still has its type.
  expect_error_at(module_of({body({0x00, 0x41, 0x01, 0x7c, 0x1a, 0x0b})}), ErrorKind::Invalid,
                  "type mismatch: i64.add expects i64, got i32", kBody0 + 6);
}

TEST_CASE("fast-path loads and stores check memory and alignment", "[validator][hex][fast]") {
  // i32.const 0; i32.load align=A offset=O; drop
  auto load = [](std::initializer_list<uint8_t> memarg) {
    Bytes b = {0x00, 0x41, 0x00, 0x28};
    b.insert(b.end(), memarg);
    b.insert(b.end(), {0x1a, 0x0b});
    return b;
  };
  CHECK(decode_and_validate(module_of({load({0x02, 0x00})}, kMemory)));
  CHECK(decode_and_validate(module_of({load({0x02, 0x80, 0x02})}, kMemory)));  // offset 256
  CHECK(decode_and_validate(module_of({load({0x82, 0x00, 0x00})}, kMemory)));  // align LEB 2 bytes
  expect_error_at(module_of({load({0x02, 0x00})}), ErrorKind::Invalid, "unknown memory 0",
                  kBody0 + 3);
  expect_error_at(module_of({load({0x03, 0x00})}, kMemory), ErrorKind::Invalid,
                  "alignment must not be larger than natural", kBody0 + 5 + 3);
  // Flags bit 6 (multi-memory): a memory index follows the flags.
  CHECK(decode_and_validate(module_of({load({0x42, 0x00, 0x00})}, kMemory)));  // memory 0
  expect_error_at(module_of({load({0x42, 0x01, 0x00})}, kMemory), ErrorKind::Invalid,
                  "unknown memory 1", kBody0 + 5 + 3);
  expect_error_at(module_of({load({0x80, 0x01, 0x00})}, kMemory), ErrorKind::Malformed,
                  "malformed memop flags", kBody0 + 5 + 4);
  // An offset above 2^32-1 on a 32-bit memory.
  expect_error_at(module_of({load({0x02, 0x80, 0x80, 0x80, 0x80, 0x10})}, kMemory),
                  ErrorKind::Invalid, "offset out of range", kBody0 + 5 + 3);
  // i64.const 0; i32.load -- the address must be an i32.
  expect_error_at(module_of({{0x00, 0x42, 0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b}}, kMemory),
                  ErrorKind::Invalid, "type mismatch: i32.load expects i32, got i64",
                  kBody0 + 5 + 3);
  // i32.const 0; i64.const 0; i64.store; then i32.store8 with nothing.
  CHECK(decode_and_validate(
      module_of({{0x00, 0x41, 0x00, 0x42, 0x00, 0x37, 0x03, 0x00, 0x0b}}, kMemory)));
  expect_error_at(module_of({{0x00, 0x3a, 0x00, 0x00, 0x0b}}, kMemory), ErrorKind::Invalid,
                  "type mismatch: i32.store8 expects i32, got nothing", kBody0 + 5 + 1);
}

TEST_CASE("fast-path control instructions in their irregular forms", "[validator][hex][fast]") {
  // block; i64.const 0; br_if 0 -- the condition must be an i32.
  expect_error_at(module_of({{0x00, 0x02, 0x40, 0x42, 0x00, 0x0d, 0x00, 0x0b, 0x0b}}),
                  ErrorKind::Invalid, "type mismatch: br_if expects i32, got i64", kBody0 + 5);
  // br_if / br to a label that does not exist.
  expect_error_at(module_of({{0x00, 0x41, 0x00, 0x0d, 0x05, 0x0b}}), ErrorKind::Invalid,
                  "unknown label 5", kBody0 + 3);
  expect_error_at(module_of({{0x00, 0x0c, 0x01, 0x0b}}), ErrorKind::Invalid, "unknown label 1",
                  kBody0 + 1);
  // block (result i32); i32.const 1; i32.const 0; br_if 0; end; drop -- br_if keeps the value.
  CHECK(decode_and_validate(
      module_of({{0x00, 0x02, 0x7f, 0x41, 0x01, 0x41, 0x00, 0x0d, 0x00, 0x0b, 0x1a, 0x0b}})));
  // block (result i32); i64.const 1; br 0 -- the label wants an i32.
  expect_error_at(module_of({{0x00, 0x02, 0x7f, 0x42, 0x01, 0x0c, 0x00, 0x0b, 0x1a, 0x0b}}),
                  ErrorKind::Invalid, "type mismatch: br expects i32, got i64", kBody0 + 5);
  // block with a byte that is neither 0x40 nor a value type.
  expect_error(module_of({{0x00, 0x02, 0x7a, 0x0b, 0x0b}}), ErrorKind::Malformed,
               "malformed value type");
  // block (result i32) ending with nothing, or with an extra value.
  expect_error(module_of({{0x00, 0x02, 0x7f, 0x0b, 0x1a, 0x0b}}), ErrorKind::Invalid,
               "type mismatch");
  expect_error(module_of({{0x00, 0x02, 0x7f, 0x41, 0x01, 0x41, 0x02, 0x0b, 0x1a, 0x0b}}),
               ErrorKind::Invalid, "type mismatch");
  // loop (result i64) ... end with the right value; drop of nothing.
  CHECK(decode_and_validate(module_of({{0x00, 0x03, 0x7e, 0x42, 0x07, 0x0b, 0x1a, 0x0b}})));
  expect_error_at(module_of({{0x00, 0x1a, 0x0b}}), ErrorKind::Invalid,
                  "type mismatch: drop expects an operand, got nothing", kBody0 + 1);
  // Constants with 4-byte and 10-byte LEBs (the latter takes the general decoder).
  CHECK(decode_and_validate(module_of({{0x00, 0x41, 0x80, 0x80, 0x80, 0x7f, 0x1a, 0x0b}})));
  CHECK(decode_and_validate(module_of(
      {{0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0x1a, 0x0b}})));
  // The function's own end with a value left over.
  expect_error(module_of({{0x00, 0x41, 0x01, 0x0b}}), ErrorKind::Invalid, "type mismatch");
}

TEST_CASE("fast-path constants, if/else and call", "[validator][hex][fast]") {
  // i32.const with a 5-byte LEB: the last byte's 3 high value bits must equal the sign bit.
  auto i32_const5 = [](uint8_t last) {
    return module_of({{0x00, 0x41, 0x80, 0x80, 0x80, 0x80, last, 0x1a, 0x0b}});
  };
  CHECK(decode_and_validate(i32_const5(0x07)));  // 0x70000000
  CHECK(decode_and_validate(i32_const5(0x78)));  // INT32_MIN
  expect_error(i32_const5(0x10), ErrorKind::Malformed, "integer too large");
  expect_error(i32_const5(0x70), ErrorKind::Malformed, "integer too large");
  expect_error(i32_const5(0x87), ErrorKind::Malformed, "integer representation too long");
  // i64.const with a 9-byte LEB (no last-byte rule yet).
  CHECK(decode_and_validate(module_of(
      {{0x00, 0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x1a, 0x0b}})));
  // f32.const / f64.const, whole and cut short by the end of the body.
  CHECK(decode_and_validate(module_of({{0x00, 0x43, 0, 0, 0xc0, 0x3f, 0x1a, 0x0b}})));
  CHECK(decode_and_validate(module_of({{0x00, 0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x1a, 0x0b}})));
  CHECK_FALSE(decode_and_validate(module_of({{0x00, 0x44, 0, 0, 0, 0x0b}})));
  CHECK_FALSE(decode_and_validate(module_of({{0x00, 0x43, 0x0b}})));
  // if (result i32) i32.const 2 else i32.const 3 end; drop
  CHECK(decode_and_validate(
      module_of({{0x00, 0x41, 0x01, 0x04, 0x7f, 0x41, 0x02, 0x05, 0x41, 0x03, 0x0b, 0x1a, 0x0b}})));
  // if with an i64 condition; if (result i32) without else; else with the wrong type.
  expect_error_at(module_of({{0x00, 0x42, 0x01, 0x04, 0x40, 0x0b, 0x0b}}), ErrorKind::Invalid,
                  "type mismatch: if expects i32, got i64", kBody0 + 3);
  expect_error(module_of({{0x00, 0x41, 0x01, 0x04, 0x7f, 0x41, 0x02, 0x0b, 0x1a, 0x0b}}),
               ErrorKind::Invalid, "type mismatch");
  expect_error(
      module_of({{0x00, 0x41, 0x01, 0x04, 0x7f, 0x42, 0x02, 0x05, 0x41, 0x03, 0x0b, 0x1a, 0x0b}}),
      ErrorKind::Invalid, "type mismatch");
  // if (empty) ... end without else is fine; else outside an if is malformed.
  CHECK(decode_and_validate(module_of({{0x00, 0x41, 0x01, 0x04, 0x40, 0x01, 0x0b, 0x0b}})));
  expect_error(module_of({{0x00, 0x02, 0x40, 0x05, 0x0b, 0x0b}}), ErrorKind::Malformed,
               "END opcode expected");
  // else after an unconditional branch in the then-arm (an unreachable frame): i32.const 2;
  // br 0 in the then-arm.
  CHECK(decode_and_validate(module_of(
      {{0x00, 0x41, 0x01, 0x04, 0x7f, 0x41, 0x02, 0x0c, 0x00, 0x05, 0x41, 0x03, 0x0b, 0x1a,
        0x0b}})));
  // call: itself (type [] -> []), an unknown function, and a multi-byte index.
  CHECK(decode_and_validate(module_of({{0x00, 0x10, 0x00, 0x0b}})));
  CHECK(decode_and_validate(module_of({{0x00, 0x10, 0x80, 0x00, 0x0b}})));
  expect_error_at(module_of({{0x00, 0x10, 0x05, 0x0b}}), ErrorKind::Invalid,
                  "unknown function 5", kBody0 + 1);
}

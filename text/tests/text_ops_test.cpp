// The instruction index: driven by decoder/opcodes.def, plus the pending 3.0 rows, never both.
#include <catch2/catch.hpp>

#include <set>
#include <utility>

#include "decoder/opcodes.hpp"
#include "text/text_ops.hpp"

using namespace wsvm;
using namespace wsvm::text;

TEST_CASE("every row of the decoder's table is found by its text", "[ops]") {
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    INFO(info.text);
    const TextOp* op = find_op(info.text);
    REQUIRE(op);
    CHECK_FALSE(op->pending);
    // `select` has two rows (0x1B and the typed 0x1C); the text finds the first.
    if (std::string_view(info.text) != "select") {
      CHECK(op->prefix == info.prefix);
      CHECK(op->code == info.code);
    }
  }
}

TEST_CASE("a pending row is in no other row (move it to opcodes.def, do not copy it)", "[ops]") {
  size_t n = 0;
  const TextOp* ops = all_ops(n);
  std::set<std::string_view> decoder_texts;
  std::set<std::pair<uint8_t, uint32_t>> decoder_codes;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    decoder_texts.insert(kOpInfo[i].text);
    decoder_codes.insert({kOpInfo[i].prefix, kOpInfo[i].code});
  }
  size_t pending = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!ops[i].pending) continue;
    ++pending;
    INFO(ops[i].text);
    CHECK(decoder_texts.count(ops[i].text) == 0);
    CHECK(decoder_codes.count({ops[i].prefix, ops[i].code}) == 0);
    // ref.test/ref.cast also own code + 1 (their nullable forms).
    if (ops[i].kind == OpKind::RefTest) CHECK(decoder_codes.count({ops[i].prefix, ops[i].code + 1}) == 0);
  }
  CHECK(pending > 0);
  CHECK(n == kOpCount + pending);
}

TEST_CASE("unknown words are no instruction", "[ops]") {
  CHECK(find_op("i32.add_s") == nullptr);
  CHECK(find_op("module") == nullptr);
  CHECK(find_op("i32.add") != nullptr);
  CHECK(find_op("struct.get")->kind == OpKind::TypeField);
  CHECK(find_op("i32.load")->natural_align == 4);
}

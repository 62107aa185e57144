// The opcode table walk (CONVENTIONS 2): every non-SIMD opcode has a translation, and every
// interpreter op has a handler.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "decoder/opcodes.hpp"
#include "interp/code.hpp"

namespace wsvm::interp {
bool translator_handles(Op op);
}

using namespace wsvm;

TEST_CASE("every opcode is translated", "[interp][table]") {
  for (uint16_t i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    INFO(op_name(op));
    CHECK(interp::translator_handles(op));
  }
}

TEST_CASE("every interpreter op has a distinct handler", "[interp][table]") {
  std::set<uint64_t> seen;
  for (uint16_t i = 0; i < static_cast<uint16_t>(interp::IOp::kCount); ++i) {
    interp::Word w = interp::handler_word(static_cast<interp::IOp>(i));
    CHECK(seen.insert(w.u64).second);
    CHECK(std::string(interp::iop_name_of(w)) != "?");
  }
}

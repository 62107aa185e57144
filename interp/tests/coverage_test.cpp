// Every interpreter op has a handler of its own. (That every opcode has a translation is
// checked through the real translator by tests/opcode_table_test.cpp.)
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "decoder/opcodes.hpp"
#include "interp/code.hpp"

using namespace wsvm;

TEST_CASE("every interpreter op has a distinct handler", "[interp][table]") {
  std::set<uint64_t> seen;
  for (uint16_t i = 0; i < static_cast<uint16_t>(interp::IOp::kCount); ++i) {
    interp::Word w = interp::handler_word(static_cast<interp::IOp>(i));
    CHECK(seen.insert(w.u64).second);
    CHECK(std::string(interp::iop_name_of(w)) != "?");
  }
}

// The skip list format and the message matching rule of the runner.
#include <catch2/catch.hpp>

#include "wast/skip_list.hpp"
#include "wast/text_match.hpp"

using namespace wsvm::wast;

TEST_CASE("skip list entries cover a file or one command, each with a reason") {
  auto list = SkipList::parse(
      "# comment line\n"
      "\n"
      "fac.wast:102   needs a bigger native stack  # trailing comment\n"
      "simd_lane.wast text parser only\r\n");
  REQUIRE(list.has_value());
  CHECK(list->size() == 2);
  CHECK(list->reason("fac.wast", 102) == "needs a bigger native stack");
  CHECK_FALSE(list->reason("fac.wast", 103).has_value());
  CHECK_FALSE(list->reason("fac.wast", 0).has_value());
  CHECK(list->reason("simd_lane.wast", 7) == "text parser only");
  CHECK_FALSE(list->reason("i32.wast", 1).has_value());
}

TEST_CASE("skip list entries may apply to one engine") {
  auto list = SkipList::parse(
      "return_call.wast@jit declared JIT bailout: tail calls\n"
      "fac.wast:7@interp only here\n"
      "i32.wast everywhere\n");
  REQUIRE(list.has_value());
  CHECK(list->reason("return_call.wast", 3, "jit") == "declared JIT bailout: tail calls");
  CHECK_FALSE(list->reason("return_call.wast", 3, "interp").has_value());
  CHECK_FALSE(list->reason("return_call.wast", 3).has_value());
  CHECK(list->reason("fac.wast", 7, "interp") == "only here");
  CHECK_FALSE(list->reason("fac.wast", 7, "jit").has_value());
  CHECK(list->reason("i32.wast", 1, "jit") == "everywhere");
  CHECK_FALSE(SkipList::parse("fac.wast@ why\n").has_value());
}

TEST_CASE("skip list entries without a reason or with a bad line are rejected") {
  CHECK_FALSE(SkipList::parse("fac.wast\n").has_value());
  CHECK_FALSE(SkipList::parse("fac.wast:   \n").has_value());
  CHECK_FALSE(SkipList::parse("fac.wast:x why\n").has_value());
  CHECK_FALSE(SkipList::parse("fac.wast:0 why\n").has_value());
  CHECK(SkipList::load("/nonexistent/skip.txt").has_value());  // no file: empty list
}

TEST_CASE("expected messages match ours by containment or as an extension of ours") {
  CHECK(text_matches("type mismatch", "type mismatch: expected i32, got i64"));
  CHECK(text_matches("uninitialized element 2", "uninitialized element"));
  CHECK(text_matches("unreachable", "unreachable"));
  CHECK_FALSE(text_matches("undefined element", "uninitialized element"));
  CHECK_FALSE(text_matches("integer overflow", "integer divide by zero"));
  CHECK_FALSE(text_matches("unreachable", ""));
}

// printable(): untrusted names made safe for a terminal and a one-line message.
#include <catch2/catch.hpp>

#include <string>

#include "decoder/printable.hpp"

using wsvm::printable;
using namespace std::string_literals;

TEST_CASE("printable keeps text and escapes control bytes", "[printable]") {
  CHECK(printable("fac") == "fac");
  CHECK(printable("a b\\c") == "a b\\c");
  CHECK(printable("line\nbreak\r") == "line\\x0abreak\\x0d");
  CHECK(printable("\x1b[2J") == "\\x1b[2J");
  CHECK(printable("nul\0x"s) == "nul\\x00x");
  CHECK(printable("del\x7f") == "del\\x7f");
  CHECK(printable("") == "");
}

TEST_CASE("printable keeps valid UTF-8 and escapes the rest", "[printable]") {
  CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(printable("\xc3") == "\\xc3");                  // truncated sequence
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");          // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  CHECK(printable("\x80x") == "\\x80x");                // a lone continuation byte
  CHECK(printable("\xe2\x82") == "\\xe2\\x82");          // cut at the end
}

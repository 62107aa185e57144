#include <catch2/catch.hpp>

#include "cli/limit_options.hpp"
#include "cli/options.hpp"

using namespace wsvm::cli;
using std::chrono::microseconds;

namespace {
std::expected<Options, std::string> parse(std::vector<std::string> a) {
  a.insert(a.begin(), "wsvm");
  return parse_options(a);
}
}  // namespace

TEST_CASE("parse_size: plain bytes and binary units", "[cli][limits]") {
  CHECK(parse_size("0").value() == 0);
  CHECK(parse_size("65536").value() == 65536);
  CHECK(parse_size("100B").value() == 100);
  CHECK(parse_size("64KiB").value() == 64u << 10);
  CHECK(parse_size("64MiB").value() == 64u << 20);
  CHECK(parse_size("4GiB").value() == uint64_t{4} << 30);
  for (const char* bad : {"", "MiB", "64mib", "64MB", "64 MiB", "1.5GiB", "-1", "0x10",
                          "99999999999999999999", "17179869184GiB"}) {
    INFO(bad);
    CHECK_FALSE(parse_size(bad));
  }
  CHECK(parse_size("64XB").error().find("XB") != std::string::npos);
}

TEST_CASE("parse_duration: ms, s, m, fractions, bare seconds", "[cli][limits]") {
  CHECK(parse_duration("500ms").value() == microseconds(500000));
  CHECK(parse_duration("5s").value() == microseconds(5000000));
  CHECK(parse_duration("1.5s").value() == microseconds(1500000));
  CHECK(parse_duration("2m").value() == microseconds(120000000));
  CHECK(parse_duration("10").value() == microseconds(10000000));
  CHECK(parse_duration("0.25").value() == microseconds(250000));
  CHECK(parse_duration("0.5ms").value() == microseconds(500));
  for (const char* bad : {"", "ms", "0", "0ms", "0.0000001s", "-1s", "5h", "1.2.3s", "1e3ms",
                          "2000000s", " 5s"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}

TEST_CASE("duration_text names a timeout as given", "[cli][limits]") {
  CHECK(duration_text(microseconds(500000)) == "500ms");
  CHECK(duration_text(microseconds(5000000)) == "5s");
  CHECK(duration_text(microseconds(1500000)) == "1500ms");
  CHECK(duration_text(microseconds(1500)) == "1500us");
}

TEST_CASE("limit options on the command line", "[cli][limits]") {
  auto d = parse({"m.wasm"});
  REQUIRE(d);
  CHECK(d->limits.max_memory_bytes == kDefaultMaxMemoryBytes);
  CHECK(d->limits.max_memory_pages() == 65536);
  CHECK(d->limits.max_stack_bytes == kDefaultMaxStackBytes);
  CHECK_FALSE(d->limits.timeout);
  CHECK_FALSE(d->limits.fuel);
  CHECK_FALSE(d->limits.stats);

  auto o = parse({"--max-memory", "100000", "--max-stack=64KiB", "--timeout", "1.5s",
                  "--fuel=0", "--stats", "m.wasm", "--fuel", "7"});
  REQUIRE(o);
  CHECK(o->limits.max_memory_pages() == 1);  // rounded down to whole pages
  CHECK(o->limits.max_stack_bytes == 64u << 10);
  CHECK(o->limits.timeout == microseconds(1500000));
  CHECK(o->limits.fuel == std::optional<uint64_t>(0));
  CHECK(o->limits.stats);
  CHECK(o->args == std::vector<std::string>{"--fuel", "7"});  // after the module: the program's

  CHECK(parse({"--max-memory", "8GiB", "m.wasm"})->limits.max_memory_pages() == 65536);
  CHECK(parse({"--fuel", "9223372036854775807", "m.wasm"})->limits.fuel == INT64_MAX);
  CHECK_FALSE(parse({"--fuel", "9223372036854775808", "m.wasm"}));
  CHECK_FALSE(parse({"--max-stack", "0", "m.wasm"}));
  CHECK_FALSE(parse({"--max-stack", "2GiB", "m.wasm"}));
  CHECK_FALSE(parse({"--stats=1", "m.wasm"}));
  CHECK_FALSE(parse({"--timeout", "m.wasm"}));  // the path is taken as the value: bad duration
  CHECK_FALSE(parse({"validate", "--fuel", "5", "m.wasm"}));
}

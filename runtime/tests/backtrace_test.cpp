// format_backtrace: the text every front door prints under a trap line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <vector>

#include "runtime/trap.hpp"

using namespace wsvm;

namespace {

std::vector<BacktraceFrame> frames(const std::vector<std::string>& names) {
  std::vector<BacktraceFrame> out;
  for (const std::string& n : names) {
    // The index follows the name here, as it does within one module.
    out.push_back(BacktraceFrame{n, static_cast<uint32_t>(std::hash<std::string>{}(n) & 0xffff)});
  }
  return out;
}

std::vector<std::string> repeat(std::vector<std::string> block, size_t times) {
  std::vector<std::string> out;
  for (size_t i = 0; i < times; ++i) out.insert(out.end(), block.begin(), block.end());
  return out;
}

size_t count_lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("a short backtrace prints every frame, innermost first") {
  auto f = frames({"inner", "middle", "_start"});
  CHECK(format_backtrace(f) == "  at inner\n  at middle\n  at _start\n");
  CHECK(format_backtrace({}) == "");
}

TEST_CASE("unbounded recursion collapses to one line with its count") {
  std::vector<std::string> names = repeat({"recurse"}, 32741);
  names.push_back("main");
  CHECK(format_backtrace(frames(names)) == "  at recurse \u00d732741\n  at main\n");
  // Two equal frames are already a run; one is not.
  CHECK(format_backtrace(frames({"f", "f", "g"})) == "  at f \u00d72\n  at g\n");
}

TEST_CASE("mutual recursion collapses to the cycle once") {
  std::vector<std::string> names = {"leaf"};
  auto cycle = repeat({"even", "odd"}, 5000);
  names.insert(names.end(), cycle.begin(), cycle.end());
  names.push_back("main");
  CHECK(format_backtrace(frames(names)) ==
        "  at leaf\n  at even\n  at odd\n  (the 2 frames above \u00d75000)\n  at main\n");
}

TEST_CASE("equal names from different functions are not merged") {
  std::vector<BacktraceFrame> f = {{"func[3]", 3}, {"func[3]", 4}};
  CHECK(format_backtrace(f) == "  at func[3]\n  at func[3]\n");
}

TEST_CASE("a long backtrace keeps its first and last frames around one omission line") {
  std::vector<std::string> names;
  for (int i = 0; i < 1000; ++i) names.push_back("f" + std::to_string(i));
  const std::string out = format_backtrace(frames(names), 40);
  CHECK(count_lines(out) <= 40);
  CHECK(out.starts_with("  at f0\n  at f1\n"));
  CHECK(out.ends_with("  at f998\n  at f999\n"));
  // Every frame is either printed or counted.
  size_t printed = count_lines(out) - 1;
  CHECK(out.find(fmt::format("  ... {} more frames\n", 1000 - printed)) != std::string::npos);
}

TEST_CASE("names cannot break the one-line-per-frame layout") {
  auto out = format_backtrace(std::vector<BacktraceFrame>{{"evil\nname\x1b[2J", 0}});
  CHECK(out == "  at evil\\x0aname\\x1b[2J\n");
}

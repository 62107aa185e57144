// Fuzz harness of the text parser. Reads each file named on the command line (or stdin when
// there is none: the AFL++ form, `afl-fuzz -i seeds -o out -- ./wsvm-text-fuzz`) and runs it
// through both entry points, the script parser and wat_to_wasm. Any input must end in a value
// or an error: a crash, a sanitizer report or a hang is the bug.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "text/script.hpp"
#include "text/text.hpp"

namespace {
void one(const std::string& input) {
  (void)wsvm::text::parse_script(input);
  (void)wsvm::text::wat_to_wasm(input);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    one(input);
    return 0;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream f(argv[i], std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "error: cannot read %s\n", argv[i]);
      return 2;
    }
    one(std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>()));
  }
  return 0;
}

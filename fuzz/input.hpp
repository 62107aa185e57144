// Input handling shared by the fuzz harnesses: one module per input, read from a file path
// (AFL's @@), from stdin (no argument), or from every regular file of a directory (the meson
// regression tests replay fuzz/regressions/ and fuzz/seeds/ that way).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wsvm::fuzz {

// Inputs larger than this are truncated: a fuzzer gains nothing from megabyte modules, and
// the cap keeps one execution short.
inline constexpr size_t kMaxInputBytes = size_t{4} << 20;

// Calls `one_input(bytes, name)` for each input named by argv (or stdin when argc < 2).
// Returns 0, or 2 when a path cannot be read (a usage error, never a finding).
int for_each_input(int argc, char** argv,
                   const std::function<void(const std::vector<uint8_t>&, const std::string&)>& one_input);

}  // namespace wsvm::fuzz

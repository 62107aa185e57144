// Names from a module (exports, imports, the name section) are untrusted bytes: before they
// reach a terminal or a log they are made printable, so a name cannot inject escape
// sequences or break a one-line message apart.
#pragma once

#include <string>
#include <string_view>

namespace wsvm {

// `s` with every control byte (< 0x20, 0x7f), and every byte that is not part of a valid
// UTF-8 sequence, written as \xNN; valid UTF-8 text and backslashes are kept as they are.
std::string printable(std::string_view s);

}  // namespace wsvm

// Strict UTF-8 and UTF-16LE coding for the canonical ABI's strings: decoding rejects
// surrogates, overlong forms and truncation (telling an incomplete final sequence apart, as
// the reference tests' messages do); encoding takes Unicode scalar values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wsvm::component {

enum class Utf8Status : uint8_t { Ok, Invalid, Incomplete };

// Decodes UTF-8; on success `out` holds the scalar values.
Utf8Status utf8_decode(std::span<const uint8_t> bytes, std::u32string& out);
// The same verdict without decoding (ASCII runs checked a word at a time).
Utf8Status utf8_validate(std::span<const uint8_t> bytes);
// Decodes UTF-16LE (`bytes.size()` even); false on an unpaired surrogate.
bool utf16_decode(std::span<const uint8_t> bytes, std::u32string& out);

void utf8_append(std::string& out, char32_t c);
std::string utf8_encode(std::u32string_view s);
// Number of UTF-16 code units of `s`.
size_t utf16_length(std::u32string_view s);
// Writes `s` as UTF-16LE at `dst` (2 * utf16_length(s) bytes).
void utf16_write(std::u32string_view s, uint8_t* dst);

}  // namespace wsvm::component

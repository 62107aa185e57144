// Number literals of the text format: integers (decimal or hex, '_' between digits) and
// floats (decimal, hex, inf, nan, nan:0xPAYLOAD), rounded to nearest even.
// Spec: https://webassembly.github.io/spec/core/text/values.html
#pragma once

#include <cstdint>
#include <string_view>

namespace wsvm::text {

enum class NumStatus : uint8_t {
  Ok,
  Syntax,      // not a literal of this kind: the spec's "unknown operator"
  OutOfRange,  // a literal, but it does not fit: "constant out of range"
};

// An unsigned literal (no sign) up to `max`.
NumStatus parse_nat(std::string_view s, uint64_t max, uint64_t& out);
// An integer of `bits` (32 or 64) bits, signed or unsigned interpretation; two's complement.
NumStatus parse_int(std::string_view s, unsigned bits, uint64_t& out);
// Float literals; the result is the IEEE bit pattern.
NumStatus parse_f32(std::string_view s, uint32_t& out);
NumStatus parse_f64(std::string_view s, uint64_t& out);

}  // namespace wsvm::text

// Text <-> Value for `wsvm --invoke`: arguments parsed by the parameter's type, results
// printed as plain numbers (integers signed like wasmtime, floats in shortest round-trip form).
// v128 is 0x + 32 hex digits in both directions: the 16 bytes as one little-endian u128, so
// lane 0 is the rightmost group of digits.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "runtime/value.hpp"

namespace wsvm::cli {

// Error: a short reason, e.g. "not an i32".
std::expected<Value, std::string> parse_value(ValType type, std::string_view text);

std::string format_value(const Value& v);

}  // namespace wsvm::cli

// Values of spec scripts against runtime values: an invoke argument (text::Const) becomes a
// runtime Value, an expected result (text::ResultPattern: exact bits, NaN classes per scalar
// or lane, reference kinds, `either`) is matched against what the engine returned, and both
// print in failure lines.
#pragma once

#include <expected>
#include <string>

#include "runtime/value.hpp"
#include "text/script.hpp"

namespace wsvm::wast {

// `ref.extern N` of the scripts is the host word N+1, so `ref.extern 0` is not null.
// `ref.host N` is the same word: wsvm has no anyref, a host value reaches code as externref.
inline constexpr Ref extern_ref_word(uint64_t n) { return static_cast<Ref>(n + 1); }

// The argument as a value of type `want` (the parameter's type: `ref.null func` and
// `ref.null nofunc` both fit funcref). An argument that cannot be of that type is an error
// naming both.
std::expected<Value, std::string> to_value(const text::Const& c, ValType want);

// NaN classes by bits (f32 in the low 32 bits when is_f64 is false), sign ignored.
// https://webassembly.github.io/spec/core/syntax/values.html#floating-point
bool is_canonical_nan(uint64_t bits, bool is_f64);
bool is_arithmetic_nan(uint64_t bits, bool is_f64);

bool matches(const text::ResultPattern& expected, const Value& got);

// For failure lines: "i32:42", "f32:0x7fc00000 (nan)", "v128:i32x4[1 2 3 4]", "externref:0".
// A v128 prints in the lane shape of `like` when it is a v128 pattern (so the two line up).
std::string format_value(const Value& v, const text::ResultPattern* like = nullptr);
std::string format_pattern(const text::ResultPattern& p);
std::string format_const(const text::Const& c);

}  // namespace wsvm::wast

// Values of the spec scripts as wast2json writes them: arguments become runtime Values,
// expected results become patterns (exact bits, canonical/arithmetic NaN, any non-null ref),
// lane by lane for v128.
// Format: https://github.com/WebAssembly/wabt/blob/main/docs/wast2json.md
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/value.hpp"

namespace wsvm::spec {

// How one scalar (or one v128 lane) is compared.
enum class Pattern : uint8_t {
  Exact,          // the bits must be equal
  NanCanonical,   // a NaN with only the quiet bit set in the payload, either sign
  NanArithmetic,  // a NaN with the quiet bit set, any other payload, either sign
  NonNull,        // a reference that is not null (funcref without a concrete value)
};

// Lane shape of a v128 value; Scalar for every other type.
enum class LaneType : uint8_t { Scalar, I8, I16, I32, I64, F32, F64 };

struct LaneExpect {
  Pattern pattern = Pattern::Exact;
  uint64_t bits = 0;
};

struct ExpectedValue {
  ValType type = ValType::I32;
  LaneType lane = LaneType::Scalar;
  std::vector<LaneExpect> lanes;  // one entry for scalars, 16/8/4/2 for v128
};

// externref N of the scripts is the host word N+1, so `ref.extern 0` is not null.
inline constexpr Ref extern_ref_word(uint64_t n) { return static_cast<Ref>(n + 1); }

std::expected<ValType, std::string> parse_valtype(const std::string& name);

// An argument ({"type": "i32", "value": "42"}, v128 with "lane_type" and a value array).
std::expected<Value, std::string> parse_value(const nlohmann::json& j);

// An expected result: like parse_value plus the NaN patterns and non-null references.
std::expected<ExpectedValue, std::string> parse_expected(const nlohmann::json& j);

// NaN classes by bits (f32 in the low 32 bits when is_f64 is false).
bool is_canonical_nan(uint64_t bits, bool is_f64);
bool is_arithmetic_nan(uint64_t bits, bool is_f64);

bool matches(const ExpectedValue& expected, const Value& got);

// Human-readable forms for failure lines: "i32:42", "f32:0x7fc00000 (nan)", "v128:i32x4[...]".
// v128 values print in the lane shape given (the expected value's, so the two line up).
std::string format_value(const Value& v, LaneType v128_lanes = LaneType::I32);
std::string format_expected(const ExpectedValue& e);

}  // namespace wsvm::spec

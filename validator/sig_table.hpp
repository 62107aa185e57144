// Operand and result types of the "simple" instructions, derived from the Sig column of the
// opcode table (decoder/opcodes.def). The walker types every opcode whose Sig is not
// `special` from this table alone; only the polymorphic / index-carrying ones are
// hand-written (function_validator.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "decoder/opcodes.hpp"
#include "decoder/types.hpp"

namespace wsvm {

struct SimpleSig {
  ValType params[3] = {ValType::Bottom, ValType::Bottom, ValType::Bottom};
  uint8_t param_count = 0;
  ValType result = ValType::Bottom;
  uint8_t result_count = 0;

  constexpr std::span<const ValType> param_types() const { return {params, param_count}; }
};

namespace sig_detail {

constexpr SimpleSig sig_of(std::initializer_list<ValType> results,
                           std::initializer_list<ValType> params) {
  SimpleSig s;
  for (ValType t : params) s.params[s.param_count++] = t;
  for (ValType t : results) {
    s.result = t;
    ++s.result_count;
  }
  return s;
}

// Sig names read <results>_<params>; `v` is the empty sequence.
constexpr SimpleSig make_sig(Sig sig) {
  constexpr ValType i32 = ValType::I32, i64 = ValType::I64, f32 = ValType::F32,
                    f64 = ValType::F64, v128 = ValType::V128;
  switch (sig) {
    case Sig::special: return {};
    case Sig::i32_v: return sig_of({i32}, {});
    case Sig::i64_v: return sig_of({i64}, {});
    case Sig::f32_v: return sig_of({f32}, {});
    case Sig::f64_v: return sig_of({f64}, {});
    case Sig::v_v: return sig_of({}, {});
    case Sig::i32_i32: return sig_of({i32}, {i32});
    case Sig::i64_i32: return sig_of({i64}, {i32});
    case Sig::f32_i32: return sig_of({f32}, {i32});
    case Sig::f64_i32: return sig_of({f64}, {i32});
    case Sig::i32_i64: return sig_of({i32}, {i64});
    case Sig::i64_i64: return sig_of({i64}, {i64});
    case Sig::f32_i64: return sig_of({f32}, {i64});
    case Sig::f64_i64: return sig_of({f64}, {i64});
    case Sig::i32_f32: return sig_of({i32}, {f32});
    case Sig::i64_f32: return sig_of({i64}, {f32});
    case Sig::f32_f32: return sig_of({f32}, {f32});
    case Sig::f64_f32: return sig_of({f64}, {f32});
    case Sig::i32_f64: return sig_of({i32}, {f64});
    case Sig::i64_f64: return sig_of({i64}, {f64});
    case Sig::f32_f64: return sig_of({f32}, {f64});
    case Sig::f64_f64: return sig_of({f64}, {f64});
    case Sig::i32_i32i32: return sig_of({i32}, {i32, i32});
    case Sig::i32_i64i64: return sig_of({i32}, {i64, i64});
    case Sig::i32_f32f32: return sig_of({i32}, {f32, f32});
    case Sig::i32_f64f64: return sig_of({i32}, {f64, f64});
    case Sig::i64_i64i64: return sig_of({i64}, {i64, i64});
    case Sig::f32_f32f32: return sig_of({f32}, {f32, f32});
    case Sig::f64_f64f64: return sig_of({f64}, {f64, f64});
    case Sig::v_i32i32: return sig_of({}, {i32, i32});
    case Sig::v_i32i64: return sig_of({}, {i32, i64});
    case Sig::v_i32f32: return sig_of({}, {i32, f32});
    case Sig::v_i32f64: return sig_of({}, {i32, f64});
    case Sig::v_i32i32i32: return sig_of({}, {i32, i32, i32});
    case Sig::v128_v: return sig_of({v128}, {});
    case Sig::v128_i32: return sig_of({v128}, {i32});
    case Sig::v128_i64: return sig_of({v128}, {i64});
    case Sig::v128_f32: return sig_of({v128}, {f32});
    case Sig::v128_f64: return sig_of({v128}, {f64});
    case Sig::i32_v128: return sig_of({i32}, {v128});
    case Sig::i64_v128: return sig_of({i64}, {v128});
    case Sig::f32_v128: return sig_of({f32}, {v128});
    case Sig::f64_v128: return sig_of({f64}, {v128});
    case Sig::v128_v128: return sig_of({v128}, {v128});
    case Sig::v128_v128v128: return sig_of({v128}, {v128, v128});
    case Sig::v128_v128v128v128: return sig_of({v128}, {v128, v128, v128});
    case Sig::v128_v128i32: return sig_of({v128}, {v128, i32});
    case Sig::v128_v128i64: return sig_of({v128}, {v128, i64});
    case Sig::v128_v128f32: return sig_of({v128}, {v128, f32});
    case Sig::v128_v128f64: return sig_of({v128}, {v128, f64});
    case Sig::v128_i32v128: return sig_of({v128}, {i32, v128});
    case Sig::v_i32v128: return sig_of({}, {i32, v128});
  }
  return {};
}

// One entry per opcode (indexed by Op), so the hot path is a single table load.
constexpr std::array<SimpleSig, kOpCount> make_op_sigs() {
  std::array<SimpleSig, kOpCount> out{};
  for (uint16_t i = 0; i < kOpCount; ++i) out[i] = make_sig(kOpInfo[i].sig);
  return out;
}

}  // namespace sig_detail

inline constexpr std::array<SimpleSig, kOpCount> kOpSigs = sig_detail::make_op_sigs();

inline const SimpleSig& simple_sig(Op op) { return kOpSigs[static_cast<uint16_t>(op)]; }

// A one-element type sequence with static storage, for block types and label types; empty
// for the reference types other than funcref, externref and exnref (the walker keeps those).
inline constexpr ValType kSingleTypes[] = {ValType::I32,       ValType::I64,    ValType::F32,
                                           ValType::F64,       ValType::V128,   ValType::FuncRef,
                                           ValType::ExternRef, ValType::ExnRef, ValType::Bottom};
constexpr std::span<const ValType> single_type(ValType t) {
  for (const ValType& s : kSingleTypes)
    if (s == t) return {&s, 1};
  return {};
}

}  // namespace wsvm

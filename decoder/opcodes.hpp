// The opcode enum and per-opcode facts, all generated from opcodes.def.
#pragma once

#include <cstdint>

namespace wsvm {

// How the decoder reads an instruction's immediates.
enum class Imm : uint8_t {
  None,
  BlockType,     // blocktype: empty (0x40), a value type, or an s33 type index
  LabelIdx,      // u32 label depth
  BrTable,       // vec(u32) labels + u32 default
  FuncIdx,       // u32
  CallIndirect,  // u32 type index, u32 table index
  TypeIdx,       // u32 type index (call_ref, return_call_ref)
  TagIdx,        // u32 tag index (throw, catch)
  TryTable,      // blocktype, vec(catch clause: kind byte, tag index for kinds 0 and 1, label)
  LocalIdx,      // u32
  GlobalIdx,     // u32
  TableIdx,      // u32
  MemArg,        // u32 flags (align log2; bit 6: a u32 memory index follows), u64 offset
  MemIdx,        // u32 memory index (one 0x00 byte in 2.0: ValidateOptions::wasm2)
  I32,           // s32
  I64,           // s64
  F32,           // 4 bytes little endian
  F64,           // 8 bytes little endian
  SelectT,       // vec(valtype), must have length 1 in 2.0
  RefType,       // one reftype byte
  MemoryInit,    // u32 data index, u32 memory index
  DataIdx,       // u32
  MemoryCopy,    // u32 destination memory, u32 source memory
  TableInit,     // u32 elem index, u32 table index
  ElemIdx,       // u32
  TableCopy,     // u32 dst table, u32 src table
  // SIMD (0xFD); lane index bytes are read raw (a byte, not a LEB), the validator checks them
  V128Const,     // 16 bytes, the value in little-endian lane order
  Shuffle,       // 16 lane-index bytes (each must be < 32: validator)
  Lane,          // one lane-index byte (must be < lane_count(op): validator)
  MemArgLane,    // memarg, then one lane-index byte
};

// Typing of "simple" instructions: <results>_<params>; `v` means none. `special` means the
// validator has a dedicated rule.
enum class Sig : uint8_t {
  special,
  i32_v, i64_v, f32_v, f64_v, v_v,
  i32_i32, i64_i32, f32_i32, f64_i32,
  i32_i64, i64_i64, f32_i64, f64_i64,
  i32_f32, i64_f32, f32_f32, f64_f32,
  i32_f64, i64_f64, f32_f64, f64_f64,
  i32_i32i32, i32_i64i64, i32_f32f32, i32_f64f64,
  i64_i64i64, f32_f32f32, f64_f64f64,
  v_i32i32, v_i32i64, v_i32f32, v_i32f64,
  v_i32i32i32,
  // SIMD
  v128_v, v128_i32, v128_i64, v128_f32, v128_f64,
  i32_v128, i64_v128, f32_v128, f64_v128,
  v128_v128, v128_v128v128, v128_v128v128v128,
  v128_v128i32, v128_v128i64, v128_v128f32, v128_v128f64,  // shifts and replace_lane
  v128_i32v128,                                              // load_lane: [i32 v128] -> [v128]
  v_i32v128,                                                 // store, store_lane
};

enum class Op : uint16_t {
#define WASM_OP(name, prefix, code, text, imm, sig, mem, cls, fuel, flags) name,
#include "decoder/opcodes.def"
#undef WASM_OP
};

inline constexpr uint16_t kOpCount = 0
#define WASM_OP(name, prefix, code, text, imm, sig, mem, cls, fuel, flags) +1
#include "decoder/opcodes.def"
#undef WASM_OP
    ;

// The spec's instruction classes, with the block structure apart (opcodes.def, Class column).
enum class OpClass : uint8_t {
  Structure,   // block, loop, if, else, end: open or close a control frame
  Control,     // unreachable, nop, branches, return, calls
  Parametric,  // drop, select
  Variable,    // local.*, global.*
  Table,       // table.*, elem.drop
  Memory,      // loads, stores, memory.*, data.drop (SIMD loads/stores are Vector)
  Numeric,     // constants and scalar arithmetic, comparisons, conversions
  Reference,   // ref.*
  Vector,      // the 0xFD prefix (SIMD)
};

struct OpInfo {
  const char* text;  // spec text, e.g. "i32.add"
  uint8_t prefix;    // 0x00, 0xFC or 0xFD
  uint32_t code;
  Imm imm;
  Sig sig;
  uint8_t mem;    // natural access size in bytes for loads/stores, 0 otherwise
  uint8_t lanes;  // Imm::Lane / Imm::MemArgLane: number of lanes (the index bound), else 0
  OpClass cls;
  uint8_t fuel;   // fuel cost (limits contract, runtime/store.hpp): 0 or 1
  uint8_t flags;  // OpFlag bits
};

// opcodes.def's flags column.
namespace op_flag {
inline constexpr uint8_t R = 1;  // a fuel region ends after the instruction
inline constexpr uint8_t C = 2;  // commutative: a tier may swap the two operands
}  // namespace op_flag

// The immediates of the instructions that name a memory (loads, stores, memory.*).
constexpr bool is_memory_imm(Imm imm) {
  return imm == Imm::MemArg || imm == Imm::MemArgLane || imm == Imm::MemIdx ||
         imm == Imm::MemoryCopy || imm == Imm::MemoryInit;
}

namespace op_detail {
// Lane count of a lane-indexed op, derived from the table: MemArgLane ops access one lane of
// `mem` bytes; Lane ops are named after their shape ("i8x16.", "i16x8.", "f32x4.", "f64x2.").
constexpr uint8_t lane_count_of(const char* text, Imm imm, uint8_t mem) {
  if (imm == Imm::MemArgLane) return static_cast<uint8_t>(16 / mem);
  if (imm != Imm::Lane) return 0;
  if (text[1] == '8') return 16;   // i8x16
  if (text[1] == '1') return 8;    // i16x8
  if (text[1] == '3') return 4;    // i32x4, f32x4
  return 2;                        // i64x2, f64x2
}
}  // namespace op_detail

namespace op_detail {
using op_flag::C;
using op_flag::R;
inline constexpr OpInfo kTable[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, mem, cls, fuel, flags)                    \
  {text, prefix, code, Imm::imm, Sig::sig, mem, lane_count_of(text, Imm::imm, mem), OpClass::cls, \
   fuel, flags},
#include "decoder/opcodes.def"
#undef WASM_OP
};
}  // namespace op_detail

inline constexpr const OpInfo (&kOpInfo)[kOpCount] = op_detail::kTable;

inline const OpInfo& op_info(Op op) { return kOpInfo[static_cast<uint16_t>(op)]; }
inline const char* op_name(Op op) { return op_info(op).text; }
// The lane-index bound of extract/replace_lane and load/store_lane (0 for other ops).
inline constexpr uint8_t lane_count(Op op) { return kOpInfo[static_cast<uint16_t>(op)].lanes; }
inline constexpr bool is_simd(Op op) { return kOpInfo[static_cast<uint16_t>(op)].prefix == 0xFD; }
inline constexpr OpClass op_class(Op op) { return kOpInfo[static_cast<uint16_t>(op)].cls; }
// Opens or closes a control frame (block, loop, if, else, end).
inline constexpr bool is_structure(Op op) { return op_class(op) == OpClass::Structure; }
// The exception-handling ops that open, split or close a frame (class Control, opcodes.def).
inline constexpr bool opens_or_splits_try(Op op) {
  return op == Op::try_ || op == Op::try_table || op == Op::catch_ || op == Op::catch_all ||
         op == Op::delegate;
}
// Fuel the instruction costs, and whether a new fuel region starts after it (limits contract
// above ExecContext, runtime/store.hpp; both tiers meter from these).
inline constexpr uint8_t fuel_cost(Op op) { return kOpInfo[static_cast<uint16_t>(op)].fuel; }
inline constexpr bool ends_fuel_region(Op op) {
  return (kOpInfo[static_cast<uint16_t>(op)].flags & op_flag::R) != 0;
}
inline constexpr bool is_commutative(Op op) {
  return (kOpInfo[static_cast<uint16_t>(op)].flags & op_flag::C) != 0;
}

// Relaxed SIMD in the spec's deterministic profile (every implementation-defined choice is
// choice 0, numerics "Relaxed Operations"): 16 of the 20 relaxed instructions then give exactly
// the results of a Wasm 2.0 instruction, returned here so that every tier runs that one
// (swizzle, trunc_sat, min/max, q15mulr_sat_s, bitselect). Any other op is returned as is;
// relaxed madd/nmadd and the two i7 dot products have semantics of their own.
inline constexpr Op relaxed_simd_equivalent(Op op) {
  switch (op) {
    case Op::i8x16_relaxed_swizzle: return Op::i8x16_swizzle;
    case Op::i32x4_relaxed_trunc_f32x4_s: return Op::i32x4_trunc_sat_f32x4_s;
    case Op::i32x4_relaxed_trunc_f32x4_u: return Op::i32x4_trunc_sat_f32x4_u;
    case Op::i32x4_relaxed_trunc_f64x2_s_zero: return Op::i32x4_trunc_sat_f64x2_s_zero;
    case Op::i32x4_relaxed_trunc_f64x2_u_zero: return Op::i32x4_trunc_sat_f64x2_u_zero;
    case Op::i8x16_relaxed_laneselect:
    case Op::i16x8_relaxed_laneselect:
    case Op::i32x4_relaxed_laneselect:
    case Op::i64x2_relaxed_laneselect: return Op::v128_bitselect;
    case Op::f32x4_relaxed_min: return Op::f32x4_min;
    case Op::f32x4_relaxed_max: return Op::f32x4_max;
    case Op::f64x2_relaxed_min: return Op::f64x2_min;
    case Op::f64x2_relaxed_max: return Op::f64x2_max;
    case Op::i16x8_relaxed_q15mulr_s: return Op::i16x8_q15mulr_sat_s;
    default: return op;
  }
}

// Lookup from encoding to Op; returns false for an unknown opcode.
bool op_from_byte(uint8_t byte, Op& out);          // single-byte opcodes
bool op_from_fc(uint32_t code, Op& out);           // 0xFC-prefixed opcodes
bool op_from_fd(uint32_t code, Op& out);           // 0xFD-prefixed (SIMD) opcodes

}  // namespace wsvm

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
  LocalIdx,      // u32
  GlobalIdx,     // u32
  TableIdx,      // u32
  MemArg,        // u32 align (log2), u32 offset
  MemIdx,        // one byte, must be 0x00 in 2.0 ("zero byte expected")
  I32,           // s32
  I64,           // s64
  F32,           // 4 bytes little endian
  F64,           // 8 bytes little endian
  SelectT,       // vec(valtype), must have length 1 in 2.0
  RefType,       // one reftype byte
  MemoryInit,    // u32 data index, then a 0x00 byte
  DataIdx,       // u32
  MemoryCopy,    // two 0x00 bytes
  TableInit,     // u32 elem index, u32 table index
  ElemIdx,       // u32
  TableCopy,     // u32 dst table, u32 src table
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
};

enum class Op : uint16_t {
#define WASM_OP(name, prefix, code, text, imm, sig, mem) name,
#include "decoder/opcodes.def"
#undef WASM_OP
};

inline constexpr uint16_t kOpCount = 0
#define WASM_OP(name, prefix, code, text, imm, sig, mem) +1
#include "decoder/opcodes.def"
#undef WASM_OP
    ;

struct OpInfo {
  const char* text;  // spec text, e.g. "i32.add"
  uint8_t prefix;    // 0x00 or 0xFC
  uint32_t code;
  Imm imm;
  Sig sig;
  uint8_t mem;  // natural access size in bytes for loads/stores, 0 otherwise
};

inline constexpr OpInfo kOpInfo[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, mem) \
  {text, prefix, code, Imm::imm, Sig::sig, mem},
#include "decoder/opcodes.def"
#undef WASM_OP
};

inline const OpInfo& op_info(Op op) { return kOpInfo[static_cast<uint16_t>(op)]; }
inline const char* op_name(Op op) { return op_info(op).text; }

// Lookup from encoding to Op; returns false for an unknown opcode.
bool op_from_byte(uint8_t byte, Op& out);          // single-byte opcodes
bool op_from_fc(uint32_t code, Op& out);           // 0xFC-prefixed opcodes

}  // namespace wsvm

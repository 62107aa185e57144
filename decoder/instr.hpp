// One decoded instruction: opcode plus immediates. The function-body walker (validator/)
// decodes one at a time into a reused Instr, so decoding allocates nothing per instruction
// (br_table's label vector keeps its capacity).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "decoder/opcodes.hpp"
#include "decoder/reader.hpp"
#include "decoder/types.hpp"

namespace wsvm {

struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex } kind = Kind::Empty;
  ValType value = ValType::I32;  // Kind::Value
  uint32_t type_index = 0;       // Kind::TypeIndex (multi-value)
};

// One catch clause of try_table (exception handling).
enum class CatchKind : uint8_t { Catch = 0, CatchRef = 1, CatchAll = 2, CatchAllRef = 3 };
struct CatchClause {
  CatchKind kind = CatchKind::Catch;
  uint32_t tag = 0;    // Catch, CatchRef
  uint32_t label = 0;  // label depth, counted outside the try_table
};

struct Instr {
  Op op = Op::nop;
  size_t offset = 0;  // absolute byte offset of the opcode

  // Index immediates, by Imm kind:
  //   LabelIdx: a = depth          FuncIdx/LocalIdx/GlobalIdx/TableIdx/DataIdx/ElemIdx: a
  //   CallIndirect: a = type index, b = table index    TypeIdx (call_ref): a = type index
  //   TagIdx: a = tag index      TryTable: block, catches
  //   MemArg: a = align (log2 exponent), b = memory index, imm = offset (u64)
  //   MemoryInit: a = data index, b = memory   TableInit: a = elem index, b = table index
  //   TableCopy: a = dst table, b = src table  MemIdx: a = memory  MemoryCopy: a = dst, b = src
  //   BrTable: targets = labels, a = default label
  //   SelectT: b = number of types in the vector (the validator reports "invalid result
  //            arity" unless it is 1; the decoder accepts any count), type = the first one
  //   MemArgLane (SIMD load/store_lane): a = align, b = memory, imm = offset, lane = lane index
  //   Lane (extract/replace_lane): lane = lane index
  //   V128Const: v128 = the 16 bytes (little-endian lane order, as in memory)
  //   Shuffle: v128 = the 16 lane indices
  uint32_t a = 0;
  uint32_t b = 0;
  // I32: sign-extended value as uint64 bits of the int32 (use static_cast<uint32_t>)
  // I64: the value's bits; F32/F64: the raw bits; MemArg: the offset.
  uint64_t imm = 0;
  BlockType block;                // BlockType
  ValType type = ValType::I32;    // SelectT (the one type), RefType
  std::vector<uint32_t> targets;  // BrTable
  std::vector<CatchClause> catches;  // TryTable (with `block`), in order
  // SIMD immediates. Lane indices are raw bytes; the validator checks them against
  // lane_count(op) (32 for shuffle) and reports "invalid lane index".
  uint8_t lane = 0;                        // Lane, MemArgLane
  alignas(16) std::array<uint8_t, 16> v128{};  // V128Const, Shuffle
};

// Reads one instruction (opcode and immediates) at the reader's position. Malformed errors:
// "illegal opcode", "zero byte expected", "malformed reference type",
// "malformed value type", "malformed block type" (a negative s33 type index),
// LEB errors, "unexpected end". An unknown 0xFD (SIMD) code is "illegal opcode".
Result<void> read_instr(Reader& r, Instr& out);

}  // namespace wsvm

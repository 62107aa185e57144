// The instructions the text parser knows, by their text: every row of decoder/opcodes.def
// (through kOpInfo, its text column) plus the Wasm 3.0 rows of pending_ops.def.
#pragma once

#include <cstdint>
#include <string_view>

namespace wsvm::text {

// How the text parser reads an instruction's immediates (finer than the decoder's Imm where
// the text differs: structured instructions, optional indices, 3.0 immediates).
enum class OpKind : uint8_t {
  None,
  Block,         // block / loop / if: label, blocktype, body
  Label,         // br, br_if, rethrow, delegate, br_on_null
  BrTable,
  Func,          // call, return_call, ref.func
  CallIndirect,  // tableidx? typeuse
  Local,
  Global,
  Table,         // tableidx? (default 0)
  MemArg,        // memidx? offset=? align=?
  Mem,           // memidx? as a u32 (memory.size/grow/fill)
  I32, I64, F32, F64,
  Select,        // select (result t)*: 0x1B without results, 0x1C with
  HeapType,      // ref.null
  MemoryInit,    // memidx? dataidx
  Data,
  MemoryCopy,    // memidx? memidx?
  TableInit,     // tableidx? elemidx
  Elem,
  TableCopy,     // tableidx? tableidx?
  V128Const,
  Shuffle,
  Lane,
  MemArgLane,    // memidx? memarg laneidx
  // Wasm 3.0
  Type, TypeField, TypeU32, TypeData, TypeElem, TypeType,
  Tag,
  RefTest,       // ref.test / ref.cast reftype: code + 1 for a nullable type
  BrOnCast,      // label reftype reftype
  Try,           // legacy try (blocktype, then catch/catch_all/delegate clauses)
  TryTable,      // try_table blocktype catch-clauses
  Else,          // else / end: only valid inside a block
  End,
};

struct TextOp {
  std::string_view text;
  uint8_t prefix;  // 0x00, 0xFB, 0xFC or 0xFD
  uint32_t code;
  OpKind kind;
  uint8_t natural_align;  // loads/stores: the access size in bytes (the default align=)
  bool pending;    // from pending_ops.def (the decoder does not read it yet)
};

// The op with this text; nullptr for an unknown keyword. `select` finds the 0x1B row.
const TextOp* find_op(std::string_view text);

// Every op (for tests): decoder rows first, then pending rows.
const TextOp* all_ops(size_t& count);

}  // namespace wsvm::text

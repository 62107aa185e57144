// Decoding of one instruction: opcode, then immediates as its Imm kind says.
// Spec: https://webassembly.github.io/spec/core/binary/instructions.html
#include "decoder/instr.hpp"

#include <algorithm>
#include <array>

#include "decoder/decode_util.hpp"
#include "decoder/proposals.hpp"

namespace wsvm {

namespace {

using detail::read_count;
using detail::read_valtype;

// blocktype ::= 0x40 | valtype | s33 type index (>= 0). A first byte of the form 0b01xxxxxx
// is a one-byte negative s33, i.e. a value type (or nothing valid); anything else is an
// index.
Result<void> read_block_type(Reader& r, BlockType& out) {
  uint8_t b = 0;
  if (!r.peek(b)) return r.fail_end();
  if (b == 0x40) {
    (void)r.u8();
    out.kind = BlockType::Kind::Empty;
    return {};
  }
  if ((b & 0xc0) == 0x40) {
    out.kind = BlockType::Kind::Value;
    out.value = WSVM_TRY(read_valtype(r));
    return {};
  }
  size_t at = r.offset();
  int64_t index = WSVM_TRY(r.s33());
  if (index < 0) return r.fail_at(at, "malformed block type");
  out.kind = BlockType::Kind::TypeIndex;
  out.type_index = static_cast<uint32_t>(index);
  return {};
}

// memarg ::= flags:u32 offset:u64. Flags below 2^6 are the alignment exponent (memory 0);
// with bit 6 set a memory index follows (multi-memory); 2^7 and above are malformed. The
// offset is a u64 in Wasm 3.0 (memory64); the validator bounds it by the memory's address
// type ("offset out of range"). Out: a = alignment exponent, b = memory index, imm = offset.
// Spec: https://webassembly.github.io/spec/core/binary/instructions.html#memory-instructions
Result<void> read_memarg(Reader& r, Instr& out) {
  const size_t at = r.offset();
  const uint32_t flags = WSVM_TRY(r.u32());
  if (flags >= 0x80) return r.fail_at(at, "malformed memop flags");
  out.a = flags & 0x3f;
  out.b = (flags & 0x40) ? WSVM_TRY(r.u32()) : 0;
  out.imm = WSVM_TRY(r.u64());
  return {};
}

Result<void> read_immediates(Reader& r, Instr& out) {
  switch (op_info(out.op).imm) {
    case Imm::None:
      return {};
    case Imm::BlockType:
      return read_block_type(r, out.block);
    case Imm::LabelIdx:
    case Imm::FuncIdx:
    case Imm::LocalIdx:
    case Imm::GlobalIdx:
    case Imm::TableIdx:
    case Imm::DataIdx:
    case Imm::ElemIdx:
    case Imm::TypeIdx:
    case Imm::TagIdx:
      out.a = WSVM_TRY(r.u32());
      return {};
    case Imm::BrTable: {
      uint32_t n = WSVM_TRY(read_count(r, limits::kMaxBrTableTargets, "br_table targets"));
      out.targets.resize(n);  // keeps capacity across instructions: no steady-state alloc
      for (uint32_t i = 0; i < n; ++i) out.targets[i] = WSVM_TRY(r.u32());
      out.a = WSVM_TRY(r.u32());
      return {};
    }
    case Imm::CallIndirect:
    case Imm::TableInit:
    case Imm::TableCopy:
      out.a = WSVM_TRY(r.u32());
      out.b = WSVM_TRY(r.u32());
      return {};
    case Imm::MemArg:
      return read_memarg(r, out);
    case Imm::MemIdx:  // memory.size, memory.grow, memory.fill: a memory index (multi-memory)
      out.a = WSVM_TRY(r.u32());
      out.b = 0;
      return {};
    case Imm::I32:
      out.imm = static_cast<uint64_t>(static_cast<int64_t>(WSVM_TRY(r.s32())));
      return {};
    case Imm::I64:
      out.imm = static_cast<uint64_t>(WSVM_TRY(r.s64()));
      return {};
    case Imm::F32:
      out.imm = WSVM_TRY(r.f32_bits());
      return {};
    case Imm::F64:
      out.imm = WSVM_TRY(r.f64_bits());
      return {};
    case Imm::TryTable: {
      WSVM_TRY_VOID(read_block_type(r, out.block));
      uint32_t n = WSVM_TRY(read_count(r, limits::kMaxBrTableTargets, "catch clauses"));
      out.catches.resize(n);  // keeps capacity across instructions, as br_table's targets
      for (CatchClause& c : out.catches) {
        const size_t at = r.offset();
        const uint8_t kind = WSVM_TRY(r.u8());
        if (kind > 3) return r.fail_at(at, "malformed catch clause");
        c.kind = static_cast<CatchKind>(kind);
        c.tag = kind <= 1 ? WSVM_TRY(r.u32()) : 0;
        c.label = WSVM_TRY(r.u32());
      }
      return {};
    }
    case Imm::SelectT: {
      uint32_t n = WSVM_TRY(read_count(r));
      out.b = n;
      for (uint32_t i = 0; i < n; ++i) {
        ValType t = WSVM_TRY(read_valtype(r));
        if (i == 0) out.type = t;
      }
      return {};
    }
    case Imm::RefType: {  // ref.null ht: pushes (ref null ht)
      out.type = WSVM_TRY(detail::read_heap_ref(r, true, "malformed reference type"));
      return {};
    }
    case Imm::MemoryInit:  // data index, memory index
      out.a = WSVM_TRY(r.u32());
      out.b = WSVM_TRY(r.u32());
      return {};
    case Imm::MemoryCopy:  // destination memory, source memory
      out.a = WSVM_TRY(r.u32());
      out.b = WSVM_TRY(r.u32());
      return {};
    // SIMD: https://webassembly.github.io/spec/core/binary/instructions.html#vector-instructions
    case Imm::V128Const:
    case Imm::Shuffle: {
      std::span<const uint8_t> b = WSVM_TRY(r.bytes(16));
      std::copy(b.begin(), b.end(), out.v128.begin());
      return {};
    }
    case Imm::Lane:
      out.lane = WSVM_TRY(r.u8());
      return {};
    case Imm::MemArgLane:
      WSVM_TRY_VOID(read_memarg(r, out));
      out.lane = WSVM_TRY(r.u8());
      return {};
  }
  return {};
}

// Single-byte opcodes: the Op and whether it has immediates, in one load.
struct ByteEntry {
  uint16_t op;
  uint8_t valid;
  uint8_t no_imm;
};

constexpr std::array<ByteEntry, 256> build_byte_table() {
  std::array<ByteEntry, 256> t{};
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix == 0x00) t[info.code] = {i, 1, info.imm == Imm::None ? uint8_t{1} : uint8_t{0}};
  }
  return t;
}

constexpr std::array<ByteEntry, 256> kByteTable = build_byte_table();

}  // namespace

Result<void> read_instr(Reader& r, Instr& out) {
  out.offset = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  ByteEntry e = kByteTable[b];
  if (e.no_imm) [[likely]] {  // most instructions: numeric operators, end, drop, ...
    out.op = static_cast<Op>(e.op);
    return {};
  }
  if (e.valid) {
    out.op = static_cast<Op>(e.op);
  } else if (b == 0xFC) {
    uint32_t code = WSVM_TRY(r.u32());
    if (!op_from_fc(code, out.op))
      return r.fail_at(out.offset, "illegal opcode" + unsupported_opcode_note(b, code));
  } else if (b == 0xFD) {
    uint32_t code = WSVM_TRY(r.u32());
    if (!op_from_fd(code, out.op))
      return r.fail_at(out.offset, "illegal opcode" + unsupported_opcode_note(b, code));
  } else if (b == 0xFB || b == 0xFE) {
    uint32_t code = WSVM_TRY(r.u32());
    return r.fail_at(out.offset, "illegal opcode" + unsupported_opcode_note(b, code));
  } else {
    return r.fail_at(out.offset, "illegal opcode" + unsupported_opcode_note(0, b));
  }
  return read_immediates(r, out);
}

}  // namespace wsvm

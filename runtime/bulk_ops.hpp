// Bulk table and memory operations with the spec's semantics, shared by instantiation (active
// segments) and the engines (table.init, memory.init, table.copy, ...), so both agree.
// Every function checks bounds before writing anything (a trapping call has no effect) and
// copies are overlap-safe (memmove semantics).
// Spec: https://webassembly.github.io/spec/core/exec/instructions.html#table-instructions
//       https://webassembly.github.io/spec/core/exec/instructions.html#memory-instructions
#pragma once

#include <cstdint>
#include <optional>

#include "runtime/store.hpp"
#include "runtime/trap.hpp"

namespace wsvm {

// True when [offset, offset + n) fits in a region of `size` elements/bytes (no overflow:
// the sum is computed in 64 bits from 32-bit operands).
inline bool range_in_bounds(uint64_t offset, uint64_t n, uint64_t size) {
  return offset + n <= size;
}

// table.init: copies elem.refs[src, src+n) to table.elems[dst, dst+n).
// "out of bounds table access" if either range is out of bounds (a dropped segment has size 0).
std::optional<Trap> table_init(TableInstance& table, const ElemInstance& elem, uint32_t dst,
                               uint32_t src, uint32_t n);
// table.copy: dst_table[dst, dst+n) = src_table[src, src+n); the tables may be the same.
std::optional<Trap> table_copy(TableInstance& dst_table, const TableInstance& src_table,
                               uint32_t dst, uint32_t src, uint32_t n);
// table.fill: table[i, i+n) = val.
std::optional<Trap> table_fill(TableInstance& table, uint32_t i, Ref val, uint32_t n);

// memory.init: copies data.bytes[src, src+n) to memory[dst, dst+n).
// "out of bounds memory access" if either range is out of bounds.
std::optional<Trap> memory_init(MemoryInstance& mem, const DataInstance& data, uint32_t dst,
                                uint32_t src, uint32_t n);
// memory.copy: dst_mem[dst, dst+n) = src_mem[src, src+n); the memories may be the same.
std::optional<Trap> memory_copy(MemoryInstance& dst_mem, const MemoryInstance& src_mem,
                                uint32_t dst, uint32_t src, uint32_t n);
inline std::optional<Trap> memory_copy(MemoryInstance& mem, uint32_t dst, uint32_t src,
                                       uint32_t n) {
  return memory_copy(mem, mem, dst, src, n);
}
// memory.fill: memory[dst, dst+n) = val.
std::optional<Trap> memory_fill(MemoryInstance& mem, uint32_t dst, uint8_t val, uint32_t n);

}  // namespace wsvm

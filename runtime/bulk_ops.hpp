// Bulk table and memory operations with the spec's semantics, shared by instantiation (active
// segments) and the engines (table.init, memory.init, table.copy, ...), so both agree.
// Every function checks bounds before writing anything (a trapping call has no effect) and
// copies are overlap-safe (memmove semantics).
//
// Fuel (issue 17): the engines pass their ExecContext as `fuel`, and an operation whose
// bounds check passed is charged for its length before it does the work, in host fuel
// units (runtime/host_fuel.hpp): memory.fill/copy/init one unit per 64 bytes, table.fill/
// copy/init and table.grow one unit per 8 elements (a reference is 8 bytes), rounded up;
// the instruction's own unit comes on top. Without enough fuel: TrapKind::OutOfFuel, fuel
// and memory unchanged. Charged only when the Store meters fuel (ExecContext::fuel_metered);
// instantiation (active segments) passes no context and is not charged.
// Spec: https://webassembly.github.io/spec/core/exec/instructions.html#table-instructions
//       https://webassembly.github.io/spec/core/exec/instructions.html#memory-instructions
#pragma once

#include <cstdint>
#include <expected>
#include <optional>

#include "runtime/host_fuel.hpp"
#include "runtime/store.hpp"
#include "runtime/trap.hpp"

namespace wsvm {

// True when [offset, offset + n) fits in a region of `size` elements/bytes. Operands are
// u64 (memory64/table64), so the sum is never formed: it could wrap.
inline bool range_in_bounds(uint64_t offset, uint64_t n, uint64_t size) {
  return n <= size && offset <= size - n;
}

// An address (or length) operand of memory `m` from its slot: an i32 of a 32-bit memory is
// the slot's low half (the upper bits are not kept clean), an i64 the whole slot.
inline uint64_t memory_address(const MemoryInstance& m, uint64_t slot) {
  return m.type.limits.addr64 ? slot : static_cast<uint32_t>(slot);
}
// The same for a table (table64).
inline uint64_t table_index(const TableInstance& t, uint64_t slot) {
  return t.type.limits.addr64 ? slot : static_cast<uint32_t>(slot);
}

// table.init: copies elem.refs[src, src+n) to table.elems[dst, dst+n).
// "out of bounds table access" if either range is out of bounds (a dropped segment has size 0).
std::optional<Trap> table_init(TableInstance& table, const ElemInstance& elem, uint64_t dst,
                               uint64_t src, uint64_t n, ExecContext* fuel = nullptr);
// table.copy: dst_table[dst, dst+n) = src_table[src, src+n); the tables may be the same.
std::optional<Trap> table_copy(TableInstance& dst_table, const TableInstance& src_table,
                               uint64_t dst, uint64_t src, uint64_t n, ExecContext* fuel = nullptr);
// table.fill: table[i, i+n) = val.
std::optional<Trap> table_fill(TableInstance& table, uint64_t i, Ref val, uint64_t n,
                               ExecContext* fuel = nullptr);
// table.grow: the old size, or -1 (past the maximum or the limit; nothing charged), or the
// OutOfFuel trap.
std::expected<int64_t, Trap> table_grow(TableInstance& table, uint64_t delta, Ref init,
                                        ExecContext* fuel);

// memory.init: copies data.bytes[src, src+n) to memory[dst, dst+n).
// "out of bounds memory access" if either range is out of bounds.
std::optional<Trap> memory_init(MemoryInstance& mem, const DataInstance& data, uint64_t dst,
                                uint64_t src, uint64_t n, ExecContext* fuel = nullptr);
// memory.copy: dst_mem[dst, dst+n) = src_mem[src, src+n); the memories may be the same.
std::optional<Trap> memory_copy(MemoryInstance& dst_mem, const MemoryInstance& src_mem,
                                uint64_t dst, uint64_t src, uint64_t n, ExecContext* fuel = nullptr);
inline std::optional<Trap> memory_copy(MemoryInstance& mem, uint64_t dst, uint64_t src,
                                       uint64_t n, ExecContext* fuel = nullptr) {
  return memory_copy(mem, mem, dst, src, n, fuel);
}
// memory.fill: memory[dst, dst+n) = val.
std::optional<Trap> memory_fill(MemoryInstance& mem, uint64_t dst, uint8_t val, uint64_t n,
                                ExecContext* fuel = nullptr);

}  // namespace wsvm

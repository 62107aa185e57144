#include "runtime/bulk_ops.hpp"

#include <algorithm>
#include <cstring>

namespace wsvm {

namespace {
std::optional<Trap> charge_bytes(ExecContext* fuel, uint64_t n) {
  return fuel ? charge_host_bytes(*fuel, n) : std::nullopt;
}
std::optional<Trap> charge_elems(ExecContext* fuel, uint64_t n) {
  return fuel ? charge_host_fuel(*fuel, host_fuel_for_elems(n)) : std::nullopt;
}
}  // namespace

std::optional<Trap> table_init(TableInstance& table, const ElemInstance& elem, uint64_t dst,
                               uint64_t src, uint64_t n, ExecContext* fuel) {
  if (!range_in_bounds(src, n, elem.refs.size()) || !range_in_bounds(dst, n, table.elems.size()))
    return Trap::make(TrapKind::TableOutOfBounds);
  if (auto t = charge_elems(fuel, n)) return t;
  std::copy_n(elem.refs.begin() + src, n, table.elems.begin() + dst);
  return std::nullopt;
}

std::optional<Trap> table_copy(TableInstance& dst_table, const TableInstance& src_table,
                               uint64_t dst, uint64_t src, uint64_t n, ExecContext* fuel) {
  if (!range_in_bounds(src, n, src_table.elems.size()) ||
      !range_in_bounds(dst, n, dst_table.elems.size()))
    return Trap::make(TrapKind::TableOutOfBounds);
  if (auto t = charge_elems(fuel, n)) return t;
  if (n != 0) {  // Ref is trivially copyable: memmove handles overlap within one table
    std::memmove(dst_table.elems.data() + dst, src_table.elems.data() + src, n * sizeof(Ref));
  }
  return std::nullopt;
}

std::optional<Trap> table_fill(TableInstance& table, uint64_t i, Ref val, uint64_t n,
                               ExecContext* fuel) {
  if (!range_in_bounds(i, n, table.elems.size())) return Trap::make(TrapKind::TableOutOfBounds);
  if (auto t = charge_elems(fuel, n)) return t;
  std::fill_n(table.elems.begin() + i, n, val);
  return std::nullopt;
}

std::optional<Trap> memory_init(MemoryInstance& mem, const DataInstance& data, uint64_t dst,
                                uint64_t src, uint64_t n, ExecContext* fuel) {
  if (!range_in_bounds(src, n, data.bytes.size()) ||
      !range_in_bounds(dst, n, mem.mem->size_bytes()))
    return Trap::make(TrapKind::MemoryOutOfBounds);
  if (auto t = charge_bytes(fuel, n)) return t;
  if (n != 0) std::memcpy(mem.mem->base() + dst, data.bytes.data() + src, n);
  return std::nullopt;
}

std::optional<Trap> memory_copy(MemoryInstance& dst_mem, const MemoryInstance& src_mem,
                                uint64_t dst, uint64_t src, uint64_t n, ExecContext* fuel) {
  if (!range_in_bounds(src, n, src_mem.mem->size_bytes()) ||
      !range_in_bounds(dst, n, dst_mem.mem->size_bytes()))
    return Trap::make(TrapKind::MemoryOutOfBounds);
  if (auto t = charge_bytes(fuel, n)) return t;
  if (n != 0) std::memmove(dst_mem.mem->base() + dst, src_mem.mem->base() + src, n);
  return std::nullopt;
}

std::optional<Trap> memory_fill(MemoryInstance& mem, uint64_t dst, uint8_t val, uint64_t n,
                                ExecContext* fuel) {
  if (!range_in_bounds(dst, n, mem.mem->size_bytes())) return Trap::make(TrapKind::MemoryOutOfBounds);
  if (auto t = charge_bytes(fuel, n)) return t;
  if (n != 0) std::memset(mem.mem->base() + dst, val, n);
  return std::nullopt;
}

std::expected<int64_t, Trap> table_grow(TableInstance& table, uint64_t delta, Ref init,
                                        ExecContext* fuel) {
  if (delta > UINT32_MAX || !table.can_grow(static_cast<uint32_t>(delta))) return -1;
  if (auto t = charge_elems(fuel, delta)) return std::unexpected(std::move(*t));
  return table.grow(static_cast<uint32_t>(delta), init);
}

}  // namespace wsvm

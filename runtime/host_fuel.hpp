// Fuel for host work (issue 17). Wasm code pays fuel per instruction (the contract above
// ExecContext in runtime/store.hpp); a host function whose work grows with a size the guest
// chose (bytes copied in or out of linear memory, a path walked) pays too, so --fuel bounds
// what a guest can make the host do, not only what its own code does.
//
// Unit: one fuel unit per kHostFuelBytes (64) bytes, rounded up (0 bytes cost nothing), in
// addition to the call instruction's own cost. A host function charges before it starts the
// work, from the sizes the guest asked for (iovec lengths, path length), never from what the
// host happened to transfer: the count is then a pure function of the guest's inputs, the
// same on every run and in every engine. Without enough fuel the call traps
// TrapKind::OutOfFuel with the remaining fuel unchanged and the work not done, just as a wasm
// region that cannot start.
//
// Host fuel is charged only on a Store whose fuel is metered: one that Store::set_fuel was
// called on (the embedder that meters fuel sets it; one that does not never sees a charge).
#pragma once

#include <cstdint>
#include <optional>

#include "runtime/store.hpp"
#include "runtime/trap.hpp"

namespace wsvm {

inline constexpr uint64_t kHostFuelBytes = 64;
// Table elements (references) count 8 bytes each: one unit per 8 elements.
inline constexpr uint64_t kHostFuelElems = kHostFuelBytes / 8;

constexpr uint64_t host_fuel_for_bytes(uint64_t bytes) {
  return bytes / kHostFuelBytes + (bytes % kHostFuelBytes != 0 ? 1 : 0);
}
constexpr uint64_t host_fuel_for_elems(uint64_t elems) {
  return elems / kHostFuelElems + (elems % kHostFuelElems != 0 ? 1 : 0);
}

// Takes `units` from the fuel of `exec`, or returns the OutOfFuel trap (fuel unchanged).
// A no-op returning nullopt when fuel is not metered (ExecContext::fuel_metered).
std::optional<Trap> charge_host_fuel(ExecContext& exec, uint64_t units);

// The same for `bytes` of host work.
inline std::optional<Trap> charge_host_bytes(ExecContext& exec, uint64_t bytes) {
  return charge_host_fuel(exec, host_fuel_for_bytes(bytes));
}

}  // namespace wsvm

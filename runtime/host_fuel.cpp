#include "runtime/host_fuel.hpp"

namespace wsvm {

std::optional<Trap> charge_host_fuel(ExecContext& exec, uint64_t units) {
  if (!exec.fuel_metered || units == 0) return std::nullopt;
  // fuel_remaining is an int64_t that is never set above INT64_MAX; compare unsigned so a
  // huge `units` cannot wrap.
  uint64_t remaining = exec.fuel_remaining > 0 ? static_cast<uint64_t>(exec.fuel_remaining) : 0;
  if (units > remaining) return Trap::make(TrapKind::OutOfFuel);
  exec.fuel_remaining -= static_cast<int64_t>(units);
  return std::nullopt;
}

}  // namespace wsvm

// A process-wide set of live linear-memory reservations, queried by the trap handler.
//
// The handler runs inside a fault and must never wait for a lock that the faulting thread
// might hold, so lookups are lock-free: a fixed array of slots whose [begin, end) words are
// atomics. Registration and removal serialise on a mutex among themselves only.
#pragma once

#include <cstdint>

namespace wsvm::memory {

// Adds [begin, end); false when every slot is taken (the caller then refuses the memory).
bool register_reservation(const void* begin, const void* end);
// Removes the range starting at `begin` (no-op if absent).
void unregister_reservation(const void* begin);
// Async-signal-safe: true when `addr` lies in a live reservation.
bool address_in_any_reservation(const void* addr);

}  // namespace wsvm::memory

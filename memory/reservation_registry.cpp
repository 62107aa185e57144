#include "memory/reservation_registry.hpp"

#include <atomic>
#include <mutex>

namespace wsvm::memory {
namespace {

// 8 GiB per reservation and a 47-bit (128 TiB) user address space allow at most ~16k live
// reservations anyway, so a fixed table of that size never refuses a memory the kernel
// would have granted.
constexpr int kMaxReservations = 16384;

struct Slot {
  std::atomic<uintptr_t> begin{0};  // 0 = free
  std::atomic<uintptr_t> end{0};
};

Slot g_slots[kMaxReservations];
std::atomic<int> g_high_water{0};  // slots at or past this index have never been used
std::mutex g_mutex;                // writers only; the signal handler never takes it

}  // namespace

bool register_reservation(const void* begin, const void* end) {
  std::lock_guard lock(g_mutex);
  for (int i = 0; i < kMaxReservations; ++i) {
    Slot& s = g_slots[i];
    if (s.begin.load(std::memory_order_relaxed) != 0) continue;
    // `end` first: a reader that sees the new begin also sees the matching end.
    s.end.store(reinterpret_cast<uintptr_t>(end), std::memory_order_relaxed);
    s.begin.store(reinterpret_cast<uintptr_t>(begin), std::memory_order_release);
    if (i >= g_high_water.load(std::memory_order_relaxed))
      g_high_water.store(i + 1, std::memory_order_release);
    return true;
  }
  return false;
}

void unregister_reservation(const void* begin) {
  std::lock_guard lock(g_mutex);
  auto key = reinterpret_cast<uintptr_t>(begin);
  int n = g_high_water.load(std::memory_order_relaxed);
  for (int i = 0; i < n; ++i) {
    if (g_slots[i].begin.load(std::memory_order_relaxed) == key) {
      g_slots[i].begin.store(0, std::memory_order_release);
      return;
    }
  }
}

bool address_in_any_reservation(const void* addr) {
  auto a = reinterpret_cast<uintptr_t>(addr);
  int n = g_high_water.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) {
    uintptr_t b = g_slots[i].begin.load(std::memory_order_acquire);
    if (b == 0 || a < b) continue;
    uintptr_t e = g_slots[i].end.load(std::memory_order_acquire);
    // Re-read begin: if the slot was recycled between the two loads, skip it. (A memory in
    // use by the faulting thread cannot be freed under it, so this only matters for wild
    // faults, which must not be mistaken for wasm ones.)
    if (g_slots[i].begin.load(std::memory_order_acquire) != b) continue;
    if (a < e) return true;
  }
  return false;
}

}  // namespace wsvm::memory

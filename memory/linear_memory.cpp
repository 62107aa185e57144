#include "memory/linear_memory.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "memory/memory_image.hpp"
#include "memory/reservation_registry.hpp"

namespace wsvm::memory {
namespace {

constexpr uint64_t kMaxPages = 65536;  // 4 GiB: the most a 32-bit memory can address

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// One released reservation kept for the next memory (see ~LinearMemory): PROT_NONE, nothing
// committed, not in the registry.
std::atomic<uint8_t*> g_spare{nullptr};

// The most pages this memory may ever have: declared max, embedder limit, 4 GiB.
uint64_t page_ceiling(std::optional<uint64_t> max_pages, uint64_t limit_pages) {
  uint64_t c = kMaxPages;
  if (max_pages && *max_pages < c) c = *max_pages;
  if (limit_pages < c) c = limit_pages;
  return c;
}

}  // namespace

std::unique_ptr<LinearMemory> LinearMemory::create(uint64_t initial_pages,
                                                   std::optional<uint64_t> max_pages,
                                                   uint64_t limit_pages, std::string* error) {
  auto fail = [&](std::string msg) -> std::unique_ptr<LinearMemory> {
    if (error) *error = std::move(msg);
    return nullptr;
  };
  if (initial_pages > page_ceiling(max_pages, limit_pages))
    return fail("memory size exceeds the limit");

  // MAP_NORESERVE: the 8 GiB are address space only; nothing is charged until committed.
  void* p = g_spare.exchange(nullptr, std::memory_order_acq_rel);
  if (p == nullptr) {
    p = mmap(nullptr, kReservationBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
             -1, 0);
    if (p == MAP_FAILED) return fail(errno_text("cannot reserve linear memory address space"));
  }

  std::unique_ptr<LinearMemory> m(new LinearMemory());
  m->m_base = static_cast<uint8_t*>(p);
  m->m_max_pages = max_pages;
  m->m_limit_pages = limit_pages;
  if (!register_reservation(m->m_base, m->m_base + kReservationBytes)) {
    munmap(p, kReservationBytes);
    m->m_base = nullptr;
    return fail("too many linear memories");
  }
  if (initial_pages > 0) {
    if (mprotect(m->m_base, initial_pages * kWasmPageSize, PROT_READ | PROT_WRITE) != 0) {
      std::string msg = errno_text("cannot commit linear memory");
      unregister_reservation(m->m_base);  // perhaps partly committed: never a spare
      munmap(m->m_base, kReservationBytes);
      m->m_base = nullptr;
      return fail(std::move(msg));
    }
  }
  m->m_size = initial_pages * kWasmPageSize;
  return m;
}

LinearMemory::~LinearMemory() {
  if (!m_base) return;
  unregister_reservation(m_base);
  if (m_image) {  // reset and kept by the image for its next memory (memory_image.hpp)
    m_image->release(m_base, m_size);
    return;
  }
  // Keep the range for the next memory instead of unmapping it: its page tables stay, so the
  // next create() maps nothing and allocates no page tables, and this one frees none (in a VM
  // every page-table write traps to the hypervisor: most of a small module's instantiate).
  // The committed pages are dropped first (MADV_DONTNEED: they read back as zero) and made
  // inaccessible again, so the spare is exactly a fresh reservation.
  if (m_size == 0 || (madvise(m_base, m_size, MADV_DONTNEED) == 0 &&
                      mprotect(m_base, m_size, PROT_NONE) == 0)) {
    uint8_t* expected = nullptr;
    if (g_spare.compare_exchange_strong(expected, m_base, std::memory_order_acq_rel)) return;
  }
  munmap(m_base, kReservationBytes);
}

int64_t LinearMemory::grow(uint64_t delta_pages) {
  uint64_t old_pages = pages();
  uint64_t ceiling = page_ceiling(m_max_pages, m_limit_pages);
  if (delta_pages > ceiling || old_pages + delta_pages > ceiling) return -1;
  if (delta_pages == 0) return static_cast<int64_t>(old_pages);
  // Pages above m_size were never writable, so the kernel hands them out zeroed.
  if (mprotect(m_base + m_size, delta_pages * kWasmPageSize, PROT_READ | PROT_WRITE) != 0)
    return -1;
  m_size += delta_pages * kWasmPageSize;
  return static_cast<int64_t>(old_pages);
}

bool LinearMemory::reservation_contains(const void* addr) const {
  auto a = static_cast<const uint8_t*>(addr);
  return m_base != nullptr && a >= m_base && a < m_base + kReservationBytes;
}

}  // namespace wsvm::memory

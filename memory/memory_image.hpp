// Copy-on-write memory images and the pool of memories made from them (issue 19: a fresh
// instance per request, made cheap).
//
// A module's defined memory starts as its active data segments written over zeros. Instead
// of copying the segments into every new instance, the contents are written once into an
// in-memory file (memfd), the image, and each memory made from it maps the file privately
// (MAP_PRIVATE) over the front of its reservation: instantiation copies nothing, a page is
// read from the shared page cache until the instance writes it, and a write copies only that
// page. wasmtime's CoW heap images work this way.
//
// A memory made from an image returns its reservation to the image when it is destroyed,
// reset but still mapped, so the next memory of the same module takes it with no system
// call at all: the image's pool, as wasmtime's pooling allocator keeps its slots. The reset
// of a small memory (at most kKeepResidentBytes) rewrites it in place (the image copied
// back, the rest zeroed): its pages stay resident, so the next instance neither faults them
// in again nor pays madvise's TLB flush (page faults cost 12-45 us on the VMs we measure
// on). A larger memory is reset with madvise(MADV_DONTNEED): the image pages read the file
// again, the others read zero.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace wsvm::memory {

// One write of the initial contents: `bytes` at byte `offset` (a module's active data
// segment). Writes apply in order, a later one over an earlier one, as instantiation does.
struct ImageWrite {
  uint64_t offset = 0;
  std::span<const uint8_t> bytes;
};

// Process-wide totals over every image (a server's metrics): memories made from images and
// in use, and reset reservations waiting in the images' pools.
struct ImagePoolTotals {
  size_t live = 0;
  size_t pooled = 0;
};
ImagePoolTotals image_pool_totals();

class MemoryImage {
 public:
  // How many reset reservations an image keeps for its next memories unless told otherwise
  // (set_pool_capacity). Each is 8 GiB of address space and its page tables, no memory.
  static constexpr size_t kDefaultPoolCapacity = 64;
  // Memories up to this size are reset by rewriting them (above).
  static constexpr uint64_t kKeepResidentBytes = 512 * 1024;

  // The image of a memory of `initial_pages` after `writes`, each inside those pages (the
  // caller checked). nullptr and `error` set when the file cannot be made.
  static std::shared_ptr<MemoryImage> create(uint64_t initial_pages, std::span<const ImageWrite> writes,
                                             std::string* error);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  uint64_t initial_pages() const { return m_initial_bytes / (64 * 1024); }
  // The bytes mapped from the file (up to the last non-zero write, whole host pages); the
  // pages past them up to initial_pages are plain zeroed memory.
  uint64_t image_bytes() const { return m_image_bytes; }

  // Reservations kept reset for the next memories at most (0: none; excess ones are freed).
  void set_pool_capacity(size_t n);
  size_t pooled() const;                                           // reset, waiting
  size_t live() const { return m_live.load(std::memory_order_relaxed); }  // memories in use

  // For LinearMemory: a reservation of kReservationBytes ready to be a memory of
  // initial_pages (the image mapped, the rest of the initial pages read/write and zero, the
  // range past them PROT_NONE), from the pool or newly reserved. nullptr and `error` when
  // reserving or mapping fails.
  uint8_t* acquire(std::string* error);
  // Gives back a reservation from acquire() whose first `committed_bytes` were accessible:
  // reset and pooled, or unmapped when the pool is full or the reset fails.
  void release(uint8_t* base, uint64_t committed_bytes);

 private:
  MemoryImage() = default;
  bool map_onto(uint8_t* base, std::string* error) const;

  int m_fd = -1;  // the sealed memfd holding [0, m_image_bytes)
  const uint8_t* m_view = nullptr;  // the file mapped read-only (shared): what resets copy back
  uint64_t m_image_bytes = 0;
  uint64_t m_initial_bytes = 0;
  mutable std::mutex m_mutex;  // guards m_pool and m_capacity
  std::vector<uint8_t*> m_pool;
  size_t m_capacity = kDefaultPoolCapacity;
  std::atomic<size_t> m_live{0};
};

}  // namespace wsvm::memory

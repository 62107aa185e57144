// Linear memory as a reserved address range with guard pages (DESIGN principle 7).
//
// A 32-bit memory reserves 8 GiB of address space (4 GiB of index + 4 GiB of static offset)
// with PROT_NONE and commits (mprotect read/write) only its current pages, so any access
// base + u32 index + u32 offset lands either in committed memory or in the reservation:
// the MMU catches out-of-bounds accesses and the trap handler (trap_handler.hpp) turns the
// fault into a wasm trap. The base never moves, so engines may keep it in a register.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace wsvm::memory {

class MemoryImage;

inline constexpr uint64_t kWasmPageSize = 65536;
inline constexpr uint64_t kReservationBytes = 8ull << 30;  // 8 GiB

class LinearMemory {
 public:
  // Reserves the range and commits `initial_pages`. `max_pages` is the module's declared
  // maximum (if any); `limit_pages` is the embedder's limit (--max-memory), never exceeded.
  // Returns nullptr and sets `error` when the reservation or commit fails.
  static std::unique_ptr<LinearMemory> create(uint64_t initial_pages,
                                              std::optional<uint64_t> max_pages,
                                              uint64_t limit_pages, std::string* error);
  // The same for a memory whose initial pages come from `image` (memory_image.hpp, defined
  // there): mapped copy-on-write, nothing copied; its reservation goes back to the image.
  static std::unique_ptr<LinearMemory> create_from_image(std::shared_ptr<MemoryImage> image,
                                                         std::optional<uint64_t> max_pages,
                                                         uint64_t limit_pages, std::string* error);
  ~LinearMemory();
  LinearMemory(const LinearMemory&) = delete;
  LinearMemory& operator=(const LinearMemory&) = delete;

  uint8_t* base() const { return m_base; }
  uint64_t size_bytes() const { return m_size; }
  uint64_t pages() const { return m_size / kWasmPageSize; }
  std::optional<uint64_t> max_pages() const { return m_max_pages; }
  const MemoryImage* image() const { return m_image.get(); }  // create_from_image's, else null

  // memory.grow: returns the old page count, or -1 when growing would pass the declared
  // maximum, the embedder limit or 65536 pages, or the commit fails. New pages are zero.
  int64_t grow(uint64_t delta_pages);

  // True when [addr, addr+len) lies in this memory's reservation (used by the trap handler).
  bool reservation_contains(const void* addr) const;

 private:
  LinearMemory() = default;
  uint8_t* m_base = nullptr;
  uint64_t m_size = 0;  // committed, accessible bytes
  std::optional<uint64_t> m_max_pages;
  uint64_t m_limit_pages = 0;
  std::shared_ptr<MemoryImage> m_image;  // create_from_image: where the reservation returns
};

}  // namespace wsvm::memory

#include "memory/memory_image.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "memory/linear_memory.hpp"
#include "memory/reservation_registry.hpp"

namespace wsvm::memory {
namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::atomic<size_t> g_live{0}, g_pooled{0};  // image_pool_totals()

uint64_t round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

uint64_t host_page() {
  static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return page;
}

// Writes all of `bytes` at `offset` of `fd`.
bool write_all(int fd, uint64_t offset, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    ssize_t n = pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace

std::shared_ptr<MemoryImage> MemoryImage::create(uint64_t initial_pages, std::span<const ImageWrite> writes,
                                                 std::string* error) {
  auto fail = [&](std::string msg) -> std::shared_ptr<MemoryImage> {
    if (error) *error = std::move(msg);
    return nullptr;
  };
  std::shared_ptr<MemoryImage> image(new MemoryImage());
  image->m_initial_bytes = initial_pages * kWasmPageSize;
  uint64_t end = 0;
  for (const ImageWrite& w : writes) {
    if (w.bytes.empty()) continue;
    if (w.offset > image->m_initial_bytes || w.bytes.size() > image->m_initial_bytes - w.offset)
      return fail("memory image: a write lies outside the initial pages");
    end = std::max<uint64_t>(end, w.offset + w.bytes.size());
  }
  // Whole host pages; the initial size is a multiple of 64 KiB, so this stays inside it.
  image->m_image_bytes = round_up(end, host_page());
  if (image->m_image_bytes == 0) return image;  // nothing to map: zero pages only

  image->m_fd = memfd_create("wsvm-memory-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (image->m_fd < 0) return fail(errno_text("memory image: memfd_create"));
  if (ftruncate(image->m_fd, static_cast<off_t>(image->m_image_bytes)) != 0)
    return fail(errno_text("memory image: ftruncate"));
  for (const ImageWrite& w : writes) {
    if (!write_all(image->m_fd, w.offset, w.bytes)) return fail(errno_text("memory image: write"));
  }
  // Sealed: nothing can change the file under the memories mapping it.
  if (fcntl(image->m_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
    return fail(errno_text("memory image: sealing"));
  void* view = mmap(nullptr, image->m_image_bytes, PROT_READ, MAP_SHARED, image->m_fd, 0);
  if (view == MAP_FAILED) return fail(errno_text("memory image: mapping"));
  image->m_view = static_cast<const uint8_t*>(view);
  return image;
}

ImagePoolTotals image_pool_totals() {
  return {g_live.load(std::memory_order_relaxed), g_pooled.load(std::memory_order_relaxed)};
}

MemoryImage::~MemoryImage() {
  g_pooled.fetch_sub(m_pool.size(), std::memory_order_relaxed);
  for (uint8_t* base : m_pool) munmap(base, kReservationBytes);
  if (m_view) munmap(const_cast<uint8_t*>(m_view), m_image_bytes);
  if (m_fd >= 0) close(m_fd);
}

void MemoryImage::set_pool_capacity(size_t n) {
  std::vector<uint8_t*> excess;
  {
    std::lock_guard lock(m_mutex);
    m_capacity = n;
    while (m_pool.size() > n) {
      excess.push_back(m_pool.back());
      m_pool.pop_back();
    }
  }
  g_pooled.fetch_sub(excess.size(), std::memory_order_relaxed);
  for (uint8_t* base : excess) munmap(base, kReservationBytes);
}

size_t MemoryImage::pooled() const {
  std::lock_guard lock(m_mutex);
  return m_pool.size();
}

bool MemoryImage::map_onto(uint8_t* base, std::string* error) const {
  if (m_image_bytes > 0 &&
      mmap(base, m_image_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, m_fd, 0) == MAP_FAILED) {
    if (error) *error = errno_text("cannot map the memory image");
    return false;
  }
  if (m_initial_bytes > m_image_bytes &&
      mprotect(base + m_image_bytes, m_initial_bytes - m_image_bytes, PROT_READ | PROT_WRITE) != 0) {
    if (error) *error = errno_text("cannot commit linear memory");
    return false;
  }
  return true;
}

uint8_t* MemoryImage::acquire(std::string* error) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_pool.empty()) {
      uint8_t* base = m_pool.back();
      m_pool.pop_back();
      g_pooled.fetch_sub(1, std::memory_order_relaxed);
      m_live.fetch_add(1, std::memory_order_relaxed);
      g_live.fetch_add(1, std::memory_order_relaxed);
      return base;
    }
  }
  // MAP_NORESERVE: address space only, as LinearMemory::create reserves.
  void* p = mmap(nullptr, kReservationBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    if (error) *error = errno_text("cannot reserve linear memory address space");
    return nullptr;
  }
  auto* base = static_cast<uint8_t*>(p);
  if (!map_onto(base, error)) {
    munmap(base, kReservationBytes);
    return nullptr;
  }
  m_live.fetch_add(1, std::memory_order_relaxed);
  g_live.fetch_add(1, std::memory_order_relaxed);
  return base;
}

void MemoryImage::release(uint8_t* base, uint64_t committed_bytes) {
  m_live.fetch_sub(1, std::memory_order_relaxed);
  g_live.fetch_sub(1, std::memory_order_relaxed);
  // The reset (memory_image.hpp): small memories rewritten in place, larger ones dropped
  // (the image's pages read the file again, the others zero); what memory.grow committed
  // past the initial pages is dropped and inaccessible again.
  bool reset;
  if (committed_bytes <= kKeepResidentBytes) {
    if (m_image_bytes > 0) std::memcpy(base, m_view, m_image_bytes);
    std::memset(base + m_image_bytes, 0, std::min(committed_bytes, m_initial_bytes) - m_image_bytes);
    reset = committed_bytes <= m_initial_bytes ||
            madvise(base + m_initial_bytes, committed_bytes - m_initial_bytes, MADV_DONTNEED) == 0;
  } else {
    reset = madvise(base, committed_bytes, MADV_DONTNEED) == 0;
  }
  reset = reset && (committed_bytes <= m_initial_bytes ||
                    mprotect(base + m_initial_bytes, committed_bytes - m_initial_bytes, PROT_NONE) == 0);
  if (reset) {
    std::lock_guard lock(m_mutex);
    if (m_pool.size() < m_capacity) {
      m_pool.push_back(base);
      g_pooled.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  munmap(base, kReservationBytes);
}

std::unique_ptr<LinearMemory> LinearMemory::create_from_image(std::shared_ptr<MemoryImage> image,
                                                              std::optional<uint64_t> max_pages,
                                                              uint64_t limit_pages, std::string* error) {
  const uint64_t initial_pages = image->initial_pages();
  uint64_t ceiling = std::min<uint64_t>(65536, limit_pages);
  if (max_pages) ceiling = std::min(ceiling, *max_pages);
  if (initial_pages > ceiling) {
    if (error) *error = "memory size exceeds the limit";
    return nullptr;
  }
  uint8_t* base = image->acquire(error);
  if (base == nullptr) return nullptr;
  if (!register_reservation(base, base + kReservationBytes)) {
    image->release(base, initial_pages * kWasmPageSize);
    if (error) *error = "too many linear memories";
    return nullptr;
  }
  std::unique_ptr<LinearMemory> m(new LinearMemory());
  m->m_base = base;
  m->m_size = initial_pages * kWasmPageSize;
  m->m_max_pages = max_pages;
  m->m_limit_pages = limit_pages;
  m->m_image = std::move(image);
  return m;
}

}  // namespace wsvm::memory

#include "jit/code_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wsvm::jit {

namespace {
// Code was written through the data side: the instruction side must see it before it runs.
// x86-64 keeps them coherent (no code); AArch64 needs the data cache cleaned and the
// instruction cache invalidated over the range (the kernel allows it from user space).
void sync_icache(uint8_t* begin, size_t size) {
  __builtin___clear_cache(reinterpret_cast<char*>(begin), reinterpret_cast<char*>(begin + size));
}
}  // namespace

std::unique_ptr<CodeMemory> CodeMemory::allocate(size_t size, std::string* error) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t bytes = (size + page - 1) / page * page;
  if (bytes == 0) bytes = page;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);  // one fault-in, not one per page
  if (p == MAP_FAILED) {
    if (error) *error = std::string("jit: mmap of code memory failed: ") + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<CodeMemory> cm(new CodeMemory());
  cm->m_base = static_cast<uint8_t*>(p);
  cm->m_size = bytes;
  return cm;
}

std::unique_ptr<CodeMemory> CodeMemory::map_writable(size_t size, std::string* error) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  constexpr size_t kHuge = size_t{2} << 20;
  size_t bytes = (size + page - 1) / page * page;
  if (bytes == 0) bytes = page;
  const bool huge = bytes >= kHuge;
  if (huge) bytes = (bytes + kHuge - 1) / kHuge * kHuge;
  const size_t map_bytes = huge ? bytes + kHuge : bytes;
  void* p = mmap(nullptr, map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    if (error) *error = std::string("jit: mmap of code memory failed: ") + std::strerror(errno);
    return nullptr;
  }
  auto* base = static_cast<uint8_t*>(p);
  if (huge) {  // keep the 2 MiB-aligned part
    auto addr = reinterpret_cast<uintptr_t>(base);
    const size_t head = (kHuge - addr % kHuge) % kHuge;
    if (head) munmap(base, head);
    if (kHuge - head) munmap(base + head + bytes, kHuge - head);
    base += head;
    madvise(base, bytes, MADV_HUGEPAGE);  // advisory: without it, 4 KiB pages
  }
  std::unique_ptr<CodeMemory> cm(new CodeMemory());
  cm->m_base = base;
  cm->m_size = bytes;
  return cm;
}

bool CodeMemory::finish(size_t used, std::string* error) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t keep = (used + page - 1) / page * page;
  if (keep == 0) keep = page;
  if (keep < m_size) {
    munmap(m_base + keep, m_size - keep);
    m_size = keep;
  }
  return seal(error);
}

bool CodeMemory::seal(std::string* error) {
  sync_icache(m_base, m_size);
  if (mprotect(m_base, m_size, PROT_READ | PROT_EXEC) != 0) {
    if (error) *error = std::string("jit: mprotect of code memory failed: ") + std::strerror(errno);
    return false;
  }
  return true;
}

CodeMemory::~CodeMemory() {
  if (m_base) munmap(m_base, m_size);
}

size_t CodeReservation::page_size() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

std::unique_ptr<CodeReservation> CodeReservation::reserve(size_t size, std::string* error) {
  size_t page = page_size();
  size_t bytes = (size + page - 1) / page * page;
  if (bytes == 0) bytes = page;
  void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    if (error) *error = std::string("jit: reserving code memory failed: ") + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<CodeReservation> r(new CodeReservation());
  r->m_base = static_cast<uint8_t*>(p);
  r->m_size = bytes;
  return r;
}

bool CodeReservation::protect(size_t offset, size_t size, bool exec, std::string* error) {
  size_t page = page_size();
  size_t bytes = (size + page - 1) / page * page;
  if (offset % page != 0 || offset > m_size || bytes > m_size - offset) {
    if (error) *error = "jit: code reservation exhausted";
    return false;
  }
  if (exec) sync_icache(m_base + offset, bytes);
  if (mprotect(m_base + offset, bytes, exec ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE) != 0) {
    if (error) *error = std::string("jit: mprotect of code memory failed: ") + std::strerror(errno);
    return false;
  }
  return true;
}

CodeReservation::~CodeReservation() {
  if (m_base) munmap(m_base, m_size);
}

}  // namespace wsvm::jit

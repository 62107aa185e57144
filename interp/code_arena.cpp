// CodeArena (code.hpp): large blocks for translated code. Blocks of 1 MiB and more are
// mmap'd at a 2 MiB boundary and marked MADV_HUGEPAGE: measured on this project's machine,
// faulting in 28 MB of fresh 4 KiB pages took ~100 ms of CPU, the same on huge pages ~2 ms.
// Untouched parts of a block cost no memory (they are never faulted in).
#include <sys/mman.h>

#include <cstdint>
#include <new>

#include "interp/code.hpp"
#include "memory/populate.hpp"

namespace wsvm::interp {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kMapThreshold = size_t{1} << 20;

// A 2 MiB-aligned anonymous mapping of `bytes` (a multiple of kHugePage), or null.
void* map_aligned(size_t bytes) {
  void* p = mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const uintptr_t raw = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (raw + kHugePage - 1) & ~(kHugePage - 1);
  // Give back the unaligned head and the tail beyond `bytes`.
  if (aligned > raw) munmap(p, aligned - raw);
  const uintptr_t end = raw + bytes + kHugePage;
  if (end > aligned + bytes) munmap(reinterpret_cast<void*>(aligned + bytes), end - (aligned + bytes));
#ifdef MADV_HUGEPAGE
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);  // a hint: failure is fine
#endif
  return reinterpret_cast<void*>(aligned);
}

}  // namespace

CodeArena::~CodeArena() {
  for (const Block& b : m_blocks) {
    if (b.mapped) munmap(b.base, b.bytes);
    else ::operator delete(b.base);
  }
}

std::span<Word> CodeArena::new_block(size_t words) {
  if (words == 0) words = 1;
  size_t bytes = words * sizeof(Word);
  m_blocks.reserve(m_blocks.size() + 1);  // so a failure to record the block cannot leak it
  if (bytes >= kMapThreshold) {
    bytes = (bytes + kHugePage - 1) & ~(kHugePage - 1);
    if (void* p = map_aligned(bytes)) {
      m_blocks.push_back(Block{p, bytes, true});
      return {static_cast<Word*>(p), bytes / sizeof(Word)};
    }
    bytes = words * sizeof(Word);  // no mapping: fall back to the heap
  }
  void* p = ::operator new(bytes);
  m_blocks.push_back(Block{p, bytes, false});
  // The translator writes the block front to back: fault its pages in with one system call
  // (memory/populate.hpp; ~25 of hello.wasm's page faults). Large blocks use huge pages.
  (void)memory::populate_for_write(p, bytes);
  return {static_cast<Word*>(p), words};
}

}  // namespace wsvm::interp

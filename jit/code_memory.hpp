// W^X executable memory: code is written while the mapping is read+write, then the mapping
// becomes read+execute. Never both writable and executable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace wsvm::jit {

class CodeMemory {
 public:
  // Maps `size` bytes read+write, lets `fill` write them, then makes them read+exec.
  // Returns nullptr (and sets *error) on failure.
  template <class Fill>
  static std::unique_ptr<CodeMemory> create(size_t size, Fill&& fill, std::string* error) {
    auto cm = allocate(size, error);
    if (!cm) return nullptr;
    if (!fill(cm->m_base) || !cm->seal(error)) return nullptr;
    return cm;
  }
  // Maps `size` bytes read+write without touching them, for code assembled in place: only
  // the pages written are ever faulted in (2 MiB-aligned with transparent huge pages when
  // that large: a few faults instead of one per 4 KiB). finish() then makes it code.
  static std::unique_ptr<CodeMemory> map_writable(size_t size, std::string* error);
  // Unmaps the pages past `used` (rounded up to a page) and makes the rest read+exec.
  bool finish(size_t used, std::string* error);
  ~CodeMemory();
  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;

  uint8_t* base() const { return m_base; }
  size_t size() const { return m_size; }

 private:
  CodeMemory() = default;
  static std::unique_ptr<CodeMemory> allocate(size_t size, std::string* error);
  bool seal(std::string* error);
  uint8_t* m_base = nullptr;
  size_t m_size = 0;
};

// An address range reserved inaccessible (PROT_NONE) whose pages become code one piece at a
// time (lazy compilation): each piece is fresh pages made read+write, filled, then
// read+exec, so no page is ever writable while it may execute, and every piece stays
// within rel32 reach of the others. Pieces may also be made plain read+write data (a
// dispatch table: never executable).
class CodeReservation {
 public:
  static std::unique_ptr<CodeReservation> reserve(size_t size, std::string* error);
  ~CodeReservation();
  CodeReservation(const CodeReservation&) = delete;
  CodeReservation& operator=(const CodeReservation&) = delete;

  uint8_t* base() const { return m_base; }
  size_t size() const { return m_size; }
  static size_t page_size();

  // [offset, offset + size) (page-aligned offset; size rounded up to pages) becomes read+write,
  // fill(pointer) writes it, then it becomes read+exec. False (and *error) on failure.
  template <class Fill>
  bool commit_code(size_t offset, size_t size, Fill&& fill, std::string* error) {
    if (!protect(offset, size, false, error)) return false;
    if (!fill(m_base + offset)) return false;
    return protect(offset, size, true, error);
  }
  bool commit_data(size_t offset, size_t size, std::string* error) {
    return protect(offset, size, false, error);
  }

 private:
  CodeReservation() = default;
  bool protect(size_t offset, size_t size, bool exec, std::string* error);
  uint8_t* m_base = nullptr;
  size_t m_size = 0;
};

}  // namespace wsvm::jit

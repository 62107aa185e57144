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

}  // namespace wsvm::jit

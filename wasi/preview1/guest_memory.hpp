// The one bounds-checked window onto the calling instance's memory 0. Every guest pointer and
// length a WASI function receives goes through `bytes()` (or the load/store helpers built on
// it): a range that does not lie wholly inside the memory gives nullptr, which the functions
// report as EFAULT (they never trap for a bad pointer, and never touch host memory outside
// the guest's committed bytes). A caller without a memory sees size 0, so every pointer faults.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace wsvm::wasi {

class GuestMemory {
 public:
  GuestMemory() = default;
  GuestMemory(uint8_t* base, uint64_t size) : m_base(base), m_size(size) {}

  uint64_t size() const { return m_size; }

  // [ptr, ptr + len) inside memory -> host address of ptr; else nullptr. len may be 0.
  uint8_t* bytes(uint32_t ptr, uint64_t len) const {
    if (m_base == nullptr || ptr > m_size || len > m_size - ptr) return nullptr;
    return m_base + ptr;
  }

  // Little-endian scalar access (wasm memory is little-endian; so is every host we build for).
  template <class T>
  bool load(uint32_t ptr, T& out) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const uint8_t* p = bytes(ptr, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(&out, p, sizeof(T));
    return true;
  }
  template <class T>
  bool store(uint32_t ptr, T value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    uint8_t* p = bytes(ptr, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(p, &value, sizeof(T));
    return true;
  }
  // A guest string (not NUL-terminated); nullopt-like empty data pointer on fault.
  bool string(uint32_t ptr, uint32_t len, std::string_view& out) const {
    const uint8_t* p = bytes(ptr, len);
    if (p == nullptr) return false;
    out = std::string_view(reinterpret_cast<const char*>(p), len);
    return true;
  }

 private:
  uint8_t* m_base = nullptr;
  uint64_t m_size = 0;
};

}  // namespace wsvm::wasi

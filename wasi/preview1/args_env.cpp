// args_get, args_sizes_get, environ_get, environ_sizes_get: a list of strings laid out as an
// array of u32 pointers plus one buffer of NUL-terminated strings.
#include <vector>

#include "wasi/preview1/call.hpp"

namespace wsvm::wasi {
namespace {

uint64_t buffer_size(const std::vector<std::string>& list) {
  uint64_t n = 0;
  for (const auto& s : list) n += s.size() + 1;
  return n;
}

Errno sizes_get(Call& c, const std::vector<std::string>& list, uint32_t count_ptr,
                uint32_t size_ptr) {
  uint64_t size = buffer_size(list);
  if (size > UINT32_MAX || list.size() > UINT32_MAX) return Errno::Overflow;
  if (!c.mem.store<uint32_t>(count_ptr, static_cast<uint32_t>(list.size())) ||
      !c.mem.store<uint32_t>(size_ptr, static_cast<uint32_t>(size)))
    return Errno::Fault;
  return Errno::Success;
}

Errno list_get(Call& c, const std::vector<std::string>& list, uint32_t ptrs, uint32_t buf) {
  // Check both whole regions first so a fault leaves memory untouched.
  if (c.mem.bytes(ptrs, uint64_t{4} * list.size()) == nullptr ||
      c.mem.bytes(buf, buffer_size(list)) == nullptr)
    return Errno::Fault;
  uint32_t at = buf;
  for (size_t i = 0; i < list.size(); ++i) {
    c.mem.store<uint32_t>(ptrs + 4 * static_cast<uint32_t>(i), at);
    uint8_t* dst = c.mem.bytes(at, list[i].size() + 1);
    std::memcpy(dst, list[i].c_str(), list[i].size() + 1);
    at += static_cast<uint32_t>(list[i].size() + 1);
  }
  return Errno::Success;
}

}  // namespace

Errno args_get(Call& c, const uint64_t* a) { return list_get(c, c.ctx.args(), arg32(a, 0), arg32(a, 1)); }
Errno args_sizes_get(Call& c, const uint64_t* a) {
  return sizes_get(c, c.ctx.args(), arg32(a, 0), arg32(a, 1));
}
Errno environ_get(Call& c, const uint64_t* a) { return list_get(c, c.ctx.env(), arg32(a, 0), arg32(a, 1)); }
Errno environ_sizes_get(Call& c, const uint64_t* a) {
  return sizes_get(c, c.ctx.env(), arg32(a, 0), arg32(a, 1));
}

}  // namespace wsvm::wasi

// The "name" custom section: module name (0), function names (1), local names (2).
// Spec: https://webassembly.github.io/spec/core/appendix/custom.html#name-section
// It is a custom section, so a malformed one never makes the module malformed: each
// subsection is parsed on its own and kept only if it parses completely; parsing stops at
// the first bad subsection.
#include "decoder/decode_util.hpp"

namespace wsvm::detail {

namespace {

using NameMap = std::unordered_map<uint32_t, std::string>;

Result<void> read_name_map(Reader& r, NameMap& out) {
  uint32_t n = WSVM_TRY(read_count(r));
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t index = WSVM_TRY(r.u32());
    out[index] = WSVM_TRY(r.name());
  }
  return {};
}

Result<void> read_subsection(uint8_t id, Reader& r, Names& names) {
  switch (id) {
    case 0: {
      std::string name = WSVM_TRY(r.name());
      names.module = std::move(name);
      break;
    }
    case 1: {
      NameMap map;
      WSVM_TRY_VOID(read_name_map(r, map));
      names.functions = std::move(map);
      break;
    }
    case 2: {
      std::unordered_map<uint32_t, NameMap> all;
      uint32_t n = WSVM_TRY(read_count(r));
      for (uint32_t i = 0; i < n; ++i) {
        uint32_t func = WSVM_TRY(r.u32());
        WSVM_TRY_VOID(read_name_map(r, all[func]));
      }
      names.locals = std::move(all);
      break;
    }
    default:
      return {};  // other subsections (labels, types, ... from later proposals): skipped
  }
  if (!r.at_end()) return r.fail("section size mismatch");
  return {};
}

}  // namespace

void decode_name_section(Reader r, Module& m) {
  int last_id = -1;
  while (!r.at_end()) {
    auto id = r.u8();
    if (!id || static_cast<int>(*id) <= last_id) return;  // subsections: once, in order
    last_id = *id;
    auto size = r.u32();
    if (!size) return;
    auto sub = r.sub(*size);
    if (!sub) return;
    if (!read_subsection(*id, *sub, m.names)) return;
  }
}

}  // namespace wsvm::detail

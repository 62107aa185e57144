// decode_module: the header, the section loop (ids, order, sizes) and the checks that
// span sections. The sections themselves live in decode_sections.cpp / decode_segments.cpp.
// Spec: https://webassembly.github.io/spec/core/binary/modules.html
#include <cstring>

#include "decoder/decode_util.hpp"
#include "decoder/module.hpp"
#include "decoder/decode_edition.hpp"
#include "decoder/proposals.hpp"

namespace wsvm {

using namespace detail;

namespace {

enum SectionId : uint8_t {
  kCustom = 0, kType = 1, kImport = 2, kFunction = 3, kTable = 4, kMemory = 5, kGlobal = 6,
  kExport = 7, kStart = 8, kElement = 9, kCode = 10, kData = 11, kDataCount = 12, kTag = 13,
};

// Position of each non-custom section in the required order: the data count section (12)
// sits between element (9) and code (10), the tag section (13, exception handling) between
// memory (5) and global (6).
constexpr uint8_t section_rank(uint8_t id) {
  constexpr uint8_t kRanks[14] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
  return kRanks[id];
}

Result<void> decode_custom_section(Reader& r, Module& m) {
  CustomSection c;
  c.name = WSVM_TRY(r.name());
  c.offset = r.offset();
  c.size = r.remaining();
  Reader payload = WSVM_TRY(r.sub(r.remaining()));
  if (c.name == "name") decode_name_section(payload, m);
  m.customs.push_back(std::move(c));
  return {};
}

Result<void> decode_header(Reader& r) {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  static constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
  if (r.remaining() < 4) return r.fail_end();
  auto magic = WSVM_TRY(r.bytes(4));
  if (std::memcmp(magic.data(), kMagic, 4) != 0) return r.fail_at(0, "magic header not detected");
  if (r.remaining() < 4) return r.fail_end();
  auto version = WSVM_TRY(r.bytes(4));
  if (std::memcmp(version.data(), kVersion, 4) != 0)
    return r.fail_at(4, "unknown binary version" + unsupported_version_note(version.data()));
  return {};
}

struct SectionState {
  uint8_t last_rank = 0;
  uint32_t declared_funcs = 0;  // count of the function section
  bool saw_code = false;
  bool saw_data = false;
};

Result<void> decode_section(uint8_t id, Reader& r, Module& m, SectionState& st) {
  switch (id) {
    case kCustom: return decode_custom_section(r, m);
    case kType: return decode_type_section(r, m);
    case kImport: return decode_import_section(r, m);
    case kFunction: return decode_function_section(r, m, st.declared_funcs);
    case kTable: return decode_table_section(r, m);
    case kMemory: return decode_memory_section(r, m);
    case kGlobal: return decode_global_section(r, m);
    case kExport: return decode_export_section(r, m);
    case kStart:
      m.start = WSVM_TRY(r.u32());
      return {};
    case kElement: return decode_element_section(r, m);
    case kCode:
      st.saw_code = true;
      return decode_code_section(r, m, st.declared_funcs);
    case kData:
      st.saw_data = true;
      return decode_data_section(r, m);
    case kDataCount:
      m.data_count = WSVM_TRY(r.u32());
      return {};
    case kTag: return decode_tag_section(r, m);
  }
  return r.fail("malformed section id");
}

}  // namespace

Result<std::shared_ptr<Module>> decode_module(std::span<const uint8_t> bytes) {
  if (bytes.size() > limits::kMaxModuleSize)  // before copying them
    return make_error(ErrorKind::Malformed, kNoOffset,
                      limits::too_many("bytes in a module", bytes.size(), limits::kMaxModuleSize));
  return decode_module(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

Result<std::shared_ptr<Module>> decode_module(std::vector<uint8_t>&& bytes) {
  return decode_module_edition(std::move(bytes), false);
}

Result<std::shared_ptr<Module>> decode_module_edition(std::vector<uint8_t>&& bytes, bool wasm2) {
  if (bytes.size() > limits::kMaxModuleSize)
    return make_error(ErrorKind::Malformed, kNoOffset,
                      limits::too_many("bytes in a module", bytes.size(), limits::kMaxModuleSize));
  auto m = std::make_shared<Module>();
  m->wasm2 = wasm2;  // before any section: limits are read by the edition's rules
  m->bytes = std::move(bytes);
  Reader r(m->bytes);
  WSVM_TRY_VOID(decode_header(r));

  SectionState st;
  while (!r.at_end()) {
    size_t id_offset = r.offset();
    uint8_t id = WSVM_TRY(r.u8());
    if (id > kTag)
      return r.fail_at(id_offset, "malformed section id" + unsupported_section_note(id));
    uint32_t size = WSVM_TRY(r.u32());
    Reader section = WSVM_TRY(r.sub(size));
    if (id != kCustom) {
      // Each non-custom section at most once, in order; the reference interpreter reads
      // them in order and reports whatever is left over like this.
      if (section_rank(id) <= st.last_rank)
        return r.fail_at(id_offset, "unexpected content after last section");
      st.last_rank = section_rank(id);
    }
    WSVM_TRY_VOID(decode_section(id, section, *m, st));
    if (!section.at_end()) return section.fail("section size mismatch");
  }

  if (!st.saw_code && st.declared_funcs != 0)
    return r.fail("function and code section have inconsistent lengths");
  if (m->data_count && *m->data_count != m->datas.size())
    return r.fail("data count and data section have inconsistent lengths");
  return m;
}

}  // namespace wsvm

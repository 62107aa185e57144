// decode_component: the preamble, the section loop, and the sections that are not types or
// canon definitions. Each definition is recorded in order and appended to the index space
// of the sort it defines, so validation and instantiation read the spaces directly.
// Spec: ../shared/component-model-spec/Binary.md
#include <cstring>

#include <fmt/format.h>

#include "component/decode_internal.hpp"

namespace wsvm::component {

using namespace detail;

namespace {

constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
constexpr uint8_t kPreamble[4] = {0x0d, 0x00, 0x01, 0x00};  // version 0x0d, layer 1

std::unexpected<Error> bad(Reader& r, size_t at, uint8_t b, const char* what) {
  return r.fail_at(at, fmt::format("malformed {}: unknown encoding 0x{:02x}", what, b));
}

class Decoder {
 public:
  Decoder(Component& c) : m_c(c) {}

  Result<void> section(uint8_t id, Reader& r, uint32_t depth);

 private:
  void define(DefKind kind, uint32_t index, Sort sort, uint32_t times = 1) {
    uint32_t def = uint32_t(m_c.defs.size());
    m_c.defs.push_back({kind, index});
    for (uint32_t i = 0; i < times; ++i) m_c.spaces[size_t(sort)].push_back({def});
  }
  Result<void> core_instance(Reader& r);
  Result<void> instance(Reader& r);
  Result<void> nested(Reader& r, uint32_t depth);

  Component& m_c;
};

Result<void> Decoder::core_instance(Reader& r) {
  CoreInstance ci;
  ci.offset = r.offset();
  uint8_t form = WSVM_TRY(r.u8());
  if (form == 0x00) {
    ci.module = WSVM_TRY(r.u32());
    uint32_t n = WSVM_TRY(read_count(r));
    for (uint32_t i = 0; i < n; ++i) {
      CoreInstantiateArg a;
      a.name = WSVM_TRY(read_name(r));
      size_t at = r.offset();
      uint8_t sort = WSVM_TRY(r.u8());
      if (sort != 0x12) return bad(r, at, sort, "core instantiate argument (instance sort)");
      a.instance = WSVM_TRY(r.u32());
      ci.args.push_back(std::move(a));
    }
  } else if (form == 0x01) {
    ci.instantiate = false;
    uint32_t n = WSVM_TRY(read_count(r));
    for (uint32_t i = 0; i < n; ++i) {
      CoreInlineExport e;
      e.name = WSVM_TRY(read_name(r));
      e.sort = WSVM_TRY(read_core_sort(r));
      e.index = WSVM_TRY(r.u32());
      ci.exports.push_back(std::move(e));
    }
  } else {
    return bad(r, ci.offset, form, "core instance");
  }
  define(DefKind::CoreInstance, uint32_t(m_c.core_instances.size()), Sort::CoreInstance);
  m_c.core_instances.push_back(std::move(ci));
  return {};
}

Result<void> Decoder::instance(Reader& r) {
  Instance in;
  in.offset = r.offset();
  uint8_t form = WSVM_TRY(r.u8());
  if (form == 0x00) {
    in.component = WSVM_TRY(r.u32());
    uint32_t n = WSVM_TRY(read_count(r));
    for (uint32_t i = 0; i < n; ++i) {
      InstantiateArg a;
      a.name = WSVM_TRY(read_name(r));
      a.target.sort = WSVM_TRY(read_sort(r));
      a.target.index = WSVM_TRY(r.u32());
      in.args.push_back(std::move(a));
    }
  } else if (form == 0x01) {
    in.instantiate = false;
    uint32_t n = WSVM_TRY(read_count(r));
    for (uint32_t i = 0; i < n; ++i) {
      InlineExport e;
      e.name = WSVM_TRY(read_extern_name(r));
      e.target.sort = WSVM_TRY(read_sort(r));
      e.target.index = WSVM_TRY(r.u32());
      in.exports.push_back(std::move(e));
    }
  } else {
    return bad(r, in.offset, form, "instance");
  }
  define(DefKind::Instance, uint32_t(m_c.instances.size()), Sort::Instance);
  m_c.instances.push_back(std::move(in));
  return {};
}

Result<std::shared_ptr<const Component>> decode_at(
    std::shared_ptr<const std::vector<uint8_t>> bytes, ByteRange range, uint32_t depth);

Result<void> Decoder::nested(Reader& r, uint32_t depth) {
  ByteRange range{r.offset(), r.remaining()};
  auto child = WSVM_TRY(decode_at(m_c.bytes, range, depth + 1));
  WSVM_TRY(r.bytes(range.size));
  define(DefKind::Component, uint32_t(m_c.components.size()), Sort::Component);
  m_c.components.push_back(std::move(child));
  return {};
}

// Reads a vec(X) section, calling `one` for each element.
template <class F>
Result<void> each(Reader& r, F&& one) {
  uint32_t n = WSVM_TRY(read_count(r));
  for (uint32_t i = 0; i < n; ++i) WSVM_TRY_VOID(one());
  return {};
}

Result<void> Decoder::section(uint8_t id, Reader& r, uint32_t depth) {
  switch (id) {
    case 0: {
      CustomSection s;
      s.name = WSVM_TRY(read_name(r));
      s.payload = {r.offset(), r.remaining()};
      WSVM_TRY(r.bytes(r.remaining()));
      m_c.customs.push_back(std::move(s));
      return {};
    }
    case 1:
      define(DefKind::CoreModule, uint32_t(m_c.core_modules.size()), Sort::CoreModule);
      m_c.core_modules.push_back({r.offset(), r.remaining()});
      WSVM_TRY(r.bytes(r.remaining()));
      return {};
    case 2: return each(r, [&] { return core_instance(r); });
    case 3:
      return each(r, [&]() -> Result<void> {
        define(DefKind::CoreType, uint32_t(m_c.core_types.size()), Sort::CoreType);
        m_c.core_types.push_back(WSVM_TRY(read_core_type(r, depth)));
        return {};
      });
    case 4: return nested(r, depth);
    case 5: return each(r, [&] { return instance(r); });
    case 6:
      return each(r, [&]() -> Result<void> {
        Alias a = WSVM_TRY(read_alias(r));
        define(DefKind::Alias, uint32_t(m_c.aliases.size()), a.sort);
        m_c.aliases.push_back(std::move(a));
        return {};
      });
    case 7:
      return each(r, [&]() -> Result<void> {
        define(DefKind::Type, uint32_t(m_c.types.size()), Sort::Type);
        m_c.types.push_back(WSVM_TRY(read_type(r, depth)));
        return {};
      });
    case 8:
      return each(r, [&]() -> Result<void> {
        Canon c = WSVM_TRY(read_canon(r));
        define(DefKind::Canon, uint32_t(m_c.canons.size()), c.defines());
        m_c.canons.push_back(std::move(c));
        return {};
      });
    case 9: {
      Start s;
      s.offset = r.offset();
      s.func = WSVM_TRY(r.u32());
      uint32_t n = WSVM_TRY(read_count(r));
      for (uint32_t i = 0; i < n; ++i) s.args.push_back(WSVM_TRY(r.u32()));
      s.results = WSVM_TRY(r.u32());
      if (s.results > 1) return r.fail_at(s.offset, "malformed start: more than one result");
      define(DefKind::Start, uint32_t(m_c.starts.size()), Sort::Value, s.results);
      m_c.starts.push_back(std::move(s));
      return {};
    }
    case 10:
      return each(r, [&]() -> Result<void> {
        Import im;
        im.offset = r.offset();
        im.name = WSVM_TRY(read_extern_name(r));
        im.type = WSVM_TRY(read_extern_type(r));
        define(DefKind::Import, uint32_t(m_c.imports.size()), extern_kind_sort(im.type.kind));
        m_c.imports.push_back(std::move(im));
        return {};
      });
    case 11:
      return each(r, [&]() -> Result<void> {
        Export ex;
        ex.offset = r.offset();
        ex.name = WSVM_TRY(read_extern_name(r));
        ex.target.sort = WSVM_TRY(read_sort(r));
        ex.target.index = WSVM_TRY(r.u32());
        size_t at = r.offset();
        uint8_t flag = WSVM_TRY(r.u8());
        if (flag == 1) ex.ascribed = WSVM_TRY(read_extern_type(r));
        else if (flag != 0) return bad(r, at, flag, "export type ascription");
        define(DefKind::Export, uint32_t(m_c.exports.size()), ex.target.sort);
        m_c.exports.push_back(std::move(ex));
        return {};
      });
    case 12:
      return each(r, [&]() -> Result<void> {
        Value v;
        v.offset = r.offset();
        v.type = WSVM_TRY(read_valtype(r));
        uint32_t len = WSVM_TRY(r.u32());
        v.bytes_offset = r.offset();
        v.bytes_size = len;
        WSVM_TRY(r.bytes(len));
        define(DefKind::Value, uint32_t(m_c.values.size()), Sort::Value);
        m_c.values.push_back(std::move(v));
        return {};
      });
  }
  return r.fail("malformed section id");
}

Result<void> check_preamble(Reader& r) {
  size_t start = r.offset();
  if (r.remaining() < 4) return r.fail_end();
  auto magic = WSVM_TRY(r.bytes(4));
  if (std::memcmp(magic.data(), kMagic, 4) != 0)
    return r.fail_at(start, "magic header not detected");
  if (r.remaining() < 4) return r.fail_end();
  auto pre = WSVM_TRY(r.bytes(4));
  if (std::memcmp(pre.data(), kPreamble, 4) != 0)
    return r.fail_at(start + 4, fmt::format("unknown binary version: not a component (version "
                                            "0x{:02x}{:02x}, layer 0x{:02x}{:02x}; expected "
                                            "version 0x0d00, layer 0x0100)",
                                            pre[0], pre[1], pre[2], pre[3]));
  return {};
}

Result<std::shared_ptr<const Component>> decode_at(
    std::shared_ptr<const std::vector<uint8_t>> bytes, ByteRange range, uint32_t depth) {
  Reader r(std::span<const uint8_t>(bytes->data() + range.offset, range.size), range.offset);
  if (depth > kMaxNesting) return r.fail("malformed component: nested too deeply");
  auto c = std::make_shared<Component>();
  c->bytes = std::move(bytes);
  c->range = range;
  c->depth = depth;
  WSVM_TRY_VOID(check_preamble(r));
  Decoder d(*c);
  while (!r.at_end()) {
    size_t id_at = r.offset();
    uint8_t id = WSVM_TRY(r.u8());
    if (id > 12) return bad(r, id_at, id, "section id");
    uint32_t size = WSVM_TRY(r.u32());
    Reader section = WSVM_TRY(r.sub(size));
    WSVM_TRY_VOID(d.section(id, section, depth));
    if (!section.at_end()) return section.fail("section size mismatch");
  }
  return std::shared_ptr<const Component>(std::move(c));
}

}  // namespace

bool is_component(std::span<const uint8_t> bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 4) == 0 &&
         std::memcmp(bytes.data() + 4, kPreamble, 4) == 0;
}

Result<std::shared_ptr<const Component>> decode_component(std::vector<uint8_t> bytes) {
  auto shared = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  ByteRange all{0, shared->size()};
  return decode_at(std::move(shared), all, 0);
}

Result<std::shared_ptr<const Component>> decode_component(std::span<const uint8_t> bytes) {
  return decode_component(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

Result<std::shared_ptr<Module>> Component::decode_core_module(uint32_t i) const {
  auto m = decode_module(range_bytes(core_modules.at(i)));
  if (!m) {
    Error e = m.error();
    if (e.offset != kNoOffset) e.offset += core_modules[i].offset;
    e.message = fmt::format("core module {}: {}", i, e.message);
    return std::unexpected(std::move(e));
  }
  return m;
}

}  // namespace wsvm::component

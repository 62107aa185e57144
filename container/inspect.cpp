// The facts come from the real decoders (decoder/ for core modules, component/ for
// components); only the section headers and the producers section, which the decoders keep
// no record of, are read here with decoder's Reader.
#include "container/inspect.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "component/ir.hpp"
#include "container/component_wit.hpp"
#include "decoder/module.hpp"
#include "decoder/printable.hpp"
#include "decoder/reader.hpp"

namespace wsvm::container {
namespace {

const char* core_section_name(uint8_t id) {
  static const char* const kNames[] = {"custom", "type",  "import", "function", "table",
                                       "memory", "global", "export", "start",   "element",
                                       "code",   "data",  "datacount", "tag"};
  return id < std::size(kNames) ? kNames[id] : "unknown";
}

const char* component_section_name(uint8_t id) {
  static const char* const kNames[] = {"custom", "core module", "core instance", "core type",
                                       "component", "instance", "alias", "type", "canon",
                                       "start", "import", "export", "value"};
  return id < std::size(kNames) ? kNames[id] : "unknown";
}

// The section list after the 8-byte preamble, for both formats. Only called on bytes that
// decoded, so a short read just ends the list.
std::vector<Section> read_sections(std::span<const uint8_t> bytes, bool component) {
  std::vector<Section> out;
  if (bytes.size() < 8) return out;
  Reader r(bytes.subspan(8), 8);
  while (!r.at_end()) {
    auto id = r.u8();
    auto size = r.u32();
    if (!id || !size || *size > r.remaining()) break;
    Section s{component ? component_section_name(*id) : core_section_name(*id), *size};
    auto payload = r.sub(*size);
    if (!payload) break;
    if (*id == 0) {
      auto name = payload->name();
      s.name = "custom:" + (name ? printable(*name) : std::string("?"));
    }
    out.push_back(std::move(s));
  }
  return out;
}

// The producers custom section: vec(field name, vec(value name, version)).
std::vector<std::string> read_producers(std::span<const uint8_t> payload) {
  std::vector<std::string> out;
  Reader r(payload);
  auto fields = r.u32();
  if (!fields) return out;
  for (uint32_t i = 0; i < *fields && i < 64; ++i) {
    auto field = r.name();
    auto count = r.u32();
    if (!field || !count) return out;
    for (uint32_t j = 0; j < *count && j < 64; ++j) {
      auto name = r.name();
      auto version = r.name();
      if (!name || !version) return out;
      out.push_back(printable(*field) + ": " + printable(*name) + (version->empty() ? "" : " " + printable(*version)));
    }
  }
  return out;
}

std::string pages(uint64_t n) {
  uint64_t bytes = n * kPageSize;
  if (bytes >= (uint64_t{1} << 30) && bytes % (uint64_t{1} << 30) == 0) return fmt::format("{} pages ({} GiB)", n, bytes >> 30);
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0) return fmt::format("{} pages ({} MiB)", n, bytes >> 20);
  return fmt::format("{} page{} ({} KiB)", n, n == 1 ? "" : "s", bytes >> 10);
}

std::string limits_text(const Limits& l, bool memory) {
  if (memory) return "min " + pages(l.min) + (l.max ? ", max " + pages(*l.max) : ", no max");
  return fmt::format("min {}{}", l.min, l.max ? fmt::format(", max {}", *l.max) : ", no max");
}

// The capability a preview 1 import asks for.
const char* preview1_capability(std::string_view f) {
  if (f.starts_with("path_") || f.starts_with("fd_prestat") || f == "fd_readdir") return "files";
  if (f.starts_with("sock_")) return "sockets";
  if (f.starts_with("environ_")) return "env";
  if (f.starts_with("args_")) return "args";
  if (f.starts_with("clock_") || f == "poll_oneoff") return "clocks";
  if (f == "random_get") return "random";
  if (f == "proc_exit" || f == "proc_raise") return "exit";
  return nullptr;
}

// The capability a component import (a WASI interface name) asks for.
const char* interface_capability(std::string_view name) {
  if (name.starts_with("wasi:filesystem/")) return "files";
  if (name.starts_with("wasi:sockets/")) return "sockets";
  if (name.starts_with("wasi:cli/environment")) return "env";
  if (name.starts_with("wasi:clocks/")) return "clocks";
  if (name.starts_with("wasi:random/")) return "random";
  if (name.starts_with("wasi:http/outgoing-handler") || name.starts_with("wasi:http/client")) return "http-outgoing";
  if (name.starts_with("wasi:cli/exit")) return "exit";
  return nullptr;
}

std::expected<Report, std::string> inspect_module(std::span<const uint8_t> bytes, Report r) {
  auto decoded = decode_module(bytes);
  if (!decoded) return std::unexpected(printable(r.name) + ": " + decoded.error().to_string());
  const Module& m = **decoded;
  for (const Import& i : m.imports) {
    Entity e{printable(i.module), printable(i.name), extern_kind_name(i.kind), ""};
    switch (i.kind) {
      case ExternKind::Func: e.type = m.types[i.func_type].to_string(); break;
      case ExternKind::Memory: e.type = limits_text(i.memory.limits, true); break;
      case ExternKind::Table: e.type = limits_text(i.table.limits, false); break;
      case ExternKind::Global: e.type = std::string(i.global.mut ? "mut " : "") + valtype_name(i.global.type); break;
    }
    r.imports.push_back(std::move(e));
    if (i.module == "wasi_snapshot_preview1" || i.module == "wasi_unstable") {
      if (const char* cap = preview1_capability(i.name)) r.capabilities.insert(cap);
    } else if (i.module.starts_with("wasi:")) {  // a core module adapted to WASI 0.2 by name
      if (const char* cap = interface_capability(i.module)) r.capabilities.insert(cap);
    }
  }
  for (const Export& x : m.exports) {
    Entity e{"", printable(x.name), extern_kind_name(x.kind), ""};
    if (x.kind == ExternKind::Func) e.type = m.func_type(x.index).to_string();
    r.exports.push_back(std::move(e));
  }
  for (size_t i = 0; i < m.memories.size(); ++i) {
    const Limits& l = m.memories[i].limits;
    r.memories.push_back(fmt::format("memory {}{}: {}", i, i < m.imported_memories ? " (imported)" : "", limits_text(l, true)));
    const uint64_t max = l.max.value_or(kMaxPages32);
    if (!l.max) r.risks.push_back(fmt::format("memory {} has no maximum: it may grow to 4 GiB unless a limit is set", i));
    else if (max >= kMaxPages32) r.risks.push_back(fmt::format("memory {} maximum 4 GiB", i));
  }
  for (size_t i = 0; i < m.tables.size(); ++i)
    r.tables.push_back(fmt::format("table {}{}: {} {}", i, i < m.imported_tables ? " (imported)" : "",
                                   valtype_name(m.tables[i].elem), limits_text(m.tables[i].limits, false)));
  r.start = m.start;
  if (m.start) r.risks.push_back(fmt::format("start function (func {}) runs during instantiation", *m.start));
  for (const CustomSection& c : m.customs)
    if (c.name == "producers") r.producers = read_producers(std::span(m.bytes).subspan(c.offset, c.size));
  return r;
}

std::expected<Report, std::string> inspect_component(std::span<const uint8_t> bytes, Report r) {
  auto decoded = component::decode_component(bytes);
  if (!decoded) return std::unexpected(printable(r.name) + ": " + decoded.error().to_string());
  const component::Component& c = **decoded;
  for (size_t n = 0; n < c.imports.size(); ++n) {
    const component::Import& i = c.imports[n];
    r.imports.push_back({"", printable(i.name.name), component::extern_kind_name(i.type.kind), import_func_wit(c, n)});
    if (const char* cap = interface_capability(i.name.name)) r.capabilities.insert(cap);
  }
  for (size_t n = 0; n < c.exports.size(); ++n) {
    const component::Export& x = c.exports[n];
    r.exports.push_back({"", printable(x.name.name), component::sort_name(x.target.sort), export_func_wit(c, n)});
    if (x.name.name.starts_with("wasi:http/incoming-handler") || x.name.name.starts_with("wasi:http/handler"))
      r.capabilities.insert("http-incoming");
  }
  // The memories of the core modules inside, with their limits: what instantiation will map.
  for (uint32_t i = 0; i < c.core_modules.size(); ++i) {
    auto m = c.decode_core_module(i);
    if (!m) return std::unexpected(printable(r.name) + ": core module " + std::to_string(i) + ": " + m.error().to_string());
    for (size_t j = (*m)->imported_memories; j < (*m)->memories.size(); ++j) {
      const Limits& l = (*m)->memories[j].limits;
      r.memories.push_back(fmt::format("core module {} memory {}: {}", i, j, limits_text(l, true)));
      if (!l.max) r.risks.push_back(fmt::format("core module {} memory {} has no maximum: it may grow to 4 GiB unless a limit is set", i, j));
    }
    if ((*m)->start) r.risks.push_back(fmt::format("core module {} has a start function", i));
  }
  for (const component::CustomSection& s : c.customs)
    if (s.name == "producers") r.producers = read_producers(c.range_bytes(s.payload));
  r.wit = component_world_wit(c);
  return r;
}

}  // namespace

std::expected<Report, std::string> inspect_binary(std::span<const uint8_t> bytes, const std::string& name) {
  Report r;
  r.name = name;
  r.size = bytes.size();
  r.component = component::is_component(bytes);
  auto out = r.component ? inspect_component(bytes, std::move(r)) : inspect_module(bytes, std::move(r));
  if (!out) return out;
  out->sections = read_sections(bytes, out->component);
  if (out->capabilities.contains("sockets")) out->risks.push_back("imports sockets (network access)");
  if (out->capabilities.contains("http-outgoing")) out->risks.push_back("makes outgoing HTTP requests");
  return out;
}

std::string format_text(const Report& r) {
  std::string s = fmt::format("{}: {} ({} bytes)\n", printable(r.name), r.component ? "component" : "core module", r.size);
  auto list = [&s](const char* title, const std::vector<Entity>& es) {
    s += fmt::format("{} ({}):\n", title, es.size());
    for (const Entity& e : es) {
      std::string who = e.module.empty() ? e.name : e.module + " " + e.name;
      s += fmt::format("  {} {}{}\n", e.kind, who, e.type.empty() ? "" : ": " + e.type);
    }
  };
  list("imports", r.imports);
  list("exports", r.exports);
  if (!r.wit.empty()) {
    s += "world (WIT):\n";
    for (size_t at = 0; at < r.wit.size();) {  // indented by two spaces
      const size_t end = r.wit.find('\n', at);
      const std::string line = r.wit.substr(at, end - at);
      s += line.empty() ? "\n" : "  " + line + "\n";
      at = end == std::string::npos ? r.wit.size() : end + 1;
    }
  }
  for (const std::string& m : r.memories) s += m + "\n";
  for (const std::string& t : r.tables) s += t + "\n";
  s += "capabilities:";
  if (r.capabilities.empty()) s += " none";
  for (const std::string& c : r.capabilities) s += " " + c;
  s += "\nsections:\n";
  for (const Section& sec : r.sections) s += fmt::format("  {:<24} {:>10} bytes\n", sec.name, sec.size);
  if (!r.producers.empty()) {
    s += "producers:\n";
    for (const std::string& p : r.producers) s += "  " + p + "\n";
  }
  s += fmt::format("risks ({}):\n", r.risks.size());
  for (const std::string& x : r.risks) s += "  " + x + "\n";
  return s;
}

std::string to_json(const Report& r) {
  using nlohmann::json;
  auto entities = [](const std::vector<Entity>& es) {
    json a = json::array();
    for (const Entity& e : es) {
      json o = {{"name", e.name}, {"kind", e.kind}};
      if (!e.module.empty()) o["module"] = e.module;
      if (!e.type.empty()) o["type"] = e.type;
      a.push_back(o);
    }
    return a;
  };
  json sections = json::array();
  for (const Section& s : r.sections) sections.push_back({{"name", s.name}, {"size", s.size}});
  json j = {{"name", r.name},
            {"kind", r.component ? "component" : "module"},
            {"size", r.size},
            {"imports", entities(r.imports)},
            {"exports", entities(r.exports)},
            {"memories", r.memories},
            {"tables", r.tables},
            {"capabilities", r.capabilities},
            {"sections", sections},
            {"producers", r.producers},
            {"risks", r.risks}};
  if (r.start) j["start"] = *r.start;
  if (r.component) j["wit"] = r.wit;
  // Names were made printable above; replace keeps the dump valid UTF-8 whatever remains.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace wsvm::container

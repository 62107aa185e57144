// Component values: equality and the readable form (see value.hpp).
#include "component/value.hpp"

#include <cstring>

#include <fmt/format.h>

namespace wsvm::component {

Val Val::string(std::string utf8) {
  Val v;
  v.kind = VKind::String;
  v.str_tagged_units = uint32_t(utf8.size());
  v.str = std::move(utf8);
  return v;
}

bool Val::operator==(const Val& o) const {
  if (kind == VKind::List && o.kind == VKind::List && (!bytes.empty() || !o.bytes.empty())) {
    if (list_size() != o.list_size()) return false;
    for (size_t i = 0; i < list_size(); ++i)
      if (byte_at(i) != o.byte_at(i)) return false;
    return true;
  }
  if (kind != o.kind || disc != o.disc || items != o.items) return false;
  if (kind == VKind::String) return str == o.str;
  if (kind == VKind::F32) return std::memcmp(&f32, &o.f32, 4) == 0;
  return u == o.u;
}

namespace {

std::string join_items(const std::vector<Val>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i].to_string();
  return s;
}

std::string char_text(uint32_t c) {
  if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') return fmt::format("'{}'", char(c));
  return fmt::format("'\\u{{{:x}}}'", c);
}

}  // namespace

std::string Val::to_string() const {
  switch (kind) {
    case VKind::Bool: return u ? "true" : "false";
    case VKind::S8: case VKind::S16: case VKind::S32: case VKind::S64: return fmt::format("{}", s);
    case VKind::U8: case VKind::U16: case VKind::U32: case VKind::U64: return fmt::format("{}", u);
    case VKind::F32: return fmt::format("{}", f32);
    case VKind::F64: return fmt::format("{}", f64);
    case VKind::Char: return char_text(uint32_t(u));
    case VKind::String: {
      std::string out = "\"";
      for (char c : str) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') out += "\\n";
        else out += c;
      }
      return out + "\"";
    }
    case VKind::List: case VKind::FixedList: {
      if (bytes.empty()) return "[" + join_items(items) + "]";
      std::string s;
      for (size_t i = 0; i < bytes.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", bytes[i]);
      return "[" + s + "]";
    }
    case VKind::Record: return "{" + join_items(items) + "}";
    case VKind::Tuple: return "(" + join_items(items) + ")";
    case VKind::Variant:
      return fmt::format("case{}", disc) + (items.empty() ? "" : "(" + join_items(items) + ")");
    case VKind::Enum: return fmt::format("case{}", disc);
    case VKind::Option: return disc ? "some(" + join_items(items) + ")" : "none";
    case VKind::Result:
      return std::string(disc ? "err" : "ok") + (items.empty() ? "" : "(" + join_items(items) + ")");
    case VKind::Flags: return fmt::format("flags(0x{:x})", disc);
    case VKind::Own: return fmt::format("own({})", u);
    case VKind::Borrow: return fmt::format("borrow({})", u);
    case VKind::ErrorContext: return fmt::format("error-context({})", u);
  }
  return "?";
}

}  // namespace wsvm::component

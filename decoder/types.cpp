#include "decoder/types.hpp"

#include <fmt/format.h>

namespace wsvm {

const char* valtype_name(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
    case ValType::Bottom: return "<unknown>";
  }
  return "<bad type>";
}

const char* extern_kind_name(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "<bad kind>";
}

std::string FuncType::to_string() const {
  auto list = [](const std::vector<ValType>& ts) {
    std::string s;
    for (ValType t : ts) {
      if (!s.empty()) s += ' ';
      s += valtype_name(t);
    }
    return s;
  };
  return fmt::format("[{}] -> [{}]", list(params), list(results));
}

}  // namespace wsvm

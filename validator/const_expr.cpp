#include "validator/const_expr.hpp"

#include <fmt/format.h>

#include "decoder/const_expr_reader.hpp"
#include "validator/function_validator.hpp"

namespace wsvm {

Result<void> validate_const_expr(const Module& m, const ConstExpr& e, ValType want) {
  size_t count = 0;
  ValType last = ValType::Bottom;
  ConstExprReader reader(m, e);
  Instr ins;
  while (WSVM_TRY(reader.next(ins))) {
    ValType t;
    switch (ins.op) {
      case Op::i32_const: t = ValType::I32; break;
      case Op::i64_const: t = ValType::I64; break;
      case Op::f32_const: t = ValType::F32; break;
      case Op::f64_const: t = ValType::F64; break;
      case Op::v128_const: t = ValType::V128; break;
      case Op::ref_null: t = ins.type; break;
      case Op::ref_func:
        if (ins.a >= m.funcs.size()) return walk_detail::unknown_index(ins.offset, "function", ins.a);
        t = ValType::FuncRef;
        break;
      case Op::global_get: {
        if (ins.a >= m.imported_globals || ins.a >= m.globals.size())
          return walk_detail::unknown_index(ins.offset, "global", ins.a);
        const GlobalType& g = m.globals[ins.a];
        if (g.mut) return walk_detail::invalid(ins.offset, "constant expression required");
        t = g.type;
        break;
      }
      default:
        return walk_detail::invalid(ins.offset, "constant expression required");
    }
    ++count;
    last = t;
  }
  if (count != 1 || last != want)
    return walk_detail::invalid(
        e.offset, count == 0 ? fmt::format("type mismatch: constant expression is empty, expected {}",
                                           valtype_name(want))
                  : count > 1 ? fmt::format("type mismatch: constant expression yields {} values",
                                            count)
                              : fmt::format("type mismatch: constant expression yields {}, expected {}",
                                            valtype_name(last), valtype_name(want)));
  return {};
}

}  // namespace wsvm

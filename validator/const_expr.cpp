#include "validator/const_expr.hpp"

#include <fmt/format.h>

#include <vector>

#include "decoder/const_expr_reader.hpp"
#include "validator/function_validator.hpp"

namespace wsvm {

namespace {

// The type an i32/i64 add/sub/mul works on (extended constant expressions), else Bottom.
ValType extended_binop_type(Op op) {
  switch (op) {
    case Op::i32_add: case Op::i32_sub: case Op::i32_mul: return ValType::I32;
    case Op::i64_add: case Op::i64_sub: case Op::i64_mul: return ValType::I64;
    default: return ValType::Bottom;
  }
}

}  // namespace

Result<void> validate_const_expr(const Module& m, const ConstExpr& e, ValType want,
                                 uint32_t visible_globals) {
  std::vector<ValType> stack;
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
      case Op::ref_null:
        WSVM_TRY_VOID(walk_detail::check_valtype(m, ins.type, ins.offset));
        t = ins.type;
        break;
      case Op::ref_func:
        if (ins.a >= m.funcs.size()) return walk_detail::unknown_index(ins.offset, "function", ins.a);
        t = ValType::ref_index(m.funcs[ins.a], false);
        break;
      case Op::global_get: {
        if (ins.a >= visible_globals || ins.a >= m.globals.size())
          return walk_detail::unknown_index(ins.offset, "global", ins.a);
        const GlobalType& g = m.globals[ins.a];
        if (g.mut) return walk_detail::invalid(ins.offset, "constant expression required");
        t = g.type;
        break;
      }
      default: {
        // Extended constant expressions (Wasm 3.0): i32/i64 add, sub, mul.
        t = extended_binop_type(ins.op);
        if (t == ValType::Bottom)
          return walk_detail::invalid(ins.offset, "constant expression required");
        const size_t n = stack.size();
        if (n < 2 || stack[n - 1] != t || stack[n - 2] != t)
          return walk_detail::invalid(
              ins.offset, fmt::format("type mismatch: {} expects two {} operands",
                                      op_name(ins.op), valtype_name(t)));
        stack.resize(n - 2);
        break;
      }
    }
    stack.push_back(t);
  }
  if (stack.size() != 1 || !matches(stack.back(), want, TypeContext{m.types}))
    return walk_detail::invalid(
        e.offset,
        stack.empty() ? fmt::format("type mismatch: constant expression is empty, expected {}",
                                    valtype_name(want))
        : stack.size() > 1
            ? fmt::format("type mismatch: constant expression yields {} values", stack.size())
            : fmt::format("type mismatch: constant expression yields {}, expected {}",
                          valtype_name(stack.back()), valtype_name(want)));
  return {};
}

}  // namespace wsvm

#include "runtime/const_eval.hpp"

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "decoder/const_expr_reader.hpp"
#include "semantics/fold.hpp"

namespace wsvm {

namespace {

std::unexpected<Error> not_constant(size_t offset, const char* why) {
  return make_error(ErrorKind::Invalid, offset,
                    fmt::format("constant expression required: {}", why));
}

}  // namespace

Result<Value> eval_const_expr(const ConstExpr& expr, const Instance& inst) {
  std::vector<Value> stack;
  auto pop2 = [&](ValType t, Value& a, Value& b) {
    if (stack.size() < 2 || stack[stack.size() - 1].type != t || stack[stack.size() - 2].type != t)
      return false;
    b = stack.back();
    stack.pop_back();
    a = stack.back();
    stack.pop_back();
    return true;
  };
  ConstExprReader reader(inst.module(), expr);
  Instr in;
  while (WSVM_TRY(reader.next(in))) {
    Value a, b;
    switch (in.op) {
      case Op::i32_const: stack.push_back(Value::from_i32(static_cast<uint32_t>(in.imm))); break;
      case Op::i64_const: stack.push_back(Value::from_i64(in.imm)); break;
      case Op::f32_const: stack.push_back(Value::from_f32_bits(static_cast<uint32_t>(in.imm))); break;
      case Op::f64_const: stack.push_back(Value::from_f64_bits(in.imm)); break;
      case Op::v128_const: {  // the 16 immediate bytes are the value in memory order
        V128 v;
        std::memcpy(v.bytes, in.v128.data(), 16);
        stack.push_back(Value::from_v128(v));
        break;
      }
      case Op::ref_null: stack.push_back(Value::from_ref(in.type, kNullRef)); break;
      case Op::ref_func:
        if (in.a >= inst.funcs.size()) return not_constant(in.offset, "unknown function");
        stack.push_back(Value::from_ref(ValType::FuncRef, reinterpret_cast<Ref>(inst.funcs[in.a])));
        break;
      case Op::global_get:
        if (in.a >= inst.globals.size()) return not_constant(in.offset, "unknown global");
        stack.push_back(inst.globals[in.a]->get());
        break;
      // Extended constant expressions (Wasm 3.0), evaluated by
      // the instructions' own semantics.
      case Op::i32_add: case Op::i32_sub: case Op::i32_mul:
        if (!pop2(ValType::I32, a, b)) return not_constant(in.offset, "type mismatch");
        stack.push_back(Value::from_i32(static_cast<uint32_t>(*num::fold(in.op, a.i32, b.i32))));
        break;
      case Op::i64_add: case Op::i64_sub: case Op::i64_mul:
        if (!pop2(ValType::I64, a, b)) return not_constant(in.offset, "type mismatch");
        stack.push_back(Value::from_i64(*num::fold(in.op, a.i64, b.i64)));
        break;
      default:
        return not_constant(in.offset, op_name(in.op));
    }
  }
  if (stack.size() != 1) return not_constant(expr.offset, "type mismatch");
  return stack.back();
}

}  // namespace wsvm

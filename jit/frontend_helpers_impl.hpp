// The front end's calls of C++ helpers (jit_abi.hpp) for the instructions a backend does not
// emit inline: numeric slow paths, table/bulk-memory/memory.size/grow, and every SIMD
// instruction (simd_helpers.cpp). Each spills everything (a call clobbers every allocatable
// register), passes its arguments in the backend's C argument registers (`helper_arg_*`,
// k = the argument's position) from homes and constants, calls, checks for a trap and
// pushes the result from the C return register. Included by frontend_impl.hpp.
#pragma once

#include <cstring>

#include "jit/frontend.hpp"
#include "jit/jit_abi.hpp"

namespace wsvm::jit {

template <class B, class R>
void FrontEnd<B, R>::helper_arg(int k, const Val& v) {  // a stack operand: constant or home
  if (v.kind == Kind::Const) masm().helper_arg_imm64(k, v.c);
  else masm().helper_arg_home(k, v.slot);
}

template <class B, class R>
void FrontEnd<B, R>::push_helper_result(ValType t) {
  reset_regs();
  push_reg(t, masm().helper_result(is64(t)));
}

template <class B, class R>
void FrontEnd<B, R>::emit_numeric_helper(Op op, uint32_t arity, ValType result) {
  const void* fn = helpers::numeric(static_cast<uint16_t>(op));
  const void* tfn = helpers::numeric_trap(static_cast<uint16_t>(op));
  if (!fn && !tfn) return unsupported_text(op_name(op));
  spill_all();
  flush_dirty();  // the helper clobbers every register
  Val b{}, a{};
  if (arity == 2) b = pop();
  a = pop();
  int first = tfn ? 1 : 0;
  if (tfn) masm().helper_arg_ji(0);
  helper_arg(first, a);
  if (arity == 2) helper_arg(first + 1, b);
  call_helper(tfn ? tfn : fn);
  if (tfn) check_trapped();
  push_helper_result(result);
}

// Table, bulk-memory and memory.size/grow instructions: runtime helpers with the instance
// block first, then the instruction's immediates, then its stack operands (bottom first).
template <class B, class R>
void FrontEnd<B, R>::emit_misc_helper(const Instr& ins) {
  struct H {
    const void* fn;
    int imms;          // immediate arguments after ji
    int pops;          // stack operands after those (bottom first)
    bool traps;        // returns nonzero on trap (int) / sets trapped (u64)
    bool flag_check;   // check ji->trapped instead of the result
    ValType result;    // ValType::Bottom: none
  };
  H h{};
  uint32_t i1 = ins.a, i2 = ins.b;
  auto fn = [](auto f) { return reinterpret_cast<const void*>(f); };
  switch (ins.op) {
    case Op::memory_size: h = {fn(&helpers::memory_size), 0, 0, false, false, ValType::I32}; break;
    case Op::memory_grow: h = {fn(&helpers::memory_grow), 0, 1, false, false, ValType::I32}; break;
    case Op::memory_init: h = {fn(&helpers::memory_init), 1, 3, true, false, ValType::Bottom}; break;
    case Op::memory_copy: h = {fn(&helpers::memory_copy), 0, 3, true, false, ValType::Bottom}; break;
    case Op::memory_fill: h = {fn(&helpers::memory_fill), 0, 3, true, false, ValType::Bottom}; break;
    case Op::data_drop: h = {fn(&helpers::data_drop), 1, 0, false, false, ValType::Bottom}; break;
    case Op::table_init: h = {fn(&helpers::table_init), 2, 3, true, false, ValType::Bottom}; break;
    case Op::table_copy: h = {fn(&helpers::table_copy), 2, 3, true, false, ValType::Bottom}; break;
    case Op::table_fill: h = {fn(&helpers::table_fill), 1, 3, true, false, ValType::Bottom}; break;
    case Op::elem_drop: h = {fn(&helpers::elem_drop), 1, 0, false, false, ValType::Bottom}; break;
    case Op::table_get:
      h = {fn(&helpers::table_get), 1, 1, true, true, m_module->tables[ins.a].elem}; break;
    case Op::table_set: h = {fn(&helpers::table_set), 1, 2, true, false, ValType::Bottom}; break;
    case Op::table_size: h = {fn(&helpers::table_size), 1, 0, false, false, ValType::I32}; break;
    case Op::table_grow: h = {fn(&helpers::table_grow), 1, 2, true, true, ValType::I32}; break;
    default: return unsupported(ins);
  }
  spill_all();
  flush_dirty();  // the helper clobbers every register
  masm().helper_arg_ji(0);
  int k = 1;
  if (h.imms >= 1) masm().helper_arg_imm32(k++, i1);
  if (h.imms >= 2) masm().helper_arg_imm32(k++, i2);
  std::vector<Val> ops;
  for (int j = 0; j < h.pops; ++j) ops.push_back(pop());
  for (int j = h.pops - 1; j >= 0; --j) helper_arg(k++, ops[j]);
  call_helper(h.fn);
  if (h.traps) {
    if (h.flag_check) check_trapped();
    else masm().helper_branch_if_result(unwind_here());
  }
  if (h.result != ValType::Bottom) push_helper_result(h.result);
  else reset_regs();
}

// A SIMD instruction through its helper: f(ji, result home, a home, b home, x, y) with
// operands in their homes (helpers::SimdFn).
template <class B, class R>
void FrontEnd<B, R>::emit_simd_helper(const Instr& ins) {
  helpers::SimdHelper h = helpers::simd(static_cast<uint16_t>(ins.op));
  if (h.fn == nullptr) return unsupported(ins);
  using K = helpers::SimdKind;
  spill_all();
  flush_dirty();  // the helper clobbers every register
  // Operands, popped top first. `vec` entries are v128 homes; `x`/`y` scalar words.
  Val a{}, b{}, c{}, sx{};
  bool has_a = false, has_b = false, has_c = false, has_x = false;
  uint64_t y_imm = 0;
  bool y_is_imm = false;
  ValType result = ValType::V128;
  switch (h.kind) {
    case K::Un: a = pop(); has_a = true; break;
    case K::Bin: b = pop(); a = pop(); has_a = has_b = true; break;
    case K::Tern: c = pop(); b = pop(); a = pop(); has_a = has_b = has_c = true; break;
    case K::Test: a = pop(); has_a = true; result = ValType::I32; break;
    case K::Shift: sx = pop(); a = pop(); has_a = has_x = true; break;
    case K::Splat: sx = pop(); has_x = true; break;
    case K::Extract: {
      a = pop();
      has_a = true;
      switch (op_info(ins.op).sig) {
        case Sig::i64_v128: result = ValType::I64; break;
        case Sig::f32_v128: result = ValType::F32; break;
        case Sig::f64_v128: result = ValType::F64; break;
        default: result = ValType::I32; break;
      }
      break;
    }
    case K::Replace: sx = pop(); a = pop(); has_a = has_x = true; y_imm = ins.lane; y_is_imm = true; break;
    case K::Load: sx = pop(); has_x = true; y_imm = ins.imm; y_is_imm = true; break;
    case K::LoadLane:
      a = pop(); sx = pop(); has_a = has_x = true;
      y_imm = ins.imm | (uint64_t{ins.lane} << 32); y_is_imm = true;
      break;
    case K::StoreLane:
      a = pop(); sx = pop(); has_a = has_x = true; result = ValType::Bottom;
      y_imm = ins.imm | (uint64_t{ins.lane} << 32); y_is_imm = true;
      break;
    case K::Store:
      a = pop(); sx = pop(); has_a = has_x = true; result = ValType::Bottom;
      y_imm = ins.imm; y_is_imm = true;
      break;
    case K::Shuffle: b = pop(); a = pop(); has_a = has_b = true; break;
  }
  uint32_t dst_slot = next_slot();
  masm().helper_arg_ji(0);
  masm().helper_arg_home_addr(1, dst_slot);
  if (has_a) masm().helper_arg_home_addr(2, a.slot);
  if (has_b) masm().helper_arg_home_addr(3, b.slot);
  if (has_c) masm().helper_arg_home_addr(4, c.slot);
  if (has_x) helper_arg(4, sx);
  if (h.kind == K::Extract) masm().helper_arg_imm32(4, ins.lane);
  if (h.kind == K::Shuffle) {
    uint64_t lo, hi;
    std::memcpy(&lo, ins.v128.data(), 8);
    std::memcpy(&hi, ins.v128.data() + 8, 8);
    masm().helper_arg_imm64(4, lo);
    masm().helper_arg_imm64(5, hi);
  }
  if (y_is_imm) masm().helper_arg_imm64(5, y_imm);
  call_helper(reinterpret_cast<const void*>(h.fn));
  if (h.kind == K::Load || h.kind == K::LoadLane || h.kind == K::StoreLane || h.kind == K::Store)
    check_trapped();
  if (result == ValType::V128) {
    reset_regs();
    push_mem(ValType::V128);
  } else if (result != ValType::Bottom) {
    push_helper_result(result);
  } else {
    reset_regs();
  }
}

}  // namespace wsvm::jit

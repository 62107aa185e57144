// SIMD with NEON (simd.cpp has the value model): splat, extract/replace_lane, v128 loads and
// stores of every shape, and the conversions of two instructions. A memory access needs no
// check: like scalar loads (ops.cpp mem_address), index + offset stays inside the guard
// reservation and a fault takes the landing pad.
#include <cstring>

#include "jit/a64/compiler.hpp"
#include "jit/jit_abi.hpp"
#include "jit/simd_fold.hpp"

namespace wsvm::jit::a64 {

using namespace asmjit::a64;
using asmjit::imm;

bool Compiler::emit_simd_lanes(const Instr& ins) {
  const Op op = ins.op;
  constexpr ValType V = ValType::V128;
  const uint32_t lane = ins.lane;
  switch (op) {
    case Op::i8x16_splat: case Op::i16x8_splat: case Op::i32x4_splat: case Op::i64x2_splat:
    case Op::f32x4_splat: case Op::f64x2_splat: {
      Val x = pop();
      if (x.kind == Kind::Const) {  // folded
        const uint64_t w = splat_bits(op, x.c);
        push_v128_const(w, w);
        return true;
      }
      if (x.kind == Kind::Fp) {  // f32/f64 in a vector register: from its lane 0
        Vec s = Regs::fp(x.reg);
        release(x);
        Vec d = alloc_fp();
        if (op == Op::f32x4_splat) m_a.dup(arr(d, A::S4), aj::v(s.id()).s(0));
        else m_a.dup(arr(d, A::D2), aj::v(s.id()).d(0));
        return push_fp(V, d), true;
      }
      Gp r = read_reg(x);  // (an f32/f64 in a GP register: its bits)
      release(x);
      Vec d = alloc_fp();
      switch (op) {
        case Op::i8x16_splat: m_a.dup(arr(d, A::B16), r.w()); break;
        case Op::i16x8_splat: m_a.dup(arr(d, A::H8), r.w()); break;
        case Op::i32x4_splat: case Op::f32x4_splat: m_a.dup(arr(d, A::S4), r.w()); break;
        default: m_a.dup(arr(d, A::D2), r.x()); break;
      }
      push_fp(V, d);
      return true;
    }
    case Op::i8x16_extract_lane_s: case Op::i8x16_extract_lane_u:
    case Op::i16x8_extract_lane_s: case Op::i16x8_extract_lane_u:
    case Op::i32x4_extract_lane: case Op::f32x4_extract_lane:
    case Op::i64x2_extract_lane: case Op::f64x2_extract_lane: {
      const ValType t = op == Op::f32x4_extract_lane   ? ValType::F32
                        : op == Op::f64x2_extract_lane ? ValType::F64
                        : op == Op::i64x2_extract_lane ? ValType::I64
                                                       : ValType::I32;
      Val a = pop();
      if (a.kind == Kind::Const) {
        push_const(t, const_lane(op, a.c, a.c_hi, lane));
        return true;
      }
      Vec r = vsrc(a, v30);
      const aj::Vec v = aj::v(r.id());
      if (t == ValType::F32 || t == ValType::F64) {
        // dup to a scalar register clears the rest (an f32 keeps bits 32-63 zero).
        Vec d = alloc_fp();
        if (t == ValType::F32) m_a.dup(aj::s(d.id()), v.s(lane));
        else m_a.dup(aj::d(d.id()), v.d(lane));
        release(a);
        push_fp(t, d);
        return true;
      }
      Gp d = alloc();
      switch (op) {
        case Op::i8x16_extract_lane_s: m_a.smov(d.w(), v.b(lane)); break;
        case Op::i8x16_extract_lane_u: m_a.umov(d.w(), v.b(lane)); break;
        case Op::i16x8_extract_lane_s: m_a.smov(d.w(), v.h(lane)); break;
        case Op::i16x8_extract_lane_u: m_a.umov(d.w(), v.h(lane)); break;
        case Op::i32x4_extract_lane: m_a.umov(d.w(), v.s(lane)); break;
        default: m_a.umov(d.x(), v.d(lane)); break;
      }
      release(a);
      push_reg(t, d);
      return true;
    }
    case Op::i8x16_replace_lane: case Op::i16x8_replace_lane: case Op::i32x4_replace_lane:
    case Op::f32x4_replace_lane: case Op::i64x2_replace_lane: case Op::f64x2_replace_lane: {
      Val x = pop();
      Val a = pop();
      Vec d = to_fp(a);
      const aj::Vec v = aj::v(d.id());
      if (x.kind == Kind::Fp) {  // f32/f64 in a vector register
        const aj::Vec s = aj::v(Regs::fp(x.reg).id());
        if (op == Op::f32x4_replace_lane) m_a.mov(v.s(lane), s.s(0));
        else m_a.mov(v.d(lane), s.d(0));
      } else {
        Gp r = read_reg(x);
        switch (op) {
          case Op::i8x16_replace_lane: m_a.mov(v.b(lane), r.w()); break;
          case Op::i16x8_replace_lane: m_a.mov(v.h(lane), r.w()); break;
          case Op::i32x4_replace_lane: case Op::f32x4_replace_lane: m_a.mov(v.s(lane), r.w()); break;
          default: m_a.mov(v.d(lane), r.x()); break;
        }
      }
      release(x);
      push_fp(V, d);
      return true;
    }
    case Op::v128_load: case Op::v128_load8x8_s: case Op::v128_load8x8_u:
    case Op::v128_load16x4_s: case Op::v128_load16x4_u: case Op::v128_load32x2_s:
    case Op::v128_load32x2_u: case Op::v128_load8_splat: case Op::v128_load16_splat:
    case Op::v128_load32_splat: case Op::v128_load64_splat: case Op::v128_load32_zero:
    case Op::v128_load64_zero: {
      Val addr = pop();
      if (addr.kind != Kind::Const) read_reg(addr);  // registers first: an allocation may use x17
      release(addr);
      Vec d = alloc_fp();
      const Mem m = mem_address(addr, ins.imm);
      const aj::Vec v = aj::v(d.id());
      switch (op) {
        case Op::v128_load: m_a.ldr(v, m); break;
        // 64 bits widened: the 64-bit load clears the high half, sxtl/uxtl widen the low one.
        case Op::v128_load8x8_s: m_a.ldr(aj::d(d.id()), m); m_a.sxtl(v.h8(), v.b8()); break;
        case Op::v128_load8x8_u: m_a.ldr(aj::d(d.id()), m); m_a.uxtl(v.h8(), v.b8()); break;
        case Op::v128_load16x4_s: m_a.ldr(aj::d(d.id()), m); m_a.sxtl(v.s4(), v.h4()); break;
        case Op::v128_load16x4_u: m_a.ldr(aj::d(d.id()), m); m_a.uxtl(v.s4(), v.h4()); break;
        case Op::v128_load32x2_s: m_a.ldr(aj::d(d.id()), m); m_a.sxtl(v.d2(), v.s2()); break;
        case Op::v128_load32x2_u: m_a.ldr(aj::d(d.id()), m); m_a.uxtl(v.d2(), v.s2()); break;
        case Op::v128_load8_splat: m_a.ldrb(w16, m); m_a.dup(v.b16(), w16); break;
        case Op::v128_load16_splat: m_a.ldrh(w16, m); m_a.dup(v.h8(), w16); break;
        case Op::v128_load32_splat: m_a.ldr(w16, m); m_a.dup(v.s4(), w16); break;
        case Op::v128_load64_splat: m_a.ldr(x16, m); m_a.dup(v.d2(), x16); break;
        case Op::v128_load32_zero: m_a.ldr(aj::s(d.id()), m); break;  // (clears the rest)
        default: m_a.ldr(aj::d(d.id()), m); break;
      }
      push_fp(V, d);
      return true;
    }
    case Op::v128_load8_lane: case Op::v128_load16_lane: case Op::v128_load32_lane:
    case Op::v128_load64_lane: {
      Val a = pop();
      Val addr = pop();
      if (addr.kind != Kind::Const) read_reg(addr);
      Vec d = to_fp(a);
      const Mem m = mem_address(addr, ins.imm);
      release(addr);
      const aj::Vec v = aj::v(d.id());
      switch (op) {
        case Op::v128_load8_lane: m_a.ldrb(w16, m); m_a.mov(v.b(lane), w16); break;
        case Op::v128_load16_lane: m_a.ldrh(w16, m); m_a.mov(v.h(lane), w16); break;
        case Op::v128_load32_lane: m_a.ldr(w16, m); m_a.mov(v.s(lane), w16); break;
        default: m_a.ldr(x16, m); m_a.mov(v.d(lane), x16); break;
      }
      push_fp(V, d);
      return true;
    }
    case Op::v128_store: case Op::v128_store8_lane: case Op::v128_store16_lane:
    case Op::v128_store32_lane: case Op::v128_store64_lane: {
      Val val = pop();
      Val addr = pop();
      const aj::Vec s = aj::v(vsrc(val, v30).id());  // (a home may need x17: before the address)
      if (addr.kind != Kind::Const) read_reg(addr);
      const Mem m = mem_address(addr, ins.imm);
      switch (op) {
        case Op::v128_store: m_a.str(s, m); break;
        case Op::v128_store8_lane: m_a.umov(w16, s.b(lane)); m_a.strb(w16, m); break;
        case Op::v128_store16_lane: m_a.umov(w16, s.h(lane)); m_a.strh(w16, m); break;
        case Op::v128_store32_lane: m_a.umov(w16, s.s(lane)); m_a.str(w16, m); break;
        default: m_a.umov(x16, s.d(lane)); m_a.str(x16, m); break;
      }
      release(val);
      release(addr);
      return true;
    }
    case Op::f64x2_convert_low_i32x4_s: case Op::f64x2_convert_low_i32x4_u: {
      // Widen the low two lanes to 64 bits, then convert (exact: 32 bits fit a double).
      const bool sign = op == Op::f64x2_convert_low_i32x4_s;
      SimdArgs s = simd_args(1);
      if (sign) m_a.sxtl(arr(s.d, A::D2), arr(s.r[0], A::S2));
      else m_a.uxtl(arr(s.d, A::D2), arr(s.r[0], A::S2));
      if (sign) m_a.scvtf(arr(s.d, A::D2), arr(s.d, A::D2));
      else m_a.ucvtf(arr(s.d, A::D2), arr(s.d, A::D2));
      simd_done(s);
      return true;
    }
    case Op::i32x4_trunc_sat_f64x2_s_zero: case Op::i32x4_trunc_sat_f64x2_u_zero: {
      // Saturating conversion to 64-bit lanes, then saturating narrow into lanes 0-1 (the
      // 64-bit form clears lanes 2-3).
      SimdArgs s = simd_args(1);
      if (op == Op::i32x4_trunc_sat_f64x2_s_zero) {
        m_a.fcvtzs(arr(s.d, A::D2), arr(s.r[0], A::D2));
        m_a.sqxtn(arr(s.d, A::S2), arr(s.d, A::D2));
      } else {
        m_a.fcvtzu(arr(s.d, A::D2), arr(s.r[0], A::D2));
        m_a.uqxtn(arr(s.d, A::S2), arr(s.d, A::D2));
      }
      simd_done(s);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace wsvm::jit::a64

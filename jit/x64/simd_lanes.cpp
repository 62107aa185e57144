// SIMD lane access, memory and conversions, inline (compiler_simd.cpp has the value model):
// splat, extract/replace_lane, v128 loads and stores of every shape, narrow/extend,
// extended multiplies, pairwise adds and int<->float conversions. A memory access needs no
// check: the guard reservation faults (like scalar loads, compiler_ops.cpp mem_operand).
#include <cstring>

#include "jit/x64/compiler.hpp"
#include "jit/jit_abi.hpp"
#include "jit/simd_fold.hpp"

namespace wsvm::jit::x64 {

using asmjit::imm;
using namespace asmjit::x86;

namespace {
constexpr uint64_t splat16(uint16_t w) { return 0x0001000100010001ull * w; }
constexpr uint64_t splat32v(uint32_t d) { return d | uint64_t{d} << 32; }
constexpr uint64_t splat8(uint8_t b) { return 0x0101010101010101ull * b; }
}  // namespace

bool Compiler::emit_simd_lanes(const Instr& ins) {
  Op op = ins.op;
  constexpr ValType V = ValType::V128;
  uint32_t lane = ins.lane;
  switch (op) {
    case Op::i8x16_splat: case Op::i16x8_splat: case Op::i32x4_splat: case Op::i64x2_splat:
    case Op::f32x4_splat: case Op::f64x2_splat: {
      Val x = pop();
      if (x.kind == Kind::Const) {  // folded
        const uint64_t w = splat_bits(op, x.c);
        push_v128_const(w, w);
        return true;
      }
      if (x.kind == Kind::Fp && (op == Op::f32x4_splat || op == Op::f64x2_splat)) {
        Xmm d = to_fp(x);
        if (op == Op::f32x4_splat) m_a.shufps(d, d, imm(0));
        else m_a.movddup(d, d);
        push_fp(V, d);
        return true;
      }
      Gp r = read_reg(x);
      Xmm d = alloc_fp();
      switch (op) {
        case Op::i8x16_splat:
          m_a.movd(d, r.r32());
          m_a.pxor(xmm14, xmm14);
          m_a.pshufb(d, xmm14);
          break;
        case Op::i16x8_splat:
          m_a.movd(d, r.r32());
          m_a.pshuflw(d, d, imm(0));
          m_a.pshufd(d, d, imm(0));
          break;
        case Op::i32x4_splat: case Op::f32x4_splat:
          m_a.movd(d, r.r32());
          m_a.pshufd(d, d, imm(0));
          break;
        default:
          m_a.movq(d, r);
          m_a.punpcklqdq(d, d);
          break;
      }
      release(x);
      push_fp(V, d);
      return true;
    }
    case Op::i8x16_extract_lane_s: case Op::i8x16_extract_lane_u:
    case Op::i16x8_extract_lane_s: case Op::i16x8_extract_lane_u:
    case Op::i32x4_extract_lane: case Op::f32x4_extract_lane:
    case Op::i64x2_extract_lane: case Op::f64x2_extract_lane: {
      Val a = pop();
      if (a.kind == Kind::Const) {
        const ValType t = op == Op::f32x4_extract_lane   ? ValType::F32
                          : op == Op::f64x2_extract_lane ? ValType::F64
                          : op == Op::i64x2_extract_lane ? ValType::I64
                                                         : ValType::I32;
        push_const(t, const_lane(op, a.c, a.c_hi, lane));
        return true;
      }
      if (a.kind == Kind::Mem) {  // straight from the lane's bytes in the home
        int32_t base = static_cast<int32_t>(a.slot * 8);
        if (op == Op::f32x4_extract_lane || op == Op::f64x2_extract_lane) {
          Xmm d = alloc_fp();
          if (op == Op::f32x4_extract_lane) m_a.movss(d, dword_ptr(rsp, base + 4 * lane));
          else m_a.movsd(d, qword_ptr(rsp, base + 8 * lane));
          push_fp(op == Op::f32x4_extract_lane ? ValType::F32 : ValType::F64, d);
          return true;
        }
        Gp d = alloc();
        ValType t = ValType::I32;
        switch (op) {
          case Op::i8x16_extract_lane_s: m_a.movsx(d.r32(), byte_ptr(rsp, base + lane)); break;
          case Op::i8x16_extract_lane_u: m_a.movzx(d.r32(), byte_ptr(rsp, base + lane)); break;
          case Op::i16x8_extract_lane_s: m_a.movsx(d.r32(), word_ptr(rsp, base + 2 * lane)); break;
          case Op::i16x8_extract_lane_u: m_a.movzx(d.r32(), word_ptr(rsp, base + 2 * lane)); break;
          case Op::i32x4_extract_lane: m_a.mov(d.r32(), dword_ptr(rsp, base + 4 * lane)); break;
          default: m_a.mov(d, qword_ptr(rsp, base + 8 * lane)); t = ValType::I64; break;
        }
        push_reg(t, d);
        return true;
      }
      Xmm s = xmm(a.reg);
      if (op == Op::f32x4_extract_lane || op == Op::f64x2_extract_lane) {
        Xmm d = alloc_fp();
        if (op == Op::f32x4_extract_lane) {
          m_a.insertps(d, s, imm((lane << 6) | 0x0e));  // lane -> lane 0, zero lanes 1-3
        } else if (lane == 0) {
          m_a.movq(d, s);
        } else {
          m_a.movhlps(d, s);
        }
        release(a);
        push_fp(op == Op::f32x4_extract_lane ? ValType::F32 : ValType::F64, d);
        return true;
      }
      Gp d = alloc();
      ValType t = ValType::I32;
      switch (op) {
        case Op::i8x16_extract_lane_s:
          m_a.pextrb(d.r32(), s, imm(lane));
          m_a.movsx(d.r32(), gpb_lo(d.id()));
          break;
        case Op::i8x16_extract_lane_u: m_a.pextrb(d.r32(), s, imm(lane)); break;
        case Op::i16x8_extract_lane_s:
          m_a.pextrw(d.r32(), s, imm(lane));
          m_a.movsx(d.r32(), x86::gpw(d.id()));
          break;
        case Op::i16x8_extract_lane_u: m_a.pextrw(d.r32(), s, imm(lane)); break;
        case Op::i32x4_extract_lane:
          if (lane == 0) m_a.movd(d.r32(), s);
          else m_a.pextrd(d.r32(), s, imm(lane));
          break;
        default:
          if (lane == 0) m_a.movq(d, s);
          else m_a.pextrq(d, s, imm(lane));
          t = ValType::I64;
          break;
      }
      release(a);
      push_reg(t, d);
      return true;
    }
    case Op::i8x16_replace_lane: case Op::i16x8_replace_lane: case Op::i32x4_replace_lane:
    case Op::f32x4_replace_lane: case Op::i64x2_replace_lane: case Op::f64x2_replace_lane: {
      Val x = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      if (x.kind == Kind::Fp && op == Op::f32x4_replace_lane) {
        m_a.insertps(d, xmm(x.reg), imm(lane << 4));
      } else if (x.kind == Kind::Fp && op == Op::f64x2_replace_lane) {
        if (lane == 0) m_a.movsd(d, xmm(x.reg));
        else m_a.movlhps(d, xmm(x.reg));
      } else {
        Gp r = read_reg(x);
        switch (op) {
          case Op::i8x16_replace_lane: m_a.pinsrb(d, r.r32(), imm(lane)); break;
          case Op::i16x8_replace_lane: m_a.pinsrw(d, r.r32(), imm(lane)); break;
          case Op::i32x4_replace_lane: case Op::f32x4_replace_lane: m_a.pinsrd(d, r.r32(), imm(lane)); break;
          default: m_a.pinsrq(d, r, imm(lane)); break;
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
      uint32_t size = op_info(op).mem;
      Val addr = pop();
      Xmm d = alloc_fp();
      Mem m = mem_operand(addr, ins.imm, size);
      switch (op) {
        case Op::v128_load: m_a.movups(d, m); break;
        case Op::v128_load8x8_s: m_a.pmovsxbw(d, m); break;
        case Op::v128_load8x8_u: m_a.pmovzxbw(d, m); break;
        case Op::v128_load16x4_s: m_a.pmovsxwd(d, m); break;
        case Op::v128_load16x4_u: m_a.pmovzxwd(d, m); break;
        case Op::v128_load32x2_s: m_a.pmovsxdq(d, m); break;
        case Op::v128_load32x2_u: m_a.pmovzxdq(d, m); break;
        case Op::v128_load8_splat:
          m_a.pinsrb(d, m, imm(0));
          m_a.pxor(xmm14, xmm14);
          m_a.pshufb(d, xmm14);
          break;
        case Op::v128_load16_splat:
          m_a.pinsrw(d, m, imm(0));
          m_a.pshuflw(d, d, imm(0));
          m_a.pshufd(d, d, imm(0));
          break;
        case Op::v128_load32_splat:
          m_a.movss(d, m);
          m_a.shufps(d, d, imm(0));
          break;
        case Op::v128_load64_splat: m_a.movddup(d, m); break;
        case Op::v128_load32_zero: m_a.movss(d, m); break;
        default: m_a.movq(d, m); break;
      }
      release(addr);
      push_fp(V, d);
      return true;
    }
    case Op::v128_load8_lane: case Op::v128_load16_lane: case Op::v128_load32_lane:
    case Op::v128_load64_lane: {
      uint32_t size = op_info(op).mem;
      Val a = pop();
      Val addr = pop();
      Xmm d = to_fp(a);
      Mem m = mem_operand(addr, ins.imm, size);
      switch (op) {
        case Op::v128_load8_lane: m_a.pinsrb(d, m, imm(lane)); break;
        case Op::v128_load16_lane: m_a.pinsrw(d, m, imm(lane)); break;
        case Op::v128_load32_lane: m_a.pinsrd(d, m, imm(lane)); break;
        default:
          if (lane == 0) m_a.movlps(d, m);
          else m_a.movhps(d, m);
          break;
      }
      release(addr);
      push_fp(V, d);
      return true;
    }
    case Op::v128_store: case Op::v128_store8_lane: case Op::v128_store16_lane:
    case Op::v128_store32_lane: case Op::v128_store64_lane: {
      uint32_t size = op_info(op).mem;
      Val v = pop();
      Val addr = pop();
      Mem m = mem_operand(addr, ins.imm, size);
      Xmm s = v128_src(v, xmm15);
      switch (op) {
        case Op::v128_store: m_a.movups(m, s); break;
        case Op::v128_store8_lane: m_a.pextrb(m, s, imm(lane)); break;
        case Op::v128_store16_lane: m_a.pextrw(m, s, imm(lane)); break;
        case Op::v128_store32_lane:
          if (lane == 0) m_a.movss(m, s);
          else m_a.pextrd(m, s, imm(lane));
          break;
        default:
          if (lane == 0) m_a.movlps(m, s);
          else m_a.movhps(m, s);
          break;
      }
      release(v);
      release(addr);
      return true;
    }
    default:
      return false;
  }
}

bool Compiler::emit_simd_convert(const Instr& ins) {
  Op op = ins.op;
  constexpr ValType V = ValType::V128;
  // Widening of the low half (pmovsx/pmovzx); the high half is moved down first.
  struct Ext {
    asmjit::InstId id;
    bool high;
  };
  auto ext_form = [](Op o) -> Ext {
    switch (o) {
      case Op::i16x8_extend_low_i8x16_s: return {Inst::kIdPmovsxbw, false};
      case Op::i16x8_extend_high_i8x16_s: return {Inst::kIdPmovsxbw, true};
      case Op::i16x8_extend_low_i8x16_u: return {Inst::kIdPmovzxbw, false};
      case Op::i16x8_extend_high_i8x16_u: return {Inst::kIdPmovzxbw, true};
      case Op::i32x4_extend_low_i16x8_s: return {Inst::kIdPmovsxwd, false};
      case Op::i32x4_extend_high_i16x8_s: return {Inst::kIdPmovsxwd, true};
      case Op::i32x4_extend_low_i16x8_u: return {Inst::kIdPmovzxwd, false};
      case Op::i32x4_extend_high_i16x8_u: return {Inst::kIdPmovzxwd, true};
      case Op::i64x2_extend_low_i32x4_s: return {Inst::kIdPmovsxdq, false};
      case Op::i64x2_extend_high_i32x4_s: return {Inst::kIdPmovsxdq, true};
      case Op::i64x2_extend_low_i32x4_u: return {Inst::kIdPmovzxdq, false};
      case Op::i64x2_extend_high_i32x4_u: return {Inst::kIdPmovzxdq, true};
      default: return {Inst::kIdNone, false};
    }
  };
  if (Ext e = ext_form(op); e.id != Inst::kIdNone) {
    Val a = pop();
    Xmm d = to_fp(a);
    if (e.high) m_a.pshufd(d, d, imm(0xee));
    m_a.emit(e.id, d, d);
    push_fp(V, d);
    return true;
  }
  switch (op) {
    case Op::i16x8_extmul_low_i8x16_s: case Op::i16x8_extmul_high_i8x16_s:
    case Op::i16x8_extmul_low_i8x16_u: case Op::i16x8_extmul_high_i8x16_u: {
      bool high = op == Op::i16x8_extmul_high_i8x16_s || op == Op::i16x8_extmul_high_i8x16_u;
      bool sign = op == Op::i16x8_extmul_low_i8x16_s || op == Op::i16x8_extmul_high_i8x16_s;
      asmjit::InstId ext = sign ? Inst::kIdPmovsxbw : Inst::kIdPmovzxbw;
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm s = v128_src(b, xmm15);
      if (high) {
        m_a.pshufd(d, d, imm(0xee));
        m_a.pshufd(xmm14, s, imm(0xee));
        m_a.emit(ext, xmm14, xmm14);
      } else {
        m_a.emit(ext, xmm14, s);
      }
      m_a.emit(ext, d, d);
      m_a.pmullw(d, xmm14);
      release(b);
      push_fp(V, d);
      return true;
    }
    case Op::i32x4_extmul_low_i16x8_s: case Op::i32x4_extmul_high_i16x8_s:
    case Op::i32x4_extmul_low_i16x8_u: case Op::i32x4_extmul_high_i16x8_u: {
      // Low and high halves of the 32-bit products, interleaved.
      bool high = op == Op::i32x4_extmul_high_i16x8_s || op == Op::i32x4_extmul_high_i16x8_u;
      bool sign = op == Op::i32x4_extmul_low_i16x8_s || op == Op::i32x4_extmul_high_i16x8_s;
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm s = v128_src(b, xmm15);
      m_a.movaps(xmm14, d);
      m_a.pmullw(d, s);
      if (sign) m_a.pmulhw(xmm14, s);
      else m_a.pmulhuw(xmm14, s);
      if (high) m_a.punpckhwd(d, xmm14);
      else m_a.punpcklwd(d, xmm14);
      release(b);
      push_fp(V, d);
      return true;
    }
    case Op::i64x2_extmul_low_i32x4_s: case Op::i64x2_extmul_high_i32x4_s:
    case Op::i64x2_extmul_low_i32x4_u: case Op::i64x2_extmul_high_i32x4_u: {
      // pmuldq/pmuludq multiply lanes 0 and 2: spread the wanted lanes there first.
      bool high = op == Op::i64x2_extmul_high_i32x4_s || op == Op::i64x2_extmul_high_i32x4_u;
      bool sign = op == Op::i64x2_extmul_low_i32x4_s || op == Op::i64x2_extmul_high_i32x4_s;
      int sel = high ? 0xfa : 0x50;
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm s = v128_src(b, xmm15);
      m_a.pshufd(d, d, imm(sel));
      m_a.pshufd(xmm14, s, imm(sel));
      if (sign) m_a.pmuldq(d, xmm14);
      else m_a.pmuludq(d, xmm14);
      release(b);
      push_fp(V, d);
      return true;
    }
    case Op::i16x8_extadd_pairwise_i8x16_s: case Op::i16x8_extadd_pairwise_i8x16_u: {
      // pmaddubsw: unsigned bytes of the first operand times signed bytes of the second.
      Val a = pop();
      Xmm d = to_fp(a);
      if (op == Op::i16x8_extadd_pairwise_i8x16_u) {
        m_a.pmaddubsw(d, const128(splat8(1), splat8(1)));
      } else {
        m_a.movaps(xmm14, const128(splat8(1), splat8(1)));
        m_a.pmaddubsw(xmm14, d);
        m_a.movaps(d, xmm14);
      }
      push_fp(V, d);
      return true;
    }
    case Op::i32x4_extadd_pairwise_i16x8_s: case Op::i32x4_extadd_pairwise_i16x8_u: {
      Val a = pop();
      Xmm d = to_fp(a);
      if (op == Op::i32x4_extadd_pairwise_i16x8_u) {
        // Bias to signed, pairwise add, undo the bias (2 * 0x8000 per lane).
        m_a.pxor(d, const128(splat16(0x8000), splat16(0x8000)));
        m_a.pmaddwd(d, const128(splat16(1), splat16(1)));
        m_a.paddd(d, const128(splat32v(0x10000), splat32v(0x10000)));
      } else {
        m_a.pmaddwd(d, const128(splat16(1), splat16(1)));
      }
      push_fp(V, d);
      return true;
    }
    case Op::f32x4_convert_i32x4_s: {
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.cvtdq2ps(d, d);
      push_fp(V, d);
      return true;
    }
    case Op::f32x4_convert_i32x4_u: {
      // Low 16 bits convert exactly; the high part is halved to fit a signed conversion
      // (exact: at most 16 significant bits), doubled, and the sum rounds once.
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.movaps(xmm14, d);
      m_a.pslld(xmm14, imm(16));
      m_a.psrld(xmm14, imm(16));
      m_a.psubd(d, xmm14);
      m_a.cvtdq2ps(xmm14, xmm14);
      m_a.psrld(d, imm(1));
      m_a.cvtdq2ps(d, d);
      m_a.addps(d, d);
      m_a.addps(d, xmm14);
      push_fp(V, d);
      return true;
    }
    case Op::f64x2_convert_low_i32x4_s: {
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.cvtdq2pd(d, d);
      push_fp(V, d);
      return true;
    }
    case Op::f64x2_convert_low_i32x4_u: {
      // 0x43300000_xxxxxxxx is the double 2^52 + x: build it, subtract 2^52 (exact).
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.unpcklps(d, const128(splat32v(0x43300000u), splat32v(0x43300000u)));
      m_a.subpd(d, const128(0x4330000000000000ull, 0x4330000000000000ull));
      push_fp(V, d);
      return true;
    }
    case Op::f32x4_demote_f64x2_zero: {
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.cvtpd2ps(d, d);
      push_fp(V, d);
      return true;
    }
    case Op::f64x2_promote_low_f32x4: {
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.cvtps2pd(d, d);
      push_fp(V, d);
      return true;
    }
    case Op::i32x4_trunc_sat_f32x4_s: {
      // NaN lanes -> 0; cvttps2dq gives 0x80000000 on overflow: flip it to 0x7fffffff where
      // the input was positive.
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.movaps(xmm14, d);
      m_a.cmpps(xmm14, xmm14, imm(0));  // ordered lanes
      m_a.andps(d, xmm14);
      m_a.pxor(xmm14, d);               // top bit: input >= 0
      m_a.cvttps2dq(d, d);
      m_a.pand(xmm14, d);               // top bit: input >= 0 and result negative
      m_a.psrad(xmm14, imm(31));
      m_a.pxor(d, xmm14);
      push_fp(V, d);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace wsvm::jit::x64

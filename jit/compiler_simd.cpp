// SIMD instructions and v128 data movement. A v128 value never lives in a register: it
// stays in its 16-byte home (two frame slots), and each SIMD instruction calls its helper
// (simd_helpers.cpp) with pointers to the homes. Inline SSE4.1/AVX forms come next.
#include "jit/compiler.hpp"
#include "jit/jit_abi.hpp"

namespace wsvm::jit {

using asmjit::imm;
using namespace asmjit::x86;

void FunctionCompiler::copy_v128(const Mem& dst, const Mem& src) {
  Mem d = dst, s = src;
  d.setSize(16);
  s.setSize(16);
  m_a.movups(xmm15, s);
  m_a.movups(d, xmm15);
}

namespace {
// Lane-wise binary ops that are one SSE2/SSE4.1 instruction with exactly the wasm semantics
// (integer ops; float add/sub/mul/div, whose NaN results are quiet NaNs as the spec allows).
asmjit::InstId inline_bin(Op op) {
  switch (op) {
    case Op::v128_and: return Inst::kIdPand;
    case Op::v128_or: return Inst::kIdPor;
    case Op::v128_xor: return Inst::kIdPxor;
    case Op::i8x16_add: return Inst::kIdPaddb;
    case Op::i16x8_add: return Inst::kIdPaddw;
    case Op::i32x4_add: return Inst::kIdPaddd;
    case Op::i64x2_add: return Inst::kIdPaddq;
    case Op::i8x16_sub: return Inst::kIdPsubb;
    case Op::i16x8_sub: return Inst::kIdPsubw;
    case Op::i32x4_sub: return Inst::kIdPsubd;
    case Op::i64x2_sub: return Inst::kIdPsubq;
    case Op::i16x8_mul: return Inst::kIdPmullw;
    case Op::i32x4_mul: return Inst::kIdPmulld;
    case Op::i8x16_add_sat_s: return Inst::kIdPaddsb;
    case Op::i8x16_add_sat_u: return Inst::kIdPaddusb;
    case Op::i16x8_add_sat_s: return Inst::kIdPaddsw;
    case Op::i16x8_add_sat_u: return Inst::kIdPaddusw;
    case Op::i8x16_sub_sat_s: return Inst::kIdPsubsb;
    case Op::i8x16_sub_sat_u: return Inst::kIdPsubusb;
    case Op::i16x8_sub_sat_s: return Inst::kIdPsubsw;
    case Op::i16x8_sub_sat_u: return Inst::kIdPsubusw;
    case Op::i8x16_min_s: return Inst::kIdPminsb;
    case Op::i8x16_min_u: return Inst::kIdPminub;
    case Op::i8x16_max_s: return Inst::kIdPmaxsb;
    case Op::i8x16_max_u: return Inst::kIdPmaxub;
    case Op::i16x8_min_s: return Inst::kIdPminsw;
    case Op::i16x8_min_u: return Inst::kIdPminuw;
    case Op::i16x8_max_s: return Inst::kIdPmaxsw;
    case Op::i16x8_max_u: return Inst::kIdPmaxuw;
    case Op::i32x4_min_s: return Inst::kIdPminsd;
    case Op::i32x4_min_u: return Inst::kIdPminud;
    case Op::i32x4_max_s: return Inst::kIdPmaxsd;
    case Op::i32x4_max_u: return Inst::kIdPmaxud;
    case Op::i8x16_avgr_u: return Inst::kIdPavgb;
    case Op::i16x8_avgr_u: return Inst::kIdPavgw;
    case Op::i8x16_eq: return Inst::kIdPcmpeqb;
    case Op::i16x8_eq: return Inst::kIdPcmpeqw;
    case Op::i32x4_eq: return Inst::kIdPcmpeqd;
    case Op::i64x2_eq: return Inst::kIdPcmpeqq;
    case Op::i8x16_gt_s: return Inst::kIdPcmpgtb;
    case Op::i16x8_gt_s: return Inst::kIdPcmpgtw;
    case Op::i32x4_gt_s: return Inst::kIdPcmpgtd;
    case Op::f32x4_add: return Inst::kIdAddps;
    case Op::f32x4_sub: return Inst::kIdSubps;
    case Op::f32x4_mul: return Inst::kIdMulps;
    case Op::f32x4_div: return Inst::kIdDivps;
    case Op::f64x2_add: return Inst::kIdAddpd;
    case Op::f64x2_sub: return Inst::kIdSubpd;
    case Op::f64x2_mul: return Inst::kIdMulpd;
    case Op::f64x2_div: return Inst::kIdDivpd;
    default: return Inst::kIdNone;
  }
}

struct ShiftForm {
  asmjit::InstId id;
  uint32_t mask;
};
ShiftForm inline_shift(Op op) {
  switch (op) {
    case Op::i16x8_shl: return {Inst::kIdPsllw, 15};
    case Op::i16x8_shr_s: return {Inst::kIdPsraw, 15};
    case Op::i16x8_shr_u: return {Inst::kIdPsrlw, 15};
    case Op::i32x4_shl: return {Inst::kIdPslld, 31};
    case Op::i32x4_shr_s: return {Inst::kIdPsrad, 31};
    case Op::i32x4_shr_u: return {Inst::kIdPsrld, 31};
    case Op::i64x2_shl: return {Inst::kIdPsllq, 63};
    case Op::i64x2_shr_u: return {Inst::kIdPsrlq, 63};
    default: return {Inst::kIdNone, 0};
  }
}
}  // namespace

Mem FunctionCompiler::home128(uint32_t slot) const {
  return ptr(rsp, static_cast<int32_t>(slot * 8), 16);
}

// The common SIMD forms inline; false when `ins` needs its helper.
bool FunctionCompiler::emit_simd_inline(const Instr& ins) {
  Op op = ins.op;
  if (asmjit::InstId id = inline_bin(op); id != Inst::kIdNone) {
    Val b = pop();
    Val a = pop();
    m_a.movups(xmm15, home128(a.slot));
    m_a.movups(xmm14, home128(b.slot));
    m_a.emit(id, xmm15, xmm14);
    push_mem(ValType::V128);
    m_a.movups(home128(m_vs.back().slot), xmm15);
    return true;
  }
  if (ShiftForm sf = inline_shift(op); sf.id != Inst::kIdNone) {
    Val n = pop();
    Val a = pop();
    m_a.movups(xmm15, home128(a.slot));
    if (n.kind == Kind::Const) {
      m_a.emit(sf.id, xmm15, imm(static_cast<uint32_t>(n.c) & sf.mask));
    } else {
      Gp r = to_reg(n);
      m_a.mov(r11d, r.r32());
      m_a.and_(r11d, imm(sf.mask));
      m_a.movd(xmm14, r11d);
      m_a.emit(sf.id, xmm15, xmm14);
      release(n);
    }
    push_mem(ValType::V128);
    m_a.movups(home128(m_vs.back().slot), xmm15);
    return true;
  }
  switch (op) {
    case Op::v128_load: {  // guard pages bound it, like scalar loads
      Val addr = pop();
      Mem m = mem_operand(addr, ins.imm, 16);
      m_a.movups(xmm15, m);
      release(addr);
      push_mem(ValType::V128);
      m_a.movups(home128(m_vs.back().slot), xmm15);
      return true;
    }
    case Op::v128_store: {
      Val v = pop();
      Val addr = pop();
      m_a.movups(xmm15, home128(v.slot));
      Mem m = mem_operand(addr, ins.imm, 16);
      m_a.movups(m, xmm15);
      release(addr);
      return true;
    }
    case Op::i32x4_splat:
    case Op::f32x4_splat:
    case Op::i64x2_splat:
    case Op::f64x2_splat: {
      Val x = pop();
      Gp r = to_reg(x);
      if (op == Op::i32x4_splat || op == Op::f32x4_splat) {
        m_a.movd(xmm15, r.r32());
        m_a.pshufd(xmm15, xmm15, imm(0));
      } else {
        m_a.movq(xmm15, r);
        m_a.punpcklqdq(xmm15, xmm15);
      }
      release(x);
      push_mem(ValType::V128);
      m_a.movups(home128(m_vs.back().slot), xmm15);
      return true;
    }
    case Op::i8x16_extract_lane_s: case Op::i8x16_extract_lane_u:
    case Op::i16x8_extract_lane_s: case Op::i16x8_extract_lane_u:
    case Op::i32x4_extract_lane: case Op::f32x4_extract_lane:
    case Op::i64x2_extract_lane: case Op::f64x2_extract_lane: {
      // Straight from the lane's bytes in the home.
      Val a = pop();
      Gp d = alloc();
      int32_t base = static_cast<int32_t>(a.slot * 8);
      ValType t = ValType::I32;
      switch (op) {
        case Op::i8x16_extract_lane_s: m_a.movsx(d.r32(), byte_ptr(rsp, base + ins.lane)); break;
        case Op::i8x16_extract_lane_u: m_a.movzx(d.r32(), byte_ptr(rsp, base + ins.lane)); break;
        case Op::i16x8_extract_lane_s: m_a.movsx(d.r32(), word_ptr(rsp, base + 2 * ins.lane)); break;
        case Op::i16x8_extract_lane_u: m_a.movzx(d.r32(), word_ptr(rsp, base + 2 * ins.lane)); break;
        case Op::i32x4_extract_lane: m_a.mov(d.r32(), dword_ptr(rsp, base + 4 * ins.lane)); break;
        case Op::f32x4_extract_lane:
          m_a.mov(d.r32(), dword_ptr(rsp, base + 4 * ins.lane));
          t = ValType::F32;
          break;
        case Op::i64x2_extract_lane: m_a.mov(d, qword_ptr(rsp, base + 8 * ins.lane)); t = ValType::I64; break;
        default: m_a.mov(d, qword_ptr(rsp, base + 8 * ins.lane)); t = ValType::F64; break;
      }
      push_reg(t, d);
      return true;
    }
    case Op::i8x16_replace_lane: case Op::i16x8_replace_lane: case Op::i32x4_replace_lane:
    case Op::f32x4_replace_lane: case Op::i64x2_replace_lane: case Op::f64x2_replace_lane: {
      // The result's home is the vector operand's: write the lane in place.
      Val x = pop();
      Val a = pop();
      Gp r = to_reg(x);
      int32_t base = static_cast<int32_t>(a.slot * 8);
      switch (op) {
        case Op::i8x16_replace_lane: m_a.mov(byte_ptr(rsp, base + ins.lane), gpb_lo(r.id())); break;
        case Op::i16x8_replace_lane: m_a.mov(word_ptr(rsp, base + 2 * ins.lane), x86::gpw(r.id())); break;
        case Op::i32x4_replace_lane: case Op::f32x4_replace_lane:
          m_a.mov(dword_ptr(rsp, base + 4 * ins.lane), r.r32());
          break;
        default: m_a.mov(qword_ptr(rsp, base + 8 * ins.lane), r); break;
      }
      release(x);
      push_mem(ValType::V128);
      return true;
    }
    default:
      return false;
  }
}

void FunctionCompiler::emit_simd(const Instr& ins) {
  if (emit_simd_inline(ins)) return;
  if (ins.op == Op::v128_const) {
    spill_all();
    push_mem(ValType::V128);
    uint64_t lo, hi;
    std::memcpy(&lo, ins.v128.data(), 8);
    std::memcpy(&hi, ins.v128.data() + 8, 8);
    uint32_t s = m_vs.back().slot;
    store_to(home(s), Val{ValType::I64, Kind::Const, 0, 0, 0, lo});
    store_to(home(s + 1), Val{ValType::I64, Kind::Const, 0, 0, 0, hi});
    return;
  }
  helpers::SimdHelper h = helpers::simd(static_cast<uint16_t>(ins.op));
  if (h.fn == nullptr) return unsupported(ins);
  using K = helpers::SimdKind;
  spill_all();
  // Operands, popped top first. `vec` entries are v128 homes; `x`/`y` scalar words.
  auto scalar = [&](const Gp& r, const Val& v) {
    if (v.kind == Kind::Const) m_a.mov(r, imm(v.c));
    else m_a.mov(r, home(v.slot));
  };
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
      y_is_imm = false;
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
  m_a.mov(rdi, r13);
  m_a.lea(rsi, home(dst_slot));
  if (has_a) m_a.lea(rdx, home(a.slot));
  if (has_b) m_a.lea(rcx, home(b.slot));
  if (has_c) m_a.lea(r8, home(c.slot));
  if (has_x) scalar(r8, sx);
  if (h.kind == K::Extract) m_a.mov(r8d, imm(ins.lane));
  if (h.kind == K::Shuffle) {
    uint64_t lo, hi;
    std::memcpy(&lo, ins.v128.data(), 8);
    std::memcpy(&hi, ins.v128.data() + 8, 8);
    m_a.mov(r8, imm(lo));
    m_a.mov(r9, imm(hi));
  }
  if (y_is_imm) m_a.mov(r9, imm(y_imm));
  call_helper(reinterpret_cast<const void*>(h.fn));
  if (h.kind == K::Load || h.kind == K::LoadLane || h.kind == K::StoreLane || h.kind == K::Store)
    check_trapped();
  reset_regs();
  if (result == ValType::V128) {
    push_mem(ValType::V128);
  } else if (result != ValType::Bottom) {
    if (!is64(result)) m_a.mov(eax, eax);
    push_reg(result, rax);
  }
}

}  // namespace wsvm::jit

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

void FunctionCompiler::emit_simd(const Instr& ins) {
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
  m_free = kAllocatableRegs;
  if (result == ValType::V128) {
    push_mem(ValType::V128);
  } else if (result != ValType::Bottom) {
    if (!is64(result)) m_a.mov(eax, eax);
    push_reg(result, rax);
  }
}

}  // namespace wsvm::jit

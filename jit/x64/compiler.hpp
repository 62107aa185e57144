// The x86-64 backend of the baseline compiler: the front end's primitives (jit/frontend.hpp,
// "Backend contract") and the instruction emitters, with asmjit's x86::Assembler through
// FastAssembler.
//
// Frame (rsp-relative, rsp fixed after the prologue):
//   [rsp + 8*k]   slot k (frontend.hpp: locals, then the walker's operand slots)
//   [rbp - 8]     the caller's slot area pointer (arguments in, results out)
// Registers: rax rcx rdx rbx rsi rdi r8 r9 r10 r12 allocatable, r11 scratch; xmm0-13
// allocatable, xmm14/xmm15 scratch; rsp, rbp and r13-r15 are the frame and pinned registers
// (jit_abi.hpp). compiler.cpp: the primitives; ops.cpp, simd.cpp, simd_lanes.cpp: the
// instruction emitters.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "jit/frontend.hpp"
#include "jit/x64/fast_assembler.hpp"

namespace wsvm::jit::x64 {

namespace x86 = asmjit::x86;

// The register file the front end allocates from.
struct Regs {
  using Gp = x86::Gp;
  using Fp = x86::Xmm;
  static constexpr uint32_t kRegs = 16;
  // rax rcx rdx rbx rsi rdi r8 r9 r10 r12: allocatable. r11 is the scratch register; rsp, rbp
  // and r13-r15 are the frame and pinned registers (jit_abi.hpp).
  static constexpr uint32_t kGpAllocatable = (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) |
                                             (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) |
                                             (1u << 10) | (1u << 12);
  // xmm0-xmm13 hold f32/f64/v128 values; xmm14/xmm15 are scratch (SIMD, float operands).
  static constexpr uint32_t kFpAllocatable = 0x3fff;
  static constexpr uint8_t kPadSlots = 4;
  static Gp gp(uint32_t id) { return x86::gpq(id); }
  static Fp fp(uint32_t id) { return x86::xmm(id); }
  static uint32_t id(const x86::Reg& r) { return r.id(); }
};

class Compiler final : public FrontEnd<Compiler, Regs> {
  using Base = FrontEnd<Compiler, Regs>;
  friend Base;

 public:
  Compiler(FastAssembler& a, ModuleLabels& labels, EngineConfig config, bool has_lzcnt)
      : Base(labels, config), m_a(a), m_lzcnt(has_lzcnt) {}

  // Instructions this backend declines on purpose: none (jit_engine.hpp).
  static bool bails_out(Op) { return false; }

 private:
  using Gp = x86::Gp;
  using Xmm = x86::Xmm;
  using Mem = x86::Mem;
  using CondCode = x86::CondCode;

  // ---- primitives (frontend.hpp, "Backend contract"); compiler.cpp
  Label new_label() { return m_a.new_local_label(); }
  void bind(Label l) { m_a.bind(l); }
  size_t offset() const { return m_a.offset(); }
  void recycle_labels() { m_a.recycle_local_labels(); }
  void prologue(Label entry, Label stack_trap);
  void init_locals(uint32_t param_slots, uint32_t local_slots);
  void epilogue(Label label);
  bool set_frame(uint64_t bytes);
  uint32_t label_offset(Label l) { return static_cast<uint32_t>(m_a.code()->labelOffset(l)); }
  uint32_t last_call_return() const { return m_last_call; }
  void end_code() { emit_constant_pool(); }
  void begin_function_data();
  void load_gp(Gp r, uint32_t slot, bool wide) {
    if (wide) m_a.mov(r, home(slot));
    else m_a.mov(r.r32(), home32(slot));
  }
  void load_fp(Xmm x, uint32_t slot, ValType t);  // movss/movsd/movups from a home
  void store_gp(uint32_t slot, Gp r) { m_a.mov(home(slot), r); }
  void store_fp(uint32_t slot, Xmm x, ValType t);
  void move_gp(Gp d, Gp s) { m_a.mov(d, s); }
  void move_fp(Xmm d, Xmm s) { m_a.movaps(d, s); }
  void fp_from_gp(Xmm x, Gp r, bool f64) {
    if (f64) m_a.movq(x, r);
    else m_a.movd(x, r.r32());
  }
  void gp_from_fp(Gp r, Xmm x, bool f64) {
    if (f64) m_a.movq(r, x);
    else m_a.movd(r.r32(), x);
  }
  void gp_const(Gp r, uint64_t c);
  void fp_const(Xmm x, uint64_t c, bool f64);
  void v128_const(Xmm x, uint64_t lo, uint64_t hi) { load_v128_const(x, lo, hi); }
  void flag_to_gp(Gp r, uint8_t cond);
  void store_val(uint32_t slot, const Val& v) { store_to(home(slot), v); }
  void begin_results() { m_a.mov(x86::r11, x86::qword_ptr(x86::rbp, -8)); }
  void store_result(uint32_t index, const Val& v);
  void jump(Label l) { m_a.jmp(l); }
  void branch(uint8_t cond, Label l) { m_a.j(static_cast<CondCode>(cond), l); }
  static uint8_t negate(uint8_t cond) { return static_cast<uint8_t>(x86::negateCond(static_cast<CondCode>(cond))); }
  void branch_reg(Gp r, Label l, bool nonzero);
  void branch_home(uint32_t slot, Label l, bool nonzero);
  void jump_table(Gp idx, const std::vector<Label>& entries, Label dflt);
  void pad();
  bool pad_load(size_t pos, uint32_t index, int reg, bool fp, ValType t, uint32_t slot);
  void pad_skip(size_t pos, uint32_t used);
  void trap_stub(Label at, TrapKind kind, Label unwind);
  void stack_trap_stub(Label at);
  void unwind_stub(Label at);
  void branch_if_trapped(Label unwind);
  void call_raw(const void* fn);
  void call_import(uint32_t func_index, uint32_t arg_slot, Label unwind);
  void call_direct(Label fn, uint32_t arg_slot);
  void tail_call_direct(Label fn, uint32_t arg_slot, uint32_t n);
  uint8_t test_ref(Gp r, bool null) {
    m_a.test(r, r);
    return static_cast<uint8_t>(null ? x86::CondCode::kZ : x86::CondCode::kNZ);
  }
  Label resolve_callee(const void* helper, uint32_t a, uint32_t b, const Val& callee,
                       uint32_t arg_slot, Label unwind);
  void call_resolved(Label done, uint32_t arg_slot);
  void tail_call_resolved(Label done, uint32_t arg_slot, uint32_t n);
  void leave_for_tail_call(uint32_t arg_slot, uint32_t n);
  void branch_if_interrupted(Label trap);
  void fuel_charge(Label out_of_fuel, size_t patch[2]);
  void fuel_patch(const size_t patch[2], uint32_t cost);
  // C arguments: rdi rsi rdx rcx r8 r9; the result in rax.
  static Gp helper_reg(int k) {
    static constexpr uint32_t kArgs[6] = {7, 6, 2, 1, 8, 9};
    return x86::gpq(kArgs[k]);
  }
  void helper_arg_ji(int k) { m_a.mov(helper_reg(k), x86::r13); }
  void helper_arg_imm32(int k, uint32_t v) { m_a.mov(helper_reg(k).r32(), asmjit::imm(v)); }
  void helper_arg_imm64(int k, uint64_t v) { m_a.mov(helper_reg(k), asmjit::imm(v)); }
  void helper_arg_home(int k, uint32_t slot) { m_a.mov(helper_reg(k), home(slot)); }
  void helper_arg_home_addr(int k, uint32_t slot) { m_a.lea(helper_reg(k), home(slot)); }
  void helper_arg_exn_word(int k, uint32_t i) { m_a.mov(helper_reg(k), x86::qword_ptr(x86::rbp, exn_word_offset(i))); }
  void helper_branch_if_result(Label l) {
    m_a.test(x86::eax, x86::eax);
    m_a.jnz(l);
  }
  Gp helper_result(bool wide) {
    if (!wide) m_a.mov(x86::eax, x86::eax);
    return x86::rax;
  }

  // ---- x86 operands and values
  void push_flags(CondCode cc) { Base::push_flags(static_cast<uint8_t>(cc)); }
  void trap_if(CondCode cc, TrapKind kind) { m_a.j(cc, trap_label(kind)); }
  static Mem home(uint32_t slot) { return x86::qword_ptr(x86::rsp, static_cast<int32_t>(slot * 8)); }
  static Mem home32(uint32_t slot) { return x86::dword_ptr(x86::rsp, static_cast<int32_t>(slot * 8)); }
  static Mem home_of(const Val& v, bool wide) { return wide ? home(v.slot) : home32(v.slot); }
  static Gp gp(const Val& v) { return x86::gpq(v.reg); }
  static Gp gpw(const Val& v, bool wide) { return wide ? Gp(x86::gpq(v.reg)) : Gp(x86::gpd(v.reg)); }
  bool fits_imm32(const Val& v) const;  // usable as a sign-extended imm32 operand
  void store_to(const Mem& dst, const Val& v);  // 8 bytes (v128: 16), via r11 when needed
  asmjit::Operand float_src(Val& v, bool f64);  // xmm, home or xmm15 (v stays where it is)

  // ---- ops.cpp
  void on_simple(const Instr& ins, const WalkState& st);
  void emit_int_binop(const Instr& ins, bool wide);
  void emit_compare(Op op, bool wide);
  void emit_divrem(Op op, bool wide);
  void emit_shift(Op op, bool wide);
  void emit_float_binop(Op op, bool f64);
  void emit_float_compare(Op op, bool f64);
  void emit_float_unop(Op op, ValType rt);
  void emit_unop(const Instr& ins);
  void emit_load(const Instr& ins);
  void emit_store(const Instr& ins);
  Mem mem_operand(Val& addr, uint64_t offset, uint32_t size);
  void emit_select(const Instr& ins);
  void emit_global(const Instr& ins);

  // ---- simd.cpp, simd_lanes.cpp
  void emit_simd(const Instr& ins);
  bool emit_simd_inline(const Instr& ins);
  bool emit_simd_lanes(const Instr& ins);    // splat, extract/replace lane, loads/stores
  bool emit_simd_convert(const Instr& ins);  // narrow/extend/extmul/convert/trunc ...
  static Mem home128(uint32_t slot);
  void copy_v128(const Mem& dst, const Mem& src);
  void push_v128_const(uint64_t lo, uint64_t hi);
  Mem const128(uint64_t lo, uint64_t hi);  // a 16-byte aligned constant in the pool
  Mem splat32(uint32_t v) { return const128(v | uint64_t{v} << 32, v | uint64_t{v} << 32); }
  void load_v128_const(Xmm x, uint64_t lo, uint64_t hi);
  // A v128 operand readable as a register: its own xmm, or loaded into `scratch`. Call it
  // after every allocation of the instruction (an allocation may spill through xmm15).
  Xmm v128_src(Val& v, Xmm scratch);
  Xmm tmp_xmm() { return alloc_fp(); }
  void free_tmp(Xmm x) { m_free_fp |= 1u << x.id(); }
  void emit_constant_pool();

  FastAssembler& m_a;  // typed overloads of the hot mnemonics encode inline (fast_assembler.hpp)
  bool m_lzcnt;
  size_t m_frame_patch = 0;            // imm32 of `sub rsp, frame`
  uint32_t m_last_call = 0;            // code offset after the last call_raw
  // v128 constants of this function, emitted 16-byte aligned after its code.
  struct PoolEntry {
    uint64_t lo, hi;
    Label label;
  };
  std::vector<PoolEntry> m_pool;
  struct Const128 {
    uint64_t lo, hi;
    bool operator==(const Const128&) const = default;
  };
  struct Const128Hash {
    size_t operator()(const Const128& k) const { return std::hash<uint64_t>{}(k.lo * 0x9e3779b97f4a7c15ull ^ k.hi); }
  };
  std::unordered_map<Const128, uint32_t, Const128Hash> m_pool_index;  // constant -> m_pool index
  // The last f32/f64 load, when nothing was emitted after it: a float binop consuming it
  // rewinds the load and reads the memory operand itself (mulsd x, [mem]).
  struct FoldableLoad {
    size_t start = 0, end = 0;
    Mem mem;
    uint8_t reg = 0xff;
    bool f64 = false;
    bool valid = false;
  };
  FoldableLoad m_fold;
  bool take_fold(const Val& v, bool f64);  // v is that load's value: rewind it
};

}  // namespace wsvm::jit::x64

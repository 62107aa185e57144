// The AArch64 backend of the baseline compiler (issue 21): the front end's primitives
// (jit/frontend.hpp, "Backend contract") and the instruction emitters, with asmjit's
// a64::Assembler.
//
// Frame (sp-relative, sp fixed after the prologue; AAPCS64 frame records, so the backtrace
// walk is the x86-64 one: [x29] = caller's x29, [x29 + 8] = return address):
//   [sp + 8*k]    slot k (frontend.hpp: locals, then the walker's operand slots)
//   [x29 - 8]     the caller's slot area pointer (arguments in, results out)
// Registers: x0-x15 allocatable; x16 (value) and x17 (address) scratch, x18 the results
// pointer of a return; x19 = JitInstance*, x20 = memory 0 base, x21 = ExecContext* (pinned,
// callee-saved); x29 frame pointer, x30 link register. v0-v29 allocatable, v30/v31 scratch.
// Internal calls: x1 = the slot area (as rsi on x86-64), every other register clobbered.
// compiler.cpp: the primitives; ops.cpp: the instruction emitters.
#pragma once

#include <asmjit/arm.h>
#include <asmjit/arm/a64assembler.h>

#include <cstdint>
#include <tuple>
#include <vector>

#include "jit/frontend.hpp"

namespace wsvm::jit::a64 {

namespace aj = asmjit::a64;

// The register file the front end allocates from.
struct Regs {
  using Gp = aj::Gp;
  using Fp = aj::Vec;
  static constexpr uint32_t kRegs = 32;
  static constexpr uint32_t kGpAllocatable = 0xffff;           // x0-x15
  static constexpr uint32_t kFpAllocatable = (1u << 30) - 1;   // v0-v29
  static constexpr uint8_t kPadSlots = 0;  // no loop preheader loads (yet)
  static Gp gp(uint32_t id) { return aj::x(id); }
  static Fp fp(uint32_t id) { return aj::d(id); }
  static uint32_t id(const asmjit::arm::Reg& r) { return r.id(); }
};

class Compiler final : public FrontEnd<Compiler, Regs> {
  using Base = FrontEnd<Compiler, Regs>;
  friend Base;

 public:
  Compiler(aj::Assembler& a, ModuleLabels& labels, EngineConfig config, bool)
      : Base(labels, config), m_a(a) {}

  // Instructions this backend declines on purpose (a clear compile error, never a crash).
  static bool bails_out(Op op);

 private:
  using Gp = aj::Gp;
  using Vec = aj::Vec;
  using Mem = aj::Mem;

  // ---- primitives (frontend.hpp, "Backend contract"); compiler.cpp
  Label new_label() { return m_a.newLabel(); }
  void bind(Label l) { m_a.bind(l); }
  size_t offset() const { return m_a.offset(); }
  void recycle_labels() {}
  void prologue(Label entry, Label stack_trap);
  void init_locals(uint32_t param_slots, uint32_t local_slots);
  void epilogue(Label label);
  bool set_frame(uint64_t bytes);
  uint32_t label_offset(Label l) { return static_cast<uint32_t>(m_a.code()->labelOffset(l)); }
  uint32_t last_call_return() const { return m_last_call; }
  void end_code() {}
  void begin_function_data() { m_frame_ok = true; }
  void load_gp(Gp r, uint32_t slot, bool wide);
  void load_fp(Vec x, uint32_t slot, ValType t);
  void store_gp(uint32_t slot, Gp r);
  void store_fp(uint32_t slot, Vec x, ValType t);
  void move_gp(Gp d, Gp s) { m_a.mov(d.x(), s.x()); }
  void move_fp(Vec d, Vec s) { m_a.mov(aj::v(d.id()).b16(), aj::v(s.id()).b16()); }
  void fp_from_gp(Vec x, Gp r, bool f64) {
    if (f64) m_a.fmov(aj::d(x.id()), r.x());
    else m_a.fmov(aj::s(x.id()), r.w());
  }
  void gp_from_fp(Gp r, Vec x, bool f64) {
    if (f64) m_a.fmov(r.x(), aj::d(x.id()));
    else m_a.fmov(r.w(), aj::s(x.id()));
  }
  void gp_const(Gp r, uint64_t c);
  void fp_const(Vec x, uint64_t c, bool f64);
  void v128_const(Vec x, uint64_t lo, uint64_t hi);
  void flag_to_gp(Gp r, uint8_t cond);
  void store_val(uint32_t slot, const Val& v);
  void begin_results() { m_a.ldur(aj::x18, aj::ptr(aj::x29, -8)); }
  void store_result(uint32_t index, const Val& v);
  void jump(Label l) { m_a.b(l); }
  void branch(uint8_t cond, Label l) { m_a.b(static_cast<asmjit::arm::CondCode>(cond), l); }
  static uint8_t negate(uint8_t cond) { return static_cast<uint8_t>(cond ^ 1); }  // EQ/NE, HS/LO, ...
  void branch_reg(Gp r, Label l, bool nonzero) {
    if (nonzero) m_a.cbnz(r.w(), l);
    else m_a.cbz(r.w(), l);
  }
  void branch_home(uint32_t slot, Label l, bool nonzero) {
    load_gp(aj::x16, slot, false);
    branch_reg(aj::x16, l, nonzero);
  }
  void jump_table(Gp idx, const std::vector<Label>& entries, Label dflt);
  void pad() {}
  bool pad_load(size_t, uint32_t, int, bool, ValType, uint32_t) { return false; }
  void pad_skip(size_t, uint32_t) {}
  void trap_stub(Label at, TrapKind kind, Label unwind);
  void stack_trap_stub(Label at);
  void unwind_stub(Label at);
  void branch_if_trapped(Label unwind);
  void call_raw(const void* fn);
  void call_import(uint32_t func_index, uint32_t arg_slot, Label unwind);
  void call_direct(Label fn, uint32_t arg_slot);
  void tail_call_direct(Label fn, uint32_t arg_slot, uint32_t n);
  uint8_t test_ref(Gp r, bool null) {
    m_a.cmp(r.x(), asmjit::imm(0));
    return static_cast<uint8_t>(null ? asmjit::arm::CondCode::kEQ : asmjit::arm::CondCode::kNE);
  }
  Label resolve_callee(const void* helper, uint32_t a, uint32_t b, const Val& callee,
                       uint32_t arg_slot, Label unwind);
  void call_resolved(Label done, uint32_t arg_slot);
  void tail_call_resolved(Label done, uint32_t arg_slot, uint32_t n);
  void leave_for_tail_call(uint32_t arg_slot, uint32_t n);
  void branch_if_interrupted(Label trap);
  void fuel_charge(Label out_of_fuel, size_t patch[2]);
  void fuel_patch(const size_t patch[2], uint32_t cost);
  // C arguments: x0-x7; the result in x0.
  void helper_arg_ji(int k) { m_a.mov(aj::x(k), aj::x19); }
  void helper_arg_imm32(int k, uint32_t v) { mov_imm(aj::w(k), v); }
  void helper_arg_imm64(int k, uint64_t v) { mov_imm(aj::x(k), v); }
  void helper_arg_home(int k, uint32_t slot) { load_gp(aj::x(k), slot, true); }
  void helper_arg_home_addr(int k, uint32_t slot) { home_addr(aj::x(k), slot); }
  void helper_arg_exn_word(int k, uint32_t i);  // [x29 - 16 - 8i] (exceptions.hpp)
  void helper_branch_if_result(Label l) { m_a.cbnz(aj::w0, l); }
  Gp helper_result(bool wide) {
    if (!wide) m_a.mov(aj::w0, aj::w0);
    return aj::x0;
  }

  // ---- a64 helpers
  void mov_imm(Gp r, uint64_t c);            // movz/movk (w: 32 bits)
  void mov_imm32_fixed(Gp r, uint32_t c);    // always movz + movk (patchable)
  void patch_imm32_fixed(size_t pos, uint32_t c);
  Mem home(uint32_t slot, uint32_t size);    // [sp + 8 slot], through x17 when out of reach
  void home_addr(Gp r, uint32_t slot);       // r = sp + 8 slot
  void add_imm(Gp d, Gp s, uint64_t c);      // d = s + c (x registers)
  Mem v128_at(Gp base, uint64_t off);
  void load_v128(Vec x, Gp base, uint64_t off);
  void store_v128(Gp base, uint64_t off, Vec x);
  void trap_if(asmjit::arm::CondCode cc, TrapKind kind) { m_a.b(cc, trap_label(kind)); }
  void push_flags(asmjit::arm::CondCode cc) { Base::push_flags(static_cast<uint8_t>(cc)); }
  static Gp w_or_x(Gp r, bool wide) { return wide ? Gp(r.x()) : Gp(r.w()); }
  static Vec s_or_d(Vec x, bool f64) { return f64 ? Vec(aj::d(x.id())) : Vec(aj::s(x.id())); }
  // An integer operand in a register (v's own, or materialized: constants into `scratch`).
  Gp int_src(Val& v, Gp scratch);
  std::tuple<Gp, Gp, Gp> operands_then_alloc(Val& a, Val& b, bool b_imm = false);

  // ---- ops.cpp
  void on_simple(const Instr& ins, const WalkState& st);
  void emit_int_binop(Op op, bool wide);
  void emit_compare(Op op, bool wide);
  void emit_divrem(Op op, bool wide);
  void emit_int_unop(Op op);
  void emit_float_binop(Op op, bool f64);
  void emit_float_compare(Op op, bool f64);
  void emit_float_unop(Op op);
  void emit_load(const Instr& ins);
  void emit_store(const Instr& ins);
  Mem mem_address(Val& addr, uint64_t offset);  // the access (x20-relative; x17 may hold the index)
  void emit_select(const Instr& ins);
  void emit_global(const Instr& ins);

  // ---- simd.cpp, simd_lanes.cpp (NEON)
 public:
  enum class A : uint8_t { B8, H4, S2, B16, H8, S4, D2 };  // lane arrangements
 private:
  static Vec arr(Vec r, A a);              // v<id>.8b ... .2d
  Vec vsrc(Val& v, Vec scratch);           // a v128 operand in a register (its own or scratch)
  void vsrc_into(Val& v, Vec x);           // a v128 constant or home into x
  struct SimdArgs {
    Val v[2];
    Vec r[2];   // the operands' registers
    Vec d;      // the result's, distinct from both
    int n = 0;
  };
  SimdArgs simd_args(int n);
  void simd_done(const SimdArgs& s);       // releases the operands, pushes the result
  void push_v128_const(uint64_t lo, uint64_t hi);
  void emit_simd(const Instr& ins);        // inline, else the helper call
  bool emit_simd_inline(const Instr& ins);
  bool emit_simd_lanes(const Instr& ins);
  void emit_simd_shift(A la, uint32_t mask, bool left, bool is_signed);
  void emit_simd_bitmask(Op op);

  aj::Assembler& m_a;
  size_t m_frame_patch = 0;   // movz/movk of the frame size
  bool m_frame_ok = true;     // every home emitted was in reach
  uint32_t m_last_call = 0;   // code offset after the last call_raw
};

}  // namespace wsvm::jit::a64

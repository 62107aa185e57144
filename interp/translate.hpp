// The interpreter's translator: a Listener of the validator's function-body walk
// (validator/walk_state.hpp) that writes threaded code (interp/code.hpp) while the body is
// validated, in one pass. Stack heights come from the walker; the translator keeps only
// what code emission needs: per open block, where it starts and which forward jumps still
// wait for its end.
//
// translate.cpp: structure (blocks, branches, calls, returns, locals).
// translate_ops.cpp: everything else (numeric, memory, table, reference, global ops).
// translate_simd.cpp: the SIMD (0xFD) instructions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "decoder/instr.hpp"
#include "decoder/module.hpp"
#include "interp/code.hpp"
#include "validator/walk_state.hpp"

namespace wsvm::interp {

// Code-generation options (runtime/engine.hpp EngineConfig; limits contract in store.hpp).
struct TranslateOptions {
  bool fuel = false;           // a `fuel` op at the start of every straight-line region
  bool interruptible = false;  // `check_interrupt` at function entry and every loop header
  // The module's defined functions (ModuleCode::funcs, sized before translation so the
  // pointers are stable): calls to them become call_local. Null: every call is `call`.
  const FuncCode* funcs = nullptr;
};

class Translator {
 public:
  explicit Translator(FuncCode& out, TranslateOptions opts = {}) : m_out(&out), m_opts(opts) {}
  // One Translator can translate many functions in turn (its vectors keep their capacity).
  void retarget(FuncCode& out) { m_out = &out; }

  // Listener contract (validator/walk_state.hpp).
  void begin_function(const Module& m, uint32_t func_index, std::span<const ValType> locals);
  void on_instr(const Instr& ins, const WalkState& st);
  void end_function(const WalkState& st);

 private:
  struct Label {
    Op kind = Op::block;
    bool dead = false;                 // opened in unreachable code: emit nothing inside
    uint32_t start = 0;                // loop: code index of the loop head
    uint32_t else_fixup = kNoFixup;    // if: the false-jump's target word, until else/end
    std::vector<uint32_t> fixups;      // forward jumps to this block's end (target words)
  };
  static constexpr uint32_t kNoFixup = UINT32_MAX;

  // --- translate.cpp
  void translate(const Instr& ins, const WalkState& st);
  void on_control(const Instr& ins, const WalkState& st);
  void emit_branch(uint32_t depth, const WalkState& st, uint32_t value_top);
  // A branch op just written (code index of its handler word), so a back-edge can become
  // its `_back` form (interrupt check, interpreter.cpp JUMP_BACK).
  struct BranchOp {
    uint32_t at = kNoFixup;
    IOp op = IOp::kCount;
  };
  // Word for a br target: backward or fixup. `branch` is the op that jumps (none: br_table).
  void emit_jump_to_label(uint32_t depth, BranchOp branch);
  void emit_jump_to_label(uint32_t depth) { emit_jump_to_label(depth, BranchOp{kNoFixup, IOp::kCount}); }
  void emit_return(const WalkState& st, uint32_t value_top);
  void emit_copy(uint32_t dst, uint32_t src, uint32_t n);
  void bind_fixups(const std::vector<uint32_t>& words, uint32_t target);

  // Fuel regions (limits contract): the `fuel` op is written lazily at the region's first
  // instruction that costs fuel (only `nop`, which emits nothing, can precede it), its cost
  // word is patched when the region ends.
  void fuel_before(Op op);
  void fuel_after(Op op);

  // --- translate_fold.cpp: the lazy operand stack. local.get and constants emit nothing;
  // they become Pending entries whose consumer reads the local's slot directly or takes the
  // constant as an immediate (`_imm` ops). Entries never outlive a straight-line region:
  // every control instruction materializes them (flush_all), so all paths into a label see
  // values in their canonical slots. Writes to a local first materialize its aliases.
  struct Pending {
    uint32_t slot;   // walker slot of the operand
    bool is_const;
    uint32_t local;  // frame slot of the local (!is_const)
    uint64_t value;  // the constant's slot bits (is_const)
    bool wide = false;  // a v128 local (two slots from `local`), read by SIMD ops
  };
  Pending* pending_at(uint32_t walker_slot);
  void remove_pending(uint32_t walker_slot);
  void materialize(const Pending& p);
  void flush_all();
  bool flush_aliases(uint32_t local_slot);
  uint32_t use(const WalkState& st, uint32_t i);  // frame slot holding operand i; consumes it
  void fold_local_get(const Instr& ins, const WalkState& st);
  void fold_local_set(const Instr& ins, const WalkState& st);
  BranchOp emit_cond_jump(const WalkState& st, bool when_true);  // caller adds the target word
  void emit_return_folded(const WalkState& st);
  void mark_last(uint32_t start, IOp o) {
    m_last_start = start;
    m_last_end = here();
    m_last_iop = o;
  }
  // The previous instruction wrote frame slot `dst` as its Word-1 lo operand, reading its
  // sources first, and nothing (no code, no label) came after it.
  bool last_writes(uint32_t dst) const {
    return m_prev_end == here() && m_code[m_last_start + 1].s.lo == dst;
  }

  // --- translate_ops.cpp
  void on_simple(const Instr& ins, const WalkState& st);

  // --- translate_simd.cpp: false if ins is not a SIMD instruction
  bool on_simd(const Instr& ins, const WalkState& st);

  // --- emission helpers
  void op(IOp o) {
    m_ops.push_back(EmittedOp{here(), o});
    m_code.push_back(m_handlers[static_cast<size_t>(o)]);
  }
  void pair(uint32_t lo, uint32_t hi) {
    Word w;
    w.s.lo = lo;
    w.s.hi = hi;
    m_code.push_back(w);
  }
  void imm(uint64_t v) {
    Word w;
    w.u64 = v;
    m_code.push_back(w);
  }
  uint32_t here() const { return static_cast<uint32_t>(m_code.size()); }
  // A target word to be resolved later: holds a code index until end_function.
  void target(uint32_t code_index) {
    m_targets.push_back(here());
    imm(code_index);
  }
  uint32_t fixup_word() {  // target word whose index is filled in by bind_fixups
    uint32_t at = here();
    target(0);
    return at;
  }

  // Frame slot of walker slot s / of the operand i from the top (0 = top).
  uint32_t fs(uint32_t s) const { return m_out->local_slots + s; }
  uint32_t top(const WalkState& st, uint32_t i) const { return fs(st.operand_from_top(i).slot); }
  // Frame slot just above the instruction's k popped slots: where results go.
  uint32_t popped_base(const WalkState& st, uint32_t popped_slots) const {
    return fs(st.slot_height() - popped_slots);
  }

  FuncCode* m_out;
  const Word* m_handlers = handler_table();  // handler_word() of every op
  std::vector<Word> m_code;            // the function's code while it is translated
  const Module* m_module = nullptr;
  std::vector<uint32_t> m_local_slot;  // local index -> frame slot
  std::vector<Label> m_labels;         // innermost last; [0] is the function itself
  std::vector<uint32_t> m_targets;     // code words holding a code index to resolve
  uint32_t m_dead_depth = 0;           // number of open dead labels
  // No local has been written yet and no block is open: a `const 0; local.set` of a declared
  // local here is a no-op (declared locals are zeroed at entry) and emits nothing.
  bool m_entry_zero_sets = true;
  TranslateOptions m_opts;
  uint32_t m_fuel_word = kNoFixup;     // cost word of the open region's `fuel` op
  uint64_t m_fuel_cost = 0;            // instructions of the open region so far
  std::vector<Pending> m_pending;      // ascending walker slots
  uint32_t m_last_start = 0;           // code index of the last rewritable instruction
  uint32_t m_last_end = kNoFixup;      // here() after it (kNoFixup: none)
  uint32_t m_prev_end = kNoFixup;      // m_last_end as it was before this instruction
  IOp m_last_iop = IOp::kCount;
  // Every op of the function in code order (for the superinstruction pass, fuse_ops()).
  struct EmittedOp {
    uint32_t at;
    IOp op;
  };
  std::vector<EmittedOp> m_ops;
  void fuse_ops();
};

}  // namespace wsvm::interp

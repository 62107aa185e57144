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
#include <optional>
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
  bool no_fuse = false;  // no superinstructions (EngineConfig::interp_no_fuse)
};

// Growable storage of trivially copyable T with an always-inline push (std::vector's
// push_back stays out of line in the translator's large functions); growth is out of line.
template <class T>
class PodStack {
 public:
  size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  T& operator[](size_t i) { return m_buf[i]; }
  const T& operator[](size_t i) const { return m_buf[i]; }
  T& back() { return m_buf[m_size - 1]; }
  T* begin() { return m_buf.data(); }
  T* end() { return m_buf.data() + m_size; }
  void push_back(const T& v) {
    if (m_size == m_buf.size()) [[unlikely]] grow();
    m_buf[m_size++] = v;
  }
  void pop_back() { --m_size; }
  void clear() { m_size = 0; }

 private:
  [[gnu::noinline]] void grow() { m_buf.resize(m_buf.empty() ? 256 : m_buf.size() * 2); }
  std::vector<T> m_buf;
  size_t m_size = 0;
};

class Translator {
 public:
  // Code goes straight into `arena` (code.hpp): each function right after the previous one.
  Translator(CodeArena& arena, FuncCode& out, TranslateOptions opts = {})
      : m_out(&out), m_arena(&arena), m_opts(opts) {}
  // One Translator can translate many functions in turn (its vectors keep their capacity).
  void retarget(FuncCode& out) { m_out = &out; }
  // The expected number of code words of everything still to translate: the size of the
  // arena's first block (later blocks are as large as the previous one).
  void expect_words(size_t words) { m_block_words = words; }

  // Listener contract (validator/walk_state.hpp); exception handling: translate_try.cpp.
  static constexpr bool kExceptions = true;
  static constexpr bool kMultiMemory = true;  // translate_memory.cpp
  static constexpr bool kMemory64 = true;     // memory64 and table64 too
  void begin_function(const Module& m, uint32_t func_index, std::span<const ValType> locals);
  void on_instr(const Instr& ins, const WalkState& st);
  void end_function(const WalkState& st);
  // The first instruction met so far that has no translation (the engine then fails the
  // module rather than run a stand-in `trap_unreachable`).
  std::optional<Op> untranslated() const { return m_untranslated; }

 private:
  struct Label {
    Op kind = Op::block;
    bool dead = false;                 // opened in unreachable code: emit nothing inside
    bool has_try = false;              // a live try_table or try: its TryFrame is m_tries' top
    uint32_t start = 0;                // loop: code index of the loop head
    uint32_t else_fixup = kNoFixup;    // if: the false-jump's target word, until else/end
    // Forward jumps to this block's end: the last one's target word, which holds the
    // previous one's (a chain through the code, ending in kNoFixup) until bind_fixups.
    uint32_t fixups = kNoFixup;
  };
  static constexpr uint32_t kNoFixup = UINT32_MAX;
  // A live try_table or legacy try (exception handling): the protected code [try_begin,
  // try_end) (try_end: where the first catch arm starts, else the end) and its handlers, which
  // get that range and go to FuncCode::handlers when the block ends. Kept apart from Label,
  // which every block has: a deep nest of plain blocks (hostile input) pays 16 bytes a level.
  struct TryFrame {
    uint32_t level = 0;  // index of its label in m_labels
    uint32_t try_begin = kNoFixup;
    uint32_t try_end = kNoFixup;
    std::vector<Handler> catches;
  };
  std::vector<TryFrame> m_tries;  // innermost last, one per Label with has_try
  // Exception handling: frame slots above the operand stack that catch clauses returning from
  // the function write to (m_extra_high), the hidden slots where legacy catch arms keep their
  // exception for rethrow (one per label level below m_exn_levels, placed at end_function),
  // and the rethrow words whose slot is patched then.
  uint32_t m_extra_high = 0;
  uint32_t m_exn_levels = 0;
  std::vector<uint32_t> m_exn_patches;

  // --- translate.cpp
  // The dispatch of every instruction: small, so that its calls are jumps (no frame); the
  // cases with more code are out of line.
  void translate(const Instr& ins, const WalkState& st);
  void translate_other(const Instr& ins, const WalkState& st);
  [[gnu::noinline]] void on_instr_fuel(const Instr& ins, const WalkState& st);
  void on_control(const Instr& ins, const WalkState& st);
  void emit_branch(uint32_t depth, const WalkState& st, uint32_t value_top);
  void emit_null_branch(const Instr& ins, const WalkState& st);  // br_on_null, br_on_non_null
  // Exception handling (translate_try.cpp): the frames of try_table and legacy try, their
  // handler tables, throw/throw_ref/rethrow.
  void on_try(const Instr& ins, const WalkState& st);  // try, try_table, catch, catch_all, delegate
  void emit_catch_stubs(const Instr& ins, const WalkState& st, TryFrame& t);
  void close_try();  // the innermost TryFrame's handlers, popped
  void emit_throw(const Instr& ins, const WalkState& st);
  void finish_handlers(uint32_t exn_base);  // end_function: hidden exception slots placed
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
  void bind_fixups(uint32_t chain, uint32_t target);
  void add_fixup(Label& l) {  // a target word jumping to l's end
    const uint32_t at = here();
    target(l.fixups);
    l.fixups = at;
  }

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
  //
  // Every lookup is O(1): entries live in an array indexed by walker slot (m_pend), a list
  // of their slots in ascending order (m_pend_list, with dead entries removed lazily) gives
  // the materialization order, and per-local counts of pending reads (m_local_refs) let a
  // local.set skip the alias search when nothing reads the local.
  struct Pending {
    uint32_t slot;   // walker slot of the operand
    bool is_const;
    uint32_t local;  // frame slot of the local (!is_const)
    uint64_t value;  // the constant's slot bits (is_const)
    bool wide = false;  // a v128 local (two slots from `local`), read by SIMD ops
    bool live = false;  // (in m_pend) an entry is pending at this slot
  };
  Pending* pending_at(uint32_t walker_slot) {
    if (walker_slot >= m_pend.size()) return nullptr;
    Pending& p = m_pend[walker_slot];
    return p.live ? &p : nullptr;
  }
  void push_pending(const Pending& p) {
    if (!m_pend_list.empty() && m_pend_list.back() >= p.slot) [[unlikely]] drop_pending_from(p.slot);
    if (p.slot >= m_pend.size()) [[unlikely]] m_pend.resize(2 * size_t{p.slot} + 16);
    Pending& e = m_pend[p.slot];
    e = p;
    e.live = true;
    if (!p.is_const) ++m_local_refs[p.local];
    m_pend_list.push_back(p.slot);
  }
  void kill_pending(Pending& p) {
    p.live = false;
    if (!p.is_const) --m_local_refs[p.local];
  }
  // Pops dead entries off the list's end (the list's last entry is then live or none).
  void trim_pending_list() {
    while (!m_pend_list.empty() && !m_pend[m_pend_list.back()].live) m_pend_list.pop_back();
  }
  void remove_pending(uint32_t walker_slot) {
    Pending* p = pending_at(walker_slot);
    if (p == nullptr) return;
    kill_pending(*p);
    trim_pending_list();
  }
  void drop_pending_from(uint32_t walker_slot);  // forgets entries at walker_slot and above
  void clear_pending();                          // forgets every entry (no code)
  void materialize(const Pending& p);
  void flush_all();
  bool flush_aliases(uint32_t local_slot);
  // Frame slot holding operand i (0 = top); consumes its pending entry.
  uint32_t use(const WalkState& st, uint32_t i) {
    const uint32_t slot = st.operand_from_top(i).slot;
    Pending* p = pending_at(slot);
    if (p == nullptr) return fs(slot);
    uint32_t r = fs(slot);
    if (p->is_const) materialize(*p);
    else r = p->local;
    kill_pending(*p);
    trim_pending_list();
    return r;
  }
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
    return m_prev_end == here() && m_func[m_last_start + 1].s.lo == dst;
  }

  // --- translate_ops.cpp
  void on_simple(const Instr& ins, const WalkState& st);        // numeric and memory ops
  [[gnu::noinline]] void on_simple_other(const Instr& ins, const WalkState& st);  // globals, tables, ...
  // A constant: a pending entry, no code. Out of line: translate() stays a frameless dispatch.
  [[gnu::noinline]] void push_const(const WalkState& st, uint64_t bits);

  // --- translate_memory.cpp: memories other than 0 and 64-bit memories and tables
  // A load or store (also SIMD) whose memory is not a 32-bit memory 0.
  bool elsewhere(const Instr& ins) const { return (ins.b != 0 || m_mem0_64) && !m_selecting; }
  void on_access_elsewhere(const Instr& ins, const WalkState& st);
  // memory.size/grow/init/copy/fill on such a memory (the `_n` ops); false: memory 0 32-bit.
  bool on_memory_op_elsewhere(const Instr& ins, const WalkState& st);

  // --- translate_simd.cpp: false if ins is not a SIMD instruction
  bool on_simd(const Instr& ins, const WalkState& st);

  // --- emission helpers
  void put(Word w) {
    if (m_pos == m_end) [[unlikely]] grow(1);
    *m_pos++ = w;
  }
  // Moves the function so far to a new arena block with room for `need` more words.
  [[gnu::noinline]] void grow(size_t need);
  // Whole instructions with one capacity check: [h][lo|hi] and [h][lo|hi][w2].
  static Word pair_word(uint32_t lo, uint32_t hi) {
    Word w;
    w.s.lo = lo;
    w.s.hi = hi;
    return w;
  }
  void op2(IOp o, uint32_t lo, uint32_t hi) {
    if (m_end - m_pos < 2) [[unlikely]] grow(2);
    Word* p = m_pos;
    m_ops.push_back(EmittedOp{here(), o});
    p[0] = m_handlers[static_cast<size_t>(o)];
    p[1] = pair_word(lo, hi);
    m_pos = p + 2;
  }
  void op3(IOp o, uint32_t lo, uint32_t hi, Word w2) {
    if (m_end - m_pos < 3) [[unlikely]] grow(3);
    Word* p = m_pos;
    m_ops.push_back(EmittedOp{here(), o});
    p[0] = m_handlers[static_cast<size_t>(o)];
    p[1] = pair_word(lo, hi);
    p[2] = w2;
    m_pos = p + 3;
  }
  static Word imm_word(uint64_t v) {
    Word w;
    w.u64 = v;
    return w;
  }
  void op(IOp o) {
    m_ops.push_back(EmittedOp{here(), o});
    put(m_handlers[static_cast<size_t>(o)]);
  }
  void pair(uint32_t lo, uint32_t hi) {
    Word w;
    w.s.lo = lo;
    w.s.hi = hi;
    put(w);
  }
  void imm(uint64_t v) {
    Word w;
    w.u64 = v;
    put(w);
  }
  uint32_t here() const { return static_cast<uint32_t>(m_pos - m_func); }
  void truncate(uint32_t size) { m_pos = m_func + size; }
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
  uint32_t fs(uint32_t s) const { return m_local_slots + s; }
  uint32_t top(const WalkState& st, uint32_t i) const { return fs(st.operand_from_top(i).slot); }
  // Frame slot just above the instruction's k popped slots: where results go.
  uint32_t popped_base(const WalkState& st, uint32_t popped_slots) const {
    return fs(st.slot_height() - popped_slots);
  }

  FuncCode* m_out;
  uint32_t m_local_slots = 0;          // m_out->local_slots (read for every operand)
  CodeArena* m_arena;
  // The function's code, written in place in the arena's current block [.., m_end): it
  // starts at m_func, m_pos is the next word. grow() moves it to a new block when full.
  Word* m_func = nullptr;
  Word* m_pos = nullptr;
  Word* m_end = nullptr;
  size_t m_block_words = 0;            // size of the next block (0: by grow()'s rule)
  const Word* m_handlers = handler_table();  // handler_word() of every op
  const Module* m_module = nullptr;
  // Memory 0 is 64-bit: its loads and stores take the explicit path too (translate_memory.cpp).
  bool m_mem0_64 = false;
  bool m_selecting = false;  // emitting the plain op between mem_select and mem_restore
  struct LocalInfo {
    uint32_t slot;   // first frame slot
    uint32_t slots;  // slot_count of its type
  };
  std::vector<LocalInfo> m_local_slot;  // local index -> its frame slots
  std::vector<Label> m_labels;         // innermost last; [0] is the function itself
  PodStack<uint32_t> m_targets;        // code words holding a code index to resolve
  uint32_t m_dead_depth = 0;           // number of open dead labels
  // No local has been written yet and no block is open: a `const 0; local.set` of a declared
  // local here is a no-op (declared locals are zeroed at entry) and emits nothing.
  bool m_entry_zero_sets = true;
  TranslateOptions m_opts;
  uint32_t m_fuel_word = kNoFixup;     // cost word of the open region's `fuel` op
  uint64_t m_fuel_cost = 0;            // instructions of the open region so far
  std::optional<Op> m_untranslated;    // first instruction without a translation
  std::vector<Pending> m_pend;          // indexed by walker slot (see pending_at)
  PodStack<uint32_t> m_pend_list;      // slots of m_pend's entries, ascending; may hold dead ones
  std::vector<uint32_t> m_local_refs;  // local frame slot -> live non-constant entries reading it
  uint32_t m_last_start = 0;           // code index of the last rewritable instruction
  uint32_t m_last_end = kNoFixup;      // here() after it (kNoFixup: none)
  uint32_t m_prev_end = kNoFixup;      // m_last_end as it was before this instruction
  IOp m_last_iop = IOp::kCount;
  // Every op of the function in code order (for the superinstruction pass, fuse_ops()).
  struct EmittedOp {
    uint32_t at;
    IOp op;
  };
  PodStack<EmittedOp> m_ops;
  void fuse_ops();
  // The specialised form of fused op `fused` whose code starts at `w` (spec_ops.def), or
  // `fused` itself when its operands do not allow one (translate_spec.cpp).
  IOp specialise(IOp fused, const Word* w) const;
};

}  // namespace wsvm::interp

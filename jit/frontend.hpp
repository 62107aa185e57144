// The architecture-neutral front end of the single-pass baseline compiler: a Listener of the
// validator's function-body walk (validator/walk_state.hpp) that keeps the value stack, the
// register file, the local cache, control flow, calls, fuel/interrupt checks and trap sites,
// and emits through its backend while the body is validated (DESIGN principles 2 and 6).
//
// FrontEnd<B, R> is a base of the backend B (CRTP: B's primitives are called without a
// virtual call and inline, so the code and the compile speed are those of one class).
// R describes B's register file: `Gp`/`Fp` (the backend's register types), `gp(id)`/`fp(id)`,
// `id(reg)`, the allocatable masks `kGpAllocatable`/`kFpAllocatable` (at most 32 registers
// per class) and `kPadSlots` (loop preheader slots). B provides the primitives listed at the
// end of this file ("Backend contract") and the instruction emitters (`on_simple`, SIMD).
//
// Virtual value stack: one Val per wasm operand, mirroring the walker's operand stack. A Val
// is a register, a constant, a condition not yet materialized or "in memory" (its home slot
// in the frame). Registers are allocated greedily; values go to their homes only at control
// merges (block/loop/if entries, labels, branches) and calls, so at every label every
// operand lives in its home.
//
// Frame: slot k (8 bytes each) is numbered like the interpreter's frame: locals first
// (params, then declared), then the walker's operand slots (walker slot s -> k =
// local_slots + s). A call's argument area is the caller's operand slots (DESIGN 4).
// frontend_impl.hpp: the definitions (included by the backend's translation unit).
#pragma once

#include <asmjit/core.h>

#include <cassert>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "decoder/instr.hpp"
#include "jit/exceptions.hpp"
#include "jit/jit_abi.hpp"
#include "decoder/module.hpp"
#include "runtime/engine.hpp"
#include "runtime/trap.hpp"
#include "validator/walk_state.hpp"

namespace wsvm::jit {

using Label = asmjit::Label;

// Labels shared by all functions of one module (one CodeHolder).
struct ModuleLabels {
  std::vector<Label> funcs;     // defined functions, by index - imported count
  Label unwind;                 // sp = entry sp; return 1 from the trampoline
  Label exit;                   // the trampoline's epilogue
};

// Integer comparisons by meaning (i32/i64 alike); each backend maps them to its condition
// codes with a table in this order.
enum class IntCmp : uint8_t { Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU };
inline IntCmp int_compare(Op op) {
  switch (op) {
    case Op::i32_eq: case Op::i64_eq: return IntCmp::Eq;
    case Op::i32_ne: case Op::i64_ne: return IntCmp::Ne;
    case Op::i32_lt_s: case Op::i64_lt_s: return IntCmp::LtS;
    case Op::i32_lt_u: case Op::i64_lt_u: return IntCmp::LtU;
    case Op::i32_gt_s: case Op::i64_gt_s: return IntCmp::GtS;
    case Op::i32_gt_u: case Op::i64_gt_u: return IntCmp::GtU;
    case Op::i32_le_s: case Op::i64_le_s: return IntCmp::LeS;
    case Op::i32_le_u: case Op::i64_le_u: return IntCmp::LeU;
    case Op::i32_ge_s: case Op::i64_ge_s: return IntCmp::GeS;
    default: return IntCmp::GeU;
  }
}

template <class B, class R>
class FrontEnd {
 public:
  using Gp = typename R::Gp;
  using Fp = typename R::Fp;

  FrontEnd(ModuleLabels& labels, EngineConfig config) : m_labels(labels), m_config(config) {}

  // Listener contract.
  void begin_function(const Module& m, uint32_t func_index, std::span<const ValType> locals);
  void on_instr(const Instr& ins, const WalkState& st);
  Result<void> end_function(const WalkState& st);
  // Exception handling (exceptions.hpp): the handlers of the function just compiled, if it has
  // a try (moved out: the engine keeps them for the unwinder).
  bool has_handlers() const { return m_has_eh; }
  FuncEh take_handlers() { return std::move(m_eh); }

 protected:
  B& masm() { return static_cast<B&>(*this); }

  // Kind::Fp holds only f32/f64/v128 (an f32 with bits 32-63 zero, so 8-byte stores keep
  // homes as they are with GP registers); integers are never in an Fp register, floats may
  // also be in a GP register (Reg: their bits, e.g. after a reinterpret or a helper call).
  enum class Kind : uint8_t { Mem, Reg, Const, Flags, Fp };
  struct Val {
    ValType type;
    Kind kind;
    uint8_t reg;    // Kind::Reg: GP register id; Kind::Fp: fp/vector register id
    uint8_t cond;   // Kind::Flags: the backend's condition meaning "true" (opaque here)
    uint32_t slot;  // frame slot (home)
    uint64_t c;     // Kind::Const
    // Reg/Fp: the register is a cached local's, read in place (local.get without a copy);
    // it stays unallocatable while borrowed. Consumers that change their operand's
    // register get a copy from to_reg/to_fp.
    bool borrowed = false;
    uint64_t c_hi = 0;  // Kind::Const of a v128: bytes 8-15 (c holds bytes 0-7)
  };
  // Register cache for locals, write-back: a dirty register is newer than its local's home.
  // A cached register is free for the value stack (m_free); taking a clean one just forgets
  // the copy. Dirty locals are stored before their register is taken, before calls and
  // helpers, on every path into a merge (block/if ends, where the cache is dropped) and on
  // back edges unless the loop keeps the local in that register (at a loop header every
  // entry-cached local counts as dirty).
  struct LocalCache {
    uint32_t gp = 0;   // GP registers holding a local
    uint32_t fp = 0;   // fp registers holding a local
    uint32_t gp_dirty = 0;   // subsets of gp / fp
    uint32_t fp_dirty = 0;
    uint32_t gp_local[R::kRegs] = {};
    uint32_t fp_local[R::kRegs] = {};
  };
  // One per open block/loop/if, kept small (a hostile body nests 100k deep): the labels as
  // asmjit ids, and the entry cache and loop data, when there are any, in m_states.
  static constexpr uint32_t kNone = asmjit::Globals::kInvalidId;
  struct Block {
    Op kind;
    bool dead;               // opened in unreachable code: nothing emitted inside
    bool els_bound = false;
    bool targeted = false;   // some branch goes to `end` (a merge: the cache is dropped)
    uint32_t end = kNone;    // label: block/if end (branch target of non-loops)
    uint32_t head = kNone;   // label: loop header (branch target of a loop); a live try or
                             // try_table: its index in m_tries
    uint32_t els = kNone;    // label: if: where the false condition jumps
    uint32_t state = kNone;  // index in m_states, or none (empty entry cache, no pad)
  };
  // A live loop's or an if's entry state (an if has one only when its entry cache is not
  // empty). At most kMaxStates are open at once: a deeper loop or if starts with the cache
  // dropped and no preheader pad (code quality only matters in bodies of sane depth).
  struct BlockState {
    LocalCache entry;        // loop: the cache every back edge re-establishes; if: for else
    // Loop preheader pad: R::kPadSlots slots before the header (the backend's no-ops); a
    // local first read inside the loop (not yet written in it, no back edge emitted yet) is
    // loaded there into a register untouched since the header and joins `entry`.
    size_t pad_pos = 0;
    uint8_t pad_used = 0;
    bool has_pad = false;
    bool back_edge = false;
    // Entry registers added by the pad: compiled code before the pad point did not know
    // them, so back edges bring them clean (stored when dirty), never dirty.
    uint32_t pad_gp = 0, pad_fp = 0;
    uint32_t saved_touched_gp = 0, saved_touched_fp = 0;  // the enclosing loop's masks
    uint32_t header_clock = 0;  // m_clock at the header: locals written since have a later one
  };
  static constexpr size_t kMaxStates = 64;
  static constexpr LocalCache kEmptyCache{};
  const LocalCache& entry_of(const Block& b) const {
    return b.state == kNone ? kEmptyCache : m_states[b.state].entry;
  }
  BlockState* state_of(Block& b) { return b.state == kNone ? nullptr : &m_states[b.state]; }
  static Label label(uint32_t id) { return Label(id); }
  uint32_t ensure_label(uint32_t& id) {
    if (id == kNone) id = masm().new_label().id();
    return id;
  }
  // Registers written since the innermost loop's header (merged outward at loop ends).
  uint32_t m_touched_gp = 0, m_touched_fp = 0;
  void touch_gp(uint32_t mask) { m_touched_gp |= mask; }
  void touch_fp(uint32_t mask) { m_touched_fp |= mask; }
  BlockState* innermost_loop() {  // with a pad and an entry; nullptr outside or too deep
    return m_loops.empty() ? nullptr : state_of(m_blocks[m_loops.back()]);
  }
  int preheader_load(uint32_t local);  // the register, or -1

  // ---- values and registers
  static bool is64(ValType t) { return t == ValType::I64 || t == ValType::F64 || is_reftype(t); }
  // The value stack's hot operations are inline: each was a call per operand push/pop.
  uint32_t next_slot() const {
    if (m_vs.empty()) return m_local_slots;
    const Val& t = m_vs.back();
    return t.slot + slot_count(t.type);
  }
  void push_reg(ValType t, Gp r) {
    const uint32_t id = R::id(r);
    m_vs.push_back(Val{t, Kind::Reg, static_cast<uint8_t>(id), 0, next_slot(), 0});
    m_free &= ~(1u << id);
    forget_gp(id);
  }
  void push_fp(ValType t, Fp x) {
    const uint32_t id = R::id(x);
    m_vs.push_back(Val{t, Kind::Fp, static_cast<uint8_t>(id), 0, next_slot(), 0});
    m_free_fp &= ~(1u << id);
    forget_fp(id);
  }
  void push_const(ValType t, uint64_t c) { m_vs.push_back(Val{t, Kind::Const, 0, 0, next_slot(), c}); }
  void push_mem(ValType t) { m_vs.push_back(Val{t, Kind::Mem, 0, 0, next_slot(), 0}); }
  void push_flags(uint8_t cond) { m_vs.push_back(Val{ValType::I32, Kind::Flags, 0, cond, next_slot(), 0}); }
  Val pop() {
    Val v = m_vs.back();
    m_vs.pop_back();
    clamp_floors();
    return v;
  }
  void truncate(size_t n) {  // the stack's height becomes n (<= its height)
    m_vs.resize(n);
    clamp_floors();
  }
  void clamp_floors() {
    const uint32_t n = static_cast<uint32_t>(m_vs.size());
    if (m_mem_floor > n) m_mem_floor = n;
    if (m_gp_floor > n) m_gp_floor = n;
    if (m_fp_floor > n) m_fp_floor = n;
  }
  // v, if it is a value of the stack, was just made a register or constant in place.
  void changed_in_place(const Val& v) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(&v);
    const uintptr_t base = reinterpret_cast<uintptr_t>(m_vs.data());
    if (at < base || at >= base + m_vs.size() * sizeof(Val)) return;  // a popped copy
    const uint32_t i = static_cast<uint32_t>((at - base) / sizeof(Val));
    if (m_mem_floor > i) m_mem_floor = i;
    if (v.kind == Kind::Reg && m_gp_floor > i) m_gp_floor = i;
    if (v.kind == Kind::Fp && m_fp_floor > i) m_fp_floor = i;
  }
  Val& top(uint32_t i = 0) { return m_vs[m_vs.size() - 1 - i]; }
  Gp alloc();                           // a free allocatable GP register (spills if needed)
  Fp alloc_fp();                        // a free allocatable fp register (spills if needed)
  void reset_regs();                    // after a call: every register free
  // ---- local cache
  static bool cacheable(ValType t) { return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64 || t == ValType::V128; }
  // The fp register class: f32, f64 and v128.
  static bool is_float(ValType t) { return t == ValType::F32 || t == ValType::F64 || t == ValType::V128; }
  int cached_reg(uint32_t local) const {  // GP or fp id by the local's type, -1 if none
    const bool f = is_float(m_local_type[local]);
    uint32_t m = f ? m_cache.fp : m_cache.gp;
    const uint32_t* of = f ? m_cache.fp_local : m_cache.gp_local;
    for (; m != 0; m &= m - 1) {
      const int id = __builtin_ctz(m);
      if (of[id] == local) return id;
    }
    return -1;
  }
  void uncache_local(uint32_t local);
  // uncache_*: the register is about to be overwritten: store its local first if dirty.
  void uncache_gp(uint32_t id) {
    if (m_cache.gp_dirty & (1u << id)) store_cached(false, id);
    forget_gp(id);
  }
  void uncache_fp(uint32_t id) {
    if (m_cache.fp_dirty & (1u << id)) store_cached(true, id);
    forget_fp(id);
  }
  void forget_gp(uint32_t id) { m_cache.gp &= ~(1u << id); m_cache.gp_dirty &= ~(1u << id); }
  void forget_fp(uint32_t id) { m_cache.fp &= ~(1u << id); m_cache.fp_dirty &= ~(1u << id); }
  void drop_cache() { m_cache.gp = m_cache.fp = m_cache.gp_dirty = m_cache.fp_dirty = 0; }
  void store_cached(bool fp, uint32_t id);           // the register's local -> its home
  void flush_on_path(const LocalCache* keep, uint32_t nokeep_gp = 0, uint32_t nokeep_fp = 0);
  void flush_dirty() { flush_on_path(nullptr); m_cache.gp_dirty = m_cache.fp_dirty = 0; }
  void mark_dirty(bool fp, int id) { (fp ? m_cache.fp_dirty : m_cache.gp_dirty) |= 1u << id; }
  void emit_local_get(uint32_t local);
  void emit_local_set(uint32_t local, bool tee);
  bool cache_satisfies(const LocalCache& want) const;
  void establish_cache(const Block& loop);  // stores and loads (on a branch path only)
  uint32_t loop_cache_mask(bool fp) const;       // registers the innermost loop keeps
  int cache_target(uint32_t local, bool fp, int avoid) const;
  int loop_reg_of(uint32_t local, bool fp) const;
  bool in_loop() const { return !m_loops.empty(); }  // copies into the cache only pay off where code repeats
  void set_cached(uint32_t local, bool fp, int id);
  void cache_copy(uint32_t local, bool fp, int dst, int src);  // dst := src, dst caches local
  void push_borrowed(ValType t, bool fp, int c) {
    m_vs.push_back(Val{t, fp ? Kind::Fp : Kind::Reg, static_cast<uint8_t>(c), 0, next_slot(), 0, true});
    (fp ? m_free_fp : m_free) &= ~(1u << c);
    ++(fp ? m_borrow_fp : m_borrow_gp)[c];
  }
  Fp to_fp(Val& v);                     // float v in an fp register it owns
  void release(const Val& v) {          // frees v's register (if any)
    if (v.borrowed) {
      uint32_t* n = v.kind == Kind::Fp ? &m_borrow_fp[v.reg] : &m_borrow_gp[v.reg];
      assert(*n > 0);
      if (--*n != 0) return;
    }
    if (v.kind == Kind::Reg) m_free |= 1u << v.reg;
    else if (v.kind == Kind::Fp) m_free_fp |= 1u << v.reg;
  }
  void spill(Val& v);                   // v -> its home
  void spill_all();
  // The stack values in GP register id (if any) -> their homes; popped_holders: how many of
  // its holders the caller has popped (they are not in the stack any more).
  void spill_reg(uint32_t id, uint32_t popped_holders);
  static uint32_t holds(const Val& v, uint32_t id) { return v.kind == Kind::Reg && v.reg == id; }
  void materialize_flags();             // top Flags value -> register
  Gp to_reg(Val& v);                    // v in a register it owns (loads if needed)
  Gp read_reg(Val& v) { return v.kind == Kind::Reg ? R::gp(v.reg) : to_reg(v); }
  Fp read_fp(Val& v) { return v.kind == Kind::Fp ? R::fp(v.reg) : to_fp(v); }

  // ---- control
  void on_control(const Instr& ins, const WalkState& st);
  void emit_branch(uint32_t depth, const WalkState& st);  // moves + jump (values on top)
  bool branch_values_in_place(uint32_t depth, const WalkState& st);
  void emit_branch_moves(uint32_t depth, const WalkState& st);
  Label target_label(uint32_t depth);
  bool cache_ok_for(uint32_t depth) const;
  // at_end: the function's final `end`, right before the epilogue.
  void emit_return(const WalkState& st, bool at_end = false);
  void emit_br_if(const Instr& ins, const WalkState& st);
  void emit_br_table(const Instr& ins, const WalkState& st);
  void emit_call(uint32_t func_index);
  void emit_call_indirect(const Instr& ins);
  void emit_return_call(const Instr& ins, const WalkState& st);
  Label resolve_callee(const Instr& ins, const Val& callee, uint32_t arg_slot);
  void emit_ref_as_non_null();
  void emit_br_on_null(const Instr& ins, const WalkState& st);
  void jump_if_false(const Val& cond, Label target) { jump_if(cond, target, false); }
  void jump_if_true(const Val& cond, Label target) { jump_if(cond, target, true); }
  void jump_if(const Val& cond, Label target, bool when);
  void reset_to_frame(const CtrlFrame& f, std::span<const ValType> values);
  void trap_if(uint8_t cond, TrapKind kind) { masm().branch(cond, trap_label(kind)); }
  Label trap_label(TrapKind kind);
  Label unwind_here();                  // this function's unwind stub (records pc, fp)
  void emit_trap_stubs();               // at the function's end, inside its pc range
  void check_trapped() { masm().branch_if_trapped(unwind_here()); }  // after a helper that may trap
  void call_helper(const void* fn);     // every register clobbered, the cache dropped
  void region_start();                  // fuel: charge the region that starts here
  void region_end();                    // fuel: patch the finished region's cost
  void interrupt_check();

  // ---- exception handling (frontend_impl.hpp; exceptions.hpp)
  // An open live try or try_table: its handlers wait in m_try_handlers from `first` on until
  // its end gives them their protected range.
  struct TryData {
    uint32_t level;      // its Block's index in m_blocks
    uint32_t begin;      // protected code: [begin, end) as offsets from the function's start
    uint32_t end;        // legacy try: the first catch arm's start; else kNone until the end
    uint32_t exn_index;  // legacy try: rethrow's hidden word of its catch arms
    uint32_t first;
  };
  // A catch clause to a loop that keeps locals in registers: its stub loads them (the unwinder
  // brings none), then jumps to the header. Emitted after the function's code.
  struct CatchStub {
    uint32_t at, head;
    LocalCache cache;
  };
  void on_try(const Instr& ins, const WalkState& st);  // try, try_table, catch, catch_all, delegate
  void add_catch_clause(const CatchClause& c, const WalkState& st, const TryData& t);
  void enter_catch_arm(const Instr& ins, const WalkState& st);
  void close_try(uint32_t delegate_to);  // at the try's end (delegate: the label it names)
  void emit_throw(const Instr& ins);     // throw, throw_ref, rethrow
  void end_block(const WalkState& st, uint32_t delegate_to);  // `end` (and delegate) of a block
  uint32_t code_offset() { return static_cast<uint32_t>(masm().offset()) - m_func_start; }

  // ---- calls of C++ helpers (frontend_helpers_impl.hpp): everything spilled first
  void emit_numeric_helper(Op op, uint32_t arity, ValType result);  // numeric slow paths
  void emit_misc_helper(const Instr& ins);  // table, bulk memory, memory.size/grow
  void emit_simd_helper(const Instr& ins);  // any SIMD instruction
  void helper_arg(int k, const Val& v);     // argument k from a constant or a home
  void push_helper_result(ValType t);       // the C return register, registers reset

  void unsupported(const Instr& ins);
  void unsupported_text(const char* what);
  static std::string fmt_unsupported(const char* what, uint32_t func_index);

  ModuleLabels& m_labels;
  EngineConfig m_config;
  const Module* m_module = nullptr;
  uint32_t m_func_index = 0;
  std::vector<uint32_t> m_local_slot;  // local index -> frame slot
  std::vector<ValType> m_local_type;
  uint32_t m_local_slots = 0;
  std::vector<Val> m_vs;
  uint32_t m_free = 0;                 // bitmask of free allocatable GP registers
  uint32_t m_free_fp = 0;              // bitmask of free allocatable fp registers
  uint32_t m_borrow_gp[R::kRegs] = {};     // stack values borrowing each register (any number:
                                       // a body may read one cached local 1000s of times)
  uint32_t m_borrow_fp[R::kRegs] = {};
  LocalCache m_cache;
  std::vector<Block> m_blocks;         // [0] = the function
  std::vector<uint32_t> m_loops;       // indexes of the loops in m_blocks, innermost last
  std::vector<BlockState> m_states;    // of the open blocks that have one (Block::state)
  // Which locals a loop wrote since its header: the clock ticks at every loop header, a
  // local.set stamps the local with it (O(1) per set and per query, whatever the nesting).
  std::vector<uint32_t> m_local_written;
  uint32_t m_clock = 0;
  // Value-stack floors, so that no operation rescans the bottom of a deep stack (a hostile
  // body's compile time would grow with the square of its size): no value below
  // m_mem_floor is anything but Kind::Mem, none below m_gp_floor is Kind::Reg, none below
  // m_fp_floor is Kind::Fp. Pops lower them to the height; a value turned into a register
  // in place lowers them to its index (changed_in_place); scans start at them.
  uint32_t m_mem_floor = 0, m_gp_floor = 0, m_fp_floor = 0;
  uint32_t m_dead_depth = 0;
  Label m_epilogue;
  // Per function, so that a trap's pc names the function (backtraces): one stub per
  // TrapKind used (stores the kind) and the stub recording pc and frame pointer.
  static constexpr uint32_t kTrapKinds = 32;  // > every TrapKind
  Label m_traps[kTrapKinds];
  bool m_trap_used[kTrapKinds] = {};
  Label m_unwind_here;
  bool m_unwind_used = false;
  Label m_stack_trap;                  // prologue overflow: the frame is the caller's
  // Fuel: the open region's cost and the positions the backend patches with it.
  uint32_t m_region_cost = 0;
  bool m_region_open = false;
  size_t m_region_patch[2] = {0, 0};
  std::string m_error;                 // first unsupported instruction
  // Exception handling: the function's handler table (innermost first), the open tries, the
  // handlers waiting for their try's end, the catch stubs to emit, rethrow's hidden words.
  uint32_t m_func_start = 0;           // code offset of the function's entry
  FuncEh m_eh;
  bool m_has_eh = false;
  std::vector<TryData> m_tries;
  std::vector<EhHandler> m_try_handlers;  // target: a label id until end_function
  std::vector<CatchStub> m_catch_stubs;
  uint32_t m_legacy_open = 0;          // open legacy tries (the next one's exn_index)
  uint32_t m_exn_words = 0;
};

// ---- Backend contract: what B provides (x64/compiler.hpp is the reference) ----------------
// Code positions and labels: new_label(), bind(l), offset(), recycle_labels().
// Frame: prologue(entry, stack_trap) (frame, stack/depth checks, call_depth + 1),
//   init_locals(param_slots, local_slots), epilogue(label) (call_depth - 1, return),
//   set_frame(bytes) (exceptions.hpp frame_bytes_for; false: too large), end_code() (data
//   after the function's code), label_offset(l) (a bound label's code offset).
// Moves (homes are frame slots): load_gp(r, slot, wide), load_fp(x, slot, type),
//   store_gp(slot, r), store_fp(slot, x, type), move_gp(d, s), move_fp(d, s),
//   fp_from_gp(x, r, f64), gp_from_fp(r, x, f64), gp_const(r, c), fp_const(x, c, f64),
//   v128_const(x, lo, hi), flag_to_gp(r, cond), store_val(slot, val) (any Val kind),
//   begin_results() + store_result(index, val) (into the caller's slot area).
// Control: jump(l), branch(cond, l), negate(cond), branch_reg(r, l, nonzero),
//   branch_home(slot, l, nonzero), jump_table(idx, entries, dflt).
// Loop pads: pad(slots) (no-ops), pad_load(pos, index, reg, fp, type, slot) (false: no
//   room), pad_skip(pos, used) (jumps over the unused slots).
// Traps, calls, limits: trap_stub(at, kind, unwind), stack_trap_stub(at),
//   unwind_stub(at), branch_if_trapped(unwind), call_raw(fn), call_import(index, arg_slot,
//   unwind), call_direct(label, arg_slot),
//   resolve_callee(helper, a, b, callee, arg_slot, unwind) (calls helper(ji, a, b, callee,
//   slots) of jit_abi.hpp's call_indirect shape; returns the label its "already called" result
//   jumps to), call_resolved(label, arg_slot) (calls the resolved code, binds the label),
//   tail_call_direct(label, arg_slot, n), tail_call_resolved(label, arg_slot, n) (falls through
//   the label with the results in the argument area when the callee was called), test_ref(r,
//   null) (the condition "r is null" / "is not null"),
//   branch_if_interrupted(trap), fuel_charge(out_of_fuel, patch[2]), fuel_patch(patch, cost).
// C helpers' arguments (k = position): helper_arg_ji(k), helper_arg_imm32(k, v),
//   helper_arg_imm64(k, v), helper_arg_home(k, slot), helper_arg_home_addr(k, slot),
//   helper_arg_exn_word(k, i) (rethrow's hidden word i, exceptions.hpp);
//   last_call_return() (the code offset after the last call_raw: a call's return address);
//   helper_branch_if_result(l) (nonzero int result), helper_result(wide) (the return register).
// Instructions: on_simple(ins, st) (everything but control, calls and locals), and
//   begin_function_data() (per-function state of the emitters).

}  // namespace wsvm::jit

// The single-pass baseline compiler: a Listener of the validator's function-body walk
// (validator/walk_state.hpp) that emits x86-64 with asmjit's Assembler while the body is
// validated (DESIGN principles 2 and 6).
//
// Virtual value stack: one Val per wasm operand, mirroring the walker's operand stack. A Val
// is a register, a constant or "in memory" (its home slot in the frame). Registers are
// allocated greedily; values go to their homes only at control merges (block/loop/if
// entries, labels, branches) and calls, so at every label every operand lives in its home.
//
// Frame (rsp-relative, rsp fixed after the prologue):
//   [rsp + 8*k]   slot k: locals first (params, then declared), then the walker's operand
//                 slots (walker slot s -> k = local_slots + s). Same numbering as the
//                 interpreter, so a call's argument area is the caller's operand slots.
//   [rbp - 8]     the caller's slot area pointer (arguments in, results out)
// compiler.cpp: frame, registers, control; compiler_ops.cpp: everything else.
#pragma once

#include <asmjit/x86.h>

#include <cassert>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "decoder/instr.hpp"
#include "jit/fast_assembler.hpp"
#include "decoder/module.hpp"
#include "runtime/engine.hpp"
#include "validator/walk_state.hpp"

namespace wsvm::jit {

namespace x86 = asmjit::x86;

// rax rcx rdx rbx rsi rdi r8 r9 r10 r12: allocatable. r11 is the scratch register; rsp, rbp
// and r13-r15 are the frame and pinned registers (jit_abi.hpp).
inline constexpr uint32_t kAllocatableRegs = (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) |
                                             (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) |
                                             (1u << 10) | (1u << 12);
// xmm0-xmm13 hold f32/f64 values; xmm14/xmm15 are scratch (SIMD, float operands).
inline constexpr uint32_t kAllocatableXmm = 0x3fff;

// Labels shared by all functions of one module (one CodeHolder).
struct ModuleLabels {
  std::vector<asmjit::Label> funcs;     // defined functions, by index - imported count
  asmjit::Label unwind;                 // rsp = entry_rsp; return 1 from the trampoline
  asmjit::Label exit;                   // the trampoline's epilogue
};

class FunctionCompiler {
 public:
  FunctionCompiler(FastAssembler& a, ModuleLabels& labels, EngineConfig config, bool has_lzcnt)
      : m_a(a), m_labels(labels), m_config(config), m_lzcnt(has_lzcnt) {}

  // Listener contract.
  void begin_function(const Module& m, uint32_t func_index, std::span<const ValType> locals);
  void on_instr(const Instr& ins, const WalkState& st);
  Result<void> end_function(const WalkState& st);

 private:
  // Kind::Xmm holds only f32/f64 (an f32 with bits 32-63 zero, so 8-byte stores keep homes
  // as they are with GP registers); integers are never in an Xmm, floats may also be in a
  // GP register (Reg: their bits, e.g. after a reinterpret or a helper call).
  enum class Kind : uint8_t { Mem, Reg, Const, Flags, Xmm };
  struct Val {
    ValType type;
    Kind kind;
    uint8_t reg;    // Kind::Reg: GP register id; Kind::Xmm: xmm register id
    uint8_t cond;   // Kind::Flags: x86::CondCode meaning "true"
    uint32_t slot;  // frame slot (home)
    uint64_t c;     // Kind::Const
    // Reg/Xmm: the register is a cached local's, read in place (local.get without a copy);
    // it stays unallocatable while borrowed. Consumers that change their operand's
    // register get a copy from to_reg/to_xmm.
    bool borrowed = false;
    uint64_t c_hi = 0;  // Kind::Const of a v128: bytes 8-15 (c holds bytes 0-7)
  };
  // Register cache for locals (write-through: local.set/tee always store to the home too,
  // so a cached register is a clean copy that can be dropped at any time). A cached
  // register is free for the value stack (m_free); taking it just forgets the copy.
  // Write-back: a dirty register is newer than its local's home. Dirty locals are stored
  // before their register is taken, before calls and helpers, on every path into a merge
  // (block/if ends, where the cache is dropped) and on back edges unless the loop keeps
  // the local in that register (at a loop header every entry-cached local counts as dirty).
  struct LocalCache {
    uint32_t gp = 0;   // GP registers holding a local
    uint32_t xmm = 0;  // xmm registers holding a local
    uint32_t gp_dirty = 0;   // subsets of gp / xmm
    uint32_t xmm_dirty = 0;
    uint32_t gp_local[16] = {};
    uint32_t xmm_local[16] = {};
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
    uint32_t head = kNone;   // label: loop header (branch target of a loop)
    uint32_t els = kNone;    // label: if: where the false condition jumps
    uint32_t state = kNone;  // index in m_states, or none (empty entry cache, no pad)
  };
  // A live loop's or an if's entry state (an if has one only when its entry cache is not
  // empty). At most kMaxStates are open at once: a deeper loop or if starts with the cache
  // dropped and no preheader pad (code quality only matters in bodies of sane depth).
  struct BlockState {
    LocalCache entry;        // loop: the cache every back edge re-establishes; if: for else
    // Loop preheader pad: kPadSlots NOP slots before the header; a local first read inside
    // the loop (not yet written in it, no back edge emitted yet) is loaded there into a
    // register untouched since the header and joins `entry`.
    size_t pad_pos = 0;
    uint8_t pad_used = 0;
    bool has_pad = false;
    bool back_edge = false;
    // Entry registers added by the pad: compiled code before the pad point did not know
    // them, so back edges bring them clean (stored when dirty), never dirty.
    uint32_t pad_gp = 0, pad_xmm = 0;
    uint32_t saved_touched_gp = 0, saved_touched_xmm = 0;  // the enclosing loop's masks
    uint32_t header_clock = 0;  // m_clock at the header: locals written since have a later one
  };
  static constexpr size_t kMaxStates = 64;
  static const LocalCache kEmptyCache;
  const LocalCache& entry_of(const Block& b) const {
    return b.state == kNone ? kEmptyCache : m_states[b.state].entry;
  }
  BlockState* state_of(Block& b) { return b.state == kNone ? nullptr : &m_states[b.state]; }
  static asmjit::Label label(uint32_t id) { return asmjit::Label(id); }
  uint32_t ensure_label(uint32_t& id) {
    if (id == kNone) id = m_a.new_local_label().id();
    return id;
  }
  static constexpr uint8_t kPadSlots = 4;
  static constexpr uint32_t kPadSlotBytes = 10;  // the longest home load (movsd xmm8, [rsp+d32])
  // Registers written since the innermost loop's header (merged outward at loop ends).
  uint32_t m_touched_gp = 0, m_touched_xmm = 0;
  void touch_gp(uint32_t mask) { m_touched_gp |= mask; }
  void touch_xmm(uint32_t mask) { m_touched_xmm |= mask; }
  BlockState* innermost_loop();  // with a pad and an entry; nullptr outside or too deep
  int preheader_load(uint32_t local);  // the register, or -1
  void emit_nops(uint32_t n);

  // ---- compiler.cpp: values and registers
  static bool is64(ValType t) { return t == ValType::I64 || t == ValType::F64 || is_reftype(t); }
  x86::Mem home(uint32_t slot) const { return x86::qword_ptr(x86::rsp, static_cast<int32_t>(slot * 8)); }
  x86::Mem home32(uint32_t slot) const { return x86::dword_ptr(x86::rsp, static_cast<int32_t>(slot * 8)); }
  // The value stack's hot operations are inline: each was a call per operand push/pop.
  uint32_t next_slot() const {
    if (m_vs.empty()) return m_local_slots;
    const Val& t = m_vs.back();
    return t.slot + slot_count(t.type);
  }
  void push_reg(ValType t, x86::Gp r) {
    m_vs.push_back(Val{t, Kind::Reg, static_cast<uint8_t>(r.id()), 0, next_slot(), 0});
    m_free &= ~(1u << r.id());
    forget_gp(r.id());
  }
  void push_const(ValType t, uint64_t c) { m_vs.push_back(Val{t, Kind::Const, 0, 0, next_slot(), c}); }
  void push_mem(ValType t) { m_vs.push_back(Val{t, Kind::Mem, 0, 0, next_slot(), 0}); }
  void push_flags(x86::CondCode cc);
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
    if (m_xmm_floor > n) m_xmm_floor = n;
  }
  // v, if it is a value of the stack, was just made a register or constant in place.
  void changed_in_place(const Val& v) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(&v);
    const uintptr_t base = reinterpret_cast<uintptr_t>(m_vs.data());
    if (at < base || at >= base + m_vs.size() * sizeof(Val)) return;  // a popped copy
    const uint32_t i = static_cast<uint32_t>((at - base) / sizeof(Val));
    if (m_mem_floor > i) m_mem_floor = i;
    if (v.kind == Kind::Reg && m_gp_floor > i) m_gp_floor = i;
    if (v.kind == Kind::Xmm && m_xmm_floor > i) m_xmm_floor = i;
  }
  Val& top(uint32_t i = 0) { return m_vs[m_vs.size() - 1 - i]; }
  x86::Gp alloc();                      // a free allocatable register (spills if needed)
  x86::Xmm alloc_xmm();                 // a free xmm0-13 (spills the oldest Xmm value)
  void reset_regs();                    // after a call: every register free
  // ---- local cache (compiler.cpp)
  static bool cacheable(ValType t) { return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64 || t == ValType::V128; }
  // The xmm register class: f32, f64 and v128.
  static bool is_float(ValType t) { return t == ValType::F32 || t == ValType::F64 || t == ValType::V128; }
  void load_xmm(x86::Xmm x, uint32_t slot, ValType t);  // movss/movsd/movups from a home
  int cached_reg(uint32_t local) const {  // GP or xmm id by the local's type, -1 if none
    const bool f = is_float(m_local_type[local]);
    uint32_t m = f ? m_cache.xmm : m_cache.gp;
    const uint32_t* of = f ? m_cache.xmm_local : m_cache.gp_local;
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
  void uncache_xmm(uint32_t id) {
    if (m_cache.xmm_dirty & (1u << id)) store_cached(true, id);
    forget_xmm(id);
  }
  void forget_gp(uint32_t id) { m_cache.gp &= ~(1u << id); m_cache.gp_dirty &= ~(1u << id); }
  void forget_xmm(uint32_t id) { m_cache.xmm &= ~(1u << id); m_cache.xmm_dirty &= ~(1u << id); }
  void drop_cache() { m_cache.gp = m_cache.xmm = m_cache.gp_dirty = m_cache.xmm_dirty = 0; }
  void store_cached(bool xmm, uint32_t id);           // the register's local -> its home
  void flush_on_path(const LocalCache* keep, uint32_t nokeep_gp = 0, uint32_t nokeep_xmm = 0);
  void flush_dirty() { flush_on_path(nullptr); m_cache.gp_dirty = m_cache.xmm_dirty = 0; }
  void mark_dirty(bool xmm, int id) { (xmm ? m_cache.xmm_dirty : m_cache.gp_dirty) |= 1u << id; }
  int free_uncached_gp() const;
  int free_uncached_xmm() const;
  void emit_local_get(uint32_t local);
  void emit_local_set(uint32_t local, bool tee);
  bool cache_satisfies(const LocalCache& want) const;
  void establish_cache(const Block& loop);  // stores and loads (on a branch path only)
  uint32_t loop_cache_mask(bool xmm) const;       // registers the innermost loop keeps
  int cache_target(uint32_t local, bool xmm, int avoid) const;
  int loop_reg_of(uint32_t local, bool xmm) const;
  bool in_loop() const;  // copies into the cache only pay off where code repeats
  void set_cached(uint32_t local, bool xmm, int id);
  void cache_copy(uint32_t local, bool xmm, int dst, int src);  // dst := src, dst caches local
  void push_xmm(ValType t, x86::Xmm x);
  void push_borrowed(ValType t, bool fp, int c) {
    m_vs.push_back(Val{t, fp ? Kind::Xmm : Kind::Reg, static_cast<uint8_t>(c), 0, next_slot(), 0, true});
    (fp ? m_free_xmm : m_free) &= ~(1u << c);
    ++(fp ? m_borrow_xmm : m_borrow_gp)[c];
  }
  x86::Xmm to_xmm(Val& v);              // float v in an xmm register it owns
  asmjit::Operand float_src(Val& v, bool f64);  // xmm, home or xmm15 (v stays where it is)
  void emit_float_unop(Op op, ValType rt);
  void release(const Val& v) {          // frees v's register (if any)
    if (v.borrowed) {
      uint32_t* n = v.kind == Kind::Xmm ? &m_borrow_xmm[v.reg] : &m_borrow_gp[v.reg];
      assert(*n > 0);
      if (--*n != 0) return;
    }
    if (v.kind == Kind::Reg) m_free |= 1u << v.reg;
    else if (v.kind == Kind::Xmm) m_free_xmm |= 1u << v.reg;
  }
  void spill(Val& v);                   // v -> its home
  void spill_all();
  // The stack values in register id (if any) -> their homes; popped_holders: how many of
  // its holders the caller has popped (they are not in the stack any more).
  void spill_reg(uint32_t id, uint32_t popped_holders);
  static uint32_t holds(const Val& v, uint32_t id) { return v.kind == Kind::Reg && v.reg == id; }
  void materialize_flags();             // top Flags value -> register
  x86::Gp to_reg(Val& v);               // v in a register it owns (loads if needed)
  x86::Gp read_reg(Val& v) { return v.kind == Kind::Reg ? x86::gpq(v.reg) : to_reg(v); }
  x86::Xmm read_xmm(Val& v) { return v.kind == Kind::Xmm ? x86::xmm(v.reg) : to_xmm(v); }
  void store_to(const x86::Mem& dst, const Val& v);  // 8 bytes, via r11 when needed
  static x86::Gp gp(const Val& v) { return x86::gpq(v.reg); }
  static x86::Gp gpw(const Val& v, bool wide) { return wide ? x86::Gp(x86::gpq(v.reg)) : x86::Gp(x86::gpd(v.reg)); }
  bool fits_imm32(const Val& v) const;  // usable as a sign-extended imm32 operand
  x86::Mem home_of(const Val& v, bool wide) const { return wide ? home(v.slot) : home32(v.slot); }

  // ---- compiler.cpp: control
  void on_control(const Instr& ins, const WalkState& st);
  void emit_branch(uint32_t depth, const WalkState& st);  // moves + jmp (values on top)
  bool branch_values_in_place(uint32_t depth, const WalkState& st);
  void emit_branch_moves(uint32_t depth, const WalkState& st);
  asmjit::Label target_label(uint32_t depth);
  bool cache_ok_for(uint32_t depth) const;
  // at_end: the function's final `end`, right before the epilogue.
  void emit_return(const WalkState& st, bool at_end = false);
  void emit_br_if(const Instr& ins, const WalkState& st);
  void emit_br_table(const Instr& ins, const WalkState& st);
  void emit_call(uint32_t func_index);
  void emit_call_indirect(const Instr& ins);
  void jump_if_false(Val cond, asmjit::Label target);
  void jump_if_true(Val cond, asmjit::Label target);
  void reset_to_frame(const CtrlFrame& f, std::span<const ValType> values);
  void trap_if(x86::CondCode cc, TrapKind kind);
  asmjit::Label trap_label(TrapKind kind);
  asmjit::Label unwind_here();          // this function's unwind stub (records pc, rbp)
  void emit_trap_stubs();               // at the function's end, inside its pc range
  void check_trapped();                 // after a helper that may trap
  void call_helper(const void* fn);
  void region_start();                  // fuel: charge the region that starts here
  void region_end();                    // fuel: patch the finished region's cost
  void interrupt_check();

  // ---- compiler_simd.cpp
  void emit_simd(const Instr& ins);
  bool emit_simd_inline(const Instr& ins);
  bool emit_simd_lanes(const Instr& ins);    // splat, extract/replace lane, loads/stores
  bool emit_simd_convert(const Instr& ins);  // narrow/extend/extmul/convert/trunc ...
  x86::Mem home128(uint32_t slot) const;
  void copy_v128(const x86::Mem& dst, const x86::Mem& src);
  void push_v128_const(uint64_t lo, uint64_t hi);
  x86::Mem const128(uint64_t lo, uint64_t hi);  // a 16-byte aligned constant in the pool
  x86::Mem splat32(uint32_t v) { return const128(v | uint64_t{v} << 32, v | uint64_t{v} << 32); }
  void load_v128_const(x86::Xmm x, uint64_t lo, uint64_t hi);
  // A v128 operand readable as a register: its own xmm, or loaded into `scratch`. Call it
  // after every allocation of the instruction (an allocation may spill through xmm15).
  x86::Xmm v128_src(Val& v, x86::Xmm scratch);
  x86::Xmm tmp_xmm() { return alloc_xmm(); }
  void free_tmp(x86::Xmm x) { m_free_xmm |= 1u << x.id(); }
  void emit_constant_pool();

  // ---- compiler_ops.cpp
  void on_simple(const Instr& ins, const WalkState& st);
  void emit_int_binop(const Instr& ins, bool wide);
  void emit_compare(Op op, bool wide);
  void emit_divrem(Op op, bool wide);
  void emit_shift(Op op, bool wide);
  void emit_float_binop(Op op, bool f64);
  void emit_float_compare(Op op, bool f64);
  void emit_unop(const Instr& ins);
  void emit_numeric_helper(Op op, uint32_t arity, ValType result);
  void emit_load(const Instr& ins);
  void emit_store(const Instr& ins);
  x86::Mem mem_operand(Val& addr, uint64_t offset, uint32_t size);
  void emit_select(const Instr& ins);
  void emit_global(const Instr& ins);
  void emit_misc_helper(const Instr& ins);
  void unsupported(const Instr& ins);
  void unsupported_text(const char* what);
  static std::string fmt_unsupported(const char* what, uint32_t func_index);

  FastAssembler& m_a;  // typed overloads of the hot mnemonics encode inline (fast_assembler.hpp)
  ModuleLabels& m_labels;
  EngineConfig m_config;
  bool m_lzcnt;
  const Module* m_module = nullptr;
  uint32_t m_func_index = 0;
  std::vector<uint32_t> m_local_slot;  // local index -> frame slot
  std::vector<ValType> m_local_type;
  uint32_t m_local_slots = 0;
  std::vector<Val> m_vs;
  uint32_t m_free = 0;                 // bitmask of free allocatable GP registers
  uint32_t m_free_xmm = 0;             // bitmask of free xmm0-13
  uint32_t m_borrow_gp[16] = {};       // stack values borrowing each register (any number:
                                       // a body may read one cached local 1000s of times)
  uint32_t m_borrow_xmm[16] = {};
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
  // m_xmm_floor is Kind::Xmm. Pops lower them to the height; a value turned into a register
  // in place lowers them to its index (changed_in_place); scans start at them.
  uint32_t m_mem_floor = 0, m_gp_floor = 0, m_xmm_floor = 0;
  uint32_t m_dead_depth = 0;
  asmjit::Label m_epilogue;
  // Per function, so that a trap's pc names the function (backtraces): one stub per
  // TrapKind used (stores the kind) and the stub recording pc and rbp.
  asmjit::Label m_traps[16];
  bool m_trap_used[16] = {};
  asmjit::Label m_unwind_here;
  bool m_unwind_used = false;
  asmjit::Label m_stack_trap;          // prologue overflow: the frame is the caller's
  bool m_stack_trap_used = false;
  size_t m_frame_patch = 0;            // imm32 of `sub rsp, frame`
  // Fuel: the open region's cost and the imm32 positions to patch with it.
  uint32_t m_region_cost = 0;
  bool m_region_open = false;
  size_t m_region_patch[2] = {0, 0};
  std::string m_error;                 // first unsupported instruction
  // v128 constants of this function, emitted 16-byte aligned after its code.
  struct PoolEntry {
    uint64_t lo, hi;
    asmjit::Label label;
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
    x86::Mem mem;
    uint8_t reg = 0xff;
    bool f64 = false;
    bool valid = false;
  };
  FoldableLoad m_fold;
  bool take_fold(const Val& v, bool f64);  // v is that load's value: rewind it
};

}  // namespace wsvm::jit

// The dispatch loop of the interpreter.
//
// execute() is ONE large function on purpose: every handler is a label in it, so the hot
// state (ip, fp, memory base and size, the current instance) lives in local variables that
// g++ keeps in registers across handlers, and dispatch is a single indirect jump
// (`goto *ip->handler`, direct threading; DESIGN principle 5, CONVENTIONS 7.2). Splitting it
// into functions would spill that state on every instruction.
//
// Define WSVM_INTERP_SWITCH to build the portable `switch` form instead of computed goto:
// only the macros below change.
//
// Per GCC's manual, computed-goto code runs better without global CSE; cross-jumping merges
// equal handler tails behind an extra jmp. Both only for this file
// (before every include, so all inline functions here are built alike).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-gcse", "no-crossjumping")
#endif

#include "interp/interpreter.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

#include <sys/mman.h>

#if defined(WSVM_INTERP_PROFILE) && defined(WSVM_INTERP_SWITCH)
#include <map>
#include <unordered_map>

#include "interp/disasm.hpp"
#endif

#include "semantics/numerics.hpp"
#include "semantics/simd.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/bulk_ops.hpp"
#include "runtime/slot_cast.hpp"
#include "runtime/native_stack.hpp"

#if defined(__GNUC__) && !defined(WSVM_INTERP_SWITCH)
#define WSVM_THREADED 1
#endif

namespace wsvm::interp {
namespace {

#if defined(WSVM_INTERP_PROFILE) && defined(WSVM_INTERP_SWITCH)
// Development aid (build interpreter.cpp with -DWSVM_INTERP_SWITCH -DWSVM_INTERP_PROFILE):
// counts executed ops and adjacent op pairs, printed to stderr at exit; this is how the
// superinstructions were chosen.
struct OpProfile {
  static constexpr size_t kN = static_cast<size_t>(IOp::kCount);
  std::vector<uint64_t> ops = std::vector<uint64_t>(kN);
  std::vector<uint64_t> pairs = std::vector<uint64_t>(kN * kN);
  // Executions per code address: dump() walks the code from each executed op to find the
  // straight-line sequences of 3-5 ops that ran (candidates for FUSE3..FUSE5).
  std::unordered_map<const Word*, uint64_t> at;
  size_t prev = 0;
  ~OpProfile() { dump(); }
  void dump();  // to stderr
};
OpProfile g_profile;
// WASI programs end in proc_exit (a host call that never returns): dump before host calls.
#define PROFILE_HOST_CALL() g_profile.dump()
#define PROFILE_OP(ip_)                                   \
  do {                                                    \
    size_t op_ = static_cast<size_t>((ip_)->u64);         \
    ++g_profile.at[ip_];                                  \
    ++g_profile.ops[op_];                                 \
    ++g_profile.pairs[g_profile.prev * OpProfile::kN + op_]; \
    g_profile.prev = op_;                                 \
  } while (0)
#else
#define PROFILE_HOST_CALL() \
  do {                      \
  } while (0)
#define PROFILE_OP(ip_) \
  do {                  \
  } while (0)
#endif

using slot::rd;
using slot::wr;

using Ty_i32 = uint32_t;
using Ty_i64 = uint64_t;

#ifdef WSVM_THREADED
// In init mode (fp == nullptr) run() only hands out its label table.
const void* const* g_labels = nullptr;
#endif

}  // namespace

InterpThread::InterpThread(const Engine* e, uint64_t max_stack_bytes) : engine(e) {
  uint64_t slots = max_stack_bytes != 0 ? max_stack_bytes / 8 : kDefaultStackSlots;
  slots = std::clamp<uint64_t>(slots, 1, uint64_t{1} << 32);  // a u32 slot index must reach
  stack_bytes = static_cast<size_t>(slots * 8);
  void* p = mmap(nullptr, stack_bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {  // no stack at all: every call traps "call stack exhausted"
    stack_bytes = 0;
    return;
  }
  stack = static_cast<uint64_t*>(p);
  stack_end = stack + slots;
  top = stack;
}

InterpThread::~InterpThread() {
  if (stack != nullptr) munmap(stack, stack_bytes);
}

const uint32_t* InterpThread::type_ids_for(const Instance* inst) {
  auto [it, inserted] = type_ids.try_emplace(inst);
  if (inserted) {
    const Module& m = inst->module();
    it->second.reserve(m.types.size());
    for (const FuncType& t : m.types) it->second.push_back(inst->store->intern_type(t));
  }
  return it->second.data();
}

#ifdef WSVM_THREADED
#define HANDLER(name) L_##name:
#define DISPATCH() goto *ip->handler
#define DISPATCH_BEGIN DISPATCH();
#define DISPATCH_END
#else
#define HANDLER(name) case IOp::name:
#define DISPATCH() goto dispatch_top
#define DISPATCH_BEGIN \
  dispatch_top:        \
  PROFILE_OP(ip);      \
  switch (static_cast<IOp>(ip->u64)) {
#define DISPATCH_END \
  case IOp::kCount:  \
    break;           \
    }                \
  __builtin_unreachable();
#endif

#define NEXT(words) \
  do {              \
    ip += (words);  \
    DISPATCH();     \
  } while (0)
// Taken branches. Loop headers have a check_interrupt op that only entry from above runs;
// back-edges land just past it (translate.cpp) and check in their branch handler instead,
// saving a dispatch per iteration: JUMP_BACK in the `_back` ops the translator picks for
// back-edges, JUMP_CHECKED (checks when the target is not ahead) in the rarer br_table and
// copy_br. `interrupt_flag` points at a constant 0 when the code has no interrupt checks.
#define JUMP(to)     \
  do {               \
    ip = (to);       \
    DISPATCH();      \
  } while (0)
#define JUMP_BACK(to)                                                           \
  do {                                                                          \
    if (interrupt_flag->load(std::memory_order_relaxed) != 0) [[unlikely]]      \
      goto trap_interrupted;                                                   \
    ip = (to);                                                                  \
    DISPATCH();                                                                 \
  } while (0)
#define JUMP_CHECKED(to)                                                  \
  do {                                                                    \
    const Word* to_ = (to);                                               \
    if (to_ <= ip && interrupt_flag->load(std::memory_order_relaxed) != 0) \
        [[unlikely]]                                                      \
      goto trap_interrupted;                                             \
    ip = to_;                                                             \
    DISPATCH();                                                           \
  } while (0)
#define LO(k) (ip[k].s.lo)
#define HI(k) (ip[k].s.hi)
#define TRAP(kind)        \
  do {                    \
    trap_kind = (kind);   \
    goto trap;            \
  } while (0)
// Memory 0 of the current instance; its base never moves, its size changes on grow (also by
// callees and host functions through a shared import), so reload after calls and grow.
#define RELOAD_MEMORY()                                   \
  do {                                                    \
    if (!inst->memories.empty()) {                        \
      memory::LinearMemory* lm = inst->memories[0]->mem.get(); \
      mem_base = lm->base();                              \
      mem_size = lm->size_bytes();                        \
    } else {                                              \
      mem_base = nullptr;                                 \
      mem_size = 0;                                       \
    }                                                     \
  } while (0)

// Bounds of a load/store at effective address `ea` (< 8 GiB: u32 index + u32 offset). Every
// linear memory is an 8 GiB PROT_NONE reservation with only its current pages accessible
// (memory/linear_memory.hpp), so base + ea + size - 1 is either accessible or faults inside
// the reservation, and execute() turns the fault into "out of bounds memory access". Define
// WSVM_INTERP_BOUNDS_CHECKS to check explicitly instead (for hosts without the signal handler).
#ifdef WSVM_INTERP_BOUNDS_CHECKS
#define BOUNDS_CHECK(ea, bytes)                \
  do {                                         \
    if ((ea) + (bytes) > mem_size) [[unlikely]] \
      TRAP(TrapKind::MemoryOutOfBounds);       \
  } while (0)
#else
#define BOUNDS_CHECK(ea, bytes) \
  do {                          \
  } while (0)
#endif

namespace {
std::optional<Trap> run(ExecContext* ctx_ptr, InterpThread* th_ptr, const FuncInstance* f_ptr,
                        uint64_t* fp) {
#ifdef WSVM_THREADED
  static const void* const kLabels[] = {
#define IOP(name) &&L_##name,
#include "interp/iops.def"
#undef IOP
  };
  if (fp == nullptr) {
    g_labels = kLabels;
    return std::nullopt;
  }
#else
  if (fp == nullptr) return std::nullopt;
#endif

  ExecContext& ctx = *ctx_ptr;
  InterpThread& th = *th_ptr;
  const FuncInstance& f = *f_ptr;
  // Entry frame: the caller (Engine::call) has checked that it fits.
  const FuncCode* fn = static_cast<const FuncCode*>(f.code);
  Instance* inst = f.instance;
  const Word* ip = fn->code.data();
  const size_t base_frames = th.frames.size();
  const uint32_t entry_depth = ctx.call_depth;
  uint64_t* const entry_top = th.top;
  const uint32_t max_depth = ctx.max_call_depth ? ctx.max_call_depth : 20000;
  uint8_t* mem_base = nullptr;
  uint64_t mem_size = 0;
  TrapKind trap_kind = TrapKind::Unreachable;
  std::optional<Trap> pending;  // a trap built elsewhere (host function, bulk op)
  const Instance* types_inst = nullptr;
  const uint32_t* type_ids = nullptr;
  // Operands of do_call.
  FuncInstance* callee = nullptr;
  uint32_t call_arg = 0;
  const Word* ret_ip = nullptr;

  if (ctx.call_depth >= max_depth) return Trap::make(TrapKind::CallStackExhausted);
  // Host -> wasm re-entry nests this function on the machine stack: stop before it overflows.
  if (ctx.native_stack_limit != 0 && current_stack_pointer() < ctx.native_stack_limit) [[unlikely]]
    return Trap::make(TrapKind::CallStackExhausted);
  ++ctx.call_depth;
  th.cur_fn = fn;
  th.cur_inst = inst;
  std::fill(fp + fn->param_slots, fp + fn->local_slots, uint64_t{0});
  RELOAD_MEMORY();
  // Every function this dispatch runs comes from the same engine (other tiers go through
  // call_slots), so they all have the same check_interrupt.
  static const std::atomic<uint32_t> kNeverInterrupted{0};
  const std::atomic<uint32_t>* const interrupt_flag =
      fn->check_interrupt ? &ctx.interrupt : &kNeverInterrupted;
  if (fn->check_interrupt && ctx.interrupt.load(std::memory_order_relaxed) != 0) [[unlikely]]
    TRAP(TrapKind::Interrupted);

  DISPATCH_BEGIN

  // ---- control ----------------------------------------------------------------------
  HANDLER(trap_unreachable) { TRAP(TrapKind::Unreachable); }
  HANDLER(check_interrupt) {
    if (ctx.interrupt.load(std::memory_order_relaxed) != 0) [[unlikely]]
      TRAP(TrapKind::Interrupted);
    NEXT(1);
  }
  HANDLER(fuel) {
    // The region's whole cost up front; if it does not fit, the region does not start and
    // fuel_remaining stays as it was (limits contract, runtime/store.hpp).
    const int64_t cost = static_cast<int64_t>(ip[1].u64);
    if (ctx.fuel_remaining < cost) [[unlikely]]
      TRAP(TrapKind::OutOfFuel);
    ctx.fuel_remaining -= cost;
    NEXT(2);
  }
  // Branch handlers come in two forms: the plain one (forward branches and every branch
  // when the code has no interrupt checks) and `_back` (a loop's back-edge, chosen by the
  // translator: checks the interrupt flag, limits contract).
#define BRANCH_HANDLERS(sfx, JMP)                                   \
  HANDLER(br##sfx) { JMP(ip[1].target); }                           \
  HANDLER(br_if##sfx) {                                             \
    if (static_cast<uint32_t>(fp[LO(1)]) != 0) JMP(ip[2].target);   \
    NEXT(3);                                                        \
  }                                                                 \
  HANDLER(br_unless##sfx) {                                         \
    if (static_cast<uint32_t>(fp[LO(1)]) == 0) JMP(ip[2].target);   \
    NEXT(3);                                                        \
  }                                                                 \
  HANDLER(br_i64_eqz##sfx) {                                        \
    if (fp[LO(1)] == 0) JMP(ip[2].target);                          \
    NEXT(3);                                                        \
  }                                                                 \
  HANDLER(br_i64_nez##sfx) {                                        \
    if (fp[LO(1)] != 0) JMP(ip[2].target);                          \
    NEXT(3);                                                        \
  }
  BRANCH_HANDLERS(, JUMP)
  BRANCH_HANDLERS(_back, JUMP_BACK)
#undef BRANCH_HANDLERS
  // ---- fused compare + branch (branch_ops.def) --------------------------------------
#define BR_CMP_HANDLERS(cmp, T, sfx, JMP)                                \
  HANDLER(br_##T##_##cmp##sfx) {                                         \
    if (num::cmp(rd<Ty_##T>(fp[LO(1)]), rd<Ty_##T>(fp[HI(1)])))          \
      JMP(ip[2].target);                                                 \
    NEXT(3);                                                             \
  }                                                                      \
  HANDLER(br_##T##_##cmp##_imm##sfx) {                                   \
    if (num::cmp(rd<Ty_##T>(fp[LO(1)]), rd<Ty_##T>(ip[2].u64)))          \
      JMP(ip[3].target);                                                 \
    NEXT(4);                                                             \
  }
#define BR_CMP(cmp, inv, T) BR_CMP_HANDLERS(cmp, T, , JUMP) BR_CMP_HANDLERS(cmp, T, _back, JUMP_BACK)
#include "interp/branch_ops.def"
#undef BR_CMP
#undef BR_CMP_HANDLERS

  HANDLER(br_table) {
    uint32_t i = static_cast<uint32_t>(fp[LO(1)]);
    uint32_t n = HI(1);
    JUMP_CHECKED(ip[2 + std::min(i, n)].target);
  }
  HANDLER(copy_br) {
    uint64_t* dst = fp + LO(1);
    const uint64_t* src = fp + HI(1);
    for (uint32_t i = 0, n = LO(2); i < n; ++i) dst[i] = src[i];  // dst < src: ascending is safe
    JUMP_CHECKED(ip[3].target);
  }
  // ret0 / ret1: the common result counts without the copy loop.
  HANDLER(ret1) {
    fp[0] = fp[LO(1)];
    goto do_return;
  }
  HANDLER(ret0) { goto do_return; }
  HANDLER(ret) {
    const uint64_t* src = fp + LO(1);
    for (uint32_t i = 0, n = HI(1); i < n; ++i) fp[i] = src[i];
    goto do_return;
  }
  do_return : {
    --ctx.call_depth;
    if (th.frames.size() == base_frames) {
      th.top = entry_top;
      return std::nullopt;
    }
    const CallFrame& cf = th.frames.back();
    ip = cf.ret_ip;
    fp = cf.fp;
    fn = cf.fn;
    th.cur_fn = fn;
    // Within one instance memory 0 is the same object (mem_size is this dispatch's own
    // variable, so a grow in the callee is already seen); only a cross-instance return
    // reloads it.
    if (cf.inst != inst) [[unlikely]] {
      inst = cf.inst;
      th.cur_inst = inst;
      RELOAD_MEMORY();
    }
    th.frames.pop_back();
    DISPATCH();
  }
  HANDLER(call_local) {
    // A defined function of this instance's module: same engine, same instance, never a
    // host function, so only the depth/stack check, the locals and the frame remain.
    // (Superinstructions ending in a call_local jump here with ip at its handler word.)
  do_call_local:
    const FuncCode* cc = ip[2].func;
    uint64_t* new_fp = fp + LO(1);
    if (ctx.call_depth >= max_depth || cc->frame_slots > static_cast<size_t>(th.stack_end - new_fp))
        [[unlikely]]
      goto trap_stack_exhausted;
    // A plain loop: most functions have a few locals or none, where a memset call would
    // cost more than the stores (the empty asm keeps g++ from turning it into one).
    for (uint32_t i = cc->param_slots, n = cc->local_slots; i < n; ++i) {
      new_fp[i] = 0;
      asm("" : "+r"(i));
    }
    th.frames.push_back(CallFrame{ip + 3, fp, fn, inst});
    ++ctx.call_depth;
    fp = new_fp;
    fn = cc;
    th.cur_fn = cc;
    ip = cc->code.data();
    // Limits contract: every function entry checks the interrupt flag (a constant 0 when the
    // code has no checks: every function of the engine has the same check_interrupt).
    if (interrupt_flag->load(std::memory_order_relaxed) != 0) [[unlikely]]
      goto trap_interrupted;     
    DISPATCH();
  }
  HANDLER(call) {
    callee = inst->funcs[HI(1)];
    call_arg = LO(1);
    ret_ip = ip + 2;
    goto do_call;
  }
  HANDLER(call_indirect) {
    const TableInstance* table = inst->tables[LO(2)];
    uint32_t i = static_cast<uint32_t>(fp[HI(2)]);
    if (i >= table->elems.size()) TRAP(TrapKind::UndefinedElement);
    Ref r = table->elems[i];
    if (r == kNullRef) TRAP(TrapKind::UninitializedElement);
    callee = reinterpret_cast<FuncInstance*>(r);
    if (types_inst != inst) {
      type_ids = th.type_ids_for(inst);
      types_inst = inst;
    }
    if (callee->type_id != type_ids[HI(1)]) TRAP(TrapKind::IndirectCallTypeMismatch);
    call_arg = LO(1);
    ret_ip = ip + 3;
    goto do_call;
  }

  // ---- data movement ------------------------------------------------------------------
  HANDLER(const64) {
    fp[LO(1)] = ip[2].u64;
    NEXT(3);
  }
  HANDLER(copy) {
    fp[LO(1)] = fp[HI(1)];
    NEXT(2);
  }
  HANDLER(copy_n) {
    // Local moves may overlap in either direction only for v128 pairs; memmove is exact.
    std::memmove(fp + LO(1), fp + HI(1), size_t{LO(2)} * 8);
    NEXT(3);
  }
  HANDLER(copy2) {
    // One 16-byte load before the store (the ranges may overlap by one slot), and one 16-byte
    // store: a v128 consumer's 16-byte load is forwarded only from a single store.
    simd::store(fp + LO(1), simd::load(fp + HI(1)));
    NEXT(2);
  }
  HANDLER(select) {
    fp[LO(1)] = static_cast<uint32_t>(fp[HI(2)]) != 0 ? fp[HI(1)] : fp[LO(2)];
    NEXT(3);
  }
  HANDLER(global_get) {
    fp[LO(1)] = inst->globals[HI(1)]->slots[0];
    NEXT(2);
  }
  HANDLER(global_set) {
    inst->globals[HI(1)]->slots[0] = fp[LO(1)];
    NEXT(2);
  }

  // ---- references ---------------------------------------------------------------------
  HANDLER(ref_is_null) {
    fp[LO(1)] = fp[HI(1)] == kNullRef ? 1 : 0;
    NEXT(2);
  }
  HANDLER(ref_func) {
    fp[LO(1)] = reinterpret_cast<Ref>(inst->funcs[HI(1)]);
    NEXT(2);
  }

  // ---- memory -------------------------------------------------------------------------
  HANDLER(memory_size) {
    fp[LO(1)] = mem_size / kPageSize;
    NEXT(2);
  }
  HANDLER(memory_grow) {
    int64_t old = inst->memories[0]->mem->grow(static_cast<uint32_t>(fp[HI(1)]));
    fp[LO(1)] = static_cast<uint32_t>(static_cast<int32_t>(old));
    RELOAD_MEMORY();
    NEXT(2);
  }
  HANDLER(memory_init) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::memory_init(*inst->memories[0], inst->datas[HI(1)], static_cast<uint32_t>(a[0]),
                                static_cast<uint32_t>(a[1]), static_cast<uint32_t>(a[2]));
    if (pending) goto trap_pending;
    NEXT(2);
  }
  HANDLER(data_drop) {
    inst->datas[HI(1)].bytes = {};
    NEXT(2);
  }
  HANDLER(memory_copy) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::memory_copy(*inst->memories[0], static_cast<uint32_t>(a[0]),
                                static_cast<uint32_t>(a[1]), static_cast<uint32_t>(a[2]));
    if (pending) goto trap_pending;
    NEXT(2);
  }
  HANDLER(memory_fill) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::memory_fill(*inst->memories[0], static_cast<uint32_t>(a[0]),
                                static_cast<uint8_t>(a[1]), static_cast<uint32_t>(a[2]));
    if (pending) goto trap_pending;
    NEXT(2);
  }

  // ---- tables -------------------------------------------------------------------------
  HANDLER(table_get) {
    const TableInstance* t = inst->tables[LO(2)];
    uint32_t i = static_cast<uint32_t>(fp[HI(1)]);
    if (i >= t->elems.size()) TRAP(TrapKind::TableOutOfBounds);
    fp[LO(1)] = t->elems[i];
    NEXT(3);
  }
  HANDLER(table_set) {
    TableInstance* t = inst->tables[HI(1)];
    const uint64_t* a = fp + LO(1);
    uint32_t i = static_cast<uint32_t>(a[0]);
    if (i >= t->elems.size()) TRAP(TrapKind::TableOutOfBounds);
    t->elems[i] = static_cast<Ref>(a[1]);
    NEXT(2);
  }
  HANDLER(table_size) {
    fp[LO(1)] = static_cast<uint32_t>(inst->tables[HI(1)]->elems.size());
    NEXT(2);
  }
  HANDLER(table_grow) {
    uint64_t* a = fp + LO(1);
    int64_t old = inst->tables[HI(1)]->grow(static_cast<uint32_t>(a[1]), static_cast<Ref>(a[0]));
    a[0] = static_cast<uint32_t>(static_cast<int32_t>(old));
    NEXT(2);
  }
  HANDLER(table_fill) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::table_fill(*inst->tables[HI(1)], static_cast<uint32_t>(a[0]),
                               static_cast<Ref>(a[1]), static_cast<uint32_t>(a[2]));
    if (pending) goto trap_pending;
    NEXT(2);
  }
  HANDLER(table_init) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::table_init(*inst->tables[LO(2)], inst->elems[HI(1)], static_cast<uint32_t>(a[0]),
                               static_cast<uint32_t>(a[1]), static_cast<uint32_t>(a[2]));
    if (pending) goto trap_pending;
    NEXT(3);
  }
  HANDLER(table_copy) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::table_copy(*inst->tables[HI(1)], *inst->tables[LO(2)],
                               static_cast<uint32_t>(a[0]), static_cast<uint32_t>(a[1]),
                               static_cast<uint32_t>(a[2]));
    if (pending) goto trap_pending;
    NEXT(3);
  }
  HANDLER(elem_drop) {
    std::vector<Ref>().swap(inst->elems[HI(1)].refs);
    NEXT(2);
  }

  // ---- numeric ops and loads/stores (numeric_ops.def) -------------------------------
#define NUM_UN(name, In, Out, expr)     \
  HANDLER(name) {                       \
    In a = rd<In>(fp[HI(1)]);           \
    fp[LO(1)] = wr<Out>(expr);          \
    NEXT(2);                            \
  }
#define NUM_BIN(name, T, Out, expr)     \
  HANDLER(name) {                       \
    T a = rd<T>(fp[HI(1)]);             \
    T b = rd<T>(fp[LO(2)]);             \
    fp[LO(1)] = wr<Out>(expr);          \
    NEXT(3);                            \
  }
#define NUM_BIN_IMM(name, T, Out, expr) \
  HANDLER(name##_imm) {                 \
    T a = rd<T>(fp[HI(1)]);             \
    T b = rd<T>(ip[2].u64);             \
    fp[LO(1)] = wr<Out>(expr);          \
    NEXT(3);                            \
  }
#define NUM_UN_TRAP(name, In, Out, fn)                        \
  HANDLER(name) {                                             \
    Out r{};                                                  \
    if (!fn(rd<In>(fp[HI(1)]), r, trap_kind)) [[unlikely]]    \
      goto trap;                                              \
    fp[LO(1)] = wr<Out>(r);                                   \
    NEXT(2);                                                  \
  }
#define NUM_BIN_TRAP(name, T, fn)                                          \
  HANDLER(name) {                                                          \
    T r{};                                                                 \
    if (!fn(rd<T>(fp[HI(1)]), rd<T>(fp[LO(2)]), r, trap_kind)) [[unlikely]] \
      goto trap;                                                           \
    fp[LO(1)] = wr<T>(r);                                                  \
    NEXT(3);                                                               \
  }
  // Bounds: the effective address is a u64 (u32 index + u32 offset), so it cannot wrap.
#define MEM_LOAD(name, MemT, Out)                                            \
  HANDLER(name) {                                                            \
    uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(fp[HI(1)])) + ip[2].u64; \
    BOUNDS_CHECK(ea, sizeof(MemT));                                          \
    MemT v;                                                                  \
    std::memcpy(&v, mem_base + ea, sizeof(MemT));                            \
    fp[LO(1)] = static_cast<uint64_t>(static_cast<Out>(v));                  \
    NEXT(3);                                                                 \
  }
#define MEM_STORE(name, MemT)                                                \
  HANDLER(name) {                                                            \
    uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(fp[LO(1)])) + ip[2].u64; \
    BOUNDS_CHECK(ea, sizeof(MemT));                                          \
    MemT v = static_cast<MemT>(fp[HI(1)]);                                   \
    std::memcpy(mem_base + ea, &v, sizeof(MemT));                            \
    NEXT(3);                                                                 \
  }
#include "semantics/numeric_ops.def"
#undef NUM_BIN
#define NUM_BIN(name, T, Out, expr) NUM_BIN_IMM(name, T, Out, expr)
#undef NUM_UN
#define NUM_UN(name, In, Out, expr)
#undef NUM_UN_TRAP
#define NUM_UN_TRAP(name, In, Out, fn)
#undef NUM_BIN_TRAP
#define NUM_BIN_TRAP(name, T, fn)
#undef MEM_LOAD
#define MEM_LOAD(name, MemT, Out)
#undef MEM_STORE
#define MEM_STORE(name, MemT)
#include "semantics/numeric_ops.def"
#undef NUM_BIN_IMM
#undef NUM_UN
#undef NUM_BIN
#undef NUM_UN_TRAP
#undef NUM_BIN_TRAP
#undef MEM_LOAD
#undef MEM_STORE

  // ---- superinstructions (fused_ops.def) -----------------------------------------------
  // COMP_<op>(k): the body of <op> whose handler word is at ip[k] (same code as its own
  // handler); LEN_<op>: its Words. A branch component jumps or falls through to NEXT.
#define COMP_BIN(k, T, Out, expr)         \
  {                                       \
    T a = rd<T>(fp[HI((k) + 1)]);         \
    T b = rd<T>(fp[LO((k) + 2)]);         \
    fp[LO((k) + 1)] = wr<Out>(expr);      \
  }
#define COMP_BIN_IMM(k, T, Out, expr)     \
  {                                       \
    T a = rd<T>(fp[HI((k) + 1)]);         \
    T b = rd<T>(ip[(k) + 2].u64);         \
    fp[LO((k) + 1)] = wr<Out>(expr);      \
  }
#define COMP_LOAD(k, MemT, Out)                                                           \
  {                                                                                       \
    uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(fp[HI((k) + 1)])) + ip[(k) + 2].u64; \
    BOUNDS_CHECK(ea, sizeof(MemT));                                                       \
    MemT v;                                                                               \
    std::memcpy(&v, mem_base + ea, sizeof(MemT));                                         \
    fp[LO((k) + 1)] = static_cast<uint64_t>(static_cast<Out>(v));                         \
  }
#define COMP_STORE(k, MemT)                                                               \
  {                                                                                       \
    uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(fp[LO((k) + 1)])) + ip[(k) + 2].u64; \
    BOUNDS_CHECK(ea, sizeof(MemT));                                                       \
    MemT v = static_cast<MemT>(fp[HI((k) + 1)]);                                          \
    std::memcpy(mem_base + ea, &v, sizeof(MemT));                                         \
  }
#define COMP_i32_add_imm(k) COMP_BIN_IMM(k, uint32_t, uint32_t, num::add(a, b))
#define LEN_i32_add_imm 3
#define COMP_i32_and_imm(k) COMP_BIN_IMM(k, uint32_t, uint32_t, num::band(a, b))
#define LEN_i32_and_imm 3
#define COMP_i32_rotl_imm(k) COMP_BIN_IMM(k, uint32_t, uint32_t, num::rotl(a, b))
#define LEN_i32_rotl_imm 3
#define COMP_i32_add(k) COMP_BIN(k, uint32_t, uint32_t, num::add(a, b))
#define LEN_i32_add 3
#define COMP_i32_xor(k) COMP_BIN(k, uint32_t, uint32_t, num::bxor(a, b))
#define LEN_i32_xor 3
#define COMP_f64_mul(k) COMP_BIN(k, double, double, num::float_mul(a, b))
#define LEN_f64_mul 3
#define COMP_f64_add(k) COMP_BIN(k, double, double, num::float_add(a, b))
#define LEN_f64_add 3
#define COMP_i32_load(k) COMP_LOAD(k, uint32_t, uint32_t)
#define LEN_i32_load 3
#define COMP_i32_load8_u(k) COMP_LOAD(k, uint8_t, uint32_t)
#define LEN_i32_load8_u 3
#define COMP_f64_load(k) COMP_LOAD(k, uint64_t, uint64_t)
#define LEN_f64_load 3
#define COMP_f64_store(k) COMP_STORE(k, uint64_t)
#define LEN_f64_store 3
#define COMP_copy(k) fp[LO((k) + 1)] = fp[HI((k) + 1)];
#define LEN_copy 2
#define COMP_br_if_back(k) \
  if (static_cast<uint32_t>(fp[LO((k) + 1)]) != 0) JUMP_BACK(ip[(k) + 2].target);
#define LEN_br_if_back 3
#define COMP_br_i32_ne_back(k) \
  if (num::ne(rd<uint32_t>(fp[LO((k) + 1)]), rd<uint32_t>(fp[HI((k) + 1)]))) JUMP_BACK(ip[(k) + 2].target);
#define LEN_br_i32_ne_back 3
#define COMP_i32_shl_imm(k) COMP_BIN_IMM(k, uint32_t, uint32_t, num::shl(a, b))
#define LEN_i32_shl_imm 3
#define COMP_i32_shr_u_imm(k) COMP_BIN_IMM(k, uint32_t, uint32_t, num::shr_u(a, b))
#define LEN_i32_shr_u_imm 3
#define COMP_f64_sub(k) COMP_BIN(k, double, double, num::float_sub(a, b))
#define LEN_f64_sub 3
#define COMP_i32_store(k) COMP_STORE(k, uint32_t)
#define LEN_i32_store 3
#define COMP_i32_store8(k) COMP_STORE(k, uint8_t)
#define LEN_i32_store8 3
#define COMP_const64(k) fp[LO((k) + 1)] = ip[(k) + 2].u64;
#define LEN_const64 3
#define COMP_br_unless(k) \
  if (static_cast<uint32_t>(fp[LO((k) + 1)]) == 0) JUMP(ip[(k) + 2].target);
#define LEN_br_unless 3
#define COMP_BR_CMP_BACK(k, cmp)                                                   \
  if (num::cmp(rd<uint32_t>(fp[LO((k) + 1)]), rd<uint32_t>(fp[HI((k) + 1)])))       \
    JUMP_BACK(ip[(k) + 2].target);
#define COMP_br_i32_gt_s_back(k) COMP_BR_CMP_BACK(k, gt_s)
#define LEN_br_i32_gt_s_back 3
#define COMP_br_i32_lt_s_back(k) COMP_BR_CMP_BACK(k, lt_s)
#define LEN_br_i32_lt_s_back 3
#define COMP_br_i32_le_s_back(k) COMP_BR_CMP_BACK(k, le_s)
#define LEN_br_i32_le_s_back 3
#define COMP_br_i32_lt_u_imm(k) \
  if (num::lt_u(rd<uint32_t>(fp[LO((k) + 1)]), rd<uint32_t>(ip[(k) + 2].u64))) JUMP(ip[(k) + 3].target);
#define LEN_br_i32_lt_u_imm 4
// Components of the longer sequences (third round: matmul, nbody, sha256, fib).
#define COMP_UN(k, In, Out, expr)         \
  {                                       \
    In a = rd<In>(fp[HI((k) + 1)]);       \
    fp[LO((k) + 1)] = wr<Out>(expr);      \
  }
#define COMP_i32_and(k) COMP_BIN(k, uint32_t, uint32_t, num::band(a, b))
#define LEN_i32_and 3
#define COMP_i32_xor_imm(k) COMP_BIN_IMM(k, uint32_t, uint32_t, num::bxor(a, b))
#define LEN_i32_xor_imm 3
#define COMP_f64_div(k) COMP_BIN(k, double, double, num::float_div(a, b))
#define LEN_f64_div 3
#define COMP_f64_sqrt(k) COMP_UN(k, double, double, num::float_sqrt(a))
#define LEN_f64_sqrt 2
#define COMP_br_i32_ne(k) \
  if (num::ne(rd<uint32_t>(fp[LO((k) + 1)]), rd<uint32_t>(fp[HI((k) + 1)]))) JUMP(ip[(k) + 2].target);
#define LEN_br_i32_ne 3
#define COMP_br_if(k) \
  if (static_cast<uint32_t>(fp[LO((k) + 1)]) != 0) JUMP(ip[(k) + 2].target);
#define LEN_br_if 3
#define COMP_br_i32_eq_imm(k) \
  if (num::eq(rd<uint32_t>(fp[LO((k) + 1)]), rd<uint32_t>(ip[(k) + 2].u64))) JUMP(ip[(k) + 3].target);
#define LEN_br_i32_eq_imm 4
#define COMP_br_back(k) JUMP_BACK(ip[(k) + 1].target);
#define LEN_br_back 2
#define COMP_br(k) JUMP(ip[(k) + 1].target);
#define LEN_br 2
#define COMP_ret1(k)                  \
  {                                   \
    fp[0] = fp[LO((k) + 1)];          \
    goto do_return;                   \
  }
#define LEN_ret1 2
// SIMD components (the simd benchmark's kernels): v128 values in two slots, loads and
// stores as their handlers in interpreter_simd.inc do them.
#define COMP_SIMD_BIN(k, expr)                        \
  {                                                   \
    simd::Vec a = simd::load(fp + HI((k) + 1));       \
    simd::Vec b = simd::load(fp + LO((k) + 2));       \
    simd::store(fp + LO((k) + 1), expr);              \
  }
#define COMP_f32x4_mul(k) COMP_SIMD_BIN(k, simd::fmul<simd::f32x4>(a, b))
#define LEN_f32x4_mul 3
#define COMP_f32x4_add(k) COMP_SIMD_BIN(k, simd::fadd<simd::f32x4>(a, b))
#define LEN_f32x4_add 3
#define COMP_i32x4_mul(k) COMP_SIMD_BIN(k, simd::imul<simd::i32x4>(a, b))
#define LEN_i32x4_mul 3
#define COMP_i32x4_add(k) COMP_SIMD_BIN(k, simd::iadd<simd::i32x4>(a, b))
#define LEN_i32x4_add 3
#define COMP_v128_xor(k) COMP_SIMD_BIN(k, simd::v128_xor(a, b))
#define LEN_v128_xor 3
#define COMP_v128_load(k)                                                                  \
  {                                                                                        \
    uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(fp[HI((k) + 1)])) + ip[(k) + 2].u64; \
    BOUNDS_CHECK(ea, 16);                                                                  \
    simd::store(fp + LO((k) + 1), simd::v128_load(mem_base + ea));                         \
  }
#define LEN_v128_load 3
#define COMP_v128_store(k)                                                                 \
  {                                                                                        \
    uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(fp[LO((k) + 1)])) + ip[(k) + 2].u64; \
    BOUNDS_CHECK(ea, 16);                                                                  \
    simd::store(mem_base + ea, simd::load(fp + HI((k) + 1)));                              \
  }
#define LEN_v128_store 3
#define COMP_v128_const(k) simd::store(fp + LO((k) + 1), simd::load(ip + (k) + 2));
#define LEN_v128_const 4
#define COMP_br_i32_lt_u_imm_back(k) \
  if (num::lt_u(rd<uint32_t>(fp[LO((k) + 1)]), rd<uint32_t>(ip[(k) + 2].u64))) JUMP_BACK(ip[(k) + 3].target);
#define LEN_br_i32_lt_u_imm_back 4
// Components for sieve, qsort, wordfreq and simd's integer kernel.
#define COMP_i32x4_shr_u(k)                                                       \
  {                                                                               \
    simd::Vec a = simd::load(fp + HI((k) + 1));                                   \
    uint32_t n = static_cast<uint32_t>(fp[LO((k) + 2)]);                          \
    simd::store(fp + LO((k) + 1), simd::ishr_u<simd::i32x4>(a, n));               \
  }
#define LEN_i32x4_shr_u 3
#define COMP_i32_eqz(k) COMP_UN(k, uint32_t, uint32_t, num::eqz(a))
#define LEN_i32_eqz 2
#define COMP_i32_lt_u_imm(k) COMP_BIN_IMM(k, uint32_t, uint32_t, num::lt_u(a, b))
#define LEN_i32_lt_u_imm 3
#define COMP_select(k) \
  fp[LO((k) + 1)] = static_cast<uint32_t>(fp[HI((k) + 2)]) != 0 ? fp[HI((k) + 1)] : fp[LO((k) + 2)];
#define LEN_select 3
#define COMP_br_i32_gt_u_imm(k) \
  if (num::gt_u(rd<uint32_t>(fp[LO((k) + 1)]), rd<uint32_t>(ip[(k) + 2].u64))) JUMP(ip[(k) + 3].target);
#define LEN_br_i32_gt_u_imm 4
#define COMP_br_i32_le_s(k) \
  if (num::le_s(rd<uint32_t>(fp[LO((k) + 1)]), rd<uint32_t>(fp[HI((k) + 1)]))) JUMP(ip[(k) + 2].target);
#define LEN_br_i32_le_s 3
// Components for nbody (fourth round).
#define COMP_i32_sub_imm(k) COMP_BIN_IMM(k, uint32_t, uint32_t, num::sub(a, b))
#define LEN_i32_sub_imm 3
#define COMP_f64_mul_imm(k) COMP_BIN_IMM(k, double, double, num::float_mul(a, b))
#define LEN_f64_mul_imm 3
// A call as the last component: the shared body of call_local, with ip at its handler word.
#define COMP_call_local(k) \
  {                        \
    ip += (k);             \
    goto do_call_local;    \
  }
#define LEN_call_local 3
#define FUSE(A, B)                       \
  HANDLER(fuse_##A##__##B) {             \
    COMP_##A(0)                          \
    COMP_##B(LEN_##A)                    \
    NEXT(LEN_##A + LEN_##B);             \
  }
#define FUSE3(A, B, C)                                \
  HANDLER(fuse_##A##__##B##__##C) {                   \
    COMP_##A(0)                                       \
    COMP_##B(LEN_##A)                                 \
    COMP_##C(LEN_##A + LEN_##B)                       \
    NEXT(LEN_##A + LEN_##B + LEN_##C);                \
  }
#define FUSE4(A, B, C, D)                                        \
  HANDLER(fuse_##A##__##B##__##C##__##D) {                       \
    COMP_##A(0)                                                  \
    COMP_##B(LEN_##A)                                            \
    COMP_##C(LEN_##A + LEN_##B)                                  \
    COMP_##D(LEN_##A + LEN_##B + LEN_##C)                        \
    NEXT(LEN_##A + LEN_##B + LEN_##C + LEN_##D);                 \
  }
#define FUSE5(A, B, C, D, E)                                              \
  HANDLER(fuse_##A##__##B##__##C##__##D##__##E) {                         \
    COMP_##A(0)                                                           \
    COMP_##B(LEN_##A)                                                     \
    COMP_##C(LEN_##A + LEN_##B)                                           \
    COMP_##D(LEN_##A + LEN_##B + LEN_##C)                                 \
    COMP_##E(LEN_##A + LEN_##B + LEN_##C + LEN_##D)                       \
    NEXT(LEN_##A + LEN_##B + LEN_##C + LEN_##D + LEN_##E);                \
  }
#include "interp/fused_ops.def"
#undef FUSE
#undef FUSE3
#undef FUSE4
#undef FUSE5

  // ---- specialised superinstructions (spec_ops.def) -------------------------------------
#include "interp/interpreter_spec.inc"

  // ---- SIMD ---------------------------------------------------------------------------
#include "interp/interpreter_simd.inc"

  DISPATCH_END

do_call : {
  // callee, call_arg (first argument slot, where the callee's frame starts), ret_ip.
  uint64_t* new_fp = fp + call_arg;
  const Engine* owner = callee->is_host() ? nullptr : callee->instance->compiled->engine;
  if (callee->is_host() || (owner != nullptr && owner != th.engine)) {
    // Host functions (and other tiers) take the uniform-layout path; anything they run
    // re-entrantly stacks its frames above this one.
    th.top = fp + fn->frame_slots;
    PROFILE_HOST_CALL();
    pending = ctx.store->call_slots(callee, new_fp, inst);
    if (pending) goto trap_pending;
    RELOAD_MEMORY();
    ip = ret_ip;
    DISPATCH();
  }
  const FuncCode* cc = static_cast<const FuncCode*>(callee->code);
  if (ctx.call_depth >= max_depth || cc->frame_slots > static_cast<size_t>(th.stack_end - new_fp))
      [[unlikely]]
    TRAP(TrapKind::CallStackExhausted);
  std::fill(new_fp + cc->param_slots, new_fp + cc->local_slots, uint64_t{0});
  th.frames.push_back(CallFrame{ret_ip, fp, fn, inst});
  ++ctx.call_depth;
  fp = new_fp;
  fn = cc;
  th.cur_fn = cc;
  if (inst != callee->instance) {
    inst = callee->instance;
    th.cur_inst = inst;
    RELOAD_MEMORY();
  }
  ip = cc->code.data();
  // Limits contract: every function entry (after the frame is pushed, so the backtrace
  // names the callee).
  if (cc->check_interrupt && ctx.interrupt.load(std::memory_order_relaxed) != 0) [[unlikely]]
    TRAP(TrapKind::Interrupted);
  DISPATCH();
}

// Traps of hot handlers' cold paths: the kind is set here, not before their branch.
// (The trap is built right here: with `trap_kind = ...; goto trap;` g++ hoists the constant
// into the hot path, one instruction per back-edge.)
trap_interrupted:
  pending = Trap::make(TrapKind::Interrupted);
  goto trap_pending;
trap_stack_exhausted:
  pending = Trap::make(TrapKind::CallStackExhausted);
  goto trap_pending;
trap:
  pending = Trap::make(trap_kind);
trap_pending : {
  // Unwind to the entry; the backtrace lists this dispatch's frames innermost first, after
  // any frames a nested dispatch (host re-entry) already recorded.
  Trap& t = *pending;
  auto add = [&t](const Instance* i, const FuncCode* c) {
    t.backtrace.push_back(BacktraceFrame{i->module().function_name(c->func_index), c->func_index});
  };
  add(inst, fn);
  for (size_t k = th.frames.size(); k > base_frames; --k) add(th.frames[k - 1].inst, th.frames[k - 1].fn);
  th.frames.resize(base_frames);
  ctx.call_depth = entry_depth;
  th.top = entry_top;
  return pending;
}
}

#ifdef WSVM_THREADED
const void* const* labels() {
  static const void* const* const table = [] {
    (void)run(nullptr, nullptr, nullptr, nullptr);
    return g_labels;
  }();
  return table;
}
#endif
}  // namespace

std::optional<Trap> execute(ExecContext& ctx, InterpThread& th, const FuncInstance& f,
                            uint64_t* fp) {
#ifdef WSVM_INTERP_BOUNDS_CHECKS
  return run(&ctx, &th, &f, fp);
#else
  // What a guard-page fault needs to unwind this dispatch (run() keeps it in registers).
  const size_t base_frames = th.frames.size();
  const uint32_t entry_depth = ctx.call_depth;
  uint64_t* const entry_top = th.top;
  const FuncCode* const outer_fn = th.cur_fn;  // a dispatch this one is nested in (host re-entry)
  Instance* const outer_inst = th.cur_inst;
  std::optional<Trap> result;
  memory::TrapInfo info;
  if (!memory::with_trap_recovery([&] { result = run(&ctx, &th, &f, fp); }, &info)) {
    // Same unwinding and backtrace as run()'s trap path: innermost frame first.
    Trap t = Trap::make(TrapKind::MemoryOutOfBounds);
    auto add = [&t](const Instance* i, const FuncCode* c) {
      t.backtrace.push_back(BacktraceFrame{i->module().function_name(c->func_index), c->func_index});
    };
    add(th.cur_inst, th.cur_fn);
    for (size_t k = th.frames.size(); k > base_frames; --k) add(th.frames[k - 1].inst, th.frames[k - 1].fn);
    th.frames.resize(base_frames);
    ctx.call_depth = entry_depth;
    th.top = entry_top;
    result = std::move(t);
  }
  th.cur_fn = outer_fn;
  th.cur_inst = outer_inst;
  return result;
#endif
}

Word handler_word(IOp op) {
  Word w;
#ifdef WSVM_THREADED
  w.handler = labels()[static_cast<uint16_t>(op)];
#else
  w.u64 = static_cast<uint16_t>(op);
#endif
  return w;
}

const Word* handler_table() {
  static const std::vector<Word> kTable = [] {
    std::vector<Word> t;
    for (uint16_t i = 0; i < static_cast<uint16_t>(IOp::kCount); ++i) t.push_back(handler_word(static_cast<IOp>(i)));
    return t;
  }();
  return kTable.data();
}

IOp iop_of(Word w) {
  for (uint16_t i = 0; i < static_cast<uint16_t>(IOp::kCount); ++i) {
    if (handler_word(static_cast<IOp>(i)).u64 == w.u64) return static_cast<IOp>(i);
  }
  return IOp::kCount;
}

const char* iop_name_of(Word w) {
  static const char* const kNames[] = {
#define IOP(name) #name,
#include "interp/iops.def"
#undef IOP
      "?"};
  return kNames[static_cast<uint16_t>(iop_of(w))];
}

#if defined(WSVM_INTERP_PROFILE) && defined(WSVM_INTERP_SWITCH)
namespace {
void OpProfile::dump() {
  auto name = [](size_t i) {
    Word w;
    w.u64 = i;
    return iop_name_of(w);
  };
  uint64_t total = 0;
  for (uint64_t c : ops) total += c;
  std::vector<std::pair<uint64_t, size_t>> v;
  for (size_t i = 0; i < kN; ++i)
    if (ops[i]) v.push_back({ops[i], i});
  std::sort(v.rbegin(), v.rend());
  std::fprintf(stderr, "profile: %llu ops\n", static_cast<unsigned long long>(total));
  for (size_t k = 0; k < v.size() && k < 40; ++k)
    std::fprintf(stderr, "  %12llu %5.2f%% %s\n", static_cast<unsigned long long>(v[k].first),
                 100.0 * v[k].first / total, name(v[k].second));
  v.clear();
  for (size_t i = 0; i < kN * kN; ++i)
    if (pairs[i]) v.push_back({pairs[i], i});
  std::sort(v.rbegin(), v.rend());
  std::fprintf(stderr, "pairs:\n");
  for (size_t k = 0; k < v.size() && k < 40; ++k)
    std::fprintf(stderr, "  %12llu %5.2f%% %s ; %s\n", static_cast<unsigned long long>(v[k].first),
                 100.0 * v[k].first / total, name(v[k].second / kN), name(v[k].second % kN));
  // Straight-line sequences: from every executed op, follow the code (op lengths from the
  // disassembler) while the next op also ran; the count is the smallest along the way.
  for (size_t len = 3; len <= 5; ++len) {
    std::map<std::vector<size_t>, uint64_t> seqs;
    for (auto [ip, count] : at) {
      std::vector<size_t> seq{static_cast<size_t>(ip->u64)};
      uint64_t c = count;
      const Word* p = ip;
      while (seq.size() < len) {
        p += iop_length(static_cast<IOp>(p->u64), p);
        auto it = at.find(p);
        if (it == at.end()) break;
        seq.push_back(static_cast<size_t>(p->u64));
        c = std::min(c, it->second);
      }
      if (seq.size() == len) seqs[seq] += c;
    }
    std::vector<std::pair<uint64_t, std::vector<size_t>>> sv;
    for (auto& [seq, c] : seqs) sv.push_back({c, seq});
    std::sort(sv.rbegin(), sv.rend());
    std::fprintf(stderr, "sequences of %zu:\n", len);
    for (size_t k = 0; k < sv.size() && k < 30; ++k) {
      std::fprintf(stderr, "  %12llu %5.2f%%", static_cast<unsigned long long>(sv[k].first),
                   100.0 * sv[k].first / total);
      for (size_t o : sv[k].second) std::fprintf(stderr, " %s", name(o));
      std::fprintf(stderr, "\n");
    }
  }
}
}  // namespace
#endif

}  // namespace wsvm::interp

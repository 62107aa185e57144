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
#include "semantics/slot.hpp"
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
    for (const FuncType& t : m.types)
      it->second.push_back(inst->store->intern_type(t, TypeContext{m.types}));
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
// Past op `name`: its length in Words from iops.def (a compile-time constant).
#define WORDS(name) (kWordsOf<IOp::name>)
#define NEXT_OP(name) NEXT(WORDS(name))
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

// Handler bodies shared by the handlers and the superinstructions (COMP_*), and the generated
// COMP_<op> of every .def row (build dir: gen_components.cpp).
#include "interp/bodies.inc"
#include "interp/components.inc"

namespace {

// The handler of `fn` that takes exception `e` thrown at word `pos` (exception handling;
// interp/code.hpp Handler), or null. A delegate entry lets only the handlers of its target
// level and outside it see the exception.
[[gnu::cold]] const Handler* find_handler(const FuncCode& fn, uint32_t pos, const Instance& inst,
                                          const Exception* e) {
  uint32_t limit = UINT32_MAX;
  for (const Handler& h : fn.handlers) {
    if (pos < h.begin || pos >= h.end || h.level > limit) continue;
    switch (h.kind) {
      case Handler::Kind::Delegate: limit = h.target; break;
      case Handler::Kind::Catch:
      case Handler::Kind::CatchRef:
        if (inst.tags[h.tag] == e->tag) return &h;
        break;
      default: return &h;
    }
  }
  return nullptr;
}

// The values a handler's code starts with: the payload (catch, catch_ref), then the exnref
// (the _ref kinds); a legacy catch arm keeps the exception for rethrow.
[[gnu::cold]] void enter_handler(const Handler& h, uint64_t* fp, Exception* e) {
  const auto ref = reinterpret_cast<uint64_t>(e);
  uint32_t at = h.dst;
  if (h.kind == Handler::Kind::Catch || h.kind == Handler::Kind::CatchRef) {
    std::copy(e->payload.begin(), e->payload.end(), fp + at);
    at += static_cast<uint32_t>(e->payload.size());
  }
  if (h.kind == Handler::Kind::CatchRef || h.kind == Handler::Kind::CatchAllRef) fp[at] = ref;
  if (h.exn_slot != Handler::kNoExnSlot) fp[h.exn_slot] = ref;
}

std::optional<Trap> run(ExecContext* ctx_ptr, InterpThread* th_ptr, const FuncInstance* f_ptr,
                        uint64_t* fp) {
#ifdef WSVM_THREADED
  static const void* const kLabels[] = {
#define IOP(name, words) &&L_##name,
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
  // Operands of do_throw: the exception and where it was thrown (word index in fn's code).
  Exception* thrown = nullptr;
  uint32_t throw_pos = 0;

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
    NEXT_OP(check_interrupt);
  }
  HANDLER(fuel) {
    // The region's whole cost up front; if it does not fit, the region does not start and
    // fuel_remaining stays as it was (limits contract, runtime/store.hpp).
    const int64_t cost = static_cast<int64_t>(ip[1].u64);
    if (ctx.fuel_remaining < cost) [[unlikely]]
      TRAP(TrapKind::OutOfFuel);
    ctx.fuel_remaining -= cost;
    NEXT_OP(fuel);
  }
  // Branch handlers come in two forms: the plain one (forward branches and every branch
  // when the code has no interrupt checks) and `_back` (a loop's back-edge, chosen by the
  // translator: checks the interrupt flag, limits contract).
#define BRANCH_HANDLERS(sfx, JMP)                                   \
  HANDLER(br##sfx) { COMP_BR(0, JMP) }                              \
  HANDLER(br_if##sfx) {                                             \
    COMP_BR_IF(0, JMP)                                              \
    NEXT_OP(br_if##sfx);                                            \
  }                                                                 \
  HANDLER(br_unless##sfx) {                                         \
    COMP_BR_UNLESS(0, JMP)                                          \
    NEXT_OP(br_unless##sfx);                                        \
  }                                                                 \
  HANDLER(br_i64_eqz##sfx) {                                        \
    if (fp[LO(1)] == 0) JMP(ip[2].target);                          \
    NEXT_OP(br_i64_eqz##sfx);                                                        \
  }                                                                 \
  HANDLER(br_i64_nez##sfx) {                                        \
    if (fp[LO(1)] != 0) JMP(ip[2].target);                          \
    NEXT_OP(br_i64_nez##sfx);                                                        \
  }
  BRANCH_HANDLERS(, JUMP)
  BRANCH_HANDLERS(_back, JUMP_BACK)
#undef BRANCH_HANDLERS
  // ---- fused compare + branch (branch_ops.def) --------------------------------------
#define BR_CMP_HANDLERS(cmp, T, sfx, JMP)                                \
  HANDLER(br_##T##_##cmp##sfx) {                                         \
    COMP_BR_CMP(0, cmp, T, JMP)                                          \
    NEXT_OP(br_##T##_##cmp##sfx);                                        \
  }                                                                      \
  HANDLER(br_##T##_##cmp##_imm##sfx) {                                   \
    COMP_BR_CMP_IMM(0, cmp, T, JMP)                                      \
    NEXT_OP(br_##T##_##cmp##_imm##sfx);                                  \
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
  HANDLER(ret1) COMP_ret1(0)
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
    th.frames.push_back(CallFrame{ip + WORDS(call_local), fp, fn, inst});
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
    ret_ip = ip + WORDS(call);
    goto do_call;
  }
  // call_indirect and return_call_indirect ([h][arg|typeidx][table|elem]): the callee from
  // the table, its type checked against the instruction's.
#define INDIRECT_CALLEE()                                                        \
  do {                                                                           \
    const TableInstance* table = inst->tables[LO(2)];                            \
    uint32_t i = static_cast<uint32_t>(fp[HI(2)]);                               \
    if (i >= table->elems.size()) TRAP(TrapKind::UndefinedElement);              \
    Ref r = table->elems[i];                                                     \
    if (r == kNullRef) TRAP(TrapKind::UninitializedElement);                     \
    callee = reinterpret_cast<FuncInstance*>(r);                                 \
    if (types_inst != inst) {                                                    \
      type_ids = th.type_ids_for(inst);                                          \
      types_inst = inst;                                                         \
    }                                                                            \
    if (callee->type_id != type_ids[HI(1)]) TRAP(TrapKind::IndirectCallTypeMismatch); \
  } while (0)
  HANDLER(call_indirect) {
    INDIRECT_CALLEE();
    call_arg = LO(1);
    ret_ip = ip + WORDS(call_indirect);
    goto do_call;
  }
  // ---- data movement ------------------------------------------------------------------
  HANDLER(const64) {
    COMP_const64(0)
    NEXT_OP(const64);
  }
  HANDLER(copy) {
    COMP_copy(0)
    NEXT_OP(copy);
  }
  HANDLER(copy_n) {
    // Local moves may overlap in either direction only for v128 pairs; memmove is exact.
    std::memmove(fp + LO(1), fp + HI(1), size_t{LO(2)} * 8);
    NEXT_OP(copy_n);
  }
  HANDLER(copy2) {
    // One 16-byte load before the store (the ranges may overlap by one slot), and one 16-byte
    // store: a v128 consumer's 16-byte load is forwarded only from a single store.
    simd::store(fp + LO(1), simd::load(fp + HI(1)));
    NEXT_OP(copy2);
  }
  HANDLER(select) {
    COMP_select(0)
    NEXT_OP(select);
  }
  HANDLER(global_get) {
    fp[LO(1)] = inst->globals[HI(1)]->slots[0];
    NEXT_OP(global_get);
  }
  HANDLER(global_set) {
    inst->globals[HI(1)]->slots[0] = fp[LO(1)];
    NEXT_OP(global_set);
  }

  // ---- references ---------------------------------------------------------------------
  HANDLER(ref_is_null) {
    fp[LO(1)] = fp[HI(1)] == kNullRef ? 1 : 0;
    NEXT_OP(ref_is_null);
  }
  HANDLER(ref_func) {
    fp[LO(1)] = reinterpret_cast<Ref>(inst->funcs[HI(1)]);
    NEXT_OP(ref_func);
  }

  // ---- memory -------------------------------------------------------------------------
  HANDLER(memory_size) {
    fp[LO(1)] = mem_size / kPageSize;
    NEXT_OP(memory_size);
  }
  HANDLER(memory_grow) {
    int64_t old = inst->memories[0]->mem->grow(static_cast<uint32_t>(fp[HI(1)]));
    fp[LO(1)] = static_cast<uint32_t>(static_cast<int32_t>(old));
    RELOAD_MEMORY();
    NEXT_OP(memory_grow);
  }
  HANDLER(memory_init) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::memory_init(*inst->memories[0], inst->datas[HI(1)], static_cast<uint32_t>(a[0]),
                                static_cast<uint32_t>(a[1]), static_cast<uint32_t>(a[2]), &ctx);
    if (pending) goto trap_pending;
    NEXT_OP(memory_init);
  }
  HANDLER(data_drop) {
    inst->datas[HI(1)].bytes = {};
    NEXT_OP(data_drop);
  }
  HANDLER(memory_copy) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::memory_copy(*inst->memories[0], static_cast<uint32_t>(a[0]),
                                static_cast<uint32_t>(a[1]), static_cast<uint32_t>(a[2]), &ctx);
    if (pending) goto trap_pending;
    NEXT_OP(memory_copy);
  }
  HANDLER(memory_fill) {
    const uint64_t* a = fp + LO(1);
    pending = wsvm::memory_fill(*inst->memories[0], static_cast<uint32_t>(a[0]),
                                static_cast<uint8_t>(a[1]), static_cast<uint32_t>(a[2]), &ctx);
    if (pending) goto trap_pending;
    NEXT_OP(memory_fill);
  }

  // ---- tables -------------------------------------------------------------------------
  HANDLER(table_get) {
    const TableInstance* t = inst->tables[LO(2)];
    const uint64_t i = table_index(*t, fp[HI(1)]);  // an i64 on a 64-bit table (table64)
    if (i >= t->elems.size()) TRAP(TrapKind::TableOutOfBounds);
    fp[LO(1)] = t->elems[i];
    NEXT_OP(table_get);
  }
  HANDLER(table_set) {
    TableInstance* t = inst->tables[HI(1)];
    const uint64_t* a = fp + LO(1);
    const uint64_t i = table_index(*t, a[0]);
    if (i >= t->elems.size()) TRAP(TrapKind::TableOutOfBounds);
    t->elems[i] = static_cast<Ref>(a[1]);
    NEXT_OP(table_set);
  }
  HANDLER(table_size) {
    fp[LO(1)] = static_cast<uint32_t>(inst->tables[HI(1)]->elems.size());
    NEXT_OP(table_size);
  }
  HANDLER(table_grow) {
    uint64_t* a = fp + LO(1);
    const TableInstance& t = *inst->tables[HI(1)];
    auto old = wsvm::table_grow(*inst->tables[HI(1)], table_index(t, a[1]),
                                static_cast<Ref>(a[0]), &ctx);
    if (!old) {  // out of fuel
      pending = std::move(old.error());
      goto trap_pending;
    }
    // The old size or -1, an i64 on a 64-bit table.
    a[0] = t.type.limits.addr64 ? static_cast<uint64_t>(*old)
                                : static_cast<uint32_t>(static_cast<int32_t>(*old));
    NEXT_OP(table_grow);
  }
  HANDLER(table_fill) {
    const uint64_t* a = fp + LO(1);
    TableInstance& t = *inst->tables[HI(1)];
    pending = wsvm::table_fill(t, table_index(t, a[0]), static_cast<Ref>(a[1]),
                               table_index(t, a[2]), &ctx);
    if (pending) goto trap_pending;
    NEXT_OP(table_fill);
  }
  HANDLER(table_init) {
    const uint64_t* a = fp + LO(1);
    TableInstance& t = *inst->tables[LO(2)];
    pending = wsvm::table_init(t, inst->elems[HI(1)], table_index(t, a[0]),
                               static_cast<uint32_t>(a[1]), static_cast<uint32_t>(a[2]), &ctx);
    if (pending) goto trap_pending;
    NEXT_OP(table_init);
  }
  HANDLER(table_copy) {
    const uint64_t* a = fp + LO(1);
    TableInstance& dst = *inst->tables[HI(1)];
    const TableInstance& src = *inst->tables[LO(2)];
    // The length is an i64 only when both tables are 64-bit (table_copy_mixed.wast).
    const bool n64 = dst.type.limits.addr64 && src.type.limits.addr64;
    pending = wsvm::table_copy(dst, src, table_index(dst, a[0]), table_index(src, a[1]),
                               n64 ? a[2] : static_cast<uint32_t>(a[2]), &ctx);
    if (pending) goto trap_pending;
    NEXT_OP(table_copy);
  }
  HANDLER(elem_drop) {
    std::vector<Ref>().swap(inst->elems[HI(1)].refs);
    NEXT_OP(elem_drop);
  }

  // ---- numeric ops and loads/stores (numeric_ops.def; bodies in bodies.inc) ---------------
#define NUM_UN(name, In, Out, expr) \
  HANDLER(name) {                   \
    COMP_UN(0, In, Out, expr)       \
    NEXT_OP(name);                  \
  }
#define NUM_BIN(name, T, Out, expr)      \
  HANDLER(name) {                        \
    COMP_BIN(0, T, Out, expr)            \
    NEXT_OP(name);                       \
  }
#define NUM_UN_TRAP(name, In, Out, fn) \
  HANDLER(name) {                      \
    COMP_UN_TRAP(0, In, Out, fn)       \
    NEXT_OP(name);                     \
  }
#define NUM_BIN_TRAP(name, T, fn) \
  HANDLER(name) {                 \
    COMP_BIN_TRAP(0, T, fn)       \
    NEXT_OP(name);                \
  }
#define MEM_LOAD(name, MemT, Out) \
  HANDLER(name) {                 \
    COMP_LOAD(0, MemT, Out)       \
    NEXT_OP(name);                \
  }
#define MEM_STORE(name, MemT) \
  HANDLER(name) {             \
    COMP_STORE(0, MemT)       \
    NEXT_OP(name);            \
  }
#include "semantics/numeric_ops.def"
#undef NUM_UN
#undef NUM_BIN
#undef NUM_UN_TRAP
#undef NUM_BIN_TRAP
#undef MEM_LOAD
#undef MEM_STORE
  // Every binary op with a constant second operand (name_imm).
#define NUM_BIN(name, T, Out, expr)      \
  HANDLER(name##_imm) {                  \
    COMP_BIN_IMM(0, T, Out, expr)        \
    NEXT_OP(name##_imm);                 \
  }
#define NUM_UN(name, In, Out, expr)
#define NUM_UN_TRAP(name, In, Out, fn)
#define NUM_BIN_TRAP(name, T, fn)
#define MEM_LOAD(name, MemT, Out)
#define MEM_STORE(name, MemT)
#include "semantics/numeric_ops.def"
#undef NUM_UN
#undef NUM_BIN
#undef NUM_UN_TRAP
#undef NUM_BIN_TRAP
#undef MEM_LOAD
#undef MEM_STORE

  // ---- superinstructions (fused_ops.def) -----------------------------------------------
  // Each component runs its op's own body (COMP_<op>, bodies.inc and the generated
  // components.inc) at its place in the code; the fused handler skips the later handler
  // words. A branch component jumps or falls through to the next component.
#define FUSE(A, B)                    \
  HANDLER(fuse_##A##__##B) {          \
    COMP_##A(0)                       \
    COMP_##B(WORDS(A))                \
    NEXT_OP(fuse_##A##__##B);         \
  }
#define FUSE3(A, B, C)                      \
  HANDLER(fuse_##A##__##B##__##C) {         \
    COMP_##A(0)                             \
    COMP_##B(WORDS(A))                      \
    COMP_##C(WORDS(A) + WORDS(B))           \
    NEXT_OP(fuse_##A##__##B##__##C);        \
  }
#define FUSE4(A, B, C, D)                            \
  HANDLER(fuse_##A##__##B##__##C##__##D) {           \
    COMP_##A(0)                                      \
    COMP_##B(WORDS(A))                               \
    COMP_##C(WORDS(A) + WORDS(B))                    \
    COMP_##D(WORDS(A) + WORDS(B) + WORDS(C))         \
    NEXT_OP(fuse_##A##__##B##__##C##__##D);          \
  }
#define FUSE5(A, B, C, D, E)                                  \
  HANDLER(fuse_##A##__##B##__##C##__##D##__##E) {             \
    COMP_##A(0)                                               \
    COMP_##B(WORDS(A))                                        \
    COMP_##C(WORDS(A) + WORDS(B))                             \
    COMP_##D(WORDS(A) + WORDS(B) + WORDS(C))                  \
    COMP_##E(WORDS(A) + WORDS(B) + WORDS(C) + WORDS(D))       \
    NEXT_OP(fuse_##A##__##B##__##C##__##D##__##E);            \
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

  // ---- Wasm 3.0 calls (tail calls, typed function references) -----------------------
  // Last in the dispatch body, so the hot handlers above keep their code layout.
#include "interp/interpreter_wasm3.inc"
  // ---- memories other than 0, 64-bit memories and tables (multi-memory, memory64) -----
#include "interp/interpreter_memory.inc"

  DISPATCH_END

// A host function or another tier's function (do_call, do_tail_call) takes the uniform-layout
// path through the Store; anything it runs re-entrantly stacks its frames above this one.
#define FOREIGN_CALLEE()                                                       \
  (callee->is_host() || (callee->instance->compiled->engine != nullptr &&     \
                         callee->instance->compiled->engine != th.engine))
#define CALL_THROUGH_STORE(args)                          \
  do {                                                    \
    th.top = fp + fn->frame_slots;                        \
    PROFILE_HOST_CALL();                                  \
    pending = ctx.store->call_slots(callee, (args), inst); \
    if (pending) [[unlikely]] goto call_failed;           \
  } while (0)

// Enters the callee's code once its frame is in place (do_call, do_tail_call): the current
// function and instance (memory reloaded when it changes), then the limits contract: every
// function entry checks the interrupt flag after the frame is set, so the backtrace names
// the callee.
#define ENTER_FUNCTION(cc)                                                           \
  do {                                                                               \
    fn = (cc);                                                                       \
    th.cur_fn = fn;                                                                  \
    if (inst != callee->instance) {                                                  \
      inst = callee->instance;                                                       \
      th.cur_inst = inst;                                                            \
      RELOAD_MEMORY();                                                               \
    }                                                                                \
    ip = fn->code.data();                                                            \
    if (fn->check_interrupt && ctx.interrupt.load(std::memory_order_relaxed) != 0)   \
        [[unlikely]]                                                                 \
      TRAP(TrapKind::Interrupted);                                                   \
    DISPATCH();                                                                      \
  } while (0)

do_call : {
  // callee, call_arg (first argument slot, where the callee's frame starts), ret_ip.
  uint64_t* new_fp = fp + call_arg;
  if (FOREIGN_CALLEE()) {
    CALL_THROUGH_STORE(new_fp);
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
  ENTER_FUNCTION(cc);
}

do_tail_call : {
  // callee, call_arg. The callee's frame replaces this one: its arguments move down to fp[0],
  // no CallFrame is pushed and the depth stays, so a chain of tail calls runs in constant
  // space; the callee's results land in fp[0..) as this function's would (Wasm 3.0).
  uint64_t* const args = fp + call_arg;
  if (FOREIGN_CALLEE()) {
    // A host function or another tier cannot take over this frame: call it, then return
    // its results (constant space still: nothing of this frame stays behind after it).
    // A throw from the callee is outside every handler of this function, which the tail
    // call has left (call_failed: position UINT32_MAX), so the caller's handlers see it.
    ret_ip = fn->code.data();
    CALL_THROUGH_STORE(args);
    for (uint32_t i = 0, n = callee->result_slots; i < n; ++i) fp[i] = args[i];
    goto do_return;
  }
  const FuncCode* cc = static_cast<const FuncCode*>(callee->code);
  if (cc->frame_slots > static_cast<size_t>(th.stack_end - fp)) [[unlikely]]
    TRAP(TrapKind::CallStackExhausted);
  for (uint32_t i = 0, n = cc->param_slots; i < n; ++i) fp[i] = args[i];  // args are above fp
  std::fill(fp + cc->param_slots, fp + cc->local_slots, uint64_t{0});
  ENTER_FUNCTION(cc);  // an instance change: the caller's frame (if any) restores its own at return
}

// A call through the Store (host function, another tier) failed: an uncaught wasm exception
// is thrown on here, at the call; anything else is a trap.
call_failed:
  if (pending->kind != TrapKind::UncaughtException) goto trap_pending;
  thrown = reinterpret_cast<Exception*>(pending->exception);
  pending.reset();
  throw_pos = static_cast<uint32_t>(ret_ip - fn->code.data()) - 1;
  RELOAD_MEMORY();
  goto do_throw;

do_throw : {
  // thrown, throw_pos. First find the handler, frame by frame outwards (a caller's position
  // is inside its call instruction), changing nothing: uncaught, the trap path still sees
  // every frame for the backtrace. Then unwind to the handler's frame and enter it.
  const Handler* h = find_handler(*fn, throw_pos, *inst, thrown);
  size_t k = th.frames.size();  // the handler's frame is th.frames[k] (k == size: this one)
  while (h == nullptr && k > base_frames) {
    --k;
    const CallFrame& cf = th.frames[k];
    const auto pos = static_cast<uint32_t>(cf.ret_ip - cf.fn->code.data()) - 1;
    h = find_handler(*cf.fn, pos, *cf.inst, thrown);
  }
  if (h == nullptr) {
    pending = Trap::make(TrapKind::UncaughtException);
    pending->exception = reinterpret_cast<uint64_t>(thrown);
    goto trap_pending;
  }
  if (k != th.frames.size()) {
    const CallFrame& cf = th.frames[k];
    ctx.call_depth -= static_cast<uint32_t>(th.frames.size() - k);
    fp = cf.fp;
    fn = cf.fn;
    th.cur_fn = fn;
    inst = cf.inst;
    th.cur_inst = inst;
    th.frames.resize(k);
    RELOAD_MEMORY();
  }
  enter_handler(*h, fp, thrown);
  ip = fn->code.data() + h->target;
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
#define IOP(name, words) #name,
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

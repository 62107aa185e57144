// The contract between JIT-compiled code and the C++ around it: pinned registers, the
// per-entry JitInstance block and the runtime helpers the code calls.
//
// Pinned registers (all callee-saved in the SysV ABI, so C++ helpers preserve them):
//   r13 = JitInstance* of the current entry, r14 = base of memory 0, r15 = ExecContext*.
// Internal calling convention (JIT -> JIT within one module): rsi = the arguments (uniform
// slots, DESIGN principle 4), rdi = where the results go (AArch64: x1, x2); an ordinary call
// passes its slot area in both. A tail call (return_call*) passes JitInstance::tail_args
// in rsi, its own results pointer in rdi, and jumps: the callee's frame replaces its
// caller's. Every other register is clobbered.
// Exceptions (jit/exceptions.hpp): a throw is a helper call that leaves the exception in
// *pending and JitInstance::throw_pc, then the same unwind path, whose code asks C++ for a
// handler before unwinding (zero cost while nothing throws: no bookkeeping at calls or tries).
// A trap stores its kind in JitInstance::trap_kind (or a Trap in *pending) and jumps to its
// function's unwind stub, which records the pc and rbp (for the backtrace: every frame is an
// rbp frame) and jumps to the module's unwind code. That code first calls a C++ helper on
// the live stack (below the trapping frame) which puts the Trap in *pending and appends the
// backtrace walked along the rbp chain, then resets rsp to entry_rsp and returns 1 from the
// entry trampoline. A guard-page fault in the code resumes at the module's landing pad
// (memory/trap_handler.hpp LandingPad; faulting pc in r11), which records the pc, rbp and
// "out of bounds memory access" and takes the same unwind path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "runtime/store.hpp"
#include "runtime/trap.hpp"

namespace wsvm::jit {

// Built on the C++ stack by each Engine::call (host re-entry gets its own).
struct JitInstance {
  uintptr_t entry_rsp = 0;          // rsp inside the entry trampoline, for unwinding
  uintptr_t stack_limit = 0;        // lowest rsp a JIT frame may use ("call stack exhausted")
  uint32_t trap_kind = 0;           // TrapKind of an explicit trap
  uint32_t trapped = 0;             // set by helpers that trap
  uint32_t max_call_depth = 0;
  uint32_t pad = 0;
  GlobalInstance* const* globals = nullptr;  // instance->globals.data()
  FuncInstance* const* funcs = nullptr;      // instance->funcs.data()
  Instance* inst = nullptr;
  ExecContext* ctx = nullptr;
  const void* engine = nullptr;              // the JIT engine (same-engine fast paths)
  std::optional<Trap>* pending = nullptr;    // a trap built by a helper (host functions)
  // Where a trap left the code (set by each function's unwind stub): a pc inside the
  // innermost function to name and its frame (rbp), the start of the backtrace walk.
  uintptr_t trap_pc = 0;
  uintptr_t trap_rbp = 0;
  const void* module = nullptr;              // the entry's per-module code (JitModule)
  // A tail call's arguments while its caller's frame is replaced by the callee's (the
  // callee's prologue copies them into its frame first): as many slots as the largest
  // parameter list of the module's types, in the entry's C++ frame (above every JIT frame).
  uint64_t* tail_args = nullptr;
  // The inline resolution of call_indirect / call_ref (CalleeLayout): the instance's tables
  // and its module's types (a callee of this instance whose type is `types + index` passes
  // the type check without the helper's structural comparison).
  TableInstance* const* tables = nullptr;    // instance->tables.data()
  const FuncType* types = nullptr;           // instance->module().types.data()
  // Exception handling (jit/exceptions.hpp): a helper that leaves an exception in *pending
  // (a throw, or a call that ended with TrapKind::UncaughtException) sets throw_pc to its
  // return address in the throwing function; the unwind code then searches the handlers
  // instead of unwinding, and a handler found resumes at its code with these sp and fp.
  uintptr_t throw_pc = 0;
  uintptr_t resume_sp = 0;
  uintptr_t resume_fp = 0;
};

inline constexpr int32_t kJiEntryRsp = offsetof(JitInstance, entry_rsp);
inline constexpr int32_t kJiStackLimit = offsetof(JitInstance, stack_limit);
inline constexpr int32_t kJiTrapKind = offsetof(JitInstance, trap_kind);
inline constexpr int32_t kJiTrapped = offsetof(JitInstance, trapped);
inline constexpr int32_t kJiMaxDepth = offsetof(JitInstance, max_call_depth);
inline constexpr int32_t kJiGlobals = offsetof(JitInstance, globals);
inline constexpr int32_t kJiFuncs = offsetof(JitInstance, funcs);
inline constexpr int32_t kJiTrapPc = offsetof(JitInstance, trap_pc);
inline constexpr int32_t kJiTrapRbp = offsetof(JitInstance, trap_rbp);
inline constexpr int32_t kJiTailArgs = offsetof(JitInstance, tail_args);
inline constexpr int32_t kJiInst = offsetof(JitInstance, inst);
inline constexpr int32_t kJiTables = offsetof(JitInstance, tables);
inline constexpr int32_t kJiTypes = offsetof(JitInstance, types);
inline constexpr int32_t kJiThrowPc = offsetof(JitInstance, throw_pc);
inline constexpr int32_t kJiResumeSp = offsetof(JitInstance, resume_sp);
inline constexpr int32_t kJiResumeFp = offsetof(JitInstance, resume_fp);

// ExecContext and GlobalInstance field offsets (computed, since those types are not
// standard-layout for offsetof).
int32_t ctx_call_depth_offset();
int32_t ctx_interrupt_offset();
int32_t ctx_fuel_offset();
int32_t global_slots_offset();

// What the inline callee resolution of call_indirect / call_ref reads (the backends'
// resolve_callee): FuncInstance's type, instance and code, and a table's elements as
// std::vector's begin and end pointers. `ok` is false when this standard library lays a
// vector out otherwise (checked once): the code then always calls the helper.
struct CalleeLayout {
  bool ok = false;
  int32_t table_elems_begin = 0, table_elems_end = 0;  // in TableInstance
  int32_t func_type = 0, func_instance = 0, func_code = 0;  // in FuncInstance
  int32_t func_type_size = 0;                           // sizeof(FuncType)
};
const CalleeLayout& callee_layout();

// The entry trampoline at offset 0 of every module's code.
using EntryFn = int (*)(JitInstance* ji, uint8_t* mem_base, uint64_t* slots, const void* code,
                        ExecContext* ctx);

// ---- helpers called from JIT code (C ABI; `ji` first where they may trap) -------------
namespace helpers {
int call_import(JitInstance* ji, uint32_t func_index, uint64_t* slots);
// Returns code to call natively (same instance, same engine), 0 when the call was already
// made through Store::call_slots, or 1 when it trapped.
uintptr_t call_indirect(JitInstance* ji, uint32_t table, uint32_t type_index, uint64_t elem,
                        uint64_t* slots);
// call_ref: the same for a function reference (null: "null function reference"); the
// first two arguments are unused, so that both share the calling sequence.
uintptr_t call_ref(JitInstance* ji, uint32_t, uint32_t, uint64_t ref, uint64_t* slots);
// Exception handling: put the exception in *pending (TrapKind::UncaughtException) and set
// throw_pc; the code then jumps to its unwind stub. throw_new makes the exception of the
// module's tag `tag` from the payload's homes; throw_ref throws an exnref (null: the trap
// "null exception reference"), also for rethrow.
void throw_new(JitInstance* ji, uint32_t tag, const uint64_t* payload);
void throw_ref(JitInstance* ji, uint64_t exn);
uint32_t memory_size(JitInstance* ji);
uint32_t memory_grow(JitInstance* ji, uint32_t delta);
// Bulk / table ops: return 1 on trap (set in ji).
int memory_init(JitInstance* ji, uint32_t seg, uint32_t dst, uint32_t src, uint32_t n);
int memory_copy(JitInstance* ji, uint32_t dst, uint32_t src, uint32_t n);
int memory_fill(JitInstance* ji, uint32_t dst, uint32_t val, uint32_t n);
void data_drop(JitInstance* ji, uint32_t seg);
int table_init(JitInstance* ji, uint32_t elem, uint32_t table, uint32_t dst, uint32_t src, uint32_t n);
int table_copy(JitInstance* ji, uint32_t dst_table, uint32_t src_table, uint32_t dst, uint32_t src,
               uint32_t n);
int table_fill(JitInstance* ji, uint32_t table, uint32_t i, uint64_t val, uint32_t n);
void elem_drop(JitInstance* ji, uint32_t seg);
uint64_t table_get(JitInstance* ji, uint32_t table, uint32_t i);  // traps via ji->trapped
int table_set(JitInstance* ji, uint32_t table, uint32_t i, uint64_t val);
uint32_t table_size(JitInstance* ji, uint32_t table);
uint32_t table_grow(JitInstance* ji, uint32_t table, uint64_t init, uint32_t n);

// Numeric slow paths generated from semantics/numeric_ops.def (semantics/numerics.hpp semantics):
// values as slot bits; trapping ones take ji and set ji->trapped.
const void* numeric(uint16_t op);        // non-trapping unary/binary: u64 f(u64 a, u64 b)
const void* numeric_trap(uint16_t op);   // trapping: u64 f(JitInstance*, u64 a, u64 b)

// SIMD (simd_helpers.cpp): f(ji, result home, operand a home, operand b home, x, y); returns
// the scalar result of Test/Extract. Memory forms: x = address, y = offset (| lane << 32),
// trap through ji->trapped.
using SimdFn = uint64_t (*)(JitInstance* ji, uint64_t* dst, const uint64_t* a, const uint64_t* b,
                            uint64_t x, uint64_t y);
enum class SimdKind : uint8_t {
  Un, Bin, Tern, Test, Shift, Splat, Extract, Replace, Load, LoadLane, StoreLane, Store, Shuffle
};
struct SimdHelper {
  SimdFn fn;
  SimdKind kind;
};
SimdHelper simd(uint16_t op);  // fn == nullptr for v128.const (inline) and non-SIMD ops
}  // namespace helpers

}  // namespace wsvm::jit

// Runtime helpers called from JIT code: calls that leave the module, memory and table
// operations shared with the interpreter (runtime/bulk_ops.hpp), numeric slow paths.
#include <bit>
#include <cstring>
#include <type_traits>

#include "semantics/numerics.hpp"
#include "jit/jit_abi.hpp"
#include "runtime/bulk_ops.hpp"
#include "semantics/slot.hpp"

namespace wsvm::jit {

int32_t ctx_call_depth_offset() {
  static ExecContext c;
  return static_cast<int32_t>(reinterpret_cast<const char*>(&c.call_depth) - reinterpret_cast<const char*>(&c));
}
int32_t ctx_interrupt_offset() {
  static ExecContext c;
  return static_cast<int32_t>(reinterpret_cast<const char*>(&c.interrupt) - reinterpret_cast<const char*>(&c));
}
int32_t ctx_fuel_offset() {
  static ExecContext c;
  return static_cast<int32_t>(reinterpret_cast<const char*>(&c.fuel_remaining) - reinterpret_cast<const char*>(&c));
}
int32_t global_slots_offset() {
  static GlobalInstance g;
  return static_cast<int32_t>(reinterpret_cast<const char*>(&g.slots) - reinterpret_cast<const char*>(&g));
}

namespace {
int32_t offset_in(const void* base, const void* field) {
  return static_cast<int32_t>(static_cast<const char*>(field) - static_cast<const char*>(base));
}
CalleeLayout make_callee_layout() {
  CalleeLayout l;
  static TableInstance t;
  static FuncInstance f;
  t.elems.assign(3, 0);
  auto* words = reinterpret_cast<Ref* const*>(&t.elems);
  const int32_t at = offset_in(&t, &t.elems);
  l.table_elems_begin = at;
  l.table_elems_end = at + static_cast<int32_t>(sizeof(void*));
  l.func_type = offset_in(&f, &f.type);
  l.func_instance = offset_in(&f, &f.instance);
  l.func_code = offset_in(&f, &f.code);
  l.func_type_size = static_cast<int32_t>(sizeof(FuncType));
  l.ok = words[0] == t.elems.data() && words[1] == t.elems.data() + 3 && at % 8 == 0;
  t.elems = {};
  return l;
}
}  // namespace

const CalleeLayout& callee_layout() {
  static const CalleeLayout l = make_callee_layout();
  return l;
}

namespace helpers {
namespace {

int fail(JitInstance* ji, std::optional<Trap> t) {
  *ji->pending = std::move(t);
  ji->trapped = 1;
  return 1;
}
// A call through the Store that failed, made from JIT code at return address `ret`: an
// uncaught wasm exception is thrown on at that call (jit/exceptions.hpp), anything else traps.
int call_failed(JitInstance* ji, std::optional<Trap> t, void* ret) {
  if (t->kind == TrapKind::UncaughtException)
    ji->throw_pc = reinterpret_cast<uintptr_t>(__builtin_extract_return_addr(ret));
  return fail(ji, std::move(t));
}
int fail(JitInstance* ji, TrapKind k) {
  ji->trap_kind = static_cast<uint32_t>(k);
  ji->trapped = 1;
  return 1;
}
// A throw from JIT code at return address `ret` (exnref `exn`; null traps).
void throw_at(JitInstance* ji, uint64_t exn, void* ret) {
  if (exn == kNullRef) {
    fail(ji, TrapKind::NullExceptionReference);
    return;
  }
  Trap t = Trap::make(TrapKind::UncaughtException);
  t.exception = exn;
  *ji->pending = std::move(t);
  ji->throw_pc = reinterpret_cast<uintptr_t>(__builtin_extract_return_addr(ret));
}

}  // namespace

int call_import(JitInstance* ji, uint32_t func_index, uint64_t* slots) {
  FuncInstance* f = ji->inst->funcs[func_index];
  std::optional<Trap> t = ji->ctx->store->call_slots(f, slots, ji->inst);
  return t ? call_failed(ji, std::move(t), __builtin_return_address(0)) : 0;
}

void throw_new(JitInstance* ji, uint32_t tag, const uint64_t* payload) {
  Exception* e = ji->ctx->store->new_exception(ji->inst->tags[tag], payload);
  throw_at(ji, reinterpret_cast<uint64_t>(e), __builtin_return_address(0));
}

void throw_ref(JitInstance* ji, uint64_t exn) { throw_at(ji, exn, __builtin_return_address(0)); }

namespace {
// This instance's JIT code to call natively, or the call made through the Store (0, or 1 on
// a trap).
// `ret`: the helper's return address in JIT code (the call site, for a throw).
uintptr_t call_resolved(JitInstance* ji, FuncInstance* callee, uint64_t* slots, void* ret) {
  if (callee->instance == ji->inst && callee->instance->compiled->engine == ji->engine)
    return reinterpret_cast<uintptr_t>(callee->code);
  std::optional<Trap> tr = ji->ctx->store->call_slots(callee, slots, ji->inst);
  return tr ? call_failed(ji, std::move(tr), ret) : 0;
}
}  // namespace

uintptr_t call_indirect(JitInstance* ji, uint32_t table, uint32_t type_index, uint64_t elem_bits,
                        uint64_t* slots) {
  const auto elem = static_cast<uint32_t>(elem_bits);  // an i32 home's low half
  TableInstance* t = ji->inst->tables[table];
  if (elem >= t->elems.size()) return fail(ji, TrapKind::UndefinedElement);
  Ref r = t->elems[elem];
  if (r == kNullRef) return fail(ji, TrapKind::UninitializedElement);
  auto* callee = reinterpret_cast<FuncInstance*>(r);
  // Structural equality is the spec's rule (and what the Store's type ids encode).
  if (*callee->type != ji->inst->module().types[type_index])
    return fail(ji, TrapKind::IndirectCallTypeMismatch);
  return call_resolved(ji, callee, slots, __builtin_return_address(0));
}

uintptr_t call_ref(JitInstance* ji, uint32_t, uint32_t, uint64_t ref, uint64_t* slots) {
  if (static_cast<Ref>(ref) == kNullRef) return fail(ji, TrapKind::NullFunctionReference);
  return call_resolved(ji, reinterpret_cast<FuncInstance*>(static_cast<Ref>(ref)), slots,
                       __builtin_return_address(0));
}

uint32_t memory_size(JitInstance* ji) {
  return static_cast<uint32_t>(ji->inst->memories[0]->mem->pages());
}
uint32_t memory_grow(JitInstance* ji, uint32_t delta) {
  return static_cast<uint32_t>(ji->inst->memories[0]->mem->grow(delta));
}
int memory_init(JitInstance* ji, uint32_t seg, uint32_t dst, uint32_t src, uint32_t n) {
  auto t = wsvm::memory_init(*ji->inst->memories[0], ji->inst->datas[seg], dst, src, n, ji->ctx);
  return t ? fail(ji, std::move(t)) : 0;
}
int memory_copy(JitInstance* ji, uint32_t dst, uint32_t src, uint32_t n) {
  auto t = wsvm::memory_copy(*ji->inst->memories[0], dst, src, n, ji->ctx);
  return t ? fail(ji, std::move(t)) : 0;
}
int memory_fill(JitInstance* ji, uint32_t dst, uint32_t val, uint32_t n) {
  auto t = wsvm::memory_fill(*ji->inst->memories[0], dst, static_cast<uint8_t>(val), n, ji->ctx);
  return t ? fail(ji, std::move(t)) : 0;
}
void data_drop(JitInstance* ji, uint32_t seg) { ji->inst->datas[seg].bytes = {}; }
int table_init(JitInstance* ji, uint32_t elem, uint32_t table, uint32_t dst, uint32_t src,
               uint32_t n) {
  auto t = wsvm::table_init(*ji->inst->tables[table], ji->inst->elems[elem], dst, src, n, ji->ctx);
  return t ? fail(ji, std::move(t)) : 0;
}
int table_copy(JitInstance* ji, uint32_t dst_table, uint32_t src_table, uint32_t dst,
               uint32_t src, uint32_t n) {
  auto t = wsvm::table_copy(*ji->inst->tables[dst_table], *ji->inst->tables[src_table], dst,
                            src, n, ji->ctx);
  return t ? fail(ji, std::move(t)) : 0;
}
int table_fill(JitInstance* ji, uint32_t table, uint32_t i, uint64_t val, uint32_t n) {
  auto t = wsvm::table_fill(*ji->inst->tables[table], i, static_cast<Ref>(val), n, ji->ctx);
  return t ? fail(ji, std::move(t)) : 0;
}
void elem_drop(JitInstance* ji, uint32_t seg) { ji->inst->elems[seg].refs.clear(); }
uint64_t table_get(JitInstance* ji, uint32_t table, uint32_t i) {
  TableInstance* t = ji->inst->tables[table];
  if (i >= t->elems.size()) return fail(ji, TrapKind::TableOutOfBounds);
  return t->elems[i];
}
int table_set(JitInstance* ji, uint32_t table, uint32_t i, uint64_t val) {
  TableInstance* t = ji->inst->tables[table];
  if (i >= t->elems.size()) return fail(ji, TrapKind::TableOutOfBounds);
  t->elems[i] = static_cast<Ref>(val);
  return 0;
}
uint32_t table_size(JitInstance* ji, uint32_t table) {
  return static_cast<uint32_t>(ji->inst->tables[table]->elems.size());
}
uint32_t table_grow(JitInstance* ji, uint32_t table, uint64_t init, uint32_t n) {
  auto r = wsvm::table_grow(*ji->inst->tables[table], n, static_cast<Ref>(init), ji->ctx);
  if (!r) return static_cast<uint32_t>(fail(ji, std::move(r.error())));  // out of fuel
  return static_cast<uint32_t>(*r);
}

// ---- numeric slow paths -----------------------------------------------------------------
namespace {
using slot::rd;
using slot::wr;

#define NUM_UN(name, In, Out, expr) \
  uint64_t h_##name(uint64_t x, uint64_t) { In a = rd<In>(x); return wr<Out>(expr); }
#define NUM_BIN(name, T, Out, expr) \
  uint64_t h_##name(uint64_t x, uint64_t y) { T a = rd<T>(x); T b = rd<T>(y); return wr<Out>(expr); }
#define NUM_UN_TRAP(name, In, Out, fn)                                  \
  uint64_t t_##name(JitInstance* ji, uint64_t x, uint64_t) {            \
    Out r{};                                                            \
    TrapKind k{};                                                       \
    if (!fn(rd<In>(x), r, k)) return fail(ji, k);                       \
    return wr<Out>(r);                                                  \
  }
#define NUM_BIN_TRAP(name, T, fn)                                       \
  uint64_t t_##name(JitInstance* ji, uint64_t x, uint64_t y) {          \
    T r{};                                                              \
    TrapKind k{};                                                       \
    if (!fn(rd<T>(x), rd<T>(y), r, k)) return fail(ji, k);             \
    return wr<T>(r);                                                    \
  }
#define MEM_LOAD(name, MemT, Out)
#define MEM_STORE(name, MemT)
#include "semantics/numeric_ops.def"
#undef NUM_UN
#undef NUM_BIN
#undef NUM_UN_TRAP
#undef NUM_BIN_TRAP
#undef MEM_LOAD
#undef MEM_STORE
}  // namespace

const void* numeric(uint16_t op) {
  switch (static_cast<Op>(op)) {
#define NUM_UN(name, In, Out, expr) case Op::name: return reinterpret_cast<const void*>(&h_##name);
#define NUM_BIN(name, T, Out, expr) case Op::name: return reinterpret_cast<const void*>(&h_##name);
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
    default: return nullptr;
  }
}

const void* numeric_trap(uint16_t op) {
  switch (static_cast<Op>(op)) {
#define NUM_UN(name, In, Out, expr)
#define NUM_BIN(name, T, Out, expr)
#define NUM_UN_TRAP(name, In, Out, fn) case Op::name: return reinterpret_cast<const void*>(&t_##name);
#define NUM_BIN_TRAP(name, T, fn) case Op::name: return reinterpret_cast<const void*>(&t_##name);
#define MEM_LOAD(name, MemT, Out)
#define MEM_STORE(name, MemT)
#include "semantics/numeric_ops.def"
#undef NUM_UN
#undef NUM_BIN
#undef NUM_UN_TRAP
#undef NUM_BIN_TRAP
#undef MEM_LOAD
#undef MEM_STORE
    default: return nullptr;
  }
}

}  // namespace helpers
}  // namespace wsvm::jit

// Definitions of the front end (frontend.hpp): value stack, registers, local cache, control
// flow, calls, traps and fuel. Included once by each backend's translation unit, which
// instantiates FrontEnd<Backend, Regs>. Everything emitted goes through masm() (the
// backend contract at the end of frontend.hpp).
#pragma once

#include <algorithm>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "jit/frontend.hpp"
#include "runtime/value.hpp"

namespace wsvm::jit {

#define WSVM_FE template <class B, class R>
#define WSVM_FE_T FrontEnd<B, R>

// ---- registers ---------------------------------------------------------------------------

WSVM_FE void WSVM_FE_T::reset_regs() {
  m_free = R::kGpAllocatable;
  m_free_fp = R::kFpAllocatable;
  for (uint32_t& n : m_borrow_gp) n = 0;
  for (uint32_t& n : m_borrow_fp) n = 0;
}

// Free and uncached first, then a cached register (a clean copy: forgetting it costs
// nothing; the innermost loop's registers last), then spill the oldest stack value.
WSVM_FE typename WSVM_FE_T::Fp WSVM_FE_T::alloc_fp() {
  if (m_free_fp == 0) {  // spill the oldest (borrowers may share one): none below the floor
    size_t i = m_fp_floor;
    for (; m_free_fp == 0 && i < m_vs.size(); ++i)
      if (m_vs[i].kind == Kind::Fp) spill(m_vs[i]);
    m_fp_floor = static_cast<uint32_t>(i);
  }
  assert(m_free_fp != 0);
  uint32_t avail = m_free_fp & ~m_cache.fp;
  if (avail == 0) {
    uint32_t keep = loop_cache_mask(true);
    avail = (m_free_fp & ~keep) ? (m_free_fp & ~keep) : m_free_fp;
  }
  uint32_t id = static_cast<uint32_t>(__builtin_ctz(avail));
  m_free_fp &= ~(1u << id);
  uncache_fp(id);
  touch_fp(1u << id);
  return R::fp(id);
}

WSVM_FE typename WSVM_FE_T::Gp WSVM_FE_T::alloc() {
  if (m_free == 0) {  // spill the oldest (borrowers may share one): none below the floor
    size_t i = m_gp_floor;
    for (; m_free == 0 && i < m_vs.size(); ++i)
      if (m_vs[i].kind == Kind::Reg) spill(m_vs[i]);
    m_gp_floor = static_cast<uint32_t>(i);
  }
  assert(m_free != 0);
  uint32_t avail = m_free & ~m_cache.gp;
  if (avail == 0) {
    uint32_t keep = loop_cache_mask(false);
    avail = (m_free & ~keep) ? (m_free & ~keep) : m_free;
  }
  uint32_t id = static_cast<uint32_t>(__builtin_ctz(avail));
  m_free &= ~(1u << id);
  uncache_gp(id);
  touch_gp(1u << id);
  return R::gp(id);
}

WSVM_FE typename WSVM_FE_T::Fp WSVM_FE_T::to_fp(Val& v) {
  const bool f64 = v.type == ValType::F64;
  Fp x;
  if (v.type == ValType::V128 && v.kind != Kind::Fp) {
    x = alloc_fp();
    if (v.kind == Kind::Const) masm().v128_const(x, v.c, v.c_hi);
    else masm().load_fp(x, v.slot, ValType::V128);
    v.kind = Kind::Fp;
    v.reg = static_cast<uint8_t>(R::id(x));
    changed_in_place(v);
    return x;
  }
  switch (v.kind) {
    case Kind::Fp:
      if (!v.borrowed) return R::fp(v.reg);
      x = alloc_fp();
      masm().move_fp(x, R::fp(v.reg));
      release(v);
      v.borrowed = false;
      break;
    case Kind::Reg:
      x = alloc_fp();
      masm().fp_from_gp(x, R::gp(v.reg), f64);
      release(v);
      v.borrowed = false;
      break;
    case Kind::Mem:
      x = alloc_fp();
      masm().load_fp(x, v.slot, v.type);
      break;
    case Kind::Const:
    case Kind::Flags:
      x = alloc_fp();
      masm().fp_const(x, v.c, f64);
      break;
  }
  v.kind = Kind::Fp;
  v.reg = static_cast<uint8_t>(R::id(x));
  changed_in_place(v);
  return x;
}

// ---- local cache ----------------------------------------------------------------------------

WSVM_FE void WSVM_FE_T::uncache_local(uint32_t local) {
  int r = cached_reg(local);
  if (r < 0) return;
  if (is_float(m_local_type[local])) forget_fp(r);  // its value is being replaced
  else forget_gp(r);
}

// The register the innermost loop keeps `local` in (its back edges then need no loads),
// when it is free for the taking now; else any free register without a cached local.
WSVM_FE int WSVM_FE_T::cache_target(uint32_t local, bool fp, int avoid) const {
  if (!m_loops.empty()) {
    const LocalCache& e = entry_of(m_blocks[m_loops.back()]);
    uint32_t m = fp ? e.fp : e.gp;
    const uint32_t* of = fp ? e.fp_local : e.gp_local;
    uint32_t free = fp ? m_free_fp : m_free;
    for (; m != 0; m &= m - 1) {
      int id = __builtin_ctz(m);
      if (of[id] == local && id != avoid && (free & (1u << id))) return id;
    }
  }
  uint32_t m = fp ? (m_free_fp & ~m_cache.fp) : (m_free & ~m_cache.gp);
  if (avoid >= 0) m &= ~(1u << avoid);
  return m ? __builtin_ctz(m) : -1;
}

WSVM_FE int WSVM_FE_T::loop_reg_of(uint32_t local, bool fp) const {
  if (m_loops.empty()) return -1;
  const LocalCache& e = entry_of(m_blocks[m_loops.back()]);
  uint32_t m = fp ? e.fp : e.gp;
  const uint32_t* of = fp ? e.fp_local : e.gp_local;
  for (; m != 0; m &= m - 1)
    if (of[__builtin_ctz(m)] == local) return __builtin_ctz(m);
  return -1;
}

WSVM_FE void WSVM_FE_T::set_cached(uint32_t local, bool fp, int id) {
  if (fp) touch_fp(1u << id);
  else touch_gp(1u << id);
  uint32_t has = fp ? m_cache.fp : m_cache.gp;
  const uint32_t* of = fp ? m_cache.fp_local : m_cache.gp_local;
  if ((has & (1u << id)) && of[id] != local) {  // another local's copy: store it if dirty
    if (fp) uncache_fp(id);
    else uncache_gp(id);
  }
  if (fp) {
    m_cache.fp |= 1u << id;
    m_cache.fp_local[id] = local;
  } else {
    m_cache.gp |= 1u << id;
    m_cache.gp_local[id] = local;
  }
}

WSVM_FE uint32_t WSVM_FE_T::loop_cache_mask(bool fp) const {
  if (m_loops.empty()) return 0;
  const LocalCache& e = entry_of(m_blocks[m_loops.back()]);
  return fp ? e.fp : e.gp;
}

WSVM_FE bool WSVM_FE_T::cache_satisfies(const LocalCache& want) const {
  if ((want.gp & m_cache.gp) != want.gp || (want.fp & m_cache.fp) != want.fp) return false;
  for (uint32_t m = want.gp; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    if (m_cache.gp_local[id] != want.gp_local[id]) return false;
  }
  for (uint32_t m = want.fp; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    if (m_cache.fp_local[id] != want.fp_local[id]) return false;
  }
  return true;
}

WSVM_FE void WSVM_FE_T::store_cached(bool fp, uint32_t id) {
  uint32_t l = fp ? m_cache.fp_local[id] : m_cache.gp_local[id];
  if (!fp) masm().store_gp(m_local_slot[l], R::gp(id));
  else masm().store_fp(m_local_slot[l], R::fp(id), m_local_type[l]);
}

// Stores every dirty local except those `keep` has in the same register (a loop's entry
// cache: they arrive in their registers). Emitted on one path: the state is unchanged.
WSVM_FE void WSVM_FE_T::flush_on_path(const LocalCache* keep, uint32_t nokeep_gp, uint32_t nokeep_fp) {
  for (uint32_t m = m_cache.gp_dirty; m != 0; m &= m - 1) {
    uint32_t id = static_cast<uint32_t>(__builtin_ctz(m));
    if (keep && (keep->gp & ~nokeep_gp & (1u << id)) && keep->gp_local[id] == m_cache.gp_local[id]) continue;
    store_cached(false, id);
  }
  for (uint32_t m = m_cache.fp_dirty; m != 0; m &= m - 1) {
    uint32_t id = static_cast<uint32_t>(__builtin_ctz(m));
    if (keep && (keep->fp & ~nokeep_fp & (1u << id)) && keep->fp_local[id] == m_cache.fp_local[id]) continue;
    store_cached(true, id);
  }
}

// Missing registers load from their homes, after the dirty locals not kept are stored (in
// any order: no dirty local is loaded). Emitted on a branch path only: the compile-time
// cache is not changed.
WSVM_FE void WSVM_FE_T::establish_cache(const Block& loop) {
  const LocalCache& want = entry_of(loop);
  if (loop.state == kNone) return flush_on_path(&want);
  const BlockState& ls = m_states[loop.state];
  flush_on_path(&want, ls.pad_gp, ls.pad_fp);
  for (uint32_t m = want.gp; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    uint32_t l = want.gp_local[id];
    if ((m_cache.gp & (1u << id)) && m_cache.gp_local[id] == l) continue;
    masm().load_gp(R::gp(id), m_local_slot[l], m_local_type[l] == ValType::I64);
  }
  for (uint32_t m = want.fp; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    uint32_t l = want.fp_local[id];
    if ((m_cache.fp & (1u << id)) && m_cache.fp_local[id] == l) continue;
    masm().load_fp(R::fp(id), m_local_slot[l], m_local_type[l]);
  }
}

WSVM_FE void WSVM_FE_T::emit_local_get(uint32_t l) {
  ValType t = m_local_type[l];
  uint32_t slot = m_local_slot[l];
  if (!cacheable(t)) {
    Gp r = alloc();
    masm().load_gp(r, slot, true);
    return push_reg(t, r);
  }
  int c = cached_reg(l);
  if (c < 0) c = preheader_load(l);
  if (is_float(t)) {
    if (c >= 0) {  // borrow: read in place; a consumer changing it copies (to_fp)
      push_borrowed(t, true, c);
      return;
    }
    if (int f = in_loop() ? cache_target(l, true, -1) : -1; f >= 0) {  // load, cache, borrow
      uncache_fp(f);
      masm().load_fp(R::fp(f), slot, t);
      set_cached(l, true, f);
      push_borrowed(t, true, f);
      return;
    }
    Fp d = alloc_fp();
    masm().load_fp(d, slot, t);
    return push_fp(t, d);
  }
  if (c >= 0) {  // borrow: read in place; a consumer changing it copies (to_reg)
    push_borrowed(t, false, c);
    return;
  }
  if (int f = in_loop() ? cache_target(l, false, -1) : -1; f >= 0) {  // load, cache, borrow
    uncache_gp(f);
    masm().load_gp(R::gp(f), slot, t == ValType::I64);
    set_cached(l, false, f);
    push_borrowed(t, false, f);
    return;
  }
  Gp d = alloc();
  masm().load_gp(d, slot, t == ValType::I64);
  push_reg(t, d);
}

// A local read inside a loop for the first time, with the loop's value at entry (not
// written since the header): load it in the preheader pad into a register nothing wrote
// since the header, and make it part of the loop's entry cache (its back edges keep it).
WSVM_FE int WSVM_FE_T::preheader_load(uint32_t l) {
  BlockState* b = innermost_loop();
  if (b == nullptr || !b->has_pad || b->back_edge || b->pad_used >= R::kPadSlots) return -1;
  if (m_local_written[l] >= b->header_clock) return -1;  // written since the header
  ValType t = m_local_type[l];
  bool x = is_float(t);
  {  // at most one entry register per local (back edges load the others from homes)
    uint32_t m = x ? b->entry.fp : b->entry.gp;
    const uint32_t* of = x ? b->entry.fp_local : b->entry.gp_local;
    for (; m != 0; m &= m - 1)
      if (of[__builtin_ctz(m)] == l) return -1;
  }
  uint32_t avail = x ? (m_free_fp & ~m_touched_fp & ~b->entry.fp & ~m_cache.fp)
                     : (m_free & ~m_touched_gp & ~b->entry.gp & ~m_cache.gp);
  if (avail == 0) return -1;
  int r = __builtin_ctz(avail);
  if (!masm().pad_load(b->pad_pos, b->pad_used, r, x, t, m_local_slot[l])) return -1;
  ++b->pad_used;
  if (x) {
    b->entry.fp |= 1u << r;
    b->entry.fp_local[r] = l;
    b->pad_fp |= 1u << r;
  } else {
    b->entry.gp |= 1u << r;
    b->entry.gp_local[r] = l;
    b->pad_gp |= 1u << r;
  }
  set_cached(l, x, r);  // clean: back edges store it when dirty
  return r;
}

WSVM_FE void WSVM_FE_T::emit_local_set(uint32_t l, bool tee) {
  m_local_written[l] = m_clock;  // (preheader_load: written since the header)
  ValType t = m_local_type[l];
  const uint32_t dst = m_local_slot[l];
  if (!cacheable(t)) {
    masm().store_val(dst, m_vs.back());
    if (!tee) release(pop());
    return;
  }
  uncache_local(l);  // the old copy is dead (no store)
  bool f = is_float(t);
  if (tee) {
    Val& v = m_vs.back();
    if (t == ValType::V128 && v.kind != Kind::Fp) to_fp(v);  // read again soon: keep it
    // A copy pays off only when read again: in loops.
    if (in_loop() && v.kind == (f ? Kind::Fp : Kind::Reg)) {
      if (int r = cache_target(l, f, -1); r >= 0) {
        cache_copy(l, f, r, v.reg);
        return;
      }
    }
    masm().store_val(dst, v);
    return;
  }
  Val v = pop();
  if (v.kind == Kind::Mem || (t == ValType::V128 && v.kind == Kind::Const)) {
    // e.g. a call's result: load once, keep it
    if (f) to_fp(v);
    else to_reg(v);
  }
  if (v.kind == Kind::Fp || (v.kind == Kind::Reg && !f)) {
    // The value's register becomes the (dirty) cached copy, unless the innermost loop keeps
    // this local in another register that is free: move it there (back edges stay jumps).
    release(v);
    bool x = v.kind == Kind::Fp;
    int want = loop_reg_of(l, x);
    int r = v.reg;
    if (want >= 0 && want != r && ((x ? m_free_fp : m_free) & (1u << want))) {
      cache_copy(l, x, want, r);
      return;
    }
    set_cached(l, x, r);
    mark_dirty(x, r);
    return;
  }
  if (v.kind == Kind::Const && !f) {
    if (int r = cache_target(l, false, -1); r >= 0) {
      uncache_gp(r);
      masm().gp_const(R::gp(r), v.c);
      set_cached(l, false, r);
      mark_dirty(false, r);
      return;
    }
  }
  masm().store_val(dst, v);
  release(v);
}

// Register `dst` of the class becomes local l's dirty cached copy, copied from `src`.
WSVM_FE void WSVM_FE_T::cache_copy(uint32_t l, bool fp_class, int dst, int src) {
  if (fp_class) {
    uncache_fp(dst);
    masm().move_fp(R::fp(dst), R::fp(src));
  } else {
    uncache_gp(dst);
    masm().move_gp(R::gp(dst), R::gp(src));
  }
  set_cached(l, fp_class, dst);
  mark_dirty(fp_class, dst);
}

// ---- values ------------------------------------------------------------------------------

WSVM_FE void WSVM_FE_T::spill(Val& v) {
  if (v.kind == Kind::Mem) return;
  masm().store_val(v.slot, v);
  release(v);
  v.kind = Kind::Mem;
  v.borrowed = false;
}

WSVM_FE void WSVM_FE_T::spill_all() {
  for (size_t i = m_mem_floor; i < m_vs.size(); ++i) spill(m_vs[i]);
  m_mem_floor = m_gp_floor = m_fp_floor = static_cast<uint32_t>(m_vs.size());
}

// The stack values holding register id are its one owner or its borrowers (a borrowed
// register has no owner). Counting them lets the scan stop at the last one, from the top:
// a scan to the floor for every shift or division was quadratic in a deep stack.
WSVM_FE void WSVM_FE_T::spill_reg(uint32_t id, uint32_t popped_holders) {
  uncache_gp(id);
  if (m_free & (1u << id)) return;
  uint32_t n = m_borrow_gp[id] != 0 ? m_borrow_gp[id] : 1;
  n = n > popped_holders ? n - popped_holders : 0;
  for (size_t i = m_vs.size(); n != 0 && i > m_gp_floor;) {
    Val& v = m_vs[--i];
    if (v.kind == Kind::Reg && v.reg == id) {
      spill(v);
      --n;
    }
  }
}

WSVM_FE void WSVM_FE_T::materialize_flags() {
  if (m_vs.empty() || m_vs.back().kind != Kind::Flags) return;
  Val v = pop();
  Gp r = alloc();
  masm().flag_to_gp(r, v.cond);
  push_reg(v.type, r);
}

WSVM_FE typename WSVM_FE_T::Gp WSVM_FE_T::to_reg(Val& v) {
  Gp r;
  switch (v.kind) {
    case Kind::Reg:
      if (!v.borrowed) return R::gp(v.reg);
      r = alloc();
      masm().move_gp(r, R::gp(v.reg));
      release(v);
      v.borrowed = false;
      break;
    case Kind::Fp:
      r = alloc();
      masm().gp_from_fp(r, R::fp(v.reg), v.type == ValType::F64);
      release(v);
      v.borrowed = false;
      break;
    case Kind::Mem:
      r = alloc();
      masm().load_gp(r, v.slot, is64(v.type));
      break;
    case Kind::Const:
      r = alloc();
      masm().gp_const(r, v.c);
      break;
    case Kind::Flags:
      r = alloc();
      masm().flag_to_gp(r, v.cond);
      break;
  }
  v.kind = Kind::Reg;
  v.reg = static_cast<uint8_t>(R::id(r));
  changed_in_place(v);
  return r;
}

// ---- traps, helpers, fuel ----------------------------------------------------------------

WSVM_FE Label WSVM_FE_T::trap_label(TrapKind kind) {
  auto k = static_cast<uint32_t>(kind);
  if (!m_trap_used[k]) {
    m_traps[k] = masm().new_label();
    m_trap_used[k] = true;
  }
  return m_traps[k];
}

WSVM_FE Label WSVM_FE_T::unwind_here() {
  if (!m_unwind_used) {
    m_unwind_here = masm().new_label();
    m_unwind_used = true;
  }
  return m_unwind_here;
}

// Emitted after the function's code, so their pcs map to this function. The backtrace walk
// (jit_engine.cpp) starts at trap_pc / trap_rbp and follows the frame-pointer chain.
WSVM_FE void WSVM_FE_T::emit_trap_stubs() {
  for (uint32_t k = 0; k < kTrapKinds; ++k) {
    if (!m_trap_used[k]) continue;
    masm().trap_stub(m_traps[k], static_cast<TrapKind>(k), unwind_here());
  }
  // The interpreter checks the limits before pushing the callee's frame, so its backtrace
  // starts at the caller: the stub starts the walk at the caller's frame and return address.
  masm().stack_trap_stub(m_stack_trap);
  if (m_unwind_used) masm().unwind_stub(m_unwind_here);
}

WSVM_FE void WSVM_FE_T::call_helper(const void* fn) {
  touch_gp(~0u);
  touch_fp(~0u);
  masm().call_raw(fn);
  drop_cache();  // every register is clobbered
}

WSVM_FE void WSVM_FE_T::interrupt_check() {
  if (!m_config.interruptible) return;
  masm().branch_if_interrupted(trap_label(TrapKind::Interrupted));
}

// Limits contract (runtime/store.hpp): a region's cost is charged at its start; if the fuel
// left is below it the region does not start. The cost is known only at the region's end,
// so the backend patches it in then.
WSVM_FE void WSVM_FE_T::region_start() {
  if (!m_config.fuel) return;
  region_end();
  masm().fuel_charge(trap_label(TrapKind::OutOfFuel), m_region_patch);
  m_region_open = true;
  m_region_cost = 0;
}

WSVM_FE void WSVM_FE_T::region_end() {
  if (!m_region_open) return;
  masm().fuel_patch(m_region_patch, m_region_cost);
  m_region_open = false;
}

WSVM_FE std::string WSVM_FE_T::fmt_unsupported(const char* what, uint32_t func_index) {
  return fmt::format("jit: unsupported {} in function {}", what, func_index);
}
WSVM_FE void WSVM_FE_T::unsupported_text(const char* what) {
  if (m_error.empty()) m_error = fmt_unsupported(what, m_func_index);
}
WSVM_FE void WSVM_FE_T::unsupported(const Instr& ins) {
  if (m_error.empty())
    m_error = fmt::format("jit: unsupported instruction {} in function {}", op_name(ins.op),
                          m_func_index);
}

// ---- function frame ------------------------------------------------------------------------

WSVM_FE void WSVM_FE_T::begin_function(const Module& m, uint32_t func_index,
                                       std::span<const ValType> locals) {
  m_module = &m;
  m_func_index = func_index;
  m_error.clear();
  m_vs.clear();
  m_blocks.clear();
  m_loops.clear();
  m_states.clear();
  m_mem_floor = m_gp_floor = m_fp_floor = 0;
  m_clock = 0;
  m_local_written.assign(locals.size(), 0);
  m_dead_depth = 0;
  m_touched_gp = m_touched_fp = 0;
  reset_regs();
  drop_cache();
  m_region_open = false;
  masm().begin_function_data();
  for (bool& u : m_trap_used) u = false;
  m_unwind_used = false;
  m_stack_trap = masm().new_label();
  m_local_slot.clear();
  m_local_type.assign(locals.begin(), locals.end());
  m_eh = FuncEh{};
  m_has_eh = false;
  m_tries.clear();
  m_try_handlers.clear();
  m_catch_stubs.clear();
  m_legacy_open = 0;
  m_exn_words = 0;
  m_func_start = static_cast<uint32_t>(masm().offset());
  uint32_t slot = 0;
  for (ValType t : locals) {
    m_local_slot.push_back(slot);
    slot += slot_count(t);
  }
  m_local_slots = slot;
  const FuncType& ft = m.func_type(func_index);

  m_blocks.push_back(Block{Op::call, false});
  m_epilogue = Label();  // created by the first return that jumps there

  masm().prologue(m_labels.funcs[func_index - m.imported_funcs], m_stack_trap);
  interrupt_check();
  masm().init_locals(slot_count(ft.params), m_local_slots);
  region_start();
}

WSVM_FE Result<void> WSVM_FE_T::end_function(const WalkState& st) {
  region_end();
  masm().epilogue(m_epilogue);
  for (const CatchStub& c : m_catch_stubs) {  // the loop's cached locals, from their homes
    masm().bind(label(c.at));
    for (uint32_t m = c.cache.gp; m != 0; m &= m - 1) {
      const int id = __builtin_ctz(m);
      const uint32_t l = c.cache.gp_local[id];
      masm().load_gp(R::gp(id), m_local_slot[l], m_local_type[l] == ValType::I64);
    }
    for (uint32_t m = c.cache.fp; m != 0; m &= m - 1) {
      const int id = __builtin_ctz(m);
      const uint32_t l = c.cache.fp_local[id];
      masm().load_fp(R::fp(id), m_local_slot[l], m_local_type[l]);
    }
    masm().jump(label(c.head));
  }
  emit_trap_stubs();
  masm().end_code();
  if (m_has_eh) {  // handler labels -> code offsets, while they are this function's
    for (EhHandler& h : m_eh.handlers)
      if (h.kind != EhHandler::Kind::Delegate)
        h.target = masm().label_offset(label(h.target)) - m_func_start;
  }
  masm().recycle_labels();  // every label of this function is bound now
  uint64_t slots = uint64_t{m_local_slots} + st.max_slot_height();
  const uint64_t bytes = frame_bytes_for(slots, m_exn_words);
  m_eh.frame_bytes = static_cast<uint32_t>(bytes);
  if (!masm().set_frame(bytes) && m_error.empty())
    m_error = fmt_unsupported("frames this large", m_func_index);
  if (!m_error.empty()) return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, m_error});
  return {};
}

// ---- control -------------------------------------------------------------------------------

WSVM_FE void WSVM_FE_T::reset_to_frame(const CtrlFrame& f, std::span<const ValType> values) {
  assert(m_vs.size() >= f.height);
  truncate(f.height);
  // Every value left is in its home (spill_all): checked above the floor only, so that this
  // costs nothing per block end on a deep stack.
  for (size_t i = m_mem_floor; i < m_vs.size(); ++i)
    assert(m_vs[i].kind == Kind::Mem || m_vs[i].kind == Kind::Const);
  reset_regs();
  for (ValType t : values) push_mem(t);
}

WSVM_FE Label WSVM_FE_T::target_label(uint32_t depth) {
  Block& b = m_blocks[m_blocks.size() - 1 - depth];
  if (b.kind == Op::loop) {
    if (BlockState* ls = state_of(b)) ls->back_edge = true;
    return label(b.head);
  }
  b.targeted = true;
  return label(ensure_label(b.end));
}

// A branch to a loop header must arrive with the loop's cached locals in their registers.
// Other targets drop the cache: no dirty local may be left.
WSVM_FE bool WSVM_FE_T::cache_ok_for(uint32_t depth) const {
  const Block& b = m_blocks[m_blocks.size() - 1 - depth];
  if (b.kind != Op::loop) return m_cache.gp_dirty == 0 && m_cache.fp_dirty == 0;
  const LocalCache& e = entry_of(b);
  if (!cache_satisfies(e)) return false;
  // Dirty locals the loop does not keep in that register need a store.
  if (b.state != kNone && ((m_cache.gp_dirty & m_states[b.state].pad_gp) ||
                           (m_cache.fp_dirty & m_states[b.state].pad_fp)))
    return false;
  for (uint32_t m = m_cache.gp_dirty; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    if (!(e.gp & (1u << id)) || e.gp_local[id] != m_cache.gp_local[id]) return false;
  }
  for (uint32_t m = m_cache.fp_dirty; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    if (!(e.fp & (1u << id)) || e.fp_local[id] != m_cache.fp_local[id]) return false;
  }
  return true;
}

WSVM_FE bool WSVM_FE_T::branch_values_in_place(uint32_t depth, const WalkState& st) {
  const CtrlFrame& f = st.control(depth);
  size_t n = f.label_types().size();
  uint32_t dst = m_local_slots + f.slot_height;
  for (size_t i = 0; i < n; ++i) {
    const Val& v = m_vs[m_vs.size() - n + i];
    if (v.slot != dst) return false;
    dst += slot_count(v.type);
  }
  return true;
}

WSVM_FE void WSVM_FE_T::emit_branch_moves(uint32_t depth, const WalkState& st) {
  const CtrlFrame& f = st.control(depth);
  size_t n = f.label_types().size();
  uint32_t dst = m_local_slots + f.slot_height;
  for (size_t i = 0; i < n; ++i) {
    const Val& v = m_vs[m_vs.size() - n + i];
    if (!(v.kind == Kind::Mem && v.slot == dst)) masm().store_val(dst, v);
    dst += slot_count(v.type);
  }
}

WSVM_FE void WSVM_FE_T::emit_branch(uint32_t depth, const WalkState& st) {
  if (depth == st.control_count() - 1) return emit_return(st);
  emit_branch_moves(depth, st);
  const Block& b = m_blocks[m_blocks.size() - 1 - depth];
  if (b.kind == Op::loop) establish_cache(b);  // stores the dirty locals not kept
  else flush_on_path(nullptr);                      // the target drops the cache
  masm().jump(target_label(depth));
}

WSVM_FE void WSVM_FE_T::emit_return(const WalkState& st, bool at_end) {
  const CtrlFrame& f = st.control(st.control_count() - 1);
  size_t n = f.sig.results.size();
  masm().begin_results();
  uint32_t dst = 0;
  for (size_t i = 0; i < n; ++i) {
    const Val& v = m_vs[m_vs.size() - n + i];
    masm().store_result(dst, v);
    dst += slot_count(v.type);
  }
  if (at_end) return;  // the epilogue follows (end_function): no jump to the next byte
  if (!m_epilogue.isValid()) m_epilogue = masm().new_label();
  masm().jump(m_epilogue);
}

WSVM_FE void WSVM_FE_T::jump_if(const Val& cond, Label target, bool when) {
  switch (cond.kind) {
    case Kind::Flags:
      masm().branch(when ? cond.cond : masm().negate(cond.cond), target);
      return;
    case Kind::Reg:
      masm().branch_reg(R::gp(cond.reg), target, when);
      return;
    case Kind::Mem:
      masm().branch_home(cond.slot, target, when);
      return;
    case Kind::Const:
      if ((static_cast<uint32_t>(cond.c) != 0) == when) masm().jump(target);
      return;
    case Kind::Fp:  // a condition is an i32, never in an fp register
      assert(false);
      return;
  }
}

WSVM_FE void WSVM_FE_T::emit_br_if(const Instr& ins, const WalkState& st) {
  Val cond = pop();
  uint32_t depth = ins.a;
  bool is_return = depth == st.control_count() - 1;
  bool in_place = !is_return && branch_values_in_place(depth, st);
  const Block& tb = m_blocks[m_blocks.size() - 1 - depth];
  if (in_place && cache_ok_for(depth)) {
    size_t n = st.control(depth).label_types().size();
    for (size_t i = 0; i < n; ++i) spill(m_vs[m_vs.size() - 1 - i]);
    jump_if_true(cond, target_label(depth));
  } else if (in_place && tb.kind == Op::loop && (entry_of(tb).gp & ~m_free) == 0 &&
             (entry_of(tb).fp & ~m_free_fp) == 0) {
    // Back edge whose loop registers hold no stack value: load the missing cached locals on
    // the taken path only.
    size_t n = st.control(depth).label_types().size();
    for (size_t i = 0; i < n; ++i) spill(m_vs[m_vs.size() - 1 - i]);
    Label skip = masm().new_label();
    jump_if_false(cond, skip);
    establish_cache(tb);
    masm().jump(target_label(depth));
    masm().bind(skip);
  } else {
    // Values move (or the function returns) only on the taken path: make the state the same
    // on both paths first, then the taken path only reads it.
    spill_all();
    Label skip = masm().new_label();
    jump_if_false(cond, skip);
    emit_branch(depth, st);
    masm().bind(skip);
  }
  release(cond);
}

WSVM_FE void WSVM_FE_T::emit_br_table(const Instr& ins, const WalkState& st) {
  Val idx = pop();
  if (idx.kind == Kind::Const) {
    uint32_t i = static_cast<uint32_t>(idx.c);
    spill_all();
    return emit_branch(i < ins.targets.size() ? ins.targets[i] : ins.a, st);
  }
  Gp r = to_reg(idx);
  spill_all();
  uint32_t n = static_cast<uint32_t>(ins.targets.size());
  // One entry per distinct depth: the target itself when no value moves, else a stub.
  // A map from depth to entry: a table of n targets over d depths cost n x d lookups.
  struct Entry {
    uint32_t depth;
    bool direct;
    Label label;
  };
  std::vector<Entry> entries;
  std::unordered_map<uint32_t, uint32_t> entry_of_depth;
  auto entry_for = [&](uint32_t depth) -> Label {
    auto [it, fresh] = entry_of_depth.try_emplace(depth, static_cast<uint32_t>(entries.size()));
    if (!fresh) return entries[it->second].label;
    bool direct = depth != st.control_count() - 1 && branch_values_in_place(depth, st) &&
                  cache_ok_for(depth);
    entries.push_back(Entry{depth, direct, direct ? target_label(depth) : masm().new_label()});
    return entries.back().label;
  };
  std::vector<Label> table_entries;
  table_entries.reserve(n);
  for (uint32_t i = 0; i < n; ++i) table_entries.push_back(entry_for(ins.targets[i]));
  Label dflt = entry_for(ins.a);
  masm().jump_table(r, table_entries, dflt);
  for (const Entry& e : entries) {
    if (e.direct) continue;
    masm().bind(e.label);
    emit_branch(e.depth, st);
  }
  release(idx);
}

WSVM_FE void WSVM_FE_T::on_control(const Instr& ins, const WalkState& st) {
  bool live = m_dead_depth == 0 && !st.unreachable();
  switch (ins.op) {
    case Op::block:
    case Op::loop:
    case Op::if_: {
      // Labels only where code may jump: a loop's header, an if's else; an end is created
      // by the first branch to it (target_label), most blocks have none (asmjit's labels
      // cost an allocation each, kept until the group is done).
      Block b{ins.op, !live};
      if (ins.op == Op::loop) m_loops.push_back(static_cast<uint32_t>(m_blocks.size()));
      if (!live) {
        ++m_dead_depth;
        m_blocks.push_back(b);
        return;
      }
      m_region_cost += fuel_cost(ins.op);  // `if` costs 1, block and loop 0
      region_end();
      Val cond{};
      if (ins.op == Op::if_) cond = pop();
      spill_all();
      if (ins.op == Op::if_) flush_dirty();  // its false path may go straight to the merge
      // A loop (always) or an if (with a cache to restore at its else) keeps an entry
      // state; past kMaxStates open ones, it starts with no cache instead (nothing to keep).
      bool keeps = ins.op == Op::loop || (ins.op == Op::if_ && (m_cache.gp | m_cache.fp) != 0);
      if (keeps && m_states.size() >= kMaxStates) {
        flush_dirty();
        drop_cache();
        keeps = false;
      }
      BlockState* bs = nullptr;
      if (keeps) {
        b.state = static_cast<uint32_t>(m_states.size());
        bs = &m_states.emplace_back();
      }
      if (ins.op == Op::loop) {
        if (bs) {
          bs->has_pad = true;
          bs->pad_pos = masm().offset();
          masm().pad();
          bs->saved_touched_gp = m_touched_gp;
          bs->saved_touched_fp = m_touched_fp;
          m_touched_gp = 0;
          m_touched_fp = 0;
          bs->header_clock = ++m_clock;
        }
        b.head = masm().new_label().id();
        masm().bind(label(b.head));
        interrupt_check();
        // Back edges may arrive with any entry-cached local newer than its home.
        m_cache.gp_dirty = m_cache.gp;
        m_cache.fp_dirty = m_cache.fp;
      } else if (ins.op == Op::if_) {
        b.els = masm().new_label().id();
        jump_if_false(cond, label(b.els));
        release(cond);
      }
      // loop: kept at every back edge; if: the else arm starts with it
      if (bs) bs->entry = m_cache;
      m_blocks.push_back(b);
      region_start();
      return;
    }
    case Op::else_: {
      Block& b = m_blocks.back();
      if (!b.dead) {
        if (live) {
          region_end();
          spill_all();
          flush_dirty();  // the end is a merge
          masm().jump(label(ensure_label(b.end)));
          b.targeted = true;
        }
        masm().bind(label(ensure_label(b.els)));
        b.els_bound = true;
        m_cache = entry_of(b);
        reset_to_frame(st.control(0), st.control(0).sig.params);
        region_start();
      }
      b.kind = Op::else_;
      return;
    }
    case Op::end: {
      if (m_blocks.size() == 1) {
        if (live) {
          region_end();
          emit_return(st, /*at_end=*/true);  // results straight from their registers
        }
        return;
      }
      return end_block(st, kNone);
    }
    default:
      assert(false);
  }
}

// A block's `end`, or a legacy try's `delegate` (delegate_to: the label it names).
WSVM_FE void WSVM_FE_T::end_block(const WalkState& st, uint32_t delegate_to) {
  bool live = m_dead_depth == 0 && !st.unreachable();
  Block b = m_blocks.back();
  m_blocks.pop_back();
  if (b.kind == Op::loop) m_loops.pop_back();
  if (b.state != kNone) {
    const BlockState bs = m_states.back();  // (states are opened and closed in order)
    assert(b.state == m_states.size() - 1);
    m_states.pop_back();
    if (b.kind == Op::loop && bs.has_pad && bs.pad_used < R::kPadSlots)
      masm().pad_skip(bs.pad_pos, bs.pad_used);  // one jump instead of the unused slots
    if (b.kind == Op::loop && bs.has_pad) {  // the enclosing loop saw these writes too
      m_touched_gp |= bs.saved_touched_gp;
      m_touched_fp |= bs.saved_touched_fp;
    }
  }
  if (b.dead) {
    --m_dead_depth;
    return;
  }
  if (b.kind == Op::try_table || b.kind == Op::try_ || b.kind == Op::catch_ ||
      b.kind == Op::catch_all)
    close_try(delegate_to);
  if (live) {
    region_end();
    spill_all();
  }
  // Only the fall-through reaches a loop's end, or a block's (or try's) end no branch or
  // catch targets: the cache stays; any other end is a merge.
  const bool plain = b.kind == Op::block || b.kind == Op::try_table || b.kind == Op::try_;
  if (!(live && (b.kind == Op::loop || (plain && !b.targeted)))) {
    if (live) flush_dirty();
    drop_cache();
  }
  if (b.end != kNone) masm().bind(label(b.end));
  if (b.kind == Op::if_ && !b.els_bound && b.els != kNone) masm().bind(label(b.els));
  reset_to_frame(st.control(0), st.control(0).sig.results);
  region_start();
}

WSVM_FE void WSVM_FE_T::emit_call(uint32_t func_index) {
  const FuncType& ft = m_module->func_type(func_index);
  spill_all();
  flush_dirty();
  size_t np = ft.params.size();
  uint32_t arg_slot = np ? m_vs[m_vs.size() - np].slot : next_slot();
  truncate(m_vs.size() - np);
  touch_gp(~0u);
  touch_fp(~0u);
  if (func_index < m_module->imported_funcs) {
    masm().call_import(func_index, arg_slot, unwind_here());
  } else {
    masm().call_direct(m_labels.funcs[func_index - m_module->imported_funcs], arg_slot);
  }
  drop_cache();  // every register is clobbered
  reset_regs();
  for (ValType t : ft.results) push_mem(t);
}

// call_indirect, and call_ref $t (typed function references): the table element or the
// reference is resolved by a helper (call_indirect: bounds, null, the structural type check,
// the interpreter's messages; call_ref: null is "null function reference", the type needs no
// check: validation proved it is $t), then this instance's JIT code is called natively and
// anything else was called through the Store by the helper.
WSVM_FE void WSVM_FE_T::emit_call_indirect(const Instr& ins) {
  const FuncType& ft = m_module->types[ins.a];
  spill_all();
  flush_dirty();
  Val callee = pop();
  size_t np = ft.params.size();
  uint32_t arg_slot = np ? m_vs[m_vs.size() - np].slot : next_slot();
  truncate(m_vs.size() - np);
  touch_gp(~0u);
  touch_fp(~0u);
  masm().call_resolved(resolve_callee(ins, callee, arg_slot), arg_slot);
  drop_cache();
  reset_regs();
  for (ValType t : ft.results) push_mem(t);
}

WSVM_FE Label WSVM_FE_T::resolve_callee(const Instr& ins, const Val& callee, uint32_t arg_slot) {
  const bool by_ref = ins.op == Op::call_ref || ins.op == Op::return_call_ref;
  const void* helper = by_ref ? reinterpret_cast<const void*>(&helpers::call_ref)
                              : reinterpret_cast<const void*>(&helpers::call_indirect);
  return masm().resolve_callee(helper, by_ref ? 0 : ins.b, by_ref ? 0 : ins.a, callee, arg_slot,
                               unwind_here());
}

// return_call / return_call_indirect (Wasm 3.0 tail calls): to this instance's JIT code the
// callee's frame replaces this one (the backend's tail_call_*: arguments through
// JitInstance::tail_args, this frame left, a jump), so tail recursion runs in constant native
// stack and call depth. Imports, and indirect callees in another instance or tier, cannot take
// over a JIT frame: they are called and their results returned, as the interpreter does.
WSVM_FE void WSVM_FE_T::emit_return_call(const Instr& ins, const WalkState& st) {
  const bool indirect = ins.op != Op::return_call;  // return_call_indirect, return_call_ref
  const FuncType& ft = indirect ? m_module->types[ins.a] : m_module->func_type(ins.a);
  spill_all();
  flush_dirty();
  Val callee{};  // the table element or the function reference
  if (indirect) callee = pop();
  size_t np = ft.params.size();
  uint32_t arg_slot = np ? m_vs[m_vs.size() - np].slot : next_slot();
  const uint32_t n = slot_count(ft.params);
  truncate(m_vs.size() - np);
  touch_gp(~0u);
  touch_fp(~0u);
  if (!indirect && ins.a >= m_module->imported_funcs) {
    masm().tail_call_direct(m_labels.funcs[ins.a - m_module->imported_funcs], arg_slot, n);
    return;
  }
  // A throw out of a callee called here has left this function's tries (exceptions.hpp).
  if (indirect) {
    const Label done = resolve_callee(ins, callee, arg_slot);
    if (!m_tries.empty()) m_eh.outside.push_back(masm().last_call_return() - m_func_start);
    masm().tail_call_resolved(done, arg_slot, n);
  } else {
    masm().call_import(ins.a, arg_slot, unwind_here());
    if (!m_tries.empty()) m_eh.outside.push_back(masm().last_call_return() - m_func_start);
  }
  drop_cache();
  reset_regs();
  for (ValType t : ft.results) push_mem(t);
  emit_return(st);
}

// ref.as_non_null: a null reference traps; the value stays where it is.
WSVM_FE void WSVM_FE_T::emit_ref_as_non_null() {
  Gp r = read_reg(top());
  trap_if(masm().test_ref(r, /*null=*/true), TrapKind::NullReference);
}

// br_on_null l: on null, branch with the values under the reference (which is dropped);
// otherwise the reference stays. br_on_non_null l: on non-null, branch with the reference as
// the label's last value; otherwise it is dropped. Both are a br_if on "is (not) null".
WSVM_FE void WSVM_FE_T::emit_br_on_null(const Instr& ins, const WalkState& st) {
  if (ins.op == Op::br_on_null) {
    Val ref = pop();
    Gp r = to_reg(ref);
    push_flags(masm().test_ref(r, /*null=*/true));
    emit_br_if(ins, st);
    push_reg(ref.type, r);
  } else {
    Gp r = read_reg(top());
    push_flags(masm().test_ref(r, /*null=*/false));
    emit_br_if(ins, st);
    release(pop());
  }
}

// ---- exception handling (exceptions.hpp) -----------------------------------------------------
//
// Nothing runs when a try is entered: it spills like a block and its handlers go to the
// function's table with the code range it covers. A throw is a helper call followed by a jump
// to the unwind stub; the unwinder enters a handler with every value in its home and no
// register holding anything (as after a call), so a handler's code starts from the state of a
// merge: a block's end (targeted, so the cache is dropped there), a loop's header (through a
// stub that loads the locals the loop keeps in registers), the epilogue (a catch to the
// function's label: the unwinder writes the results), or a legacy catch arm (the arm's code
// starts with the cache dropped).

WSVM_FE void WSVM_FE_T::on_try(const Instr& ins, const WalkState& st) {
  const bool live = m_dead_depth == 0 && !st.unreachable();
  switch (ins.op) {
    case Op::try_:
    case Op::try_table: {
      Block b{ins.op, !live};
      if (!live) {
        ++m_dead_depth;
        m_blocks.push_back(b);
        return;
      }
      m_region_cost += fuel_cost(ins.op);
      region_end();
      spill_all();
      m_has_eh = true;
      TryData t{static_cast<uint32_t>(m_blocks.size()), 0, kNone, EhHandler::kNoExnSlot,
                static_cast<uint32_t>(m_try_handlers.size())};
      if (ins.op == Op::try_) {
        t.exn_index = m_legacy_open++;
        m_exn_words = std::max(m_exn_words, m_legacy_open);
      } else {
        for (const CatchClause& c : ins.catches) add_catch_clause(c, st, t);
      }
      t.begin = code_offset();
      b.head = static_cast<uint32_t>(m_tries.size());
      m_tries.push_back(t);
      m_blocks.push_back(b);
      region_start();
      return;
    }
    case Op::catch_:
    case Op::catch_all:
      return enter_catch_arm(ins, st);
    default:  // delegate l: the try ends, its exceptions go to label l's handlers
      m_region_cost += fuel_cost(ins.op);
      return end_block(st, ins.a);
  }
}

// A try_table's catch clause (counted outside the try_table: the try's frame is not open
// yet): where its values go and the code it enters.
WSVM_FE void WSVM_FE_T::add_catch_clause(const CatchClause& c, const WalkState& st, const TryData& t) {
  EhHandler h;
  h.kind = static_cast<EhHandler::Kind>(c.kind);  // Catch..CatchAllRef in CatchKind's order
  h.tag = c.tag;
  h.level = t.level;
  if (c.label == st.control_count() - 1) {  // the function's label: return the values
    h.dst = EhHandler::kToResults;
    if (!m_epilogue.isValid()) m_epilogue = masm().new_label();
    h.target = m_epilogue.id();
  } else {
    h.dst = m_local_slots + st.control(c.label).slot_height;
    const Label l = target_label(c.label);  // (a loop: no preheader load after this)
    const Block& tb = m_blocks[m_blocks.size() - 1 - c.label];
    const LocalCache& keep = entry_of(tb);
    if (tb.kind == Op::loop && (keep.gp | keep.fp) != 0) {
      const Label stub = masm().new_label();
      m_catch_stubs.push_back(CatchStub{stub.id(), l.id(), keep});
      h.target = stub.id();
    } else {
      h.target = l.id();
    }
  }
  m_try_handlers.push_back(h);
}

// Legacy `catch x` / `catch_all`: the try's body (or the previous arm) ends with a jump to the
// end; the arm's code is entered by the unwinder only, with the payload in the frame's slots.
WSVM_FE void WSVM_FE_T::enter_catch_arm(const Instr& ins, const WalkState& st) {
  const bool live = m_dead_depth == 0 && !st.unreachable();
  Block& b = m_blocks.back();
  if (b.dead) return;
  if (live) {
    region_end();
    spill_all();
    flush_dirty();  // the end is a merge
    masm().jump(label(ensure_label(b.end)));
    b.targeted = true;
  }
  TryData& t = m_tries[b.head];
  if (t.end == kNone) t.end = code_offset();
  const Label arm = masm().new_label();
  masm().bind(arm);
  EhHandler h;
  h.kind = ins.op == Op::catch_ ? EhHandler::Kind::Catch : EhHandler::Kind::CatchAll;
  h.tag = ins.a;
  h.level = t.level;
  h.target = arm.id();
  h.dst = m_local_slots + st.control(0).slot_height;
  h.exn_index = t.exn_index;
  m_try_handlers.push_back(h);
  drop_cache();  // every register is the unwinder's
  touch_gp(~0u);
  touch_fp(~0u);
  std::span<const ValType> payload;
  if (ins.op == Op::catch_) payload = m_module->types[m_module->tags[ins.a]].params;
  reset_to_frame(st.control(0), payload);
  b.kind = ins.op;
  region_start();
}

// The try's end: its handlers get the code range they protect (a legacy try: up to its first
// catch arm); a delegate adds an entry that lets only the handlers of the label it names (and
// outside it) see the exceptions of that range.
WSVM_FE void WSVM_FE_T::close_try(uint32_t delegate_to) {
  const TryData t = m_tries.back();
  m_tries.pop_back();
  const uint32_t end = t.end != kNone ? t.end : code_offset();
  for (size_t i = t.first; i < m_try_handlers.size(); ++i) {
    EhHandler h = m_try_handlers[i];
    h.begin = t.begin;
    h.end = end;
    m_eh.handlers.push_back(h);
  }
  m_try_handlers.resize(t.first);
  if (t.exn_index != EhHandler::kNoExnSlot) --m_legacy_open;
  if (delegate_to != kNone) {
    EhHandler d;
    d.kind = EhHandler::Kind::Delegate;
    d.begin = t.begin;
    d.end = end;
    d.level = t.level;
    d.target = t.level - 1 - delegate_to;  // 0: the function's label, the caller takes it
    m_eh.handlers.push_back(d);
  }
}

// throw x, throw_ref, rethrow l: a helper puts the exception in *pending (and its return
// address in JitInstance::throw_pc), then the unwind stub takes the unwind path, which finds
// the handler (jit_engine.cpp). Every dirty local is stored first: a handler reads homes.
WSVM_FE void WSVM_FE_T::emit_throw(const Instr& ins) {
  spill_all();
  flush_dirty();
  masm().helper_arg_ji(0);
  const void* fn = reinterpret_cast<const void*>(&helpers::throw_ref);
  switch (ins.op) {
    case Op::throw_: {
      const FuncType& ft = m_module->types[m_module->tags[ins.a]];
      const size_t np = ft.params.size();
      masm().helper_arg_imm32(1, ins.a);
      masm().helper_arg_home_addr(2, np ? m_vs[m_vs.size() - np].slot : next_slot());
      truncate(m_vs.size() - np);
      fn = reinterpret_cast<const void*>(&helpers::throw_new);
      break;
    }
    case Op::throw_ref:
      helper_arg(1, m_vs.back());
      release(pop());
      break;
    default: {  // rethrow: the exception of the catch arm at label l
      const Block& arm = m_blocks[m_blocks.size() - 1 - ins.a];
      masm().helper_arg_exn_word(1, m_tries[arm.head].exn_index);
      break;
    }
  }
  call_helper(fn);
  masm().jump(unwind_here());
  reset_regs();
}

// ---- dispatch --------------------------------------------------------------------------------

namespace frontend_detail {
inline bool consumes_flags(Op op) {
  return op == Op::br_if || op == Op::if_ || op == Op::i32_eqz || op == Op::select ||
         op == Op::select_t;
}
}  // namespace frontend_detail

WSVM_FE void WSVM_FE_T::on_instr(const Instr& ins, const WalkState& st) {
  if (!m_error.empty()) return;  // keep validating, emit nothing more
  if (B::bails_out(ins.op)) [[unlikely]] {
    m_error = fmt::format("jit: unsupported instruction {} in function {} (declared bailout)",
                          op_name(ins.op), m_func_index);
    return;
  }
  bool live = m_dead_depth == 0 && !st.unreachable();
  if (live && !m_vs.empty() && m_vs.back().kind == Kind::Flags &&
      !frontend_detail::consumes_flags(ins.op))
    materialize_flags();
  if (is_structure(ins.op)) return on_control(ins, st);
  if (opens_or_splits_try(ins.op)) return on_try(ins, st);
  if (!live) return;
  // Fuel (limits contract, runtime/store.hpp): cost and region ends from the opcode table.
  m_region_cost += fuel_cost(ins.op);
  if (ends_fuel_region(ins.op)) region_end();

  switch (ins.op) {
    case Op::nop:
      return;
    case Op::drop:
      release(pop());
      return;
    case Op::unreachable:
      masm().jump(trap_label(TrapKind::Unreachable));
      return;
    case Op::br:
      return emit_branch(ins.a, st);
    case Op::br_if:
      emit_br_if(ins, st);
      return region_start();
    case Op::br_table:
      return emit_br_table(ins, st);
    case Op::return_:
      return emit_return(st);
    case Op::call:
      emit_call(ins.a);
      return region_start();
    case Op::call_indirect:
    case Op::call_ref:
      emit_call_indirect(ins);
      return region_start();
    case Op::return_call:
    case Op::return_call_indirect:
    case Op::return_call_ref:
      return emit_return_call(ins, st);
    case Op::ref_as_non_null:
      return emit_ref_as_non_null();
    case Op::throw_:
    case Op::throw_ref:
    case Op::rethrow:
      return emit_throw(ins);
    case Op::br_on_null:
    case Op::br_on_non_null:
      emit_br_on_null(ins, st);
      return region_start();
    case Op::local_get:
      return emit_local_get(ins.a);
    case Op::local_set:
      return emit_local_set(ins.a, false);
    case Op::local_tee:
      return emit_local_set(ins.a, true);
    default:
      return masm().on_simple(ins, st);
  }
}

#undef WSVM_FE
#undef WSVM_FE_T

}  // namespace wsvm::jit

#include "jit/frontend_helpers_impl.hpp"

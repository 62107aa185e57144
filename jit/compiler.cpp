// Frame, value stack, registers and control flow of the baseline compiler (compiler.hpp).
#include <array>
#include <cassert>
#include <cstring>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "jit/compiler.hpp"
#include "jit/jit_abi.hpp"
#include "runtime/value.hpp"

namespace wsvm::jit {

using asmjit::imm;
using namespace asmjit::x86;

namespace {
constexpr uint32_t kAllocatable = kAllocatableRegs;
constexpr int32_t kPlaceholder = 0x7fffffff;  // forces an imm32 encoding; patched later

// The n bytes of code at pos, or nullptr when they were never written: code assembled in a
// fixed buffer that overflowed (compile_eager's direct layout) lost instructions, and the
// positions recorded for patching may lie past its end (the group is assembled again).
uint8_t* code_at(Assembler& a, size_t pos, size_t n) {
  asmjit::CodeBuffer& buf = a.code()->textSection()->_buffer;
  return pos + n <= buf.size() ? buf.data() + pos : nullptr;
}

void patch32(Assembler& a, size_t pos, uint32_t v) {
  if (uint8_t* p = code_at(a, pos, 4)) std::memcpy(p, &v, 4);
}
}  // namespace

// ---- values ------------------------------------------------------------------------------

const FunctionCompiler::LocalCache FunctionCompiler::kEmptyCache{};


void FunctionCompiler::push_flags(CondCode cc) {
  m_vs.push_back(Val{ValType::I32, Kind::Flags, 0, static_cast<uint8_t>(cc), next_slot(), 0});
}


void FunctionCompiler::push_xmm(ValType t, Xmm x) {
  m_vs.push_back(Val{t, Kind::Xmm, static_cast<uint8_t>(x.id()), 0, next_slot(), 0});
  m_free_xmm &= ~(1u << x.id());
  forget_xmm(x.id());
}


void FunctionCompiler::reset_regs() {
  m_free = kAllocatable;
  m_free_xmm = kAllocatableXmm;
  for (uint32_t& n : m_borrow_gp) n = 0;
  for (uint32_t& n : m_borrow_xmm) n = 0;
}

// Free and uncached first, then a cached register (a clean copy: forgetting it costs
// nothing; the innermost loop's registers last), then spill the oldest stack value.
Xmm FunctionCompiler::alloc_xmm() {
  if (m_free_xmm == 0) {  // spill the oldest (borrowers may share one): none below the floor
    size_t i = m_xmm_floor;
    for (; m_free_xmm == 0 && i < m_vs.size(); ++i)
      if (m_vs[i].kind == Kind::Xmm) spill(m_vs[i]);
    m_xmm_floor = static_cast<uint32_t>(i);
  }
  assert(m_free_xmm != 0);
  uint32_t avail = m_free_xmm & ~m_cache.xmm;
  if (avail == 0) {
    uint32_t keep = loop_cache_mask(true);
    avail = (m_free_xmm & ~keep) ? (m_free_xmm & ~keep) : m_free_xmm;
  }
  uint32_t id = static_cast<uint32_t>(__builtin_ctz(avail));
  m_free_xmm &= ~(1u << id);
  uncache_xmm(id);
  touch_xmm(1u << id);
  return xmm(id);
}

Xmm FunctionCompiler::to_xmm(Val& v) {
  bool f64 = v.type == ValType::F64;
  Xmm x;
  if (v.type == ValType::V128 && v.kind != Kind::Xmm) {
    x = alloc_xmm();
    if (v.kind == Kind::Const) load_v128_const(x, v.c, v.c_hi);
    else m_a.movups(x, home128(v.slot));
    v.kind = Kind::Xmm;
    v.reg = static_cast<uint8_t>(x.id());
    changed_in_place(v);
    return x;
  }
  switch (v.kind) {
    case Kind::Xmm:
      if (!v.borrowed) return xmm(v.reg);
      x = alloc_xmm();
      m_a.movaps(x, xmm(v.reg));
      release(v);
      v.borrowed = false;
      break;
    case Kind::Reg:
      x = alloc_xmm();
      if (f64) m_a.movq(x, gpq(v.reg));
      else m_a.movd(x, gpd(v.reg));
      release(v);
      v.borrowed = false;
      break;
    case Kind::Mem:
      x = alloc_xmm();
      if (f64) m_a.movsd(x, home(v.slot));
      else m_a.movss(x, home32(v.slot));
      break;
    case Kind::Const:
    case Kind::Flags:
      x = alloc_xmm();
      if (v.c == 0) {
        m_a.xorps(x, x);
      } else if (f64) {
        m_a.mov(r11, imm(v.c));
        m_a.movq(x, r11);
      } else {
        m_a.mov(r11d, imm(static_cast<uint32_t>(v.c)));
        m_a.movd(x, r11d);
      }
      break;
  }
  v.kind = Kind::Xmm;
  v.reg = static_cast<uint8_t>(x.id());
  changed_in_place(v);
  return x;
}

asmjit::Operand FunctionCompiler::float_src(Val& v, bool f64) {
  switch (v.kind) {
    case Kind::Xmm:
      return xmm(v.reg);
    case Kind::Mem:
      return f64 ? home(v.slot) : home32(v.slot);
    case Kind::Reg:
      if (f64) m_a.movq(xmm15, gpq(v.reg));
      else m_a.movd(xmm15, gpd(v.reg));
      return xmm15;
    default:
      if (f64) {
        m_a.mov(r11, imm(v.c));
        m_a.movq(xmm15, r11);
      } else {
        m_a.mov(r11d, imm(static_cast<uint32_t>(v.c)));
        m_a.movd(xmm15, r11d);
      }
      return xmm15;
  }
}

Gp FunctionCompiler::alloc() {
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
  return gpq(id);
}

// ---- local cache ----------------------------------------------------------------------------

void FunctionCompiler::uncache_local(uint32_t local) {
  int r = cached_reg(local);
  if (r < 0) return;
  if (is_float(m_local_type[local])) forget_xmm(r);  // its value is being replaced
  else forget_gp(r);
}

int FunctionCompiler::free_uncached_gp() const {
  uint32_t m = m_free & ~m_cache.gp;
  return m ? __builtin_ctz(m) : -1;
}
int FunctionCompiler::free_uncached_xmm() const {
  uint32_t m = m_free_xmm & ~m_cache.xmm;
  return m ? __builtin_ctz(m) : -1;
}

// The register the innermost loop keeps `local` in (its back edges then need no loads),
// when it is free for the taking now; else any free register without a cached local.
int FunctionCompiler::cache_target(uint32_t local, bool xmm, int avoid) const {
  if (!m_loops.empty()) {
    const LocalCache& e = entry_of(m_blocks[m_loops.back()]);
    uint32_t m = xmm ? e.xmm : e.gp;
    const uint32_t* of = xmm ? e.xmm_local : e.gp_local;
    uint32_t free = xmm ? m_free_xmm : m_free;
    for (; m != 0; m &= m - 1) {
      int id = __builtin_ctz(m);
      if (of[id] == local && id != avoid && (free & (1u << id))) return id;
    }
  }
  uint32_t m = xmm ? (m_free_xmm & ~m_cache.xmm) : (m_free & ~m_cache.gp);
  if (avoid >= 0) m &= ~(1u << avoid);
  return m ? __builtin_ctz(m) : -1;
}

int FunctionCompiler::loop_reg_of(uint32_t local, bool xmm) const {
  if (m_loops.empty()) return -1;
  const LocalCache& e = entry_of(m_blocks[m_loops.back()]);
  uint32_t m = xmm ? e.xmm : e.gp;
  const uint32_t* of = xmm ? e.xmm_local : e.gp_local;
  for (; m != 0; m &= m - 1)
    if (of[__builtin_ctz(m)] == local) return __builtin_ctz(m);
  return -1;
}

void FunctionCompiler::set_cached(uint32_t local, bool xmm, int id) {
  if (xmm) touch_xmm(1u << id);
  else touch_gp(1u << id);
  uint32_t has = xmm ? m_cache.xmm : m_cache.gp;
  const uint32_t* of = xmm ? m_cache.xmm_local : m_cache.gp_local;
  if ((has & (1u << id)) && of[id] != local) {  // another local's copy: store it if dirty
    if (xmm) uncache_xmm(id);
    else uncache_gp(id);
  }
  if (xmm) {
    m_cache.xmm |= 1u << id;
    m_cache.xmm_local[id] = local;
  } else {
    m_cache.gp |= 1u << id;
    m_cache.gp_local[id] = local;
  }
}

bool FunctionCompiler::in_loop() const { return !m_loops.empty(); }

uint32_t FunctionCompiler::loop_cache_mask(bool xmm) const {
  if (m_loops.empty()) return 0;
  const LocalCache& e = entry_of(m_blocks[m_loops.back()]);
  return xmm ? e.xmm : e.gp;
}

bool FunctionCompiler::cache_satisfies(const LocalCache& want) const {
  if ((want.gp & m_cache.gp) != want.gp || (want.xmm & m_cache.xmm) != want.xmm) return false;
  for (uint32_t m = want.gp; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    if (m_cache.gp_local[id] != want.gp_local[id]) return false;
  }
  for (uint32_t m = want.xmm; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    if (m_cache.xmm_local[id] != want.xmm_local[id]) return false;
  }
  return true;
}

void FunctionCompiler::store_cached(bool x, uint32_t id) {
  uint32_t l = x ? m_cache.xmm_local[id] : m_cache.gp_local[id];
  ValType t = m_local_type[l];
  if (!x) m_a.mov(home(m_local_slot[l]), gpq(id));
  else if (t == ValType::V128) m_a.movups(home128(m_local_slot[l]), xmm(id));
  else m_a.movq(home(m_local_slot[l]), xmm(id));
}

// Stores every dirty local except those `keep` has in the same register (a loop's entry
// cache: they arrive in their registers). Emitted on one path: the state is unchanged.
void FunctionCompiler::flush_on_path(const LocalCache* keep, uint32_t nokeep_gp,
                                     uint32_t nokeep_xmm) {
  for (uint32_t m = m_cache.gp_dirty; m != 0; m &= m - 1) {
    uint32_t id = static_cast<uint32_t>(__builtin_ctz(m));
    if (keep && (keep->gp & ~nokeep_gp & (1u << id)) && keep->gp_local[id] == m_cache.gp_local[id]) continue;
    store_cached(false, id);
  }
  for (uint32_t m = m_cache.xmm_dirty; m != 0; m &= m - 1) {
    uint32_t id = static_cast<uint32_t>(__builtin_ctz(m));
    if (keep && (keep->xmm & ~nokeep_xmm & (1u << id)) && keep->xmm_local[id] == m_cache.xmm_local[id]) continue;
    store_cached(true, id);
  }
}

// Missing registers load from their homes, after the dirty locals not kept are stored (in
// any order: no dirty local is loaded). Emitted on a branch path only: the compile-time
// cache is not changed.
void FunctionCompiler::establish_cache(const Block& loop) {
  const LocalCache& want = entry_of(loop);
  if (loop.state == kNone) return flush_on_path(&want);
  const BlockState& ls = m_states[loop.state];
  flush_on_path(&want, ls.pad_gp, ls.pad_xmm);
  for (uint32_t m = want.gp; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    uint32_t l = want.gp_local[id];
    if ((m_cache.gp & (1u << id)) && m_cache.gp_local[id] == l) continue;
    if (m_local_type[l] == ValType::I64) m_a.mov(gpq(id), home(m_local_slot[l]));
    else m_a.mov(gpd(id), home32(m_local_slot[l]));
  }
  for (uint32_t m = want.xmm; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    uint32_t l = want.xmm_local[id];
    if ((m_cache.xmm & (1u << id)) && m_cache.xmm_local[id] == l) continue;
    load_xmm(xmm(id), m_local_slot[l], m_local_type[l]);
  }
}

void FunctionCompiler::load_xmm(Xmm x, uint32_t slot, ValType t) {
  if (t == ValType::F64) m_a.movsd(x, home(slot));
  else if (t == ValType::F32) m_a.movss(x, home32(slot));
  else m_a.movups(x, home128(slot));
}

void FunctionCompiler::emit_local_get(uint32_t l) {
  ValType t = m_local_type[l];
  uint32_t slot = m_local_slot[l];
  if (!cacheable(t)) {
    Gp r = alloc();
    m_a.mov(r, home(slot));
    return push_reg(t, r);
  }
  int c = cached_reg(l);
  if (c < 0) c = preheader_load(l);
  if (is_float(t)) {
    if (c >= 0) {  // borrow: read in place; a consumer changing it copies (to_xmm)
      push_borrowed(t, true, c);
      return;
    }
    if (int f = in_loop() ? cache_target(l, true, -1) : -1; f >= 0) {  // load, cache, borrow
      uncache_xmm(f);
      load_xmm(xmm(f), slot, t);
      set_cached(l, true, f);
      push_borrowed(t, true, f);
      return;
    }
    Xmm d = alloc_xmm();
    load_xmm(d, slot, t);
    return push_xmm(t, d);
  }
  if (c >= 0) {  // borrow: read in place; a consumer changing it copies (to_reg)
    push_borrowed(t, false, c);
    return;
  }
  if (int f = in_loop() ? cache_target(l, false, -1) : -1; f >= 0) {  // load, cache, borrow
    uncache_gp(f);
    if (t == ValType::I64) m_a.mov(gpq(f), home(slot));
    else m_a.mov(gpd(f), home32(slot));
    set_cached(l, false, f);
    push_borrowed(t, false, f);
    return;
  }
  Gp d = alloc();
  if (t == ValType::I64) m_a.mov(d, home(slot));
  else m_a.mov(d.r32(), home32(slot));
  push_reg(t, d);
}

// Pushes local-cache register c as a borrowed operand: read in place, never freed while
// borrowed; a consumer that changes its operand copies it first (to_reg / to_xmm).

namespace {
// NOPs of 0-10 bytes (the recommended 0F 1F /0 forms; 66 and 2E prefixes lengthen them).
constexpr uint8_t kNopBytes[11][10] = {
    {}, {0x90}, {0x66, 0x90}, {0x0f, 0x1f, 0x00}, {0x0f, 0x1f, 0x40, 0x00},
    {0x0f, 0x1f, 0x44, 0x00, 0x00}, {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
    {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00}, {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}};
}  // namespace

FunctionCompiler::BlockState* FunctionCompiler::innermost_loop() {
  return m_loops.empty() ? nullptr : state_of(m_blocks[m_loops.back()]);
}

void FunctionCompiler::emit_nops(uint32_t n) {
  if (n > 0) m_a.embed(kNopBytes[n], n);
}

// A local read inside a loop for the first time, with the loop's value at entry (not
// written since the header): load it in the preheader pad into a register nothing wrote
// since the header, and make it part of the loop's entry cache (its back edges keep it).
int FunctionCompiler::preheader_load(uint32_t l) {
  BlockState* b = innermost_loop();
  if (b == nullptr || !b->has_pad || b->back_edge || b->pad_used >= kPadSlots) return -1;
  if (m_local_written[l] >= b->header_clock) return -1;  // written since the header
  ValType t = m_local_type[l];
  bool x = is_float(t);
  {  // at most one entry register per local (back edges load the others from homes)
    uint32_t m = x ? b->entry.xmm : b->entry.gp;
    const uint32_t* of = x ? b->entry.xmm_local : b->entry.gp_local;
    for (; m != 0; m &= m - 1)
      if (of[__builtin_ctz(m)] == l) return -1;
  }
  uint32_t avail = x ? (m_free_xmm & ~m_touched_xmm & ~b->entry.xmm & ~m_cache.xmm)
                     : (m_free & ~m_touched_gp & ~b->entry.gp & ~m_cache.gp);
  if (avail == 0) return -1;
  int r = __builtin_ctz(avail);
  // Encoded by hand into the slot (the rest stays NOPs): [prefix] [REX] 0F 10 / 8B,
  // ModRM mod=10 rm=100 (SIB: base rsp), disp32.
  uint8_t code[kPadSlotBytes];
  uint32_t n = 0;
  uint32_t disp = m_local_slot[l] * 8;
  bool hi = r >= 8;
  if (x) {
    if (t == ValType::F32) code[n++] = 0xf3;
    else if (t == ValType::F64) code[n++] = 0xf2;
    if (hi) code[n++] = 0x44;
    code[n++] = 0x0f;
    code[n++] = 0x10;
  } else {
    uint8_t rex = static_cast<uint8_t>((t == ValType::I64 ? 0x48 : 0x40) | (hi ? 0x04 : 0));
    if (rex != 0x40) code[n++] = rex;
    code[n++] = 0x8b;
  }
  code[n++] = static_cast<uint8_t>(0x80 | ((r & 7) << 3) | 4);
  code[n++] = 0x24;
  std::memcpy(code + n, &disp, 4);
  n += 4;
  size_t slot = b->pad_pos + size_t{kPadSlotBytes} * b->pad_used;
  uint8_t* buf = code_at(m_a, slot, kPadSlotBytes);
  if (buf == nullptr) return -1;
  std::memcpy(buf, code, n);
  // The slot's tail: one NOP of the remaining length (0F 1F /0 forms, 66 for the odd ones).
  std::memcpy(buf + n, kNopBytes[kPadSlotBytes - n], kPadSlotBytes - n);
  ++b->pad_used;
  if (x) {
    b->entry.xmm |= 1u << r;
    b->entry.xmm_local[r] = l;
  } else {
    b->entry.gp |= 1u << r;
    b->entry.gp_local[r] = l;
  }
  if (x) b->pad_xmm |= 1u << r;
  else b->pad_gp |= 1u << r;
  set_cached(l, x, r);  // clean: back edges store it when dirty
  return r;
}

void FunctionCompiler::emit_local_set(uint32_t l, bool tee) {
  m_local_written[l] = m_clock;  // (preheader_load: written since the header)
  ValType t = m_local_type[l];
  Mem dst = home(m_local_slot[l]);
  if (!cacheable(t)) {
    store_to(dst, m_vs.back());
    if (!tee) release(pop());
    return;
  }
  uncache_local(l);  // the old copy is dead (no store)
  bool f = is_float(t);
  if (tee) {
    Val& v = m_vs.back();
    if (t == ValType::V128 && v.kind != Kind::Xmm) to_xmm(v);  // read again soon: keep it
    // A copy pays off only when read again: in loops.
    if (in_loop() && v.kind == (f ? Kind::Xmm : Kind::Reg)) {
      if (int r = cache_target(l, f, -1); r >= 0) {
        cache_copy(l, f, r, v.reg);
        return;
      }
    }
    store_to(dst, v);
    return;
  }
  Val v = pop();
  if (v.kind == Kind::Mem || (t == ValType::V128 && v.kind == Kind::Const)) {
    // e.g. a call's result: load once, keep it
    if (f) to_xmm(v);
    else to_reg(v);
  }
  if (v.kind == Kind::Xmm || (v.kind == Kind::Reg && !f)) {
    // The value's register becomes the (dirty) cached copy, unless the innermost loop keeps
    // this local in another register that is free: move it there (back edges stay jumps).
    release(v);
    bool x = v.kind == Kind::Xmm;
    int want = loop_reg_of(l, x);
    int r = v.reg;
    if (want >= 0 && want != r && ((x ? m_free_xmm : m_free) & (1u << want))) {
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
      if (v.c == static_cast<uint32_t>(v.c)) m_a.mov(gpd(r), imm(static_cast<uint32_t>(v.c)));
      else m_a.mov(gpq(r), imm(v.c));
      set_cached(l, false, r);
      mark_dirty(false, r);
      return;
    }
  }
  store_to(dst, v);
  release(v);
}

// Register `dst` of the class becomes local l's dirty cached copy, copied from `src`.
void FunctionCompiler::cache_copy(uint32_t l, bool xmm_class, int dst, int src) {
  if (xmm_class) {
    uncache_xmm(dst);
    m_a.movaps(xmm(dst), xmm(src));
  } else {
    uncache_gp(dst);
    m_a.mov(gpq(dst), gpq(src));
  }
  set_cached(l, xmm_class, dst);
  mark_dirty(xmm_class, dst);
}

bool FunctionCompiler::fits_imm32(const Val& v) const {
  if (v.kind != Kind::Const) return false;
  if (!is64(v.type)) return true;
  return static_cast<int64_t>(v.c) == static_cast<int32_t>(v.c);
}

void FunctionCompiler::store_to(const Mem& dst, const Val& v) {
  if (v.type == ValType::V128) {
    Mem d = dst;
    d.setSize(16);
    switch (v.kind) {
      case Kind::Xmm: m_a.movups(d, xmm(v.reg)); return;
      case Kind::Const:
        load_v128_const(xmm15, v.c, v.c_hi);
        m_a.movups(d, xmm15);
        return;
      default: return copy_v128(dst, home(v.slot));
    }
  }
  switch (v.kind) {
    case Kind::Reg:
      m_a.mov(dst, gpq(v.reg));
      return;
    case Kind::Xmm:
      m_a.movq(dst, xmm(v.reg));
      return;
    case Kind::Const:
      if (static_cast<int64_t>(v.c) == static_cast<int32_t>(v.c)) {
        m_a.mov(dst, imm(static_cast<int32_t>(v.c)));
      } else {
        m_a.mov(r11, imm(v.c));
        m_a.mov(dst, r11);
      }
      return;
    case Kind::Mem:
      m_a.mov(r11, home(v.slot));
      m_a.mov(dst, r11);
      return;
    case Kind::Flags:
      m_a.set(static_cast<CondCode>(v.cond), r11b);
      m_a.movzx(r11d, r11b);
      m_a.mov(dst, r11);
      return;
  }
}

void FunctionCompiler::spill(Val& v) {
  if (v.kind == Kind::Mem) return;
  store_to(home(v.slot), v);
  release(v);
  v.kind = Kind::Mem;
  v.borrowed = false;
}

void FunctionCompiler::spill_all() {
  for (size_t i = m_mem_floor; i < m_vs.size(); ++i) spill(m_vs[i]);
  m_mem_floor = m_gp_floor = m_xmm_floor = static_cast<uint32_t>(m_vs.size());
}

// The stack values holding register id are its one owner or its borrowers (a borrowed
// register has no owner). Counting them lets the scan stop at the last one, from the top:
// a scan to the floor for every shift or division was quadratic in a deep stack.
void FunctionCompiler::spill_reg(uint32_t id, uint32_t popped_holders) {
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

void FunctionCompiler::materialize_flags() {
  if (m_vs.empty() || m_vs.back().kind != Kind::Flags) return;
  Val v = pop();
  Gp r = alloc();
  m_a.set(static_cast<CondCode>(v.cond), gpb_lo(r.id()));
  m_a.movzx(r.r32(), gpb_lo(r.id()));
  push_reg(v.type, r);
}

Gp FunctionCompiler::to_reg(Val& v) {
  switch (v.kind) {
    case Kind::Reg: {
      if (!v.borrowed) return gpq(v.reg);
      Gp r = alloc();
      m_a.mov(r, gpq(v.reg));
      release(v);
      v.borrowed = false;
      v.reg = static_cast<uint8_t>(r.id());
      changed_in_place(v);
      return r;
    }
    case Kind::Xmm: {
      Gp r = alloc();
      if (v.type == ValType::F64) m_a.movq(r, xmm(v.reg));
      else m_a.movd(r.r32(), xmm(v.reg));
      release(v);
      v.borrowed = false;
      v.kind = Kind::Reg;
      v.reg = static_cast<uint8_t>(r.id());
      changed_in_place(v);
      return r;
    }
    case Kind::Mem: {
      Gp r = alloc();
      if (is64(v.type)) m_a.mov(r, home(v.slot));
      else m_a.mov(r.r32(), home32(v.slot));
      v.kind = Kind::Reg;
      v.reg = static_cast<uint8_t>(r.id());
      changed_in_place(v);
      return r;
    }
    case Kind::Const: {
      Gp r = alloc();
      if (v.c == static_cast<uint32_t>(v.c)) m_a.mov(r.r32(), imm(static_cast<uint32_t>(v.c)));
      else m_a.mov(r, imm(v.c));
      v.kind = Kind::Reg;
      v.reg = static_cast<uint8_t>(r.id());
      changed_in_place(v);
      return r;
    }
    case Kind::Flags: {
      Gp r = alloc();
      m_a.set(static_cast<CondCode>(v.cond), gpb_lo(r.id()));
      m_a.movzx(r.r32(), gpb_lo(r.id()));
      v.kind = Kind::Reg;
      v.reg = static_cast<uint8_t>(r.id());
      changed_in_place(v);
      return r;
    }
  }
  return r11;
}

// ---- traps, helpers, fuel ----------------------------------------------------------------

asmjit::Label FunctionCompiler::trap_label(TrapKind kind) {
  auto k = static_cast<uint32_t>(kind);
  if (!m_trap_used[k]) {
    m_traps[k] = m_a.new_local_label();
    m_trap_used[k] = true;
  }
  return m_traps[k];
}

asmjit::Label FunctionCompiler::unwind_here() {
  if (!m_unwind_used) {
    m_unwind_here = m_a.new_local_label();
    m_unwind_used = true;
  }
  return m_unwind_here;
}

// Emitted after the function's code, so their pcs map to this function. The backtrace walk
// (jit_engine.cpp) starts at trap_pc / trap_rbp and follows the rbp chain.
void FunctionCompiler::emit_trap_stubs() {
  for (uint32_t k = 0; k < 16; ++k) {
    if (!m_trap_used[k]) continue;
    m_a.bind(m_traps[k]);
    m_a.mov(dword_ptr(r13, kJiTrapKind), imm(k));
    m_a.jmp(unwind_here());
  }
  if (m_stack_trap_used) {
    // The interpreter checks the limits before pushing the callee's frame, so its backtrace
    // starts at the caller: start the walk at the caller's frame and return address.
    m_a.bind(m_stack_trap);
    m_a.mov(dword_ptr(r13, kJiTrapKind), imm(static_cast<uint32_t>(TrapKind::CallStackExhausted)));
    m_a.mov(r11, qword_ptr(rbp, 8));
    m_a.mov(qword_ptr(r13, kJiTrapPc), r11);
    m_a.mov(r11, qword_ptr(rbp));
    m_a.mov(qword_ptr(r13, kJiTrapRbp), r11);
    m_a.jmp(m_labels.unwind);
  }
  if (m_unwind_used) {
    m_a.bind(m_unwind_here);
    m_a.lea(r11, ptr(m_unwind_here));
    m_a.mov(qword_ptr(r13, kJiTrapPc), r11);
    m_a.mov(qword_ptr(r13, kJiTrapRbp), rbp);
    m_a.jmp(m_labels.unwind);
  }
}

void FunctionCompiler::trap_if(CondCode cc, TrapKind kind) { m_a.j(cc, trap_label(kind)); }

void FunctionCompiler::check_trapped() {
  m_a.cmp(dword_ptr(r13, kJiTrapped), 0);
  m_a.jne(unwind_here());
}

void FunctionCompiler::call_helper(const void* fn) {
  touch_gp(~0u);
  touch_xmm(~0u);
  m_a.mov(rax, imm(reinterpret_cast<uint64_t>(fn)));
  m_a.call(rax);
  drop_cache();  // every register is clobbered
}

void FunctionCompiler::interrupt_check() {
  if (!m_config.interruptible) return;
  m_a.cmp(dword_ptr(r15, ctx_interrupt_offset()), 0);
  trap_if(CondCode::kNE, TrapKind::Interrupted);
}

// Limits contract (runtime/store.hpp): a region's cost is charged at its start; if the fuel
// left is below it the region does not start. The cost is known only at the region's end,
// so the two imm32s are patched then.
void FunctionCompiler::region_start() {
  if (!m_config.fuel) return;
  region_end();
  m_a.cmp(qword_ptr(r15, ctx_fuel_offset()), imm(kPlaceholder));
  m_region_patch[0] = m_a.offset() - 4;
  trap_if(CondCode::kL, TrapKind::OutOfFuel);
  m_a.sub(qword_ptr(r15, ctx_fuel_offset()), imm(kPlaceholder));
  m_region_patch[1] = m_a.offset() - 4;
  m_region_open = true;
  m_region_cost = 0;
}

void FunctionCompiler::region_end() {
  if (!m_region_open) return;
  patch32(m_a, m_region_patch[0], m_region_cost);
  patch32(m_a, m_region_patch[1], m_region_cost);
  m_region_open = false;
}

// ---- function frame ------------------------------------------------------------------------

void FunctionCompiler::begin_function(const Module& m, uint32_t func_index,
                                      std::span<const ValType> locals) {
  m_module = &m;
  m_func_index = func_index;
  m_error.clear();
  m_vs.clear();
  m_blocks.clear();
  m_loops.clear();
  m_states.clear();
  m_mem_floor = m_gp_floor = m_xmm_floor = 0;
  m_clock = 0;
  m_local_written.assign(locals.size(), 0);
  m_dead_depth = 0;
  m_touched_gp = m_touched_xmm = 0;
  reset_regs();
  drop_cache();
  m_region_open = false;
  m_fold.valid = false;
  m_pool.clear();
  // a fresh map: clear() costs the bucket count, which a huge earlier function set
  if (!m_pool_index.empty()) m_pool_index = {};
  for (bool& u : m_trap_used) u = false;
  m_unwind_used = false;
  m_stack_trap = m_a.new_local_label();
  m_stack_trap_used = true;
  m_local_slot.clear();
  m_local_type.assign(locals.begin(), locals.end());
  uint32_t slot = 0;
  for (ValType t : locals) {
    m_local_slot.push_back(slot);
    slot += slot_count(t);
  }
  m_local_slots = slot;
  const FuncType& ft = m.func_type(func_index);

  m_blocks.push_back(Block{Op::call, false});
  m_epilogue = asmjit::Label();  // created by the first return that jumps there

  m_a.bind(m_labels.funcs[func_index - m.imported_funcs]);
  m_a.push(rbp);
  m_a.mov(rbp, rsp);
  m_a.sub(rsp, imm(kPlaceholder));
  m_frame_patch = m_a.offset() - 4;
  m_a.cmp(rsp, qword_ptr(r13, kJiStackLimit));
  m_a.jb(m_stack_trap);
  m_a.mov(qword_ptr(rbp, -8), rsi);
  m_a.mov(eax, dword_ptr(r15, ctx_call_depth_offset()));
  m_a.cmp(eax, dword_ptr(r13, kJiMaxDepth));
  m_a.jae(m_stack_trap);
  m_a.inc(eax);
  m_a.mov(dword_ptr(r15, ctx_call_depth_offset()), eax);
  interrupt_check();
  uint32_t param_slots = slot_count(ft.params);
  for (uint32_t k = 0; k < param_slots; ++k) {
    m_a.mov(r11, qword_ptr(rsi, static_cast<int32_t>(8 * k)));
    m_a.mov(home(k), r11);
  }
  if (m_local_slots > param_slots) {
    uint32_t n = m_local_slots - param_slots;
    if (n <= 16) {
      m_a.xor_(r11d, r11d);
      for (uint32_t k = param_slots; k < m_local_slots; ++k) m_a.mov(home(k), r11);
    } else {
      m_a.lea(rdi, home(param_slots));
      m_a.mov(ecx, imm(n));
      m_a.xor_(eax, eax);
      m_a.rep().stosq();
    }
  }
  region_start();
}

Result<void> FunctionCompiler::end_function(const WalkState& st) {
  region_end();
  if (m_epilogue.isValid()) m_a.bind(m_epilogue);
  m_a.dec(dword_ptr(r15, ctx_call_depth_offset()));
  m_a.leave();
  m_a.ret();
  emit_trap_stubs();
  emit_constant_pool();
  m_a.recycle_local_labels();  // every label of this function is bound now
  uint64_t slots = uint64_t{m_local_slots} + st.max_slot_height();
  uint64_t frame = (slots * 8 + 8 + 15) & ~uint64_t{15};
  if (frame > 0x7fff0000) {
    if (m_error.empty()) m_error = fmt_unsupported("frames this large", m_func_index);
  } else {
    patch32(m_a, m_frame_patch, static_cast<uint32_t>(frame));
  }
  if (!m_error.empty()) return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, m_error});
  return {};
}

// ---- control -------------------------------------------------------------------------------

void FunctionCompiler::reset_to_frame(const CtrlFrame& f, std::span<const ValType> values) {
  assert(m_vs.size() >= f.height);
  truncate(f.height);
  // Every value left is in its home (spill_all): checked above the floor only, so that this
  // costs nothing per block end on a deep stack.
  for (size_t i = m_mem_floor; i < m_vs.size(); ++i)
    assert(m_vs[i].kind == Kind::Mem || m_vs[i].kind == Kind::Const);
  reset_regs();
  for (ValType t : values) push_mem(t);
}

asmjit::Label FunctionCompiler::target_label(uint32_t depth) {
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
bool FunctionCompiler::cache_ok_for(uint32_t depth) const {
  const Block& b = m_blocks[m_blocks.size() - 1 - depth];
  if (b.kind != Op::loop) return m_cache.gp_dirty == 0 && m_cache.xmm_dirty == 0;
  const LocalCache& e = entry_of(b);
  if (!cache_satisfies(e)) return false;
  // Dirty locals the loop does not keep in that register need a store.
  if (b.state != kNone && ((m_cache.gp_dirty & m_states[b.state].pad_gp) ||
                           (m_cache.xmm_dirty & m_states[b.state].pad_xmm)))
    return false;
  for (uint32_t m = m_cache.gp_dirty; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    if (!(e.gp & (1u << id)) || e.gp_local[id] != m_cache.gp_local[id]) return false;
  }
  for (uint32_t m = m_cache.xmm_dirty; m != 0; m &= m - 1) {
    int id = __builtin_ctz(m);
    if (!(e.xmm & (1u << id)) || e.xmm_local[id] != m_cache.xmm_local[id]) return false;
  }
  return true;
}

bool FunctionCompiler::branch_values_in_place(uint32_t depth, const WalkState& st) {
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

void FunctionCompiler::emit_branch_moves(uint32_t depth, const WalkState& st) {
  const CtrlFrame& f = st.control(depth);
  size_t n = f.label_types().size();
  uint32_t dst = m_local_slots + f.slot_height;
  for (size_t i = 0; i < n; ++i) {
    const Val& v = m_vs[m_vs.size() - n + i];
    if (!(v.kind == Kind::Mem && v.slot == dst)) store_to(home(dst), v);
    dst += slot_count(v.type);
  }
}

void FunctionCompiler::emit_branch(uint32_t depth, const WalkState& st) {
  if (depth == st.control_count() - 1) return emit_return(st);
  emit_branch_moves(depth, st);
  const Block& b = m_blocks[m_blocks.size() - 1 - depth];
  if (b.kind == Op::loop) establish_cache(b);  // stores the dirty locals not kept
  else flush_on_path(nullptr);                      // the target drops the cache
  m_a.jmp(target_label(depth));
}

void FunctionCompiler::emit_return(const WalkState& st, bool at_end) {
  const CtrlFrame& f = st.control(st.control_count() - 1);
  size_t n = f.sig.results.size();
  m_a.mov(r11, qword_ptr(rbp, -8));
  uint32_t dst = 0;
  for (size_t i = 0; i < n; ++i) {
    const Val& v = m_vs[m_vs.size() - n + i];
    Mem d = qword_ptr(r11, static_cast<int32_t>(8 * dst));
    if (v.type == ValType::V128) {
      store_to(d, v);  // xmm15 only
      dst += 2;
      continue;
    }
    switch (v.kind) {
      case Kind::Reg: m_a.mov(d, gpq(v.reg)); break;
      case Kind::Xmm: m_a.movq(d, xmm(v.reg)); break;
      // Later results may still be in registers (no spill before a return): copies go
      // through xmm15, never a GP register.
      case Kind::Mem: m_a.movq(xmm15, home(v.slot)); m_a.movq(d, xmm15); break;
      case Kind::Const:
        if (static_cast<int64_t>(v.c) == static_cast<int32_t>(v.c)) {
          m_a.mov(d, imm(static_cast<int32_t>(v.c)));
        } else {
          m_a.mov(dword_ptr(r11, static_cast<int32_t>(8 * dst)), imm(static_cast<uint32_t>(v.c)));
          m_a.mov(dword_ptr(r11, static_cast<int32_t>(8 * dst + 4)), imm(static_cast<uint32_t>(v.c >> 32)));
        }
        break;
      case Kind::Flags:
        m_a.set(static_cast<CondCode>(v.cond), al);
        m_a.movzx(eax, al);
        m_a.mov(d, rax);
        break;
    }
    dst += slot_count(v.type);
  }
  if (at_end) return;  // the epilogue follows (end_function): no `jmp` to the next byte
  if (!m_epilogue.isValid()) m_epilogue = m_a.new_local_label();
  m_a.jmp(m_epilogue);
}

void FunctionCompiler::jump_if_false(Val cond, asmjit::Label target) {
  switch (cond.kind) {
    case Kind::Flags:
      m_a.j(negateCond(static_cast<CondCode>(cond.cond)), target);
      return;
    case Kind::Reg:
      m_a.test(gpd(cond.reg), gpd(cond.reg));
      m_a.jz(target);
      return;
    case Kind::Mem:
      m_a.cmp(home32(cond.slot), 0);
      m_a.je(target);
      return;
    case Kind::Const:
      if (static_cast<uint32_t>(cond.c) == 0) m_a.jmp(target);
      return;
    case Kind::Xmm:  // a condition is an i32, never in an xmm register
      assert(false);
      return;
  }
}

void FunctionCompiler::jump_if_true(Val cond, asmjit::Label target) {
  switch (cond.kind) {
    case Kind::Flags:
      m_a.j(static_cast<CondCode>(cond.cond), target);
      return;
    case Kind::Reg:
      m_a.test(gpd(cond.reg), gpd(cond.reg));
      m_a.jnz(target);
      return;
    case Kind::Mem:
      m_a.cmp(home32(cond.slot), 0);
      m_a.jne(target);
      return;
    case Kind::Const:
      if (static_cast<uint32_t>(cond.c) != 0) m_a.jmp(target);
      return;
    case Kind::Xmm:  // a condition is an i32, never in an xmm register
      assert(false);
      return;
  }
}

void FunctionCompiler::emit_br_if(const Instr& ins, const WalkState& st) {
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
             (entry_of(tb).xmm & ~m_free_xmm) == 0) {
    // Back edge whose loop registers hold no stack value: load the missing cached locals on
    // the taken path only.
    size_t n = st.control(depth).label_types().size();
    for (size_t i = 0; i < n; ++i) spill(m_vs[m_vs.size() - 1 - i]);
    asmjit::Label skip = m_a.new_local_label();
    jump_if_false(cond, skip);
    establish_cache(tb);
    m_a.jmp(target_label(depth));
    m_a.bind(skip);
  } else {
    // Values move (or the function returns) only on the taken path: make the state the same
    // on both paths first, then the taken path only reads it.
    spill_all();
    asmjit::Label skip = m_a.new_local_label();
    jump_if_false(cond, skip);
    emit_branch(depth, st);
    m_a.bind(skip);
  }
  release(cond);
}

void FunctionCompiler::emit_br_table(const Instr& ins, const WalkState& st) {
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
    asmjit::Label label;
  };
  std::vector<Entry> entries;
  std::unordered_map<uint32_t, uint32_t> entry_of_depth;
  auto entry_for = [&](uint32_t depth) -> asmjit::Label {
    auto [it, fresh] = entry_of_depth.try_emplace(depth, static_cast<uint32_t>(entries.size()));
    if (!fresh) return entries[it->second].label;
    bool direct = depth != st.control_count() - 1 && branch_values_in_place(depth, st) &&
                  cache_ok_for(depth);
    entries.push_back(Entry{depth, direct, direct ? target_label(depth) : m_a.new_local_label()});
    return entries.back().label;
  };
  std::vector<asmjit::Label> table_entries;
  table_entries.reserve(n);
  for (uint32_t i = 0; i < n; ++i) table_entries.push_back(entry_for(ins.targets[i]));
  asmjit::Label dflt = entry_for(ins.a);
  asmjit::Label table = m_a.new_local_label();
  m_a.cmp(r.r32(), imm(n));
  m_a.jae(dflt);
  m_a.lea(r11, ptr(table));
  m_a.movsxd(r, dword_ptr(r11, r, 2));
  m_a.add(r, r11);
  m_a.jmp(r);
  m_a.bind(table);
  for (const asmjit::Label& l : table_entries) m_a.embedLabelDelta(l, table, 4);
  for (const Entry& e : entries) {
    if (e.direct) continue;
    m_a.bind(e.label);
    emit_branch(e.depth, st);
  }
  release(idx);
}

void FunctionCompiler::on_control(const Instr& ins, const WalkState& st) {
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
      bool keeps = ins.op == Op::loop || (ins.op == Op::if_ && (m_cache.gp | m_cache.xmm) != 0);
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
          bs->pad_pos = m_a.offset();
          for (uint8_t k = 0; k < kPadSlots; ++k) emit_nops(kPadSlotBytes);
          bs->saved_touched_gp = m_touched_gp;
          bs->saved_touched_xmm = m_touched_xmm;
          m_touched_gp = 0;
          m_touched_xmm = 0;
          bs->header_clock = ++m_clock;
        }
        b.head = m_a.new_local_label().id();
        m_a.bind(label(b.head));
        interrupt_check();
        // Back edges may arrive with any entry-cached local newer than its home.
        m_cache.gp_dirty = m_cache.gp;
        m_cache.xmm_dirty = m_cache.xmm;
      } else if (ins.op == Op::if_) {
        b.els = m_a.new_local_label().id();
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
          m_a.jmp(label(ensure_label(b.end)));
          b.targeted = true;
        }
        m_a.bind(label(ensure_label(b.els)));
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
      Block b = m_blocks.back();
      m_blocks.pop_back();
      if (b.kind == Op::loop) m_loops.pop_back();
      if (b.state != kNone) {
        const BlockState bs = m_states.back();  // (states are opened and closed in order)
        assert(b.state == m_states.size() - 1);
        m_states.pop_back();
        if (b.kind == Op::loop && bs.has_pad && bs.pad_used < kPadSlots) {
          // Jump over the unused slots (one instruction instead of their NOPs).
          if (uint8_t* buf = code_at(m_a, bs.pad_pos + size_t{kPadSlotBytes} * bs.pad_used, 2)) {
            buf[0] = 0xeb;  // jmp rel8
            buf[1] = static_cast<uint8_t>(kPadSlotBytes * (kPadSlots - bs.pad_used) - 2);
          }
        }
        if (b.kind == Op::loop && bs.has_pad) {  // the enclosing loop saw these writes too
          m_touched_gp |= bs.saved_touched_gp;
          m_touched_xmm |= bs.saved_touched_xmm;
        }
      }
      if (b.dead) {
        --m_dead_depth;
        return;
      }
      if (live) {
        region_end();
        spill_all();
      }
      // Only the fall-through reaches a loop's end, or a block's end no branch targets: the
      // cache stays; any other end is a merge.
      if (!(live && (b.kind == Op::loop || (b.kind == Op::block && !b.targeted)))) {
        if (live) flush_dirty();
        drop_cache();
      }
      if (b.end != kNone) m_a.bind(label(b.end));
      if (b.kind == Op::if_ && !b.els_bound && b.els != kNone) m_a.bind(label(b.els));
      reset_to_frame(st.control(0), st.control(0).sig.results);
      region_start();
      return;
    }
    default:
      assert(false);
  }
}

void FunctionCompiler::emit_call(uint32_t func_index) {
  const FuncType& ft = m_module->func_type(func_index);
  spill_all();
  flush_dirty();
  size_t np = ft.params.size();
  uint32_t arg_slot = np ? m_vs[m_vs.size() - np].slot : next_slot();
  truncate(m_vs.size() - np);
  if (func_index < m_module->imported_funcs) {
    m_a.mov(rdi, r13);
    m_a.mov(esi, imm(func_index));
    m_a.lea(rdx, home(arg_slot));
    call_helper(reinterpret_cast<const void*>(&helpers::call_import));
    m_a.test(eax, eax);
    m_a.jnz(unwind_here());
  } else {
    touch_gp(~0u);
    touch_xmm(~0u);
    m_a.lea(rsi, home(arg_slot));
    m_a.call(m_labels.funcs[func_index - m_module->imported_funcs]);
    drop_cache();
  }
  reset_regs();
  for (ValType t : ft.results) push_mem(t);
}

void FunctionCompiler::emit_call_indirect(const Instr& ins) {
  const FuncType& ft = m_module->types[ins.a];
  spill_all();
  flush_dirty();
  Val elem = pop();
  size_t np = ft.params.size();
  uint32_t arg_slot = np ? m_vs[m_vs.size() - np].slot : next_slot();
  truncate(m_vs.size() - np);
  m_a.mov(rdi, r13);
  m_a.mov(esi, imm(ins.b));
  m_a.mov(edx, imm(ins.a));
  if (elem.kind == Kind::Const) m_a.mov(ecx, imm(static_cast<uint32_t>(elem.c)));
  else m_a.mov(ecx, home32(elem.slot));
  m_a.lea(r8, home(arg_slot));
  call_helper(reinterpret_cast<const void*>(&helpers::call_indirect));  // touches all
  asmjit::Label done = m_a.new_local_label();
  m_a.cmp(rax, 1);
  m_a.je(unwind_here());
  m_a.jb(done);
  m_a.lea(rsi, home(arg_slot));
  m_a.call(rax);
  m_a.bind(done);
  drop_cache();
  reset_regs();
  for (ValType t : ft.results) push_mem(t);
}

// ---- dispatch --------------------------------------------------------------------------------

namespace {
// Instructions the JIT declines on purpose (jit_engine.hpp): add an Op here, not a silent gap.
constexpr std::array<Op, 0> kBailouts{};
bool bails_out(Op op) {
  for (Op b : kBailouts)
    if (b == op) return true;
  return false;
}
bool consumes_flags(Op op) {
  return op == Op::br_if || op == Op::if_ || op == Op::i32_eqz || op == Op::select ||
         op == Op::select_t;
}
}  // namespace

void FunctionCompiler::on_instr(const Instr& ins, const WalkState& st) {
  if (!m_error.empty()) return;  // keep validating, emit nothing more
  if (bails_out(ins.op)) [[unlikely]] {
    m_error = fmt::format("jit: unsupported instruction {} in function {} (declared bailout)",
                          op_name(ins.op), m_func_index);
    return;
  }
  bool live = m_dead_depth == 0 && !st.unreachable();
  if (live && !m_vs.empty() && m_vs.back().kind == Kind::Flags && !consumes_flags(ins.op))
    materialize_flags();
  if (is_structure(ins.op)) return on_control(ins, st);
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
      m_a.jmp(trap_label(TrapKind::Unreachable));
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
      emit_call_indirect(ins);
      return region_start();
    case Op::local_get:
      return emit_local_get(ins.a);
    case Op::local_set:
      return emit_local_set(ins.a, false);
    case Op::local_tee:
      return emit_local_set(ins.a, true);
    default:
      return on_simple(ins, st);
  }
}

}  // namespace wsvm::jit

// The translator's lazy operand stack (translate.hpp, "translate_fold.cpp"): folding of
// local.get and constants into operands, local.set into the producing instruction's
// destination, and compare + branch fusion.
#include <algorithm>
#include <cassert>

#include "interp/translate.hpp"
#include "runtime/value.hpp"

namespace wsvm::interp {
namespace {

// The fused branch for a compare producer, jumping when the compare is true / false.
bool fused_branch(IOp producer, bool when_true, IOp& out, bool& has_imm) {
  has_imm = false;
  switch (producer) {
#define BR_CMP(cmp, inv, T)                                                          \
  case IOp::T##_##cmp:                                                               \
    out = when_true ? IOp::br_##T##_##cmp : IOp::br_##T##_##inv;                     \
    return true;                                                                     \
  case IOp::T##_##cmp##_imm:                                                         \
    out = when_true ? IOp::br_##T##_##cmp##_imm : IOp::br_##T##_##inv##_imm;         \
    has_imm = true;                                                                  \
    return true;
#include "interp/branch_ops.def"
#undef BR_CMP
    case IOp::i32_eqz:
      out = when_true ? IOp::br_unless : IOp::br_if;
      return true;
    case IOp::i64_eqz:
      out = when_true ? IOp::br_i64_eqz : IOp::br_i64_nez;
      return true;
    default:
      return false;
  }
}

}  // namespace

Translator::Pending* Translator::pending_at(uint32_t walker_slot) {
  for (size_t i = m_pending.size(); i-- > 0;) {
    if (m_pending[i].slot == walker_slot) return &m_pending[i];
    if (m_pending[i].slot < walker_slot) break;
  }
  return nullptr;
}

void Translator::remove_pending(uint32_t walker_slot) {
  for (size_t i = m_pending.size(); i-- > 0;) {
    if (m_pending[i].slot == walker_slot) {
      m_pending.erase(m_pending.begin() + static_cast<ptrdiff_t>(i));
      return;
    }
  }
}

void Translator::materialize(const Pending& p) {
  if (p.is_const) {
    op(IOp::const64);
    pair(fs(p.slot), 0);
    imm(p.value);
  } else {
    op(p.wide ? IOp::copy2 : IOp::copy);
    pair(fs(p.slot), p.local);
  }
}

void Translator::flush_all() {
  for (const Pending& p : m_pending) materialize(p);
  m_pending.clear();
}

bool Translator::flush_aliases(uint32_t local_slot) {
  bool any = false;
  for (size_t i = 0; i < m_pending.size();) {
    if (!m_pending[i].is_const && m_pending[i].local == local_slot) {
      materialize(m_pending[i]);
      m_pending.erase(m_pending.begin() + static_cast<ptrdiff_t>(i));
      any = true;
    } else {
      ++i;
    }
  }
  return any;
}

uint32_t Translator::use(const WalkState& st, uint32_t i) {
  const uint32_t slot = st.operand_from_top(i).slot;
  Pending* p = pending_at(slot);
  if (p == nullptr) return fs(slot);
  uint32_t r = fs(slot);
  if (p->is_const) materialize(*p);
  else r = p->local;
  remove_pending(slot);
  return r;
}

void Translator::fold_local_get(const Instr& ins, const WalkState& st) {
  const uint32_t from = m_local_slot[ins.a];
  const uint32_t n = ins.a + 1 < m_local_slot.size() ? m_local_slot[ins.a + 1] - from
                                                     : m_out->local_slots - from;
  if (n == 1) {
    m_pending.push_back(Pending{st.slot_height(), false, from, 0});
    m_last_end = m_prev_end;  // no code: the previous producer stays rewritable
    return;
  }
  if (n == 2) {  // v128: SIMD ops read the local's slots directly (on_simd uses use())
    m_pending.push_back(Pending{st.slot_height(), false, from, 0, true});
    m_last_end = m_prev_end;
    return;
  }
  emit_copy(fs(st.slot_height()), from, n);
}

void Translator::fold_local_set(const Instr& ins, const WalkState& st) {
  const bool tee = ins.op == Op::local_tee;
  const Operand& v = st.operand_from_top(0);
  const uint32_t ls = m_local_slot[ins.a];
  // Compilers initialise locals that the entry already zeroed (`i32.const 0; local.set`)
  // before the first loop: while nothing has written a local and the code runs once per
  // call (no block open), such a set changes nothing.
  if (m_entry_zero_sets) {
    if (m_labels.size() == 1 && !tee && ls >= m_out->param_slots && slot_count(v.type) == 1) {
      const Pending* p = pending_at(v.slot);
      if (p != nullptr && p->is_const && p->value == 0) {
        remove_pending(v.slot);
        return;
      }
    }
    m_entry_zero_sets = false;
  }
  if (slot_count(v.type) != 1) {
    // A v128: the producer writes the local directly when it is the last instruction and
    // no pending local.get still reads the local.
    bool aliased = false;  // a pending local.get of this v128 local must see the old value
    for (const Pending& q : m_pending) aliased = aliased || (!q.is_const && q.local == ls);
    if (!aliased && pending_at(v.slot) == nullptr && last_writes(fs(v.slot))) {
      m_code[m_last_start + 1].s.lo = ls;
      // local.tee: the value stays on the stack as a read of the local (like local.get),
      // so the pending reads below it stay pending too.
      if (tee) m_pending.push_back(Pending{v.slot, false, ls, 0, true});
      return;
    }
    flush_all();
    emit_copy(ls, fs(v.slot), slot_count(v.type));
    return;
  }
  // Values on the stack that still read this local must be taken before it changes.
  bool moved = false;
  Pending* p = pending_at(v.slot);
  if (p == nullptr || p->is_const || p->local != ls) {
    moved = flush_aliases(ls);  // never removes the top entry: it is not an alias of ls
    p = pending_at(v.slot);
  }
  if (p != nullptr) {  // local.get y / const; local.set x: one move, no stack traffic
    if (p->is_const) {
      op(IOp::const64);
      pair(ls, 0);
      imm(p->value);
    } else if (p->local != ls) {
      op(IOp::copy);
      pair(ls, p->local);
    }
    if (!tee) remove_pending(v.slot);
    return;
  }
  const uint32_t ts = fs(v.slot);
  if (!moved && last_writes(ts)) {  // the producer writes the local directly
    m_code[m_last_start + 1].s.lo = ls;
    if (tee) m_pending.push_back(Pending{v.slot, false, ls, 0});
    return;
  }
  op(IOp::copy);
  pair(ls, ts);
}

Translator::BranchOp Translator::emit_cond_jump(const WalkState& st, bool when_true) {
  const uint32_t cslot = st.operand_from_top(0).slot;
  Pending* p = pending_at(cslot);
  if (p != nullptr && !p->is_const) {
    const uint32_t src = p->local;
    remove_pending(cslot);
    flush_all();
    const BranchOp b{here(), when_true ? IOp::br_if : IOp::br_unless};
    op(b.op);
    pair(src, 0);
    return b;
  }
  IOp fused = IOp::kCount;
  bool has_imm = false;
  if (p == nullptr && last_writes(fs(cslot)) && fused_branch(m_last_iop, when_true, fused, has_imm)) {
    // The compare's only use is this branch: drop it and branch on its operands. Its
    // operands are locals or slots at or above cslot, which flushing (below cslot) keeps.
    // eqz is two words long ([h][dst|a]); binary compares have a third (operand or imm).
    const IOp compare = m_last_iop;
    const bool unary = compare == IOp::i32_eqz || compare == IOp::i64_eqz;
    const Word w1 = m_code[m_last_start + 1];
    const Word w2 = unary ? Word{} : m_code[m_last_start + 2];
    m_code.resize(m_last_start);
    while (!m_ops.empty() && m_ops.back().at >= m_last_start) m_ops.pop_back();
    flush_all();
    const BranchOp b{here(), fused};
    op(fused);
    if (unary) {
      pair(w1.s.hi, 0);
    } else if (has_imm) {
      pair(w1.s.hi, 0);
      imm(w2.u64);
    } else {
      pair(w1.s.hi, w2.s.lo);
    }
    return b;
  }
  flush_all();
  const BranchOp b{here(), when_true ? IOp::br_if : IOp::br_unless};
  op(b.op);
  pair(fs(cslot), 0);
  return b;
}

void Translator::emit_return_folded(const WalkState& st) {
  if (m_out->result_slots == 1 && !m_pending.empty() &&
      m_pending.back().slot == st.slot_height() - 1) {
    const uint32_t src = use(st, 0);
    m_pending.clear();
    op(IOp::ret1);
    pair(src, 1);
    return;
  }
  flush_all();
  emit_return(st, st.slot_height());
}

}  // namespace wsvm::interp

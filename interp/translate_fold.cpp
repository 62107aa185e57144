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

void Translator::drop_pending_from(uint32_t walker_slot) {
  while (!m_pend_list.empty() && m_pend_list.back() >= walker_slot) {
    Pending& p = m_pend[m_pend_list.back()];
    if (p.live) kill_pending(p);
    m_pend_list.pop_back();
  }
}

void Translator::clear_pending() {
  for (uint32_t s : m_pend_list) {
    if (m_pend[s].live) kill_pending(m_pend[s]);
  }
  m_pend_list.clear();
}

void Translator::materialize(const Pending& p) {
  if (p.is_const) op3(IOp::const64, fs(p.slot), 0, imm_word(p.value));
  else op2(p.wide ? IOp::copy2 : IOp::copy, fs(p.slot), p.local);
}

void Translator::flush_all() {
  for (uint32_t s : m_pend_list) {
    Pending& p = m_pend[s];
    if (!p.live) continue;
    materialize(p);
    kill_pending(p);
  }
  m_pend_list.clear();
}

bool Translator::flush_aliases(uint32_t local_slot) {
  if (m_local_refs[local_slot] == 0) return false;
  for (uint32_t s : m_pend_list) {
    Pending& p = m_pend[s];
    if (p.live && !p.is_const && p.local == local_slot) {
      materialize(p);
      kill_pending(p);
    }
  }
  trim_pending_list();
  return true;
}

void Translator::push_const(const WalkState& st, uint64_t bits) {
  push_pending(Pending{st.slot_height(), true, 0, bits});
  m_last_end = m_prev_end;  // no code: the previous producer stays rewritable
}

void Translator::fold_local_get(const Instr& ins, const WalkState& st) {
  const uint32_t from = m_local_slot[ins.a].slot;
  const uint32_t n = m_local_slot[ins.a].slots;
  if (n == 1) {
    push_pending(Pending{st.slot_height(), false, from, 0});
    m_last_end = m_prev_end;  // no code: the previous producer stays rewritable
    return;
  }
  if (n == 2) {  // v128: SIMD ops read the local's slots directly (on_simd uses use())
    push_pending(Pending{st.slot_height(), false, from, 0, true});
    m_last_end = m_prev_end;
    return;
  }
  emit_copy(fs(st.slot_height()), from, n);
}

void Translator::fold_local_set(const Instr& ins, const WalkState& st) {
  const bool tee = ins.op == Op::local_tee;
  const Operand& v = st.operand_from_top(0);
  const uint32_t ls = m_local_slot[ins.a].slot;
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
    // A pending local.get of this v128 local must see the old value.
    const bool aliased = m_local_refs[ls] != 0;
    if (!aliased && pending_at(v.slot) == nullptr && last_writes(fs(v.slot))) {
      m_func[m_last_start + 1].s.lo = ls;
      // local.tee: the value stays on the stack as a read of the local (like local.get),
      // so the pending reads below it stay pending too.
      if (tee) push_pending(Pending{v.slot, false, ls, 0, true});
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
    if (p->is_const) op3(IOp::const64, ls, 0, imm_word(p->value));
    else if (p->local != ls) op2(IOp::copy, ls, p->local);
    if (!tee) remove_pending(v.slot);
    return;
  }
  const uint32_t ts = fs(v.slot);
  if (!moved && last_writes(ts)) {  // the producer writes the local directly
    m_func[m_last_start + 1].s.lo = ls;
    if (tee) push_pending(Pending{v.slot, false, ls, 0});
    return;
  }
  op2(IOp::copy, ls, ts);
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
    const Word w1 = m_func[m_last_start + 1];
    const Word w2 = unary ? Word{} : m_func[m_last_start + 2];
    truncate(m_last_start);
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
  if (m_out->result_slots == 1 && st.slot_height() != 0 &&
      pending_at(st.slot_height() - 1) != nullptr) {
    const uint32_t src = use(st, 0);
    clear_pending();
    op(IOp::ret1);
    pair(src, 1);
    return;
  }
  flush_all();
  emit_return(st, st.slot_height());
}

}  // namespace wsvm::interp

// The interpreter's translation of exception handling (Wasm 3.0 try_table, throw, throw_ref
// and the legacy try/catch/catch_all/delegate/rethrow): no code runs when a try is entered;
// each try leaves entries in its function's handler table (interp/code.hpp Handler), which the
// dispatch loop searches only when something throws (interpreter.cpp, do_throw).
#include <algorithm>

#include "interp/translate.hpp"
#include "runtime/value.hpp"

namespace wsvm::interp {

void Translator::on_try(const Instr& ins, const WalkState& st) {
  const bool live = m_dead_depth == 0 && !st.unreachable();
  if (live) flush_all();
  else clear_pending();
  switch (ins.op) {
    case Op::try_:
    case Op::try_table: {
      Label l{ins.op};
      l.dead = !live;
      if (l.dead) {
        ++m_dead_depth;
      } else {
        TryFrame& t = m_tries.emplace_back();
        t.level = static_cast<uint32_t>(m_labels.size());
        if (ins.op == Op::try_table) emit_catch_stubs(ins, st, t);
        t.try_begin = here();
        l.has_try = true;
      }
      m_labels.push_back(l);
      return;
    }
    case Op::catch_:
    case Op::catch_all: {
      Label& l = m_labels.back();
      if (l.dead) return;
      if (live) {  // the arm before ends: jump to the end
        op(IOp::br);
        add_fixup(l);
      }
      TryFrame& t = m_tries.back();  // a live try's
      if (t.try_end == kNoFixup) t.try_end = here();
      Handler h;
      h.kind = ins.op == Op::catch_ ? Handler::Kind::Catch : Handler::Kind::CatchAll;
      h.tag = ins.a;
      h.level = t.level;
      h.target = here();
      h.dst = fs(st.control(0).slot_height);  // the arm starts with the payload
      h.exn_slot = t.level;                    // a level until finish_handlers places it
      m_exn_levels = std::max(m_exn_levels, t.level + 1);
      t.catches.push_back(h);
      l.kind = ins.op;
      return;
    }
    default: {  // delegate l: like end, and the body's exceptions go to label l's level
      Label l = m_labels.back();
      m_labels.pop_back();
      if (l.dead) {
        --m_dead_depth;
        return;
      }
      const TryFrame t = std::move(m_tries.back());
      m_tries.pop_back();
      Handler h;
      h.kind = Handler::Kind::Delegate;
      h.begin = t.try_begin;
      h.end = here();
      h.level = t.level;
      h.target = t.level - 1 - ins.a;  // 0: the function's label, the caller takes it
      m_out->handlers.push_back(h);
      bind_fixups(l.fixups, here());
      return;
    }
  }
}

// try_table's catch clauses: a stub per clause before the body (jumped over), which the
// unwinder enters with the values already in the label's slots; it branches to the label
// (or returns, for the function's label).
void Translator::emit_catch_stubs(const Instr& ins, const WalkState& st, TryFrame& t) {
  op(IOp::br);
  const uint32_t over = fixup_word();
  for (const CatchClause& c : ins.catches) {
    Handler h;
    h.kind = static_cast<Handler::Kind>(c.kind);  // Catch..CatchAllRef in CatchKind's order
    h.tag = c.tag;
    h.level = t.level;
    h.target = here();
    uint32_t n = 0;  // slots the clause sends
    if (c.kind == CatchKind::Catch || c.kind == CatchKind::CatchRef)
      n += slot_count(m_module->types[m_module->tags[c.tag]].params);
    if (c.kind == CatchKind::CatchRef || c.kind == CatchKind::CatchAllRef) n += 1;
    if (c.label == st.control_count() - 1) {
      const uint32_t base = st.slot_height();
      h.dst = fs(base);
      m_extra_high = std::max(m_extra_high, base + n);
      emit_return(st, base + n);
    } else {
      h.dst = fs(st.control(c.label).slot_height);
      const BranchOp b{here(), IOp::br};
      op(IOp::br);
      emit_jump_to_label(c.label, b);
    }
    t.catches.push_back(h);
  }
  m_func[over].u64 = here();
}

// At the end of a try_table or legacy try: its handlers get the protected range.
void Translator::close_try() {
  TryFrame& t = m_tries.back();
  const uint32_t end = t.try_end != kNoFixup ? t.try_end : here();
  for (Handler& h : t.catches) {
    h.begin = t.try_begin;
    h.end = end;
    m_out->handlers.push_back(h);
  }
  m_tries.pop_back();
}

void Translator::emit_throw(const Instr& ins, const WalkState& st) {
  flush_all();
  switch (ins.op) {
    case Op::throw_: {
      const FuncType& ft = m_module->types[m_module->tags[ins.a]];
      op(IOp::throw_);
      pair(popped_base(st, slot_count(ft.params)), ins.a);
      return;
    }
    case Op::throw_ref:
      op(IOp::throw_ref);
      pair(top(st, 0), 0);
      return;
    default: {  // rethrow l: the exception of the catch arm at label l
      const uint32_t level = static_cast<uint32_t>(m_labels.size()) - 1 - ins.a;
      m_exn_patches.push_back(here() + 1);
      op(IOp::rethrow);
      pair(level, 0);
      return;
    }
  }
}

// The hidden slots of the legacy catch arms sit above everything else of the frame, one per
// label level: a level's slot is exn_base + level.
void Translator::finish_handlers(uint32_t exn_base) {
  for (uint32_t w : m_exn_patches) m_func[w].s.lo += exn_base;
  for (Handler& h : m_out->handlers)
    if (h.exn_slot != Handler::kNoExnSlot) h.exn_slot += exn_base;
}

}  // namespace wsvm::interp

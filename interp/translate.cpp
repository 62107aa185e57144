// Translation of structure: blocks, branches, returns, calls and locals. Branch targets are
// code indices while the function is being written (the vector may reallocate) and become
// Word pointers in end_function.
#include "interp/translate.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cassert>
#include <cstdlib>
#include <cstring>

#include "runtime/value.hpp"

namespace wsvm::interp {

void Translator::begin_function(const Module& m, uint32_t func_index,
                                std::span<const ValType> locals) {
  m_module = &m;
  m_mem0_64 = !m.memories.empty() && m.memories[0].limits.addr64;
  const FuncType& ft = m.func_type(func_index);
  m_out->func_index = func_index;
  m_out->param_slots = slot_count(ft.params);
  m_out->result_slots = slot_count(ft.results);
  m_local_slot.clear();
  m_local_slot.reserve(locals.size());
  uint32_t slot = 0;
  for (ValType t : locals) {
    m_local_slot.push_back(LocalInfo{slot, slot_count(t)});
    slot += slot_count(t);
  }
  m_out->local_slots = slot;
  m_local_slots = slot;
  // The code starts where the previous function's ended (in the arena).
  m_func = m_pos;
  m_labels.clear();
  m_labels.push_back(Label{Op::call});
  m_tries.clear();
  m_targets.clear();
  m_dead_depth = 0;
  m_entry_zero_sets = true;
  m_fuel_word = kNoFixup;
  m_fuel_cost = 0;
  clear_pending();
  m_local_refs.assign(size_t{slot} + 1, 0);
  m_ops.clear();
  m_last_end = kNoFixup;
  m_prev_end = kNoFixup;
  m_out->check_interrupt = m_opts.interruptible;  // at entry, by the dispatch loop (no op)
  m_out->handlers.clear();
  m_extra_high = 0;
  m_exn_levels = 0;
  m_exn_patches.clear();
}

// Called for live instructions only. Live-ness is constant within a region: code becomes
// unreachable only after br/br_table/return/unreachable, which all end a region, and becomes
// live again only after else/end, which also do.
// Costs and region ends come from the opcode table (fuel_cost, ends_fuel_region).
void Translator::fuel_before(Op o) {
  if (fuel_cost(o) == 0) return;
  if (m_fuel_word == kNoFixup) {
    op(IOp::fuel);
    m_fuel_word = here();
    imm(0);
  }
  m_fuel_cost += fuel_cost(o);
}

void Translator::fuel_after(Op o) {
  if (!ends_fuel_region(o)) return;
  if (m_fuel_word != kNoFixup) m_func[m_fuel_word].u64 = m_fuel_cost;
  m_fuel_word = kNoFixup;
  m_fuel_cost = 0;
}

void Translator::end_function(const WalkState& st) {
  // Never reached by valid control flow (the final `end` returns); a cheap guard anyway.
  op(IOp::trap_unreachable);
  fuse_ops();
  // The code is in its final place: target indices become pointers.
  Word* const code = m_func;
  const uint32_t size = here();
  for (uint32_t w : m_targets) {
    uint64_t index = code[w].u64;
    assert(index < size);
    code[w].target = code + index;
  }
  m_targets.clear();
  m_out->code = std::span<const Word>(code, size);
  const uint32_t exn_base = m_out->local_slots + std::max(st.max_slot_height(), m_extra_high);
  if (m_exn_levels != 0) [[unlikely]] finish_handlers(exn_base);
  m_out->frame_slots = std::max(exn_base + m_exn_levels, m_out->result_slots);
}

namespace {

// Superinstruction lookup (fused_ops.def), built once: ops that start a sequence get a
// 1-based index into their lists of (rest of the sequence, fused op), longest first; 0 means
// "starts no sequence", the common case.
struct FuseTables {
  struct Seq {
    std::array<IOp, 4> rest{};  // the ops after the first
    uint8_t n = 0;              // how many of `rest` are used
    IOp fused = IOp::kCount;
  };
  static constexpr size_t kN = static_cast<size_t>(IOp::kCount);
  std::array<uint8_t, kN> first{};
  std::vector<std::vector<Seq>> seqs;
  // Per group: which ops can come second. Most ops that start a sequence are followed by
  // one that continues none, and this answers that with one bit test.
  std::vector<std::bitset<kN>> second_ok;
  FuseTables() {
    auto add = [this](IOp f, std::initializer_list<IOp> ops) {
      const IOp a = *ops.begin();
      uint8_t& k = first[static_cast<size_t>(a)];
      if (k == 0) {
        seqs.emplace_back();
        second_ok.emplace_back();
        k = static_cast<uint8_t>(seqs.size());
      }
      second_ok[k - 1].set(static_cast<size_t>(*(ops.begin() + 1)));
      Seq s;
      s.fused = f;
      for (auto it = ops.begin() + 1; it != ops.end(); ++it) s.rest[s.n++] = *it;
      seqs[k - 1].push_back(s);
    };
#define FUSE(A, B) add(IOp::fuse_##A##__##B, {IOp::A, IOp::B});
#define FUSE3(A, B, C) add(IOp::fuse_##A##__##B##__##C, {IOp::A, IOp::B, IOp::C});
#define FUSE4(A, B, C, D) add(IOp::fuse_##A##__##B##__##C##__##D, {IOp::A, IOp::B, IOp::C, IOp::D});
#define FUSE5(A, B, C, D, E) \
  add(IOp::fuse_##A##__##B##__##C##__##D##__##E, {IOp::A, IOp::B, IOp::C, IOp::D, IOp::E});
#include "interp/fused_ops.def"
#undef FUSE
#undef FUSE3
#undef FUSE4
#undef FUSE5
    for (auto& v : seqs)
      std::stable_sort(v.begin(), v.end(), [](const Seq& x, const Seq& y) { return x.n > y.n; });
  }
};
const FuseTables& fuse_tables() {
  static const FuseTables kTables;
  return kTables;
}

}  // namespace

// Superinstructions: adjacent sequences (A, B, ...) of fused_ops.def get A's handler word
// replaced by the fused op, which runs them all and skips the later handler words; those
// ops stay intact for branches that target them. Sequences are taken greedily, left to
// right, longest first, without overlap.
void Translator::fuse_ops() {
  // EngineConfig::interp_no_fuse (wsvm: WSVM_INTERP_NOFUSE=1) keeps every op apart, for
  // sequence profiles of raw ops (the WSVM_INTERP_PROFILE build).
  if (m_opts.no_fuse) return;
  const FuseTables& t = fuse_tables();
  const size_t n = m_ops.size();
  for (size_t i = 0; i + 1 < n; ++i) {
    const uint8_t k = t.first[static_cast<size_t>(m_ops[i].op)];
    if (k == 0 || !t.second_ok[k - 1].test(static_cast<size_t>(m_ops[i + 1].op))) continue;
    for (const FuseTables::Seq& s : t.seqs[k - 1]) {
      if (i + s.n >= n) continue;
      bool match = true;
      for (uint8_t j = 0; j < s.n && match; ++j) match = m_ops[i + 1 + j].op == s.rest[j];
      if (match) {
        m_func[m_ops[i].at] = handler_word(specialise(s.fused, m_func + m_ops[i].at));
        i += s.n;
        break;
      }
    }
  }
}

void Translator::bind_fixups(uint32_t chain, uint32_t target) {
  while (chain != kNoFixup) {
    const uint32_t next = static_cast<uint32_t>(m_func[chain].u64);
    m_func[chain].u64 = target;
    chain = next;
  }
}

void Translator::grow(size_t need) {
  const size_t used = static_cast<size_t>(m_pos - m_func);
  const size_t words = std::max({m_block_words, 2 * used + 64 + need, size_t{16384}});
  const std::span<Word> block = m_arena->new_block(words);
  if (used != 0) std::memcpy(block.data(), m_func, used * sizeof(Word));
  m_func = block.data();
  m_pos = m_func + used;
  m_end = block.data() + block.size();
  m_block_words = block.size();  // later blocks: as large (huge pages stay huge)
}

void Translator::emit_copy(uint32_t dst, uint32_t src, uint32_t n) {
  if (n == 0 || dst == src) return;
  if (n == 1) {
    op(IOp::copy);
    pair(dst, src);
  } else if (n == 2) {
    op(IOp::copy2);
    pair(dst, src);
  } else {
    op(IOp::copy_n);
    pair(dst, src);
    pair(n, 0);
  }
}

namespace {

// The loop back-edge form of a branch op (IOp::kCount: none).
IOp back_edge_op(IOp op) {
  switch (op) {
    case IOp::br: return IOp::br_back;
    case IOp::br_if: return IOp::br_if_back;
    case IOp::br_unless: return IOp::br_unless_back;
    case IOp::br_i64_eqz: return IOp::br_i64_eqz_back;
    case IOp::br_i64_nez: return IOp::br_i64_nez_back;
#define BR_CMP(cmp, inv, T)                                           \
  case IOp::br_##T##_##cmp: return IOp::br_##T##_##cmp##_back;        \
  case IOp::br_##T##_##cmp##_imm: return IOp::br_##T##_##cmp##_imm_back;
#include "interp/branch_ops.def"
#undef BR_CMP
    default: return IOp::kCount;
  }
}

}  // namespace

void Translator::emit_jump_to_label(uint32_t depth, BranchOp branch) {
  Label& l = m_labels[m_labels.size() - 1 - depth];
  if (l.kind == Op::loop) {
    // A back-edge: with interrupt checks, it skips the header's check_interrupt and checks
    // in its handler instead (br_table and copy_br check at run time).
    if (m_opts.interruptible && branch.at != kNoFixup) {
      const IOp back = back_edge_op(branch.op);
      assert(back != IOp::kCount);
      m_func[branch.at] = handler_word(back);
      if (!m_ops.empty() && m_ops.back().at == branch.at) m_ops.back().op = back;
    }
    target(l.start);
  } else {
    add_fixup(l);
  }
}

void Translator::emit_return(const WalkState& st, uint32_t value_top) {
  (void)st;
  uint32_t n = m_out->result_slots;
  op(n == 0 ? IOp::ret0 : n == 1 ? IOp::ret1 : IOp::ret);
  pair(fs(value_top - n), n);
}

// Unconditional branch to label `depth` carrying the values just below walker slot value_top.
void Translator::emit_branch(uint32_t depth, const WalkState& st, uint32_t value_top) {
  if (depth == st.control_count() - 1) return emit_return(st, value_top);
  const CtrlFrame& f = st.control(depth);
  uint32_t n = slot_count(f.label_types());
  uint32_t src = value_top - n;
  BranchOp branch;
  if (n == 0 || src == f.slot_height) {
    branch = {here(), IOp::br};
    op(IOp::br);
  } else {
    op(IOp::copy_br);
    pair(fs(f.slot_height), fs(src));
    pair(n, 0);
  }
  emit_jump_to_label(depth, branch);
}

// br_on_null (taken on null, the reference dropped) and br_on_non_null (taken otherwise,
// the reference carried as the label's last value): the 64-bit zero tests of the branch ops,
// a reference being a pointer and null 0 (runtime/value.hpp).
void Translator::emit_null_branch(const Instr& ins, const WalkState& st) {
  flush_all();
  const bool on_null = ins.op == Op::br_on_null;
  const uint32_t ref = top(st, 0);
  const uint32_t value_top = on_null ? st.slot_height() - 1 : st.slot_height();
  const uint32_t depth = ins.a;
  if (depth != st.control_count() - 1) {
    const CtrlFrame& f = st.control(depth);
    const uint32_t n = slot_count(f.label_types());
    if (n == 0 || value_top - n == f.slot_height) {  // the values are in place already
      const BranchOp b{here(), on_null ? IOp::br_i64_eqz : IOp::br_i64_nez};
      op(b.op);
      pair(ref, 0);
      emit_jump_to_label(depth, b);
      return;
    }
  }
  op(on_null ? IOp::br_i64_nez : IOp::br_i64_eqz);  // not taken: skip the branch
  pair(ref, 0);
  const uint32_t skip = fixup_word();
  emit_branch(depth, st, value_top);
  m_func[skip].u64 = here();
}

void Translator::on_control(const Instr& ins, const WalkState& st) {
  bool live = m_dead_depth == 0 && !st.unreachable();
  if (!live) clear_pending();
  else if (ins.op != Op::if_ && !(ins.op == Op::end && m_labels.size() == 1)) flush_all();
  switch (ins.op) {
    case Op::block:
    case Op::loop:
    case Op::if_: {
      Label l{ins.op};
      l.dead = !live;
      l.start = here();
      if (l.dead) {
        ++m_dead_depth;
      } else if (ins.op == Op::loop) {
        // Entering from above runs the op; back-edges jump past it (l.start) and check in
        // their branch handler (interpreter.cpp, JUMP): one dispatch less per iteration.
        if (m_opts.interruptible) {
          op(IOp::check_interrupt);
          l.start = here();
        }
      } else if (ins.op == Op::if_) {
        emit_cond_jump(st, false);
        l.else_fixup = fixup_word();
      }
      m_labels.push_back(std::move(l));
      return;
    }
    case Op::else_: {
      Label& l = m_labels.back();
      if (!l.dead) {
        if (!st.unreachable()) {  // end of the then-arm jumps over the else-arm
          op(IOp::br);
          add_fixup(l);
        }
        if (l.else_fixup != kNoFixup) m_func[l.else_fixup].u64 = here();
        l.else_fixup = kNoFixup;
      }
      l.kind = Op::else_;
      return;
    }
    case Op::end: {
      if (m_labels.size() == 1) {  // the function's own end: an implicit return
        if (live) emit_return_folded(st);
        return;
      }
      Label l = std::move(m_labels.back());
      m_labels.pop_back();
      if (l.dead) {
        --m_dead_depth;
        return;
      }
      // An `if` without `else`: the false jump lands here, its params pass through as results.
      if (l.else_fixup != kNoFixup) m_func[l.else_fixup].u64 = here();
      if (l.has_try) close_try();
      bind_fixups(l.fixups, here());
      return;
    }
    default:
      assert(false);
  }
}

void Translator::on_instr_fuel(const Instr& ins, const WalkState& st) {
  const bool live = m_dead_depth == 0 && !st.unreachable();
  if (live) fuel_before(ins.op);
  translate(ins, st);
  fuel_after(ins.op);
}

void Translator::on_instr(const Instr& ins, const WalkState& st) {
  if (m_opts.fuel) [[unlikely]] return on_instr_fuel(ins, st);
  translate(ins, st);
}

inline void Translator::translate(const Instr& ins, const WalkState& st) {
  m_prev_end = m_last_end;  // only the instruction right after a producer may rewrite it
  m_last_end = kNoFixup;
  if (is_structure(ins.op)) return on_control(ins, st);
  if (opens_or_splits_try(ins.op)) [[unlikely]] return on_try(ins, st);
  if (m_dead_depth != 0 || st.unreachable()) return;  // no code for unreachable instructions
  switch (ins.op) {
    case Op::local_get:
      return fold_local_get(ins, st);
    case Op::local_set:
    case Op::local_tee:
      return fold_local_set(ins, st);
    case Op::i32_const:
    case Op::f32_const:
      return push_const(st, static_cast<uint32_t>(ins.imm));
    case Op::i64_const:
    case Op::f64_const:
      return push_const(st, ins.imm);
    case Op::nop:
    case Op::drop:
    case Op::unreachable:
    case Op::br:
    case Op::br_if:
    case Op::br_table:
    case Op::return_:
    case Op::call:
    case Op::call_indirect:
    case Op::return_call:
    case Op::return_call_indirect:
    case Op::call_ref:
    case Op::return_call_ref:
    case Op::ref_as_non_null:
    case Op::br_on_null:
    case Op::br_on_non_null:
    case Op::throw_:
    case Op::throw_ref:
    case Op::rethrow:
    case Op::select:
    case Op::select_t:
      return translate_other(ins, st);
    default:
      return on_simple(ins, st);
  }
}

void Translator::translate_other(const Instr& ins, const WalkState& st) {
  switch (ins.op) {
    case Op::nop:
      return;
    case Op::drop:
      remove_pending(st.operand_from_top(0).slot);
      return;
    case Op::unreachable:
      clear_pending();
      return op(IOp::trap_unreachable);
    case Op::br:
      flush_all();
      return emit_branch(ins.a, st, st.slot_height());
    case Op::br_if: {
      const uint32_t value_top = st.slot_height() - 1;
      const uint32_t depth = ins.a;
      bool is_return = depth == st.control_count() - 1;
      if (!is_return) {
        const CtrlFrame& f = st.control(depth);
        uint32_t n = slot_count(f.label_types());
        if (n == 0 || value_top - n == f.slot_height) {
          emit_jump_to_label(depth, emit_cond_jump(st, true));
          return;
        }
      }
      // Values must move (or the function returns): skip over an unconditional branch.
      emit_cond_jump(st, false);
      uint32_t skip = fixup_word();
      emit_branch(depth, st, value_top);
      m_func[skip].u64 = here();
      return;
    }
    case Op::br_table: {
      flush_all();
      uint32_t cond = top(st, 0);
      uint32_t value_top = st.slot_height() - 1;
      uint32_t n = static_cast<uint32_t>(ins.targets.size());
      op(IOp::br_table);
      pair(cond, n);
      // Targets that need value moves (or return) go through a stub after the table.
      std::vector<std::pair<uint32_t, uint32_t>> stubs;  // (entry word, depth)
      for (uint32_t i = 0; i <= n; ++i) {
        uint32_t depth = i < n ? ins.targets[i] : ins.a;
        bool stub = depth == st.control_count() - 1;
        if (!stub) {
          const CtrlFrame& f = st.control(depth);
          uint32_t k = slot_count(f.label_types());
          stub = k != 0 && value_top - k != f.slot_height;
        }
        if (stub) stubs.emplace_back(fixup_word(), depth);
        else emit_jump_to_label(depth);
      }
      for (auto [entry, depth] : stubs) {
        m_func[entry].u64 = here();
        emit_branch(depth, st, value_top);
      }
      return;
    }
    case Op::return_:
      return emit_return_folded(st);
    case Op::call: {
      flush_all();
      const FuncType& ft = m_module->func_type(ins.a);
      if (m_opts.funcs != nullptr && ins.a >= m_module->imported_funcs) {
        op(IOp::call_local);
        pair(popped_base(st, slot_count(ft.params)), 0);
        Word w;
        w.func = m_opts.funcs + (ins.a - m_module->imported_funcs);
        put(w);
        return;
      }
      op(IOp::call);
      pair(popped_base(st, slot_count(ft.params)), ins.a);
      return;
    }
    case Op::call_indirect:
    case Op::return_call_indirect: {
      flush_all();
      const FuncType& ft = m_module->types[ins.a];
      if (m_module->tables[ins.b].limits.addr64) [[unlikely]] {  // table64
        op(IOp::table64_index);
        pair(top(st, 0), 0);
      }
      op(ins.op == Op::call_indirect ? IOp::call_indirect : IOp::return_call_indirect);
      pair(popped_base(st, slot_count(ft.params) + 1), ins.a);
      pair(ins.b, top(st, 0));
      return;
    }
    case Op::return_call: {
      flush_all();
      const FuncType& ft = m_module->func_type(ins.a);
      op(IOp::return_call);
      pair(popped_base(st, slot_count(ft.params)), ins.a);
      return;
    }
    case Op::call_ref:
    case Op::return_call_ref: {
      flush_all();
      const FuncType& ft = m_module->types[ins.a];
      op(ins.op == Op::call_ref ? IOp::call_ref : IOp::return_call_ref);
      pair(popped_base(st, slot_count(ft.params) + 1), top(st, 0));
      return;
    }
    case Op::ref_as_non_null:
      flush_all();
      op(IOp::ref_as_non_null);
      pair(top(st, 0), 0);
      return;
    case Op::br_on_null:
    case Op::br_on_non_null:
      return emit_null_branch(ins, st);
    case Op::throw_:
    case Op::throw_ref:
    case Op::rethrow:
      return emit_throw(ins, st);
    case Op::select:
    case Op::select_t: {
      if (st.operand_from_top(1).type == ValType::V128) {
        flush_all();
        op(IOp::select_v128);
        pair(top(st, 2), top(st, 2));
        pair(top(st, 1), top(st, 0));
        return;
      }
      const uint32_t c = use(st, 0), b = use(st, 1), a = use(st, 2);
      const uint32_t op_start = here();
      op(IOp::select);
      pair(top(st, 2), a);
      pair(b, c);
      mark_last(op_start, IOp::select);
      return;
    }
    default:
      return on_simple(ins, st);
  }
}

}  // namespace wsvm::interp

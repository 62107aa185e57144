// The one function-body walker (DESIGN principle 2). It decodes a body instruction by
// instruction, checks every typing rule of WebAssembly 2.0 (SIMD included) and tells a
// Listener about each instruction; see walk_state.hpp for the listener contract.
// Spec: https://webassembly.github.io/spec/core/valid/instructions.html and the algorithm
// of https://webassembly.github.io/spec/core/appendix/algorithm.html
//
// Validation alone uses NullListener; the interpreter's translator listens during the same
// walk, so no other component keeps stack heights of its own.
//
// A listener hook may return void or Result<void>; an error from it ends the walk and is
// returned as is.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "decoder/error.hpp"
#include "decoder/instr.hpp"
#include "decoder/module.hpp"
#include "decoder/reader.hpp"
#include "validator/sig_table.hpp"
#include "validator/walk_state.hpp"

namespace wsvm {

// The hot helpers of the walker are force-inlined: validation runs once per body byte.

// Implementation limit on params + locals of one function (V8 has the same limit). The
// locals are expanded into one ValType per local, so the count must be checked before.
inline constexpr uint64_t kMaxFunctionLocals = 50000;

struct NullListener {
  void begin_function(const Module&, uint32_t, std::span<const ValType>) {}
  void on_instr(const Instr&, const WalkState&) {}
  void end_function(const WalkState&) {}
};

namespace walk_detail {

// Error builders live out of line (walker_support.cpp): they are only on the failure path.
[[gnu::cold]] std::unexpected<Error> invalid(size_t offset, std::string message);
[[gnu::cold]] std::unexpected<Error> malformed(size_t offset, std::string message);
// "unknown <what> <index>", e.g. "unknown local 3".
[[gnu::cold]] std::unexpected<Error> unknown_index(size_t offset, const char* what,
                                                   uint64_t index);
// "type mismatch: <op> expects <want>, got <got|nothing>".
[[gnu::cold]] std::unexpected<Error> type_mismatch(const Instr& ins, ValType want, bool missing,
                                                   ValType got);
[[gnu::cold]] std::unexpected<Error> type_mismatch_msg(const Instr& ins, const char* detail);

// C.refs: the functions referenced outside function bodies (element segments, exports,
// global initialisers); only those may be named by ref.func inside a body.
void collect_declared_refs(const Module& m, std::vector<bool>& out);

inline bool same_types(std::span<const ValType> a, std::span<const ValType> b) {
  return std::ranges::equal(a, b);
}

// Numeric or unknown (for untyped select, which only accepts numeric / vector operands).
inline bool is_num_or_bottom(ValType t) { return is_num(t) || t == ValType::Bottom; }
inline bool is_vec_or_bottom(ValType t) { return t == ValType::V128 || t == ValType::Bottom; }

// The walk loop decodes and types the instructions that make up most bodies itself, by
// their first byte, instead of going through read_instr() and step(): numeric operators
// without immediates, local.get/set/tee, i32/i64.const, loads and stores, block/loop with
// an empty or single-value type, end, br, br_if and drop, with LEB immediates of up to 4
// bytes. Anything unusual about one of them (a longer LEB, an operand missing or of
// the wrong type, unreachable code, no memory) sends it down the general path, which
// decodes it again and reports the error; the fast path changes nothing before deciding.
enum class FastKind : uint8_t {
  General, Simple, LocalGet, LocalSet, LocalTee, I32Const, I64Const, MemArg,
  Block, End, Br, BrIf, Drop,
};

struct FastEntry {
  Op op = Op::nop;
  FastKind kind = FastKind::General;
};

constexpr std::array<FastEntry, 256> make_fast_table() {
  std::array<FastEntry, 256> t{};
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix != 0x00) continue;
    const Op op = static_cast<Op>(i);
    FastKind k = FastKind::General;
    if (info.imm == Imm::None && info.sig != Sig::special) k = FastKind::Simple;
    else if (op == Op::local_get) k = FastKind::LocalGet;
    else if (op == Op::local_set) k = FastKind::LocalSet;
    else if (op == Op::local_tee) k = FastKind::LocalTee;
    else if (op == Op::i32_const) k = FastKind::I32Const;
    else if (op == Op::i64_const) k = FastKind::I64Const;
    else if (op == Op::block || op == Op::loop) k = FastKind::Block;
    else if (op == Op::end) k = FastKind::End;
    else if (op == Op::br) k = FastKind::Br;
    else if (op == Op::br_if) k = FastKind::BrIf;
    else if (op == Op::drop) k = FastKind::Drop;
    else if (info.imm == Imm::MemArg && info.sig != Sig::special) k = FastKind::MemArg;
    t[info.code] = FastEntry{op, k};
  }
  return t;
}

inline constexpr std::array<FastEntry, 256> kFastTable = make_fast_table();

// LEB128 of at most 4 bytes (28 value bits) at p[0, left): its length, or 0 when it is
// longer or runs out (the general decoder then applies the exact rules of the last byte).
// Within 4 bytes every encoding is a valid u32 / s32 / s64, as read_instr decodes it.
[[gnu::always_inline]] inline size_t fast_uleb(const uint8_t* p, size_t left, uint32_t& out) {
  uint32_t v = 0;
  const size_t n = left < 4 ? left : 4;
  for (size_t i = 0; i < n; ++i) {
    v |= static_cast<uint32_t>(p[i] & 0x7f) << (7 * i);
    if (!(p[i] & 0x80)) {
      out = v;
      return i + 1;
    }
  }
  return 0;
}
[[gnu::always_inline]] inline size_t fast_sleb(const uint8_t* p, size_t left, int32_t& out) {
  uint32_t v = 0;
  const size_t n = fast_uleb(p, left, v);
  if (n != 0) {
    const unsigned unused = 32 - 7 * static_cast<unsigned>(n);  // sign-extend the rest
    out = static_cast<int32_t>(v << unused) >> unused;
  }
  return n;
}

}  // namespace walk_detail

template <class Listener>
class FunctionWalker : public WalkState {
 public:
  // Optional: C.refs computed once (walk_detail::collect_declared_refs) for many functions of
  // one module. Without it the walker computes it when a body first uses ref.func.
  void use_declared_refs(const std::vector<bool>* refs) { m_shared_refs = refs; }

  // Walks defined function `func_index` of `m`. The walker can be reused for any number of
  // functions; its vectors keep their capacity.
  Result<void> walk(const Module& m, uint32_t func_index, Listener& listener);

 private:
  using Types = std::span<const ValType>;

  Result<void> prepare_locals(const Module& m, uint32_t func_index);
  // The fast path (see walk_detail::FastKind): 1 when it handled the instruction at `r`
  // (and advanced `r`), 0 when the general path must take it, -1 on a listener error
  // (stored in `err`).
  int try_fast(Reader& r, std::optional<Error>& err);
  // Types a simple (Sig-typed) instruction whose operands are all present with exactly the
  // expected types; false (nothing changed) otherwise.
  [[gnu::always_inline]] bool fast_simple_types_ok(const SimpleSig& sig) const {
    const size_t size = m_operands.size();
    const size_t n = sig.param_count;
    if (size - m_frames.back().height < n) return false;
    const Operand* top = m_operands.data() + size - n;
    for (size_t i = 0; i < n; ++i)
      if (top[i].type != sig.params[i]) return false;
    return true;
  }
  // Applies a simple instruction's effect: pops its params (all present), pushes its result.
  [[gnu::always_inline]] void fast_simple_apply(const SimpleSig& sig) {
    if (sig.param_count != 0) {
      m_slot_height = m_operands[m_operands.size() - sig.param_count].slot;
      for (uint8_t i = 0; i < sig.param_count; ++i) m_operands.pop_back();
    }
    if (sig.result_count != 0) push(sig.result);
  }
  Result<void> step(const Instr& ins);
  Result<void> step_simple(const Instr& ins);
  Result<void> step_select(const Instr& ins);
  Result<void> step_br_table(const Instr& ins);
  Result<void> step_table(const Instr& ins);
  Result<void> block_sig(const Instr& ins, BlockSig& out) const;
  Result<void> check_frame_end(const Instr& ins) const;
  bool declared_ref(uint32_t func);

  // Checks that the operands `skip` and more below the top have the types `types` (its last
  // element nearest the top), without changing the stacks.
  [[gnu::always_inline]] Result<void> expect_top(const Instr& ins, Types types, uint32_t skip = 0) const {
    const CtrlFrame& f = m_frames.back();
    const size_t size = m_operands.size();
    const size_t avail = size - f.height;
    const size_t n = types.size();
    for (size_t i = 0; i < n; ++i) {
      const size_t depth = skip + i;
      const ValType want = types[n - 1 - i];
      if (depth >= avail) {
        if (f.unreachable) return {};  // polymorphic stack: the rest are "unknown"
        return walk_detail::type_mismatch(ins, want, true, ValType::Bottom);
      }
      const ValType got = m_operands[size - 1 - depth].type;
      if (got != want && got != ValType::Bottom && want != ValType::Bottom) [[unlikely]]
        return walk_detail::type_mismatch(ins, want, false, got);
    }
    return {};
  }
  [[gnu::always_inline]] Result<void> expect_one(const Instr& ins, ValType t, uint32_t skip = 0) const {
    return expect_top(ins, single_type(t), skip);
  }
  // The type `depth` below the top: Bottom when missing in unreachable code.
  Result<ValType> peek(const Instr& ins, uint32_t depth) const {
    const CtrlFrame& f = m_frames.back();
    const size_t avail = m_operands.size() - f.height;
    if (depth < avail) return m_operands[m_operands.size() - 1 - depth].type;
    if (f.unreachable) return ValType::Bottom;
    return walk_detail::type_mismatch(ins, ValType::Bottom, true, ValType::Bottom);
  }

  [[gnu::always_inline]] void push(ValType t) {
    m_operands.push_back(Operand{t, m_slot_height});
    m_slot_height += slot_count(t);
    if (m_slot_height > m_max_slot_height) m_max_slot_height = m_slot_height;
  }
  void push_all(Types ts) {
    for (ValType t : ts) push(t);
  }
  // Pops up to n operands of the current frame (fewer in unreachable code).
  [[gnu::always_inline]] void pop_n(size_t n) {
    const size_t avail = m_operands.size() - m_frames.back().height;
    const size_t k = std::min(n, avail);
    if (k == 0) return;
    m_slot_height = m_operands[m_operands.size() - k].slot;
    m_operands.resize(m_operands.size() - k);
  }
  void truncate_to_frame(const CtrlFrame& f) {
    m_operands.resize(f.height);
    m_slot_height = f.slot_height;
  }
  void set_unreachable() {
    CtrlFrame& f = m_frames.back();
    truncate_to_frame(f);
    f.unreachable = true;
  }
  [[gnu::always_inline]] void push_frame(Op kind, const BlockSig& sig) {
    m_frames.push_back(CtrlFrame{kind, sig, static_cast<uint32_t>(m_operands.size()),
                                 m_slot_height, false});
    push_all(sig.params);
  }

  // Calls a listener hook that returns void or Result<void>.
  template <class F>
  static Result<void> call_hook(F&& f) {
    if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
      f();
      return {};
    } else {
      return f();
    }
  }
  [[gnu::always_inline]] Result<void> emit(const Instr& ins) {
    using R = decltype(m_listener->on_instr(ins, std::declval<const WalkState&>()));
    if constexpr (std::is_void_v<R>) {
      m_listener->on_instr(ins, *this);
      return {};
    } else {
      return m_listener->on_instr(ins, *this);
    }
  }

  const Module* m_module = nullptr;
  Listener* m_listener = nullptr;
  std::vector<ValType> m_locals;  // params, then declared locals
  Instr m_ins;                    // reused: br_table's target vector keeps its capacity
  std::vector<bool> m_own_refs;
  bool m_own_refs_ready = false;
  const std::vector<bool>* m_shared_refs = nullptr;
};

template <class Listener>
Result<void> walk_function(const Module& m, uint32_t func_index, Listener& listener) {
  FunctionWalker<Listener> walker;
  return walker.walk(m, func_index, listener);
}

// ---------------------------------------------------------------------------------------
// Implementation

template <class Listener>
Result<void> FunctionWalker<Listener>::prepare_locals(const Module& m, uint32_t func_index) {
  const FunctionBody& body = m.body(func_index);
  const FuncType& ft = m.types[m.funcs[func_index]];
  uint64_t total = ft.params.size();
  for (const LocalRun& run : body.locals) {
    total += run.count;
    if (total > kMaxFunctionLocals)
      return walk_detail::invalid(body.entry_offset, "too many locals");
  }
  if (total > kMaxFunctionLocals) return walk_detail::invalid(body.entry_offset, "too many locals");
  m_locals.clear();
  m_locals.reserve(total);
  m_locals.insert(m_locals.end(), ft.params.begin(), ft.params.end());
  for (const LocalRun& run : body.locals) m_locals.insert(m_locals.end(), run.count, run.type);
  return {};
}

template <class Listener>
Result<void> FunctionWalker<Listener>::walk(const Module& m, uint32_t func_index,
                                            Listener& listener) {
  m_module = &m;
  m_listener = &listener;
  m_operands.clear();
  m_frames.clear();
  m_slot_height = 0;
  m_max_slot_height = 0;
  m_own_refs_ready = false;

  if (func_index < m.imported_funcs || func_index >= m.funcs.size() ||
      func_index - m.imported_funcs >= m.code.size())
    return walk_detail::unknown_index(kNoOffset, "function", func_index);
  const FunctionBody& body = m.body(func_index);
  if (m.funcs[func_index] >= m.types.size())
    return walk_detail::unknown_index(body.entry_offset, "type", m.funcs[func_index]);
  if (body.body_offset > body.body_end || body.body_end > m.bytes.size())
    return walk_detail::malformed(body.entry_offset, "unexpected end of section or function");
  WSVM_TRY_VOID(prepare_locals(m, func_index));

  const FuncType& ft = m.types[m.funcs[func_index]];
  m_frames.push_back(CtrlFrame{Op::call, BlockSig{ft.params, ft.results}, 0, 0, false});
  WSVM_TRY_VOID(
      call_hook([&] { return listener.begin_function(m, func_index, Types(m_locals)); }));

  Reader r(m.body_bytes(func_index), body.body_offset, true);
  std::optional<Error> err;
  while (!m_frames.empty()) {
    if (r.at_end()) [[unlikely]]
      return walk_detail::malformed(r.offset(), "END opcode expected");
    const int fast = try_fast(r, err);
    if (fast > 0) [[likely]]
      continue;
    if (fast < 0) return std::unexpected(std::move(*err));
    WSVM_TRY_VOID(read_instr(r, m_ins));
    WSVM_TRY_VOID(step(m_ins));
  }
  if (!r.at_end()) return walk_detail::malformed(r.offset(), "section size mismatch");
  return call_hook([&] { return listener.end_function(static_cast<const WalkState&>(*this)); });
}

template <class Listener>
[[gnu::always_inline]] inline int FunctionWalker<Listener>::try_fast(Reader& r,
                                                                     std::optional<Error>& err) {
  using walk_detail::FastKind;
  const uint8_t* p = r.pos();
  const size_t left = r.remaining();  // >= 1
  const walk_detail::FastEntry e = walk_detail::kFastTable[p[0]];
  Instr& ins = m_ins;
  size_t len = 1;
  auto emit_ok = [&]() -> bool {
    ins.op = e.op;
    ins.offset = r.offset();
    r.skip(len);
    if (Result<void> ok = emit(ins); !ok) [[unlikely]] {
      err = std::move(ok.error());
      return false;
    }
    return true;
  };
  switch (e.kind) {
    case FastKind::General:
      return 0;
    case FastKind::Simple: {
      const SimpleSig& sig = simple_sig(e.op);
      if (!fast_simple_types_ok(sig)) return 0;
      if (!emit_ok()) return -1;
      fast_simple_apply(sig);
      return 1;
    }
    case FastKind::LocalGet:
    case FastKind::LocalSet:
    case FastKind::LocalTee: {
      uint32_t idx;
      const size_t n = walk_detail::fast_uleb(p + 1, left - 1, idx);
      if (n == 0 || idx >= m_locals.size()) return 0;
      const ValType t = m_locals[idx];
      if (e.kind != FastKind::LocalGet) {
        const size_t size = m_operands.size();
        if (size == m_frames.back().height || m_operands[size - 1].type != t) return 0;
      }
      ins.a = idx;
      len = 1 + n;
      if (!emit_ok()) return -1;
      if (e.kind == FastKind::LocalSet) {
        m_slot_height = m_operands.back().slot;
        m_operands.pop_back();
      } else if (e.kind == FastKind::LocalGet) {
        push(t);
      }  // local.tee leaves the operand as it is
      return 1;
    }
    case FastKind::I32Const:
    case FastKind::I64Const: {
      int32_t v;
      const size_t n = walk_detail::fast_sleb(p + 1, left - 1, v);
      if (n == 0) return 0;
      ins.imm = static_cast<uint64_t>(static_cast<int64_t>(v));
      len = 1 + n;
      if (!emit_ok()) return -1;
      push(e.kind == FastKind::I32Const ? ValType::I32 : ValType::I64);
      return 1;
    }
    case FastKind::MemArg: {
      uint32_t offset;
      if (left < 3 || p[1] >= 8 || m_module->memories.empty()) return 0;
      if ((1u << p[1]) > op_info(e.op).mem) return 0;  // alignment too large
      const size_t n = walk_detail::fast_uleb(p + 2, left - 2, offset);
      if (n == 0) return 0;
      const SimpleSig& sig = simple_sig(e.op);
      if (!fast_simple_types_ok(sig)) return 0;
      ins.a = p[1];
      ins.imm = offset;
      len = 2 + n;
      if (!emit_ok()) return -1;
      fast_simple_apply(sig);
      return 1;
    }
    case FastKind::Block: {  // block / loop with blocktype 0x40 or one value type
      if (left < 2) return 0;
      BlockSig sig;
      if (p[1] == 0x40) {
        ins.block.kind = BlockType::Kind::Empty;
      } else if (is_valtype_byte(p[1])) {
        ins.block.kind = BlockType::Kind::Value;
        ins.block.value = static_cast<ValType>(p[1]);
        sig.results = single_type(ins.block.value);
      } else {
        return 0;
      }
      len = 2;
      if (!emit_ok()) return -1;
      push_frame(e.op, sig);
      return 1;
    }
    case FastKind::End: {  // a reachable frame other than an if, holding exactly its results
      const CtrlFrame& f = m_frames.back();
      if (f.kind == Op::if_ || f.unreachable) return 0;
      const size_t size = m_operands.size();
      const size_t nres = f.sig.results.size();
      if (size - f.height != nres) return 0;
      for (size_t i = 0; i < nres; ++i)
        if (m_operands[f.height + i].type != f.sig.results[i]) return 0;
      if (!emit_ok()) return -1;
      // The results stay where they are: the frame's operands are exactly its results.
      m_frames.pop_back();
      return 1;
    }
    case FastKind::Br:
    case FastKind::BrIf: {
      if (left < 2 || p[1] >= 0x80 || p[1] >= m_frames.size()) return 0;
      const Types lt = control(p[1]).label_types();
      const size_t cond = e.kind == FastKind::BrIf ? 1 : 0;
      const size_t size = m_operands.size();
      if (size - m_frames.back().height < lt.size() + cond) return 0;
      if (cond != 0 && m_operands[size - 1].type != ValType::I32) return 0;
      const Operand* vals = m_operands.data() + size - cond - lt.size();
      for (size_t i = 0; i < lt.size(); ++i)
        if (vals[i].type != lt[i]) return 0;
      ins.a = p[1];
      len = 2;
      if (!emit_ok()) return -1;
      if (cond != 0) {  // the label's values stay: br_if pops them and pushes them back
        m_slot_height = m_operands.back().slot;
        m_operands.pop_back();
      } else {
        set_unreachable();
      }
      return 1;
    }
    case FastKind::Drop: {
      if (m_operands.size() == m_frames.back().height) return 0;
      if (!emit_ok()) return -1;
      m_slot_height = m_operands.back().slot;
      m_operands.pop_back();
      return 1;
    }
  }
  return 0;
}

template <class Listener>
Result<void> FunctionWalker<Listener>::block_sig(const Instr& ins, BlockSig& out) const {
  switch (ins.block.kind) {
    case BlockType::Kind::Empty: out = BlockSig{}; return {};
    case BlockType::Kind::Value: out = BlockSig{{}, single_type(ins.block.value)}; return {};
    case BlockType::Kind::TypeIndex: {
      const uint32_t idx = ins.block.type_index;
      if (idx >= m_module->types.size())
        return walk_detail::unknown_index(ins.offset, "type", idx);
      const FuncType& ft = m_module->types[idx];
      out = BlockSig{ft.params, ft.results};
      return {};
    }
  }
  return {};
}

// At `else` / `end`: the frame's results must be exactly what is above the frame's height.
template <class Listener>
Result<void> FunctionWalker<Listener>::check_frame_end(const Instr& ins) const {
  const CtrlFrame& f = m_frames.back();
  const size_t avail = m_operands.size() - f.height;
  if (avail > f.sig.results.size()) [[unlikely]]
    return walk_detail::type_mismatch_msg(ins, "values remain on the stack at the end of a block");
  return expect_top(ins, f.sig.results);
}

template <class Listener>
bool FunctionWalker<Listener>::declared_ref(uint32_t func) {
  const std::vector<bool>* refs = m_shared_refs;
  if (refs == nullptr) {
    if (!m_own_refs_ready) {
      walk_detail::collect_declared_refs(*m_module, m_own_refs);
      m_own_refs_ready = true;
    }
    refs = &m_own_refs;
  }
  return func < refs->size() && (*refs)[func];
}

template <class Listener>
Result<void> FunctionWalker<Listener>::step(const Instr& ins) {
  const Module& m = *m_module;
  switch (ins.op) {
    case Op::unreachable:
      WSVM_TRY_VOID(emit(ins));
      set_unreachable();
      return {};
    case Op::nop:
      return emit(ins);
    case Op::block:
    case Op::loop: {
      BlockSig sig;
      WSVM_TRY_VOID(block_sig(ins, sig));
      WSVM_TRY_VOID(expect_top(ins, sig.params));
      WSVM_TRY_VOID(emit(ins));
      pop_n(sig.params.size());
      push_frame(ins.op, sig);
      return {};
    }
    case Op::if_: {
      BlockSig sig;
      WSVM_TRY_VOID(block_sig(ins, sig));
      WSVM_TRY_VOID(expect_one(ins, ValType::I32));
      WSVM_TRY_VOID(expect_top(ins, sig.params, 1));
      WSVM_TRY_VOID(emit(ins));
      pop_n(sig.params.size() + 1);
      push_frame(Op::if_, sig);
      return {};
    }
    case Op::else_: {
      // In the binary grammar `else` only follows an if's instructions.
      if (m_frames.back().kind != Op::if_)
        return walk_detail::malformed(ins.offset, "END opcode expected");
      WSVM_TRY_VOID(check_frame_end(ins));
      WSVM_TRY_VOID(emit(ins));
      CtrlFrame& f = m_frames.back();
      truncate_to_frame(f);
      f.kind = Op::else_;
      f.unreachable = false;
      push_all(f.sig.params);
      return {};
    }
    case Op::end: {
      const CtrlFrame& f = m_frames.back();
      // An if without else has an empty else branch, which must map params to results.
      if (f.kind == Op::if_ && !walk_detail::same_types(f.sig.params, f.sig.results))
        return walk_detail::type_mismatch_msg(ins, "if without else must not change the types");
      WSVM_TRY_VOID(check_frame_end(ins));
      WSVM_TRY_VOID(emit(ins));
      const CtrlFrame done = m_frames.back();
      m_frames.pop_back();
      m_operands.resize(done.height);
      m_slot_height = done.slot_height;
      push_all(done.sig.results);
      return {};
    }
    case Op::br: {
      if (ins.a >= m_frames.size()) return walk_detail::unknown_index(ins.offset, "label", ins.a);
      WSVM_TRY_VOID(expect_top(ins, control(ins.a).label_types()));
      WSVM_TRY_VOID(emit(ins));
      set_unreachable();
      return {};
    }
    case Op::br_if: {
      if (ins.a >= m_frames.size()) return walk_detail::unknown_index(ins.offset, "label", ins.a);
      const Types lt = control(ins.a).label_types();
      WSVM_TRY_VOID(expect_one(ins, ValType::I32));
      WSVM_TRY_VOID(expect_top(ins, lt, 1));
      WSVM_TRY_VOID(emit(ins));
      pop_n(lt.size() + 1);
      push_all(lt);
      return {};
    }
    case Op::br_table:
      return step_br_table(ins);
    case Op::return_: {
      WSVM_TRY_VOID(expect_top(ins, m_frames.front().sig.results));
      WSVM_TRY_VOID(emit(ins));
      set_unreachable();
      return {};
    }
    case Op::call: {
      if (ins.a >= m.funcs.size()) return walk_detail::unknown_index(ins.offset, "function", ins.a);
      if (m.funcs[ins.a] >= m.types.size())
        return walk_detail::unknown_index(ins.offset, "type", m.funcs[ins.a]);
      const FuncType& ft = m.types[m.funcs[ins.a]];
      WSVM_TRY_VOID(expect_top(ins, ft.params));
      WSVM_TRY_VOID(emit(ins));
      pop_n(ft.params.size());
      push_all(ft.results);
      return {};
    }
    case Op::call_indirect: {
      if (ins.b >= m.tables.size()) return walk_detail::unknown_index(ins.offset, "table", ins.b);
      if (ins.a >= m.types.size()) return walk_detail::unknown_index(ins.offset, "type", ins.a);
      if (m.tables[ins.b].elem != ValType::FuncRef)
        return walk_detail::type_mismatch_msg(ins, "call_indirect needs a funcref table");
      const FuncType& ft = m.types[ins.a];
      WSVM_TRY_VOID(expect_one(ins, ValType::I32));
      WSVM_TRY_VOID(expect_top(ins, ft.params, 1));
      WSVM_TRY_VOID(emit(ins));
      pop_n(ft.params.size() + 1);
      push_all(ft.results);
      return {};
    }
    case Op::drop: {
      WSVM_TRY_VOID(peek(ins, 0));
      WSVM_TRY_VOID(emit(ins));
      pop_n(1);
      return {};
    }
    case Op::select:
    case Op::select_t:
      return step_select(ins);
    case Op::local_get:
    case Op::local_set:
    case Op::local_tee: {
      if (ins.a >= m_locals.size()) return walk_detail::unknown_index(ins.offset, "local", ins.a);
      const ValType t = m_locals[ins.a];
      if (ins.op != Op::local_get) WSVM_TRY_VOID(expect_one(ins, t));
      WSVM_TRY_VOID(emit(ins));
      if (ins.op != Op::local_get) pop_n(1);
      if (ins.op != Op::local_set) push(t);
      return {};
    }
    case Op::global_get:
    case Op::global_set: {
      if (ins.a >= m.globals.size()) return walk_detail::unknown_index(ins.offset, "global", ins.a);
      const GlobalType& g = m.globals[ins.a];
      if (ins.op == Op::global_set) {
        if (!g.mut) return walk_detail::invalid(ins.offset, "global is immutable");
        WSVM_TRY_VOID(expect_one(ins, g.type));
      }
      WSVM_TRY_VOID(emit(ins));
      if (ins.op == Op::global_set) pop_n(1);
      else push(g.type);
      return {};
    }
    case Op::table_get:
    case Op::table_set:
    case Op::table_size:
    case Op::table_grow:
    case Op::table_fill:
    case Op::table_copy:
    case Op::table_init:
    case Op::elem_drop:
      return step_table(ins);
    case Op::ref_null:
      WSVM_TRY_VOID(emit(ins));
      push(ins.type);
      return {};
    case Op::ref_is_null: {
      const ValType t = WSVM_TRY(peek(ins, 0));
      if (t != ValType::Bottom && !is_reftype(t))
        return walk_detail::type_mismatch_msg(ins, "ref.is_null needs a reference operand");
      WSVM_TRY_VOID(emit(ins));
      pop_n(1);
      push(ValType::I32);
      return {};
    }
    case Op::ref_func: {
      if (ins.a >= m.funcs.size()) return walk_detail::unknown_index(ins.offset, "function", ins.a);
      if (!declared_ref(ins.a))
        return walk_detail::invalid(ins.offset, "undeclared function reference");
      WSVM_TRY_VOID(emit(ins));
      push(ValType::FuncRef);
      return {};
    }
    default:
      return step_simple(ins);
  }
}

// Instructions typed by the opcode table's Sig column, plus their index checks (memory 0,
// alignment, data segments).
template <class Listener>
Result<void> FunctionWalker<Listener>::step_simple(const Instr& ins) {
  const Module& m = *m_module;
  const OpInfo& info = op_info(ins.op);
  switch (info.imm) {
    case Imm::MemArg: {
      if (m.memories.empty()) return walk_detail::unknown_index(ins.offset, "memory", 0);
      // 2^align must not exceed the natural access size.
      if (ins.a >= 8 || (1u << ins.a) > info.mem)
        return walk_detail::invalid(ins.offset, "alignment must not be larger than natural");
      break;
    }
    case Imm::MemArgLane: {  // SIMD load/store_lane: memarg of one lane, then its index
      if (m.memories.empty()) return walk_detail::unknown_index(ins.offset, "memory", 0);
      if (ins.a >= 8 || (1u << ins.a) > info.mem)
        return walk_detail::invalid(ins.offset, "alignment must not be larger than natural");
      if (ins.lane >= info.lanes) return walk_detail::invalid(ins.offset, "invalid lane index");
      break;
    }
    case Imm::Lane:  // extract/replace_lane: index below the shape's lane count
      if (ins.lane >= info.lanes) return walk_detail::invalid(ins.offset, "invalid lane index");
      break;
    case Imm::Shuffle:  // each index picks one of the 32 bytes of the two operands
      for (uint8_t lane : ins.v128)
        if (lane >= 32) return walk_detail::invalid(ins.offset, "invalid lane index");
      break;
    case Imm::MemIdx:
    case Imm::MemoryCopy:
      if (m.memories.empty()) return walk_detail::unknown_index(ins.offset, "memory", 0);
      break;
    case Imm::MemoryInit:
    case Imm::DataIdx: {
      // Data indices in code need the data count section when there are data segments
      // (binary format, so malformed). Without any data segment the index is simply out of
      // range, as the spec suite expects for text modules (memory_init.wast).
      if (!m.data_count && !m.datas.empty())
        return walk_detail::malformed(ins.offset, "data count section required");
      if (ins.op == Op::memory_init && m.memories.empty())
        return walk_detail::unknown_index(ins.offset, "memory", 0);
      const uint64_t data_count = m.data_count ? *m.data_count : m.datas.size();
      if (ins.a >= data_count)
        return walk_detail::unknown_index(ins.offset, "data segment", ins.a);
      break;
    }
    default:
      break;
  }
  if (info.sig == Sig::special) [[unlikely]]
    return walk_detail::invalid(ins.offset, std::string("no validation rule for ") + info.text);
  const SimpleSig& sig = simple_sig(ins.op);
  WSVM_TRY_VOID(expect_top(ins, sig.param_types()));
  WSVM_TRY_VOID(emit(ins));
  pop_n(sig.param_count);
  if (sig.result_count != 0) push(sig.result);
  return {};
}

template <class Listener>
Result<void> FunctionWalker<Listener>::step_select(const Instr& ins) {
  WSVM_TRY_VOID(expect_one(ins, ValType::I32));
  ValType result;
  if (ins.op == Op::select_t) {
    if (ins.b != 1) return walk_detail::invalid(ins.offset, "invalid result arity");
    result = ins.type;
    WSVM_TRY_VOID(expect_one(ins, result, 1));
    WSVM_TRY_VOID(expect_one(ins, result, 2));
  } else {
    // Untyped select: both operands numeric (or both vectors) and equal.
    const ValType t1 = WSVM_TRY(peek(ins, 1));
    const ValType t2 = WSVM_TRY(peek(ins, 2));
    using namespace walk_detail;
    const bool ok_kind = (is_num_or_bottom(t1) && is_num_or_bottom(t2)) ||
                         (is_vec_or_bottom(t1) && is_vec_or_bottom(t2));
    if (!ok_kind)
      return type_mismatch_msg(ins, "select without a type needs numeric operands");
    if (t1 != t2 && t1 != ValType::Bottom && t2 != ValType::Bottom)
      return type_mismatch_msg(ins, "select operands differ in type");
    result = t1 == ValType::Bottom ? t2 : t1;
  }
  WSVM_TRY_VOID(emit(ins));
  pop_n(3);
  push(result);
  return {};
}

template <class Listener>
Result<void> FunctionWalker<Listener>::step_br_table(const Instr& ins) {
  if (ins.a >= m_frames.size()) return walk_detail::unknown_index(ins.offset, "label", ins.a);
  const Types dflt = control(ins.a).label_types();
  WSVM_TRY_VOID(expect_one(ins, ValType::I32));
  // Every target is checked against the stack on its own: in unreachable code the types of
  // different labels may differ as long as their arities agree.
  for (uint32_t target : ins.targets) {
    if (target >= m_frames.size())
      return walk_detail::unknown_index(ins.offset, "label", target);
    const Types lt = control(target).label_types();
    if (lt.size() != dflt.size())
      return walk_detail::type_mismatch_msg(ins, "br_table targets differ in arity");
    WSVM_TRY_VOID(expect_top(ins, lt, 1));
  }
  WSVM_TRY_VOID(expect_top(ins, dflt, 1));
  WSVM_TRY_VOID(emit(ins));
  set_unreachable();
  return {};
}

template <class Listener>
Result<void> FunctionWalker<Listener>::step_table(const Instr& ins) {
  const Module& m = *m_module;
  auto table_at = [&](uint32_t idx) -> Result<ValType> {
    if (idx >= m.tables.size()) return walk_detail::unknown_index(ins.offset, "table", idx);
    return m.tables[idx].elem;
  };
  auto elem_at = [&](uint32_t idx) -> Result<ValType> {
    if (idx >= m.elems.size()) return walk_detail::unknown_index(ins.offset, "elem segment", idx);
    return m.elems[idx].type;
  };
  constexpr ValType i32 = ValType::I32;
  size_t pops = 0;
  ValType result = ValType::Bottom;  // Bottom: no result
  switch (ins.op) {
    case Op::table_get: {  // [i32] -> [t]
      result = WSVM_TRY(table_at(ins.a));
      WSVM_TRY_VOID(expect_one(ins, i32));
      pops = 1;
      break;
    }
    case Op::table_set: {  // [i32 t] -> []
      const ValType t = WSVM_TRY(table_at(ins.a));
      WSVM_TRY_VOID(expect_one(ins, t));
      WSVM_TRY_VOID(expect_one(ins, i32, 1));
      pops = 2;
      break;
    }
    case Op::table_size:  // [] -> [i32]
      WSVM_TRY_VOID(table_at(ins.a));
      result = i32;
      break;
    case Op::table_grow: {  // [t i32] -> [i32]
      const ValType t = WSVM_TRY(table_at(ins.a));
      WSVM_TRY_VOID(expect_one(ins, i32));
      WSVM_TRY_VOID(expect_one(ins, t, 1));
      pops = 2;
      result = i32;
      break;
    }
    case Op::table_fill: {  // [i32 t i32] -> []
      const ValType t = WSVM_TRY(table_at(ins.a));
      WSVM_TRY_VOID(expect_one(ins, i32));
      WSVM_TRY_VOID(expect_one(ins, t, 1));
      WSVM_TRY_VOID(expect_one(ins, i32, 2));
      pops = 3;
      break;
    }
    case Op::table_copy:    // a = dst, b = src: [i32 i32 i32] -> []
    case Op::table_init: {  // a = elem, b = table
      ValType dst, src;
      if (ins.op == Op::table_copy) {
        dst = WSVM_TRY(table_at(ins.a));
        src = WSVM_TRY(table_at(ins.b));
      } else {
        dst = WSVM_TRY(table_at(ins.b));
        src = WSVM_TRY(elem_at(ins.a));
      }
      if (dst != src)
        return walk_detail::type_mismatch(ins, dst, false, src);
      WSVM_TRY_VOID(expect_one(ins, i32));
      WSVM_TRY_VOID(expect_one(ins, i32, 1));
      WSVM_TRY_VOID(expect_one(ins, i32, 2));
      pops = 3;
      break;
    }
    case Op::elem_drop:
      WSVM_TRY_VOID(elem_at(ins.a));
      break;
    default:
      return walk_detail::invalid(ins.offset, "not a table instruction");
  }
  WSVM_TRY_VOID(emit(ins));
  pop_n(pops);
  if (result != ValType::Bottom) push(result);
  return {};
}

}  // namespace wsvm

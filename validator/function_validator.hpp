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
#include <deque>
#include <optional>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "decoder/error.hpp"
#include "decoder/instr.hpp"
#include "decoder/limits.hpp"
#include "decoder/module.hpp"
#include "decoder/reader.hpp"
#include "validator/sig_table.hpp"
#include "validator/walk_state.hpp"

namespace wsvm {

// The hot helpers of the walker are force-inlined: validation runs once per body byte.

// Implementation limit on params + locals of one function (decoder/limits.hpp). The locals
// are expanded into one ValType per local, so the count must be checked before. It is the
// validator's (Invalid, as it has always been here) since the count needs the function's type.
inline constexpr uint64_t kMaxFunctionLocals = limits::kMaxLocals;

struct NullListener {
  static constexpr bool kExceptions = true;  // validation alone: every instruction
  static constexpr bool kMultiMemory = true;
  static constexpr bool kMemory64 = true;
  void begin_function(const Module&, uint32_t, std::span<const ValType>) {}
  void on_instr(const Instr&, const WalkState&) {}
  void end_function(const WalkState&) {}
};

// C.refs: the functions referenced outside function bodies (element segments, exports,
// global initialisers); only those may be named by ref.func inside a body. A listener's
// engine computes it once per module for FunctionWalker::use_declared_refs.
void collect_declared_refs(const Module& m, std::vector<bool>& out);

namespace walk_detail {

// Error builders live out of line (walker_support.cpp): they are only on the failure path.
[[gnu::cold]] std::unexpected<Error> invalid(size_t offset, std::string message);
[[gnu::cold]] std::unexpected<Error> malformed(size_t offset, std::string message);
// The declared bailout of a listener without kExceptions (walk_state.hpp, "Capabilities").
[[gnu::cold]] std::unexpected<Error> declined_exception(const Instr& ins, uint32_t func_index);
// Module::wasm2: the instruction in [begin, end) as 2.0 encoded it: a memory index is a
// reserved 0x00 byte (else malformed "zero byte expected"), a memarg has none.
[[gnu::cold]] Result<void> check_wasm2_encoding(const Instr& ins, const uint8_t* begin,
                                                const uint8_t* end);
// The same for the other capabilities: `feature` names what the engine lacks.
[[gnu::cold]] std::unexpected<Error> declined_feature(const Instr& ins, uint32_t func_index,
                                                      const char* feature);
// "unknown <what> <index>", e.g. "unknown local 3".
[[gnu::cold]] std::unexpected<Error> unknown_index(size_t offset, const char* what,
                                                   uint64_t index);
// "type mismatch: <op> expects <want>, got <got|nothing>".
[[gnu::cold]] std::unexpected<Error> type_mismatch(const Instr& ins, ValType want, bool missing,
                                                   ValType got);
[[gnu::cold]] std::unexpected<Error> type_mismatch_msg(const Instr& ins, const char* detail);

// Each of `a` matches the type at the same place in `b` (Wasm 3.0 subtyping).
inline bool all_match(std::span<const ValType> a, std::span<const ValType> b,
                      const TypeContext& ctx) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!matches(a[i], b[i], ctx)) return false;
  return true;
}

// A concrete type index inside a value type must name a type of the module.
inline Result<void> check_valtype(const Module& m, ValType t, size_t offset) {
  if (t.heap() == HeapType::Index && t.type_index() >= m.types.size()) [[unlikely]]
    return unknown_index(offset, "type", t.type_index());
  return {};
}

// Numeric or unknown (for untyped select, which only accepts numeric / vector operands).
inline bool is_num_or_bottom(ValType t) { return is_num(t) || t == ValType::Bottom; }
inline bool is_vec_or_bottom(ValType t) { return t == ValType::V128 || t == ValType::Bottom; }

// The walk loop decodes and types the instructions that make up most bodies itself, by
// their first byte, instead of going through read_instr() and step(): numeric operators
// without immediates, local.get/set/tee, constants, loads and stores, block/loop/if with an
// empty or single-value type, else, end, br, br_if, drop and call, with LEB immediates of
// up to 4 bytes (5 for i32.const, 9 for i64.const). Anything unusual about one of them (a
// longer LEB, an operand missing or of the wrong type, unreachable code, no memory) sends
// it down the general path, which decodes it again and reports the error; the fast path
// changes nothing before deciding.
enum class FastKind : uint8_t {
  General, Simple, Unop, Binop, LocalGet, LocalSet, LocalTee, I32Const, I64Const, F32Const,
  F64Const, Load, Store, Block, If, Else, End, Br, BrIf, Drop, Call,
};

// One 8-byte entry per first byte: the operand types of the fixed-signature kinds are in the
// entry itself, so typing them needs no second table load. Every type in an Unop / Binop /
// Load / Store entry takes one slot (the one-byte opcodes have no v128 operands).
struct FastEntry {
  Op op = Op::nop;
  FastKind kind = FastKind::General;
  ValType p0 = ValType::Bottom;      // Unop, Binop: the first (deepest) operand
  ValType p1 = ValType::Bottom;      // Binop, Store: the second (top) operand
  ValType result = ValType::Bottom;  // Unop, Binop, Load
  uint8_t mem = 0;                   // Load, Store: natural access size in bytes
};

constexpr std::array<FastEntry, 256> make_fast_table() {
  std::array<FastEntry, 256> t{};
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix != 0x00) continue;
    const Op op = static_cast<Op>(i);
    const SimpleSig& s = kOpSigs[i];
    bool one_slot = s.result != ValType::V128;
    for (uint8_t k = 0; k < s.param_count; ++k) one_slot = one_slot && s.params[k] != ValType::V128;
    FastEntry f{op, FastKind::General, s.params[0], s.params[1], s.result, info.mem};
    if (info.imm == Imm::None && info.sig != Sig::special) {
      if (one_slot && s.param_count == 1 && s.result_count == 1) f.kind = FastKind::Unop;
      else if (one_slot && s.param_count == 2 && s.result_count == 1) f.kind = FastKind::Binop;
      else f.kind = FastKind::Simple;
    } else if (info.imm == Imm::MemArg && info.sig != Sig::special && one_slot) {
      if (s.param_count == 1 && s.params[0] == ValType::I32 && s.result_count == 1)
        f.kind = FastKind::Load;
      else if (s.param_count == 2 && s.params[0] == ValType::I32 && s.result_count == 0)
        f.kind = FastKind::Store;
    } else if (op == Op::local_get) f.kind = FastKind::LocalGet;
    else if (op == Op::local_set) f.kind = FastKind::LocalSet;
    else if (op == Op::local_tee) f.kind = FastKind::LocalTee;
    else if (op == Op::i32_const) f.kind = FastKind::I32Const;
    else if (op == Op::i64_const) f.kind = FastKind::I64Const;
    else if (op == Op::f32_const) f.kind = FastKind::F32Const;
    else if (op == Op::f64_const) f.kind = FastKind::F64Const;
    else if (op == Op::block || op == Op::loop) f.kind = FastKind::Block;
    else if (op == Op::if_) f.kind = FastKind::If;
    else if (op == Op::else_) f.kind = FastKind::Else;
    else if (op == Op::end) f.kind = FastKind::End;
    else if (op == Op::br) f.kind = FastKind::Br;
    else if (op == Op::br_if) f.kind = FastKind::BrIf;
    else if (op == Op::drop) f.kind = FastKind::Drop;
    else if (op == Op::call) f.kind = FastKind::Call;
    t[info.code] = f;
  }
  return t;
}

inline constexpr std::array<FastEntry, 256> kFastTable = make_fast_table();

// kTypeOfByte[b] == ValType(b): a one-element type sequence for a block type byte b (only
// read at valid value type bytes).
constexpr std::array<ValType, 256> make_type_of_byte() {
  std::array<ValType, 256> t{};
  for (unsigned b = 0; b < 256; ++b) t[b] = static_cast<ValType>(b);
  return t;
}
inline constexpr std::array<ValType, 256> kTypeOfByte = make_type_of_byte();

// LEB128 of at most 4 bytes (28 value bits) at p[0, left): its length, or 0 when it is
// longer or runs out (the general decoder then applies the exact rules of the last byte).
// Within 4 bytes every encoding is a valid u32 / s32 / s64, as read_instr decodes it.
[[gnu::always_inline]] inline size_t fast_uleb(const uint8_t* p, size_t left, uint32_t& out) {
  if (left != 0 && p[0] < 0x80) [[likely]] {
    out = p[0];
    return 1;
  }
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
// A whole s32 (up to 5 bytes). The 5th byte carries 4 value bits; its 3 bits above them
// must equal the sign bit and it must not continue, else 0 (the general path reports it).
[[gnu::always_inline]] inline size_t fast_s32(const uint8_t* p, size_t left, int32_t& out) {
  const size_t n = fast_sleb(p, left, out);
  if (n != 0 || left < 5 || p[4] >= 0x80) return n;
  const uint8_t high = p[4] & 0x78;
  if (high != 0 && high != 0x78) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i] & 0x7f) << (7 * i);
  v |= static_cast<uint32_t>(p[4]) << 28;  // the low 4 bits; the rest shift out
  out = static_cast<int32_t>(v);
  return 5;
}
// An s64 of up to 9 bytes (63 value bits: no rule on the last byte applies), else 0.
[[gnu::always_inline]] inline size_t fast_s64(const uint8_t* p, size_t left, int64_t& out) {
  uint64_t v = 0;
  const size_t n = left < 9 ? left : 9;
  for (size_t i = 0; i < n; ++i) {
    v |= static_cast<uint64_t>(p[i] & 0x7f) << (7 * i);
    if (!(p[i] & 0x80)) {
      const unsigned unused = 64 - 7 * static_cast<unsigned>(i + 1);
      out = static_cast<int64_t>(v << unused) >> unused;
      return i + 1;
    }
  }
  return 0;
}

}  // namespace walk_detail

template <class Listener>
class FunctionWalker : public WalkState {
 public:
  // Optional: C.refs computed once (collect_declared_refs) for many functions of
  // one module. Without it the walker computes it when a body first uses ref.func.
  void use_declared_refs(const std::vector<bool>* refs) { m_shared_refs = refs; }

  // Walks defined function `func_index` of `m`. The walker can be reused for any number of
  // functions; its vectors keep their capacity.
  Result<void> walk(const Module& m, uint32_t func_index, Listener& listener);

 private:
  using Types = std::span<const ValType>;

  Result<void> prepare_locals(const Module& m, uint32_t func_index);
  // Decodes and checks the body at [p, end) (absolute offset `base`), fast path and general
  // path; see walk_detail::FastKind.
  Result<void> walk_body(const uint8_t* p, const uint8_t* end, size_t base);
  // The general path for the instruction at p (`left` bytes remain, absolute offset `at`):
  // read_instr (exact decode errors), then step(). Returns the instruction's length. Out of
  // line, so the fast loop keeps its registers.
  [[gnu::noinline]] Result<size_t> general_step(const uint8_t* p, size_t left, size_t at);
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
  Result<void> step_return_call(const Instr& ins);
  Result<void> step_call_ref(const Instr& ins);
  Result<void> step_exception(const Instr& ins);  // throw, throw_ref, rethrow, try_table
  // emit() for the exception-handling instructions: a declared bailout for a listener
  // without kExceptions (walk_state.hpp, "Capabilities").
  Result<void> emit_exception(const Instr& ins);
  Result<void> step_legacy_try(const Instr& ins);  // try, catch, catch_all, delegate
  Result<const FuncType*> tag_type(const Instr& ins, uint32_t tag) const;
  Result<void> step_null_branch(const Instr& ins);
  Result<void> step_table(const Instr& ins);
  Result<void> step_memory(const Instr& ins, const OpInfo& info);
  Result<void> check_data_index(const Instr& ins) const;
  // emit() for an instruction on a memory other than 0 or on a 64-bit memory or table: a
  // declared bailout for a listener without kMultiMemory / kMemory64 (walk_state.hpp).
  Result<void> emit_memory(const Instr& ins, bool other, bool addr64);
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
      if (got != want && want != ValType::Bottom && !matches(got, want, m_ctx)) [[unlikely]]
        return walk_detail::type_mismatch(ins, want, false, got);
    }
    return {};
  }
  [[gnu::always_inline]] Result<void> expect_one(const Instr& ins, ValType t, uint32_t skip = 0) const {
    return expect_top(ins, Types(&t, 1), skip);
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
                                 m_slot_height, false,
                                 static_cast<uint32_t>(m_init_log.size())});
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
  uint32_t m_func_index = 0;      // the function being walked (error messages)
  TypeContext m_ctx;              // m_module's types, for subtyping
  // One-type block signatures that have no static storage (reference types other than
  // funcref/externref/exnref): a deque never moves what it holds, so spans stay valid.
  mutable std::deque<ValType> m_block_types;
  Listener* m_listener = nullptr;
  std::vector<ValType> m_locals;  // params, then declared locals
  // The initialization rule of non-defaultable locals (typed function references): only
  // when the function has one. m_local_ok[i]: local i may be read; m_init_log: the locals
  // set since, innermost frame last (CtrlFrame::init_height), so a frame's end forgets them.
  bool m_has_nondefaultable = false;
  std::vector<uint8_t> m_local_ok;
  std::vector<uint32_t> m_init_log;
  void note_local_set(uint32_t i) {
    if (m_local_ok[i]) return;
    m_local_ok[i] = 1;
    m_init_log.push_back(i);
  }
  void forget_inits(const CtrlFrame& f) {
    while (m_init_log.size() > f.init_height) {
      m_local_ok[m_init_log.back()] = 0;
      m_init_log.pop_back();
    }
  }
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
  for (const LocalRun& run : body.locals) total += run.count;  // < 2^32 (the decoder's rule)
  if (total > kMaxFunctionLocals)
    return walk_detail::invalid(body.entry_offset,
                                limits::too_many("locals", total, kMaxFunctionLocals));
  m_locals.clear();
  m_locals.reserve(total);
  m_locals.insert(m_locals.end(), ft.params.begin(), ft.params.end());
  m_has_nondefaultable = false;
  m_init_log.clear();
  for (const LocalRun& run : body.locals) {
    if (run.type.is_ref()) [[unlikely]] {
      WSVM_TRY_VOID(walk_detail::check_valtype(m, run.type, body.entry_offset));
      if (!defaultable(run.type) && run.count != 0 && !m_has_nondefaultable) {
        m_has_nondefaultable = true;
        m_local_ok.assign(total, 1);
      }
      if (!defaultable(run.type))
        std::fill(m_local_ok.begin() + static_cast<std::ptrdiff_t>(m_locals.size()),
                  m_local_ok.begin() + static_cast<std::ptrdiff_t>(m_locals.size() + run.count), 0);
    }
    m_locals.insert(m_locals.end(), run.count, run.type);
  }
  return {};
}

template <class Listener>
Result<void> FunctionWalker<Listener>::walk(const Module& m, uint32_t func_index,
                                            Listener& listener) {
  m_module = &m;
  m_func_index = func_index;
  m_ctx = TypeContext{m.types};
  m_block_types.clear();
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

  const std::span<const uint8_t> bytes = m.body_bytes(func_index);
  WSVM_TRY_VOID(walk_body(bytes.data(), bytes.data() + bytes.size(), body.body_offset));
  return call_hook([&] { return listener.end_function(static_cast<const WalkState&>(*this)); });
}

// Fills m_ins for the listener (op and offset; the caller sets the immediates), calls it, and
// moves past the instruction's `len_` bytes. With NullListener only the move is left.
#define WSVM_FAST_EMIT(len_)                  \
  do {                                        \
    if constexpr (kListens) {                 \
      ins.op = e.op;                          \
      ins.offset = offset_of(p);              \
      WSVM_TRY_VOID(emit(ins));               \
    }                                         \
    p += (len_);                              \
  } while (0)

template <class Listener>
Result<void> FunctionWalker<Listener>::walk_body(const uint8_t* p, const uint8_t* const end,
                                                 size_t base) {
  using walk_detail::FastKind;
  constexpr bool kListens = !std::is_same_v<Listener, NullListener>;
  const uintptr_t bias = base - reinterpret_cast<uintptr_t>(p);
  auto offset_of = [bias](const uint8_t* q) {
    return static_cast<size_t>(bias + reinterpret_cast<uintptr_t>(q));
  };
  const Module& m = *m_module;
  // Loads and stores take the fast path on a 32-bit memory 0 only (i32 address, u32 offset).
  const bool has_memory = !m.memories.empty() && !m.memories[0].limits.addr64;
  const ValType* const locals = m_locals.data();  // fixed for the whole body
  const size_t local_count = m_locals.size();
  [[maybe_unused]] Instr& ins = m_ins;
  for (;;) {
    if (p == end) [[unlikely]]
      return walk_detail::malformed(offset_of(p), "END opcode expected");
    const size_t left = static_cast<size_t>(end - p);  // >= 1
    const walk_detail::FastEntry e = walk_detail::kFastTable[p[0]];
    const size_t size = m_operands.size();
    switch (e.kind) {
      case FastKind::General:
        break;
      default:  // every entry of kFastTable holds a FastKind: no range check on dispatch
        __builtin_unreachable();
      case FastKind::Unop: {
        if (size == m_frames.back().height || m_operands[size - 1].type != e.p0) break;
        WSVM_FAST_EMIT(1);
        m_operands[size - 1].type = e.result;  // one slot in, one slot out
        continue;
      }
      case FastKind::Binop: {
        if (size - m_frames.back().height < 2 || m_operands[size - 2].type != e.p0 ||
            m_operands[size - 1].type != e.p1)
          break;
        WSVM_FAST_EMIT(1);
        m_operands[size - 2].type = e.result;
        m_operands.pop_back();
        m_slot_height -= 1;
        continue;
      }
      case FastKind::Simple: {
        const SimpleSig& sig = simple_sig(e.op);
        if (!fast_simple_types_ok(sig)) break;
        WSVM_FAST_EMIT(1);
        fast_simple_apply(sig);
        continue;
      }
      case FastKind::LocalGet:
      case FastKind::LocalSet:
      case FastKind::LocalTee: {
        uint32_t idx;
        const size_t n = walk_detail::fast_uleb(p + 1, left - 1, idx);
        if (n == 0 || idx >= local_count) break;
        if (m_has_nondefaultable && !m_local_ok[idx]) break;
        const ValType t = locals[idx];
        if (e.kind != FastKind::LocalGet &&
            (size == m_frames.back().height || m_operands[size - 1].type != t))
          break;
        if constexpr (kListens) ins.a = idx;
        WSVM_FAST_EMIT(1 + n);
        if (e.kind == FastKind::LocalSet) {
          m_slot_height = m_operands[size - 1].slot;
          m_operands.pop_back();
        } else if (e.kind == FastKind::LocalGet) {
          push(t);
        }  // local.tee leaves the operand as it is
        continue;
      }
      case FastKind::I32Const: {
        int32_t v;
        const size_t n = walk_detail::fast_s32(p + 1, left - 1, v);
        if (n == 0) break;
        if constexpr (kListens) ins.imm = static_cast<uint64_t>(static_cast<int64_t>(v));
        WSVM_FAST_EMIT(1 + n);
        push(ValType::I32);
        continue;
      }
      case FastKind::I64Const: {
        int64_t v;
        const size_t n = walk_detail::fast_s64(p + 1, left - 1, v);
        if (n == 0) break;
        if constexpr (kListens) ins.imm = static_cast<uint64_t>(v);
        WSVM_FAST_EMIT(1 + n);
        push(ValType::I64);
        continue;
      }
      case FastKind::F32Const: {
        if (left < 5) break;
        if constexpr (kListens) ins.imm = load_le<uint32_t>(p + 1);
        WSVM_FAST_EMIT(5);
        push(ValType::F32);
        continue;
      }
      case FastKind::F64Const: {
        if (left < 9) break;
        if constexpr (kListens) ins.imm = load_le<uint64_t>(p + 1);
        WSVM_FAST_EMIT(9);
        push(ValType::F64);
        continue;
      }
      case FastKind::Load:
      case FastKind::Store: {
        // memarg: a one-byte alignment exponent within the natural size, then the offset.
        if (left < 3 || p[1] >= 8 || !has_memory || (1u << p[1]) > e.mem) break;
        uint32_t offset;
        const size_t n = walk_detail::fast_uleb(p + 2, left - 2, offset);
        if (n == 0) break;
        const size_t height = m_frames.back().height;
        if (e.kind == FastKind::Load) {
          if (size == height || m_operands[size - 1].type != ValType::I32) break;
        } else if (size - height < 2 || m_operands[size - 2].type != ValType::I32 ||
                   m_operands[size - 1].type != e.p1) {
          break;
        }
        if constexpr (kListens) {
          ins.a = p[1];
          ins.b = 0;  // memory 0
          ins.imm = offset;
        }
        WSVM_FAST_EMIT(2 + n);
        if (e.kind == FastKind::Load) {
          m_operands[size - 1].type = e.result;
        } else {
          m_operands.shrink_to(size - 2);
          m_slot_height -= 2;
        }
        continue;
      }
      case FastKind::Block:
      case FastKind::If: {  // blocktype 0x40 or one value type
        if (left < 2) break;
        BlockSig sig;
        if (p[1] != 0x40) {
          if (!is_valtype_byte(p[1])) break;
          sig.results = {&walk_detail::kTypeOfByte[p[1]], 1};
        }
        if (e.kind == FastKind::If &&
            (size == m_frames.back().height || m_operands[size - 1].type != ValType::I32))
          break;
        if constexpr (kListens) {
          if (p[1] == 0x40) {
            ins.block.kind = BlockType::Kind::Empty;
          } else {
            ins.block.kind = BlockType::Kind::Value;
            ins.block.value = static_cast<ValType>(p[1]);
          }
        }
        WSVM_FAST_EMIT(2);
        if (e.kind == FastKind::If) {  // the condition
          m_operands.pop_back();
          m_slot_height -= 1;
        }
        push_frame(e.op, sig);
        continue;
      }
      case FastKind::Else:
      case FastKind::End: {  // a reachable frame holding exactly its results
        CtrlFrame& f = m_frames.back();
        if (f.unreachable || f.init_height != m_init_log.size()) break;
        if (e.kind == FastKind::Else ? f.kind != Op::if_
                                     : f.kind == Op::if_ && (!f.sig.params.empty() ||
                                                             !f.sig.results.empty()))
          break;  // (an if without else must not change the types: leave that to step())
        const size_t nres = f.sig.results.size();
        if (size - f.height != nres) break;
        bool same = true;
        for (size_t i = 0; i < nres; ++i) same &= m_operands[f.height + i].type == f.sig.results[i];
        if (!same) break;
        WSVM_FAST_EMIT(1);
        if (e.kind == FastKind::Else) {
          m_operands.shrink_to(f.height);
          m_slot_height = f.slot_height;
          f.kind = Op::else_;
          push_all(f.sig.params);
          continue;
        }
        // The results stay where they are: the frame's operands are exactly its results.
        m_frames.pop_back();
        if (m_frames.empty()) [[unlikely]]
          goto finished;
        continue;
      }
      case FastKind::Br:
      case FastKind::BrIf: {
        if (left < 2 || p[1] >= 0x80 || p[1] >= m_frames.size()) break;
        const Types lt = control(p[1]).label_types();
        const size_t cond = e.kind == FastKind::BrIf ? 1 : 0;
        if (size - m_frames.back().height < lt.size() + cond) break;
        if (cond != 0 && m_operands[size - 1].type != ValType::I32) break;
        const Operand* vals = m_operands.data() + size - cond - lt.size();
        bool same = true;
        for (size_t i = 0; i < lt.size(); ++i) same &= vals[i].type == lt[i];
        if (!same) break;
        if constexpr (kListens) ins.a = p[1];
        WSVM_FAST_EMIT(2);
        if (cond != 0) {  // the label's values stay: br_if pops them and pushes them back
          m_slot_height = m_operands[size - 1].slot;
          m_operands.pop_back();
        } else {
          set_unreachable();
        }
        continue;
      }
      case FastKind::Drop: {
        if (size == m_frames.back().height) break;
        WSVM_FAST_EMIT(1);
        m_slot_height = m_operands[size - 1].slot;
        m_operands.pop_back();
        continue;
      }
      case FastKind::Call: {
        uint32_t fi;
        const size_t n = walk_detail::fast_uleb(p + 1, left - 1, fi);
        if (n == 0 || fi >= m.funcs.size() || m.funcs[fi] >= m.types.size()) break;
        const FuncType& ft = m.types[m.funcs[fi]];
        const size_t np = ft.params.size();
        if (size - m_frames.back().height < np) break;
        const Operand* args = m_operands.data() + size - np;
        bool same = true;
        for (size_t i = 0; i < np; ++i) same &= args[i].type == ft.params[i];
        if (!same) break;
        if constexpr (kListens) ins.a = fi;
        WSVM_FAST_EMIT(1 + n);
        if (np != 0) {
          m_slot_height = m_operands[size - np].slot;
          m_operands.shrink_to(size - np);
        }
        push_all(ft.results);
        continue;
      }
    }
    // The general path: decode with read_instr (exact errors), type with step().
    p += WSVM_TRY(general_step(p, left, offset_of(p)));
    if (m_frames.empty()) break;
  }
finished:
  if (p != end) return walk_detail::malformed(offset_of(p), "section size mismatch");
  return {};
}

#undef WSVM_FAST_EMIT

template <class Listener>
Result<size_t> FunctionWalker<Listener>::general_step(const uint8_t* p, size_t left, size_t at) {
  Reader r(std::span<const uint8_t>(p, left), at, true);
  WSVM_TRY_VOID(read_instr(r, m_ins));
  if (m_module->wasm2) [[unlikely]]
    WSVM_TRY_VOID(walk_detail::check_wasm2_encoding(m_ins, p, r.pos()));
  WSVM_TRY_VOID(step(m_ins));
  return static_cast<size_t>(r.pos() - p);
}

template <class Listener>
Result<void> FunctionWalker<Listener>::block_sig(const Instr& ins, BlockSig& out) const {
  switch (ins.block.kind) {
    case BlockType::Kind::Empty: out = BlockSig{}; return {};
    case BlockType::Kind::Value: {
      const ValType t = ins.block.value;
      Types one = single_type(t);
      if (one.empty()) {
        WSVM_TRY_VOID(walk_detail::check_valtype(*m_module, t, ins.offset));
        m_block_types.push_back(t);
        one = Types(&m_block_types.back(), 1);
      }
      out = BlockSig{{}, one};
      return {};
    }
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
      collect_declared_refs(*m_module, m_own_refs);
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
      forget_inits(f);
      truncate_to_frame(f);
      f.kind = Op::else_;
      f.unreachable = false;
      push_all(f.sig.params);
      return {};
    }
    case Op::end: {
      const CtrlFrame& f = m_frames.back();
      // An if without else has an empty else branch, which must map params to results.
      if (f.kind == Op::if_ && !walk_detail::all_match(f.sig.params, f.sig.results, m_ctx))
        return walk_detail::type_mismatch_msg(ins, "if without else must not change the types");
      WSVM_TRY_VOID(check_frame_end(ins));
      WSVM_TRY_VOID(emit(ins));
      const CtrlFrame done = m_frames.back();
      forget_inits(done);
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
      if (!matches(m.tables[ins.b].elem, ValType::FuncRef, m_ctx))
        return walk_detail::type_mismatch_msg(ins, "call_indirect needs a funcref table");
      const FuncType& ft = m.types[ins.a];
      const Limits& tl = m.tables[ins.b].limits;
      WSVM_TRY_VOID(expect_one(ins, tl.addr_type()));  // the element index
      WSVM_TRY_VOID(expect_top(ins, ft.params, 1));
      WSVM_TRY_VOID(emit_memory(ins, false, tl.addr64));
      pop_n(ft.params.size() + 1);
      push_all(ft.results);
      return {};
    }
    case Op::return_call:
    case Op::return_call_indirect:
    case Op::return_call_ref:
      return step_return_call(ins);
    case Op::call_ref:
      return step_call_ref(ins);
    case Op::throw_:
    case Op::throw_ref:
    case Op::rethrow:
    case Op::try_table:
      return step_exception(ins);
    case Op::try_:
    case Op::catch_:
    case Op::catch_all:
    case Op::delegate:
      return step_legacy_try(ins);
    case Op::ref_as_non_null:
    case Op::br_on_null:
    case Op::br_on_non_null:
      return step_null_branch(ins);
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
      if (m_has_nondefaultable && ins.op == Op::local_get && !m_local_ok[ins.a]) [[unlikely]]
        return walk_detail::invalid(ins.offset, "uninitialized local");
      if (ins.op != Op::local_get) WSVM_TRY_VOID(expect_one(ins, t));
      if (m_has_nondefaultable && ins.op != Op::local_get) note_local_set(ins.a);
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
      WSVM_TRY_VOID(walk_detail::check_valtype(m, ins.type, ins.offset));
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
      push(ValType::ref_index(m.funcs[ins.a], false));  // Wasm 3.0: (ref $t), never null
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
  const OpInfo& info = op_info(ins.op);
  if (is_memory_imm(info.imm)) return step_memory(ins, info);
  switch (info.imm) {
    case Imm::Lane:  // extract/replace_lane: index below the shape's lane count
      if (ins.lane >= info.lanes) return walk_detail::invalid(ins.offset, "invalid lane index");
      break;
    case Imm::Shuffle:  // each index picks one of the 32 bytes of the two operands
      for (uint8_t lane : ins.v128)
        if (lane >= 32) return walk_detail::invalid(ins.offset, "invalid lane index");
      break;
    case Imm::DataIdx:
      WSVM_TRY_VOID(check_data_index(ins));
      break;
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
Result<void> FunctionWalker<Listener>::check_data_index(const Instr& ins) const {
  // Data indices in code need the data count section when there are data segments
  // (binary format, so malformed). Without any data segment the index is simply out of
  // range, as the spec suite expects for text modules (memory_init.wast).
  const Module& m = *m_module;
  if (!m.data_count && !m.datas.empty())
    return walk_detail::malformed(ins.offset, "data count section required");
  const uint64_t data_count = m.data_count ? *m.data_count : m.datas.size();
  if (ins.a >= data_count) return walk_detail::unknown_index(ins.offset, "data segment", ins.a);
  return {};
}

// The memory instructions: their memory indices (multi-memory), alignment, offset and lane,
// and their operand types, whose addresses (and sizes) are i64 on a 64-bit memory.
// Spec: https://webassembly.github.io/spec/core/valid/instructions.html#memory-instructions
template <class Listener>
Result<void> FunctionWalker<Listener>::step_memory(const Instr& ins, const OpInfo& info) {
  const Module& m = *m_module;
  auto memory_at = [&](uint32_t idx) -> Result<const Limits*> {
    if (idx >= m.memories.size()) return walk_detail::unknown_index(ins.offset, "memory", idx);
    return &m.memories[idx].limits;
  };
  SimpleSig sig = simple_sig(ins.op);
  const Limits* mem = nullptr;
  bool other = false;  // a memory other than 0 (multi-memory)
  switch (info.imm) {
    case Imm::MemArg:
    case Imm::MemArgLane:  // SIMD load/store_lane: memarg of one lane, then its index
      mem = WSVM_TRY(memory_at(ins.b));
      other = ins.b != 0;
      // 2^align must not exceed the natural access size.
      if (ins.a >= 8 || (1u << ins.a) > info.mem)
        return walk_detail::invalid(ins.offset, "alignment must not be larger than natural");
      if (!mem->addr64 && ins.imm > UINT32_MAX)
        return walk_detail::invalid(ins.offset, "offset out of range");
      if (info.imm == Imm::MemArgLane && ins.lane >= info.lanes)
        return walk_detail::invalid(ins.offset, "invalid lane index");
      if (mem->addr64) sig.params[0] = ValType::I64;  // the address
      break;
    case Imm::MemIdx:  // memory.size [] -> [at], memory.grow [at] -> [at], memory.fill [at i32 at]
      mem = WSVM_TRY(memory_at(ins.a));
      other = ins.a != 0;
      if (mem->addr64) {
        for (uint8_t i = 0; i < sig.param_count; ++i)
          if (i != 1) sig.params[i] = ValType::I64;  // memory.fill's value stays i32
        if (sig.result_count != 0) sig.result = ValType::I64;
      }
      break;
    case Imm::MemoryCopy: {  // a = dst, b = src: [at_d at_s min(at_d, at_s)] -> []
      mem = WSVM_TRY(memory_at(ins.a));
      const Limits* src = WSVM_TRY(memory_at(ins.b));
      other = ins.a != 0 || ins.b != 0;
      if (mem->addr64) sig.params[0] = ValType::I64;
      if (src->addr64) sig.params[1] = ValType::I64;
      if (mem->addr64 && src->addr64) sig.params[2] = ValType::I64;
      if (src->addr64) mem = src;  // the capability below: either being 64-bit counts
      break;
    }
    case Imm::MemoryInit:  // a = data, b = memory: [at i32 i32] -> []
      WSVM_TRY_VOID(check_data_index(ins));
      mem = WSVM_TRY(memory_at(ins.b));
      other = ins.b != 0;
      if (mem->addr64) sig.params[0] = ValType::I64;
      break;
    default:
      return walk_detail::invalid(ins.offset, "not a memory instruction");
  }
  WSVM_TRY_VOID(expect_top(ins, sig.param_types()));
  WSVM_TRY_VOID(emit_memory(ins, other, mem->addr64));
  pop_n(sig.param_count);
  if (sig.result_count != 0) push(sig.result);
  return {};
}

template <class Listener>
Result<void> FunctionWalker<Listener>::emit_memory(const Instr& ins, bool other, bool addr64) {
  if constexpr (!listens_to_multi_memory<Listener>()) {
    if (other) [[unlikely]]
      return walk_detail::declined_feature(ins, m_func_index, "multi-memory (a memory other than 0)");
  }
  if constexpr (!listens_to_memory64<Listener>()) {
    if (addr64) [[unlikely]]
      return walk_detail::declined_feature(ins, m_func_index, "memory64/table64 (i64 addresses)");
  }
  return emit(ins);
}

template <class Listener>
Result<void> FunctionWalker<Listener>::step_select(const Instr& ins) {
  WSVM_TRY_VOID(expect_one(ins, ValType::I32));
  ValType result;
  if (ins.op == Op::select_t) {
    if (ins.b != 1) return walk_detail::invalid(ins.offset, "invalid result arity");
    result = ins.type;
    WSVM_TRY_VOID(walk_detail::check_valtype(*m_module, result, ins.offset));
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

// return_call f / return_call_indirect t table (Wasm 3.0 tail calls): typed like the call,
// and the callee's results must match the function's own; nothing follows (unreachable).
template <class Listener>
Result<void> FunctionWalker<Listener>::step_return_call(const Instr& ins) {
  const Module& m = *m_module;
  const FuncType* ft = nullptr;
  if (ins.op == Op::return_call) {
    if (ins.a >= m.funcs.size()) return walk_detail::unknown_index(ins.offset, "function", ins.a);
    if (m.funcs[ins.a] >= m.types.size())
      return walk_detail::unknown_index(ins.offset, "type", m.funcs[ins.a]);
    ft = &m.types[m.funcs[ins.a]];
  } else if (ins.op == Op::return_call_ref) {
    if (ins.a >= m.types.size()) return walk_detail::unknown_index(ins.offset, "type", ins.a);
    ft = &m.types[ins.a];
  } else {
    if (ins.b >= m.tables.size()) return walk_detail::unknown_index(ins.offset, "table", ins.b);
    if (ins.a >= m.types.size()) return walk_detail::unknown_index(ins.offset, "type", ins.a);
    if (!matches(m.tables[ins.b].elem, ValType::FuncRef, m_ctx))
      return walk_detail::type_mismatch_msg(ins, "return_call_indirect needs a funcref table");
    ft = &m.types[ins.a];
  }
  if (!walk_detail::all_match(ft->results, m_frames.front().sig.results, m_ctx))
    return walk_detail::type_mismatch_msg(ins, "the callee's results differ from the function's");
  const uint32_t skip = ins.op == Op::return_call ? 0 : 1;
  const bool table64 = ins.op == Op::return_call_indirect && m.tables[ins.b].limits.addr64;
  if (ins.op == Op::return_call_indirect)
    WSVM_TRY_VOID(expect_one(ins, m.tables[ins.b].limits.addr_type()));
  if (ins.op == Op::return_call_ref)
    WSVM_TRY_VOID(expect_one(ins, ValType::ref_index(ins.a, true)));
  WSVM_TRY_VOID(expect_top(ins, ft->params, skip));
  WSVM_TRY_VOID(emit_memory(ins, false, table64));
  set_unreachable();
  return {};
}

// call_ref $t (typed function references): [params (ref null $t)] -> [results]; a null
// reference traps at run time.
template <class Listener>
Result<void> FunctionWalker<Listener>::step_call_ref(const Instr& ins) {
  const Module& m = *m_module;
  if (ins.a >= m.types.size()) return walk_detail::unknown_index(ins.offset, "type", ins.a);
  const FuncType& ft = m.types[ins.a];
  WSVM_TRY_VOID(expect_one(ins, ValType::ref_index(ins.a, true)));
  WSVM_TRY_VOID(expect_top(ins, ft.params, 1));
  WSVM_TRY_VOID(emit(ins));
  pop_n(ft.params.size() + 1);
  push_all(ft.results);
  return {};
}

// ref.as_non_null: [(ref null ht)] -> [(ref ht)]
// br_on_null l: [t* (ref null ht)] -> [t* (ref ht)], label l: [t*] (taken on null)
// br_on_non_null l: [t* (ref null ht)] -> [t*], label l: [t* (ref ht')] with (ref ht) <: (ref ht')
template <class Listener>
Result<void> FunctionWalker<Listener>::step_null_branch(const Instr& ins) {
  const ValType t = WSVM_TRY(peek(ins, 0));
  if (t != ValType::Bottom && !is_reftype(t))
    return walk_detail::type_mismatch_msg(ins, "a reference operand expected");
  const ValType non_null = t == ValType::Bottom ? t : t.as_nullable(false);
  if (ins.op == Op::ref_as_non_null) {
    WSVM_TRY_VOID(emit(ins));
    pop_n(1);
    push(non_null);
    return {};
  }
  if (ins.a >= m_frames.size()) return walk_detail::unknown_index(ins.offset, "label", ins.a);
  const Types lt = control(ins.a).label_types();
  if (ins.op == Op::br_on_null) {
    WSVM_TRY_VOID(expect_top(ins, lt, 1));
    WSVM_TRY_VOID(emit(ins));
    pop_n(lt.size() + 1);
    push_all(lt);
    push(non_null);
    return {};
  }
  if (lt.empty() || !is_reftype(lt.back()))
    return walk_detail::type_mismatch_msg(ins, "br_on_non_null needs a label ending in a reference");
  if (t != ValType::Bottom && !matches(non_null, lt.back(), m_ctx))
    return walk_detail::type_mismatch(ins, lt.back(), false, non_null);
  WSVM_TRY_VOID(expect_top(ins, lt.first(lt.size() - 1), 1));
  WSVM_TRY_VOID(emit(ins));
  pop_n(lt.size());
  push_all(lt.first(lt.size() - 1));
  return {};
}

template <class Listener>
Result<const FuncType*> FunctionWalker<Listener>::tag_type(const Instr& ins, uint32_t tag) const {
  const Module& m = *m_module;
  if (tag >= m.tags.size() || m.tags[tag] >= m.types.size())
    return walk_detail::unknown_index(ins.offset, "tag", tag);
  return &m.types[m.tags[tag]];
}

// Exception handling (Wasm 3.0): throw x: [params(x)] -> unreachable; throw_ref: [exnref]
// -> unreachable; rethrow l (legacy): l names a catch arm; try_table bt catch*: a block
// whose catch clauses branch to labels outside it with the payload (and (ref exn) for the
// _ref forms).
template <class Listener>
Result<void> FunctionWalker<Listener>::step_exception(const Instr& ins) {
  switch (ins.op) {
    case Op::throw_: {
      const FuncType* ft = WSVM_TRY(tag_type(ins, ins.a));
      WSVM_TRY_VOID(expect_top(ins, ft->params));
      break;
    }
    case Op::throw_ref:
      WSVM_TRY_VOID(expect_one(ins, ValType::ExnRef));
      break;
    case Op::rethrow: {
      if (ins.a >= m_frames.size()) return walk_detail::unknown_index(ins.offset, "label", ins.a);
      const Op k = control(ins.a).kind;
      if (k != Op::catch_ && k != Op::catch_all)
        return walk_detail::invalid(ins.offset, "invalid rethrow label");
      break;
    }
    default: {  // try_table
      BlockSig sig;
      WSVM_TRY_VOID(block_sig(ins, sig));
      const ValType exn = ValType::ref(HeapType::Exn, false);
      for (const CatchClause& c : ins.catches) {
        if (c.label >= m_frames.size())
          return walk_detail::unknown_index(ins.offset, "label", c.label);
        std::vector<ValType> sent;
        if (c.kind == CatchKind::Catch || c.kind == CatchKind::CatchRef) {
          const FuncType* ft = WSVM_TRY(tag_type(ins, c.tag));
          sent = ft->params;
        }
        if (c.kind == CatchKind::CatchRef || c.kind == CatchKind::CatchAllRef) sent.push_back(exn);
        if (!walk_detail::all_match(sent, control(c.label).label_types(), m_ctx))
          return walk_detail::type_mismatch_msg(ins, "the catch clause's values differ from its label's");
      }
      WSVM_TRY_VOID(expect_top(ins, sig.params));
      WSVM_TRY_VOID(emit_exception(ins));
      pop_n(sig.params.size());
      push_frame(Op::try_table, sig);
      return {};
    }
  }
  WSVM_TRY_VOID(emit_exception(ins));
  set_unreachable();
  return {};
}

// The legacy encoding: try bt ... (catch x ... | catch_all ...)* end, or try bt ... delegate l.
// A catch arm starts with the tag's payload; `delegate l` ends the try and hands its
// exceptions to label l (counted outside the try).
template <class Listener>
Result<void> FunctionWalker<Listener>::step_legacy_try(const Instr& ins) {
  if (ins.op == Op::try_) {
    BlockSig sig;
    WSVM_TRY_VOID(block_sig(ins, sig));
    WSVM_TRY_VOID(expect_top(ins, sig.params));
    WSVM_TRY_VOID(emit_exception(ins));
    pop_n(sig.params.size());
    push_frame(Op::try_, sig);
    return {};
  }
  const Op k = m_frames.back().kind;
  if (ins.op == Op::delegate) {
    if (k != Op::try_) return walk_detail::malformed(ins.offset, "END opcode expected");
    if (ins.a >= m_frames.size() - 1)
      return walk_detail::unknown_index(ins.offset, "label", ins.a);
    WSVM_TRY_VOID(check_frame_end(ins));
    WSVM_TRY_VOID(emit_exception(ins));
    const CtrlFrame done = m_frames.back();
    forget_inits(done);
    m_frames.pop_back();
    m_operands.resize(done.height);
    m_slot_height = done.slot_height;
    push_all(done.sig.results);
    return {};
  }
  if (k != Op::try_ && k != Op::catch_)  // catch_all ends the catch arms
    return walk_detail::malformed(ins.offset, "END opcode expected");
  const FuncType* ft = nullptr;
  if (ins.op == Op::catch_) ft = WSVM_TRY(tag_type(ins, ins.a));
  WSVM_TRY_VOID(check_frame_end(ins));
  WSVM_TRY_VOID(emit_exception(ins));
  CtrlFrame& f = m_frames.back();
  forget_inits(f);
  truncate_to_frame(f);
  f.kind = ins.op;
  f.unreachable = false;
  if (ft != nullptr) push_all(ft->params);
  return {};
}

template <class Listener>
Result<void> FunctionWalker<Listener>::emit_exception(const Instr& ins) {
  if constexpr (!listens_to_exceptions<Listener>()) {
    return walk_detail::declined_exception(ins, m_func_index);
  } else {
    return emit(ins);
  }
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
  // The address type of a table: i64 for table64 (index, size, delta and length operands).
  auto at_of = [&](uint32_t idx) { return m.tables[idx].limits.addr_type(); };
  size_t pops = 0;
  ValType result = ValType::Bottom;  // Bottom: no result
  bool table64 = false;              // a 64-bit table is involved (listener capability)
  switch (ins.op) {
    case Op::table_get: {  // [at] -> [t]
      result = WSVM_TRY(table_at(ins.a));
      WSVM_TRY_VOID(expect_one(ins, at_of(ins.a)));
      table64 = m.tables[ins.a].limits.addr64;
      pops = 1;
      break;
    }
    case Op::table_set: {  // [at t] -> []
      const ValType t = WSVM_TRY(table_at(ins.a));
      WSVM_TRY_VOID(expect_one(ins, t));
      WSVM_TRY_VOID(expect_one(ins, at_of(ins.a), 1));
      table64 = m.tables[ins.a].limits.addr64;
      pops = 2;
      break;
    }
    case Op::table_size:  // [] -> [at]
      WSVM_TRY_VOID(table_at(ins.a));
      result = at_of(ins.a);
      table64 = m.tables[ins.a].limits.addr64;
      break;
    case Op::table_grow: {  // [t at] -> [at]
      const ValType t = WSVM_TRY(table_at(ins.a));
      WSVM_TRY_VOID(expect_one(ins, at_of(ins.a)));
      WSVM_TRY_VOID(expect_one(ins, t, 1));
      table64 = m.tables[ins.a].limits.addr64;
      pops = 2;
      result = at_of(ins.a);
      break;
    }
    case Op::table_fill: {  // [at t at] -> []
      const ValType t = WSVM_TRY(table_at(ins.a));
      WSVM_TRY_VOID(expect_one(ins, at_of(ins.a)));
      WSVM_TRY_VOID(expect_one(ins, t, 1));
      WSVM_TRY_VOID(expect_one(ins, at_of(ins.a), 2));
      table64 = m.tables[ins.a].limits.addr64;
      pops = 3;
      break;
    }
    case Op::table_copy:    // a = dst, b = src: [at_d at_s min(at_d, at_s)] -> []
    case Op::table_init: {  // a = elem, b = table: [at i32 i32] -> []
      ValType dst, src;
      ValType d_at, s_at, n_at;
      if (ins.op == Op::table_copy) {
        dst = WSVM_TRY(table_at(ins.a));
        src = WSVM_TRY(table_at(ins.b));
        d_at = at_of(ins.a);
        s_at = at_of(ins.b);
        n_at = d_at == ValType::I64 && s_at == ValType::I64 ? ValType::I64 : i32;
        table64 = d_at == ValType::I64 || s_at == ValType::I64;
      } else {
        dst = WSVM_TRY(table_at(ins.b));
        src = WSVM_TRY(elem_at(ins.a));
        d_at = at_of(ins.b);
        s_at = n_at = i32;
        table64 = d_at == ValType::I64;
      }
      if (!matches(src, dst, m_ctx))
        return walk_detail::type_mismatch(ins, dst, false, src);
      WSVM_TRY_VOID(expect_one(ins, n_at));
      WSVM_TRY_VOID(expect_one(ins, s_at, 1));
      WSVM_TRY_VOID(expect_one(ins, d_at, 2));
      pops = 3;
      break;
    }
    case Op::elem_drop:
      WSVM_TRY_VOID(elem_at(ins.a));
      break;
    default:
      return walk_detail::invalid(ins.offset, "not a table instruction");
  }
  WSVM_TRY_VOID(emit_memory(ins, false, table64));
  pop_n(pops);
  if (result != ValType::Bottom) push(result);
  return {};
}

}  // namespace wsvm

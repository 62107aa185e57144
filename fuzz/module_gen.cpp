#include "fuzz/module_gen.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <string_view>

#include "decoder/opcodes.hpp"
#include "decoder/types.hpp"
#include "tests/wasm_writer.hpp"
#include "validator/sig_table.hpp"

namespace wsvm::fuzz {

using namespace wsvm::wasm_writer;

uint64_t Choices::bits() {
  if (m_prng) {  // splitmix64
    uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | (m_pos < m_size ? m_data[m_pos++] : 0);
  return v;
}

uint32_t Choices::below(uint32_t n) {
  if (n <= 1) return 0;
  if (m_prng) return static_cast<uint32_t>(bits() % n);
  // One input byte per small choice keeps the fuzzer's mutations local.
  uint32_t v = 0;
  for (uint32_t range = 1; range < n && range != 0; range <<= 8)
    v = (v << 8) | (m_pos < m_size ? m_data[m_pos++] : 0);
  return v % n;
}

namespace {

constexpr std::array<ValType, 5> kValueTypes = {ValType::I32, ValType::I64, ValType::F32,
                                                ValType::F64, ValType::V128};
constexpr uint8_t kEnd = 0x0b, kBlock = 0x02, kLoop = 0x03, kIf = 0x04, kElse = 0x05,
                  kBr = 0x0c, kBrIf = 0x0d, kBrTable = 0x0e, kReturn = 0x0f, kCall = 0x10,
                  kCallIndirect = 0x11, kDrop = 0x1a, kSelect = 0x1b, kSelectT = 0x1c,
                  kLocalGet = 0x20, kLocalSet = 0x21, kLocalTee = 0x22, kGlobalGet = 0x23,
                  kGlobalSet = 0x24, kI32Const = 0x41, kI64Const = 0x42, kF32Const = 0x43,
                  kF64Const = 0x44, kI32Sub = 0x6b, kI32RemU = 0x70, kI32And = 0x71,
                  kUnreachable = 0x00, kNop = 0x01, kVoidType = 0x40,
                  // Wasm 3.0: tail calls and typed function references.
                  kReturnCall = 0x12, kReturnCallIndirect = 0x13, kCallRef = 0x14,
                  kReturnCallRef = 0x15, kRefNull = 0xd0, kRefFunc = 0xd2,
                  kRefAsNonNull = 0xd4, kBrOnNull = 0xd5, kBrOnNonNull = 0xd6, kRefType = 0x64;

uint8_t type_byte(ValType t) { return t.byte(); }

bool is_float_result(const OpInfo& info, ValType result) {
  if (result == ValType::F32 || result == ValType::F64) return true;
  std::string_view text = info.text;
  return result == ValType::V128 && (text.starts_with("f32x4.") || text.starts_with("f64x2."));
}

// The instructions drawn generically: every "simple" opcode whose immediates the generator
// can produce, grouped by result type (expressions) or with no result (statements).
struct OpPools {
  std::array<std::vector<uint16_t>, 5> by_result;  // index = position in kValueTypes
  std::vector<uint16_t> statements;                // stores, memory.fill / memory.copy
  std::vector<uint16_t> scalar_by_result[5];       // the same without SIMD
  std::vector<uint16_t> scalar_statements;
  uint16_t f32x4_eq = 0, f64x2_eq = 0, v128_bitselect = 0, v128_const = 0;
};

// Division, remainder and the trapping float->int conversions end most calls early when
// drawn as often as the rest (zero is the commonest value); they are drawn less often.
bool traps_often(const OpInfo& info) {
  std::string_view text = info.text;
  return text.find(".div_") != text.npos || text.find(".rem_") != text.npos ||
         (text.find(".trunc_f") != text.npos && text.find("_sat_") == text.npos);
}

bool generic_imm(Imm imm) {
  switch (imm) {
    case Imm::None: case Imm::MemArg: case Imm::MemArgLane: case Imm::Lane: case Imm::Shuffle:
    case Imm::V128Const: case Imm::I32: case Imm::I64: case Imm::F32: case Imm::F64:
    case Imm::MemIdx: case Imm::MemoryCopy:
      return true;
    default:
      return false;
  }
}

int type_slot(ValType t) {
  for (size_t i = 0; i < kValueTypes.size(); ++i)
    if (kValueTypes[i] == t) return static_cast<int>(i);
  return -1;
}

const OpPools& pools() {
  static const OpPools p = [] {
    OpPools p;
    for (uint16_t i = 0; i < kOpCount; ++i) {
      const OpInfo& info = kOpInfo[i];
      std::string_view text = info.text;
      if (text == "f32x4.eq") p.f32x4_eq = i;
      if (text == "f64x2.eq") p.f64x2_eq = i;
      if (text == "v128.bitselect") p.v128_bitselect = i;
      if (text == "v128.const") p.v128_const = i;
      if (info.sig == Sig::special || !generic_imm(info.imm)) continue;
      const SimpleSig& sig = kOpSigs[i];
      bool simd = info.prefix == 0xFD;
      for (ValType t : sig.param_types()) simd = simd || t == ValType::V128;
      if (sig.result_count == 1) {
        int slot = type_slot(sig.result);
        if (slot < 0) continue;
        p.by_result[slot].push_back(i);
        if (!simd && sig.result != ValType::V128) p.scalar_by_result[slot].push_back(i);
      } else if (sig.result_count == 0 && sig.param_count > 0) {
        p.statements.push_back(i);
        if (!simd) p.scalar_statements.push_back(i);
      }
    }
    return p;
  }();
  return p;
}

struct FuncSig {
  std::vector<ValType> params, results;
};

struct Shape {
  std::vector<FuncSig> funcs;
  std::vector<ValType> globals;  // all mutable
  uint32_t table_size = 0;
  std::vector<ValType> types;    // the value types in use (SIMD or not)
};

struct Label {
  bool void_target;  // a branch to it carries no values
  bool loop;
};

// Generates one function body. Instruction count is bounded by a budget; expression and
// block nesting by fixed depths, so every module stays small.
class FuncGen {
 public:
  FuncGen(Choices& c, const Shape& s, uint32_t self, const GenOptions& o)
      : m_c(c), m_s(s), m_self(self), m_simd(o.simd), m_wasm3(o.wasm3),
        m_budget(static_cast<int64_t>(o.max_instructions)) {}

  Bytes body() {
    declare_locals();
    m_labels.push_back(Label{m_s.funcs[m_self].results.empty(), false});
    statements(0);
    for (ValType t : m_s.funcs[m_self].results) expr(t, 0);
    m_code.push_back(kEnd);

    Bytes out;
    put_u32(out, m_groups.size());
    for (auto [count, type] : m_groups) {
      put_u32(out, count);
      out.push_back(type_byte(type));
    }
    put_bytes(out, m_code);
    return out;
  }

 private:
  static constexpr uint32_t kMaxExprDepth = 6, kMaxBlockDepth = 4, kLoopCounters = 3;

  // Params, then two general locals per type, one canonicalization scratch per float type,
  // and the loop counters (never written by random code, so every loop terminates).
  void declare_locals() {
    m_local_types = m_s.funcs[m_self].params;
    auto add = [&](ValType t, uint32_t n) {
      m_groups.push_back({n, t});
      for (uint32_t i = 0; i < n; ++i) m_local_types.push_back(t);
      return static_cast<uint32_t>(m_local_types.size() - n);
    };
    for (ValType t : m_s.types) add(t, 2);
    m_scratch_f32 = add(ValType::F32, 1);
    m_scratch_f64 = add(ValType::F64, 1);
    if (m_simd) m_scratch_v128 = add(ValType::V128, 1);
    m_first_counter = add(ValType::I32, kLoopCounters);
  }

  // The canonicalization scratch locals hold un-canonicalized float results: never read
  // (or written) by random code.
  bool is_scratch(uint32_t local) const {
    return local == m_scratch_f32 || local == m_scratch_f64 || (m_simd && local == m_scratch_v128);
  }

  bool settable(uint32_t local) const {
    return local < m_first_counter || local >= m_first_counter + kLoopCounters;
  }

  // A local of type t (settable ones only when `for_set`); there are always at least two.
  uint32_t pick_local(ValType t, bool for_set) {
    std::vector<uint32_t> fits;
    for (uint32_t i = 0; i < m_local_types.size(); ++i)
      if (m_local_types[i] == t && (!for_set || settable(i)) && !is_scratch(i)) fits.push_back(i);
    return fits[m_c.below(fits.size())];
  }

  uint32_t pick_global(ValType t) {
    std::vector<uint32_t> fits;
    for (uint32_t i = 0; i < m_s.globals.size(); ++i)
      if (m_s.globals[i] == t) fits.push_back(i);
    return fits[m_c.below(fits.size())];
  }

  ValType pick_type() { return m_s.types[m_c.below(m_s.types.size())]; }

  void emit_op(uint16_t index) {
    const OpInfo& info = kOpInfo[index];
    if (info.prefix != 0) m_code.push_back(info.prefix);
    if (info.prefix == 0) m_code.push_back(static_cast<uint8_t>(info.code));
    else put_u32(m_code, info.code);
  }

  // ---- constants (edge values are the interesting ones) ----
  uint64_t int_value(int bits) {
    static constexpr uint64_t kEdges[] = {0, 1, 2, 7, 31, 32, 63, 64, 0x7f, 0x80, 0xff,
                                          0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                                          0xffffffff, 0x7fffffffffffffffull,
                                          0x8000000000000000ull, ~0ull};
    uint64_t v = m_c.percent(60) ? kEdges[m_c.below(std::size(kEdges))] : m_c.bits();
    if (m_c.percent(15)) v = ~v + 1;  // negate
    return bits == 32 ? (v & 0xffffffffu) : v;
  }
  uint32_t f32_bits() {
    static constexpr uint32_t kEdges[] = {0x00000000, 0x80000000, 0x3f800000, 0xbfc00000,
                                          0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001,
                                          0x00000001, 0x4f000000, 0xcf000000, 0x5f000000,
                                          0x3effffff, 0x7f7fffff, 0x4b000001};
    return m_c.percent(60) ? kEdges[m_c.below(std::size(kEdges))]
                           : static_cast<uint32_t>(m_c.bits());
  }
  uint64_t f64_bits() {
    static constexpr uint64_t kEdges[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull,
                                          0xbff8000000000000ull, 0x7ff0000000000000ull,
                                          0xfff0000000000000ull, 0x7ff8000000000000ull,
                                          0x7ff4000000000001ull, 1, 0x41e0000000000000ull,
                                          0xc1e0000000000000ull, 0x43e0000000000000ull,
                                          0x3fdfffffffffffffull, 0x4330000000000001ull};
    return m_c.percent(60) ? kEdges[m_c.below(std::size(kEdges))] : m_c.bits();
  }
  void v128_bytes() {
    for (int i = 0; i < 16; i += 8) {
      uint64_t v = m_c.percent(50) ? int_value(64) : f64_bits();
      put_le(m_code, v, 8);
    }
  }

  void constant(ValType t) {
    switch (t) {
      case ValType::I32:
        m_code.push_back(kI32Const);
        put_s64(m_code, static_cast<int32_t>(int_value(32)));
        break;
      case ValType::I64:
        m_code.push_back(kI64Const);
        put_s64(m_code, static_cast<int64_t>(int_value(64)));
        break;
      case ValType::F32:
        m_code.push_back(kF32Const);
        put_le(m_code, f32_bits(), 4);
        break;
      case ValType::F64:
        m_code.push_back(kF64Const);
        put_le(m_code, f64_bits(), 8);
        break;
      default:
        emit_op(pools().v128_const);
        v128_bytes();
        break;
    }
  }

  void i32_const(uint32_t v) {
    m_code.push_back(kI32Const);
    put_s64(m_code, static_cast<int32_t>(v));
  }

  // ---- expressions: code that pushes exactly one value of type t ----
  void leaf(ValType t) {
    switch (m_c.below(4)) {
      case 0: case 1: constant(t); break;
      case 2: m_code.push_back(kLocalGet); put_u32(m_code, pick_local(t, false)); break;
      default: m_code.push_back(kGlobalGet); put_u32(m_code, pick_global(t)); break;
    }
  }

  void expr(ValType t, uint32_t depth) {
    if (m_budget <= 0 || depth >= kMaxExprDepth) return leaf(t);
    --m_budget;
    uint32_t k = m_c.below(20);
    if (k < 4) return leaf(t);
    if (k == 4) return select(t, depth);
    if (k == 5 && m_block_depth < kMaxBlockDepth) return if_expr(t, depth);
    if (k == 6 && m_block_depth < kMaxBlockDepth) return block_expr(t, depth);
    if (k == 7) {
      expr(t, depth + 1);
      m_code.push_back(kLocalTee);
      put_u32(m_code, pick_local(t, true));
      return;
    }
    generic(t, depth);
  }

  void generic(ValType t, uint32_t depth) {
    const auto& pool = m_simd ? pools().by_result[type_slot(t)] : pools().scalar_by_result[type_slot(t)];
    if (pool.empty()) return leaf(t);
    uint16_t index = pool[m_c.below(pool.size())];
    if (traps_often(kOpInfo[index]) && m_c.percent(70)) index = pool[m_c.below(pool.size())];
    operands_and_op(index, depth);
    if (is_float_result(kOpInfo[index], t)) canonicalize(kOpInfo[index], t);
  }

  // The operands of a simple instruction, the opcode and its immediates.
  void operands_and_op(uint16_t index, uint32_t depth) {
    const OpInfo& info = kOpInfo[index];
    const SimpleSig& sig = kOpSigs[index];
    std::string_view text = info.text;
    bool memory_access = info.imm == Imm::MemArg || info.imm == Imm::MemArgLane;
    bool bulk = text == "memory.fill" || text == "memory.copy";
    for (uint32_t p = 0; p < sig.param_count; ++p) {
      if ((memory_access || bulk) && p == 0) address(depth);
      else if (bulk && p == 1 && text == "memory.copy") address(depth);
      else if (bulk && p == 2) masked(0x3ff, depth);
      else if (text == "memory.grow") masked(3, depth);
      else expr(sig.params[p], depth + 1);
    }
    emit_op(index);
    immediates(info);
  }

  void immediates(const OpInfo& info) {
    switch (info.imm) {
      case Imm::MemArg:
      case Imm::MemArgLane: {
        uint32_t log2 = std::countr_zero(static_cast<uint32_t>(info.mem));
        put_u32(m_code, m_c.below(log2 + 1));
        uint32_t r = m_c.below(100);
        put_u32(m_code, r < 92 ? m_c.below(64) : r < 99 ? m_c.below(70000) : 0xfffffff0u);
        if (info.imm == Imm::MemArgLane) m_code.push_back(static_cast<uint8_t>(m_c.below(info.lanes)));
        break;
      }
      case Imm::Lane: m_code.push_back(static_cast<uint8_t>(m_c.below(info.lanes))); break;
      case Imm::Shuffle:
        for (int i = 0; i < 16; ++i) m_code.push_back(static_cast<uint8_t>(m_c.below(32)));
        break;
      case Imm::V128Const: v128_bytes(); break;
      case Imm::I32: put_s64(m_code, static_cast<int32_t>(int_value(32))); break;
      case Imm::I64: put_s64(m_code, static_cast<int64_t>(int_value(64))); break;
      case Imm::F32: put_le(m_code, f32_bits(), 4); break;
      case Imm::F64: put_le(m_code, f64_bits(), 8); break;
      case Imm::MemIdx: m_code.push_back(0x00); break;
      case Imm::MemoryCopy: put(m_code, {0x00, 0x00}); break;
      default: break;
    }
  }

  // Mostly in-bounds addresses (the memory has 1..4 pages), sometimes anything.
  void address(uint32_t depth) {
    uint32_t r = m_c.below(20);
    if (r < 8) return i32_const(m_c.below(65536 + 64));
    if (r < 19) return masked(0xffff, depth);
    expr(ValType::I32, depth + 1);
  }

  void masked(uint32_t mask, uint32_t depth) {
    expr(ValType::I32, depth + 1);
    i32_const(mask);
    m_code.push_back(kI32And);
  }

  // x -> (x == x ? x : canonical NaN), lane-wise for vectors: the engines may differ in the
  // bits of a NaN that float arithmetic produces (spec 4.3.3), nowhere else.
  void canonicalize(const OpInfo& info, ValType t) {
    if (t == ValType::F32 || t == ValType::F64) {
      bool f32 = t == ValType::F32;
      uint32_t s = f32 ? m_scratch_f32 : m_scratch_f64;
      m_code.push_back(kLocalTee);
      put_u32(m_code, s);
      m_code.push_back(f32 ? kF32Const : kF64Const);
      put_le(m_code, f32 ? 0x7fc00000u : 0x7ff8000000000000ull, f32 ? 4 : 8);
      m_code.push_back(kLocalGet);
      put_u32(m_code, s);
      m_code.push_back(kLocalGet);
      put_u32(m_code, s);
      m_code.push_back(f32 ? 0x5b : 0x61);  // f32.eq / f64.eq
      m_code.push_back(kSelect);
      return;
    }
    bool f32 = std::string_view(info.text).starts_with("f32x4.");
    m_code.push_back(kLocalTee);
    put_u32(m_code, m_scratch_v128);
    emit_op(pools().v128_const);
    for (int i = 0; i < 16; i += f32 ? 4 : 8)
      put_le(m_code, f32 ? 0x7fc00000u : 0x7ff8000000000000ull, f32 ? 4 : 8);
    m_code.push_back(kLocalGet);
    put_u32(m_code, m_scratch_v128);
    m_code.push_back(kLocalGet);
    put_u32(m_code, m_scratch_v128);
    emit_op(f32 ? pools().f32x4_eq : pools().f64x2_eq);
    emit_op(pools().v128_bitselect);
  }

  void select(ValType t, uint32_t depth) {
    expr(t, depth + 1);
    expr(t, depth + 1);
    expr(ValType::I32, depth + 1);
    if (m_c.percent(50)) {
      m_code.push_back(kSelect);
    } else {
      put(m_code, {kSelectT, 1, type_byte(t)});
    }
  }

  void if_expr(ValType t, uint32_t depth) {
    expr(ValType::I32, depth + 1);
    put(m_code, {kIf, type_byte(t)});
    enter(Label{false, false});
    if (m_c.percent(40)) statements(m_block_depth);
    expr(t, depth + 1);
    m_code.push_back(kElse);
    if (m_c.percent(40)) statements(m_block_depth);
    expr(t, depth + 1);
    leave();
  }

  // block (result t): statements, then either the value or a br_if 0 carrying one.
  void block_expr(ValType t, uint32_t depth) {
    put(m_code, {kBlock, type_byte(t)});
    enter(Label{false, false});
    statements(m_block_depth);
    expr(t, depth + 1);
    if (m_c.percent(50)) {
      expr(ValType::I32, depth + 1);
      m_code.push_back(kBrIf);
      put_u32(m_code, 0);
    }
    leave();
  }

  void enter(Label l) {
    m_labels.push_back(l);
    ++m_block_depth;
  }
  void leave() {
    m_labels.pop_back();
    --m_block_depth;
    m_code.push_back(kEnd);
  }

  // ---- statements: code with no net effect on the value stack ----
  void statements(uint32_t block_depth) {
    uint32_t n = 1 + m_c.below(5);
    for (uint32_t i = 0; i < n && m_budget > 0; ++i) statement(block_depth);
    if (m_c.percent(8)) terminator();
  }

  void statement(uint32_t block_depth) {
    --m_budget;
    bool can_nest = block_depth < kMaxBlockDepth;
    switch (m_c.below(m_wasm3 ? 16 : 14)) {
      case 0: case 1: {
        ValType t = pick_type();
        expr(t, 0);
        m_code.push_back(kLocalSet);
        put_u32(m_code, pick_local(t, true));
        break;
      }
      case 2: {
        ValType t = pick_type();
        expr(t, 0);
        m_code.push_back(kGlobalSet);
        put_u32(m_code, pick_global(t));
        break;
      }
      case 3: case 4: {
        const auto& pool = m_simd ? pools().statements : pools().scalar_statements;
        operands_and_op(pool[m_c.below(pool.size())], 0);
        break;
      }
      case 5: if (m_self > 0) call(); break;
      case 6: if (m_self > 0) call_indirect(); break;
      case 7:
        if (!can_nest) break;
        expr(ValType::I32, 0);
        put(m_code, {kIf, kVoidType});
        enter(Label{true, false});
        statements(m_block_depth);
        if (m_c.percent(50)) {
          m_code.push_back(kElse);
          statements(m_block_depth);
        }
        leave();
        break;
      case 8:
        if (!can_nest) break;
        put(m_code, {kBlock, kVoidType});
        enter(Label{true, false});
        statements(m_block_depth);
        leave();
        break;
      case 9: if (can_nest) counted_loop(); break;
      case 10: {
        std::vector<uint32_t> targets = branch_targets();
        if (targets.empty()) break;
        expr(ValType::I32, 0);
        m_code.push_back(kBrIf);
        put_u32(m_code, targets[m_c.below(targets.size())]);
        break;
      }
      case 11: expr(pick_type(), 0); m_code.push_back(kDrop); break;
      case 12: m_code.push_back(kNop); break;
      case 14: if (m_self > 0) call_ref(); break;
      case 15: if (m_self > 0) null_check(); break;
      default: {
        ValType t = pick_type();
        expr(t, 0);
        m_code.push_back(kLocalSet);
        put_u32(m_code, pick_local(t, true));
      }
    }
  }

  // Depths of the labels a branch without values may target (loops rarely: a branch back
  // to a loop header skips the counter, so only fuel ends it).
  std::vector<uint32_t> branch_targets() {
    std::vector<uint32_t> out;
    bool loops = m_c.percent(3);
    for (uint32_t i = 0; i < m_labels.size(); ++i) {
      const Label& l = m_labels[m_labels.size() - 1 - i];
      if (l.void_target && (!l.loop || loops)) out.push_back(i);
    }
    return out;
  }

  // Ends a statement list: what follows is unreachable until the enclosing `end`.
  void terminator() {
    std::vector<uint32_t> targets = branch_targets();
    uint32_t r = m_c.below(10);
    if (r < 4 && !targets.empty()) {
      m_code.push_back(kBr);
      put_u32(m_code, targets[m_c.below(targets.size())]);
    } else if (r < 7 && !targets.empty()) {
      expr(ValType::I32, 0);
      m_code.push_back(kBrTable);
      uint32_t n = m_c.below(4);
      put_u32(m_code, n);
      for (uint32_t i = 0; i <= n; ++i) put_u32(m_code, targets[m_c.below(targets.size())]);
    } else if (r < 9) {
      if (m_wasm3 && m_c.percent(50) && tail_call()) return;
      for (ValType t : m_s.funcs[m_self].results) expr(t, 0);
      m_code.push_back(kReturn);
    } else {
      m_code.push_back(kUnreachable);
    }
  }

  void counted_loop() {
    uint32_t counter = m_first_counter + m_loop_depth;
    if (m_loop_depth >= kLoopCounters) return;
    i32_const(1 + m_c.below(4));
    m_code.push_back(kLocalSet);
    put_u32(m_code, counter);
    put(m_code, {kLoop, kVoidType});
    enter(Label{true, true});
    ++m_loop_depth;
    statements(m_block_depth);
    --m_loop_depth;
    m_code.push_back(kLocalGet);
    put_u32(m_code, counter);
    i32_const(1);
    m_code.push_back(kI32Sub);
    m_code.push_back(kLocalTee);
    put_u32(m_code, counter);
    m_code.push_back(kBrIf);
    put_u32(m_code, 0);
    leave();
  }

  // Results go into locals (last result first: it is on top).
  void store_results(const std::vector<ValType>& results) {
    for (size_t i = results.size(); i-- > 0;) {
      m_code.push_back(kLocalSet);
      put_u32(m_code, pick_local(results[i], true));
    }
  }

  void call() {
    uint32_t callee = m_c.below(m_self);
    for (ValType t : m_s.funcs[callee].params) expr(t, 1);
    m_code.push_back(kCall);
    put_u32(m_code, callee);
    store_results(m_s.funcs[callee].results);
  }

  // Table entry k holds function k; indices are taken modulo the caller's own index (only
  // lower functions: no recursion), or point past the functions (null entries, then out of
  // the table) to exercise those traps. The signature check decides the rest.
  void call_indirect() {
    uint32_t type = m_c.below(m_self);
    for (ValType t : m_s.funcs[type].params) expr(t, 1);
    table_index();
    m_code.push_back(kCallIndirect);
    put_u32(m_code, type);
    put_u32(m_code, 0);
    store_results(m_s.funcs[type].results);
  }

  void table_index() {
    uint32_t r = m_c.below(10);
    if (r < 6) {
      expr(ValType::I32, 1);
      i32_const(m_self);
      m_code.push_back(kI32RemU);
    } else if (r < 9) {
      i32_const(m_c.below(m_self));
    } else {
      i32_const(static_cast<uint32_t>(m_s.funcs.size()) + m_c.below(4));
    }
  }

  // ---- Wasm 3.0: typed function references and tail calls ----
  // Type index k is function k's type, so `ref.func k` is a (ref k). Callees are still of
  // lower index only: a tail call, like a call, cannot recurse.

  // Pushes a (ref null k) that is usually function k: ref.func, sometimes ref.null (the call
  // traps), sometimes through br_on_non_null or ref.as_non_null.
  void func_ref(uint32_t k) {
    uint32_t r = m_c.below(10);
    auto inner = [&] {
      if (m_c.percent(85)) {
        m_code.push_back(kRefFunc);
      } else {
        m_code.push_back(kRefNull);
      }
      put_s64(m_code, k);  // a function index, or the heap type k (s33)
    };
    if (r < 7) {
      inner();
    } else if (r < 9 && m_block_depth < kMaxBlockDepth) {
      // block (result (ref k)) inner; br_on_non_null 0; ref.func k end: never null.
      m_code.push_back(kBlock);
      m_code.push_back(kRefType);
      put_s64(m_code, k);
      enter(Label{false, false});
      inner();
      m_code.push_back(kBrOnNonNull);
      put_u32(m_code, 0);
      m_code.push_back(kRefFunc);
      put_u32(m_code, k);
      leave();
    } else {
      inner();
      m_code.push_back(kRefAsNonNull);
    }
  }

  void call_ref() {
    uint32_t type = m_c.below(m_self);
    for (ValType t : m_s.funcs[type].params) expr(t, 1);
    func_ref(type);
    m_code.push_back(kCallRef);
    put_u32(m_code, type);
    store_results(m_s.funcs[type].results);
  }

  // block; (ref null k); br_on_null 0; drop; end: leaves the block early when null.
  void null_check() {
    if (m_block_depth >= kMaxBlockDepth) return;
    put(m_code, {kBlock, kVoidType});
    enter(Label{true, false});
    func_ref(m_c.below(m_self));
    m_code.push_back(kBrOnNull);
    put_u32(m_code, 0);
    m_code.push_back(kDrop);
    leave();
  }

  // return_call, return_call_indirect or return_call_ref to a lower function with this
  // function's results; false when there is none.
  bool tail_call() {
    std::vector<uint32_t> fits;
    for (uint32_t j = 0; j < m_self; ++j)
      if (m_s.funcs[j].results == m_s.funcs[m_self].results) fits.push_back(j);
    if (fits.empty()) return false;
    uint32_t callee = fits[m_c.below(fits.size())];
    for (ValType t : m_s.funcs[callee].params) expr(t, 1);
    switch (m_c.below(3)) {
      case 0:
        m_code.push_back(kReturnCall);
        put_u32(m_code, callee);
        break;
      case 1:
        table_index();
        m_code.push_back(kReturnCallIndirect);
        put_u32(m_code, callee);
        put_u32(m_code, 0);
        break;
      default:
        func_ref(callee);
        m_code.push_back(kReturnCallRef);
        put_u32(m_code, callee);
        break;
    }
    return true;
  }

  Choices& m_c;
  const Shape& m_s;
  uint32_t m_self;
  bool m_simd;
  bool m_wasm3;
  int64_t m_budget;
  Bytes m_code;
  std::vector<std::pair<uint32_t, ValType>> m_groups;  // declared locals (count, type)
  std::vector<ValType> m_local_types;                  // params, then declared
  uint32_t m_scratch_f32 = 0, m_scratch_f64 = 0, m_scratch_v128 = 0;
  uint32_t m_first_counter = 0;
  uint32_t m_loop_depth = 0;
  uint32_t m_block_depth = 0;
  std::vector<Label> m_labels;  // innermost last; [0] is the function body
};

Shape make_shape(Choices& c, const GenOptions& o) {
  Shape s;
  for (ValType t : kValueTypes)
    if (t != ValType::V128 || o.simd) s.types.push_back(t);
  uint32_t funcs = 1 + c.below(o.max_funcs);
  for (uint32_t i = 0; i < funcs; ++i) {
    FuncSig f;
    for (uint32_t n = c.below(5); n > 0; --n) f.params.push_back(s.types[c.below(s.types.size())]);
    for (uint32_t n = c.below(4); n > 0; --n) f.results.push_back(s.types[c.below(s.types.size())]);
    s.funcs.push_back(std::move(f));
  }
  for (ValType t : s.types) s.globals.insert(s.globals.end(), 2, t);
  s.table_size = funcs + 2;
  return s;
}

void put_types(Bytes& out, const std::vector<ValType>& types) {
  put_u32(out, types.size());
  for (ValType t : types) out.push_back(type_byte(t));
}

}  // namespace

std::vector<uint8_t> generate_module(Choices& c, const GenOptions& options) {
  Shape s = make_shape(c, options);
  const auto n = static_cast<uint32_t>(s.funcs.size());
  Bytes m = module_header(), sec;

  put_u32(sec, n);  // types: one per function
  for (const FuncSig& f : s.funcs) {
    sec.push_back(0x60);
    put_types(sec, f.params);
    put_types(sec, f.results);
  }
  put_section(m, 1, sec);

  sec.clear();  // functions
  put_u32(sec, n);
  for (uint32_t i = 0; i < n; ++i) put_u32(sec, i);
  put_section(m, 3, sec);

  sec.clear();  // table: funcref, min = functions + 2 (the last two stay null)
  put(sec, {1, 0x70, 0x00});
  put_u32(sec, s.table_size);
  put_section(m, 4, sec);

  sec.clear();  // memory: 1 page, max 1..4
  put(sec, {1, 0x01, 0x01});
  put_u32(sec, 1 + c.below(4));
  put_section(m, 5, sec);

  sec.clear();  // globals: mutable, zero or a constant
  put_u32(sec, s.globals.size());
  for (ValType t : s.globals) {
    sec.push_back(type_byte(t));
    sec.push_back(0x01);
    Bytes init;
    switch (t) {
      case ValType::I32: init.push_back(kI32Const); put_s64(init, static_cast<int32_t>(c.bits())); break;
      case ValType::I64: init.push_back(kI64Const); put_s64(init, static_cast<int64_t>(c.bits())); break;
      case ValType::F32: init.push_back(kF32Const); put_le(init, c.bits(), 4); break;
      case ValType::F64: init.push_back(kF64Const); put_le(init, c.bits(), 8); break;
      default: put(init, {0xFD, 0x0C}); put_le(init, c.bits(), 8); put_le(init, c.bits(), 8); break;
    }
    put_bytes(sec, init);
    sec.push_back(kEnd);
  }
  put_section(m, 6, sec);

  sec.clear();  // exports: f0..f(n-1), the memory
  put_u32(sec, n + 1);
  for (uint32_t i = 0; i < n; ++i) {
    put_name(sec, "f" + std::to_string(i));
    sec.push_back(0x00);
    put_u32(sec, i);
  }
  put_name(sec, "mem");
  put(sec, {0x02, 0x00});
  put_section(m, 7, sec);

  sec.clear();  // elements: table[k] = function k
  put(sec, {1, 0x00, kI32Const, 0x00, kEnd});
  put_u32(sec, n);
  for (uint32_t i = 0; i < n; ++i) put_u32(sec, i);
  put_section(m, 9, sec);

  sec.clear();  // code
  put_u32(sec, n);
  for (uint32_t i = 0; i < n; ++i) {
    Bytes body = FuncGen(c, s, i, options).body();
    put_u32(sec, body.size());
    put_bytes(sec, body);
  }
  put_section(m, 10, sec);

  sec.clear();  // data: a few bytes somewhere in the first page
  put(sec, {1, 0x00, kI32Const});
  put_s64(sec, static_cast<int32_t>(c.below(1024)));
  sec.push_back(kEnd);
  uint32_t len = c.below(64);
  put_u32(sec, len);
  for (uint32_t i = 0; i < len; ++i) sec.push_back(static_cast<uint8_t>(c.bits()));
  put_section(m, 11, sec);
  return m;
}

}  // namespace wsvm::fuzz

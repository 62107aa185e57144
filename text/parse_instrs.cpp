// Instructions, flat and folded, driven by the opcode table's text column (text_ops.hpp).
// Spec: https://webassembly.github.io/spec/core/text/instructions.html (Wasm 3.0)
#include <bit>

#include "text/module_parser.hpp"
#include "text/numbers.hpp"

namespace wsvm::text {

namespace {

// Keywords that end an instruction sequence inside a block.
bool is_block_terminator(std::string_view t) {
  return t == "end" || t == "else" || t == "catch" || t == "catch_all" || t == "delegate";
}

// Words of the text format that start a parenthesized clause but are not instructions: one
// in the wrong place is an unexpected token, not an unknown operator.
// A float literal that does not parse: a keyword other than nan/inf forms is an unexpected
// token (`nan:canonical` belongs to scripts), the rest an unknown operator.
const char* float_syntax_message(Tok k, std::string_view t) {
  if (k != Tok::Keyword) return "unknown operator";
  if (t == "nan:canonical" || t == "nan:arithmetic") return "unexpected token";
  return t.starts_with("nan") || t.starts_with("inf") ? "unknown operator" : "unexpected token";
}

bool is_clause_keyword(std::string_view t) {
  return t == "type" || t == "param" || t == "result" || t == "local" || t == "export" ||
         t == "import" || t == "then" || t == "do" || t == "item" || t == "offset" || t == "mut" ||
         t == "ref" || t == "field";
}

}  // namespace

void ModuleParser::opcode(Bytes& out, const TextOp& op, uint32_t code_add) {
  if (op.prefix == 0) {
    out.u8(static_cast<uint8_t>(op.code + code_add));
  } else {
    out.u8(op.prefix);
    out.u32(op.code + code_add);
  }
}

void ModuleParser::instrs(Bytes& out) {
  while (true) {
    Tok k = kind();
    if (k == Tok::LParen) {
      folded(out);
      continue;
    }
    if (k != Tok::Keyword) return;
    std::string_view t = text();
    if (is_block_terminator(t)) return;
    const TextOp* op = find_op(t);
    if (!op) fail("unknown operator " + std::string(t));
    ++pos_;
    if (op->kind == OpKind::Block || op->kind == OpKind::Try || op->kind == OpKind::TryTable) {
      flat_block(out, *op);
    } else {
      opcode(out, *op);
      immediates(out, *op);
    }
  }
}

void ModuleParser::folded(Bytes& out) {
  check_stack();
  uint32_t open = pos_;
  ++pos_;
  if (kind() != Tok::Keyword) fail("unexpected token");
  std::string_view t = text();
  const TextOp* op = find_op(t);
  if (!op) fail(is_clause_keyword(t) ? "unexpected token" : "unknown operator " + std::string(t));
  if (op->kind == OpKind::Else || op->kind == OpKind::End || is_block_terminator(t))
    fail("unexpected token");
  ++pos_;
  if (op->kind == OpKind::Block || op->kind == OpKind::Try || op->kind == OpKind::TryTable) {
    folded_block(out, *op);
  } else {
    // The immediates go to a scratch buffer: the operands (nested folded instructions) come
    // first in the binary.
    if (pool_.size() <= depth_) pool_.emplace_back();
    Bytes& mine = pool_[depth_++];
    mine.clear();
    opcode(mine, *op);
    immediates(mine, *op);
    while (kind() == Tok::LParen) folded(out);
    out.raw(mine);
    --depth_;
  }
  if (kind() != Tok::RParen) fail("unexpected token");
  (void)open;
  ++pos_;
}

void ModuleParser::label_def() {
  if (kind() == Tok::Id) {
    labels_.push_back(*take_id());
  } else {
    labels_.push_back({});
  }
}

void ModuleParser::end_label(uint32_t /*kw_token*/) {
  if (kind() != Tok::Id) return;
  uint32_t at = pos_;
  std::string_view name = *take_id();
  if (labels_.back() != name) fail_at(at, "mismatching label");
}

uint32_t ModuleParser::label_ref() {
  if (kind() == Tok::Number) return take_u32();
  if (kind() != Tok::Id) fail("unexpected token");
  std::string_view name = id_key(pos_);
  for (size_t i = labels_.size(); i-- > 0;) {
    if (labels_[i] == name) {
      ++pos_;
      return static_cast<uint32_t>(labels_.size() - 1 - i);
    }
  }
  fail("unknown label " + std::string(text()));
}

void ModuleParser::block_type(Bytes& out) {
  std::optional<uint32_t> index;
  FuncSig sig;
  if (at_form("type")) {
    index = type_use(nullptr);
    if (*index >= type_info_.size() || !type_info_[*index].is_func) {
      out.s64(*index);
      return;
    }
    sig = type_info_[*index].sig;
  } else {
    params_results(sig, nullptr);
  }
  // A signature without parameters and with at most one result is written in the short form,
  // also when given as (type x), as wat2wasm does.
  if (sig.params.empty() && sig.results.size() <= 1) {
    if (sig.results.empty())
      out.u8(0x40);
    else
      write_valtype(out, sig.results[0]);
    return;
  }
  out.s64(index ? *index : implicit_type(sig));
}

// An empty else is left out, as wat2wasm does (the same module either way).
void ModuleParser::else_body(Bytes& out) {
  size_t at = out.size();
  out.u8(0x05);
  instrs(out);
  if (out.size() == at + 1) out.v.pop_back();
}

// block/loop/if/try/try_table in flat form; the keyword is consumed.
void ModuleParser::flat_block(Bytes& out, const TextOp& op) {
  check_stack();
  uint32_t kw = pos_ - 1;
  opcode(out, op);
  label_def();
  block_type(out);
  if (op.kind == OpKind::TryTable) try_table_catches(out);
  instrs(out);
  if (op.kind == OpKind::Try) {
    legacy_try_rest(out, false);
    return;
  }
  if (op.text == "if" && is_kw("else")) {
    ++pos_;
    end_label(kw);
    else_body(out);
  }
  expect_kw("end");
  end_label(kw);
  out.u8(0x0B);
  labels_.pop_back();
}

void ModuleParser::folded_block(Bytes& out, const TextOp& op) {
  label_def();
  if (op.text == "if") {
    // (if label bt folded* (then instr*) (else instr*)?): the condition comes first.
    Bytes bt;
    block_type(bt);
    while (kind() == Tok::LParen && !is_kw("then", 1)) folded(out);
    opcode(out, op);
    out.raw(bt);
    if (!at_form("then")) fail("unexpected token");
    pos_ += 2;
    instrs(out);
    expect_rparen();
    if (at_form("else")) {
      pos_ += 2;
      else_body(out);
      expect_rparen();
    }
    out.u8(0x0B);
    labels_.pop_back();
    return;
  }
  opcode(out, op);
  block_type(out);
  if (op.kind == OpKind::Try) {
    // (try label bt (do instr*) (catch x instr*)* (catch_all instr*)?) | ... (delegate l))
    if (!at_form("do")) fail("unexpected token");
    pos_ += 2;
    instrs(out);
    expect_rparen();
    legacy_try_rest(out, true);
    return;
  }
  if (op.kind == OpKind::TryTable) try_table_catches(out);
  instrs(out);
  out.u8(0x0B);
  labels_.pop_back();
}

// The catch clauses of a legacy try and its end (or delegate).
void ModuleParser::legacy_try_rest(Bytes& out, bool is_folded) {
  auto clause = [&](std::string_view kw) {
    if (is_folded) {
      if (!at_form(kw)) return false;
      pos_ += 2;
      return true;
    }
    if (!is_kw(kw)) return false;
    ++pos_;
    return true;
  };
  auto clause_end = [&] {
    if (is_folded) expect_rparen();
  };
  if (clause("delegate")) {
    labels_.pop_back();  // the label of delegate is relative to the try's context
    out.u8(0x18);
    out.u32(label_ref());
    clause_end();
    return;
  }
  while (clause("catch")) {
    out.u8(0x07);
    out.u32(take_index(kTag));
    instrs(out);
    clause_end();
  }
  if (clause("catch_all")) {
    out.u8(0x19);
    instrs(out);
    clause_end();
  }
  if (!is_folded) {
    expect_kw("end");
    end_label(0);
  }
  out.u8(0x0B);
  labels_.pop_back();
}

// (catch x l) (catch_ref x l) (catch_all l) (catch_all_ref l)
void ModuleParser::try_table_catches(Bytes& out) {
  Bytes clauses;
  uint32_t n = 0;
  // Labels of the clauses are outside the try_table block itself.
  std::string_view own = labels_.back();
  labels_.pop_back();
  while (kind() == Tok::LParen && kind(1) == Tok::Keyword) {
    std::string_view k = text(1);
    uint8_t code;
    if (k == "catch") code = 0;
    else if (k == "catch_ref") code = 1;
    else if (k == "catch_all") code = 2;
    else if (k == "catch_all_ref") code = 3;
    else break;
    pos_ += 2;
    clauses.u8(code);
    if (code < 2) clauses.u32(take_index(kTag));
    clauses.u32(label_ref());
    expect_rparen();
    ++n;
  }
  labels_.push_back(own);
  out.u32(n);
  out.raw(clauses);
}

uint32_t ModuleParser::lane_index(bool shuffle) {
  if (kind() != Tok::Number)
    fail(shuffle ? "malformed lane index: i8 constant out of range" : "unexpected token");
  std::string_view t = text();
  uint64_t v;
  bool sign = t[0] == '+' || t[0] == '-';
  NumStatus st = sign ? NumStatus::Syntax : parse_nat(t, 255, v);
  // A natural number above 255: the 2.0 suite says "malformed lane index", the 3.0 suite
  // "i8 constant out of range"; the message has both. Another token is unexpected, except in
  // a shuffle's lane list.
  if (st == NumStatus::OutOfRange) fail("malformed lane index: i8 constant out of range");
  if (st != NumStatus::Ok)
    fail(shuffle ? "malformed lane index: i8 constant out of range" : "unexpected token");
  ++pos_;
  return static_cast<uint32_t>(v);
}

void ModuleParser::const_int(Bytes& out, unsigned bits) {
  if (kind() != Tok::Number && kind() != Tok::Reserved) fail("unexpected token");
  uint64_t v;
  switch (parse_int(text(), bits, v)) {
    case NumStatus::Ok: break;
    case NumStatus::Syntax: fail("unknown operator");
    case NumStatus::OutOfRange: fail("constant out of range");
  }
  ++pos_;
  if (bits == 32)
    out.s32(static_cast<int32_t>(static_cast<uint32_t>(v)));
  else
    out.s64(static_cast<int64_t>(v));
}

void ModuleParser::const_f32(Bytes& out) {
  Tok k = kind();
  if (k != Tok::Number && k != Tok::Reserved && k != Tok::Keyword) fail("unexpected token");
  uint32_t v;
  switch (parse_f32(text(), v)) {
    case NumStatus::Ok: break;
    case NumStatus::Syntax: fail(float_syntax_message(k, text()));
    case NumStatus::OutOfRange: fail("constant out of range");
  }
  ++pos_;
  out.fixed32(v);
}

void ModuleParser::const_f64(Bytes& out) {
  Tok k = kind();
  if (k != Tok::Number && k != Tok::Reserved && k != Tok::Keyword) fail("unexpected token");
  uint64_t v;
  switch (parse_f64(text(), v)) {
    case NumStatus::Ok: break;
    case NumStatus::Syntax: fail(float_syntax_message(k, text()));
    case NumStatus::OutOfRange: fail("constant out of range");
  }
  ++pos_;
  out.fixed64(v);
}

void ModuleParser::v128_const(Bytes& out) {
  if (kind() != Tok::Keyword) fail("unexpected token");
  std::string_view shape = text();
  unsigned lanes, bits;
  bool is_float = false;
  if (shape == "i8x16") lanes = 16, bits = 8;
  else if (shape == "i16x8") lanes = 8, bits = 16;
  else if (shape == "i32x4") lanes = 4, bits = 32;
  else if (shape == "i64x2") lanes = 2, bits = 64;
  else if (shape == "f32x4") lanes = 4, bits = 32, is_float = true;
  else if (shape == "f64x2") lanes = 2, bits = 64, is_float = true;
  else fail("unexpected token");
  ++pos_;
  // The number of literals is checked before their values, as the reference interpreter does.
  unsigned given = 0;
  while (given <= lanes && is_lane_literal(pos_ + given, is_float)) ++given;
  if (given != lanes) fail("wrong number of lane literals");
  for (unsigned i = 0; i < lanes; ++i) {
    if (is_float) {
      if (bits == 32) const_f32(out); else const_f64(out);
      continue;
    }
    if (kind() != Tok::Number && kind() != Tok::Reserved) fail("unexpected token");
    uint64_t v;
    switch (parse_int(text(), bits, v)) {
      case NumStatus::Ok: break;
      case NumStatus::Syntax: fail("unknown operator");
      case NumStatus::OutOfRange: fail("constant out of range");
    }
    ++pos_;
    for (unsigned b = 0; b < bits / 8; ++b) out.u8(static_cast<uint8_t>(v >> (8 * b)));
  }
}

bool ModuleParser::is_lane_literal(uint32_t token, bool is_float) const {
  Tok k = lx_.tokens[token].kind;
  if (k == Tok::Number || k == Tok::Reserved) return true;
  if (!is_float || k != Tok::Keyword) return false;
  std::string_view t = lx_.text(token);
  return t.starts_with("nan") || t.starts_with("inf");
}

void ModuleParser::memarg(Bytes& out, uint32_t natural, bool allow_memidx) {
  uint32_t mem = 0;
  if (allow_memidx && at_index()) mem = take_index(kMem);
  bool is64 = mem < mem64_.size() && mem64_[mem];
  uint64_t offset = 0;
  uint64_t align = natural;
  if (kind() == Tok::Keyword && text().starts_with("offset=")) {
    std::string_view v = text().substr(7);
    if (v.empty() || v[0] == '+' || v[0] == '-') fail("unknown operator");
    bool narrow = !is64 && options_.wasm2_limits;
    switch (parse_nat(v, narrow ? UINT32_MAX : UINT64_MAX, offset)) {
      case NumStatus::Ok: break;
      case NumStatus::Syntax: fail("unknown operator");
      case NumStatus::OutOfRange: fail(narrow ? "i32 constant out of range" : "i64 constant out of range");
    }
    ++pos_;
  }
  if (kind() == Tok::Keyword && text().starts_with("align=")) {
    std::string_view v = text().substr(6);
    if (v.empty() || v[0] == '+' || v[0] == '-') fail("unknown operator");
    switch (parse_nat(v, UINT64_MAX, align)) {
      case NumStatus::Ok: break;
      case NumStatus::Syntax: fail("unknown operator");
      case NumStatus::OutOfRange: fail("constant out of range");
    }
    if (align == 0 || (align & (align - 1)) != 0) fail("alignment must be a power of two");
    ++pos_;
  }
  uint32_t log2 = static_cast<uint32_t>(std::countr_zero(align));
  if (mem != 0) {
    out.u32(log2 | 0x40);
    out.u32(mem);
  } else {
    out.u32(log2);
  }
  out.u64(offset);
}

void ModuleParser::immediates(Bytes& out, const TextOp& op) {
  switch (op.kind) {
    case OpKind::None:
      return;
    case OpKind::Label:
      out.u32(label_ref());
      return;
    case OpKind::BrTable: {
      std::vector<uint32_t> targets;
      while (at_index()) targets.push_back(label_ref());
      if (targets.empty()) fail("unexpected token");
      out.u32(static_cast<uint32_t>(targets.size() - 1));
      for (uint32_t t : targets) out.u32(t);
      return;
    }
    case OpKind::Func:
      out.u32(take_index(kFunc));
      return;
    case OpKind::CallIndirect: {
      uint32_t table = at_index() ? take_index(kTable) : 0;
      out.u32(type_use(nullptr));
      out.u32(table);
      return;
    }
    case OpKind::Local: {
      if (kind() == Tok::Id) {
        auto it = locals_.find(id_key(pos_));
        if (it == locals_.end()) fail("unknown local " + std::string(text()));
        ++pos_;
        out.u32(it->second);
      } else {
        out.u32(take_u32());
      }
      return;
    }
    case OpKind::Global:
      out.u32(take_index(kGlobal));
      return;
    case OpKind::Table:
      out.u32(at_index() ? take_index(kTable) : 0);
      return;
    case OpKind::MemArg:
      memarg(out, op.natural_align, true);
      return;
    case OpKind::Mem:
      out.u32(at_index() ? take_index(kMem) : 0);
      return;
    case OpKind::I32: const_int(out, 32); return;
    case OpKind::I64: const_int(out, 64); return;
    case OpKind::F32: const_f32(out); return;
    case OpKind::F64: const_f64(out); return;
    case OpKind::Select: {
      if (!at_form("result")) return;
      // The 0x1C form: rewrite the opcode byte already written.
      out.v.back() = 0x1C;
      std::vector<ValT> types;
      while (at_form("result")) {
        pos_ += 2;
        while (kind() != Tok::RParen) types.push_back(valtype());
        expect_rparen();
      }
      out.u32(static_cast<uint32_t>(types.size()));
      for (ValT t : types) write_valtype(out, t);
      return;
    }
    case OpKind::HeapType:
      write_heaptype(out, heaptype());
      return;
    case OpKind::MemoryInit: {
      uint32_t mem = 0;
      if (kind(1) == Tok::Number || kind(1) == Tok::Id) mem = take_index(kMem);
      out.u32(take_index(kData));
      out.u32(mem);
      uses_data_count_ = true;
      return;
    }
    case OpKind::Data:
      out.u32(take_index(kData));
      uses_data_count_ = true;
      return;
    case OpKind::MemoryCopy: {
      uint32_t dst = at_index() ? take_index(kMem) : 0;
      uint32_t src = at_index() ? take_index(kMem) : dst;
      out.u32(dst);
      out.u32(src);
      return;
    }
    case OpKind::TableInit: {
      uint32_t table = 0;
      if (kind(1) == Tok::Number || kind(1) == Tok::Id) table = take_index(kTable);
      out.u32(take_index(kElem));
      out.u32(table);
      return;
    }
    case OpKind::Elem:
      out.u32(take_index(kElem));
      return;
    case OpKind::TableCopy: {
      uint32_t dst = at_index() ? take_index(kTable) : 0;
      uint32_t src = at_index() ? take_index(kTable) : dst;
      out.u32(dst);
      out.u32(src);
      return;
    }
    case OpKind::V128Const:
      v128_const(out);
      return;
    case OpKind::Shuffle: {
      unsigned given = 0;
      while (given <= 16 && is_lane_literal(pos_ + given, true)) ++given;
      if (given != 16) fail("invalid lane length");
      for (int i = 0; i < 16; ++i) out.u8(static_cast<uint8_t>(lane_index(true)));
      return;
    }
    case OpKind::Lane:
      out.u8(static_cast<uint8_t>(lane_index(false)));
      return;
    case OpKind::MemArgLane: {
      // memidx? memarg laneidx: a leading index is the memory when another number follows.
      bool mem = kind() == Tok::Id ||
                 (kind() == Tok::Number && (kind(1) == Tok::Number || kind(1) == Tok::Keyword));
      memarg(out, op.natural_align, mem);
      out.u8(static_cast<uint8_t>(lane_index(false)));
      return;
    }
    case OpKind::Type:
      out.u32(take_index(kType));
      return;
    case OpKind::TypeField: {
      uint32_t type = take_index(kType);
      out.u32(type);
      if (kind() == Tok::Id && type < type_info_.size()) {
        auto it = type_info_[type].fields.find(id_key(pos_));
        if (it == type_info_[type].fields.end()) fail("unknown field " + std::string(text()));
        ++pos_;
        out.u32(it->second);
      } else {
        out.u32(take_u32());
      }
      return;
    }
    case OpKind::TypeU32:
      out.u32(take_index(kType));
      out.u32(take_u32());
      return;
    case OpKind::TypeData:
      out.u32(take_index(kType));
      out.u32(take_index(kData));
      uses_data_count_ = true;
      return;
    case OpKind::TypeElem:
      out.u32(take_index(kType));
      out.u32(take_index(kElem));
      return;
    case OpKind::TypeType:
      out.u32(take_index(kType));
      out.u32(take_index(kType));
      return;
    case OpKind::Tag:
      out.u32(take_index(kTag));
      return;
    case OpKind::RefTest: {
      ValT t = reftype();
      bool nullable = t.code != 0x64;
      if (nullable) out.v.back() = static_cast<uint8_t>(op.code + 1);  // one-byte LEB code
      write_heaptype(out, t.code == 0x63 || t.code == 0x64 ? t.heap : int64_t(t.code) - 0x80);
      return;
    }
    case OpKind::BrOnCast: {
      uint32_t label = label_ref();
      ValT a = reftype();
      ValT b = reftype();
      auto heap = [](ValT t) { return t.code == 0x63 || t.code == 0x64 ? t.heap : int64_t(t.code) - 0x80; };
      out.u8(static_cast<uint8_t>((a.code != 0x64 ? 1 : 0) | (b.code != 0x64 ? 2 : 0)));
      out.u32(label);
      write_heaptype(out, heap(a));
      write_heaptype(out, heap(b));
      return;
    }
    case OpKind::Block:
    case OpKind::Try:
    case OpKind::TryTable:
    case OpKind::Else:
    case OpKind::End:
      fail("unexpected token");
  }
}

void ModuleParser::const_expr(Bytes& out) {
  labels_.clear();
  instrs(out);
  out.u8(0x0B);
}

void ModuleParser::elem_expr(Bytes& out) {
  if (at_form("item")) {
    pos_ += 2;
    const_expr(out);
    expect_rparen();
  } else {
    labels_.clear();
    folded(out);
    out.u8(0x0B);
  }
}

}  // namespace wsvm::text

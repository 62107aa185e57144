// The text -> instruction index, built once from the two tables.
#include "text/text_ops.hpp"

#include <string>
#include <unordered_map>
#include <vector>

#include "decoder/opcodes.hpp"

namespace wsvm::text {

namespace {

OpKind kind_of(const OpInfo& info) {
  std::string_view t = info.text;
  if (t == "block" || t == "loop" || t == "if") return OpKind::Block;
  if (t == "else") return OpKind::Else;
  if (t == "end") return OpKind::End;
  if (t == "select") return OpKind::Select;
  if (t == "try") return OpKind::Try;
  switch (info.imm) {
    case Imm::None: return OpKind::None;
    case Imm::BlockType: return OpKind::Block;
    case Imm::LabelIdx: return OpKind::Label;
    case Imm::BrTable: return OpKind::BrTable;
    case Imm::FuncIdx: return OpKind::Func;
    case Imm::CallIndirect: return OpKind::CallIndirect;
    case Imm::TypeIdx: return OpKind::Type;
    case Imm::TagIdx: return OpKind::Tag;
    case Imm::TryTable: return OpKind::TryTable;
    case Imm::LocalIdx: return OpKind::Local;
    case Imm::GlobalIdx: return OpKind::Global;
    case Imm::TableIdx: return OpKind::Table;
    case Imm::MemArg: return OpKind::MemArg;
    case Imm::MemIdx: return OpKind::Mem;
    case Imm::I32: return OpKind::I32;
    case Imm::I64: return OpKind::I64;
    case Imm::F32: return OpKind::F32;
    case Imm::F64: return OpKind::F64;
    case Imm::SelectT: return OpKind::Select;
    case Imm::RefType: return OpKind::HeapType;
    case Imm::MemoryInit: return OpKind::MemoryInit;
    case Imm::DataIdx: return OpKind::Data;
    case Imm::MemoryCopy: return OpKind::MemoryCopy;
    case Imm::TableInit: return OpKind::TableInit;
    case Imm::ElemIdx: return OpKind::Elem;
    case Imm::TableCopy: return OpKind::TableCopy;
    case Imm::V128Const: return OpKind::V128Const;
    case Imm::Shuffle: return OpKind::Shuffle;
    case Imm::Lane: return OpKind::Lane;
    case Imm::MemArgLane: return OpKind::MemArgLane;
  }
  return OpKind::None;
}

struct Index {
  std::vector<TextOp> ops;
  std::unordered_map<std::string_view, uint32_t> by_text;

  Index() {
    for (uint16_t i = 0; i < kOpCount; ++i) {
      const OpInfo& info = kOpInfo[i];
      ops.push_back(TextOp{info.text, info.prefix, info.code, kind_of(info), info.mem, false});
    }
#define PENDING_OP(prefix, code, text, kind) \
  ops.push_back(TextOp{text, prefix, code, OpKind::kind, 0, true});
#include "text/pending_ops.def"
#undef PENDING_OP
    // The first row of a text wins: `select` is the untyped 0x1B form.
    for (uint32_t i = 0; i < ops.size(); ++i) by_text.emplace(ops[i].text, i);
  }
};

const Index& index() {
  static const Index idx;
  return idx;
}

}  // namespace

const TextOp* find_op(std::string_view text) {
  const Index& idx = index();
  auto it = idx.by_text.find(text);
  return it == idx.by_text.end() ? nullptr : &idx.ops[it->second];
}

const TextOp* all_ops(size_t& count) {
  count = index().ops.size();
  return index().ops.data();
}

}  // namespace wsvm::text

// The decoded, immutable Module. Index spaces are complete (imports first), so the validator
// and the runtime never have to offset by import counts themselves.
// Spec: https://webassembly.github.io/spec/core/syntax/modules.html
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "decoder/error.hpp"
#include "decoder/instr.hpp"
#include "decoder/types.hpp"

namespace wsvm {

// A constant expression, decoded but not yet validated (the validator decides which
// instructions are constant). Only where it starts is kept: its instructions run from there
// to the `end` that closes it, and ConstExprReader (decoder/const_expr_reader.hpp) reads
// them back. Storing each expression's Instrs cost ~100 bytes per input byte (issue 17).
struct ConstExpr {
  size_t offset = 0;  // byte offset of the first instruction in Module::bytes
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // kind == Func: type index
  TableType table;         // kind == Table
  MemoryType memory;       // kind == Memory
  GlobalType global;       // kind == Global
  uint32_t tag_type = 0;   // kind == Tag: type index (exception handling)
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct Global {  // a defined (non-imported) global
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Passive, Active, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Passive;
  ValType type = ValType::FuncRef;
  uint32_t table = 0;        // Active
  ConstExpr offset;          // Active
  // The items, four bytes each whatever their form (a module may list millions; issue 17).
  // Forms 0-3 (`exprs` false): item i is `ref.func values[i]`. Forms 4-7 (`exprs` true):
  // item i is the constant expression starting at byte values[i] of Module::bytes (read it
  // with item_expr and ConstExprReader). Offsets fit: modules are at most kMaxModuleSize.
  bool exprs = false;
  std::vector<uint32_t> values;
  size_t size() const { return values.size(); }
  ConstExpr item_expr(size_t i) const { return ConstExpr{values[i]}; }  // exprs only
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Passive;  // Passive or Active
  uint32_t memory = 0;
  ConstExpr offset;           // Active
  size_t bytes_offset = 0;    // the segment's bytes: Module::bytes[bytes_offset, +bytes_size)
  size_t bytes_size = 0;
};

struct LocalRun {  // `count` locals of `type`, as declared in the code section
  uint32_t count = 0;
  ValType type = ValType::I32;
};

struct FunctionBody {
  std::vector<LocalRun> locals;  // declared locals (params not included)
  uint64_t local_count = 0;      // sum of counts (decoder ensures it is < 2^32)
  size_t body_offset = 0;        // first instruction byte, in Module::bytes
  size_t body_end = 0;           // one past the final `end` byte
  size_t entry_offset = 0;       // byte offset of the code entry (its size field)
};

struct Names {  // from the "name" custom section; kept for backtraces and debugging
  std::optional<std::string> module;
  std::unordered_map<uint32_t, std::string> functions;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, std::string>> locals;
};

struct CustomSection {
  std::string name;
  size_t offset = 0;  // payload bytes in Module::bytes
  size_t size = 0;
};

struct Module {
  std::vector<uint8_t> bytes;  // the whole binary (offsets above point into it)

  std::vector<FuncType> types;
  std::vector<Import> imports;

  // Complete index spaces (imports first).
  std::vector<uint32_t> funcs;  // type index of every function
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<GlobalType> globals;
  std::vector<uint32_t> tags;  // type index of every tag (exception handling; params only)
  uint32_t imported_funcs = 0;
  uint32_t imported_tables = 0;
  uint32_t imported_memories = 0;
  uint32_t imported_globals = 0;
  uint32_t imported_tags = 0;

  std::vector<Global> global_defs;     // defined globals: globals[imported_globals + i]
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;  // the data count section, if present
  std::vector<FunctionBody> code;      // defined functions: funcs[imported_funcs + i]
  std::vector<CustomSection> customs;
  Names names;
  // Read the bodies as Wasm 2.0 encoded them (set by compile_module for the 2.0 spec suite,
  // ValidateOptions::wasm2): memory.size/grow/fill/copy/init carry reserved 0x00 bytes,
  // not memory indices, and a memarg has no memory index ("zero byte expected").
  bool wasm2 = false;

  const FuncType& func_type(uint32_t func_index) const { return types[funcs[func_index]]; }
  const FunctionBody& body(uint32_t func_index) const { return code[func_index - imported_funcs]; }
  std::span<const uint8_t> body_bytes(uint32_t func_index) const {
    const FunctionBody& b = body(func_index);
    return {bytes.data() + b.body_offset, b.body_end - b.body_offset};
  }
  // Name for backtraces: the name section's, else an export's, else "func[N]".
  std::string function_name(uint32_t func_index) const;
};

// Decodes a whole binary module. Function bodies are only split off here (locals decoded,
// body bytes located); their instructions are decoded by the validator's walker.
Result<std::shared_ptr<Module>> decode_module(std::span<const uint8_t> bytes);
// The same, taking the bytes over instead of copying them into Module::bytes.
Result<std::shared_ptr<Module>> decode_module(std::vector<uint8_t>&& bytes);

// Decode-only scan of one function body's instructions (no typing), used to prefer a
// malformed error over an invalid one as the spec's decode-then-validate order demands, and
// by fuzz tests.
Result<void> scan_body(const Module& m, uint32_t func_index);

}  // namespace wsvm

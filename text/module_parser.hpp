// The module parser: the fields of one `(module ...)` (a token range of a Lexed source) to
// binary module bytes. Internal to text/; the API is text.hpp.
//
// Three passes over the fields, because the text format lets a name be used before its
// definition and the type section comes first in the binary:
//   1. declare(): every definition gets its index in its index space (imports first: an import
//      after a definition is malformed), and its name;
//   2. types(): the type definitions (`type`, `rec`), which only refer to type names;
//   3. fields(): everything else, in text order, each field appending to its section's buffer.
//      Inline type uses without `(type x)` find or append their type here, in text order, as
//      the spec's "implicit type definitions" demand.
// assemble() then writes the header and the non-empty sections in binary order.
//
// Errors are thrown as ParseError inside the parser (it is deeply recursive) and become a
// TextError at the API boundary (text.cpp); nothing else in wsvm sees the exception.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/bytes.hpp"
#include "text/lexer.hpp"
#include "text/stack_guard.hpp"
#include "text/text.hpp"
#include "text/text_ops.hpp"

namespace wsvm::text {

struct ParseError {
  uint32_t token;  // where (index into Lexed::tokens)
  std::string message;
};

// A value type as encoded: `code` is the type byte; for (ref null? $t / abstract) with a
// non-shorthand encoding, code is 0x63/0x64 and `heap` the s33 heap type.
struct ValT {
  uint8_t code = 0;
  int64_t heap = 0;
  bool operator==(const ValT&) const = default;
};

struct FuncSig {
  std::vector<ValT> params, results;
  bool operator==(const FuncSig&) const = default;
};

// What later passes need to know about a type definition.
struct TypeInfo {
  bool is_func = false;
  bool plain_func = false;  // final, no supertypes, alone in its rec group: implicit uses match it
  FuncSig sig;              // is_func
  std::unordered_map<std::string_view, uint32_t> fields;  // struct field names
};

enum Space : uint8_t { kType, kFunc, kTable, kMem, kGlobal, kTag, kElem, kData, kSpaceCount };

class ModuleParser {
 public:
  // Tokens [begin, end) are the module's fields; `end` is the module's ')' (or Eof).
  ModuleParser(const Lexed& lx, uint32_t begin, uint32_t end, const WatOptions& options);
  std::vector<uint8_t> parse();

 private:
  // ---- cursor (module_parser.cpp) ----
  Tok kind(uint32_t ahead = 0) const { return lx_.tokens[pos_ + ahead].kind; }
  std::string_view text(uint32_t ahead = 0) const { return lx_.text(pos_ + ahead); }
  bool is_kw(std::string_view kw, uint32_t ahead = 0) const {
    return kind(ahead) == Tok::Keyword && text(ahead) == kw;
  }
  bool at_form(std::string_view kw) const { return kind() == Tok::LParen && is_kw(kw, 1); }
  [[noreturn]] void fail(std::string message) const { fail_at(pos_, std::move(message)); }
  [[noreturn]] void fail_at(uint32_t token, std::string message) const;
  void expect_lparen();
  void expect_rparen();
  void expect_kw(std::string_view kw);
  std::string_view take_keyword();
  std::string take_string();       // any bytes
  std::string take_name();         // a UTF-8 name (import/export)
  std::optional<std::string_view> take_id();  // "$x" -> "x" (decoded if quoted)
  std::string_view id_key(uint32_t token);
  uint64_t take_nat(uint64_t max, const char* range_message = "constant out of range");
  uint32_t take_u32() { return static_cast<uint32_t>(take_nat(UINT32_MAX)); }
  bool at_index() const { return kind() == Tok::Number || kind() == Tok::Id; }
  uint32_t take_index(Space space);  // numeric or named; named must be bound
  void skip_form() { pos_ = lx_.tokens[pos_].match + 1; }

  // ---- declarations (module_parser.cpp) ----
  void declare();
  void declare_field(uint32_t field);
  uint32_t bind(Space space, uint32_t field_token, const char* what);
  void check_import_order(Space space, bool is_import, uint32_t at);

  // ---- types (parse_types.cpp) ----
  void types();
  void type_def(Bytes& out, uint32_t type_index, bool in_rec, bool alone);
  void comp_type(Bytes& out, TypeInfo& info);
  void field_type(Bytes& out);
  void storage_type(Bytes& out);
  ValT valtype();
  bool at_valtype() const;
  ValT reftype();                  // a reference type (shorthand or `(ref null? ht)`)
  int64_t heaptype();              // abstract (negative s33 of its byte) or a type index
  void write_valtype(Bytes& out, ValT t);
  void write_heaptype(Bytes& out, int64_t h) { out.s64(h); }
  // (param ...)* (result ...)*; names of params go to `names` (nullptr: names forbidden).
  void params_results(FuncSig& sig, std::vector<std::string_view>* names);
  // typeuse := (type x)? (param ...)* (result ...)*; returns the type index.
  uint32_t type_use(std::vector<std::string_view>* param_names, uint32_t* param_count = nullptr);
  uint32_t implicit_type(const FuncSig& sig);
  void limits(Bytes& out, bool is64, uint8_t extra_flags, uint64_t* min_out = nullptr);
  void table_type(Bytes& out, bool& is64);
  void mem_type(Bytes& out);
  void global_type(Bytes& out);

  // ---- instructions (parse_instrs.cpp) ----
  void instrs(Bytes& out);             // until ')' or a block keyword (end, else, catch...)
  void folded(Bytes& out);             // at '('
  void flat_block(Bytes& out, const TextOp& op);
  void folded_block(Bytes& out, const TextOp& op);
  void immediates(Bytes& out, const TextOp& op);
  void opcode(Bytes& out, const TextOp& op, uint32_t code_add = 0);
  void block_type(Bytes& out);
  void else_body(Bytes& out);
  void label_def();                    // optional $label of a block
  void end_label(uint32_t kw_token);   // optional $label after end/else: must match
  uint32_t label_ref();
  void memarg(Bytes& out, uint32_t natural, bool allow_memidx);
  void v128_const(Bytes& out);
  bool is_lane_literal(uint32_t token, bool is_float) const;
  void try_table_catches(Bytes& out);
  void legacy_try_rest(Bytes& out, bool folded);
  uint32_t lane_index(bool shuffle);
  void const_int(Bytes& out, unsigned bits);
  void const_f32(Bytes& out);
  void const_f64(Bytes& out);
  void const_expr(Bytes& out);         // instrs then `end` (init expressions, offsets)
  void elem_expr(Bytes& out);          // (item instr*) | (instr)

  // ---- module fields (module_fields.cpp) ----
  void fields();
  void field_type_skip();
  void field_func();
  void field_table();
  void field_memory();
  void field_global();
  void field_tag();
  void field_import();
  void field_export();
  void field_start();
  void field_elem();
  void field_data();
  void inline_exports(uint8_t kind, uint32_t index);
  bool inline_import(std::string& module, std::string& name);
  void func_body(uint32_t func_index, uint32_t type_index, std::vector<std::string_view>& params,
                 uint32_t param_count);
  void elem_list(Bytes& items, ValT& type, bool& func_indices, uint32_t& count, bool allow_bare);
  void write_elem(uint8_t mode, uint32_t table, const Bytes& offset, const Bytes& items,
                  ValT type, bool func_indices, uint32_t count);
  void write_data(uint8_t mode, uint32_t mem, const Bytes& offset, std::string_view bytes);
  std::vector<uint8_t> assemble();
  void name_section(Bytes& out);
  std::optional<std::string> name_annotation(uint32_t from, uint32_t to);

  const Lexed& lx_;
  uint32_t begin_, end_;
  std::vector<uint32_t> field_starts_;  // the '(' of every field, ascending (for @custom)
  uint32_t pos_;
  WatOptions options_;

  // Index spaces: names and counts; which index spaces are 64-bit (for offsets and limits).
  std::array<std::unordered_map<std::string_view, uint32_t>, kSpaceCount> names_;
  std::array<uint32_t, kSpaceCount> counts_{};
  std::vector<bool> table64_, mem64_;
  std::deque<std::string> arena_;  // decoded quoted ids (names_ keys point into it)
  std::optional<Space> first_definition_;  // for "import after function" and friends

  // Types
  std::vector<TypeInfo> type_info_;
  Bytes type_sec_;
  uint32_t type_entries_ = 0;  // rec groups and single types written to type_sec_

  // Per-field-kind section buffers and entry counts.
  Bytes import_sec_, func_sec_, table_sec_, mem_sec_, tag_sec_, global_sec_, export_sec_,
      elem_sec_, code_sec_, data_sec_;
  uint32_t n_imports_ = 0, n_funcs_ = 0, n_tables_ = 0, n_mems_ = 0, n_tags_ = 0, n_globals_ = 0,
           n_exports_ = 0, n_elems_ = 0, n_codes_ = 0, n_datas_ = 0;
  std::optional<uint32_t> start_;
  bool uses_data_count_ = false;
  std::vector<std::pair<uint32_t, std::string>> func_names_;  // for the name section
  // Named params and locals of each function with any (function index, [(local, name)]).
  std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, std::string_view>>>> local_names_;
  uint32_t next_func_ = 0, next_table_ = 0, next_mem_ = 0, next_global_ = 0, next_tag_ = 0,
           next_elem_ = 0, next_data_ = 0;

  // Function being parsed: local names and the label stack (names; "" for an unnamed label).
  std::unordered_map<std::string_view, uint32_t> locals_;
  std::vector<std::string_view> labels_;
  std::deque<Bytes> pool_;  // scratch buffers for folded instructions, by depth (stable references)
  uint32_t depth_ = 0;    // folded instructions whose immediates wait in pool_
  uintptr_t stack_floor_ = stack_floor();

  // Checked at every level of the parser's recursion (blocks and folded instructions), so
  // deeply nested input is an error instead of a stack overflow.
  void check_stack() const {
    if (!stack_left(stack_floor_)) fail("nesting too deep");
  }
  Bytes body_;
};

}  // namespace wsvm::text

// The component parser: the fields of one `(component ...)` to component binary bytes.
// Internal to text/; the API is component_text.hpp.
//
// One pass in text order: component index spaces only grow, and a name must be defined before
// it is used (as in wasm-tools), so each definition is written as soon as it is read. Sugar
// that the binary has no form for becomes the definitions it stands for, written just before:
//   - an inline type (`(param "x" (list u8))`, `(func (param ...))` in an import) is a type
//     definition;
//   - an inline export alias (`(core func $i "f")`, `(func $i "a" "b")`) is an alias chain;
//   - a name from an enclosing scope (a type, core type, core module or component) is an
//     outer alias, made once per scope;
//   - an inline instance (`(with "x" (instance (export ...)))`) is an instance definition;
//   - inline exports (`(func (export "f") ...)`) are export definitions after it.
// Every definition becomes its own section (or, inside a component or instance type, its own
// declarator); sections may repeat in any order in a component.
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
#include "text/component_cursor.hpp"
#include "text/lexer.hpp"
#include "text/module_parser.hpp"  // ParseError
#include "text/stack_guard.hpp"
#include "text/text.hpp"

namespace wsvm::text {

// The 13 sorts of Binary.md, core sorts first.
enum class CSort : uint8_t {
  CoreFunc, CoreTable, CoreMemory, CoreGlobal, CoreTag, CoreType, CoreModule, CoreInstance,
  Func, Value, Type, Component, Instance,
};
inline constexpr size_t kCSortCount = 13;

// What a definition is: its section id in a component.
enum class CDef : uint8_t {
  CoreModule = 1, CoreInstance = 2, CoreType = 3, Component = 4, Instance = 5, Alias = 6,
  Type = 7, Canon = 8, Start = 9, Import = 10, Export = 11,
};

struct CScope {
  enum class Kind : uint8_t { Component, ComponentType, InstanceType };
  Kind kind = Kind::Component;
  CScope* parent = nullptr;
  std::string_view id;  // the scope's $name (without '$'), for `alias outer $name`
  std::array<std::unordered_map<std::string_view, uint32_t>, kCSortCount> names;
  std::array<uint32_t, kCSortCount> counts{};
  Bytes out;           // a component's sections, or a type's declarators
  uint32_t decls = 0;  // types: how many declarators
};

class ComponentParser : TokenCursor {
 public:
  ComponentParser(const Lexed& lx, const WatOptions& options) : TokenCursor(lx), options_(options) {}
  // `open` is the '(' of `(component ...)`; `pos` the first token after its keyword(s) and
  // id. Returns the whole binary (preamble included).
  std::vector<uint8_t> component(uint32_t pos, uint32_t close, std::string_view id);

 private:
  // ---- cursor (component_cursor.hpp, and these) ----
  void expect_lparen();
  void expect_kw(std::string_view kw);
  std::string take_name();  // UTF-8
  uint32_t take_u32();
  std::optional<uint32_t> take_id_token();  // the token of an optional $id
  std::string_view id_key(uint32_t token);
  void check_stack() const {
    if (!stack_left(stack_floor_)) fail("nesting too deep");
  }

  // ---- scopes and index spaces (component_parser.cpp) ----
  void emit(CScope& sc, CDef def, const Bytes& item);
  uint32_t define(CScope& sc, CSort sort, std::optional<uint32_t> id_token);
  uint32_t index(CScope& sc, CSort sort);  // a number or a $name (maybe an outer alias)
  CSort take_sort(bool core_context);      // `core func`, `func`, ... (core_context: `func` is core)
  void write_sort(Bytes& out, CSort s);
  // `(sort idx "export"*)`: an index, through aliases of instance exports when names follow.
  uint32_t item_ref(CScope& sc, CSort expected, bool core_context, CSort* got = nullptr);
  uint32_t index_or_ref(CScope& sc, CSort sort);  // `idx` or `(core sort ...)`
  uint32_t alias_export(CScope& sc, CSort sort, uint32_t instance, std::string name, bool core_instance);

  // ---- definitions (component_parser.cpp) ----
  void fields(CScope& sc, uint32_t end);
  void core_def(CScope& sc);
  void core_module(CScope& sc);
  void core_instance(CScope& sc);
  uint32_t core_instance_expr(CScope& sc, std::optional<uint32_t> id, uint32_t close);
  void nested_component(CScope& sc);
  void instance(CScope& sc);
  uint32_t instance_bag(CScope& sc, std::optional<uint32_t> id, uint32_t close);
  void alias(CScope& sc, std::optional<CSort> sugar_sort = {}, std::optional<uint32_t> sugar_id = {});
  void canon(CScope& sc, std::optional<uint32_t> sugar_id = {}, std::optional<uint32_t> lift_type = {});
  void canon_opts(CScope& sc, Bytes& out);
  void start(CScope& sc);
  void extern_decl(CScope& sc, CDef def);  // an import, or an export declarator of a type
  bool inline_import(Bytes& item);          // `(import "name" attrs)` sugar: its name
  void export_def(CScope& sc);
  void func(CScope& sc);
  void value_def(CScope& sc);
  void name_attributes(Bytes& out);
  // A definition's head `(kw... $id? (export "name")*` and its end: `keywords` after the '('.
  struct DefHead {
    uint32_t close = 0;
    std::optional<uint32_t> id;
    std::vector<std::pair<uint32_t, uint32_t>> exports;
  };
  DefHead def_head(uint32_t keywords);
  void def_tail(CScope& sc, const DefHead& h, CSort sort, uint32_t idx);  // ')' and the exports
  // `(export "name")*` of a definition, written after it.
  std::vector<std::pair<uint32_t, uint32_t>> inline_exports();  // (first token, '(' token)
  void write_inline_exports(CScope& sc, const std::vector<std::pair<uint32_t, uint32_t>>& ex,
                            CSort sort, uint32_t idx);

  // ---- types (component_types.cpp) ----
  void type_def(CScope& sc);
  uint32_t deftype(CScope& sc, std::optional<uint32_t> id);  // at a deftype: defines it
  void write_deftype(CScope& sc, Bytes& out);
  bool at_prim() const;
  void valtype(CScope& sc, Bytes& out);
  uint32_t func_type_use(CScope& sc);  // (type x) | (param ...)* (result ...)?
  void functype_body(CScope& sc, Bytes& out, bool async);
  void type_decls(CScope& sc, Bytes& out, CScope::Kind kind);
  // Declarators up to `close` (no wrapper): a component or instance type, defined; its index.
  uint32_t inline_type_decls(CScope& sc, CScope::Kind kind, uint32_t close);
  void decl(CScope& sc);
  // An externdesc: writes the externtype and returns its sort (and the token of its $id).
  CSort extern_desc(CScope& sc, Bytes& out, std::optional<uint32_t>& id);
  void core_type_def(CScope& sc);
  void core_deftype(CScope& sc, Bytes& out);
  void core_functype(Bytes& out, std::unordered_map<std::string_view, uint32_t>* type_names);
  void core_valtype(Bytes& out);
  void module_type(CScope& sc, Bytes& out);  // at `(module decl*)`
  void module_decls(CScope& sc, Bytes& out, uint32_t close);  // decl* up to `close`
  void core_extern_desc(Bytes& out, Bytes& decls, uint32_t& n_decls, uint32_t& n_types,
                        std::unordered_map<std::string_view, uint32_t>& type_names);
  void core_limits(Bytes& out, uint8_t shared_flag = 0);

  WatOptions options_;
  std::deque<std::string> arena_;  // decoded quoted ids
  uintptr_t stack_floor_ = stack_floor();
};

}  // namespace wsvm::text

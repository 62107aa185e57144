// Component-level types as decoded: sorts, value types, function/component/instance/resource
// types, core types (function and module types), extern types and names.
// Spec: ../shared/component-model-spec/Binary.md, "Type Definitions".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decoder/module.hpp"
#include "decoder/types.hpp"

namespace wsvm::component {

// The 13 index spaces ("sorts"). Core sorts first.
enum class Sort : uint8_t {
  CoreFunc, CoreTable, CoreMemory, CoreGlobal, CoreTag, CoreType, CoreModule, CoreInstance,
  Func, Value, Type, Component, Instance,
};
inline constexpr size_t kSortCount = 13;
const char* sort_name(Sort s);  // "core func", "func", "instance", ...
inline bool is_core(Sort s) { return s <= Sort::CoreInstance; }

// primvaltype codes (Binary.md), so a decoded byte converts directly.
enum class PrimType : uint8_t {
  Bool = 0x7f, S8 = 0x7e, U8 = 0x7d, S16 = 0x7c, U16 = 0x7b, S32 = 0x7a, U32 = 0x79,
  S64 = 0x78, U64 = 0x77, F32 = 0x76, F64 = 0x75, Char = 0x74, String = 0x73,
  ErrorContext = 0x64,
};
const char* prim_name(PrimType p);  // "bool", "s8", ..., "string", "error-context"
bool is_prim_byte(uint8_t b);

// valtype ::= typeidx | primvaltype.
struct ValTypeRef {
  bool is_prim = true;
  PrimType prim = PrimType::Bool;
  uint32_t index = 0;  // !is_prim: type index
  static ValTypeRef of(PrimType p) { return {true, p, 0}; }
  static ValTypeRef at(uint32_t i) { return {false, PrimType::Bool, i}; }
  bool operator==(const ValTypeRef&) const = default;
};

enum class DefValKind : uint8_t {
  Prim, Record, Variant, List, FixedList, Tuple, Flags, Enum, Option, Result, Own, Borrow,
  Stream, Future, Map,
};
const char* defval_kind_name(DefValKind k);  // "record", "variant", ...

struct LabeledType {  // record field, variant case (type optional), tuple element (no label)
  std::string label;
  std::optional<ValTypeRef> type;
};

struct DefValType {
  DefValKind kind = DefValKind::Prim;
  PrimType prim = PrimType::Bool;       // Prim
  std::vector<LabeledType> fields;      // Record fields, Variant cases, Tuple elements
  std::vector<std::string> labels;      // Flags, Enum
  std::optional<ValTypeRef> a;          // List/FixedList/Option element, Result ok,
                                        // Stream/Future element, Map key
  std::optional<ValTypeRef> b;          // Result error, Map value
  uint32_t length = 0;                  // FixedList
  uint32_t resource = 0;                // Own/Borrow: the resource type index
};

struct FuncType {
  std::vector<LabeledType> params;      // every param has a label and a type
  std::optional<ValTypeRef> result;     // at most one result
  bool async = false;
};

struct ResourceType {
  ValType rep = ValType::I32;           // the core representation (i32 only today)
  std::optional<uint32_t> dtor;         // core func index
};

// typebound: (eq i) or (sub resource).
struct TypeBound {
  bool sub_resource = true;
  uint32_t eq = 0;
};

enum class ExternKind : uint8_t { Module, Func, Value, Type, Component, Instance };
const char* extern_kind_name(ExternKind k);  // "core module", "func", ...
Sort extern_kind_sort(ExternKind k);

struct ExternType {
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;   // Module: core type index; Func/Component/Instance: type index
  TypeBound bound;      // Type
  bool value_eq = false;          // Value: (eq valueidx) or a valtype
  uint32_t value_index = 0;
  ValTypeRef value_type;
};

// nameattributes: the name and its optional attributes (🏷️/🔗).
struct ExternName {
  std::string name;
  std::optional<std::string> implements;
  std::optional<std::string> version_suffix;
  std::optional<std::string> external_id;
  size_t offset = 0;  // where the name starts (for errors)
};

// ---- core types ----------------------------------------------------------------------------

struct CoreExternType {  // core:externtype (imports and exports of a module type)
  wsvm::ExternKind kind = wsvm::ExternKind::Func;
  uint32_t func_type = 0;  // Func: core type index (in the module type's own space)
  TableType table;
  MemoryType memory;
  GlobalType global;
  uint32_t tag_type = 0;   // Tag: core type index
  bool is_tag = false;
};

struct CoreModuleDecl {
  enum class Kind : uint8_t { Import, Type, Alias, Export };
  Kind kind = Kind::Import;
  std::string module;      // Import
  std::string name;        // Import / Export
  CoreExternType extern_type;  // Import / Export
  uint32_t type = 0;       // Type: index into CoreType::module_types
  uint32_t outer_count = 0, outer_index = 0;  // Alias (outer, type sort)
};

struct CoreType {
  bool is_module = false;
  wsvm::FuncType func;               // !is_module
  std::vector<CoreModuleDecl> decls;  // is_module
  std::vector<CoreType> module_types;  // core types declared inside the module type
  size_t offset = 0;
};

// ---- component and instance types -----------------------------------------------------------

struct TypeDef;

// A declarator of a component or instance type. Aliases and types are stored in the type's
// own vectors and referred to by position; each has its own index spaces.
struct TypeDecl {
  enum class Kind : uint8_t { CoreType, Type, Alias, Import, Export };
  Kind kind = Kind::Type;
  uint32_t index = 0;   // CoreType: in core_types; Type: in types; Alias: in aliases
  ExternName name;      // Import / Export
  ExternType type;      // Import / Export
};

struct DeclAlias {  // an alias inside a type: export of an instance, or outer
  Sort sort = Sort::Type;
  bool outer = false;
  uint32_t instance = 0;  // export alias
  std::string name;
  bool core_export = false;
  uint32_t outer_count = 0, outer_index = 0;
};

enum class TypeDefKind : uint8_t { Value, Func, Component, Instance, Resource };

struct TypeDef {
  TypeDefKind kind = TypeDefKind::Value;
  DefValType value;
  FuncType func;
  ResourceType resource;
  // Component / Instance: declarators in order, with what they refer to.
  std::vector<TypeDecl> decls;
  std::vector<CoreType> core_types;
  std::vector<TypeDef> types;
  std::vector<DeclAlias> aliases;
  size_t offset = 0;
};

}  // namespace wsvm::component

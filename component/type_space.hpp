// Type index spaces at instantiation: each entry is a decoded type definition together with
// the space its indices refer to, or a resource type. Turns defined value types and function
// types into the canonical ABI's resolved VTypes (memoised per entry).
#pragma once

#include <memory>
#include <vector>

#include "component/abi_type.hpp"
#include "component/handles.hpp"
#include "component/ir.hpp"

namespace wsvm::component {

class TypeSpace;

struct TypeEntry {
  const TypeDef* def = nullptr;             // the definition (null for resources)
  const TypeSpace* scope = nullptr;         // where the definition's indices point
  const ResourceTypeInfo* resource = nullptr;  // a resource type
  mutable VTypeP resolved;                  // memoised value type
};

// A function's resolved signature.
struct FuncSig {
  std::vector<std::string> param_names;
  std::vector<VTypeP> params;
  std::vector<VTypeP> results;  // 0 or 1
  bool async = false;           // `async func`: may block before returning
};

class TypeSpace {
 public:
  explicit TypeSpace(const TypeSpace* parent = nullptr) : m_parent(parent) {}
  void push(TypeEntry e) { m_entries.push_back(std::move(e)); }
  size_t size() const { return m_entries.size(); }
  const TypeSpace* parent() const { return m_parent; }
  Result<const TypeEntry*> at(uint32_t i, size_t offset) const;

  Result<VTypeP> valtype(const ValTypeRef& t, size_t offset) const;
  // The entry's value type (a defined value type, or error).
  Result<VTypeP> value_of(const TypeEntry& e, size_t offset) const;
  Result<FuncSig> func(uint32_t type_index, size_t offset) const;

 private:
  Result<VTypeP> defval(const DefValType& d, size_t offset) const;
  const TypeSpace* m_parent;
  std::vector<TypeEntry> m_entries;
};

}  // namespace wsvm::component

// Readers shared by the component section decoders (internal to component/).
#pragma once

#include "component/ir.hpp"
#include "decoder/reader.hpp"

namespace wsvm::component::detail {

// Nesting of components, component/instance types and core module types is bounded so a
// hostile binary cannot exhaust the native stack.
inline constexpr uint32_t kMaxNesting = 64;

// A vector count whose elements take at least one byte each, capped by what is left.
Result<uint32_t> read_count(Reader& r);
Result<std::string> read_name(Reader& r);
Result<Sort> read_core_sort(Reader& r);
Result<Sort> read_sort(Reader& r);
Result<ValTypeRef> read_valtype(Reader& r);
Result<ExternName> read_extern_name(Reader& r);
Result<ExternType> read_extern_type(Reader& r);
Result<CoreType> read_core_type(Reader& r, uint32_t depth);
Result<TypeDef> read_type(Reader& r, uint32_t depth);
Result<Canon> read_canon(Reader& r);
// alias ::= sort (0x00 instanceidx name | 0x01 core:instanceidx core:name | 0x02 ct idx)
Result<Alias> read_alias(Reader& r);

}  // namespace wsvm::component::detail

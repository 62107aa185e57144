// wsvm's implementation limits on a module's shape. The spec lets an implementation bound
// these (https://webassembly.github.io/spec/core/appendix/implementation.html); without a
// bound a small hostile input can make the host spend memory and time out of proportion to
// its size (issue 17). The values are the ones the web engines agreed on (V8's
// src/wasm/wasm-limits.h, wasmparser's limits.rs, the JS API's "Limits" section), so a module
// any browser accepts is accepted here. Each limit fails decoding with one message that
// starts with the spec suite's wording where it has one ("too many locals") and names the
// limit: "too many functions: 1000001 (wsvm's limit is 1000000)". decoder/README.md lists them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wsvm::limits {

inline constexpr size_t kMaxModuleSize = size_t{1} << 30;     // bytes (1 GiB)
inline constexpr uint32_t kMaxTypes = 1000000;
inline constexpr uint32_t kMaxFunctions = 1000000;           // imported + defined
inline constexpr uint32_t kMaxImports = 100000;
inline constexpr uint32_t kMaxExports = 100000;
inline constexpr uint32_t kMaxGlobals = 1000000;             // imported + defined
inline constexpr uint32_t kMaxTags = 1000000;                // imported + defined (exceptions)
inline constexpr uint32_t kMaxTables = 100000;               // imported + defined
inline constexpr uint32_t kMaxMemories = 100;                // imported + defined
inline constexpr uint32_t kMaxElemSegments = 100000;
inline constexpr uint32_t kMaxElemItems = 10000000;          // per element segment
inline constexpr uint32_t kMaxDataSegments = 100000;
inline constexpr uint32_t kMaxNameBytes = 100000;            // an import/export/custom name
inline constexpr uint32_t kMaxFunctionSize = 7654321;        // a code entry, locals included
inline constexpr uint32_t kMaxLocals = 50000;                // params + declared locals
inline constexpr uint32_t kMaxParams = 1000;                 // of a function or block type
inline constexpr uint32_t kMaxResults = 1000;
inline constexpr uint32_t kMaxBrTableTargets = 65520;

// "too many WHAT: N (wsvm's limit is LIMIT)"
std::string too_many(const char* what, uint64_t n, uint64_t limit);

}  // namespace wsvm::limits

// WebAssembly types: value types, function types, limits, table/memory/global types.
// Spec: https://webassembly.github.io/spec/core/syntax/types.html
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wsvm {

// Values are the binary encodings, so a decoded byte converts directly.
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
  // Not a wasm type: the validator's "unknown" operand in unreachable code.
  Bottom = 0x00,
};

const char* valtype_name(ValType t);  // "i32", "funcref", ...
inline bool is_valtype_byte(uint8_t b) {  // one of the 7 encodings above
  // 0x7B..0x7F (v128, f64, f32, i64, i32), 0x70 (funcref), 0x6F (externref)
  return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F;
}
inline bool is_reftype(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
inline bool is_num(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64;
}
// Number of 8-byte slots a value of this type occupies in the uniform value layout
// (operand stack, locals, host-call arguments): 2 for v128, 1 otherwise.
inline uint32_t slot_count(ValType t) { return t == ValType::V128 ? 2 : 1; }

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
  std::string to_string() const;  // "[i32 i64] -> [f32]"
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool operator==(const Limits&) const = default;
};

struct TableType {
  ValType elem = ValType::FuncRef;  // FuncRef or ExternRef
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char* extern_kind_name(ExternKind k);  // "func", "table", "memory", "global"

inline constexpr uint64_t kPageSize = 65536;
inline constexpr uint64_t kMaxPages32 = 65536;       // 4 GiB
inline constexpr uint64_t kMaxTableSize = 0xFFFFFFFF;

}  // namespace wsvm

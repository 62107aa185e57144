// WebAssembly types: value types, function types, limits, table/memory/global types.
// Spec: https://webassembly.github.io/spec/core/syntax/types.html (Wasm 3.0)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wsvm {

// What a value is at run time, which is all an engine needs to know to move it: the number
// and vector types, and one kind per reference hierarchy (every reference is one slot
// holding a pointer or null). Values are the binary encodings of the short forms.
enum class ValKind : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,    // any function reference: funcref, (ref func), (ref null $t), nofunc
  ExternRef = 0x6F,  // externref, (ref extern), noextern
  ExnRef = 0x69,     // exnref, (ref exn), noexn
  // Not a wasm type: the validator's "unknown" operand in unreachable code.
  Bottom = 0x00,
};

// The heap type of a reference type. Abstract heap types are their binary encodings;
// Index means the concrete type `ValType::type_index()`; Bot is the validator's unknown
// heap type (a reference popped from an unknown operand, Wasm 3.0 algorithm).
enum class HeapType : uint8_t {
  NotRef = 0x00,  // a number or vector type
  Func = 0x70,
  Extern = 0x6F,
  Exn = 0x69,
  NoFunc = 0x73,
  NoExtern = 0x72,
  NoExn = 0x74,
  Index = 0x01,
  Bot = 0x02,
};

// A value type: number, vector or reference type (nullability, heap type, type index).
// It converts to its ValKind, so `switch (t) { case ValType::I32: ... }` reads as before;
// equality compares the whole type (use `kind()` to ask "a function reference?"), and
// subtyping is `matches()` below (validator and linker).
struct ValType {
  constexpr ValType() = default;
  constexpr ValType(ValKind k)  // NOLINT: the number types and the short ref forms
      : m_kind(k), m_heap(short_heap(k)), m_nullable(m_heap != HeapType::NotRef) {}
  // A one-byte encoding (number, vector or short reference form).
  constexpr explicit ValType(uint8_t byte) : ValType(static_cast<ValKind>(byte)) {}

  static constexpr ValType ref(HeapType heap, bool nullable) {
    ValType t;
    t.m_kind = kind_of_heap(heap);
    t.m_heap = heap;
    t.m_nullable = nullable;
    return t;
  }
  // (ref null? $idx): until GC every defined type is a function type.
  static constexpr ValType ref_index(uint32_t index, bool nullable) {
    ValType t = ref(HeapType::Index, nullable);
    t.m_index = index;
    return t;
  }

  constexpr operator ValKind() const { return m_kind; }  // NOLINT: switch on the kind
  constexpr ValKind kind() const { return m_kind; }
  constexpr HeapType heap() const { return m_heap; }
  constexpr bool nullable() const { return m_nullable; }
  constexpr uint32_t type_index() const { return m_index; }  // heap() == Index
  constexpr bool is_ref() const { return m_heap != HeapType::NotRef; }
  // The one-byte short form's encoding, for number/vector types and funcref/externref/exnref.
  constexpr uint8_t byte() const { return static_cast<uint8_t>(m_kind); }
  constexpr ValType as_nullable(bool n) const {
    ValType t = *this;
    t.m_nullable = n;
    return t;
  }
  constexpr bool operator==(const ValType&) const = default;

  static const ValType I32, I64, F32, F64, V128, FuncRef, ExternRef, ExnRef, Bottom;

 private:
  static constexpr HeapType short_heap(ValKind k) {
    switch (k) {
      case ValKind::FuncRef: return HeapType::Func;
      case ValKind::ExternRef: return HeapType::Extern;
      case ValKind::ExnRef: return HeapType::Exn;
      default: return HeapType::NotRef;
    }
  }
  static constexpr ValKind kind_of_heap(HeapType h) {
    switch (h) {
      case HeapType::Extern:
      case HeapType::NoExtern: return ValKind::ExternRef;
      case HeapType::Exn:
      case HeapType::NoExn: return ValKind::ExnRef;
      case HeapType::Bot: return ValKind::Bottom;
      default: return ValKind::FuncRef;
    }
  }

  ValKind m_kind = ValKind::I32;
  HeapType m_heap = HeapType::NotRef;
  bool m_nullable = false;
  uint8_t m_unused = 0;  // compared by ==: keep it zero
  uint32_t m_index = 0;
};

inline constexpr ValType ValType::I32{ValKind::I32};
inline constexpr ValType ValType::I64{ValKind::I64};
inline constexpr ValType ValType::F32{ValKind::F32};
inline constexpr ValType ValType::F64{ValKind::F64};
inline constexpr ValType ValType::V128{ValKind::V128};
inline constexpr ValType ValType::FuncRef{ValKind::FuncRef};
inline constexpr ValType ValType::ExternRef{ValKind::ExternRef};
inline constexpr ValType ValType::ExnRef{ValKind::ExnRef};
inline constexpr ValType ValType::Bottom{ValKind::Bottom};

// "i32", "funcref", "(ref null 3)", "(ref func)", ...
std::string valtype_name(ValType t);
inline bool is_valtype_byte(uint8_t b) {  // one of the 7 Wasm 2.0 one-byte encodings
  // 0x7B..0x7F (v128, f64, f32, i64, i32), 0x70 (funcref), 0x6F (externref)
  return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F;
}
inline bool is_reftype(ValType t) { return t.is_ref(); }
inline bool is_num(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64;
}
// Number of 8-byte slots a value of this type occupies in the uniform value layout
// (operand stack, locals, host-call arguments): 2 for v128, 1 otherwise.
inline uint32_t slot_count(ValType t) { return t.kind() == ValKind::V128 ? 2 : 1; }
// Whether a default value exists (locals, table elements): not for non-nullable references.
inline bool defaultable(ValType t) { return !t.is_ref() || t.nullable(); }

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
  std::string to_string() const;  // "[i32 i64] -> [f32]"
};

// Where the concrete type indices of a ValType point: one module's type section. Subtyping
// between types of two modules (import matching) compares their definitions structurally.
struct TypeContext {
  std::span<const FuncType> types;
};

// Subtyping, Wasm 3.0 (https://webassembly.github.io/spec/core/valid/matching.html), for
// the types without GC: numbers and vectors match themselves; (ref null? ht1) matches
// (ref null? ht2) when nullability allows and ht1 <: ht2, where $t <: func <: ... and
// nofunc <: $t, noextern <: extern, noexn <: exn; Bottom matches everything.
bool heap_matches(HeapType sub, uint32_t sub_index, const TypeContext& sub_ctx, HeapType super,
                  uint32_t super_index, const TypeContext& super_ctx);
bool matches(ValType sub, const TypeContext& sub_ctx, ValType super, const TypeContext& super_ctx);
inline bool matches(ValType sub, ValType super, const TypeContext& ctx) {
  if (sub == super) return true;  // the common case, without a call
  return matches(sub, ctx, super, ctx);
}
// Equivalent defined types (index `a` in one context, `b` in another): structurally equal
// function types, their own type indices compared the same way.
bool types_equivalent(uint32_t a, const TypeContext& actx, uint32_t b, const TypeContext& bctx);

// A byte string equal exactly for equivalent function types (types_equivalent): the
// Store interns function types by it, so call_indirect compares one integer. Referenced
// types are spelled out, a type referring to itself by how far up the nesting it is.
std::string canonical_key(const FuncType& t, const TypeContext& ctx);

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  // The address type is i64 (memory64 / table64: flag bit 2): addresses, sizes and deltas
  // of the memory or table are i64 values, and min/max are u64 (else u32).
  bool addr64 = false;
  ValType addr_type() const { return addr64 ? ValType::I64 : ValType::I32; }
  bool operator==(const Limits&) const = default;
};

struct TableType {
  ValType elem = ValType::FuncRef;  // a reference type
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
const char* extern_kind_name(ExternKind k);  // "func", "table", "memory", "global", "tag"

inline constexpr uint64_t kPageSize = 65536;
inline constexpr uint64_t kMaxPages32 = 65536;       // 4 GiB
inline constexpr uint64_t kMaxPages64 = uint64_t{1} << 48;  // 2^64 bytes (memory64)
inline constexpr uint64_t kMaxTableSize = 0xFFFFFFFF;

}  // namespace wsvm

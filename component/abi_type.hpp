// Resolved component value types for the canonical ABI: self-contained trees (no type
// indices) with their memory layout (alignment, size) and flattening computed once.
// Spec: ../shared/component-model-spec/CanonicalABI.md ("Alignment", "Element Size",
// "Flattening"); definitions.py's alignment/elem_size/flatten_type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wsvm::component {

struct ResourceTypeInfo;

enum class VKind : uint8_t {
  Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String, ErrorContext,
  List, FixedList, Record, Tuple, Variant, Enum, Option, Result, Flags, Own, Borrow,
  Stream, Future,  // elems[0]: the payload type (null: none)
};
const char* vkind_name(VKind k);

enum class FlatType : uint8_t { I32, I64, F32, F64 };
const char* flat_type_name(FlatType t);

struct VType;
using VTypeP = std::shared_ptr<const VType>;

struct VType {
  VKind kind = VKind::Bool;
  // Record fields, Variant/Enum cases, Flags.
  std::vector<std::string> labels;
  // Record fields and Tuple elements; Variant case payloads (null: no payload);
  // List/FixedList/Option element in [0]; Result ok in [0] and error in [1] (null: none).
  std::vector<VTypeP> elems;
  uint32_t length = 0;                         // FixedList
  const ResourceTypeInfo* resource = nullptr;  // Own/Borrow: which resource type

  // Layout, filled by the constructors below (pointers are i32: memory64 is not supported).
  uint32_t align = 1;
  uint32_t size = 0;
  std::vector<FlatType> flat;

  // Despecialised view (definitions.py's despecialize): tuples are records, enums, options
  // and results are variants.
  bool is_record_like() const { return kind == VKind::Record || kind == VKind::Tuple; }
  bool is_variant_like() const {
    return kind == VKind::Variant || kind == VKind::Enum || kind == VKind::Option ||
           kind == VKind::Result;
  }
  size_t case_count() const;
  const VType* case_payload(size_t i) const;  // null when the case has none
  // The discriminant's byte size: 1, 2 or 4 by the number of cases.
  uint32_t discriminant_size() const;
  // Max alignment over the payloads (the payload's offset after the discriminant).
  uint32_t payload_align() const;
  uint32_t payload_offset() const;
  std::string to_string() const;  // WIT-like: "list<u8>", "record { x: s32 }"
};

inline constexpr uint32_t kPtrSize = 4;

// Constructors (each computes the layout).
VTypeP t_prim(VKind k);  // Bool..ErrorContext
VTypeP t_list(VTypeP elem);
VTypeP t_fixed_list(VTypeP elem, uint32_t length);
VTypeP t_record(std::vector<std::pair<std::string, VTypeP>> fields);
VTypeP t_tuple(std::vector<VTypeP> elems);
VTypeP t_variant(std::vector<std::pair<std::string, VTypeP>> cases);  // null payload: none
VTypeP t_enum(std::vector<std::string> labels);
VTypeP t_option(VTypeP elem);
VTypeP t_result(VTypeP ok, VTypeP err);  // either may be null
VTypeP t_flags(std::vector<std::string> labels);
VTypeP t_own(const ResourceTypeInfo* rt);
VTypeP t_borrow(const ResourceTypeInfo* rt);
VTypeP t_stream(VTypeP elem);  // elem may be null
VTypeP t_future(VTypeP elem);

// flatten_types of a parameter or result list.
std::vector<FlatType> flatten_all(const std::vector<VTypeP>& ts);
// The tuple type of a list of types (for values spilled through memory).
VTypeP tuple_of(const std::vector<VTypeP>& ts);

inline constexpr size_t kMaxFlatParams = 16;
inline constexpr size_t kMaxFlatResults = 1;

// The core signature of a lifted or lowered function (flatten_functype, synchronous).
struct FlatSignature {
  std::vector<FlatType> params;
  std::vector<FlatType> results;
  bool params_spilled = false;   // params passed as one pointer to a tuple in memory
  bool results_spilled = false;  // lift: result is a pointer; lower: a trailing out-pointer
};
enum class FlattenContext : uint8_t { Lift, Lower };
FlatSignature flatten_functype(const std::vector<VTypeP>& params,
                               const std::vector<VTypeP>& results, FlattenContext context);

inline uint32_t align_to(uint32_t ptr, uint32_t alignment) {
  return (ptr + alignment - 1) / alignment * alignment;
}

}  // namespace wsvm::component

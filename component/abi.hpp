// The canonical ABI: loading and storing component values in a guest's linear memory,
// lifting them from and lowering them into flat core values, strings in every encoding
// (with transcoding), lists, records, variants, flags, own/borrow handles, the flattening
// limits with spilling through memory, alignment and every trap the spec names.
// One LiftLowerContext serves host-to-guest and guest-to-guest calls alike.
// Spec: ../shared/component-model-spec/CanonicalABI.md, definitions.py (load/store,
// lift_flat/lower_flat, lift_flat_values/lower_flat_values).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "component/abi_type.hpp"
#include "component/handles.hpp"
#include "component/value.hpp"

namespace wsvm::component {

// A guest's linear memory as the ABI sees it: its current bytes (re-read after every
// realloc call, which may grow it).
using MemoryView = std::function<std::span<uint8_t>()>;
// The guest's realloc(old_ptr, old_size, align, new_size) -> ptr.
using ReallocFn = std::function<AbiResult<uint32_t>(uint32_t, uint32_t, uint32_t, uint32_t)>;

struct AbiOptions {
  StringEncoding encoding = StringEncoding::Utf8;
  MemoryView memory;  // empty when the canon definition has no memory option
  ReallocFn realloc;  // empty when it has no realloc option
};

// A flat core value in the uniform slot layout: i32 in the low 32 bits, floats as bits.
using FlatVal = uint64_t;

// Reads flat values in order, as definitions.py's CoreValueIter.
class FlatReader {
 public:
  explicit FlatReader(std::span<const FlatVal> vals) : m_vals(vals) {}
  AbiResult<FlatVal> next();
  bool done() const { return m_i == m_vals.size(); }

 private:
  std::span<const FlatVal> m_vals;
  size_t m_i = 0;
};

class LiftLowerContext {
 public:
  LiftLowerContext(AbiOptions opts, InstanceState* inst, CallScope* borrow_scope)
      : m_opts(std::move(opts)), m_inst(inst), m_scope(borrow_scope) {}

  // load / store of one value at an aligned, in-bounds address (the callers' checks).
  AbiResult<Val> load(uint32_t ptr, const VType& t);
  std::optional<Trap> store(const Val& v, const VType& t, uint32_t ptr);

  AbiResult<Val> lift_flat(FlatReader& vi, const VType& t);
  std::optional<Trap> lower_flat(const Val& v, const VType& t, std::vector<FlatVal>& out);

  // Parameters or results: flat when they fit in `max_flat` core values, else through
  // memory (a pointer read from `vi` when lifting; when lowering, memory from realloc, or
  // the caller's out-pointer read from `out_param`).
  AbiResult<std::vector<Val>> lift_flat_values(size_t max_flat, FlatReader& vi,
                                               const std::vector<VTypeP>& ts);
  AbiResult<std::vector<FlatVal>> lower_flat_values(size_t max_flat, const std::vector<Val>& vs,
                                                    const std::vector<VTypeP>& ts,
                                                    FlatReader* out_param = nullptr);

  const AbiOptions& options() const { return m_opts; }
  // A guest-to-guest call (a lowered import whose callee is a lifted guest function): bad
  // pointers and realloc results trap with the words of wasmtime's fused adapters ("string
  // content out-of-bounds", "unaligned pointer") instead of its host-side ones.
  void set_guest_to_guest(bool on) { m_fused = on; }

 private:
  std::span<uint8_t> mem();
  AbiResult<uint32_t> reallocate(uint32_t old, uint32_t old_size, uint32_t align,
                                 uint32_t new_size);
  AbiResult<uint32_t> allocate(uint32_t align, uint32_t size) { return reallocate(0, 0, align, size); }
  std::optional<Trap> check_range(uint32_t ptr, uint64_t size, const char* what);

  AbiResult<Val> load_string_from_range(uint32_t ptr, uint32_t tagged_units);
  AbiResult<std::pair<uint32_t, uint32_t>> store_string_into_range(const Val& v);
  AbiResult<Val> load_list_from_range(uint32_t ptr, uint32_t length, const VType& elem);
  AbiResult<std::pair<uint32_t, uint32_t>> store_list_into_range(const Val& v, const VType& elem);
  AbiResult<Val> load_variant(uint32_t ptr, const VType& t);
  std::optional<Trap> store_variant(const Val& v, const VType& t, uint32_t ptr);
  AbiResult<Val> lift_flat_variant(FlatReader& vi, const VType& t);
  std::optional<Trap> lower_flat_variant(const Val& v, const VType& t, std::vector<FlatVal>& out);
  AbiResult<uint32_t> lift_own(uint32_t i, const VType& t);
  AbiResult<uint32_t> lift_borrow(uint32_t i, const VType& t);
  AbiResult<uint32_t> lower_own(uint32_t rep, const VType& t);
  AbiResult<uint32_t> lower_borrow(uint32_t rep, const VType& t);
  // Streams, futures and error contexts move between instances' tables (abi_async.cpp).
  AbiResult<Val> lift_async_value(uint32_t i, const VType& t);
  AbiResult<uint32_t> lower_async_value(const Val& v, const VType& t);

  AbiOptions m_opts;
  InstanceState* m_inst;
  CallScope* m_scope;
  bool m_fused = false;
  const char* m_content = "list";  // what realloc is allocating, for fused-call traps
};

// Limits of definitions.py.
inline constexpr uint32_t kMaxStringByteLength = (1u << 28) - 1;
inline constexpr uint32_t kMaxListByteLength = (1u << 28) - 1;
inline constexpr uint32_t kUtf16Tag = 1u << 31;
inline constexpr uint32_t kCanonicalNan32 = 0x7fc00000;
inline constexpr uint64_t kCanonicalNan64 = 0x7ff8000000000000;

}  // namespace wsvm::component

// The decoded, immutable Component: every section of Binary.md, in definition order, with
// the index spaces each definition extends. Core modules stay byte ranges (decoded with
// decoder/ on demand); nested components are decoded Components sharing the same bytes.
// Spec: ../shared/component-model-spec/Binary.md
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "component/types.hpp"
#include "decoder/error.hpp"
#include "decoder/module.hpp"

namespace wsvm::component {

// ---- instances ----------------------------------------------------------------------------

struct CoreInstantiateArg {  // (with "name" (instance i)); only the instance sort exists
  std::string name;
  uint32_t instance = 0;
};
struct CoreInlineExport {  // (export "name" (core sort idx))
  std::string name;
  Sort sort = Sort::CoreFunc;
  uint32_t index = 0;
};
struct CoreInstance {
  bool instantiate = true;  // (instantiate module args) or a bag of inline exports
  uint32_t module = 0;
  std::vector<CoreInstantiateArg> args;
  std::vector<CoreInlineExport> exports;
  size_t offset = 0;
};

struct SortIdx {
  Sort sort = Sort::Func;
  uint32_t index = 0;
};
struct InstantiateArg {  // (with "name" (sort idx))
  std::string name;
  SortIdx target;
};
struct InlineExport {
  ExternName name;
  SortIdx target;
};
struct Instance {
  bool instantiate = true;  // (instantiate component args) or a bag of inline exports
  uint32_t component = 0;
  std::vector<InstantiateArg> args;
  std::vector<InlineExport> exports;
  size_t offset = 0;
};

// ---- canonical definitions ----------------------------------------------------------------

enum class CanonKind : uint8_t {
  Lift, Lower, ResourceNew, ResourceDrop, ResourceRep,
  // Async, stream/future, error-context and thread built-ins (🔀 📝 🧵): decoded so a
  // component using them is named precisely; not executable yet.
  BackpressureInc, BackpressureDec, TaskReturn, TaskCancel, ContextGet, ContextSet,
  SubtaskCancel, SubtaskDrop, StreamNew, StreamRead, StreamWrite, StreamCancelRead,
  StreamCancelWrite, StreamDropReadable, StreamDropWritable, FutureNew, FutureRead,
  FutureWrite, FutureCancelRead, FutureCancelWrite, FutureDropReadable, FutureDropWritable,
  ErrorContextNew, ErrorContextDebugMessage, ErrorContextDrop, WaitableSetNew,
  WaitableSetWait, WaitableSetPoll, WaitableSetDrop, WaitableJoin, ThreadIndex,
  ThreadNewIndirect, ThreadResumeLater, ThreadSuspend, ThreadYield, ThreadSuspendThenResume,
  ThreadYieldThenResume, ThreadSuspendThenPromote, ThreadYieldThenPromote, ThreadSpawnRef,
  ThreadSpawnIndirect, ThreadAvailableParallelism,
};
const char* canon_kind_name(CanonKind k);  // "lift", "resource.new", "stream.read", ...

enum class StringEncoding : uint8_t { Utf8, Utf16, Latin1Utf16 };
const char* string_encoding_name(StringEncoding e);  // "utf8", "utf16", "latin1+utf16"

struct CanonOptions {
  StringEncoding encoding = StringEncoding::Utf8;  // default when absent
  bool encoding_given = false;
  std::optional<uint32_t> memory;       // core memory index
  std::optional<uint32_t> realloc;      // core func index
  std::optional<uint32_t> post_return;  // core func index
  std::optional<uint32_t> callback;     // core func index (async)
  bool async = false;
};

struct Canon {
  CanonKind kind = CanonKind::Lift;
  // Lift: the core func; Lower: the component func.
  uint32_t func = 0;
  // Lift: the func type; resource.*: the resource type; stream/future built-ins: their type;
  // thread.new-indirect/spawn-*: the core func type.
  uint32_t type = 0;
  CanonOptions opts;
  bool async = false;        // subtask.cancel, stream/future cancel: async?
  bool cancellable = false;  // waitable-set.wait/poll, thread.* : cancel?
  bool shared = false;       // thread.spawn-*
  uint32_t table = 0;        // thread.new-indirect / spawn-indirect: core table
  uint32_t memory = 0;       // waitable-set.wait/poll
  ValType core_type = ValType::I32;  // context.get/set
  uint32_t slot = 0;                 // context.get/set
  std::optional<ValTypeRef> result;  // task.return
  size_t offset = 0;
  // Lift defines a component func; every other canon defines a core func.
  Sort defines() const { return kind == CanonKind::Lift ? Sort::Func : Sort::CoreFunc; }
};

// ---- the rest -----------------------------------------------------------------------------

struct Alias {
  enum class Target : uint8_t { Export, CoreExport, Outer };
  Sort sort = Sort::Func;
  Target target = Target::Export;
  uint32_t instance = 0;  // Export / CoreExport
  std::string name;       // Export / CoreExport
  uint32_t outer_count = 0;  // Outer: enclosing scopes to skip
  uint32_t outer_index = 0;  // Outer: index in that scope's `sort` space
  size_t offset = 0;
};

struct Start {  // 🪙
  uint32_t func = 0;
  std::vector<uint32_t> args;  // value indices
  uint32_t results = 0;
  size_t offset = 0;
};

struct Import {
  ExternName name;
  ExternType type;
  size_t offset = 0;
};

struct Export {
  ExternName name;
  SortIdx target;
  std::optional<ExternType> ascribed;  // the optional type ascription
  size_t offset = 0;
};

struct Value {  // 🪙 value definition: kept as its type and encoded bytes
  ValTypeRef type;
  size_t bytes_offset = 0;
  size_t bytes_size = 0;
  size_t offset = 0;
};

struct ByteRange {
  size_t offset = 0;  // absolute, in Component::bytes
  size_t size = 0;
};

struct CustomSection {
  std::string name;
  ByteRange payload;
};

struct Component;

// One definition in section order: which kind, and its position in the kind's vector.
enum class DefKind : uint8_t {
  CoreModule, CoreInstance, CoreType, Component, Instance, Alias, Type, Canon, Start,
  Import, Export, Value,
};
struct Definition {
  DefKind kind;
  uint32_t index;  // in the vector for `kind` (core_modules, core_instances, ...)
};

// Which definition created each entry of an index space.
struct SpaceEntry {
  uint32_t def = 0;  // index into Component::defs
};

struct Component {
  // The whole binary, shared by the top-level component and every nested one.
  std::shared_ptr<const std::vector<uint8_t>> bytes;
  ByteRange range;  // this component's bytes (preamble included)
  uint32_t depth = 0;  // 0 for the top level

  std::vector<Definition> defs;  // every definition, in order
  std::vector<ByteRange> core_modules;
  std::vector<CoreInstance> core_instances;
  std::vector<CoreType> core_types;
  std::vector<std::shared_ptr<const Component>> components;
  std::vector<Instance> instances;
  std::vector<Alias> aliases;
  std::vector<TypeDef> types;
  std::vector<Canon> canons;
  std::vector<Start> starts;
  std::vector<Import> imports;
  std::vector<Export> exports;
  std::vector<Value> values;
  std::vector<CustomSection> customs;

  // The 13 index spaces, entries in definition order.
  std::array<std::vector<SpaceEntry>, kSortCount> spaces;
  const std::vector<SpaceEntry>& space(Sort s) const { return spaces[size_t(s)]; }

  std::span<const uint8_t> range_bytes(ByteRange r) const {
    return {bytes->data() + r.offset, r.size};
  }
  // Decodes core module `i` (an index in core_modules, which is the core module index
  // space's order only for defined modules) with decoder/. Error offsets are absolute.
  Result<std::shared_ptr<Module>> decode_core_module(uint32_t i) const;

  // Set once validate_component has passed this component, so instantiating it (which
  // validates first) does not do it again: a runner validates at load, then instantiates.
  mutable std::atomic<bool> validated{false};
};

// The first 8 bytes say "component" (magic, version 0x0d, layer 1).
bool is_component(std::span<const uint8_t> bytes);

// Decodes a whole component binary. Errors are Malformed with the absolute byte offset,
// except duplicate canon options (Invalid, as Binary.md makes them a validation rule).
Result<std::shared_ptr<const Component>> decode_component(std::vector<uint8_t> bytes);
Result<std::shared_ptr<const Component>> decode_component(std::span<const uint8_t> bytes);

}  // namespace wsvm::component

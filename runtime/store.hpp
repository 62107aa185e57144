// The Store owns every runtime object (functions, tables, memories, globals, instances);
// objects refer to each other by raw pointer and live as long as the Store.
// Spec: https://webassembly.github.io/spec/core/exec/runtime.html
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decoder/error.hpp"
#include "decoder/module.hpp"
#include "memory/linear_memory.hpp"
#include "runtime/module_images.hpp"
#include "runtime/trap.hpp"
#include "runtime/value.hpp"

namespace wsvm {

class Engine;
class Store;
struct Instance;
struct ExecContext;

// What a host function sees of its caller.
struct HostContext {
  Store& store;
  ExecContext& exec;
  Instance* caller;  // the instance whose code made the call (nullptr from the embedder)
};

// Host functions use the uniform layout: arguments in slots[0..), results written to
// slots[0..) (the array has room for max(param slots, result slots)). Return a Trap to
// abort the calling wasm code.
using HostFunc = std::function<std::optional<Trap>(HostContext&, uint64_t* slots)>;

struct FuncInstance {
  const FuncType* type = nullptr;
  uint32_t type_id = 0;            // Store-wide canonical id: equal ids <=> equal types
  uint32_t param_slots = 0;
  uint32_t result_slots = 0;
  Instance* instance = nullptr;    // defining instance; nullptr for host functions
  uint32_t func_index = 0;         // index in instance->module()
  const void* code = nullptr;      // engine code (Engine::function_code)
  HostFunc host;                   // host functions only
  std::unique_ptr<FuncType> owned_type;  // host functions own their type
  bool is_host() const { return instance == nullptr; }
};

struct TableInstance {
  TableType type;
  TypeContext types;  // resolves type indices in `type`: the defining module's (host: none)
  std::vector<Ref> elems;
  uint64_t limit = kMaxTableSize;  // embedder limit on elements
  // table.grow: returns old size or -1 (past max / limit).
  int64_t grow(uint32_t delta, Ref init);
  bool can_grow(uint32_t delta) const;  // within the maximum and the limit (may still fail)
};

struct MemoryInstance {
  MemoryType type;
  std::unique_ptr<memory::LinearMemory> mem;
};

struct GlobalInstance {
  GlobalType type;
  TypeContext types;  // resolves type indices in `type`: the defining module's (host: none)
  alignas(16) uint64_t slots[2] = {0, 0};  // uniform layout; v128 uses both
  Value get() const { return Value::from_slots(type.type, slots); }
  void set(const Value& v) { v.to_slots(slots); }
};

// A tag (exception handling): its identity is the instance itself; its type is a function
// type without results whose params are the payload of the exceptions thrown with it.
struct TagInstance {
  const FuncType* type = nullptr;  // in the defining module (or owned_type)
  uint32_t type_id = 0;            // Store-wide canonical id (import matching)
  uint32_t payload_slots = 0;      // slot_count(type->params)
  TypeContext types;               // resolves type indices in `type`
  std::unique_ptr<FuncType> owned_type;  // host-created tags own their type
};

// A thrown exception: the tag and its payload in the uniform slot layout. An exnref is a
// pointer to one. They live as long as their Store (an exnref may be kept anywhere: a local,
// a global, a table), so a program that throws in a loop holds every exception it threw until
// the Store goes; no per-exception bookkeeping is done while nothing throws.
struct Exception {
  const TagInstance* tag = nullptr;
  std::vector<uint64_t> payload;
};

struct ElemInstance {  // element segment at runtime; dropped = emptied
  ValType type = ValType::FuncRef;
  std::vector<Ref> refs;
};

struct DataInstance {  // data segment at runtime; dropped = emptied
  std::span<const uint8_t> bytes;
};

struct Extern {
  ExternKind kind = ExternKind::Func;
  union {
    FuncInstance* func;
    TableInstance* table;
    MemoryInstance* memory;
    GlobalInstance* global;
    TagInstance* tag;
    void* ptr = nullptr;
  };
};

// A validated module plus its engine code; immutable and shareable across instances/threads.
struct CompiledModule {
  std::shared_ptr<const Module> module;
  std::shared_ptr<const void> code;  // opaque per-module code of `engine`
  Engine* engine = nullptr;
  // The copy-on-write images of its memories, made at its second instantiation.
  std::shared_ptr<ModuleImageCache> images = std::make_shared<ModuleImageCache>();
};

struct Instance {
  std::shared_ptr<const CompiledModule> compiled;
  Store* store = nullptr;
  std::vector<FuncInstance*> funcs;
  std::vector<TableInstance*> tables;
  std::vector<MemoryInstance*> memories;
  std::vector<GlobalInstance*> globals;
  std::vector<TagInstance*> tags;
  std::vector<ElemInstance> elems;
  std::vector<DataInstance> datas;
  std::unordered_map<std::string, Extern> exports;

  const Module& module() const { return *compiled->module; }
  std::optional<Extern> find_export(std::string_view name) const;
  FuncInstance* find_func(std::string_view name) const;  // nullptr if absent or not a func
};

// Resource limits of one Store (CLI: --max-memory, --max-stack). Exceeding a limit is never
// a host crash: memory.grow / table.grow return -1, instantiation fails, calls trap.
struct StoreLimits {
  uint64_t max_memory_pages = 65536;  // per memory (--max-memory)
  uint32_t max_call_depth = 20000;    // wasm frames before "call stack exhausted"
  uint64_t max_table_elems = 10000000;
  // Bytes of wasm stack (--max-stack): the interpreter's value stack (8-byte slots holding
  // frames) or the JIT's machine stack. Past it: trap "call stack exhausted".
  uint64_t max_stack_bytes = uint64_t{1} << 20;
};

// Per-thread execution state. Engines keep their value stacks here.
struct EngineThreadState {
  virtual ~EngineThreadState() = default;
};

// Limits contract shared by every engine (interpreter and JIT behave identically):
//
// Interruption (wasmtime's epoch model; --timeout): any thread (e.g. a timer) may store a
// non-zero value into `interrupt`. Engines built with EngineConfig::interruptible load it
// (relaxed) at every function entry and every `loop` header and, when non-zero, trap
// TrapKind::Interrupted ("interrupted"). It stays set until the embedder clears it.
//
// Fuel (--fuel; engines built with EngineConfig::fuel): every wasm instruction costs 1 except
// the structural ones, `block`, `loop`, `else`, `end` and `nop`, which cost 0. Fuel is charged
// per straight-line region, at the region's start, for all of the region's instructions: a
// region begins at the function's first instruction and right after each `block`, `loop`,
// `if`, `else`, `end`, `br`, `br_if`, `br_table`, `return`, `call`, `call_indirect` and
// `unreachable`. If `fuel_remaining` is below a region's cost, the region does not start and
// the engine traps TrapKind::OutOfFuel with `fuel_remaining` unchanged; otherwise the cost is
// subtracted. The count is thus a pure function of the wasm code and its inputs: the same on
// every run and in every engine. Consumed fuel = initial fuel - fuel_remaining.
//
// Native stack (host <-> wasm re-entry recursion): an engine entered while the machine stack
// pointer is below `native_stack_limit` traps "call stack exhausted" instead of recursing.
// Store::invoke sets the limit from the calling thread's stack when it is 0.
struct ExecContext {
  Store* store = nullptr;
  uint32_t call_depth = 0;
  uint32_t max_call_depth = 0;
  uint64_t max_stack_bytes = 0;       // from StoreLimits::max_stack_bytes
  std::atomic<uint32_t> interrupt{0};
  int64_t fuel_remaining = 0;         // meaningful only for engines built with fuel metering
  bool fuel_metered = false;          // set by Store::set_fuel: host work is charged too
                                      // (runtime/host_fuel.hpp)
  uintptr_t native_stack_limit = 0;
  std::unique_ptr<EngineThreadState> engine_state;
};

class Store {
 public:
  explicit Store(Engine& engine, StoreLimits limits = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Engine& engine() const { return *m_engine; }
  const StoreLimits& limits() const { return m_limits; }
  ExecContext& exec() { return m_exec; }

  // Canonical id for call_indirect checks; `ctx` resolves the type indices inside `t`.
  uint32_t intern_type(const FuncType& t, const TypeContext& ctx = {});

  FuncInstance* create_host_func(FuncType type, HostFunc fn);
  // The table's `limit` is min(limits.max_table_elems, 2^32-1); a minimum above it is clamped
  // (the Linker reports such a table as Uninstantiable before calling this).
  TableInstance* create_table(const TableType& t, Ref init);
  // Uninstantiable/Unlinkable on failure. With `image` (runtime/module_images.hpp), its
  // initial pages are the image's, mapped copy-on-write.
  Result<MemoryInstance*> create_memory(const MemoryType& t,
                                        std::shared_ptr<memory::MemoryImage> image = nullptr);
  GlobalInstance* create_global(const GlobalType& t, const Value& v);
  FuncInstance* create_wasm_func(Instance& inst, uint32_t func_index);
  TagInstance* create_tag(const FuncType& t, const TypeContext& ctx);  // `t` must outlive it
  // A new exception of `tag` with its payload copied from `slots` (tag->payload_slots).
  Exception* new_exception(const TagInstance* tag, const uint64_t* slots);
  Instance* create_instance();  // empty; filled by the Linker

  // Calls any function (wasm or host) with type-checked arguments.
  std::expected<std::vector<Value>, Trap> invoke(FuncInstance* f, std::span<const Value> args);
  // Uniform-layout call used by engines for host functions and by invoke().
  std::optional<Trap> call_slots(FuncInstance* f, uint64_t* slots, Instance* caller);

  // --- Limits (the contract above ExecContext; see also runtime/deadline.hpp) ---
  // Fuel is metered only by engines created with EngineConfig::fuel; with other engines these
  // just read and write the counter. set_fuel also restarts the consumed count; a value
  // above INT64_MAX is clamped to it. A trap TrapKind::OutOfFuel leaves the remaining fuel
  // as it was before the region that did not start.
  void set_fuel(uint64_t fuel);
  void add_fuel(uint64_t fuel);  // more fuel for later calls; the consumed count carries on
  uint64_t fuel_remaining() const;
  uint64_t fuel_consumed() const;  // since set_fuel (initial + added - remaining)
  // Requests that running wasm code stop with TrapKind::Interrupted at its next function
  // entry or loop header (engines created with EngineConfig::interruptible). Safe from any
  // thread and from a signal handler (one relaxed atomic store). The request stays until
  // clear_interrupt(), so later calls trap at once too.
  void interrupt() { m_exec.interrupt.store(1, std::memory_order_relaxed); }
  void clear_interrupt() { m_exec.interrupt.store(0, std::memory_order_relaxed); }
  bool interrupt_requested() const { return m_exec.interrupt.load(std::memory_order_relaxed) != 0; }

 private:
  Engine* m_engine;
  StoreLimits m_limits;
  ExecContext m_exec;
  uint64_t m_fuel_given = 0;  // set_fuel + add_fuel since the last set_fuel
  std::deque<std::unique_ptr<FuncInstance>> m_funcs;
  std::deque<std::unique_ptr<TableInstance>> m_tables;
  std::deque<std::unique_ptr<MemoryInstance>> m_memories;
  std::deque<std::unique_ptr<GlobalInstance>> m_globals;
  std::deque<std::unique_ptr<TagInstance>> m_tags;
  std::deque<Exception> m_exceptions;
  std::deque<std::unique_ptr<Instance>> m_instances;
  std::vector<FuncType> m_types;  // index = type id
  std::unordered_map<std::string, uint32_t> m_type_ids;  // structural key -> type id
};

}  // namespace wsvm

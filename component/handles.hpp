// Resource types, per-instance handle tables and borrow scopes: the runtime state the
// canonical ABI needs for own/borrow handles and resource.new/drop/rep.
// Spec: ../shared/component-model-spec/definitions.py ("Table State", "Resource State",
// Task.num_borrows, Subtask.lenders, canon_resource_*).
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decoder/error.hpp"
#include "runtime/trap.hpp"

namespace wsvm::component {

template <class T>
using AbiResult = std::expected<T, Trap>;

// A trap of the component model (a Host trap whose message says which rule was broken, in
// wasmtime's words where the reference tests quote them).
Trap abi_trap(std::string message);

struct ResourceTypeInfo;

// The trap message for handle `i` of type `got` used as a `want`: wasmtime's words when both
// are guest-defined resources, else the types' names.
std::string wrong_handle_type(uint32_t i, const ResourceTypeInfo* want, const ResourceTypeInfo* got);

struct InstanceState;

// A resource type: generative per component instance (`impl` defines it). The destructor
// (optional) runs with the rep when an owned handle is dropped.
struct ResourceTypeInfo {
  std::string name;
  InstanceState* impl = nullptr;
  std::function<std::optional<Trap>(uint32_t rep)> dtor;
};

struct CallScope;
struct AsyncHandle;  // async.hpp
struct Task;         // async.hpp
struct GuestThread;  // async.hpp

struct HandleEntry {
  const ResourceTypeInfo* rt = nullptr;
  uint32_t rep = 0;
  bool own = false;
  uint32_t num_lends = 0;            // borrows of this owned handle lent to a call in flight
  CallScope* borrow_scope = nullptr;  // a borrow handle: the task it was given to
  // Not a resource handle: a waitable set, subtask, stream/future end or error context.
  std::shared_ptr<AsyncHandle> async;
};

// A component instance's table of handles: index 0 is never valid; freed slots are reused.
class HandleTable {
 public:
  static constexpr uint32_t kMaxLength = (1u << 28) - 1;
  HandleTable() : m_array(1) {}
  AbiResult<uint32_t> add(HandleEntry e);
  AbiResult<HandleEntry*> get(uint32_t i);
  AbiResult<HandleEntry> remove(uint32_t i);
  size_t live() const;  // number of handles in use

 private:
  std::vector<std::optional<HandleEntry>> m_array;
  std::vector<uint32_t> m_free;
};

// What the canonical ABI keeps per component instance.
struct InstanceState {
  HandleTable handles;
  InstanceState* parent = nullptr;  // the enclosing component's instance (nested components)
  bool may_enter = true;  // false while a call into it (or a nested child) is in flight
  bool may_leave = true;  // false while realloc or post-return run, and in lifted exports'
                          // post-return: lowering calls out of the instance then trap
  uint32_t backpressure = 0;  // canon backpressure.inc/dec
  uint32_t num_waiting_to_enter = 0;  // async calls queued behind backpressure
  // The task whose core code runs in this instance now (null: a start function), and the
  // task holding the instance exclusively (sync- and callback-lifted async functions).
  Task* current_task = nullptr;
  Task* exclusive = nullptr;
  std::array<uint64_t, 2> context{};  // context.get/set outside any task (start functions)
  // Threads made by thread.new-indirect (index 0 unused; null: freed).
  std::vector<std::shared_ptr<GuestThread>> threads{nullptr};
};

// A call in flight: as the callee's task it counts the borrow handles it was given (each
// must be dropped before it returns); as the caller's subtask it holds the owned handles
// it lent (released when the call returns).
struct CallScope {
  uint32_t num_borrows = 0;
  HandleTable* lender_table = nullptr;
  std::vector<uint32_t> lenders;

  // Subtask.deliver_resolve: the lent handles may be dropped again.
  void release_lenders();
  // Task.return_: "borrow handles still remain at the end of the call".
  std::optional<Trap> check_borrows_dropped() const;
};

// canon resource.new / resource.rep / resource.drop against `inst`'s table.
AbiResult<uint32_t> resource_new(InstanceState& inst, const ResourceTypeInfo& rt, uint32_t rep);
AbiResult<uint32_t> resource_rep(InstanceState& inst, const ResourceTypeInfo& rt, uint32_t i);
std::optional<Trap> resource_drop(InstanceState& inst, const ResourceTypeInfo& rt, uint32_t i);

}  // namespace wsvm::component

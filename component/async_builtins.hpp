// The core functions of the async built-ins (canon backpressure.*, context.*, task.return/
// cancel, waitable-set.*, waitable.join, subtask.*, stream.*, future.*, error-context.*,
// thread.yield) and of `canon lower ... async`, each with its CanonicalABI.md core type.
#pragma once

#include <memory>

#include "component/async.hpp"
#include "component/ir.hpp"
#include "component/subtype.hpp"

namespace wsvm {
class Store;
struct FuncInstance;
struct TableInstance;
}  // namespace wsvm

namespace wsvm::component {

struct ComponentFunc;

// What a built-in needs from its canon definition, resolved by the instantiator.
struct AsyncBuiltinEnv {
  AbiOptions opts;        // the canon options (memory, realloc, encoding, async)
  MemoryView memory;      // waitable-set.wait/poll: the memory of its immediate
  VTypeP payload;         // stream/future built-ins: the element type (null: none)
  std::string type_key;   // ... and its text, compared with an end's
  std::vector<VTypeP> results;  // task.return: the result type (0 or 1)
  size_t result_flat = 0;
  TableInstance* table = nullptr;  // thread.new-indirect: the table of start functions
};

Result<FuncInstance*> make_async_builtin(Store& store, InstanceState* inst, const Canon& k, AsyncBuiltinEnv env);

// `canon lower f async`: flat parameters up to 4 core values (else a pointer), results through
// a trailing out-pointer; returns RETURNED, or a new subtask's state | index << 4.
FuncInstance* make_async_lower(Store& store, InstanceState* caller, std::shared_ptr<ComponentFunc> callee,
                               AbiOptions opts);

}  // namespace wsvm::component

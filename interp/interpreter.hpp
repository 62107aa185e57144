// The interpreter's execution state and its one dispatch function.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "interp/code.hpp"
#include "runtime/engine.hpp"
#include "runtime/store.hpp"
#include "runtime/trap.hpp"

namespace wsvm::interp {

// A suspended caller: where to continue when the callee returns.
struct CallFrame {
  const Word* ret_ip;
  uint64_t* fp;
  const FuncCode* fn;
  Instance* inst;
};

// Per-thread state (ExecContext::engine_state): the value stack all frames live on, and the
// call frames of wasm->wasm calls (which never recurse in C++). A host function that calls
// back into wasm starts a new dispatch whose frames sit above `top`.
struct InterpThread : EngineThreadState {
  // Default size of the value stack when ExecContext::max_stack_bytes is 0: 4 Mi slots.
  static constexpr size_t kDefaultStackSlots = size_t{1} << 22;

  // The value stack holds max_stack_bytes / 8 slots (limits contract, runtime/store.hpp). It
  // is reserved with mmap and committed by the OS only as far as frames touch it, so a big
  // limit costs nothing at start-up. A frame that does not fit traps "call stack exhausted".
  InterpThread(const Engine* e, uint64_t max_stack_bytes);
  ~InterpThread() override;
  InterpThread(const InterpThread&) = delete;
  InterpThread& operator=(const InterpThread&) = delete;

  const Engine* engine;
  uint64_t* stack = nullptr;
  size_t stack_bytes = 0;  // of the mapping
  uint64_t* stack_end = nullptr;
  uint64_t* top = nullptr;  // first free slot (above every live frame)
  std::vector<CallFrame> frames;
  // The running function and its instance. Loads and stores have no explicit bounds check
  // (guard pages, memory/linear_memory.hpp): a fault unwinds by longjmp past the dispatch
  // loop's registers, so execute() builds the trap's backtrace from these and `frames`.
  const FuncCode* cur_fn = nullptr;
  Instance* cur_inst = nullptr;

  // call_indirect: the Store-wide type ids of each instance's module types, interned once.
  std::unordered_map<const Instance*, std::vector<uint32_t>> type_ids;
  const uint32_t* type_ids_for(const Instance* inst);
};

// Runs wasm function `f` whose frame starts at `fp` (arguments already in fp[0..)); results
// end up in fp[0..). `fp + frame_slots` must lie within the stack (the caller checks).
std::optional<Trap> execute(ExecContext& ctx, InterpThread& th, const FuncInstance& f,
                            uint64_t* fp);

}  // namespace wsvm::interp

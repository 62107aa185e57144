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
  // Hard limit of the value stack: 4 Mi slots (32 MiB of address space, committed by the OS
  // only as far as it is touched). A frame that does not fit traps "call stack exhausted".
  static constexpr size_t kStackSlots = size_t{1} << 22;

  explicit InterpThread(const Engine* e)
      : engine(e), stack(std::make_unique_for_overwrite<uint64_t[]>(kStackSlots)),
        stack_end(stack.get() + kStackSlots), top(stack.get()) {}

  const Engine* engine;
  std::unique_ptr<uint64_t[]> stack;
  uint64_t* stack_end;
  uint64_t* top;  // first free slot (above every live frame)
  std::vector<CallFrame> frames;

  // call_indirect: the Store-wide type ids of each instance's module types, interned once.
  std::unordered_map<const Instance*, std::vector<uint32_t>> type_ids;
  const uint32_t* type_ids_for(const Instance* inst);
};

// Runs wasm function `f` whose frame starts at `fp` (arguments already in fp[0..)); results
// end up in fp[0..). `fp + frame_slots` must lie within the stack (the caller checks).
std::optional<Trap> execute(ExecContext& ctx, InterpThread& th, const FuncInstance& f,
                            uint64_t* fp);

}  // namespace wsvm::interp

// Exception handling in JIT code (Wasm 3.0 try_table/throw/throw_ref/exnref and the legacy
// try/catch/catch_all/rethrow/delegate): what the compiler records per function and what the
// unwinder does with it. Zero cost while nothing throws: entering a try emits no code and a
// call does no bookkeeping; only a throw reads these tables.
//
// Per function with a try, the front end records its handlers (innermost first, as
// interp/code.hpp's Handler): the protected code as offsets from the function's start, the
// try's label level, the kind, the tag, where the handler's code is and where its values go.
// A throw is always a helper call (throw, throw_ref, rethrow, or a call through the Store that
// ended with an uncaught exception): the helper records its return address (JitInstance::
// throw_pc) and the code takes its unwind path, whose module code calls the engine's search
// (jit_engine.cpp) on the live stack. That walks the frame records from the throwing frame
// ([fp] = the caller's fp, [fp + 8] = the return address) and asks find_handler for each
// frame's position (return address - 1: inside the call instruction); the frame that has one
// is entered (enter_handler writes the payload and the exnref into its slots), the frames
// above it are gone, and the code resumes at the handler with sp = fp - frame_bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/store.hpp"

namespace wsvm::jit {

struct EhHandler {
  enum class Kind : uint8_t { Catch, CatchRef, CatchAll, CatchAllRef, Delegate };
  uint32_t begin = 0;   // protected code, offsets from the function's start
  uint32_t end = 0;
  uint32_t level = 0;   // label nesting level of the try (the function's label is 0)
  Kind kind = Kind::CatchAll;
  uint32_t tag = 0;     // Catch, CatchRef: the module's tag index
  uint32_t target = 0;  // code offset of the handler; Delegate: the level that takes over
  uint32_t dst = 0;     // frame slot of the payload, then the exnref; kToResults: the results
  uint32_t exn_index = kNoExnSlot;  // legacy catch arms: rethrow's hidden word [fp - 16 - 8i]
  static constexpr uint32_t kNoExnSlot = UINT32_MAX;
  static constexpr uint32_t kToResults = UINT32_MAX;  // a catch to the function's own label
};

struct FuncEh {
  uint32_t frame_bytes = 0;           // sp = fp - frame_bytes inside the function
  std::vector<EhHandler> handlers;    // innermost first
  // Return addresses (offsets, sorted) of calls made for a tail call that could not take
  // over the frame (an import, another tier): a throw there has left this function's tries.
  std::vector<uint32_t> outside;
};

// The frame size the front end gives a function of `slots` slots and `exn_words` hidden
// words: [fp - 8] is the results pointer, [fp - 16 - 8i] rethrow's word i, slot k is at
// sp + 8k; 16-byte aligned.
inline uint64_t frame_bytes_for(uint64_t slots, uint32_t exn_words) {
  return ((slots + exn_words) * 8 + 8 + 15) & ~uint64_t{15};
}
inline int32_t exn_word_offset(uint32_t index) { return -16 - 8 * static_cast<int32_t>(index); }

// The handler of a function taking exception `e` thrown at code offset `pos`, or null: the
// interpreter's rule (a delegate lets only handlers of its target level and outside it see
// the exception; tags match by identity, inst.tags).
const EhHandler* find_handler(const FuncEh& eh, uint32_t pos, const Instance& inst,
                              const Exception* e);
// Puts the handler's values in the frame whose frame pointer is fp: the payload (catch,
// catch_ref), then the exnref (the _ref kinds), into its slots or its results; a legacy catch
// arm's exception also into its hidden word for rethrow.
void enter_handler(const EhHandler& h, const FuncEh& eh, uintptr_t fp, Exception* e);

}  // namespace wsvm::jit

// Running on a machine stack big enough for a run: a JIT runs wasm on the machine stack, so
// the thread needs room for the wasm stack limit on top of the native-stack reserve
// (runtime/native_stack.hpp) and the host code (WASI, the front door itself).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace wsvm::runner {

// Bytes of machine stack a run with `max_stack_bytes` of wasm stack needs.
size_t stack_bytes_needed(uint64_t max_stack_bytes);

// Calls fn with at least `bytes` of stack and returns its result. On the process's main
// thread when RLIMIT_STACK allows that much (the kernel keeps the range free; a thread
// costs ~1 ms of start-up on a small VM), else on a new thread with a stack of
// max(8 MiB, bytes), mapped lazily so only what is used costs. If no thread can be made
// (no memory for its stack), fn runs on the calling thread.
int run_on_sized_stack(size_t bytes, const std::function<int()>& fn);

}  // namespace wsvm::runner

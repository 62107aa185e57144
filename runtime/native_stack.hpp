// The lowest machine-stack address the current thread may use for engine re-entry
// (host -> wasm -> host ... recursion), so deep nesting traps instead of overflowing.
#pragma once

#include <cstdint>
#include <optional>

namespace wsvm {

// Bytes kept free below the limit for the code that runs after the check (host functions,
// trap construction, the signal handler's own frames run on the alternate stack).
inline constexpr uintptr_t kNativeStackReserve = uintptr_t{256} << 10;

// The current thread's stack bottom + kNativeStackReserve; computed once per thread.
uintptr_t native_stack_limit_for_this_thread();

// The process's main thread's stack: `top` is the end of the stack mapping (found from
// AT_EXECFN, which the kernel copies to the very top), `bottom` the lowest address the stack
// may grow down to, RLIMIT_STACK below the top (the kernel keeps that much free below it).
// nullopt on other threads, for a stack limit above 128 MiB (unlimited included), or when the
// layout is not the expected one. glibc's pthread_getattr_np finds the same bottom by
// reading /proc/self/maps.
struct StackRange {
  uintptr_t bottom;
  uintptr_t top;
};
std::optional<StackRange> main_thread_stack();

// The current stack pointer, approximately (the address of a local in the caller's frame).
inline uintptr_t current_stack_pointer() {
  return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
}

}  // namespace wsvm

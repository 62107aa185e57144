#include "runtime/native_stack.hpp"

#include <pthread.h>
#include <sys/resource.h>

namespace wsvm {

namespace {

uintptr_t compute_limit() {
  pthread_attr_t attr;
  void* addr = nullptr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
  }
  if (addr == nullptr || size <= 2 * kNativeStackReserve) {
    // Unknown stack: assume 1 MiB below the current frame is usable.
    uintptr_t sp = current_stack_pointer();
    return sp > (uintptr_t{1} << 20) ? sp - (uintptr_t{1} << 20) + kNativeStackReserve : 0;
  }
  return reinterpret_cast<uintptr_t>(addr) + kNativeStackReserve;
}

}  // namespace

uintptr_t native_stack_limit_for_this_thread() {
  // pthread_getattr_np parses /proc/self/maps for the main thread: do it once per thread.
  thread_local const uintptr_t limit = compute_limit();
  return limit;
}

}  // namespace wsvm

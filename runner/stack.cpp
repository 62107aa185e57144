#include "runner/stack.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "runtime/native_stack.hpp"

namespace wsvm::runner {
namespace {

// The main thread's stack grows on demand up to RLIMIT_STACK (the kernel keeps that range
// free of other mappings). Other threads have the fixed stack they were created with.
bool main_stack_suffices(size_t want) {
  if (gettid() != getpid()) return false;
  rlimit rl{};
  if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return false;
  constexpr size_t kUsedSoFar = size_t{256} << 10;  // main() and the caller's frames, generously
  return rl.rlim_cur >= want + kUsedSoFar;
}

}  // namespace

size_t stack_bytes_needed(uint64_t max_stack_bytes) {
  constexpr size_t kHostRoom = size_t{4} << 20;
  return static_cast<size_t>(max_stack_bytes) + kNativeStackReserve + kHostRoom;
}

int run_on_sized_stack(size_t bytes, const std::function<int()>& fn) {
  constexpr size_t kMinStack = size_t{8} << 20;  // the usual main-thread stack
  if (main_stack_suffices(bytes)) return fn();
  struct Call {
    const std::function<int()>* fn;
    int status = 0;
  } call{&fn};
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return fn();
  pthread_t thread;
  const bool started = pthread_attr_setstacksize(&attr, std::max(kMinStack, bytes)) == 0 &&
                       pthread_create(&thread, &attr, [](void* p) -> void* {
                         auto* c = static_cast<Call*>(p);
                         c->status = (*c->fn)();
                         return nullptr;
                       }, &call) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return fn();
  pthread_join(thread, nullptr);
  return call.status;
}

}  // namespace wsvm::runner

#include "runtime/native_stack.hpp"

#include <pthread.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>

namespace wsvm {

namespace {

uintptr_t compute_limit() {
  void* addr = nullptr;
  size_t size = 0;
  // The main thread's stack without pthread_getattr_np, which for the main thread parses
  // /proc/self/maps: 100-700 us on this project's VM, a fifth of `wsvm hello.wasm`.
  if (std::optional<StackRange> main = main_thread_stack()) {
    addr = reinterpret_cast<void*>(main->bottom);
    size = main->top - main->bottom;
  } else if (pthread_attr_t attr; pthread_getattr_np(pthread_self(), &attr) == 0) {
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

std::optional<StackRange> main_thread_stack() {
  if (gettid() != getpid()) return std::nullopt;
  rlimit rl{};
  // At exec the kernel leaves max(RLIMIT_STACK, 128 MiB) free below the stack (mmap_base in
  // mm/util.c). A limit raised since may reach into mappings made after exec, which glibc's
  // pthread_getattr_np sees in /proc/self/maps and this cannot: such limits go to glibc.
  constexpr rlim_t kAlwaysFree = rlim_t{128} << 20;
  if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur > kAlwaysFree) return std::nullopt;
  const auto* execfn = reinterpret_cast<const char*>(getauxval(AT_EXECFN));
  if (execfn == nullptr) return std::nullopt;
  // The kernel's layout (fs/exec.c): an 8-byte end marker at the top of the mapping, and the
  // file name right below it.
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t name_end = reinterpret_cast<uintptr_t>(execfn) + std::strlen(execfn) + 1;
  const uintptr_t top = (name_end + sizeof(void*) + page - 1) & ~(page - 1);
  const uintptr_t sp = current_stack_pointer();
  // Anything else (an emulator's own stack layout, say): let glibc answer.
  if (sp >= top || rl.rlim_cur >= top || top - sp >= rl.rlim_cur) return std::nullopt;
  return StackRange{top - rl.rlim_cur, top};
}

uintptr_t native_stack_limit_for_this_thread() {
  // Once per thread: pthread_getattr_np is not free even on other threads.
  thread_local const uintptr_t limit = compute_limit();
  return limit;
}

}  // namespace wsvm

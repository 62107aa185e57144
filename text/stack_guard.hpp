// How deep the parser may recurse: the lowest stack address it may reach, from the calling
// thread's real stack bounds (main thread or a worker with a small stack alike), keeping a
// margin for the frames of whatever runs below the parser. Nested input deeper than the
// stack allows becomes an error ("nesting too deep") instead of a stack overflow.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <cstdint>

namespace wsvm::text {

inline constexpr size_t kStackMargin = 256 * 1024;

inline uintptr_t stack_floor() {
  char here;
  uintptr_t sp = reinterpret_cast<uintptr_t>(&here);
  pthread_attr_t attr;
  void* low = nullptr;
  size_t size = 0;
  bool known = pthread_getattr_np(pthread_self(), &attr) == 0;
  if (known) {
    known = pthread_attr_getstack(&attr, &low, &size) == 0;
    pthread_attr_destroy(&attr);
  }
  // Unknown bounds: assume 1 MiB below the current frame (the smallest common thread stack).
  uintptr_t bottom = known ? reinterpret_cast<uintptr_t>(low) : (sp > (1u << 20) ? sp - (1u << 20) : 0);
  return bottom + kStackMargin < sp ? bottom + kStackMargin : sp;
}

// True while the current frame is above the floor.
inline bool stack_left(uintptr_t floor) {
  char here;
  return reinterpret_cast<uintptr_t>(&here) > floor;
}

}  // namespace wsvm::text

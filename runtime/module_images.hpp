// The copy-on-write images of a module's memories (memory/memory_image.hpp): the hook that
// lets every instantiation after the first map its memories' initial contents instead of
// copying its data segments (issue 19: a fresh instance per request, made cheap).
//
// A CompiledModule holds one ModuleImageCache. Its first instantiation copies the segments
// as always (a module run once gains nothing from an image); the second makes the images,
// and from then on the Linker creates each defined memory from its image and skips the
// active data segments, whose bytes the image already holds. A module qualifies when every
// active data segment writes a defined memory at an offset that needs no global (the same
// for every instance) and lies inside the memory's initial pages (instantiation cannot trap
// on it); any other module keeps copying.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace wsvm::memory {
class MemoryImage;
}

namespace wsvm {

struct Instance;

// One image per defined memory of a module (index - imported memories), every active data
// segment applied.
struct MemoryImages {
  std::vector<std::shared_ptr<memory::MemoryImage>> memories;
};

class ModuleImageCache {
 public:
  // The images an instantiation of inst's module uses (its imports placed), or null: copy
  // the segments. Thread-safe: one module is instantiated by many threads at once.
  std::shared_ptr<const MemoryImages> for_instantiation(const Instance& inst);

 private:
  enum class State : uint8_t { Unused, UsedOnce, Ready, Never };
  std::mutex m_mutex;
  State m_state = State::Unused;
  std::shared_ptr<const MemoryImages> m_images;
};

}  // namespace wsvm

// The per-frame part of a throw in JIT code (exceptions.hpp): finding a frame's handler and
// entering it. The walk over the frames is the engine's (jit_engine.cpp, catch_exception).
#include "jit/exceptions.hpp"

#include <algorithm>
#include <cstring>

namespace wsvm::jit {

const EhHandler* find_handler(const FuncEh& eh, uint32_t pos, const Instance& inst,
                              const Exception* e) {
  // A foreign tail call's throw: this function has left its tries.
  if (std::binary_search(eh.outside.begin(), eh.outside.end(), pos + 1)) return nullptr;
  uint32_t limit = UINT32_MAX;
  for (const EhHandler& h : eh.handlers) {
    if (pos < h.begin || pos >= h.end || h.level > limit) continue;
    switch (h.kind) {
      case EhHandler::Kind::Delegate: limit = h.target; break;
      case EhHandler::Kind::Catch:
      case EhHandler::Kind::CatchRef:
        if (inst.tags[h.tag] == e->tag) return &h;
        break;
      default: return &h;
    }
  }
  return nullptr;
}

void enter_handler(const EhHandler& h, const FuncEh& eh, uintptr_t fp, Exception* e) {
  const auto ref = reinterpret_cast<uint64_t>(e);
  uint64_t* dst = nullptr;
  if (h.dst == EhHandler::kToResults) {
    std::memcpy(&dst, reinterpret_cast<const void*>(fp - 8), sizeof dst);  // the results pointer
  } else {
    dst = reinterpret_cast<uint64_t*>(fp - eh.frame_bytes) + h.dst;
  }
  if (h.kind == EhHandler::Kind::Catch || h.kind == EhHandler::Kind::CatchRef) {
    std::copy(e->payload.begin(), e->payload.end(), dst);
    dst += e->payload.size();
  }
  if (h.kind == EhHandler::Kind::CatchRef || h.kind == EhHandler::Kind::CatchAllRef) *dst = ref;
  if (h.exn_index != EhHandler::kNoExnSlot)
    std::memcpy(reinterpret_cast<void*>(fp + exn_word_offset(h.exn_index)), &ref, sizeof ref);
}

}  // namespace wsvm::jit

// SIMD instructions as runtime helpers generated from semantics/simd_ops.def (the semantics of
// semantics/simd.hpp, shared with the interpreter). v128 values live in their 16-byte frame
// homes, so every helper has one shape (jit_abi.hpp SimdFn): pointers to the result and
// operand homes plus two scalar words. Inline SSE code for the hot ones is the next step.
#include <cstring>

#include "semantics/simd.hpp"
#include "jit/jit_abi.hpp"

namespace wsvm::jit::helpers {
namespace {

// Bounds-checked pointer into memory 0, or nullptr after recording the trap.
inline uint8_t* mem_at(JitInstance* ji, uint64_t addr, uint64_t offset, uint64_t bytes) {
  memory::LinearMemory* m = ji->inst->memories[0]->mem.get();
  uint64_t ea = static_cast<uint32_t>(addr) + (offset & 0xffffffffu);
  if (ea + bytes > m->size_bytes()) {
    ji->trap_kind = static_cast<uint32_t>(TrapKind::MemoryOutOfBounds);
    ji->trapped = 1;
    return nullptr;
  }
  return m->base() + ea;
}

#define SIMD_UN(name, expr)                                                                 \
  uint64_t s_##name(JitInstance*, uint64_t* dst, const uint64_t* pa, const uint64_t*,       \
                    uint64_t, uint64_t) {                                                   \
    simd::Vec a = simd::load(pa);                                                           \
    simd::store(dst, expr);                                                                 \
    return 0;                                                                               \
  }
#define SIMD_BIN(name, expr)                                                                \
  uint64_t s_##name(JitInstance*, uint64_t* dst, const uint64_t* pa, const uint64_t* pb,    \
                    uint64_t, uint64_t) {                                                   \
    simd::Vec a = simd::load(pa);                                                           \
    simd::Vec b = simd::load(pb);                                                           \
    simd::store(dst, expr);                                                                 \
    return 0;                                                                               \
  }
#define SIMD_TERN(name, expr)                                                               \
  uint64_t s_##name(JitInstance*, uint64_t* dst, const uint64_t* pa, const uint64_t* pb,    \
                    uint64_t pc, uint64_t) {                                                \
    simd::Vec a = simd::load(pa);                                                           \
    simd::Vec b = simd::load(pb);                                                           \
    simd::Vec c = simd::load(reinterpret_cast<const uint64_t*>(pc));                        \
    simd::store(dst, expr);                                                                 \
    return 0;                                                                               \
  }
#define SIMD_TEST(name, expr)                                                               \
  uint64_t s_##name(JitInstance*, uint64_t*, const uint64_t* pa, const uint64_t*, uint64_t, \
                    uint64_t) {                                                             \
    simd::Vec a = simd::load(pa);                                                           \
    return static_cast<uint32_t>(expr);                                                     \
  }
#define SIMD_SHIFT(name, expr)                                                              \
  uint64_t s_##name(JitInstance*, uint64_t* dst, const uint64_t* pa, const uint64_t*,       \
                    uint64_t x, uint64_t) {                                                 \
    simd::Vec a = simd::load(pa);                                                           \
    uint32_t n = static_cast<uint32_t>(x);                                                  \
    simd::store(dst, expr);                                                                 \
    return 0;                                                                               \
  }
#define SIMD_SPLAT(name, In, expr)                                                          \
  uint64_t s_##name(JitInstance*, uint64_t* dst, const uint64_t*, const uint64_t*,          \
                    uint64_t xx, uint64_t) {                                                \
    In x = static_cast<In>(xx);                                                             \
    simd::store(dst, expr);                                                                 \
    return 0;                                                                               \
  }
#define SIMD_EXTRACT(name, Out, expr)                                                       \
  uint64_t s_##name(JitInstance*, uint64_t*, const uint64_t* pa, const uint64_t*,           \
                    uint64_t ii, uint64_t) {                                                \
    simd::Vec a = simd::load(pa);                                                           \
    uint32_t i = static_cast<uint32_t>(ii);                                                 \
    return static_cast<Out>(expr);                                                          \
  }
#define SIMD_REPLACE(name, In, expr)                                                        \
  uint64_t s_##name(JitInstance*, uint64_t* dst, const uint64_t* pa, const uint64_t*,       \
                    uint64_t xx, uint64_t ii) {                                             \
    simd::Vec a = simd::load(pa);                                                           \
    In x = static_cast<In>(xx);                                                             \
    uint32_t i = static_cast<uint32_t>(ii);                                                 \
    simd::store(dst, expr);                                                                 \
    return 0;                                                                               \
  }
#define SIMD_LOAD(name, bytes, expr)                                                        \
  uint64_t s_##name(JitInstance* ji, uint64_t* dst, const uint64_t*, const uint64_t*,       \
                    uint64_t addr, uint64_t off) {                                          \
    const uint8_t* p = mem_at(ji, addr, off, bytes);                                        \
    if (!p) return 0;                                                                       \
    simd::store(dst, expr);                                                                 \
    return 0;                                                                               \
  }
// Lane index in bits 32.. of the offset word.
#define SIMD_LOAD_LANE(name, bytes, expr)                                                   \
  uint64_t s_##name(JitInstance* ji, uint64_t* dst, const uint64_t* pa, const uint64_t*,    \
                    uint64_t addr, uint64_t off) {                                          \
    const uint8_t* p = mem_at(ji, addr, off, bytes);                                        \
    if (!p) return 0;                                                                       \
    simd::Vec a = simd::load(pa);                                                           \
    uint32_t i = static_cast<uint32_t>(off >> 32);                                          \
    simd::store(dst, expr);                                                                 \
    return 0;                                                                               \
  }
#define SIMD_STORE_LANE(name, bytes, expr)                                                  \
  uint64_t s_##name(JitInstance* ji, uint64_t*, const uint64_t* pa, const uint64_t*,        \
                    uint64_t addr, uint64_t off) {                                          \
    uint8_t* p = mem_at(ji, addr, off, bytes);                                              \
    if (!p) return 0;                                                                       \
    simd::Vec a = simd::load(pa);                                                           \
    uint32_t i = static_cast<uint32_t>(off >> 32);                                          \
    expr;                                                                                   \
    return 0;                                                                               \
  }
#include "semantics/simd_ops.def"
#undef SIMD_UN
#undef SIMD_BIN
#undef SIMD_TERN
#undef SIMD_TEST
#undef SIMD_SHIFT
#undef SIMD_SPLAT
#undef SIMD_EXTRACT
#undef SIMD_REPLACE
#undef SIMD_LOAD
#undef SIMD_LOAD_LANE
#undef SIMD_STORE_LANE

uint64_t s_v128_store(JitInstance* ji, uint64_t*, const uint64_t* pa, const uint64_t*,
                      uint64_t addr, uint64_t off) {
  uint8_t* p = mem_at(ji, addr, off, 16);
  if (p) simd::store(p, simd::load(pa));
  return 0;
}
uint64_t s_i8x16_shuffle(JitInstance*, uint64_t* dst, const uint64_t* pa, const uint64_t* pb,
                         uint64_t lo, uint64_t hi) {
  simd::Vec a = simd::load(pa);
  simd::Vec b = simd::load(pb);
  simd::store(dst, simd::i8x16_shuffle(a, b, simd::make(lo, hi)));
  return 0;
}

}  // namespace

SimdHelper simd(uint16_t op) {
  using K = SimdKind;
  switch (static_cast<Op>(op)) {
#define SIMD_UN(name, expr) case Op::name: return {&s_##name, K::Un};
#define SIMD_BIN(name, expr) case Op::name: return {&s_##name, K::Bin};
#define SIMD_TERN(name, expr) case Op::name: return {&s_##name, K::Tern};
#define SIMD_TEST(name, expr) case Op::name: return {&s_##name, K::Test};
#define SIMD_SHIFT(name, expr) case Op::name: return {&s_##name, K::Shift};
#define SIMD_SPLAT(name, In, expr) case Op::name: return {&s_##name, K::Splat};
#define SIMD_EXTRACT(name, Out, expr) case Op::name: return {&s_##name, K::Extract};
#define SIMD_REPLACE(name, In, expr) case Op::name: return {&s_##name, K::Replace};
#define SIMD_LOAD(name, bytes, expr) case Op::name: return {&s_##name, K::Load};
#define SIMD_LOAD_LANE(name, bytes, expr) case Op::name: return {&s_##name, K::LoadLane};
#define SIMD_STORE_LANE(name, bytes, expr) case Op::name: return {&s_##name, K::StoreLane};
#include "semantics/simd_ops.def"
#undef SIMD_UN
#undef SIMD_BIN
#undef SIMD_TERN
#undef SIMD_TEST
#undef SIMD_SHIFT
#undef SIMD_SPLAT
#undef SIMD_EXTRACT
#undef SIMD_REPLACE
#undef SIMD_LOAD
#undef SIMD_LOAD_LANE
#undef SIMD_STORE_LANE
    case Op::v128_store: return {&s_v128_store, K::Store};
    case Op::i8x16_shuffle: return {&s_i8x16_shuffle, K::Shuffle};
    default: return {nullptr, K::Un};
  }
}

}  // namespace wsvm::jit::helpers

// Specialised superinstructions (interpreter_spec.inc): a fused sequence whose internal
// values can travel in registers. The check is on the emitted operands: each value passed
// from one component to the next must be the consumer's operand (in the operand position
// the handler assumes), must be an operand-stack temporary (slot >= local_slots: read only
// by the op that pops it, so dead once consumed and never needed in the frame), must not
// be overwritten by a component in between, and must not share a slot with any operand the
// handler reads from the frame after the temporary would have been written.
#include <initializer_list>

#include "interp/translate.hpp"

namespace wsvm::interp {

namespace {

bool none_of(uint32_t s, std::initializer_list<uint32_t> temps) {
  for (uint32_t t : temps)
    if (s == t) return false;
  return true;
}

}  // namespace

IOp Translator::specialise(IOp fused, const Word* w) const {
  const uint32_t locals = m_local_slots;
  auto temp = [locals](std::initializer_list<uint32_t> slots) {
    for (uint32_t s : slots)
      if (s < locals) return false;
    return true;
  };
  switch (fused) {
    case IOp::fuse_f64_load__f64_mul__f64_load__f64_add__f64_store: {
      // load t1=[a1] @0 | mul tm = k * t1 @3 | load t2=[a2] @6 | add ta = tm + t2 @9 | store [as]=ta @12
      const uint32_t t1 = w[1].s.lo, k = w[4].s.hi, tm = w[4].s.lo, mb = w[5].s.lo;
      const uint32_t t2 = w[7].s.lo, a2 = w[7].s.hi, ta = w[10].s.lo, aa = w[10].s.hi, ab = w[11].s.lo;
      const uint32_t as = w[13].s.lo, sv = w[13].s.hi;
      if (temp({t1, tm, t2, ta}) && mb == t1 && k != t1 && none_of(a2, {t1, tm}) && aa == tm &&
          ab == t2 && tm != t2 && sv == ta && none_of(as, {t1, tm, t2, ta}))
        return IOp::spec_f64_load_mul_load_add_store;
      break;
    }
    case IOp::fuse_f64_mul__f64_load__f64_add__f64_store: {
      // mul tm = a * b @0 | load t2=[a2] @3 | add ta = tm + t2 @6 | store [as]=ta @9
      const uint32_t tm = w[1].s.lo, t2 = w[4].s.lo, a2 = w[4].s.hi;
      const uint32_t ta = w[7].s.lo, aa = w[7].s.hi, ab = w[8].s.lo, as = w[10].s.lo, sv = w[10].s.hi;
      if (temp({tm, t2, ta}) && a2 != tm && aa == tm && ab == t2 && tm != t2 && sv == ta &&
          none_of(as, {tm, t2, ta}))
        return IOp::spec_f64_mul_load_add_store;
      break;
    }
    default:
      break;
  }
  return fused;
}

}  // namespace wsvm::interp

// Specialised superinstructions (spec_ops.def, interpreter_spec.inc): a fused sequence whose
// internal values travel in registers. Each specialised op has a plan: per component, where
// each operand comes from (the frame, or the result of an earlier component, in a register)
// and whether its result is written to the frame at all. The translator checks the plan
// against the emitted operands (specialise()):
// - a forwarded operand is exactly the producer's result slot, and no component in between
//   writes an overlapping slot;
// - an operand read from the frame overlaps no result whose write the handler skips (it
//   would read a stale value);
// - a skipped result is an operand-stack temporary (slot >= local_slots) that a later
//   component consumes through a register: a temporary is read only by the op that pops it,
//   so once consumed it is dead (never read again before the next push writes it).
#include <array>

#include "interp/translate.hpp"

namespace wsvm::interp {

namespace {

// Operand layout of a component (code.hpp encodings); widths in slots (a v128 takes two).
enum class Shape : uint8_t {
  Load,     // [h][dst|addr][offset]
  Store,    // [h][addr|value][offset]
  Bin,      // [h][dst|a][b|-]
  BinImm,   // [h][dst|a][imm]
  Un,       // [h][dst|a]
  Const,    // [h][dst|-][imm64]
  Const16,  // [h][dst|-][lo64][hi64]
};
constexpr uint32_t kFrame = 0xff;  // operand read from the frame

struct CompPlan {
  Shape shape;
  uint8_t dst_width;       // 0: no result (a store)
  uint8_t src_width[2];    // 0: no such operand
  uint8_t from[2];         // kFrame, or the index of the component whose result it is
  bool keep;               // the result is written to its slot
};
struct Plan {
  IOp fused;
  IOp spec;
  uint8_t n;
  std::array<CompPlan, 5> c;
};

constexpr uint8_t kF = static_cast<uint8_t>(kFrame);
// Component plans by op kind: f64 load/store, binary, binary with immediate, i32 immediate.
constexpr CompPlan load_f64(uint8_t addr_from, bool keep) { return {Shape::Load, 1, {1, 0}, {addr_from, kF}, keep}; }
constexpr CompPlan store_f64(uint8_t addr_from, uint8_t val_from) { return {Shape::Store, 0, {1, 1}, {addr_from, val_from}, true}; }
constexpr CompPlan bin(uint8_t a_from, uint8_t b_from, bool keep) { return {Shape::Bin, 1, {1, 1}, {a_from, b_from}, keep}; }
constexpr CompPlan bin_imm(uint8_t a_from, bool keep) { return {Shape::BinImm, 1, {1, 0}, {a_from, kF}, keep}; }
constexpr CompPlan const64(bool keep) { return {Shape::Const, 1, {0, 0}, {kF, kF}, keep}; }
// v128 components: load/store, binary (also a shift: its count is one slot), constant.
constexpr CompPlan load_v128(uint8_t addr_from, bool keep) { return {Shape::Load, 2, {1, 0}, {addr_from, kF}, keep}; }
constexpr CompPlan store_v128(uint8_t addr_from, uint8_t val_from) { return {Shape::Store, 0, {1, 2}, {addr_from, val_from}, true}; }
constexpr CompPlan vbin(uint8_t a_from, uint8_t b_from, bool keep) { return {Shape::Bin, 2, {2, 2}, {a_from, b_from}, keep}; }
constexpr CompPlan vshift(uint8_t a_from, uint8_t n_from, bool keep) { return {Shape::Bin, 2, {2, 1}, {a_from, n_from}, keep}; }
constexpr CompPlan v128_const(bool keep) { return {Shape::Const16, 2, {0, 0}, {kF, kF}, keep}; }
constexpr bool kKeep = true, kSkip = false;

// Must match the handlers in interpreter_spec.inc component by component.
constexpr Plan kPlans[] = {
    // matmul: c[j] += k * b[j]
    {IOp::fuse_f64_load__f64_mul__f64_load__f64_add__f64_store, IOp::spec_f64_load_mul_load_add_store, 5,
     {load_f64(kF, kSkip), bin(kF, 0, kSkip), load_f64(kF, kSkip), bin(1, 2, kSkip), store_f64(kF, 3)}},
    {IOp::fuse_i32_add_imm__i32_add_imm__f64_load, IOp::spec_add_imm_add_imm_load, 3,
     {bin_imm(kF, kKeep), bin_imm(kF, kSkip), load_f64(1, kKeep)}},
    {IOp::fuse_f64_mul__f64_load__f64_add__f64_store, IOp::spec_f64_mul_load_add_store, 4,
     {bin(kF, kF, kSkip), load_f64(kF, kSkip), bin(0, 1, kSkip), store_f64(kF, 2)}},
    // nbody: dx = x - [p - k]; dx is a local; then m * dx (and another product)
    {IOp::fuse_i32_sub_imm__f64_load__f64_sub__f64_mul, IOp::spec_sub_imm_load_sub_mul, 4,
     {bin_imm(kF, kSkip), load_f64(0, kSkip), bin(kF, 1, kKeep), bin(kF, 2, kKeep)}},
    {IOp::fuse_i32_sub_imm__f64_load__f64_sub__f64_mul__f64_mul, IOp::spec_sub_imm_load_sub_mul_mul, 5,
     {bin_imm(kF, kSkip), load_f64(0, kSkip), bin(kF, 1, kKeep), bin(kF, 2, kKeep), bin(kF, kF, kKeep)}},
    // nbody: mag = dt / (d2 * sqrt(d2)) (a local); v -= dx * m * mag
    {IOp::fuse_f64_div__f64_mul__f64_sub__f64_store, IOp::spec_div_mul_sub_store, 4,
     {bin(kF, kF, kKeep), bin(kF, 0, kSkip), bin(kF, 1, kSkip), store_f64(kF, 2)}},
    // nbody: [p] = [p] - a * b * c;  [q] = a * b + [q]
    {IOp::fuse_f64_load__f64_mul__f64_mul__f64_sub__f64_store, IOp::spec_load_mul_mul_sub_store, 5,
     {load_f64(kF, kSkip), bin(kF, kF, kSkip), bin(1, kF, kSkip), bin(0, 2, kSkip), store_f64(kF, 3)}},
    {IOp::fuse_f64_mul__f64_mul__f64_load__f64_add__f64_store, IOp::spec_mul_mul_load_add_store, 5,
     {bin(kF, kF, kSkip), bin(0, kF, kSkip), load_f64(kF, kSkip), bin(1, 2, kSkip), store_f64(kF, 3)}},
    // nbody: x += [p] * dt (the loaded value a local); [q] = x
    {IOp::fuse_f64_load__f64_mul_imm__f64_add__f64_store, IOp::spec_load_mul_imm_add_store, 4,
     {load_f64(kF, kKeep), bin_imm(0, kSkip), bin(1, kF, kKeep), store_f64(kF, 2)}},
    // simd's integer kernel: v ^= v >> 15 (v loaded, kept), v * c1 ^ v * c2, + c3 and store
    {IOp::fuse_v128_load__const64__i32x4_shr_u__v128_xor, IOp::spec_v128_load_shr_xor, 4,
     {load_v128(kF, kKeep), const64(kSkip), vshift(0, 1, kSkip), vbin(2, 0, kKeep)}},
    {IOp::fuse_i32_add_imm__v128_load__const64__i32x4_shr_u__v128_xor, IOp::spec_add_imm_v128_load_shr_xor, 5,
     {bin_imm(kF, kKeep), load_v128(kF, kKeep), const64(kSkip), vshift(1, 2, kSkip), vbin(3, 1, kKeep)}},
    {IOp::fuse_v128_const__i32x4_mul__v128_const__i32x4_mul__v128_xor, IOp::spec_const_mul_const_mul_xor, 5,
     {v128_const(kSkip), vbin(kF, 0, kSkip), v128_const(kSkip), vbin(kF, 2, kSkip), vbin(1, 3, kKeep)}},
    {IOp::fuse_v128_const__i32x4_add__v128_store, IOp::spec_const_add_store, 3,
     {v128_const(kSkip), vbin(kF, 0, kKeep), store_v128(kF, 1)}},
    // simd's float kernel: y = x + a * b, stored; dot = (dot + a * b) + c * d
    {IOp::fuse_f32x4_mul__f32x4_add__v128_store, IOp::spec_fmul_fadd_store, 3,
     {vbin(kF, kF, kSkip), vbin(kF, 0, kKeep), store_v128(kF, 1)}},
    {IOp::fuse_f32x4_mul__f32x4_add__f32x4_mul__f32x4_add, IOp::spec_fmul_fadd_fmul_fadd, 4,
     {vbin(kF, kF, kSkip), vbin(kF, 0, kSkip), vbin(kF, kF, kSkip), vbin(1, 2, kKeep)}},
    // sha256: Σ/σ, maj, ch, and the round's sums (the inner sum into either operand)
    {IOp::fuse_i32_rotl_imm__i32_rotl_imm__i32_xor__i32_rotl_imm__i32_xor, IOp::spec_rotl_rotl_xor_rotl_xor, 5,
     {bin_imm(kF, kSkip), bin_imm(kF, kSkip), bin(0, 1, kSkip), bin_imm(kF, kSkip), bin(2, 3, kKeep)}},
    {IOp::fuse_i32_rotl_imm__i32_rotl_imm__i32_xor__i32_shr_u_imm__i32_xor, IOp::spec_rotl_rotl_xor_shr_xor, 5,
     {bin_imm(kF, kSkip), bin_imm(kF, kSkip), bin(0, 1, kSkip), bin_imm(kF, kSkip), bin(2, 3, kKeep)}},
    {IOp::fuse_i32_xor__i32_and__i32_and__i32_xor, IOp::spec_xor_and_and_xor, 4,
     {bin(kF, kF, kSkip), bin(0, kF, kSkip), bin(kF, kF, kSkip), bin(1, 2, kKeep)}},
    {IOp::fuse_i32_xor_imm__i32_and__i32_add, IOp::spec_xor_imm_and_add, 3,
     {bin_imm(kF, kSkip), bin(kF, 0, kSkip), bin(kF, 1, kKeep)}},
    {IOp::fuse_i32_add__i32_add, IOp::spec_add_add_a, 2, {bin(kF, kF, kSkip), bin(0, kF, kKeep)}},
    {IOp::fuse_i32_add__i32_add, IOp::spec_add_add_b, 2, {bin(kF, kF, kSkip), bin(kF, 0, kKeep)}},
};

// The components of a fused op (fused_ops.def), first to last.
struct Parts {
  uint8_t n = 0;
  std::array<IOp, 5> op{};
};
constexpr Parts parts_of(IOp fused) {
  switch (fused) {
#define FUSE(A, B) case IOp::fuse_##A##__##B: return {2, {IOp::A, IOp::B}};
#define FUSE3(A, B, C) case IOp::fuse_##A##__##B##__##C: return {3, {IOp::A, IOp::B, IOp::C}};
#define FUSE4(A, B, C, D) \
  case IOp::fuse_##A##__##B##__##C##__##D: return {4, {IOp::A, IOp::B, IOp::C, IOp::D}};
#define FUSE5(A, B, C, D, E)                   \
  case IOp::fuse_##A##__##B##__##C##__##D##__##E: \
    return {5, {IOp::A, IOp::B, IOp::C, IOp::D, IOp::E}};
#include "interp/fused_ops.def"
#undef FUSE
#undef FUSE3
#undef FUSE4
#undef FUSE5
    default:
      return {};
  }
}

// Every plan has one entry per component of its fused op, and each entry's shape has that
// component's encoding length (iops.def), so plan_holds walks the code by the op lengths.
constexpr uint32_t shape_words(Shape s) { return s == Shape::Un ? 2 : s == Shape::Const16 ? 4 : 3; }
static_assert([] {
  for (const Plan& p : kPlans) {
    const Parts parts = parts_of(p.fused);
    if (parts.n != p.n) return false;
    for (uint8_t i = 0; i < p.n; ++i)
      if (shape_words(p.c[i].shape) != iop_words(parts.op[i])) return false;
  }
  return true;
}());

struct Decoded {
  uint32_t dst = 0;
  uint32_t src[2] = {0, 0};
};

Decoded decode(const CompPlan& c, const Word* w) {
  Decoded d;
  switch (c.shape) {
    case Shape::Load: d.dst = w[1].s.lo; d.src[0] = w[1].s.hi; break;
    case Shape::Store: d.src[0] = w[1].s.lo; d.src[1] = w[1].s.hi; break;
    case Shape::Bin: d.dst = w[1].s.lo; d.src[0] = w[1].s.hi; d.src[1] = w[2].s.lo; break;
    case Shape::BinImm: d.dst = w[1].s.lo; d.src[0] = w[1].s.hi; break;
    case Shape::Un: d.dst = w[1].s.lo; d.src[0] = w[1].s.hi; break;
    case Shape::Const: case Shape::Const16: d.dst = w[1].s.lo; break;
  }
  return d;
}
bool overlap(uint32_t a, uint32_t wa, uint32_t b, uint32_t wb) { return a < b + wb && b < a + wa; }

bool plan_holds(const Plan& p, const Word* w, uint32_t locals) {
  std::array<Decoded, 5> d;
  const Parts parts = parts_of(p.fused);
  for (uint32_t i = 0, at = 0; i < p.n; at += iop_words(parts.op[i]), ++i) d[i] = decode(p.c[i], w + at);
  for (uint8_t i = 0; i < p.n; ++i) {
    const CompPlan& c = p.c[i];
    for (int k = 0; k < 2; ++k) {
      if (c.src_width[k] == 0) continue;
      const uint32_t s = d[i].src[k], ws = c.src_width[k];
      if (c.from[k] != kF) {
        const uint8_t j = c.from[k];
        if (j >= i || d[j].dst != s || p.c[j].dst_width != ws) return false;
        for (uint8_t m = j + 1; m < i; ++m)
          if (p.c[m].dst_width != 0 && overlap(d[m].dst, p.c[m].dst_width, s, ws)) return false;
      } else {
        for (uint8_t m = 0; m < i; ++m)
          if (p.c[m].dst_width != 0 && !p.c[m].keep && overlap(d[m].dst, p.c[m].dst_width, s, ws))
            return false;
      }
    }
    if (c.dst_width != 0 && !c.keep) {
      if (d[i].dst < locals) return false;
      bool consumed = false;
      for (uint8_t m = i + 1; m < p.n; ++m)
        for (int k = 0; k < 2; ++k) consumed |= p.c[m].src_width[k] != 0 && p.c[m].from[k] == i;
      if (!consumed) return false;
    }
  }
  return true;
}

}  // namespace

IOp Translator::specialise(IOp fused, const Word* w) const {
  // A fused op may have several plans (operand positions): the first that holds.
  for (const Plan& p : kPlans)
    if (p.fused == fused && plan_holds(p, w, m_local_slots)) return p.spec;
  return fused;
}

}  // namespace wsvm::interp

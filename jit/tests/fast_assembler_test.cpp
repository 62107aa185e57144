// FastAssembler against asmjit's own encoder: every instruction form the fast path encodes,
// over all registers, memory operands (every base, index, scale, displacement class, size)
// and immediates at each encoding boundary, must give asmjit's exact bytes (or asmjit's
// error, for forms the fast path hands over), and the fast path must actually be taken.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "jit/x64/fast_assembler.hpp"

using namespace asmjit;
using wsvm::jit::x64::FastAssembler;

namespace {

// A small deterministic generator for the random label programs: next(n) is in [0, n).
struct Lcg {
  uint64_t state;
  uint32_t operator()(uint32_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33) % n;
  }
};

struct Pair {
  CodeHolder ref_code, fast_code;
  std::unique_ptr<x86::Assembler> ref;
  std::unique_ptr<FastAssembler> fast;
  size_t mismatches = 0;
  size_t checked = 0;
  std::string first_mismatch;

  Pair() {
    ref_code.init(Environment::host());
    fast_code.init(Environment::host());
    ref = std::make_unique<x86::Assembler>(&ref_code);
    fast = std::make_unique<FastAssembler>(&fast_code);
  }

  // One instruction in both; compares the error and the bytes.
  void check(InstId id, const Operand_& a, const Operand_& b, const Operand_& c = Operand()) {
    call([&](auto& as) { return as.emit(id, a, b, c); }, id);
  }
  // f(assembler) on both: a generic lambda calls FastAssembler's typed overloads on `fast`.
  template <class F>
  void call(F&& f, InstId id = 0) {
    size_t r0 = ref->offset(), f0 = fast->offset();
    Error re = f(*ref);
    Error fe = f(*fast);
    size_t rn = ref->offset() - r0, fn = fast->offset() - f0;
    ++checked;
    bool same = re == fe && rn == fn &&
                std::memcmp(ref->bufferData() + r0, fast->bufferData() + f0, rn) == 0;
    if (same) return;
    if (mismatches++ < 12) {
      first_mismatch += "\n";
      first_mismatch += "inst " + std::to_string(id) + ": errors " + std::to_string(re) + "/" +
                       std::to_string(fe) + ", bytes";
      char buf[8];
      for (size_t i = 0; i < rn; ++i) {
        std::snprintf(buf, sizeof buf, " %02x", ref->bufferData()[r0 + i]);
        first_mismatch += buf;
      }
      first_mismatch += " vs";
      for (size_t i = 0; i < fn; ++i) {
        std::snprintf(buf, sizeof buf, " %02x", fast->bufferData()[f0 + i]);
        first_mismatch += buf;
      }
    }
  }
};

std::vector<x86::Mem> mems(uint32_t size) {
  std::vector<x86::Mem> out;
  const int32_t disps[] = {0, 1, -1, 127, -128, 128, -129, 0x12345678, INT32_MIN, INT32_MAX};
  for (uint32_t base = 0; base < 16; ++base) {
    for (int32_t d : disps) out.push_back(x86::ptr(x86::gpq(base), d, size));
    for (uint32_t index : {0u, 5u, 9u, 12u, 13u}) {
      for (uint32_t shift = 0; shift < 4; ++shift) {
        for (int32_t d : {0, 8, -300}) out.push_back(x86::ptr(x86::gpq(base), x86::gpq(index), shift, d, size));
      }
    }
  }
  return out;
}

const int64_t kImms[] = {0, 1, -1, 127, -128, 128, -129, 0x7fffffff, -0x7fffffff - 1, 0x80000000LL,
                         0xffffffffLL, 0x100000000LL, -0x80000001LL, INT64_MIN, INT64_MAX};

}  // namespace

TEST_CASE("fast assembler: integer forms match asmjit") {
  Pair p;
  const InstId alu[] = {x86::Inst::kIdMov, x86::Inst::kIdAdd, x86::Inst::kIdOr, x86::Inst::kIdAdc,
                        x86::Inst::kIdSbb, x86::Inst::kIdAnd, x86::Inst::kIdSub, x86::Inst::kIdXor,
                        x86::Inst::kIdCmp, x86::Inst::kIdTest, x86::Inst::kIdImul, x86::Inst::kIdLea};
  for (InstId id : alu) {
    for (bool q : {false, true}) {
      auto reg = [&](uint32_t i) -> x86::Gp { return q ? x86::Gp(x86::gpq(i)) : x86::Gp(x86::gpd(i)); };
      for (uint32_t a = 0; a < 16; ++a) {
        for (uint32_t b = 0; b < 16; ++b) p.check(id, reg(a), reg(b));
        p.check(id, reg(a), q ? x86::Gp(x86::gpd(a)) : x86::Gp(x86::gpq(a)));  // size mismatch
        for (int64_t v : kImms) p.check(id, reg(a), Imm(v));
        for (int64_t v : kImms) p.check(x86::Inst::kIdImul, reg(a), reg(15 - a), Imm(v));
      }
      for (uint32_t size : {0u, 4u, 8u, 2u}) {
        for (const x86::Mem& m : mems(size)) {
          p.check(id, reg(3), m);
          p.check(id, reg(11), m);
          p.check(id, m, reg(6));
          p.check(id, m, reg(14));
          p.check(x86::Inst::kIdImul, reg(2), m, Imm(q ? 100 : 1000));
        }
      }
    }
    for (uint32_t size : {4u, 8u, 1u, 0u}) {
      for (const x86::Mem& m : mems(size)) {
        for (int64_t v : {0LL, -1LL, 200LL, 0x80000000LL}) p.check(id, m, Imm(v));
      }
    }
  }
  // shifts/rotates by an immediate or cl, setcc, movzx/movsx from byte registers and memory
  const InstId shifts[] = {x86::Inst::kIdShl, x86::Inst::kIdShr, x86::Inst::kIdSar, x86::Inst::kIdRol,
                           x86::Inst::kIdRor};
  for (InstId id : shifts) {
    for (uint32_t a = 0; a < 16; ++a) {
      for (x86::Gp r : {x86::Gp(x86::gpq(a)), x86::Gp(x86::gpd(a))}) {
        for (int64_t v : {0LL, 1LL, 2LL, 31LL, 63LL, 64LL, 255LL, 256LL, -1LL}) p.check(id, r, Imm(v));
        p.check(id, r, x86::cl);
        p.check(id, r, x86::dl);
      }
    }
  }
  for (uint32_t cc = 0; cc < 16; ++cc) {
    for (uint32_t a = 0; a < 16; ++a) {
      p.check(x86::Inst::setccFromCond(static_cast<x86::CondCode>(cc)), x86::gpb_lo(a), Operand());
      p.check(x86::Inst::setccFromCond(static_cast<x86::CondCode>(cc)), x86::gpd(a), Operand());
    }
  }
  for (InstId id : {x86::Inst::kIdMovzx, x86::Inst::kIdMovsx}) {
    for (uint32_t a = 0; a < 16; ++a) {
      for (uint32_t b = 0; b < 16; ++b) {
        p.check(id, x86::gpd(a), x86::gpb_lo(b));
        p.check(id, x86::gpq(a), x86::gpb_lo(b));
        p.check(id, x86::gpd(a), x86::gpw(b));
      }
      for (uint32_t size : {1u, 2u, 0u, 4u}) {
        for (const x86::Mem& m : mems(size)) {
          p.check(id, x86::gpd(a), m);
          if (a % 5 == 0) p.check(id, x86::gpq(a), m);
        }
      }
    }
  }
  INFO(p.first_mismatch);
  CHECK(p.mismatches == 0);
  CHECK(p.checked > 100000);
  CHECK(p.fast->fast_count() > p.checked / 3);
}

TEST_CASE("fast assembler: scalar float and xmm moves match asmjit") {
  Pair p;
  const InstId sse[] = {x86::Inst::kIdMovsd,  x86::Inst::kIdMovss,   x86::Inst::kIdMovups,
                        x86::Inst::kIdMovaps, x86::Inst::kIdAddsd,   x86::Inst::kIdMulsd,
                        x86::Inst::kIdSubsd,  x86::Inst::kIdDivsd,   x86::Inst::kIdSqrtsd,
                        x86::Inst::kIdAddss,  x86::Inst::kIdMulss,   x86::Inst::kIdSubss,
                        x86::Inst::kIdDivss,  x86::Inst::kIdSqrtss,  x86::Inst::kIdUcomisd,
                        x86::Inst::kIdUcomiss, x86::Inst::kIdXorps,  x86::Inst::kIdAndps,
                        x86::Inst::kIdOrps,   x86::Inst::kIdPxor,    x86::Inst::kIdMovq,
                        x86::Inst::kIdMovd};
  for (InstId id : sse) {
    for (uint32_t a = 0; a < 16; ++a) {
      for (uint32_t b = 0; b < 16; ++b) {
        p.check(id, x86::xmm(a), x86::xmm(b));
        p.check(id, x86::xmm(a), x86::gpq(b));
        p.check(id, x86::gpq(a), x86::xmm(b));
        p.check(id, x86::xmm(a), x86::gpd(b));
        p.check(id, x86::gpd(a), x86::xmm(b));
      }
    }
    for (uint32_t size : {0u, 4u, 8u, 16u}) {
      for (const x86::Mem& m : mems(size)) {
        p.check(id, x86::xmm(1), m);
        p.check(id, x86::xmm(9), m);
        p.check(id, m, x86::xmm(4));
        p.check(id, m, x86::xmm(15));
      }
    }
  }
  INFO(p.first_mismatch);
  CHECK(p.mismatches == 0);
  CHECK(p.fast->fast_count() > p.checked / 4);
}

TEST_CASE("fast assembler: labels, options and other forms still go through asmjit") {
  CodeHolder code;
  code.init(Environment::host());
  code.reserveBuffer(&code.textSection()->_buffer, 4096);
  FastAssembler a(&code);
  Label l = a.newLabel();
  a.bind(l);
  a.mov(x86::eax, 1);
  a.jmp(l);                         // a bound label: here
  a.short_().jmp(l);                // an option: asmjit
  a.mov(x86::al, x86::cl);          // byte registers: asmjit
  a.mov(x86::rax, x86::ptr(l));     // rip-relative: asmjit
  a.add(x86::eax, x86::ecx);
  CHECK(a.fast_count() == 3);
  code.flatten();
  code.resolveUnresolvedLinks();
  CHECK(code.textSection()->bufferSize() == a.offset());
  CHECK(code.textSection()->bufferSize() == 5 + 2 + 2 + 2 + 7 + 2);
}

TEST_CASE("fast assembler: typed overloads match asmjit") {
  Pair p;
  std::vector<x86::Gp> gps;
  for (uint32_t i = 0; i < 16; ++i) {
    gps.push_back(x86::gpq(i));
    gps.push_back(x86::gpd(i));
  }
  gps.push_back(x86::ax);
  gps.push_back(x86::cl);
  std::vector<x86::Mem> ms;
  for (uint32_t size : {0u, 4u, 8u, 2u, 16u})
    for (const x86::Mem& m : mems(size)) ms.push_back(m);
  for (const x86::Gp& a : gps) {
    for (const x86::Gp& b : gps) {
      p.call([&](auto& as) { return as.mov(a, b); });
      p.call([&](auto& as) { return as.add(a, b); });
      p.call([&](auto& as) { return as.sub(a, b); });
      p.call([&](auto& as) { return as.and_(a, b); });
      p.call([&](auto& as) { return as.or_(a, b); });
      p.call([&](auto& as) { return as.xor_(a, b); });
      p.call([&](auto& as) { return as.cmp(a, b); });
      p.call([&](auto& as) { return as.test(a, b); });
    }
    for (int64_t v : kImms) {
      p.call([&](auto& as) { return as.mov(a, Imm(v)); });
      p.call([&](auto& as) { return as.add(a, Imm(v)); });
      p.call([&](auto& as) { return as.sub(a, Imm(v)); });
      p.call([&](auto& as) { return as.and_(a, Imm(v)); });
      p.call([&](auto& as) { return as.or_(a, Imm(v)); });
      p.call([&](auto& as) { return as.xor_(a, Imm(v)); });
      p.call([&](auto& as) { return as.cmp(a, Imm(v)); });
    }
    p.call([&](auto& as) { return as.mov(a, 5); });
    p.call([&](auto& as) { return as.mov(a, Imm(1.5)); });  // a float immediate: asmjit
    for (size_t i = 0; i < ms.size(); i += (a.id() % 3) + 1) {
      const x86::Mem& m = ms[i];
      p.call([&](auto& as) { return as.mov(a, m); });
      p.call([&](auto& as) { return as.mov(m, a); });
      p.call([&](auto& as) { return as.lea(a, m); });
      p.call([&](auto& as) { return as.add(a, m); });
      p.call([&](auto& as) { return as.cmp(a, m); });
      p.call([&](auto& as) { return as.xor_(a, m); });
    }
  }
  for (uint32_t x = 0; x < 16; ++x) {
    for (const x86::Gp& g : gps) {
      p.call([&](auto& as) { return as.movq(x86::xmm(x), g); });
      p.call([&](auto& as) { return as.movq(g, x86::xmm(x)); });
    }
    for (uint32_t y = 0; y < 16; ++y) p.call([&](auto& as) { return as.movaps(x86::xmm(x), x86::xmm(y)); });
    for (const x86::Mem& m : ms) {
      p.call([&](auto& as) { return as.movq(x86::xmm(x), m); });
      p.call([&](auto& as) { return as.movq(m, x86::xmm(x)); });
      p.call([&](auto& as) { return as.movsd(x86::xmm(x), m); });
      p.call([&](auto& as) { return as.movsd(m, x86::xmm(x)); });
      p.call([&](auto& as) { return as.movss(x86::xmm(x), m); });
      p.call([&](auto& as) { return as.movss(m, x86::xmm(x)); });
    }
  }
  INFO(p.first_mismatch);
  CHECK(p.mismatches == 0);
  CHECK(p.checked > 100000);
  CHECK(p.fast->fast_count() > p.checked / 3);
}

TEST_CASE("fast assembler: jumps and calls to labels match asmjit once bound") {
  uint32_t fast_jumps = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    Lcg next{seed * 0x9E3779B97F4A7C15ull};
    CodeHolder rc, fc;
    rc.init(Environment::host());
    fc.init(Environment::host());
    fc.reserveBuffer(&fc.textSection()->_buffer, 1 << 16);
    x86::Assembler r(&rc);
    FastAssembler f(&fc);
    constexpr uint32_t kLabels = 24;
    std::vector<Label> rl, fl;
    std::vector<bool> bound(kLabels, false);
    for (uint32_t i = 0; i < kLabels; ++i) {
      rl.push_back(r.newLabel());
      fl.push_back(f.newLabel());
    }
    static const uint8_t nops[200] = {};
    for (uint32_t step = 0; step < 200; ++step) {
      uint32_t what = next(10);
      uint32_t l = next(kLabels);
      if (what == 0 && !bound[l]) {
        r.bind(rl[l]);
        f.bind(fl[l]);
        bound[l] = true;
      } else if (what <= 2) {
        uint32_t k = std::array<uint32_t, 4>{1, 60, 121, 140}[next(4)];
        r.embed(nops, k);
        f.embed(nops, k);
      } else if (what <= 4) {
        r.jmp(rl[l]);
        f.jmp(fl[l]);
      } else if (what <= 8) {
        auto cc = static_cast<x86::CondCode>(next(16));
        r.j(cc, rl[l]);
        f.j(cc, fl[l]);
      } else {
        r.call(rl[l]);
        f.call(fl[l]);
      }
    }
    for (uint32_t l = 0; l < kLabels; ++l) {
      if (!bound[l]) {
        r.bind(rl[l]);
        f.bind(fl[l]);
      }
    }
    CHECK(f.pending_jumps() == 0);
    fast_jumps += static_cast<uint32_t>(f.fast_count());
    rc.flatten();
    fc.flatten();
    REQUIRE(rc.resolveUnresolvedLinks() == kErrorOk);
    REQUIRE(fc.resolveUnresolvedLinks() == kErrorOk);
    const CodeBuffer& rb = rc.textSection()->buffer();
    const CodeBuffer& fb = fc.textSection()->buffer();
    INFO("seed " << seed);
    REQUIRE(rb.size() == fb.size());
    CHECK(std::memcmp(rb.data(), fb.data(), rb.size()) == 0);
  }
  CHECK(fast_jumps > 300 * 100);
}

// The compiler's per-function labels (new_local_label) are recycled after each function
// (recycle_local_labels): a run of functions with recycled labels must give exactly the bytes
// of fresh asmjit labels, also for rip-relative operands asmjit links itself, while the
// holder keeps only one function's worth of label entries.
TEST_CASE("fast assembler: recycled local labels give the bytes of fresh ones") {
  Lcg next{0x243F6A8885A308D3ull};
  CodeHolder rc, fc;
  rc.init(Environment::host());
  fc.init(Environment::host());
  x86::Assembler r(&rc);
  FastAssembler f(&fc);
  constexpr uint32_t kLabels = 16;
  static const uint8_t nops[64] = {};
  for (uint32_t fn = 0; fn < 40; ++fn) {
    std::vector<Label> rl, fl;
    for (uint32_t i = 0; i < kLabels; ++i) {
      rl.push_back(r.newLabel());
      fl.push_back(f.new_local_label());
    }
    std::vector<bool> bound(kLabels, false);
    for (uint32_t step = 0; step < 120; ++step) {
      uint32_t what = next(8);
      uint32_t l = next(kLabels);
      if (what == 0 && !bound[l]) {
        r.bind(rl[l]);
        f.bind(fl[l]);
        bound[l] = true;
      } else if (what == 1) {
        r.embed(nops, 1 + l * 3);
        f.embed(nops, 1 + l * 3);
      } else if (what == 2) {
        r.lea(x86::r11, x86::ptr(rl[l]));
        f.lea(x86::r11, x86::ptr(fl[l]));
      } else if (what <= 4) {
        r.jmp(rl[l]);
        f.jmp(fl[l]);
      } else {
        auto cc = static_cast<x86::CondCode>(next(16));
        r.j(cc, rl[l]);
        f.j(cc, fl[l]);
      }
    }
    for (uint32_t l = 0; l < kLabels; ++l) {
      if (!bound[l]) {
        r.bind(rl[l]);
        f.bind(fl[l]);
      }
    }
    REQUIRE(f.pending_jumps() == 0);
    f.recycle_local_labels();
  }
  CHECK(fc.labelCount() == kLabels);
  rc.flatten();
  fc.flatten();
  REQUIRE(rc.resolveUnresolvedLinks() == kErrorOk);
  REQUIRE(fc.resolveUnresolvedLinks() == kErrorOk);
  const CodeBuffer& rb = rc.textSection()->buffer();
  const CodeBuffer& fb = fc.textSection()->buffer();
  REQUIRE(rb.size() == fb.size());
  CHECK(std::memcmp(rb.data(), fb.data(), rb.size()) == 0);
}

TEST_CASE("fast assembler: op2 (the compiler's generic two-operand sites) matches asmjit") {
  Pair p;
  auto op2 = [&](InstId id, const auto& d, const Operand_& src) {
    p.call([&](auto& as) {
      if constexpr (std::is_same_v<std::decay_t<decltype(as)>, FastAssembler>) return as.op2(id, d, src);
      else return as.emit(id, d, src);
    });
  };
  const InstId gp_ids[] = {x86::Inst::kIdAdd, x86::Inst::kIdOr,  x86::Inst::kIdAnd, x86::Inst::kIdSub,
                           x86::Inst::kIdXor, x86::Inst::kIdCmp, x86::Inst::kIdShl, x86::Inst::kIdShr,
                           x86::Inst::kIdSar, x86::Inst::kIdRol, x86::Inst::kIdRor, x86::Inst::kIdImul,
                           x86::Inst::kIdMov};
  std::vector<x86::Mem> ms;
  for (uint32_t size : {0u, 4u, 8u, 2u})
    for (const x86::Mem& m : mems(size)) ms.push_back(m);
  for (InstId id : gp_ids) {
    for (uint32_t a = 0; a < 16; ++a) {
      for (x86::Gp d : {x86::Gp(x86::gpq(a)), x86::Gp(x86::gpd(a))}) {
        for (uint32_t b = 0; b < 16; ++b) {
          op2(id, d, x86::gpq(b));
          op2(id, d, x86::gpd(b));
        }
        op2(id, d, x86::cl);
        for (int64_t v : kImms) op2(id, d, Imm(v));
        for (int64_t v : {2LL, 31LL, 63LL, 255LL, 256LL}) op2(id, d, Imm(v));
        for (size_t i = a % 4; i < ms.size(); i += 4) op2(id, d, ms[i]);
      }
    }
  }
  const InstId sse_ids[] = {x86::Inst::kIdAddsd, x86::Inst::kIdMulsd, x86::Inst::kIdSubsd,
                            x86::Inst::kIdDivsd, x86::Inst::kIdAddss, x86::Inst::kIdMulss,
                            x86::Inst::kIdSubss, x86::Inst::kIdDivss, x86::Inst::kIdUcomisd,
                            x86::Inst::kIdUcomiss, x86::Inst::kIdMaxsd};
  for (InstId id : sse_ids) {
    for (uint32_t a = 0; a < 16; ++a) {
      for (uint32_t b = 0; b < 16; ++b) {
        op2(id, x86::xmm(a), x86::xmm(b));
        op2(id, x86::xmm(a), x86::gpq(b));
      }
      for (uint32_t size : {0u, 4u, 8u, 16u})
        for (const x86::Mem& m : mems(size)) op2(id, x86::xmm(a), m);
    }
  }
  INFO(p.first_mismatch);
  CHECK(p.mismatches == 0);
  CHECK(p.checked > 100000);
  CHECK(p.fast->fast_count() > p.checked / 3);
}

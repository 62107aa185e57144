// An x86::Assembler that encodes the compiler's hottest instruction forms itself, straight
// into the same buffer, and hands everything else to asmjit's generic encoder.
//
// Why: asmjit's Assembler::_emit costs ~220 instructions per instruction (instruction-
// database lookups, operand-signature matching); it was a third of compile time on a large
// module. Two layers:
// - typed overloads of the hottest mnemonics (mov, lea, add/sub/and/or/xor/cmp, test,
//   movq/movsd/movss/movaps) hide the base class's and encode inline (~20 instructions)
//   when their operands are plain (general/xmm registers, [base + index*scale + disp]);
// - an _emit override for everything emitted through emit(id, ...) or other overloads,
//   which classifies generic operands first (slower, still cheaper than asmjit), including
//   jmp/jcc/call to labels: backward ones as asmjit (rel8 when it fits), forward ones rel32
//   chained through their fields and patched by bind().
// Anything else (labels, byte registers, rip-relative or absolute addresses, prefixes or
// options, a logger or validation, too little buffer room) goes to asmjit. The bytes are
// exactly asmjit's (jit/tests/fast_assembler_test.cpp compares every form), so labels,
// offsets and everything built on the holder behave as before.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace wsvm::jit::x64 {

// The encoders and the typed overloads are forced inline: called from the front end's
// primitives, g++ otherwise made out-of-line clones of them (+7% instructions per compile).
#define WSVM_FA_INLINE [[gnu::always_inline]] inline

class FastAssembler final : public asmjit::x86::Assembler {
  using Base = asmjit::x86::Assembler;
  using Gp = asmjit::x86::Gp;
  using Xmm = asmjit::x86::Xmm;
  using Mem = asmjit::x86::Mem;
  using Imm = asmjit::Imm;
  using Error = asmjit::Error;

 public:
  explicit FastAssembler(asmjit::CodeHolder* code) : Base(code) {}

  asmjit::Error _emit(asmjit::InstId inst_id, const asmjit::Operand_& o0, const asmjit::Operand_& o1,
                      const asmjit::Operand_& o2, const asmjit::Operand_* op_ext) override;

  // Binds as asmjit does, then patches this assembler's own forward jumps to the label.
  asmjit::Error bind(const asmjit::Label& label) override;

  // Labels of one function (block ends, loop headers, trap stubs, constant pool entries),
  // recycled by recycle_local_labels() for the next function: asmjit frees no label entry
  // before its holder, so a large module made hundreds of thousands of them, allocated
  // (and page-faulted) afresh at every compile.
  asmjit::Label new_local_label() {
    if (!m_free_labels.empty()) {
      const uint32_t id = m_free_labels.back();
      m_free_labels.pop_back();
      m_local_labels.push_back(id);
      return asmjit::Label(id);
    }
    const asmjit::Label l = newLabel();
    if (l.isValid()) m_local_labels.push_back(l.id());
    return l;
  }
  // The function is complete: each local label since the last call that is bound with no
  // link left (or never used) becomes free again, unbound; labels an embedded delta refers
  // to stay as they are (asmjit evaluates those at relocation).
  void recycle_local_labels();
  // (Hides the base's: marks both labels as never recycled.)
  Error embedLabelDelta(const asmjit::Label& label, const asmjit::Label& base, size_t size) {
    m_keep_labels.push_back(label.id());
    m_keep_labels.push_back(base.id());
    return Base::embedLabelDelta(label, base, size);
  }

  // Instructions encoded here (not by asmjit): tests check the fast path is taken.
  uint64_t fast_count() const { return m_fast; }
  // Forward jumps encoded here whose label is not bound yet: 0 once a function's code is
  // complete (asmjit reports its own unresolved links at resolveUnresolvedLinks).
  uint32_t pending_jumps() const { return m_pending; }

  using Base::mov;
  using Base::lea;
  using Base::add;
  using Base::sub;
  using Base::and_;
  using Base::or_;
  using Base::xor_;
  using Base::cmp;
  using Base::test;
  using Base::movq;
  using Base::movsd;
  using Base::movss;
  using Base::movaps;
  using Base::jmp;
  using Base::j;

  Error jmp(const asmjit::Label& l) {
    if (ready() && jump(asmjit::x86::Inst::kIdJmp, l)) return done();
    return Base::jmp(l);
  }
  Error j(asmjit::x86::CondCode cc, const asmjit::Label& l) {
    if (ready() && jump(asmjit::x86::Inst::jccFromCond(cc), l)) return done();
    return Base::j(cc, l);
  }

  WSVM_FA_INLINE Error mov(const Gp& d, const Gp& s) {
    if (ready() && gp_ok(d) && s.signature() == d.signature() && s.id() < 16) {
      enc_rr(0, wide(d), false, 0x89, s.id(), d.id());
      return done();
    }
    return Base::mov(d, s);
  }
  WSVM_FA_INLINE Error mov(const Gp& d, const Mem& s) {
    if (ready() && gp_ok(d) && mem_ok(s, d.size())) {
      enc_rm(0, wide(d), false, 0x8B, d.id(), s);
      return done();
    }
    return Base::mov(d, s);
  }
  WSVM_FA_INLINE Error mov(const Mem& d, const Gp& s) {
    if (ready() && gp_ok(s) && mem_ok(d, s.size())) {
      enc_rm(0, wide(s), false, 0x89, s.id(), d);
      return done();
    }
    return Base::mov(d, s);
  }
  WSVM_FA_INLINE Error mov(const Gp& d, const Imm& s) {
    if (ready() && gp_ok(d) && int_imm(s) && mov_imm(d, s.value())) return done();
    return Base::mov(d, s);
  }
  WSVM_FA_INLINE Error lea(const Gp& d, const Mem& s) {
    if (ready() && gp_ok(d) && mem_ok(s, 0xFF)) {
      enc_rm(0, wide(d), false, 0x8D, d.id(), s);
      return done();
    }
    return Base::lea(d, s);
  }
  Error test(const Gp& a, const Gp& b) {
    if (ready() && gp_ok(a) && b.signature() == a.signature() && b.id() < 16) {
      enc_rr(0, wide(a), false, 0x85, b.id(), a.id());
      return done();
    }
    return Base::test(a, b);
  }

#define WSVM_FAST_ALU(NAME, N)                                  \
  Error NAME(const Gp& d, const Gp& s) {                        \
    if (alu_rr(N, d, s)) return done();                         \
    return Base::NAME(d, s);                                    \
  }                                                             \
  Error NAME(const Gp& d, const Mem& s) {                       \
    if (ready() && gp_ok(d) && mem_ok(s, d.size())) {           \
      enc_rm(0, wide(d), false, (N) * 8 + 3, d.id(), s);        \
      return done();                                            \
    }                                                           \
    return Base::NAME(d, s);                                    \
  }                                                             \
  Error NAME(const Gp& d, const Imm& s) {                       \
    if (ready() && gp_ok(d) && int_imm(s) && alu_ri(N, d, s.value())) return done(); \
    return Base::NAME(d, s);                                    \
  }
  WSVM_FAST_ALU(add, 0)
  WSVM_FAST_ALU(or_, 1)
  WSVM_FAST_ALU(and_, 4)
  WSVM_FAST_ALU(sub, 5)
  WSVM_FAST_ALU(xor_, 6)
  WSVM_FAST_ALU(cmp, 7)
#undef WSVM_FAST_ALU

  WSVM_FA_INLINE Error movq(const Xmm& d, const Mem& s) {
    if (ready() && xmm_ok(d) && mem_ok(s, 8)) {
      enc_rm(0xF3, false, true, 0x7E, d.id(), s);
      return done();
    }
    return Base::movq(d, s);
  }
  WSVM_FA_INLINE Error movq(const Mem& d, const Xmm& s) {
    if (ready() && xmm_ok(s) && mem_ok(d, 8)) {
      enc_rm(0x66, false, true, 0xD6, s.id(), d);
      return done();
    }
    return Base::movq(d, s);
  }
  WSVM_FA_INLINE Error movq(const Gp& d, const Xmm& s) {
    if (ready() && xmm_ok(s) && d.signature().bits() == asmjit::x86::Gpq::kSignature && d.id() < 16) {
      enc_rr(0x66, true, true, 0x7E, s.id(), d.id());
      return done();
    }
    return Base::movq(d, s);
  }
  WSVM_FA_INLINE Error movq(const Xmm& d, const Gp& s) {
    if (ready() && xmm_ok(d) && s.signature().bits() == asmjit::x86::Gpq::kSignature && s.id() < 16) {
      enc_rr(0x66, true, true, 0x6E, d.id(), s.id());
      return done();
    }
    return Base::movq(d, s);
  }
#define WSVM_FAST_SSE_MOV(NAME, PREFIX, SIZE)                   \
  Error NAME(const Xmm& d, const Mem& s) {                      \
    if (ready() && xmm_ok(d) && mem_ok(s, SIZE)) {              \
      enc_rm(PREFIX, false, true, 0x10, d.id(), s);             \
      return done();                                            \
    }                                                           \
    return Base::NAME(d, s);                                    \
  }                                                             \
  Error NAME(const Mem& d, const Xmm& s) {                      \
    if (ready() && xmm_ok(s) && mem_ok(d, SIZE)) {              \
      enc_rm(PREFIX, false, true, 0x11, s.id(), d);             \
      return done();                                            \
    }                                                           \
    return Base::NAME(d, s);                                    \
  }
  WSVM_FAST_SSE_MOV(movsd, 0xF2, 8)
  WSVM_FAST_SSE_MOV(movss, 0xF3, 4)
#undef WSVM_FAST_SSE_MOV
  WSVM_FA_INLINE Error movaps(const Xmm& d, const Xmm& s) {
    if (ready() && xmm_ok(d) && xmm_ok(s)) {
      enc_rr(0, false, true, 0x28, d.id(), s.id());
      return done();
    }
    return Base::movaps(d, s);
  }

  // emit(id, d, src) for the compiler's generic two-operand sites (integer binops, shifts
  // by an immediate, scalar float arithmetic) without the virtual _emit and its operand
  // classification; other ids and operands go through emit().
  Error op2(asmjit::InstId id, const Gp& d, const asmjit::Operand_& src) {
    namespace I = asmjit::x86::Inst;
    if (ready() && gp_ok(d)) {
      int n = -1;
      bool shift = false;
      switch (id) {
        case I::kIdAdd: n = 0; break;
        case I::kIdOr: n = 1; break;
        case I::kIdAnd: n = 4; break;
        case I::kIdSub: n = 5; break;
        case I::kIdXor: n = 6; break;
        case I::kIdCmp: n = 7; break;
        case I::kIdShl: n = 4; shift = true; break;
        case I::kIdShr: n = 5; shift = true; break;
        case I::kIdSar: n = 7; shift = true; break;
        case I::kIdRol: n = 0; shift = true; break;
        case I::kIdRor: n = 1; shift = true; break;
        default: break;
      }
      if (n >= 0) {
        const auto u = static_cast<uint32_t>(n);
        if (shift) {
          if (src.isImm() && int_imm(static_cast<const Imm&>(src))) {
            const int64_t v = static_cast<const Imm&>(src).value();
            if (v == 1) {
              enc_rr(0, wide(d), false, 0xD1, u, d.id());
              return done();
            }
            if (v >= 0 && v <= 255) {
              enc_rr(0, wide(d), false, 0xC1, u, d.id());
              put8(static_cast<uint32_t>(v));
              return done();
            }
          }
        } else if (src.signature() == d.signature()) {
          if (src.id() < 16) {
            enc_rr(0, wide(d), false, static_cast<uint8_t>(u * 8 + 1), src.id(), d.id());
            return done();
          }
        } else if (src.isImm()) {
          if (int_imm(static_cast<const Imm&>(src)) && alu_ri(u, d, static_cast<const Imm&>(src).value())) return done();
        } else if (src.isMem() && mem_ok(static_cast<const Mem&>(src), d.size())) {
          enc_rm(0, wide(d), false, static_cast<uint8_t>(u * 8 + 3), d.id(), static_cast<const Mem&>(src));
          return done();
        }
      }
    }
    return _emitI(id, d, src);
  }
  Error op2(asmjit::InstId id, const Xmm& d, const asmjit::Operand_& src) {
    namespace I = asmjit::x86::Inst;
    if (ready() && xmm_ok(d)) {
      uint8_t prefix = 0, op = 0, size = 0;
      switch (id) {
        case I::kIdAddsd: prefix = 0xF2; op = 0x58; size = 8; break;
        case I::kIdMulsd: prefix = 0xF2; op = 0x59; size = 8; break;
        case I::kIdSubsd: prefix = 0xF2; op = 0x5C; size = 8; break;
        case I::kIdDivsd: prefix = 0xF2; op = 0x5E; size = 8; break;
        case I::kIdAddss: prefix = 0xF3; op = 0x58; size = 4; break;
        case I::kIdMulss: prefix = 0xF3; op = 0x59; size = 4; break;
        case I::kIdSubss: prefix = 0xF3; op = 0x5C; size = 4; break;
        case I::kIdDivss: prefix = 0xF3; op = 0x5E; size = 4; break;
        case I::kIdUcomisd: prefix = 0x66; op = 0x2E; size = 8; break;
        case I::kIdUcomiss: prefix = 0; op = 0x2E; size = 4; break;
        default: break;
      }
      if (op != 0) {
        if (src.signature() == d.signature() && src.id() < 16) {
          enc_rr(prefix, false, true, op, d.id(), src.id());
          return done();
        }
        if (src.isMem() && mem_ok(static_cast<const Mem&>(src), size)) {
          enc_rm(prefix, false, true, op, d.id(), static_cast<const Mem&>(src));
          return done();
        }
      }
    }
    return _emitI(id, d, src);
  }

  // ---- the encoder (also used by _emit) ----

  // No options, prefixes, extra register or comment pending, no logger/validation (they
  // set kReserved in the forced options), and room for the longest form.
  bool ready() const {
    return static_cast<uint32_t>(_instOptions | _forcedInstOptions) == 0 && !_extraReg.isReg() &&
           _inlineComment == nullptr && remainingSpace() >= 16;
  }
  static bool gp_ok(const Gp& r) {
    const uint32_t s = r.signature().bits();
    return (s == asmjit::x86::Gpq::kSignature || s == asmjit::x86::Gpd::kSignature) && r.id() < 16;
  }
  static bool xmm_ok(const Xmm& r) {
    return r.signature().bits() == asmjit::x86::Xmm::kSignature && r.id() < 16;
  }
  static bool wide(const Gp& r) { return r.signature().bits() == asmjit::x86::Gpq::kSignature; }
  static bool int_imm(const Imm& i) {
    return i.signature().bits() == asmjit::OperandSignature::fromOpType(asmjit::OperandType::kImm).bits();
  }
  // [base + index*scale + disp] with a 64-bit general base (and index other than rsp), no
  // segment/label/rip/broadcast; its size 0 or `size` (0xFF: any size, for lea).
  WSVM_FA_INLINE static bool mem_ok(const Mem& m, uint32_t size) {
    using S = asmjit::OperandSignature;
    constexpr uint32_t kAllowed = S::kOpTypeMask | S::kMemBaseTypeMask | S::kMemIndexTypeMask |
                                  Mem::kSignatureMemShiftValueMask | S::kSizeMask;
    const uint32_t s = m.signature().bits();
    if ((s & ~kAllowed) != 0 || m.baseType() != asmjit::RegType::kX86_Gpq || m.baseId() >= 16) return false;
    if (m.indexType() != asmjit::RegType::kNone &&
        (m.indexType() != asmjit::RegType::kX86_Gpq || m.indexId() >= 16 || m.indexId() == 4))
      return false;
    const uint32_t ms = m.size();
    return size == 0xFF || ms == 0 || ms == size;
  }

  // [prefix] [REX] [0F] op ModRM(reg, rm register).
  // rex40: a REX prefix even without bits (spl/bpl/sil/dil as byte registers).
  WSVM_FA_INLINE void enc_rr(uint8_t prefix, bool w, bool esc, uint8_t op, uint32_t reg, uint32_t rm, bool rex40 = false) {
    uint8_t* p = _bufferPtr;
    if (prefix) *p++ = prefix;
    const uint32_t rex = (w ? 8u : 0u) | (reg >> 3 & 1u) << 2 | (rm >> 3 & 1u);
    if (rex || rex40) *p++ = static_cast<uint8_t>(0x40 | rex);
    if (esc) *p++ = 0x0F;
    *p++ = op;
    *p++ = static_cast<uint8_t>(0xC0 | (reg & 7) << 3 | (rm & 7));
    _bufferPtr = p;
  }
  // [prefix] [REX] [0F] op ModRM(reg, memory) [SIB] [disp8/32].
  WSVM_FA_INLINE void enc_rm(uint8_t prefix, bool w, bool esc, uint8_t op, uint32_t reg, const Mem& m) {
    uint8_t* p = _bufferPtr;
    if (prefix) *p++ = prefix;
    const uint32_t base = m.baseId();
    const bool has_index = m.indexType() != asmjit::RegType::kNone;
    const uint32_t index = has_index ? m.indexId() : 4u;
    const uint32_t rex = (w ? 8u : 0u) | (reg >> 3 & 1u) << 2 | (index >> 3 & 1u) << 1 | (base >> 3 & 1u);
    if (rex) *p++ = static_cast<uint8_t>(0x40 | rex);
    if (esc) *p++ = 0x0F;
    *p++ = op;
    const int32_t disp = m.offsetLo32();
    const uint32_t mod = (disp == 0 && (base & 7) != 5) ? 0u : (disp >= -128 && disp <= 127) ? 1u : 2u;
    if (has_index || (base & 7) == 4) {
      *p++ = static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | 4);
      *p++ = static_cast<uint8_t>(m.shift() << 6 | (index & 7) << 3 | (base & 7));
    } else {
      *p++ = static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | (base & 7));
    }
    if (mod == 1) {
      *p++ = static_cast<uint8_t>(disp);
    } else if (mod == 2) {
      std::memcpy(p, &disp, 4);
      p += 4;
    }
    _bufferPtr = p;
  }
  void put8(uint32_t v) { *_bufferPtr++ = static_cast<uint8_t>(v); }
  void put32(uint32_t v) {
    std::memcpy(_bufferPtr, &v, 4);
    _bufferPtr += 4;
  }
  // The immediate of a 32-bit operation (asmjit takes int32 and uint32 values) or a 64-bit
  // one (sign-extended int32 only); false when it does not fit.
  static bool imm32_for(bool w, int64_t v, int32_t& out) {
    if (w ? (v < INT32_MIN || v > INT32_MAX) : (v < INT32_MIN || v > int64_t{UINT32_MAX})) return false;
    out = static_cast<int32_t>(static_cast<uint32_t>(v));
    return true;
  }
  bool alu_rr(uint32_t n, const Gp& d, const Gp& s) {
    if (!ready() || !gp_ok(d) || s.signature() != d.signature() || s.id() >= 16) return false;
    enc_rr(0, wide(d), false, static_cast<uint8_t>(n * 8 + 1), s.id(), d.id());
    return true;
  }
  // ALU group /n with an immediate: 83 ib, the accumulator's short form, or 81 id.
  bool alu_ri(uint32_t n, const Gp& d, int64_t value) {
    const bool w = wide(d);
    int32_t v = 0;
    if (!imm32_for(w, value, v)) return false;
    if (v >= -128 && v <= 127) {
      enc_rr(0, w, false, 0x83, n, d.id());
      put8(static_cast<uint32_t>(v));
    } else if (d.id() == 0) {
      if (w) put8(0x48);
      put8(n * 8 + 5);
      put32(static_cast<uint32_t>(v));
    } else {
      enc_rr(0, w, false, 0x81, n, d.id());
      put32(static_cast<uint32_t>(v));
    }
    return true;
  }
  // B8+r id (32-bit), C7 /0 id (64-bit, sign-extended), or REX.W B8+r imm64.
  bool mov_imm(const Gp& d, int64_t value) {
    const uint32_t r = d.id();
    if (!wide(d)) {
      int32_t v = 0;
      if (!imm32_for(false, value, v)) return false;
      if (r >= 8) put8(0x41);
      put8(0xB8 + (r & 7));
      put32(static_cast<uint32_t>(v));
    } else if (value >= INT32_MIN && value <= INT32_MAX) {
      enc_rr(0, true, false, 0xC7, 0, r);
      put32(static_cast<uint32_t>(value));
    } else {
      put8(r >= 8 ? 0x49 : 0x48);
      put8(0xB8 + (r & 7));
      const auto u = static_cast<uint64_t>(value);
      std::memcpy(_bufferPtr, &u, 8);
      _bufferPtr += 8;
    }
    return true;
  }
  // After an instruction written at _bufferPtr: the section's size, as asmjit's own
  // CodeWriter::done() keeps it.
  Error done() {
    const auto size = static_cast<size_t>(_bufferPtr - _bufferData);
    asmjit::CodeBuffer& buf = _section->_buffer;
    if (size > buf._size) buf._size = size;
    ++m_fast;
    return asmjit::kErrorOk;
  }

 private:
  bool jump(asmjit::InstId inst_id, const asmjit::Operand_& target);

  uint64_t m_fast = 0;
  // Per label id: 1 + the offset of the last rel32 field of a forward jump encoded here, 0
  // when none. Each field holds the previous one's link until bind() writes the
  // displacement (the classic assembler's chain through the code itself: no allocation per
  // jump, unlike asmjit's LabelLink per use).
  std::vector<uint32_t> m_chain;
  uint32_t m_pending = 0;
  std::vector<uint32_t> m_local_labels;  // created or reused since the last recycle
  std::vector<uint32_t> m_free_labels;
  std::vector<uint32_t> m_keep_labels;   // of embedLabelDelta since the last recycle
};

}  // namespace wsvm::jit::x64

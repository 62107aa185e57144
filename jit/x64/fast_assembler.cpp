#include "jit/x64/fast_assembler.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace wsvm::jit::x64 {

namespace {

using asmjit::InstId;
using asmjit::Operand_;
using asmjit::OperandSignature;
using asmjit::OperandType;
using asmjit::RegType;
namespace x86 = asmjit::x86;
namespace Inst = asmjit::x86::Inst;

// Operand classes the fast path encodes; anything else (byte/word registers, labels, rip or
// absolute addresses, segments, virtual registers, float immediates) is Other.
enum class K : uint8_t { None, Gpd, Gpq, Gpb, Xmm, Mem, Imm, Other };

constexpr uint32_t kMemAllowed = OperandSignature::kOpTypeMask | OperandSignature::kMemBaseTypeMask |
                                 OperandSignature::kMemIndexTypeMask |
                                 x86::Mem::kSignatureMemShiftValueMask | OperandSignature::kSizeMask;
constexpr uint32_t kMemOp = OperandSignature::fromOpType(OperandType::kMem).bits();
constexpr uint32_t kImmInt = OperandSignature::fromOpType(OperandType::kImm).bits();

K kind(const Operand_& o) {
  const uint32_t s = o.signature().bits();
  if (s == 0) return K::None;
  if (s == x86::Gpq::kSignature) return o.id() < 16 ? K::Gpq : K::Other;
  if (s == x86::Gpd::kSignature) return o.id() < 16 ? K::Gpd : K::Other;
  if (s == x86::Xmm::kSignature) return o.id() < 16 ? K::Xmm : K::Other;
  if (s == x86::GpbLo::kSignature) return o.id() < 16 ? K::Gpb : K::Other;
  if (s == kImmInt) return K::Imm;
  if ((s & OperandSignature::kOpTypeMask) == kMemOp && (s & ~kMemAllowed) == 0) {
    const auto& m = static_cast<const x86::Mem&>(o);
    if (m.baseType() != RegType::kX86_Gpq || m.baseId() >= 16) return K::Other;
    if (m.indexType() == RegType::kNone) return K::Mem;
    if (m.indexType() != RegType::kX86_Gpq || m.indexId() >= 16 || m.indexId() == 4) return K::Other;
    return K::Mem;
  }
  return K::Other;
}

int64_t imm_of(const Operand_& o) { return static_cast<const asmjit::Imm&>(o).value(); }
uint32_t mem_size(const Operand_& o) { return o.signature().size(); }
bool fits_i8(int64_t v) { return v >= -128 && v <= 127; }
bool fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

// The encoders write at the assembler's cursor (FastAssembler::enc_rr/enc_rm).
struct Out {
  FastAssembler& a;
  void u8(uint32_t v) { a.put8(v); }
  void u32(uint32_t v) { a.put32(v); }
};

void encode(Out& out, uint8_t prefix, bool w, bool escaped, uint8_t opcode, uint32_t reg,
            const Operand_& rm, bool rm_mem) {
  if (rm_mem) out.a.enc_rm(prefix, w, escaped, opcode, reg, static_cast<const x86::Mem&>(rm));
  else out.a.enc_rr(prefix, w, escaped, opcode, reg, rm.id());
}

// The immediate of a 32-bit operation (asmjit accepts int32 and uint32 values) or of a
// 64-bit one (sign-extended int32 only); false when it does not fit.
bool imm32_for(bool w, int64_t v, int32_t& out) {
  if (w ? !fits_i32(v) : (v < INT32_MIN || v > int64_t{UINT32_MAX})) return false;
  out = static_cast<int32_t>(static_cast<uint32_t>(v));
  return true;
}

bool gp(K k) { return k == K::Gpd || k == K::Gpq; }

// add/or/adc/sbb/and/sub/xor/cmp: `n` is the ALU group's /digit.
bool encode_alu(Out& out, uint32_t n, const Operand_& o0, K k0, const Operand_& o1, K k1) {
  if (gp(k0) && k1 == k0) {
    encode(out, 0, k0 == K::Gpq, false, static_cast<uint8_t>(n * 8 + 1), o1.id(), o0, false);
    return true;
  }
  if (gp(k0) && k1 == K::Mem) {
    const uint32_t s = mem_size(o1);
    if (s != 0 && s != (k0 == K::Gpq ? 8u : 4u)) return false;
    encode(out, 0, k0 == K::Gpq, false, static_cast<uint8_t>(n * 8 + 3), o0.id(), o1, true);
    return true;
  }
  if (k0 == K::Mem && gp(k1)) {
    const uint32_t s = mem_size(o0);
    if (s != 0 && s != (k1 == K::Gpq ? 8u : 4u)) return false;
    encode(out, 0, k1 == K::Gpq, false, static_cast<uint8_t>(n * 8 + 1), o1.id(), o0, true);
    return true;
  }
  if ((gp(k0) || k0 == K::Mem) && k1 == K::Imm) {
    const bool mem = k0 == K::Mem;
    bool w = k0 == K::Gpq;
    if (mem) {
      const uint32_t s = mem_size(o0);
      if (s != 4 && s != 8) return false;
      w = s == 8;
    }
    int32_t v = 0;
    if (!imm32_for(w, imm_of(o1), v)) return false;
    if (fits_i8(v)) {
      encode(out, 0, w, false, 0x83, n, o0, mem);
      out.u8(static_cast<uint32_t>(v));
    } else if (!mem && o0.id() == 0) {
      if (w) out.u8(0x48);
      out.u8(n * 8 + 5);
      out.u32(static_cast<uint32_t>(v));
    } else {
      encode(out, 0, w, false, 0x81, n, o0, mem);
      out.u32(static_cast<uint32_t>(v));
    }
    return true;
  }
  return false;
}

bool encode_mov(Out& out, const Operand_& o0, K k0, const Operand_& o1, K k1) {
  if (gp(k0) && k1 == k0) {
    encode(out, 0, k0 == K::Gpq, false, 0x89, o1.id(), o0, false);
    return true;
  }
  if (gp(k0) && k1 == K::Mem) {
    const uint32_t s = mem_size(o1);
    if (s != 0 && s != (k0 == K::Gpq ? 8u : 4u)) return false;
    encode(out, 0, k0 == K::Gpq, false, 0x8B, o0.id(), o1, true);
    return true;
  }
  if (k0 == K::Mem && gp(k1)) {
    const uint32_t s = mem_size(o0);
    if (s != 0 && s != (k1 == K::Gpq ? 8u : 4u)) return false;
    encode(out, 0, k1 == K::Gpq, false, 0x89, o1.id(), o0, true);
    return true;
  }
  if (gp(k0) && k1 == K::Imm) {
    const int64_t v = imm_of(o1);
    const uint32_t r = o0.id();
    if (k0 == K::Gpd) {  // (asmjit keeps a 64-bit mov of a uint32 in its 64-bit forms)
      int32_t v32 = 0;
      if (!imm32_for(false, v, v32)) return false;
      if (r >= 8) out.u8(0x41);
      out.u8(0xB8 + (r & 7));
      out.u32(static_cast<uint32_t>(v32));
    } else if (fits_i32(v)) {
      encode(out, 0, true, false, 0xC7, 0, o0, false);
      out.u32(static_cast<uint32_t>(v));
    } else {
      out.u8(r >= 8 ? 0x49 : 0x48);
      out.u8(0xB8 + (r & 7));
      out.u32(static_cast<uint32_t>(v));
      out.u32(static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32));
    }
    return true;
  }
  if (k0 == K::Mem && k1 == K::Imm) {
    const uint32_t s = mem_size(o0);
    if (s != 4 && s != 8) return false;
    int32_t v = 0;
    if (!imm32_for(s == 8, imm_of(o1), v)) return false;
    encode(out, 0, s == 8, false, 0xC7, 0, o0, true);
    out.u32(static_cast<uint32_t>(v));
    return true;
  }
  return false;
}

// Scalar SSE forms: `rm` is the load direction (xmm <- xmm/mem), `mr` the store one
// (mem <- xmm; 0: none), `msize` the memory operand's size.
struct Sse {
  uint8_t prefix;
  uint8_t rm;
  uint8_t mr;
  uint8_t msize;
};

bool sse_form(InstId id, Sse& f) {
  switch (id) {
    case Inst::kIdMovsd: f = {0xF2, 0x10, 0x11, 8}; return true;
    case Inst::kIdMovss: f = {0xF3, 0x10, 0x11, 4}; return true;
    case Inst::kIdMovups: f = {0, 0x10, 0x11, 16}; return true;
    case Inst::kIdMovaps: f = {0, 0x28, 0x29, 16}; return true;
    case Inst::kIdAddsd: f = {0xF2, 0x58, 0, 8}; return true;
    case Inst::kIdMulsd: f = {0xF2, 0x59, 0, 8}; return true;
    case Inst::kIdSubsd: f = {0xF2, 0x5C, 0, 8}; return true;
    case Inst::kIdDivsd: f = {0xF2, 0x5E, 0, 8}; return true;
    case Inst::kIdSqrtsd: f = {0xF2, 0x51, 0, 8}; return true;
    case Inst::kIdAddss: f = {0xF3, 0x58, 0, 4}; return true;
    case Inst::kIdMulss: f = {0xF3, 0x59, 0, 4}; return true;
    case Inst::kIdSubss: f = {0xF3, 0x5C, 0, 4}; return true;
    case Inst::kIdDivss: f = {0xF3, 0x5E, 0, 4}; return true;
    case Inst::kIdSqrtss: f = {0xF3, 0x51, 0, 4}; return true;
    case Inst::kIdUcomisd: f = {0x66, 0x2E, 0, 8}; return true;
    case Inst::kIdUcomiss: f = {0, 0x2E, 0, 4}; return true;
    case Inst::kIdXorps: f = {0, 0x57, 0, 16}; return true;
    case Inst::kIdAndps: f = {0, 0x54, 0, 16}; return true;
    case Inst::kIdOrps: f = {0, 0x56, 0, 16}; return true;
    case Inst::kIdPxor: f = {0x66, 0xEF, 0, 16}; return true;
    default: return false;
  }
}

bool encode_sse(Out& out, const Sse& f, const Operand_& o0, K k0, const Operand_& o1, K k1) {
  if (k0 == K::Xmm && k1 == K::Xmm) {
    encode(out, f.prefix, false, true, f.rm, o0.id(), o1, false);
    return true;
  }
  if (k0 == K::Xmm && k1 == K::Mem) {
    const uint32_t s = mem_size(o1);
    if (s != 0 && s != f.msize) return false;
    encode(out, f.prefix, false, true, f.rm, o0.id(), o1, true);
    return true;
  }
  if (k0 == K::Mem && k1 == K::Xmm && f.mr) {
    const uint32_t s = mem_size(o0);
    if (s != 0 && s != f.msize) return false;
    encode(out, f.prefix, false, true, f.mr, o1.id(), o0, true);
    return true;
  }
  return false;
}

// movq/movd between xmm registers, general registers and memory.
bool encode_movq(Out& out, bool q, const Operand_& o0, K k0, const Operand_& o1, K k1) {
  const K g = q ? K::Gpq : K::Gpd;
  const uint32_t ms = q ? 8 : 4;
  if (k0 == K::Xmm && k1 == g) {
    encode(out, 0x66, q, true, 0x6E, o0.id(), o1, false);
    return true;
  }
  if (k0 == g && k1 == K::Xmm) {
    encode(out, 0x66, q, true, 0x7E, o1.id(), o0, false);
    return true;
  }
  if (k0 == K::Xmm && k1 == K::Mem) {
    const uint32_t s = mem_size(o1);
    if (s != 0 && s != ms) return false;
    if (q) encode(out, 0xF3, false, true, 0x7E, o0.id(), o1, true);
    else encode(out, 0x66, false, true, 0x6E, o0.id(), o1, true);
    return true;
  }
  if (k0 == K::Mem && k1 == K::Xmm) {
    const uint32_t s = mem_size(o0);
    if (s != 0 && s != ms) return false;
    if (q) encode(out, 0x66, false, true, 0xD6, o1.id(), o0, true);
    else encode(out, 0x66, false, true, 0x7E, o1.id(), o0, true);
    return true;
  }
  if (q && k0 == K::Xmm && k1 == K::Xmm) {
    encode(out, 0xF3, false, true, 0x7E, o0.id(), o1, false);
    return true;
  }
  return false;
}

// The condition code of a setcc instruction id, or -1.
int setcc_cond(InstId id) {
  static const auto table = [] {
    std::array<int8_t, Inst::_kIdCount> t{};
    t.fill(-1);
    for (uint32_t cc = 0; cc < 16; ++cc) t[Inst::setccFromCond(static_cast<x86::CondCode>(cc))] = static_cast<int8_t>(cc);
    return t;
  }();
  return id < table.size() ? table[id] : -1;
}

// The condition code of a jcc instruction id, or -1.
int jcc_cond(InstId id) {
  static const auto table = [] {
    std::array<int8_t, Inst::_kIdCount> t{};
    t.fill(-1);
    for (uint32_t cc = 0; cc < 16; ++cc) t[Inst::jccFromCond(static_cast<x86::CondCode>(cc))] = static_cast<int8_t>(cc);
    return t;
  }();
  return id < table.size() ? table[id] : -1;
}

// Shift/rotate group /n: by 1 (D1), by an imm8 (C1 ib) or by cl (D3).
bool encode_shift(Out& out, uint32_t n, const Operand_& o0, K k0, const Operand_& o1, K k1) {
  if (!gp(k0)) return false;
  const bool w = k0 == K::Gpq;
  if (k1 == K::Imm) {
    const int64_t v = imm_of(o1);
    if (v < 0 || v > 255) return false;
    if (v == 1) {
      encode(out, 0, w, false, 0xD1, n, o0, false);
    } else {
      encode(out, 0, w, false, 0xC1, n, o0, false);
      out.u8(static_cast<uint32_t>(v));
    }
    return true;
  }
  if (k1 == K::Gpb && o1.id() == 1) {
    encode(out, 0, w, false, 0xD3, n, o0, false);
    return true;
  }
  return false;
}

// movzx/movsx from a byte register or a byte/word memory operand (op: B6 zx8, BE sx8;
// +1 for the word forms).
bool encode_movx(Out& out, uint8_t op8, const Operand_& o0, K k0, const Operand_& o1, K k1) {
  if (!gp(k0)) return false;
  const bool w = k0 == K::Gpq;
  if (k1 == K::Gpb) {
    const uint32_t r = o1.id();
    out.a.enc_rr(0, w, true, op8, o0.id(), r, r >= 4 && r < 8);
    return true;
  }
  if (k1 == K::Mem) {
    const uint32_t s = mem_size(o1);
    if (s != 1 && s != 2) return false;
    encode(out, 0, w, true, static_cast<uint8_t>(op8 + (s == 2)), o0.id(), o1, true);
    return true;
  }
  return false;
}

bool encode_fast(Out& out, InstId id, const Operand_& o0, const Operand_& o1, const Operand_& o2) {
  const K k0 = kind(o0), k1 = kind(o1);
  if (o2.signature().bits() != 0) {
    const K k2 = kind(o2);
    // imul r, r/m, imm
    if (id != Inst::kIdImul || !gp(k0) || (k1 != k0 && k1 != K::Mem) || k2 != K::Imm) return false;
    if (k1 == K::Mem && mem_size(o1) != 0 && mem_size(o1) != (k0 == K::Gpq ? 8u : 4u)) return false;
    int32_t v = 0;
    if (!imm32_for(k0 == K::Gpq, imm_of(o2), v)) return false;
    // imm8 only when the operand's own value fits (asmjit: 0xFFFFFFFF of a 32-bit imul is
    // an imm32, while -1 is an imm8).
    const bool short_imm = fits_i8(imm_of(o2));
    encode(out, 0, k0 == K::Gpq, false, short_imm ? 0x6B : 0x69, o0.id(), o1, k1 == K::Mem);
    if (short_imm) out.u8(static_cast<uint32_t>(v));
    else out.u32(static_cast<uint32_t>(v));
    return true;
  }
  if (k1 == K::None) {
    // setcc r8
    const int cc = setcc_cond(id);
    if (cc < 0 || k0 != K::Gpb) return false;
    const uint32_t r = o0.id();
    out.a.enc_rr(0, false, true, static_cast<uint8_t>(0x90 + cc), 0, r, r >= 4 && r < 8);
    return true;
  }
  switch (id) {
    case Inst::kIdMov: return encode_mov(out, o0, k0, o1, k1);
    case Inst::kIdAdd: return encode_alu(out, 0, o0, k0, o1, k1);
    case Inst::kIdOr: return encode_alu(out, 1, o0, k0, o1, k1);
    case Inst::kIdAdc: return encode_alu(out, 2, o0, k0, o1, k1);
    case Inst::kIdSbb: return encode_alu(out, 3, o0, k0, o1, k1);
    case Inst::kIdAnd: return encode_alu(out, 4, o0, k0, o1, k1);
    case Inst::kIdSub: return encode_alu(out, 5, o0, k0, o1, k1);
    case Inst::kIdXor: return encode_alu(out, 6, o0, k0, o1, k1);
    case Inst::kIdCmp: return encode_alu(out, 7, o0, k0, o1, k1);
    case Inst::kIdTest:
      if (!gp(k0) || k1 != k0) return false;
      encode(out, 0, k0 == K::Gpq, false, 0x85, o1.id(), o0, false);
      return true;
    case Inst::kIdLea:
      if (!gp(k0) || k1 != K::Mem) return false;
      encode(out, 0, k0 == K::Gpq, false, 0x8D, o0.id(), o1, true);
      return true;
    case Inst::kIdImul:
      if (!gp(k0) || (k1 != k0 && k1 != K::Mem)) return false;
      if (k1 == K::Mem && mem_size(o1) != 0 && mem_size(o1) != (k0 == K::Gpq ? 8u : 4u)) return false;
      encode(out, 0, k0 == K::Gpq, true, 0xAF, o0.id(), o1, k1 == K::Mem);
      return true;
    case Inst::kIdShl: return encode_shift(out, 4, o0, k0, o1, k1);
    case Inst::kIdShr: return encode_shift(out, 5, o0, k0, o1, k1);
    case Inst::kIdSar: return encode_shift(out, 7, o0, k0, o1, k1);
    case Inst::kIdRol: return encode_shift(out, 0, o0, k0, o1, k1);
    case Inst::kIdRor: return encode_shift(out, 1, o0, k0, o1, k1);
    case Inst::kIdMovzx: return encode_movx(out, 0xB6, o0, k0, o1, k1);
    case Inst::kIdMovsx: return encode_movx(out, 0xBE, o0, k0, o1, k1);
    case Inst::kIdMovq: return encode_movq(out, true, o0, k0, o1, k1);
    case Inst::kIdMovd: return encode_movq(out, false, o0, k0, o1, k1);
    default: {
      Sse f{};
      return sse_form(id, f) && encode_sse(out, f, o0, k0, o1, k1);
    }
  }
}

}  // namespace

// jmp/jcc/call to a label of this holder's (only) section: a bound label as asmjit encodes
// it (jmp/jcc rel8 when the displacement fits, else rel32; call rel32), an unbound one as
// rel32 chained for bind().
bool FastAssembler::jump(InstId inst_id, const Operand_& target) {
  int cc = -1;
  if (inst_id != Inst::kIdJmp && inst_id != Inst::kIdCall) {
    cc = jcc_cond(inst_id);
    if (cc < 0) return false;
  }
  const uint32_t label_id = target.id();
  if (!_code->isLabelValid(label_id) || offset() > UINT32_MAX - 16) return false;
  const asmjit::LabelEntry* le = _code->labelEntry(label_id);
  const auto at = static_cast<int64_t>(offset());
  const bool is_call = inst_id == Inst::kIdCall;
  if (le->isBound()) {
    if (!le->isBoundTo(_section)) return false;
    const auto to = static_cast<int64_t>(le->offset());
    const int64_t rel8 = to - (at + 2);
    if (!is_call && rel8 >= -128 && rel8 <= 127) {
      put8(cc < 0 ? 0xEB : 0x70 + static_cast<uint32_t>(cc));
      put8(static_cast<uint32_t>(rel8));
      return true;
    }
    if (cc < 0) {
      put8(is_call ? 0xE8 : 0xE9);
      put32(static_cast<uint32_t>(to - (at + 5)));
    } else {
      put8(0x0F);
      put8(0x80 + static_cast<uint32_t>(cc));
      put32(static_cast<uint32_t>(to - (at + 6)));
    }
    return true;
  }
  if (cc < 0) {
    put8(is_call ? 0xE8 : 0xE9);
  } else {
    put8(0x0F);
    put8(0x80 + static_cast<uint32_t>(cc));
  }
  if (label_id >= m_chain.size()) m_chain.resize(std::max<size_t>(label_id + 1, m_chain.size() * 2), 0);
  const auto field = static_cast<uint32_t>(offset());
  put32(m_chain[label_id]);
  m_chain[label_id] = field + 1;
  ++m_pending;
  return true;
}

asmjit::Error FastAssembler::bind(const asmjit::Label& label) {
  const asmjit::Error err = asmjit::x86::Assembler::bind(label);
  if (err != asmjit::kErrorOk) return err;
  const uint32_t id = label.id();
  if (id >= m_chain.size() || m_chain[id] == 0) return err;
  const auto to = static_cast<int64_t>(_code->labelEntry(id)->offset());
  // Each link is a field written before (bounds-checked all the same: code assembled into
  // a fixed buffer that overflowed may have had bytes patched in the wrong place; that
  // code is thrown away, the walk must only stay inside the buffer and end).
  const size_t written = _section->_buffer.size();
  for (uint32_t link = m_chain[id]; link != 0 && m_pending != 0;) {
    const uint32_t field = link - 1;
    if (size_t{field} + 4 > written) break;
    uint8_t* p = _bufferData + field;
    std::memcpy(&link, p, 4);
    const auto rel = static_cast<int32_t>(to - (static_cast<int64_t>(field) + 4));
    std::memcpy(p, &rel, 4);
    --m_pending;
  }
  m_chain[id] = 0;
  return err;
}

void FastAssembler::recycle_local_labels() {
  std::sort(m_keep_labels.begin(), m_keep_labels.end());
  for (const uint32_t id : m_local_labels) {
    if (std::binary_search(m_keep_labels.begin(), m_keep_labels.end(), id)) continue;
    if (id < m_chain.size() && m_chain[id] != 0) continue;  // (a forward jump pending: a bug)
    asmjit::LabelEntry* le = _code->labelEntry(id);
    if (le == nullptr || le->_links != nullptr) continue;
    le->_section = nullptr;  // unbound again
    le->_offset = 0;
    m_free_labels.push_back(id);
  }
  m_local_labels.clear();
  m_keep_labels.clear();
}

asmjit::Error FastAssembler::_emit(InstId inst_id, const Operand_& o0, const Operand_& o1,
                                   const Operand_& o2, const Operand_* op_ext) {
  // Prefixes/options, a logger or validation, an extra register or comment, more than three
  // operands, or too little room: asmjit's encoder (it grows the buffer and reports errors).
  if (ready() && (op_ext == nullptr || op_ext[0].isNone())) {
    uint8_t* const start = _bufferPtr;
    if (o0.isLabel()) {
      if (o1.signature().bits() == 0 && o2.signature().bits() == 0 && jump(inst_id, o0)) return done();
      _bufferPtr = start;
      return asmjit::x86::Assembler::_emit(inst_id, o0, o1, o2, op_ext);
    }
    Out out{*this};
    if (encode_fast(out, inst_id, o0, o1, o2)) return done();
    _bufferPtr = start;
  }
  return asmjit::x86::Assembler::_emit(inst_id, o0, o1, o2, op_ext);
}

}  // namespace wsvm::jit::x64

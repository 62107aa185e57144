// Loading, storing, flat lifting and lowering of every non-string type (strings live in
// abi_string.cpp). Each function follows its namesake in definitions.py.
#include "component/abi.hpp"

#include <bit>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace wsvm::component {

namespace {

std::unexpected<Trap> fail(std::string msg) { return std::unexpected(abi_trap(std::move(msg))); }

uint64_t load_uint(const uint8_t* p, uint32_t n) {
  uint64_t v = 0;
  for (uint32_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

void store_uint(uint8_t* p, uint64_t v, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i, v >>= 8) p[i] = uint8_t(v);
}

int64_t sign_extend(uint64_t v, uint32_t bits) {
  uint64_t m = uint64_t(1) << (bits - 1);
  v &= bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  return int64_t((v ^ m) - m);
}

uint32_t int_width(VKind k) {
  switch (k) {
    case VKind::S8: case VKind::U8: return 8;
    case VKind::S16: case VKind::U16: return 16;
    case VKind::S32: case VKind::U32: return 32;
    default: return 64;
  }
}
bool is_signed(VKind k) {
  return k == VKind::S8 || k == VKind::S16 || k == VKind::S32 || k == VKind::S64;
}

// canonicalize_nan32/64 when lifting; lowering writes the canonical NaN too
// (definitions.py's deterministic profile).
uint32_t canon_f32_bits(uint32_t bits) {
  float f = std::bit_cast<float>(bits);
  return std::isnan(f) ? kCanonicalNan32 : bits;
}
uint64_t canon_f64_bits(uint64_t bits) {
  double f = std::bit_cast<double>(bits);
  return std::isnan(f) ? kCanonicalNan64 : bits;
}

AbiResult<char32_t> convert_i32_to_char(uint32_t i) {
  if (i >= 0x110000 || (i >= 0xD800 && i <= 0xDFFF)) return fail("invalid `char` bit pattern");
  return char32_t(i);
}

// The value must be of the type's kind: a host handing a mismatching value is a bug the
// call reports instead of writing garbage into the guest.
std::optional<Trap> check_kind(const Val& v, const VType& t) {
  bool ok = v.kind == t.kind || (t.kind == VKind::FixedList && v.kind == VKind::List);
  if (ok) return std::nullopt;
  return abi_trap(fmt::format("value {} does not have type {}", v.to_string(), t.to_string()));
}

// The payload of case `c` of a variant-like value, checked against the case's type.
AbiResult<const Val*> case_value(const Val& v, const VType& t) {
  if (v.disc >= t.case_count())
    return fail(fmt::format("value {} has no case {} in {}", v.to_string(), v.disc, t.to_string()));
  const VType* p = t.case_payload(v.disc);
  if (bool(p) != !v.items.empty())
    return fail(fmt::format("value {} does not match the payload of case {} of {}",
                            v.to_string(), v.disc, t.to_string()));
  return p ? &v.items[0] : nullptr;
}

uint32_t flags_mask(const VType& t) {
  size_t n = t.labels.size();
  return n >= 32 ? 0xffffffffu : (1u << n) - 1;
}

}  // namespace

AbiResult<FlatVal> FlatReader::next() {
  if (m_i >= m_vals.size()) return fail("too few core values for the function's type");
  return m_vals[m_i++];
}

std::span<uint8_t> LiftLowerContext::mem() {
  return m_opts.memory ? m_opts.memory() : std::span<uint8_t>();
}

std::optional<Trap> LiftLowerContext::check_range(uint32_t ptr, uint64_t size, const char* what) {
  if (uint64_t(ptr) + size > mem().size()) {
    std::string_view w = what;
    if (m_fused && w.ends_with(" pointer/length"))
      return abi_trap(fmt::format("{} content out-of-bounds", w.substr(0, w.find(' '))));
    return abi_trap(fmt::format("{} out of bounds of memory", what));
  }
  return std::nullopt;
}

AbiResult<uint32_t> LiftLowerContext::reallocate(uint32_t old, uint32_t old_size, uint32_t align,
                                                 uint32_t new_size) {
  if (!m_opts.realloc) return fail("no realloc function to allocate guest memory");
  if (m_inst) m_inst->may_leave = false;
  auto ptr = m_opts.realloc(old, old_size, align, new_size);
  if (m_inst) m_inst->may_leave = true;
  if (!ptr) return ptr;
  if (*ptr != align_to(*ptr, align))
    return fail(m_fused ? "unaligned pointer" : "realloc return: result not aligned");
  if (uint64_t(*ptr) + new_size > mem().size())
    return fail(m_fused ? fmt::format("{} content out-of-bounds", m_content) : "realloc return: beyond end of memory");
  return ptr;
}

// ---- resources ----------------------------------------------------------------------------

AbiResult<uint32_t> LiftLowerContext::lift_own(uint32_t i, const VType& t) {
  HandleEntry* h = WSVM_TRY(m_inst->handles.get(i));
  if (h->rt != t.resource) return fail(wrong_handle_type(i, t.resource, h->rt));
  if (h->num_lends != 0) return fail("cannot remove owned resource while borrowed");
  if (!h->own) return fail(fmt::format("handle index {} is a borrow, expected an owned handle", i));
  return WSVM_TRY(m_inst->handles.remove(i)).rep;
}

AbiResult<uint32_t> LiftLowerContext::lift_borrow(uint32_t i, const VType& t) {
  HandleEntry* h = WSVM_TRY(m_inst->handles.get(i));
  if (h->rt != t.resource) return fail(wrong_handle_type(i, t.resource, h->rt));
  if (m_scope) {
    ++h->num_lends;
    m_scope->lender_table = &m_inst->handles;
    m_scope->lenders.push_back(i);
  }
  return h->rep;
}

AbiResult<uint32_t> LiftLowerContext::lower_own(uint32_t rep, const VType& t) {
  return m_inst->handles.add(HandleEntry{t.resource, rep, true, 0, nullptr});
}

AbiResult<uint32_t> LiftLowerContext::lower_borrow(uint32_t rep, const VType& t) {
  // A borrow of the instance's own resource is passed as its rep (definitions.py).
  if (t.resource && m_inst == t.resource->impl) return rep;
  uint32_t i = WSVM_TRY(m_inst->handles.add(HandleEntry{t.resource, rep, false, 0, m_scope}));
  if (m_scope) ++m_scope->num_borrows;
  return i;
}

// ---- load / store -------------------------------------------------------------------------

AbiResult<Val> LiftLowerContext::load(uint32_t ptr, const VType& t) {
  auto m = mem();
  if (uint64_t(ptr) + t.size > m.size()) return fail("pointer out of bounds of memory");
  const uint8_t* p = m.data() + ptr;
  Val v;
  v.kind = t.kind;
  switch (t.kind) {
    case VKind::Bool: v.u = p[0] != 0; return v;
    case VKind::S8: case VKind::U8: case VKind::S16: case VKind::U16: case VKind::S32:
    case VKind::U32: case VKind::S64: case VKind::U64: {
      uint32_t w = int_width(t.kind);
      uint64_t raw = load_uint(p, w / 8);
      if (is_signed(t.kind)) v.s = sign_extend(raw, w);
      else v.u = raw;
      return v;
    }
    case VKind::F32: v.u = 0; v.f32 = std::bit_cast<float>(canon_f32_bits(uint32_t(load_uint(p, 4)))); return v;
    case VKind::F64: v.f64 = std::bit_cast<double>(canon_f64_bits(load_uint(p, 8))); return v;
    case VKind::Char: v.u = WSVM_TRY(convert_i32_to_char(uint32_t(load_uint(p, 4)))); return v;
    case VKind::String:
      return load_string_from_range(uint32_t(load_uint(p, 4)), uint32_t(load_uint(p + 4, 4)));
    case VKind::ErrorContext: case VKind::Stream: case VKind::Future:
      return lift_async_value(uint32_t(load_uint(p, 4)), t);
    case VKind::List:
      return load_list_from_range(uint32_t(load_uint(p, 4)), uint32_t(load_uint(p + 4, 4)),
                                  *t.elems[0]);
    case VKind::FixedList: {
      const VType& e = *t.elems[0];
      for (uint32_t i = 0; i < t.length; ++i) v.items.push_back(WSVM_TRY(load(ptr + i * e.size, e)));
      return v;
    }
    case VKind::Record: case VKind::Tuple: {
      uint32_t at = ptr;
      for (const auto& f : t.elems) {
        at = align_to(at, f->align);
        v.items.push_back(WSVM_TRY(load(at, *f)));
        at += f->size;
      }
      return v;
    }
    case VKind::Variant: case VKind::Enum: case VKind::Option: case VKind::Result:
      return load_variant(ptr, t);
    case VKind::Flags: v.disc = uint32_t(load_uint(p, t.size)) & flags_mask(t); return v;
    case VKind::Own: v.u = WSVM_TRY(lift_own(uint32_t(load_uint(p, 4)), t)); return v;
    case VKind::Borrow: v.u = WSVM_TRY(lift_borrow(uint32_t(load_uint(p, 4)), t)); return v;
  }
  return fail("unknown type");
}

AbiResult<Val> LiftLowerContext::load_variant(uint32_t ptr, const VType& t) {
  uint32_t disc_size = t.discriminant_size();
  uint32_t c = uint32_t(load_uint(mem().data() + ptr, disc_size));
  if (c >= t.case_count()) return fail("invalid variant discriminant");
  Val v;
  v.kind = t.kind;
  v.disc = c;
  if (const VType* p = t.case_payload(c)) v.items.push_back(WSVM_TRY(load(ptr + t.payload_offset(), *p)));
  return v;
}

AbiResult<Val> LiftLowerContext::load_list_from_range(uint32_t ptr, uint32_t length,
                                                      const VType& elem) {
  uint64_t bytes = uint64_t(length) * elem.size;
  if (bytes > kMaxListByteLength) return fail("list byte length exceeds 2^28-1");
  if (ptr != align_to(ptr, elem.align)) return fail("unaligned pointer");
  if (auto t = check_range(ptr, bytes, "list pointer/length")) return std::unexpected(*t);
  Val v;
  v.kind = VKind::List;
  if (elem.kind == VKind::U8) {  // packed: one copy
    v.bytes.assign(mem().data() + ptr, mem().data() + ptr + length);
    return v;
  }
  v.items.reserve(length);
  for (uint32_t i = 0; i < length; ++i) v.items.push_back(WSVM_TRY(load(ptr + i * elem.size, elem)));
  return v;
}

std::optional<Trap> LiftLowerContext::store(const Val& v, const VType& t, uint32_t ptr) {
  if (auto k = check_kind(v, t)) return k;
  if (uint64_t(ptr) + t.size > mem().size()) return abi_trap("pointer out of bounds of memory");
  auto put = [&](uint64_t x, uint32_t n) { store_uint(mem().data() + ptr, x, n); };
  switch (t.kind) {
    case VKind::Bool: put(v.u != 0, 1); return std::nullopt;
    case VKind::S8: case VKind::U8: case VKind::S16: case VKind::U16: case VKind::S32:
    case VKind::U32: case VKind::S64: case VKind::U64: put(v.u, t.size); return std::nullopt;
    case VKind::F32: put(canon_f32_bits(std::bit_cast<uint32_t>(v.f32)), 4); return std::nullopt;
    case VKind::F64: put(canon_f64_bits(std::bit_cast<uint64_t>(v.f64)), 8); return std::nullopt;
    case VKind::Char: {
      auto c = convert_i32_to_char(uint32_t(v.u));
      if (!c || v.u > 0xffffffff) return abi_trap("invalid `char` bit pattern");
      put(*c, 4);
      return std::nullopt;
    }
    case VKind::String: {
      auto r = store_string_into_range(v);
      if (!r) return r.error();
      store_uint(mem().data() + ptr, r->first, 4);
      store_uint(mem().data() + ptr + 4, r->second, 4);
      return std::nullopt;
    }
    case VKind::ErrorContext: case VKind::Stream: case VKind::Future: {
      auto i = lower_async_value(v, t);
      if (!i) return i.error();
      store_uint(mem().data() + ptr, *i, 4);
      return std::nullopt;
    }
    case VKind::List: {
      auto r = store_list_into_range(v, *t.elems[0]);
      if (!r) return r.error();
      store_uint(mem().data() + ptr, r->first, 4);
      store_uint(mem().data() + ptr + 4, r->second, 4);
      return std::nullopt;
    }
    case VKind::FixedList: {
      if (v.items.size() != t.length) return check_kind(Val::boolean(false), t);
      const VType& e = *t.elems[0];
      for (uint32_t i = 0; i < t.length; ++i)
        if (auto tr = store(v.items[i], e, ptr + i * e.size)) return tr;
      return std::nullopt;
    }
    case VKind::Record: case VKind::Tuple: {
      if (v.items.size() != t.elems.size()) return check_kind(Val::boolean(false), t);
      uint32_t at = ptr;
      for (size_t i = 0; i < t.elems.size(); ++i) {
        const VType& f = *t.elems[i];
        at = align_to(at, f.align);
        if (auto tr = store(v.items[i], f, at)) return tr;
        at += f.size;
      }
      return std::nullopt;
    }
    case VKind::Variant: case VKind::Enum: case VKind::Option: case VKind::Result:
      return store_variant(v, t, ptr);
    case VKind::Flags: put(v.disc & flags_mask(t), t.size); return std::nullopt;
    case VKind::Own: case VKind::Borrow: {
      auto i = t.kind == VKind::Own ? lower_own(uint32_t(v.u), t) : lower_borrow(uint32_t(v.u), t);
      if (!i) return i.error();
      put(*i, 4);
      return std::nullopt;
    }
  }
  return abi_trap("unknown type");
}

std::optional<Trap> LiftLowerContext::store_variant(const Val& v, const VType& t, uint32_t ptr) {
  auto payload = case_value(v, t);
  if (!payload) return payload.error();
  store_uint(mem().data() + ptr, v.disc, t.discriminant_size());
  if (*payload) return store(**payload, *t.case_payload(v.disc), ptr + t.payload_offset());
  return std::nullopt;
}

AbiResult<std::pair<uint32_t, uint32_t>> LiftLowerContext::store_list_into_range(
    const Val& v, const VType& elem) {
  if (!v.bytes.empty()) {  // a packed list<u8>: one copy
    if (elem.kind != VKind::U8)
      return fail(fmt::format("value {} does not have type list<{}>", v.to_string(), elem.to_string()));
    if (v.bytes.size() > kMaxListByteLength) return fail("list byte length exceeds 2^28-1");
    uint32_t n = uint32_t(v.bytes.size());
    uint32_t ptr = WSVM_TRY(allocate(1, n));
    std::memcpy(mem().data() + ptr, v.bytes.data(), n);
    return std::pair{ptr, n};
  }
  uint64_t bytes = uint64_t(v.items.size()) * elem.size;
  if (bytes > kMaxListByteLength) return fail("list byte length exceeds 2^28-1");
  uint32_t ptr = WSVM_TRY(allocate(elem.align, uint32_t(bytes)));
  for (size_t i = 0; i < v.items.size(); ++i)
    if (auto t = store(v.items[i], elem, ptr + uint32_t(i) * elem.size)) return std::unexpected(*t);
  return std::pair{ptr, uint32_t(v.items.size())};
}

// ---- flat lifting and lowering ------------------------------------------------------------

AbiResult<Val> LiftLowerContext::lift_flat(FlatReader& vi, const VType& t) {
  Val v;
  v.kind = t.kind;
  switch (t.kind) {
    case VKind::Bool: v.u = uint32_t(WSVM_TRY(vi.next())) != 0; return v;
    case VKind::S8: case VKind::U8: case VKind::S16: case VKind::U16: case VKind::S32:
    case VKind::U32: case VKind::S64: case VKind::U64: {
      uint64_t raw = WSVM_TRY(vi.next());
      uint32_t w = int_width(t.kind);
      if (is_signed(t.kind)) v.s = sign_extend(raw, w);
      else v.u = w == 64 ? raw : raw & ((uint64_t(1) << w) - 1);
      return v;
    }
    case VKind::F32:
      v.u = 0;
      v.f32 = std::bit_cast<float>(canon_f32_bits(uint32_t(WSVM_TRY(vi.next()))));
      return v;
    case VKind::F64: v.f64 = std::bit_cast<double>(canon_f64_bits(WSVM_TRY(vi.next()))); return v;
    case VKind::Char: v.u = WSVM_TRY(convert_i32_to_char(uint32_t(WSVM_TRY(vi.next())))); return v;
    case VKind::String: {
      uint32_t ptr = uint32_t(WSVM_TRY(vi.next()));
      uint32_t units = uint32_t(WSVM_TRY(vi.next()));
      return load_string_from_range(ptr, units);
    }
    case VKind::ErrorContext: case VKind::Stream: case VKind::Future:
      return lift_async_value(uint32_t(WSVM_TRY(vi.next())), t);
    case VKind::List: {
      uint32_t ptr = uint32_t(WSVM_TRY(vi.next()));
      uint32_t len = uint32_t(WSVM_TRY(vi.next()));
      return load_list_from_range(ptr, len, *t.elems[0]);
    }
    case VKind::FixedList:
      for (uint32_t i = 0; i < t.length; ++i) v.items.push_back(WSVM_TRY(lift_flat(vi, *t.elems[0])));
      return v;
    case VKind::Record: case VKind::Tuple:
      for (const auto& f : t.elems) v.items.push_back(WSVM_TRY(lift_flat(vi, *f)));
      return v;
    case VKind::Variant: case VKind::Enum: case VKind::Option: case VKind::Result:
      return lift_flat_variant(vi, t);
    case VKind::Flags: v.disc = uint32_t(WSVM_TRY(vi.next())) & flags_mask(t); return v;
    case VKind::Own: v.u = WSVM_TRY(lift_own(uint32_t(WSVM_TRY(vi.next())), t)); return v;
    case VKind::Borrow: v.u = WSVM_TRY(lift_borrow(uint32_t(WSVM_TRY(vi.next())), t)); return v;
  }
  return fail("unknown type");
}

// The payload's flat values sit in the joined slots; in the uniform slot layout a joined
// slot already holds the payload's bits (an f32 in an i32 or i64 slot is its bit pattern,
// an i32 in an i64 slot is zero-extended), so the coercions of definitions.py are the
// truncation each scalar read performs.
AbiResult<Val> LiftLowerContext::lift_flat_variant(FlatReader& vi, const VType& t) {
  uint32_t c = uint32_t(WSVM_TRY(vi.next()));
  if (c >= t.case_count()) return fail("invalid variant discriminant");
  size_t slots = t.flat.size() - 1;
  std::vector<FlatVal> payload;
  for (size_t i = 0; i < slots; ++i) payload.push_back(WSVM_TRY(vi.next()));
  Val v;
  v.kind = t.kind;
  v.disc = c;
  if (const VType* p = t.case_payload(c)) {
    FlatReader sub(payload);
    v.items.push_back(WSVM_TRY(lift_flat(sub, *p)));
  }
  return v;
}

std::optional<Trap> LiftLowerContext::lower_flat(const Val& v, const VType& t,
                                                 std::vector<FlatVal>& out) {
  if (auto k = check_kind(v, t)) return k;
  switch (t.kind) {
    case VKind::Bool: out.push_back(v.u != 0); return std::nullopt;
    case VKind::S8: case VKind::U8: case VKind::S16: case VKind::U16: case VKind::S32:
    case VKind::U32:
      out.push_back(uint32_t(v.u));  // lower_flat_signed: two's complement in 32 bits
      return std::nullopt;
    case VKind::S64: case VKind::U64: out.push_back(v.u); return std::nullopt;
    case VKind::F32: out.push_back(canon_f32_bits(std::bit_cast<uint32_t>(v.f32))); return std::nullopt;
    case VKind::F64: out.push_back(canon_f64_bits(std::bit_cast<uint64_t>(v.f64))); return std::nullopt;
    case VKind::Char:
      if (!convert_i32_to_char(uint32_t(v.u)) || v.u > 0xffffffff) return abi_trap("invalid `char` bit pattern");
      out.push_back(uint32_t(v.u));
      return std::nullopt;
    case VKind::String: {
      auto r = store_string_into_range(v);
      if (!r) return r.error();
      out.push_back(r->first);
      out.push_back(r->second);
      return std::nullopt;
    }
    case VKind::ErrorContext: case VKind::Stream: case VKind::Future: {
      auto i = lower_async_value(v, t);
      if (!i) return i.error();
      out.push_back(*i);
      return std::nullopt;
    }
    case VKind::List: {
      auto r = store_list_into_range(v, *t.elems[0]);
      if (!r) return r.error();
      out.push_back(r->first);
      out.push_back(r->second);
      return std::nullopt;
    }
    case VKind::FixedList:
      if (v.items.size() != t.length) return check_kind(Val::boolean(false), t);
      for (const Val& e : v.items)
        if (auto tr = lower_flat(e, *t.elems[0], out)) return tr;
      return std::nullopt;
    case VKind::Record: case VKind::Tuple:
      if (v.items.size() != t.elems.size()) return check_kind(Val::boolean(false), t);
      for (size_t i = 0; i < t.elems.size(); ++i)
        if (auto tr = lower_flat(v.items[i], *t.elems[i], out)) return tr;
      return std::nullopt;
    case VKind::Variant: case VKind::Enum: case VKind::Option: case VKind::Result:
      return lower_flat_variant(v, t, out);
    case VKind::Flags: out.push_back(v.disc & flags_mask(t)); return std::nullopt;
    case VKind::Own: case VKind::Borrow: {
      auto i = t.kind == VKind::Own ? lower_own(uint32_t(v.u), t) : lower_borrow(uint32_t(v.u), t);
      if (!i) return i.error();
      out.push_back(*i);
      return std::nullopt;
    }
  }
  return abi_trap("unknown type");
}

std::optional<Trap> LiftLowerContext::lower_flat_variant(const Val& v, const VType& t,
                                                         std::vector<FlatVal>& out) {
  auto payload = case_value(v, t);
  if (!payload) return payload.error();
  out.push_back(v.disc);
  size_t start = out.size();
  if (*payload)
    if (auto tr = lower_flat(**payload, *t.case_payload(v.disc), out)) return tr;
  // Unused joined slots are zero.
  out.resize(start + t.flat.size() - 1, 0);
  return std::nullopt;
}

AbiResult<std::vector<Val>> LiftLowerContext::lift_flat_values(size_t max_flat, FlatReader& vi,
                                                               const std::vector<VTypeP>& ts) {
  std::vector<Val> out;
  if (flatten_all(ts).size() > max_flat) {
    uint32_t ptr = uint32_t(WSVM_TRY(vi.next()));
    VTypeP tuple = tuple_of(ts);
    if (ptr != align_to(ptr, tuple->align)) return fail("unaligned pointer");
    if (auto t = check_range(ptr, tuple->size, "pointer")) return std::unexpected(*t);
    Val all = WSVM_TRY(load(ptr, *tuple));
    return std::move(all.items);
  }
  for (const auto& t : ts) out.push_back(WSVM_TRY(lift_flat(vi, *t)));
  return out;
}

AbiResult<std::vector<FlatVal>> LiftLowerContext::lower_flat_values(
    size_t max_flat, const std::vector<Val>& vs, const std::vector<VTypeP>& ts,
    FlatReader* out_param) {
  if (vs.size() != ts.size())
    return fail(fmt::format("{} values given for {} types", vs.size(), ts.size()));
  std::vector<FlatVal> flat;
  if (flatten_all(ts).size() > max_flat) {
    VTypeP tuple = tuple_of(ts);
    uint32_t ptr;
    if (!out_param) {
      ptr = WSVM_TRY(allocate(tuple->align, tuple->size));
      flat.push_back(ptr);
    } else {
      ptr = uint32_t(WSVM_TRY(out_param->next()));
    }
    if (ptr != align_to(ptr, tuple->align)) return fail("unaligned pointer");
    if (auto t = check_range(ptr, tuple->size, "pointer")) return std::unexpected(*t);
    if (auto t = store(Val::tuple(vs), *tuple, ptr)) return std::unexpected(*t);
    return flat;
  }
  for (size_t i = 0; i < vs.size(); ++i)
    if (auto t = lower_flat(vs[i], *ts[i], flat)) return std::unexpected(*t);
  return flat;
}

}  // namespace wsvm::component

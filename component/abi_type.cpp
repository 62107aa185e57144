// Layout and flattening of component value types (see abi_type.hpp).
#include "component/abi_type.hpp"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace wsvm::component {

namespace {

FlatType join(FlatType a, FlatType b) {
  if (a == b) return a;
  if ((a == FlatType::I32 && b == FlatType::F32) || (a == FlatType::F32 && b == FlatType::I32))
    return FlatType::I32;
  return FlatType::I64;
}

void prim_layout(VType& t) {
  switch (t.kind) {
    case VKind::Bool: case VKind::S8: case VKind::U8:
      t.align = t.size = 1; t.flat = {FlatType::I32}; break;
    case VKind::S16: case VKind::U16:
      t.align = t.size = 2; t.flat = {FlatType::I32}; break;
    case VKind::S32: case VKind::U32: case VKind::Char: case VKind::ErrorContext:
    case VKind::Own: case VKind::Borrow: case VKind::Stream: case VKind::Future:
      t.align = t.size = 4; t.flat = {FlatType::I32}; break;
    case VKind::S64: case VKind::U64:
      t.align = t.size = 8; t.flat = {FlatType::I64}; break;
    case VKind::F32: t.align = t.size = 4; t.flat = {FlatType::F32}; break;
    case VKind::F64: t.align = t.size = 8; t.flat = {FlatType::F64}; break;
    case VKind::String:
      t.align = kPtrSize; t.size = 2 * kPtrSize; t.flat = {FlatType::I32, FlatType::I32}; break;
    default: assert(false);
  }
}

void record_layout(VType& t) {
  uint32_t s = 0, a = 1;
  for (const auto& f : t.elems) {
    s = align_to(s, f->align) + f->size;
    a = std::max(a, f->align);
    t.flat.insert(t.flat.end(), f->flat.begin(), f->flat.end());
  }
  t.align = a;
  t.size = align_to(s, a);
}

void variant_layout(VType& t) {
  uint32_t disc = t.discriminant_size();
  uint32_t pa = t.payload_align();
  uint32_t cs = 0;
  std::vector<FlatType> payload;
  for (size_t i = 0; i < t.case_count(); ++i) {
    const VType* p = t.case_payload(i);
    if (!p) continue;
    cs = std::max(cs, p->size);
    for (size_t k = 0; k < p->flat.size(); ++k) {
      if (k < payload.size()) payload[k] = join(payload[k], p->flat[k]);
      else payload.push_back(p->flat[k]);
    }
  }
  t.align = std::max(disc, pa);
  t.size = align_to(align_to(disc, pa) + cs, t.align);
  t.flat = {FlatType::I32};
  t.flat.insert(t.flat.end(), payload.begin(), payload.end());
}

VTypeP finish(VType t) {
  switch (t.kind) {
    case VKind::List:
      t.align = kPtrSize; t.size = 2 * kPtrSize; t.flat = {FlatType::I32, FlatType::I32}; break;
    case VKind::FixedList: {
      const VType& e = *t.elems[0];
      t.align = e.align;
      t.size = e.size * t.length;
      for (uint32_t i = 0; i < t.length; ++i) t.flat.insert(t.flat.end(), e.flat.begin(), e.flat.end());
      break;
    }
    case VKind::Record: case VKind::Tuple: record_layout(t); break;
    case VKind::Variant: case VKind::Enum: case VKind::Option: case VKind::Result:
      variant_layout(t); break;
    case VKind::Flags: {
      size_t n = t.labels.size();
      t.align = t.size = n <= 8 ? 1 : n <= 16 ? 2 : 4;
      t.flat = {FlatType::I32};
      break;
    }
    default: prim_layout(t); break;
  }
  return std::make_shared<const VType>(std::move(t));
}

}  // namespace

size_t VType::case_count() const {
  switch (kind) {
    case VKind::Variant: return elems.size();
    case VKind::Enum: return labels.size();
    case VKind::Option: case VKind::Result: return 2;
    default: return 0;
  }
}

const VType* VType::case_payload(size_t i) const {
  switch (kind) {
    case VKind::Variant: case VKind::Result: return elems[i].get();
    case VKind::Option: return i == 0 ? nullptr : elems[0].get();
    default: return nullptr;
  }
}

uint32_t VType::discriminant_size() const {
  size_t n = case_count();
  return n <= 256 ? 1 : n <= 65536 ? 2 : 4;
}

uint32_t VType::payload_align() const {
  uint32_t a = 1;
  for (size_t i = 0; i < case_count(); ++i)
    if (const VType* p = case_payload(i)) a = std::max(a, p->align);
  return a;
}

uint32_t VType::payload_offset() const { return align_to(discriminant_size(), payload_align()); }

VTypeP t_prim(VKind k) { return finish(VType{.kind = k}); }
VTypeP t_list(VTypeP e) { return finish(VType{.kind = VKind::List, .elems = {std::move(e)}}); }
VTypeP t_fixed_list(VTypeP e, uint32_t n) {
  return finish(VType{.kind = VKind::FixedList, .elems = {std::move(e)}, .length = n});
}
VTypeP t_record(std::vector<std::pair<std::string, VTypeP>> fields) {
  VType t{.kind = VKind::Record};
  for (auto& [l, f] : fields) t.labels.push_back(l), t.elems.push_back(f);
  return finish(std::move(t));
}
VTypeP t_tuple(std::vector<VTypeP> elems) {
  return finish(VType{.kind = VKind::Tuple, .elems = std::move(elems)});
}
VTypeP t_variant(std::vector<std::pair<std::string, VTypeP>> cases) {
  VType t{.kind = VKind::Variant};
  for (auto& [l, p] : cases) t.labels.push_back(l), t.elems.push_back(p);
  return finish(std::move(t));
}
VTypeP t_enum(std::vector<std::string> labels) {
  return finish(VType{.kind = VKind::Enum, .labels = std::move(labels)});
}
VTypeP t_option(VTypeP e) { return finish(VType{.kind = VKind::Option, .elems = {std::move(e)}}); }
VTypeP t_result(VTypeP ok, VTypeP err) {
  return finish(VType{.kind = VKind::Result, .elems = {std::move(ok), std::move(err)}});
}
VTypeP t_flags(std::vector<std::string> labels) {
  return finish(VType{.kind = VKind::Flags, .labels = std::move(labels)});
}
VTypeP t_own(const ResourceTypeInfo* rt) { return finish(VType{.kind = VKind::Own, .resource = rt}); }
VTypeP t_borrow(const ResourceTypeInfo* rt) {
  return finish(VType{.kind = VKind::Borrow, .resource = rt});
}

VTypeP t_stream(VTypeP elem) {
  auto t = std::make_shared<VType>(VType{.kind = VKind::Stream, .elems = {std::move(elem)}});
  prim_layout(*t);
  return t;
}
VTypeP t_future(VTypeP elem) {
  auto t = std::make_shared<VType>(VType{.kind = VKind::Future, .elems = {std::move(elem)}});
  prim_layout(*t);
  return t;
}

std::vector<FlatType> flatten_all(const std::vector<VTypeP>& ts) {
  std::vector<FlatType> out;
  for (const auto& t : ts) out.insert(out.end(), t->flat.begin(), t->flat.end());
  return out;
}

VTypeP tuple_of(const std::vector<VTypeP>& ts) { return t_tuple(ts); }

FlatSignature flatten_functype(const std::vector<VTypeP>& params,
                               const std::vector<VTypeP>& results, FlattenContext context) {
  FlatSignature s;
  s.params = flatten_all(params);
  s.results = flatten_all(results);
  if (s.params.size() > kMaxFlatParams) {
    s.params = {FlatType::I32};
    s.params_spilled = true;
  }
  if (s.results.size() > kMaxFlatResults) {
    s.results_spilled = true;
    if (context == FlattenContext::Lift) {
      s.results = {FlatType::I32};
    } else {
      s.params.push_back(FlatType::I32);
      s.results.clear();
    }
  }
  return s;
}

const char* vkind_name(VKind k) {
  static constexpr const char* kNames[] = {
      "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
      "string", "error-context", "list", "list", "record", "tuple", "variant", "enum",
      "option", "result", "flags", "own", "borrow", "stream", "future"};
  return kNames[size_t(k)];
}

const char* flat_type_name(FlatType t) {
  static constexpr const char* kNames[] = {"i32", "i64", "f32", "f64"};
  return kNames[size_t(t)];
}

std::string VType::to_string() const {
  auto sub = [](const VTypeP& p) { return p ? p->to_string() : std::string("_"); };
  switch (kind) {
    case VKind::List: return "list<" + sub(elems[0]) + ">";
    case VKind::FixedList: return fmt::format("list<{}, {}>", sub(elems[0]), length);
    case VKind::Option: return "option<" + sub(elems[0]) + ">";
    case VKind::Stream: case VKind::Future:
      return elems[0] ? std::string(vkind_name(kind)) + "<" + elems[0]->to_string() + ">" : vkind_name(kind);
    case VKind::Result: return "result<" + sub(elems[0]) + ", " + sub(elems[1]) + ">";
    case VKind::Tuple: {
      std::string s = "tuple<";
      for (size_t i = 0; i < elems.size(); ++i) s += (i ? ", " : "") + sub(elems[i]);
      return s + ">";
    }
    case VKind::Record: case VKind::Variant: {
      std::string s = std::string(vkind_name(kind)) + " {";
      for (size_t i = 0; i < labels.size(); ++i)
        s += (i ? ", " : " ") + labels[i] + (elems[i] ? ": " + elems[i]->to_string() : "");
      return s + " }";
    }
    case VKind::Enum: case VKind::Flags: {
      std::string s = std::string(vkind_name(kind)) + " {";
      for (size_t i = 0; i < labels.size(); ++i) s += (i ? ", " : " ") + labels[i];
      return s + " }";
    }
    default: return vkind_name(kind);
  }
}

}  // namespace wsvm::component

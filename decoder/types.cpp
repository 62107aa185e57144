#include "decoder/types.hpp"

#include <fmt/format.h>

#include <utility>

namespace wsvm {

namespace {

const char* heap_name(HeapType h) {
  switch (h) {
    case HeapType::Func: return "func";
    case HeapType::Extern: return "extern";
    case HeapType::Exn: return "exn";
    case HeapType::NoFunc: return "nofunc";
    case HeapType::NoExtern: return "noextern";
    case HeapType::NoExn: return "noexn";
    case HeapType::Bot: return "bot";
    case HeapType::Index:
    case HeapType::NotRef: break;
  }
  return "?";
}

// The abstract heap type at the top of h's hierarchy.
HeapType top_of(HeapType h) {
  switch (h) {
    case HeapType::Extern:
    case HeapType::NoExtern: return HeapType::Extern;
    case HeapType::Exn:
    case HeapType::NoExn: return HeapType::Exn;
    default: return HeapType::Func;
  }
}

bool is_bottom_heap(HeapType h) {
  return h == HeapType::NoFunc || h == HeapType::NoExtern || h == HeapType::NoExn;
}

// Pairs of type indices assumed equivalent while their definitions are compared, so a type
// that refers to itself ((type $t (func (param (ref $t))))) terminates.
using Assumed = std::vector<std::pair<uint32_t, uint32_t>>;

bool equivalent(uint32_t a, const TypeContext& ac, uint32_t b, const TypeContext& bc,
                Assumed& assumed);

bool same_valtype(ValType x, const TypeContext& xc, ValType y, const TypeContext& yc,
                  Assumed& assumed) {
  if (x.heap() != HeapType::Index || y.heap() != HeapType::Index) return x == y;
  if (x.nullable() != y.nullable()) return false;
  return equivalent(x.type_index(), xc, y.type_index(), yc, assumed);
}

bool equivalent(uint32_t a, const TypeContext& ac, uint32_t b, const TypeContext& bc,
                Assumed& assumed) {
  if (a >= ac.types.size() || b >= bc.types.size()) return false;
  if (a == b && ac.types.data() == bc.types.data()) return true;
  for (const auto& p : assumed)
    if (p.first == a && p.second == b) return true;
  const FuncType& fa = ac.types[a];
  const FuncType& fb = bc.types[b];
  if (fa.params.size() != fb.params.size() || fa.results.size() != fb.results.size())
    return false;
  assumed.emplace_back(a, b);
  bool same = true;
  for (size_t i = 0; same && i < fa.params.size(); ++i)
    same = same_valtype(fa.params[i], ac, fb.params[i], bc, assumed);
  for (size_t i = 0; same && i < fa.results.size(); ++i)
    same = same_valtype(fa.results[i], ac, fb.results[i], bc, assumed);
  assumed.pop_back();
  return same;
}

void append_key(const FuncType& t, const TypeContext& ctx, std::vector<uint32_t>& open,
                std::string& key);

void append_valtype_key(ValType v, const TypeContext& ctx, std::vector<uint32_t>& open,
                        std::string& key) {
  key.push_back(static_cast<char>(v.kind()));
  if (!v.is_ref()) return;
  key.push_back(static_cast<char>(v.heap()));
  key.push_back(v.nullable() ? 'n' : 'r');
  if (v.heap() != HeapType::Index) return;
  const uint32_t idx = v.type_index();
  for (size_t d = open.size(); d-- > 0;)
    if (open[d] == idx) {  // a reference back to a type being spelled out
      key += fmt::format("#{};", open.size() - d);
      return;
    }
  if (idx >= ctx.types.size()) {  // not validated: keep it distinct, never equal to another
    key += fmt::format("?{};", idx);
    return;
  }
  open.push_back(idx);
  key.push_back('(');
  append_key(ctx.types[idx], ctx, open, key);
  key.push_back(')');
  open.pop_back();
}

void append_key(const FuncType& t, const TypeContext& ctx, std::vector<uint32_t>& open,
                std::string& key) {
  for (ValType v : t.params) append_valtype_key(v, ctx, open, key);
  key.push_back('\0');  // never a kind byte, so params and results cannot run together
  for (ValType v : t.results) append_valtype_key(v, ctx, open, key);
}

}  // namespace

std::string canonical_key(const FuncType& t, const TypeContext& ctx) {
  std::string key;
  key.reserve(t.params.size() + t.results.size() + 1);
  std::vector<uint32_t> open;
  append_key(t, ctx, open, key);
  return key;
}

std::string valtype_name(ValType t) {
  switch (t.kind()) {
    case ValKind::I32: return "i32";
    case ValKind::I64: return "i64";
    case ValKind::F32: return "f32";
    case ValKind::F64: return "f64";
    case ValKind::V128: return "v128";
    case ValKind::Bottom:
      if (!t.is_ref()) return "<unknown>";
      break;
    default: break;
  }
  if (t.nullable() && t.heap() == HeapType::Func) return "funcref";
  if (t.nullable() && t.heap() == HeapType::Extern) return "externref";
  if (t.nullable() && t.heap() == HeapType::Exn) return "exnref";
  const std::string heap = t.heap() == HeapType::Index ? std::to_string(t.type_index())
                                                       : std::string(heap_name(t.heap()));
  return fmt::format("(ref {}{})", t.nullable() ? "null " : "", heap);
}

const char* extern_kind_name(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "<bad kind>";
}

std::string FuncType::to_string() const {
  auto list = [](const std::vector<ValType>& ts) {
    std::string s;
    for (ValType t : ts) {
      if (!s.empty()) s += ' ';
      s += valtype_name(t);
    }
    return s;
  };
  return fmt::format("[{}] -> [{}]", list(params), list(results));
}

bool types_equivalent(uint32_t a, const TypeContext& actx, uint32_t b, const TypeContext& bctx) {
  Assumed assumed;
  return equivalent(a, actx, b, bctx, assumed);
}

bool heap_matches(HeapType sub, uint32_t sub_index, const TypeContext& sub_ctx, HeapType super,
                  uint32_t super_index, const TypeContext& super_ctx) {
  if (sub == HeapType::Bot) return true;
  if (sub == HeapType::Index && super == HeapType::Index)
    return types_equivalent(sub_index, sub_ctx, super_index, super_ctx);
  if (top_of(sub) != top_of(super)) return false;
  if (sub == super) return true;
  if (is_bottom_heap(sub)) return true;  // nofunc <: $t and func; noextern <: extern ...
  // $t <: func (every defined type is a function type until GC).
  return sub == HeapType::Index && super == HeapType::Func;
}

bool matches(ValType sub, const TypeContext& sub_ctx, ValType super, const TypeContext& super_ctx) {
  if (sub.kind() == ValKind::Bottom && !sub.is_ref()) return true;  // unknown operand
  if (!sub.is_ref() || !super.is_ref()) return sub == super;
  if (sub.nullable() && !super.nullable()) return false;
  return heap_matches(sub.heap(), sub.type_index(), sub_ctx, super.heap(), super.type_index(),
                      super_ctx);
}

}  // namespace wsvm

// Canonical option requirements (see canon_validate.hpp).
#include "component/canon_validate.hpp"

namespace wsvm::component {

bool contains_list_or_string(const VType& t) {
  if (t.kind == VKind::List || t.kind == VKind::String) return true;
  // A stream's or future's payload is copied by stream/future.read and .write, with their
  // own options, never by this lift or lower.
  if (t.kind == VKind::Stream || t.kind == VKind::Future) return false;
  for (const auto& e : t.elems)
    if (e && contains_list_or_string(*e)) return true;
  return false;
}

std::optional<std::string> check_canon_options(const FuncSig& sig, const CanonOptions& opts,
                                               bool lift) {
  if (opts.realloc && !opts.memory) return "canonical option 'realloc' requires 'memory'";
  if (opts.post_return && !lift) return "canonical option 'post-return' is only allowed on lift";
  auto any = [](const std::vector<VTypeP>& ts) {
    for (const auto& t : ts)
      if (contains_list_or_string(*t)) return true;
    return false;
  };
  // The spec's lift(T) needs realloc (values are written into the guest) and lower(T) needs
  // memory (values are read from it): canon lift applies lift to its parameters and lower to
  // its result, canon lower the other way round.
  bool params_need = any(sig.params), results_need = any(sig.results);
  const char* what = lift ? "canon lift" : "canon lower";
  if (lift) {
    if (params_need && !opts.realloc) return std::string(what) + ": a list or string parameter requires 'realloc'";
    if (results_need && !opts.memory) return std::string(what) + ": a list or string result requires 'memory'";
    if (flatten_all(sig.params).size() > kMaxFlatParams && !opts.realloc)
      return std::string(what) + ": more than 16 flat parameters require 'realloc'";
    if (flatten_all(sig.results).size() > kMaxFlatResults && !opts.memory)
      return std::string(what) + ": a result spilled to memory requires 'memory'";
  } else {
    if (params_need && !opts.memory) return std::string(what) + ": a list or string parameter requires 'memory'";
    if (results_need && !opts.realloc) return std::string(what) + ": a list or string result requires 'realloc'";
    if (flatten_all(sig.params).size() > kMaxFlatParams && !opts.memory)
      return std::string(what) + ": more than 16 flat parameters require 'memory'";
    if (flatten_all(sig.results).size() > kMaxFlatResults && !opts.memory)
      return std::string(what) + ": a result spilled to memory requires 'memory'";
  }
  return std::nullopt;
}

}  // namespace wsvm::component

// Which canonical options a lift or lower requires (CanonicalABI.md "canonopt Validation").
#include <catch2/catch.hpp>

#include "component/canon_validate.hpp"

using namespace wsvm::component;

namespace {

FuncSig sig(std::vector<VTypeP> params, std::vector<VTypeP> results) {
  FuncSig s;
  s.params = std::move(params);
  s.results = std::move(results);
  s.param_names.resize(s.params.size(), "p");
  return s;
}

CanonOptions opts(bool memory, bool realloc, bool post_return = false) {
  CanonOptions o;
  if (memory) o.memory = 0;
  if (realloc) o.realloc = 1;
  if (post_return) o.post_return = 2;
  return o;
}

}  // namespace

TEST_CASE("lists and strings are found at any depth") {
  CHECK(contains_list_or_string(*t_prim(VKind::String)));
  CHECK(contains_list_or_string(*t_option(t_record({{"a", t_list(t_prim(VKind::U8))}}))));
  CHECK(contains_list_or_string(*t_result(nullptr, t_prim(VKind::String))));
  CHECK_FALSE(contains_list_or_string(*t_variant({{"a", nullptr}, {"b", t_prim(VKind::F64)}})));
  CHECK_FALSE(contains_list_or_string(*t_fixed_list(t_prim(VKind::U32), 4)));
}

TEST_CASE("lift: realloc for list/string params, memory for such results and spills") {
  auto str = t_prim(VKind::String), u32 = t_prim(VKind::U32);
  CHECK_FALSE(check_canon_options(sig({u32, u32}, {u32}), opts(false, false), true));
  CHECK(*check_canon_options(sig({str}, {}), opts(true, false), true) ==
        "canon lift: a list or string parameter requires 'realloc'");
  CHECK_FALSE(check_canon_options(sig({str}, {}), opts(true, true), true));
  CHECK(*check_canon_options(sig({}, {str}), opts(false, false), true) ==
        "canon lift: a list or string result requires 'memory'");
  CHECK_FALSE(check_canon_options(sig({}, {str}), opts(true, false, true), true));
  CHECK(*check_canon_options(sig(std::vector<VTypeP>(17, u32), {}), opts(true, false), true) ==
        "canon lift: more than 16 flat parameters require 'realloc'");
  CHECK(*check_canon_options(sig({}, {t_tuple({u32, u32})}), opts(false, false), true) ==
        "canon lift: a result spilled to memory requires 'memory'");
  CHECK(*check_canon_options(sig({}, {}), opts(false, true), true) ==
        "canonical option 'realloc' requires 'memory'");
}

TEST_CASE("lower: memory for list/string params and spills, realloc for such results") {
  auto str = t_prim(VKind::String), u32 = t_prim(VKind::U32);
  CHECK(*check_canon_options(sig({str}, {}), opts(false, false), false) ==
        "canon lower: a list or string parameter requires 'memory'");
  CHECK_FALSE(check_canon_options(sig({str}, {}), opts(true, false), false));
  CHECK(*check_canon_options(sig({}, {t_list(u32)}), opts(true, false), false) ==
        "canon lower: a list or string result requires 'realloc'");
  CHECK(*check_canon_options(sig(std::vector<VTypeP>(17, u32), {}), opts(false, false), false) ==
        "canon lower: more than 16 flat parameters require 'memory'");
  CHECK(*check_canon_options(sig({u32}, {t_tuple({u32, u32})}), opts(false, false), false) ==
        "canon lower: a result spilled to memory requires 'memory'");
  CHECK(*check_canon_options(sig({}, {}), opts(true, false, true), false) ==
        "canonical option 'post-return' is only allowed on lift");
}

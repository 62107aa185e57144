// Import/export names: the label and interface-name grammar, versions and their canonical
// split, strong uniqueness, semver matching, and validate_names over decoded components.
#include <catch2/catch.hpp>

#include <set>

#include "component/extern_name.hpp"
#include "component/validate_names.hpp"
#include "test_util.hpp"

using namespace wsvm::component;
using wsvm::ErrorKind;

TEST_CASE("labels are kebab case") {
  for (const char* ok : {"a", "a-b-c", "a1-2-3", "A", "A-B-C", "A1-2-3", "a11-w0rds",
                         "A11-4CR0NYMS", "m1x3d-4CR0NYMS", "get-JSON"})
    CHECK(is_label(ok));
  for (const char* bad : {"", "1-2-3", "-a", "a-", "a--b", "aB", "a_b", "a.b", "é"})
    CHECK_FALSE(is_label(bad));
}

TEST_CASE("extern names: plain, annotated and interface names") {
  auto p = parse_extern_name("[method]my-res.do-it");
  REQUIRE(p);
  CHECK(p->kind == ParsedName::Kind::Method);
  CHECK(p->resource == "my-res");
  CHECK(p->label == "do-it");
  p = parse_extern_name("[constructor]R");
  REQUIRE(p);
  CHECK(p->kind == ParsedName::Kind::Constructor);
  p = parse_extern_name("wasi:cli/environment@0.2.3");
  REQUIRE(p);
  CHECK(p->kind == ParsedName::Kind::Interface);
  CHECK(p->ns == "wasi");
  CHECK(p->package == "cli");
  CHECK(p->interface == "environment");
  CHECK(p->version == "0.2.3");
  CHECK(interface_without_version(*p) == "wasi:cli/environment");
  CHECK(parse_extern_name("wasi:http/types@0.2")->version == "0.2");  // canonical form
  CHECK(parse_extern_name("a:b/c@1.0.0-rc.1+build.5"));
  for (const char* bad : {"wasi:cli", "wasi:cli/", "Wasi:cli/env", "wasi:cli/env@0.2",
                          "wasi:cli/env@01.2.3", "wasi:cli/env@1.2", "[method]r", "[foo]x",
                          "x y", "wasi:cli/env@1.0.0-01"}) {
    if (std::string_view(bad) == "wasi:cli/env@0.2") continue;  // canonversion: valid
    auto r = parse_extern_name(bad, 7);
    INFO(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Invalid);
    CHECK(r.error().offset == 7);
  }
}

TEST_CASE("canonical versions split as Explainer.md says") {
  auto split = [](const char* v) { return canonicalize(*parse_semver(v)); };
  CHECK(split("1.2.3").canon == "1");
  CHECK(split("1.2.3").suffix == ".2.3");
  CHECK(split("0.2.6-rc.1").canon == "0.2");
  CHECK(split("0.2.6-rc.1").suffix == ".6-rc.1");
  CHECK(split("0.0.1-alpha").canon == "0.0.1");
  CHECK(split("0.0.1-alpha").suffix == "-alpha");
}

TEST_CASE("semver matching of imports to host versions") {
  auto v = [](const char* s) { return *parse_semver(s); };
  CHECK(semver_compatible(v("0.2.3"), v("0.2.12")));
  CHECK(semver_compatible(v("0.2.12"), v("0.2.3")));
  CHECK(semver_compatible(v("1.0.0"), v("1.4.2")));
  CHECK_FALSE(semver_compatible(v("0.2.3"), v("0.3.0")));
  CHECK_FALSE(semver_compatible(v("1.0.0"), v("2.0.0")));
  CHECK_FALSE(semver_compatible(v("0.0.1"), v("0.0.2")));
  CHECK_FALSE(semver_compatible(v("0.2.0-rc.1"), v("0.2.0")));
  CHECK(semver_compatible(v("0.2.0-rc.1"), v("0.2.0-rc.1")));
}

TEST_CASE("strong uniqueness as Explainer.md's examples") {
  std::vector<std::string> ok = {"foo", "foo-bar", "[constructor]foo", "[method]foo.bar",
                                 "[static]foo.baz", "foo:bar/baz"};
  std::set<std::string> keys;
  for (auto& n : ok) CHECK(keys.insert(uniqueness_key(n)).second);
  for (const char* clash : {"foo", "FOO", "foo-BAR", "[constructor]FOO", "[method]foo.BAR",
                            "[static]foo.bar", "[method]foo.baz", "[method]foo.foo",
                            "[static]foo-BAR.FOO-bar", "foo:bar/BAZ"}) {
    INFO(clash);
    CHECK(keys.count(uniqueness_key(clash)) == 1);
  }
}

TEST_CASE("validate_names over a decoded component") {
  // Two func imports named "f" and "F": not strongly unique.
  auto c = decode_component(test::component_hex("0a 0b 02 00 01 66 01 00 00 01 46 01 00"));
  REQUIRE(c);
  auto r = validate_names(**c);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "import name 'F' conflicts with a previous name");
  CHECK(r.error().offset == 8 + 2 + 1 + 5 + 1);
  // A name that is not a label.
  c = decode_component(test::component_hex("0a 06 01 00 01 5f 01 00"));
  REQUIRE(c);
  r = validate_names(**c);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "invalid name '_': not a kebab-case label");
  // (import "x:y/z@0.2" (versionsuffix ".6") (instance (type 0))): the suffix completes
  // the canonical version.
  c = decode_component(test::component_hex("0a 13 01 02 09 78 3a 79 2f 7a 40 30 2e 32 01 01 02 2e 36 05 00"));
  REQUIRE(c);
  CHECK(validate_names(**c));
  // The same suffix after a full version is refused.
  c = decode_component(test::component_hex("0a 15 01 02 0b 78 3a 79 2f 7a 40 30 2e 32 2e 31 01 01 02 2e 36 05 00"));
  REQUIRE(c);
  r = validate_names(**c);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("version suffix '.6'"));
}

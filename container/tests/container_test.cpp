// Unit tests of container/: digests, references, the manifest parser on hostile text (never
// a crash, always one line naming file:line:column), OCI artifact manifests, registry
// references, and serve's address parser (serve/ has no tests folder of its own).
#include <catch2/catch.hpp>

#include <random>

#include "container/checksum.hpp"
#include "container/manifest.hpp"
#include "container/oci_layout.hpp"
#include "container/oci_registry.hpp"
#include "container/registry_auth.hpp"

using namespace wsvm::container;

namespace {

// Plain parsers (the CLI's own are tested in tests/container with the command).
ValueParsers test_parsers() {
  return {.size = [](std::string_view s) -> std::expected<uint64_t, std::string> {
            if (s == "1MiB") return uint64_t{1} << 20;
            return std::unexpected("'" + std::string(s) + "' is not a size");
          },
          .duration = [](std::string_view s) -> std::expected<std::chrono::microseconds, std::string> {
            if (s == "1s") return std::chrono::seconds(1);
            return std::unexpected("'" + std::string(s) + "' is not a duration");
          }};
}

std::span<const uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

const char* kGood = R"([container]
name = "t"
[image]
source = "app.wasm"
checksum = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
args = ["a"]
[resources]
max_memory = "1MiB"
max_cpu_time = "1s"
fuel = 5
[permissions]
env = ["A"]
fs = [{ path = "d", access = "rw" }]
network = { inbound = ["127.0.0.1:80"], outbound = ["x"] }
[env]
A = "1"
B = "2"
[mount]
d = "/data"
[http]
addr = "127.0.0.1:0"
[scaling]
max_instances = 4
)";

}  // namespace

TEST_CASE("sha256 digests: known vectors and verification") {
  CHECK(sha256_of(bytes("")) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_of(bytes("abc")) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(verify_digest(bytes("abc"), sha256_of(bytes("abc"))).has_value());
  auto bad = verify_digest(bytes("abd"), sha256_of(bytes("abc")));
  REQUIRE(!bad);
  CHECK(bad.error().starts_with("checksum mismatch: expected sha256:ba78"));
  CHECK(!verify_digest(bytes("abc"), "md5:900150983cd24fb0d6963f7d28e17f72"));
  CHECK(valid_digest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(!valid_digest("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
  CHECK(!valid_digest("sha256:../../../../etc/passwd"));
  CHECK(!valid_digest("sha256:"));
}

TEST_CASE("a complete manifest parses into its fields") {
  auto m = parse_manifest(kGood, "dir/app.toml", test_parsers());
  REQUIRE(m.has_value());
  CHECK(m->name == "t");
  CHECK(m->source_path() == "dir/app.wasm");
  CHECK(m->max_memory_bytes == uint64_t{1} << 20);
  CHECK(m->max_cpu_time == std::chrono::seconds(1));
  CHECK(m->fuel == 5u);
  REQUIRE(m->fs.size() == 1);
  CHECK(m->fs[0].guest == "/data");
  CHECK(!m->fs[0].read_only);
  CHECK(m->host_path(m->fs[0]) == "dir/d");
  CHECK(m->granted_env() == std::vector<std::string>{"A=1"});
  CHECK(m->denied_env() == std::vector<std::string>{"B"});
  CHECK(m->http_addr == "127.0.0.1:0");
  CHECK(m->max_instances == 4u);
}

TEST_CASE("manifest errors name file, line, column and field") {
  auto m = parse_manifest("[image]\nsource = 'a'\n[resources]\nmax_memory = '2MB'\n", "x.toml", test_parsers());
  REQUIRE(!m);
  CHECK(m.error() == "x.toml:4:14: resources.max_memory: '2MB' is not a size");
  m = parse_manifest("[image]\nsource = 'a'\n[resources]\nmax_cpu_time = 'later'\n", "x.toml", test_parsers());
  REQUIRE(!m);
  CHECK(m.error() == "x.toml:4:16: resources.max_cpu_time: 'later' is not a duration");
}

TEST_CASE("hostile manifest text: one line, never a crash") {
  std::mt19937 rng(19);
  std::string good = kGood;
  for (int i = 0; i < 3000; ++i) {
    std::string text = good;
    // Mutations of a valid manifest: byte flips, truncation, insertions of TOML punctuation.
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % (text.size() + 1);
      switch (rng() % 4) {
        case 0: if (at < text.size()) text[at] = static_cast<char>(rng()); break;
        case 1: text.resize(at); break;
        case 2: text.insert(at, 1, "[]{}=\"'\n,#\\"[rng() % 12]); break;
        case 3: text.insert(at, std::string(1 + rng() % 8, static_cast<char>(rng()))); break;
      }
    }
    auto m = parse_manifest(text, "fuzz.toml", test_parsers());
    if (!m) {
      INFO(m.error());
      CHECK(m.error().starts_with("fuzz.toml:"));
      CHECK(m.error().find('\n') == std::string::npos);
      for (char ch : m.error()) CHECK(static_cast<unsigned char>(ch) >= 0x20);
    }
  }
  // toml++ 3.3.0 asserted on a table header that does not start with a key (manifest.cpp).
  for (const char* text : {"[=\n", "[ =\n", "[[=\n", "[\x01]\n", "[[ ]]\n"}) {
    auto m = parse_manifest(text, "h.toml", test_parsers());
    REQUIRE(!m);
    CHECK(m.error().starts_with("h.toml:1:"));
  }
  // Deep nesting and a huge key are refused or parsed, not a stack overflow.
  CHECK(!parse_manifest(std::string(100000, '['), "deep.toml", test_parsers()));
  CHECK(!parse_manifest("a = " + std::string(50000, '[') + std::string(50000, ']'), "deep.toml", test_parsers()));
}

TEST_CASE("OCI references and artifact manifests") {
  auto r = parse_oci_ref("oci:dir/sub:v1");
  REQUIRE(r);
  CHECK(r->dir == "dir/sub");
  CHECK(r->tag == "v1");
  r = parse_oci_ref("oci:./a:b/c");  // a ':' before the last '/' is part of the folder
  REQUIRE(r);
  CHECK(r->dir == "./a:b/c");
  CHECK(!r->tag);
  CHECK(!parse_oci_ref("app.wasm"));

  WasmImage img = make_wasm_image({0, 'a', 's', 'm', 1, 0, 0, 0});
  auto descs = parse_wasm_manifest(std::string_view(reinterpret_cast<const char*>(img.manifest.data()), img.manifest.size()));
  REQUIRE(descs);
  CHECK(descs->first.digest == sha256_of(img.config));
  CHECK(descs->second.digest == sha256_of(img.wasm));
  CHECK(descs->second.media_type == kWasmLayerType);
  CHECK(!parse_wasm_manifest("{"));
  CHECK(!parse_wasm_manifest("[]"));
  CHECK(!parse_wasm_manifest(R"({"config": {"mediaType": "application/vnd.wasm.config.v0+json", "digest": "sha256:x", "size": 1}})"));
  CHECK(!parse_wasm_manifest(R"({"config": {"mediaType": "application/vnd.wasm.config.v0+json", "digest": 5, "size": -1}, "layers": 3})"));
}

TEST_CASE("registry references follow the distribution grammar") {
  auto r = parse_registry_ref("127.0.0.1:5000/apps/hello:v1");
  REQUIRE(r);
  CHECK(r->registry == "127.0.0.1:5000");
  CHECK(r->repository == "apps/hello");
  CHECK(r->tag == "v1");
  CHECK(r->base_url() == "http://127.0.0.1:5000");
  r = parse_registry_ref("registry.example/app");
  REQUIRE(r);
  CHECK(r->tag == "latest");
  CHECK(r->base_url() == "https://registry.example");
  for (const char* bad : {"noslash", "/app", "h/", "h/App", "h/a/../b", "h/a//b", "h/a:t t", "h/a?x", "h/a#f", "h@x/a"})
    CHECK(!parse_registry_ref(bad));
}

TEST_CASE("registry_auth: WWW-Authenticate challenges") {
  auto c = parse_challenge(R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push")");
  REQUIRE(c);
  CHECK(c->scheme == "bearer");
  CHECK(c->params.at("realm") == "https://auth.example/token");
  CHECK(c->params.at("service") == "registry.example");
  CHECK(c->params.at("scope") == "repository:a/b:pull,push");  // the comma inside the quotes stays
  auto b = parse_challenge("Basic realm=Registry, charset=\"UTF-8\"");
  REQUIRE(b);
  CHECK(b->scheme == "basic");
  CHECK(b->params.at("realm") == "Registry");
  CHECK(b->params.at("charset") == "UTF-8");
  // Hostile or broken ones: no scheme, an unterminated quote.
  CHECK(!parse_challenge("Bearer"));
  CHECK(!parse_challenge(""));
  CHECK(!parse_challenge(R"(Bearer realm="https://x)"));
}

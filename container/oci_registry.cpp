#include "container/oci_registry.hpp"

#include <curl/curl.h>
#include <strings.h>

#include <cctype>

#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "container/checksum.hpp"
#include "container/registry_auth.hpp"
#include "decoder/printable.hpp"
#include "runner/read_file.hpp"

namespace wsvm::container {
namespace {

using Fail = std::unexpected<std::string>;

constexpr uint64_t kMaxManifestBytes = 4 << 20;

struct Reply {
  long status = 0;
  std::vector<uint8_t> body;
  std::string location, content_digest, www_authenticate;
  uint64_t cap = 0;
  bool too_big = false;
};

size_t on_body(char* data, size_t, size_t n, void* user) {
  auto* r = static_cast<Reply*>(user);
  if (r->body.size() + n > r->cap) {
    r->too_big = true;
    return 0;  // ends the transfer
  }
  r->body.insert(r->body.end(), data, data + n);
  return n;
}

std::string header_value(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0 || line[name.size()] != ':') return {};
  std::string_view v = line.substr(name.size() + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  return std::string(v);
}

size_t on_header(char* data, size_t, size_t n, void* user) {
  auto* r = static_cast<Reply*>(user);
  std::string_view line(data, n);
  if (auto v = header_value(line, "Location"); !v.empty()) r->location = v;
  if (auto v = header_value(line, "Docker-Content-Digest"); !v.empty()) r->content_digest = v;
  if (auto v = header_value(line, "WWW-Authenticate"); !v.empty()) r->www_authenticate = v;
  return n;
}

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;
  std::span<const uint8_t> body;
  uint64_t cap = kMaxManifestBytes;
  const Credentials* basic = nullptr;  // sent as Basic authentication (never logged)
};

std::expected<Reply, std::string> http(const Request& q) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* c = curl_easy_init();
  if (c == nullptr) return Fail("cannot start an HTTP client");
  Reply r;
  r.cap = q.cap;
  curl_slist* headers = nullptr;
  for (const std::string& h : q.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(c, CURLOPT_URL, q.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stalled registry: give up after 30 s
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (q.basic != nullptr) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, q.basic->username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, q.basic->password.c_str());
  }
  if (q.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (q.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q.method.c_str());
    // An empty body is "" (a null pointer would make curl read the body from elsewhere).
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, q.body.empty() ? "" : reinterpret_cast<const char*>(q.body.data()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(q.body.size()));
  }
  CURLcode e = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  if (r.too_big) return Fail(fmt::format("{} {}: the answer is larger than {} bytes", q.method, printable(q.url), q.cap));
  if (e != CURLE_OK) return Fail(fmt::format("{} {}: {}", q.method, printable(q.url), curl_easy_strerror(e)));
  return r;
}

std::string status_error(const Request& q, const Reply& r) {
  std::string body(r.body.begin(), r.body.begin() + static_cast<ptrdiff_t>(std::min<size_t>(r.body.size(), 200)));
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return fmt::format("{} {}: HTTP {}{}", q.method, printable(q.url), r.status, body.empty() ? "" : ": " + printable(body));
}

// One pull or push: the registry, its credentials (read at the first challenge) and the
// last token it accepted (sent with every later request until a challenge asks for another
// scope: a push's blob uploads need pull,push).
struct Session {
  const RegistryRef& ref;
  bool credentials_read = false;
  std::optional<Credentials> credentials;
  std::string bearer;
  bool basic = false;  // the registry asked for Basic authentication
};

// A token from the challenge's realm (the distribution spec's token authentication):
// GET REALM?service=S&scope=X with the credentials as Basic authentication when there are
// any; the answer's "token" (or "access_token").
std::expected<std::string, std::string> fetch_token(Session& s, const Challenge& ch) {
  auto realm = ch.params.find("realm");
  if (realm == ch.params.end() || !(realm->second.starts_with("http://") || realm->second.starts_with("https://")))
    return Fail(fmt::format("{}: the registry's token realm is not an http(s) URL", s.ref.registry));
  CURL* esc = curl_easy_init();
  if (esc == nullptr) return Fail("cannot start an HTTP client");
  std::string url = realm->second;
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  for (const char* name : {"service", "scope"})
    if (auto p = ch.params.find(name); p != ch.params.end()) {
      char* e = curl_easy_escape(esc, p->second.c_str(), static_cast<int>(p->second.size()));
      url += fmt::format("{}{}={}", sep, name, e != nullptr ? e : "");
      curl_free(e);
      sep = '&';
    }
  curl_easy_cleanup(esc);
  Request q{.url = url, .basic = s.credentials ? &*s.credentials : nullptr};
  auto r = http(q);
  if (!r) return Fail(r.error());
  if (r->status != 200)
    return Fail(fmt::format("a token from {}: HTTP {}{}", printable(realm->second), r->status,
                            s.credentials ? " (the credentials were refused)" : " (no credentials: WSVM_REGISTRY_USERNAME and WSVM_REGISTRY_PASSWORD, or a docker config file)"));
  auto doc = nlohmann::json::parse(r->body.begin(), r->body.end(), nullptr, false);
  for (const char* key : {"token", "access_token"})
    if (doc.is_object() && doc.contains(key) && doc[key].is_string() && !doc[key].get<std::string>().empty())
      return doc[key].get<std::string>();
  return Fail(fmt::format("a token from {}: the answer has no token", printable(realm->second)));
}

// `q` with the session's authentication; on a 401 challenge the token (or Basic
// credentials) it asks for is obtained and the request made once more.
std::expected<Reply, std::string> call(Session& s, Request q) {
  const std::vector<std::string> plain_headers = q.headers;
  auto with_auth = [&] {
    q.headers = plain_headers;
    if (!s.bearer.empty()) q.headers.push_back("Authorization: Bearer " + s.bearer);
    q.basic = s.basic && s.credentials ? &*s.credentials : nullptr;
  };
  with_auth();
  auto r = http(q);
  if (!r || r->status != 401 || r->www_authenticate.empty()) return r;
  auto ch = parse_challenge(r->www_authenticate);
  if (!ch) return r;
  if (!s.credentials_read) {
    s.credentials_read = true;
    auto creds = registry_credentials(s.ref.registry);
    if (!creds) return Fail(creds.error());
    s.credentials = std::move(*creds);
  }
  if (ch->scheme == "bearer") {
    auto token = fetch_token(s, *ch);
    if (!token) return Fail(token.error());
    s.bearer = std::move(*token);
  } else if (ch->scheme == "basic" && s.credentials && !s.basic) {
    s.basic = true;
  } else {
    return r;  // nothing more to offer: the 401 is the answer
  }
  with_auth();
  return http(q);
}

bool loopback(std::string_view host) {
  return host == "localhost" || host.starts_with("127.") || host == "[::1]";
}

std::expected<std::vector<uint8_t>, std::string> get_blob(Session& s, const Descriptor& d, uint64_t cap) {
  const RegistryRef& ref = s.ref;
  if (d.size > cap) return Fail(fmt::format("blob {} is {} bytes, more than the {} allowed", d.digest, d.size, cap));
  Request q{.url = fmt::format("{}/v2/{}/blobs/{}", ref.base_url(), ref.repository, d.digest), .cap = d.size};
  auto r = call(s, q);
  if (!r) return Fail(r.error());
  if (r->status != 200) return Fail(status_error(q, *r));
  if (r->body.size() != d.size) return Fail(fmt::format("blob {}: {} bytes, the manifest says {}", d.digest, r->body.size(), d.size));
  if (auto ok = verify_digest(r->body, d.digest); !ok) return Fail(fmt::format("blob {}: {}", d.digest, ok.error()));
  return std::move(r->body);
}

std::expected<void, std::string> put_blob(Session& s, std::span<const uint8_t> bytes) {
  const RegistryRef& ref = s.ref;
  const std::string digest = sha256_of(bytes);
  const std::string base = ref.base_url();
  Request head{.method = "HEAD", .url = fmt::format("{}/v2/{}/blobs/{}", base, ref.repository, digest)};
  auto exists = call(s, head);
  if (!exists) return Fail(exists.error());
  if (exists->status == 200) return {};  // already there
  Request start{.method = "POST", .url = fmt::format("{}/v2/{}/blobs/uploads/", base, ref.repository)};
  auto r = call(s, start);
  if (!r) return Fail(r.error());
  if (r->status != 202 || r->location.empty()) return Fail(status_error(start, *r));
  std::string url = r->location.starts_with("/") ? base + r->location : r->location;
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + digest;
  Request put{.method = "PUT", .url = url, .headers = {"Content-Type: application/octet-stream"}, .body = bytes};
  auto done = call(s, put);
  if (!done) return Fail(done.error());
  if (done->status != 201) return Fail(status_error(put, *done));
  return {};
}

}  // namespace

std::string RegistryRef::base_url() const {
  std::string host = registry.substr(0, registry.rfind(':') == std::string::npos || registry.ends_with(']') ? registry.size() : registry.rfind(':'));
  return (loopback(host) ? "http://" : "https://") + registry;
}

std::expected<RegistryRef, std::string> parse_registry_ref(std::string_view text) {
  auto bad = [&](const char* why) { return Fail(fmt::format("'{}' is not REGISTRY/REPOSITORY[:TAG]: {}", printable(text), why)); };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) return bad("no registry host");
  RegistryRef r;
  r.registry = std::string(text.substr(0, slash));
  std::string_view rest = text.substr(slash + 1);
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    r.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  } else {
    r.tag = "latest";
  }
  r.repository = std::string(rest);
  // The distribution spec's grammar: lowercase path components of [a-z0-9._-]; tags
  // [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. Anything else could steer the URL.
  if (r.repository.empty()) return bad("no repository");
  for (char c : r.repository)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/')) return bad("the repository has a character outside [a-z0-9._/-]");
  if (r.repository.find("..") != std::string::npos || r.repository.find("//") != std::string::npos) return bad("empty or dot path component");
  if (r.tag.empty() || r.tag.size() > 128) return bad("bad tag");
  for (char c : r.tag)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return bad("the tag has a character outside [A-Za-z0-9._-]");
  for (char c : r.registry)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) return bad("bad registry host");
  return r;
}

std::expected<WasmImage, std::string> pull_image(const RegistryRef& ref) {
  Session s{ref};
  Request q{.url = fmt::format("{}/v2/{}/manifests/{}", ref.base_url(), ref.repository, ref.tag),
            .headers = {"Accept: " + std::string(kOciManifestType)}};
  auto r = call(s, q);
  if (!r) return Fail(r.error());
  if (r->status != 200) return Fail(status_error(q, *r));
  WasmImage img;
  img.manifest = std::move(r->body);
  if (!r->content_digest.empty()) {
    if (!valid_digest(r->content_digest)) return Fail(fmt::format("the registry names the manifest '{}'", printable(r->content_digest)));
    if (auto ok = verify_digest(img.manifest, r->content_digest); !ok) return Fail("manifest: " + ok.error());
  }
  auto descs = parse_wasm_manifest(std::string_view(reinterpret_cast<const char*>(img.manifest.data()), img.manifest.size()));
  if (!descs) return Fail(descs.error());
  std::tie(img.config_desc, img.layer_desc) = *descs;
  auto config = get_blob(s, img.config_desc, kMaxManifestBytes);
  if (!config) return Fail(config.error());
  img.config = std::move(*config);
  auto wasm = get_blob(s, img.layer_desc, runner::kMaxModuleFileBytes);
  if (!wasm) return Fail(wasm.error());
  img.wasm = std::move(*wasm);
  return img;
}

std::expected<void, std::string> push_image(const RegistryRef& ref, const WasmImage& image) {
  Session s{ref};
  if (auto ok = put_blob(s, image.wasm); !ok) return ok;
  if (auto ok = put_blob(s, image.config); !ok) return ok;
  Request q{.method = "PUT",
            .url = fmt::format("{}/v2/{}/manifests/{}", ref.base_url(), ref.repository, ref.tag),
            .headers = {"Content-Type: " + std::string(kOciManifestType)},
            .body = image.manifest};
  auto r = call(s, q);
  if (!r) return Fail(r.error());
  if (r->status != 201) return Fail(status_error(q, *r));
  return {};
}

}  // namespace wsvm::container

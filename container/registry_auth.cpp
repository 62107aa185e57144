#include "container/registry_auth.hpp"

#include <nettle/base64.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "decoder/printable.hpp"

namespace wsvm::container {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  base64_decode_ctx ctx;
  base64_decode_init(&ctx);
  std::string out(BASE64_DECODE_LENGTH(text.size()), '\0');
  size_t n = out.size();
  if (!base64_decode_update(&ctx, &n, reinterpret_cast<uint8_t*>(out.data()), text.size(), text.data()) ||
      !base64_decode_final(&ctx))
    return std::nullopt;
  out.resize(n);
  return out;
}

std::string config_path() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d != nullptr && *d) return std::string(d) + "/config.json";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h) return std::string(h) + "/.docker/config.json";
  return {};
}

}  // namespace

std::expected<std::optional<Credentials>, std::string> registry_credentials(std::string_view registry) {
  const char* user = std::getenv("WSVM_REGISTRY_USERNAME");
  const char* pass = std::getenv("WSVM_REGISTRY_PASSWORD");
  if (user != nullptr && pass != nullptr) return Credentials{user, pass};
  const std::string path = config_path();
  if (path.empty()) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;  // no config file: anonymous
  std::stringstream text;
  text << in.rdbuf();
  const std::string bad = printable(path) + ": not a docker config file (JSON with \"auths\": {REGISTRY: {\"auth\": base64}})";
  auto doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::unexpected(bad);
  auto auths = doc.find("auths");
  if (auths == doc.end()) return std::nullopt;
  if (!auths->is_object()) return std::unexpected(bad);
  for (const std::string& key : {std::string(registry), "https://" + std::string(registry), "http://" + std::string(registry)}) {
    auto entry = auths->find(key);
    if (entry == auths->end()) continue;
    if (!entry->is_object()) return std::unexpected(bad);
    auto auth = entry->find("auth");
    if (auth == entry->end()) return std::nullopt;  // e.g. a credential helper's entry
    if (!auth->is_string()) return std::unexpected(bad);
    auto decoded = base64_decode(auth->get<std::string>());
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      return std::unexpected(printable(path) + ": the auth of " + printable(key) + " is not base64 of USER:PASSWORD");
    return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
  }
  return std::nullopt;
}

std::optional<Challenge> parse_challenge(std::string_view h) {
  while (!h.empty() && std::isspace(static_cast<unsigned char>(h.front()))) h.remove_prefix(1);
  size_t sp = h.find(' ');
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  Challenge c{lower(h.substr(0, sp)), {}};
  h.remove_prefix(sp + 1);
  // name=value or name="quoted, value" pairs separated by commas.
  while (!h.empty()) {
    while (!h.empty() && (h.front() == ',' || std::isspace(static_cast<unsigned char>(h.front())))) h.remove_prefix(1);
    size_t eq = h.find('=');
    if (eq == std::string_view::npos || eq == 0) break;
    std::string name = lower(h.substr(0, eq));
    h.remove_prefix(eq + 1);
    std::string value;
    if (!h.empty() && h.front() == '"') {
      h.remove_prefix(1);
      while (!h.empty() && h.front() != '"') {
        if (h.front() == '\\' && h.size() > 1) h.remove_prefix(1);
        value += h.front();
        h.remove_prefix(1);
      }
      if (h.empty()) return std::nullopt;  // unterminated
      h.remove_prefix(1);
    } else {
      size_t end = h.find(',');
      value = std::string(h.substr(0, end));
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
      h.remove_prefix(end == std::string_view::npos ? h.size() : end);
    }
    c.params[name] = std::move(value);
  }
  return c;
}

}  // namespace wsvm::container

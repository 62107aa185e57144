// Who a registry client is (`wsvm pull` / `wsvm push`): credentials for a registry host, and
// the parts of an HTTP 401 challenge the distribution spec's token flow needs. The flow
// itself (ask the realm for a token, retry with it) is oci_registry.cpp's. Credentials never
// appear in a message: errors name the file or the variable, not what is in it.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wsvm::container {

struct Credentials {
  std::string username, password;
};

// $WSVM_REGISTRY_USERNAME and $WSVM_REGISTRY_PASSWORD when both are set; else the docker-style
// config file ($DOCKER_CONFIG/config.json, else ~/.docker/config.json) entry
// `auths[REGISTRY].auth` (base64 of "user:password"; "http://REGISTRY" and "https://REGISTRY"
// keys count too). nullopt: none for this registry (anonymous). An error line: a file that
// is there but not such JSON.
std::expected<std::optional<Credentials>, std::string> registry_credentials(std::string_view registry);

// A WWW-Authenticate value: `Bearer realm="...",service="...",scope="..."` or `Basic realm=...`.
struct Challenge {
  std::string scheme;  // lower-cased: "bearer", "basic"
  std::map<std::string, std::string> params;  // names lower-cased
};
std::optional<Challenge> parse_challenge(std::string_view header);

}  // namespace wsvm::container

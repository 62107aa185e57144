// The static `wsvm` has no HTTP client (libcurl cannot be linked statically): a component's
// outgoing requests are denied, and `wsvm --allow-http ...` runs in wsvm-net instead (main.cpp).
#include "cli/run.hpp"

namespace wsvm::cli {

std::shared_ptr<wasi::p2::http::HttpClient> outgoing_http_client() { return nullptr; }

}  // namespace wsvm::cli

// wsvm-net's HTTP client for a component's outgoing requests: libcurl (serve/http_client.hpp).
#include "cli/run.hpp"
#include "serve/http_client.hpp"

namespace wsvm::cli {

std::shared_ptr<wasi::p2::http::HttpClient> outgoing_http_client() {
  static const auto client = serve::make_curl_http_client();
  return client;
}

}  // namespace wsvm::cli

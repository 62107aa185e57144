// The HTTP client behind a component's wasi:http/outgoing-handler in `wsvm serve`, on
// libcurl (Debian libcurl4-openssl-dev; dynamically linked, so it lives in wsvm-net with the
// server). The WASI host (wasi/p2) has already checked the allow-list before a call gets
// here; this side only talks HTTP: each call is one transfer on a thread of its own, the
// request body read from the guest's BodyChannel as it writes it, the response resolved
// when its headers are in and its body pushed into the guest's channel as it arrives (the
// transfer waits while the guest has 1 MiB unread). Redirects are not followed; only http
// and https are spoken.
#pragma once

#include <chrono>
#include <memory>

#include "wasi/p2/http_types.hpp"

namespace wsvm::serve {

struct HttpClientConfig {
  std::chrono::milliseconds connect_timeout{30000};  // unless the guest's request-options say
  std::chrono::milliseconds stall_timeout{30000};    // no progress either way: the call fails
  uint64_t max_response_body = uint64_t{1} << 30;    // larger: the body fails
};

std::shared_ptr<wasi::p2::http::HttpClient> make_curl_http_client(HttpClientConfig config = {});

}  // namespace wsvm::serve

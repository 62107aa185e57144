#include "serve/http_client.hpp"

#include <curl/curl.h>
#include <strings.h>

#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace wsvm::serve {
namespace {

namespace http = wasi::p2::http;
using wasi::p2::BodyChannel;
using Clock = std::chrono::steady_clock;

// One transfer: what libcurl's callbacks share.
struct Transfer {
  http::OutgoingCall call;
  std::shared_ptr<http::PendingResponse> pending;
  HttpClientConfig config;
  std::shared_ptr<http::IncomingResponse> response;  // made when the headers are in
  bool resolved = false;
  uint16_t status = 0;
  http::FieldList headers;
  uint64_t received = 0;
  std::string failure;  // why the response body failed (set by a callback)
  http::FieldList trailer_fields;  // the response's, after a chunked body

  void resolve_headers() {
    if (resolved) return;
    resolved = true;
    response = std::make_shared<http::IncomingResponse>();
    response->status = status;
    response->headers = std::move(headers);
    std::optional<uint64_t> length;  // not enforced on the way in: libcurl checks framing
    response->body = std::make_shared<BodyChannel>(size_t{1} << 20, length);
    pending->resolve(response);
  }
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  // Once the headers went to the guest, what libcurl hands here are the trailers.
  http::FieldList& fields = t->resolved ? t->trailer_fields : t->headers;
  if (!t->resolved && line.starts_with("HTTP/")) {  // a status line starts a header block (1xx ones come first)
    t->headers.entries.clear();
    size_t sp = line.find(' ');
    t->status = sp == std::string_view::npos ? 0 : uint16_t(std::atoi(std::string(line.substr(sp + 1, 3)).c_str()));
    return size * n;
  }
  if (line.empty()) {  // the end of a block: the final one once the status is not 1xx
    if (t->status >= 200) t->resolve_headers();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return size * n;
  std::string name = http::lower(line.substr(0, colon));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  // The guest sees what it could have set itself: valid names and values, no hop-by-hop.
  if (http::valid_field_name(name) && http::valid_field_value(value) && !http::forbidden_field(name))
    fields.entries.emplace_back(std::move(name), std::string(value));
  return size * n;
}

// The request's trailers, as the guest gave them to outgoing-body.finish (libcurl asks once
// the chunked body has ended).
int on_trailers(curl_slist** list, void* user) {
  auto* t = static_cast<Transfer*>(user);
  for (const auto& [k, v] : t->call.body->trailers()) *list = curl_slist_append(*list, (k + ": " + v).c_str());
  return CURL_TRAILERFUNC_OK;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->resolve_headers();
  size_t len = size * n;
  t->received += len;
  if (t->received > t->config.max_response_body) {
    t->failure = fmt::format("the response body is larger than {} bytes", t->config.max_response_body);
    return 0;
  }
  BodyChannel& body = *t->response->body;
  if (!body.wait_room(Clock::now() + t->config.stall_timeout)) {
    t->failure = "the guest stopped reading the response body";
    return 0;
  }
  if (auto why = body.push(std::string_view(data, len))) {
    t->failure = *why;
    return 0;
  }
  return len;
}

// The request body, as the guest writes it.
size_t on_read(char* buf, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  BodyChannel& body = *t->call.body;
  for (;;) {
    std::string got = body.take(size * n);
    if (!got.empty()) {
      std::memcpy(buf, got.data(), got.size());
      return got.size();
    }
    if (body.state() == BodyChannel::State::Finished) return 0;
    if (body.state() == BodyChannel::State::Failed) return CURL_READFUNC_ABORT;
    if (!body.wait_readable(Clock::now() + t->config.stall_timeout)) return CURL_READFUNC_ABORT;
  }
}

http::ErrorCode error_of(CURLcode c, const char* detail) {
  using E = http::ErrorCode;
  std::string text = detail[0] ? detail : curl_easy_strerror(c);
  switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST: return E{E::DnsError, text, {}};
    case CURLE_COULDNT_CONNECT: return E{E::ConnectionRefused, text, {}};
    case CURLE_OPERATION_TIMEDOUT: return E{E::ConnectionTimeout, text, {}};
    case CURLE_SSL_CONNECT_ERROR: return E{E::TlsProtocolError, text, {}};
    case CURLE_PEER_FAILED_VERIFICATION: return E{E::TlsCertificateError, text, {}};
    case CURLE_GOT_NOTHING: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: return E{E::ConnectionTerminated, text, {}};
    case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_URL_MALFORMAT: return E{E::HttpRequestUriInvalid, text, {}};
    case CURLE_WEIRD_SERVER_REPLY: return E{E::HttpProtocolError, text, {}};
    default: return E{E::InternalError, text, {}};
  }
}

void perform(std::shared_ptr<Transfer> t) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    t->pending->resolve(std::unexpected(http::ErrorCode{http::ErrorCode::InternalError, "cannot start a transfer", {}}));
    return;
  }
  const http::OutgoingCall& c = t->call;
  std::string url = c.scheme + "://" + c.authority + c.path_with_query;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // no proxy from the environment: the allow-list names the peer
  auto ms = [](std::optional<uint64_t> ns, std::chrono::milliseconds dflt) {
    return long(ns ? std::max<uint64_t>(1, *ns / 1000000) : uint64_t(dflt.count()));
  };
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ms(c.options.connect_timeout_ns, t->config.connect_timeout));
  // No progress for the between-bytes timeout (or the stall timeout): the call fails.
  long stall_s = std::max(1L, ms(c.options.between_bytes_timeout_ns, t->config.stall_timeout) / 1000);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, stall_s);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, t.get());

  curl_slist* headers = nullptr;
  for (const auto& [k, v] : c.headers) {
    if (k == "content-length") continue;  // libcurl frames the body itself
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  }
  const bool has_body = !c.body->drained() || c.body->pushed() != 0;
  if (has_body) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, t.get());
    if (auto n = c.body->length()) curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(*n));
    else {
      headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
      curl_easy_setopt(curl, CURLOPT_TRAILERFUNCTION, on_trailers);
      curl_easy_setopt(curl, CURLOPT_TRAILERDATA, t.get());
    }
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  }
  if (c.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  else if (c.method != "GET" || has_body) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, c.method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) t->resolve_headers();  // a response without a body
  if (!t->resolved) {
    t->pending->resolve(std::unexpected(error_of(rc, error)));
  } else if (rc == CURLE_OK) {
    t->response->body->set_trailers(std::move(t->trailer_fields.entries));
    t->response->body->finish();
  } else {
    t->response->body->fail(t->failure.empty() ? error_of(rc, error).describe() : t->failure);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
}

class CurlClient : public http::HttpClient {
 public:
  explicit CurlClient(HttpClientConfig config) : m_config(config) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  void start(http::OutgoingCall call, std::shared_ptr<http::PendingResponse> pending) override {
    auto t = std::make_shared<Transfer>();
    t->call = std::move(call);
    t->pending = std::move(pending);
    t->config = m_config;
    // The transfer owns what it touches (shared): it may outlive the guest that asked,
    // which then reads nothing more; its timeouts bound how long.
    try {
      std::thread(perform, t).detach();
    } catch (const std::system_error&) {
      t->pending->resolve(std::unexpected(http::ErrorCode{http::ErrorCode::InternalError, "cannot start a thread", {}}));
    }
  }

 private:
  HttpClientConfig m_config;
};

}  // namespace

std::shared_ptr<http::HttpClient> make_curl_http_client(HttpClientConfig config) {
  return std::make_shared<CurlClient>(config);
}

}  // namespace wsvm::serve

// wasi:http/types@0.2.x as host objects (the WIT functions are define_http.cpp): fields,
// requests and responses both ways, bodies over BodyChannel (http_body.hpp), trailers,
// error-code, response-outparam. A server (serve/) makes an IncomingRequest and a
// ResponseOutparam per request and hands them to the guest's incoming-handler; an HTTP
// client (HostOptions::http_client) answers outgoing-handler.handle.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "component/value.hpp"
#include "wasi/p2/http_body.hpp"
#include "wasi/p2/io.hpp"

namespace wsvm::wasi::p2::http {

// error-code: the case (index in the WIT variant) and a detail for the cases that carry a
// string (internal-error) or a size (the *-body-size cases), and for logs.
struct ErrorCode {
  enum Case : uint32_t {
    DnsTimeout = 0, DnsError = 1, DestinationNotFound = 2, DestinationUnavailable = 3,
    DestinationIpProhibited = 4, DestinationIpUnroutable = 5, ConnectionRefused = 6,
    ConnectionTerminated = 7, ConnectionTimeout = 8, ConnectionReadTimeout = 9,
    ConnectionWriteTimeout = 10, ConnectionLimitReached = 11, TlsProtocolError = 12,
    TlsCertificateError = 13, TlsAlertReceived = 14, HttpRequestDenied = 15,
    HttpRequestLengthRequired = 16, HttpRequestBodySize = 17, HttpRequestMethodInvalid = 18,
    HttpRequestUriInvalid = 19, HttpRequestUriTooLong = 20, HttpRequestHeaderSectionSize = 21,
    HttpRequestHeaderSize = 22, HttpRequestTrailerSectionSize = 23, HttpRequestTrailerSize = 24,
    HttpResponseIncomplete = 25, HttpResponseHeaderSectionSize = 26, HttpResponseHeaderSize = 27,
    HttpResponseBodySize = 28, HttpResponseTrailerSectionSize = 29, HttpResponseTrailerSize = 30,
    HttpResponseTransferCoding = 31, HttpResponseContentCoding = 32, HttpResponseTimeout = 33,
    HttpUpgradeFailed = 34, HttpProtocolError = 35, LoopDetected = 36, ConfigurationError = 37,
    InternalError = 38,
  };
  uint32_t code = InternalError;
  std::string detail;                 // internal-error's text; a message for logs otherwise
  std::optional<uint64_t> size;       // HTTP-request/response-body-size

  component::Val to_val() const;
  static ErrorCode from_val(const component::Val& v);
  std::string describe() const;       // "HTTP-request-denied: ..." for logs
};

// Header or trailer fields: names lower-cased (HTTP field names are case-insensitive),
// values as bytes, in order. Checked on the way in (field-name token, value without
// control bytes, hop-by-hop names forbidden).
struct FieldList {
  std::vector<std::pair<std::string, std::string>> entries;
};

struct Fields : Resource {
  std::shared_ptr<FieldList> list;
  bool immutable = false;
  explicit Fields(std::shared_ptr<FieldList> l, bool imm = false) : list(std::move(l)), immutable(imm) {}
};

// A request as a server received it. The body arrives through `body` while the guest runs.
struct IncomingRequest : Resource {
  std::string method;          // as sent ("GET", "PATCH", "PURGE")
  std::string path_with_query;
  std::string scheme = "http";
  std::string authority;       // the Host header, or the server's address
  FieldList headers;
  std::shared_ptr<BodyChannel> body;
  bool consumed = false;
};

// The body of an incoming request or response: a stream once, then finish.
struct IncomingBody : Resource {
  std::shared_ptr<BodyChannel> channel;
  std::shared_ptr<Resource> owner;  // keeps the response/request alive
  bool stream_taken = false;
  explicit IncomingBody(std::shared_ptr<BodyChannel> c, std::shared_ptr<Resource> o = nullptr)
      : channel(std::move(c)), owner(std::move(o)) {}
};

struct FutureTrailers : Resource {
  std::shared_ptr<BodyChannel> channel;  // ready once the body has ended
  bool taken = false;
};

// The body a guest writes (a response to a server, or a request for the client).
struct OutgoingBody : Resource {
  std::shared_ptr<BodyChannel> channel;
  bool for_request = false;  // which error case a wrong length is
  bool stream_taken = false;
  bool finished = false;
  explicit OutgoingBody(std::shared_ptr<BodyChannel> c, bool request) : channel(std::move(c)), for_request(request) {}
  // Dropped unfinished: the body is incomplete, and its reader must hear so.
  ~OutgoingBody() override {
    if (!finished) channel->fail("the handler dropped the body without finishing it");
  }
};

// The head of a message the guest builds: status or request line, headers, and its body
// channel, created when the guest first asks for the body.
struct OutgoingResponse : Resource {
  uint16_t status = 200;
  std::shared_ptr<FieldList> headers;
  std::shared_ptr<BodyChannel> body;  // made by body(), with the declared content-length
  bool body_taken = false;
};

struct OutgoingRequest : Resource {
  std::optional<std::string> method_other;  // set-method with other(...)
  uint32_t method = 0;                      // the method variant's case (0 get ... 9 other)
  std::optional<std::string> path_with_query;
  std::optional<uint32_t> scheme;           // 0 HTTP, 1 HTTPS, 2 other
  std::string scheme_other;
  std::optional<std::string> authority;
  std::shared_ptr<FieldList> headers;
  std::shared_ptr<BodyChannel> body;
  bool body_taken = false;

  std::string method_name() const;
};

struct RequestOptions : Resource {
  std::optional<uint64_t> connect_timeout_ns, first_byte_timeout_ns, between_bytes_timeout_ns;
};

// What a server receives from response-outparam.set: the head and the body channel, or the
// error the guest gave.
struct ResponseHead {
  uint16_t status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<BodyChannel> body;
};
using ResponseOutcome = std::expected<ResponseHead, ErrorCode>;

struct ResponseOutparam : Resource {
  std::function<void(ResponseOutcome)> deliver;  // called once (set, or dropped unset)
  bool used = false;
  explicit ResponseOutparam(std::function<void(ResponseOutcome)> d) : deliver(std::move(d)) {}
  ~ResponseOutparam() override {
    if (!used && deliver)
      deliver(std::unexpected(ErrorCode{ErrorCode::InternalError, "the handler returned without setting a response", {}}));
  }
};

// A response to an outgoing request, as the client received it.
struct IncomingResponse : Resource {
  uint16_t status = 0;
  FieldList headers;
  std::shared_ptr<BodyChannel> body;
  bool consumed = false;
};

// An HTTP client's answer, filled by another thread: ready once `result` is set.
class PendingResponse {
 public:
  PendingResponse();
  ~PendingResponse();
  void resolve(std::expected<std::shared_ptr<IncomingResponse>, ErrorCode> r);
  std::optional<std::expected<std::shared_ptr<IncomingResponse>, ErrorCode>> get();
  Readiness readiness();

 private:
  std::mutex m_mutex;
  std::optional<std::expected<std::shared_ptr<IncomingResponse>, ErrorCode>> m_result;
  int m_fd = -1;  // eventfd, readable once resolved
};

struct FutureIncomingResponse : Resource {
  std::shared_ptr<PendingResponse> pending;
  bool taken = false;
};

// What the guest's outgoing-handler.handle asks for, checked and ready to send.
struct OutgoingCall {
  std::string method;
  std::string scheme;     // "http" or "https"
  std::string authority;  // host[:port]
  std::string path_with_query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<BodyChannel> body;  // the guest is still writing it
  RequestOptions options;
};

// The embedder's HTTP client (serve/ has one on libcurl): starts the call and resolves
// `pending` from its own thread. The host has already checked the allow-list.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual void start(OutgoingCall call, std::shared_ptr<PendingResponse> pending) = 0;
};

// Who may be called: "HOST" (any port), "HOST:PORT", or "*" (anyone). Case-insensitive.
bool host_allowed(const std::vector<std::string>& allow, std::string_view authority, std::string_view scheme);

// Field checks shared by the host functions and a server building an IncomingRequest.
bool valid_field_name(std::string_view name);
bool valid_field_value(std::string_view value);
bool forbidden_field(std::string_view lower_name);
std::string lower(std::string_view s);

}  // namespace wsvm::wasi::p2::http

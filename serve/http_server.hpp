// The HTTP/1.1 server under `wsvm serve`, on GNU libmicrohttpd (README.md says why): it
// parses requests (a malformed one gets its 400 from the library, never reaching a handler),
// keeps connections alive, decodes chunked request bodies and sends chunked responses, caps
// connections, drops idle or stalled clients, and stops gracefully. The server knows nothing
// of wasm: each request goes to a Handler, which wsvm serve backs with a fresh instance.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsvm::serve {

struct Request {
  std::string method;
  std::string target;   // path and query as the client sent them ("/a/b?x=1")
  std::string version;  // "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
  std::string body;     // whole (a chunked body arrives decoded)
  std::string remote;   // peer address
};

// Where a streamed response body comes from: called on the connection thread as the
// client takes the body; may block. Returns the bytes written into `buf` (at most `max`),
// 0 at the end, -1 when the body broke (the connection is then closed, so the client sees
// an incomplete response rather than a short one).
using BodySource = std::function<long(char* buf, size_t max)>;

// Header-like fields: a request's or response's headers, or the trailers after a body.
using FieldPairs = std::vector<std::pair<std::string, std::string>>;

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
  // Streamed instead of `body`: with `length` it is sent with that Content-Length, without
  // chunked (HTTP/1.1; an HTTP/1.0 client reads to the close).
  BodySource source;
  std::optional<uint64_t> length;
  // Asked once a streamed body has ended: the trailer fields sent after it (a chunked
  // response only: with a Content-Length there is no place for them).
  std::function<FieldPairs()> trailers;
};

using Handler = std::function<Response(const Request&)>;

// A handler that runs while the request body arrives (a wasm instance on its own thread):
// started when the headers are in (`Request::body` empty), fed the body in pieces, then
// asked for the response. Destroying it may wait for the handler to finish.
class StreamedExchange {
 public:
  virtual ~StreamedExchange() = default;
  virtual void body(std::string_view piece) = 0;
  // The request's trailer fields (after a chunked body), just before end(true).
  virtual void trailers(FieldPairs) {}
  // The body ended: whole, or not (over --max-body, too slow, the client left).
  virtual void end(bool complete) = 0;
  // Blocks until the handler has a response (only after end()).
  virtual Response respond() = 0;
};
using StreamingHandler = std::function<std::unique_ptr<StreamedExchange>(const Request&)>;
// An exchange that ignores the body and answers `r` (a request refused before any handler).
std::unique_ptr<StreamedExchange> answer_with(Response r);

// One access-log line: what was asked, how it ended, how long it took.
struct AccessRecord {
  std::string method, target, remote;
  int status = 0;
  std::chrono::microseconds duration{};
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: the kernel picks a free port (HttpServer::port() says which)
  unsigned max_connections = 1024;  // more are refused at accept
  // A connection with no progress for this long is closed (a stalled client sending its
  // headers or body, or an idle keep-alive connection).
  std::chrono::seconds idle_timeout{30};
  // A request whose body has not arrived whole this long after its headers gets 408.
  std::chrono::milliseconds body_timeout{30000};
  uint64_t max_body_bytes = uint64_t{16} << 20;  // larger: 413
  size_t handler_stack_bytes = size_t{8} << 20;  // each connection thread's stack
  std::function<void(const AccessRecord&)> access_log;  // called once per answered request
};

class HttpServer {
 public:
  // Binds HOST:PORT and starts serving; the error is one line ("cannot listen on ...").
  static std::expected<std::unique_ptr<HttpServer>, std::string> start(ServerConfig config,
                                                                       Handler handler);
  static std::expected<std::unique_ptr<HttpServer>, std::string> start(ServerConfig config,
                                                                       StreamingHandler handler);
  ~HttpServer();  // stop(0) if not stopped
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  const std::string& host() const;
  // Graceful stop: no new connections; requests in flight get up to `grace` to finish; then
  // every connection is closed. Returns how many requests were still running at the end.
  unsigned stop(std::chrono::milliseconds grace);
  unsigned in_flight() const;

  struct State;  // shared with libmicrohttpd's callbacks (http_server.cpp)

 private:
  explicit HttpServer(std::unique_ptr<State> state);
  static std::expected<std::unique_ptr<HttpServer>, std::string> start_state(ServerConfig config,
                                                                             std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

// "HOST:PORT" (HOST may be a name, an IPv4 address or [IPv6]); port 0 is allowed.
std::expected<std::pair<std::string, uint16_t>, std::string> parse_addr(std::string_view text);

}  // namespace wsvm::serve

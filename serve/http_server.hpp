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
#include <string>
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

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
};

using Handler = std::function<Response(const Request&)>;

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
  std::unique_ptr<State> m_state;
};

// "HOST:PORT" (HOST may be a name, an IPv4 address or [IPv6]); port 0 is allowed.
std::expected<std::pair<std::string, uint16_t>, std::string> parse_addr(std::string_view text);

}  // namespace wsvm::serve

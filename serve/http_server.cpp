#include "serve/http_server.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace wsvm::serve {

using Clock = std::chrono::steady_clock;

struct HttpServer::State {
  ServerConfig config;
  Handler handler;
  StreamingHandler streaming;  // instead of handler
  MHD_Daemon* daemon = nullptr;
  uint16_t port = 0;
  std::atomic<unsigned> in_flight{0};
  std::mutex mutex;
  std::condition_variable idle;  // signalled when in_flight drops to 0
  bool stopped = false;
};

namespace {

using State = HttpServer::State;

// One request from its first line to its completion (libmicrohttpd's per-request pointer).
struct Exchange {
  State* state;
  Request request;
  Clock::time_point started = Clock::now();
  Clock::time_point headers_done{};
  int status = 0;
  bool counted = false;   // in State::in_flight
  bool refused = false;   // the body is over the limit: discarded, answered 413
  uint64_t body_bytes = 0;
  std::unique_ptr<StreamedExchange> streamed;  // a StreamingHandler's exchange
  ~Exchange() {
    if (streamed) streamed->end(false);  // no-op when it ended; else the client left
  }
};

// Called by libmicrohttpd with the raw request target before anything else: the Exchange
// starts here so the handler sees the query string exactly as sent.
void* begin_request(void* cls, const char* uri, MHD_Connection*) {
  auto* x = new Exchange{static_cast<State*>(cls), {}};
  x->request.target = uri != nullptr ? uri : "";
  return x;
}

MHD_Result collect_field(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<FieldPairs*>(cls)->emplace_back(key ? key : "", value ? value : "");
  return MHD_YES;
}

std::string peer(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char host[INET6_ADDRSTRLEN + 8] = {0};
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, host, sizeof host);
  else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, host, sizeof host);
  return host;
}

// A streamed (chunked) body: libmicrohttpd pulls it in pieces.
struct Stream {
  std::string body;
};
ssize_t read_stream(void* cls, uint64_t pos, char* buf, size_t max) {
  auto* s = static_cast<Stream*>(cls);
  if (pos >= s->body.size()) return MHD_CONTENT_READER_END_OF_STREAM;
  size_t n = std::min(max, s->body.size() - static_cast<size_t>(pos));
  std::memcpy(buf, s->body.data() + pos, n);
  return static_cast<ssize_t>(n);
}
void free_stream(void* cls) { delete static_cast<Stream*>(cls); }

// A handler's streamed body, and its trailers added as the response's footers when it ends
// (libmicrohttpd writes them after the last chunk).
struct Source {
  BodySource read;
  std::function<FieldPairs()> trailers;
  MHD_Response* response = nullptr;
};
ssize_t read_source(void* cls, uint64_t, char* buf, size_t max) {
  auto* s = static_cast<Source*>(cls);
  long n = s->read(buf, max);
  if (n > 0) return static_cast<ssize_t>(n);
  if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
  if (s->trailers && s->response != nullptr)
    for (const auto& [k, v] : s->trailers()) MHD_add_response_footer(s->response, k.c_str(), v.c_str());
  return MHD_CONTENT_READER_END_OF_STREAM;
}
void free_source(void* cls) { delete static_cast<Source*>(cls); }

MHD_Result send(MHD_Connection* c, Exchange* x, Response r) {
  MHD_Response* resp;
  if (r.source) {
    auto* src = new Source{std::move(r.source), r.length ? nullptr : std::move(r.trailers)};
    resp = MHD_create_response_from_callback(r.length ? *r.length : MHD_SIZE_UNKNOWN, 64 * 1024, read_source, src, free_source);
    if (resp == nullptr) delete src;
    else src->response = resp;
  } else if (r.chunked) {
    auto* s = new Stream{std::move(r.body)};
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, read_stream, s, free_stream);
  } else {
    resp = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
  }
  if (resp == nullptr) return MHD_NO;
  for (const auto& [k, v] : r.headers) {
    // Framing is the library's: a handler's own Content-Length or Transfer-Encoding could
    // contradict the body it sent.
    if (strcasecmp(k.c_str(), "content-length") == 0 || strcasecmp(k.c_str(), "transfer-encoding") == 0) continue;
    MHD_add_response_header(resp, k.c_str(), v.c_str());
  }
  x->status = r.status;
  MHD_Result ok = MHD_queue_response(c, static_cast<unsigned>(r.status), resp);
  MHD_destroy_response(resp);
  return ok;
}

Response plain(int status, std::string text) {
  return Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text) + "\n", false};
}

void leave(State* s) {
  if (s->in_flight.fetch_sub(1) == 1) {
    std::lock_guard lock(s->mutex);
    s->idle.notify_all();
  }
}

MHD_Result on_request(void* cls, MHD_Connection* c, const char*, const char* method, const char* version,
                      const char* upload_data, size_t* upload_size, void** req_cls) {
  auto* s = static_cast<State*>(cls);
  auto* x = static_cast<Exchange*>(*req_cls);
  if (x == nullptr) return MHD_NO;  // begin_request always runs first
  if (!x->counted) {  // the headers are in
    x->counted = true;
    s->in_flight.fetch_add(1);
    x->headers_done = Clock::now();
    x->request.method = method ? method : "";
    x->request.version = version ? version : "";
    x->request.remote = peer(c);
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_field, &x->request.headers);
    const char* length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (length != nullptr && std::strtoull(length, nullptr, 10) > s->config.max_body_bytes) x->refused = true;
    if (s->streaming && !x->refused) {
      try {
        x->streamed = s->streaming(x->request);
      } catch (const std::exception&) {
        x->streamed = nullptr;
      }
    }
    return MHD_YES;  // the body (if any) comes in the next calls
  }
  if (*upload_size != 0) {
    // A body too large is read and dropped (the 413 goes out once it has ended, so the
    // client reads an answer rather than a reset); one too slow ends the connection.
    if (Clock::now() - x->headers_done > s->config.body_timeout) {
      x->status = 408;
      return MHD_NO;
    }
    if (!x->refused && x->body_bytes + *upload_size > s->config.max_body_bytes) {
      x->refused = true;
      if (x->streamed) x->streamed->end(false);
    }
    x->body_bytes += *upload_size;
    if (x->refused) x->request.body.clear();
    else if (x->streamed) x->streamed->body(std::string_view(upload_data, *upload_size));
    else x->request.body.append(upload_data, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (x->refused) return send(c, x, plain(413, fmt::format("request body larger than {} bytes", s->config.max_body_bytes)));
  Response r;
  try {
    if (s->streaming && !x->streamed) {
      r = plain(503, "the handler could not be started");
    } else if (x->streamed) {
      FieldPairs trailers;
      MHD_get_connection_values(c, MHD_FOOTER_KIND, collect_field, &trailers);
      if (!trailers.empty()) x->streamed->trailers(std::move(trailers));
      x->streamed->end(true);
      r = x->streamed->respond();
    } else {
      r = s->handler(x->request);
    }
  } catch (const std::exception& e) {
    r = plain(500, "internal error");
  }
  return send(c, x, std::move(r));
}

void on_completed(void* cls, MHD_Connection*, void** req_cls, MHD_RequestTerminationCode) {
  auto* s = static_cast<State*>(cls);
  auto* x = static_cast<Exchange*>(*req_cls);
  if (x == nullptr) return;
  *req_cls = nullptr;
  if (x->status != 0 && s->config.access_log) {
    s->config.access_log({x->request.method, x->request.target, x->request.remote, x->status,
                          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - x->started)});
  }
  if (x->counted) leave(s);
  delete x;
}

// libmicrohttpd's own diagnostics (bind failures, refused connections) are not ours to
// print per event; the start error below says what matters.
void quiet_log(void*, const char*, va_list) {}

}  // namespace

std::unique_ptr<StreamedExchange> answer_with(Response r) {
  struct Fixed : StreamedExchange {
    Response r;
    explicit Fixed(Response x) : r(std::move(x)) {}
    void body(std::string_view) override {}
    void end(bool) override {}
    Response respond() override { return std::move(r); }
  };
  return std::make_unique<Fixed>(std::move(r));
}

std::expected<std::pair<std::string, uint16_t>, std::string> parse_addr(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::unexpected(fmt::format("'{}' is not HOST:PORT", text));
  std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  if (host.empty() || port.empty() || port.size() > 5) return std::unexpected(fmt::format("'{}' is not HOST:PORT", text));
  unsigned v = 0;
  for (char ch : port) {
    if (ch < '0' || ch > '9') return std::unexpected(fmt::format("'{}': the port is not a number", text));
    v = v * 10 + static_cast<unsigned>(ch - '0');
  }
  if (v > 65535) return std::unexpected(fmt::format("'{}': port out of range 0..65535", text));
  return std::pair{std::string(host), static_cast<uint16_t>(v)};
}

std::expected<std::unique_ptr<HttpServer>, std::string> HttpServer::start(ServerConfig config, Handler handler) {
  auto state = std::make_unique<State>();
  state->handler = std::move(handler);
  return start_state(std::move(config), std::move(state));
}

std::expected<std::unique_ptr<HttpServer>, std::string> HttpServer::start(ServerConfig config, StreamingHandler handler) {
  auto state = std::make_unique<State>();
  state->streaming = std::move(handler);
  return start_state(std::move(config), std::move(state));
}

std::expected<std::unique_ptr<HttpServer>, std::string> HttpServer::start_state(ServerConfig config,
                                                                                std::unique_ptr<State> state) {
  state->config = std::move(config);
  const ServerConfig& c = state->config;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port_text = std::to_string(c.port);
  if (int e = getaddrinfo(c.host.c_str(), port_text.c_str(), &hints, &found); e != 0)
    return std::unexpected(fmt::format("cannot listen on {}:{}: {}", c.host, c.port, gai_strerror(e)));
  sockaddr_storage addr{};
  std::memcpy(&addr, found->ai_addr, found->ai_addrlen);
  const bool v6 = found->ai_family == AF_INET6;
  freeaddrinfo(found);

  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                   MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
  state->daemon = MHD_start_daemon(
      flags, c.port, nullptr, nullptr, on_request, state.get(),
      MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr),
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(c.max_connections),
      MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned>(c.idle_timeout.count()),
      MHD_OPTION_THREAD_STACK_SIZE, c.handler_stack_bytes,
      MHD_OPTION_URI_LOG_CALLBACK, begin_request, state.get(),
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, state.get(),
      MHD_OPTION_EXTERNAL_LOGGER, quiet_log, nullptr,
      MHD_OPTION_END);
  if (state->daemon == nullptr)
    return std::unexpected(fmt::format("cannot listen on {}:{} (address in use, or not an address of this host)", c.host, c.port));
  const MHD_DaemonInfo* info = MHD_get_daemon_info(state->daemon, MHD_DAEMON_INFO_BIND_PORT);
  state->port = info != nullptr ? info->port : c.port;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state)));
}

HttpServer::HttpServer(std::unique_ptr<State> state) : m_state(std::move(state)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

uint16_t HttpServer::port() const { return m_state->port; }
const std::string& HttpServer::host() const { return m_state->config.host; }
unsigned HttpServer::in_flight() const { return m_state->in_flight.load(); }

unsigned HttpServer::stop(std::chrono::milliseconds grace) {
  State& s = *m_state;
  if (s.stopped) return 0;
  s.stopped = true;
  // No new connections: the listening socket is handed back and closed.
  MHD_socket listen = MHD_quiesce_daemon(s.daemon);
  if (listen != MHD_INVALID_SOCKET) close(listen);
  {
    std::unique_lock lock(s.mutex);
    s.idle.wait_for(lock, grace, [&s] { return s.in_flight.load() == 0; });
  }
  unsigned left = s.in_flight.load();
  MHD_stop_daemon(s.daemon);  // closes every connection, joins its threads
  s.daemon = nullptr;
  return left;
}

}  // namespace wsvm::serve

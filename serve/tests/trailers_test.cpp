// HTTP trailers through wsvm serve's two HTTP ends, with no guest: the client
// (http_client.hpp, libcurl) sends a chunked request with trailers to the server
// (http_server.hpp, libmicrohttpd) in the same process, whose exchange hands them over and
// answers a chunked body with trailers of its own, which the client passes into the
// response's body channel. The guest's side (future-trailers.get, outgoing-body.finish) is
// tests/serve/http_component_test.py's /trailers route, in both engines.
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "serve/http_client.hpp"
#include "serve/http_server.hpp"
#include "wasi/p2/http_body.hpp"

using namespace wsvm;
using namespace std::chrono_literals;
namespace http = wasi::p2::http;
using wasi::p2::BodyChannel;

namespace {

struct Seen {
  std::mutex mutex;
  std::string body;
  serve::FieldPairs trailers;
  bool complete = false;
};

class Echo : public serve::StreamedExchange {
 public:
  explicit Echo(std::shared_ptr<Seen> seen) : m_seen(std::move(seen)) {}
  void body(std::string_view piece) override {
    std::lock_guard lock(m_seen->mutex);
    m_seen->body.append(piece);
  }
  void trailers(serve::FieldPairs t) override {
    std::lock_guard lock(m_seen->mutex);
    m_seen->trailers = std::move(t);
  }
  void end(bool complete) override {
    std::lock_guard lock(m_seen->mutex);
    m_seen->complete = m_seen->complete || complete;
  }
  serve::Response respond() override {
    serve::Response r;
    auto left = std::make_shared<std::string>("answer");
    r.source = [left](char* buf, size_t max) -> long {
      size_t n = std::min(max, left->size());
      std::memcpy(buf, left->data(), n);
      left->erase(0, n);
      return long(n);
    };
    r.trailers = [] { return serve::FieldPairs{{"X-Answer-Sum", "42"}}; };
    return r;
  }

 private:
  std::shared_ptr<Seen> m_seen;
};

// The whole body of a channel, to its end.
std::string read_all(BodyChannel& body) {
  std::string out;
  for (;;) {
    out += body.take(1 << 16);
    if (body.state() != BodyChannel::State::Open && body.drained()) return out;
    REQUIRE(body.wait_readable(std::chrono::steady_clock::now() + 10s));
  }
}

// Sends `call` with the libcurl client; the response once its headers are in.
std::shared_ptr<http::IncomingResponse> send(http::OutgoingCall call) {
  auto pending = std::make_shared<http::PendingResponse>();
  serve::make_curl_http_client()->start(std::move(call), pending);
  std::optional<std::expected<std::shared_ptr<http::IncomingResponse>, http::ErrorCode>> got;
  for (int i = 0; i < 1000 && !(got = pending->get()); ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  return **got;
}

http::OutgoingCall to(uint16_t port, std::string method) {
  http::OutgoingCall call;
  call.method = std::move(method);
  call.scheme = "http";
  call.authority = "127.0.0.1:" + std::to_string(port);
  call.path_with_query = "/";
  call.body = std::make_shared<BodyChannel>();  // no declared length: sent chunked
  return call;
}

}  // namespace

TEST_CASE("serve: trailers from the client through the server and back") {
  auto seen = std::make_shared<Seen>();
  serve::ServerConfig config;
  config.port = 0;
  auto server = serve::HttpServer::start(config, serve::StreamingHandler([seen](const serve::Request&) {
    return std::make_unique<Echo>(seen);
  }));
  REQUIRE(server);

  http::OutgoingCall call = to((*server)->port(), "POST");
  REQUIRE(!call.body->push("question"));
  call.body->set_trailers({{"x-request-sum", "7"}});
  REQUIRE(!call.body->finish());
  std::shared_ptr<http::IncomingResponse> response = send(call);
  CHECK(response->status == 200);
  CHECK(read_all(*response->body) == "answer");
  CHECK(response->body->state() == BodyChannel::State::Finished);
  CHECK(response->body->trailers() == BodyChannel::Trailers{{"x-answer-sum", "42"}});
  (*server)->stop(1000ms);
  std::lock_guard lock(seen->mutex);
  CHECK(seen->body == "question");
  CHECK(seen->complete);
  REQUIRE(seen->trailers.size() == 1);
  CHECK(seen->trailers[0].first == "x-request-sum");
  CHECK(seen->trailers[0].second == "7");
}

TEST_CASE("serve: a response with a declared length sends no trailers") {
  serve::ServerConfig config;
  config.port = 0;
  auto server = serve::HttpServer::start(config, serve::Handler([](const serve::Request&) {
    serve::Response r;
    r.length = 2;
    auto sent = std::make_shared<bool>(false);
    r.source = [sent](char* buf, size_t) -> long {
      if (*sent) return 0;
      *sent = true;
      buf[0] = 'o', buf[1] = 'k';
      return 2;
    };
    r.trailers = [] { return serve::FieldPairs{{"x-never", "1"}}; };
    return r;
  }));
  REQUIRE(server);
  http::OutgoingCall call = to((*server)->port(), "GET");
  REQUIRE(!call.body->finish());
  std::shared_ptr<http::IncomingResponse> response = send(call);
  auto& body = *response->body;
  CHECK(read_all(body) == "ok");
  CHECK(body.state() == BodyChannel::State::Finished);
  CHECK(body.trailers().empty());
  (*server)->stop(1000ms);
}

#include "serve/component_handler.hpp"

#include <strings.h>

#include <condition_variable>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "component/ir.hpp"
#include "component/utf.hpp"
#include "decoder/printable.hpp"
#include "serve/mem_file.hpp"
#include "serve/p3_handler.hpp"
#include "wasi/p2/host.hpp"
#include "wasi/p2/http_types.hpp"

namespace wsvm::serve {
namespace {

namespace http = wasi::p2::http;
using wasi::p2::BodyChannel;

Response plain(int status, std::string_view text) {
  return Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::string(text) + "\n", false, {}, {}};
}

bool valid_utf8(std::string_view s) {
  std::u32string ignored;
  return component::utf8_decode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()), ignored) ==
         component::Utf8Status::Ok;
}

// What one request shares between its connection thread and its guest thread.
struct Call {
  std::shared_ptr<const ComponentHandlerConfig> config;
  std::string export_name;
  std::string method, target;  // for log lines
  std::shared_ptr<http::IncomingRequest> request;
  std::shared_ptr<BodyChannel> request_body = std::make_shared<BodyChannel>();

  std::mutex mutex;
  std::condition_variable changed;
  std::optional<http::ResponseOutcome> head;  // what response-outparam.set gave
  bool guest_done = false;
  bool no_response = false;  // it returned well without setting a response
  bool finished = false;     // run_guest is over, its instance torn down
  Response failure;  // the answer when the guest ends without a response

  void log(const std::string& what) const {
    if (config->log) config->log(fmt::format("{} {}: {}", printable(method), printable(target), what));
  }
  void count(const char* kind) const {
    if (config->on_failure) config->on_failure(kind);
  }
  void deliver(http::ResponseOutcome r) {
    std::lock_guard lock(mutex);
    if (head || guest_done) return;
    head = std::move(r);
    changed.notify_all();
  }
};

// How the guest's run ended, as the request's answer (when it had not answered yet) and a
// log line. nullopt: it ended well.
std::optional<Response> judge(Call& call, const runner::Outcome& o) {
  auto failed = [&](const char* kind, int status, std::string_view text, const std::string& line) {
    call.log(line);
    call.count(kind);
    return plain(status, text);
  };
  switch (o.ending) {
    case runner::Ending::Returned: return std::nullopt;
    case runner::Ending::Exited:
      if (o.exit_code == 0) return std::nullopt;
      return failed("exit", 500, "handler failed", fmt::format("handler exited with {}", o.exit_code));
    case runner::Ending::Trapped:
      return failed("trap", 500, "handler trapped", "trap: " + printable(o.trap ? o.trap->message : std::string("?")));
    case runner::Ending::TimedOut: return failed("timeout", 503, "handler ran out of time", "time limit reached");
    case runner::Ending::OutOfFuel: return failed("fuel", 503, "handler ran out of fuel", "fuel limit reached");
    case runner::Ending::LoadError:
    case runner::Ending::UsageError:
      return failed("start", 500, "handler could not start", "cannot start the handler: " + printable(o.message));
  }
  return std::nullopt;
}

// A worker's memory files for its guests' stdout and stderr, made on its first request and
// rewound for each next one (the bytes of a request are those up to the file position, so
// an earlier request's longer output is never read back).
struct WorkerFiles {
  MemFile out{"wsvm-stdout"}, err{"wsvm-stderr"};
  uint64_t cap = 0;
  bool ok = false;
};

WorkerFiles* worker_files(uint64_t cap) {
  thread_local std::unique_ptr<WorkerFiles> files;
  if (!files || files->cap != cap) {
    files = std::make_unique<WorkerFiles>();
    files->cap = cap;
    files->ok = files->out.fd >= 0 && files->err.fd >= 0 && files->out.cap(cap) && files->err.cap(cap);
  }
  if (!files->ok || !files->out.rewind() || !files->err.rewind()) {
    files.reset();
    return nullptr;
  }
  return files.get();
}

// The guest's side of one request: a fresh instance, its handle(request, response-out).
void run_guest(const std::shared_ptr<Call>& call) {
  const ComponentHandlerConfig& c = *call->config;
  std::optional<Response> failure;
  // The guest's stdout and stderr (console.log in JavaScript): memory files, logged line by
  // line with the request once it ends; up to max_log_bytes each (writes past it fail).
  WorkerFiles* files = worker_files(c.max_log_bytes);
  runner::RunRequest request = c.base;
  if (files) {
    request.wasi.stdout_fd = files->out.fd;
    request.wasi.stderr_fd = files->err.fd;
  } else {
    call->log("cannot capture the guest's stdout and stderr: they go to the server's");
  }
  {
    InstanceGate::Place place(c.gate.get());
    runner::Run run(c.program, std::move(request));
    runner::Outcome outcome;
    if (auto o = run.link()) outcome = std::move(*o);
    else if (auto o = run.instantiate()) outcome = std::move(*o);
    else {
      auto f = run.find_component_function(call->export_name);
      if (!f) {
        outcome = std::move(f.error());
      } else {
        auto deliver = [weak = std::weak_ptr<Call>(call)](http::ResponseOutcome r) {
          if (auto cl = weak.lock()) cl->deliver(std::move(r));
        };
        wasi::p2::Host& host = *run.p2_host();
        if (call->export_name.starts_with("wasi:http/handler@0.3.")) {  // wasi:http/service@0.3
          outcome = invoke_p3_handler(run, **f, call->request, deliver);
        } else {
        auto out = std::make_shared<http::ResponseOutparam>([weak = std::weak_ptr<Call>(call)](http::ResponseOutcome r) {
          if (auto cl = weak.lock()) cl->deliver(std::move(r));
        });
        auto req = host.own(call->request);
        auto outp = host.own(out);
        if (!req || !outp) {
          outcome.ending = runner::Ending::Trapped;
          outcome.trap = !req ? req.error() : outp.error();
        } else {
          component::Val args[] = {*req, *outp};
          outcome = run.invoke_component(**f, args);
        }
        }
      }
    }
    auto log = [&](const std::string& line) { call->log(line); };
    if (files) {
      log_output_lines("stdout", files->out.written(), log);
      log_output_lines("stderr", files->err.written(), log);
    }
    failure = judge(*call, outcome);
    // The instance ends here: whatever the guest still held (an unfinished body, an unset
    // response-outparam) is destroyed, so the connection side hears of it.
    std::lock_guard lock(call->mutex);
    call->guest_done = true;
    if (failure) call->failure = std::move(*failure);
    else call->failure = plain(500, "handler returned no response"), call->no_response = true;
  }
  call->changed.notify_all();
  std::lock_guard lock(call->mutex);
  call->finished = true;
  call->changed.notify_all();
}

class ComponentExchange : public StreamedExchange {
 public:
  explicit ComponentExchange(std::shared_ptr<Call> call) : m_call(std::move(call)) {}

  bool start(WorkerPool& workers) {
    m_started = workers.run([call = m_call] { run_guest(call); });
    return m_started;
  }

  ~ComponentExchange() override {
    end(false);
    std::unique_lock lock(m_call->mutex);
    if (m_call->head && *m_call->head && m_call->head->value().body) m_call->head->value().body->reader_left();
    // The request is over once its instance is gone (a graceful stop waits for this).
    if (m_started) m_call->changed.wait(lock, [&] { return m_call->finished; });
  }

  void body(std::string_view piece) override { m_call->request_body->push(piece); }

  // Fields a guest could not have been given as headers are not given as trailers either.
  void trailers(FieldPairs fields) override {
    BodyChannel::Trailers kept;
    for (auto& [k, v] : fields) {
      std::string n = http::lower(k);
      if (http::valid_field_name(k) && http::valid_field_value(v) && !http::forbidden_field(n)) kept.emplace_back(std::move(n), std::move(v));
    }
    m_call->request_body->set_trailers(std::move(kept));
  }

  void end(bool complete) override {
    if (complete) m_call->request_body->finish();
    else m_call->request_body->fail("the request body was cut short");
  }

  Response respond() override {
    Call& call = *m_call;
    std::unique_lock lock(call.mutex);
    call.changed.wait(lock, [&] { return call.head.has_value() || call.guest_done; });
    if (!call.head) {
      if (call.no_response) {
        call.log("the handler returned without setting a response");
        call.count("no_response");
      }
      return call.failure;
    }
    if (!*call.head) {
      const http::ErrorCode& e = call.head->error();
      call.log("the handler answered with error-code " + printable(e.describe()));
      call.count("error_code");
      return plain(500, "handler failed");
    }
    http::ResponseHead& h = call.head->value();
    Response r;
    r.status = h.status;
    for (auto& [k, v] : h.headers) r.headers.emplace_back(k, v);
    r.length = h.body->length();
    r.trailers = [body = h.body] { return body->trailers(); };
    auto stall = call.config->body_stall;
    r.source = [body = h.body, stall, call = m_call](char* buf, size_t max) -> long {
      auto cut = [&](const std::string& why) {
        call->log("response body cut off: " + printable(why));
        call->count("body");
        return -1L;
      };
      for (;;) {
        std::string got = body->take(max);
        if (!got.empty()) {
          std::memcpy(buf, got.data(), got.size());
          return long(got.size());
        }
        switch (body->state()) {
          case BodyChannel::State::Finished: return 0;
          case BodyChannel::State::Failed: return cut(body->failure());
          case BodyChannel::State::Open: break;
        }
        if (!body->wait_readable(std::chrono::steady_clock::now() + stall))
          return cut(fmt::format("no body bytes from the handler for {} ms", stall.count()));
      }
    };
    return r;
  }

 private:
  std::shared_ptr<Call> m_call;
  bool m_started = false;
};

}  // namespace

std::expected<std::string, std::string> http_handler_export(const runner::Program& program) {
  if (!program.component) return std::unexpected(program.name + ": not a component");
  for (const component::Export& e : program.component->exports)
    if (e.name.name.starts_with("wasi:http/incoming-handler@0.2.") || e.name.name.starts_with("wasi:http/handler@0.3."))
      return e.name.name + "#handle";
  return std::unexpected(program.name + ": the component exports no wasi:http/incoming-handler@0.2.x (the wasi:http/proxy world) nor wasi:http/handler@0.3.x (wasi:http/service)");
}

StreamingHandler make_component_handler(ComponentHandlerConfig config) {
  auto c = std::make_shared<const ComponentHandlerConfig>(std::move(config));
  auto export_name = http_handler_export(*c->program);
  auto workers = std::make_shared<WorkerPool>(c->stack_bytes, c->workers ? c->workers : default_worker_count());
  return [c, workers, name = export_name.value_or("")](const Request& req) -> std::unique_ptr<StreamedExchange> {
    auto call = std::make_shared<Call>();
    call->config = c;
    call->export_name = name;
    call->method = req.method;
    call->target = req.target;
    auto r = std::make_shared<http::IncomingRequest>();
    r->method = req.method;
    r->path_with_query = req.target;
    r->body = call->request_body;
    bool ok = valid_utf8(req.target) && http::valid_field_name(req.method);
    for (const auto& [k, v] : req.headers) {
      if (!http::valid_field_name(k) || !http::valid_field_value(v)) ok = false;
      std::string n = http::lower(k);
      if (n == "host") r->authority = v;
      if (!http::forbidden_field(n)) r->headers.entries.emplace_back(std::move(n), v);
    }
    if (r->authority.empty()) r->authority = "localhost";
    call->request = std::move(r);
    if (!ok) return answer_with(plain(400, "malformed request (bytes that are not UTF-8 or not allowed in a field)"));
    auto x = std::make_unique<ComponentExchange>(call);
    if (!x->start(*workers)) {
      call->log("cannot start a thread for the request");
      return answer_with(plain(503, "server busy"));
    }
    return x;
  };
}

}  // namespace wsvm::serve

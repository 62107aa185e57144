// wasi:http/types@0.3.0: fields (the 0.2 host's, same table and rules: p2/define_http.cpp),
// request-options, and request and response as the guest builds them: a head (method, path,
// scheme, authority or status; headers, immutable once in a message), a body that is the
// guest's own stream<u8>, trailers that are its future, and the future `new` returns, which
// says how sending the message went; wasi:http/client's send over the embedder's HTTP
// client; and what a server needs to serve wasi:http/handler (http_server.hpp).
#include <cctype>
#include <cstring>

#include "wasi/p2/http_types.hpp"
#include "wasi/p2/http_body.hpp"
#include "wasi/p3/define.hpp"
#include "wasi/p3/http_server.hpp"
#include "wasi/p3/pump.hpp"

namespace wsvm::wasi::p3 {

using component::AbiResult;
using component::HostCall;
using component::SharedChannel;
using component::Val;
using Vals = std::vector<Val>;
namespace http = p2::http;

namespace {

// A message the guest built: its headers, and its body and trailers as the guest's channels.
struct Message : p2::Resource {
  std::shared_ptr<http::FieldList> headers;
  std::shared_ptr<SharedChannel> contents;  // null: no body
  std::shared_ptr<SharedChannel> trailers;
  std::shared_ptr<SharedChannel> sent;  // the future `new` returned
  // A request a server received: its body and trailers come from here (channels for them are
  // made when the guest consumes the body, with the types of its consume-body import).
  std::shared_ptr<p2::BodyChannel> source;
  bool consumed = false;
  // A message dropped unsent: the guest's ends of its channels see the host's dropped.
  ~Message() override {
    if (sent) sent->drop();
    if (contents && !consumed) contents->drop();
    if (trailers && !consumed) trailers->drop();
  }
};

struct Options : p2::Resource {
  std::optional<uint64_t> timeouts[3];  // connect, first byte, between bytes
  bool immutable = false;
};

struct Request : Message {
  uint32_t method = 0;  // get .. patch, 9: other
  std::string method_other;
  std::optional<std::string> path_with_query;
  std::optional<uint32_t> scheme;  // 0 HTTP, 1 HTTPS, 2 other
  std::string scheme_other;
  std::optional<std::string> authority;
  std::shared_ptr<Options> options;  // null: none
};

struct Response : Message {
  uint16_t status = 200;
};

constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

// RFC 9110 token characters: a method name is a token.
bool token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos)) return false;
  return true;
}

// RFC 3986 characters of a path with a query (pchar, '/', '?'), and raw UTF-8.
bool path_ok(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80 || std::isalnum(c)) continue;
    if (std::string_view("-._~%!$&'()*+,;=:@/?").find(char(c)) == std::string_view::npos) return false;
  }
  return true;
}

// [userinfo@]host[:port]: host a non-empty reg-name (or an [IP-literal]), port digits.
bool authority_ok(std::string_view a) {
  auto allowed = [](std::string_view s, std::string_view extra) {
    for (unsigned char c : s)
      if (!std::isalnum(c) && std::string_view("-._~%!$&'()*+,;=").find(char(c)) == std::string_view::npos &&
          extra.find(char(c)) == std::string_view::npos)
        return false;
    return true;
  };
  if (auto at = a.rfind('@'); at != std::string_view::npos) {
    if (!allowed(a.substr(0, at), ":")) return false;
    a = a.substr(at + 1);
  }
  std::string_view host = a, port;
  if (!a.empty() && a.front() == '[') {
    auto close = a.find(']');
    if (close == std::string_view::npos) return false;
    host = a.substr(0, close + 1);
    if (close + 1 < a.size()) {
      if (a[close + 1] != ':') return false;
      port = a.substr(close + 2);
    }
    if (!allowed(host.substr(1, host.size() - 2), ":")) return false;
  } else {
    if (auto colon = a.rfind(':'); colon != std::string_view::npos) host = a.substr(0, colon), port = a.substr(colon + 1);
    if (host.empty() || !allowed(host, "")) return false;
  }
  return port.find_first_not_of("0123456789") == std::string_view::npos && port.size() <= 5;
}

bool scheme_ok(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

Val opt_string(const std::optional<std::string>& s) { return s ? Val::some(Val::string(*s)) : Val::none(); }

// The disc of a method name (9: other).
uint32_t method_disc(std::string_view name) {
  for (uint32_t i = 0; i < 9; ++i)
    if (name == kMethods[i]) return i;
  return 9;
}

// A future<result<option<trailers>, error-code>> resolved as a body channel ended: its
// trailers (none when it had none), or the body's failure.
void resolve_trailers(p2::Host& h, const std::shared_ptr<SharedChannel>& fut, p2::BodyChannel& body) {
  Val v = Val::ok({Val::none()});
  if (body.state() == p2::BodyChannel::State::Failed) {
    v = Val::err({http::ErrorCode{http::ErrorCode::HttpProtocolError, body.failure(), {}}.to_val()});
  } else if (auto t = body.trailers(); !t.empty()) {
    auto list = std::make_shared<http::FieldList>();
    list->entries = std::move(t);
    if (auto handle = h.own(std::make_shared<http::Fields>(std::move(list), true))) v = Val::ok({Val::some(*handle)});
  }
  component::host_write(fut, Vals{std::move(v)}, [](uint32_t, component::CopyResult) {});
}

// consume-body of a request a server received: a stream the body is pumped into as the
// guest reads, and the trailers future, resolved once the body ended.
Val consume_source(p2::Host& h, const HostCall& c, std::shared_ptr<p2::BodyChannel> source) {
  auto data = component::make_channel(false, result_elem(c.f, 0));
  auto fut = component::make_channel(true, result_elem(c.f, 1));
  pump_in(std::make_shared<p2::ChannelInputStream>(source), data,
          [&h, fut, source](int) { resolve_trailers(h, fut, *source); });
  return Val::tuple({component::readable_end(data), component::readable_end(fut)});
}


// The future `new` returned: ok once the message's body went out, else why not.
void resolve_sent(const std::shared_ptr<SharedChannel>& sent, const std::optional<std::string>& failure) {
  resolve_result_future(sent, failure ? std::optional(http::ErrorCode{http::ErrorCode::InternalError, *failure, {}}.to_val())
                                      : std::nullopt);
}

// Moves the body the guest writes into message `m`'s stream into `body` (a channel another
// thread reads: the server's connection, the HTTP client), then its trailers future's fields
// after it; `ended` hears how it went (a failure: why), once.
void stream_body(p2::Host& h, Message& m, std::shared_ptr<p2::BodyChannel> body,
                 std::function<void(std::optional<std::string>)> ended) {
  m.consumed = true;  // its channels are the host's now
  auto finish = [body, ended](std::optional<std::string> failure) {
    if (!failure) failure = body->finish();
    ended(failure);
  };
  auto read_trailers = [&h, body, finish, trailers = m.trailers] {
    if (!trailers) return finish(std::nullopt);
    component::host_read(trailers, 1, [&h, body, finish](component::HostData got, component::CopyResult) {
      if (got.vals.empty()) return finish(std::nullopt);
      const Val& v = got.vals[0];
      if (v.disc != 0) return finish(http::ErrorCode::from_val(v.items.at(0)).describe());
      if (!v.items.empty() && v.items[0].disc == 1) {
        if (auto f = h.take<http::Fields>(v.items[0].items.at(0))) body->set_trailers((*f)->list->entries);
      }
      finish(std::nullopt);
    });
  };
  if (!m.contents) return read_trailers();
  pump_out(m.contents, std::make_shared<p2::ChannelOutputStream>(body), [read_trailers, finish](int err) {
    if (err) return finish(std::string("the body could not be passed on: ") + std::strerror(err));
    read_trailers();
  });
}

// A declared content-length among the fields (a valid one only).
std::optional<uint64_t> content_length(const http::FieldList& l) {
  for (const auto& [k, v] : l.entries)
    if (k == "content-length" && !v.empty() && v.size() <= 19 && v.find_first_not_of("0123456789") == std::string::npos)
      return std::stoull(v);
  return std::nullopt;
}

// client.send: the request goes to the embedder's HTTP client (HostOptions::http_client, only
// to hosts in http_allow, as for 0.2's outgoing-handler); the body follows as the guest writes
// it; the call resolves when the response head is in (the client's thread signals an eventfd
// the event loop watches), its body read as the guest consumes it.
void define_client(component::ComponentLinker& l, p2::Host& h) {
  l.define_instance_async_func(iface("wasi:http/client"), "send", [&h](HostCall c) -> std::optional<Trap> {
    auto got = h.take<Request>(c.args.at(0));
    if (!got) return got.error();
    std::shared_ptr<Request> r = *got;
    auto sent = std::exchange(r->sent, nullptr);
    auto fail = [&](uint32_t code, std::string why) {
      http::ErrorCode e{code, std::move(why), {}};
      if (sent) resolve_sent(sent, e.detail);
      return c.resolve(Vals{Val::err({e.to_val()})});
    };
    if (!r->authority) return fail(http::ErrorCode::HttpRequestUriInvalid, "no authority");
    uint32_t scheme = r->scheme.value_or(1);
    if (scheme == 2) return fail(http::ErrorCode::HttpProtocolError, "scheme '" + r->scheme_other + "' is not http or https");
    http::OutgoingCall call;
    call.scheme = scheme == 0 ? "http" : "https";
    call.authority = *r->authority;
    call.method = r->method == 9 ? r->method_other : kMethods[r->method];
    call.path_with_query = r->path_with_query.value_or("/");
    if (!call.path_with_query.starts_with('/')) call.path_with_query.insert(0, "/");
    call.headers = r->headers->entries;
    if (r->options) {
      call.options.connect_timeout_ns = r->options->timeouts[0];
      call.options.first_byte_timeout_ns = r->options->timeouts[1];
      call.options.between_bytes_timeout_ns = r->options->timeouts[2];
    }
    const p2::HostOptions& o = h.options();
    if (!o.http_client || !http::host_allowed(o.http_allow, call.authority, call.scheme)) {
      std::string why = o.http_client ? "not an allowed host" : "no outgoing HTTP here";
      if (o.http_denied) o.http_denied("outgoing HTTP to " + call.scheme + "://" + call.authority + " denied: " + why);
      return fail(http::ErrorCode::HttpRequestDenied, call.authority + ": " + why);
    }
    auto body = std::make_shared<p2::BodyChannel>(size_t{1} << 20, content_length(*r->headers));
    call.body = body;
    if (r->contents) {
      stream_body(h, *r, body, [body, sent](std::optional<std::string> failure) {
        if (failure) body->fail(*failure);
        if (sent) resolve_sent(sent, failure);
      });
    } else {
      // No body: the client knows so before it starts (a GET or HEAD goes without one);
      // trailers cannot follow a request without a body.
      body->finish();
      if (sent) resolve_sent(sent, std::nullopt);
    }
    auto pending = std::make_shared<http::PendingResponse>();
    o.http_client->start(std::move(call), pending);
    auto resolve = c.resolve;
    auto wait = std::make_shared<std::function<void()>>();
    auto cancel = std::make_shared<CancelWait>();
    *wait = [&h, pending, resolve, wait, cancel] {
      auto result = pending->get();
      if (!result) {  // not yet (a wakeup for something else)
        *cancel = when_ready(pending->readiness(), [wait] { (*wait)(); });
        return;
      }
      auto done = resolve;
      p2::Host* host = &h;
      auto self = wait;
      *self = nullptr;  // no cycle from here (this closure and its captures are gone now)
      if (!*result) {
        (void)done(Vals{Val::err({result->error().to_val()})});
        return;
      }
      const http::IncomingResponse& in = *result->value();
      auto resp = std::make_shared<Response>();
      resp->status = in.status;
      resp->headers = std::make_shared<http::FieldList>(in.headers);
      resp->source = in.body ? in.body : std::make_shared<p2::BodyChannel>();
      if (!in.body) resp->source->finish();
      auto handle = host->own(std::move(resp));
      if (!handle) return (void)done(Vals{Val::err({http::ErrorCode{http::ErrorCode::InternalError, "too many resources", {}}.to_val()})});
      (void)done(Vals{Val::ok({*handle})});
    };
    (*wait)();
    *c.cancel = [wait, cancel, resolve] {
      if (!*wait) return;
      if (*cancel) (*cancel)();
      *wait = nullptr;
      (void)resolve(std::nullopt);
    };
    return std::nullopt;
  });
}

}  // namespace

void define_http(component::ComponentLinker& l, p2::Host& h) {
  const std::string types = iface("wasi:http/types");
  // fields: the 0.2 host's (entries became copy-all).
  reuse_p2(l, "wasi:http/types", "wasi:http/types",
           {{"[constructor]fields", "[constructor]fields"}, {"[static]fields.from-list", "[static]fields.from-list"},
            {"[method]fields.get", "[method]fields.get"}, {"[method]fields.has", "[method]fields.has"},
            {"[method]fields.set", "[method]fields.set"}, {"[method]fields.delete", "[method]fields.delete"},
            {"[method]fields.append", "[method]fields.append"}, {"[method]fields.entries", "[method]fields.copy-all"},
            {"[method]fields.clone", "[method]fields.clone"}});
  // 0.3 forbids three more names than 0.2 (wasmtime's list, which the testsuite checks):
  // set, append and from-list refuse them before the 0.2 function sees the call.
  auto extra_forbidden = [](std::string_view name) {
    std::string n = http::lower(name);
    return n == "host" || n == "proxy-authenticate" || n == "proxy-authorization";
  };
  if (const auto* p2_fns = l.instance(p2::iface("wasi:http/types"))) {
    for (auto [name, list] : {std::pair{"[method]fields.set", false}, std::pair{"[method]fields.append", false},
                              std::pair{"[static]fields.from-list", true}}) {
      auto it = p2_fns->find(name);
      if (it == p2_fns->end()) continue;
      l.define_instance_func(types, name, [f = it->second, list, extra_forbidden](std::span<const Val> a) -> AbiResult<Vals> {
        bool refused = false;
        if (list)
          for (const Val& t : a[0].items) refused = refused || extra_forbidden(t.items.at(0).str);
        else
          refused = extra_forbidden(a[1].str);
        if (refused) return Vals{Val::err({Val::variant(1)})};  // forbidden
        return f(a);
      });
    }
  }
  auto drop = [&h](uint32_t rep) { h.table().remove(rep); };
  for (const char* r : {"fields", "request", "response", "request-options"}) l.define_resource_dtor(types, r, drop);
  auto fn = [&](const std::string& name, component::HostFn f) { l.define_instance_func(types, name, std::move(f)); };
  auto fields_of = [&h](const Val& v) { return h.get<http::Fields>(v); };

  // get-and-delete: what get gives, then delete (0.3 only).
  fn("[method]fields.get-and-delete", [fields_of](std::span<const Val> a) -> AbiResult<Vals> {
    auto f = fields_of(a[0]);
    if (!f) return std::unexpected(f.error());
    if ((*f)->immutable) return Vals{Val::err({Val::variant(2)})};
    if (!p2::http::valid_field_name(a[1].str)) return Vals{Val::err({Val::variant(0)})};
    std::string name = http::lower(a[1].str);
    Vals out;
    std::erase_if((*f)->list->entries, [&](const auto& e) {
      if (e.first != name) return false;
      out.push_back(p2::bytes_val(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(e.second.data()), e.second.size())));
      return true;
    });
    return Vals{Val::ok({Val::list(std::move(out))})};
  });

  // ---- request-options
  fn("[constructor]request-options", [&h](std::span<const Val>) -> AbiResult<Vals> {
    return Vals{WSVM_TRY(h.own(std::make_shared<Options>()))};
  });
  fn("[method]request-options.clone", [&h](std::span<const Val> a) -> AbiResult<Vals> {
    auto o = std::make_shared<Options>(*WSVM_TRY(h.get<Options>(a[0])));
    o->immutable = false;
    return Vals{WSVM_TRY(h.own(std::move(o)))};
  });
  const char* timeouts[] = {"connect-timeout", "first-byte-timeout", "between-bytes-timeout"};
  for (size_t i = 0; i < 3; ++i) {
    fn(std::string("[method]request-options.get-") + timeouts[i], [&h, i](std::span<const Val> a) -> AbiResult<Vals> {
      auto& t = WSVM_TRY(h.get<Options>(a[0]))->timeouts[i];
      return Vals{t ? Val::some(Val::u64(*t)) : Val::none()};
    });
    fn(std::string("[method]request-options.set-") + timeouts[i], [&h, i](std::span<const Val> a) -> AbiResult<Vals> {
      auto o = WSVM_TRY(h.get<Options>(a[0]));
      if (o->immutable) return Vals{Val::err({Val::variant(1)})};
      o->timeouts[i] = a[1].disc == 1 ? std::optional(a[1].items.at(0).u) : std::nullopt;
      return Vals{Val::ok()};
    });
  }

  // ---- request and response: new (headers, contents, trailers [, options]) and the head.
  // The headers leave the guest's table (an own handle) and are immutable from here.
  auto make = [&h](HostCall& c, Message& m) -> std::optional<Trap> {
    auto fields = h.take<http::Fields>(c.args.at(0));
    if (!fields) return fields.error();
    m.headers = std::make_shared<http::FieldList>(*(*fields)->list);
    if (c.args.at(1).disc == 1) m.contents = component::channel_of(c.args.at(1).items.at(0));
    m.trailers = component::channel_of(c.args.at(2));
    m.sent = component::make_channel(true, result_elem(c.f, 1));
    return std::nullopt;
  };
  // new's results: the message (now the guest's) and the future of how sending it went.
  auto made = [&h](HostCall& c, std::shared_ptr<Message> m) -> std::optional<Trap> {
    auto sent = m->sent;
    auto handle = h.own(std::move(m));
    if (!handle) return handle.error();
    return c.resolve(Vals{Val::tuple({*handle, component::readable_end(sent)})});
  };
  l.define_instance_async_func(types, "[static]request.new", [&h, make, made](HostCall c) -> std::optional<Trap> {
    auto r = std::make_shared<Request>();
    if (auto t = make(c, *r)) return t;
    if (c.args.at(3).disc == 1) {
      auto o = h.take<Options>(c.args.at(3).items.at(0));
      if (!o) return o.error();
      r->options = *o;
      r->options->immutable = true;
    }
    return made(c, std::move(r));
  });
  l.define_instance_async_func(types, "[static]response.new", [make, made](HostCall c) -> std::optional<Trap> {
    auto r = std::make_shared<Response>();
    if (auto t = make(c, *r)) return t;
    return made(c, std::move(r));
  });
  for (const char* r : {"request", "response"}) {
    fn(std::string("[method]") + r + ".get-headers", [&h](std::span<const Val> a) -> AbiResult<Vals> {
      auto m = WSVM_TRY(h.get<Message>(a[0]));
      return Vals{WSVM_TRY(h.own(std::make_shared<http::Fields>(std::make_shared<http::FieldList>(*m->headers), true)))};
    });
    // consume-body: the body and trailers the message carries, once; `res` (how the consumer
    // fared) is the sender's to read, and a message the guest built has none: it is dropped.
    l.define_instance_async_func(types, std::string("[static]") + r + ".consume-body", [&h](HostCall c) -> std::optional<Trap> {
      auto m = h.take<Message>(c.args.at(0));
      if (!m) return m.error();
      if (auto res = component::channel_of(c.args.at(1))) res->drop();
      if ((*m)->source) return c.resolve(Vals{consume_source(h, c, (*m)->source)});
      auto body = (*m)->contents, trailers = (*m)->trailers;
      (*m)->consumed = true;
      if (!body) {
        body = component::make_channel(false, result_elem(c.f, 0));
        body->drop();
      }
      return c.resolve(Vals{Val::tuple({component::readable_end(body), component::readable_end(trailers)})});
    });
  }
  auto req = [&h](const Val& v) { return h.get<Request>(v); };
  fn("[method]request.get-method", [req](std::span<const Val> a) -> AbiResult<Vals> {
    auto r = WSVM_TRY(req(a[0]));
    return Vals{r->method == 9 ? Val::variant(9, {Val::string(r->method_other)}) : Val::variant(r->method)};
  });
  fn("[method]request.set-method", [req](std::span<const Val> a) -> AbiResult<Vals> {
    auto r = WSVM_TRY(req(a[0]));
    uint32_t m = a[1].disc;
    if (m == 9) {
      const std::string& name = a[1].items.at(0).str;
      if (!token(name)) return Vals{Val::err()};
      // other("GET") is get: one method, one spelling.
      m = method_disc(name);
      if (m == 9) r->method_other = name;
    }
    r->method = m;
    return Vals{Val::ok()};
  });
  fn("[method]request.get-scheme", [req](std::span<const Val> a) -> AbiResult<Vals> {
    auto r = WSVM_TRY(req(a[0]));
    if (!r->scheme) return Vals{Val::none()};
    return Vals{Val::some(*r->scheme == 2 ? Val::variant(2, {Val::string(r->scheme_other)}) : Val::variant(*r->scheme))};
  });
  fn("[method]request.set-scheme", [req](std::span<const Val> a) -> AbiResult<Vals> {
    auto r = WSVM_TRY(req(a[0]));
    if (a[1].disc == 0) {
      r->scheme.reset();
      return Vals{Val::ok()};
    }
    const Val& s = a[1].items.at(0);
    uint32_t k = s.disc;
    if (k == 2) {
      const std::string& o = s.items.at(0).str;
      if (!scheme_ok(o)) return Vals{Val::err()};
      // other("http") is HTTP.
      if (o == "http") k = 0;
      else if (o == "https") k = 1;
      else r->scheme_other = o;
    }
    r->scheme = k;
    return Vals{Val::ok()};
  });
  // The head's optional strings: get-X, and set-X checked by `valid` (a bad one: err).
  auto string_field = [&](const std::string& name, std::optional<std::string> Request::*field, auto valid) {
    fn("[method]request.get-" + name, [req, field](std::span<const Val> a) -> AbiResult<Vals> {
      return Vals{opt_string((*WSVM_TRY(req(a[0]))).*field)};
    });
    fn("[method]request.set-" + name, [req, field, valid](std::span<const Val> a) -> AbiResult<Vals> {
      auto r = WSVM_TRY(req(a[0]));
      if (a[1].disc == 0) {
        ((*r).*field).reset();
        return Vals{Val::ok()};
      }
      auto v = valid(a[1].items.at(0).str);
      if (!v) return Vals{Val::err()};
      (*r).*field = std::move(*v);
      return Vals{Val::ok()};
    });
  };
  string_field("path-with-query", &Request::path_with_query, [](const std::string& p) -> std::optional<std::string> {
    if (!path_ok(p)) return std::nullopt;
    return p.empty() ? "/" : p;
  });
  string_field("authority", &Request::authority, [](const std::string& a) -> std::optional<std::string> {
    if (!authority_ok(a)) return std::nullopt;
    return a;
  });
  // get-options: the options as `new` took them, immutable (a copy: the request keeps its own).
  fn("[method]request.get-options", [&h, req](std::span<const Val> a) -> AbiResult<Vals> {
    auto r = WSVM_TRY(req(a[0]));
    if (!r->options) return Vals{Val::none()};
    return Vals{Val::some(WSVM_TRY(h.own(std::make_shared<Options>(*r->options))))};
  });
  fn("[method]response.get-status-code", [&h](std::span<const Val> a) -> AbiResult<Vals> {
    return Vals{Val::u16(WSVM_TRY(h.get<Response>(a[0]))->status)};
  });
  fn("[method]response.set-status-code", [&h](std::span<const Val> a) -> AbiResult<Vals> {
    auto r = WSVM_TRY(h.get<Response>(a[0]));
    if (a[1].u < 100 || a[1].u > 599) return Vals{Val::err()};
    r->status = uint16_t(a[1].u);
    return Vals{Val::ok()};
  });
  define_client(l, h);
}

component::AbiResult<Val> incoming_request(p2::Host& h, const std::shared_ptr<http::IncomingRequest>& req) {
  auto r = std::make_shared<Request>();
  r->method = method_disc(req->method);
  if (r->method == 9) r->method_other = req->method;
  r->path_with_query = req->path_with_query;
  r->scheme = req->scheme == "https" ? 1u : req->scheme == "http" ? 0u : 2u;
  r->scheme_other = req->scheme;
  r->authority = req->authority;
  r->headers = std::make_shared<http::FieldList>(req->headers);
  r->source = req->body ? req->body : std::make_shared<p2::BodyChannel>();
  if (!req->body) r->source->finish();
  return h.own(std::move(r));
}

std::expected<http::ResponseHead, http::ErrorCode> outgoing_response(p2::Host& h, const Val& result, std::shared_ptr<bool> done) {
  if (result.disc != 0) {
    *done = true;
    return std::unexpected(http::ErrorCode::from_val(result.items.at(0)));
  }
  auto got = h.take<Response>(result.items.at(0));
  if (!got) {
    *done = true;
    return std::unexpected(http::ErrorCode{http::ErrorCode::InternalError, "the handler's response is not a response", {}});
  }
  std::shared_ptr<Response> r = *got;
  http::ResponseHead head;
  head.status = r->status;
  head.headers = r->headers->entries;
  auto body = std::make_shared<p2::BodyChannel>(size_t{1} << 20, content_length(*r->headers));
  head.body = body;
  stream_body(h, *r, body, [body, done, sent = r->sent](std::optional<std::string> failure) {
    if (failure) body->fail(*failure);
    if (sent) resolve_sent(sent, failure);
    *done = true;
  });
  return head;
}

}  // namespace wsvm::wasi::p3

// wasi:http/types and wasi:http/outgoing-handler over the objects of http_types.hpp.
// Handles the guest passes as `own` leave the table here (Host::take); `borrow`s stay.
#include <fmt/format.h>

#include "wasi/p2/define.hpp"
#include "wasi/p2/http_types.hpp"

namespace wsvm::wasi::p2 {

using namespace http;

namespace {

// header-error's cases.
constexpr uint32_t kInvalidSyntax = 0, kForbidden = 1, kImmutable = 2;
// Fields one set may hold in all (names and values): beyond, the host call traps rather
// than grow host memory for a guest with little memory of its own.
constexpr size_t kMaxFieldBytes = size_t{1} << 20;
// A body buffered between the guest and the other side before the writer waits.
constexpr size_t kBodyBuffer = size_t{1} << 20;

Val header_error(uint32_t c) { return Val::err({Val::variant(c)}); }

size_t field_bytes(const FieldList& l) {
  size_t n = 0;
  for (const auto& [k, v] : l.entries) n += k.size() + v.size();
  return n;
}

AbiResult<void> check_size(const FieldList& l) {
  if (field_bytes(l) > kMaxFieldBytes)
    return std::unexpected(component::abi_trap("wasi:http: a fields set over 1 MiB"));
  return {};
}

std::string as_string(const Val& list_u8) {
  std::string s(list_u8.list_size(), '\0');
  for (size_t i = 0; i < s.size(); ++i) s[i] = char(list_u8.byte_at(i));
  return s;
}

Val value_val(const std::string& v) {
  return bytes_val(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
}

// A checked (name, value) or the header-error case.
std::expected<std::pair<std::string, std::string>, uint32_t> checked_field(const std::string& name, std::string value) {
  if (!valid_field_name(name) || !valid_field_value(value)) return std::unexpected(kInvalidSyntax);
  std::string n = lower(name);
  if (forbidden_field(n)) return std::unexpected(kForbidden);
  return std::pair{std::move(n), std::move(value)};
}

// The method variant (get .. patch, other(string)) from a name, and back.
Val method_val(const std::string& m) {
  static constexpr const char* kNames[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (uint32_t i = 0; i < 9; ++i)
    if (m == kNames[i]) return Val::variant(i);
  return Val::variant(9, {Val::string(m)});
}

Val scheme_val(uint32_t c, const std::string& other) {
  return c == 2 ? Val::variant(2, {Val::string(other)}) : Val::variant(c);
}

// A declared content-length among the fields (a valid one only).
std::optional<uint64_t> content_length(const FieldList& l) {
  for (const auto& [k, v] : l.entries)
    if (k == "content-length" && !v.empty() && v.size() <= 19 && v.find_first_not_of("0123456789") == std::string::npos)
      return std::stoull(v);
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> copy_entries(const FieldList& l) { return l.entries; }

// The body of a message being sent: the one the guest writes, or, when it never asked for
// one, an empty one (a short one if a length was declared: the reader then hears so).
template <class M>
std::shared_ptr<BodyChannel> sent_body(M& m) {
  if (!m.body_taken) {
    m.body = std::make_shared<BodyChannel>(kBodyBuffer, content_length(*m.headers));
    m.body->finish();
  }
  return m.body;
}

Val opt_duration(const std::optional<uint64_t>& d) { return d ? Val::some(Val::u64(*d)) : Val::none(); }

}  // namespace

void Host::define_http(component::ComponentLinker& l) {
  auto drop = [this](uint32_t rep) { m_table.remove(rep); };
  const std::string types = iface("wasi:http/types");
  for (const char* r : {"fields", "incoming-request", "outgoing-request", "request-options", "response-outparam",
                        "incoming-response", "incoming-body", "future-trailers", "outgoing-response", "outgoing-body",
                        "future-incoming-response"})
    l.define_resource_dtor(types, r, drop);
  auto fn = [&](const std::string& name, component::HostFn f) { l.define_instance_func(types, name, std::move(f)); };
  auto immutable_fields = [this](std::shared_ptr<FieldList> list) { return own(std::make_shared<Fields>(std::move(list), true)); };
  // headers() and consume() of a message the guest receives (request or response).
  auto incoming_message = [&]<class M>(const std::string& resource) {
    fn("[method]" + resource + ".headers", [this, immutable_fields](std::span<const Val> a) -> AbiResult<Vals> {
      auto r = WSVM_TRY(get<M>(a[0]));
      return ret(WSVM_TRY(immutable_fields(std::make_shared<FieldList>(r->headers))));
    });
    fn("[method]" + resource + ".consume", WASI_P2_FN {
      auto r = WSVM_TRY(get<M>(a[0]));
      if (r->consumed) return ret(Val::err());
      r->consumed = true;
      return ret(Val::ok({WSVM_TRY(own(std::make_shared<IncomingBody>(r->body, r)))}));
    });
  };
  // headers() and body() of a message the guest sends; its body has the declared length.
  auto outgoing_message = [&]<class M>(const std::string& resource, bool request) {
    fn("[method]" + resource + ".headers", [this, immutable_fields](std::span<const Val> a) -> AbiResult<Vals> {
      return ret(WSVM_TRY(immutable_fields(WSVM_TRY(get<M>(a[0]))->headers)));
    });
    fn("[method]" + resource + ".body", [this, request](std::span<const Val> a) -> AbiResult<Vals> {
      auto r = WSVM_TRY(get<M>(a[0]));
      if (r->body_taken) return ret(Val::err());
      r->body_taken = true;
      r->body = std::make_shared<BodyChannel>(kBodyBuffer, content_length(*r->headers));
      return ret(Val::ok({WSVM_TRY(own(std::make_shared<OutgoingBody>(r->body, request)))}));
    });
  };

  // ---- fields
  fn("[constructor]fields", WASI_P2_FN { return ret(WSVM_TRY(own(std::make_shared<Fields>(std::make_shared<FieldList>())))); });
  fn("[static]fields.from-list", WASI_P2_FN {
    auto list = std::make_shared<FieldList>();
    for (const Val& t : a[0].items) {
      auto f = checked_field(t.items[0].str, as_string(t.items[1]));
      if (!f) return ret(header_error(f.error()));
      list->entries.push_back(std::move(*f));
    }
    WSVM_TRY_VOID(check_size(*list));
    return ret(Val::ok({WSVM_TRY(own(std::make_shared<Fields>(std::move(list))))}));
  });
  fn("[method]fields.get", WASI_P2_FN {
    auto f = WSVM_TRY(get<Fields>(a[0]));
    std::string name = lower(a[1].str);
    Vals out;
    for (const auto& [k, v] : f->list->entries)
      if (k == name) out.push_back(value_val(v));
    return ret(Val::list(std::move(out)));
  });
  fn("[method]fields.has", WASI_P2_FN {
    auto f = WSVM_TRY(get<Fields>(a[0]));
    std::string name = lower(a[1].str);
    for (const auto& e : f->list->entries)
      if (e.first == name) return ret(Val::boolean(true));
    return ret(Val::boolean(false));
  });
  fn("[method]fields.set", WASI_P2_FN {
    auto f = WSVM_TRY(get<Fields>(a[0]));
    if (f->immutable) return ret(header_error(kImmutable));
    std::vector<std::pair<std::string, std::string>> added;
    for (const Val& v : a[2].items) {
      auto e = checked_field(a[1].str, as_string(v));
      if (!e) return ret(header_error(e.error()));
      added.push_back(std::move(*e));
    }
    if (a[2].items.empty()) {
      auto e = checked_field(a[1].str, "");
      if (!e) return ret(header_error(e.error()));
    }
    std::string name = lower(a[1].str);
    std::erase_if(f->list->entries, [&](const auto& e) { return e.first == name; });
    for (auto& e : added) f->list->entries.push_back(std::move(e));
    WSVM_TRY_VOID(check_size(*f->list));
    return ret(Val::ok());
  });
  fn("[method]fields.delete", WASI_P2_FN {
    auto f = WSVM_TRY(get<Fields>(a[0]));
    if (f->immutable) return ret(header_error(kImmutable));
    auto e = checked_field(a[1].str, "");
    if (!e) return ret(header_error(e.error()));
    std::erase_if(f->list->entries, [&](const auto& x) { return x.first == e->first; });
    return ret(Val::ok());
  });
  fn("[method]fields.append", WASI_P2_FN {
    auto f = WSVM_TRY(get<Fields>(a[0]));
    if (f->immutable) return ret(header_error(kImmutable));
    auto e = checked_field(a[1].str, as_string(a[2]));
    if (!e) return ret(header_error(e.error()));
    f->list->entries.push_back(std::move(*e));
    WSVM_TRY_VOID(check_size(*f->list));
    return ret(Val::ok());
  });
  fn("[method]fields.entries", WASI_P2_FN {
    auto f = WSVM_TRY(get<Fields>(a[0]));
    Vals out;
    for (const auto& [k, v] : f->list->entries) out.push_back(Val::tuple({Val::string(k), value_val(v)}));
    return ret(Val::list(std::move(out)));
  });
  fn("[method]fields.clone", WASI_P2_FN {
    auto f = WSVM_TRY(get<Fields>(a[0]));
    return ret(WSVM_TRY(own(std::make_shared<Fields>(std::make_shared<FieldList>(*f->list)))));
  });

  // ---- incoming-request (made by a server)
  fn("[method]incoming-request.method", WASI_P2_FN { return ret(method_val(WSVM_TRY(get<IncomingRequest>(a[0]))->method)); });
  fn("[method]incoming-request.path-with-query", WASI_P2_FN {
    return ret(Val::some(Val::string(WSVM_TRY(get<IncomingRequest>(a[0]))->path_with_query)));
  });
  fn("[method]incoming-request.scheme", WASI_P2_FN {
    auto r = WSVM_TRY(get<IncomingRequest>(a[0]));
    return ret(Val::some(r->scheme == "https" ? Val::variant(1) : r->scheme == "http" ? Val::variant(0) : scheme_val(2, r->scheme)));
  });
  fn("[method]incoming-request.authority", WASI_P2_FN {
    return ret(Val::some(Val::string(WSVM_TRY(get<IncomingRequest>(a[0]))->authority)));
  });
  incoming_message.template operator()<IncomingRequest>("incoming-request");

  // ---- incoming-body, future-trailers
  fn("[method]incoming-body.stream", WASI_P2_FN {
    auto b = WSVM_TRY(get<IncomingBody>(a[0]));
    if (b->stream_taken) return ret(Val::err());
    b->stream_taken = true;
    return ret(Val::ok({WSVM_TRY(own(std::make_shared<ChannelInputStream>(b->channel)))}));
  });
  fn("[static]incoming-body.finish", WASI_P2_FN {
    auto b = WSVM_TRY(take<IncomingBody>(a[0]));
    auto t = std::make_shared<FutureTrailers>();
    t->channel = b->channel;
    // The rest of the body is not for the guest any more: only its end and its trailers.
    if (t->channel) t->channel->discard();
    return ret(WSVM_TRY(own(std::move(t))));
  });
  // Ready once the body has ended (its trailers come after it): trailers, none, or the
  // body's error.
  fn("[method]future-trailers.subscribe", WASI_P2_FN {
    auto t = WSVM_TRY(get<FutureTrailers>(a[0]));
    auto c = t->channel;
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([c] { return c ? c->readable_readiness() : Readiness::now(); }, t))));
  });
  fn("[method]future-trailers.get", WASI_P2_FN {
    auto t = WSVM_TRY(get<FutureTrailers>(a[0]));
    if (t->taken) return ret(Val::some(Val::err()));
    if (t->channel && t->channel->state() == BodyChannel::State::Open) return ret(Val::none());
    t->taken = true;
    if (t->channel && t->channel->state() == BodyChannel::State::Failed)
      return ret(Val::some(Val::ok({Val::err({ErrorCode{ErrorCode::HttpProtocolError, t->channel->failure(), {}}.to_val()})})));
    BodyChannel::Trailers got = t->channel ? t->channel->trailers() : BodyChannel::Trailers{};
    if (got.empty()) return ret(Val::some(Val::ok({Val::ok({Val::none()})})));
    auto list = std::make_shared<FieldList>();
    list->entries = std::move(got);
    Val fields = WSVM_TRY(own(std::make_shared<Fields>(std::move(list), true)));
    return ret(Val::some(Val::ok({Val::ok({Val::some(fields)})})));
  });

  // ---- outgoing-response
  fn("[constructor]outgoing-response", WASI_P2_FN {
    auto h = WSVM_TRY(take<Fields>(a[0]));
    auto r = std::make_shared<OutgoingResponse>();
    r->headers = std::make_shared<FieldList>(*h->list);
    return ret(WSVM_TRY(own(std::move(r))));
  });
  fn("[method]outgoing-response.status-code", WASI_P2_FN { return ret(Val::u16(WSVM_TRY(get<OutgoingResponse>(a[0]))->status)); });
  fn("[method]outgoing-response.set-status-code", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingResponse>(a[0]));
    if (a[1].u < 100 || a[1].u > 599) return ret(Val::err());
    r->status = uint16_t(a[1].u);
    return ret(Val::ok());
  });
  outgoing_message.template operator()<OutgoingResponse>("outgoing-response", false);

  // ---- outgoing-body
  fn("[method]outgoing-body.write", WASI_P2_FN {
    auto b = WSVM_TRY(get<OutgoingBody>(a[0]));
    if (b->stream_taken) return ret(Val::err());
    b->stream_taken = true;
    return ret(Val::ok({WSVM_TRY(own(std::make_shared<ChannelOutputStream>(b->channel)))}));
  });
  fn("[static]outgoing-body.finish", WASI_P2_FN {
    auto b = WSVM_TRY(take<OutgoingBody>(a[0]));
    // The trailers go after the body (a server sends them with a chunked response, the
    // client with a chunked request).
    if (a[1].disc == 1) b->channel->set_trailers(WSVM_TRY(take<Fields>(a[1].items[0]))->list->entries);
    b->finished = true;
    if (auto why = b->channel->finish()) {
      ErrorCode e{b->for_request ? ErrorCode::HttpRequestBodySize : ErrorCode::HttpResponseBodySize, *why,
                  b->channel->pushed()};
      return ret(Val::err({e.to_val()}));
    }
    return ret(Val::ok());
  });

  // ---- response-outparam
  fn("[method]response-outparam.send-informational", WASI_P2_FN {
    WSVM_TRY(get<ResponseOutparam>(a[0]));
    if (a[2].u != 0) WSVM_TRY(take<Fields>(a[2]));
    return ret(Val::err({ErrorCode{ErrorCode::InternalError, "informational responses are not supported", {}}.to_val()}));
  });
  fn("[static]response-outparam.set", WASI_P2_FN {
    auto out = WSVM_TRY(take<ResponseOutparam>(a[0]));
    out->used = true;
    const Val& result = a[1];
    if (result.disc != 0) {
      out->deliver(std::unexpected(ErrorCode::from_val(result.items.at(0))));
      return ret();
    }
    auto r = WSVM_TRY(take<OutgoingResponse>(result.items.at(0)));
    ResponseHead head;
    head.status = r->status;
    head.headers = copy_entries(*r->headers);
    head.body = sent_body(*r);
    out->deliver(std::move(head));
    return ret();
  });

  // ---- outgoing-request, request-options
  fn("[constructor]outgoing-request", WASI_P2_FN {
    auto h = WSVM_TRY(take<Fields>(a[0]));
    auto r = std::make_shared<OutgoingRequest>();
    r->headers = std::make_shared<FieldList>(*h->list);
    return ret(WSVM_TRY(own(std::move(r))));
  });
  outgoing_message.template operator()<OutgoingRequest>("outgoing-request", true);
  fn("[method]outgoing-request.method", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingRequest>(a[0]));
    return ret(r->method == 9 ? Val::variant(9, {Val::string(*r->method_other)}) : Val::variant(r->method));
  });
  fn("[method]outgoing-request.set-method", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingRequest>(a[0]));
    if (a[1].disc == 9) {
      if (!valid_field_name(a[1].items.at(0).str)) return ret(Val::err());
      r->method_other = a[1].items[0].str;
    }
    r->method = a[1].disc;
    return ret(Val::ok());
  });
  fn("[method]outgoing-request.path-with-query", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingRequest>(a[0]));
    return ret(r->path_with_query ? Val::some(Val::string(*r->path_with_query)) : Val::none());
  });
  fn("[method]outgoing-request.set-path-with-query", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingRequest>(a[0]));
    if (a[1].disc == 0) {
      r->path_with_query.reset();
      return ret(Val::ok());
    }
    const std::string& p = a[1].items.at(0).str;
    for (char c : p)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return ret(Val::err());
    r->path_with_query = p;
    return ret(Val::ok());
  });
  fn("[method]outgoing-request.scheme", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingRequest>(a[0]));
    return ret(r->scheme ? Val::some(scheme_val(*r->scheme, r->scheme_other)) : Val::none());
  });
  fn("[method]outgoing-request.set-scheme", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingRequest>(a[0]));
    if (a[1].disc == 0) {
      r->scheme.reset();
      return ret(Val::ok());
    }
    const Val& s = a[1].items.at(0);
    if (s.disc == 2) {
      const std::string& o = s.items.at(0).str;
      if (o.empty() || o.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") != std::string::npos)
        return ret(Val::err());
      r->scheme_other = o;
    }
    r->scheme = s.disc;
    return ret(Val::ok());
  });
  fn("[method]outgoing-request.authority", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingRequest>(a[0]));
    return ret(r->authority ? Val::some(Val::string(*r->authority)) : Val::none());
  });
  fn("[method]outgoing-request.set-authority", WASI_P2_FN {
    auto r = WSVM_TRY(get<OutgoingRequest>(a[0]));
    if (a[1].disc == 0) {
      r->authority.reset();
      return ret(Val::ok());
    }
    const std::string& s = a[1].items.at(0).str;
    if (s.find_first_of("/?#@ \t\r\n") != std::string::npos || s.empty()) return ret(Val::err());
    r->authority = s;
    return ret(Val::ok());
  });

  fn("[constructor]request-options", WASI_P2_FN { return ret(WSVM_TRY(own(std::make_shared<RequestOptions>()))); });
  using Field = std::optional<uint64_t> RequestOptions::*;
  const std::pair<const char*, Field> timeouts[] = {{"connect-timeout", &RequestOptions::connect_timeout_ns},
                                                    {"first-byte-timeout", &RequestOptions::first_byte_timeout_ns},
                                                    {"between-bytes-timeout", &RequestOptions::between_bytes_timeout_ns}};
  for (const auto& [name, field] : timeouts) {
    fn(std::string("[method]request-options.") + name, [this, field](std::span<const Val> a) -> AbiResult<Vals> {
      return ret(opt_duration((*WSVM_TRY(get<RequestOptions>(a[0]))).*field));
    });
    fn(std::string("[method]request-options.set-") + name, [this, field](std::span<const Val> a) -> AbiResult<Vals> {
      auto o = WSVM_TRY(get<RequestOptions>(a[0]));
      (*o).*field = a[1].disc == 1 ? std::optional<uint64_t>(a[1].items.at(0).u) : std::nullopt;
      return ret(Val::ok());
    });
  }

  // ---- incoming-response, future-incoming-response (from the client)
  fn("[method]incoming-response.status", WASI_P2_FN { return ret(Val::u16(WSVM_TRY(get<IncomingResponse>(a[0]))->status)); });
  incoming_message.template operator()<IncomingResponse>("incoming-response");
  fn("[method]future-incoming-response.subscribe", WASI_P2_FN {
    auto f = WSVM_TRY(get<FutureIncomingResponse>(a[0]));
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([p = f->pending] { return p->readiness(); }, f))));
  });
  fn("[method]future-incoming-response.get", WASI_P2_FN {
    auto f = WSVM_TRY(get<FutureIncomingResponse>(a[0]));
    auto r = f->pending->get();
    if (!r) return ret(Val::none());
    if (f->taken) return ret(Val::some(Val::err()));
    f->taken = true;
    if (!*r) return ret(Val::some(Val::ok({Val::err({r->error().to_val()})})));
    return ret(Val::some(Val::ok({Val::ok({WSVM_TRY(own(**r))})})));
  });

  // Errors of streams are not HTTP errors here: none.
  fn("http-error-code", WASI_P2_FN_UNUSED { return ret(Val::none()); });

  // ---- outgoing-handler: only to the hosts allowed, only with a client.
  l.define_instance_func(iface("wasi:http/outgoing-handler"), "handle", WASI_P2_FN {
    auto r = WSVM_TRY(take<OutgoingRequest>(a[0]));
    OutgoingCall call;
    if (a[1].disc == 1) call.options = *WSVM_TRY(take<RequestOptions>(a[1].items.at(0)));
    auto fail = [](uint32_t c, std::string why) { return ret(Val::err({ErrorCode{c, std::move(why), {}}.to_val()})); };
    if (!r->authority) return fail(ErrorCode::HttpRequestUriInvalid, "no authority");
    uint32_t scheme = r->scheme.value_or(1);
    if (scheme == 2) return fail(ErrorCode::HttpProtocolError, "scheme '" + r->scheme_other + "' is not http or https");
    call.scheme = scheme == 0 ? "http" : "https";
    call.authority = *r->authority;
    call.method = r->method_name();
    call.path_with_query = r->path_with_query.value_or("/");
    if (!call.path_with_query.starts_with('/')) call.path_with_query.insert(0, "/");
    call.headers = copy_entries(*r->headers);
    if (!m_options.http_client || !host_allowed(m_options.http_allow, call.authority, call.scheme)) {
      std::string why = m_options.http_client ? "not an allowed host" : "no outgoing HTTP here";
      if (m_options.http_denied)
        m_options.http_denied(fmt::format("outgoing HTTP to {}://{} denied: {}", call.scheme, call.authority, why));
      return fail(ErrorCode::HttpRequestDenied, call.authority + ": " + why);
    }
    call.body = sent_body(*r);
    auto pending = std::make_shared<PendingResponse>();
    m_options.http_client->start(std::move(call), pending);
    auto f = std::make_shared<FutureIncomingResponse>();
    f->pending = std::move(pending);
    return ret(Val::ok({WSVM_TRY(own(std::move(f)))}));
  });
}

}  // namespace wsvm::wasi::p2

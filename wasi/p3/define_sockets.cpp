// wasi:sockets@0.3.0 (types: tcp-socket, udp-socket; ip-name-lookup). The socket limit,
// addresses and errno mapping are the 0.2 host's (wasi/p2/sockets.hpp): at most 256 sockets
// per instance for 0.2 and 0.3 together. Without --inherit-network every operation that meets
// the network (bind, connect, listen, send, name lookup) is access-denied. What 0.3 changed: no start/finish pairs and no pollables; `connect`, udp `send`
// and `receive` are async funcs that wait for the socket in the event loop; `listen` gives a
// stream<tcp-socket> that accepts as the guest reads; a connection's bytes go through a
// stream<u8> each way (pump.hpp), and dropping one is a shutdown of that direction.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <fcntl.h>

#include "component/event_loop.hpp"
#include "wasi/p2/sockets.hpp"
#include "wasi/p3/define.hpp"
#include "wasi/p3/pump.hpp"

namespace wsvm::wasi::p3 {

using component::AbiResult;
using component::CopyResult;
using component::HostCall;
using component::SharedChannel;
using component::Val;
using Vals = std::vector<Val>;
using p2::sockets::Err;
using p2::sockets::SockAddr;
namespace sk = p2::sockets;

namespace {

// types.error-code: access-denied ... datagram-too-large, other(option<string>).
Val code_val(Err e) {
  switch (e) {
    case Err::AccessDenied: return Val::variant(0);
    case Err::NotSupported: return Val::variant(1);
    case Err::InvalidArgument: return Val::variant(2);
    case Err::OutOfMemory: return Val::variant(3);
    case Err::Timeout: return Val::variant(4);
    case Err::InvalidState: case Err::NotInProgress: return Val::variant(5);
    case Err::AddressNotBindable: return Val::variant(6);
    case Err::AddressInUse: return Val::variant(7);
    case Err::RemoteUnreachable: return Val::variant(8);
    case Err::ConnectionRefused: return Val::variant(9);
    case Err::ConnectionBroken: return Val::variant(10);
    case Err::ConnectionReset: return Val::variant(11);
    case Err::ConnectionAborted: return Val::variant(12);
    case Err::DatagramTooLarge: return Val::variant(13);
    case Err::NewSocketLimit: return Val::variant(14, {Val::some(Val::string("new-socket-limit"))});
    default: return Val::variant(14, {Val::none()});
  }
}
Val error(Err e) { return Val::err({code_val(e)}); }
Val ok_or(std::optional<Err> e) { return e ? error(*e) : Val::ok(); }
std::optional<Val> error_of(int host_errno) {
  if (host_errno == 0) return std::nullopt;
  return code_val(sk::err_of(host_errno));
}

struct Tcp : sk::Socket {
  enum class State { Open, Listening, Connecting, Connected, Closed };
  State state = State::Open;
  int backlog = 128;
  bool sending = false, receiving = false;  // each may be asked for once
  using Socket::Socket;
};

struct Udp : sk::Socket {
  std::optional<SockAddr> remote;  // set by connect
  using Socket::Socket;
};

// Bound (explicitly, or implicitly by listen, connect or a send): the socket has a port.
bool is_bound(int fd) {
  auto a = sk::local_name(fd);
  if (!a) return false;
  return a->ss.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in*>(&a->ss)->sin_port != 0
                                    : reinterpret_cast<const sockaddr_in6*>(&a->ss)->sin6_port != 0;
}

// The network grant (--inherit-network) is checked where a socket meets the network: bind,
// connect, listen and send (which bind implicitly). Creating one and setting its options
// touch nothing (wasmtime's rule too; the testsuite's option tests run without the grant).
std::optional<Err> bind_socket(const p2::Host& h, sk::Socket& s, const Val& address, bool reuse) {
  if (!h.options().inherit_network) return Err::AccessDenied;
  if (is_bound(s.fd->fd)) return Err::InvalidState;
  auto addr = sk::to_sockaddr(address, s.family);
  if (!addr) return addr.error();
  if (sk::non_unicast(*addr)) return Err::InvalidArgument;
  // TCP binds with SO_REUSEADDR (as wasmtime does), so a server restarts on its port at once.
  if (reuse) sk::set_int(s.fd->fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (::bind(s.fd->fd, addr->get(), addr->len) != 0) return sk::err_of(errno);
  return std::nullopt;
}

Val address_result(std::expected<SockAddr, int> a) {
  if (!a) return error(sk::err_of(a.error()));
  return Val::ok({sk::socket_address_val(a->ss)});
}

// The payload type of the stream inside a result<stream<T>, E> a host function returns.
component::VTypeP ok_stream_elem(const component::ComponentFunc& f) {
  return f.sig.results.at(0)->elems.at(0)->elems.at(0);
}

// Integer options: (getter name, level, option, kind, largest value Linux takes).
enum class OptKind { Bool, Seconds, Count, Bytes };
struct Opt {
  const char* name;
  int level, opt;
  OptKind kind;
  uint64_t max;
};
// Linux doubles a buffer size it is given (for its bookkeeping) and reports the doubled one:
// the guest sees the size it set.
uint64_t from_host(const Opt& o, int v) {
  switch (o.kind) {
    case OptKind::Seconds: return uint64_t(v) * 1'000'000'000u;
    case OptKind::Bytes: return uint64_t(v) / 2;
    default: return uint64_t(v);
  }
}

// Writes each accepted connection into a listen() stream as the guest reads it. The guest
// dropping the stream lets go of the listening socket at once (inside the drop, not at the
// next turn of the loop), so a guest that drops both may bind its port again right away.
struct Acceptor : std::enable_shared_from_this<Acceptor> {
  p2::Host* h = nullptr;
  std::shared_ptr<Tcp> listener;
  std::shared_ptr<SharedChannel> ch;
  CancelWait waiting;  // for a connection, or for the socket limit

  void start() {
    ch->on_drop = [weak = weak_from_this()] {
      if (auto a = weak.lock()) {
        if (auto c = std::exchange(a->waiting, nullptr)) c();
        a->listener.reset();
      }
    };
    wait_for_reader();
  }
  void wait_for_reader() {
    auto self = shared_from_this();
    component::host_write(ch, {}, [self](uint32_t, CopyResult r) {
      if (r != CopyResult::Dropped) self->accept();
    });
  }
  void accept() {
    waiting = nullptr;
    if (!listener) return;
    auto fd = sk::accept_socket(listener->fd->fd, *h->open_sockets());
    if (!fd) {
      auto self = shared_from_this();
      switch (fd.error()) {
        case Err::WouldBlock: case Err::ConnectionAborted: case Err::Unknown:  // none yet, or gone already
          waiting = when_fd_ready(listener->fd->fd, POLLIN, [self] { self->accept(); });
          return;
        case Err::NewSocketLimit: {  // until the guest closes one
          component::EventLoop& loop = component::host_loop();
          uint64_t id = loop.add_timer(component::EventLoop::now_ns() + 50'000'000, [self] { self->accept(); });
          waiting = [id, &loop] { loop.cancel(id); };
          return;
        }
        default: return ch->drop();
      }
    }
    auto sock = std::make_shared<Tcp>(*fd, listener->family, h->open_sockets());
    sock->state = Tcp::State::Connected;
    auto handle = h->own(sock);
    if (!handle) return ch->drop();
    uint32_t rep = uint32_t(handle->u);
    auto self = shared_from_this();
    component::host_write_all(ch, component::HostData(Vals{*handle}), [self, rep](bool all) {
      if (!all) return self->h->table().remove(rep);  // the guest never got it
      self->wait_for_reader();
    });
  }
};

// Defines `[method]RESOURCE.NAME` of a socket type S as `body(socket, args)` -> one value.
template <class S>
auto method_definer(component::ComponentLinker& l, p2::Host& h, const std::string& types, const char* resource) {
  return [&l, &h, types, resource](const std::string& name, auto body) {
    l.define_instance_func(types, std::string("[method]") + resource + "." + name,
                           [&h, body](std::span<const Val> a) -> AbiResult<Vals> {
                             auto s = h.get<S>(a[0]);
                             if (!s) return std::unexpected(s.error());
                             return Vals{body(**s, a)};
                           });
  };
}

// `[static]RESOURCE.create`: a socket of the family asked for (no grant needed, see bind_socket).
template <class S>
void define_create(component::ComponentLinker& l, p2::Host& h, const std::string& types, const char* resource, int type) {
  l.define_instance_func(types, std::string("[static]") + resource + ".create", [&h, type](std::span<const Val> a) -> AbiResult<Vals> {
    auto fd = sk::open_socket(*h.open_sockets(), a[0].disc, type);
    if (!fd) return Vals{error(fd.error())};
    auto handle = h.own(std::make_shared<S>(*fd, a[0].disc == 0 ? AF_INET : AF_INET6, h.open_sockets()));
    if (!handle) return std::unexpected(handle.error());
    return Vals{Val::ok({*handle})};
  });
}

// The methods both kinds of socket have under the same names.
template <class S>
void define_common(component::ComponentLinker& l, p2::Host& h, const std::string& types, const char* resource) {
  auto fn = method_definer<S>(l, h, types, resource);
  fn("get-local-address", [](S& s, std::span<const Val>) {
    if (!is_bound(s.fd->fd)) return error(Err::InvalidState);
    return address_result(sk::local_name(s.fd->fd));
  });
  fn("get-address-family", [](S& s, std::span<const Val>) { return Val::enumeration(s.family == AF_INET ? 0 : 1); });
  for (const Opt& o : {Opt{"receive-buffer-size", SOL_SOCKET, SO_RCVBUF, OptKind::Bytes, INT_MAX / 2},
                       Opt{"send-buffer-size", SOL_SOCKET, SO_SNDBUF, OptKind::Bytes, INT_MAX / 2}}) {
    fn(std::string("get-") + o.name, [o](S& s, std::span<const Val>) {
      auto v = sk::get_int(s.fd->fd, o.level, o.opt);
      return v ? Val::ok({Val::u64(from_host(o, *v))}) : error(sk::err_of(v.error()));
    });
    fn(std::string("set-") + o.name, [o](S& s, std::span<const Val> a) {
      if (a[1].u == 0) return error(Err::InvalidArgument);
      int e = sk::set_int(s.fd->fd, o.level, o.opt, int(std::min(a[1].u, o.max)));
      return e ? error(sk::err_of(e)) : Val::ok();
    });
  }
}

// The hop limit, under each kind's name for it.
template <class S>
void define_hop_limit(component::ComponentLinker& l, p2::Host& h, const std::string& types, const char* resource,
                      const std::string& name) {
  auto fn = method_definer<S>(l, h, types, resource);
  fn("get-" + name, [](S& s, std::span<const Val>) {
    auto v = sk::hop_limit(s.fd->fd, s.family);
    return v ? Val::ok({Val::u8(*v)}) : error(v.error());
  });
  fn("set-" + name, [](S& s, std::span<const Val> a) { return ok_or(sk::set_hop_limit(s.fd->fd, s.family, a[1].u)); });
}

void define_tcp(component::ComponentLinker& l, p2::Host& h, const std::string& types) {
  using S = Tcp::State;
  auto get = [&h](const Val& v) { return h.get<Tcp>(v); };
  auto fn = method_definer<Tcp>(l, h, types, "tcp-socket");
  define_create<Tcp>(l, h, types, "tcp-socket", SOCK_STREAM);
  define_common<Tcp>(l, h, types, "tcp-socket");
  define_hop_limit<Tcp>(l, h, types, "tcp-socket", "hop-limit");
  fn("bind", [&h](Tcp& s, std::span<const Val> a) {
    if (s.state != S::Open) return error(Err::InvalidState);
    return ok_or(bind_socket(h, s, a[1], true));
  });
  l.define_instance_async_func(types, "[method]tcp-socket.connect", [&h, get](HostCall c) -> std::optional<Trap> {
    auto got = get(c.args.at(0));
    if (!got) return got.error();
    auto s = *got;
    if (!h.options().inherit_network) return c.resolve(Vals{error(Err::AccessDenied)});
    auto finish = [s, resolve = c.resolve](std::optional<Err> e) {
      s->state = e ? S::Closed : S::Connected;
      return resolve(Vals{ok_or(e)});
    };
    if (s->state != S::Open) return c.resolve(Vals{error(Err::InvalidState)});
    auto addr = sk::to_sockaddr(c.args.at(1), s->family);
    if (!addr) return c.resolve(Vals{error(addr.error())});
    if (sk::non_unicast(*addr) || sk::unspecified_or_port0(*addr)) return c.resolve(Vals{error(Err::InvalidArgument)});
    if (::connect(s->fd->fd, addr->get(), addr->len) == 0) return finish(std::nullopt);
    if (errno != EINPROGRESS) return finish(sk::err_of(errno));
    s->state = S::Connecting;
    // Writable once connected or failed; SO_ERROR says which.
    auto cancel = when_fd_ready(s->fd->fd, POLLOUT, [s, finish] {
      auto e = sk::get_int(s->fd->fd, SOL_SOCKET, SO_ERROR);
      int err = e ? *e : e.error();
      (void)finish(err ? std::optional(sk::err_of(err)) : std::nullopt);
    });
    *c.cancel = [s, cancel, resolve = c.resolve] {
      cancel();
      s->state = S::Closed;
      (void)resolve(std::nullopt);
    };
    return std::nullopt;
  });
  l.define_instance_async_func(types, "[method]tcp-socket.listen", [&h, get](HostCall c) -> std::optional<Trap> {
    auto got = get(c.args.at(0));
    if (!got) return got.error();
    auto s = *got;
    if (!h.options().inherit_network) return c.resolve(Vals{error(Err::AccessDenied)});
    if (s->state != S::Open) return c.resolve(Vals{error(Err::InvalidState)});
    if (::listen(s->fd->fd, s->backlog) != 0) return c.resolve(Vals{error(sk::err_of(errno))});
    s->state = S::Listening;
    auto a = std::make_shared<Acceptor>();
    a->h = &h, a->listener = s, a->ch = component::make_channel(false, ok_stream_elem(c.f));
    a->start();
    return c.resolve(Vals{Val::ok({component::readable_end(a->ch)})});
  });
  // send: what the guest writes goes out; its end of the stream is a shutdown(SHUT_WR).
  l.define_instance_async_func(types, "[method]tcp-socket.send", [get](HostCall c) -> std::optional<Trap> {
    auto got = get(c.args.at(0));
    if (!got) return got.error();
    auto s = *got;
    auto data = component::channel_of(c.args.at(1));
    auto fut = component::make_channel(true, result_elem(c.f));
    if (s->state != S::Connected || s->sending || !data) {
      if (data) data->drop();
      resolve_result_future(fut, code_val(Err::InvalidState));
    } else {
      s->sending = true;
      pump_out(data, p2::fd_output_stream(s->fd, std::nullopt), [s, fut](int err) {
        if (!err) ::shutdown(s->fd->fd, SHUT_WR);
        resolve_result_future(fut, error_of(err));
      });
    }
    return c.resolve(Vals{component::readable_end(fut)});
  });
  // receive: the stream ends at the peer's end of data; the guest dropping it is a
  // shutdown(SHUT_RD). It reads a dup of the socket, so its fd watch and send's are two.
  l.define_instance_async_func(types, "[method]tcp-socket.receive", [get](HostCall c) -> std::optional<Trap> {
    auto got = get(c.args.at(0));
    if (!got) return got.error();
    auto s = *got;
    auto data = component::make_channel(false, result_elem(c.f, 0));
    auto fut = component::make_channel(true, result_elem(c.f, 1));
    std::optional<Err> refuse;
    int dup = -1;
    if (s->state != S::Connected || s->receiving) refuse = Err::InvalidState;
    else if ((dup = fcntl(s->fd->fd, F_DUPFD_CLOEXEC, 0)) < 0) refuse = sk::err_of(errno);
    if (refuse) {
      data->drop();
      resolve_result_future(fut, code_val(*refuse));
    } else {
      s->receiving = true;
      pump_in(p2::fd_input_stream(std::make_shared<p2::HostFd>(dup, true), std::nullopt), data, [s, fut](int err) {
        ::shutdown(s->fd->fd, SHUT_RD);
        resolve_result_future(fut, error_of(err));
      });
    }
    return c.resolve(Vals{Val::tuple({component::readable_end(data), component::readable_end(fut)})});
  });
  fn("get-remote-address", [](Tcp& s, std::span<const Val>) {
    if (s.state != S::Connected) return error(Err::InvalidState);
    return address_result(sk::peer_name(s.fd->fd));
  });
  fn("get-is-listening", [](Tcp& s, std::span<const Val>) { return Val::boolean(s.state == S::Listening); });
  fn("set-listen-backlog-size", [](Tcp& s, std::span<const Val> a) {
    if (a[1].u == 0) return error(Err::InvalidArgument);
    s.backlog = int(std::min<uint64_t>(a[1].u, SOMAXCONN));
    if (s.state == S::Listening && ::listen(s.fd->fd, s.backlog) != 0) return error(sk::err_of(errno));
    return Val::ok();
  });
  static const Opt opts[] = {
      {"keep-alive-enabled", SOL_SOCKET, SO_KEEPALIVE, OptKind::Bool, 1},
      {"keep-alive-idle-time", IPPROTO_TCP, TCP_KEEPIDLE, OptKind::Seconds, 32767},
      {"keep-alive-interval", IPPROTO_TCP, TCP_KEEPINTVL, OptKind::Seconds, 32767},
      {"keep-alive-count", IPPROTO_TCP, TCP_KEEPCNT, OptKind::Count, 127},
  };
  for (const Opt& o : opts) {
    std::string name = o.name;
    bool u32 = o.opt == TCP_KEEPCNT;
    fn("get-" + name, [o, u32](Tcp& s, std::span<const Val>) {
      auto v = sk::get_int(s.fd->fd, o.level, o.opt);
      if (!v) return error(sk::err_of(v.error()));
      if (o.kind == OptKind::Bool) return Val::ok({Val::boolean(*v != 0)});
      return Val::ok({u32 ? Val::u32(uint32_t(*v)) : Val::u64(from_host(o, *v))});
    });
    fn("set-" + name, [o](Tcp& s, std::span<const Val> a) {
      uint64_t v = a[1].u;
      if (o.kind == OptKind::Seconds) v = v / 1'000'000'000u + (v % 1'000'000'000u != 0);  // whole seconds, rounded up
      if (o.kind != OptKind::Bool && v == 0) return error(Err::InvalidArgument);
      v = std::min(v, o.max);
      int e = sk::set_int(s.fd->fd, o.level, o.opt, int(v));
      return e ? error(sk::err_of(e)) : Val::ok();
    });
  }
}

// An async call answered by `attempt`, tried now and again each time `fd` is ready for
// `events` until it gives a result (nullopt: not yet, EAGAIN); a subtask.cancel meanwhile
// stops the wait.
struct Retry : std::enable_shared_from_this<Retry> {
  std::function<std::optional<Val>()> attempt;
  std::function<std::optional<Trap>(std::optional<Vals>)> resolve;
  int fd = -1;
  short events = 0;
  CancelWait waiting;
  bool done = false;
  void step() {
    if (done) return;
    auto v = attempt();
    if (!v) {
      waiting = when_fd_ready(fd, events, [self = shared_from_this()] { self->step(); });
      return;
    }
    done = true;
    (void)resolve(Vals{std::move(*v)});
  }
};

std::optional<Trap> retry_when_ready(HostCall& c, int fd, short events, std::function<std::optional<Val>()> attempt) {
  auto r = std::make_shared<Retry>();
  r->attempt = std::move(attempt), r->resolve = c.resolve, r->fd = fd, r->events = events;
  r->step();
  *c.cancel = [r] {
    if (std::exchange(r->done, true)) return;
    if (r->waiting) r->waiting();
    (void)r->resolve(std::nullopt);
  };
  return std::nullopt;
}

// The largest UDP payload of a family (no jumbograms): more is datagram-too-large.
size_t max_datagram(int family) { return family == AF_INET ? 65507 : 65527; }

void define_udp(component::ComponentLinker& l, p2::Host& h, const std::string& types) {
  auto get = [&h](const Val& v) { return h.get<Udp>(v); };
  auto fn = method_definer<Udp>(l, h, types, "udp-socket");
  define_create<Udp>(l, h, types, "udp-socket", SOCK_DGRAM);
  define_common<Udp>(l, h, types, "udp-socket");
  define_hop_limit<Udp>(l, h, types, "udp-socket", "unicast-hop-limit");
  fn("bind", [&h](Udp& s, std::span<const Val> a) { return ok_or(bind_socket(h, s, a[1], false)); });
  fn("connect", [&h](Udp& s, std::span<const Val> a) {
    if (!h.options().inherit_network) return error(Err::AccessDenied);
    auto addr = sk::to_sockaddr(a[1], s.family);
    if (!addr) return error(addr.error());
    if (sk::unspecified_or_port0(*addr)) return error(Err::InvalidArgument);
    if (::connect(s.fd->fd, addr->get(), addr->len) != 0) return error(sk::err_of(errno));
    s.remote = *addr;
    return Val::ok();
  });
  fn("disconnect", [](Udp& s, std::span<const Val>) {
    if (!s.remote) return error(Err::InvalidState);
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    ::connect(s.fd->fd, &unspec, sizeof unspec);
    s.remote.reset();
    return Val::ok();
  });
  // send: one datagram, to the connected peer or `remote-address` (not another one).
  l.define_instance_async_func(types, "[method]udp-socket.send", [&h, get](HostCall c) -> std::optional<Trap> {
    auto got = get(c.args.at(0));
    if (!got) return got.error();
    auto s = *got;
    auto fail = [&c](Err e) { return c.resolve(Vals{error(e)}); };
    if (!h.options().inherit_network) return fail(Err::AccessDenied);
    std::optional<SockAddr> to;
    if (const Val& remote = c.args.at(2); remote.disc == 1) {
      auto addr = sk::to_sockaddr(remote.items.at(0), s->family);
      if (!addr) return fail(addr.error());
      if (sk::unspecified_or_port0(*addr) || (s->remote && !sk::same_address(*s->remote, *addr)))
        return fail(Err::InvalidArgument);
      if (!s->remote) to = *addr;
    } else if (!s->remote) {
      return fail(Err::InvalidArgument);
    }
    auto data = std::make_shared<std::vector<uint8_t>>(p2::bytes_of(c.args.at(1)));
    if (data->size() > max_datagram(s->family)) return fail(Err::DatagramTooLarge);
    return retry_when_ready(c, s->fd->fd, POLLOUT, [s, to, data]() -> std::optional<Val> {
      ssize_t n = to ? ::sendto(s->fd->fd, data->data(), data->size(), MSG_NOSIGNAL, to->get(), to->len)
                     : ::send(s->fd->fd, data->data(), data->size(), MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return std::nullopt;
      return n < 0 ? error(sk::err_of(errno)) : Val::ok();
    });
  });
  // receive: the next datagram and who sent it.
  l.define_instance_async_func(types, "[method]udp-socket.receive", [get](HostCall c) -> std::optional<Trap> {
    auto got = get(c.args.at(0));
    if (!got) return got.error();
    auto s = *got;
    if (!is_bound(s->fd->fd)) return c.resolve(Vals{error(Err::InvalidState)});
    return retry_when_ready(c, s->fd->fd, POLLIN, [s]() -> std::optional<Val> {
      std::vector<uint8_t> buf(65536);
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(s->fd->fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return std::nullopt;
      if (n < 0) return error(sk::err_of(errno));
      return Val::ok({Val::tuple({p2::bytes_val(std::span<const uint8_t>(buf.data(), size_t(n))), sk::socket_address_val(from)})});
    });
  });
  fn("get-remote-address", [](Udp& s, std::span<const Val>) {
    if (!s.remote) return error(Err::InvalidState);
    return address_result(sk::peer_name(s.fd->fd));
  });
}

// ip-name-lookup's error-code: access-denied, invalid-argument, name-unresolvable,
// temporary-resolver-failure, permanent-resolver-failure, other.
Val lookup_error(uint32_t n) { return Val::err({n < 5 ? Val::variant(n) : Val::variant(5, {Val::none()})}); }

void define_lookup(component::ComponentLinker& l, p2::Host& h) {
  // getaddrinfo blocks the event loop's thread while it resolves (names in /etc/hosts and
  // numeric addresses answer at once; a DNS query does not).
  l.define_instance_async_func(iface("wasi:sockets/ip-name-lookup"), "resolve-addresses", [&h](HostCall c) {
    if (!h.options().inherit_network) return c.resolve(Vals{lookup_error(0)});
    const std::string& name = c.args.at(0).str;
    if (name.empty() || name.size() > 253 || name.find('\0') != std::string::npos) return c.resolve(Vals{lookup_error(1)});
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int e = getaddrinfo(name.c_str(), nullptr, &hints, &found);
    if (e == EAI_NONAME || e == EAI_NODATA) return c.resolve(Vals{lookup_error(2)});
    if (e == EAI_AGAIN) return c.resolve(Vals{lookup_error(3)});
    if (e != 0) return c.resolve(Vals{lookup_error(4)});
    Vals addresses;
    for (addrinfo* ai = found; ai; ai = ai->ai_next)
      if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) addresses.push_back(sk::ip_address_val(ai->ai_addr));
    freeaddrinfo(found);
    return c.resolve(Vals{Val::ok({Val::list(std::move(addresses))})});
  });
}

}  // namespace

void define_sockets(component::ComponentLinker& l, p2::Host& h) {
  const std::string types = iface("wasi:sockets/types");
  l.define_instance(types);
  auto drop = [&h](uint32_t rep) { h.table().remove(rep); };
  l.define_resource_dtor(types, "tcp-socket", drop);
  l.define_resource_dtor(types, "udp-socket", drop);
  define_tcp(l, h, types);
  define_udp(l, h, types);
  define_lookup(l, h);
}

}  // namespace wsvm::wasi::p3

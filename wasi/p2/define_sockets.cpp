// wasi:sockets (network, instance-network, tcp, tcp-create-socket, udp, udp-create-socket,
// ip-name-lookup). Denied unless the embedder grants the host's network
// (HostOptions::inherit_network, `--inherit-network`, wasmtime's `-S inherit-network`):
// creating a socket and resolving a name are then access-denied, and no socket can exist.
// Granted, they are real non-blocking host sockets; the guest waits through pollables like
// on any fd. At most sockets::kMaxSockets per instance, 0.2 and 0.3 sockets together (more:
// new-socket-limit). The parts 0.3 shares are sockets.hpp.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wasi/p2/define.hpp"
#include "wasi/p2/sockets.hpp"

namespace wsvm::wasi::p2 {
namespace {

// network's error-code cases.
enum Code : uint32_t {
  kUnknown = 0, kAccessDenied = 1, kNotSupported = 2, kInvalidArgument = 3, kOutOfMemory = 4,
  kTimeout = 5, kConcurrencyConflict = 6, kNotInProgress = 7, kWouldBlock = 8, kInvalidState = 9,
  kNewSocketLimit = 10, kAddressNotBindable = 11, kAddressInUse = 12, kRemoteUnreachable = 13,
  kConnectionRefused = 14, kConnectionReset = 15, kConnectionAborted = 16, kDatagramTooLarge = 17,
  kNameUnresolvable = 18, kTemporaryResolverFailure = 19, kPermanentResolverFailure = 20,
};

constexpr uint64_t kMaxDatagramsPerCall = 64;

using sockets::Err;
using sockets::Socket;
using sockets::SockAddr;

// The shared vocabulary in 0.2's words: connection-broken is connection-reset here.
Code code_of(Err e) {
  if (e == Err::ConnectionBroken) return kConnectionReset;
  return Code(uint32_t(e) > uint32_t(Err::ConnectionBroken) ? uint32_t(e) - 1 : uint32_t(e));
}
Code code_of(int host_errno) { return code_of(sockets::err_of(host_errno)); }

Val error(uint32_t c) { return Val::err({Val::enumeration(c)}); }
Val error(Err e) { return error(code_of(e)); }
Val errno_error() { return error(code_of(errno)); }

struct Network : Resource {};

using sockets::get_int;
using sockets::ip_address_val;
using sockets::socket_address_val;
using sockets::to_sockaddr;
using sockets::unspecified_or_port0;

bool ready(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 0) > 0;
}

struct TcpSocket : Socket {
  enum class State { Unbound, BindStarted, Bound, ListenStarted, Listening, Connecting, ConnectReady, Connected, Closed };
  State state = State::Unbound;
  int backlog = 128;
  using Socket::Socket;
};

struct UdpSocket : Socket {
  enum class State { Unbound, BindStarted, Bound };
  State state = State::Unbound;
  bool streams_given = false;
  using Socket::Socket;
};

struct IncomingDatagrams : Resource {
  std::shared_ptr<UdpSocket> socket;
};
struct OutgoingDatagrams : Resource {
  std::shared_ptr<UdpSocket> socket;
  bool connected = false;
};

struct AddressStream : Resource {
  std::vector<Val> addresses;
  size_t next = 0;
  std::optional<uint32_t> failure;
};

AbiResult<Vals> name_of(int fd, bool peer) {
  auto a = peer ? sockets::peer_name(fd) : sockets::local_name(fd);
  if (!a) return ret(error(code_of(a.error())));
  return ret(Val::ok({sockets::socket_address_val(a->ss)}));
}

AbiResult<Vals> set_int(int fd, int level, int opt, int value) {
  if (int e = sockets::set_int(fd, level, opt, value)) return ret(error(code_of(e)));
  return ret(Val::ok());
}

// start-bind and finish-bind of either kind of socket (TCP binds with SO_REUSEADDR, as
// wasmtime does, so a server restarts on its port at once).
template <class S>
AbiResult<Vals> start_bind(S& s, const Val& address, bool reuse) {
  if (s.state != S::State::Unbound) return ret(error(kInvalidState));
  auto addr = to_sockaddr(address, s.family);
  if (!addr || sockets::non_unicast(*addr)) return ret(error(kInvalidArgument));
  int one = 1;
  if (reuse) setsockopt(s.fd->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s.fd->fd, addr->get(), addr->len) != 0) return ret(errno_error());
  s.state = S::State::BindStarted;
  return ret(Val::ok());
}

template <class S>
AbiResult<Vals> finish_bind(S& s) {
  if (s.state != S::State::BindStarted) return ret(error(kNotInProgress));
  s.state = S::State::Bound;
  return ret(Val::ok());
}

AbiResult<Vals> hop_limit(const Socket& s) {
  auto v = sockets::hop_limit(s.fd->fd, s.family);
  if (!v) return ret(error(v.error()));
  return ret(Val::ok({Val::u8(*v)}));
}

AbiResult<Vals> set_hop_limit(const Socket& s, uint64_t v) {
  if (auto e = sockets::set_hop_limit(s.fd->fd, s.family, v)) return ret(error(*e));
  return ret(Val::ok());
}

}  // namespace

void Host::define_sockets(component::ComponentLinker& l) {
  auto drop = [this](uint32_t rep) { m_table.remove(rep); };
  auto open_count = m_open_sockets;
  const std::string network = iface("wasi:sockets/network");
  l.define_resource_dtor(network, "network", drop);
  l.define_instance_func(network, "network-error-code", WASI_P2_FN {
    auto e = WSVM_TRY(get<IoError>(a[0]));
    if (e->error.host_errno == 0) return ret(Val::none());
    return ret(Val::some(Val::enumeration(code_of(e->error.host_errno))));
  });
  l.define_instance_func(iface("wasi:sockets/instance-network"), "instance-network", WASI_P2_FN {
    return ret(WSVM_TRY(own(std::make_shared<Network>())));
  });

  // Creating a socket: the one gate of the grant.
  auto create = [this, open_count](uint32_t family, int type) -> AbiResult<Vals> {
    if (!m_options.inherit_network) return ret(error(kAccessDenied));
    auto fd = sockets::open_socket(*open_count, family, type);
    if (!fd) return ret(error(fd.error()));
    int fam = family == 0 ? AF_INET : AF_INET6;
    std::shared_ptr<Resource> s;
    if (type == SOCK_STREAM) s = std::make_shared<TcpSocket>(*fd, fam, open_count);
    else s = std::make_shared<UdpSocket>(*fd, fam, open_count);
    return ret(Val::ok({WSVM_TRY(own(std::move(s)))}));
  };
  l.define_instance_func(iface("wasi:sockets/tcp-create-socket"), "create-tcp-socket",
                         [create](std::span<const Val> a) { return create(a[0].disc, SOCK_STREAM); });
  l.define_instance_func(iface("wasi:sockets/udp-create-socket"), "create-udp-socket",
                         [create](std::span<const Val> a) { return create(a[0].disc, SOCK_DGRAM); });

  // ---- ip-name-lookup: getaddrinfo (it blocks the guest; the stream is ready at once)
  const std::string lookup = iface("wasi:sockets/ip-name-lookup");
  l.define_resource_dtor(lookup, "resolve-address-stream", drop);
  l.define_instance_func(lookup, "resolve-addresses", WASI_P2_FN {
    WSVM_TRY(get<Network>(a[0]));
    if (!m_options.inherit_network) return ret(error(kAccessDenied));
    const std::string& name = a[1].str;
    if (name.empty() || name.size() > 253 || name.find('\0') != std::string::npos) return ret(error(kInvalidArgument));
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int e = getaddrinfo(name.c_str(), nullptr, &hints, &found);
    auto s = std::make_shared<AddressStream>();
    if (e == EAI_NONAME || e == EAI_NODATA) return ret(error(kNameUnresolvable));
    if (e == EAI_AGAIN) return ret(error(kTemporaryResolverFailure));
    if (e != 0) return ret(error(kPermanentResolverFailure));
    for (addrinfo* ai = found; ai; ai = ai->ai_next)
      if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) s->addresses.push_back(ip_address_val(ai->ai_addr));
    freeaddrinfo(found);
    return ret(Val::ok({WSVM_TRY(own(std::move(s)))}));
  });
  l.define_instance_func(lookup, "[method]resolve-address-stream.resolve-next-address", WASI_P2_FN {
    auto s = WSVM_TRY(get<AddressStream>(a[0]));
    if (s->next >= s->addresses.size()) return ret(Val::ok({Val::none()}));
    return ret(Val::ok({Val::some(s->addresses[s->next++])}));
  });
  l.define_instance_func(lookup, "[method]resolve-address-stream.subscribe", WASI_P2_FN {
    auto s = WSVM_TRY(get<AddressStream>(a[0]));
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([] { return Readiness::now(); }, s))));
  });

  // ---- tcp
  const std::string tcp = iface("wasi:sockets/tcp");
  l.define_resource_dtor(tcp, "tcp-socket", drop);
  using TS = TcpSocket::State;
  auto tfn = [&](const char* m, component::HostFn f) { l.define_instance_func(tcp, std::string("[method]tcp-socket.") + m, std::move(f)); };
  tfn("start-bind", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    WSVM_TRY(get<Network>(a[1]));
    return start_bind(*s, a[2], true);
  });
  tfn("finish-bind", WASI_P2_FN { return finish_bind(*WSVM_TRY(get<TcpSocket>(a[0]))); });
  tfn("start-connect", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    WSVM_TRY(get<Network>(a[1]));
    if (s->state != TS::Unbound && s->state != TS::Bound) return ret(error(kInvalidState));
    auto addr = to_sockaddr(a[2], s->family);
    if (!addr || unspecified_or_port0(*addr) || sockets::non_unicast(*addr)) return ret(error(kInvalidArgument));
    int r = ::connect(s->fd->fd, addr->get(), addr->len);
    if (r != 0 && errno != EINPROGRESS) return ret(errno_error());
    s->state = r == 0 ? TS::ConnectReady : TS::Connecting;
    return ret(Val::ok());
  });
  tfn("finish-connect", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    if (s->state == TS::Connecting) {
      if (!ready(s->fd->fd, POLLOUT)) return ret(error(kWouldBlock));
      auto err = get_int(s->fd->fd, SOL_SOCKET, SO_ERROR);
      if (!err || *err != 0) {
        s->state = TS::Closed;
        return ret(error(err ? code_of(*err) : kUnknown));
      }
      s->state = TS::ConnectReady;
    }
    if (s->state != TS::ConnectReady) return ret(error(kNotInProgress));
    s->state = TS::Connected;
    Val in = WSVM_TRY(own(fd_input_stream(s->fd, std::nullopt)));
    Val out = WSVM_TRY(own(fd_output_stream(s->fd, std::nullopt)));
    return ret(Val::ok({Val::tuple({std::move(in), std::move(out)})}));
  });
  tfn("start-listen", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    if (s->state != TS::Bound) return ret(error(kInvalidState));
    if (::listen(s->fd->fd, s->backlog) != 0) return ret(errno_error());
    s->state = TS::ListenStarted;
    return ret(Val::ok());
  });
  tfn("finish-listen", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    if (s->state != TS::ListenStarted) return ret(error(kNotInProgress));
    s->state = TS::Listening;
    return ret(Val::ok());
  });
  tfn("accept", [this, open_count](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    if (s->state != TS::Listening) return ret(error(kInvalidState));
    auto fd = sockets::accept_socket(s->fd->fd, *open_count);
    if (!fd) return ret(error(fd.error()));
    auto c = std::make_shared<TcpSocket>(*fd, s->family, open_count);
    c->state = TS::Connected;
    Val in = WSVM_TRY(own(fd_input_stream(c->fd, std::nullopt)));
    Val out = WSVM_TRY(own(fd_output_stream(c->fd, std::nullopt)));
    Val sock = WSVM_TRY(own(c));
    return ret(Val::ok({Val::tuple({std::move(sock), std::move(in), std::move(out)})}));
  });
  tfn("local-address", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    if (s->state == TS::Unbound) return ret(error(kInvalidState));
    return name_of(s->fd->fd, false);
  });
  tfn("remote-address", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    if (s->state != TS::Connected) return ret(error(kInvalidState));
    return name_of(s->fd->fd, true);
  });
  tfn("is-listening", WASI_P2_FN { return ret(Val::boolean(WSVM_TRY(get<TcpSocket>(a[0]))->state == TS::Listening)); });
  tfn("address-family", WASI_P2_FN { return ret(Val::enumeration(WSVM_TRY(get<TcpSocket>(a[0]))->family == AF_INET ? 0 : 1)); });
  tfn("set-listen-backlog-size", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    if (a[1].u == 0) return ret(error(kInvalidArgument));
    s->backlog = int(std::min<uint64_t>(a[1].u, 4096));
    if (s->state == TS::Listening && ::listen(s->fd->fd, s->backlog) != 0) return ret(errno_error());
    return ret(Val::ok());
  });
  // Socket options: (name, level, option, seconds-as-duration)
  struct Opt { const char* name; int level; int opt; bool duration; bool is_bool; };
  const Opt opts[] = {
      {"keep-alive-enabled", SOL_SOCKET, SO_KEEPALIVE, false, true},
      {"keep-alive-idle-time", IPPROTO_TCP, TCP_KEEPIDLE, true, false},
      {"keep-alive-interval", IPPROTO_TCP, TCP_KEEPINTVL, true, false},
      {"keep-alive-count", IPPROTO_TCP, TCP_KEEPCNT, false, false},
      {"receive-buffer-size", SOL_SOCKET, SO_RCVBUF, false, false},
      {"send-buffer-size", SOL_SOCKET, SO_SNDBUF, false, false},
  };
  for (const Opt& o : opts) {
    tfn(o.name, [this, o](std::span<const Val> a) -> AbiResult<Vals> {
      auto s = WSVM_TRY(get<TcpSocket>(a[0]));
      auto v = get_int(s->fd->fd, o.level, o.opt);
      if (!v) return ret(errno_error());
      if (o.is_bool) return ret(Val::ok({Val::boolean(*v != 0)}));
      if (o.duration) return ret(Val::ok({Val::u64(uint64_t(*v) * 1'000'000'000u)}));
      if (std::string_view(o.name) == "keep-alive-count") return ret(Val::ok({Val::u32(uint32_t(*v))}));
      return ret(Val::ok({Val::u64(uint64_t(*v))}));
    });
    tfn((std::string("set-") + o.name).c_str(), [this, o](std::span<const Val> a) -> AbiResult<Vals> {
      auto s = WSVM_TRY(get<TcpSocket>(a[0]));
      uint64_t v = a[1].u;
      if (o.duration) v = (v + 999'999'999u) / 1'000'000'000u;  // whole seconds, rounded up
      if (!o.is_bool && (v == 0 || v > INT32_MAX)) return ret(error(kInvalidArgument));
      return set_int(s->fd->fd, o.level, o.opt, int(v));
    });
  }
  tfn("hop-limit", WASI_P2_FN { return hop_limit(*WSVM_TRY(get<TcpSocket>(a[0]))); });
  tfn("set-hop-limit", WASI_P2_FN { return set_hop_limit(*WSVM_TRY(get<TcpSocket>(a[0])), a[1].u); });
  tfn("subscribe", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([s] {
      if (s->state == TS::Connecting) return Readiness::on_fd(s->fd->fd, POLLOUT);
      if (s->state == TS::Listening) return Readiness::on_fd(s->fd->fd, POLLIN);
      return Readiness::now();
    }, s))));
  });
  tfn("shutdown", WASI_P2_FN {
    auto s = WSVM_TRY(get<TcpSocket>(a[0]));
    if (s->state != TS::Connected) return ret(error(kInvalidState));
    static constexpr int kHow[] = {SHUT_RD, SHUT_WR, SHUT_RDWR};
    if (::shutdown(s->fd->fd, kHow[std::min<uint32_t>(a[1].disc, 2)]) != 0) return ret(errno_error());
    return ret(Val::ok());
  });

  // ---- udp
  const std::string udp = iface("wasi:sockets/udp");
  for (const char* r : {"udp-socket", "incoming-datagram-stream", "outgoing-datagram-stream"}) l.define_resource_dtor(udp, r, drop);
  using US = UdpSocket::State;
  auto ufn = [&](const std::string& m, component::HostFn f) { l.define_instance_func(udp, m, std::move(f)); };
  ufn("[method]udp-socket.start-bind", WASI_P2_FN {
    auto s = WSVM_TRY(get<UdpSocket>(a[0]));
    WSVM_TRY(get<Network>(a[1]));
    return start_bind(*s, a[2], false);
  });
  ufn("[method]udp-socket.finish-bind", WASI_P2_FN { return finish_bind(*WSVM_TRY(get<UdpSocket>(a[0]))); });
  ufn("[method]udp-socket.stream", WASI_P2_FN {
    auto s = WSVM_TRY(get<UdpSocket>(a[0]));
    if (s->state != US::Bound) return ret(error(kInvalidState));
    bool connected = a[1].disc == 1;
    if (connected) {
      auto addr = to_sockaddr(a[1].items.at(0), s->family);
      if (!addr || unspecified_or_port0(*addr)) return ret(error(kInvalidArgument));
      if (::connect(s->fd->fd, addr->get(), addr->len) != 0) return ret(errno_error());
    } else {
      sockaddr unspec{};
      unspec.sa_family = AF_UNSPEC;
      ::connect(s->fd->fd, &unspec, sizeof unspec);  // "disconnect"; fails harmlessly when not connected
    }
    auto in = std::make_shared<IncomingDatagrams>();
    in->socket = s;
    auto out = std::make_shared<OutgoingDatagrams>();
    out->socket = s;
    out->connected = connected;
    Val iv = WSVM_TRY(own(in));
    Val ov = WSVM_TRY(own(out));
    return ret(Val::ok({Val::tuple({std::move(iv), std::move(ov)})}));
  });
  ufn("[method]udp-socket.local-address", WASI_P2_FN {
    auto s = WSVM_TRY(get<UdpSocket>(a[0]));
    if (s->state == US::Unbound) return ret(error(kInvalidState));
    return name_of(s->fd->fd, false);
  });
  ufn("[method]udp-socket.remote-address", WASI_P2_FN { return name_of(WSVM_TRY(get<UdpSocket>(a[0]))->fd->fd, true); });
  ufn("[method]udp-socket.address-family", WASI_P2_FN {
    return ret(Val::enumeration(WSVM_TRY(get<UdpSocket>(a[0]))->family == AF_INET ? 0 : 1));
  });
  ufn("[method]udp-socket.unicast-hop-limit", WASI_P2_FN { return hop_limit(*WSVM_TRY(get<UdpSocket>(a[0]))); });
  ufn("[method]udp-socket.set-unicast-hop-limit", WASI_P2_FN { return set_hop_limit(*WSVM_TRY(get<UdpSocket>(a[0])), a[1].u); });
  for (auto [name, opt] : {std::pair{"receive-buffer-size", SO_RCVBUF}, std::pair{"send-buffer-size", SO_SNDBUF}}) {
    ufn(std::string("[method]udp-socket.") + name, [this, opt](std::span<const Val> a) -> AbiResult<Vals> {
      auto v = get_int(WSVM_TRY(get<UdpSocket>(a[0]))->fd->fd, SOL_SOCKET, opt);
      if (!v) return ret(errno_error());
      return ret(Val::ok({Val::u64(uint64_t(*v))}));
    });
    ufn(std::string("[method]udp-socket.set-") + name, [this, opt](std::span<const Val> a) -> AbiResult<Vals> {
      auto s = WSVM_TRY(get<UdpSocket>(a[0]));
      if (a[1].u == 0 || a[1].u > INT32_MAX) return ret(error(kInvalidArgument));
      return set_int(s->fd->fd, SOL_SOCKET, opt, int(a[1].u));
    });
  }
  ufn("[method]udp-socket.subscribe", WASI_P2_FN {
    auto s = WSVM_TRY(get<UdpSocket>(a[0]));
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([] { return Readiness::now(); }, s))));
  });
  ufn("[method]incoming-datagram-stream.receive", WASI_P2_FN {
    auto in = WSVM_TRY(get<IncomingDatagrams>(a[0]));
    Vals out;
    uint64_t max = std::min(a[1].u, kMaxDatagramsPerCall);
    std::vector<uint8_t> buf(65536);
    while (out.size() < max) {
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(in->socket->fd->fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        if (out.empty()) return ret(errno_error());
        break;
      }
      out.push_back(Val::record({bytes_val(std::span<const uint8_t>(buf.data(), size_t(n))), socket_address_val(from)}));
    }
    return ret(Val::ok({Val::list(std::move(out))}));
  });
  ufn("[method]incoming-datagram-stream.subscribe", WASI_P2_FN {
    auto in = WSVM_TRY(get<IncomingDatagrams>(a[0]));
    int fd = in->socket->fd->fd;
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([fd] { return Readiness::on_fd(fd, POLLIN); }, in))));
  });
  ufn("[method]outgoing-datagram-stream.check-send", WASI_P2_FN {
    auto out = WSVM_TRY(get<OutgoingDatagrams>(a[0]));
    return ret(Val::ok({Val::u64(ready(out->socket->fd->fd, POLLOUT) ? kMaxDatagramsPerCall : 0)}));
  });
  ufn("[method]outgoing-datagram-stream.send", WASI_P2_FN {
    auto out = WSVM_TRY(get<OutgoingDatagrams>(a[0]));
    if (a[1].items.size() > kMaxDatagramsPerCall)
      return std::unexpected(component::abi_trap("wasi:sockets: send of more datagrams than check-send permitted"));
    uint64_t sent = 0;
    for (const Val& d : a[1].items) {
      std::vector<uint8_t> data = bytes_of(d.items.at(0));
      const Val& remote = d.items.at(1);
      ssize_t n;
      if (remote.disc == 1) {
        auto addr = to_sockaddr(remote.items.at(0), out->socket->family);
        if (!addr || unspecified_or_port0(*addr)) return ret(sent ? Val::ok({Val::u64(sent)}) : error(kInvalidArgument));
        n = out->connected ? ::send(out->socket->fd->fd, data.data(), data.size(), MSG_NOSIGNAL)
                           : ::sendto(out->socket->fd->fd, data.data(), data.size(), MSG_NOSIGNAL,
                                      addr->get(), addr->len);
      } else {
        if (!out->connected) return ret(sent ? Val::ok({Val::u64(sent)}) : error(kInvalidArgument));
        n = ::send(out->socket->fd->fd, data.data(), data.size(), MSG_NOSIGNAL);
      }
      if (n < 0) {
        if (sent > 0 || errno == EAGAIN) break;
        return ret(errno_error());
      }
      ++sent;
    }
    return ret(Val::ok({Val::u64(sent)}));
  });
  ufn("[method]outgoing-datagram-stream.subscribe", WASI_P2_FN {
    auto out = WSVM_TRY(get<OutgoingDatagrams>(a[0]));
    int fd = out->socket->fd->fd;
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([fd] { return Readiness::on_fd(fd, POLLOUT); }, out))));
  });
}

}  // namespace wsvm::wasi::p2

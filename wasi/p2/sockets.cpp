// Socket helpers shared by wasi:sockets 0.2 and 0.3 (see sockets.hpp).
#include "wasi/p2/sockets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wsvm::wasi::p2::sockets {

Err err_of(int e) {
  switch (e) {
    case EACCES: case EPERM: return Err::AccessDenied;
    case EADDRINUSE: return Err::AddressInUse;
    case EADDRNOTAVAIL: return Err::AddressNotBindable;
    case ECONNREFUSED: return Err::ConnectionRefused;
    case EPIPE: return Err::ConnectionBroken;
    case ECONNRESET: return Err::ConnectionReset;
    case ECONNABORTED: return Err::ConnectionAborted;
    case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: return Err::RemoteUnreachable;
    case ETIMEDOUT: return Err::Timeout;
    case EINVAL: case EAFNOSUPPORT: case EDESTADDRREQ: return Err::InvalidArgument;
    case EOPNOTSUPP: case EPROTONOSUPPORT: return Err::NotSupported;
    case EAGAIN: return Err::WouldBlock;
    case ENOMEM: case ENOBUFS: return Err::OutOfMemory;
    case EMFILE: case ENFILE: return Err::NewSocketLimit;
    case EMSGSIZE: return Err::DatagramTooLarge;
    case EISCONN: case EALREADY: case ENOTCONN: return Err::InvalidState;
    default: return Err::Unknown;
  }
}

Socket::Socket(int f, int fam, std::shared_ptr<int> count)
    : fd(std::make_shared<HostFd>(f, true)), family(fam), open_count(std::move(count)) {
  ++*open_count;
}
Socket::~Socket() { --*open_count; }

std::expected<int, Err> open_socket(const int& open_count, uint32_t family, int type) {
  if (family > 1) return std::unexpected(Err::InvalidArgument);
  if (open_count >= kMaxSockets) return std::unexpected(Err::NewSocketLimit);
  int fam = family == 0 ? AF_INET : AF_INET6;
  int fd = ::socket(fam, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(err_of(errno));
  if (fam == AF_INET6) set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
  return fd;
}

std::expected<int, Err> accept_socket(int listener, const int& open_count) {
  if (open_count >= kMaxSockets) return std::unexpected(Err::NewSocketLimit);
  int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return std::unexpected(err_of(errno));
  return fd;
}

Val ip_address_val(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto* a = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(sa)->sin_addr);
    return Val::variant(0, {Val::tuple({Val::u8(a[0]), Val::u8(a[1]), Val::u8(a[2]), Val::u8(a[3])})});
  }
  auto* a = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr);
  Vals parts;
  for (int i = 0; i < 8; ++i) parts.push_back(Val::u16(uint16_t(a[2 * i] << 8 | a[2 * i + 1])));
  return Val::variant(1, {Val::tuple(std::move(parts))});
}

Val socket_address_val(const sockaddr_storage& ss) {
  Val ip = ip_address_val(reinterpret_cast<const sockaddr*>(&ss));
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    return Val::variant(0, {Val::record({Val::u16(ntohs(in->sin_port)), std::move(ip.items[0])})});
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  return Val::variant(1, {Val::record({Val::u16(ntohs(in6->sin6_port)), Val::u32(ntohl(in6->sin6_flowinfo)),
                                       std::move(ip.items[0]), Val::u32(in6->sin6_scope_id)})});
}

std::expected<SockAddr, Err> to_sockaddr(const Val& v, int family) {
  SockAddr out;
  const Val& r = v.items.at(0);
  if (v.disc == 0) {
    if (family != AF_INET) return std::unexpected(Err::InvalidArgument);
    auto* in = reinterpret_cast<sockaddr_in*>(&out.ss);
    in->sin_family = AF_INET;
    in->sin_port = htons(uint16_t(r.items.at(0).u));
    auto* a = reinterpret_cast<uint8_t*>(&in->sin_addr);
    for (int i = 0; i < 4; ++i) a[i] = uint8_t(r.items.at(1).items.at(i).u);
    out.len = sizeof(sockaddr_in);
    return out;
  }
  if (family != AF_INET6) return std::unexpected(Err::InvalidArgument);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.ss);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(uint16_t(r.items.at(0).u));
  in6->sin6_flowinfo = htonl(uint32_t(r.items.at(1).u));
  auto* a = reinterpret_cast<uint8_t*>(&in6->sin6_addr);
  for (int i = 0; i < 8; ++i) {
    auto part = uint16_t(r.items.at(2).items.at(i).u);
    a[2 * i] = uint8_t(part >> 8);
    a[2 * i + 1] = uint8_t(part);
  }
  in6->sin6_scope_id = uint32_t(r.items.at(3).u);
  out.len = sizeof(sockaddr_in6);
  // A v6-only socket cannot reach an IPv4 peer through a mapped address (wasmtime refuses it too).
  if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return std::unexpected(Err::InvalidArgument);
  return out;
}

bool non_unicast(const SockAddr& a) {
  if (a.ss.ss_family == AF_INET) {
    uint32_t ip = ntohl(reinterpret_cast<const sockaddr_in*>(&a.ss)->sin_addr.s_addr);
    return (ip >> 28) == 0xE || ip == INADDR_BROADCAST;
  }
  return IN6_IS_ADDR_MULTICAST(&reinterpret_cast<const sockaddr_in6*>(&a.ss)->sin6_addr);
}

bool unspecified_or_port0(const SockAddr& a) {
  if (a.ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&a.ss);
    return in->sin_port == 0 || in->sin_addr.s_addr == INADDR_ANY;
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a.ss);
  return in6->sin6_port == 0 || IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
}

namespace {
std::expected<SockAddr, int> name_of(int fd, bool peer) {
  SockAddr a;
  a.len = sizeof a.ss;
  auto* sa = reinterpret_cast<sockaddr*>(&a.ss);
  if ((peer ? getpeername(fd, sa, &a.len) : getsockname(fd, sa, &a.len)) != 0) return std::unexpected(errno);
  return a;
}
}  // namespace

std::expected<SockAddr, int> local_name(int fd) { return name_of(fd, false); }
std::expected<SockAddr, int> peer_name(int fd) { return name_of(fd, true); }

bool same_address(const SockAddr& a, const SockAddr& b) {
  if (a.ss.ss_family != b.ss.ss_family) return false;
  if (a.ss.ss_family == AF_INET) {
    auto* x = reinterpret_cast<const sockaddr_in*>(&a.ss);
    auto* y = reinterpret_cast<const sockaddr_in*>(&b.ss);
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  auto* x = reinterpret_cast<const sockaddr_in6*>(&a.ss);
  auto* y = reinterpret_cast<const sockaddr_in6*>(&b.ss);
  return x->sin6_port == y->sin6_port && IN6_ARE_ADDR_EQUAL(&x->sin6_addr, &y->sin6_addr);
}

int set_int(int fd, int level, int opt, int value) {
  return setsockopt(fd, level, opt, &value, sizeof value) == 0 ? 0 : errno;
}

std::expected<int, int> get_int(int fd, int level, int opt) {
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, opt, &v, &len) != 0) return std::unexpected(errno);
  return v;
}

std::expected<uint8_t, Err> hop_limit(int fd, int family) {
  auto v = family == AF_INET ? get_int(fd, IPPROTO_IP, IP_TTL) : get_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
  if (!v) return std::unexpected(err_of(v.error()));
  return uint8_t(*v);
}

std::optional<Err> set_hop_limit(int fd, int family, uint64_t v) {
  if (v == 0 || v > 255) return Err::InvalidArgument;
  int e = family == AF_INET ? set_int(fd, IPPROTO_IP, IP_TTL, int(v)) : set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, int(v));
  if (e) return err_of(e);
  return std::nullopt;
}

}  // namespace wsvm::wasi::p2::sockets

// What wasi:sockets 0.2 (define_sockets.cpp) and 0.3 (wasi/p3/define_sockets.cpp) share:
// host sockets counted against the instance's limit and created only when the embedder
// granted the network, ip-socket-address <-> sockaddr, the checks every address passes, the
// errno -> error-code vocabulary, and socket options as numbers. Each version writes these in
// its own words (0.2's error-code is an enum with would-block and new-socket-limit; 0.3's is a
// variant with connection-broken and other).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <utility>

#include "wasi/p2/host.hpp"

namespace wsvm::wasi::p2::sockets {

// Every error either version can report; each maps these to its own error-code.
enum class Err {
  Unknown, AccessDenied, NotSupported, InvalidArgument, OutOfMemory, Timeout,
  ConcurrencyConflict, NotInProgress, WouldBlock, InvalidState, NewSocketLimit,
  AddressNotBindable, AddressInUse, RemoteUnreachable, ConnectionRefused, ConnectionBroken,
  ConnectionReset, ConnectionAborted, DatagramTooLarge, NameUnresolvable,
  TemporaryResolverFailure, PermanentResolverFailure,
};
Err err_of(int host_errno);

// Most sockets one instance holds at once (more: new-socket-limit), so a guest cannot take the
// host's descriptors from its neighbours in a server.
inline constexpr int kMaxSockets = 256;

// A non-blocking host socket, counted against its instance's limit while it is open.
struct Socket : Resource {
  std::shared_ptr<HostFd> fd;
  int family = AF_INET;  // AF_INET or AF_INET6
  std::shared_ptr<int> open_count;
  Socket(int f, int fam, std::shared_ptr<int> count);
  ~Socket() override;
};

// A new socket fd of `family` (0 ipv4, 1 ipv6) and `type` (SOCK_STREAM, SOCK_DGRAM),
// non-blocking, IPv6 sockets v6-only; new-socket-limit when `open_count` reached kMaxSockets.
// (The network grant is each version's to check: 0.2 at creation, 0.3 where a socket meets
// the network.)
std::expected<int, Err> open_socket(const int& open_count, uint32_t family, int type);
// accept4 of a listening socket, under the same limit.
std::expected<int, Err> accept_socket(int listener, const int& open_count);

// ip-address and ip-socket-address values of a sockaddr.
Val ip_address_val(const sockaddr* sa);
Val socket_address_val(const sockaddr_storage& ss);

struct SockAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&ss); }
};
// An ip-socket-address as a sockaddr, if it is one a socket of `family` may use: its family
// is the socket's, and an IPv6 address is not an IPv4-mapped one (sockets are v6-only).
// Otherwise invalid-argument.
std::expected<SockAddr, Err> to_sockaddr(const Val& v, int family);
// Multicast or broadcast (not something to bind to or connect to).
bool non_unicast(const SockAddr& a);
// The unspecified address (0.0.0.0, ::) or port 0: not a remote address.
bool unspecified_or_port0(const SockAddr& a);
// getsockname / getpeername.
std::expected<SockAddr, int> local_name(int fd);
std::expected<SockAddr, int> peer_name(int fd);
bool same_address(const SockAddr& a, const SockAddr& b);

// Integer socket options (0 or the errno).
int set_int(int fd, int level, int opt, int value);
std::expected<int, int> get_int(int fd, int level, int opt);
// The hop limit (IP_TTL, IPV6_UNICAST_HOPS) of a socket of `family`; setting 0 is invalid.
std::expected<uint8_t, Err> hop_limit(int fd, int family);
std::optional<Err> set_hop_limit(int fd, int family, uint64_t v);

}  // namespace wsvm::wasi::p2::sockets

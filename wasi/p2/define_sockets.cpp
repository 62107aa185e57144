// wasi:sockets (network, instance-network, tcp, tcp-create-socket, udp, udp-create-socket,
// ip-name-lookup): defined so that components importing them (every wasm32-wasip2 program
// does) link, with the network denied: creating a socket and resolving a name are
// access-denied. No socket, datagram stream or lookup stream can therefore exist, and their
// methods trap if a guest calls them with a handle it cannot have. Granting the host's
// network (--inherit-network) is not implemented yet: with HostOptions::inherit_network the
// creation functions answer not-supported rather than pretend.
#include "wasi/p2/define.hpp"

namespace wsvm::wasi::p2 {
namespace {

// network's error-code cases used here.
constexpr uint32_t kAccessDenied = 1, kNotSupported = 2;

struct Network : Resource {};

const char* const kTcpMethods[] = {
    "start-bind", "finish-bind", "start-connect", "finish-connect", "start-listen", "finish-listen",
    "accept", "local-address", "remote-address", "is-listening", "address-family",
    "set-listen-backlog-size", "keep-alive-enabled", "set-keep-alive-enabled", "keep-alive-idle-time",
    "set-keep-alive-idle-time", "keep-alive-interval", "set-keep-alive-interval", "keep-alive-count",
    "set-keep-alive-count", "hop-limit", "set-hop-limit", "receive-buffer-size",
    "set-receive-buffer-size", "send-buffer-size", "set-send-buffer-size", "subscribe", "shutdown",
};
const char* const kUdpMethods[] = {
    "start-bind", "finish-bind", "stream", "local-address", "remote-address", "address-family",
    "unicast-hop-limit", "set-unicast-hop-limit", "receive-buffer-size", "set-receive-buffer-size",
    "send-buffer-size", "set-send-buffer-size", "subscribe",
};

}  // namespace

void Host::define_sockets(component::ComponentLinker& l) {
  auto drop = [this](uint32_t rep) { m_table.remove(rep); };
  const std::string network = iface("wasi:sockets/network");
  l.define_resource_dtor(network, "network", drop);
  // No stream error comes from a socket here: none.
  l.define_instance_func(network, "network-error-code", WASI_P2_FN_UNUSED { return ret(Val::none()); });
  l.define_instance_func(iface("wasi:sockets/instance-network"), "instance-network", WASI_P2_FN {
    return ret(WSVM_TRY(own(std::make_shared<Network>())));
  });
  auto denied = [this](std::span<const Val>) -> AbiResult<Vals> {
    return ret(Val::err({Val::enumeration(m_options.inherit_network ? kNotSupported : kAccessDenied)}));
  };
  l.define_instance_func(iface("wasi:sockets/tcp-create-socket"), "create-tcp-socket", denied);
  l.define_instance_func(iface("wasi:sockets/udp-create-socket"), "create-udp-socket", denied);
  l.define_instance_func(iface("wasi:sockets/ip-name-lookup"), "resolve-addresses",
                         [this, denied](std::span<const Val> a) -> AbiResult<Vals> {
                           WSVM_TRY(get<Network>(a[0]));
                           return denied(a);
                         });

  // Methods of resources that cannot exist (see above).
  auto unreachable = [](std::string what) {
    return [what](std::span<const Val>) -> AbiResult<Vals> {
      return std::unexpected(component::abi_trap("wasi:sockets: " + what + " on a socket that cannot exist (the network is not granted)"));
    };
  };
  auto methods = [&](const std::string& in, const char* resource, std::span<const char* const> names) {
    l.define_resource_dtor(in, resource, drop);
    for (const char* m : names) {
      std::string name = std::string("[method]") + resource + "." + m;
      l.define_instance_func(in, name, unreachable(name));
    }
  };
  const std::string tcp = iface("wasi:sockets/tcp"), udp = iface("wasi:sockets/udp");
  methods(tcp, "tcp-socket", kTcpMethods);
  methods(udp, "udp-socket", kUdpMethods);
  const char* const incoming[] = {"receive", "subscribe"};
  const char* const outgoing[] = {"check-send", "send", "subscribe"};
  const char* const lookup[] = {"resolve-next-address", "subscribe"};
  methods(udp, "incoming-datagram-stream", incoming);
  methods(udp, "outgoing-datagram-stream", outgoing);
  methods(iface("wasi:sockets/ip-name-lookup"), "resolve-address-stream", lookup);
}

}  // namespace wsvm::wasi::p2

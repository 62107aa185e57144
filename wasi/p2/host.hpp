// The WASI 0.2 host (wasi:*@0.2.12), natively: one Host per component instance, holding the
// resources that instance has (ResourceTable) and what the embedder granted (WasiConfig,
// shared with preview 1: args, env, preopens with `:ro`, stdio fds, the path resolver).
// define() registers every interface in a ComponentLinker; a component importing an older
// 0.2.x links to them by semver (component/README.md).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "component/instance.hpp"
#include "decoder/error.hpp"
#include "wasi/p2/io.hpp"
#include "wasi/p2/table.hpp"
#include "wasi/preview1/context.hpp"

namespace wsvm::wasi::p2 {
namespace http {
class HttpClient;
}

using component::AbiResult;
using component::Val;
using Vals = std::vector<Val>;

// The version every interface is defined at.
inline constexpr std::string_view kVersion = "0.2.12";
// "wasi:cli/stdout" -> "wasi:cli/stdout@0.2.12".
std::string iface(std::string_view name);

struct HostOptions {
  // wasi:sockets and wasi:http reach the host's network only when granted
  // (--inherit-network); otherwise every socket operation is access-denied.
  bool inherit_network = false;
  // wasi:http/outgoing-handler: the client that sends (none: every request is
  // HTTP-request-denied) and the hosts it may reach ("HOST", "HOST:PORT" or "*";
  // http_types.hpp's host_allowed).
  std::shared_ptr<http::HttpClient> http_client;
  std::vector<std::string> http_allow;
  // Told (one line) of each outgoing request refused, for the embedder's log.
  std::function<void(const std::string&)> http_denied;
};

class Host {
 public:
  // Opens the preopened directories (a UsageError-style Io error names the one that failed).
  static Result<std::unique_ptr<Host>> create(const WasiConfig& config, HostOptions options = {});
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Makes this Host what create() would make of `config` and `options`, for another instance
  // of the same component (a server reusing a Host and the linker define() filled, instead of
  // building both per request): what the last instance held is closed first. On an error the
  // Host is unusable.
  Result<void> reset(const WasiConfig& config, HostOptions options);
  // Closes what the instance held (its resources, the WASI context's files) until the next
  // reset(); the Host serves no instance meanwhile.
  void release();

  // Defines every wasi:* 0.2 interface (functions and resource destructors) in `linker`.
  // The functions act on this Host, which must outlive the instance.
  void define(component::ComponentLinker& linker);

  ResourceTable& table() { return m_table; }
  const WasiContext& context() const { return *m_ctx; }
  const HostOptions& options() const { return m_options; }
  // How many sockets the instance holds (wasi:sockets 0.2 and 0.3 together; sockets.hpp's limit).
  const std::shared_ptr<int>& open_sockets() const { return m_open_sockets; }

  // For host functions: add a resource and give the guest an owning handle to it (a trap
  // when the instance holds too many), look one up by the handle's rep (a trap if it is not
  // a T), and the stream-error value for an error (last-operation-failed makes an error
  // resource).
  AbiResult<Val> own(std::shared_ptr<Resource> r);
  template <class T>
  AbiResult<std::shared_ptr<T>> get(const Val& handle) const {
    if (auto p = m_table.get<T>(uint32_t(handle.u))) return p;
    return std::unexpected(component::abi_trap("wasi: handle does not name a live resource of this type"));
  }
  AbiResult<Val> stream_error(const StreamError& e);
  // An owned handle the guest passed to the host: the resource leaves the table (the host
  // holds it now).
  template <class T>
  AbiResult<std::shared_ptr<T>> take(const Val& handle) {
    auto p = WSVM_TRY(get<T>(handle));
    m_table.remove(uint32_t(handle.u));
    return p;
  }

  // The preopened directories, in order (guest name and host fd, not owned).
  struct PreopenDir {
    std::string guest_path;
    std::shared_ptr<HostFd> fd;
    bool read_only = false;
  };
  const std::vector<PreopenDir>& preopens() const { return m_preopens; }
  // The host fd behind guest stdio fd `n` (0, 1, 2), not owned: the embedder's stdio stays open.
  std::shared_ptr<HostFd> stdio_fd(uint32_t n) { return std::make_shared<HostFd>(m_ctx->get(n)->host, false); }

 private:
  Host() = default;
  void define_cli(component::ComponentLinker& l);
  void define_io(component::ComponentLinker& l);
  void define_clocks(component::ComponentLinker& l);
  void define_random(component::ComponentLinker& l);
  void define_filesystem(component::ComponentLinker& l);
  void define_sockets(component::ComponentLinker& l);
  void define_http(component::ComponentLinker& l);

  std::unique_ptr<WasiContext> m_ctx;  // args, env, resolver; owns the preopen fds
  HostOptions m_options;
  std::vector<PreopenDir> m_preopens;
  uint64_t m_seed[2] = {0, 0};  // insecure-seed: fixed for the instance's life
  std::shared_ptr<int> m_open_sockets = std::make_shared<int>(0);
  ResourceTable m_table;        // last member: destroyed first, closing what the guest held
};

// Helpers for host functions: a list<u8> from bytes and back; results.
Val bytes_val(std::span<const uint8_t> bytes);
std::vector<uint8_t> bytes_of(const Val& list);
inline AbiResult<Vals> ret() { return Vals{}; }
inline AbiResult<Vals> ret(Val v) { return Vals{std::move(v)}; }

}  // namespace wsvm::wasi::p2

#include "wasi/p2/host.hpp"

#include <sys/random.h>

#include <fmt/format.h>

namespace wsvm::wasi::p2 {

std::string iface(std::string_view name) { return fmt::format("{}@{}", name, kVersion); }

Result<std::unique_ptr<Host>> Host::create(const WasiConfig& config, HostOptions options) {
  std::unique_ptr<Host> h(new Host());
  WSVM_TRY_VOID(h->reset(config, std::move(options)));
  return h;
}

Result<void> Host::reset(const WasiConfig& config, HostOptions options) {
  release();
  m_ctx = WSVM_TRY(WasiContext::create(config));
  m_options = std::move(options);
  // The preopens are fds 3.. of the preview 1 context, in order: the same opening, errors
  // and read-only rule (a read-only preopen has none of the mutating rights).
  for (uint32_t fd = 3;; ++fd) {
    FdEntry* e = m_ctx->get(fd);
    if (!e || !e->preopen_name) break;
    m_preopens.push_back(PreopenDir{*e->preopen_name, std::make_shared<HostFd>(e->host, false),
                                    !e->has(rights::kPathCreateFile)});
  }
  m_seed[0] = m_seed[1] = 0;
  if (getrandom(m_seed, sizeof m_seed, 0) != sizeof m_seed) m_seed[0] = 0x9e3779b97f4a7c15u;
  return {};
}

void Host::release() {
  m_table = ResourceTable{};  // the instance's resources close before their fds
  m_preopens.clear();
  m_ctx.reset();
}

Host::~Host() = default;

void Host::define(component::ComponentLinker& linker) {
  define_cli(linker);
  define_io(linker);
  define_clocks(linker);
  define_random(linker);
  define_filesystem(linker);
  define_sockets(linker);
  define_http(linker);
}

AbiResult<Val> Host::own(std::shared_ptr<Resource> r) {
  auto rep = m_table.add(std::move(r));
  if (!rep)
    return std::unexpected(component::abi_trap(
        fmt::format("wasi: the instance holds {} resources, the most allowed", ResourceTable::kMaxLive)));
  return Val::own(*rep);
}

AbiResult<Val> Host::stream_error(const StreamError& e) {
  if (e.closed) return Val::variant(1);
  Val err = WSVM_TRY(own(std::make_shared<IoError>(e)));
  return Val::variant(0, {std::move(err)});
}

Val bytes_val(std::span<const uint8_t> bytes) {
  return Val::byte_list(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

std::vector<uint8_t> bytes_of(const Val& list) {
  if (!list.bytes.empty()) return list.bytes;  // lifted list<u8>s come packed
  std::vector<uint8_t> out;
  out.reserve(list.items.size());
  for (const Val& b : list.items) out.push_back(uint8_t(b.u));
  return out;
}

}  // namespace wsvm::wasi::p2

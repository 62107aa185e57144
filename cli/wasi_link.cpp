#include "cli/wasi_link.hpp"

#include <cstdlib>

#include "wasi/preview1/preview1.hpp"

namespace wsvm::cli {

std::expected<std::unique_ptr<wasi::WasiContext>, std::string> link_wasi(
    Linker& linker, Store& store, const Module& module, const Options& o) {
  if (!wasi::imports_preview1(module)) return nullptr;
  wasi::WasiConfig config;
  config.args.push_back(o.module_path);  // argv[0] is the module as named on the command line
  if (!o.invoke) config.args.insert(config.args.end(), o.args.begin(), o.args.end());
  config.env = o.wasi.env;
  for (const WasiDir& d : o.wasi.dirs) config.preopens.push_back({d.host, d.guest, d.read_only});
  config.tcp_listen = o.wasi.tcp_listen;
  // WSVM_WASI_NO_OPENAT2=1 forces the path resolver's component walk (the tests run both).
  const char* no_openat2 = std::getenv("WSVM_WASI_NO_OPENAT2");
  config.use_openat2 = !(no_openat2 != nullptr && no_openat2[0] == '1');
  auto ctx = wasi::WasiContext::create(config);
  if (!ctx) return std::unexpected(ctx.error().message);
  if (auto r = wasi::define_preview1(linker, store, **ctx, &module); !r) return std::unexpected(r.error().message);
  return std::move(*ctx);
}

}  // namespace wsvm::cli

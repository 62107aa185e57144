// The state one WASI program sees: its arguments, environment, and descriptor table
// (stdio, preopened directories, listening sockets, then whatever it opens).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decoder/error.hpp"
#include "wasi/preview1/abi.hpp"
#include "wasi/preview1/path_resolve.hpp"

namespace wsvm::wasi {

struct Preopen {
  std::string host_path;
  std::string guest_path;  // the name the program sees (fd_prestat_dir_name)
  bool read_only = false;  // no mutating rights: writes fail with ENOTCAPABLE
};

struct WasiConfig {
  std::vector<std::string> args;  // args[0] is the program name
  std::vector<std::string> env;   // "KEY=VALUE"; nothing is inherited unless listed
  std::vector<Preopen> preopens;
  std::vector<std::string> tcp_listen;  // "HOST:PORT", bound and listening before the run
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;  // host descriptors behind guest fds 0-2
  // Resolve paths with openat2(RESOLVE_BENEATH) where the kernel has it; false forces the
  // component walk of path_resolve.hpp (tests run both; the CLI reads WSVM_WASI_NO_OPENAT2).
  bool use_openat2 = true;
};

struct FdEntry {
  int host = -1;
  FileType type = FileType::Unknown;
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  std::optional<std::string> preopen_name;  // set for preopened directories
  bool owned = true;                        // close the host fd when the entry goes
  bool pipe = false;  // a FIFO: a write with the reader gone raises SIGPIPE (see fd_io.cpp)

  bool has(uint64_t r) const { return (rights_base & r) == r; }
};

class WasiContext {
 public:
  // Opens the preopened directories and listening sockets; an Io error names the one that
  // failed ("--dir /x: No such file or directory").
  static Result<std::unique_ptr<WasiContext>> create(const WasiConfig& config);
  ~WasiContext();
  WasiContext(const WasiContext&) = delete;
  WasiContext& operator=(const WasiContext&) = delete;

  const std::vector<std::string>& args() const { return m_args; }
  const std::vector<std::string>& env() const { return m_env; }
  Resolver resolver() const { return m_use_openat2 ? Resolver::Openat2 : Resolver::Walk; }

  FdEntry* get(uint32_t fd);
  // Places `e` at the lowest free number; nullopt when the table is full (EMFILE).
  std::optional<uint32_t> insert(FdEntry e);
  void close(uint32_t fd);                // closes the host fd if owned and frees the slot
  void renumber(uint32_t from, uint32_t to);  // both must exist; `to` is closed first

 private:
  WasiContext() = default;
  std::vector<std::string> m_args;
  std::vector<std::string> m_env;
  bool m_use_openat2 = true;
  std::vector<std::optional<FdEntry>> m_fds;
};

// Guest file type of a host stat mode.
FileType filetype_from_mode(uint32_t st_mode);

// The rights that apply to a descriptor of this type (witx path_open: an implementation may
// return fewer rights than asked "if and only if those rights do not apply to the type of
// file being opened"). Character devices (terminals) get no seek/tell rights: wasi-libc's
// isatty() recognises a terminal by exactly that. Pipes and sockets keep them, so fd_seek
// there says ESPIPE, as lseek(2) and wasmtime do, rather than ENOTCAPABLE.
uint64_t rights_for_type(FileType type);

}  // namespace wsvm::wasi

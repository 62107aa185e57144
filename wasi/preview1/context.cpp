#include "wasi/preview1/context.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wsvm::wasi {
namespace {

// Descriptor numbers stay far below 2^31 (wasi-libc treats fds as int).
constexpr size_t kMaxFds = 1u << 20;

Error io_error(const std::string& what) {
  return Error{ErrorKind::Io, kNoOffset, what + ": " + std::strerror(errno)};
}

// Rights of an already-open host descriptor, by what it is (rights_for_type).
FdEntry entry_for_stream(int host, bool owned) {
  FdEntry e;
  e.host = host;
  e.owned = owned;
  struct stat st {};
  bool ok = fstat(host, &st) == 0;
  e.type = ok ? filetype_from_mode(st.st_mode) : FileType::Unknown;
  e.pipe = ok && S_ISFIFO(st.st_mode);
  // Never directory rights, even if the host handed us a directory: stdio is a stream.
  e.rights_base = rights_for_type(e.type == FileType::Directory ? FileType::Unknown : e.type);
  e.rights_inheriting = 0;
  return e;
}

Result<int> listen_on(const std::string& spec) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    return make_error(ErrorKind::Io, kNoOffset, "--tcplisten " + spec + ": expected HOST:PORT");
  std::string host = spec.substr(0, colon), port = spec.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* list = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &list); rc != 0)
    return make_error(ErrorKind::Io, kNoOffset, "--tcplisten " + spec + ": " + gai_strerror(rc));
  int fd = -1;
  int saved = 0;
  for (addrinfo* ai = list; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) { saved = errno; continue; }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
      saved = errno;
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(list);
  if (fd < 0) {
    errno = saved;
    return std::unexpected(io_error("--tcplisten " + spec));
  }
  return fd;
}

}  // namespace

FileType filetype_from_mode(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFBLK: return FileType::BlockDevice;
    case S_IFCHR: return FileType::CharacterDevice;
    case S_IFDIR: return FileType::Directory;
    case S_IFREG: return FileType::RegularFile;
    case S_IFSOCK: return FileType::SocketStream;
    case S_IFLNK: return FileType::SymbolicLink;
    default: return FileType::Unknown;  // FIFOs have no WASI file type
  }
}

uint64_t rights_for_type(FileType type) {
  switch (type) {
    case FileType::Directory: return rights::kDirectoryBase;
    case FileType::CharacterDevice: return rights::kFileBase & ~(rights::kFdSeek | rights::kFdTell);
    case FileType::SocketStream:
    case FileType::SocketDgram: return rights::kFileBase | rights::kSockShutdown;
    default: return rights::kFileBase;  // files, block devices, pipes (FIFOs have no WASI type)
  }
}

Result<std::unique_ptr<WasiContext>> WasiContext::create(const WasiConfig& config) {
  std::unique_ptr<WasiContext> ctx(new WasiContext());
  ctx->m_args = config.args;
  ctx->m_env = config.env;
  ctx->m_use_openat2 = config.use_openat2;
  ctx->insert(entry_for_stream(config.stdin_fd, false));
  ctx->insert(entry_for_stream(config.stdout_fd, false));
  ctx->insert(entry_for_stream(config.stderr_fd, false));
  // Preopens come directly after stdio: wasi-libc scans fds 3, 4, ... with fd_prestat_get
  // and stops at the first EBADF, so nothing else may sit between them.
  for (const Preopen& p : config.preopens) {
    int fd = open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(io_error("--dir " + p.host_path));
    FdEntry e;
    e.host = fd;
    e.type = FileType::Directory;
    e.rights_base = rights::kDirectoryBase;
    e.rights_inheriting = rights::kDirectoryInheriting;
    if (p.read_only) {
      e.rights_base &= ~rights::kMutating;
      e.rights_inheriting &= ~rights::kMutating;
    }
    e.preopen_name = p.guest_path;
    ctx->insert(std::move(e));
  }
  for (const std::string& spec : config.tcp_listen) {
    int fd = WSVM_TRY(listen_on(spec));
    FdEntry e;
    e.host = fd;
    e.type = FileType::SocketStream;
    e.rights_base = rights::kSockAccept | rights::kPollFdReadwrite | rights::kFdFdstatSetFlags |
                    rights::kFdFilestatGet | rights::kSockShutdown;
    e.rights_inheriting = rights::kFdRead | rights::kFdWrite | rights::kPollFdReadwrite |
                          rights::kFdFdstatSetFlags | rights::kFdFilestatGet |
                          rights::kSockShutdown;
    ctx->insert(std::move(e));
  }
  return ctx;
}

WasiContext::~WasiContext() {
  for (auto& e : m_fds)
    if (e && e->owned) ::close(e->host);
}

FdEntry* WasiContext::get(uint32_t fd) {
  if (fd >= m_fds.size() || !m_fds[fd]) return nullptr;
  return &*m_fds[fd];
}

std::optional<uint32_t> WasiContext::insert(FdEntry e) {
  for (size_t i = 0; i < m_fds.size(); ++i) {
    if (!m_fds[i]) {
      m_fds[i] = std::move(e);
      return static_cast<uint32_t>(i);
    }
  }
  if (m_fds.size() >= kMaxFds) return std::nullopt;
  m_fds.push_back(std::move(e));
  return static_cast<uint32_t>(m_fds.size() - 1);
}

void WasiContext::close(uint32_t fd) {
  FdEntry* e = get(fd);
  if (e == nullptr) return;
  if (e->owned) ::close(e->host);
  m_fds[fd].reset();
}

void WasiContext::renumber(uint32_t from, uint32_t to) {
  if (from == to || get(from) == nullptr || get(to) == nullptr) return;
  close(to);
  m_fds[to] = std::move(m_fds[from]);
  m_fds[from].reset();
}

}  // namespace wsvm::wasi

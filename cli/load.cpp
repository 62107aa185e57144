#include "cli/load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wsvm::cli {
namespace {

std::unexpected<Error> io_error(std::string msg) {
  return make_error(ErrorKind::Io, kNoOffset, std::move(msg));
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

Result<std::vector<uint8_t>> read_module_file(const std::string& path) {
  Fd f{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return io_error(std::strerror(errno));
  struct stat st;
  if (fstat(f.fd, &st) != 0) return io_error(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return io_error("is a directory");
  std::vector<uint8_t> bytes;
  if (S_ISREG(st.st_mode)) {
    if (static_cast<uint64_t>(st.st_size) > kMaxModuleFileBytes) return io_error("file too large");
    bytes.reserve(static_cast<size_t>(st.st_size));
  }
  // Read until EOF (pipes and /dev/stdin have no size), never past the cap.
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(std::strerror(errno));
    }
    if (n == 0) break;
    if (bytes.size() + static_cast<size_t>(n) > kMaxModuleFileBytes) return io_error("file too large");
    bytes.insert(bytes.end(), buf, buf + n);
  }
  return bytes;
}

}  // namespace wsvm::cli

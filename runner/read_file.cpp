#include "runner/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "memory/populate.hpp"

namespace wsvm::runner {
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
  // A regular file is read straight into a buffer of its size (no bounce buffer, no copy);
  // pipes and /dev/stdin have no size and grow the buffer as they go. Either way the read
  // continues until EOF and never past the cap.
  std::vector<uint8_t> bytes;
  size_t used = 0;
  if (S_ISREG(st.st_mode)) {
    if (static_cast<uint64_t>(st.st_size) > kMaxModuleFileBytes) return io_error("file too large");
    // One byte more than the size, so a file that grew since fstat is still read to its end.
    // Its pages faulted in with one system call, not one fault each (memory/populate.hpp):
    // 30 of hello.wasm's 136 page faults.
    bytes.reserve(static_cast<size_t>(st.st_size) + 1);
    (void)memory::populate_for_write(bytes.data(), bytes.capacity());
    bytes.resize(static_cast<size_t>(st.st_size) + 1);
  }
  for (;;) {
    if (used == bytes.size()) {
      if (bytes.size() > kMaxModuleFileBytes) return io_error("file too large");
      const size_t grown = std::max<size_t>(65536, bytes.size() * 2);
      bytes.resize(std::min<size_t>(grown, kMaxModuleFileBytes + 1));
    }
    ssize_t n = read(f.fd, bytes.data() + used, bytes.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(std::strerror(errno));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > kMaxModuleFileBytes) return io_error("file too large");
  bytes.resize(used);
  return bytes;
}

}  // namespace wsvm::runner

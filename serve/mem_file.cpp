#include "serve/mem_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decoder/printable.hpp"

namespace wsvm::serve {

MemFile::MemFile(const char* name) : fd(memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)) {}

MemFile::~MemFile() {
  if (fd >= 0) close(fd);
}

bool MemFile::cap(uint64_t bytes) {
  return ftruncate(fd, static_cast<off_t>(bytes)) == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) == 0;
}

bool MemFile::fill(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return lseek(fd, 0, SEEK_SET) == 0;
}

std::string MemFile::written() const {
  off_t end = lseek(fd, 0, SEEK_CUR);
  std::string out(end > 0 ? static_cast<size_t>(end) : 0, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

bool MemFile::rewind() { return lseek(fd, 0, SEEK_SET) == 0; }

void log_output_lines(std::string_view stream, const std::string& text, const std::function<void(const std::string&)>& log) {
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    log(std::string(stream) + ": " + printable(std::string_view(text).substr(pos, nl - pos)));
    pos = nl + 1;
  }
}

}  // namespace wsvm::serve

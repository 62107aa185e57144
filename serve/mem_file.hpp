// Memory files for a guest's stdio while it serves a request, and its output as log lines.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace wsvm::serve {

// A memory file for a guest's stdin/stdout/stderr: no pipe to fill up while the guest runs
// on this thread. Capped outputs are sized once and sealed against growth, so writes past
// the cap fail inside the guest instead of growing host memory; the bytes written are up to
// the file position. Pages never written cost nothing.
struct MemFile {
  int fd = -1;
  explicit MemFile(const char* name);
  ~MemFile();
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  bool cap(uint64_t bytes);
  bool fill(const std::string& data);  // then back to the start, for the guest to read
  std::string written() const;
  bool rewind();  // back to the start, for the next guest to write over
};

// One `log` call per line of `text` (a guest's output), as "STREAM: line", escaped.
void log_output_lines(std::string_view stream, const std::string& text, const std::function<void(const std::string&)>& log);

}  // namespace wsvm::serve

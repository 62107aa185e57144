// Capability-safe path resolution: a guest path is always resolved beneath a directory
// descriptor and can never name anything outside it.
//
// Primary: openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (Linux >= 5.6), which makes
// the kernel refuse any step (`..`, an absolute symlink, a symlink climbing out) that leaves
// the tree. Fallback, taken when openat2 says ENOSYS (or when forced for tests): our own
// component-by-component walk that opens each directory with O_NOFOLLOW, expands symlinks
// itself (at most kMaxSymlinks, then ELOOP), keeps a stack of the directories walked so `..`
// can pop back but never above the start, and refuses absolute symlink targets.
//
// Errors (WASI errno): an absolute path or any escape -> ENOTCAPABLE; a symlink loop or more
// than 40 links -> ELOOP; a NUL byte in the path -> EINVAL; an empty path -> ENOENT; other
// failures carry the host errno (ENOENT, ENOTDIR, ...).
#pragma once

#include <sys/types.h>

#include <expected>
#include <string>
#include <string_view>

#include "wasi/preview1/abi.hpp"

namespace wsvm::wasi {

inline constexpr int kMaxSymlinks = 40;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : m_fd(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd();
  int get() const { return m_fd; }
  int release() { int f = m_fd; m_fd = -1; return f; }

 private:
  int m_fd = -1;
};

// Forces the fallback walk even where openat2 exists (tests; WSVM_WASI_NO_OPENAT2=1).
void force_resolve_fallback(bool on);
bool using_openat2();

// Opens `path` beneath `dirfd` with host open(2) `flags` (O_CLOEXEC is added) and `mode`.
// A symlink as the final component is followed only when `follow_final`.
std::expected<UniqueFd, Errno> open_beneath(int dirfd, std::string_view path, int flags,
                                            mode_t mode, bool follow_final);

// For operations on a name in a directory (mkdir, unlink, rename, ...): the directory that
// holds the final component, opened O_PATH beneath `dirfd`, and that component, which is a
// single name without '/' (a final "." or ".." resolves the whole path and gives ".").
struct ParentAndName {
  UniqueFd parent;
  std::string name;
  bool trailing_slash = false;  // the guest wrote "name/": the object must be a directory
};
std::expected<ParentAndName, Errno> resolve_parent(int dirfd, std::string_view path);

}  // namespace wsvm::wasi

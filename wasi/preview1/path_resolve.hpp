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
// than 40 links -> ELOOP; a NUL byte in the path -> EINVAL; an empty path -> ENOENT; a path of
// kPathMax bytes or more (also once symlinks are expanded, in the walk) -> ENAMETOOLONG; other
// failures carry the host errno (ENOENT, ENOTDIR, ...).
#pragma once

#include <sys/types.h>

#include <cstdint>

#include <expected>
#include <string>
#include <string_view>

#include "wasi/preview1/abi.hpp"

namespace wsvm::wasi {

inline constexpr int kMaxSymlinks = 40;
// Longest path either resolver takes, in bytes (Linux's PATH_MAX, NUL included): a longer
// one is ENAMETOOLONG before any host work, as openat2 says for it.
inline constexpr size_t kPathMax = 4096;

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

// Which resolver to use: openat2 where the kernel has it (the first ENOSYS switches every
// later call to the walk), or always the walk. The caller's configuration chooses
// (WasiConfig::use_openat2); this library reads no environment.
enum class Resolver : uint8_t { Openat2, Walk };

// Opens `path` beneath `dirfd` with host open(2) `flags` (O_CLOEXEC is added) and `mode`.
// A symlink as the final component is followed only when `follow_final`.
std::expected<UniqueFd, Errno> open_beneath(Resolver how, int dirfd, std::string_view path,
                                            int flags, mode_t mode, bool follow_final);

// For operations on a name in a directory (mkdir, unlink, rename, ...): the directory that
// holds the final component, opened O_PATH beneath `dirfd`, and that component, which is a
// single name without '/' (a final "." or ".." resolves the whole path and gives ".").
struct ParentAndName {
  UniqueFd parent;
  std::string name;
  bool trailing_slash = false;  // the guest wrote "name/": the object must be a directory

  // The name as the guest wrote it ("name/" keeps its slash), for the *at() calls whose own
  // trailing-slash rules are POSIX's and never follow the final component: mkdirat,
  // unlinkat, renameat, linkat's new name, symlinkat's link path.
  std::string as_written() const { return trailing_slash ? name + "/" : name; }
};
std::expected<ParentAndName, Errno> resolve_parent(Resolver how, int dirfd, std::string_view path);

}  // namespace wsvm::wasi

#include "wasi/preview1/path_resolve.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <deque>
#include <vector>

namespace wsvm::wasi {
namespace {

// Set at the first ENOSYS from openat2 (Linux < 5.6): a fact about the kernel, the same for
// every context, so every later call goes straight to the walk.
std::atomic<bool> g_openat2_missing{false};

std::unexpected<Errno> fail(Errno e) { return std::unexpected(e); }

// Checks shared by both resolvers.
Errno check_path(std::string_view path) {
  if (path.empty()) return Errno::NoEnt;
  // Before anything copies or splits it (the walk once spent 8.8 GB on a 256 MiB path).
  if (path.size() >= kPathMax) return Errno::NameTooLong;
  if (path.find('\0') != std::string_view::npos) return Errno::Inval;
  if (path.front() == '/') return Errno::NotCapable;
  return Errno::Success;
}

void push_components(std::deque<std::string>& out, std::string_view path, bool front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  // "dir/" must name a directory: walking "dir" then "." makes the walk check that.
  if (!path.empty() && path.back() == '/') parts.emplace_back(".");
  if (front) out.insert(out.begin(), parts.begin(), parts.end());
  else out.insert(out.end(), parts.begin(), parts.end());
}

std::expected<UniqueFd, Errno> open_openat2(int dirfd, std::string_view path, int flags,
                                            mode_t mode, bool follow_final, bool& nosys) {
  std::string p(path);
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | (follow_final ? 0 : O_NOFOLLOW));
  // O_TMPFILE contains O_DIRECTORY's bit, so test it as a whole; openat2 wants mode 0 otherwise.
  how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = syscall(SYS_openat2, dirfd, p.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == ENOSYS) { nosys = true; return fail(Errno::NoSys); }
    if (errno == EXDEV) return fail(Errno::NotCapable);  // RESOLVE_BENEATH refused an escape
    return fail(errno_from_host(errno));
  }
}

// The fallback walk. `stack` holds the directories entered; the start directory is below it
// (borrowed, never closed), so a `..` with an empty stack would leave the tree.
std::expected<UniqueFd, Errno> open_walk(int dirfd, std::string_view path, int flags,
                                         mode_t mode, bool follow_final) {
  std::deque<std::string> todo;
  push_components(todo, path, false);
  std::vector<UniqueFd> stack;
  auto cur = [&] { return stack.empty() ? dirfd : stack.back().get(); };
  int links = 0;
  auto expand = [&](int at, const std::string& name) -> Errno {
    if (++links > kMaxSymlinks) return Errno::Loop;
    std::string target(4096, '\0');
    ssize_t n = readlinkat(at, name.c_str(), target.data(), target.size());
    if (n < 0) return errno_from_host(errno);
    target.resize(static_cast<size_t>(n));
    if (target.empty()) return Errno::NoEnt;
    if (target.front() == '/') return Errno::NotCapable;
    // What is left to walk stays a path the kernel would accept: each expansion adds at
    // most one link's target, and the whole is refused past kPathMax as openat2 would.
    size_t left = target.size();
    for (const std::string& s : todo) left += s.size() + 1;
    if (left >= kPathMax) return Errno::NameTooLong;
    push_components(todo, target, true);
    return Errno::Success;
  };
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    bool last = todo.empty();
    if (comp == "..") {
      if (stack.empty()) return fail(Errno::NotCapable);
      stack.pop_back();
      comp = ".";
    }
    if (!last) {
      if (comp == ".") continue;
      int fd = openat(cur(), comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return fail(errno_from_host(errno));
      UniqueFd next(fd);
      struct stat st {};
      if (fstat(fd, &st) != 0) return fail(errno_from_host(errno));
      if (S_ISLNK(st.st_mode)) {
        if (Errno e = expand(cur(), comp); e != Errno::Success) return fail(e);
        continue;
      }
      if (!S_ISDIR(st.st_mode)) return fail(Errno::NotDir);
      stack.push_back(std::move(next));
      continue;
    }
    // The final component: open it without following; a symlink is expanded by hand.
    int fd = openat(cur(), comp.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) {
      UniqueFd out(fd);
      if ((flags & O_PATH) && follow_final) {
        struct stat st {};
        if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
          if (Errno e = expand(cur(), comp); e != Errno::Success) return fail(e);
          continue;
        }
      }
      return out;
    }
    int err = errno;
    if (follow_final && (err == ELOOP || err == EEXIST || err == ENOTDIR)) {
      struct stat st {};
      if (fstatat(cur(), comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        if ((flags & O_CREAT) && (flags & O_EXCL)) return fail(Errno::Exist);
        if (Errno e = expand(cur(), comp); e != Errno::Success) return fail(e);
        continue;
      }
    }
    return fail(errno_from_host(err));
  }
  return fail(Errno::NoEnt);
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (m_fd >= 0) ::close(m_fd);
}

std::expected<UniqueFd, Errno> open_beneath(Resolver how, int dirfd, std::string_view path,
                                            int flags, mode_t mode, bool follow_final) {
  if (Errno e = check_path(path); e != Errno::Success) return fail(e);
  if (how == Resolver::Openat2 && !g_openat2_missing.load(std::memory_order_relaxed)) {
    bool nosys = false;
    auto r = open_openat2(dirfd, path, flags, mode, follow_final, nosys);
    if (!nosys) return r;
    g_openat2_missing.store(true, std::memory_order_relaxed);
  }
  return open_walk(dirfd, path, flags, mode, follow_final);
}

std::expected<ParentAndName, Errno> resolve_parent(Resolver how, int dirfd, std::string_view path) {
  if (Errno e = check_path(path); e != Errno::Success) return fail(e);
  ParentAndName out;
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') {
    p.remove_suffix(1);
    out.trailing_slash = true;
  }
  size_t slash = p.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view(".") : p.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? p : p.substr(slash + 1);
  if (name == "." || name == "..") {
    dir = p;
    name = ".";
  }
  auto parent = open_beneath(how, dirfd, dir, O_PATH | O_DIRECTORY, 0, true);
  if (!parent) return fail(parent.error());
  out.parent = std::move(*parent);
  out.name = std::string(name);
  return out;
}

}  // namespace wsvm::wasi

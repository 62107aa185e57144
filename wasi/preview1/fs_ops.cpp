// The operations of fs_ops.hpp (see there for the resolution rules).
#include "wasi/preview1/fs_ops.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace wsvm::wasi::fs {
namespace {

std::string proc_fd(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Errno ok_or_errno(int r) { return r == 0 ? Errno::Success : errno_from_host(errno); }

// A name written with a trailing '/' must be a directory. For the calls that would follow a
// final symlink because of the slash (POSIX: "name/" means "name/."), which could lead out of
// the directory: the name itself is checked without following, and then used without the
// slash. The other calls pass the slash to the kernel (ParentAndName::as_written).
Errno check_trailing_slash(const ParentAndName& pn) {
  if (!pn.trailing_slash) return Errno::Success;
  struct stat st {};
  if (fstatat(pn.parent.get(), pn.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_from_host(errno);
  return S_ISDIR(st.st_mode) ? Errno::Success : Errno::NotDir;
}

}  // namespace

Errno create_directory(Resolver how, int dir, std::string_view path) {
  auto pn = resolve_parent(how, dir, path);
  if (!pn) return pn.error();
  return ok_or_errno(mkdirat(pn->parent.get(), pn->as_written().c_str(), 0777));
}

std::expected<struct stat, Errno> stat_at(Resolver how, int dir, std::string_view path, bool follow) {
  // O_PATH | O_NOFOLLOW opens a final symlink itself, so fstat describes the link.
  auto fd = open_beneath(how, dir, path, O_PATH, 0, follow);
  if (!fd) return std::unexpected(fd.error());
  struct stat st {};
  if (fstat(fd->get(), &st) != 0) return std::unexpected(errno_from_host(errno));
  return st;
}

Errno set_times_at(Resolver how, int dir, std::string_view path, bool follow, const timespec ts[2]) {
  if (follow) {
    auto fd = open_beneath(how, dir, path, O_PATH, 0, true);
    if (!fd) return fd.error();
    return ok_or_errno(utimensat(AT_FDCWD, proc_fd(fd->get()).c_str(), ts, 0));
  }
  auto pn = resolve_parent(how, dir, path);
  if (!pn) return pn.error();
  if (Errno e = check_trailing_slash(*pn); e != Errno::Success) return e;
  return ok_or_errno(utimensat(pn->parent.get(), pn->name.c_str(), ts, AT_SYMLINK_NOFOLLOW));
}

Errno link(Resolver how, int old_dir, std::string_view old_path, bool follow, int new_dir,
           std::string_view new_path) {
  auto to = resolve_parent(how, new_dir, new_path);
  if (!to) return to.error();
  if (follow) {
    auto from = open_beneath(how, old_dir, old_path, O_PATH, 0, true);
    if (!from) return from.error();
    return ok_or_errno(linkat(AT_FDCWD, proc_fd(from->get()).c_str(), to->parent.get(),
                              to->as_written().c_str(), AT_SYMLINK_FOLLOW));
  }
  auto from = resolve_parent(how, old_dir, old_path);
  if (!from) return from.error();
  if (Errno e = check_trailing_slash(*from); e != Errno::Success) return e;
  return ok_or_errno(linkat(from->parent.get(), from->name.c_str(), to->parent.get(), to->as_written().c_str(), 0));
}

std::expected<size_t, Errno> readlink(Resolver how, int dir, std::string_view path, char* buf, size_t len) {
  auto pn = resolve_parent(how, dir, path);
  if (!pn) return std::unexpected(pn.error());
  if (Errno e = check_trailing_slash(*pn); e != Errno::Success) return std::unexpected(e);
  // readlinkat with a zero-length buffer is EINVAL on Linux; WASI reports 0 bytes used.
  char one;
  ssize_t n = readlinkat(pn->parent.get(), pn->name.c_str(), len ? buf : &one, len ? len : 1);
  if (n < 0) return std::unexpected(errno_from_host(errno));
  return len ? size_t(n) : 0;
}

Errno remove_directory(Resolver how, int dir, std::string_view path) {
  auto pn = resolve_parent(how, dir, path);
  if (!pn) return pn.error();
  return ok_or_errno(unlinkat(pn->parent.get(), pn->as_written().c_str(), AT_REMOVEDIR));
}

Errno rename(Resolver how, int old_dir, std::string_view old_path, int new_dir, std::string_view new_path) {
  auto from = resolve_parent(how, old_dir, old_path);
  if (!from) return from.error();
  auto to = resolve_parent(how, new_dir, new_path);
  if (!to) return to.error();
  return ok_or_errno(renameat(from->parent.get(), from->as_written().c_str(), to->parent.get(),
                              to->as_written().c_str()));
}

Errno symlink(Resolver how, std::string_view target, int dir, std::string_view path) {
  if (target.find('\0') != std::string_view::npos) return Errno::Inval;
  if (!target.empty() && target.front() == '/') return Errno::NotCapable;
  auto pn = resolve_parent(how, dir, path);
  if (!pn) return pn.error();
  std::string t(target);
  return ok_or_errno(symlinkat(t.c_str(), pn->parent.get(), pn->as_written().c_str()));
}

Errno unlink_file(Resolver how, int dir, std::string_view path) {
  auto pn = resolve_parent(how, dir, path);
  if (!pn) return pn.error();
  return ok_or_errno(unlinkat(pn->parent.get(), pn->as_written().c_str(), 0));
}

}  // namespace wsvm::wasi::fs

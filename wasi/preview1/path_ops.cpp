// path_create_directory, path_filestat_get, path_filestat_set_times, path_link, path_readlink,
// path_remove_directory, path_rename, path_symlink, path_unlink_file.
//
// Each resolves the directory holding the final name beneath its descriptor (resolve_parent)
// and then acts on that single name with a *at() call that does not follow it; where the
// guest asks to follow a final symlink, the whole path is opened O_PATH beneath the
// descriptor (open_beneath) and the operation goes through /proc/self/fd/N, which names
// exactly the file already resolved.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "wasi/preview1/filestat.hpp"
#include "wasi/preview1/path_resolve.hpp"

namespace wsvm::wasi {
namespace {

std::string proc_fd(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// The directory entry `fd` with `needed` rights, and the guest string at (ptr, len).
Errno dir_and_path(Call& c, uint32_t fd, uint64_t needed, uint32_t ptr, uint32_t len,
                   FdEntry*& dir, std::string_view& path) {
  if (Errno e = c.dir(fd, needed, dir); e != Errno::Success) return e;
  return c.path(ptr, len, path);
}

// A name written with a trailing '/' must be a directory. For the calls that would follow a
// final symlink because of the slash (POSIX: "name/" means "name/."), which could lead out of
// the directory: the name itself is checked without following, and then used without the
// slash. The other calls pass the slash to the kernel (ParentAndName::as_written).
Errno check_trailing_slash(const ParentAndName& pn) {
  if (!pn.trailing_slash) return Errno::Success;
  struct stat st {};
  if (fstatat(pn.parent.get(), pn.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return host_errno();
  return S_ISDIR(st.st_mode) ? Errno::Success : Errno::NotDir;
}

}  // namespace

Errno path_create_directory(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathCreateDirectory, arg32(a, 1), arg32(a, 2), dir, path);
      e != Errno::Success)
    return e;
  auto pn = resolve_parent(c.ctx.resolver(), dir->host, path);
  if (!pn) return pn.error();
  return mkdirat(pn->parent.get(), pn->as_written().c_str(), 0777) == 0 ? Errno::Success : host_errno();
}

Errno path_filestat_get(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathFilestatGet, arg32(a, 2), arg32(a, 3), dir, path);
      e != Errno::Success)
    return e;
  if (c.mem.bytes(arg32(a, 4), kFilestatSize) == nullptr) return Errno::Fault;
  // O_PATH | O_NOFOLLOW opens a final symlink itself, so fstat describes the link.
  auto fd = open_beneath(c.ctx.resolver(), dir->host, path, O_PATH, 0, arg32(a, 1) & kLookupSymlinkFollow);
  if (!fd) return fd.error();
  struct stat st {};
  if (fstat(fd->get(), &st) != 0) return host_errno();
  return store_filestat(c.mem, arg32(a, 4), st);
}

Errno path_filestat_set_times(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathFilestatSetTimes, arg32(a, 2), arg32(a, 3), dir, path);
      e != Errno::Success)
    return e;
  timespec ts[2];
  if (Errno e = times_from_flags(arg64(a, 4), arg64(a, 5), arg32(a, 6), ts); e != Errno::Success) return e;
  if (arg32(a, 1) & kLookupSymlinkFollow) {
    auto fd = open_beneath(c.ctx.resolver(), dir->host, path, O_PATH, 0, true);
    if (!fd) return fd.error();
    return utimensat(AT_FDCWD, proc_fd(fd->get()).c_str(), ts, 0) == 0 ? Errno::Success : host_errno();
  }
  auto pn = resolve_parent(c.ctx.resolver(), dir->host, path);
  if (!pn) return pn.error();
  if (Errno e = check_trailing_slash(*pn); e != Errno::Success) return e;
  return utimensat(pn->parent.get(), pn->name.c_str(), ts, AT_SYMLINK_NOFOLLOW) == 0 ? Errno::Success
                                                                                    : host_errno();
}

Errno path_link(Call& c, const uint64_t* a) {
  FdEntry* old_dir;
  FdEntry* new_dir;
  std::string_view old_path, new_path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathLinkSource, arg32(a, 2), arg32(a, 3), old_dir, old_path);
      e != Errno::Success)
    return e;
  if (Errno e = dir_and_path(c, arg32(a, 4), rights::kPathLinkTarget, arg32(a, 5), arg32(a, 6), new_dir, new_path);
      e != Errno::Success)
    return e;
  auto to = resolve_parent(c.ctx.resolver(), new_dir->host, new_path);
  if (!to) return to.error();
  if (arg32(a, 1) & kLookupSymlinkFollow) {
    auto from = open_beneath(c.ctx.resolver(), old_dir->host, old_path, O_PATH, 0, true);
    if (!from) return from.error();
    return linkat(AT_FDCWD, proc_fd(from->get()).c_str(), to->parent.get(), to->as_written().c_str(),
                  AT_SYMLINK_FOLLOW) == 0
               ? Errno::Success
               : host_errno();
  }
  auto from = resolve_parent(c.ctx.resolver(), old_dir->host, old_path);
  if (!from) return from.error();
  if (Errno e = check_trailing_slash(*from); e != Errno::Success) return e;
  return linkat(from->parent.get(), from->name.c_str(), to->parent.get(), to->as_written().c_str(), 0) == 0
             ? Errno::Success
             : host_errno();
}

Errno path_readlink(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathReadlink, arg32(a, 1), arg32(a, 2), dir, path);
      e != Errno::Success)
    return e;
  uint32_t buf_len = arg32(a, 4);
  uint8_t* buf = c.mem.bytes(arg32(a, 3), buf_len);
  if (buf == nullptr || c.mem.bytes(arg32(a, 5), 4) == nullptr) return Errno::Fault;
  auto pn = resolve_parent(c.ctx.resolver(), dir->host, path);
  if (!pn) return pn.error();
  if (Errno e = check_trailing_slash(*pn); e != Errno::Success) return e;
  // readlinkat with a zero-length buffer is EINVAL on Linux; WASI reports 0 bytes used.
  char one;
  ssize_t n = readlinkat(pn->parent.get(), pn->name.c_str(),
                         buf_len ? reinterpret_cast<char*>(buf) : &one, buf_len ? buf_len : 1);
  if (n < 0) return host_errno();
  c.mem.store<uint32_t>(arg32(a, 5), buf_len ? static_cast<uint32_t>(n) : 0);
  return Errno::Success;
}

Errno path_remove_directory(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathRemoveDirectory, arg32(a, 1), arg32(a, 2), dir, path);
      e != Errno::Success)
    return e;
  auto pn = resolve_parent(c.ctx.resolver(), dir->host, path);
  if (!pn) return pn.error();
  return unlinkat(pn->parent.get(), pn->as_written().c_str(), AT_REMOVEDIR) == 0 ? Errno::Success
                                                                                : host_errno();
}

Errno path_rename(Call& c, const uint64_t* a) {
  FdEntry* old_dir;
  FdEntry* new_dir;
  std::string_view old_path, new_path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathRenameSource, arg32(a, 1), arg32(a, 2), old_dir, old_path);
      e != Errno::Success)
    return e;
  if (Errno e = dir_and_path(c, arg32(a, 3), rights::kPathRenameTarget, arg32(a, 4), arg32(a, 5), new_dir, new_path);
      e != Errno::Success)
    return e;
  auto from = resolve_parent(c.ctx.resolver(), old_dir->host, old_path);
  if (!from) return from.error();
  auto to = resolve_parent(c.ctx.resolver(), new_dir->host, new_path);
  if (!to) return to.error();
  return renameat(from->parent.get(), from->as_written().c_str(), to->parent.get(),
                  to->as_written().c_str()) == 0
             ? Errno::Success
             : host_errno();
}

// The link's contents are not resolved now; an absolute target is refused (ENOTCAPABLE) so the
// tree never holds a link that points at the host's root. Relative targets that climb out are
// stored but can never be followed out of the preopen.
Errno path_symlink(Call& c, const uint64_t* a) {
  std::string_view target;
  if (Errno e = c.path(arg32(a, 0), arg32(a, 1), target); e != Errno::Success) return e;
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 2), rights::kPathSymlink, arg32(a, 3), arg32(a, 4), dir, path);
      e != Errno::Success)
    return e;
  if (target.find('\0') != std::string_view::npos) return Errno::Inval;
  if (!target.empty() && target.front() == '/') return Errno::NotCapable;
  auto pn = resolve_parent(c.ctx.resolver(), dir->host, path);
  if (!pn) return pn.error();
  std::string t(target);
  return symlinkat(t.c_str(), pn->parent.get(), pn->as_written().c_str()) == 0 ? Errno::Success
                                                                              : host_errno();
}

Errno path_unlink_file(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathUnlinkFile, arg32(a, 1), arg32(a, 2), dir, path);
      e != Errno::Success)
    return e;
  auto pn = resolve_parent(c.ctx.resolver(), dir->host, path);
  if (!pn) return pn.error();
  return unlinkat(pn->parent.get(), pn->as_written().c_str(), 0) == 0 ? Errno::Success : host_errno();
}

}  // namespace wsvm::wasi

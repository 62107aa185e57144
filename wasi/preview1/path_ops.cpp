// path_create_directory, path_filestat_get, path_filestat_set_times, path_link, path_readlink,
// path_remove_directory, path_rename, path_symlink, path_unlink_file: the rights checks and
// guest memory here, the operation itself in fs_ops.cpp (shared with WASI 0.2).
#include "wasi/preview1/filestat.hpp"
#include "wasi/preview1/fs_ops.hpp"

namespace wsvm::wasi {
namespace {

// The directory entry `fd` with `needed` rights, and the guest string at (ptr, len).
Errno dir_and_path(Call& c, uint32_t fd, uint64_t needed, uint32_t ptr, uint32_t len,
                   FdEntry*& dir, std::string_view& path) {
  if (Errno e = c.dir(fd, needed, dir); e != Errno::Success) return e;
  return c.path(ptr, len, path);
}

}  // namespace

Errno path_create_directory(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathCreateDirectory, arg32(a, 1), arg32(a, 2), dir, path);
      e != Errno::Success)
    return e;
  return fs::create_directory(c.ctx.resolver(), dir->host, path);
}

Errno path_filestat_get(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathFilestatGet, arg32(a, 2), arg32(a, 3), dir, path);
      e != Errno::Success)
    return e;
  if (c.mem.bytes(arg32(a, 4), kFilestatSize) == nullptr) return Errno::Fault;
  auto st = fs::stat_at(c.ctx.resolver(), dir->host, path, arg32(a, 1) & kLookupSymlinkFollow);
  if (!st) return st.error();
  return store_filestat(c.mem, arg32(a, 4), *st);
}

Errno path_filestat_set_times(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathFilestatSetTimes, arg32(a, 2), arg32(a, 3), dir, path);
      e != Errno::Success)
    return e;
  timespec ts[2];
  if (Errno e = times_from_flags(arg64(a, 4), arg64(a, 5), arg32(a, 6), ts); e != Errno::Success) return e;
  return fs::set_times_at(c.ctx.resolver(), dir->host, path, arg32(a, 1) & kLookupSymlinkFollow, ts);
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
  return fs::link(c.ctx.resolver(), old_dir->host, old_path, arg32(a, 1) & kLookupSymlinkFollow,
                  new_dir->host, new_path);
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
  auto n = fs::readlink(c.ctx.resolver(), dir->host, path, reinterpret_cast<char*>(buf), buf_len);
  if (!n) return n.error();
  c.mem.store<uint32_t>(arg32(a, 5), static_cast<uint32_t>(*n));
  return Errno::Success;
}

Errno path_remove_directory(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathRemoveDirectory, arg32(a, 1), arg32(a, 2), dir, path);
      e != Errno::Success)
    return e;
  return fs::remove_directory(c.ctx.resolver(), dir->host, path);
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
  return fs::rename(c.ctx.resolver(), old_dir->host, old_path, new_dir->host, new_path);
}

Errno path_symlink(Call& c, const uint64_t* a) {
  std::string_view target;
  if (Errno e = c.path(arg32(a, 0), arg32(a, 1), target); e != Errno::Success) return e;
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 2), rights::kPathSymlink, arg32(a, 3), arg32(a, 4), dir, path);
      e != Errno::Success)
    return e;
  return fs::symlink(c.ctx.resolver(), target, dir->host, path);
}

Errno path_unlink_file(Call& c, const uint64_t* a) {
  FdEntry* dir;
  std::string_view path;
  if (Errno e = dir_and_path(c, arg32(a, 0), rights::kPathUnlinkFile, arg32(a, 1), arg32(a, 2), dir, path);
      e != Errno::Success)
    return e;
  return fs::unlink_file(c.ctx.resolver(), dir->host, path);
}

}  // namespace wsvm::wasi

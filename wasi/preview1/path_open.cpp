// path_open: opens a file or directory beneath a directory descriptor (path_resolve.hpp).
//
// Rights: the asked-for rights must be a subset of the directory's inheriting rights (else
// ENOTCAPABLE), so under a read-only preopen nothing is ever opened for writing on the host.
// The new descriptor gets the asked-for rights that apply to what was opened
// (rights_for_type): a directory never holds read, write, seek or set-size rights, a file no
// path rights, a terminal no seek/tell rights.
//
// Host access mode: fd_write asks for write access, and a directory asked for with fd_write
// is EISDIR (as open(2) says; the testsuite's path_open_preopen pins it). fd_allocate and
// fd_filestat_set_size ask for write access only of a file: a directory opened with them
// opens read-only and simply lacks them. fd_read/fd_readdir or nothing -> read-only.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi/preview1/call.hpp"
#include "wasi/preview1/path_resolve.hpp"

namespace wsvm::wasi {

Errno path_open(Call& c, const uint64_t* a) {
  uint32_t dirflags = arg32(a, 1);
  uint32_t oflags = arg32(a, 4);
  uint64_t base = arg64(a, 5), inheriting = arg64(a, 6);
  uint32_t fdflags = arg32(a, 7);
  uint32_t fd_ptr = arg32(a, 8);

  uint64_t need = rights::kPathOpen;
  if (oflags & kOflagCreat) need |= rights::kPathCreateFile;
  if (oflags & kOflagTrunc) need |= rights::kPathFilestatSetSize;
  FdEntry* dir;
  if (Errno e = c.dir(arg32(a, 0), need, dir); e != Errno::Success) return e;
  if ((base & ~dir->rights_inheriting) != 0 || (inheriting & ~dir->rights_inheriting) != 0)
    return Errno::NotCapable;
  if (oflags & ~uint32_t{kOflagCreat | kOflagDirectory | kOflagExcl | kOflagTrunc}) return Errno::Inval;
  if (fdflags & ~uint32_t{kFdflagAppend | kFdflagDsync | kFdflagNonblock | kFdflagRsync | kFdflagSync})
    return Errno::Inval;

  std::string_view path;
  if (Errno e = c.path(arg32(a, 2), arg32(a, 3), path); e != Errno::Success) return e;
  if (c.mem.bytes(fd_ptr, 4) == nullptr) return Errno::Fault;

  bool write = base & rights::kFdWrite;
  bool file_write = base & (rights::kFdAllocate | rights::kFdFilestatSetSize);
  bool read = base & (rights::kFdRead | rights::kFdReaddir);
  auto access = [&](bool w) { return w ? (read ? O_RDWR : O_WRONLY) : O_RDONLY; };
  int flags = 0;
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagDirectory) flags |= O_DIRECTORY;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & (kFdflagRsync | kFdflagSync)) flags |= O_SYNC;
  flags |= O_NOCTTY;
  bool follow = dirflags & kLookupSymlinkFollow;
  bool want_write = write || (file_write && !(oflags & kOflagDirectory));

  auto fd = open_beneath(c.ctx.resolver(), dir->host, path, flags | access(want_write), 0666, follow);
  if (!fd && fd.error() == Errno::IsDir && want_write && !write)  // only file rights asked
    fd = open_beneath(c.ctx.resolver(), dir->host, path, flags | access(false), 0666, follow);
  if (!fd) return fd.error();
  struct stat st {};
  if (fstat(fd->get(), &st) != 0) return host_errno();
  FdEntry e;
  e.type = filetype_from_mode(st.st_mode);
  e.pipe = S_ISFIFO(st.st_mode);
  e.rights_base = base & rights_for_type(e.type);
  e.rights_inheriting = inheriting;
  int host = fd->release();
  e.host = host;
  auto num = c.ctx.insert(std::move(e));
  if (!num) {
    ::close(host);
    return Errno::Mfile;
  }
  c.mem.store<uint32_t>(fd_ptr, *num);
  return Errno::Success;
}

}  // namespace wsvm::wasi

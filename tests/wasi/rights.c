/* The rights model, as the official wasi-testsuite and wasmtime see it, on the preopen "work"
 * (fd 3). Run as `rights` (a writable preopen) and `rights ro` (--dir ...:ro).
 * - A preopen reports directory rights: every path right and fd_readdir, none of fd_read,
 *   fd_write, fd_seek, fd_tell, fd_allocate, fd_filestat_set_size; it passes on directory and
 *   file rights (minus every mutating right under :ro).
 * - Reopening "." with the rights the preopen reports gives a directory; asking for fd_write
 *   on a directory is EISDIR; rights that do not apply to what was opened are dropped.
 * - A directory fd refuses read/write/seek/tell/allocate/set-size with EISDIR, a file
 *   path_open and fd_readdir with ENOTDIR: what it is comes before what it may do.
 * - Asking for more than the directory's inheriting rights is ENOTCAPABLE.
 * - sock_* on something that is not a socket is ENOTSOCK, before any rights check. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define R(x) __WASI_RIGHTS_##x

static const __wasi_rights_t kDirRights =
    R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) |
    R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) | R(PATH_RENAME_SOURCE) |
    R(PATH_RENAME_TARGET) | R(PATH_SYMLINK) | R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE) |
    R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_TIMES) | R(FD_FILESTAT_GET) |
    R(FD_FILESTAT_SET_TIMES);
static const __wasi_rights_t kFileRights =
    R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) | R(FD_TELL) |
    R(FD_WRITE) | R(FD_ADVISE) | R(FD_ALLOCATE) | R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_SIZE) |
    R(FD_FILESTAT_SET_TIMES) | R(POLL_FD_READWRITE);
static const __wasi_rights_t kNotForDirs =
    R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL) | R(FD_ALLOCATE) | R(FD_FILESTAT_SET_SIZE);
static const __wasi_rights_t kMutating =
    R(FD_WRITE) | R(FD_ALLOCATE) | R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES) |
    R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) |
    R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) | R(PATH_FILESTAT_SET_SIZE) |
    R(PATH_FILESTAT_SET_TIMES) | R(PATH_SYMLINK) | R(PATH_REMOVE_DIRECTORY) |
    R(PATH_UNLINK_FILE);

static __wasi_fdstat_t fdstat(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), 0);
  return st;
}

static void socket_calls_on(__wasi_fd_t fd) {
  char b[4];
  __wasi_iovec_t iov = {(uint8_t*)b, sizeof b};
  __wasi_ciovec_t ciov = {(const uint8_t*)b, sizeof b};
  __wasi_size_t n;
  __wasi_roflags_t ro;
  __wasi_fd_t out;
  CHECK_ERRNO(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD), __WASI_ERRNO_NOTSOCK);
  CHECK_ERRNO(__wasi_sock_recv(fd, &iov, 1, 0, &n, &ro), __WASI_ERRNO_NOTSOCK);
  CHECK_ERRNO(__wasi_sock_send(fd, &ciov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
  CHECK_ERRNO(__wasi_sock_accept(fd, 0, &out), __WASI_ERRNO_NOTSOCK);
}

int main(int argc, char** argv) {
  int ro = argc > 1 && strcmp(argv[1], "ro") == 0;
  const __wasi_fd_t pre = 3;
  __wasi_fdstat_t st = fdstat(pre);
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  __wasi_rights_t want_base = ro ? kDirRights & ~kMutating : kDirRights;
  __wasi_rights_t want_inh = ro ? (kDirRights | kFileRights) & ~kMutating : kDirRights | kFileRights;
  CHECK((st.fs_rights_base & want_base) == want_base);
  CHECK((st.fs_rights_base & kNotForDirs) == 0);
  CHECK((st.fs_rights_inheriting & want_inh) == want_inh);
  if (ro) {
    CHECK((st.fs_rights_base & kMutating) == 0);
    CHECK((st.fs_rights_inheriting & kMutating) == 0);
  }

  /* Reopen "." with exactly what the preopen reports, with and without O_DIRECTORY. */
  __wasi_fd_t dir, dir2;
  CHECK_ERRNO(__wasi_path_open(pre, 0, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0, &dir), 0);
  __wasi_fdstat_t dst = fdstat(dir);
  CHECK(dst.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(dst.fs_rights_base == st.fs_rights_base);
  CHECK(dst.fs_rights_inheriting == st.fs_rights_inheriting);
  CHECK_ERRNO(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &dir2), 0);
  CHECK_ERRNO(__wasi_fd_close(dir2), 0);

  /* Rights that apply only to files are dropped from a directory... */
  CHECK_ERRNO(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY,
                               R(FD_READ) | R(FD_SEEK) | R(FD_TELL) | R(FD_READDIR) |
                                   (ro ? 0 : R(FD_ALLOCATE) | R(FD_FILESTAT_SET_SIZE)),
                               0, 0, &dir2),
              0);
  CHECK(fdstat(dir2).fs_rights_base == R(FD_READDIR));
  /* A directory cannot be read, written, seeked or resized: EISDIR, what it is before what
   * it may do (it holds none of those rights either). */
  __wasi_filesize_t pos;
  char buf[8];
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
  __wasi_ciovec_t ciov = {(const uint8_t*)buf, sizeof buf};
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_fd_seek(dir2, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_seek(dir2, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_tell(dir2, &pos), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_read(dir2, &iov, 1, &n), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_pread(dir2, &iov, 1, 0, &n), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_write(dir2, &ciov, 1, &n), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_pwrite(dir2, &ciov, 1, 0, &n), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_allocate(dir2, 0, 1), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_filestat_set_size(dir2, 0), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_fd_seek(pre, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_ISDIR);
  errno = 0;
  CHECK(read((int)dir2, buf, sizeof buf) == -1 && errno == EISDIR);
  CHECK_ERRNO(__wasi_fd_close(dir2), 0);

  if (!ro) {
    /* fd_write on a directory is EISDIR, as open(2) with write access. */
    CHECK_ERRNO(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, R(FD_READ) | R(FD_WRITE),
                                 0, 0, &dir2),
                __WASI_ERRNO_ISDIR);
    /* A file keeps the file rights asked for and drops the path rights. */
    __wasi_fd_t file;
    CHECK_ERRNO(__wasi_path_open(dir, 0, "f", __WASI_OFLAGS_CREAT,
                                 R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(PATH_OPEN) |
                                     R(PATH_CREATE_FILE),
                                 0, 0, &file),
                0);
    __wasi_fdstat_t fst = fdstat(file);
    CHECK(fst.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK(fst.fs_rights_base == (R(FD_READ) | R(FD_WRITE) | R(FD_SEEK)));
    /* A file is no directory: path_open beneath it and fd_readdir are ENOTDIR; a file
     * without fd_read is ENOTCAPABLE for fd_read. */
    CHECK_ERRNO(__wasi_path_open(file, 0, "x", 0, 0, 0, 0, &dir2), __WASI_ERRNO_NOTDIR);
    __wasi_size_t used;
    CHECK_ERRNO(__wasi_fd_readdir(file, (uint8_t*)buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTDIR);
    __wasi_fd_t wonly;
    CHECK_ERRNO(__wasi_path_open(dir, 0, "f", 0, R(FD_WRITE), 0, 0, &wonly), 0);
    CHECK_ERRNO(__wasi_fd_read(wonly, &iov, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_close(wonly), 0);
    socket_calls_on(file);
    CHECK_ERRNO(__wasi_fd_close(file), 0);
    /* fd_fdstat_set_flags: append and nonblock change; a sync flag is EINVAL (wasmtime). */
    CHECK_ERRNO(__wasi_path_open(dir, 0, "f", 0, R(FD_WRITE) | R(FD_FDSTAT_SET_FLAGS), 0, 0, &file), 0);
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags(file, __WASI_FDFLAGS_APPEND), 0);
    CHECK(fdstat(file).fs_flags == __WASI_FDFLAGS_APPEND);
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags(file, __WASI_FDFLAGS_SYNC), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags(file, __WASI_FDFLAGS_DSYNC), __WASI_ERRNO_INVAL);
    CHECK(fdstat(file).fs_flags == __WASI_FDFLAGS_APPEND);
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags(file, 0), 0);
    CHECK(fdstat(file).fs_flags == 0);
    CHECK_ERRNO(__wasi_fd_close(file), 0);
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "f"), 0);
    /* Rights can only shrink, and a child can only get what its directory passes on. */
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(dir, dst.fs_rights_base,
                                            dst.fs_rights_inheriting & ~R(FD_WRITE)),
                0);
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(dir, dst.fs_rights_base, dst.fs_rights_inheriting),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(dir, 0, "g", __WASI_OFLAGS_CREAT, R(FD_WRITE), 0, 0, &file),
                __WASI_ERRNO_NOTCAPABLE);
  } else {
    /* Under :ro nothing mutating can be asked for. */
    CHECK_ERRNO(__wasi_path_open(pre, 0, "g", __WASI_OFLAGS_CREAT, 0, 0, 0, &dir2),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, R(FD_WRITE), 0, 0, &dir2),
                __WASI_ERRNO_NOTCAPABLE);
  }

  /* Not a socket comes before missing rights (stdout and a directory have no socket rights). */
  socket_calls_on(1);
  socket_calls_on(pre);
  CHECK_ERRNO(__wasi_sock_shutdown(99, __WASI_SDFLAGS_RD), __WASI_ERRNO_BADF);
  errno = 0;
  CHECK(shutdown(STDOUT_FILENO, SHUT_RD) == -1 && errno == ENOTSOCK);

  CHECK_ERRNO(__wasi_fd_close(dir), 0);
  printf("rights ok\n");
  return 0;
}

/* Trailing-slash rules of every path function, on the preopen "work" (fd 3): "name/" names a
 * directory (POSIX: "name/."), the errors are the Linux ones the wasi-testsuite expects, and
 * a slash after a symlink never makes a name-level call follow it (the symlink "out" points
 * above the preopen). With the argument "component" (a WASI 0.2 component through the
 * preview 1 adapter) the escape is refused with EPERM: 0.2's error-code has no ENOTCAPABLE. */
#include <string.h>
#include <wasi/api.h>

#include "check.h"

static const __wasi_fd_t kDir = 3;

static void make_file(const char* name) {
  __wasi_fd_t fd;
  CHECK_ERRNO(__wasi_path_open(kDir, 0, name, __WASI_OFLAGS_CREAT, 0, 0, 0, &fd), 0);
  CHECK_ERRNO(__wasi_fd_close(fd), 0);
}

int main(int argc, char** argv) {
  const __wasi_errno_t refused =
      argc > 1 && strcmp(argv[1], "component") == 0 ? __WASI_ERRNO_PERM : __WASI_ERRNO_NOTCAPABLE;
  __wasi_fd_t fd;
  /* path_symlink: a new name with a slash must be a directory, which a symlink is not. */
  CHECK_ERRNO(__wasi_path_symlink("source", kDir, "target/"), __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_create_directory(kDir, "target"), 0);
  CHECK_ERRNO(__wasi_path_symlink("source", kDir, "target/"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_symlink("source", kDir, "target"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_remove_directory(kDir, "target/"), 0);
  make_file("target");
  CHECK_ERRNO(__wasi_path_symlink("source", kDir, "target/"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "target"), 0);

  /* path_link: neither a new name nor an old file may carry a slash. */
  make_file("file");
  CHECK_ERRNO(__wasi_path_link(kDir, 0, "file", kDir, "link/"), __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_link(kDir, 0, "file/", kDir, "link"), __WASI_ERRNO_NOTDIR);

  /* path_unlink_file and path_remove_directory. */
  CHECK_ERRNO(__wasi_path_create_directory(kDir, "dir/"), 0);
  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "dir"), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "dir/"), __WASI_ERRNO_ISDIR);
  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "file/"), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "missing/"), __WASI_ERRNO_NOENT);
  CHECK_ERRNO(__wasi_path_remove_directory(kDir, "file"), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_remove_directory(kDir, "file/"), __WASI_ERRNO_NOTDIR);

  /* path_rename: a directory may be named with slashes on either side; a file may not. */
  CHECK_ERRNO(__wasi_path_rename(kDir, "dir/", kDir, "d2"), 0);
  CHECK_ERRNO(__wasi_path_rename(kDir, "d2", kDir, "dir/"), 0);
  CHECK_ERRNO(__wasi_path_rename(kDir, "dir//", kDir, "d2/"), 0);
  CHECK_ERRNO(__wasi_path_rename(kDir, "file/", kDir, "f2"), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_rename(kDir, "file", kDir, "f2/"), __WASI_ERRNO_NOTDIR);

  /* path_open and path_filestat_get resolve "name/" as a directory. */
  CHECK_ERRNO(__wasi_path_open(kDir, 0, "file/", 0, 0, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_open(kDir, 0, "d2///", 0, 0, 0, 0, &fd), 0);
  CHECK_ERRNO(__wasi_fd_close(fd), 0);
  __wasi_filestat_t st;
  CHECK_ERRNO(__wasi_path_filestat_get(kDir, 0, "file/", &st), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_filestat_get(kDir, 0, "d2/", &st), 0);
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);

  /* path_readlink and path_filestat_set_times (no follow): "link/" is not the link. */
  CHECK_ERRNO(__wasi_path_symlink("file", kDir, "flink"), 0);
  char buf[16];
  __wasi_size_t n;
  CHECK_ERRNO(__wasi_path_readlink(kDir, "flink", (uint8_t*)buf, sizeof buf, &n), 0);
  CHECK(n == 4 && memcmp(buf, "file", 4) == 0);
  CHECK_ERRNO(__wasi_path_readlink(kDir, "flink/", (uint8_t*)buf, sizeof buf, &n),
              __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_filestat_set_times(kDir, 0, "flink/", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
              __WASI_ERRNO_NOTDIR);

  /* A symlink out of the preopen, named with a slash: never followed by name-level calls. */
  CHECK_ERRNO(__wasi_path_symlink("../..", kDir, "out"), 0);
  CHECK_ERRNO(__wasi_path_remove_directory(kDir, "out/"), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "out/"), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_rename(kDir, "out/", kDir, "x"), __WASI_ERRNO_NOTDIR);
  CHECK_ERRNO(__wasi_path_create_directory(kDir, "out/"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_symlink("x", kDir, "out/"), __WASI_ERRNO_EXIST);
  CHECK_ERRNO(__wasi_path_filestat_set_times(kDir, 0, "out/", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
              __WASI_ERRNO_NOTDIR);
  /* path_open resolves the whole path: "out/" is "out/.", so the link is followed (even
   * without LOOKUPFLAGS_SYMLINK_FOLLOW, which is about a final link) and leads out. */
  CHECK_ERRNO(__wasi_path_open(kDir, 0, "out/", 0, 0, 0, 0, &fd), refused);
  CHECK_ERRNO(__wasi_path_open(kDir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "out/", 0, 0, 0, 0, &fd),
              refused);

  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "out"), 0);
  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "flink"), 0);
  CHECK_ERRNO(__wasi_path_unlink_file(kDir, "file"), 0);
  CHECK_ERRNO(__wasi_path_remove_directory(kDir, "d2"), 0);
  printf("trailing_slash ok\n");
  return 0;
}

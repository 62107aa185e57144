/* stat times: set exact atime/mtime (path and fd), UTIME_NOW, UTIME_OMIT, symlink nofollow. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

int main(void) {
  int fd = open("work/t", O_CREAT | O_WRONLY, 0644);
  CHECK(fd >= 0);
  struct timespec ts[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
  CHECK(utimensat(AT_FDCWD, "work/t", ts, 0) == 0);
  struct stat st;
  CHECK(stat("work/t", &st) == 0);
  CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789);
  CHECK(st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 987654321);
  /* omit atime, set mtime by fd */
  struct timespec ts2[2] = {{0, UTIME_OMIT}, {1300000000, 5}};
  CHECK(futimens(fd, ts2) == 0);
  CHECK(fstat(fd, &st) == 0);
  CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1300000000 && st.st_mtim.tv_nsec == 5);
  /* now */
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  /* (this wasi-libc's futimens refuses UTIME_NOW itself, so ask for "now" directly) */
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW), 0);
  CHECK(fstat(fd, &st) == 0);
  CHECK(st.st_mtim.tv_sec >= now.tv_sec - 2 && st.st_mtim.tv_sec <= now.tv_sec + 2);
  /* contradictory flags are EINVAL */
  CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW), __WASI_ERRNO_INVAL);
  /* writing updates mtime, ctime is set */
  CHECK(st.st_ctim.tv_sec > 0);
  /* nofollow on a symlink changes the link, not the target */
  CHECK(symlink("t", "work/tl") == 0);
  CHECK(utimensat(AT_FDCWD, "work/tl", ts, AT_SYMLINK_NOFOLLOW) == 0);
  struct stat lst;
  CHECK(lstat("work/tl", &lst) == 0 && lst.st_mtim.tv_sec == 1200000000);
  CHECK(stat("work/tl", &st) == 0 && st.st_mtim.tv_sec != 1200000000);
  /* following through the link sets the target */
  CHECK(utimensat(AT_FDCWD, "work/tl", ts, 0) == 0);
  CHECK(stat("work/t", &st) == 0 && st.st_mtim.tv_sec == 1200000000);
  /* size and inode through path_filestat_get agree with fd_filestat_get */
  CHECK(write(fd, "12345", 5) == 5);
  struct stat a, b;
  CHECK(fstat(fd, &a) == 0 && stat("work/t", &b) == 0);
  CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev && b.st_size == 5);
  close(fd);
  printf("stat_times ok\n");
  return 0;
}

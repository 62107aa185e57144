/* files and directories in the preopen "work": create, write, read, stat, truncate, sync,
   append, allocate/advise, directories, fdstat flags and rights, renumber, prestat. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

int main(void) {
  CHECK(mkdir("work/d", 0755) == 0);
  CHECK(mkdir("work/d", 0755) == -1 && errno == EEXIST);
  CHECK(mkdir("work/d/e", 0755) == 0);
  int fd = open("work/d/e/f.txt", O_CREAT | O_WRONLY | O_EXCL, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "hello ", 6) == 6);
  CHECK(write(fd, "files\n", 6) == 6);
  CHECK(fsync(fd) == 0);
  CHECK(fdatasync(fd) == 0);
  CHECK(close(fd) == 0);
  CHECK(open("work/d/e/f.txt", O_CREAT | O_WRONLY | O_EXCL, 0644) == -1 && errno == EEXIST);
  CHECK(open("work/nope.txt", O_RDONLY) == -1 && errno == ENOENT);
  CHECK(open("work/d/e/f.txt/x", O_RDONLY) == -1 && errno == ENOTDIR);

  FILE* f = fopen("work/d/e/f.txt", "r");
  CHECK(f);
  char line[64] = {0};
  CHECK(fgets(line, sizeof line, f) && strcmp(line, "hello files\n") == 0);
  fclose(f);

  struct stat st;
  CHECK(stat("work/d/e/f.txt", &st) == 0);
  CHECK(S_ISREG(st.st_mode) && st.st_size == 12 && st.st_nlink == 1);
  CHECK(stat("work/d", &st) == 0 && S_ISDIR(st.st_mode));

  /* append mode and fd flags */
  fd = open("work/d/e/f.txt", O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0);
  CHECK(write(fd, "more\n", 5) == 5);
  CHECK(fcntl(fd, F_SETFL, 0) == 0);
  CHECK((fcntl(fd, F_GETFL) & O_APPEND) == 0);
  CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
  CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 17);
  CHECK(ftruncate(fd, 3) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 3);
  CHECK(posix_fallocate(fd, 0, 4096) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 4096);
  CHECK(posix_fadvise(fd, 0, 100, POSIX_FADV_SEQUENTIAL) == 0);
  CHECK_ERRNO(__wasi_fd_advise(fd, 0, 0, 77), __WASI_ERRNO_INVAL);

  /* rights only shrink; a dropped right is enforced */
  __wasi_fdstat_t fs;
  CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &fs), 0);
  CHECK(fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, fs.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE, 0), 0);
  /* wasi-libc reports fd_write's ENOTCAPABLE as EBADF */
  CHECK(write(fd, "x", 1) == -1 && (errno == ENOTCAPABLE || errno == EBADF));
  CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, fs.fs_rights_base, 0), __WASI_ERRNO_NOTCAPABLE);

  /* renumber moves fd onto another open number */
  int other = open("work/d/e/f.txt", O_RDONLY);
  CHECK(other >= 0);
  CHECK_ERRNO(__wasi_fd_renumber(fd, other), 0);
  CHECK(close(fd) == -1 && errno == EBADF);
  CHECK(fstat(other, &st) == 0 && st.st_size == 4096);
  CHECK(close(other) == 0);
  CHECK_ERRNO(__wasi_fd_renumber(other, 1000), __WASI_ERRNO_BADF);

  /* preopen description */
  __wasi_prestat_t ps;
  CHECK_ERRNO(__wasi_fd_prestat_get(3, &ps), 0);
  CHECK(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == 4);
  char name[8] = {0};
  CHECK_ERRNO(__wasi_fd_prestat_dir_name(3, (uint8_t*)name, 4), 0);
  CHECK(memcmp(name, "work", 4) == 0);
  CHECK_ERRNO(__wasi_fd_prestat_dir_name(3, (uint8_t*)name, 2), __WASI_ERRNO_NAMETOOLONG);
  CHECK_ERRNO(__wasi_fd_prestat_get(0, &ps), __WASI_ERRNO_BADF);

  /* directories: list, remove */
  DIR* d = opendir("work/d/e");
  CHECK(d);
  int seen = 0;
  for (struct dirent* de; (de = readdir(d));)
    if (strcmp(de->d_name, "f.txt") == 0) { seen++; CHECK(de->d_type == DT_REG); }
  closedir(d);
  CHECK(seen == 1);
  CHECK(rmdir("work/d/e") == -1 && errno == ENOTEMPTY);
  CHECK(unlink("work/d/e/f.txt") == 0);
  CHECK(rmdir("work/d/e") == 0);
  CHECK(rmdir("work/d/") == 0);
  CHECK(stat("work/d", &st) == -1 && errno == ENOENT);
  CHECK(read(3, line, 1) == -1); /* a directory is not readable as a file */
  printf("files ok\n");
  return 0;
}

/* rename, link, symlink, readlink, unlink inside the preopen "work". */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static void put(const char* path, const char* text) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
}

static void expect(const char* path, const char* text) {
  char b[64] = {0};
  int fd = open(path, O_RDONLY);
  CHECK(fd >= 0);
  CHECK(read(fd, b, sizeof b - 1) == (ssize_t)strlen(text));
  close(fd);
  CHECK(strcmp(b, text) == 0);
}

int main(void) {
  put("work/a", "alpha");
  CHECK(rename("work/a", "work/b") == 0);
  CHECK(access("work/a", F_OK) == -1 && errno == ENOENT);
  expect("work/b", "alpha");
  put("work/c", "gamma");
  CHECK(rename("work/c", "work/b") == 0); /* replaces */
  expect("work/b", "gamma");
  CHECK(mkdir("work/dir", 0755) == 0);
  CHECK(rename("work/b", "work/dir/b") == 0);
  CHECK(rename("work/dir", "work/dir2") == 0);
  expect("work/dir2/b", "gamma");
  CHECK(rename("work/missing", "work/x") == -1 && errno == ENOENT);

  /* hard link: same inode, link count 2, survives unlinking the original */
  CHECK(link("work/dir2/b", "work/hard") == 0);
  struct stat s1, s2;
  CHECK(stat("work/dir2/b", &s1) == 0 && stat("work/hard", &s2) == 0);
  CHECK(s1.st_ino == s2.st_ino && s2.st_nlink == 2);
  CHECK(link("work/dir2/b", "work/hard") == -1 && errno == EEXIST);
  CHECK(unlink("work/dir2/b") == 0);
  expect("work/hard", "gamma");

  /* symlinks: relative targets work, readlink gives the text, lstat sees the link */
  CHECK(symlink("hard", "work/soft") == 0);
  expect("work/soft", "gamma");
  char t[32] = {0};
  CHECK(readlink("work/soft", t, sizeof t) == 4 && memcmp(t, "hard", 4) == 0);
  CHECK(readlink("work/soft", t, 2) == 2); /* truncated, not an error */
  CHECK(readlink("work/hard", t, sizeof t) == -1 && errno == EINVAL);
  CHECK(lstat("work/soft", &s1) == 0 && S_ISLNK(s1.st_mode));
  CHECK(stat("work/soft", &s2) == 0 && S_ISREG(s2.st_mode));
  CHECK(symlink("dir2", "work/dirlink") == 0);
  expect("work/dirlink/../hard", "gamma");
  /* unlinking a symlink removes the link, not the target */
  CHECK(unlink("work/soft") == 0);
  expect("work/hard", "gamma");
  /* unlink of a directory fails; rmdir of a file fails */
  CHECK(unlink("work/dir2") == -1 && (errno == EISDIR || errno == EPERM));
  CHECK(rmdir("work/hard") == -1 && errno == ENOTDIR);
  /* a dangling symlink is reported as missing through stat but exists for lstat */
  CHECK(symlink("nowhere", "work/dangling") == 0);
  CHECK(stat("work/dangling", &s1) == -1 && errno == ENOENT);
  CHECK(lstat("work/dangling", &s1) == 0);
  /* creating through a dangling relative symlink creates its target inside the tree */
  int fd = open("work/dangling", O_CREAT | O_WRONLY, 0644);
  CHECK(fd >= 0);
  close(fd);
  CHECK(access("work/nowhere", F_OK) == 0);
  CHECK(unlink("work/dangling") == 0 && unlink("work/nowhere") == 0 && unlink("work/dirlink") == 0);
  CHECK(unlink("work/hard") == 0 && rmdir("work/dir2") == 0);
  printf("links ok\n");
  return 0;
}

/* readdir with many entries: 600 files all listed exactly once; the raw fd_readdir with a
   tiny buffer continues from cookies and truncates entries as the spec says. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define N 600
static char seen[N];

int main(void) {
  CHECK(mkdir("work/many", 0755) == 0);
  char name[64];
  for (int i = 0; i < N; ++i) {
    snprintf(name, sizeof name, "work/many/entry-with-a-longish-name-%04d", i);
    int fd = open(name, O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    close(fd);
  }
  DIR* d = opendir("work/many");
  CHECK(d);
  int total = 0, dots = 0;
  for (struct dirent* de; (de = readdir(d));) {
    if (de->d_name[0] == '.') { dots++; continue; }
    int i = -1;
    CHECK(sscanf(de->d_name, "entry-with-a-longish-name-%d", &i) == 1);
    CHECK(i >= 0 && i < N && !seen[i]);
    seen[i] = 1;
    total++;
  }
  closedir(d);
  CHECK(total == N && dots == 2);

  /* Raw: a 64-byte buffer holds one whole entry (24 + 39) at most; walk by cookie. */
  int fd = open("work/many", O_RDONLY | O_DIRECTORY);
  CHECK(fd >= 0);
  uint8_t buf[64];
  __wasi_dircookie_t cookie = 0;
  int count = 0;
  for (;;) {
    __wasi_size_t used = 0;
    CHECK_ERRNO(__wasi_fd_readdir(fd, buf, sizeof buf, cookie, &used), 0);
    if (used == 0) break;
    __wasi_dirent_t de;
    memcpy(&de, buf, sizeof de);
    CHECK(used == sizeof buf || used == sizeof de + de.d_namlen);
    count++;
    cookie = de.d_next;
    CHECK(count < 10000);
  }
  CHECK(count == N + 2);
  /* a buffer smaller than a header is filled and reported full */
  __wasi_size_t used = 0;
  CHECK_ERRNO(__wasi_fd_readdir(fd, buf, 10, 0, &used), 0);
  CHECK(used == 10);
  /* stdin is no directory: ENOTDIR (what it is comes before what it may do) */
  CHECK_ERRNO(__wasi_fd_readdir(0, buf, 10, 0, &used), __WASI_ERRNO_NOTDIR);
  close(fd);
  for (int i = 0; i < N; ++i) {
    snprintf(name, sizeof name, "work/many/entry-with-a-longish-name-%04d", i);
    CHECK(unlink(name) == 0);
  }
  CHECK(rmdir("work/many") == 0);
  printf("readdir ok\n");
  return 0;
}

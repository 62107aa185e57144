/* seek/tell/pread/pwrite: positions, holes, pread/pwrite leave the offset alone. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

int main(void) {
  int fd = open("work/seek.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "0123456789", 10) == 10);
  CHECK(lseek(fd, 0, SEEK_CUR) == 10);
  __wasi_filesize_t pos = 0;
  CHECK_ERRNO(__wasi_fd_tell(fd, &pos), 0);
  CHECK(pos == 10);
  CHECK(lseek(fd, 2, SEEK_SET) == 2);
  char b[16] = {0};
  CHECK(read(fd, b, 3) == 3 && memcmp(b, "234", 3) == 0);
  CHECK(lseek(fd, -2, SEEK_END) == 8);
  CHECK(read(fd, b, 10) == 2 && memcmp(b, "89", 2) == 0);
  CHECK(read(fd, b, 10) == 0);
  CHECK(lseek(fd, -100, SEEK_SET) == -1 && errno == EINVAL);
  CHECK_ERRNO(__wasi_fd_seek(fd, 0, 7, &pos), __WASI_ERRNO_INVAL);
  /* pread/pwrite do not move the offset */
  CHECK(lseek(fd, 1, SEEK_SET) == 1);
  CHECK(pread(fd, b, 4, 5) == 4 && memcmp(b, "5678", 4) == 0);
  CHECK(pwrite(fd, "AB", 2, 3) == 2);
  CHECK(lseek(fd, 0, SEEK_CUR) == 1);
  CHECK(pread(fd, b, 10, 0) == 10 && memcmp(b, "012AB56789", 10) == 0);
  /* a hole past the end reads back as zeros */
  CHECK(pwrite(fd, "Z", 1, 100) == 1);
  CHECK(pread(fd, b, 4, 50) == 4 && b[0] == 0 && b[3] == 0);
  CHECK(lseek(fd, 0, SEEK_END) == 101);
  /* vectored I/O across several buffers */
  struct iovec iov[3] = {{b, 2}, {b + 4, 2}, {b + 8, 2}};
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(readv(fd, iov, 3) == 6 && memcmp(b, "01", 2) == 0 && memcmp(b + 4, "2A", 2) == 0 &&
        memcmp(b + 8, "B5", 2) == 0);
  CHECK(close(fd) == 0);
  /* seeking a pipe/terminal-like stdin is refused */
  CHECK(lseek(1, 0, SEEK_CUR) == -1);
  printf("seek ok\n");
  return 0;
}

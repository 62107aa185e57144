/* Writes to stdout until a write fails; the test closes the reading end of the pipe first.
 * First checks that a pipe is no terminal and cannot seek (ESPIPE).
 * The guest must see EPIPE (as under wasmtime), not die of SIGPIPE with the whole process.
 * Reports the errno on stderr: "EPIPE after N bytes". */
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

int main(void) {
  /* stdout is a pipe: not a terminal, and seeking it is ESPIPE (lseek(2), wasmtime). */
  CHECK(!isatty(STDOUT_FILENO));
  errno = 0;
  CHECK(lseek(STDOUT_FILENO, 0, SEEK_CUR) == -1 && errno == ESPIPE);
  __wasi_filesize_t pos;
  CHECK_ERRNO(__wasi_fd_tell(STDOUT_FILENO, &pos), __WASI_ERRNO_SPIPE);
  static char block[4096];
  memset(block, 'x', sizeof block);
  unsigned long total = 0;
  for (int i = 0; i < 1 << 18; ++i) { /* at most 1 GiB */
    ssize_t n = write(STDOUT_FILENO, block, sizeof block);
    if (n < 0) {
      fprintf(stderr, "%s after %lu bytes\n", errno == EPIPE ? "EPIPE" : strerror(errno), total);
      /* A second write fails the same way: the condition persists, nothing is raised. */
      CHECK(write(STDOUT_FILENO, block, 1) == -1 && errno == EPIPE);
      return errno == EPIPE ? 0 : 3;
    }
    total += (unsigned long)n;
  }
  fprintf(stderr, "no error after %lu bytes\n", total);
  return 4;
}

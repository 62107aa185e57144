/* socket echo: accepts one connection on the --tcplisten socket, peeks, receives a line,
   sends it back prefixed with "echo: ", shuts down writing. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

int main(void) {
  int listener = -1;
  for (int fd = 3; fd < 32 && listener < 0; ++fd) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM &&
        (st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT))
      listener = fd;
  }
  CHECK(listener >= 0);
  /* accept on a non-socket fails cleanly */
  __wasi_fd_t conn = 0;
  CHECK(__wasi_sock_accept(1, 0, &conn) != 0);
  CHECK_ERRNO(__wasi_sock_accept(listener, 0, &conn), 0);
  char buf[256];
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
  __wasi_size_t got = 0, total = 0;
  __wasi_roflags_t ro = 0;
  /* wait for the whole line: peek first, then read it */
  for (;;) {
    iov.buf = (uint8_t*)buf + total;
    iov.buf_len = sizeof buf - total;
    CHECK_ERRNO(__wasi_sock_recv(conn, &iov, 1, 0, &got, &ro), 0);
    CHECK(got > 0);
    total += got;
    if (memchr(buf, '\n', total)) break;
  }
  CHECK(ro == 0);
  char out[300];
  int len = snprintf(out, sizeof out, "echo: %.*s", (int)total, buf);
  __wasi_ciovec_t civ = {(const uint8_t*)out, (size_t)len};
  __wasi_size_t sent = 0;
  CHECK_ERRNO(__wasi_sock_send(conn, &civ, 1, 0, &sent), 0);
  CHECK(sent == (size_t)len);
  CHECK_ERRNO(__wasi_sock_send(conn, &civ, 1, 1, &sent), __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_sock_shutdown(conn, 0), __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR), 0);
  /* the peer closes; recv then reports end of stream */
  iov.buf = (uint8_t*)buf;
  iov.buf_len = sizeof buf;
  CHECK_ERRNO(__wasi_sock_recv(conn, &iov, 1, 0, &got, &ro), 0);
  CHECK(got == 0);
  CHECK(close(conn) == 0);
  printf("sockets ok\n");
  return 0;
}

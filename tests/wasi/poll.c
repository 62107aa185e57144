/* poll_oneoff: relative and absolute clock timeouts, the earliest of several clocks fires
   first, fd readiness of stdin (the driver pipes "ping\n" in), bad fds, no subscriptions. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#include "check.h"

static uint64_t mono(void) {
  __wasi_timestamp_t t = 0;
  if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0) exit(1);
  return t;
}

static __wasi_subscription_t clock_sub(uint64_t userdata, __wasi_clockid_t id, uint64_t timeout,
                                       uint16_t flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.flags = flags;
  return s;
}

static __wasi_subscription_t fd_sub(uint64_t userdata, __wasi_eventtype_t type, int fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

int main(void) {
  __wasi_event_t ev[4];
  __wasi_size_t n = 0;
  /* relative 40 ms */
  __wasi_subscription_t subs[4];
  subs[0] = clock_sub(7, __WASI_CLOCKID_MONOTONIC, 40000000, 0);
  uint64_t t0 = mono();
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 1, &n), 0);
  uint64_t dt = mono() - t0;
  CHECK(n == 1 && ev[0].userdata == 7 && ev[0].type == __WASI_EVENTTYPE_CLOCK && ev[0].error == 0);
  CHECK(dt >= 40000000 && dt < 1000000000);
  /* absolute monotonic deadline 30 ms ahead */
  subs[0] = clock_sub(8, __WASI_CLOCKID_MONOTONIC, mono() + 30000000, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  t0 = mono();
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 1, &n), 0);
  CHECK(n == 1 && ev[0].userdata == 8);
  CHECK(mono() - t0 >= 20000000);
  /* absolute realtime deadline in the past fires at once */
  subs[0] = clock_sub(9, __WASI_CLOCKID_REALTIME, 1, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 1, &n), 0);
  CHECK(n == 1 && ev[0].userdata == 9);
  /* two clocks: only the earlier fires */
  subs[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
  subs[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 10000000, 0);
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 2, &n), 0);
  CHECK(n == 1 && ev[0].userdata == 2);
  /* stdin has data (the driver wrote "ping\n" and closed the pipe): readable before the timeout */
  subs[0] = fd_sub(3, __WASI_EVENTTYPE_FD_READ, 0);
  subs[1] = clock_sub(4, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
  t0 = mono();
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 2, &n), 0);
  CHECK(mono() - t0 < 4000000000ull);
  CHECK(n == 1 && ev[0].userdata == 3 && ev[0].type == __WASI_EVENTTYPE_FD_READ && ev[0].error == 0);
  CHECK(ev[0].fd_readwrite.nbytes == 5);
  /* stdout is writable */
  subs[0] = fd_sub(5, __WASI_EVENTTYPE_FD_WRITE, 1);
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 1, &n), 0);
  CHECK(n == 1 && ev[0].userdata == 5 && ev[0].error == 0);
  /* a bad fd completes at once with EBADF */
  subs[0] = fd_sub(6, __WASI_EVENTTYPE_FD_READ, 999);
  subs[1] = clock_sub(4, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 2, &n), 0);
  CHECK(n == 1 && ev[0].userdata == 6 && ev[0].error == __WASI_ERRNO_BADF);
  /* an unknown clock is EINVAL in its event */
  subs[0] = clock_sub(10, 3, 1000, 0);
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 1, &n), 0);
  CHECK(n == 1 && ev[0].error == __WASI_ERRNO_INVAL);
  CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 0, &n), __WASI_ERRNO_INVAL);
  char buf[8];
  CHECK(fgets(buf, sizeof buf, stdin) && strcmp(buf, "ping\n") == 0);
  printf("poll ok\n");
  return 0;
}

/* clocks: resolution, realtime close to the host's, monotonic never goes back, sleeps last. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static uint64_t mono(void) {
  __wasi_timestamp_t t = 0;
  CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t), 0);
  return t;
}

int main(int argc, char** argv) {
  __wasi_timestamp_t res = 0;
  for (int id = 0; id < 4; ++id) {
    CHECK_ERRNO(__wasi_clock_res_get((__wasi_clockid_t)id, &res), 0);
    CHECK(res > 0 && res <= 1000000000ull);
  }
  CHECK_ERRNO(__wasi_clock_res_get(4, &res), __WASI_ERRNO_INVAL);
  __wasi_timestamp_t t;
  CHECK_ERRNO(__wasi_clock_time_get(17, 0, &t), __WASI_ERRNO_INVAL);
  /* argv[1] = the host's time(NULL) when the driver started us. */
  struct timespec ts;
  CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
  if (argc > 1) {
    long host = atol(argv[1]);
    CHECK(ts.tv_sec >= host - 5 && ts.tv_sec <= host + 60);
  }
  uint64_t prev = mono();
  for (int i = 0; i < 1000; ++i) {
    uint64_t now = mono();
    CHECK(now >= prev);
    prev = now;
  }
  uint64_t a = mono();
  struct timespec nap = {0, 30 * 1000 * 1000};
  CHECK(nanosleep(&nap, NULL) == 0); /* poll_oneoff with a relative clock */
  uint64_t b = mono();
  CHECK(b - a >= 30000000ull);
  CHECK(b - a < 2000000000ull);
  CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
  CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0);
  printf("clocks ok\n");
  return 0;
}

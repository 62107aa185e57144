/* random_get: fills whole buffers, differs between calls, looks uniform. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static unsigned char a[65536], b[65536];

int main(void) {
  CHECK_ERRNO(__wasi_random_get(a, sizeof a), 0);
  CHECK_ERRNO(__wasi_random_get(b, sizeof b), 0);
  CHECK(memcmp(a, b, sizeof a) != 0);
  int counts[256] = {0};
  for (size_t i = 0; i < sizeof a; ++i) counts[a[i]]++;
  for (int i = 0; i < 256; ++i) CHECK(counts[i] > 128 && counts[i] < 400); /* mean 256 */
  CHECK(getentropy(b, 256) == 0);
  CHECK_ERRNO(__wasi_random_get(a, 0), 0);
  printf("random ok\n");
  return 0;
}

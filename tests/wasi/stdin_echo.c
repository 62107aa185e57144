/* stdin: reads everything from stdin (pipe or file), prints the byte count and a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  static unsigned char buf[4096];
  uint64_t total = 0;
  uint32_t sum = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) return 1;
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) sum = sum * 31 + buf[i];
    total += (uint64_t)n;
  }
  printf("%llu bytes, checksum %u\n", (unsigned long long)total, sum);
  return 0;
}

/* Large output: writes argv[1] MiB to stdout in 64 KiB writes (the driver checks the byte
   count and that wsvm's memory stays small, i.e. nothing buffers the whole stream). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char block[65536];

int main(int argc, char** argv) {
  long mib = argc > 1 ? atol(argv[1]) : 1;
  for (size_t i = 0; i < sizeof block; ++i) block[i] = (char)('a' + i % 26);
  for (long i = 0; i < mib * 16; ++i) {
    size_t done = 0;
    while (done < sizeof block) {
      ssize_t n = write(1, block + done, sizeof block - done);
      if (n <= 0) return 1;
      done += (size_t)n;
    }
  }
  return 0;
}

/* Start-up cost: a printf hello world (bench/run --startup times whole processes of it;
 * issue 6's goal is wsvm <= 1.5 ms median). Not part of the timed suite's geomean. */
#include "bench_common.h"

int main(int argc, char** argv) {
  (void)bench_size(argc, argv, 1);
  printf("hello, world\n");
  print_checksum(0x48454c4c4fULL);
  return 0;
}

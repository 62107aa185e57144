/* The smallest WASI program: `wsvm hello.wasm` prints one line. */
#include <stdio.h>

int main(int argc, char** argv) {
  printf("Hello, world! (argc=%d)\n", argc);
  (void)argv;
  return 0;
}

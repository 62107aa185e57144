/* args/env: argv[0] is the module name, the rest as given; only --env variables exist.
   Expects: args_env.wasm one "two words" "" ; env FOO=bar, EMPTY=, and nothing else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "check.h"

extern char** environ;

int main(int argc, char** argv) {
  CHECK(argc == 4);
  CHECK(strstr(argv[0], "args_env") != NULL);
  CHECK(strcmp(argv[1], "one") == 0);
  CHECK(strcmp(argv[2], "two words") == 0);
  CHECK(strcmp(argv[3], "") == 0);
  CHECK(argv[4] == NULL);
  CHECK(getenv("FOO") && strcmp(getenv("FOO"), "bar") == 0);
  CHECK(getenv("EMPTY") && strcmp(getenv("EMPTY"), "") == 0);
  CHECK(getenv("HOME") == NULL && getenv("PATH") == NULL);
  int n = 0;
  for (char** e = environ; *e; ++e) ++n;
  CHECK(n == 2);
  /* The raw sizes agree with what libc built. */
  __wasi_size_t count = 0, size = 0;
  CHECK_ERRNO(__wasi_args_sizes_get(&count, &size), 0);
  CHECK(count == 4);
  CHECK(size == strlen(argv[0]) + 1 + 4 + 10 + 1);
  CHECK_ERRNO(__wasi_environ_sizes_get(&count, &size), 0);
  CHECK(count == 2 && size == 8 + 7);
  printf("args_env ok\n");
  return 0;
}

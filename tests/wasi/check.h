/* Assertions for the WASI test programs: a failed CHECK prints where and why and exits 1. */
#ifndef WSVM_TESTS_WASI_CHECK_H
#define WSVM_TESTS_WASI_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s (errno %d: %s)\n", __FILE__, __LINE__, \
              #cond, errno, strerror(errno));                                         \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

/* A raw WASI call's result must equal the expected errno value. */
#define CHECK_ERRNO(expr, want)                                                               \
  do {                                                                                        \
    int got_ = (int)(expr);                                                                   \
    if (got_ != (int)(want)) {                                                                \
      fprintf(stderr, "%s:%d: %s returned %d, expected %d\n", __FILE__, __LINE__, #expr, got_, \
              (int)(want));                                                                   \
      exit(1);                                                                                \
    }                                                                                         \
  } while (0)

#endif

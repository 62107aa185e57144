/* Nested setjmp: an inner buffer armed inside the region of an outer one, longjmp to
 * either from inside both, buffers re-armed in a loop, and a function that sets up its own
 * setjmp and is itself left by a longjmp to its caller's buffer. */
#include <stdio.h>

#include "sjlj.h"

static jmp_buf outer, inner;
static int trace[64];
static int traced;

static void note(int v) {
  if (traced < 64) trace[traced++] = v;
}

static void thrower(int which, int v) {
  note(100 + v);
  if (which == 1) longjmp(inner, v);
  if (which == 2) longjmp(outer, v);
}

/* Sets up its own buffer, recovers from inner errors, lets outer ones go through. */
static int guarded(int which, int v) {
  jmp_buf local;
  volatile int recovered = 0;
  int code = setjmp(local);
  if (code != 0) {
    note(300 + code);
    return -code;
  }
  if (setjmp(inner) == 0) {
    thrower(which, v);
    note(200);
  } else {
    recovered = 1;
    note(250);
    if (v == 7) longjmp(local, 7);
  }
  return recovered;
}

int main(void) {
  for (int round = 0; round < 6; ++round) {
    int which = round % 3, v = round + 2;
    int code = setjmp(outer);
    if (code == 0) {
      int r = guarded(which, v);
      printf("round %d: guarded(%d, %d) returned %d\n", round, which, v, r);
    } else {
      printf("round %d: outer caught %d\n", round, code);
    }
  }
  /* Many longjmps in a row: the buffers stay usable. */
  volatile long sum = 0;
  for (volatile int i = 0; i < 10000; ++i) {
    int code = setjmp(outer);
    if (code == 0) thrower(2, i % 5 + 1);
    else sum += code;
  }
  printf("sum of 10000 longjmp values: %ld\n", (long)sum);
  printf("trace:");
  for (int i = 0; i < traced && i < 40; ++i) printf(" %d", trace[i]);
  printf("\n");
  return 0;
}

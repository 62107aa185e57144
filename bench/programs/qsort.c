/* Quicksort of pseudo-random ints (own implementation: median of three, insertion sort
 * for short ranges, recursion on the smaller side so the depth stays logarithmic). */
#include "bench_common.h"

static void insertion_sort(int32_t* a, long n) {
  for (long i = 1; i < n; i++) {
    int32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

static void swap(int32_t* a, int32_t* b) { int32_t t = *a; *a = *b; *b = t; }

static void quicksort(int32_t* a, long n) {
  while (n > 16) {
    long mid = n / 2;
    if (a[mid] < a[0]) swap(&a[mid], &a[0]);
    if (a[n - 1] < a[0]) swap(&a[n - 1], &a[0]);
    if (a[n - 1] < a[mid]) swap(&a[n - 1], &a[mid]);
    int32_t pivot = a[mid];
    long i = 0, j = n - 1;
    for (;;) {  /* Hoare partition */
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i >= j) break;
      swap(&a[i], &a[j]);
      i++; j--;
    }
    long left = j + 1;  /* a[0..left) <= pivot <= a[left..n) */
    if (left < n - left) { quicksort(a, left); a += left; n -= left; }
    else { quicksort(a + left, n - left); n = left; }
  }
  insertion_sort(a, n);
}

int main(int argc, char** argv) {
  long n = bench_size(argc, argv, 2500000);
  int32_t* a = malloc(sizeof(int32_t) * (size_t)n);
  if (!a) { fprintf(stderr, "out of memory\n"); return 1; }
  Rng rng;
  rng_seed(&rng, 12345);
  for (long i = 0; i < n; i++) a[i] = (int32_t)rng_u32(&rng);
  quicksort(a, n);
  uint64_t h = 0;
  long unsorted = 0;
  for (long i = 0; i < n; i++) {
    if (i > 0 && a[i - 1] > a[i]) unsorted++;
    h = mix64(h, (uint32_t)a[i]);
  }
  printf("sorted %ld ints, %ld out of order, min %d max %d\n", n, unsorted, a[0], a[n - 1]);
  print_checksum(h ^ (uint64_t)unsorted);
  free(a);
  return unsorted != 0;
}

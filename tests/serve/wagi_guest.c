/* A WAGI handler for the serve tests: the request arrives as the CGI environment and stdin,
 * the response leaves on stdout (headers, a blank line, the body). Paths choose behaviours:
 *   /echo        method, path, query, a header and the body back
 *   /status      answers 404 with a body
 *   /trap        traps (the request gets 500, others are unaffected)
 *   /spin        loops (the time or fuel limit answers 503)
 *   /hog         grows memory until refused, then answers how far it got
 *   /exit        exits with 3 (500)
 *   /garbage     writes no header block (502)
 *   /big?N       N KiB of body
 *   /stderr      writes a line to stderr (logged with the request)
 *   /count       a global counter: always 1 with a fresh instance per request */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int counter;

int main(void) {
  const char* path = getenv("PATH_INFO");
  const char* query = getenv("QUERY_STRING");
  const char* method = getenv("REQUEST_METHOD");
  if (!path) path = "";
  if (!query) query = "";
  if (strcmp(path, "/trap") == 0) __builtin_trap();
  if (strcmp(path, "/spin") == 0) {
    volatile unsigned long n = 0;
    for (;;) ++n;
  }
  if (strcmp(path, "/exit") == 0) exit(3);
  if (strcmp(path, "/garbage") == 0) {
    printf("this is not a header block");
    return 0;
  }
  if (strcmp(path, "/status") == 0) {
    printf("status: 404 Not Found\ncontent-type: text/plain\n\nno such thing\n");
    return 0;
  }
  if (strcmp(path, "/hog") == 0) {
    size_t total = 0;
    for (;;) { /* volatile: an allocation never used may be assumed to succeed */
      char* volatile p = malloc(1 << 20);
      if (!p) break;
      p[0] = 1;
      total += 1;
    }
    printf("content-type: text/plain\n\nhog got %zu MiB\n", total);
    return 0;
  }
  if (strcmp(path, "/big") == 0) {
    long n = atol(query);
    printf("content-type: application/octet-stream\n\n");
    for (long i = 0; i < n; ++i) {
      static char kib[1024];
      memset(kib, 'x', sizeof kib);
      fwrite(kib, 1, sizeof kib, stdout);
    }
    return 0;
  }
  if (strcmp(path, "/stderr") == 0) fprintf(stderr, "a line from the guest\n");
  if (strcmp(path, "/count") == 0) {
    printf("content-type: text/plain\n\ncount %d\n", ++counter);
    return 0;
  }
  printf("content-type: text/plain\nx-wsvm-test: yes\n\n");
  printf("method %s\npath %s\nquery %s\n", method ? method : "?", path, query);
  const char* h = getenv("HTTP_X_TEST");
  printf("x-test %s\n", h ? h : "(none)");
  char buf[4096];
  size_t n, total = 0;
  printf("body ");
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  printf("\nbody bytes %zu\n", total);
  return 0;
}

/* Error recovery several frames deep: a recursive-descent evaluator of integer expressions
 * whose errors (division by zero, bad characters, unbalanced parentheses, too deep) longjmp
 * back to the loop over the inputs, from wherever the parser is. */
#include <stdio.h>
#include <string.h>

#include "sjlj.h"

static jmp_buf on_error;
static const char *pos;
static int depth;
static char message[64];

static void fail(const char *why) {
  snprintf(message, sizeof message, "%s at offset %d", why, depth);
  longjmp(on_error, 1 + (int)strlen(why));
}

static long expr(void);

static long atom(void) {
  while (*pos == ' ') ++pos;
  if (*pos == '(') {
    ++pos;
    if (++depth > 20) fail("too deep");
    long v = expr();
    --depth;
    if (*pos != ')') fail("missing )");
    ++pos;
    return v;
  }
  if (*pos == '-') {
    ++pos;
    return -atom();
  }
  if (*pos < '0' || *pos > '9') fail("bad character");
  long v = 0;
  while (*pos >= '0' && *pos <= '9') v = v * 10 + (*pos++ - '0');
  return v;
}

static long term(void) {
  long v = atom();
  for (;;) {
    while (*pos == ' ') ++pos;
    char op = *pos;
    if (op != '*' && op != '/' && op != '%') return v;
    ++pos;
    long r = atom();
    if (op != '*' && r == 0) fail("division by zero");
    v = op == '*' ? v * r : op == '/' ? v / r : v % r;
  }
}

static long expr(void) {
  long v = term();
  for (;;) {
    while (*pos == ' ') ++pos;
    char op = *pos;
    if (op != '+' && op != '-') return v;
    ++pos;
    long r = term();
    v = op == '+' ? v + r : v - r;
  }
}

int main(void) {
  static const char *inputs[] = {
      "1 + 2 * 3", "(1 + 2) * 3", "10 / (5 - 5)", "2 * (3 + x)", "((((1))))", "(1 + 2",
      "-(4 % 3) * 7", "((((((((((((((((((((((1))))))))))))))))))))))", "100 % (2 * (3 - 3))",
      "12345 * 6789 - 1",
  };
  int errors = 0;
  for (unsigned i = 0; i < sizeof inputs / sizeof inputs[0]; ++i) {
    volatile int attempt = 0;
    pos = inputs[i];
    depth = 0;
    int code = setjmp(on_error);
    ++attempt;
    if (code == 0) {
      long v = expr();
      printf("%-48s = %ld\n", inputs[i], v);
    } else {
      ++errors;
      printf("%-48s error %d: %s (attempt %d)\n", inputs[i], code, message, attempt);
    }
  }
  printf("%d errors\n", errors);
  return 0;
}

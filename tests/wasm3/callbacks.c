/* longjmp out of callbacks: a comparator called by the C library's qsort, and a visitor
 * called through a function pointer by a tree walk, each abandon the walk with longjmp
 * (through frames that have no setjmp of their own, the library's included). */
#include <stdio.h>
#include <stdlib.h>

#include "sjlj.h"

static jmp_buf escape;
static int compared;

static int cmp_stop_at_negative(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  ++compared;
  if (x < 0 || y < 0) longjmp(escape, x < 0 ? -x : -y);
  return (x > y) - (x < y);
}

struct node {
  int value;
  struct node *left, *right;
};

static void walk(const struct node *n, void (*visit)(int)) {
  if (n == NULL) return;
  walk(n->left, visit);
  visit(n->value);
  walk(n->right, visit);
}

static int visited;
static void visit_until_13(int v) {
  ++visited;
  printf(" %d", v);
  if (v == 13) longjmp(escape, 13);
}

static struct node *insert(struct node *t, struct node *n) {
  if (t == NULL) return n;
  if (n->value < t->value) t->left = insert(t->left, n);
  else t->right = insert(t->right, n);
  return t;
}

int main(void) {
  int data[] = {5, 3, 9, 1, 7, -4, 2, 8, 6, 0};
  int n = sizeof data / sizeof data[0];
  int code = setjmp(escape);
  if (code == 0) {
    qsort(data, n, sizeof data[0], cmp_stop_at_negative);
    printf("sorted without a negative\n");
  } else {
    printf("qsort left by longjmp(%d) after some comparisons: %s\n", code,
           compared > 0 ? "yes" : "no");
  }
  data[5] = 4;
  compared = 0;
  if (setjmp(escape) == 0) {
    qsort(data, n, sizeof data[0], cmp_stop_at_negative);
    printf("sorted:");
    for (int i = 0; i < n; ++i) printf(" %d", data[i]);
    printf("\n");
  }
  static struct node nodes[16];
  struct node *root = NULL;
  for (int i = 0; i < 16; ++i) {
    nodes[i].value = (i * 7) % 16;
    root = insert(root, &nodes[i]);
  }
  printf("walk:");
  code = setjmp(escape);
  if (code == 0) {
    walk(root, visit_until_13);
    printf(" (complete)\n");
  } else {
    printf("\nwalk left by longjmp(%d) after %d visits\n", code, visited);
  }
  return 0;
}

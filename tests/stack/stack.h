/* Shared declarations of the stack fixture (tests/stack/build.sh). */
#ifndef STACK_FIXTURE_H
#define STACK_FIXTURE_H
#define NOINLINE __attribute__((noinline, noclone))
int helper_sum(int a, int b);
int helper_leaf(int x);
int huge_locals(int n);
int ram_scale(int x);
#endif

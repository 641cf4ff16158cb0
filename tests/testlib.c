/*
 * testlib.c - the runner behind testlib.h.  A failing CHECK longjmps back
 * here, so one failure ends its test and the rest still run.
 */
#include "testlib.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void (*test_dump_hook)(void *arg);
void *test_dump_arg;

static jmp_buf test_env;
static const char *test_current;

void
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s: %s:%d: ", test_current, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (test_dump_hook != NULL)
		test_dump_hook(test_dump_arg);
	longjmp(test_env, 1);
}

void
test_fail_cond(const char *file, int line, const char *cond, const char *fmt,
    ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	test_fail(file, line, "CHECK(%s)%s", cond, msg);
}

static int
test_selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
test_main(const struct test_case *tests, unsigned n, int argc, char **argv)
{
	volatile unsigned passed = 0, failed = 0;

	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (unsigned i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		unsigned j;
		for (j = 0; j < n && strcmp(tests[j].name, argv[i]) != 0; j++)
			;
		if (j == n) {
			fprintf(stderr, "%s: no test named '%s'\n", argv[0],
			    argv[i]);
			return 2;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (!test_selected(tests[i].name, argc, argv))
			continue;
		test_current = tests[i].name;
		test_dump_hook = NULL;
		test_dump_arg = NULL;
		if (setjmp(test_env) == 0) {
			tests[i].fn();
			printf("ok   %s\n", tests[i].name);
			passed++;
		} else {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0 ? 1 : 0;
}

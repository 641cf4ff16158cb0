/*
 * testlib.h - a table of named tests, run all or by name.
 *
 * A test file defines its tests with TEST(name) { ... } and ends with
 * TEST_MAIN(table of TEST_ENTRY(name)).  `prog` runs all; `prog name...`
 * runs the named ones; `prog --list` lists them.  A failed CHECK prints the
 * file, line and message, runs the test's dump hook (e.g. a page-table
 * picture), and ends that test; the program exits 1 if any test failed.
 * The last line is "N passed, N failed".
 */
#ifndef PMAPFUZZ_TESTLIB_H
#define PMAPFUZZ_TESTLIB_H

#include <setjmp.h>
#include <stdio.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

/* Called on failure, before the test ends; set it per test (reset to NULL
 * before each test). */
extern void (*test_dump_hook)(void *arg);
extern void *test_dump_arg;

void test_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4), noreturn))
#endif
    ;
/* CHECK's failure: the condition's text goes through "%s", never into fmt. */
void test_fail_cond(const char *file, int line, const char *cond,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5), noreturn))
#endif
    ;
int test_main(const struct test_case *tests, unsigned n, int argc, char **argv);

#define TEST(name) static void test_##name(void)
/* clang-format would split this initializer over four lines. */
// clang-format off
#define TEST_ENTRY(name) { #name, test_##name }
// clang-format on
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			test_fail_cond(__FILE__, __LINE__, #cond,              \
			    " " __VA_ARGS__);                                  \
	} while (0)
#define CHECK_EQ_U64(a, b)                                                     \
	do {                                                                   \
		unsigned long long a_ = (unsigned long long)(a);               \
		unsigned long long b_ = (unsigned long long)(b);               \
		if (a_ != b_)                                                  \
			test_fail(__FILE__, __LINE__,                          \
			    "%s == %s: 0x%llx != 0x%llx", #a, #b, a_, b_);     \
	} while (0)
#define TEST_MAIN(...)                                                         \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		static const struct test_case tests_[] = { __VA_ARGS__ };      \
		return test_main(tests_, sizeof(tests_) / sizeof(tests_[0]),   \
		    argc, argv);                                               \
	}

#endif /* PMAPFUZZ_TESTLIB_H */

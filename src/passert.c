/*
 * passert.c - what happens when a PMAP_ASSERT fails.
 */
#include "pmapfuzz/passert.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Long enough for a function name and a line of values. */
#define PASSERT_MSG_MAX 512

/*
 * Format "func: message" and hand it to mc's assert hook, which must not
 * return, with func and the unformatted fmt (stable across runs, for
 * titles) passed separately too.  The message lives in this
 * function's frame: a hook that longjmps out must copy it first.  Without a
 * hook (or with a hook that returns) the message goes to stderr and the
 * process aborts.  A message too long for the buffer is truncated.
 */
void
pmap_assert_fail(struct machine *mc, const char *func, const char *fmt, ...)
{
	char msg[PASSERT_MSG_MAX];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s: ", func);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	(void)vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (mc != NULL && mc->assert_hook != NULL) {
		mc->assert_hook(mc, func, fmt, msg);
		fprintf(stderr, "PMAP_ASSERT: assert hook returned\n");
	}
	fprintf(stderr, "PMAP_ASSERT: %s\n", msg);
	abort();
}

/*
 * passert.h - PMAP_ASSERT(cond, fmt, ...): the core's own consistency
 * checks (FreeBSD's KASSERT).  On failure the message, prefixed with the
 * function's name and carrying the values that fmt prints, goes to the
 * machine's assert hook, which must not return; without a hook it is printed
 * and the process aborts.
 */
#ifndef PMAPFUZZ_PASSERT_H
#define PMAPFUZZ_PASSERT_H

#include "pmapfuzz/machine.h"

#if defined(__GNUC__)
#define PMAP_PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))
#define PMAP_NORETURN __attribute__((noreturn))
#else
#define PMAP_PRINTFLIKE(a, b)
#define PMAP_NORETURN
#endif

PMAP_NORETURN void pmap_assert_fail(struct machine *mc, const char *func,
    const char *fmt, ...) PMAP_PRINTFLIKE(3, 4);

#define PMAP_ASSERT(mc, cond, ...)                                             \
	do {                                                                   \
		if (!(cond))                                                   \
			pmap_assert_fail((mc), __func__, __VA_ARGS__);         \
	} while (0)

#endif /* PMAPFUZZ_PASSERT_H */

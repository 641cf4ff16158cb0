/*
 * target_env.h - what every fuzz target takes from its environment, never from
 * the input: the bug switches, the checks, and the self-check rate.
 */
#ifndef PMAPFUZZ_TARGET_ENV_H
#define PMAPFUZZ_TARGET_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "exec.h"

/*
 * Fill *opt from PMAPFUZZ_BUGS and PMAPFUZZ_CHECKS (all checks, no bugs when
 * unset), at the default level (after every call and every op).  A bad
 * value is a usage error: the reason goes to stderr and the process exits 2,
 * before any input runs.
 */
void target_env_options(struct exec_options *opt);

/* Nonzero if this input should be run twice (PMAPFUZZ_SELFCHECK: 1 always,
 * 0 never, unset: 1 input in 64 by a hash of its bytes). */
int target_env_selfcheck(const uint8_t *data, size_t size);

#endif /* PMAPFUZZ_TARGET_ENV_H */

/*
 * target_env.h - what every fuzz target takes from its environment, never from
 * the input: the bug switches, the checks, the self-check rate, and the one
 * finding title to report while an engine minimizes.
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

/*
 * Nonzero if a finding titled title ends the run (abort, so the engine
 * keeps the input).  PMAPFUZZ_ONLY_TITLE, when set and not empty, pins one
 * title: a finding with any other title is not reported and the input
 * counts as clean.  The triage sets it while an engine's minimizer
 * (libFuzzer -minimize_crash, afl-tmin) works on a finding's crash file,
 * since those keep any smaller input that crashes, whatever its title.
 */
int target_env_reports(const char *title);

#endif /* PMAPFUZZ_TARGET_ENV_H */

/*
 * fuzz_pmap.c - the main fuzz target: decode the input as an op program
 * (the decoder is total, so no input is ever rejected), run it against the
 * pmap core with every selected invariant checked after every pmap call and
 * every op, and abort on the first finding so the engine keeps the input.
 *
 * Environment (read once, never from the input):
 *	PMAPFUZZ_BUGS	 bug switches to turn on (pmapfuzz list bugs)
 *	PMAPFUZZ_CHECKS	 invariants to check, e.g. "all,-stale-pte"
 *	PMAPFUZZ_SELFCHECK  1: run every input twice and abort if the two
 *			 state hashes differ (persistent-mode leak detector);
 *			 0: never.  Default: 1 input in 64, chosen by a hash
 *			 of the input so the choice is deterministic.
 *	PMAPFUZZ_ONLY_TITLE  report only the finding with exactly this title;
 *			 any other finding leaves the input clean.  The
 *			 triage sets it for the engines' minimizers, which
 *			 keep any smaller input that crashes at all.
 *
 * On a finding, stderr gets "FINDING: <title>" first, then the report; the
 * campaign's triage keys on that line.
 *
 * Mutation: libFuzzer calls the structure-aware mutator (mutator.h) through
 * LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver.  One call in
 * FUZZ_HAVOC_ONE_IN goes to libFuzzer's own byte-level LLVMFuzzerMutate
 * instead (the decoder is total, so any bytes are a program).  The hooks
 * live here, not in a shared file of fuzz/, because every fuzz target links
 * those and fuzz_trace's inputs are text.  AFL++'s libFuzzer driver ignores
 * them; AFL++ loads the same core as a library (afl_mutator.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "fuzz_pmap.h"
#include "mutator.h"
#include "ops.h"
#include "target_env.h"

static struct exec *fuzz_ex;
static struct exec_options fuzz_opt;

/* The self-check's finding: the first part of its FINDING line. */
#define FUZZ_SELFCHECK_TITLE "nondeterminism in exec_run (self-check)"

/* One mutation in this many is libFuzzer's byte-level havoc. */
#define FUZZ_HAVOC_ONE_IN 8

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
    unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
    const uint8_t *data2, size_t size2, uint8_t *out, size_t max_out_size,
    unsigned int seed);
/* libFuzzer's own mutator; weak, since AFL++'s driver does not have it. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
    __attribute__((weak));

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	target_env_options(&fuzz_opt);
	fuzz_opt.skip_hash = true; /* only the self-check needs it */
	fuzz_ex = exec_create();
	exec_boot_all(fuzz_ex);
	return 0;
}

/* bench_fuzz's way to run the same per-input path with fewer checks. */
void
fuzz_pmap_set_level(enum exec_checks level)
{
	fuzz_opt.level = level;
}

/* Report the finding and abort, unless its title is not the pinned one. */
static void
fuzz_found(const struct op_program *p, const struct exec_result *res)
{
	if (!target_env_reports(res->f.title))
		return;
	fprintf(stderr, "FINDING: %s\n", res->f.title);
	exec_report(stderr, fuzz_ex, p, res);
	fflush(stderr);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct op_program p;
	struct exec_result res, again;
	uint64_t h1, h2;

	op_decode(data, size, &p);
	if (exec_run(fuzz_ex, &p, &fuzz_opt, &res) != 0)
		fuzz_found(&p, &res);
	if (target_env_selfcheck(data, size)) {
		h1 = exec_hash(fuzz_ex);
		exec_run(fuzz_ex, &p, &fuzz_opt, &again);
		h2 = exec_hash(fuzz_ex);
		if ((h1 != h2 || again.finding != res.finding) &&
		    target_env_reports(FUZZ_SELFCHECK_TITLE)) {
			fprintf(stderr,
			    "FINDING: " FUZZ_SELFCHECK_TITLE ": "
			    "state hash 0x%016llx then 0x%016llx\n",
			    (unsigned long long)h1, (unsigned long long)h2);
			abort();
		}
	}
	return 0;
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
    unsigned int seed)
{
	struct mut_rng r;

	/* The seed feeds both choices through one generator, so the havoc
	 * pick does not correlate with the mutator's first draw. */
	mut_rng_seed(&r, seed);
	if (LLVMFuzzerMutate != NULL &&
	    mut_rng_below(&r, FUZZ_HAVOC_ONE_IN) == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	return mut_mutate(data, size, max_size, NULL, 0, mut_rng_next(&r),
	    NULL);
}

size_t
LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
    const uint8_t *data2, size_t size2, uint8_t *out, size_t max_out_size,
    unsigned int seed)
{
	return mut_crossover(data1, size1, data2, size2, out, max_out_size,
	    seed);
}

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
 *			 0: never.  Default: 1 input in 16, chosen by a hash
 *			 of the input so the choice is deterministic.
 *
 * On a finding, stderr gets "FINDING: <title>" first, then the report; the
 * campaign's triage keys on that line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target_env.h"
#include "exec.h"
#include "ops.h"

static struct exec *fuzz_ex;
static struct exec_options fuzz_opt;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	target_env_options(&fuzz_opt);
	fuzz_ex = exec_create();
	return 0;
}

static void
fuzz_found(const struct op_program *p, const struct exec_result *res)
{
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

	op_decode(data, size, &p);
	if (exec_run(fuzz_ex, &p, &fuzz_opt, &res) != 0)
		fuzz_found(&p, &res);
	if (target_env_selfcheck(data, size)) {
		exec_run(fuzz_ex, &p, &fuzz_opt, &again);
		if (again.hash != res.hash || again.finding != res.finding) {
			fprintf(stderr,
			    "FINDING: nondeterminism in exec_run (self-check): "
			    "state hash 0x%016llx then 0x%016llx\n",
			    (unsigned long long)res.hash,
			    (unsigned long long)again.hash);
			abort();
		}
	}
	return 0;
}

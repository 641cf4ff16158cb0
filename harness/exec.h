/*
 * exec.h - the executor: runs an op program against the pmap core the way
 * FreeBSD's VM would drive it, feeds the reference model with the intent of
 * every step before the pmap call that carries it out, runs the invariant
 * checks after every pmap call and every op, and injects the faults the
 * program's arms ask for.
 *
 * All per-input state lives in struct exec (one per machine configuration,
 * cached): exec_run() resets it first, so the same program always gives the
 * same result and the same state hash, whatever ran before.
 */
#ifndef PMAPFUZZ_EXEC_H
#define PMAPFUZZ_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ops.h"
#include "pmapfuzz/invariants.h"

/* How much checking exec_run does. */
enum exec_checks {
	EXEC_CHECK_NONE = 0, /* no checks (benchmarks only) */
	EXEC_CHECK_CALL,     /* incremental after every pmap call */
	EXEC_CHECK_OP,	     /* + after every op (the default) */
};

struct exec_options {
	uint64_t bugs;	 /* bug switches (bug_parse_list) */
	uint32_t checks; /* invariants enabled (inv_parse_list); 0 = all */
	enum exec_checks level;
	FILE *verbose;	  /* per-op trace, or NULL */
	bool skip_hash;	  /* leave res->hash 0 (hot path); exec_hash()
			     computes it on demand */
	bool verify_fast; /* the checker's fast_verify: the general pass
			     re-checks every call its one-write pass
			     checks (tests) */
};

struct exec_result {
	int finding; /* 1: f holds the first finding */
	struct inv_finding f;
	unsigned ops_run;    /* ops executed (incl. the failing one) */
	unsigned arms_fired; /* fault arms that fired */
	uint64_t hash;	     /* state hash after the run (0 with
				skip_hash) */
	uint64_t pmap_calls; /* pmap calls made */
};

struct exec;

/* A fresh executor; never fails (aborts when out of memory). */
struct exec *exec_create(void);
/* Boot every world (each CPU count and memory class) now instead of on the
 * first program that needs it, so that later runs execute the same code
 * whatever ran before: what AFL++'s stability measure and a fuzzer's
 * per-input timing want. */
void exec_boot_all(struct exec *ex);
void exec_destroy(struct exec *ex);

/*
 * Run program p from the boot state of its configuration.  Returns 0 when
 * clean, 1 on a finding (res->f).  Deterministic: same program and options,
 * same result and hash.
 */
int exec_run(struct exec *ex, const struct op_program *p,
    const struct exec_options *opt, struct exec_result *res);

/* The state hash of the last run's final state: what res->hash holds
 * when skip_hash is off.  Costs a pass over every allocated frame. */
uint64_t exec_hash(struct exec *ex);

/* The machine, pmap system, model and checker of the last run (for
 * reports and pictures); valid until the next exec_run. */
struct inv_ctx *exec_inv(struct exec *ex);

/* Print the finding's full report: title, the op trace with the failing
 * op marked, the invariant's report and page-table picture. */
void exec_report(FILE *f, struct exec *ex, const struct op_program *p,
    const struct exec_result *res);

#endif /* PMAPFUZZ_EXEC_H */

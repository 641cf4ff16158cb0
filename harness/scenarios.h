/*
 * scenarios.h - built-in scenarios: named, fixed sequences of pmap calls
 * that drive the core directly (as the unit tests do), each on a freshly
 * booted machine, ending in the superpage counters and a hash of the final
 * state.  They show what each bug switch changes without the op language,
 * and the hashes pin down determinism across builds and runs.
 */
#ifndef PMAPFUZZ_SCENARIOS_H
#define PMAPFUZZ_SCENARIOS_H

#include <setjmp.h>
#include <stdint.h>

#include "pmapfuzz/machine.h"
#include "pmapfuzz/pmap.h"

#define SCEN_CPUS 2
#define SCEN_MSG_MAX 512

/* All state of one scenario run (nothing lives in globals). */
struct scen_ctx {
	struct machine *mc;
	struct pmap_sys *ps;
	jmp_buf assert_env; /* where a failed PMAP_ASSERT returns to */
	char assert_msg[SCEN_MSG_MAX];
	/* The I/O page that the interrupt of the fault hooks completes. */
	vm_page_t io_page;
	unsigned hook_hits;
};

struct scenario {
	const char *name;
	void (*run)(struct scen_ctx *sc);
	const char *doc; /* one line: what it does */
};

/* What a run leaves. */
struct scen_result {
	struct pmap_counters cnt;
	uint64_t hash; /* machine_hash(mc, 0) ^ pmap_sys_hash(ps, 0) */
	int asserted;  /* a PMAP_ASSERT stopped the scenario */
	char assert_msg[SCEN_MSG_MAX]; /* its message ("func: ...") */
};

extern const struct scenario scenario_table[];
extern const unsigned scenario_count;

/* The scenario called name, or NULL. */
const struct scenario *scenario_lookup(const char *name);

/*
 * Boot a machine of MACH_FRAMES_DEFAULT frames and SCEN_CPUS CPUs with the
 * given bug switches, run s on it and fill *res.  A failed PMAP_ASSERT ends
 * the scenario early; the state it left is hashed all the same.  Returns 0,
 * or -1 when the machine cannot be allocated.
 */
int scenario_run(const struct scenario *s, uint64_t bugs,
    struct scen_result *res);

#endif /* PMAPFUZZ_SCENARIOS_H */

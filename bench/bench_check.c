/*
 * bench_check.c - what checking costs.  A fixed deterministic workload runs
 * directly on the pmap core and the model: three user pmaps, each filling
 * a 2 MiB region page by page until it promotes, touching it from two
 * CPUs, write-protecting and re-entering pieces of it (demotion), and
 * removing it again; plus kmem allocations and frees in the kernel pmap.
 * Operations are groups of about four pmap calls.
 *
 * The same workload runs in each mode:
 *   off    no checks (the machine's log off, as a fuzzer without checks)
 *   log    no checks, but what a checker records is recorded (the machine's
 *	    log, the model's journal) and dropped after every pmap call: the
 *	    floor that any checker run after every call pays before it looks
 *	    at anything
 *   call   inv_check_call after every pmap call
 *   op     the same plus inv_check_op after every operation
 *   sweep  the same with every operation check a full sweep (for scale)
 * and the program prints calls and operations per second and the ratio of
 * each mode's time to the unchecked one (best of five rounds, the modes
 * interleaved in each, since the machine may be shared).  Goals:
 * call <= 1.5x, op <= 3x.  Beside it, the lowest and highest ratio within
 * one round (each mode's time over the "off" run next to it): how far apart
 * they are says how much the machine's load moved the reading.
 *
 *	bench_check [calls [mode]]	(default 200000, every mode)
 *
 * With a mode, "off" runs too (the ratio's base) unless BENCH_NO_BASE is
 * set: for callgrind, whose totals should cover one mode only (and
 * BENCH_ROUNDS=1 runs one round instead of five).  BENCH_VERBOSE=1 also
 * prints, for each checked mode, the checker's counters and per pmap
 * function the call checks' number, their mean slots re-observed and frames
 * screened, and how the passes spread by slots re-observed: where the
 * per-call cost comes from (counts, so the same on every run).
 * BENCH_CHECKS=LIST enables only the invariants in LIST (ids as in
 * "pmapfuzz list checks", comma-separated, "all", or "none"): what a
 * subset costs, and with "none" what keeping the checker's shadow up to
 * date costs before any invariant is judged.
 *
 * The model is fed in every mode (an executor feeds it whether or not it
 * checks), so the ratios are the cost of the checker alone.  Timing is the
 * only nondeterministic output; the final-state hash printed for each mode
 * must be the same in all of them.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pmapfuzz/invariants.h"
#include "pmapfuzz/model.h"
#include "pmapfuzz/pmap.h"
#include "pmapfuzz/report.h"

#define BENCH_PMAPS 3
#define BENCH_REPEAT 5
#define RW (VM_PROT_READ | VM_PROT_WRITE)

enum bench_mode {
	MODE_OFF,
	MODE_LOG,
	MODE_CALL,
	MODE_OP,
	MODE_SWEEP,
	MODE_COUNT
};

/* The invariants the checked modes enable (BENCH_CHECKS). */
static uint32_t bench_checks = INV_ALL;

static const char *const mode_name[MODE_COUNT] = {
	"off",
	"log",
	"call",
	"op",
	"sweep",
};

/* Per-pmap program state: which region, how far, which phase. */
enum phase { PH_FILL, PH_WORK, PH_UNMAP };

struct prog {
	pmap_t pm;
	uint32_t obj;
	unsigned region;
	unsigned k; /* next slot (fill), op count (work), chunk (unmap) */
	enum phase phase;
	unsigned hole; /* work: the page removed by the previous op */
	vm_page_t page[USER_REGIONS * NPTEPG];
};

/*
 * BENCH_VERBOSE's tally of the call checks of one pmap function: how many,
 * the slots they re-observed and frames they screened, and how many
 * re-observed at most bucket_top[i] slots (the last bucket: more).
 */
#define BENCH_FUNCS 8
#define BENCH_BUCKETS 5
static const unsigned bucket_top[BENCH_BUCKETS - 1] = { 0, 2, 8, 64 };

struct tally {
	const char *func;
	int (*check)(struct inv_ctx *); /* check_after[]'s for func */
	uint64_t passes, slots, frames;
	uint64_t by_slots[BENCH_BUCKETS];
};

struct bench {
	enum bench_mode mode;
	struct machine *mc;
	struct pmap_sys *ps;
	struct model *md;
	struct inv_ctx *ctx;
	struct prog prog[BENCH_PMAPS];
	unsigned kmem_next; /* next kmem page to allocate */
	unsigned kmem_live; /* pages allocated from kmem_next back */
	uint64_t calls;
	unsigned ops;
	int verbose; /* BENCH_VERBOSE: tally the passes per pmap function */
	unsigned ntally;
	struct tally tally[BENCH_FUNCS];
};

static void
bench_die(struct bench *b)
{
	fprintf(stderr, "bench_check: finding in mode %s:\n",
	    mode_name[b->mode]);
	report_text(stderr, &b->ctx->finding, b->ctx);
	exit(1);
}

/*
 * inv_check_call after one pmap function, each out of line under its own
 * name: under callgrind with BENCH_VERBOSE=1, the inclusive cost of
 * check_after_pmap_enter and its siblings is what each function's call
 * checks cost (callgrind_annotate --inclusive=yes).
 */
#define BENCH_CHECKED_FUNCS(X)                                                 \
	X(pmap_enter) X(pmap_remove) X(pmap_protect) X(pmap_activate)
#define BENCH_CHECK_AFTER(fn)                                                  \
	static __attribute__((noinline)) int check_after_##fn(                 \
	    struct inv_ctx *ctx)                                               \
	{                                                                      \
		return inv_check_call(ctx, #fn);                               \
	}
BENCH_CHECKED_FUNCS(BENCH_CHECK_AFTER)

#define BENCH_CHECK_ENTRY(fn) { #fn, check_after_##fn },
static const struct {
	const char *func;
	int (*check)(struct inv_ctx *);
} check_after[] = { BENCH_CHECKED_FUNCS(BENCH_CHECK_ENTRY) };

/* The workload calls only the functions in BENCH_CHECKED_FUNCS. */
static int (*check_after_of(const char *func))(struct inv_ctx *)
{
	for (size_t i = 0; i < sizeof(check_after) / sizeof(check_after[0]);
	     i++)
		if (strcmp(check_after[i].func, func) == 0)
			return check_after[i].check;
	fprintf(stderr, "bench_check: no check_after for %s\n", func);
	exit(1);
}

/* inv_check_call, tallied under func's name (BENCH_VERBOSE).  Out of
 * line: the timed path without the tally stays as it was. */
static __attribute__((noinline)) int
bench_check_tallied(struct bench *b, const char *func)
{
	const struct inv_counters c0 = b->ctx->cnt;
	struct tally *t = b->tally;
	uint64_t slots;
	unsigned k = 0;
	int r;

	while (t < b->tally + b->ntally && strcmp(t->func, func) != 0)
		t++;
	if (t == b->tally + b->ntally) {
		if (b->ntally == BENCH_FUNCS)
			return inv_check_call(b->ctx, func);
		t->func = func;
		t->check = check_after_of(func);
		b->ntally++;
	}
	r = t->check(b->ctx);
	slots = b->ctx->cnt.observed - c0.observed;
	t->passes++;
	t->slots += slots;
	t->frames += b->ctx->cnt.frames - c0.frames;
	while (k < BENCH_BUCKETS - 1 && slots > bucket_top[k])
		k++;
	t->by_slots[k]++;
	return r;
}

/* After every pmap call. */
static void
bench_call(struct bench *b, const char *func)
{
	b->calls++;
	if (b->mode == MODE_OFF)
		return;
	if (b->mode == MODE_LOG) {
		mach_log_clear(b->mc);
		model_pending_clear(b->md);
		return;
	}
	if (b->verbose ? bench_check_tallied(b, func) :
			 inv_check_call(b->ctx, func))
		bench_die(b);
}

static void
bench_print_tally(const struct bench *b)
{
	fprintf(stderr,
	    "  %-14s %8s %7s %7s   passes by slots re-observed: "
	    "0, 1-2, 3-8, 9-64, more\n",
	    "call check", "passes", "slots", "frames");
	for (const struct tally *t = b->tally; t < b->tally + b->ntally; t++) {
		fprintf(stderr, "  %-14s %8llu %7.1f %7.1f  ", t->func,
		    (unsigned long long)t->passes,
		    (double)t->slots / (double)t->passes,
		    (double)t->frames / (double)t->passes);
		for (unsigned k = 0; k < BENCH_BUCKETS; k++)
			fprintf(stderr, " %llu",
			    (unsigned long long)t->by_slots[k]);
		fprintf(stderr, "\n");
	}
}

/* After every operation. */
static void
bench_op_end(struct bench *b)
{
	int r = 0;

	b->ops++;
	if (b->mode == MODE_OP)
		r = inv_check_op(b->ctx);
	else if (b->mode == MODE_SWEEP)
		r = inv_check_full(b->ctx);
	if (r)
		bench_die(b);
}

/* p's frame for slot: allocated once per (object, pindex) and kept. */
static vm_page_t
bench_page(struct bench *b, struct prog *p, unsigned slot)
{
	vm_page_t m = p->page[slot];

	if (m != NULL)
		return m;
	m = vm_page_alloc(b->mc, p->obj, slot, VM_ALLOC_NOFAULT);
	if (m == NULL) {
		fprintf(stderr, "bench_check: out of memory\n");
		exit(1);
	}
	model_page_alloc(b->md, m->pfn);
	p->page[slot] = m;
	return m;
}

static void
bench_enter(struct bench *b, struct prog *p, unsigned slot)
{
	vm_offset_t va = USER_BASE + ptoa(slot);
	vm_page_t m = bench_page(b, p, slot);

	model_map(b->md, p->pm->pm_id, va, m->pfn, RW, MODEL_MANAGED);
	if (pmap_enter(p->pm, va, m, RW, VM_PROT_READ) != KERN_SUCCESS)
		model_unmap(b->md, p->pm->pm_id, va);
	bench_call(b, "pmap_enter");
}

/* One operation of pmap program p: about four pmap calls. */
static void
bench_user_op(struct bench *b, struct prog *p, unsigned cpu)
{
	unsigned base = p->region * NPTEPG;
	vm_offset_t rva = USER_BASE + p->region * NBPDR;
	unsigned as = p->pm->pm_id;

	switch (p->phase) {
	case PH_FILL:
		for (unsigned i = 0; i < 4; i++)
			bench_enter(b, p, base + p->k++);
		if (p->k == NPTEPG) {
			p->phase = PH_WORK;
			p->k = 0;
		}
		break;
	case PH_WORK: {
		/*
		 * Protect four pages, punch a hole, fill the previous hole
		 * and re-enter the first page writable.  The first such op
		 * demotes; the hole keeps the page table short of 512 valid
		 * entries, so promotion is attempted again only by the next
		 * fill.
		 */
		unsigned first = (p->k * 37) % (NPTEPG - 8);
		vm_offset_t va = rva + ptoa(first);
		uint32_t pfn;

		if (b->mc->cpus[cpu].pmap_id != (int16_t)as) {
			pmap_activate(p->pm, cpu);
			bench_call(b, "pmap_activate");
		}
		for (unsigned i = 0; i < 4; i++)
			if (mach_touch(b->mc, cpu, va + ptoa(i),
				i == 0 ? VM_PROT_WRITE : VM_PROT_READ,
				&pfn) == TOUCH_OK &&
			    i == 0)
				model_page_written(b->md, pfn);
		model_protect(b->md, as, va, va + ptoa(4), VM_PROT_READ);
		pmap_protect(p->pm, va, va + ptoa(4), VM_PROT_READ);
		bench_call(b, "pmap_protect");
		model_unmap_range(b->md, as, va + ptoa(4), va + ptoa(5));
		pmap_remove(p->pm, va + ptoa(4), va + ptoa(5));
		bench_call(b, "pmap_remove");
		if (p->k != 0)
			bench_enter(b, p, base + p->hole);
		p->hole = first + 4;
		bench_enter(b, p, base + first);
		if (++p->k == 32) {
			p->phase = PH_UNMAP;
			p->k = 0;
		}
		break;
	}
	case PH_UNMAP:
		for (unsigned i = 0; i < 4; i++) {
			vm_offset_t sva = rva + ptoa(p->k * 32);

			model_unmap_range(b->md, as, sva, sva + ptoa(32));
			pmap_remove(p->pm, sva, sva + ptoa(32));
			bench_call(b, "pmap_remove");
			p->k++;
		}
		if (p->k * 32 == NPTEPG) {
			p->phase = PH_FILL;
			p->k = 0;
			p->region = (p->region + 1) % USER_REGIONS;
		}
		break;
	}
}

/* kmem: allocate four pages, or free the oldest four. */
static void
bench_kmem_op(struct bench *b)
{
	pmap_t kp = kernel_pmap(b->ps);
	unsigned npages = KVA_REGIONS * NPTEPG;

	if (b->kmem_live < 64) {
		for (unsigned i = 0; i < 4; i++) {
			unsigned s = (b->kmem_next + i) % npages;
			vm_offset_t va = KVA_BASE + ptoa(s);
			vm_page_t m =
			    vm_page_alloc(b->mc, OBJ_KMEM, s, VM_ALLOC_NOFAULT);

			if (m == NULL) {
				fprintf(stderr, "bench_check: kmem full\n");
				exit(1);
			}
			m->flags |= VPF_UNMANAGED;
			model_page_alloc(b->md, m->pfn);
			model_map(b->md, 0, va, m->pfn, RW, MODEL_WIRED);
			(void)pmap_enter(kp, va, m, RW, RW | PMAP_ENTER_WIRED);
			bench_call(b, "pmap_enter");
		}
		b->kmem_next = (b->kmem_next + 4) % npages;
		b->kmem_live += 4;
		return;
	}
	{
		unsigned s = (b->kmem_next + npages - b->kmem_live) % npages;
		vm_offset_t va = KVA_BASE + ptoa(s);

		model_unmap_range(b->md, 0, va, va + ptoa(4));
		pmap_remove(kp, va, va + ptoa(4));
		bench_call(b, "pmap_remove");
		for (unsigned i = 0; i < 4; i++) {
			vm_page_t m = &b->mc->pages[s + i];

			model_page_free(b->md, m->pfn);
			vm_page_free(b->mc, m);
		}
		b->kmem_live -= 4;
	}
}

static void
bench_setup(struct bench *b, enum bench_mode mode)
{
	struct mach_config cfg = { .nframes = 8192, .ncpus = 2 };

	memset(b, 0, sizeof(*b));
	b->mode = mode;
	b->verbose = getenv("BENCH_VERBOSE") != NULL;
	b->mc = machine_create(&cfg);
	b->ps = calloc(1, sizeof(*b->ps));
	b->md = model_create();
	if (b->mc == NULL || b->ps == NULL || b->md == NULL) {
		fprintf(stderr, "bench_check: out of memory\n");
		exit(1);
	}
	pmap_bootstrap(b->ps, b->mc);
	if (mode != MODE_OFF) {
		b->ctx = inv_ctx_create(b->mc, b->ps, b->md);
		if (b->ctx != NULL)
			b->ctx->enabled = bench_checks;
		if (b->ctx == NULL || inv_check_full(b->ctx)) {
			fprintf(stderr, "bench_check: checker setup failed\n");
			exit(1);
		}
	} else
		b->mc->log_enabled = 0;
	for (unsigned i = 0; i < BENCH_PMAPS; i++) {
		struct prog *p = &b->prog[i];

		p->pm = pmap_pinit(b->ps);
		if (p->pm == NULL) {
			fprintf(stderr, "bench_check: pmap_pinit failed\n");
			exit(1);
		}
		model_as_create(b->md, p->pm->pm_id);
		p->obj = vm_object_allocate(b->mc);
		p->region = i % USER_REGIONS;
	}
}

static void
bench_teardown(struct bench *b)
{
	inv_ctx_destroy(b->ctx);
	model_destroy(b->md);
	pmap_sys_destroy(b->ps);
	free(b->ps);
	machine_destroy(b->mc);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run the workload until at least ncalls pmap calls; returns seconds. */
static double
bench_run(enum bench_mode mode, uint64_t ncalls, uint64_t *hash,
    struct bench *out)
{
	struct bench b;
	double t0, t1;
	unsigned n = 0;

	bench_setup(&b, mode);
	t0 = now();
	while (b.calls < ncalls) {
		if (b.mode != MODE_OFF)
			inv_set_op(b.ctx, b.ops, n % 4 == 3 ? "kmem" : "user");
		if (n % 4 == 3)
			bench_kmem_op(&b);
		else
			bench_user_op(&b, &b.prog[n % 4], n % 2);
		bench_op_end(&b);
		n++;
	}
	t1 = now();
	*hash = machine_hash(b.mc, pmap_sys_hash(b.ps, 0));
	if (b.ctx != NULL && b.verbose && mode != MODE_LOG) {
		fprintf(stderr,
		    "%s: %llu passes, %llu slots observed, %llu "
		    "checked, %llu frames, %llu promotions, %llu sweeps, "
		    "%llu promotions and demotions and %llu runs of PTE "
		    "writes checked in one loop\n",
		    mode_name[mode],
		    (unsigned long long)(b.ctx->cnt.calls + b.ctx->cnt.ops),
		    (unsigned long long)b.ctx->cnt.observed,
		    (unsigned long long)b.ctx->cnt.checked,
		    (unsigned long long)b.ctx->cnt.frames,
		    (unsigned long long)b.ps->cnt.promotions,
		    (unsigned long long)b.ctx->cnt.sweeps,
		    (unsigned long long)b.ctx->cnt.regions,
		    (unsigned long long)b.ctx->cnt.runs);
		bench_print_tally(&b);
	}
	*out = b;
	out->mc = NULL;
	bench_teardown(&b);
	return t1 - t0;
}

int
main(int argc, char **argv)
{
	uint64_t ncalls = argc > 1 ? strtoull(argv[1], NULL, 0) : 200000;
	double best[MODE_COUNT], rmin[MODE_COUNT], rmax[MODE_COUNT];
	uint64_t hash[MODE_COUNT];
	struct bench last[MODE_COUNT];
	int run[MODE_COUNT];
	int rounds = getenv("BENCH_ROUNDS") != NULL ?
	    atoi(getenv("BENCH_ROUNDS")) :
	    BENCH_REPEAT;
	const char *checks = getenv("BENCH_CHECKS"), *bad = NULL;

	if (checks != NULL && strcmp(checks, "none") == 0)
		bench_checks = 0;
	else if (checks != NULL &&
	    inv_parse_list(checks, &bench_checks, &bad) != 0) {
		fprintf(stderr,
		    "bench_check: BENCH_CHECKS: unknown invariant \"%.*s\"; "
		    "expected \"all\", \"none\" or ids as listed by "
		    "\"pmapfuzz list checks\"\n",
		    (int)strcspn(bad, ","), bad);
		return 2;
	}
	if (checks != NULL)
		printf("checks: %s\n", checks);
	for (int m = MODE_OFF; m < MODE_COUNT; m++) {
		run[m] = argc <= 2 || strcmp(argv[2], mode_name[m]) == 0 ||
		    (m == MODE_OFF && getenv("BENCH_NO_BASE") == NULL);
		best[m] = 0;
	}
	/*
	 * Best of BENCH_REPEAT rounds, the modes interleaved within a round:
	 * on a shared machine a slow spell then hits every mode alike
	 * instead of one mode's runs.
	 */
	for (int rep = 0; rep < rounds; rep++) {
		double t[MODE_COUNT];

		for (int m = MODE_OFF; m < MODE_COUNT; m++) {
			if (!run[m])
				continue;
			t[m] = bench_run((enum bench_mode)m, ncalls, &hash[m],
			    &last[m]);
			if (rep == 0 || t[m] < best[m])
				best[m] = t[m];
			if (!run[MODE_OFF])
				continue;
			/* This round's ratio: m's time over its "off". */
			if (rep == 0 || t[m] / t[MODE_OFF] < rmin[m])
				rmin[m] = t[m] / t[MODE_OFF];
			if (rep == 0 || t[m] / t[MODE_OFF] > rmax[m])
				rmax[m] = t[m] / t[MODE_OFF];
		}
	}
	printf("%-6s %10s %8s %12s %10s %8s  %-13s  %s\n", "mode", "calls",
	    "ops", "calls/s", "ops/s", "ratio", "rounds", "state hash");
	for (int m = MODE_OFF; m < MODE_COUNT; m++) {
		if (!run[m])
			continue;
		printf("%-6s %10llu %8u %12.0f %10.0f %7.2fx  %5.2f-%5.2fx  "
		       "%016llx\n",
		    mode_name[m], (unsigned long long)last[m].calls,
		    last[m].ops, (double)last[m].calls / best[m],
		    (double)last[m].ops / best[m],
		    run[MODE_OFF] ? best[m] / best[MODE_OFF] : 0.0,
		    run[MODE_OFF] ? rmin[m] : 0.0,
		    run[MODE_OFF] ? rmax[m] : 0.0, (unsigned long long)hash[m]);
	}
	return 0;
}

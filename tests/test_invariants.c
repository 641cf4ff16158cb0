/*
 * test_invariants.c - the checker as a specification.
 *
 * For every invariant: a scenario that breaks it (through a bug switch, a
 * fault hook or a direct corruption) and the check that names exactly that
 * invariant with the expected title; and a sound twin, as close to the
 * broken one as possible, where every check stays quiet.  Scenarios call
 * the real core and feed the model as an executor would: the intent of
 * each step before the pmap call that carries it out.
 *
 * The last test is a long deterministic run with every kind of pmap call,
 * touches from several CPUs, promotions and demotions, forks, I/O-like
 * page operations and the faults the fixed core must absorb; every check
 * is on and none may fire.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "pmapfuzz/bugs.h"
#include "pmapfuzz/invariants.h"
#include "pmapfuzz/model.h"
#include "pmapfuzz/pmap.h"
#include "pmapfuzz/ptdump.h"
#include "pmapfuzz/report.h"
#include "testlib.h"

#define USER_END (USER_BASE + USER_REGIONS * NBPDR)
#define RW (VM_PROT_READ | VM_PROT_WRITE)

/* The fixture: one at a time, the previous one freed by the next. */
struct fx {
	struct machine *mc;
	struct pmap_sys *ps;
	struct model *md;
	struct inv_ctx *ctx;
	unsigned opn;
	uint32_t obj[PMAP_MAX]; /* anonymous object of each user pmap */
	jmp_buf *assert_env;	/* where an expected assertion returns */
	/* Fault hook state. */
	int (*hook)(struct machine *, enum fi_site, const struct pt_ref *);
	unsigned hook_arg;
	pmap_t hook_pmap;
	vm_page_t hook_page;
	int hook_fired;
};

static struct fx *F;

static void
fx_free(void)
{
	if (F == NULL)
		return;
	inv_ctx_destroy(F->ctx);
	model_destroy(F->md);
	pmap_sys_destroy(F->ps);
	free(F->ps);
	machine_destroy(F->mc);
	free(F);
	F = NULL;
}

static void
fx_dump(void *arg)
{
	(void)arg;
	if (F == NULL)
		return;
	if (F->ctx->finding.title[0] != '\0')
		report_text(stderr, &F->ctx->finding, F->ctx);
	for (unsigned i = 0; i < PMAP_MAX; i++)
		if (F->ps->pmaps[i].pm_inuse)
			ptdump_pmap(stderr, F->ps, &F->ps->pmaps[i]);
}

static void
fx_assert_hook(struct machine *mc, const char *func, const char *fmt,
    const char *msg)
{
	(void)mc;
	(void)inv_finding_assert(F->ctx, func, fmt, msg);
	if (F->assert_env != NULL)
		longjmp(*F->assert_env, 1);
	test_fail(__FILE__, __LINE__, "unexpected assert in %s: %s", func, msg);
}

static int
fx_fi(struct machine *mc, enum fi_site site, const struct pt_ref *ref)
{
	return F->hook != NULL ? F->hook(mc, site, ref) : 0;
}

/* Boot a checked machine; the boot state must satisfy every invariant. */
static struct fx *
fx_boot(unsigned ncpus)
{
	struct mach_config cfg = { .nframes = 0, .ncpus = (uint8_t)ncpus };
	static int registered;

	fx_free();
	if (!registered) {
		atexit(fx_free);
		registered = 1;
	}
	F = calloc(1, sizeof(*F));
	CHECK(F != NULL, "out of memory");
	F->mc = machine_create(&cfg);
	F->ps = calloc(1, sizeof(*F->ps));
	CHECK(F->mc != NULL && F->ps != NULL, "out of memory");
	pmap_bootstrap(F->ps, F->mc);
	F->md = model_create();
	F->ctx = inv_ctx_create(F->mc, F->ps, F->md);
	CHECK(F->md != NULL && F->ctx != NULL, "out of memory");
	/* Every call the one-write pass checks is checked by the general
	 * pass too: the two must agree in every test. */
	F->ctx->fast_verify = 1;
	F->mc->assert_hook = fx_assert_hook;
	F->mc->fi_hook = fx_fi;
	test_dump_hook = fx_dump;
	inv_set_op(F->ctx, F->opn++, "boot");
	CHECK(inv_check_full(F->ctx) == 0, "boot: %s", F->ctx->finding.title);
	return F;
}

#define QUIET(expr)                                                            \
	do {                                                                   \
		int r_ = (expr);                                               \
		CHECK(r_ == 0, "unexpected finding: %s",                       \
		    F->ctx->finding.title);                                    \
	} while (0)

#define FIRES(expr, want)                                                      \
	do {                                                                   \
		int r_ = (expr);                                               \
		CHECK(r_ == 1, "expected '%s', nothing fired", (want));        \
		CHECK(strcmp(F->ctx->finding.title, (want)) == 0,              \
		    "expected '%s', got '%s'", (want), F->ctx->finding.title); \
	} while (0)

/* Executor-like steps.  Each names its operation first when op != NULL. */

static void
op(const char *name)
{
	inv_set_op(F->ctx, F->opn++, name);
}

static int
op_end(void)
{
	return inv_check_op(F->ctx);
}

static int
call(const char *func)
{
	return inv_check_call(F->ctx, func);
}

static pmap_t
new_pmap(void)
{
	pmap_t pm = pmap_pinit(F->ps);

	CHECK(pm != NULL, "pmap_pinit failed");
	CHECK(model_as_create(F->md, pm->pm_id) == 0, "model as %u",
	    (unsigned)pm->pm_id);
	if (F->obj[pm->pm_id] == 0)
		F->obj[pm->pm_id] = vm_object_allocate(F->mc);
	return pm;
}

/* The anonymous page of pmap pm at va (allocated on first use). */
static vm_page_t
upage(pmap_t pm, vm_offset_t va)
{
	uint64_t pindex = (va - USER_BASE) >> PAGE_SHIFT;
	vm_page_t m;

	if (va >= KSTACK_VA)
		pindex = USER_REGIONS * NPTEPG;
	m = vm_page_alloc(F->mc, F->obj[pm->pm_id], pindex, 0);
	CHECK(m != NULL, "no page for va %#llx", (unsigned long long)va);
	model_page_alloc(F->md, m->pfn);
	return m;
}

static unsigned
mflags(const struct vm_page *m, int wired)
{
	return ((m->flags & VPF_UNMANAGED) == 0 ? MODEL_MANAGED : 0) |
	    (wired ? MODEL_WIRED : 0);
}

/* pmap_enter with its intent; access READ so that PG_A is set. */
static int
enter(pmap_t pm, vm_offset_t va, vm_page_t m, vm_prot_t prot, int wired)
{
	int rv;

	model_map(F->md, pm->pm_id, va, m->pfn, prot, mflags(m, wired));
	rv = pmap_enter(pm, va, m, prot,
	    VM_PROT_READ | (wired ? PMAP_ENTER_WIRED : 0));
	if (rv != KERN_SUCCESS)
		model_unmap(F->md, pm->pm_id, va);
	return call("pmap_enter");
}

static int
premove(pmap_t pm, vm_offset_t sva, vm_offset_t eva)
{
	model_unmap_range(F->md, pm->pm_id, sva, eva);
	pmap_remove(pm, sva, eva);
	return call("pmap_remove");
}

static int
activate(pmap_t pm, unsigned cpu)
{
	pmap_activate(pm, cpu);
	return call("pmap_activate");
}

static int
touch(unsigned cpu, vm_offset_t va, vm_prot_t access)
{
	uint32_t pfn;
	enum touch_result r = mach_touch(F->mc, cpu, va, access, &pfn);

	unsigned as = va_is_kernel(va) ? 0 : (unsigned)F->mc->cpus[cpu].pmap_id;
	const struct model_map *mp = model_lookup(F->md, as, va);

	/* The pmap keeps dirtiness only for managed mappings. */
	if (r == TOUCH_OK && (access & VM_PROT_WRITE) != 0 && mp != NULL &&
	    (mp->flags & MODEL_MANAGED) != 0)
		model_page_written(F->md, pfn);
	return r;
}

/* Map all 512 pages of user region r of pm, promoting at the end. */
static void
fill_region(pmap_t pm, unsigned r, vm_prot_t prot, int wired)
{
	vm_offset_t base = USER_BASE + r * NBPDR;

	for (unsigned i = 0; i < NPTEPG; i++)
		QUIET(enter(pm, base + ptoa(i), upage(pm, base + ptoa(i)), prot,
		    wired));
}

static int
is_ps(pmap_t pm, vm_offset_t va)
{
	int level;

	(void)mach_walk(F->mc, pm->pm_pml4, va, &level, NULL, NULL);
	return level == PT_LVL_PDE;
}

/* kmem: page i of the arena is frame chunk(i/512) + i%512, unmanaged. */
static vm_page_t
kpage(vm_offset_t va)
{
	vm_page_t m =
	    vm_page_alloc(F->mc, OBJ_KMEM, (va - KVA_BASE) >> PAGE_SHIFT, 0);

	CHECK(m != NULL, "no kmem page for %#llx", (unsigned long long)va);
	m->flags |= VPF_UNMANAGED;
	model_page_alloc(F->md, m->pfn);
	return m;
}

/* kmem_back: allocate and enter each page in the same iteration, or (8.x)
 * allocate all first and enter them in a second loop. */
static int
kmem_alloc(vm_offset_t va, unsigned n, int two_loop)
{
	vm_page_t ma[NPTEPG];
	pmap_t kp = kernel_pmap(F->ps);

	for (unsigned i = 0; i < n; i++) {
		if (!two_loop) {
			ma[i] = kpage(va + ptoa(i));
			if (enter(kp, va + ptoa(i), ma[i], RW, 1))
				return 1;
			continue;
		}
		ma[i] = kpage(va + ptoa(i));
	}
	for (unsigned i = 0; two_loop && i < n; i++)
		if (enter(kp, va + ptoa(i), ma[i], RW, 1))
			return 1;
	return 0;
}

/* The kmem frame of va: the arena's reservations are pinned. */
static uint32_t
kframe(vm_offset_t va)
{
	return (uint32_t)((va - KVA_BASE) >> PAGE_SHIFT);
}

/* kmem_unback: remove the mappings, then free the pages. */
static int
kmem_free(vm_offset_t va, unsigned n)
{
	if (premove(kernel_pmap(F->ps), va, va + ptoa(n)))
		return 1;
	for (unsigned i = 0; i < n; i++) {
		uint32_t pfn = kframe(va + ptoa(i));

		model_page_free(F->md, pfn);
		vm_page_free(F->mc, &F->mc->pages[pfn]);
	}
	return 0;
}

/* Store v into pm's leaf for va, bypassing the core but not the log. */
static void
corrupt_pte(pmap_t pm, vm_offset_t va, pt_entry_t v)
{
	int level;
	uint32_t table;
	unsigned idx;

	(void)mach_walk(F->mc, pm->pm_pml4, va, &level, &table, &idx);
	CHECK(level == PT_LVL_PTE || level == PT_LVL_PDE, "no leaf at %#llx",
	    (unsigned long long)va);
	pt_store(F->mc, pt_direct(table, idx, level, pm->pm_pml4, va), v);
}

static pt_entry_t
leaf(pmap_t pm, vm_offset_t va)
{
	return mach_walk(F->mc, pm->pm_pml4, va, NULL, NULL, NULL);
}

/* ---- seed 000: kmem litter and premature promotion ---- */

/*
 * Map all of kmem region 0 (promoted), free its first two pages, then
 * allocate them again the 8.x way (all pages first, enter one by one).
 * Returns the first finding's check result.
 */
static int
seed000(void)
{
	pmap_t kp = kernel_pmap(F->ps);

	op("kmem_alloc");
	if (kmem_alloc(KVA_BASE, NPTEPG, 0) || op_end())
		return 1;
	CHECK(is_ps(kp, KVA_BASE), "region 0 was not promoted");
	op("kmem_free");
	if (kmem_free(KVA_BASE, 2) || op_end())
		return 1;
	op("kmem_alloc");
	if (kmem_alloc(KVA_BASE, 2, 1) || op_end())
		return 1;
	return 0;
}

TEST(seed000_fixed_is_quiet)
{
	fx_boot(1);
	QUIET(seed000());
	CHECK(is_ps(kernel_pmap(F->ps), KVA_BASE), "promoted again");
	QUIET(inv_check_full(F->ctx));
}

TEST(assert_fires_on_enter_over_superpage)
{
	jmp_buf env;

	fx_boot(1);
	F->mc->bugs |= 1ull << BUG_KMEM_LITTER;
	F->ctx->enabled = 1u << INV_ASSERT;
	F->assert_env = &env;
	if (setjmp(env) == 0) {
		QUIET(seed000());
		CHECK(0, "the 8.0 assertion did not fire");
	}
	CHECK(F->ctx->finding.inv == INV_ASSERT, "not an assert finding");
	CHECK(strcmp(F->ctx->finding.title,
		  "assert in pmap_enter_pde "
		  "(kmem_alloc): attempted pmap_enter on 2MB page at va %#jx, "
		  "pde %#jx") == 0,
	    "title '%s'", F->ctx->finding.title);
}

TEST(assert_disabled_reports_nothing)
{
	fx_boot(1);
	F->ctx->enabled = INV_ALL & ~(1u << INV_ASSERT);
	CHECK(inv_finding_assert(F->ctx, "pmap_enter", "x %d", "x 1") == 0,
	    "disabled assert produced a finding");
}

TEST(illegal_promotion_over_kmem_litter)
{
	fx_boot(1);
	F->mc->bugs |= 1ull << BUG_KMEM_LITTER;
	/* The litter itself is stale-pte's; without it the promotion is
	 * the first thing that breaks. */
	F->ctx->enabled = INV_ALL & ~(1u << INV_STALE_PTE);
	FIRES(seed000(), "illegal-promotion in pmap_enter (kmem_alloc)");
}

/* Boot; a new pmap maps region 0 whole (wired or not), which promotes it,
 * in an operation of its own that checks clean.  Returns the pmap. */
static pmap_t
promoted_region(int wired)
{
	pmap_t a;

	fx_boot(1);
	a = new_pmap();
	op("map");
	fill_region(a, 0, RW, wired);
	CHECK(is_ps(a, USER_BASE), "not promoted");
	QUIET(op_end());
	return a;
}

TEST(illegal_promotion_without_promoted_bit)
{
	pmap_t a = promoted_region(0);

	op("corrupt");
	corrupt_pte(a, USER_BASE, leaf(a, USER_BASE) & ~PG_PROMOTED);
	FIRES(op_end(), "illegal-promotion in - (corrupt)");
}

/*
 * promoted_region's pmap forked: the region is copied into a new pmap,
 * which keeps no page-table page behind its copy, as in FreeBSD.  Returns
 * the child.
 */
static pmap_t
promoted_then_forked(void)
{
	pmap_t a = promoted_region(0), b;

	op("fork");
	b = new_pmap();
	pmap_protect(a, USER_BASE, USER_END, VM_PROT_READ | VM_PROT_EXECUTE);
	QUIET(call("pmap_protect"));
	model_copy(F->md, b->pm_id, a->pm_id, USER_BASE, USER_END);
	pmap_copy(b, a, USER_BASE, USER_END - USER_BASE, USER_BASE);
	QUIET(call("pmap_copy"));
	QUIET(op_end());
	CHECK(is_ps(b, USER_BASE), "the 2 MiB mapping was not copied");
	return b;
}

/* Operation "protect": page 7 of pmap b read-only, which demotes its 2 MiB
 * mapping; the call's check. */
static int
protect_page_7(pmap_t b)
{
	op("protect");
	model_protect(F->md, b->pm_id, USER_BASE + ptoa(7), USER_BASE + ptoa(8),
	    VM_PROT_READ);
	pmap_protect(b, USER_BASE + ptoa(7), USER_BASE + ptoa(8), VM_PROT_READ);
	return call("pmap_protect");
}

/* A wired 2 MiB mapping must keep its page-table page (D19670). */
TEST(illegal_promotion_wired_without_saved_ptp)
{
	pmap_t a = promoted_region(1);

	op("corrupt");
	/* Forget the saved page (the pmap-stats recount then differs too,
	 * but illegal-promotion comes first); the PDE write marks the
	 * region. */
	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++)
		if (a->pm_saved[i].va == USER_BASE)
			a->pm_saved[i].pfn = a->pm_saved[i].va = 0;
	corrupt_pte(a, USER_BASE, leaf(a, USER_BASE) | PG_A);
	FIRES(op_end(), "illegal-promotion in - (corrupt)");
}

/* The wired test's sound twin: a user 2 MiB mapping copied at fork has no
 * saved page, and a demotion in the child allocates one and counts it. */
TEST(illegal_promotion_sound_twin_forked_region)
{
	pmap_t b = promoted_then_forked();

	QUIET(inv_check_full(F->ctx));
	QUIET(protect_page_7(b));
	QUIET(op_end());
	CHECK(!is_ps(b, USER_BASE), "not demoted");
	QUIET(inv_check_full(F->ctx));
}

/* The same demotion with demote-uncounted: the new page is not counted. */
TEST(pmap_stats_demote_uncounted_after_fork)
{
	pmap_t b = promoted_then_forked();

	F->mc->bugs |= 1ull << BUG_DEMOTE_UNCOUNTED;
	FIRES(protect_page_7(b), "pmap-stats in pmap_protect (protect)");
}

/* Boot; a new pmap maps n pages from va0 in an operation of its own that
 * checks clean; operation next begins.  Returns the pmap. */
static pmap_t
pages_mapped(vm_offset_t va0, unsigned n, const char *next)
{
	pmap_t a;

	fx_boot(1);
	a = new_pmap();
	op("map");
	for (vm_offset_t va = va0; va < va0 + ptoa(n); va += PAGE_SIZE)
		QUIET(enter(a, va, upage(a, va), RW, 0));
	QUIET(op_end());
	op(next);
	return a;
}

/* pages_mapped: 8 pages of region 1, then operation "unmap". */
static pmap_t
eight_pages(void)
{
	return pages_mapped(USER_BASE + NBPDR, 8, "unmap");
}

/* The run pass (src/inv_run.c) checks a remove of four pages of one page
 * table in one loop: taken and clean; the sweep after agrees. */
TEST(run_pass_takes_a_clean_remove)
{
	pmap_t a = eight_pages();
	uint64_t n = F->ctx->cnt.runs;

	QUIET(premove(a, USER_BASE + NBPDR + ptoa(2),
	    USER_BASE + NBPDR + ptoa(6)));
	CHECK_EQ_U64(F->ctx->cnt.runs, n + 1);
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* The same remove after the pmap's resident count was broken: the run
 * pass hands the call to the general checks, which report. */
TEST(run_pass_hands_a_broken_count_over)
{
	pmap_t a = eight_pages();
	uint64_t n = F->ctx->cnt.runs;

	a->pm_stats.resident_count++;
	FIRES(premove(a, USER_BASE + NBPDR + ptoa(2),
		  USER_BASE + NBPDR + ptoa(6)),
	    "pmap-stats in pmap_remove (unmap)");
	CHECK_EQ_U64(F->ctx->cnt.runs, n + 1);
}

/* pages_mapped: pages 0 to 510 of region 0, then operation "map". */
static pmap_t
region_but_its_last_page(void)
{
	return pages_mapped(USER_BASE, NPTEPG - 1, "map");
}

/* The region pass checks the promotion that the region's last page makes
 * in one loop: taken and clean; the sweep after agrees. */
TEST(region_pass_takes_a_clean_promotion)
{
	pmap_t a = region_but_its_last_page();
	vm_offset_t va = USER_BASE + NBPDR - PAGE_SIZE;
	uint64_t n = F->ctx->cnt.regions;

	QUIET(enter(a, va, upage(a, va), RW, 0));
	CHECK(is_ps(a, USER_BASE), "not promoted");
	CHECK_EQ_U64(F->ctx->cnt.regions, n + 1);
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* The same promotion after the pmap's resident count was broken: the
 * region pass hands the call to the general checks, which report. */
TEST(region_pass_hands_a_promotion_with_a_broken_count_over)
{
	pmap_t a = region_but_its_last_page();
	vm_offset_t va = USER_BASE + NBPDR - PAGE_SIZE;
	uint64_t n = F->ctx->cnt.regions;

	a->pm_stats.resident_count++;
	FIRES(enter(a, va, upage(a, va), RW, 0),
	    "pmap-stats in pmap_enter (map)");
	CHECK(is_ps(a, USER_BASE), "not promoted");
	CHECK_EQ_U64(F->ctx->cnt.regions, n + 1);
}

/* The same promotion while the model wires page 9 (the pmap does not):
 * the region pass leaves the call to the general pass, which reports the
 * promotion over a page the 2 MiB leaf does not match. */
TEST(region_pass_leaves_a_promotion_over_a_mismatched_page)
{
	pmap_t a = region_but_its_last_page();
	vm_offset_t va = USER_BASE + NBPDR - PAGE_SIZE;
	uint64_t n = F->ctx->cnt.regions;
	int level;
	uint32_t f9 =
	    (uint32_t)atop(mach_walk(F->mc, a->pm_pml4, USER_BASE + ptoa(9),
			       &level, NULL, NULL) &
		PG_FRAME);

	CHECK(model_map(F->md, a->pm_id, USER_BASE + ptoa(9), f9, RW,
		  MODEL_MANAGED | MODEL_WIRED) == 0);
	FIRES(enter(a, va, upage(a, va), RW, 0),
	    "illegal-promotion in pmap_enter (map)");
	CHECK_EQ_U64(F->ctx->cnt.regions, n);
}

/*
 * The region pass checks a demotion in one loop:
 * promoted_region's pmap demoted in place, its saved page-table page
 * linked back whole.  Taken and clean; the sweep after agrees.
 */
TEST(region_pass_takes_a_clean_demotion)
{
	pmap_t a = promoted_region(0);
	uint64_t n = F->ctx->cnt.regions;

	QUIET(protect_page_7(a));
	CHECK_EQ_U64(F->ctx->cnt.regions, n + 1);
	QUIET(op_end());
	CHECK(!is_ps(a, USER_BASE), "not demoted");
	QUIET(inv_check_full(F->ctx));
}

/* The same demotion after the pmap's wired count was broken: the region
 * pass's last test (the touched pmap's screen) fails after its loop, and
 * the general checks, on the work set it built, report. */
TEST(region_pass_hands_a_broken_count_to_the_general_checks)
{
	pmap_t a = promoted_region(0);
	uint64_t n = F->ctx->cnt.regions;

	a->pm_stats.wired_count++;
	FIRES(protect_page_7(a), "pmap-stats in pmap_protect (protect)");
	CHECK_EQ_U64(F->ctx->cnt.regions, n + 1);
}

/* The same demotion while the model unmaps page 9 (the pmap does not):
 * the region pass leaves the call to the general pass, which reports the
 * stale page. */
TEST(region_pass_leaves_an_unmapped_page_to_the_general_pass)
{
	pmap_t a = promoted_region(0);
	uint64_t n = F->ctx->cnt.regions;

	model_unmap(F->md, a->pm_id, USER_BASE + ptoa(9));
	FIRES(protect_page_7(a), "stale-pte in pmap_protect (protect)");
	CHECK_EQ_U64(F->ctx->cnt.regions, n);
}

/* The same demotion while the model wires page 9 (the pmap does not): the
 * region pass finds a model row its leaf does not match and leaves the
 * call to the general pass, which reports the page. */
TEST(region_pass_leaves_a_mismatched_page_to_the_general_pass)
{
	pmap_t a = promoted_region(0);
	uint64_t n = F->ctx->cnt.regions;
	uint32_t f9 = (uint32_t)atop(leaf(a, USER_BASE) & PG_PS_FRAME) + 9;

	CHECK(model_map(F->md, a->pm_id, USER_BASE + ptoa(9), f9, RW,
		  MODEL_MANAGED | MODEL_WIRED) == 0);
	FIRES(protect_page_7(a), "wrong-translation in pmap_protect (protect)");
	CHECK_EQ_U64(F->ctx->cnt.regions, n);
}

/*
 * Boot; a new pmap's region 0 is entered whole by one 2 MiB mapping (the
 * soft-fault path's psind 1), which carries no PG_PROMOTED, in an operation
 * of its own that checks clean.  Returns the pmap.
 */
static pmap_t
entered_region(void)
{
	vm_page_t first = NULL;
	pmap_t a;

	fx_boot(1);
	a = new_pmap();
	op("touch");
	for (unsigned i = 0; i < NPTEPG; i++) {
		vm_page_t m = upage(a, USER_BASE + ptoa(i));

		model_map(F->md, a->pm_id, USER_BASE + ptoa(i), m->pfn,
		    VM_PROT_READ, MODEL_MANAGED);
		if (i == 0)
			first = m;
	}
	model_superpage_set(F->md, a->pm_id, USER_BASE, true);
	CHECK(pmap_enter_2m(a, USER_BASE, first, VM_PROT_READ, VM_PROT_READ) ==
	    KERN_SUCCESS);
	QUIET(call("pmap_enter_2m"));
	QUIET(op_end());
	CHECK((leaf(a, USER_BASE) & (PG_PS | PG_PROMOTED)) == PG_PS,
	    "not an unpromoted 2 MiB mapping");
	return a;
}

/* illegal_promotion_without_promoted_bit's sound twin: the same PDE, but
 * the executor entered it whole. */
TEST(illegal_promotion_sound_twin_entered_region)
{
	pmap_t a = entered_region();

	QUIET(inv_check_full(F->ctx));
	op("corrupt");
	corrupt_pte(a, USER_BASE, leaf(a, USER_BASE) | PG_A);
	QUIET(op_end());
}

/* Once a page of the region is mapped anew, an unpromoted PS PDE there
 * is not the one the executor entered. */
TEST(illegal_promotion_entered_region_remapped)
{
	pmap_t a = entered_region();
	uint32_t pfn3 = (uint32_t)atop(leaf(a, USER_BASE) & PG_PS_FRAME) + 3;

	op("corrupt");
	model_map(F->md, a->pm_id, USER_BASE + ptoa(3), pfn3, VM_PROT_READ,
	    MODEL_MANAGED);
	corrupt_pte(a, USER_BASE, leaf(a, USER_BASE) | PG_A);
	FIRES(op_end(), "illegal-promotion in - (corrupt)");
	CHECK(strcmp(F->ctx->finding.expected, "PG_PROMOTED") == 0,
	    "expected '%s'", F->ctx->finding.expected);
}

TEST(illegal_promotion_sound_twin_promoted_region)
{
	pmap_t a = promoted_region(0);

	op("corrupt");
	corrupt_pte(a, USER_BASE, leaf(a, USER_BASE) | PG_A);
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* ---- stale-pte ---- */

TEST(stale_pte_kmem_litter)
{
	fx_boot(1);
	F->mc->bugs |= 1ull << BUG_KMEM_LITTER;
	FIRES(seed000(), "stale-pte in pmap_remove (kmem_free)");
}

/* Enabled alone, a slot invariant is still judged (the scan is skipped
 * only when none of them is enabled). */
TEST(stale_pte_alone_fires)
{
	fx_boot(1);
	F->mc->bugs |= 1ull << BUG_KMEM_LITTER;
	F->ctx->enabled = 1u << INV_STALE_PTE;
	FIRES(seed000(), "stale-pte in pmap_remove (kmem_free)");
}

TEST(stale_pte_disabled_stays_silent)
{
	fx_boot(1);
	F->mc->bugs |= 1ull << BUG_KMEM_LITTER;
	F->ctx->enabled = 1u << INV_STALE_PTE | 1u << INV_FREED_WHILE_MAPPED;
	F->ctx->enabled = INV_ALL & ~(1u << INV_STALE_PTE) &
	    ~(1u << INV_ILLEGAL_PROMOTION) & ~(1u << INV_ASSERT);
	op("kmem_alloc");
	QUIET(kmem_alloc(KVA_BASE, NPTEPG, 0));
	QUIET(op_end());
	/* Litter over frames freed back to their pinned reservation is
	 * not freed-while-mapped: they can only come back there. */
	op("kmem_free");
	QUIET(kmem_free(KVA_BASE, 2));
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/*
 * A pmap id that gets a new root in the same pass as its old pmap went
 * away: the slots the old one used are read again from the new root.
 * With want_intent the new leaf is expected (quiet); without, it is stale.
 */
static int
reused_id_new_root(int want_intent)
{
	pmap_t pm = new_pmap(), pm2;
	unsigned id = pm->pm_id;
	uint32_t old_root = pm->pm_pml4;
	vm_offset_t va = USER_BASE + ptoa(5);
	vm_page_t m = upage(pm, va), hold;

	op("reuse");
	QUIET(enter(pm, va, m, RW, 0));
	/* No check from here to the last call: exit, then a new pmap under
	 * the same id whose root is another frame. */
	model_unmap_range(F->md, id, va, va + PAGE_SIZE);
	pmap_remove(pm, va, va + PAGE_SIZE);
	pmap_release(pm);
	model_as_destroy(F->md, id);
	hold = vm_page_alloc_noobj(F->mc, VM_ALLOC_PTP);
	CHECK(hold != NULL, "no frame to hold the old root");
	pm2 = new_pmap();
	CHECK(pm2->pm_id == id && pm2->pm_pml4 != old_root,
	    "pmap %u root %u (old %u)", (unsigned)pm2->pm_id,
	    (unsigned)pm2->pm_pml4, (unsigned)old_root);
	if (want_intent)
		model_map(F->md, id, va, m->pfn, VM_PROT_READ, mflags(m, 0));
	(void)pmap_enter(pm2, va, m, VM_PROT_READ, VM_PROT_READ);
	return call("pmap_enter");
}

TEST(stale_pte_under_a_reused_pmap_id)
{
	fx_boot(1);
	FIRES(reused_id_new_root(0), "stale-pte in pmap_enter (reuse)");
}

TEST(reused_pmap_id_with_its_intent_is_quiet)
{
	fx_boot(1);
	QUIET(reused_id_new_root(1));
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* ---- wrong-address-space ---- */

/*
 * An interrupt at the Nth FI_WINDOW_POINTED hit runs I/O completion
 * (pmap_remove_all of hook_page).  Inside a critical section it is held
 * pending and runs when the core leaves it.
 */
static void
intr_remove_all(void)
{
	struct model_ref refs[8];
	unsigned n;

	F->mc->intr_pending = 0;
	F->hook_fired = 1;
	F->mc->cpus[F->mc->curcpu].intr_level++;
	n = model_frame_maps(F->md, F->hook_page->pfn, refs, 8);
	for (unsigned i = 0; i < n && i < 8; i++) {
		const struct model_map *mp =
		    model_lookup(F->md, refs[i].as, refs[i].va);

		if (mp != NULL && (mp->flags & MODEL_MANAGED) != 0)
			model_unmap(F->md, refs[i].as, refs[i].va);
	}
	pmap_remove_all(F->ps, F->hook_page);
	F->mc->cpus[F->mc->curcpu].intr_level--;
}

static int
hook_window_intr(struct machine *mc, enum fi_site site,
    const struct pt_ref *ref)
{
	(void)ref;
	if (site == FI_INTR_DELIVER && mc->intr_pending) {
		intr_remove_all();
		return 0;
	}
	if (site != FI_WINDOW_POINTED || F->hook_fired || --F->hook_arg != 0)
		return 0;
	if (mc->crit > 0)
		mc->intr_pending = 1;
	else
		intr_remove_all();
	return 0;
}

/* Fork's kernel-stack enter into child b (foreign: through the window)
 * with an interrupt at the nth window pointing. */
static int
fork_kstack_with_intr(int bug, unsigned nth)
{
	pmap_t a, b, c;

	if (bug)
		F->mc->bugs |= 1ull << BUG_APT_INTR_CLOBBER;
	a = new_pmap();
	b = new_pmap();
	c = new_pmap();
	op("switch");
	QUIET(activate(a, 0));
	op("map");
	F->hook_page = upage(c, USER_BASE);
	QUIET(enter(c, USER_BASE, F->hook_page, RW, 0));
	QUIET(enter(a, USER_BASE + NBPDR, upage(a, USER_BASE + NBPDR), RW, 0));
	QUIET(op_end());
	op("fork");
	F->hook = hook_window_intr;
	F->hook_arg = nth;
	if (enter(b, KSTACK_VA, upage(b, KSTACK_VA), RW, 1))
		return 1;
	F->hook = NULL;
	return op_end();
}

TEST(wrong_address_space_apt_clobbered_at_interrupt)
{
	volatile unsigned fired = 0;

	/*
	 * Sweep the interrupt over the window pointings of the enter.  Each
	 * point either misses the window's use, or the stale ref's store
	 * lands in another pmap (wrong-address-space), or a stale load
	 * makes the core trip over its own assertion first.
	 */
	for (volatile unsigned nth = 1; nth <= 8; nth++) {
		jmp_buf env;
		int r = 0;

		if (setjmp(env) == 0) {
			fx_boot(2);
			F->assert_env = &env;
			r = fork_kstack_with_intr(1, nth);
		} else
			r = 1;
		if (r == 0)
			continue;
		if (F->ctx->finding.inv == INV_ASSERT)
			continue;
		CHECK(strcmp(F->ctx->finding.title,
			  "wrong-address-space in pmap_enter (fork)") == 0,
		    "nth %u: '%s'", nth, F->ctx->finding.title);
		fired++;
	}
	CHECK(fired > 0, "no interrupt point clobbered the window");
}

TEST(wrong_address_space_sound_twin_intr_window)
{
	for (unsigned nth = 1; nth <= 8; nth++) {
		fx_boot(2);
		QUIET(fork_kstack_with_intr(0, nth));
		QUIET(inv_check_full(F->ctx));
	}
}

TEST(wrong_address_space_kernel_half_differs)
{
	pmap_t a;
	uint32_t kroot;

	fx_boot(1);
	a = new_pmap();
	kroot = kernel_pmap(F->ps)->pm_pml4;
	op("corrupt");
	pt_store(F->mc,
	    pt_direct(a->pm_pml4, 300, PT_LVL_PML4E, a->pm_pml4,
		0xffff960000000000ULL),
	    mach_table(F->mc, kroot)[511]);
	FIRES(op_end(), "wrong-address-space in - (corrupt)");
}

TEST(wrong_address_space_sound_twin_kernel_half_rewritten)
{
	pmap_t a;
	uint32_t kroot;

	fx_boot(1);
	a = new_pmap();
	kroot = kernel_pmap(F->ps)->pm_pml4;
	op("corrupt");
	pt_store(F->mc,
	    pt_direct(a->pm_pml4, 511, PT_LVL_PML4E, a->pm_pml4, KVA_BASE),
	    mach_table(F->mc, kroot)[511]);
	QUIET(op_end());
}

TEST(wrong_address_space_leaf_of_another_pmap)
{
	pmap_t a, b;
	vm_page_t m;

	fx_boot(1);
	a = new_pmap();
	b = new_pmap();
	op("map");
	m = upage(a, USER_BASE);
	QUIET(enter(a, USER_BASE, m, RW, 0));
	QUIET(enter(b, USER_BASE + PAGE_SIZE, upage(b, USER_BASE + PAGE_SIZE),
	    RW, 0));
	QUIET(op_end());
	/* a's translation appears in b, where the model has nothing. */
	op("corrupt");
	{
		int level;
		uint32_t table;
		unsigned idx;

		(void)mach_walk(F->mc, b->pm_pml4, USER_BASE + PAGE_SIZE,
		    &level, &table, &idx);
		pt_store(F->mc,
		    pt_direct(table, 0, PT_LVL_PTE, b->pm_pml4, USER_BASE),
		    leaf(a, USER_BASE));
	}
	FIRES(op_end(), "wrong-address-space in - (corrupt)");
}

TEST(wrong_address_space_sound_twin_forked_leaf)
{
	pmap_t a, b;

	fx_boot(1);
	a = new_pmap();
	op("map");
	QUIET(enter(a, USER_BASE, upage(a, USER_BASE), VM_PROT_READ, 0));
	QUIET(op_end());
	op("fork");
	b = new_pmap();
	model_copy(F->md, b->pm_id, a->pm_id, USER_BASE, USER_END);
	pmap_copy(b, a, USER_BASE, USER_END - USER_BASE, USER_BASE);
	QUIET(call("pmap_copy"));
	QUIET(op_end());
	CHECK((leaf(b, USER_BASE) & PG_V) != 0, "fork copied nothing");
	QUIET(inv_check_full(F->ctx));
}

/* ---- missing-wired ---- */

/* Map one page of a (wired or not), then let the pmap drop it. */
static int
drop_mapping(int wired)
{
	pmap_t a;

	fx_boot(1);
	a = new_pmap();
	op("map");
	QUIET(enter(a, USER_BASE, upage(a, USER_BASE), RW, wired));
	QUIET(enter(a, USER_BASE + PAGE_SIZE, upage(a, USER_BASE + PAGE_SIZE),
	    RW, 0));
	QUIET(op_end());
	op("drop");
	pmap_remove(a, USER_BASE, USER_BASE + PAGE_SIZE);
	if (call("pmap_remove"))
		return 1;
	return op_end();
}

TEST(missing_wired_dropped_wired_mapping)
{
	FIRES(drop_mapping(1), "missing-wired in pmap_remove (drop)");
}

TEST(missing_wired_sound_twin_cache_drop)
{
	QUIET(drop_mapping(0));
	QUIET(inv_check_full(F->ctx));
}

/*
 * The checker's walk memo (inv_walk_pt) must not outlive a write into a
 * table it read, whatever level the writer claims: clear the PDE above a
 * wired mapping through a ref that calls it a PTE of that va.  The slot is
 * re-observed through a new walk and found empty (with a stale memo it
 * would still hold its leaf, and only ptp-count would fire).  The sound
 * twin writes the PDE's own value back the same way.
 */
static int
pde_written_as_pte(int clear)
{
	pmap_t a;
	uint32_t pd;
	unsigned idx = pmap_level_index(USER_BASE, PT_LVL_PDE);

	fx_boot(1);
	a = new_pmap();
	op("map");
	QUIET(enter(a, USER_BASE, upage(a, USER_BASE), RW, 1));
	QUIET(op_end());
	op("corrupt");
	pd = a->pm_pml4;
	for (int lvl = PT_LVL_PML4E; lvl > PT_LVL_PDE; lvl--)
		pd = (uint32_t)atop(
		    mach_table(F->mc, pd)[pmap_level_index(USER_BASE, lvl)] &
		    PG_FRAME);
	pt_store(F->mc, pt_direct(pd, idx, PT_LVL_PTE, a->pm_pml4, USER_BASE),
	    clear ? 0 : mach_table(F->mc, pd)[idx]);
	return op_end();
}

/*
 * Kernel region 0 entered whole (kmem_alloc's superpage mode) in an
 * operation of its own that checks clean, then page 40 demoted in operation
 * "demote"; the demotion call's check.
 */
static int
kernel_superpage_demoted(uint64_t bugs)
{
	pmap_t kp;
	vm_page_t first = NULL;

	fx_boot(1);
	F->mc->bugs |= bugs;
	kp = kernel_pmap(F->ps);
	op("kmem_alloc");
	for (unsigned i = 0; i < NPTEPG; i++) {
		vm_page_t m = kpage(KVA_BASE + ptoa(i));

		model_map(F->md, 0, KVA_BASE + ptoa(i), m->pfn, RW,
		    MODEL_WIRED);
		if (i == 0)
			first = m;
	}
	model_superpage_set(F->md, 0, KVA_BASE, true);
	CHECK(pmap_enter_2m(kp, KVA_BASE, first, RW, RW | PMAP_ENTER_WIRED) ==
	    KERN_SUCCESS);
	QUIET(call("pmap_enter_2m"));
	QUIET(op_end());
	op("demote");
	(void)pmap_demote_pde(kp, KVA_BASE + ptoa(40));
	return call("pmap_demote_pde");
}

/* The demotion takes the zero page-table page as it is (r348306). */
TEST(missing_wired_kernel_2m_zero_ptp)
{
	FIRES(kernel_superpage_demoted(1ull << BUG_KERNEL_2M_ZERO_PTP),
	    "missing-wired in pmap_demote_pde (demote)");
}

TEST(missing_wired_sound_twin_kernel_superpage_demoted)
{
	QUIET(kernel_superpage_demoted(0));
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

TEST(missing_wired_pde_cleared_behind_a_pte_ref)
{
	FIRES(pde_written_as_pte(1), "missing-wired in - (corrupt)");
}

TEST(missing_wired_sound_twin_pde_rewritten_behind_a_pte_ref)
{
	QUIET(pde_written_as_pte(0));
	QUIET(inv_check_full(F->ctx));
}

/* ---- wrong-translation ---- */

static void
rights_scenario(vm_prot_t prot, pt_entry_t set, pt_entry_t clear)
{
	pmap_t a;

	fx_boot(1);
	a = new_pmap();
	op("map");
	QUIET(enter(a, USER_BASE, upage(a, USER_BASE), prot, 0));
	QUIET(op_end());
	op("corrupt");
	corrupt_pte(a, USER_BASE, (leaf(a, USER_BASE) | set) & ~clear);
}

TEST(wrong_translation_writable_read_only_mapping)
{
	rights_scenario(VM_PROT_READ, PG_RW, 0);
	FIRES(op_end(), "wrong-translation in - (corrupt)");
}

TEST(wrong_translation_executable_without_execute)
{
	rights_scenario(VM_PROT_READ, 0, PG_NX);
	FIRES(op_end(), "wrong-translation in - (corrupt)");
}

TEST(wrong_translation_sound_twin_fewer_rights)
{
	rights_scenario(RW, 0, PG_RW);
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

TEST(wrong_translation_other_frame)
{
	rights_scenario(VM_PROT_READ, 0, 0);
	corrupt_pte(&F->ps->pmaps[1], USER_BASE,
	    leaf(&F->ps->pmaps[1], USER_BASE) + PAGE_SIZE);
	FIRES(op_end(), "wrong-translation in - (corrupt)");
}

/* ---- shared-writable ---- */

/* Fork a's writable private page into b, write-protecting a first or
 * not (the COW setup the fork must do). */
static int
fork_cow(int protect_parent)
{
	pmap_t a, b;

	fx_boot(1);
	a = new_pmap();
	op("map");
	QUIET(enter(a, USER_BASE, upage(a, USER_BASE), RW, 0));
	QUIET(op_end());
	op("fork");
	b = new_pmap();
	if (protect_parent) {
		/* vm_map_copy write-protects copy-on-write entries; the
		 * model keeps the entry's rights. */
		pmap_protect(a, USER_BASE, USER_END,
		    VM_PROT_READ | VM_PROT_EXECUTE);
		QUIET(call("pmap_protect"));
	}
	model_copy(F->md, b->pm_id, a->pm_id, USER_BASE, USER_END);
	pmap_copy(b, a, USER_BASE, USER_END - USER_BASE, USER_BASE);
	if (call("pmap_copy"))
		return 1;
	return op_end();
}

TEST(shared_writable_fork_without_write_protect)
{
	FIRES(fork_cow(0), "shared-writable in pmap_copy (fork)");
}

TEST(shared_writable_sound_twin_fork)
{
	QUIET(fork_cow(1));
	QUIET(inv_check_full(F->ctx));
}

/* ---- pv-mismatch ---- */

static pmap_t
one_managed_page(void)
{
	pmap_t a;

	fx_boot(1);
	a = new_pmap();
	op("map");
	QUIET(enter(a, USER_BASE, upage(a, USER_BASE), RW, 0));
	QUIET(op_end());
	return a;
}

TEST(pv_mismatch_entry_names_wrong_va)
{
	vm_page_t m;

	one_managed_page();
	m = &F->mc->pages[atop(leaf(&F->ps->pmaps[1], USER_BASE) & PG_FRAME)];
	op("corrupt");
	F->ps->pv[m->pv_head].pv_va += PAGE_SIZE;
	/* Not logged: the next write through the mapping brings the slot
	 * into the incremental check. */
	QUIET(activate(&F->ps->pmaps[1], 0));
	CHECK(touch(0, USER_BASE, VM_PROT_WRITE) == TOUCH_OK, "touch");
	FIRES(op_end(), "pv-mismatch in pmap_activate (corrupt)");
}

TEST(pv_mismatch_lost_entry_found_by_sweep)
{
	vm_page_t m;

	one_managed_page();
	m = &F->mc->pages[atop(leaf(&F->ps->pmaps[1], USER_BASE) & PG_FRAME)];
	op("corrupt");
	m->pv_head = 0;
	QUIET(op_end()); /* nothing logged: only a sweep sees it */
	FIRES(inv_check_full(F->ctx), "pv-mismatch in - (corrupt)");
}

TEST(pv_mismatch_sound_twin)
{
	one_managed_page();
	op("corrupt");
	QUIET(activate(&F->ps->pmaps[1], 0));
	CHECK(touch(0, USER_BASE, VM_PROT_WRITE) == TOUCH_OK, "touch");
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* promoted_region's pmap, its region prefaulted again (madvise WILLNEED)
 * in operation "prefault"; the call's check. */
static int
prefault_promoted_region(int bugs)
{
	pmap_t a = promoted_region(0);
	vm_page_t ma[NPTEPG];
	uint32_t base = (uint32_t)atop(leaf(a, USER_BASE) & PG_PS_FRAME);

	F->mc->bugs |= (uint64_t)bugs;
	for (unsigned i = 0; i < NPTEPG; i++)
		ma[i] = &F->mc->pages[base + i];
	op("prefault");
	pmap_enter_object(a, USER_BASE, ma, NPTEPG, VM_PROT_READ);
	return call("pmap_enter_object");
}

/* quick-over-2m records PV entries and writes no table: the count of
 * entries in use tells, at the call. */
TEST(pv_mismatch_entries_without_table_write)
{
	FIRES(prefault_promoted_region(1 << BUG_QUICK_OVER_2M),
	    "pv-mismatch in pmap_enter_object (prefault)");
	CHECK(strstr(F->ctx->finding.detail, "no managed 4 KiB mapping") !=
		NULL,
	    "detail '%s'", F->ctx->finding.detail);
}

TEST(pv_mismatch_sound_twin_prefault_over_2m)
{
	QUIET(prefault_promoted_region(0));
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* ---- ptp-count ---- */

TEST(ptp_count_user_page_table_overcounted)
{
	pmap_t a = one_managed_page();
	int level;
	uint32_t table;

	(void)mach_walk(F->mc, a->pm_pml4, USER_BASE, &level, &table, NULL);
	op("corrupt");
	F->mc->pages[table].ref_count++;
	FIRES(op_end(), "ptp-count in - (corrupt)");
}

TEST(ptp_count_kernel_page_table_not_fixed)
{
	int level;
	uint32_t table;

	fx_boot(1);
	(void)mach_walk(F->mc, kernel_pmap(F->ps)->pm_pml4, KVA_BASE, &level,
	    &table, NULL);
	op("corrupt");
	F->mc->pages[table].ref_count--;
	FIRES(op_end(), "ptp-count in - (corrupt)");
}

TEST(ptp_count_sound_twin)
{
	pmap_t a = one_managed_page();

	op("unmap");
	QUIET(premove(a, USER_BASE, USER_BASE + PAGE_SIZE));
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* ---- pmap-stats ---- */

TEST(pmap_stats_resident_off_by_one)
{
	pmap_t a = one_managed_page();

	op("corrupt");
	a->pm_stats.resident_count++;
	FIRES(op_end(), "pmap-stats in - (corrupt)");
}

TEST(pmap_stats_wired_off_by_one)
{
	pmap_t a = one_managed_page();

	op("corrupt");
	a->pm_stats.wired_count--;
	FIRES(op_end(), "pmap-stats in - (corrupt)");
}

TEST(pmap_stats_sound_twin_promote_demote)
{
	pmap_t a;

	fx_boot(1);
	a = new_pmap();
	op("map");
	fill_region(a, 1, RW, 1);
	CHECK(is_ps(a, USER_BASE + NBPDR), "not promoted");
	QUIET(op_end());
	op("protect");
	model_protect(F->md, a->pm_id, USER_BASE + NBPDR,
	    USER_BASE + NBPDR + PAGE_SIZE, VM_PROT_READ);
	pmap_protect(a, USER_BASE + NBPDR, USER_BASE + NBPDR + PAGE_SIZE,
	    VM_PROT_READ);
	QUIET(call("pmap_protect"));
	QUIET(op_end());
	CHECK(!is_ps(a, USER_BASE + NBPDR), "not demoted");
	QUIET(inv_check_full(F->ctx));
}

/* ---- freed-while-mapped ---- */

/* A user page mapped into the kmem arena for I/O (qenter), then freed
 * with or without removing that mapping first. */
static int
io_buffer_free(int unmap_first)
{
	pmap_t a;
	vm_page_t m;
	vm_offset_t kva = KVA_BASE + NBPDR + ptoa(7);

	fx_boot(1);
	a = new_pmap();
	(void)a;
	m = upage(a, USER_BASE);
	op("io_start");
	model_map(F->md, 0, kva, m->pfn, VM_PROT_ALL, 0);
	pmap_qenter(F->ps, kva, &m, 1);
	QUIET(call("pmap_qenter"));
	QUIET(op_end());
	op("io_free");
	if (unmap_first) {
		model_unmap(F->md, 0, kva);
		pmap_qremove(F->ps, kva, 1);
		QUIET(call("pmap_qremove"));
	}
	model_page_free(F->md, m->pfn);
	vm_page_free(F->mc, m);
	return op_end();
}

TEST(freed_while_mapped_io_buffer)
{
	FIRES(io_buffer_free(0), "freed-while-mapped in - (io_free)");
}

TEST(freed_while_mapped_sound_twin_io_buffer)
{
	QUIET(io_buffer_free(1));
	QUIET(inv_check_full(F->ctx));
}

/* ---- lost-dirty ---- */

/* Another CPU writes the page between pmap_protect's read and write. */
static int
hook_am_race(struct machine *mc, enum fi_site site, const struct pt_ref *ref)
{
	(void)ref;
	if (site != FI_PROTECT_PTE_READ || F->hook_fired)
		return 0;
	F->hook_fired = 1;
	mach_hw_set_am(mc, F->hook_pmap->pm_pml4, USER_BASE, 1);
	model_page_written(F->md, F->hook_page->pfn);
	return 0;
}

static int
protect_race(int bug)
{
	pmap_t a;

	fx_boot(2);
	if (bug)
		F->mc->bugs |= 1ull << BUG_PROTECT_NONATOMIC;
	a = new_pmap();
	op("map");
	F->hook_page = upage(a, USER_BASE);
	QUIET(enter(a, USER_BASE, F->hook_page, RW, 0));
	QUIET(op_end());
	op("protect");
	F->hook = hook_am_race;
	F->hook_pmap = a;
	model_protect(F->md, a->pm_id, USER_BASE, USER_BASE + PAGE_SIZE,
	    VM_PROT_READ);
	pmap_protect(a, USER_BASE, USER_BASE + PAGE_SIZE, VM_PROT_READ);
	F->hook = NULL;
	CHECK(F->hook_fired, "the race never ran");
	if (call("pmap_protect"))
		return 1;
	return op_end();
}

TEST(lost_dirty_protect_nonatomic)
{
	FIRES(protect_race(1), "lost-dirty in pmap_protect (protect)");
}

TEST(lost_dirty_sound_twin_protect_cas)
{
	QUIET(protect_race(0));
	CHECK((F->hook_page->flags & VPF_DIRTY) != 0, "dirty not moved");
	QUIET(inv_check_full(F->ctx));
}

/* ---- stale-tlb ---- */

/* Promote a region whose pages 1..5 are in cpu 0's TLB, then remove it. */
static int
remove_promoted(int bug)
{
	pmap_t a;
	vm_offset_t base = USER_BASE;

	fx_boot(2);
	if (bug)
		F->mc->bugs |= 1ull << BUG_PROMOTED_INVL_FIRST;
	a = new_pmap();
	op("switch");
	QUIET(activate(a, 0));
	QUIET(op_end());
	op("map");
	for (unsigned i = 0; i < NPTEPG - 1; i++)
		QUIET(
		    enter(a, base + ptoa(i), upage(a, base + ptoa(i)), RW, 0));
	QUIET(op_end());
	op("touch");
	for (unsigned i = 0; i < 6; i++)
		CHECK(touch(0, base + ptoa(i), VM_PROT_READ) == TOUCH_OK,
		    "touch %u", i);
	QUIET(op_end());
	op("map");
	QUIET(enter(a, base + ptoa(NPTEPG - 1),
	    upage(a, base + ptoa(NPTEPG - 1)), RW, 0));
	QUIET(op_end());
	CHECK(is_ps(a, base), "not promoted");
	op("unmap");
	if (premove(a, base, base + NBPDR))
		return 1;
	return op_end();
}

TEST(stale_tlb_promoted_invalidate_first_only)
{
	FIRES(remove_promoted(1), "stale-tlb in pmap_remove (unmap)");
}

TEST(stale_tlb_sound_twin_whole_range)
{
	QUIET(remove_promoted(0));
	QUIET(inv_check_full(F->ctx));
}

static int
hook_drop_shootdown(struct machine *mc, enum fi_site site,
    const struct pt_ref *ref)
{
	(void)mc;
	(void)ref;
	return site == FI_SHOOTDOWN;
}

/* cpu 1 caches a translation that cpu 0 removes; the shootdown to cpu 1
 * is lost and done by hand before the operation ends, or never. */
static int
lost_shootdown(int late_invalidate)
{
	pmap_t a;

	fx_boot(2);
	a = new_pmap();
	op("map");
	QUIET(activate(a, 0));
	QUIET(activate(a, 1));
	QUIET(enter(a, USER_BASE, upage(a, USER_BASE), RW, 0));
	QUIET(enter(a, USER_BASE + PAGE_SIZE, upage(a, USER_BASE + PAGE_SIZE),
	    RW, 0));
	CHECK(touch(1, USER_BASE, VM_PROT_READ) == TOUCH_OK, "touch");
	QUIET(op_end());
	op("unmap");
	F->hook = hook_drop_shootdown;
	/* Mid-operation staleness is normal: the call check says nothing. */
	QUIET(premove(a, USER_BASE, USER_BASE + PAGE_SIZE));
	F->hook = NULL;
	if (late_invalidate)
		tlb_invalidate_page(F->mc, 1, USER_BASE);
	return op_end();
}

TEST(stale_tlb_lost_shootdown)
{
	FIRES(lost_shootdown(0), "stale-tlb in pmap_remove (unmap)");
}

TEST(stale_tlb_sound_twin_late_invalidation)
{
	QUIET(lost_shootdown(1));
	QUIET(inv_check_full(F->ctx));
}

/* ---- reserv-count ---- */

TEST(reserv_count_popcnt_off)
{
	pmap_t a = one_managed_page();
	uint32_t pfn = (uint32_t)atop(leaf(a, USER_BASE) & PG_FRAME);

	op("corrupt");
	F->mc->reserv[pfn / RESERV_FRAMES].popcnt++;
	QUIET(op_end());
	op("map");
	/* The next allocation from that reservation brings it into view. */
	FIRES(enter(a, USER_BASE + PAGE_SIZE, upage(a, USER_BASE + PAGE_SIZE),
		  RW, 0),
	    "reserv-count in pmap_enter (map)");
}

TEST(reserv_count_sound_twin)
{
	pmap_t a = one_managed_page();

	op("map");
	QUIET(enter(a, USER_BASE + PAGE_SIZE, upage(a, USER_BASE + PAGE_SIZE),
	    RW, 0));
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* ---- the checker's own machinery ---- */

TEST(parse_list)
{
	uint32_t mask = 0;
	const char *bad = NULL;

	CHECK(inv_parse_list("stale-pte,stale-tlb", &mask, &bad) == 0, "ok");
	CHECK_EQ_U64(mask, 1u << INV_STALE_PTE | 1u << INV_STALE_TLB);
	CHECK(inv_parse_list("all", &mask, &bad) == 0, "all");
	CHECK_EQ_U64(mask, INV_ALL);
	CHECK(inv_parse_list("stale-pte,bogus,assert", &mask, &bad) == -1,
	    "unknown id accepted");
	CHECK(strncmp(bad, "bogus", 5) == 0, "bad '%s'", bad);
	CHECK(inv_lookup("reserv-count") == &inv_table[INV_RESERV_COUNT],
	    "lookup");
	for (unsigned i = 0; i < INV_COUNT; i++)
		CHECK(inv_table[i].id == i, "table row %u out of order", i);
}

TEST(log_overflow_falls_back_to_sweep)
{
	pmap_t a;

	fx_boot(1);
	a = new_pmap();
	op("map");
	QUIET(activate(a, 0));
	for (unsigned i = 0; i < 3 * NPTEPG / 2; i++) {
		vm_offset_t va = USER_BASE + ptoa(i);

		model_map(F->md, a->pm_id, va, upage(a, va)->pfn, RW,
		    MODEL_MANAGED);
		CHECK(pmap_enter(a, va,
			  &F->mc->pages[model_lookup(F->md, a->pm_id, va)->pfn],
			  RW, VM_PROT_READ) == KERN_SUCCESS,
		    "enter");
		for (int k = 0; k < 4; k++) {
			tlb_invalidate_page(F->mc, 0, va);
			(void)touch(0, va, VM_PROT_READ);
		}
	}
	CHECK(F->mc->log_overflow, "log did not overflow");
	QUIET(call("pmap_enter"));
	CHECK_EQ_U64(F->ctx->cnt.overflows, 1);
	QUIET(op_end());
}

TEST(sweep_sees_unlogged_write)
{
	pmap_t a = one_managed_page();
	int level;
	uint32_t table;
	unsigned idx;

	(void)mach_walk(F->mc, a->pm_pml4, USER_BASE, &level, &table, &idx);
	op("corrupt");
	mach_table(F->mc, table)[idx + 1] = mach_table(F->mc, table)[idx];
	QUIET(op_end());
	FIRES(inv_check_full(F->ctx), "stale-pte in - (corrupt)");
}

TEST(report_renders_text_and_json)
{
	FILE *tf = tmpfile();
	char buf[8192];
	size_t n;
	struct inv_finding f;

	CHECK(tf != NULL, "tmpfile");
	fx_boot(1);
	F->mc->bugs |= 1ull << BUG_KMEM_LITTER;
	CHECK(seed000() == 1, "no finding");
	report_text(tf, &F->ctx->finding, F->ctx);
	f = F->ctx->finding;
	snprintf(f.detail, sizeof(f.detail), "say \"hi\"\n\tback\\slash");
	report_json(tf, &f);
	rewind(tf);
	n = fread(buf, 1, sizeof(buf) - 1, tf);
	buf[n] = '\0';
	fclose(tf);
	CHECK(strstr(buf, "stale-pte in pmap_remove (kmem_free)\n") == buf,
	    "title first:\n%s", buf);
	CHECK(strstr(buf, "V A G W NX") != NULL, "bit names:\n%s", buf);
	CHECK(strstr(buf, "expected: unmapped") != NULL, "expected:\n%s", buf);
	CHECK(strstr(buf, "> pte  [  0]") != NULL, "picture:\n%s", buf);
	CHECK(strstr(buf, "\"invariant\":\"stale-pte\"") != NULL, "json:\n%s",
	    buf);
	CHECK(strstr(buf, "say \\\"hi\\\"\\n\\tback\\\\slash") != NULL,
	    "escapes:\n%s", buf);
}

TEST(ptdump_bit_names)
{
	char buf[128];

	CHECK(strcmp(ptdump_bits(0, buf, sizeof(buf)), "0") == 0, "%s", buf);
	CHECK(strcmp(ptdump_bits(PG_V | PG_RW | PG_U | PG_A | PG_M | PG_PS |
			     PG_G | PG_NX | PG_W | PG_MANAGED | PG_PROMOTED |
			     0x1234000,
			 buf, sizeof(buf)),
		  "V RW U A M PS G MANAGED W PROMOTED NX") == 0,
	    "%s", buf);
	ptdump_bits(PG_V | PG_RW, buf, 4);
	CHECK(strcmp(buf, "V") == 0, "truncation '%s'", buf);
}

/* ---- a long clean run: the fixed core never produces a finding ---- */

/* Deterministic xorshift; the seed is fixed so every run is the same. */
struct rng {
	uint64_t s;
};

static unsigned
rnd(struct rng *r, unsigned n)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return n != 0 ? (unsigned)(r->s % n) : 0;
}

#define CR_CPUS 3
#define CR_USER_SLOTS (USER_REGIONS * NPTEPG)

struct clean {
	struct rng rng;
	pmap_t pm[PMAP_MAX];		     /* live user pmaps by id */
	uint8_t kused[KVA_REGIONS * NPTEPG]; /* 0 free, 1 kmem, 2 qenter */
	unsigned fail_at;		     /* fail the nth allocation site */
	int races, intrs;		     /* fault arms on */
	unsigned nraces, nintrs, nfails;
	unsigned nwhole, nprefault; /* 2 MiB enters made; prefault calls */
};

static struct clean *CR;

static unsigned
cr_pick_pmap(void)
{
	unsigned ids[PMAP_MAX], n = 0;

	for (unsigned i = 1; i < PMAP_MAX; i++)
		if (CR->pm[i] != NULL)
			ids[n++] = i;
	return n == 0 ? 0 : ids[rnd(&CR->rng, n)];
}

static vm_offset_t
cr_user_va(void)
{
	return USER_BASE + ptoa(rnd(&CR->rng, CR_USER_SLOTS));
}

/* The pmap id whose root is root, -1 if none. */
static int
as_of_root(uint32_t root)
{
	for (unsigned i = 0; i < PMAP_MAX; i++)
		if (F->ps->pmaps[i].pm_inuse && F->ps->pmaps[i].pm_pml4 == root)
			return (int)i;
	return -1;
}

/* A frame of obj at pindex that is allocated, or NULL. */
static vm_page_t
cr_lookup(uint32_t obj, uint64_t pindex)
{
	for (uint32_t p = 0; p < F->mc->cfg.nframes; p++) {
		vm_page_t q = &F->mc->pages[p];

		if ((q->flags & VPF_ALLOCATED) != 0 && q->object == obj &&
		    q->pindex == pindex)
			return q;
	}
	return NULL;
}

/* pm's page for va: the allocated one, or a new one (NULL on failure). */
static vm_page_t
cr_get(pmap_t pm, vm_offset_t va)
{
	uint64_t pindex = va >= KSTACK_VA ? USER_REGIONS * NPTEPG :
					    (va - USER_BASE) >> PAGE_SHIFT;
	vm_page_t m = cr_lookup(F->obj[pm->pm_id], pindex);

	if (m != NULL)
		return m;
	m = vm_page_alloc(F->mc, F->obj[pm->pm_id], pindex, 0);
	if (m != NULL)
		model_page_alloc(F->md, m->pfn);
	return m;
}

/* Enter with intent, rolling the intent back if the enter failed. */
static void
cr_enter(pmap_t pm, vm_offset_t va, vm_page_t m, vm_prot_t prot, int wired,
    vm_prot_t access)
{
	const struct model_map *old = model_lookup(F->md, pm->pm_id, va);
	struct model_map prior;
	int had = old != NULL;

	if (had)
		prior = *old;
	model_map(F->md, pm->pm_id, va, m->pfn, prot, mflags(m, wired));
	if (pmap_enter(pm, va, m, prot,
		access | (wired ? PMAP_ENTER_WIRED : 0)) != KERN_SUCCESS) {
		if (had)
			model_map(F->md, pm->pm_id, va, prior.pfn, prior.prot,
			    prior.flags);
		else
			model_unmap(F->md, pm->pm_id, va);
	}
	QUIET(call("pmap_enter"));
}

static const vm_prot_t cr_prots[] = {
	VM_PROT_READ,
	RW,
	VM_PROT_READ | VM_PROT_EXECUTE,
	VM_PROT_ALL,
};

static void
cr_map(void)
{
	unsigned id = cr_pick_pmap();
	vm_offset_t va;
	vm_page_t m;
	const struct model_map *mp;
	vm_prot_t prot, access;
	int wired;

	if (id == 0)
		return;
	va = cr_user_va();
	mp = model_lookup(F->md, id, va);
	if ((m = cr_get(CR->pm[id], va)) == NULL)
		return;
	/* Keep a wired mapping wired: unwiring is its own operation.  (One
	 * draw per statement: argument order is unspecified.) */
	prot = cr_prots[rnd(&CR->rng, 4)];
	wired = rnd(&CR->rng, 8) == 0;
	access = rnd(&CR->rng, 2) ? VM_PROT_READ : 0;
	if (mp != NULL && (mp->flags & MODEL_WIRED) != 0 && mp->pfn == m->pfn)
		wired = 1;
	cr_enter(CR->pm[id], va, m, prot, wired, access);
}

/* Map a run (or a whole region, which promotes) with one enter_multi. */
static void
cr_map_run(int whole)
{
	unsigned id = cr_pick_pmap(), n;
	vm_offset_t va;
	vm_page_t ma[NPTEPG];
	pmap_t pm;

	if (id == 0)
		return;
	pm = CR->pm[id];
	if (whole) {
		va = USER_BASE + rnd(&CR->rng, USER_REGIONS) * NBPDR;
		n = NPTEPG;
	} else {
		va = cr_user_va();
		n = 1 + rnd(&CR->rng, 16);
		if (pmap_pte_index(va) + n > NPTEPG)
			n = NPTEPG - pmap_pte_index(va);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct model_map *mp =
		    model_lookup(F->md, id, va + ptoa(i));

		if ((ma[i] = cr_get(pm, va + ptoa(i))) == NULL)
			return;
		/* Only pages that are new or already this frame, not
		 * wired: a failed run leaves later pages merely absent. */
		if (mp != NULL &&
		    (mp->pfn != ma[i]->pfn || (mp->flags & MODEL_WIRED) != 0))
			return;
	}
	for (unsigned i = 0; i < n; i++)
		model_map(F->md, id, va + ptoa(i), ma[i]->pfn, RW,
		    MODEL_MANAGED |
			(model_lookup(F->md, id, va + ptoa(i)) != NULL ?
				model_lookup(F->md, id, va + ptoa(i))->flags &
				    MODEL_PRIVATE :
				0));
	(void)pmap_enter_multi(pm, va, ma, (int)n, RW, VM_PROT_READ);
	QUIET(call("pmap_enter_multi"));
}

static void
cr_unmap(void)
{
	unsigned id = cr_pick_pmap();
	vm_offset_t sva;

	if (id == 0)
		return;
	sva = cr_user_va();
	QUIET(premove(CR->pm[id], sva, sva + ptoa(1 + rnd(&CR->rng, 700))));
}

static void
cr_protect(void)
{
	static const vm_prot_t prots[] = {
		VM_PROT_READ,
		VM_PROT_READ | VM_PROT_EXECUTE,
		RW,
		VM_PROT_NONE,
	};
	unsigned id = cr_pick_pmap();
	vm_offset_t sva, eva;
	vm_prot_t prot = prots[rnd(&CR->rng, 4)];

	if (id == 0)
		return;
	sva = cr_user_va();
	eva = sva + ptoa(1 + rnd(&CR->rng, 600));
	model_protect(F->md, id, sva, eva, prot);
	pmap_protect(CR->pm[id], sva, eva, prot);
	QUIET(call("pmap_protect"));
}

static void
cr_unwire(void)
{
	unsigned id = cr_pick_pmap(), start;

	if (id == 0)
		return;
	start = rnd(&CR->rng, CR_USER_SLOTS);
	for (unsigned k = 0; k < CR_USER_SLOTS; k++) {
		vm_offset_t va = USER_BASE + ptoa((start + k) % CR_USER_SLOTS);
		const struct model_map *mp = model_lookup(F->md, id, va);

		if (mp == NULL || (mp->flags & MODEL_WIRED) == 0)
			continue;
		model_wire(F->md, id, va, false);
		pmap_unwire(CR->pm[id], va, va + PAGE_SIZE);
		QUIET(call("pmap_unwire"));
		return;
	}
}

/* Make pm current on cpu (pmap_activate is a pmap call). */
static void
cr_switch(pmap_t pm, unsigned cpu)
{
	if (F->mc->cpus[cpu].pmap_id == (int16_t)pm->pm_id)
		return;
	QUIET(activate(pm, cpu));
}

/* The first frame of user region va2m of pm when the model maps it whole
 * as one 2 MiB page could (model_region_frames) from a full reservation;
 * else UINT32_MAX. */
static uint32_t
cr_region_whole(pmap_t pm, vm_offset_t va2m, const struct model_map *mp,
    unsigned fmask)
{
	uint32_t f0 = model_region_frames(F->md, pm->pm_id, va2m, mp->prot,
	    mp->flags, fmask);

	return f0 != UINT32_MAX &&
		reserv_level_iffullpop(F->mc, &F->mc->pages[f0]) == 0 ?
	    f0 :
	    UINT32_MAX;
}

/* A fault served with one 2 MiB mapping (psind 1) when va's region is
 * whole, managed, neither wired nor private, and for a writable mapping
 * every page dirty; whether it was. */
static int
cr_fault_2m(pmap_t pm, vm_offset_t va, const struct model_map *mp)
{
	vm_offset_t va2m = trunc_2mpage(va);
	int writable = (mp->prot & VM_PROT_WRITE) != 0, was;
	uint32_t f0;
	int rv;

	if (!pmap_superpages_enabled(pm) || mp->flags != MODEL_MANAGED ||
	    (f0 = cr_region_whole(pm, va2m, mp, ~0u)) == UINT32_MAX)
		return 0;
	for (unsigned i = 0; writable && i < NPTEPG; i++)
		if ((F->mc->pages[f0 + i].flags & VPF_DIRTY) == 0)
			return 0;
	was = model_superpage(F->md, pm->pm_id, va2m);
	model_superpage_set(F->md, pm->pm_id, va2m, true);
	rv = pmap_enter_2m(pm, va2m, &F->mc->pages[f0], mp->prot,
	    VM_PROT_READ | (writable ? VM_PROT_WRITE : 0));
	if (rv != KERN_SUCCESS)
		model_superpage_set(F->md, pm->pm_id, va2m, was);
	else
		CR->nwhole++;
	QUIET(call("pmap_enter_2m"));
	return rv == KERN_SUCCESS;
}

/* madvise(MADV_WILLNEED) on a run: pmap_enter_object over each stretch of
 * pages mapped managed with one prot; a whole region marked first. */
static void
cr_prefault(void)
{
	unsigned id = cr_pick_pmap(), k = 0, n;
	vm_page_t ma[CR_USER_SLOTS];
	const struct model_map *first = NULL;
	vm_offset_t va, start;

	if (id == 0)
		return;
	va = rnd(&CR->rng, 2) ?
	    USER_BASE + rnd(&CR->rng, USER_REGIONS) * NBPDR :
	    cr_user_va();
	n = rnd(&CR->rng, 2) ? NPTEPG : 1 + rnd(&CR->rng, 64);
	if (va + ptoa(n) > USER_BASE + USER_REGIONS * NBPDR)
		n = (unsigned)atop(USER_BASE + USER_REGIONS * NBPDR - va);
	start = va;
	for (unsigned i = 0; i <= n; i++, va += PAGE_SIZE) {
		const struct model_map *mp =
		    i < n ? model_lookup(F->md, id, va) : NULL;
		int ok = mp != NULL && (mp->flags & MODEL_MANAGED) != 0;

		if (k > 0 && (!ok || mp->prot != first->prot)) {
			pmap_enter_object(CR->pm[id], start, ma, (int)k,
			    first->prot);
			CR->nprefault++;
			QUIET(call("pmap_enter_object"));
			k = 0;
		}
		if (!ok)
			continue;
		if (k == 0) {
			first = mp;
			start = va;
		}
		if ((va & PDRMASK) == 0 && n - i >= NPTEPG &&
		    cr_region_whole(CR->pm[id], va, mp, 0) != UINT32_MAX)
			model_superpage_set(F->md, id, va, true);
		ma[k++] = &F->mc->pages[mp->pfn];
	}
}

static void
cr_touch(void)
{
	unsigned cpu = rnd(&CR->rng, CR_CPUS), id;
	vm_offset_t va;
	const struct model_map *mp;
	vm_prot_t access = rnd(&CR->rng, 3) == 0 ? VM_PROT_WRITE : VM_PROT_READ;
	enum touch_result r;

	F->mc->curcpu = cpu;
	if (rnd(&CR->rng, 4) == 0) {
		/* The kmem arena, from whatever address space. */
		unsigned s = rnd(&CR->rng, KVA_REGIONS * NPTEPG);

		if (CR->kused[s] == 0)
			return;
		(void)touch(cpu, KVA_BASE + ptoa(s), access);
		return;
	}
	if ((id = cr_pick_pmap()) == 0)
		return;
	va = cr_user_va();
	mp = model_lookup(F->md, id, va);
	cr_switch(CR->pm[id], cpu);
	if (mp == NULL)
		return;
	if ((mp->prot & VM_PROT_WRITE) == 0 || (mp->flags & MODEL_PRIVATE) != 0)
		access = VM_PROT_READ;
	r = (enum touch_result)touch(cpu, va, access);
	if (r == TOUCH_OK)
		return;
	/* The soft fault: one 2 MiB mapping where the region allows, else
	 * enter what the model says, copy-on-write pages read-only. */
	if (cr_fault_2m(CR->pm[id], va, mp)) {
		(void)touch(cpu, va, access);
		return;
	}
	pmap_enter(CR->pm[id], va, &F->mc->pages[mp->pfn],
	    (vm_prot_t)((mp->flags & MODEL_PRIVATE) != 0 ?
		    mp->prot & ~VM_PROT_WRITE :
		    mp->prot),
	    access | ((mp->flags & MODEL_WIRED) != 0 ? PMAP_ENTER_WIRED : 0));
	QUIET(call("pmap_enter"));
	(void)touch(cpu, va, access);
}

static void
cr_fork(void)
{
	unsigned id = cr_pick_pmap();
	pmap_t parent, child;
	vm_page_t ks;

	if (id == 0)
		return;
	parent = CR->pm[id];
	if ((child = pmap_pinit(F->ps)) == NULL) {
		QUIET(call("pmap_pinit"));
		return;
	}
	QUIET(call("pmap_pinit"));
	model_as_create(F->md, child->pm_id);
	F->obj[child->pm_id] = vm_object_allocate(F->mc);
	CR->pm[child->pm_id] = child;
	pmap_protect(parent, USER_BASE, USER_END,
	    VM_PROT_READ | VM_PROT_EXECUTE);
	QUIET(call("pmap_protect"));
	model_copy(F->md, child->pm_id, parent->pm_id, USER_BASE, USER_END);
	pmap_copy(child, parent, USER_BASE, USER_END - USER_BASE, USER_BASE);
	QUIET(call("pmap_copy"));
	if ((ks = cr_get(child, KSTACK_VA)) != NULL)
		cr_enter(child, KSTACK_VA, ks, RW, 1, VM_PROT_WRITE);
}

static void
cr_exit(void)
{
	unsigned id = cr_pick_pmap(), n = 0;
	pmap_t pm;
	uint32_t frames[CR_USER_SLOTS + KSTACK_PAGES];

	if (id == 0)
		return;
	pm = CR->pm[id];
	for (unsigned c = 0; c < CR_CPUS; c++)
		if (F->mc->cpus[c].pmap_id == (int16_t)id) {
			F->mc->curcpu = c;
			QUIET(activate(kernel_pmap(F->ps), c));
		}
	QUIET(premove(pm, USER_BASE, USER_END));
	QUIET(premove(pm, KSTACK_VA, KSTACK_VA + ptoa(KSTACK_PAGES)));
	pmap_release(pm);
	QUIET(call("pmap_release"));
	model_as_destroy(F->md, id);
	CR->pm[id] = NULL;
	for (uint32_t p = 0; p < F->mc->cfg.nframes; p++)
		if ((F->mc->pages[p].flags & VPF_ALLOCATED) != 0 &&
		    F->mc->pages[p].object == F->obj[id])
			frames[n++] = p;
	for (unsigned i = 0; i < n; i++) {
		if (model_frame(F->md, frames[i])->nmaps != 0)
			continue;
		model_page_free(F->md, frames[i]);
		vm_page_free(F->mc, &F->mc->pages[frames[i]]);
	}
	F->obj[id] = 0;
}

static void
cr_kmem_alloc(void)
{
	unsigned n = rnd(&CR->rng, 10) == 0 ? NPTEPG : 1 + rnd(&CR->rng, 8);
	unsigned s = n == NPTEPG ? rnd(&CR->rng, KVA_REGIONS) * NPTEPG :
				   rnd(&CR->rng, KVA_REGIONS * NPTEPG - n);
	unsigned mode = rnd(&CR->rng, 3), got = 0;
	pmap_t kp = kernel_pmap(F->ps);
	vm_page_t ma[NPTEPG];

	for (unsigned i = 0; i < n; i++)
		if (CR->kused[s + i] != 0)
			return;
	for (unsigned i = 0; i < n; i++) {
		vm_offset_t va = KVA_BASE + ptoa(s + i);

		ma[i] = vm_page_alloc(F->mc, OBJ_KMEM, s + i, 0);
		if (ma[i] == NULL)
			break;
		ma[i]->flags |= VPF_UNMANAGED;
		model_page_alloc(F->md, ma[i]->pfn);
		got++;
		CR->kused[s + i] = 1;
		if (mode == 0) {
			model_map(F->md, 0, va, ma[i]->pfn, RW, MODEL_WIRED);
			(void)pmap_enter(kp, va, ma[i], RW,
			    RW | PMAP_ENTER_WIRED);
			QUIET(call("pmap_enter"));
		}
	}
	if (mode == 1)
		for (unsigned i = 0; i < got; i++) {
			vm_offset_t va = KVA_BASE + ptoa(s + i);

			model_map(F->md, 0, va, ma[i]->pfn, RW, MODEL_WIRED);
			(void)pmap_enter(kp, va, ma[i], RW,
			    RW | PMAP_ENTER_WIRED);
			QUIET(call("pmap_enter"));
		}
	if (mode == 2 && got != 0) {
		for (unsigned i = 0; i < got; i++)
			model_map(F->md, 0, KVA_BASE + ptoa(s + i), ma[i]->pfn,
			    RW, MODEL_WIRED);
		(void)pmap_enter_multi(kp, KVA_BASE + ptoa(s), ma, (int)got, RW,
		    RW | PMAP_ENTER_WIRED);
		QUIET(call("pmap_enter_multi"));
	}
}

/*
 * The last kmem region emptied (kmem pages freed, qenter mappings removed)
 * and allocated whole as one 2 MiB mapping, as kmem_alloc's superpage
 * mode does: the other kmem operations then free and fill parts of it.
 */
static void
cr_kmem_whole(void)
{
	const unsigned s0 = (KVA_REGIONS - 1) * NPTEPG;
	const vm_offset_t va0 = KVA_BASE + ptoa(s0);
	pmap_t kp = kernel_pmap(F->ps);
	vm_page_t ma[NPTEPG];

	if (!pmap_superpages_enabled(kp))
		return;
	QUIET(premove(kp, va0, va0 + NBPDR));
	for (unsigned i = 0; i < NPTEPG; i++) {
		if (CR->kused[s0 + i] == 1) {
			model_page_free(F->md, kframe(va0 + ptoa(i)));
			vm_page_free(F->mc,
			    &F->mc->pages[kframe(va0 + ptoa(i))]);
		}
		CR->kused[s0 + i] = 0;
	}
	for (unsigned i = 0; i < NPTEPG; i++) {
		/* An allocation failure (the fault arm) leaves it empty. */
		if ((ma[i] = vm_page_alloc(F->mc, OBJ_KMEM, s0 + i, 0)) ==
		    NULL) {
			while (i-- > 0)
				vm_page_free(F->mc, ma[i]);
			return;
		}
		ma[i]->flags |= VPF_UNMANAGED;
	}
	for (unsigned i = 0; i < NPTEPG; i++) {
		model_page_alloc(F->md, ma[i]->pfn);
		model_map(F->md, 0, va0 + ptoa(i), ma[i]->pfn, RW, MODEL_WIRED);
		CR->kused[s0 + i] = 1;
	}
	model_superpage_set(F->md, 0, va0, true);
	CHECK(pmap_enter_2m(kp, va0, ma[0], RW, RW | PMAP_ENTER_WIRED) ==
		KERN_SUCCESS,
	    "a kernel 2 MiB enter failed");
	CR->nwhole++;
	QUIET(call("pmap_enter_2m"));
}

static void
cr_kmem_free(void)
{
	unsigned s = rnd(&CR->rng, KVA_REGIONS * NPTEPG), n = 0;
	unsigned max = rnd(&CR->rng, 6) == 0 ? NPTEPG : 8;

	while (s + n < KVA_REGIONS * NPTEPG && n < max && CR->kused[s + n] == 1)
		n++;
	if (n == 0)
		return;
	QUIET(premove(kernel_pmap(F->ps), KVA_BASE + ptoa(s),
	    KVA_BASE + ptoa(s + n)));
	for (unsigned i = 0; i < n; i++) {
		model_page_free(F->md, kframe(KVA_BASE + ptoa(s + i)));
		vm_page_free(F->mc,
		    &F->mc->pages[kframe(KVA_BASE + ptoa(s + i))]);
		CR->kused[s + i] = 0;
	}
}

/* A random allocated, managed user page, or NULL. */
static vm_page_t
cr_user_page(void)
{
	unsigned id = cr_pick_pmap();
	vm_offset_t va;

	if (id == 0)
		return NULL;
	va = cr_user_va();
	return cr_lookup(F->obj[id], (va - USER_BASE) >> PAGE_SHIFT);
}

static void
cr_qenter(void)
{
	unsigned s = rnd(&CR->rng, KVA_REGIONS * NPTEPG);
	vm_offset_t kva = KVA_BASE + ptoa(s);
	vm_page_t m;

	if (CR->kused[s] == 2) {
		model_unmap(F->md, 0, kva);
		pmap_qremove(F->ps, kva, 1);
		QUIET(call("pmap_qremove"));
		CR->kused[s] = 0;
		return;
	}
	if (CR->kused[s] != 0 || (m = cr_user_page()) == NULL)
		return;
	model_map(F->md, 0, kva, m->pfn, VM_PROT_ALL, 0);
	pmap_qenter(F->ps, kva, &m, 1);
	QUIET(call("pmap_qenter"));
	CR->kused[s] = 2;
}

static void
cr_page_op(void)
{
	vm_page_t m = cr_user_page();
	struct model_ref refs[16];
	unsigned n;

	if (m == NULL)
		return;
	switch (rnd(&CR->rng, 3)) {
	case 0:
		pmap_remove_write(F->ps, m);
		QUIET(call("pmap_remove_write"));
		break;
	case 1:
		model_page_cleaned(F->md, m->pfn);
		m->flags &= (uint16_t)~VPF_DIRTY;
		pmap_clear_modify(F->ps, m);
		QUIET(call("pmap_clear_modify"));
		break;
	default:
		n = model_frame_maps(F->md, m->pfn, refs, 16);
		for (unsigned i = 0; i < n && i < 16; i++) {
			const struct model_map *mp =
			    model_lookup(F->md, refs[i].as, refs[i].va);

			if (mp != NULL && (mp->flags & MODEL_MANAGED) != 0)
				model_unmap(F->md, refs[i].as, refs[i].va);
		}
		pmap_remove_all(F->ps, m);
		QUIET(call("pmap_remove_all"));
		break;
	}
}

/* Interrupt work: a read or write touch of something mapped. */
static void
cr_intr(void)
{
	struct machine *mc = F->mc;
	unsigned cpu = mc->curcpu;
	int id = mc->cpus[cpu].pmap_id;
	vm_offset_t va;
	const struct model_map *mp;
	vm_prot_t access = VM_PROT_READ;

	mc->intr_pending = 0;
	CR->nintrs++;
	mc->cpus[cpu].intr_level++;
	if (id > 0 && rnd(&CR->rng, 2)) {
		va = cr_user_va();
		mp = model_lookup(F->md, (unsigned)id, va);
	} else {
		va = KVA_BASE + ptoa(rnd(&CR->rng, KVA_REGIONS * NPTEPG));
		mp = model_lookup(F->md, 0, va);
	}
	if (mp != NULL) {
		if ((mp->prot & VM_PROT_WRITE) != 0 &&
		    (mp->flags & MODEL_PRIVATE) == 0 && rnd(&CR->rng, 2))
			access = VM_PROT_WRITE;
		(void)touch(cpu, va, access);
	}
	mc->cpus[cpu].intr_level--;
}

/* Hardware sets A (and M on a writable mapping) between a read and a
 * write of the core's; a set M is a write by another CPU. */
static void
cr_race(const struct pt_ref *ref)
{
	struct machine *mc = F->mc;
	uint32_t root = ref->root;
	int as = va_is_kernel(ref->va) ? 0 : as_of_root(root);
	int level;
	pt_entry_t e = mach_walk(mc, root, ref->va, &level, NULL, NULL);
	const struct model_map *mp;
	int set_m;

	if (as < 0 || (e & PG_V) == 0 || level > PT_LVL_PDE)
		return;
	mp = model_lookup(F->md, (unsigned)as, ref->va);
	set_m = (e & PG_RW) != 0 && mp != NULL && rnd(&CR->rng, 2) &&
	    mp->pfn ==
		(level == PT_LVL_PDE ? (uint32_t)atop(e & PG_PS_FRAME) +
			    pmap_pte_index(ref->va) :
				       (uint32_t)atop(e & PG_FRAME));
	CR->nraces++;
	mach_hw_set_am(mc, root, ref->va, set_m);
	if (set_m)
		model_page_written(F->md, mp->pfn);
}

static int
cr_hook(struct machine *mc, enum fi_site site, const struct pt_ref *ref)
{
	const struct fi_site_info *fi = fi_site_lookup(site);

	if (fi == NULL)
		return 0;
	switch (fi->kind) {
	case FI_KIND_ALLOC:
		if (CR->fail_at != 0 && --CR->fail_at == 0) {
			CR->nfails++;
			return 1;
		}
		return 0;
	case FI_KIND_RMW:
		if (CR->races && ref != NULL && rnd(&CR->rng, 3) == 0)
			cr_race(ref);
		return 0;
	case FI_KIND_POINT:
	case FI_KIND_STORE:
		if (!CR->intrs || rnd(&CR->rng, 12) != 0)
			return 0;
		if (mc->crit > 0)
			mc->intr_pending = 1;
		else
			cr_intr();
		return 0;
	case FI_KIND_DELIVER:
		if (mc->intr_pending)
			cr_intr();
		return 0;
	default:
		return 0;
	}
}

static const struct {
	const char *name;
	void (*fn)(void);
	unsigned weight;
} cr_ops[] = {
	{ "map", cr_map, 14 },
	{ "map_run", NULL, 4 },
	{ "promote", NULL, 3 },
	{ "unmap", cr_unmap, 5 },
	{ "protect", cr_protect, 5 },
	{ "unwire", cr_unwire, 2 },
	{ "touch", cr_touch, 16 },
	{ "fork", cr_fork, 2 },
	{ "exit", cr_exit, 1 },
	{ "kmem_alloc", cr_kmem_alloc, 5 },
	{ "kmem_free", cr_kmem_free, 4 },
	{ "qenter", cr_qenter, 2 },
	{ "page_op", cr_page_op, 4 },
	{ "prefault", cr_prefault, 3 },
	{ "kmem_whole", cr_kmem_whole, 1 },
};

static void
cr_run_op(unsigned i)
{
	if (cr_ops[i].fn != NULL)
		cr_ops[i].fn();
	else
		cr_map_run(strcmp(cr_ops[i].name, "promote") == 0);
}

TEST(clean_run_fixed_core_never_fires)
{
	static struct clean cr;
	unsigned total = 0;
	pmap_t first;

	fx_boot(CR_CPUS);
	memset(&cr, 0, sizeof(cr));
	CR = &cr;
	/* Fixed seed; CLEAN_RUN_SEED picks another for exploration.  (Seed 4:
	 * since 2 MiB mappings are also entered whole, seed 11's sequence
	 * promotes nothing; seeds 1 to 40 but 11 pass.) */
	cr.rng.s = (getenv("CLEAN_RUN_SEED") != NULL ?
			   strtoull(getenv("CLEAN_RUN_SEED"), NULL, 0) :
			   4) *
		2654435761ULL +
	    1;
	for (unsigned i = 0; i < sizeof(cr_ops) / sizeof(cr_ops[0]); i++)
		total += cr_ops[i].weight;
	op("spawn");
	first = new_pmap();
	cr.pm[first->pm_id] = first;
	QUIET(op_end());
	if (getenv("CLEAN_RUN_BUGS") != NULL)
		CHECK(bug_parse_list(getenv("CLEAN_RUN_BUGS"), &F->mc->bugs,
			  NULL) == 0,
		    "CLEAN_RUN_BUGS");
	if (getenv("CLEAN_RUN_SWEEP") != NULL)
		F->ctx->sweep_period =
		    (unsigned)atoi(getenv("CLEAN_RUN_SWEEP"));
	F->hook = cr_hook;
	for (unsigned n = 0; n < 3000; n++) {
		unsigned w = rnd(&cr.rng, total), i = 0;

		while (w >= cr_ops[i].weight)
			w -= cr_ops[i++].weight;
		F->mc->curcpu = rnd(&cr.rng, CR_CPUS);
		cr.fail_at = rnd(&cr.rng, 5) == 0 ? 1 + rnd(&cr.rng, 6) : 0;
		cr.races = rnd(&cr.rng, 3) == 0;
		cr.intrs = rnd(&cr.rng, 3) == 0;
		if (cr_pick_pmap() == 0) {
			pmap_t pm = pmap_pinit(F->ps);

			if (pm != NULL) {
				model_as_create(F->md, pm->pm_id);
				F->obj[pm->pm_id] = vm_object_allocate(F->mc);
				cr.pm[pm->pm_id] = pm;
			}
		}
		op(cr_ops[i].name);
		cr_run_op(i);
		cr.fail_at = 0;
		QUIET(op_end());
		if (n % 97 == 0)
			QUIET(inv_check_full(F->ctx));
		if (n % 500 == 250)
			F->ps->pg_ps_enabled ^= 1;
	}
	F->hook = NULL;
	QUIET(inv_check_full(F->ctx));
	CHECK(cr.nraces > 0 && cr.nintrs > 0 && cr.nfails > 0,
	    "faults: %u races, %u interrupts, %u failed allocations", cr.nraces,
	    cr.nintrs, cr.nfails);
	CHECK(F->ps->cnt.promotions > 0 && F->ps->cnt.demotions > 0,
	    "superpages: %llu promotions, %llu demotions",
	    (unsigned long long)F->ps->cnt.promotions,
	    (unsigned long long)F->ps->cnt.demotions);
	CHECK(cr.nwhole > 0 && cr.nprefault > 0,
	    "%u 2 MiB mappings entered whole, %u prefaults", cr.nwhole,
	    cr.nprefault);
	printf("clean run: %llu promotions, %llu demotions, %u entered whole, "
	       "%u prefaults, %u races, %u interrupts, %u failed allocations, "
	       "%llu sweeps\n",
	    (unsigned long long)F->ps->cnt.promotions,
	    (unsigned long long)F->ps->cnt.demotions, cr.nwhole, cr.nprefault,
	    cr.nraces, cr.nintrs, cr.nfails,
	    (unsigned long long)F->ctx->cnt.sweeps);
}

/* ---- ptp-count: a page-table page leaked empty (D22763) ---- */

/* Refuses every PV entry (PMAP_ENTER_NORECLAIM's failure). */
static int
hook_refuse_pv(struct machine *mc, enum fi_site site, const struct pt_ref *ref)
{
	(void)mc;
	(void)ref;
	return site == FI_ALLOC_PV;
}

/*
 * promoted_region's pmap forked into a new pmap, whose copy of the 2 MiB
 * mapping is refused its PV entry; the call's check.  The child's PD page
 * was allocated for that copy.
 */
static int
fork_pv_refused(int bugs)
{
	pmap_t a = promoted_region(0), b;
	int r;

	F->mc->bugs |= (uint64_t)bugs;
	op("fork");
	b = new_pmap();
	model_copy(F->md, b->pm_id, a->pm_id, USER_BASE, USER_END);
	F->hook = hook_refuse_pv;
	pmap_copy(b, a, USER_BASE, USER_END - USER_BASE, USER_BASE);
	F->hook = NULL;
	r = call("pmap_copy");
	CHECK(leaf(b, USER_BASE) == 0, "the 2 MiB mapping was copied");
	return r;
}

/* copy-leak-ptp drops the PD page's count and leaves the page linked with
 * no entry: caught at the call, the page named. */
TEST(ptp_count_copy_leaves_empty_table)
{
	FIRES(fork_pv_refused(1 << BUG_COPY_LEAK_PTP),
	    "ptp-count in pmap_copy (fork)");
	CHECK(strstr(F->ctx->finding.found, "ref_count 0") != NULL &&
		F->mc->pages[F->ctx->finding.pfn].ref_count == 0,
	    "found '%s', frame %u", F->ctx->finding.found,
	    (unsigned)F->ctx->finding.pfn);
}

/* The fixed core frees the tables it allocated for the refused copy. */
TEST(ptp_count_sound_twin_copy_refused)
{
	QUIET(fork_pv_refused(0));
	QUIET(op_end());
	QUIET(inv_check_full(F->ctx));
}

/* ---- ptp-count at the call (inv_as_suspect's screen) ---- */

/*
 * A count corrupted behind the log is caught by the first call that writes
 * the table: the call-level screen tests the tables of every address space
 * the call touched, the written one among them.
 */
TEST(ptp_count_call_sees_written_table_miscounted)
{
	pmap_t a = one_managed_page();
	int level;
	uint32_t table;

	(void)mach_walk(F->mc, a->pm_pml4, USER_BASE, &level, &table, NULL);
	op("map");
	F->mc->pages[table].ref_count++;
	FIRES(enter(a, USER_BASE + PAGE_SIZE, upage(a, USER_BASE + PAGE_SIZE),
		  RW, 0),
	    "ptp-count in pmap_enter (map)");
	CHECK(F->ctx->finding.pfn == table, "finding names table %u, not %u",
	    (unsigned)F->ctx->finding.pfn, (unsigned)table);
}

/* The same call without the corruption: quiet. */
TEST(ptp_count_call_sound_twin)
{
	pmap_t a = one_managed_page();

	op("map");
	QUIET(enter(a, USER_BASE + PAGE_SIZE, upage(a, USER_BASE + PAGE_SIZE),
	    RW, 0));
	QUIET(op_end());
}

TEST_MAIN(TEST_ENTRY(seed000_fixed_is_quiet),
    TEST_ENTRY(assert_fires_on_enter_over_superpage),
    TEST_ENTRY(assert_disabled_reports_nothing),
    TEST_ENTRY(illegal_promotion_over_kmem_litter),
    TEST_ENTRY(illegal_promotion_without_promoted_bit),
    TEST_ENTRY(illegal_promotion_sound_twin_promoted_region),
    TEST_ENTRY(illegal_promotion_wired_without_saved_ptp),
    TEST_ENTRY(illegal_promotion_sound_twin_forked_region),
    TEST_ENTRY(illegal_promotion_sound_twin_entered_region),
    TEST_ENTRY(illegal_promotion_entered_region_remapped),
    TEST_ENTRY(pmap_stats_demote_uncounted_after_fork),
    TEST_ENTRY(run_pass_takes_a_clean_remove),
    TEST_ENTRY(run_pass_hands_a_broken_count_over),
    TEST_ENTRY(region_pass_takes_a_clean_promotion),
    TEST_ENTRY(region_pass_hands_a_promotion_with_a_broken_count_over),
    TEST_ENTRY(region_pass_leaves_a_promotion_over_a_mismatched_page),
    TEST_ENTRY(region_pass_takes_a_clean_demotion),
    TEST_ENTRY(region_pass_hands_a_broken_count_to_the_general_checks),
    TEST_ENTRY(region_pass_leaves_a_mismatched_page_to_the_general_pass),
    TEST_ENTRY(region_pass_leaves_an_unmapped_page_to_the_general_pass),
    TEST_ENTRY(stale_pte_kmem_litter), TEST_ENTRY(stale_pte_alone_fires),
    TEST_ENTRY(stale_pte_disabled_stays_silent),
    TEST_ENTRY(stale_pte_under_a_reused_pmap_id),
    TEST_ENTRY(reused_pmap_id_with_its_intent_is_quiet),
    TEST_ENTRY(wrong_address_space_apt_clobbered_at_interrupt),
    TEST_ENTRY(wrong_address_space_sound_twin_intr_window),
    TEST_ENTRY(wrong_address_space_kernel_half_differs),
    TEST_ENTRY(wrong_address_space_sound_twin_kernel_half_rewritten),
    TEST_ENTRY(wrong_address_space_leaf_of_another_pmap),
    TEST_ENTRY(wrong_address_space_sound_twin_forked_leaf),
    TEST_ENTRY(missing_wired_dropped_wired_mapping),
    TEST_ENTRY(missing_wired_sound_twin_cache_drop),
    TEST_ENTRY(missing_wired_pde_cleared_behind_a_pte_ref),
    TEST_ENTRY(missing_wired_sound_twin_pde_rewritten_behind_a_pte_ref),
    TEST_ENTRY(missing_wired_kernel_2m_zero_ptp),
    TEST_ENTRY(missing_wired_sound_twin_kernel_superpage_demoted),
    TEST_ENTRY(wrong_translation_writable_read_only_mapping),
    TEST_ENTRY(wrong_translation_executable_without_execute),
    TEST_ENTRY(wrong_translation_sound_twin_fewer_rights),
    TEST_ENTRY(wrong_translation_other_frame),
    TEST_ENTRY(shared_writable_fork_without_write_protect),
    TEST_ENTRY(shared_writable_sound_twin_fork),
    TEST_ENTRY(pv_mismatch_entry_names_wrong_va),
    TEST_ENTRY(pv_mismatch_lost_entry_found_by_sweep),
    TEST_ENTRY(pv_mismatch_sound_twin),
    TEST_ENTRY(pv_mismatch_entries_without_table_write),
    TEST_ENTRY(pv_mismatch_sound_twin_prefault_over_2m),
    TEST_ENTRY(ptp_count_user_page_table_overcounted),
    TEST_ENTRY(ptp_count_kernel_page_table_not_fixed),
    TEST_ENTRY(ptp_count_sound_twin),
    TEST_ENTRY(pmap_stats_resident_off_by_one),
    TEST_ENTRY(pmap_stats_wired_off_by_one),
    TEST_ENTRY(pmap_stats_sound_twin_promote_demote),
    TEST_ENTRY(freed_while_mapped_io_buffer),
    TEST_ENTRY(freed_while_mapped_sound_twin_io_buffer),
    TEST_ENTRY(lost_dirty_protect_nonatomic),
    TEST_ENTRY(lost_dirty_sound_twin_protect_cas),
    TEST_ENTRY(stale_tlb_promoted_invalidate_first_only),
    TEST_ENTRY(stale_tlb_sound_twin_whole_range),
    TEST_ENTRY(stale_tlb_lost_shootdown),
    TEST_ENTRY(stale_tlb_sound_twin_late_invalidation),
    TEST_ENTRY(reserv_count_popcnt_off), TEST_ENTRY(reserv_count_sound_twin),
    TEST_ENTRY(parse_list), TEST_ENTRY(log_overflow_falls_back_to_sweep),
    TEST_ENTRY(sweep_sees_unlogged_write),
    TEST_ENTRY(report_renders_text_and_json), TEST_ENTRY(ptdump_bit_names),
    TEST_ENTRY(clean_run_fixed_core_never_fires),
    TEST_ENTRY(ptp_count_call_sees_written_table_miscounted),
    TEST_ENTRY(ptp_count_call_sound_twin),
    TEST_ENTRY(ptp_count_copy_leaves_empty_table),
    TEST_ENTRY(ptp_count_sound_twin_copy_refused))

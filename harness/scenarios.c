/*
 * scenarios.c - the built-in scenarios (see scenarios.h).  Each is a plain
 * C function that plays a small piece of kernel life against the core:
 * process address spaces, kmem allocations, fork, I/O and its completion
 * interrupt.  Where a seed report's workaround is a kernel-service choice
 * (kmem_alloc's loop, I/O start), the scenario consults its switch itself.
 *
 * A step that cannot be done (no pmap slot, no frame) ends the scenario
 * through the same path as a failed PMAP_ASSERT, with a "scenario:"
 * message, so the run is still reported and hashed.
 */
#include "scenarios.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmapfuzz/bugs.h"
#include "pmapfuzz/fault.h"
#include "pmapfuzz/passert.h"

#define PROT_RW (VM_PROT_READ | VM_PROT_WRITE)

static vm_offset_t
scen_uva(unsigned i)
{
	return USER_BASE + (vm_offset_t)i * PAGE_SIZE;
}

static vm_offset_t
scen_kva(unsigned i)
{
	return KVA_BASE + (vm_offset_t)i * PAGE_SIZE;
}

/* End the scenario: a step it needs could not be done. */
static void scen_die(struct scen_ctx *sc, const char *fmt, ...)
    PMAP_PRINTFLIKE(2, 3) PMAP_NORETURN;

static void
scen_die(struct scen_ctx *sc, const char *fmt, ...)
{
	char msg[SCEN_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pmap_assert_fail(sc->mc, "scenario", "%s", msg);
}

/* A new user pmap, made active on cpu unless cpu < 0. */
static pmap_t
scen_pmap(struct scen_ctx *sc, int cpu)
{
	pmap_t p = pmap_pinit(sc->ps);

	if (p == NULL)
		scen_die(sc, "pmap_pinit failed");
	if (cpu >= 0)
		pmap_activate(p, (unsigned)cpu);
	return p;
}

static vm_page_t
scen_page(struct scen_ctx *sc, uint32_t obj, uint64_t pindex)
{
	vm_page_t m = vm_page_alloc(sc->mc, obj, pindex, 0);

	if (m == NULL)
		scen_die(sc, "no frame for object %u pindex %ju", obj,
		    (uintmax_t)pindex);
	return m;
}

static void
scen_enter(struct scen_ctx *sc, pmap_t p, vm_offset_t va, vm_page_t m,
    vm_prot_t prot, unsigned flags)
{
	int rv = pmap_enter(p, va, m, prot, flags);

	if (rv != KERN_SUCCESS)
		scen_die(sc, "pmap_enter(pmap %u, va %#jx) = %d", p->pm_id,
		    (uintmax_t)va, rv);
}

/* Allocate and enter pages first..first+n-1 of obj at va, each page as
 * it is allocated (today's kmem_back order). */
static void
scen_map_run(struct scen_ctx *sc, pmap_t p, vm_offset_t va, uint32_t obj,
    uint64_t first, unsigned n, vm_prot_t prot, unsigned flags)
{
	for (unsigned i = 0; i < n; i++)
		scen_enter(sc, p, va + (vm_offset_t)i * PAGE_SIZE,
		    scen_page(sc, obj, first + i), prot, flags);
}

static void
scen_touch(struct scen_ctx *sc, unsigned cpu, vm_offset_t va, vm_prot_t access)
{
	(void)mach_touch(sc->mc, cpu, va, access, NULL);
}

/* Free the pages of obj at pindex first..first+n-1 (all unmapped). */
static void
scen_free_run(struct scen_ctx *sc, uint32_t obj, uint64_t first, unsigned n)
{
	struct machine *mc = sc->mc;

	for (uint32_t pfn = 0; pfn < mc->cfg.nframes; pfn++) {
		vm_page_t m = &mc->pages[pfn];

		if ((m->flags & VPF_ALLOCATED) && m->object == obj &&
		    m->pindex >= first && m->pindex < first + n)
			vm_page_free(mc, m);
	}
}

/* Tear down a user pmap: unmap everything, leave every CPU, release. */
static void
scen_exit(struct scen_ctx *sc, pmap_t p)
{
	pmap_t kp = kernel_pmap(sc->ps);

	pmap_remove(p, USER_BASE, USER_BASE + USER_REGIONS * NBPDR);
	pmap_remove(p, KSTACK_VA, KSTACK_VA + KSTACK_PAGES * PAGE_SIZE);
	for (unsigned cpu = 0; cpu < sc->mc->cfg.ncpus; cpu++)
		if (p->pm_active & (1U << cpu))
			pmap_activate(kp, cpu);
	pmap_release(p);
}

/* ---- Fault hooks ---- */

/* Fail every PV reservation. */
static int
scen_fail_pv_hook(struct machine *mc, enum fi_site site,
    const struct pt_ref *ref)
{
	struct scen_ctx *sc = mc->fi_arg;

	(void)ref;
	if (site != FI_ALLOC_PV)
		return 0;
	sc->hook_hits++;
	return 1;
}

/* The completion interrupt of the write I/O on sc->io_page (2.x's biodone
 * running the page down at interrupt time). */
static void
scen_io_done_intr(struct scen_ctx *sc)
{
	struct cpu *cpu = &sc->mc->cpus[sc->mc->curcpu];

	cpu->intr_level++;
	pmap_clear_modify(sc->ps, sc->io_page);
	sc->io_page->flags &= ~(VPF_BUSY | VPF_IO | VPF_DIRTY);
	cpu->intr_level--;
}

/*
 * Raise the I/O completion interrupt right after the window was pointed
 * for a PTE (pmap_pte() returned its pointer), once.  Inside a critical
 * section it is held pending and runs when the section ends.
 */
static int
scen_io_intr_hook(struct machine *mc, enum fi_site site,
    const struct pt_ref *ref)
{
	struct scen_ctx *sc = mc->fi_arg;

	if (site == FI_INTR_DELIVER && mc->intr_pending) {
		mc->intr_pending = 0;
		scen_io_done_intr(sc);
		return 0;
	}
	if (site != FI_WINDOW_POINTED || ref == NULL ||
	    ref->level != PT_LVL_PTE || sc->hook_hits++ != 0)
		return 0;
	if (mc->crit > 0)
		mc->intr_pending = 1;
	else
		scen_io_done_intr(sc);
	return 0;
}

/* Another CPU's hardware sets PG_M on the PTE pmap_protect just read. */
static int
scen_race_dirty_hook(struct machine *mc, enum fi_site site,
    const struct pt_ref *ref)
{
	struct scen_ctx *sc = mc->fi_arg;

	if (site == FI_PROTECT_PTE_READ && sc->hook_hits++ == 0)
		mach_hw_set_am(mc, ref->root, ref->va, 1);
	return 0;
}

static void
scen_hook(struct scen_ctx *sc, fi_hook_t hook)
{
	sc->hook_hits = 0;
	sc->mc->fi_hook = hook;
	sc->mc->fi_arg = sc;
}

/* ---- The scenarios ---- */

/* A process maps a whole reservation page by page; it is promoted at the
 * last page; the process touches it and exits. */
static void
scen_promote_user_2m(struct scen_ctx *sc)
{
	uint32_t obj = vm_object_allocate(sc->mc);
	pmap_t p = scen_pmap(sc, 0);

	scen_map_run(sc, p, USER_BASE, obj, 0, NPTEPG, PROT_RW, VM_PROT_WRITE);
	scen_touch(sc, 0, scen_uva(0), VM_PROT_WRITE);
	scen_touch(sc, 0, scen_uva(300), VM_PROT_READ);
	scen_exit(sc, p);
	scen_free_run(sc, obj, 0, NPTEPG);
}

/*
 * Seed 000.  Two kmem allocations fill kmem region 0 (pages 0-3, then
 * 4-511, which promotes it); the first is freed and allocated again the
 * 8.x way: every page allocated first, then entered one by one.  With
 * kmem-litter the freed PTEs stay valid, so entering page 0 promotes the
 * region too early and entering page 1 asserts.
 */
static void
scen_kmem_reuse_after_free(struct scen_ctx *sc)
{
	pmap_t kp = kernel_pmap(sc->ps);
	vm_page_t ma[4];

	scen_map_run(sc, kp, scen_kva(0), OBJ_KMEM, 0, 4, PROT_RW,
	    VM_PROT_WRITE);
	scen_map_run(sc, kp, scen_kva(4), OBJ_KMEM, 4, NPTEPG - 4, PROT_RW,
	    VM_PROT_WRITE);
	scen_touch(sc, 0, scen_kva(1), VM_PROT_WRITE);
	pmap_remove(kp, scen_kva(0), scen_kva(4));
	scen_free_run(sc, OBJ_KMEM, 0, 4);

	for (unsigned i = 0; i < 4; i++)
		ma[i] = scen_page(sc, OBJ_KMEM, i);
	if (bug_on(sc->mc, BUG_WA_ENTER_MULTI)) {
		if (pmap_enter_multi(kp, scen_kva(0), ma, 4, PROT_RW,
			VM_PROT_WRITE) != KERN_SUCCESS)
			scen_die(sc, "pmap_enter_multi failed");
	} else
		for (unsigned i = 0; i < 4; i++)
			scen_enter(sc, kp, scen_kva(i), ma[i], PROT_RW,
			    VM_PROT_WRITE);
	scen_touch(sc, 0, scen_kva(2), VM_PROT_WRITE);
}

/* Workaround (c): a 2 MiB kmem allocation allocated first, then entered
 * with pmap_enter_multi, promotes once; then it is freed. */
static void
scen_kmem_enter_multi(struct scen_ctx *sc)
{
	pmap_t kp = kernel_pmap(sc->ps);
	vm_page_t ma[NPTEPG];

	for (unsigned i = 0; i < NPTEPG; i++)
		ma[i] = scen_page(sc, OBJ_KMEM, NPTEPG + i);
	if (pmap_enter_multi(kp, scen_kva(NPTEPG), ma, NPTEPG, PROT_RW,
		VM_PROT_WRITE) != KERN_SUCCESS)
		scen_die(sc, "pmap_enter_multi failed");
	scen_touch(sc, 1, scen_kva(NPTEPG + 7), VM_PROT_READ);
	pmap_remove(kp, scen_kva(NPTEPG), scen_kva(2 * NPTEPG));
	scen_free_run(sc, OBJ_KMEM, NPTEPG, NPTEPG);
}

/*
 * Fork with copy-on-write: the parent's pages are write-protected and
 * copied into the child (reached through the window), the child gets its
 * kernel stack the same way, runs on cpu 1 and takes a copy-on-write
 * fault; the parent then writes its own copy; the child exits.
 */
static void
scen_fork_copy_cow(struct scen_ctx *sc)
{
	struct machine *mc = sc->mc;
	uint32_t pobj = vm_object_allocate(mc), cobj = vm_object_allocate(mc);
	uint32_t kstacks = vm_object_allocate(mc);
	pmap_t parent = scen_pmap(sc, 0), child;
	vm_page_t orig;

	scen_map_run(sc, parent, USER_BASE, pobj, 0, 16, PROT_RW,
	    VM_PROT_WRITE);
	scen_enter(sc, parent, KSTACK_VA, scen_page(sc, kstacks, 0), PROT_RW,
	    VM_PROT_WRITE | PMAP_ENTER_WIRED);

	child = scen_pmap(sc, -1);
	pmap_protect(parent, USER_BASE, scen_uva(16), VM_PROT_READ);
	pmap_copy(child, parent, USER_BASE, 16 * PAGE_SIZE, USER_BASE);
	scen_enter(sc, child, KSTACK_VA, scen_page(sc, kstacks, 1), PROT_RW,
	    VM_PROT_WRITE | PMAP_ENTER_WIRED);

	mc->curcpu = 1;
	pmap_activate(child, 1);
	scen_touch(sc, 1, scen_uva(5), VM_PROT_READ);
	if (mach_touch(mc, 1, scen_uva(3), VM_PROT_WRITE, NULL) ==
	    TOUCH_PROTECTION)
		scen_enter(sc, child, scen_uva(3), scen_page(sc, cobj, 3),
		    PROT_RW, VM_PROT_WRITE);
	scen_touch(sc, 1, scen_uva(3), VM_PROT_WRITE);

	mc->curcpu = 0;
	orig = PHYS_TO_VM_PAGE(mc, pmap_extract(parent, scen_uva(3)));
	if (mach_touch(mc, 0, scen_uva(3), VM_PROT_WRITE, NULL) ==
	    TOUCH_PROTECTION)
		scen_enter(sc, parent, scen_uva(3), orig, PROT_RW,
		    VM_PROT_WRITE);
	scen_touch(sc, 0, scen_uva(3), VM_PROT_WRITE);

	mc->curcpu = 1;
	scen_exit(sc, child);
	mc->curcpu = 0;
}

/* Map a reservation at USER_BASE in p, written, so that it promotes. */
static void
scen_promoted_region(struct scen_ctx *sc, pmap_t p, uint32_t obj)
{
	scen_map_run(sc, p, USER_BASE, obj, 0, NPTEPG, PROT_RW, VM_PROT_WRITE);
}

/* mprotect of one page of a superpage demotes it; the write fault that
 * follows restores the page's rights and the region is promoted again. */
static void
scen_demote_on_protect(struct scen_ctx *sc)
{
	uint32_t obj = vm_object_allocate(sc->mc);
	pmap_t p = scen_pmap(sc, 0);
	vm_paddr_t pa;

	scen_promoted_region(sc, p, obj);
	pmap_protect(p, scen_uva(5), scen_uva(6), VM_PROT_READ);
	if (mach_touch(sc->mc, 0, scen_uva(5), VM_PROT_WRITE, NULL) !=
	    TOUCH_PROTECTION)
		scen_die(sc, "write to a read-only page did not fault");
	pa = pmap_extract(p, scen_uva(5));
	scen_enter(sc, p, scen_uva(5), PHYS_TO_VM_PAGE(sc->mc, pa), PROT_RW,
	    VM_PROT_WRITE);
	scen_touch(sc, 0, scen_uva(5), VM_PROT_WRITE);
}

/* Unmapping one page of a superpage when no PV entries can be had: the
 * demotion fails and the whole 2 MiB mapping goes. */
static void
scen_demote_fail_destroys(struct scen_ctx *sc)
{
	uint32_t obj = vm_object_allocate(sc->mc);
	pmap_t p = scen_pmap(sc, 0);

	scen_promoted_region(sc, p, obj);
	scen_hook(sc, scen_fail_pv_hook);
	pmap_remove(p, scen_uva(7), scen_uva(8));
	sc->mc->fi_hook = NULL;
	scen_touch(sc, 0, scen_uva(9), VM_PROT_READ);
}

/* A page mapped by three processes (one per CPU, one not running) loses
 * every mapping at once, as at I/O start with the fix of seed 002. */
static void
scen_remove_all_shared_page(struct scen_ctx *sc)
{
	vm_page_t m = scen_page(sc, vm_object_allocate(sc->mc), 0);
	pmap_t p[3];

	p[0] = scen_pmap(sc, 0);
	p[1] = scen_pmap(sc, 1);
	p[2] = scen_pmap(sc, -1);
	for (unsigned i = 0; i < 3; i++)
		scen_enter(sc, p[i], scen_uva(i), m, PROT_RW, VM_PROT_WRITE);
	scen_touch(sc, 0, scen_uva(0), VM_PROT_WRITE);
	scen_touch(sc, 1, scen_uva(1), VM_PROT_READ);
	pmap_remove_all(sc->ps, m);
}

/*
 * Seed 002.  A process not running has a page under write I/O; fork
 * enters the child's kernel stack through the window, and the I/O
 * completion interrupt arrives right after pmap_pte() pointed the window.
 * With apt-intr-clobber the interrupt runs at once, its PV walk re-points
 * the one shared window at the other process, and the kernel-stack PTE is
 * written there.  wa-busy-remove-all unmaps the page at I/O start, so the
 * completion has no PV entry to walk.
 */
static void
scen_fork_kstack_io_intr(struct scen_ctx *sc)
{
	struct machine *mc = sc->mc;
	uint32_t obj = vm_object_allocate(mc);
	pmap_t victim, parent, child;

	victim = scen_pmap(sc, -1);
	sc->io_page = scen_page(sc, obj, 0);
	scen_enter(sc, victim, scen_uva(0), sc->io_page, PROT_RW,
	    VM_PROT_WRITE);
	/* Kernel stacks: unmanaged kmem frames (kmem region 1's end). */
	scen_enter(sc, victim, KSTACK_VA, scen_page(sc, OBJ_KMEM, 1020),
	    PROT_RW, VM_PROT_WRITE | PMAP_ENTER_WIRED);
	parent = scen_pmap(sc, 0);
	scen_enter(sc, parent, KSTACK_VA, scen_page(sc, OBJ_KMEM, 1021),
	    PROT_RW, VM_PROT_WRITE | PMAP_ENTER_WIRED);
	scen_map_run(sc, parent, USER_BASE, obj, 1, 4, PROT_RW, VM_PROT_WRITE);

	/* I/O start (a write): busy the page; 2.x only write-protected it. */
	sc->io_page->flags |= VPF_BUSY | VPF_IO;
	if (bug_on(mc, BUG_WA_BUSY_REMOVE_ALL))
		pmap_remove_all(sc->ps, sc->io_page);
	else
		pmap_remove_write(sc->ps, sc->io_page);

	child = scen_pmap(sc, -1);
	pmap_copy(child, parent, USER_BASE, 4 * PAGE_SIZE, USER_BASE);
	scen_hook(sc, scen_io_intr_hook);
	scen_enter(sc, child, KSTACK_VA, scen_page(sc, OBJ_KMEM, 1022), PROT_RW,
	    VM_PROT_WRITE | PMAP_ENTER_WIRED);
	mc->fi_hook = NULL;

	mc->curcpu = 1;
	pmap_activate(child, 1);
	scen_touch(sc, 1, KSTACK_VA, VM_PROT_WRITE);
	mc->curcpu = 0;
}

/* Pages 0 and 300 sit in both CPUs' TLBs when the region is promoted;
 * then the 2 MiB mapping is removed.  promoted-invl-first leaves page
 * 300's entries behind. */
static void
scen_promoted_remove_tlb(struct scen_ctx *sc)
{
	uint32_t obj = vm_object_allocate(sc->mc);
	pmap_t p = scen_pmap(sc, 0);

	pmap_activate(p, 1);
	scen_map_run(sc, p, USER_BASE, obj, 0, NPTEPG - 1, PROT_RW,
	    VM_PROT_WRITE);
	for (unsigned cpu = 0; cpu < SCEN_CPUS; cpu++) {
		scen_touch(sc, cpu, scen_uva(0), VM_PROT_READ);
		scen_touch(sc, cpu, scen_uva(300), VM_PROT_READ);
	}
	scen_map_run(sc, p, scen_uva(NPTEPG - 1), obj, NPTEPG - 1, 1, PROT_RW,
	    VM_PROT_WRITE);
	pmap_remove(p, USER_BASE, USER_BASE + NBPDR);
}

/* mprotect read-only races another CPU's write: PG_M is set between
 * pmap_protect's read and its store.  protect-nonatomic loses it. */
static void
scen_protect_race_dirty(struct scen_ctx *sc)
{
	uint32_t obj = vm_object_allocate(sc->mc);
	pmap_t p = scen_pmap(sc, 0);

	scen_map_run(sc, p, USER_BASE, obj, 0, 8, PROT_RW, VM_PROT_READ);
	scen_hook(sc, scen_race_dirty_hook);
	pmap_protect(p, USER_BASE, scen_uva(8), VM_PROT_READ);
	sc->mc->fi_hook = NULL;
}

const struct scenario scenario_table[] = {
	{ "promote-user-2m", scen_promote_user_2m,
	    "a process maps a whole reservation; promoted at its last page" },
	{ "kmem-reuse-after-free", scen_kmem_reuse_after_free,
	    "seed 000: kmem freed and allocated again the 8.x two-loop way" },
	{ "kmem-enter-multi", scen_kmem_enter_multi,
	    "a 2 MiB kmem allocation entered with pmap_enter_multi" },
	{ "fork-copy-cow", scen_fork_copy_cow,
	    "fork with copy-on-write, child fault on cpu 1, child exit" },
	{ "demote-on-protect", scen_demote_on_protect,
	    "mprotect of one page demotes; the write fault re-promotes" },
	{ "demote-fail-destroys", scen_demote_fail_destroys,
	    "no PV entries: a failed demotion destroys the 2 MiB mapping" },
	{ "remove-all-shared-page", scen_remove_all_shared_page,
	    "a page mapped by three processes loses every mapping" },
	{ "fork-kstack-io-intr", scen_fork_kstack_io_intr,
	    "seed 002: I/O completion interrupt while fork uses the window" },
	{ "promoted-remove-tlb", scen_promoted_remove_tlb,
	    "removing a promoted superpage with 4 KiB TLB entries on 2 CPUs" },
	{ "protect-race-dirty", scen_protect_race_dirty,
	    "mprotect read-only racing a hardware dirty-bit update" },
};

const unsigned scenario_count =
    sizeof(scenario_table) / sizeof(scenario_table[0]);

const struct scenario *
scenario_lookup(const char *name)
{
	for (unsigned i = 0; i < scenario_count; i++)
		if (strcmp(scenario_table[i].name, name) == 0)
			return &scenario_table[i];
	return NULL;
}

/* ---- Running one ---- */

/* A failed PMAP_ASSERT: keep its message (it lives in the asserting
 * frame) and unwind to scenario_run(). */
static void
scen_assert_hook(struct machine *mc, const char *func, const char *fmt,
    const char *msg)
{
	struct scen_ctx *sc = mc->assert_arg;

	(void)func;
	(void)fmt;
	snprintf(sc->assert_msg, sizeof(sc->assert_msg), "%s", msg);
	longjmp(sc->assert_env, 1);
}

int
scenario_run(const struct scenario *s, uint64_t bugs, struct scen_result *res)
{
	struct mach_config cfg = { .nframes = MACH_FRAMES_DEFAULT,
		.ncpus = SCEN_CPUS };
	struct scen_ctx *sc;

	memset(res, 0, sizeof(*res));
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL)
		return -1;
	sc->mc = machine_create(&cfg);
	sc->ps = calloc(1, sizeof(*sc->ps));
	if (sc->mc == NULL || sc->ps == NULL) {
		machine_destroy(sc->mc);
		free(sc->ps);
		free(sc);
		return -1;
	}
	pmap_bootstrap(sc->ps, sc->mc);
	machine_boot_done(sc->mc);
	pmap_sys_boot_done(sc->ps);
	sc->mc->bugs = bugs;
	sc->mc->assert_hook = scen_assert_hook;
	sc->mc->assert_arg = sc;
	if (setjmp(sc->assert_env) == 0)
		s->run(sc);
	else {
		res->asserted = 1;
		memcpy(res->assert_msg, sc->assert_msg,
		    sizeof(res->assert_msg));
	}
	res->cnt = sc->ps->cnt;
	res->hash = machine_hash(sc->mc, 0) ^ pmap_sys_hash(sc->ps, 0);
	pmap_sys_destroy(sc->ps);
	free(sc->ps);
	machine_destroy(sc->mc);
	free(sc);
	return 0;
}

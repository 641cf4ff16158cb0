/*
 * test_machine.c - the simulated machine's contract: frames, reservations,
 * page-table refs and windows, TLBs and touches, shootdowns, the change
 * log, boot reset and the state hash.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "pmapfuzz/machine.h"
#include "pmapfuzz/passert.h"
#include "testlib.h"

#ifndef PMAPFUZZ_FAULTS
#error "test_machine drives the fault sites: build with -DPMAPFUZZ_FAULTS=1"
#endif

#define UVA (USER_BASE + 5 * PAGE_SIZE) /* a user VA */
#define KVA (KVA_BASE + 7 * PAGE_SIZE)	/* a kernel VA */
#define UPG (PG_V | PG_RW | PG_U)	/* bits of a user upper-level entry */

/* The machine under test; freed by the next test's mk() or at exit. */
static struct machine *tm;

static void
free_tm(void)
{
	machine_destroy(tm);
	tm = NULL;
}

static struct machine *
mk(unsigned ncpus)
{
	struct mach_config cfg = { .nframes = 0, .ncpus = (uint8_t)ncpus };
	static int registered;

	if (!registered && atexit(free_tm) == 0)
		registered = 1;
	machine_destroy(tm);
	tm = machine_create(&cfg);
	CHECK(tm != NULL);
	tm->log_enabled = 1;
	return tm;
}

static uint32_t
new_table(struct machine *mc)
{
	vm_page_t m = vm_page_alloc_noobj(mc, VM_ALLOC_PTP | VM_ALLOC_NOFAULT);

	CHECK(m != NULL);
	return m->pfn;
}

static pt_ref_t
dref(uint32_t pfn, unsigned idx, int level)
{
	return pt_direct(pfn, idx, level, 0, 0);
}

/*
 * Make every table va needs under root (upper entries get UPG) and return
 * the frame of the table at level `level` that holds va's entry.
 */
static uint32_t
table_for(struct machine *mc, uint32_t root, vm_offset_t va, int level)
{
	uint32_t t = root;

	for (int lvl = PT_LVL_PML4E; lvl > level; lvl--) {
		pt_ref_t r = dref(t, pmap_level_index(va, lvl), lvl);
		pt_entry_t e = pt_load(mc, r);

		if ((e & PG_V) == 0) {
			e = ptoa(new_table(mc)) | UPG;
			pt_store(mc, r, e);
		}
		t = (uint32_t)atop(e & PG_FRAME);
	}
	return t;
}

/* Map the 4 KiB page at va to frame pfn with the given leaf bits. */
static void
map4k(struct machine *mc, uint32_t root, vm_offset_t va, uint32_t pfn,
    pt_entry_t bits)
{
	uint32_t pt = table_for(mc, root, va, PT_LVL_PTE);

	pt_store(mc, dref(pt, pmap_pte_index(va), PT_LVL_PTE),
	    ptoa(pfn) | bits);
}

/* The leaf entry mapping va under root. */
static pt_entry_t
leaf(struct machine *mc, uint32_t root, vm_offset_t va)
{
	int level;

	return mach_walk(mc, root, va, &level, NULL, NULL);
}

/* Whether cpu holds a valid TLB entry covering va (whatever its root). */
static int
tlb_has(struct machine *mc, unsigned cpu, vm_offset_t va)
{
	const struct cpu *c = &mc->cpus[cpu];

	for (unsigned i = 0; i < TLB_4K_ENTRIES; i++)
		if (c->tlb4k[i].valid && c->tlb4k[i].va == (va & ~PAGE_MASK))
			return 1;
	for (unsigned i = 0; i < TLB_2M_ENTRIES; i++)
		if (c->tlb2m[i].valid && c->tlb2m[i].va == trunc_2mpage(va))
			return 1;
	return 0;
}

/* The last logged event of the given kind, or NULL. */
static const struct mach_event *
last_event(struct machine *mc, enum mach_ev_kind kind)
{
	for (uint32_t i = mc->nlog; i > 0; i--)
		if (mc->log[i - 1].kind == kind)
			return &mc->log[i - 1];
	return NULL;
}

/* A fault hook that fails (returns 1 for) one site and counts its hits. */
static enum fi_site hook_site;
static unsigned hook_hits;

static int
fail_site_hook(struct machine *mc, enum fi_site site, const struct pt_ref *r)
{
	(void)mc;
	(void)r;
	if (site != hook_site)
		return 0;
	hook_hits++;
	return 1;
}

static void
fail_site(struct machine *mc, enum fi_site site)
{
	hook_site = site;
	hook_hits = 0;
	mc->fi_hook = fail_site_hook;
}

/* An assert hook that longjmps back to the test with the message. */
static jmp_buf assert_env;
static char assert_msg[512];
static const char *assert_fmt;

static void
catch_assert(struct machine *mc, const char *func, const char *fmt,
    const char *msg)
{
	(void)mc;
	(void)func;
	assert_fmt = fmt;
	strncpy(assert_msg, msg, sizeof(assert_msg) - 1);
	longjmp(assert_env, 1);
}

TEST(config_is_clamped_to_valid_values)
{
	struct mach_config cfg = { .nframes = 100000, .ncpus = 9 };
	struct machine *mc = mk(1);

	CHECK_EQ_U64(mc->cfg.nframes, MACH_FRAMES_DEFAULT);
	CHECK_EQ_U64(mc->cfg.ncpus, 1);
	machine_destroy(mc);
	tm = mc = machine_create(&cfg);
	CHECK_EQ_U64(mc->cfg.nframes, MACH_FRAMES_MAX);
	CHECK_EQ_U64(mc->cfg.ncpus, MACH_CPUS_MAX);
	cfg.nframes = 2048 + 100;
	machine_destroy(mc);
	tm = mc = machine_create(&cfg);
	CHECK_EQ_U64(mc->cfg.nframes, 2048);
	CHECK(mc->cpus[0].pmap_id == -1);
	CHECK_EQ_U64(mc->next_object, 2);
}

TEST(alloc_same_kmem_pindex_gets_same_frame_after_free)
{
	struct machine *mc = mk(1);
	uint32_t obj = vm_object_allocate(mc);
	vm_page_t m = vm_page_alloc(mc, OBJ_KMEM, 5, 0), other;
	uint32_t pfn = m->pfn;

	CHECK_EQ_U64(pfn, 5);
	vm_page_free(mc, m);
	other = vm_page_alloc(mc, obj, 5, 0);
	CHECK(other != NULL && other->pfn != pfn);
	m = vm_page_alloc(mc, OBJ_KMEM, 5, 0);
	CHECK_EQ_U64(m->pfn, pfn);
	m = vm_page_alloc(mc, OBJ_KMEM, RESERV_FRAMES + 3, 0);
	CHECK_EQ_U64(m->pfn, RESERV_FRAMES + 3);
}

TEST(reservation_fills_to_full_pop)
{
	struct machine *mc = mk(1);
	uint32_t obj = vm_object_allocate(mc);
	vm_page_t first = NULL, m = NULL;

	for (unsigned i = 0; i < RESERV_FRAMES - 1; i++) {
		m = vm_page_alloc(mc, obj, i, 0);
		CHECK(m != NULL);
		if (first == NULL)
			first = m;
		CHECK_EQ_U64(m->pfn, first->pfn + i);
	}
	CHECK_EQ_U64(reserv_level_iffullpop(mc, first), -1);
	CHECK_EQ_U64(reserv_of(mc, first)->popcnt, RESERV_FRAMES - 1);
	m = vm_page_alloc(mc, obj, RESERV_FRAMES - 1, 0);
	CHECK_EQ_U64(reserv_level_iffullpop(mc, first), 0);
	CHECK_EQ_U64(reserv_level_iffullpop(mc, m), 0);
}

TEST(object_reservation_released_when_empty)
{
	struct machine *mc = mk(1);
	uint32_t a = vm_object_allocate(mc), b = vm_object_allocate(mc);
	vm_page_t m = vm_page_alloc(mc, a, 7, 0);
	uint32_t chunk = m->pfn / RESERV_FRAMES;

	CHECK(reserv_of(mc, m) == &mc->reserv[chunk]);
	vm_page_free(mc, m);
	CHECK_EQ_U64(mc->reserv[chunk].object, OBJ_NONE);
	CHECK_EQ_U64(mc->reserv[chunk].popcnt, 0);
	m = vm_page_alloc(mc, b, 7, 0);
	CHECK_EQ_U64(m->pfn / RESERV_FRAMES, chunk);
	CHECK_EQ_U64(mc->reserv[chunk].object, b);
}

TEST(kmem_reservation_stays_pinned_when_empty)
{
	struct machine *mc = mk(1);
	vm_page_t m = vm_page_alloc(mc, OBJ_KMEM, 9, 0);

	vm_page_free(mc, m);
	CHECK_EQ_U64(mc->reserv[0].object, OBJ_KMEM);
	CHECK_EQ_U64(mc->reserv[0].pinned, 1);
}

TEST(alloc_fault_hook_fails_allocation)
{
	struct machine *mc = mk(1);
	uint32_t obj = vm_object_allocate(mc);
	uint64_t h = machine_hash(mc, 0);

	fail_site(mc, FI_ALLOC_PAGE);
	CHECK(vm_page_alloc(mc, obj, 0, 0) == NULL);
	CHECK_EQ_U64(hook_hits, 1);
	CHECK_EQ_U64(machine_hash(mc, 0), h);
	CHECK(vm_page_alloc(mc, obj, 0, VM_ALLOC_NOFAULT) != NULL);
	CHECK_EQ_U64(hook_hits, 1);
	fail_site(mc, FI_ALLOC_PTP);
	CHECK(vm_page_alloc_noobj(mc, VM_ALLOC_PTP) == NULL);
	CHECK_EQ_U64(hook_hits, 1);
}

TEST(noobj_alloc_gives_zeroed_table)
{
	struct machine *mc = mk(1);
	vm_page_t m = vm_page_alloc_noobj(mc, VM_ALLOC_PTP);
	uint32_t pfn = m->pfn;
	pt_entry_t *t;

	CHECK(m->flags == (VPF_ALLOCATED | VPF_PTP));
	CHECK_EQ_U64(m->object, OBJ_NONE);
	CHECK_EQ_U64(pfn / RESERV_FRAMES, mc->cfg.nframes / RESERV_FRAMES - 1);
	CHECK(reserv_of(mc, m) == NULL);
	for (unsigned i = 0; i < NPTEPG; i++)
		pt_store(mc, dref(pfn, i, PT_LVL_PTE), 0x1000 * i + PG_V);
	vm_page_free(mc, m);
	m = vm_page_alloc_noobj(mc, VM_ALLOC_PTP);
	CHECK_EQ_U64(m->pfn, pfn);
	t = mach_table(mc, m->pfn);
	CHECK(t != NULL);
	for (unsigned i = 0; i < NPTEPG; i++)
		CHECK_EQ_U64(t[i], 0);
}

TEST(window_ref_resolves_through_current_root)
{
	struct machine *mc = mk(1);
	uint32_t a = new_table(mc), b = new_table(mc);
	uint32_t pta = table_for(mc, a, UVA, PT_LVL_PTE);
	uint32_t ptb = table_for(mc, b, UVA, PT_LVL_PTE);
	const struct mach_event *ev;
	uint32_t pfn;
	unsigned idx;
	pt_ref_t r;

	win_point(mc, WIN_APT, a);
	r = pt_window(mc, WIN_APT, UVA, PT_LVL_PTE);
	CHECK(pt_resolve(mc, r, &pfn, &idx) && pfn == pta);
	win_point(mc, WIN_APT, b);
	mach_log_clear(mc);
	pt_store(mc, r, ptoa(42) | PG_V);
	CHECK_EQ_U64(mach_table(mc, ptb)[pmap_pte_index(UVA)], ptoa(42) | PG_V);
	CHECK_EQ_U64(mach_table(mc, pta)[pmap_pte_index(UVA)], 0);
	ev = last_event(mc, EV_PTE_WRITE);
	CHECK(ev != NULL);
	CHECK_EQ_U64(ev->pfn, ptb);
	CHECK_EQ_U64(ev->root, b);
	CHECK_EQ_U64(ev->win, WIN_APT);
	CHECK_EQ_U64(ev->va, UVA);
	CHECK(ev->gen_ref != ev->gen_now, "gen %u == %u", ev->gen_ref,
	    ev->gen_now);
	CHECK_EQ_U64(r.root, a);
}

TEST(direct_store_logs_ref_root_and_va)
{
	struct machine *mc = mk(1);
	uint32_t t = new_table(mc);
	const struct mach_event *ev;

	mach_log_clear(mc);
	pt_store(mc, pt_direct(t, 3, PT_LVL_PTE, 77, UVA), PG_V);
	ev = last_event(mc, EV_PTE_WRITE);
	CHECK(ev != NULL);
	CHECK_EQ_U64(ev->win, WIN_NONE);
	CHECK_EQ_U64(ev->root, 77);
	CHECK_EQ_U64(ev->va, UVA);
	CHECK_EQ_U64(ev->idx, 3);
	CHECK_EQ_U64(ev->old, 0);
	CHECK_EQ_U64(ev->new, PG_V);
}

/* A PTE ref through a window at a root with nothing below it: a ref that
 * does not resolve.  *h: the machine's hash then; the log is cleared. */
static pt_ref_t
dead_window_ref(struct machine *mc, uint64_t *h)
{
	pt_ref_t r;

	win_point(mc, WIN_INTR, new_table(mc));
	r = pt_window(mc, WIN_INTR, UVA, PT_LVL_PTE);
	*h = machine_hash(mc, 0);
	mach_log_clear(mc);
	return r;
}

TEST(unresolvable_window_store_is_lost_and_logged)
{
	struct machine *mc = mk(1);
	const struct mach_event *ev;
	uint64_t h;
	pt_ref_t r = dead_window_ref(mc, &h);

	pt_store(mc, r, ptoa(9) | PG_V);
	CHECK_EQ_U64(machine_hash(mc, 0), h);
	CHECK(last_event(mc, EV_PTE_WRITE) == NULL);
	ev = last_event(mc, EV_PTE_LOST);
	CHECK(ev != NULL);
	CHECK_EQ_U64(ev->win, WIN_INTR);
	CHECK_EQ_U64(ev->va, UVA);
	CHECK_EQ_U64(pt_load(mc, r), 0);
}

/* A dead window entry reads as 0 and swallows stores, so a compare-and-set
 * loop through it ends: a swap from 0 "succeeds" (lost, logged), any other
 * fails.  It used to fail always, and pmap_enter spun forever. */
TEST(unresolvable_window_cmpset_from_zero_is_lost_not_refused)
{
	struct machine *mc = mk(1);
	const struct mach_event *ev;
	uint64_t h;
	pt_ref_t r = dead_window_ref(mc, &h);

	CHECK_EQ_U64(pt_cmpset(mc, r, PG_V, 0), 0);
	CHECK(last_event(mc, EV_PTE_LOST) == NULL);
	CHECK_EQ_U64(pt_cmpset(mc, r, 0, ptoa(9) | PG_V), 1);
	CHECK_EQ_U64(machine_hash(mc, 0), h);
	CHECK(last_event(mc, EV_PTE_WRITE) == NULL);
	ev = last_event(mc, EV_PTE_LOST);
	CHECK(ev != NULL);
	CHECK_EQ_U64(ev->new, ptoa(9) | PG_V);
	CHECK_EQ_U64(pt_load(mc, r), 0);
}

TEST(cmpset_stores_only_on_match)
{
	struct machine *mc = mk(1);
	uint32_t t = new_table(mc);
	pt_ref_t r = dref(t, 0, PT_LVL_PTE);

	pt_store(mc, r, PG_V | PG_RW);
	CHECK_EQ_U64(pt_cmpset(mc, r, PG_V, 0), 0);
	CHECK_EQ_U64(pt_load(mc, r), PG_V | PG_RW);
	CHECK_EQ_U64(pt_cmpset(mc, r, PG_V | PG_RW, PG_V), 1);
	CHECK_EQ_U64(pt_clear_bits(mc, r, PG_V), PG_V);
	CHECK_EQ_U64(pt_load(mc, r), 0);
	pt_store(mc, r, PG_V);
	CHECK_EQ_U64(pt_load_clear(mc, r), PG_V);
	CHECK_EQ_U64(pt_load(mc, r), 0);
}

TEST(store_to_frame_without_table_asserts)
{
	struct machine *mc = mk(1);
	vm_page_t m = vm_page_alloc_noobj(mc, 0);

	mc->assert_hook = catch_assert;
	if (setjmp(assert_env) == 0) {
		pt_store(mc, dref(m->pfn, 0, PT_LVL_PTE), PG_V);
		CHECK(0, "pt_store did not assert");
	}
	CHECK(strncmp(assert_msg, "pt_store: ", 10) == 0, "msg '%s'",
	    assert_msg);
	CHECK(assert_fmt != NULL && strchr(assert_fmt, 0x25) != NULL,
	    "fmt is the unformatted format");
}

TEST(free_of_free_frame_asserts)
{
	struct machine *mc = mk(1);

	mc->assert_hook = catch_assert;
	if (setjmp(assert_env) == 0) {
		vm_page_free(mc, &mc->pages[100]);
		CHECK(0, "vm_page_free did not assert");
	}
	CHECK(strstr(assert_msg, "vm_page_free: frame 100") == assert_msg,
	    "msg '%s'", assert_msg);
}

TEST(walk_reports_invalid_level)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc), pfn;
	int level;
	unsigned idx;

	table_for(mc, root, UVA, PT_LVL_PDE);
	CHECK_EQ_U64(mach_walk(mc, root, UVA, &level, &pfn, &idx), 0);
	CHECK_EQ_U64(level, PT_LVL_PDE);
	CHECK_EQ_U64(idx, pmap_pde_index(UVA));
	CHECK_EQ_U64(mach_walk(mc, 0, UVA, &level, &pfn, &idx), 0);
	CHECK_EQ_U64(level, 0);
}

TEST(touch_fills_tlb_and_sets_a_m)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc), pfn;

	map4k(mc, root, UVA, 300, UPG);
	map4k(mc, root, UVA + PAGE_SIZE, 301, UPG);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA + 12, VM_PROT_WRITE, &pfn),
	    TOUCH_OK);
	CHECK_EQ_U64(pfn, 300);
	CHECK_EQ_U64(leaf(mc, root, UVA), ptoa(300) | UPG | PG_A | PG_M);
	CHECK(tlb_has(mc, 0, UVA));
	CHECK(last_event(mc, EV_TLB_FILL) != NULL);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA + PAGE_SIZE, VM_PROT_READ, &pfn),
	    TOUCH_OK);
	CHECK_EQ_U64(leaf(mc, root, UVA + PAGE_SIZE), ptoa(301) | UPG | PG_A);
}

TEST(log_mask_keeps_a_place_holder_for_a_kind_left_out)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc), pfn, before;

	map4k(mc, root, UVA, 300, UPG);
	cpu_load_cr3(mc, 0, root);
	mc->log_enabled = 1;
	mc->log_mask = MACH_LOG_ALL & ~(1u << EV_TLB_FILL);
	mach_log_clear(mc);
	before = mc->nlog;
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, &pfn), TOUCH_OK);
	CHECK(tlb_has(mc, 0, UVA));
	CHECK(last_event(mc, EV_TLB_FILL) == NULL);
	CHECK(last_event(mc, EV_NONE) != NULL, "no place holder");
	/* The A bit's store is a kind still logged in full. */
	CHECK(last_event(mc, EV_PTE_WRITE) != NULL);
	CHECK(mc->nlog > before);
}

TEST(touch_without_mapping_is_not_present)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc), pfn = 1;

	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, &pfn),
	    TOUCH_NOT_PRESENT);
	CHECK_EQ_U64(pfn, 0);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, NULL),
	    TOUCH_NOT_PRESENT);
	CHECK(!tlb_has(mc, 0, UVA));
}

TEST(write_to_readonly_mapping_is_protection_fault)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc);

	map4k(mc, root, UVA, 300, PG_V | PG_U);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_WRITE, NULL),
	    TOUCH_PROTECTION);
	CHECK_EQ_U64(leaf(mc, root, UVA), ptoa(300) | PG_V | PG_U);
	CHECK(!tlb_has(mc, 0, UVA));
}

TEST(exec_of_nx_mapping_is_protection_fault)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc);

	map4k(mc, root, UVA, 300, UPG | PG_NX);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_EXECUTE, NULL),
	    TOUCH_PROTECTION);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, NULL), TOUCH_OK);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_EXECUTE, NULL),
	    TOUCH_PROTECTION);
}

TEST(user_touch_needs_pg_u)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc), pfn;

	map4k(mc, root, UVA, 300, PG_V | PG_RW);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, NULL),
	    TOUCH_PROTECTION);
	CHECK(!tlb_has(mc, 0, UVA));
	map4k(mc, root, UVA, 300, UPG);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, &pfn), TOUCH_OK);
	CHECK_EQ_U64(pfn, 300);
}

TEST(superpage_touch_offsets_into_pde_frame)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc), pd, pfn;
	vm_offset_t va = USER_BASE + NBPDR + 37 * PAGE_SIZE;

	pd = table_for(mc, root, va, PT_LVL_PDE);
	pt_store(mc, dref(pd, pmap_pde_index(va), PT_LVL_PDE),
	    ptoa(1024) | UPG | PG_PS);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, va, VM_PROT_READ, &pfn), TOUCH_OK);
	CHECK_EQ_U64(pfn, 1024 + 37);
	CHECK(mc->cpus[0].tlb2m[0].valid && mc->cpus[0].tlb2m[0].big);
	CHECK_EQ_U64(mach_touch(mc, 0, va + PAGE_SIZE, VM_PROT_READ, &pfn),
	    TOUCH_OK);
	CHECK_EQ_U64(pfn, 1024 + 38);
	CHECK(!mc->cpus[0].tlb2m[1].valid, "second touch hit the 2M entry");
}

TEST(tlb_hit_uses_stale_translation_until_invalidated)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc), pfn;

	map4k(mc, root, UVA, 300, UPG);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, &pfn), TOUCH_OK);
	map4k(mc, root, UVA, 301, UPG);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, &pfn), TOUCH_OK);
	CHECK_EQ_U64(pfn, 300);
	tlb_invalidate_page(mc, 0, UVA + 5);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, &pfn), TOUCH_OK);
	CHECK_EQ_U64(pfn, 301);
}

TEST(write_to_clean_tlb_entry_rewalks_and_sets_m)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc), pfn;
	const struct mach_event *ev;

	map4k(mc, root, UVA, 300, UPG);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, &pfn), TOUCH_OK);
	CHECK_EQ_U64(leaf(mc, root, UVA) & PG_M, 0);
	mach_log_clear(mc);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_WRITE, &pfn), TOUCH_OK);
	CHECK_EQ_U64(pfn, 300);
	CHECK_EQ_U64(leaf(mc, root, UVA) & (PG_A | PG_M), PG_A | PG_M);
	CHECK(last_event(mc, EV_TLB_FILL) == NULL, "re-walk refilled");
	ev = last_event(mc, EV_PTE_WRITE);
	CHECK(ev != NULL && (ev->new &PG_M) != 0);
}

TEST(write_to_clean_entry_faults_when_pte_now_readonly)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc);

	map4k(mc, root, UVA, 300, UPG);
	cpu_load_cr3(mc, 0, root);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, NULL), TOUCH_OK);
	map4k(mc, root, UVA, 300, PG_V | PG_U | PG_A);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_WRITE, NULL),
	    TOUCH_PROTECTION);
	CHECK_EQ_U64(leaf(mc, root, UVA) & PG_M, 0);
	CHECK(!tlb_has(mc, 0, UVA));
}

TEST(hw_set_am_sets_bits_without_tlb_fill)
{
	struct machine *mc = mk(1);
	uint32_t root = new_table(mc);

	map4k(mc, root, UVA, 300, UPG);
	mach_hw_set_am(mc, root, UVA, 1);
	CHECK_EQ_U64(leaf(mc, root, UVA), ptoa(300) | UPG | PG_A | PG_M);
	CHECK(!tlb_has(mc, 0, UVA));
}

/* Map UVA in one root, activate it on every CPU and touch UVA there. */
static uint32_t
touch_everywhere(struct machine *mc)
{
	uint32_t root = new_table(mc);

	map4k(mc, root, UVA, 300, UPG);
	for (unsigned c = 0; c < mc->cfg.ncpus; c++) {
		cpu_load_cr3(mc, c, root);
		CHECK_EQ_U64(mach_touch(mc, c, UVA, VM_PROT_READ, NULL),
		    TOUCH_OK);
		CHECK(tlb_has(mc, c, UVA));
	}
	return root;
}

TEST(shootdown_reaches_only_cpus_in_mask)
{
	struct machine *mc = mk(3);

	touch_everywhere(mc);
	mc->curcpu = 1;
	CHECK_EQ_U64(tlb_shootdown(mc, 0x3, UVA, UVA + PAGE_SIZE), 1);
	CHECK(!tlb_has(mc, 0, UVA));
	CHECK(!tlb_has(mc, 1, UVA));
	CHECK(tlb_has(mc, 2, UVA));
}

TEST(range_shootdown_covers_whole_range)
{
	struct machine *mc = mk(1);
	uint32_t root = touch_everywhere(mc);

	map4k(mc, root, UVA + 3 * PAGE_SIZE, 303, UPG);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA + 3 * PAGE_SIZE, VM_PROT_READ, NULL),
	    TOUCH_OK);
	CHECK_EQ_U64(
	    tlb_shootdown(mc, 0x1, UVA + PAGE_SIZE, UVA + 4 * PAGE_SIZE), 1);
	CHECK(tlb_has(mc, 0, UVA));
	CHECK(!tlb_has(mc, 0, UVA + 3 * PAGE_SIZE));
}

TEST(dropped_shootdown_leaves_remote_entry)
{
	struct machine *mc = mk(2);

	touch_everywhere(mc);
	fail_site(mc, FI_SHOOTDOWN);
	CHECK_EQ_U64(tlb_shootdown(mc, 0x3, UVA, UVA + PAGE_SIZE), 0);
	CHECK_EQ_U64(hook_hits, 1);
	CHECK(!tlb_has(mc, 0, UVA));
	CHECK(tlb_has(mc, 1, UVA));
}

TEST(local_only_shootdown_skips_fault_site)
{
	struct machine *mc = mk(2);

	touch_everywhere(mc);
	fail_site(mc, FI_SHOOTDOWN);
	CHECK_EQ_U64(tlb_shootdown(mc, 0x1, UVA, UVA + PAGE_SIZE), 1);
	CHECK_EQ_U64(hook_hits, 0);
	CHECK(!tlb_has(mc, 0, UVA));
}

TEST(cr3_load_flushes_nonglobal_keeps_global)
{
	struct machine *mc = mk(1);
	uint32_t a = new_table(mc), b = new_table(mc), pfn;

	map4k(mc, a, UVA, 300, UPG);
	map4k(mc, a, KVA, 7, PG_V | PG_RW | PG_G);
	cpu_load_cr3(mc, 0, a);
	CHECK_EQ_U64(mach_touch(mc, 0, UVA, VM_PROT_READ, NULL), TOUCH_OK);
	CHECK_EQ_U64(mach_touch(mc, 0, KVA, VM_PROT_READ, NULL), TOUCH_OK);
	cpu_load_cr3(mc, 0, b);
	CHECK(!tlb_has(mc, 0, UVA));
	CHECK(tlb_has(mc, 0, KVA));
	/* b's tables do not map KVA: the global entry answers anyway. */
	CHECK_EQ_U64(mach_touch(mc, 0, KVA, VM_PROT_READ, &pfn), TOUCH_OK);
	CHECK_EQ_U64(pfn, 7);
	tlb_invalidate_all(mc, 0);
	CHECK(!tlb_has(mc, 0, KVA));
}

TEST(log_overflow_is_sticky_until_clear)
{
	struct machine *mc = mk(1);
	uint32_t t = new_table(mc);

	mach_log_clear(mc);
	for (unsigned i = 0; i < MACH_LOG_MAX + 1; i++)
		pt_store(mc, dref(t, i % NPTEPG, PT_LVL_PTE), i);
	CHECK_EQ_U64(mc->nlog, MACH_LOG_MAX);
	CHECK_EQ_U64(mc->log_overflow, 1);
	mach_log_clear(mc);
	CHECK_EQ_U64(mc->nlog, 0);
	CHECK_EQ_U64(mc->log_overflow, 0);
	mc->log_enabled = 0;
	pt_store(mc, dref(t, 0, PT_LVL_PTE), 0);
	CHECK_EQ_U64(mc->nlog, 0);
}

/*
 * A fixed workload: allocations and frees, stores into boot tables,
 * freeing a boot table, windows, touches and a shootdown.
 */
static void
workload(struct machine *mc, uint32_t boot_root, uint32_t boot_pt)
{
	uint32_t obj = vm_object_allocate(mc), root = new_table(mc);
	vm_page_t m[40];

	for (unsigned i = 0; i < 40; i++) {
		m[i] = vm_page_alloc(mc, obj, i * 3, VM_ALLOC_WIRED);
		CHECK(m[i] != NULL);
	}
	for (unsigned i = 0; i < 40; i += 2)
		vm_page_free(mc, m[i]);
	map4k(mc, root, UVA, 300, UPG);
	map4k(mc, boot_root, UVA + PAGE_SIZE, 301, UPG);
	pt_store(mc, dref(boot_pt, 100, PT_LVL_PTE), PG_V);
	win_point(mc, WIN_APT, root);
	pt_store(mc, pt_window(mc, WIN_APT, UVA, PT_LVL_PTE), ptoa(302) | UPG);
	for (unsigned c = 0; c < mc->cfg.ncpus; c++) {
		cpu_load_cr3(mc, c, c == 0 ? root : boot_root);
		CHECK_EQ_U64(mach_touch(mc, c, UVA, VM_PROT_WRITE, NULL),
		    c == 0 ? TOUCH_OK : TOUCH_NOT_PRESENT);
		CHECK_EQ_U64(
		    mach_touch(mc, c, UVA + PAGE_SIZE, VM_PROT_WRITE, NULL),
		    c == 0 ? TOUCH_NOT_PRESENT : TOUCH_OK);
	}
	mc->curcpu = 1;
	mc->cpus[1].intr_level = 2;
	CHECK_EQ_U64(tlb_shootdown(mc, 0x3, UVA, UVA + 2 * PAGE_SIZE), 1);
	/* Free a boot table frame (its entries are stale: a PTE page). */
	vm_page_free(mc, &mc->pages[boot_pt]);
	CHECK(vm_page_alloc_noobj(mc, VM_ALLOC_PTP) != NULL);
}

/* A small booted machine: a kernel root mapping KVA, KVA's kmem page. */
static void
boot(struct machine *mc, uint32_t *root, uint32_t *pt)
{
	*root = new_table(mc);
	CHECK(vm_page_alloc(mc, OBJ_KMEM, 7, VM_ALLOC_NOFAULT) != NULL);
	map4k(mc, *root, KVA, 7, PG_V | PG_RW | PG_G);
	*pt = table_for(mc, *root, KVA, PT_LVL_PTE);
	mach_mark_touched(mc, 7);
	machine_boot_done(mc);
}

TEST(reset_returns_boot_hash)
{
	struct machine *mc = mk(2);
	uint32_t root, pt;
	uint64_t h0, h1;

	boot(mc, &root, &pt);
	h0 = machine_hash(mc, 1);
	workload(mc, root, pt);
	h1 = machine_hash(mc, 1);
	CHECK(h1 != h0);
	machine_reset(mc);
	CHECK_EQ_U64(machine_hash(mc, 1), h0);
	CHECK_EQ_U64(mc->nlog, 0);
	CHECK_EQ_U64(mc->curcpu, 0);
	CHECK_EQ_U64(mach_table(mc, pt)[100], 0);
	/* The same work from the same state ends in the same state. */
	workload(mc, root, pt);
	CHECK_EQ_U64(machine_hash(mc, 1), h1);
	machine_reset(mc);
	CHECK_EQ_U64(machine_hash(mc, 1), h0);
}

TEST(reset_cost_proportional)
{
	struct machine *mc = mk(1);
	uint32_t root, pt;

	boot(mc, &root, &pt);
	CHECK_EQ_U64(mc->ntouched, 0);
	CHECK(vm_page_alloc_noobj(mc, 0) != NULL);
	CHECK_EQ_U64(mc->ntouched, 1);
	pt_store(mc, dref(pt, 1, PT_LVL_PTE), PG_V);
	pt_store(mc, dref(pt, 2, PT_LVL_PTE), PG_V);
	CHECK_EQ_U64(mc->ntouched, 2);
	machine_reset(mc);
	CHECK_EQ_U64(mc->ntouched, 0);
	CHECK_EQ_U64(mach_table(mc, pt)[1], 0);
}

TEST(hash_differs_after_change)
{
	struct machine *mc = mk(1);
	uint32_t t = new_table(mc);
	uint64_t h0 = machine_hash(mc, 0);

	CHECK(machine_hash(mc, 1) != h0, "seed is ignored");
	pt_store(mc, dref(t, 4, PT_LVL_PTE), PG_V);
	CHECK(machine_hash(mc, 0) != h0);
	pt_store(mc, dref(t, 4, PT_LVL_PTE), 0);
	CHECK_EQ_U64(machine_hash(mc, 0), h0);
	win_point(mc, WIN_APT, t);
	CHECK(machine_hash(mc, 0) != h0);
}

TEST(fault_site_table_matches_enum)
{
	CHECK_EQ_U64(fi_site_count, FI_SITE_MAX - 1);
	for (unsigned i = 0; i < fi_site_count; i++) {
		const struct fi_site_info *fi = &fi_site_table[i];

		CHECK(fi_site_lookup(fi->site) == fi);
		CHECK(strncmp(fi->name, "FI_", 3) == 0);
	}
	CHECK(fi_site_lookup(FI_NONE) == NULL);
	CHECK(strcmp(fi_site_lookup(FI_SHOOTDOWN)->name, "FI_SHOOTDOWN") == 0);
}

TEST_MAIN(TEST_ENTRY(config_is_clamped_to_valid_values),
    TEST_ENTRY(alloc_same_kmem_pindex_gets_same_frame_after_free),
    TEST_ENTRY(reservation_fills_to_full_pop),
    TEST_ENTRY(object_reservation_released_when_empty),
    TEST_ENTRY(kmem_reservation_stays_pinned_when_empty),
    TEST_ENTRY(alloc_fault_hook_fails_allocation),
    TEST_ENTRY(noobj_alloc_gives_zeroed_table),
    TEST_ENTRY(window_ref_resolves_through_current_root),
    TEST_ENTRY(direct_store_logs_ref_root_and_va),
    TEST_ENTRY(unresolvable_window_store_is_lost_and_logged),
    TEST_ENTRY(unresolvable_window_cmpset_from_zero_is_lost_not_refused),
    TEST_ENTRY(cmpset_stores_only_on_match),
    TEST_ENTRY(store_to_frame_without_table_asserts),
    TEST_ENTRY(free_of_free_frame_asserts),
    TEST_ENTRY(walk_reports_invalid_level),
    TEST_ENTRY(touch_fills_tlb_and_sets_a_m),
    TEST_ENTRY(log_mask_keeps_a_place_holder_for_a_kind_left_out),
    TEST_ENTRY(touch_without_mapping_is_not_present),
    TEST_ENTRY(write_to_readonly_mapping_is_protection_fault),
    TEST_ENTRY(exec_of_nx_mapping_is_protection_fault),
    TEST_ENTRY(user_touch_needs_pg_u),
    TEST_ENTRY(superpage_touch_offsets_into_pde_frame),
    TEST_ENTRY(tlb_hit_uses_stale_translation_until_invalidated),
    TEST_ENTRY(write_to_clean_tlb_entry_rewalks_and_sets_m),
    TEST_ENTRY(write_to_clean_entry_faults_when_pte_now_readonly),
    TEST_ENTRY(hw_set_am_sets_bits_without_tlb_fill),
    TEST_ENTRY(shootdown_reaches_only_cpus_in_mask),
    TEST_ENTRY(range_shootdown_covers_whole_range),
    TEST_ENTRY(dropped_shootdown_leaves_remote_entry),
    TEST_ENTRY(local_only_shootdown_skips_fault_site),
    TEST_ENTRY(cr3_load_flushes_nonglobal_keeps_global),
    TEST_ENTRY(log_overflow_is_sticky_until_clear),
    TEST_ENTRY(reset_returns_boot_hash), TEST_ENTRY(reset_cost_proportional),
    TEST_ENTRY(hash_differs_after_change),
    TEST_ENTRY(fault_site_table_matches_enum))

/*
 * test_pmap.c - the pmap core's contracts (PMAP_FACTS.md), one behaviour
 * per test: enter and extract, statistics and PV entries, promotion and
 * each reason to refuse it, demotion and its failure, removal (user,
 * kernel, page-level), write protection and dirty bits, the alternate
 * windows, TLB invalidation and shootdowns, fork's copy, unwiring, release,
 * reset, and allocation failure.  Each bug switch the core consults is
 * shown doing its historical damage next to the fixed behaviour.
 *
 * Every test pictures the pmap it is about on failure (pf_watch).
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pmap_fixture.h"
#include "pmap_internal.h"
#include "pmapfuzz/bugs.h"
#include "pmapfuzz/fault.h"
#include "pmapfuzz/pmap.h"
#include "testlib.h"

#ifndef PMAPFUZZ_FAULTS
#error "test_pmap drives the fault sites: build with -DPMAPFUZZ_FAULTS=1"
#endif

#define UVA(i) (USER_BASE + (vm_offset_t)(i)*PAGE_SIZE)
#define KVA(i) (KVA_BASE + (vm_offset_t)(i)*PAGE_SIZE)
#define PROT_RW (VM_PROT_READ | VM_PROT_WRITE)
#define BUG(b) (1ULL << (b))

/* A managed user PTE entered read/write and written (access WRITE). */
#define UPTE_DIRTY (PG_V | PG_RW | PG_U | PG_A | PG_M | PG_MANAGED | PG_NX)
/* ... entered read/write and only read: writable but clean. */
#define UPTE_CLEAN (PG_V | PG_RW | PG_U | PG_A | PG_MANAGED | PG_NX)
/* ... read-only and accessed. */
#define UPTE_RO (PG_V | PG_U | PG_A | PG_MANAGED | PG_NX)
/* A kmem PTE entered read/write and written: global, unmanaged. */
#define KPTE_DIRTY (PG_V | PG_RW | PG_G | PG_A | PG_M | PG_NX)

static struct machine *mc;
static struct pmap_sys *ps;
/* The 512 pages of one reservation, as the last fill_reservation() left
 * them. */
static vm_page_t region[NPTEPG];

static void
boot(unsigned ncpus)
{
	struct pmap_fixture *f = pf_boot(ncpus);

	mc = f->mc;
	ps = f->ps;
}

/* A new user pmap, active on cpu unless cpu < 0; pictured on failure. */
static pmap_t
new_pmap(int cpu)
{
	pmap_t p = pmap_pinit(ps);

	CHECK(p != NULL, "pmap_pinit failed");
	if (cpu >= 0)
		pmap_activate(p, (unsigned)cpu);
	pf_watch(p);
	return p;
}

static vm_page_t
page(uint32_t obj, uint64_t pindex)
{
	vm_page_t m = vm_page_alloc(mc, obj, pindex, 0);

	CHECK(m != NULL, "no frame for object %u pindex %ju", obj,
	    (uintmax_t)pindex);
	return m;
}

static void
alloc_run(vm_page_t *ma, uint32_t obj, uint64_t first, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ma[i] = page(obj, first + i);
}

/*
 * Allocate all 512 pages of a new object's first reservation into region[]
 * (frames contiguous from a 2 MiB-aligned one); returns the object.
 */
static uint32_t
fill_reservation(void)
{
	uint32_t obj = vm_object_allocate(mc);

	alloc_run(region, obj, 0, NPTEPG);
	CHECK((region[0]->pfn & (NPTEPG - 1)) == 0);
	CHECK_EQ_U64(region[NPTEPG - 1]->pfn, region[0]->pfn + NPTEPG - 1);
	return obj;
}

/*
 * Run stmt, which must stop at a PMAP_ASSERT in function in_func whose format
 * contains fmt_part; what says what returning from stmt would mean.  A
 * macro: setjmp's frame must outlive the longjmp.
 */
#define EXPECT_ASSERT(stmt, in_func, fmt_part, what)                           \
	do {                                                                   \
		pf_catch_asserts(mc);                                          \
		if (setjmp(pf_assert.env) == 0) {                              \
			stmt;                                                  \
			CHECK(0, what);                                        \
		}                                                              \
		CHECK(pf_assert.fired);                                        \
		CHECK(strcmp(pf_assert.func, in_func) == 0, "func %s",         \
		    pf_assert.func);                                           \
		CHECK(strstr(pf_assert.fmt, fmt_part) != NULL, "fmt \"%s\"",   \
		    pf_assert.fmt);                                            \
	} while (0)

static void
enter(pmap_t p, vm_offset_t va, vm_page_t m, vm_prot_t prot, unsigned flags)
{
	int rv = pmap_enter(p, va, m, prot, flags);

	CHECK(rv == KERN_SUCCESS, "pmap_enter(va %#jx) = %d", (uintmax_t)va,
	    rv);
}

static void
enter_run(pmap_t p, vm_offset_t va, vm_page_t *ma, unsigned n, vm_prot_t prot,
    unsigned flags)
{
	for (unsigned i = 0; i < n; i++)
		enter(p, va + (vm_offset_t)i * PAGE_SIZE, ma[i], prot, flags);
}

/* Boot one CPU with a pmap active on it (*pp) and one page entered read
 * and write at UVA(0) by a write access; returns the page. */
static vm_page_t
boot_one_rw_page(pmap_t *pp)
{
	vm_page_t m;

	boot(1);
	*pp = new_pmap(0);
	m = page(vm_object_allocate(mc), 0);
	enter(*pp, UVA(0), m, PROT_RW, VM_PROT_WRITE);
	return m;
}

/* Map a fresh reservation at USER_BASE read/write and written, page by
 * page, and check that the last enter promoted it. */
static void
promote_region(pmap_t p, unsigned flags)
{
	uint64_t before = ps->cnt.promotions;

	fill_reservation();
	enter_run(p, USER_BASE, region, NPTEPG, PROT_RW, VM_PROT_WRITE | flags);
	CHECK_EQ_U64(ps->cnt.promotions, before + 1);
	CHECK((pf_entry(p, USER_BASE, PT_LVL_PDE) & PG_PS) != 0);
}

static pt_entry_t
pte(pmap_t p, vm_offset_t va)
{
	return pf_entry(p, va, PT_LVL_PTE);
}

static pt_entry_t
pde(pmap_t p, vm_offset_t va)
{
	return pf_entry(p, va, PT_LVL_PDE);
}

static pt_entry_t
phys(vm_page_t m)
{
	return VM_PAGE_TO_PHYS(m);
}

static unsigned
pv_count(uint32_t head)
{
	unsigned n = 0;

	for (uint32_t i = head; i != 0; i = ps->pv[i].pv_next)
		n++;
	return n;
}

static bool
pv_has(uint32_t head, pmap_t p, vm_offset_t va)
{
	for (uint32_t i = head; i != 0; i = ps->pv[i].pv_next)
		if (ps->pv[i].pv_pmap == p->pm_id && ps->pv[i].pv_va == va)
			return true;
	return false;
}

/* The saved page-table page for va2m, 0 if none; *nslots: slots in use. */
static uint32_t
saved_ptp(pmap_t p, vm_offset_t va2m, unsigned *nslots)
{
	uint32_t pfn = 0;
	unsigned n = 0;

	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++) {
		if (p->pm_saved[i].pfn == 0)
			continue;
		n++;
		if (p->pm_saved[i].va == va2m)
			pfn = p->pm_saved[i].pfn;
	}
	if (nslots != NULL)
		*nslots = n;
	return pfn;
}

static bool
allocated(uint32_t pfn)
{
	return (mc->pages[pfn].flags & VPF_ALLOCATED) != 0;
}

static enum touch_result
touch(unsigned cpu, vm_offset_t va, vm_prot_t access, uint32_t *pfn)
{
	return mach_touch(mc, cpu, va, access, pfn);
}

static unsigned
count_events(enum mach_ev_kind kind)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < mc->nlog; i++)
		if (mc->log[i].kind == kind)
			n++;
	return n;
}

static void
log_start(void)
{
	mc->log_enabled = 1;
	mach_log_clear(mc);
}

/* ---- Fault hooks ---- */

static enum fi_site hook_site;
static unsigned hook_hits;
static unsigned hook_fail_at; /* fail that hit (1-based); 0: fail every hit */

static int
fail_hook(struct machine *hmc, enum fi_site site, const struct pt_ref *ref)
{
	(void)hmc;
	(void)ref;
	if (site != hook_site)
		return 0;
	hook_hits++;
	return hook_fail_at == 0 || hook_hits == hook_fail_at;
}

static void
fail_site(enum fi_site site, unsigned nth)
{
	hook_site = site;
	hook_hits = 0;
	hook_fail_at = nth;
	mc->fi_hook = fail_hook;
}

/*
 * Another CPU's hardware walker sets PG_M on the PTE that pmap_protect has
 * just read, once (the first hit of FI_PROTECT_PTE_READ); counts hits.
 */
static int
race_dirty_hook(struct machine *hmc, enum fi_site site,
    const struct pt_ref *ref)
{
	if (site != FI_PROTECT_PTE_READ)
		return 0;
	if (hook_hits++ == 0)
		mach_hw_set_am(hmc, ref->root, ref->va, 1);
	return 0;
}

/* ---- Enter and extract ---- */

TEST(enter_extract_round_trip)
{
	pmap_t p, kp;
	vm_page_t m, k;

	boot(1);
	p = new_pmap(0);
	m = page(vm_object_allocate(mc), 5);
	enter(p, UVA(5), m, PROT_RW, VM_PROT_READ);
	CHECK_EQ_U64(pmap_extract(p, UVA(5) + 0x123), phys(m) + 0x123);
	CHECK_EQ_U64(pmap_extract(p, UVA(5)), phys(m));
	CHECK_EQ_U64(pmap_extract(p, UVA(6)), 0);
	CHECK_EQ_U64(pmap_extract(p, UVA(5) + NBPDR), 0);
	kp = kernel_pmap(ps);
	k = page(OBJ_KMEM, 3);
	enter(kp, KVA(3), k, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(pmap_extract(kp, KVA(3) + 8), phys(k) + 8);
	CHECK_EQ_U64(pmap_extract(kp, KVA(4)), 0);
}

TEST(enter_sets_stats_and_pv)
{
	uint32_t obj, pt, pd, pdp;
	vm_page_t m, m2;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	obj = vm_object_allocate(mc);
	m = page(obj, 0);
	enter(p, UVA(0), m, PROT_RW, VM_PROT_WRITE | PMAP_ENTER_WIRED);
	CHECK_EQ_U64(pte(p, UVA(0)), phys(m) | UPTE_DIRTY | PG_W);
	/* The page and its PDP, PD and PT pages. */
	CHECK_EQ_U64(p->pm_stats.resident_count, 4);
	CHECK_EQ_U64(p->pm_stats.wired_count, 1);
	pt = pf_table(p, UVA(0), PT_LVL_PTE);
	pd = pf_table(p, UVA(0), PT_LVL_PDE);
	pdp = pf_table(p, UVA(0), PT_LVL_PDPE);
	CHECK(pt != 0 && pd != 0 && pdp != 0);
	CHECK_EQ_U64(mc->pages[pt].ref_count, 1);
	CHECK_EQ_U64(mc->pages[pd].ref_count, 1);
	CHECK_EQ_U64(mc->pages[pdp].ref_count, 1);
	CHECK_EQ_U64(pv_count(m->pv_head), 1);
	CHECK_EQ_U64(ps->pv[m->pv_head].pv_pmap, p->pm_id);
	CHECK_EQ_U64(ps->pv[m->pv_head].pv_va, UVA(0));
	CHECK_EQ_U64(m->pv2m_head, 0);
	CHECK(m->flags & VPF_WRITEABLE);

	/* A second page in the same page table: one more of each count. */
	m2 = page(obj, 1);
	enter(p, UVA(1), m2, VM_PROT_READ, VM_PROT_READ);
	CHECK_EQ_U64(pte(p, UVA(1)), phys(m2) | UPTE_RO);
	CHECK_EQ_U64(p->pm_stats.resident_count, 5);
	CHECK_EQ_U64(p->pm_stats.wired_count, 1);
	CHECK_EQ_U64(mc->pages[pt].ref_count, 2);
	CHECK_EQ_U64(mc->pages[pd].ref_count, 1);
	CHECK(pv_has(m2->pv_head, p, UVA(1)));
	CHECK((m2->flags & VPF_WRITEABLE) == 0);
}

TEST(reenter_of_unchanged_mapping_stores_nothing)
{
	uint64_t invl;
	vm_page_t m;
	pmap_t p;

	m = boot_one_rw_page(&p);
	invl = ps->cnt.invl_pages;
	log_start();
	enter(p, UVA(0), m, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(count_events(EV_PTE_WRITE), 0);
	CHECK_EQ_U64(count_events(EV_TLB_INVAL), 0);
	CHECK_EQ_U64(ps->cnt.invl_pages, invl);
	CHECK_EQ_U64(pv_count(m->pv_head), 1);
	CHECK_EQ_U64(p->pm_stats.resident_count, 4);
}

/* ---- Promotion ---- */

TEST(512_contiguous_enters_promote)
{
	unsigned nslots;
	uint32_t ptp;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	fill_reservation();
	enter_run(p, USER_BASE, region, NPTEPG - 1, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(ps->cnt.promotions, 0);
	CHECK_EQ_U64(p->pm_stats.resident_count, NPTEPG - 1 + 3);
	ptp = pf_table(p, USER_BASE, PT_LVL_PTE);
	enter(p, UVA(NPTEPG - 1), region[NPTEPG - 1], PROT_RW, VM_PROT_WRITE);

	CHECK_EQ_U64(ps->cnt.promotions, 1);
	CHECK_EQ_U64(ps->cnt.p_failures, 0);
	CHECK_EQ_U64(pde(p, USER_BASE),
	    phys(region[0]) | UPTE_DIRTY | PG_PS | PG_PROMOTED);
	CHECK_EQ_U64(saved_ptp(p, USER_BASE, &nslots), ptp);
	CHECK_EQ_U64(nslots, 1);
	CHECK(allocated(ptp));
	CHECK(mc->pages[ptp].flags & VPF_PTP_VALID);
	CHECK_EQ_U64(mc->pages[ptp].ref_count, NPTEPG);
	CHECK_EQ_U64(pv_count(region[0]->pv2m_head), 1);
	CHECK(pv_has(region[0]->pv2m_head, p, USER_BASE));
	for (unsigned i = 0; i < NPTEPG; i++) {
		CHECK(region[i]->pv_head == 0, "page %u kept a 4K pv", i);
		CHECK(i == 0 || region[i]->pv2m_head == 0);
	}
	/* 512 data pages and the PDP, PD and (saved) PT pages. */
	CHECK_EQ_U64(p->pm_stats.resident_count, NPTEPG + 3);
	CHECK_EQ_U64(pmap_extract(p, UVA(300) + 5), phys(region[300]) + 5);
}

TEST(promotion_refused_non_contiguous)
{
	vm_page_t other;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	fill_reservation();
	/* VA 7 maps another object's frame; region[7] stays allocated, so
	 * the reservation is full when the last page is entered. */
	other = page(vm_object_allocate(mc), 7);
	for (unsigned i = 0; i < NPTEPG; i++)
		enter(p, UVA(i), i == 7 ? other : region[i], PROT_RW,
		    VM_PROT_WRITE);
	CHECK_EQ_U64(ps->cnt.promotions, 0);
	CHECK_EQ_U64(ps->cnt.p_failures, 1);
	CHECK_EQ_U64(pde(p, USER_BASE) & PG_PS, 0);
	CHECK_EQ_U64(mc->pages[pf_table(p, USER_BASE, PT_LVL_PTE)].ref_count,
	    NPTEPG);
	CHECK_EQ_U64(pte(p, UVA(7)), phys(other) | UPTE_DIRTY);
	CHECK_EQ_U64(pte(p, UVA(8)), phys(region[8]) | UPTE_DIRTY);
	CHECK_EQ_U64(region[7]->pv_head, 0);
	CHECK(pv_has(other->pv_head, p, UVA(7)));
	CHECK_EQ_U64(saved_ptp(p, USER_BASE, NULL), 0);
}

TEST(promotion_refused_mismatched_bits)
{
	static const struct {
		const char *what;
		vm_prot_t prot, odd_prot;
		unsigned flags, odd_flags;
		pt_entry_t odd_pte;
	} cases[] = {
		{ "one page not wired among wired", PROT_RW, PROT_RW,
		    VM_PROT_WRITE | PMAP_ENTER_WIRED, VM_PROT_WRITE,
		    UPTE_DIRTY },
		{ "one page read-only among written read/write", PROT_RW,
		    VM_PROT_READ, VM_PROT_WRITE, VM_PROT_READ, UPTE_RO },
	};

	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		pmap_t p;

		boot(1);
		p = new_pmap(0);
		fill_reservation();
		for (unsigned i = 0; i < NPTEPG; i++)
			enter(p, UVA(i), region[i],
			    i == 300 ? cases[c].odd_prot : cases[c].prot,
			    i == 300 ? cases[c].odd_flags : cases[c].flags);
		CHECK(ps->cnt.promotions == 0, "%s", cases[c].what);
		CHECK(ps->cnt.p_failures == 1, "%s", cases[c].what);
		CHECK((pde(p, USER_BASE) & PG_PS) == 0, "%s", cases[c].what);
		CHECK_EQ_U64(pte(p, UVA(300)),
		    phys(region[300]) | cases[c].odd_pte);
		/* Written read/write PTEs keep PG_RW. */
		CHECK_EQ_U64(pte(p, UVA(301)) & ~PG_W,
		    phys(region[301]) | UPTE_DIRTY);
	}
}

TEST(promotion_refused_first_pte_not_accessed)
{
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	fill_reservation();
	enter(p, UVA(0), region[0], PROT_RW, 0);
	enter_run(p, UVA(1), region + 1, NPTEPG - 1, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(ps->cnt.promotions, 0);
	CHECK_EQ_U64(ps->cnt.p_failures, 1);
	CHECK_EQ_U64(pde(p, USER_BASE) & PG_PS, 0);
	/* Refused before anything was write-protected. */
	CHECK_EQ_U64(pte(p, UVA(0)),
	    phys(region[0]) | PG_V | PG_RW | PG_U | PG_MANAGED | PG_NX);
}

TEST(promotion_refused_reservation_not_full)
{
	vm_page_t other;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	alloc_run(region, vm_object_allocate(mc), 0, NPTEPG - 1);
	other = page(vm_object_allocate(mc), 0);
	/* The page table fills up, ending with a page whose reservation
	 * has one free frame. */
	enter(p, UVA(NPTEPG - 1), other, PROT_RW, VM_PROT_WRITE);
	enter_run(p, USER_BASE, region, NPTEPG - 1, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(reserv_of(mc, region[0])->popcnt, NPTEPG - 1);
	CHECK_EQ_U64(mc->pages[pf_table(p, USER_BASE, PT_LVL_PTE)].ref_count,
	    NPTEPG);
	/* Not even attempted. */
	CHECK_EQ_U64(ps->cnt.promotions, 0);
	CHECK_EQ_U64(ps->cnt.p_failures, 0);
	CHECK_EQ_U64(pde(p, USER_BASE) & PG_PS, 0);
}

TEST(promotion_refused_pg_ps_disabled)
{
	for (unsigned c = 0; c < 2; c++) {
		pmap_t p;

		boot(1);
		if (c == 0)
			ps->pg_ps_enabled = 0;
		else
			mc->bugs |= BUG(BUG_WA_NO_SUPERPAGES);
		p = new_pmap(0);
		fill_reservation();
		enter_run(p, USER_BASE, region, NPTEPG, PROT_RW, VM_PROT_WRITE);
		CHECK(ps->cnt.promotions == 0, "case %u", c);
		CHECK(ps->cnt.p_failures == 0, "case %u", c);
		CHECK_EQ_U64(pde(p, USER_BASE) & PG_PS, 0);
		CHECK_EQ_U64(pte(p, UVA(511)), phys(region[511]) | UPTE_DIRTY);
	}
}

TEST(writable_clean_ptes_made_readonly_by_promotion)
{
	uint32_t ptp;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	fill_reservation();
	enter_run(p, USER_BASE, region, NPTEPG, PROT_RW, VM_PROT_READ);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
	CHECK_EQ_U64(pde(p, USER_BASE),
	    phys(region[0]) | UPTE_RO | PG_PS | PG_PROMOTED);
	ptp = saved_ptp(p, USER_BASE, NULL);
	CHECK(ptp != 0);
	for (unsigned i = 0; i < NPTEPG; i++)
		CHECK(mach_table(mc, ptp)[i] == (phys(region[i]) | UPTE_RO),
		    "saved pte %u is %#jx", i,
		    (uintmax_t)mach_table(mc, ptp)[i]);
	/* A write now faults, so the VM can dirty the page it writes. */
	CHECK_EQ_U64(touch(0, UVA(9), VM_PROT_WRITE, NULL), TOUCH_PROTECTION);
}

/* ---- Demotion ---- */

TEST(demotion_yields_512_equivalent_ptes)
{
	pt_entry_t oldpde, newpte;
	unsigned nslots;
	uint32_t ptp;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	promote_region(p, 0);
	oldpde = pde(p, USER_BASE);
	ptp = saved_ptp(p, USER_BASE, NULL);
	CHECK(pmap_demote_pde(p, UVA(77)));

	CHECK_EQ_U64(ps->cnt.demotions, 1);
	CHECK_EQ_U64(ps->cnt.d_failures, 0);
	CHECK_EQ_U64(pde(p, USER_BASE), ptoa(ptp) | PG_TABLE_USER);
	CHECK_EQ_U64(saved_ptp(p, USER_BASE, &nslots), 0);
	CHECK_EQ_U64(nslots, 0);
	CHECK_EQ_U64(mc->pages[ptp].flags & VPF_PTP_VALID, 0);
	CHECK_EQ_U64(mc->pages[ptp].ref_count, NPTEPG);
	newpte = oldpde & ~(PG_PS | PG_PROMOTED);
	for (unsigned i = 0; i < NPTEPG; i++) {
		CHECK(pte(p, UVA(i)) == newpte + i * PAGE_SIZE,
		    "pte %u is %#jx", i, (uintmax_t)pte(p, UVA(i)));
		CHECK(pv_count(region[i]->pv_head) == 1 &&
			pv_has(region[i]->pv_head, p, UVA(i)),
		    "pv of page %u", i);
	}
	CHECK_EQ_U64(region[0]->pv2m_head, 0);
	CHECK_EQ_U64(p->pm_stats.resident_count, NPTEPG + 3);
}

TEST(demotion_gives_every_pte_the_pdes_accessed_bit)
{
	pt_entry_t newpte;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	fill_reservation();
	/* Only the first page was accessed: enough for promotion today. */
	enter(p, UVA(0), region[0], VM_PROT_READ, VM_PROT_READ);
	enter_run(p, UVA(1), region + 1, NPTEPG - 1, VM_PROT_READ, 0);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
	CHECK_EQ_U64(pde(p, USER_BASE),
	    phys(region[0]) | UPTE_RO | PG_PS | PG_PROMOTED);
	CHECK(pmap_demote_pde(p, USER_BASE));
	newpte = phys(region[0]) | UPTE_RO;
	for (unsigned i = 0; i < NPTEPG; i++)
		CHECK(pte(p, UVA(i)) == newpte + i * PAGE_SIZE,
		    "pte %u is %#jx, the pde had PG_A", i,
		    (uintmax_t)pte(p, UVA(i)));
}

TEST(demotion_failure_destroys_mapping)
{
	uint32_t ptp, pd, pdp;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	promote_region(p, 0);
	ptp = saved_ptp(p, USER_BASE, NULL);
	pd = pf_table(p, USER_BASE, PT_LVL_PDE);
	pdp = pf_table(p, USER_BASE, PT_LVL_PDPE);
	CHECK(touch(0, UVA(3), VM_PROT_READ, NULL) == TOUCH_OK);
	fail_site(FI_ALLOC_PV, 0);
	CHECK(!pmap_demote_pde(p, UVA(3)));

	CHECK_EQ_U64(hook_hits, 1);
	CHECK_EQ_U64(ps->cnt.d_failures, 1);
	CHECK_EQ_U64(ps->cnt.demotions, 0);
	CHECK_EQ_U64(mach_table(mc, p->pm_pml4)[pmap_pml4e_index(USER_BASE)],
	    0);
	CHECK_EQ_U64(pmap_extract(p, UVA(3)), 0);
	CHECK(pf_tlb_entry(mc, 0, UVA(3)) == NULL);
	CHECK_EQ_U64(region[0]->pv2m_head, 0);
	for (unsigned i = 0; i < NPTEPG; i++) {
		CHECK(region[i]->pv_head == 0, "page %u has a pv", i);
		/* The PDE was dirty: every page is. */
		CHECK((region[i]->flags & (VPF_DIRTY | VPF_WRITEABLE)) ==
			VPF_DIRTY,
		    "page %u flags %#x", i, region[i]->flags);
	}
	/* Data pages, the saved PT page, then the emptied PD and PDP. */
	CHECK_EQ_U64(p->pm_stats.resident_count, 0);
	CHECK_EQ_U64(p->pm_stats.wired_count, 0);
	CHECK_EQ_U64(saved_ptp(p, USER_BASE, NULL), 0);
	CHECK(!allocated(ptp) && !allocated(pd) && !allocated(pdp));
}

TEST(enter_over_superpage_demotes)
{
	vm_page_t other;
	uint32_t ptp;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	promote_region(p, 0);
	ptp = saved_ptp(p, USER_BASE, NULL);
	other = page(vm_object_allocate(mc), 0);
	enter(p, UVA(5), other, PROT_RW, VM_PROT_WRITE);

	CHECK_EQ_U64(ps->cnt.demotions, 1);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
	CHECK_EQ_U64(pde(p, USER_BASE), ptoa(ptp) | PG_TABLE_USER);
	CHECK_EQ_U64(pte(p, UVA(5)), phys(other) | UPTE_DIRTY);
	CHECK_EQ_U64(pte(p, UVA(4)), phys(region[4]) | UPTE_DIRTY);
	CHECK_EQ_U64(pte(p, UVA(6)), phys(region[6]) | UPTE_DIRTY);
	CHECK_EQ_U64(region[5]->pv_head, 0);
	CHECK(region[5]->flags & VPF_DIRTY);
	CHECK(pv_has(other->pv_head, p, UVA(5)));
	CHECK(pv_has(region[6]->pv_head, p, UVA(6)));
	CHECK_EQ_U64(region[0]->pv2m_head, 0);
	CHECK_EQ_U64(p->pm_stats.resident_count, NPTEPG + 3);
}

TEST(enter_over_superpage_asserts_with_kmem_litter)
{
	pmap_t kp;
	char want[256];

	boot(1);
	kp = kernel_pmap(ps);
	pf_watch(kp);
	mc->bugs |= BUG(BUG_KMEM_LITTER);
	alloc_run(region, OBJ_KMEM, 0, NPTEPG);
	enter_run(kp, KVA_BASE, region, NPTEPG, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
	CHECK_EQ_U64(ps->cnt.p_failures, NPTEPG - 1);
	EXPECT_ASSERT(
	    (void)pmap_enter(kp, KVA(5), region[5], PROT_RW, VM_PROT_WRITE),
	    "pmap_enter_pde", "attempted pmap_enter on 2MB page",
	    "pmap_enter on a 2MB page returned");
	snprintf(want, sizeof(want),
	    "pmap_enter_pde: attempted pmap_enter "
	    "on 2MB page at va %#jx, pde %#jx",
	    (uintmax_t)KVA(5),
	    (uintmax_t)(phys(region[0]) | KPTE_DIRTY | PG_PS | PG_PROMOTED));
	CHECK(strcmp(pf_assert.msg, want) == 0, "msg \"%s\"", pf_assert.msg);
}

/*
 * An upper entry that names a frame beyond memory (a corrupted table) stops
 * the core's walk with its own assertion; the walk never reads the machine's
 * frame array out of bounds.
 */
TEST(walk_through_entry_beyond_memory_asserts)
{
	pmap_t kp;
	uint32_t pd;
	unsigned idx = pmap_level_index(KVA(0), PT_LVL_PDE);
	pt_entry_t bad = ptoa((vm_paddr_t)1 << 24) | PG_V | PG_RW;

	boot(1);
	kp = kernel_pmap(ps);
	pf_watch(kp);
	pd = pf_table(kp, KVA(0), PT_LVL_PDE);
	CHECK(pd != 0);
	mach_table(mc, pd)[idx] = bad;
	EXPECT_ASSERT((void)pmap_extract(kp, KVA(0)), "pmap_ref",
	    "points at a non-table",
	    "pmap_extract walked through a frame beyond memory");
}

/*
 * A managed PTE corrupted to name a frame beyond memory: removing it stops
 * with an assertion in the function that looks the frame up, as FreeBSD
 * panics on PHYS_TO_VM_PAGE's NULL; the frame array is never read or
 * written out of bounds (pmap_remove_pte would mark the "page" dirty and
 * walk its PV list).
 */
TEST(remove_of_pte_beyond_memory_asserts)
{
	uint32_t obj, pt;
	vm_page_t ma[1];
	pmap_t p;
	unsigned idx = pmap_pte_index(UVA(0));

	boot(1);
	p = new_pmap(0);
	obj = vm_object_allocate(mc);
	alloc_run(ma, obj, 0, 1);
	enter_run(p, USER_BASE, ma, 1, PROT_RW, VM_PROT_WRITE);
	pt = pf_table(p, UVA(0), PT_LVL_PTE);
	CHECK(pt != 0);
	mach_table(mc, pt)[idx] =
	    (mach_table(mc, pt)[idx] & ~PG_FRAME) | ptoa((vm_paddr_t)1 << 24);
	EXPECT_ASSERT(pmap_remove(p, UVA(0), UVA(1)), "pmap_remove_pte",
	    "beyond memory", "pmap_remove looked up a frame beyond memory");
}

/* ---- Removal ---- */

TEST(remove_clears_every_pte_and_frees_empty_user_ptps)
{
	uint32_t obj, pt, pd, pdp;
	vm_page_t ma[3];
	unsigned frames;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	obj = vm_object_allocate(mc);
	alloc_run(ma, obj, 0, 3);
	frames = pf_allocated_frames(mc);
	enter_run(p, USER_BASE, ma, 3, PROT_RW, VM_PROT_WRITE);
	pt = pf_table(p, USER_BASE, PT_LVL_PTE);
	pd = pf_table(p, USER_BASE, PT_LVL_PDE);
	pdp = pf_table(p, USER_BASE, PT_LVL_PDPE);
	CHECK_EQ_U64(pf_allocated_frames(mc), frames + 3);

	pmap_remove(p, UVA(0), UVA(2));
	CHECK_EQ_U64(pte(p, UVA(0)), 0);
	CHECK_EQ_U64(pte(p, UVA(1)), 0);
	CHECK_EQ_U64(pte(p, UVA(2)), phys(ma[2]) | UPTE_DIRTY);
	CHECK_EQ_U64(mc->pages[pt].ref_count, 1);
	CHECK_EQ_U64(p->pm_stats.resident_count, 1 + 3);
	CHECK(ma[0]->pv_head == 0 && ma[1]->pv_head == 0);
	CHECK((ma[0]->flags & (VPF_DIRTY | VPF_WRITEABLE)) == VPF_DIRTY);

	pmap_remove(p, UVA(2), UVA(3));
	CHECK_EQ_U64(p->pm_stats.resident_count, 0);
	CHECK_EQ_U64(mach_table(mc, p->pm_pml4)[pmap_pml4e_index(USER_BASE)],
	    0);
	CHECK(!allocated(pt) && !allocated(pd) && !allocated(pdp));
	CHECK_EQ_U64(pf_allocated_frames(mc), frames);
	CHECK_EQ_U64(ma[2]->pv_head, 0);
}

/* Map kmem pages 8..11 and fill cpu 0's TLB for page 9. */
static void
kmem_map_four(vm_page_t *ma, pt_entry_t *ptes)
{
	pmap_t kp = kernel_pmap(ps);

	alloc_run(ma, OBJ_KMEM, 8, 4);
	enter_run(kp, KVA(8), ma, 4, PROT_RW, VM_PROT_WRITE);
	for (unsigned i = 0; i < 4; i++) {
		ptes[i] = pte(kp, KVA(8 + i));
		CHECK_EQ_U64(ptes[i], phys(ma[i]) | KPTE_DIRTY);
	}
	CHECK_EQ_U64(kp->pm_stats.resident_count, 4);
	CHECK(touch(0, KVA(9), VM_PROT_READ, NULL) == TOUCH_OK);
	CHECK(pf_tlb_entry(mc, 0, KVA(9)) != NULL);
}

TEST(kernel_remove_leaves_litter_with_kmem_litter)
{
	pt_entry_t ptes[4];
	vm_page_t ma[4];
	pmap_t kp;

	boot(1);
	kp = kernel_pmap(ps);
	pf_watch(kp);
	mc->bugs |= BUG(BUG_KMEM_LITTER);
	kmem_map_four(ma, ptes);
	pmap_remove(kp, KVA(8), KVA(12));
	for (unsigned i = 0; i < 4; i++)
		CHECK(pte(kp, KVA(8 + i)) == ptes[i], "pte %u is %#jx", 8 + i,
		    (uintmax_t)pte(kp, KVA(8 + i)));
	CHECK_EQ_U64(kp->pm_stats.resident_count, 4);
	/* 8.0 still invalidated. */
	CHECK(pf_tlb_entry(mc, 0, KVA(9)) == NULL);
}

TEST(kernel_remove_zeroes_with_fix)
{
	static const uint64_t bugs[] = { 0,
		BUG(BUG_KMEM_LITTER) | BUG(BUG_WA_ZERO_ON_UNMAP) };

	for (unsigned c = 0; c < 2; c++) {
		pt_entry_t ptes[4];
		vm_page_t ma[4];
		pmap_t kp;

		boot(1);
		kp = kernel_pmap(ps);
		pf_watch(kp);
		mc->bugs = bugs[c];
		kmem_map_four(ma, ptes);
		pmap_remove(kp, KVA(8), KVA(12));
		for (unsigned i = 0; i < 4; i++)
			CHECK(pte(kp, KVA(8 + i)) == 0,
			    "case %u: pte %u is "
			    "%#jx",
			    c, 8 + i, (uintmax_t)pte(kp, KVA(8 + i)));
		CHECK_EQ_U64(kp->pm_stats.resident_count, 0);
		CHECK(pf_tlb_entry(mc, 0, KVA(9)) == NULL);
		/* Kernel page tables stay. */
		CHECK(pf_table(kp, KVA(8), PT_LVL_PTE) != 0);
	}
}

/*
 * A page's PV list that holds a free entry (as when an interrupt freed it
 * under a walk): remove_all fails an assertion naming the entry instead of
 * taking the free marker for a pmap id.
 */
TEST(remove_all_on_list_with_free_entry_asserts)
{
	pmap_t p;
	vm_page_t m;

	m = boot_one_rw_page(&p);
	CHECK(m->pv_head != 0);
	ps->pv[m->pv_head].pv_pmap = 0xffff; /* pmap_pv.c's free marker */
	EXPECT_ASSERT(pmap_remove_all(ps, m), "pmap_remove_all", "is free",
	    "pmap_remove_all used a free PV entry");
}

TEST(remove_all_empties_pv_list_across_pmaps)
{
	pmap_t p[3];
	uint64_t invl;
	vm_page_t m;

	boot(2);
	p[0] = new_pmap(0);
	p[1] = new_pmap(1);
	p[2] = new_pmap(-1);
	pf_watch(p[1]);
	m = page(vm_object_allocate(mc), 0);
	/* p[1] and p[2] are foreign on cpu 0: reached through the window. */
	for (unsigned i = 0; i < 3; i++)
		enter(p[i], UVA(0), m, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(pv_count(m->pv_head), 3);
	CHECK(touch(0, UVA(0), VM_PROT_READ, NULL) == TOUCH_OK);
	CHECK(touch(1, UVA(0), VM_PROT_READ, NULL) == TOUCH_OK);
	invl = ps->cnt.invl_pages;

	pmap_remove_all(ps, m);
	CHECK_EQ_U64(m->pv_head, 0);
	for (unsigned i = 0; i < 3; i++) {
		CHECK(pte(p[i], UVA(0)) == 0, "pmap %u", i);
		CHECK(pmap_extract(p[i], UVA(0)) == 0, "pmap %u", i);
		CHECK(p[i]->pm_stats.resident_count == 0, "pmap %u", i);
	}
	CHECK_EQ_U64(ps->cnt.invl_pages, invl + 3);
	CHECK(pf_tlb_entry(mc, 0, UVA(0)) == NULL);
	CHECK(pf_tlb_entry(mc, 1, UVA(0)) == NULL);
	CHECK_EQ_U64(m->flags & (VPF_DIRTY | VPF_WRITEABLE), VPF_DIRTY);
}

/* ---- Write protection and dirty bits ---- */

TEST(remove_write_moves_dirty_to_page)
{
	vm_page_t dirty, clean;
	uint32_t obj;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	obj = vm_object_allocate(mc);
	dirty = page(obj, 0);
	clean = page(obj, 1);
	enter(p, UVA(0), dirty, PROT_RW, VM_PROT_WRITE);
	enter(p, UVA(1), clean, PROT_RW, VM_PROT_READ);
	CHECK(touch(0, UVA(0), VM_PROT_WRITE, NULL) == TOUCH_OK);

	pmap_remove_write(ps, dirty);
	pmap_remove_write(ps, clean);
	CHECK_EQ_U64(pte(p, UVA(0)), phys(dirty) | UPTE_RO);
	CHECK_EQ_U64(pte(p, UVA(1)), phys(clean) | UPTE_RO);
	CHECK_EQ_U64(dirty->flags & (VPF_DIRTY | VPF_WRITEABLE), VPF_DIRTY);
	CHECK_EQ_U64(clean->flags & (VPF_DIRTY | VPF_WRITEABLE), 0);
	/* The writable TLB entry went with it. */
	CHECK_EQ_U64(touch(0, UVA(0), VM_PROT_WRITE, NULL), TOUCH_PROTECTION);
}

TEST(clear_modify_clears_m)
{
	vm_page_t m;
	pmap_t p;

	m = boot_one_rw_page(&p);
	CHECK(touch(0, UVA(0), VM_PROT_WRITE, NULL) == TOUCH_OK);
	CHECK(pmap_is_modified(ps, m));

	pmap_clear_modify(ps, m);
	CHECK_EQ_U64(pte(p, UVA(0)), phys(m) | UPTE_CLEAN);
	CHECK(!pmap_is_modified(ps, m));
	/* The dirty TLB entry is gone, so the next write sets PG_M again. */
	CHECK(pf_tlb_entry(mc, 0, UVA(0)) == NULL);
	CHECK(touch(0, UVA(0), VM_PROT_WRITE, NULL) == TOUCH_OK);
	CHECK_EQ_U64(pte(p, UVA(0)), phys(m) | UPTE_DIRTY);
	CHECK(pmap_is_modified(ps, m));
}

TEST(is_modified_reports_m)
{
	vm_page_t m;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	/* 4 KiB: clean until written. */
	m = page(vm_object_allocate(mc), 0);
	enter(p, UVA(NPTEPG), m, PROT_RW, VM_PROT_READ);
	CHECK(!pmap_is_modified(ps, m));
	CHECK(touch(0, UVA(NPTEPG), VM_PROT_WRITE, NULL) == TOUCH_OK);
	CHECK(pmap_is_modified(ps, m));
	/* 2 MiB: a dirty superpage makes each of its pages modified. */
	promote_region(p, 0);
	CHECK(pmap_is_modified(ps, region[17]));
	CHECK(pmap_is_modified(ps, region[511]));
}

TEST(protect_readonly_keeps_dirty)
{
	vm_page_t dirty, racing;
	uint32_t obj;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	obj = vm_object_allocate(mc);
	dirty = page(obj, 0);
	racing = page(obj, 1);
	enter(p, UVA(0), dirty, PROT_RW, VM_PROT_WRITE);
	pmap_protect(p, UVA(0), UVA(1), VM_PROT_READ);
	CHECK_EQ_U64(pte(p, UVA(0)), phys(dirty) | UPTE_RO);
	CHECK(dirty->flags & VPF_DIRTY);

	/* Clean when read, dirtied by another CPU before the store. */
	enter(p, UVA(1), racing, PROT_RW, VM_PROT_READ);
	hook_hits = 0;
	mc->fi_hook = race_dirty_hook;
	pmap_protect(p, UVA(1), UVA(2), VM_PROT_READ);
	CHECK_EQ_U64(hook_hits, 2); /* the compare-and-set retried */
	CHECK_EQ_U64(pte(p, UVA(1)), phys(racing) | UPTE_RO);
	CHECK(racing->flags & VPF_DIRTY);
}

TEST(protect_nonatomic_loses_racing_dirty_with_bug)
{
	vm_page_t m;
	pmap_t p;

	boot(1);
	mc->bugs |= BUG(BUG_PROTECT_NONATOMIC);
	p = new_pmap(0);
	m = page(vm_object_allocate(mc), 0);
	enter(p, UVA(0), m, PROT_RW, VM_PROT_READ);
	hook_hits = 0;
	mc->fi_hook = race_dirty_hook;
	pmap_protect(p, UVA(0), UVA(1), VM_PROT_READ);
	CHECK_EQ_U64(hook_hits, 1);
	CHECK_EQ_U64(pte(p, UVA(0)), phys(m) | UPTE_RO);
	CHECK_EQ_U64(m->flags & VPF_DIRTY, 0);
	CHECK(!pmap_is_modified(ps, m));
}

/* ---- Windows ---- */

TEST(foreign_access_goes_through_window_and_bumps_generation)
{
	pmap_t mine, other;
	uint32_t gen;

	boot(1);
	mine = new_pmap(0);
	other = new_pmap(-1);
	gen = mc->win[WIN_APT].gen;
	log_start();
	enter(other, UVA(0), page(vm_object_allocate(mc), 0), PROT_RW,
	    VM_PROT_WRITE);
	CHECK_EQ_U64(mc->win[WIN_APT].root, other->pm_pml4);
	CHECK_EQ_U64(mc->win[WIN_APT].gen, gen + 1);
	CHECK_EQ_U64(mc->win[WIN_INTR].gen, 0);
	/* PML4E, PDPE, PDE, PTE: all written through the window. */
	CHECK_EQ_U64(count_events(EV_PTE_WRITE), 4);
	for (uint32_t i = 0; i < mc->nlog; i++) {
		const struct mach_event *ev = &mc->log[i];

		if (ev->kind != EV_PTE_WRITE)
			continue;
		CHECK(ev->win == WIN_APT && ev->root == other->pm_pml4,
		    "event %u: win %u root %#x", i, ev->win, ev->root);
	}
	CHECK_EQ_U64(pte(other, UVA(0)) & PG_V, PG_V);

	/* The active pmap is reached directly: the window stays put. */
	pf_watch(mine);
	log_start();
	enter(mine, UVA(0), page(vm_object_allocate(mc), 0), PROT_RW,
	    VM_PROT_WRITE);
	CHECK_EQ_U64(mc->win[WIN_APT].root, other->pm_pml4);
	CHECK_EQ_U64(mc->win[WIN_APT].gen, gen + 1);
	CHECK_EQ_U64(count_events(EV_WIN_POINT), 0);
	for (uint32_t i = 0; i < mc->nlog; i++)
		CHECK(mc->log[i].kind != EV_PTE_WRITE ||
			mc->log[i].win == WIN_NONE,
		    "event %u", i);
}

TEST(window_not_repointed_when_already_showing_pmap)
{
	uint32_t obj, gen;
	pmap_t other;

	boot(1);
	(void)new_pmap(0);
	other = new_pmap(-1);
	obj = vm_object_allocate(mc);
	enter(other, UVA(0), page(obj, 0), PROT_RW, VM_PROT_WRITE);
	gen = mc->win[WIN_APT].gen;
	CHECK_EQ_U64(mc->win[WIN_APT].root, other->pm_pml4);
	log_start();
	enter(other, UVA(1), page(obj, 1), PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(mc->win[WIN_APT].gen, gen);
	CHECK_EQ_U64(count_events(EV_WIN_POINT), 0);
	CHECK_EQ_U64(pte(other, UVA(1)) & PG_V, PG_V);
}

/* A foreign enter at interrupt level; returns the pmap entered. */
static pmap_t
enter_foreign_at_interrupt_level(void)
{
	pmap_t other;

	(void)new_pmap(0);
	other = new_pmap(-1);
	mc->cpus[mc->curcpu].intr_level = 1;
	enter(other, UVA(0), page(vm_object_allocate(mc), 0), PROT_RW,
	    VM_PROT_WRITE);
	mc->cpus[mc->curcpu].intr_level = 0;
	CHECK_EQ_U64(pte(other, UVA(0)) & PG_V, PG_V);
	return other;
}

TEST(interrupt_level_uses_intr_window_in_fixed_core)
{
	pmap_t other;

	boot(1);
	other = enter_foreign_at_interrupt_level();
	CHECK_EQ_U64(mc->win[WIN_INTR].root, other->pm_pml4);
	CHECK_EQ_U64(mc->win[WIN_INTR].gen, 1);
	CHECK_EQ_U64(mc->win[WIN_APT].root, 0);
	CHECK_EQ_U64(mc->win[WIN_APT].gen, 0);
}

TEST(shares_apt_window_with_apt_intr_clobber)
{
	pmap_t other;

	boot(1);
	mc->bugs |= BUG(BUG_APT_INTR_CLOBBER);
	other = enter_foreign_at_interrupt_level();
	CHECK_EQ_U64(mc->win[WIN_APT].root, other->pm_pml4);
	CHECK_EQ_U64(mc->win[WIN_APT].gen, 1);
	CHECK_EQ_U64(mc->win[WIN_INTR].root, 0);
	CHECK_EQ_U64(mc->win[WIN_INTR].gen, 0);
}

/* ---- TLB ---- */

TEST(tlb_entry_stale_until_invalidated)
{
	vm_page_t a, b;
	uint32_t obj, pfn, pt;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	obj = vm_object_allocate(mc);
	a = page(obj, 0);
	b = page(obj, 1);
	enter(p, UVA(0), a, PROT_RW, VM_PROT_WRITE);
	CHECK(touch(0, UVA(0), VM_PROT_READ, &pfn) == TOUCH_OK);
	CHECK_EQ_U64(pfn, a->pfn);
	/* Behind the core's back: the tables now say b. */
	pt = pf_table(p, UVA(0), PT_LVL_PTE);
	pt_store(mc,
	    pt_direct(pt, pmap_pte_index(UVA(0)), PT_LVL_PTE, p->pm_pml4,
		UVA(0)),
	    phys(b) | UPTE_DIRTY);
	CHECK(touch(0, UVA(0), VM_PROT_READ, &pfn) == TOUCH_OK);
	CHECK_EQ_U64(pfn, a->pfn);
	pmap_invalidate_page(p, UVA(0));
	CHECK(touch(0, UVA(0), VM_PROT_READ, &pfn) == TOUCH_OK);
	CHECK_EQ_U64(pfn, b->pfn);
}

TEST(shootdown_reaches_only_active_cpus)
{
	const struct tlb_entry *e;
	vm_page_t m0, m1;
	pmap_t p0, p1;
	uint32_t obj;

	boot(2);
	p0 = new_pmap(0);
	p1 = new_pmap(1);
	pf_watch(p0);
	obj = vm_object_allocate(mc);
	m0 = page(obj, 0);
	m1 = page(obj, 1);
	enter(p0, UVA(0), m0, PROT_RW, VM_PROT_WRITE);
	enter(p1, UVA(0), m1, PROT_RW, VM_PROT_WRITE);
	CHECK(touch(0, UVA(0), VM_PROT_READ, NULL) == TOUCH_OK);
	CHECK(touch(1, UVA(0), VM_PROT_READ, NULL) == TOUCH_OK);
	log_start();
	pmap_remove(p0, UVA(0), UVA(1));
	CHECK(pf_tlb_entry(mc, 0, UVA(0)) == NULL);
	e = pf_tlb_entry(mc, 1, UVA(0));
	CHECK(e != NULL && e->pfn == m1->pfn && e->root == p1->pm_pml4);
	CHECK_EQ_U64(count_events(EV_TLB_INVAL), 1);
	for (uint32_t i = 0; i < mc->nlog; i++)
		CHECK(mc->log[i].kind != EV_TLB_INVAL || mc->log[i].cpu == 0,
		    "invalidation on cpu %u", mc->log[i].cpu);
}

/*
 * With the given bug switches, map a reservation at USER_BASE in a pmap
 * active on cpus 0 and 1, with pages 0 and 300 in both TLBs before the
 * last page promotes it; then remove the whole 2 MiB mapping.
 */
static void
remove_promoted_after_touches(uint64_t bugs)
{
	pmap_t p;

	boot(2);
	mc->bugs = bugs;
	p = new_pmap(0);
	pmap_activate(p, 1);
	fill_reservation();
	enter_run(p, USER_BASE, region, NPTEPG - 1, PROT_RW, VM_PROT_WRITE);
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		CHECK(touch(cpu, UVA(0), VM_PROT_READ, NULL) == TOUCH_OK);
		CHECK(touch(cpu, UVA(300), VM_PROT_READ, NULL) == TOUCH_OK);
	}
	enter(p, UVA(511), region[511], PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
	/* Promotion flushes nothing. */
	for (unsigned cpu = 0; cpu < 2; cpu++)
		CHECK(pf_tlb_entry(mc, cpu, UVA(300)) != NULL);
	pmap_remove(p, USER_BASE, USER_BASE + NBPDR);
	CHECK_EQ_U64(p->pm_stats.resident_count, 0);
	CHECK_EQ_U64(pde(p, USER_BASE), 0);
}

TEST(promoted_removal_invalidates_whole_range)
{
	remove_promoted_after_touches(0);
	for (unsigned cpu = 0; cpu < 2; cpu++)
		for (unsigned i = 0; i < NPTEPG; i++)
			CHECK(pf_tlb_entry(mc, cpu, UVA(i)) == NULL,
			    "cpu %u still maps page %u", cpu, i);
}

TEST(promoted_removal_leaves_stale_entry_with_promoted_invl_first)
{
	remove_promoted_after_touches(BUG(BUG_PROMOTED_INVL_FIRST));
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		const struct tlb_entry *e;

		CHECK(pf_tlb_entry(mc, cpu, UVA(0)) == NULL, "cpu %u", cpu);
		e = pf_tlb_entry(mc, cpu, UVA(300));
		CHECK(e != NULL && e->pfn == region[300]->pfn,
		    "cpu %u lost its stale entry for page 300", cpu);
	}
}

/* ---- Demotion without a saved page-table page ---- */

/*
 * A 2 MiB mapping without a saved page-table page at USER_BASE, beside a
 * 4 KiB page in the next 2 MiB region (which made the PDP and PD), demoted
 * and then removed with everything else; resident counts before and
 * after the demotion and at the end go to *res.
 */
static void
demote_without_ptp(int64_t res[3])
{
	pmap_t p;

	p = new_pmap(0);
	fill_reservation();
	enter(p, USER_BASE + NBPDR, page(vm_object_allocate(mc), 0), PROT_RW,
	    VM_PROT_WRITE);
	/* pmap_enter_2m keeps no page-table page behind the PDE. */
	CHECK_EQ_U64(
	    pmap_enter_2m(p, USER_BASE, region[0], PROT_RW, VM_PROT_WRITE),
	    KERN_SUCCESS);
	res[0] = p->pm_stats.resident_count;
	CHECK(pmap_demote_pde(p, UVA(40)));
	CHECK_EQ_U64(ps->cnt.demotions, 1);
	CHECK_EQ_U64(pte(p, UVA(40)), phys(region[40]) | UPTE_DIRTY);
	CHECK_EQ_U64(mc->pages[pf_table(p, USER_BASE, PT_LVL_PTE)].ref_count,
	    NPTEPG);
	res[1] = p->pm_stats.resident_count;
	pmap_remove(p, USER_BASE, USER_BASE + USER_REGIONS * NBPDR);
	res[2] = p->pm_stats.resident_count;
}

TEST(demotion_without_saved_ptp_counts_new_ptp)
{
	int64_t res[3];

	boot(1);
	demote_without_ptp(res);
	/* The 4 KiB page, PDP, PD, its PT and the 512 pages of the PDE. */
	CHECK_EQ_U64(res[0], 4 + NPTEPG);
	CHECK_EQ_U64(res[1], 4 + NPTEPG + 1);
	CHECK_EQ_U64(res[2], 0);
}

TEST(demote_uncounted_bug_skews_resident)
{
	int64_t res[3];

	boot(1);
	mc->bugs |= BUG(BUG_DEMOTE_UNCOUNTED);
	demote_without_ptp(res);
	CHECK_EQ_U64(res[0], 4 + NPTEPG);
	CHECK_EQ_U64(res[1], 4 + NPTEPG); /* the new PT page is missing */
	CHECK_EQ_U64(res[2], (uint64_t)-1);
}

/* ---- Kernel multi-page entry ---- */

TEST(enter_multi_promotes_once_at_end)
{
	pmap_t kp;
	int rv;

	boot(1);
	kp = kernel_pmap(ps);
	pf_watch(kp);
	/* 8.x order: every page allocated before the first is entered. */
	alloc_run(region, OBJ_KMEM, 0, NPTEPG);
	rv = pmap_enter_multi(kp, KVA_BASE, region, NPTEPG, PROT_RW,
	    VM_PROT_WRITE);
	CHECK_EQ_U64(rv, KERN_SUCCESS);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
	CHECK_EQ_U64(ps->cnt.p_failures, 0);
	CHECK_EQ_U64(pde(kp, KVA_BASE),
	    phys(region[0]) | KPTE_DIRTY | PG_PS | PG_PROMOTED);
	CHECK_EQ_U64(kp->pm_stats.resident_count, NPTEPG);
}

TEST(kernel_two_loop_enter_attempts_promotion_after_every_page)
{
	pmap_t kp;

	boot(1);
	kp = kernel_pmap(ps);
	pf_watch(kp);
	alloc_run(region, OBJ_KMEM, 0, NPTEPG);
	enter(kp, KVA_BASE, region[0], PROT_RW, VM_PROT_WRITE);
	/* Attempted at once (mpte is NULL, the reservation full) and
	 * refused: today's promotion checks every PTE. */
	CHECK_EQ_U64(ps->cnt.p_failures, 1);
	CHECK_EQ_U64(pde(kp, KVA_BASE) & PG_PS, 0);
	enter_run(kp, KVA(1), region + 1, NPTEPG - 1, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(ps->cnt.p_failures, NPTEPG - 1);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
}

/* ---- Direct 2 MiB mappings (psind 1) ---- */

/* Over an empty region: one PS PDE without PG_PROMOTED, its PV entry on the
 * first page, 512 resident pages, no page table and no saved one. */
TEST(enter_2m_maps_region_with_one_unpromoted_pde)
{
	uint32_t pd;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	fill_reservation();
	CHECK_EQ_U64(
	    pmap_enter_2m(p, USER_BASE, region[0], PROT_RW, VM_PROT_WRITE),
	    KERN_SUCCESS);
	CHECK_EQ_U64(pde(p, USER_BASE), phys(region[0]) | UPTE_DIRTY | PG_PS);
	CHECK(pv_count(region[0]->pv2m_head) == 1 &&
		pv_has(region[0]->pv2m_head, p, USER_BASE),
	    "pv2m of the first page");
	CHECK_EQ_U64(region[5]->pv_head, 0);
	CHECK((region[NPTEPG - 1]->flags & VPF_WRITEABLE) != 0);
	/* The 512 pages, PDP and PD. */
	CHECK_EQ_U64(p->pm_stats.resident_count, NPTEPG + 2);
	pd = pf_table(p, USER_BASE, PT_LVL_PDE);
	CHECK_EQ_U64(mc->pages[pd].ref_count, 1);
	CHECK_EQ_U64(saved_ptp(p, USER_BASE, NULL), 0);
	CHECK_EQ_U64(pmap_extract(p, UVA(300)), phys(region[300]));
	/* Read-only, by a read access: clean. */
	pmap_remove(p, USER_BASE, USER_BASE + NBPDR);
	CHECK_EQ_U64(
	    pmap_enter_2m(p, USER_BASE, region[0], VM_PROT_READ, VM_PROT_READ),
	    KERN_SUCCESS);
	CHECK_EQ_U64(pde(p, USER_BASE),
	    phys(region[0]) | (UPTE_CLEAN & ~PG_RW) | PG_PS);
}

/* Over 4 KiB mappings: they go with their PV entries and page table, and
 * the CPU that cached one of them loses it; the PD survives. */
TEST(enter_2m_replaces_4k_mappings_and_their_page_table)
{
	uint32_t pt, pfn;
	pmap_t p;

	boot(2);
	p = new_pmap(0);
	pmap_activate(p, 1);
	fill_reservation();
	enter_run(p, USER_BASE, region, 3, PROT_RW, VM_PROT_WRITE);
	CHECK(touch(1, UVA(1), VM_PROT_READ, &pfn) == TOUCH_OK);
	pt = pf_table(p, USER_BASE, PT_LVL_PTE);
	CHECK_EQ_U64(
	    pmap_enter_2m(p, USER_BASE, region[0], PROT_RW, VM_PROT_WRITE),
	    KERN_SUCCESS);
	CHECK((pde(p, USER_BASE) & (PG_PS | PG_PROMOTED)) == PG_PS);
	CHECK(!allocated(pt), "page table %#x still allocated", pt);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ_U64(region[i]->pv_head, 0);
	CHECK_EQ_U64(pv_count(region[0]->pv2m_head), 1);
	CHECK((region[1]->flags & VPF_DIRTY) != 0);
	CHECK_EQ_U64(p->pm_stats.resident_count, NPTEPG + 2);
	CHECK(pf_tlb_entry(mc, 1, UVA(1)) == NULL,
	    "cpu 1 still caches the removed 4 KiB mapping");
}

/* Off when superpages are; a PV entry that cannot be had leaves the pmap
 * as it was; wired or misaligned is the caller's error. */
TEST(enter_2m_failures_leave_pmap_unchanged)
{
	pt_entry_t pml4[NPTEPG];
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	fill_reservation();
	memcpy(pml4, mach_table(mc, p->pm_pml4), sizeof(pml4));
	ps->pg_ps_enabled = 0;
	CHECK_EQ_U64(
	    pmap_enter_2m(p, USER_BASE, region[0], PROT_RW, VM_PROT_WRITE),
	    KERN_FAILURE);
	ps->pg_ps_enabled = 1;
	fail_site(FI_ALLOC_PV, 1);
	CHECK_EQ_U64(
	    pmap_enter_2m(p, USER_BASE, region[0], PROT_RW, VM_PROT_WRITE),
	    KERN_RESOURCE_SHORTAGE);
	CHECK(memcmp(pml4, mach_table(mc, p->pm_pml4), sizeof(pml4)) == 0,
	    "pml4 changed");
	CHECK_EQ_U64(p->pm_stats.resident_count, 0);
	CHECK_EQ_U64(region[0]->pv2m_head, 0);
	mc->fi_hook = NULL;
	EXPECT_ASSERT((void)pmap_enter_2m(p, USER_BASE, region[0], PROT_RW,
			  VM_PROT_WRITE | PMAP_ENTER_WIRED),
	    "pmap_enter_2m_locked", "wired", "a wired 2 MiB user mapping");
	EXPECT_ASSERT((void)pmap_enter_2m(p, USER_BASE, region[1], PROT_RW,
			  VM_PROT_WRITE),
	    "pmap_enter_2m_locked", "aligned", "a misaligned frame");
}

/*
 * The kernel: its page table stays, zero-filled, as the saved page of the
 * new 2 MiB mapping, not valid; a demotion fills it.  With
 * kernel-2m-zero-ptp the demotion takes it as it is: no PTE survives.
 * Returns the demoted region's PTE for page 40.
 */
static pt_entry_t
kernel_enter_2m_then_demote(uint64_t bugs)
{
	pmap_t kp;
	uint32_t pt, saved;

	boot(1);
	mc->bugs |= bugs;
	kp = kernel_pmap(ps);
	pf_watch(kp);
	alloc_run(region, OBJ_KMEM, 0, NPTEPG);
	pt = pf_table(kp, KVA_BASE, PT_LVL_PTE);
	CHECK_EQ_U64(pmap_enter_2m(kp, KVA_BASE, region[0], PROT_RW,
			 VM_PROT_WRITE | PMAP_ENTER_WIRED),
	    KERN_SUCCESS);
	CHECK_EQ_U64(pde(kp, KVA_BASE),
	    phys(region[0]) | KPTE_DIRTY | PG_W | PG_PS);
	saved = saved_ptp(kp, KVA_BASE, NULL);
	CHECK(saved == pt, "saved page %#x, page table %#x", saved, pt);
	CHECK((mc->pages[pt].flags & VPF_PTP_VALID) == 0, "valid");
	CHECK_EQ_U64(kp->pm_stats.resident_count, NPTEPG);
	CHECK_EQ_U64(kp->pm_stats.wired_count, NPTEPG);
	CHECK(pmap_demote_pde(kp, KVA(40)));
	CHECK_EQ_U64(pf_table(kp, KVA_BASE, PT_LVL_PTE), pt);
	return pte(kp, KVA(40));
}

TEST(kernel_enter_2m_keeps_zero_page_table_that_demotion_fills)
{
	CHECK_EQ_U64(kernel_enter_2m_then_demote(0),
	    phys(region[40]) | KPTE_DIRTY | PG_W);
}

TEST(kernel_2m_zero_ptp_bug_demotes_onto_empty_page_table)
{
	CHECK_EQ_U64(kernel_enter_2m_then_demote(BUG(BUG_KERNEL_2M_ZERO_PTP)),
	    0);
}

/* Prefault: a whole region of one full reservation as one read-only 2 MiB
 * mapping without PG_A; pages outside it one by one, read-only, where
 * nothing maps them; nothing over what is mapped. */
TEST(enter_object_maps_superpage_and_quick_pages)
{
	vm_page_t ma[NPTEPG + 2];
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	fill_reservation();
	memcpy(ma, region, sizeof(region));
	alloc_run(&ma[NPTEPG], vm_object_allocate(mc), 0, 2);
	enter(p, UVA(NPTEPG + 1), ma[NPTEPG + 1], PROT_RW, VM_PROT_WRITE);
	pmap_enter_object(p, USER_BASE, ma, NPTEPG + 2, PROT_RW);
	CHECK_EQ_U64(pde(p, USER_BASE),
	    phys(region[0]) | ((UPTE_RO & ~PG_A) | PG_PS));
	CHECK_EQ_U64(pte(p, UVA(NPTEPG)), phys(ma[NPTEPG]) | (UPTE_RO & ~PG_A));
	CHECK_EQ_U64(pte(p, UVA(NPTEPG + 1)),
	    phys(ma[NPTEPG + 1]) | UPTE_DIRTY);
	CHECK_EQ_U64(pv_count(region[0]->pv2m_head), 1);
	CHECK_EQ_U64(pv_count(ma[NPTEPG]->pv_head), 1);
	CHECK_EQ_U64(pv_count(ma[NPTEPG + 1]->pv_head), 1);
	/* Again: everything is mapped, nothing changes. */
	pmap_enter_object(p, USER_BASE, ma, NPTEPG + 2, PROT_RW);
	pmap_enter_object(p, UVA(5), &region[5], 3, PROT_RW);
	CHECK_EQ_U64(pv_count(region[0]->pv2m_head), 1);
	CHECK_EQ_U64(region[5]->pv_head, 0);
	/* The 514 pages, PDP, PD and the second region's PT. */
	CHECK_EQ_U64(p->pm_stats.resident_count, NPTEPG + 2 + 3);
}

/* Advisory: a page whose PV entry or page-table page cannot be had is
 * left out, and leaves no empty page table behind. */
TEST(enter_object_leaves_out_what_cannot_be_had)
{
	unsigned frames;
	vm_page_t ma[2];
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	alloc_run(ma, vm_object_allocate(mc), 0, 2);
	frames = pf_allocated_frames(mc);
	fail_site(FI_ALLOC_PV, 0);
	pmap_enter_object(p, USER_BASE, ma, 2, PROT_RW);
	CHECK_EQ_U64(hook_hits, 2);
	CHECK_EQ_U64(pf_allocated_frames(mc), frames);
	fail_site(FI_ALLOC_PTP, 1);
	pmap_enter_object(p, USER_BASE, ma, 2, PROT_RW);
	CHECK_EQ_U64(pte(p, UVA(0)), 0);
	CHECK_EQ_U64(pte(p, UVA(1)), phys(ma[1]) | (UPTE_RO & ~PG_A));
	CHECK_EQ_U64(p->pm_stats.resident_count, 1 + 3);
	CHECK_EQ_U64(ma[0]->pv_head, 0);
}

/* quick-over-2m: the second prefault falls back to 4 KiB enters, which
 * record a PV entry for every page under the 2 MiB mapping. */
TEST(enter_object_quick_over_2m_bug_records_false_pv_entries)
{
	pmap_t p;

	boot(1);
	mc->bugs |= BUG(BUG_QUICK_OVER_2M);
	p = new_pmap(0);
	fill_reservation();
	pmap_enter_object(p, USER_BASE, region, NPTEPG, VM_PROT_READ);
	CHECK((pde(p, USER_BASE) & PG_PS) != 0);
	pmap_enter_object(p, USER_BASE, region, NPTEPG, VM_PROT_READ);
	CHECK(pv_has(region[5]->pv_head, p, UVA(5)), "no false entry");
	CHECK_EQ_U64(pte(p, UVA(5)), 0);
}

/* ---- Fork ---- */

/* A wired 2 MiB mapping that the range covers whole is copied as one PS
 * PDE without PG_W, with no page-table page kept behind it; the child's
 * PD counts it. */
TEST(pmap_copy_copies_2m_mapping_without_w)
{
	pmap_t parent, child;
	pt_entry_t ppde;

	boot(1);
	parent = new_pmap(0);
	fill_reservation();
	enter_run(parent, USER_BASE, region, NPTEPG, PROT_RW,
	    VM_PROT_WRITE | PMAP_ENTER_WIRED);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
	ppde = pde(parent, USER_BASE);
	child = new_pmap(-1);

	pmap_copy(child, parent, USER_BASE, NBPDR, USER_BASE);
	CHECK_EQ_U64(pde(child, USER_BASE), ppde & ~PG_W);
	CHECK(pv_count(region[0]->pv2m_head) == 2 &&
		pv_has(region[0]->pv2m_head, child, USER_BASE),
	    "pv2m of the first page");
	/* The 512 pages, PDP and PD: no PT, saved or linked. */
	CHECK_EQ_U64(child->pm_stats.resident_count, NPTEPG + 2);
	CHECK_EQ_U64(child->pm_stats.wired_count, 0);
	CHECK_EQ_U64(
	    mc->pages[pf_table(child, USER_BASE, PT_LVL_PDE)].ref_count, 1);
	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++)
		CHECK_EQ_U64(child->pm_saved[i].pfn, 0);
	/* A range that does not cover the 2 MiB whole copies nothing. */
	pmap_remove(child, USER_BASE, USER_BASE + NBPDR);
	pmap_copy(child, parent, USER_BASE, NBPDR - PAGE_SIZE, USER_BASE);
	CHECK_EQ_U64(pde(child, USER_BASE), 0);
}

TEST(pmap_copy_copies_managed_ptes_without_w_a_m)
{
	vm_page_t ma[4], kmem;
	pmap_t parent, child;
	uint32_t pt;

	boot(1);
	parent = new_pmap(0);
	alloc_run(ma, vm_object_allocate(mc), 0, 4);
	enter_run(parent, USER_BASE, ma, 4, PROT_RW,
	    VM_PROT_WRITE | PMAP_ENTER_WIRED);
	kmem = page(OBJ_KMEM, 700); /* unmanaged */
	enter(parent, UVA(4), kmem, PROT_RW, VM_PROT_WRITE);
	child = new_pmap(-1);

	pmap_copy(child, parent, USER_BASE, 5 * PAGE_SIZE, USER_BASE);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ_U64(pte(parent, UVA(i)),
		    phys(ma[i]) | UPTE_DIRTY | PG_W);
		CHECK(pte(child, UVA(i)) ==
			(phys(ma[i]) | PG_V | PG_RW | PG_U | PG_MANAGED |
			    PG_NX),
		    "child pte %u is %#jx", i, (uintmax_t)pte(child, UVA(i)));
		CHECK(pv_count(ma[i]->pv_head) == 2 &&
			pv_has(ma[i]->pv_head, child, UVA(i)),
		    "pv of page %u", i);
	}
	CHECK_EQ_U64(pte(child, UVA(4)), 0);
	CHECK_EQ_U64(child->pm_stats.resident_count, 4 + 3);
	CHECK_EQ_U64(child->pm_stats.wired_count, 0);
	pt = pf_table(child, USER_BASE, PT_LVL_PTE);
	CHECK_EQ_U64(mc->pages[pt].ref_count, 4);
	CHECK_EQ_U64(parent->pm_stats.resident_count, 5 + 3);
	CHECK_EQ_U64(parent->pm_stats.wired_count, 4);
	CHECK_EQ_U64(mc->win[WIN_APT].root, child->pm_pml4);
}

/*
 * fork's copy of a promoted region into a child with no tables yet, the
 * 2 MiB mapping's PV entry refused (FreeBSD's PMAP_ENTER_NORECLAIM).
 * Returns the child; its PD page, if any is left, in *pd.
 */
static pmap_t
copy_2m_pv_refused(uint64_t bugs, uint32_t *pd)
{
	pmap_t parent, child;

	boot(1);
	mc->bugs |= bugs;
	parent = new_pmap(0);
	fill_reservation();
	enter_run(parent, USER_BASE, region, NPTEPG, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(ps->cnt.promotions, 1);
	child = new_pmap(-1);
	fail_site(FI_ALLOC_PV, 1);
	pmap_copy(child, parent, USER_BASE, NBPDR, USER_BASE);
	CHECK_EQ_U64(hook_hits, 1);
	CHECK_EQ_U64(pde(child, USER_BASE), 0);
	CHECK_EQ_U64(pv_count(region[0]->pv2m_head), 1);
	*pd = pf_table(child, USER_BASE, PT_LVL_PDE);
	return child;
}

TEST(pmap_copy_refused_2m_pv_frees_the_tables_it_allocated)
{
	uint32_t pd;
	pmap_t child = copy_2m_pv_refused(0, &pd);

	/* The PD and PDP it allocated for the copy are gone again. */
	CHECK_EQ_U64(pd, 0);
	CHECK_EQ_U64(
	    mach_table(mc, child->pm_pml4)[pmap_pml4e_index(USER_BASE)], 0);
	CHECK_EQ_U64(child->pm_stats.resident_count, 0);
}

TEST(copy_leak_ptp_bug_leaves_empty_pd_linked)
{
	uint32_t pd;
	pmap_t child = copy_2m_pv_refused(1 << BUG_COPY_LEAK_PTP, &pd);

	CHECK(pd != 0, "no PD page");
	CHECK_EQ_U64(mc->pages[pd].ref_count, 0);
	for (unsigned i = 0; i < NPTEPG; i++)
		CHECK_EQ_U64(mach_table(mc, pd)[i], 0);
	/* The PDP and the PD, counted as resident. */
	CHECK_EQ_U64(child->pm_stats.resident_count, 2);
}

/* A 4 KiB mapping's PV entry refused: the copy stops there, and a page
 * table allocated for it goes again. */
TEST(pmap_copy_refused_4k_pv_stops_the_copy)
{
	vm_page_t ma[4];
	pmap_t parent, child;

	boot(1);
	parent = new_pmap(0);
	alloc_run(ma, vm_object_allocate(mc), 0, 4);
	enter_run(parent, USER_BASE, ma, 4, PROT_RW, VM_PROT_WRITE);
	child = new_pmap(-1);
	fail_site(FI_ALLOC_PV, 3);
	pmap_copy(child, parent, USER_BASE, 4 * PAGE_SIZE, USER_BASE);
	CHECK_EQ_U64(hook_hits, 3);
	CHECK(pte(child, UVA(0)) != 0 && pte(child, UVA(1)) != 0,
	    "pages 0 and 1 not copied");
	CHECK_EQ_U64(pte(child, UVA(2)), 0);
	CHECK_EQ_U64(pte(child, UVA(3)), 0);
	CHECK_EQ_U64(
	    mc->pages[pf_table(child, USER_BASE, PT_LVL_PTE)].ref_count, 2);
	CHECK_EQ_U64(child->pm_stats.resident_count, 2 + 3);
	CHECK_EQ_U64(pv_count(ma[2]->pv_head), 1);

	child = new_pmap(-1);
	fail_site(FI_ALLOC_PV, 1);
	pmap_copy(child, parent, USER_BASE, 4 * PAGE_SIZE, USER_BASE);
	CHECK_EQ_U64(
	    mach_table(mc, child->pm_pml4)[pmap_pml4e_index(USER_BASE)], 0);
	CHECK_EQ_U64(child->pm_stats.resident_count, 0);
}

/* ---- Wiring ---- */

TEST(unwire_clears_pg_w_and_wired_count)
{
	vm_page_t ma[3];
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	alloc_run(ma, vm_object_allocate(mc), 0, 3);
	enter_run(p, USER_BASE, ma, 3, PROT_RW,
	    VM_PROT_WRITE | PMAP_ENTER_WIRED);
	CHECK_EQ_U64(p->pm_stats.wired_count, 3);
	pmap_unwire(p, UVA(0), UVA(2));
	CHECK_EQ_U64(pte(p, UVA(0)), phys(ma[0]) | UPTE_DIRTY);
	CHECK_EQ_U64(pte(p, UVA(1)), phys(ma[1]) | UPTE_DIRTY);
	CHECK_EQ_U64(pte(p, UVA(2)), phys(ma[2]) | UPTE_DIRTY | PG_W);
	CHECK_EQ_U64(p->pm_stats.wired_count, 1);
	CHECK_EQ_U64(p->pm_stats.resident_count, 3 + 3);
}

TEST(unwire_superpage_clears_pg_w_without_demotion)
{
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	promote_region(p, PMAP_ENTER_WIRED);
	CHECK_EQ_U64(p->pm_stats.wired_count, NPTEPG);
	pmap_unwire(p, USER_BASE, USER_BASE + NBPDR);
	CHECK_EQ_U64(pde(p, USER_BASE),
	    phys(region[0]) | UPTE_DIRTY | PG_PS | PG_PROMOTED);
	CHECK_EQ_U64(p->pm_stats.wired_count, 0);
	CHECK_EQ_U64(ps->cnt.demotions, 0);
}

/* ---- Lifecycle ---- */

TEST(release_requires_empty_pmap)
{
	unsigned frames;
	uint32_t pml4;
	pmap_t p;

	boot(1);
	frames = pf_allocated_frames(mc);
	p = new_pmap(0);
	pml4 = p->pm_pml4;
	enter(p, UVA(0), page(vm_object_allocate(mc), 0), PROT_RW,
	    VM_PROT_WRITE);
	pf_catch_asserts(mc);
	if (setjmp(pf_assert.env) == 0) {
		pmap_release(p);
		CHECK(0, "released a pmap with mappings");
	}
	CHECK(strcmp(pf_assert.func, "pmap_release") == 0, "func %s",
	    pf_assert.func);
	CHECK(strcmp(pf_assert.msg,
		  "pmap_release: pmap 1 has resident count 4") == 0,
	    "msg \"%s\"", pf_assert.msg);
	CHECK(p->pm_inuse && allocated(pml4));

	mc->assert_hook = NULL;
	pmap_remove(p, USER_BASE, USER_BASE + USER_REGIONS * NBPDR);
	pmap_activate(kernel_pmap(ps), 0);
	CHECK_EQ_U64(p->pm_active, 0);
	pmap_release(p);
	CHECK(!p->pm_inuse && !allocated(pml4));
	/* Only the data page is left of what the test allocated. */
	CHECK_EQ_U64(pf_allocated_frames(mc), frames + 1);
}

static uint64_t
state_hash(void)
{
	return machine_hash(mc, 0) ^ pmap_sys_hash(ps, 0);
}

/* Some of everything: two pmaps, a promotion, a fork, touches, kmem, a
 * remove_all and a demotion. */
static void
some_work(void)
{
	pmap_t p, child;
	vm_page_t k;

	p = new_pmap(0);
	promote_region(p, 0);
	child = new_pmap(-1);
	enter(child, UVA(NPTEPG), page(vm_object_allocate(mc), 0), PROT_RW,
	    VM_PROT_WRITE);
	CHECK(touch(0, UVA(3), VM_PROT_WRITE, NULL) == TOUCH_OK);
	CHECK(pmap_demote_pde(p, UVA(3)));
	pmap_copy(child, p, USER_BASE, 16 * PAGE_SIZE, USER_BASE);
	pmap_remove_all(ps, region[2]);
	k = page(OBJ_KMEM, 9);
	enter(kernel_pmap(ps), KVA(9), k, PROT_RW, VM_PROT_WRITE);
	CHECK(touch(0, KVA(9), VM_PROT_READ, NULL) == TOUCH_OK);
}

TEST(reset_returns_initial_state_hash)
{
	uint64_t h0, h1;

	boot(2);
	h0 = state_hash();
	some_work();
	h1 = state_hash();
	CHECK(h1 != h0);
	machine_reset(mc);
	pmap_sys_reset(ps);
	CHECK_EQ_U64(state_hash(), h0);
	/* And the same work gives the same state again. */
	some_work();
	CHECK_EQ_U64(state_hash(), h1);
}

/* ---- Allocation failure ---- */

TEST(alloc_failure_in_enter_leaves_pmap_unchanged)
{
	pt_entry_t pml4[NPTEPG];
	uint32_t ntable_free;
	unsigned frames;
	vm_page_t m;
	pmap_t p;

	boot(1);
	p = new_pmap(0);
	m = page(vm_object_allocate(mc), 0);
	memcpy(pml4, mach_table(mc, p->pm_pml4), sizeof(pml4));
	frames = pf_allocated_frames(mc);
	ntable_free = mc->ntable_free;
	/* Fail the first, second, then third page-table page. */
	for (unsigned n = 1; n <= 3; n++) {
		int rv;

		fail_site(FI_ALLOC_PTP, n);
		rv = pmap_enter(p, UVA(0), m, PROT_RW, VM_PROT_WRITE);
		CHECK(rv == KERN_RESOURCE_SHORTAGE, "fail #%u: rv %d", n, rv);
		CHECK(hook_hits == n, "fail #%u: %u hits", n, hook_hits);
		CHECK(p->pm_stats.resident_count == 0, "fail #%u", n);
		CHECK(pf_allocated_frames(mc) == frames, "fail #%u: %u frames",
		    n, pf_allocated_frames(mc));
		CHECK(mc->ntable_free == ntable_free, "fail #%u", n);
		CHECK(memcmp(pml4, mach_table(mc, p->pm_pml4), sizeof(pml4)) ==
			0,
		    "fail #%u: pml4 changed", n);
		CHECK(m->pv_head == 0, "fail #%u", n);
	}
	/* Three allocations: a fourth failure point is never reached. */
	fail_site(FI_ALLOC_PTP, 4);
	enter(p, UVA(0), m, PROT_RW, VM_PROT_WRITE);
	CHECK_EQ_U64(hook_hits, 3);
	CHECK_EQ_U64(p->pm_stats.resident_count, 4);
	CHECK_EQ_U64(pf_allocated_frames(mc), frames + 3);
}

TEST_MAIN(TEST_ENTRY(enter_extract_round_trip),
    TEST_ENTRY(enter_sets_stats_and_pv),
    TEST_ENTRY(reenter_of_unchanged_mapping_stores_nothing),
    TEST_ENTRY(512_contiguous_enters_promote),
    TEST_ENTRY(promotion_refused_non_contiguous),
    TEST_ENTRY(promotion_refused_mismatched_bits),
    TEST_ENTRY(promotion_refused_first_pte_not_accessed),
    TEST_ENTRY(promotion_refused_reservation_not_full),
    TEST_ENTRY(promotion_refused_pg_ps_disabled),
    TEST_ENTRY(writable_clean_ptes_made_readonly_by_promotion),
    TEST_ENTRY(demotion_yields_512_equivalent_ptes),
    TEST_ENTRY(demotion_gives_every_pte_the_pdes_accessed_bit),
    TEST_ENTRY(demotion_failure_destroys_mapping),
    TEST_ENTRY(enter_over_superpage_demotes),
    TEST_ENTRY(enter_over_superpage_asserts_with_kmem_litter),
    TEST_ENTRY(walk_through_entry_beyond_memory_asserts),
    TEST_ENTRY(remove_of_pte_beyond_memory_asserts),
    TEST_ENTRY(demotion_without_saved_ptp_counts_new_ptp),
    TEST_ENTRY(demote_uncounted_bug_skews_resident),
    TEST_ENTRY(remove_clears_every_pte_and_frees_empty_user_ptps),
    TEST_ENTRY(kernel_remove_leaves_litter_with_kmem_litter),
    TEST_ENTRY(kernel_remove_zeroes_with_fix),
    TEST_ENTRY(remove_all_empties_pv_list_across_pmaps),
    TEST_ENTRY(remove_all_on_list_with_free_entry_asserts),
    TEST_ENTRY(remove_write_moves_dirty_to_page),
    TEST_ENTRY(clear_modify_clears_m), TEST_ENTRY(is_modified_reports_m),
    TEST_ENTRY(protect_readonly_keeps_dirty),
    TEST_ENTRY(protect_nonatomic_loses_racing_dirty_with_bug),
    TEST_ENTRY(foreign_access_goes_through_window_and_bumps_generation),
    TEST_ENTRY(window_not_repointed_when_already_showing_pmap),
    TEST_ENTRY(interrupt_level_uses_intr_window_in_fixed_core),
    TEST_ENTRY(shares_apt_window_with_apt_intr_clobber),
    TEST_ENTRY(tlb_entry_stale_until_invalidated),
    TEST_ENTRY(shootdown_reaches_only_active_cpus),
    TEST_ENTRY(promoted_removal_invalidates_whole_range),
    TEST_ENTRY(promoted_removal_leaves_stale_entry_with_promoted_invl_first),
    TEST_ENTRY(enter_multi_promotes_once_at_end),
    TEST_ENTRY(kernel_two_loop_enter_attempts_promotion_after_every_page),
    TEST_ENTRY(enter_2m_maps_region_with_one_unpromoted_pde),
    TEST_ENTRY(enter_2m_replaces_4k_mappings_and_their_page_table),
    TEST_ENTRY(enter_2m_failures_leave_pmap_unchanged),
    TEST_ENTRY(kernel_enter_2m_keeps_zero_page_table_that_demotion_fills),
    TEST_ENTRY(kernel_2m_zero_ptp_bug_demotes_onto_empty_page_table),
    TEST_ENTRY(enter_object_maps_superpage_and_quick_pages),
    TEST_ENTRY(enter_object_leaves_out_what_cannot_be_had),
    TEST_ENTRY(enter_object_quick_over_2m_bug_records_false_pv_entries),
    TEST_ENTRY(pmap_copy_copies_2m_mapping_without_w),
    TEST_ENTRY(pmap_copy_copies_managed_ptes_without_w_a_m),
    TEST_ENTRY(pmap_copy_refused_2m_pv_frees_the_tables_it_allocated),
    TEST_ENTRY(copy_leak_ptp_bug_leaves_empty_pd_linked),
    TEST_ENTRY(pmap_copy_refused_4k_pv_stops_the_copy),
    TEST_ENTRY(unwire_clears_pg_w_and_wired_count),
    TEST_ENTRY(unwire_superpage_clears_pg_w_without_demotion),
    TEST_ENTRY(release_requires_empty_pmap),
    TEST_ENTRY(reset_returns_initial_state_hash),
    TEST_ENTRY(alloc_failure_in_enter_leaves_pmap_unchanged))

/*
 * pmap_core.c - the pmap under test: boot, address-space lifecycle, table
 * access (direct for the kernel and the active pmap, through an alternate
 * window for any other), invalidation, page-table page allocation and
 * release, and the mapping operations: enter, kernel enter/remove, remove,
 * protect, unwire, extract, copy.
 *
 * Superpage promotion/demotion live in pmap_promote.c, PV lists and the
 * page-level operations in pmap_pv.c.  Contracts follow FreeBSD amd64 (see
 * shared/PMAP_FACTS.md); where a bug switch is on, the historical code's
 * behaviour is taken at the exact place it differed.
 */
#include <stdlib.h>
#include <string.h>

#include "pmap_internal.h"

struct pmap_sys_boot {
	struct pmap pmaps[PMAP_MAX];
	uint32_t pv_free, pv_hwm, pv_count;
	int pg_ps_enabled;
	struct pmap_counters cnt;
};

static uint32_t
pmap_all_cpus(struct machine *mc)
{
	return (1U << mc->cfg.ncpus) - 1;
}

/* Is va inside the part of the universe that pmap may map? */
bool
pmap_va_valid(pmap_t pmap, vm_offset_t va)
{
	if (pmap_is_kernel(pmap))
		return va >= KVA_BASE && va < KVA_END;
	return (va >= USER_BASE && va < USER_BASE + USER_REGIONS * NBPDR) ||
	    (va >= KSTACK_VA && va < KSTACK_VA + KSTACK_PAGES * PAGE_SIZE);
}

/* ---- Boot and lifecycle ---- */

static vm_page_t
pmap_boot_table(struct machine *mc)
{
	vm_page_t m;

	m = vm_page_alloc_noobj(mc, VM_ALLOC_PTP | VM_ALLOC_NOFAULT);
	PMAP_ASSERT(mc, m != NULL, "out of memory at boot");
	m->flags |= VPF_KERNEL_PTP;
	m->ref_count = NPTEPG;
	return m;
}

static void
pmap_boot_link(struct machine *mc, vm_page_t table, vm_offset_t va, int level,
    vm_page_t child, uint32_t root)
{
	pt_store(mc,
	    pt_direct(table->pfn, pmap_level_index(va, level), level, root, va),
	    VM_PAGE_TO_PHYS(child) | PG_TABLE_KERN);
}

/*
 * Create the kernel pmap and preallocate the kmem arena's page-table pages:
 * one PDP, one PD and a PT per region.  They are never freed and their use
 * count is fixed at 512 (FreeBSD commit 71e26e2c0e).
 */
void
pmap_bootstrap(struct pmap_sys *ps, struct machine *mc)
{
	vm_page_t pml4, pdp, pd;
	pmap_t kp;

	memset(ps, 0, sizeof(*ps));
	ps->mc = mc;
	ps->pg_ps_enabled = 1;
	for (unsigned i = 0; i < PMAP_MAX; i++) {
		ps->pmaps[i].pm_sys = ps;
		ps->pmaps[i].pm_id = (uint16_t)i;
	}
	kp = kernel_pmap(ps);
	kp->pm_inuse = 1;
	kp->pm_active = pmap_all_cpus(mc);
	pml4 = pmap_boot_table(mc);
	kp->pm_pml4 = pml4->pfn;
	pdp = pmap_boot_table(mc);
	pd = pmap_boot_table(mc);
	pmap_boot_link(mc, pml4, KVA_BASE, PT_LVL_PML4E, pdp, pml4->pfn);
	pmap_boot_link(mc, pdp, KVA_BASE, PT_LVL_PDPE, pd, pml4->pfn);
	for (unsigned r = 0; r < KVA_REGIONS; r++) {
		vm_offset_t va = KVA_BASE + r * NBPDR;
		pmap_boot_link(mc, pd, va, PT_LVL_PDE, pmap_boot_table(mc),
		    pml4->pfn);
	}
	for (unsigned c = 0; c < mc->cfg.ncpus; c++) {
		cpu_load_cr3(mc, c, kp->pm_pml4);
		mc->cpus[c].pmap_id = 0;
	}
}

void
pmap_sys_boot_done(struct pmap_sys *ps)
{
	struct pmap_sys_boot *b = ps->boot;

	if (b == NULL) {
		b = malloc(sizeof(*b));
		if (b == NULL)
			abort();
		ps->boot = b;
	}
	memcpy(b->pmaps, ps->pmaps, sizeof(b->pmaps));
	b->pv_free = ps->pv_free;
	b->pv_hwm = ps->pv_hwm;
	b->pv_count = ps->pv_count;
	b->pg_ps_enabled = ps->pg_ps_enabled;
	b->cnt = ps->cnt;
}

/*
 * Return to the boot snapshot.  PV entries above the boot high-water mark
 * are simply forgotten: lists only reach entries handed out since, and the
 * machine's reset empties the lists of every frame touched.
 */
void
pmap_sys_reset(struct pmap_sys *ps)
{
	struct pmap_sys_boot *b = ps->boot;

	memcpy(ps->pmaps, b->pmaps, sizeof(ps->pmaps));
	ps->pv_free = b->pv_free;
	ps->pv_hwm = b->pv_hwm;
	ps->pv_count = b->pv_count;
	ps->pg_ps_enabled = b->pg_ps_enabled;
	ps->cnt = b->cnt;
}

void
pmap_sys_destroy(struct pmap_sys *ps)
{
	free(ps->boot);
	ps->boot = NULL;
}

static uint64_t
hash_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/* Hash of the pmaps, counters and every PV list, in list order. */
uint64_t
pmap_sys_hash(const struct pmap_sys *ps, uint64_t seed)
{
	const struct machine *mc = ps->mc;
	uint64_t h = hash_mix(seed, (uint64_t)ps->pg_ps_enabled);

	for (unsigned i = 0; i < PMAP_MAX; i++) {
		const struct pmap *p = &ps->pmaps[i];

		h = hash_mix(h, p->pm_inuse);
		if (!p->pm_inuse)
			continue;
		h = hash_mix(h, p->pm_pml4);
		h = hash_mix(h, p->pm_active);
		h = hash_mix(h, (uint64_t)p->pm_stats.resident_count);
		h = hash_mix(h, (uint64_t)p->pm_stats.wired_count);
		for (unsigned s = 0; s < PMAP_SAVED_MAX; s++)
			h = hash_mix(hash_mix(h, p->pm_saved[s].va),
			    p->pm_saved[s].pfn);
	}
	h = hash_mix(h, ps->cnt.promotions);
	h = hash_mix(h, ps->cnt.p_failures);
	h = hash_mix(h, ps->cnt.demotions);
	h = hash_mix(h, ps->cnt.d_failures);
	for (uint32_t f = 0; f < mc->cfg.nframes; f++) {
		const struct vm_page *m = &mc->pages[f];
		uint32_t heads[2] = { m->pv_head, m->pv2m_head };

		for (unsigned k = 0; k < 2; k++)
			for (uint32_t i = heads[k]; i != 0;
			     i = ps->pv[i].pv_next)
				h = hash_mix(hash_mix(h, f),
				    ps->pv[i].pv_va ^ ps->pv[i].pv_pmap);
	}
	return h;
}

pmap_t
pmap_by_root(struct pmap_sys *ps, uint32_t root)
{
	for (unsigned i = 0; i < PMAP_MAX; i++)
		if (ps->pmaps[i].pm_inuse && ps->pmaps[i].pm_pml4 == root)
			return &ps->pmaps[i];
	return NULL;
}

/*
 * A new user pmap: a fresh PML4 whose upper half shares the kernel's PDPs.
 * NULL when every slot is taken or the PML4 page cannot be had.
 */
pmap_t
pmap_pinit(struct pmap_sys *ps)
{
	struct machine *mc = ps->mc;
	pt_entry_t *kpml4;
	pmap_t pmap = NULL;
	vm_page_t m;

	for (unsigned i = 1; i < PMAP_MAX && pmap == NULL; i++)
		if (!ps->pmaps[i].pm_inuse)
			pmap = &ps->pmaps[i];
	if (pmap == NULL)
		return NULL;
	m = vm_page_alloc_noobj(mc, VM_ALLOC_PTP);
	if (m == NULL)
		return NULL;
	memset(&pmap->pm_stats, 0, sizeof(pmap->pm_stats));
	memset(pmap->pm_saved, 0, sizeof(pmap->pm_saved));
	pmap->pm_active = 0;
	pmap->pm_pml4 = m->pfn;
	pmap->pm_inuse = 1;
	kpml4 = mach_table(mc, kernel_pmap(ps)->pm_pml4);
	for (unsigned i = NPTEPG / 2; i < NPTEPG; i++)
		if (kpml4[i] != 0)
			pt_store(mc,
			    pt_direct(m->pfn, i, PT_LVL_PML4E, m->pfn, 0),
			    kpml4[i]);
	return pmap;
}

/* Free an emptied pmap: no mappings, no ptps, active nowhere. */
void
pmap_release(pmap_t pmap)
{
	struct machine *mc = pmap_mc(pmap);

	PMAP_ASSERT(mc, !pmap_is_kernel(pmap), "releasing the kernel pmap");
	PMAP_ASSERT(mc, pmap->pm_stats.resident_count == 0,
	    "pmap %u has resident count %jd", pmap->pm_id,
	    (intmax_t)pmap->pm_stats.resident_count);
	PMAP_ASSERT(mc, pmap->pm_active == 0, "pmap %u is active on %#x",
	    pmap->pm_id, pmap->pm_active);
	vm_page_free(mc, PHYS_TO_VM_PAGE(mc, ptoa(pmap->pm_pml4)));
	pmap->pm_pml4 = 0;
	pmap->pm_inuse = 0;
}

void
pmap_activate(pmap_t pmap, unsigned cpu)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	int16_t old = mc->cpus[cpu].pmap_id;

	if (old > 0)
		ps->pmaps[old].pm_active &= ~(1U << cpu);
	if (!pmap_is_kernel(pmap))
		pmap->pm_active |= 1U << cpu;
	cpu_load_cr3(mc, cpu, pmap->pm_pml4);
	mc->cpus[cpu].pmap_id = (int16_t)pmap->pm_id;
}

/* ---- Table access ---- */

/*
 * Which window the executing context uses for foreign pmaps.  The fixed
 * core gives interrupt-level code its own window (later i386's PMAP1); the
 * apt-intr-clobber kernel shares the one APT window with process level.
 */
static int
pmap_window(struct machine *mc)
{
	if (mc->cpus[mc->curcpu].intr_level > 0 &&
	    !bug_on(mc, BUG_APT_INTR_CLOBBER))
		return WIN_INTR;
	return WIN_APT;
}

static bool
pmap_is_direct(pmap_t pmap)
{
	struct machine *mc = pmap_mc(pmap);

	return pmap_is_kernel(pmap) ||
	    mc->cpus[mc->curcpu].pmap_id == (int16_t)pmap->pm_id;
}

/*
 * Make *ref name va's entry at level in pmap.  False when a table above
 * that level is missing (invalid or a 2 MiB leaf).  For a foreign pmap this
 * is i386's pmap_pte(): the window is pointed at pmap (only if it shows
 * another address space) and the ref is a pointer into the window, valid
 * only while nobody re-points it.
 */
bool
pmap_ref(pmap_t pmap, vm_offset_t va, int level, pt_ref_t *ref)
{
	struct machine *mc = pmap_mc(pmap);
	uint32_t pfn = pmap->pm_pml4;
	const pt_entry_t *table;

	if (!pmap_is_direct(pmap)) {
		int win = pmap_window(mc);

		if (mc->win[win].root != pmap->pm_pml4)
			win_point(mc, win, pmap->pm_pml4);
		if (!pt_window_resolve(mc, win, va, level, ref))
			return false;
		(void)FI_SITE(mc, FI_WINDOW_POINTED, ref);
		return true;
	}
	table = mach_table(mc, pfn);
	for (int l = PT_LVL_PML4E; l > level; l--) {
		pt_entry_t e = table[pmap_level_index(va, l)];

		if ((e & PG_V) == 0 || (e & PG_PS) != 0)
			return false;
		pfn = (uint32_t)atop(e & PG_FRAME);
		table = mach_table(mc, pfn);
		PMAP_ASSERT(mc, table != NULL,
		    "level %d entry %#jx for va %#jx points at a non-table", l,
		    (uintmax_t)e, (uintmax_t)va);
	}
	*ref = pt_direct(pfn, pmap_level_index(va, level), level, pmap->pm_pml4,
	    va);
	return true;
}

/* ---- Invalidation ---- */

static uint32_t
pmap_cpumask(pmap_t pmap)
{
	if (pmap_is_kernel(pmap))
		return pmap_all_cpus(pmap_mc(pmap));
	return pmap->pm_active;
}

void
pmap_invalidate_page_locked(pmap_t pmap, vm_offset_t va)
{
	pmap->pm_sys->cnt.invl_pages++;
	(void)tlb_shootdown(pmap_mc(pmap), pmap_cpumask(pmap), va,
	    va + PAGE_SIZE);
}

void
pmap_invalidate_range_locked(pmap_t pmap, vm_offset_t sva, vm_offset_t eva)
{
	pmap->pm_sys->cnt.invl_pages++;
	(void)tlb_shootdown(pmap_mc(pmap), pmap_cpumask(pmap), sva, eva);
}

void
pmap_invalidate_page(pmap_t pmap, vm_offset_t va)
{
	pmap_invalidate_page_locked(pmap, va);
}

void
pmap_invalidate_range(pmap_t pmap, vm_offset_t sva, vm_offset_t eva)
{
	pmap_invalidate_range_locked(pmap, sva, eva);
}

void
pmap_invalidate_all(pmap_t pmap)
{
	pmap_invalidate_range_locked(pmap, 0, ~(vm_offset_t)0);
}

/* ---- Page-table pages ---- */

void
pmap_add_free(struct machine *mc, struct spglist *free, uint32_t pfn)
{
	PMAP_ASSERT(mc, free->n < SPGLIST_MAX, "free list overflow");
	free->pfn[free->n++] = pfn;
}

/* Release page-table pages unlinked by this call; the caller has already
 * done the shootdown that makes them unreachable from every TLB. */
void
pmap_free_ptps(struct pmap_sys *ps, struct spglist *free)
{
	for (unsigned i = 0; i < free->n; i++) {
		vm_page_t m = &ps->mc->pages[free->pfn[i]];

		m->ref_count = 0;
		vm_page_free(ps->mc, m);
	}
	free->n = 0;
}

/*
 * The table at level (PT_LVL_PTE: the PT page, ...) that holds va's entry
 * lost one valid entry.  At zero it is unlinked from its parent, uncounted
 * and queued for freeing, and its parent loses an entry in turn.  Kernel
 * tables are fixed and never released; PML4 pages are not counted.
 */
void
pmap_unuse_table(pmap_t pmap, vm_offset_t va, int level, struct spglist *free)
{
	struct machine *mc = pmap_mc(pmap);
	pt_ref_t parent;
	pt_entry_t e;
	vm_page_t tbl;

	if (pmap_is_kernel(pmap))
		return;
	if (!pmap_ref(pmap, va, level + 1, &parent))
		PMAP_ASSERT(mc, 0, "no level %d table for va %#jx", level + 1,
		    (uintmax_t)va);
	e = pt_load(mc, parent);
	PMAP_ASSERT(mc, (e & PG_V) != 0 && (e & PG_PS) == 0,
	    "level %d entry %#jx for va %#jx is not a table", level + 1,
	    (uintmax_t)e, (uintmax_t)va);
	tbl = PHYS_TO_VM_PAGE(mc, e & PG_FRAME);
	PMAP_ASSERT(mc, tbl->ref_count > 0,
	    "page-table page %#x (level %d) use count underflow", tbl->pfn,
	    level);
	if (--tbl->ref_count > 0)
		return;
	pt_store(mc, parent, 0);
	(void)FI_SITE(mc, FI_REMOVE_BEFORE_FREE, &parent);
	pmap->pm_stats.resident_count--;
	pmap_add_free(mc, free, tbl->pfn);
	if (level + 1 <= PT_LVL_PDPE)
		pmap_unuse_table(pmap, va, level + 1, free);
}

/*
 * The caller took a count on va's table at level (a hold for an entry it
 * meant to store) and will not store it: the count is dropped, and a table
 * left empty is unlinked, freed after a shootdown of va, and its parents
 * follow (FreeBSD's pmap_abort_ptp).  A user pmap's reachable page-table
 * pages thus always hold an entry.
 */
void
pmap_abort_ptp(pmap_t pmap, vm_offset_t va, int level)
{
	struct spglist free;

	spglist_init(&free);
	pmap_unuse_table(pmap, va, level, &free);
	if (free.n == 0)
		return;
	pmap_invalidate_page_locked(pmap, va);
	pmap_free_ptps(pmap->pm_sys, &free);
}

/*
 * Make sure the tables for user va exist down to the one that the level-
 * bottom entry links (bottom PT_LVL_PDE: the PDP, PD and PT pages; bottom
 * PT_LVL_PDPE: the PDP and PD pages, for a 2 MiB mapping).  All pages
 * needed are allocated before anything is linked, so a failed allocation
 * leaves the pmap exactly as it was.  Returns 0, or -1 on allocation
 * failure.
 */
int
pmap_alloc_levels(pmap_t pmap, vm_offset_t va, int bottom)
{
	struct machine *mc = pmap_mc(pmap);
	vm_page_t pages[3];
	int top, n = 0;
	pt_ref_t ref;

	PMAP_ASSERT(mc, !pmap_is_kernel(pmap),
	    "no kernel page-table page for va %#jx", (uintmax_t)va);
	/* top: the highest level whose entry is missing. */
	for (top = bottom; top < PT_LVL_PML4E; top++)
		if (pmap_ref(pmap, va, top + 1, &ref) &&
		    (pt_load(mc, ref) & PG_V) != 0)
			break;
	for (int l = top; l >= bottom; l--) {
		pages[n] = vm_page_alloc_noobj(mc, VM_ALLOC_PTP);
		if (pages[n] == NULL) {
			while (n-- > 0)
				vm_page_free(mc, pages[n]);
			return -1;
		}
		n++;
	}
	n = 0;
	for (int l = top; l >= bottom; l--) {
		vm_page_t parent;

		if (!pmap_ref(pmap, va, l, &ref))
			PMAP_ASSERT(mc, 0, "lost level %d table for va %#jx", l,
			    (uintmax_t)va);
		pt_store(mc, ref, VM_PAGE_TO_PHYS(pages[n]) | PG_TABLE_USER);
		if (l < PT_LVL_PML4E) {
			pt_ref_t up;

			(void)pmap_ref(pmap, va, l + 1, &up);
			parent =
			    PHYS_TO_VM_PAGE(mc, pt_load(mc, up) & PG_FRAME);
			parent->ref_count++;
		}
		pmap->pm_stats.resident_count++;
		n++;
	}
	return 0;
}

/* ---- Mapping ---- */

void
pmap_page_dirty(vm_page_t m)
{
	m->flags |= VPF_DIRTY;
}

pt_entry_t
pmap_new_pte(vm_offset_t va, vm_page_t m, vm_prot_t prot, unsigned flags)
{
	pt_entry_t pte = VM_PAGE_TO_PHYS(m) | PG_V;
	unsigned access = flags & PMAP_ENTER_ACCESS_MASK;

	if (prot & VM_PROT_WRITE)
		pte |= PG_RW;
	if ((prot & VM_PROT_EXECUTE) == 0)
		pte |= PG_NX;
	pte |= va_is_kernel(va) ? PG_G : PG_U;
	if (flags & PMAP_ENTER_WIRED)
		pte |= PG_W;
	if ((m->flags & VPF_UNMANAGED) == 0)
		pte |= PG_MANAGED;
	if (access != 0)
		pte |= PG_A;
	if ((access & VM_PROT_WRITE) && (prot & VM_PROT_WRITE))
		pte |= PG_M;
	return pte;
}

/*
 * Find va's PDE with a page-table page under it, demoting a 2 MiB mapping
 * and allocating missing tables.  Returns the PT page (NULL for the
 * kernel, whose tables are not counted) in *mptep, and the PDE and its
 * ref, as last read with no fault site passed since, in *pdep and *pde_ref
 * (for pmap_ref_pte()); -1 on allocation failure (*pde_ref then says
 * nothing).
 */
int
pmap_enter_pde(pmap_t pmap, vm_offset_t va, vm_page_t *mptep, pt_ref_t *pde_ref,
    pt_entry_t *pdep)
{
	struct machine *mc = pmap_mc(pmap);
	struct spglist free;
	pt_entry_t pde;

	spglist_init(&free);
	for (;;) {
		if (!pmap_ref(pmap, va, PT_LVL_PDE, pde_ref)) {
			if (pmap_alloc_levels(pmap, va, PT_LVL_PDE) != 0)
				return -1;
			continue;
		}
		pde = pt_load(mc, *pde_ref);
		if ((pde & PG_PS) != 0) {
			/* 8.0 panicked here instead of demoting, for kernel
			 * VAs only: a user VA's pmap_allocpte demoted. */
			PMAP_ASSERT(mc,
			    !(bug_on(mc, BUG_KMEM_LITTER) &&
				pmap_is_kernel(pmap)),
			    "attempted pmap_enter on 2MB page at va %#jx, "
			    "pde %#jx",
			    (uintmax_t)va, (uintmax_t)pde);
			(void)pmap_demote_pde_locked(pmap, va, &free, false);
			pmap_free_ptps(pmap->pm_sys, &free);
			continue;
		}
		if ((pde & PG_V) == 0) {
			if (pmap_alloc_levels(pmap, va, PT_LVL_PDE) != 0)
				return -1;
			continue;
		}
		break;
	}
	*mptep =
	    pmap_is_kernel(pmap) ? NULL : PHYS_TO_VM_PAGE(mc, pde & PG_FRAME);
	*pdep = pde;
	return 0;
}

/* Drop the mapping of another frame that origpte held, keeping the slot. */
static void
pmap_enter_replace(pmap_t pmap, vm_offset_t va, pt_ref_t pte_ref)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	pt_entry_t old = pt_load_clear(mc, pte_ref);

	if ((old & PG_V) == 0)
		return;
	if (old & PG_W)
		pmap->pm_stats.wired_count--;
	if (old & PG_MANAGED) {
		vm_page_t om = PHYS_TO_VM_PAGE(mc, old & PG_FRAME);

		if ((old & (PG_M | PG_RW)) == (PG_M | PG_RW))
			pmap_page_dirty(om);
		pv_remove(ps, &om->pv_head, pmap, va);
		pmap_page_unmapped_check(ps, om);
	}
	if (old & PG_A)
		pmap_invalidate_page_locked(pmap, va);
}

/*
 * Same frame, other bits (rights, wiring): swap atomically, keeping A, and
 * M while writable (M of a mapping losing write moves to the page).
 */
static void
pmap_enter_update(pmap_t pmap, vm_offset_t va, pt_ref_t pte_ref,
    pt_entry_t newpte, vm_page_t m)
{
	struct machine *mc = pmap_mc(pmap);
	pt_entry_t old, new;

	do {
		old = pt_load(mc, pte_ref);
		new = newpte | (old & PG_A);
		if (newpte & PG_RW)
			new |= old &PG_M;
	} while (!pt_cmpset(mc, pte_ref, old, new));
	if ((old & (PG_M | PG_RW)) == (PG_M | PG_RW) && (new &PG_RW) == 0 &&
	    (old & PG_MANAGED))
		pmap_page_dirty(m);
	if ((old & PG_W) && !(new &PG_W))
		pmap->pm_stats.wired_count--;
	if (!(old & PG_W) && (new &PG_W))
		pmap->pm_stats.wired_count++;
	if ((old & PG_A) && (old & ~new &(PG_RW | PG_U)) != 0)
		pmap_invalidate_page_locked(pmap, va);
	else if ((old & PG_A) && (new & ~old &PG_NX))
		pmap_invalidate_page_locked(pmap, va);
}

int
pmap_enter_locked(pmap_t pmap, vm_offset_t va, vm_page_t m, vm_prot_t prot,
    unsigned flags, bool try_promote)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	bool litter = bug_on(mc, BUG_KMEM_LITTER);
	pt_entry_t newpte, origpte, pde;
	pt_ref_t pde_ref, pte_ref;
	vm_page_t mpte;

	va &= ~PAGE_MASK;
	PMAP_ASSERT(mc, pmap_va_valid(pmap, va),
	    "va %#jx outside pmap %u's address space", (uintmax_t)va,
	    pmap->pm_id);
	PMAP_ASSERT(mc, (m->flags & VPF_ALLOCATED) != 0,
	    "entering free frame %#x at va %#jx", m->pfn, (uintmax_t)va);
	newpte = pmap_new_pte(va, m, prot, flags);
	if (pmap_enter_pde(pmap, va, &mpte, &pde_ref, &pde) != 0)
		return KERN_RESOURCE_SHORTAGE;
	if (!pmap_ref_pte(pmap, va, &pde_ref, pde, &pte_ref))
		PMAP_ASSERT(mc, 0, "no page table for va %#jx", (uintmax_t)va);
	origpte = pt_load(mc, pte_ref);
	(void)FI_SITE(mc, FI_ENTER_PTE_READ, &pte_ref);

	if ((origpte & PG_V) && (origpte & PG_FRAME) == VM_PAGE_TO_PHYS(m)) {
		/*
		 * Already maps m.  If only A/M differ the mapping is left
		 * alone: no store, no shootdown (the seed's workaround a,
		 * today's "unchanged").  8.0 rewrote it.
		 */
		bool unchanged = ((origpte ^ newpte) & ~(PG_A | PG_M)) == 0;

		if (unchanged &&
		    (!litter || bug_on(mc, BUG_WA_ALREADY_MAPPED))) {
			if (newpte & ~origpte & (PG_A | PG_M))
				(void)pt_cmpset(mc, pte_ref, origpte,
				    origpte | (newpte & (PG_A | PG_M)));
			if (litter)
				return KERN_SUCCESS; /* Kurt's early exit */
		} else
			pmap_enter_update(pmap, va, pte_ref, newpte, m);
	} else {
		if (origpte & PG_V)
			pmap_enter_replace(pmap, va, pte_ref);
		else {
			pmap->pm_stats.resident_count++;
			if (mpte != NULL)
				mpte->ref_count++;
		}
		if (newpte & PG_W)
			pmap->pm_stats.wired_count++;
		if (newpte & PG_MANAGED) {
			pv_insert(ps, &m->pv_head, pmap, va);
			if (newpte & PG_RW)
				m->flags |= VPF_WRITEABLE;
		}
		(void)FI_SITE(mc, FI_PTE_STORE_BEFORE, &pte_ref);
		pt_store(mc, pte_ref, newpte);
		(void)FI_SITE(mc, FI_PTE_STORE_AFTER, &pte_ref);
	}

	/*
	 * If both the page-table page and the reservation are fully
	 * populated, attempt promotion.  "Fully populated" means allocated,
	 * never mapped: this is the condition seed 000 is about.
	 */
	if (try_promote && (mpte == NULL || mpte->ref_count == NPTEPG) &&
	    pmap_ps_enabled(ps) && reserv_level_iffullpop(mc, m) == 0)
		pmap_try_promote(pmap, va, m);
	return KERN_SUCCESS;
}

int
pmap_enter(pmap_t pmap, vm_offset_t va, vm_page_t m, vm_prot_t prot,
    unsigned flags)
{
	int rv;

	pmap_lock(pmap->pm_sys);
	rv = pmap_enter_locked(pmap, va, m, prot, flags, true);
	pmap_unlock(pmap->pm_sys);
	return rv;
}

/*
 * Enter a run of pages and only then try promotion of each 2 MiB region
 * the run touched (the seed's workaround c).  Stops at the first page that
 * cannot be entered and returns its error; earlier pages stay mapped.
 */
int
pmap_enter_multi(pmap_t pmap, vm_offset_t va, vm_page_t *ma, int count,
    vm_prot_t prot, unsigned flags)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	int rv = KERN_SUCCESS, i;

	pmap_lock(ps);
	for (i = 0; i < count && rv == KERN_SUCCESS; i++)
		rv = pmap_enter_locked(pmap, va + (vm_offset_t)i * PAGE_SIZE,
		    ma[i], prot, flags, false);
	for (int j = 0; j < i; j++) {
		vm_offset_t v = va + (vm_offset_t)j * PAGE_SIZE;
		pt_ref_t pde_ref;
		pt_entry_t pde;

		if (j != 0 && (v & PDRMASK) != 0)
			continue;
		if (!pmap_ps_enabled(ps) ||
		    reserv_level_iffullpop(mc, ma[j]) != 0 ||
		    !pmap_ref(pmap, v, PT_LVL_PDE, &pde_ref))
			continue;
		pde = pt_load(mc, pde_ref);
		if ((pde & PG_V) == 0 || (pde & PG_PS) != 0)
			continue;
		if (pmap_is_kernel(pmap) ||
		    PHYS_TO_VM_PAGE(mc, pde & PG_FRAME)->ref_count == NPTEPG)
			pmap_try_promote(pmap, v, ma[j]);
	}
	pmap_unlock(ps);
	return rv;
}

/* ---- Kernel unmanaged mappings ---- */

/*
 * Unmanaged kernel mappings.  Unlike FreeBSD they are counted in the
 * kernel pmap's statistics, so that the statistics always equal a recount
 * of the tables.
 */
static void
pmap_kenter_locked(struct pmap_sys *ps, vm_offset_t va, vm_paddr_t pa)
{
	struct machine *mc = ps->mc;
	pmap_t kp = kernel_pmap(ps);
	pt_entry_t old, pde, pte = pa | PG_V | PG_RW | PG_G | PG_A | PG_M;
	vm_page_t mpte;
	pt_ref_t pde_ref, ref;

	PMAP_ASSERT(mc, pmap_va_valid(kp, va), "va %#jx outside the arena",
	    (uintmax_t)va);
	if (pmap_enter_pde(kp, va, &mpte, &pde_ref, &pde) == 0)
		(void)pmap_ref_pte(kp, va, &pde_ref, pde, &ref);
	else
		(void)pmap_ref(kp, va, PT_LVL_PTE, &ref);
	old = pt_load(mc, ref);
	if (old == pte)
		return;
	pt_store(mc, ref, pte);
	if ((old & PG_V) == 0)
		kp->pm_stats.resident_count++;
	else
		pmap_invalidate_page_locked(kp, va);
	if (old & PG_W)
		kp->pm_stats.wired_count--;
}

static void
pmap_kremove_locked(struct pmap_sys *ps, vm_offset_t va)
{
	pmap_t kp = kernel_pmap(ps);
	struct spglist free;
	pt_entry_t old;
	pt_ref_t ref;

	spglist_init(&free);
	if (!pmap_ref(kp, va, PT_LVL_PDE, &ref))
		return;
	if (pt_load(ps->mc, ref) & PG_PS)
		(void)pmap_demote_pde_locked(kp, va, &free, false);
	(void)pmap_ref(kp, va, PT_LVL_PTE, &ref);
	old = pt_load_clear(ps->mc, ref);
	if ((old & PG_V) == 0)
		return;
	kp->pm_stats.resident_count--;
	if (old & PG_W)
		kp->pm_stats.wired_count--;
	PMAP_ASSERT(ps->mc, (old & PG_MANAGED) == 0,
	    "pmap_kremove of managed mapping at va %#jx", (uintmax_t)va);
}

void
pmap_kenter(struct pmap_sys *ps, vm_offset_t va, vm_paddr_t pa)
{
	pmap_lock(ps);
	pmap_kenter_locked(ps, va, pa);
	pmap_unlock(ps);
}

void
pmap_kremove(struct pmap_sys *ps, vm_offset_t va)
{
	pmap_lock(ps);
	pmap_kremove_locked(ps, va);
	pmap_invalidate_page_locked(kernel_pmap(ps), va);
	pmap_unlock(ps);
}

void
pmap_qenter(struct pmap_sys *ps, vm_offset_t va, vm_page_t *ma, int count)
{
	pmap_lock(ps);
	for (int i = 0; i < count; i++)
		pmap_kenter_locked(ps, va + (vm_offset_t)i * PAGE_SIZE,
		    VM_PAGE_TO_PHYS(ma[i]));
	pmap_unlock(ps);
}

void
pmap_qremove(struct pmap_sys *ps, vm_offset_t va, int count)
{
	pmap_lock(ps);
	for (int i = 0; i < count; i++)
		pmap_kremove_locked(ps, va + (vm_offset_t)i * PAGE_SIZE);
	pmap_invalidate_range_locked(kernel_pmap(ps), va,
	    va + (vm_offset_t)count * PAGE_SIZE);
	pmap_unlock(ps);
}

/* ---- Removal ---- */

/*
 * Remove va's 4 KiB mapping.  Returns true if a valid entry was there (the
 * caller owes a shootdown).  The kmem-litter kernel leaves kernel PTEs in
 * place (8.0's pmap_unuse_pt shortcut) but still invalidates.
 */
static bool
pmap_remove_pte(pmap_t pmap, vm_offset_t va, pt_ref_t pte_ref,
    struct spglist *free)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	pt_entry_t old;

	if (pmap_is_kernel(pmap) && bug_on(mc, BUG_KMEM_LITTER) &&
	    !bug_on(mc, BUG_WA_ZERO_ON_UNMAP))
		return (pt_load(mc, pte_ref) & PG_V) != 0;
	old = pt_load_clear(mc, pte_ref);
	if ((old & PG_V) == 0)
		return false;
	if (old & PG_W)
		pmap->pm_stats.wired_count--;
	pmap->pm_stats.resident_count--;
	if (old & PG_MANAGED) {
		vm_page_t m = PHYS_TO_VM_PAGE(mc, old & PG_FRAME);

		if ((old & (PG_M | PG_RW)) == (PG_M | PG_RW))
			pmap_page_dirty(m);
		pv_remove(ps, &m->pv_head, pmap, va);
		pmap_page_unmapped_check(ps, m);
	}
	pmap_unuse_table(pmap, va, PT_LVL_PTE, free);
	return true;
}

bool
pmap_remove_ptes(pmap_t pmap, vm_offset_t sva, vm_offset_t eva,
    struct spglist *free)
{
	bool anyvalid = false;
	pt_ref_t ref;

	for (vm_offset_t v = sva; v < eva; v += PAGE_SIZE) {
		if (!pmap_ref(pmap, v, PT_LVL_PTE, &ref))
			break; /* the page table went away */
		if (pmap_remove_pte(pmap, v, ref, free))
			anyvalid = true;
	}
	return anyvalid;
}

/* The end of the 2 MiB region holding va, clipped to eva. */
static vm_offset_t
pmap_chunk_end(vm_offset_t va, vm_offset_t eva)
{
	vm_offset_t next = trunc_2mpage(va) + NBPDR;

	return next == 0 || next > eva ? eva : next;
}

void
pmap_remove(pmap_t pmap, vm_offset_t sva, vm_offset_t eva)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	struct spglist free;
	bool anyvalid = false;

	sva &= ~PAGE_MASK;
	eva = (eva + PAGE_MASK) & ~PAGE_MASK;
	spglist_init(&free);
	pmap_lock(ps);
	for (vm_offset_t va = sva, next; va < eva; va = next) {
		pt_ref_t ref;
		pt_entry_t pde;

		next = pmap_chunk_end(va, eva);
		if (!pmap_ref(pmap, va, PT_LVL_PDE, &ref))
			continue;
		pde = pt_load(mc, ref);
		if ((pde & PG_V) == 0)
			continue;
		if (pde & PG_PS) {
			if ((va & PDRMASK) == 0 && next - va == NBPDR) {
				pmap_remove_pde(pmap, ref, va, &free);
				continue;
			}
			if (!pmap_demote_pde_locked(pmap, va, &free, false))
				continue;
		}
		if (pmap_remove_ptes(pmap, va, next, &free))
			anyvalid = true;
	}
	if (anyvalid)
		pmap_invalidate_range_locked(pmap, sva, eva);
	pmap_free_ptps(ps, &free);
	pmap_unlock(ps);
}

/* ---- Protection and wiring ---- */

void
pmap_protect(pmap_t pmap, vm_offset_t sva, vm_offset_t eva, vm_prot_t prot)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	struct spglist free;
	bool anychanged = false;

	if ((prot & VM_PROT_READ) == 0) {
		pmap_remove(pmap, sva, eva);
		return;
	}
	if ((prot & (VM_PROT_WRITE | VM_PROT_EXECUTE)) ==
	    (VM_PROT_WRITE | VM_PROT_EXECUTE))
		return;
	sva &= ~PAGE_MASK;
	eva = (eva + PAGE_MASK) & ~PAGE_MASK;
	spglist_init(&free);
	pmap_lock(ps);
	for (vm_offset_t va = sva, next; va < eva; va = next) {
		pt_ref_t ref;
		pt_entry_t pde;

		next = pmap_chunk_end(va, eva);
		if (!pmap_ref(pmap, va, PT_LVL_PDE, &ref))
			continue;
		pde = pt_load(mc, ref);
		if ((pde & PG_V) == 0)
			continue;
		if (pde & PG_PS) {
			if ((va & PDRMASK) == 0 && next - va == NBPDR) {
				pmap_protect_pde(pmap, ref, va, prot);
				continue;
			}
			/* arm64 before rS349003 kept a 2 MiB mapping it
			 * failed to demote, and skipped it here, writable. */
			if (!pmap_demote_pde_locked(pmap, va, &free,
				bug_on(mc, BUG_DEMOTE_FAIL_KEEP)))
				continue;
		}
		/*
		 * Until a valid PTE is met nothing runs but loads: no fault
		 * site, no store.  So after a direct walk the next PTEs of
		 * the run are in the same page table (ptp) and are not
		 * walked to again; a valid PTE ends the run.
		 */
		bool have_ptp = false;
		uint32_t ptp = 0;

		for (vm_offset_t v = va; v < next; v += PAGE_SIZE) {
			pt_entry_t obits, pbits;

			if (have_ptp)
				ref = pt_direct(ptp, pmap_pte_index(v),
				    PT_LVL_PTE, pmap->pm_pml4, v);
			else if (!pmap_ref(pmap, v, PT_LVL_PTE, &ref))
				break;
			else if (ref.win == WIN_NONE) {
				have_ptp = true;
				ptp = ref.pfn;
			}
		retry:
			obits = pt_load(mc, ref);
			if ((obits & PG_V) == 0)
				continue;
			have_ptp = false;
			(void)FI_SITE(mc, FI_PROTECT_PTE_READ, &ref);
			pbits = obits;
			if ((prot & VM_PROT_WRITE) == 0)
				pbits &= ~(PG_RW | PG_M);
			if ((prot & VM_PROT_EXECUTE) == 0)
				pbits |= PG_NX;
			if (pbits == obits)
				continue;
			if (bug_on(mc, BUG_PROTECT_NONATOMIC))
				pt_store(mc, ref, pbits); /* PR 61852 */
			else if (!pt_cmpset(mc, ref, obits, pbits))
				goto retry;
			if ((obits & (PG_MANAGED | PG_M | PG_RW)) ==
			    (PG_MANAGED | PG_M | PG_RW))
				pmap_page_dirty(
				    PHYS_TO_VM_PAGE(mc, obits & PG_FRAME));
			anychanged = true;
		}
	}
	if (anychanged)
		pmap_invalidate_range_locked(pmap, sva, eva);
	pmap_free_ptps(ps, &free);
	pmap_unlock(ps);
}

/* Clear PG_W in [sva, eva).  Every valid mapping there must be wired. */
void
pmap_unwire(pmap_t pmap, vm_offset_t sva, vm_offset_t eva)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	struct spglist free;

	sva &= ~PAGE_MASK;
	eva = (eva + PAGE_MASK) & ~PAGE_MASK;
	spglist_init(&free);
	pmap_lock(ps);
	for (vm_offset_t va = sva, next; va < eva; va = next) {
		pt_ref_t ref;
		pt_entry_t pde;

		next = pmap_chunk_end(va, eva);
		if (!pmap_ref(pmap, va, PT_LVL_PDE, &ref))
			continue;
		pde = pt_load(mc, ref);
		if ((pde & PG_V) == 0)
			continue;
		if (pde & PG_PS) {
			if ((va & PDRMASK) == 0 && next - va == NBPDR &&
			    pmap_unwire_pde(pmap, ref))
				continue;
			if (!pmap_demote_pde_locked(pmap, va, &free, false))
				continue;
		}
		for (vm_offset_t v = va; v < next; v += PAGE_SIZE) {
			pt_entry_t old;

			if (!pmap_ref(pmap, v, PT_LVL_PTE, &ref))
				break;
			old = pt_load(mc, ref);
			if ((old & PG_V) == 0)
				continue;
			PMAP_ASSERT(mc, (old & PG_W) != 0,
			    "pte %#jx at va %#jx is missing PG_W",
			    (uintmax_t)old, (uintmax_t)v);
			(void)pt_clear_bits(mc, ref, PG_W);
			pmap->pm_stats.wired_count--;
		}
	}
	pmap_free_ptps(ps, &free);
	pmap_unlock(ps);
}

vm_paddr_t
pmap_extract(pmap_t pmap, vm_offset_t va)
{
	struct machine *mc = pmap_mc(pmap);
	vm_paddr_t pa = 0;
	pt_entry_t e;
	pt_ref_t ref;

	pmap_lock(pmap->pm_sys);
	if (pmap_ref(pmap, va, PT_LVL_PDE, &ref)) {
		e = pt_load(mc, ref);
		if ((e & (PG_V | PG_PS)) == (PG_V | PG_PS))
			pa = (e & PG_PS_FRAME) | (va & PDRMASK);
		else if ((e & PG_V) && pmap_ref(pmap, va, PT_LVL_PTE, &ref)) {
			e = pt_load(mc, ref);
			if (e & PG_V)
				pa = (e & PG_FRAME) | (va & PAGE_MASK);
		}
	}
	pmap_unlock(pmap->pm_sys);
	return pa;
}

/* ---- Fork ---- */

/*
 * pmap_copy's 2 MiB step: if src maps va2m with a managed PS PDE, copy it
 * into dst without PG_W when dst maps nothing there, as FreeBSD's pmap_copy
 * does.  dst keeps no page-table page behind the copy: a demotion in dst
 * allocates one (FreeBSD 78d3e2f is about counting it).  Returns 0 if src
 * has no PS PDE at va2m, 1 if it has (copied, or not: dst maps something
 * there or the PV entry was refused), -1 if a page-table page for dst could
 * not be had.
 */
static int
pmap_copy_pde(pmap_t dst, pmap_t src, vm_offset_t va2m)
{
	struct pmap_sys *ps = dst->pm_sys;
	struct machine *mc = ps->mc;
	pt_entry_t spde;
	pt_ref_t ref;
	vm_page_t pdpg;

	if (!pmap_ref(src, va2m, PT_LVL_PDE, &ref))
		return 0;
	spde = pt_load(mc, ref);
	if ((spde & (PG_V | PG_PS)) != (PG_V | PG_PS))
		return 0;
	if ((spde & PG_MANAGED) == 0)
		return 1; /* as for 4 KiB: only managed mappings are copied */
	(void)FI_SITE(mc, FI_COPY_PTE, &ref);
	if (!pmap_ref(dst, va2m, PT_LVL_PDE, &ref) &&
	    (pmap_alloc_levels(dst, va2m, PT_LVL_PDPE) != 0 ||
		!pmap_ref(dst, va2m, PT_LVL_PDE, &ref)))
		return -1;
	if (pt_load(mc, ref) != 0)
		return 1;
	/* The new PDE's count on the PD page, taken before its PV entry
	 * (pmap_allocpde); the PD may have just been allocated. */
	(void)pmap_ref(dst, va2m, PT_LVL_PDPE, &ref);
	pdpg = PHYS_TO_VM_PAGE(mc, pt_load(mc, ref) & PG_FRAME);
	pdpg->ref_count++;
	/* The PV entry without reclaim (PMAP_ENTER_NORECLAIM): refused, the
	 * count goes and the copy goes on.  copy-leak-ptp only drops the
	 * count, which leaves a PD page just allocated linked and empty. */
	if (!pv_reserve(ps, 1)) {
		if (bug_on(mc, BUG_COPY_LEAK_PTP))
			pdpg->ref_count--;
		else
			pmap_abort_ptp(dst, va2m, PT_LVL_PDE);
		return 1;
	}
	pv_insert(ps, &PHYS_TO_VM_PAGE(mc, spde & PG_PS_FRAME)->pv2m_head, dst,
	    va2m);
	dst->pm_stats.resident_count += NPTEPG;
	(void)pmap_ref(dst, va2m, PT_LVL_PDE, &ref);
	pt_store(mc, ref, spde & ~PG_W);
	return 1;
}

/*
 * Copy src's managed mappings of [addr, addr + len) into dst where dst has
 * none, as FreeBSD's pmap_copy does at fork: 4 KiB ones without PG_W, PG_A
 * and PG_M, 2 MiB ones that the range covers whole without PG_W
 * (pmap_copy_pde).  Advisory: the copy stops quietly when a page-table page
 * or a 4 KiB mapping's PV entry cannot be had (a 2 MiB one refused is only
 * skipped).  Either pmap may be foreign; the window is re-pointed
 * between the two accesses of each entry, and no ref is kept across.
 */
void
pmap_copy(pmap_t dst, pmap_t src, vm_offset_t dst_addr, vm_offset_t len,
    vm_offset_t src_addr)
{
	struct pmap_sys *ps = dst->pm_sys;
	struct machine *mc = ps->mc;

	/*
	 * Until a PTE to copy is met nothing runs but loads of src: no fault
	 * site, no store.  So after a direct walk the next src PTEs of the
	 * same 2 MiB region (ptp_va2m) are in the same page table (ptp) and
	 * are not walked to again; a PTE to copy ends the run.
	 */
	bool have_ptp = false;
	vm_offset_t ptp_va2m = 0;
	uint32_t ptp = 0;

	if (dst_addr != src_addr || dst == src)
		return;
	pmap_lock(ps);
	for (vm_offset_t off = 0; off < len; off += PAGE_SIZE) {
		vm_offset_t va = src_addr + off;
		pt_entry_t spte, dpte, dpde;
		vm_page_t mpte;
		pt_ref_t ref, dpde_ref;

		if (!pmap_va_valid(src, va))
			continue;
		if ((va & PDRMASK) == 0 && len - off >= NBPDR) {
			int r = pmap_copy_pde(dst, src, va);

			if (r < 0)
				break;
			if (r > 0) {
				have_ptp = false;
				off += NBPDR - PAGE_SIZE;
				continue;
			}
		}
		if (have_ptp && trunc_2mpage(va) == ptp_va2m)
			ref = pt_direct(ptp, pmap_pte_index(va), PT_LVL_PTE,
			    src->pm_pml4, va);
		else if (!pmap_ref(src, va, PT_LVL_PTE, &ref)) {
			/* No page table here: skip to the next 2 MiB (the
			 * loop adds the last page). */
			off = trunc_2mpage(va) + NBPDR - PAGE_SIZE - src_addr;
			continue;
		} else if (ref.win == WIN_NONE) {
			have_ptp = true;
			ptp_va2m = trunc_2mpage(va);
			ptp = ref.pfn;
		}
		spte = pt_load(mc, ref);
		if ((spte & (PG_V | PG_MANAGED)) != (PG_V | PG_MANAGED))
			continue;
		have_ptp = false;
		(void)FI_SITE(mc, FI_COPY_PTE, &ref);
		if (pmap_enter_pde(dst, va, &mpte, &dpde_ref, &dpde) != 0)
			break;
		(void)pmap_ref_pte(dst, va, &dpde_ref, dpde, &ref);
		dpte = pt_load(mc, ref);
		if (dpte & PG_V)
			continue;
		/* The PTE's count on its page table (pmap_allocpte's), then
		 * the PV entry without reclaim: refused, the copy stops and a
		 * page table just allocated goes again. */
		mpte->ref_count++;
		if (!pv_reserve(ps, 1)) {
			pmap_abort_ptp(dst, va, PT_LVL_PTE);
			break;
		}
		spte &= ~(PG_W | PG_A | PG_M);
		pv_insert(ps, &PHYS_TO_VM_PAGE(mc, spte & PG_FRAME)->pv_head,
		    dst, va);
		dst->pm_stats.resident_count++;
		pt_store(mc, ref, spte);
	}
	pmap_unlock(ps);
}

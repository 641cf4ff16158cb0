/*
 * pmap_promote.c - 2 MiB superpages: promotion of 512 4 KiB mappings into
 * one PDE, demotion back (or destruction when it cannot be done), removal,
 * protection and unwiring of a whole 2 MiB mapping, and the saved
 * page-table pages that make demotion possible.
 *
 * Expected failures are counted, not errors: a failed promotion bumps
 * p_failures, a demotion that had to destroy the mapping bumps d_failures.
 */
#include "pmap_internal.h"

/* ---- Saved page-table pages (FreeBSD's pm_root trie) ---- */

bool
pmap_insert_pt_page(pmap_t pmap, vm_offset_t va2m, uint32_t pfn)
{
	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++) {
		if (pmap->pm_saved[i].pfn == 0) {
			pmap->pm_saved[i].va = va2m;
			pmap->pm_saved[i].pfn = pfn;
			return true;
		}
	}
	return false;
}

/* The trie slot of va2m's saved page, -1 if there is none. */
static int
pmap_pt_page_slot(pmap_t pmap, vm_offset_t va2m)
{
	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++)
		if (pmap->pm_saved[i].pfn != 0 && pmap->pm_saved[i].va == va2m)
			return (int)i;
	return -1;
}

/* The saved page for va2m, left in the trie; 0 if there is none. */
static uint32_t
pmap_lookup_pt_page(pmap_t pmap, vm_offset_t va2m)
{
	int i = pmap_pt_page_slot(pmap, va2m);

	return i < 0 ? 0 : pmap->pm_saved[i].pfn;
}

/* Take the saved page for va2m out of the trie; 0 if there is none. */
static uint32_t
pmap_remove_pt_page(pmap_t pmap, vm_offset_t va2m)
{
	int i = pmap_pt_page_slot(pmap, va2m);
	uint32_t pfn;

	if (i < 0)
		return 0;
	pfn = pmap->pm_saved[i].pfn;
	pmap->pm_saved[i].pfn = 0;
	pmap->pm_saved[i].va = 0;
	return pfn;
}

static void
pmap_invalidate_pde(pmap_t pmap, vm_offset_t va2m, pt_entry_t oldpde)
{
	/*
	 * A promoted mapping may have 4 KiB TLB entries for any of its
	 * pages (promotion does not flush), so all of them must go.
	 */
	if ((oldpde & PG_PROMOTED) &&
	    !bug_on(pmap_mc(pmap), BUG_PROMOTED_INVL_FIRST))
		pmap_invalidate_range_locked(pmap, va2m, va2m + NBPDR);
	else
		pmap_invalidate_page_locked(pmap, va2m);
}

/* ---- Promotion ---- */

/*
 * Clear PG_RW of a writable but clean PTE so that the superpage's dirty
 * bit stays exact; returns the PTE as it now is.  pte is what the caller
 * just read through ref, with no fault site passed since: a direct read has
 * no side effect and is not repeated; a window read is (it may log).
 */
static inline pt_entry_t
pmap_promote_clean(struct machine *mc, const pt_ref_t *ref, pt_entry_t pte)
{
	if (ref->win != WIN_NONE)
		pte = pt_load(mc, *ref);
	for (;;) {
		if ((pte & (PG_RW | PG_M)) != PG_RW)
			return pte;
		if (pt_cmpset(mc, *ref, pte, pte & ~PG_RW))
			return pte & ~PG_RW;
		pte = pt_load(mc, *ref);
	}
}

/* One 2 MiB PV entry replaces the 512 4 KiB ones of a managed run. */
static void
pmap_pv_promote(pmap_t pmap, vm_offset_t va2m, vm_paddr_t pa)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	vm_page_t first = PHYS_TO_VM_PAGE(mc, pa);

	for (unsigned i = 0; i < NPTEPG; i++)
		pv_remove(ps, &first[i].pv_head, pmap,
		    va2m + (vm_offset_t)i * PAGE_SIZE);
	pv_insert(ps, &first->pv2m_head, pmap, va2m);
}

/*
 * Try to replace the 512 PTEs of va's 2 MiB region with one PDE.  All of
 * them must be valid, physically contiguous from a 2 MiB-aligned frame and
 * carry identical PG_PTE_PROMOTE bits; the first must be accessed (8.x:
 * all of them).  Nothing is flushed: the old 4 KiB TLB entries are
 * compatible with the new mapping.
 */
void
pmap_try_promote(pmap_t pmap, vm_offset_t va, vm_page_t m)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	vm_offset_t va2m = trunc_2mpage(va);
	bool need_all_a = bug_on(mc, BUG_KMEM_LITTER);
	pt_entry_t pde, firstpte, newpde;
	pt_ref_t pde_ref, ref;
	vm_paddr_t pa;
	uint32_t ptp;

	(void)m;
	if (!pmap_ref(pmap, va2m, PT_LVL_PDE, &pde_ref))
		goto fail;
	pde = pt_load(mc, pde_ref);
	if ((pde & PG_V) == 0 || (pde & PG_PS) != 0)
		goto fail;
	ptp = (uint32_t)atop(pde & PG_FRAME);
	/*
	 * Through a direct pde_ref no fault site is passed until every PTE
	 * is checked, and the only stores are pmap_promote_clean()'s on PTEs
	 * (never on a table pointer, which always has PG_M), so pde stays
	 * what a walk reads: pmap_ref_pte() may make the refs from it.  A
	 * window ref is re-made (and announced) per PTE, as pmap_ref() does.
	 */
	(void)pmap_ref_pte(pmap, va2m, &pde_ref, pde, &ref);
	firstpte = pt_load(mc, ref);
	if ((firstpte & (PG_A | PG_V)) != (PG_A | PG_V) ||
	    (firstpte & PG_FRAME & PDRMASK) != 0)
		goto fail;
	firstpte = pmap_promote_clean(mc, &ref, firstpte);
	newpde = firstpte;
	pa = (firstpte & PG_FRAME) + NBPDR - PAGE_SIZE;
	for (unsigned i = NPTEPG - 1; i > 0; i--, pa -= PAGE_SIZE) {
		pt_entry_t pte;

		(void)pmap_ref_pte(pmap, va2m + (vm_offset_t)i * PAGE_SIZE,
		    &pde_ref, pde, &ref);
		pte = pt_load(mc, ref);
		if ((pte & (PG_FRAME | PG_V)) != (pa | PG_V))
			goto fail;
		if (need_all_a && (pte & PG_A) == 0)
			goto fail;
		pte = pmap_promote_clean(mc, &ref, pte);
		if ((pte & PG_PTE_PROMOTE) != (newpde & PG_PTE_PROMOTE))
			goto fail;
	}
	(void)FI_SITE(mc, FI_PROMOTE_CHECKED, &pde_ref);
	if (!pmap_insert_pt_page(pmap, va2m, ptp))
		goto fail;
	mc->pages[ptp].flags |= VPF_PTP_VALID;
	mach_mark_touched(mc, ptp);
	if (newpde & PG_MANAGED)
		pmap_pv_promote(pmap, va2m, firstpte & PG_FRAME);
	/* Re-derive the PDE pointer: the checks above used the window. */
	(void)pmap_ref(pmap, va2m, PT_LVL_PDE, &pde_ref);
	pt_store(mc, pde_ref, newpde | PG_PS | PG_PROMOTED);
	ps->cnt.promotions++;
	return;
fail:
	ps->cnt.p_failures++;
}

/* ---- Removal of a whole 2 MiB mapping ---- */

/*
 * A kernel superpage's PDE is replaced by its saved page-table page,
 * zeroed if it still held the promoted PTEs (pmap_remove_kernel_pde).  The
 * kmem-litter kernel reinstalls it as it is.
 */
static void
pmap_remove_kernel_pde(pmap_t pmap, pt_ref_t pde_ref, vm_offset_t va2m)
{
	struct machine *mc = pmap_mc(pmap);
	uint32_t ptp = pmap_remove_pt_page(pmap, va2m);
	vm_page_t m;

	PMAP_ASSERT(mc, ptp != 0, "no saved page-table page for va %#jx",
	    (uintmax_t)va2m);
	m = &mc->pages[ptp];
	if ((m->flags & VPF_PTP_VALID) &&
	    (!bug_on(mc, BUG_KMEM_LITTER) ||
		bug_on(mc, BUG_WA_ZERO_ON_UNMAP))) {
		for (unsigned i = 0; i < NPTEPG; i++)
			pt_store(mc,
			    pt_direct(ptp, i, PT_LVL_PTE, pmap->pm_pml4,
				va2m + (vm_offset_t)i * PAGE_SIZE),
			    0);
	}
	m->flags &= ~VPF_PTP_VALID;
	mach_mark_touched(mc, ptp);
	pt_store(mc, pde_ref, ptoa(ptp) | PG_TABLE_KERN);
}

/*
 * Remove the 2 MiB mapping at va2m: statistics, dirty bits to the pages,
 * the 2 MiB PV entry, the saved page-table page, and a shootdown of the
 * whole range when it was promoted.
 */
void
pmap_remove_pde(pmap_t pmap, pt_ref_t pde_ref, vm_offset_t va2m,
    struct spglist *free)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	pt_entry_t oldpde = pt_load_clear(mc, pde_ref);
	uint32_t saved = pmap_lookup_pt_page(pmap, va2m);
	/* 8.0 kernel: the saved PTEs come back as litter, still counted (a
	 * saved page that holds none gives none). */
	bool litter = pmap_is_kernel(pmap) && bug_on(mc, BUG_KMEM_LITTER) &&
	    !bug_on(mc, BUG_WA_ZERO_ON_UNMAP) && saved != 0 &&
	    (mc->pages[saved].flags & VPF_PTP_VALID) != 0;

	PMAP_ASSERT(mc, (oldpde & (PG_V | PG_PS)) == (PG_V | PG_PS),
	    "pde %#jx at va %#jx is not a 2MB mapping", (uintmax_t)oldpde,
	    (uintmax_t)va2m);
	if (!litter) {
		if (oldpde & PG_W)
			pmap->pm_stats.wired_count -= NPTEPG;
		pmap->pm_stats.resident_count -= NPTEPG;
	}
	pmap_invalidate_pde(pmap, va2m, oldpde);
	if (oldpde & PG_MANAGED) {
		vm_page_t first = PHYS_TO_VM_PAGE(mc, oldpde & PG_PS_FRAME);

		pv_remove(ps, &first->pv2m_head, pmap, va2m);
		for (unsigned i = 0; i < NPTEPG; i++) {
			if ((oldpde & (PG_M | PG_RW)) == (PG_M | PG_RW))
				pmap_page_dirty(&first[i]);
			pmap_page_unmapped_check(ps, &first[i]);
		}
	}
	if (pmap_is_kernel(pmap)) {
		pmap_remove_kernel_pde(pmap, pde_ref, va2m);
		return;
	}
	{
		uint32_t ptp = pmap_remove_pt_page(pmap, va2m);

		if (ptp != 0) {
			pmap->pm_stats.resident_count--;
			mc->pages[ptp].flags &= ~VPF_PTP_VALID;
			pmap_add_free(mc, free, ptp);
		}
	}
	pmap_unuse_table(pmap, va2m, PT_LVL_PDE, free);
}

/* ---- Demotion ---- */

/*
 * Whether the saved page ptp still holds, entry for entry, the 512 PTEs
 * equivalent to newpte's 2 MiB mapping, A and M included.  Promotion
 * requires PG_A on the first PTE only and the PDE may have changed since,
 * so matching the first entry's frame and PG_PTE_PROMOTE bits is not
 * enough (today's FreeBSD refills unless every saved PTE had PG_A).
 */
static bool
pmap_ptp_equivalent(struct machine *mc, uint32_t ptp, pt_entry_t newpte)
{
	const pt_entry_t *t = mach_table(mc, ptp);

	if ((mc->pages[ptp].flags & VPF_PTP_VALID) == 0)
		return false;
	for (unsigned i = 0; i < NPTEPG; i++)
		if (t[i] != newpte + (vm_offset_t)i * PAGE_SIZE)
			return false;
	return true;
}

/* Write the 512 PTEs equivalent to newpte's 2 MiB mapping into ptp. */
static void
pmap_fill_ptp(pmap_t pmap, uint32_t ptp, vm_offset_t va2m, pt_entry_t newpte)
{
	struct machine *mc = pmap_mc(pmap);

	for (unsigned i = 0; i < NPTEPG; i++)
		pt_store(mc,
		    pt_direct(ptp, i, PT_LVL_PTE, pmap->pm_pml4,
			va2m + (vm_offset_t)i * PAGE_SIZE),
		    newpte + (vm_offset_t)i * PAGE_SIZE);
}

/* The 2 MiB PV entry becomes 512 4 KiB ones. */
static void
pmap_pv_demote(pmap_t pmap, vm_offset_t va2m, vm_paddr_t pa)
{
	struct pmap_sys *ps = pmap->pm_sys;
	vm_page_t first = PHYS_TO_VM_PAGE(ps->mc, pa);

	pv_remove(ps, &first->pv2m_head, pmap, va2m);
	for (unsigned i = 0; i < NPTEPG; i++)
		pv_insert(ps, &first[i].pv_head, pmap,
		    va2m + (vm_offset_t)i * PAGE_SIZE);
}

/*
 * Demote the 2 MiB mapping covering va into 512 equivalent 4 KiB mappings
 * (A and M as the PDE had them).  It needs a page-table page, the saved one
 * or a new one, and PV entries reserved before the PDE changes.  If the PDE
 * was never accessed, or a page or PV entries cannot be had, the 2 MiB
 * mapping is destroyed instead (left in place if keep is set: demote-fail-
 * keep's pmap_protect) and false is returned.
 */
bool
pmap_demote_pde_locked(pmap_t pmap, vm_offset_t va, struct spglist *free,
    bool keep)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	vm_offset_t va2m = trunc_2mpage(va);
	pt_entry_t oldpde, newpte;
	pt_ref_t pde_ref;
	uint32_t ptp;
	bool fill;

	if (!pmap_ref(pmap, va2m, PT_LVL_PDE, &pde_ref))
		PMAP_ASSERT(mc, 0, "no page directory for va %#jx",
		    (uintmax_t)va2m);
	oldpde = pt_load(mc, pde_ref);
	PMAP_ASSERT(mc, (oldpde & (PG_V | PG_PS)) == (PG_V | PG_PS),
	    "pde %#jx at va %#jx is not a 2MB mapping", (uintmax_t)oldpde,
	    (uintmax_t)va2m);
	newpte = oldpde & ~(PG_PS | PG_PROMOTED);
	ptp = pmap_remove_pt_page(pmap, va2m);
	if (ptp == 0) {
		vm_page_t m = NULL;

		PMAP_ASSERT(mc, !pmap_is_kernel(pmap),
		    "kernel superpage at va %#jx has no saved page",
		    (uintmax_t)va2m);
		if ((oldpde & PG_A) != 0)
			m = vm_page_alloc_noobj(mc, VM_ALLOC_PTP);
		if (m == NULL)
			goto destroy;
		m->ref_count = NPTEPG;
		if (!bug_on(mc, BUG_DEMOTE_UNCOUNTED))
			pmap->pm_stats.resident_count++;
		ptp = m->pfn;
		fill = true;
	} else
		/* kernel-2m-zero-ptp: the page pmap_enter_2m kept zero-filled
		 * is taken as it is (FreeBSD before r348306). */
		fill = !pmap_ptp_equivalent(mc, ptp, newpte) &&
		    !(pmap_is_kernel(pmap) &&
			bug_on(mc, BUG_KERNEL_2M_ZERO_PTP) &&
			(mc->pages[ptp].flags & VPF_PTP_VALID) == 0);
	/*
	 * A wired mapping must survive (FreeBSD D19670): a refused PV
	 * reservation is retried the way FreeBSD's reserve_pv_entries retries
	 * after reclaim_pv_chunk, which the pool's size always satisfies
	 * here.  Only a mapping the pmap may drop is destroyed instead.
	 */
	if ((oldpde & PG_MANAGED) && !pv_reserve(ps, NPTEPG - 1) &&
	    ((oldpde & PG_W) == 0 || bug_on(mc, BUG_WIRED_DEMOTE_DESTROY) ||
		!pv_reserve_retry(ps, NPTEPG - 1))) {
		/* Put the page back where it was, then destroy. */
		if (!pmap_insert_pt_page(pmap, va2m, ptp))
			PMAP_ASSERT(mc, 0, "saved page-table slots full");
		mc->pages[ptp].flags |= VPF_PTP_VALID;
		if (fill)
			mc->pages[ptp].flags &= ~VPF_PTP_VALID;
		goto destroy;
	}
	if (fill)
		pmap_fill_ptp(pmap, ptp, va2m, newpte);
	mc->pages[ptp].flags &= ~VPF_PTP_VALID;
	mach_mark_touched(mc, ptp);
	(void)FI_SITE(mc, FI_DEMOTE_PTP_READY, &pde_ref);
	if (oldpde & PG_MANAGED)
		pmap_pv_demote(pmap, va2m, oldpde & PG_PS_FRAME);
	(void)pmap_ref(pmap, va2m, PT_LVL_PDE, &pde_ref);
	pt_store(mc, pde_ref,
	    ptoa(ptp) | (pmap_is_kernel(pmap) ? PG_TABLE_KERN : PG_TABLE_USER));
	/* Drop the 2 MiB TLB entry (the 4 KiB ones stay compatible). */
	pmap_invalidate_page_locked(pmap, va2m);
	ps->cnt.demotions++;
	return true;
destroy:
	if (!keep) {
		(void)pmap_ref(pmap, va2m, PT_LVL_PDE, &pde_ref);
		pmap_remove_pde(pmap, pde_ref, va2m, free);
	}
	ps->cnt.d_failures++;
	return false;
}

bool
pmap_demote_pde(pmap_t pmap, vm_offset_t va)
{
	struct spglist free;
	bool ok;

	spglist_init(&free);
	pmap_lock(pmap->pm_sys);
	ok = pmap_demote_pde_locked(pmap, va, &free, false);
	pmap_free_ptps(pmap->pm_sys, &free);
	pmap_unlock(pmap->pm_sys);
	return ok;
}

/* ---- Protection and wiring of a whole 2 MiB mapping ---- */

void
pmap_protect_pde(pmap_t pmap, pt_ref_t pde_ref, vm_offset_t va2m,
    vm_prot_t prot)
{
	struct machine *mc = pmap_mc(pmap);
	pt_entry_t old, new;

	do {
		old = pt_load(mc, pde_ref);
		new = old;
		if ((prot & VM_PROT_WRITE) == 0)
			new &= ~(PG_RW | PG_M);
		if ((prot & VM_PROT_EXECUTE) == 0)
			new |= PG_NX;
		if (new == old)
			return;
	} while (!pt_cmpset(mc, pde_ref, old, new));
	if ((old & (PG_MANAGED | PG_M | PG_RW)) ==
	    (PG_MANAGED | PG_M | PG_RW)) {
		vm_page_t first = PHYS_TO_VM_PAGE(mc, old & PG_PS_FRAME);

		for (unsigned i = 0; i < NPTEPG; i++)
			pmap_page_dirty(&first[i]);
	}
	pmap_invalidate_pde(pmap, va2m, old);
}

/* Unwire a whole 2 MiB mapping; false if it is not wired. */
bool
pmap_unwire_pde(pmap_t pmap, pt_ref_t pde_ref)
{
	struct machine *mc = pmap_mc(pmap);

	if ((pt_load(mc, pde_ref) & PG_W) == 0)
		return false;
	(void)pt_clear_bits(mc, pde_ref, PG_W);
	pmap->pm_stats.wired_count -= NPTEPG;
	return true;
}

/*
 * pmap_object.c - 2 MiB mappings entered whole and prefaults: FreeBSD's
 * pmap_enter with psind 1 (pmap_enter_2m, after pmap_enter_pde),
 * pmap_enter_object and pmap_enter_quick.  A 2 MiB mapping made here
 * carries no PG_PROMOTED: no 4 KiB TLB entry of its region survives its
 * making.  The kernel keeps its page table, zero-filled, as the saved page
 * a demotion fills (kernel-2m-zero-ptp takes it as it is).
 */
#include "pmap_internal.h"

/*
 * Break whatever maps va2m's 2 MiB region (pde_ref: its PDE, which is
 * valid) for pmap_enter_2m: a 2 MiB mapping is removed whole, 4 KiB ones
 * one by one, with the shootdown they need; a user page table thus emptied
 * is queued on free (the caller holds a count on the PD page, so it
 * stays), a kernel one stays linked.
 */
static void
pmap_enter_2m_break(pmap_t pmap, vm_offset_t va2m, pt_ref_t pde_ref,
    struct spglist *free)
{
	if ((pt_load(pmap_mc(pmap), pde_ref) & PG_PS) != 0)
		pmap_remove_pde(pmap, pde_ref, va2m, free);
	else if (pmap_remove_ptes(pmap, va2m, va2m + NBPDR, free))
		pmap_invalidate_range_locked(pmap, va2m, va2m + NBPDR);
}

/*
 * The kernel's part of pmap_enter_2m's break (pde_ref: the PDE of kernel
 * region va2m): its page tables are fixed, so the page table the PDE links
 * once the old mappings are gone (zero-filled, but for kmem-litter's
 * leftovers) is kept as the saved page of the new 2 MiB mapping, not
 * valid: a demotion must fill it (FreeBSD's pmap_insert_pt_page with
 * promoted false).
 */
static void
pmap_enter_2m_keep_kernel_ptp(pmap_t pmap, vm_offset_t va2m, pt_ref_t pde_ref)
{
	struct machine *mc = pmap_mc(pmap);
	uint32_t ptp = (uint32_t)atop(pt_load(mc, pde_ref) & PG_FRAME);

	PMAP_ASSERT(mc, pmap_insert_pt_page(pmap, va2m, ptp),
	    "saved page-table slots full at va %#jx", (uintmax_t)va2m);
	mc->pages[ptp].flags &= ~VPF_PTP_VALID;
	mach_mark_touched(mc, ptp);
}

/*
 * pmap_enter_2m's body, with the pmap lock held and the emptied page-table
 * page queued on free.  PMAP_ENTER_NOREPLACE in flags: KERN_NO_SPACE when
 * anything maps the region already.
 */
static int
pmap_enter_2m_locked(pmap_t pmap, vm_offset_t va, vm_page_t m, vm_prot_t prot,
    unsigned flags, struct spglist *free)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	bool kernel = pmap_is_kernel(pmap);
	pt_entry_t newpde;
	pt_ref_t pde_ref, pdpe_ref;

	PMAP_ASSERT(mc,
	    (va & PDRMASK) == 0 && pmap_va_valid(pmap, va) &&
		pmap_va_valid(pmap, va + NBPDR - PAGE_SIZE),
	    "no 2 MiB region at va %#jx in pmap %u", (uintmax_t)va,
	    pmap->pm_id);
	PMAP_ASSERT(mc, kernel || (flags & PMAP_ENTER_WIRED) == 0,
	    "cannot create a wired user 2 MiB mapping at va %#jx",
	    (uintmax_t)va);
	PMAP_ASSERT(mc, (VM_PAGE_TO_PHYS(m) & PDRMASK) == 0,
	    "frame %#x of a 2 MiB mapping is not 2 MiB aligned", m->pfn);
	newpde = pmap_new_pte(va, m, prot, flags) | PG_PS;
	PMAP_ASSERT(mc, (newpde & (PG_RW | PG_M)) != PG_RW,
	    "writable 2 MiB mapping at va %#jx without PG_M", (uintmax_t)va);
	if (!pmap_ps_enabled(ps))
		return KERN_FAILURE;
	if ((flags & PMAP_ENTER_NOREPLACE) != 0 &&
	    pmap_ref(pmap, va, PT_LVL_PDE, &pde_ref) &&
	    (pt_load(mc, pde_ref) & PG_V) != 0)
		return KERN_NO_SPACE;
	/* The PV entry is had first (FreeBSD gets it after breaking the old
	 * mappings): a failure then leaves the pmap as it was. */
	if ((newpde & PG_MANAGED) != 0 && !pv_reserve(ps, 1))
		return KERN_RESOURCE_SHORTAGE;
	if (kernel) {
		/* The kernel's tables are all there, and fixed. */
		if (!pmap_ref(pmap, va, PT_LVL_PDE, &pde_ref))
			PMAP_ASSERT(mc, 0, "no kernel PD for va %#jx",
			    (uintmax_t)va);
	} else {
		if (!pmap_ref(pmap, va, PT_LVL_PDE, &pde_ref) &&
		    (pmap_alloc_levels(pmap, va, PT_LVL_PDPE) != 0 ||
			!pmap_ref(pmap, va, PT_LVL_PDE, &pde_ref)))
			return KERN_RESOURCE_SHORTAGE;
		/* The new PDE's count on the PD page, taken now
		 * (pmap_allocpde): breaking the old mappings cannot free
		 * the PD. */
		(void)pmap_ref(pmap, va, PT_LVL_PDPE, &pdpe_ref);
		PHYS_TO_VM_PAGE(mc, pt_load(mc, pdpe_ref) & PG_FRAME)
		    ->ref_count++;
	}
	if ((pt_load(mc, pde_ref) & PG_V) != 0)
		pmap_enter_2m_break(pmap, va, pde_ref, free);
	if (kernel)
		pmap_enter_2m_keep_kernel_ptp(pmap, va, pde_ref);
	else
		PMAP_ASSERT(mc, pt_load(mc, pde_ref) == 0,
		    "pde %#jx at va %#jx left after its mappings were removed",
		    (uintmax_t)pt_load(mc, pde_ref), (uintmax_t)va);
	if ((newpde & PG_MANAGED) != 0) {
		pv_insert(ps, &m->pv2m_head, pmap, va);
		for (unsigned i = 0; (newpde & PG_RW) != 0 && i < NPTEPG; i++)
			m[i].flags |= VPF_WRITEABLE;
	}
	pmap->pm_stats.resident_count += NPTEPG;
	if ((newpde & PG_W) != 0)
		pmap->pm_stats.wired_count += NPTEPG;
	/* Not promoted: no 4 KiB TLB entry of the region survived above. */
	(void)FI_SITE(mc, FI_PTE_STORE_BEFORE, &pde_ref);
	pt_store(mc, pde_ref, newpde);
	(void)FI_SITE(mc, FI_PTE_STORE_AFTER, &pde_ref);
	return KERN_SUCCESS;
}

bool
pmap_superpages_enabled(pmap_t pmap)
{
	return pmap_ps_enabled(pmap->pm_sys) != 0;
}

int
pmap_enter_2m(pmap_t pmap, vm_offset_t va, vm_page_t m, vm_prot_t prot,
    unsigned flags)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct spglist free;
	int rv;

	spglist_init(&free);
	pmap_lock(ps);
	rv = pmap_enter_2m_locked(pmap, va, m, prot, flags, &free);
	pmap_free_ptps(ps, &free);
	pmap_unlock(ps);
	return rv;
}

/*
 * Map user va to m read-only where nothing maps it yet, as FreeBSD's
 * pmap_enter_quick does for a prefault: without PG_A, not wired, no
 * promotion.  A 2 MiB mapping of va is left alone; quick-over-2m records a
 * PV entry for va (arm64 before D36563), a mapping it never makes.
 * Nothing happens when a page-table page or the PV entry cannot be had.
 */
static void
pmap_enter_quick_locked(pmap_t pmap, vm_offset_t va, vm_page_t m,
    vm_prot_t prot)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	bool managed = (m->flags & VPF_UNMANAGED) == 0;
	pt_ref_t pde_ref, pte_ref;
	pt_entry_t pde;
	vm_page_t mpte;

	if (pmap_ref(pmap, va, PT_LVL_PDE, &pde_ref) &&
	    ((pde = pt_load(mc, pde_ref)) & PG_V) != 0) {
		if ((pde & PG_PS) != 0) {
			if (managed && bug_on(mc, BUG_QUICK_OVER_2M) &&
			    pv_reserve(ps, 1))
				pv_insert(ps, &m->pv_head, pmap, va);
			return;
		}
		if (!pmap_ref_pte(pmap, va, &pde_ref, pde, &pte_ref))
			PMAP_ASSERT(mc, 0, "no page table for va %#jx",
			    (uintmax_t)va);
		if ((pt_load(mc, pte_ref) & PG_V) != 0)
			return;
	}
	/* The PV entry first: a refusal then leaves no empty page table. */
	if (managed && !pv_reserve(ps, 1))
		return;
	if (pmap_enter_pde(pmap, va, &mpte, &pde_ref, &pde) != 0)
		return;
	if (!pmap_ref_pte(pmap, va, &pde_ref, pde, &pte_ref))
		PMAP_ASSERT(mc, 0, "no page table for va %#jx", (uintmax_t)va);
	if (managed)
		pv_insert(ps, &m->pv_head, pmap, va);
	pmap->pm_stats.resident_count++;
	mpte->ref_count++;
	pt_store(mc, pte_ref,
	    pmap_new_pte(va, m, prot & ~VM_PROT_WRITE, 0) & ~PG_A);
}

/* Whether ma[0..511] can be mapped by one 2 MiB mapping at va: va and the
 * first frame aligned, the frames contiguous, their reservation full. */
static bool
pmap_object_superpage(struct machine *mc, vm_offset_t va, vm_page_t *ma)
{
	if ((va & PDRMASK) != 0 || (VM_PAGE_TO_PHYS(ma[0]) & PDRMASK) != 0 ||
	    reserv_level_iffullpop(mc, ma[0]) != 0)
		return false;
	for (unsigned i = 1; i < NPTEPG; i++)
		if (ma[i]->pfn != ma[0]->pfn + i)
			return false;
	return true;
}

void
pmap_enter_object(pmap_t pmap, vm_offset_t start, vm_page_t *ma, int count,
    vm_prot_t prot)
{
	struct pmap_sys *ps = pmap->pm_sys;
	struct machine *mc = ps->mc;
	struct spglist free;

	prot &= VM_PROT_READ | VM_PROT_EXECUTE;
	spglist_init(&free);
	pmap_lock(ps);
	for (int i = 0; i < count; i++) {
		vm_offset_t va = start + (vm_offset_t)i * PAGE_SIZE;

		if (count - i >= (int)NPTEPG &&
		    pmap_object_superpage(mc, va, &ma[i])) {
			int rv = pmap_enter_2m_locked(pmap, va, ma[i], prot,
			    PMAP_ENTER_NOREPLACE, &free);

			/* Already mapped: the range is skipped (D36563); the
			 * bug falls back to 4 KiB pages, as before it. */
			if (rv == KERN_SUCCESS ||
			    (rv == KERN_NO_SPACE &&
				!bug_on(mc, BUG_QUICK_OVER_2M))) {
				i += NPTEPG - 1;
				continue;
			}
		}
		pmap_enter_quick_locked(pmap, va, ma[i], prot);
	}
	pmap_free_ptps(ps, &free);
	pmap_unlock(ps);
}

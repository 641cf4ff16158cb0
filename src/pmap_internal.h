/*
 * pmap_internal.h - what the pmap core's files share and nobody else sees:
 * table access (direct or through a window), critical sections, the
 * deferred-free list of page-table pages, PV list primitives, and the
 * superpage routines.  Every function here assumes the caller holds the
 * pmap lock (is inside pmap_lock()).
 */
#ifndef PMAPFUZZ_PMAP_INTERNAL_H
#define PMAPFUZZ_PMAP_INTERNAL_H

#include "pmapfuzz/bugs.h"
#include "pmapfuzz/fault.h"
#include "pmapfuzz/passert.h"
#include "pmapfuzz/pmap.h"

/* Bits of an entry that points to a lower-level table. */
#define PG_TABLE_KERN (PG_V | PG_RW | PG_A | PG_M)
#define PG_TABLE_USER (PG_TABLE_KERN | PG_U)

/* Page-table pages freed by one call, released after its shootdown. */
#define SPGLIST_MAX 64
struct spglist {
	uint32_t pfn[SPGLIST_MAX];
	unsigned n;
};

/* Empty the list.  Only pfn[0 .. n-1] is ever read, so the array is left
 * as it is (an initializer would clear all of it on every call). */
static inline void
spglist_init(struct spglist *free)
{
	free->n = 0;
}

static inline struct machine *
pmap_mc(pmap_t pmap)
{
	return pmap->pm_sys->mc;
}

static inline bool
pmap_is_kernel(pmap_t pmap)
{
	return pmap->pm_id == 0;
}

/*
 * Critical sections (spl / the pmap lock).  An interrupt raised inside one
 * is held pending by the harness and delivered when the outermost section
 * ends.
 */
static inline void
pmap_crit_enter(struct machine *mc)
{
	mc->crit++;
}

static inline void
pmap_crit_exit(struct machine *mc)
{
	PMAP_ASSERT(mc, mc->crit > 0, "unbalanced critical section");
	if (--mc->crit == 0 && mc->intr_pending)
		(void)FI_SITE(mc, FI_INTR_DELIVER, NULL);
}

/*
 * The pmap lock of every public entry point.  The apt-intr-clobber kernel
 * (FreeBSD 2.x) did not block bio interrupts around pmap work, so there the
 * lock is not taken and interrupt-time pmap calls interleave with it.
 */
static inline void
pmap_lock(struct pmap_sys *ps)
{
	if (!bug_on(ps->mc, BUG_APT_INTR_CLOBBER))
		pmap_crit_enter(ps->mc);
}

static inline void
pmap_unlock(struct pmap_sys *ps)
{
	if (!bug_on(ps->mc, BUG_APT_INTR_CLOBBER))
		pmap_crit_exit(ps->mc);
}

static inline int
pmap_ps_enabled(struct pmap_sys *ps)
{
	return ps->pg_ps_enabled && !bug_on(ps->mc, BUG_WA_NO_SUPERPAGES);
}

/* pmap_core.c */
bool pmap_ref(pmap_t pmap, vm_offset_t va, int level, pt_ref_t *ref);
/* Whether va lies in the part of the universe that pmap may map. */
bool pmap_va_valid(pmap_t pmap, vm_offset_t va);
/* Allocate and link the missing user tables for va down to the one the
 * level-bottom entry links; 0, or -1 (pmap unchanged) on failure. */
int pmap_alloc_levels(pmap_t pmap, vm_offset_t va, int bottom);
/* The PTE that maps m at va with prot and the PMAP_ENTER flags. */
pt_entry_t pmap_new_pte(vm_offset_t va, vm_page_t m, vm_prot_t prot,
    unsigned flags);
/* va's PDE with a page table under it (demoting, allocating); 0, or -1 on
 * allocation failure.  *mptep: the page table (NULL for the kernel). */
int pmap_enter_pde(pmap_t pmap, vm_offset_t va, vm_page_t *mptep,
    pt_ref_t *pde_ref, pt_entry_t *pdep);
/* Remove the 4 KiB mappings of [sva, eva) within one page table (it may
 * go with its last PTE); whether a valid one was there (the caller owes a
 * shootdown). */
bool pmap_remove_ptes(pmap_t pmap, vm_offset_t sva, vm_offset_t eva,
    struct spglist *free);

/*
 * pmap_ref(pmap, va, PT_LVL_PTE, ref) for a caller that has just read pde,
 * va's PDE (valid, not PG_PS), through pde_ref from pmap_ref(), and passed
 * no fault site and stored no upper-level entry since.  When pde_ref is
 * direct, pmap is still reached directly and the walk would end in pde's
 * frame, so the ref is made from it without walking again.  A window ref
 * (the new ref must be made, pointed and announced anew) and a PDE whose
 * frame holds no table (for pmap_ref's assertion) take pmap_ref().  Inline:
 * promotion and pmap_copy call it per PTE.
 */
static inline bool
pmap_ref_pte(pmap_t pmap, vm_offset_t va, const pt_ref_t *pde_ref,
    pt_entry_t pde, pt_ref_t *ref)
{
	uint32_t ptp = (uint32_t)atop(pde & PG_FRAME);

	if (pde_ref->win != WIN_NONE || mach_table(pmap_mc(pmap), ptp) == NULL)
		return pmap_ref(pmap, va, PT_LVL_PTE, ref);
	*ref =
	    pt_direct(ptp, pmap_pte_index(va), PT_LVL_PTE, pmap->pm_pml4, va);
	return true;
}

void pmap_abort_ptp(pmap_t pmap, vm_offset_t va, int level);
void pmap_unuse_table(pmap_t pmap, vm_offset_t va, int level,
    struct spglist *free);
void pmap_free_ptps(struct pmap_sys *ps, struct spglist *free);
void pmap_add_free(struct machine *mc, struct spglist *free, uint32_t pfn);
void pmap_invalidate_page_locked(pmap_t pmap, vm_offset_t va);
void pmap_invalidate_range_locked(pmap_t pmap, vm_offset_t sva,
    vm_offset_t eva);
void pmap_page_dirty(vm_page_t m);
int pmap_enter_locked(pmap_t pmap, vm_offset_t va, vm_page_t m, vm_prot_t prot,
    unsigned flags, bool try_promote);

/* pmap_promote.c */
/* Save page-table page pfn for the 2 MiB va2m (FreeBSD's pm_root trie);
 * false when every slot is taken. */
bool pmap_insert_pt_page(pmap_t pmap, vm_offset_t va2m, uint32_t pfn);
void pmap_try_promote(pmap_t pmap, vm_offset_t va, vm_page_t m);
bool pmap_demote_pde_locked(pmap_t pmap, vm_offset_t va, struct spglist *free,
    bool keep);
void pmap_remove_pde(pmap_t pmap, pt_ref_t pde_ref, vm_offset_t va2m,
    struct spglist *free);
void pmap_protect_pde(pmap_t pmap, pt_ref_t pde_ref, vm_offset_t va2m,
    vm_prot_t prot);
bool pmap_unwire_pde(pmap_t pmap, pt_ref_t pde_ref);

/* pmap_pv.c */
void pv_insert(struct pmap_sys *ps, uint32_t *head, pmap_t pmap,
    vm_offset_t va);
void pv_remove(struct pmap_sys *ps, uint32_t *head, pmap_t pmap,
    vm_offset_t va);
bool pv_reserve(struct pmap_sys *ps, unsigned count);
bool pv_reserve_retry(struct pmap_sys *ps, unsigned count);
void pmap_page_unmapped_check(struct pmap_sys *ps, vm_page_t m);
/* The vm_page whose pv2m list holds 2 MiB mappings covering m, or NULL. */
vm_page_t pmap_pvh_page(struct pmap_sys *ps, vm_page_t m);

#endif /* PMAPFUZZ_PMAP_INTERNAL_H */

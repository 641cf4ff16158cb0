/*
 * pmap_pv.c - PV entries (one per managed mapping: 4 KiB ones on the
 * frame's list, 2 MiB ones on the superpage's first frame) and the
 * operations that start from a page instead of an address: remove_all,
 * remove_write, clear_modify, is_modified.
 *
 * Page-level walks may reach pmaps that are not active here, so they go
 * through the alternate window.  PV lists are changed only inside a
 * critical section, as 2.x did under splvm.
 */
#include "pmap_internal.h"

#define PV_FREE_PMAP 0xffff

static uint32_t
pv_alloc(struct pmap_sys *ps)
{
	uint32_t i = ps->pv_free;

	if (i != 0)
		ps->pv_free = ps->pv[i].pv_next;
	else {
		PMAP_ASSERT(ps->mc, ps->pv_hwm + 1 < PV_MAX,
		    "PV entry pool exhausted (%u entries)", ps->pv_hwm);
		i = ++ps->pv_hwm;
	}
	ps->pv_count++;
	return i;
}

void
pv_insert(struct pmap_sys *ps, uint32_t *head, pmap_t pmap, vm_offset_t va)
{
	uint32_t i;

	pmap_crit_enter(ps->mc);
	i = pv_alloc(ps);
	ps->pv[i].pv_va = va;
	ps->pv[i].pv_pmap = pmap->pm_id;
	ps->pv[i].pv_next = *head;
	*head = i;
	pmap_crit_exit(ps->mc);
}

/* Remove (pmap, va) from the list; it must be there. */
void
pv_remove(struct pmap_sys *ps, uint32_t *head, pmap_t pmap, vm_offset_t va)
{
	uint32_t *link;

	pmap_crit_enter(ps->mc);
	for (link = head; *link != 0; link = &ps->pv[*link].pv_next) {
		struct pv_entry *pv = &ps->pv[*link];

		if (pv->pv_pmap == pmap->pm_id && pv->pv_va == va) {
			uint32_t i = *link;

			*link = pv->pv_next;
			pv->pv_pmap = PV_FREE_PMAP;
			pv->pv_next = ps->pv_free;
			ps->pv_free = i;
			ps->pv_count--;
			pmap_crit_exit(ps->mc);
			return;
		}
	}
	PMAP_ASSERT(ps->mc, 0, "no pv entry for pmap %u va %#jx", pmap->pm_id,
	    (uintmax_t)va);
}

/*
 * Reserve count PV entries before a demotion changes anything: passes the
 * FI_ALLOC_PV site, which may refuse (a PV chunk page could not be had).
 */
bool
pv_reserve(struct pmap_sys *ps, unsigned count)
{
	if (FI_SITE(ps->mc, FI_ALLOC_PV, NULL) != 0)
		return false;
	return pv_reserve_retry(ps, count);
}

/*
 * The retry after a refused reservation, once chunks were reclaimed: only
 * the pool's size can refuse it (PV_MAX exceeds every managed mapping the
 * universe can hold, so it does not).
 */
bool
pv_reserve_retry(struct pmap_sys *ps, unsigned count)
{
	return ps->pv_hwm + count < PV_MAX;
}

vm_page_t
pmap_pvh_page(struct pmap_sys *ps, vm_page_t m)
{
	uint32_t pfn = m->pfn & ~(uint32_t)(NPTEPG - 1);

	return pfn < ps->mc->cfg.nframes ? &ps->mc->pages[pfn] : NULL;
}

/* PGA_WRITEABLE goes when the page has no mapping left at all. */
void
pmap_page_unmapped_check(struct pmap_sys *ps, vm_page_t m)
{
	vm_page_t pvh = pmap_pvh_page(ps, m);

	if (m->pv_head == 0 && (pvh == NULL || pvh->pv2m_head == 0))
		m->flags &= ~VPF_WRITEABLE;
}

/*
 * The pmap of PV entry i, which func's walk of a list reached.  A free
 * entry means the list changed under the walk (only the apt-intr-clobber
 * kernel lets an interrupt-time pmap call do that): func's failed
 * assertion, as INVARIANTS would have it, not a pmap beyond the array.
 */
static pmap_t
pv_pmap_at(struct pmap_sys *ps, uint32_t i, const char *func)
{
	uint16_t id = ps->pv[i].pv_pmap;

	if (id >= PMAP_MAX)
		pmap_assert_fail(ps->mc, func,
		    "pv entry %u is free: its list changed under the walk", i);
	return &ps->pmaps[id];
}
#define pv_pmap(ps, i) pv_pmap_at((ps), (i), __func__)

/*
 * Demote every 2 MiB mapping covering m that matches want (all of them when
 * want is 0, else those whose PDE has every bit of want).
 */
static void
pmap_demote_covering(struct pmap_sys *ps, vm_page_t m, pt_entry_t want,
    struct spglist *free)
{
	vm_page_t pvh = pmap_pvh_page(ps, m);
	uint32_t i, next;

	if (pvh == NULL)
		return;
	for (i = pvh->pv2m_head; i != 0; i = next) {
		pmap_t pmap = pv_pmap(ps, i);
		vm_offset_t va = ps->pv[i].pv_va;
		pt_ref_t ref;

		next = ps->pv[i].pv_next;
		if (want != 0 &&
		    (!pmap_ref(pmap, va, PT_LVL_PDE, &ref) ||
			(pt_load(ps->mc, ref) & want) != want))
			continue;
		(void)pmap_demote_pde_locked(pmap, va, free, false);
	}
}

/*
 * Remove every mapping of m in every pmap.  2 MiB mappings covering m are
 * demoted first, so only 4 KiB ones remain to remove.
 */
void
pmap_remove_all(struct pmap_sys *ps, vm_page_t m)
{
	struct machine *mc = ps->mc;
	struct spglist free;
	bool first = true;

	PMAP_ASSERT(mc, (m->flags & VPF_UNMANAGED) == 0,
	    "page %#x is unmanaged", m->pfn);
	spglist_init(&free);
	pmap_lock(ps);
	pmap_demote_covering(ps, m, 0, &free);
	while (m->pv_head != 0) {
		uint32_t i = m->pv_head;
		pmap_t pmap = pv_pmap(ps, i);
		vm_offset_t va = ps->pv[i].pv_va;
		pt_entry_t old;
		pt_ref_t ref;

		if (!first)
			(void)FI_SITE(mc, FI_PV_WALK, NULL);
		first = false;
		if (m->pv_head != i)
			continue; /* the list changed under us: start over */
		if (!pmap_ref(pmap, va, PT_LVL_PTE, &ref)) {
			PMAP_ASSERT(mc, 0,
			    "found a 2mpage in page %#x's pv "
			    "list (pmap %u va %#jx)",
			    m->pfn, pmap->pm_id, (uintmax_t)va);
		}
		old = pt_load_clear(mc, ref);
		if (old & PG_V) {
			if (old & PG_W)
				pmap->pm_stats.wired_count--;
			pmap->pm_stats.resident_count--;
			if ((old & (PG_M | PG_RW)) == (PG_M | PG_RW))
				pmap_page_dirty(m);
		}
		pv_remove(ps, &m->pv_head, pmap, va);
		if (old & PG_V)
			pmap_unuse_table(pmap, va, PT_LVL_PTE, &free);
		pmap_invalidate_page_locked(pmap, va);
	}
	m->flags &= ~VPF_WRITEABLE;
	pmap_free_ptps(ps, &free);
	pmap_unlock(ps);
}

/*
 * Walk m's 4 KiB PV list calling fn on each mapping's PTE.  If the list
 * changes while the walk is between entries (an interrupt), it restarts;
 * fn must therefore be idempotent.
 */
typedef void (*pv_pte_fn)(struct pmap_sys *ps, pmap_t pmap, vm_offset_t va,
    pt_ref_t ref, vm_page_t m);

static void
pv_walk(struct pmap_sys *ps, vm_page_t m, pv_pte_fn fn)
{
	uint32_t i;

restart:
	for (i = m->pv_head; i != 0; i = ps->pv[i].pv_next) {
		pmap_t pmap;
		vm_offset_t va;
		pt_ref_t ref;

		/* Entry i is checked before it is used: an interrupt inside
		 * fn may have freed it too (the apt-intr-clobber kernel). */
		if (i != m->pv_head) {
			uint32_t hwm = ps->pv_hwm, fl = ps->pv_free;

			(void)FI_SITE(ps->mc, FI_PV_WALK, NULL);
			if (ps->pv_hwm != hwm || ps->pv_free != fl ||
			    ps->pv[i].pv_pmap == PV_FREE_PMAP)
				goto restart;
		}
		pmap = pv_pmap(ps, i);
		va = ps->pv[i].pv_va;
		if (pmap_ref(pmap, va, PT_LVL_PTE, &ref))
			fn(ps, pmap, va, ref, m);
	}
}

static void
remove_write_pte(struct pmap_sys *ps, pmap_t pmap, vm_offset_t va, pt_ref_t ref,
    vm_page_t m)
{
	struct machine *mc = ps->mc;
	pt_entry_t old;

	for (;;) {
		old = pt_load(mc, ref);
		if ((old & PG_RW) == 0)
			return;
		(void)FI_SITE(mc, FI_REMOVE_WRITE_PTE_READ, &ref);
		if (pt_cmpset(mc, ref, old, old & ~(PG_RW | PG_M)))
			break;
	}
	if (old & PG_M)
		pmap_page_dirty(m);
	pmap_invalidate_page_locked(pmap, va);
}

/*
 * PGA_WRITEABLE clear means no mapping of m can be writable or dirty, so
 * page walks for write access may stop at once.  2.x had no such flag and
 * always walked the PV list (the apt-intr-clobber kernel does too).
 */
static bool
pmap_page_maybe_writeable(struct pmap_sys *ps, vm_page_t m)
{
	if (m->flags & VPF_UNMANAGED)
		return false;
	return (m->flags & VPF_WRITEABLE) != 0 ||
	    bug_on(ps->mc, BUG_APT_INTR_CLOBBER);
}

/* Write-protect every mapping of m; a dirty bit found moves to m. */
void
pmap_remove_write(struct pmap_sys *ps, vm_page_t m)
{
	struct spglist free;

	if (!pmap_page_maybe_writeable(ps, m))
		return;
	spglist_init(&free);
	pmap_lock(ps);
	pmap_demote_covering(ps, m, PG_RW, &free);
	pv_walk(ps, m, remove_write_pte);
	m->flags &= ~VPF_WRITEABLE;
	pmap_free_ptps(ps, &free);
	pmap_unlock(ps);
}

static void
clear_modify_pte(struct pmap_sys *ps, pmap_t pmap, vm_offset_t va, pt_ref_t ref,
    vm_page_t m)
{
	struct machine *mc = ps->mc;
	pt_entry_t pte = pt_load(mc, ref);

	(void)m;
	if ((pte & (PG_M | PG_RW)) != (PG_M | PG_RW))
		return;
	(void)FI_SITE(mc, FI_CLEAR_MODIFY_PTE_READ, &ref);
	(void)pt_clear_bits(mc, ref, PG_M);
	pmap_invalidate_page_locked(pmap, va);
}

/*
 * Clear the modified bit of every mapping of m.  A writable 2 MiB mapping
 * is demoted first, so that only m's 4 KiB mapping loses its dirty bit.
 * The caller clears the page's own dirty field.
 */
void
pmap_clear_modify(struct pmap_sys *ps, vm_page_t m)
{
	struct spglist free;

	if (!pmap_page_maybe_writeable(ps, m))
		return;
	spglist_init(&free);
	pmap_lock(ps);
	pmap_demote_covering(ps, m, PG_RW | PG_M, &free);
	pv_walk(ps, m, clear_modify_pte);
	pmap_free_ptps(ps, &free);
	pmap_unlock(ps);
}

bool
pmap_is_modified(struct pmap_sys *ps, vm_page_t m)
{
	struct machine *mc = ps->mc;
	vm_page_t pvh = pmap_pvh_page(ps, m);
	bool modified = false;
	pt_ref_t ref;

	if (m->flags & VPF_UNMANAGED)
		return false;
	pmap_lock(ps);
	for (uint32_t i = m->pv_head; i != 0 && !modified;
	     i = ps->pv[i].pv_next)
		if (pmap_ref(pv_pmap(ps, i), ps->pv[i].pv_va, PT_LVL_PTE, &ref))
			modified = (pt_load(mc, ref) & (PG_M | PG_RW)) ==
			    (PG_M | PG_RW);
	for (uint32_t i = pvh != NULL ? pvh->pv2m_head : 0; i != 0 && !modified;
	     i = ps->pv[i].pv_next)
		if (pmap_ref(pv_pmap(ps, i), ps->pv[i].pv_va, PT_LVL_PDE, &ref))
			modified = (pt_load(mc, ref) & (PG_M | PG_RW)) ==
			    (PG_M | PG_RW);
	pmap_unlock(ps);
	return modified;
}

/*
 * exec_ops.c - the kernel services behind each op: what FreeBSD's VM does
 * around the pmap for anonymous memory, kmem, fork, exit, context
 * switches, buffer I/O, wiring and page-level operations.
 *
 * Every service states its intent to the model BEFORE the pmap call that
 * carries it out (and takes it back if the call fails), and reports every
 * pmap call to exec_call_done for checking.  Ops on empty slots, on
 * addresses with nothing to act on, or that run out of memory do nothing:
 * every program is valid.
 */
#include <string.h>

#include "exec_int.h"

#define USER_END (USER_BASE + USER_REGIONS * NBPDR)
#define PROT_RW (VM_PROT_READ | VM_PROT_WRITE)

static unsigned
arg(const struct op *o, unsigned i)
{
	return (unsigned)op_arg_value(o, i);
}

static struct exec_as *
exec_slot(struct exec *ex, unsigned s)
{
	return s < OP_AS_SLOTS && ex->as[s].pmap != NULL ? &ex->as[s] : NULL;
}

vm_offset_t
exec_user_va(const struct op *o)
{
	return USER_BASE + arg(o, OP_A_REGION) * NBPDR +
	    arg(o, OP_A_PAGE) * PAGE_SIZE;
}

/* Pages of a run starting at va, clipped to end. */
static unsigned
exec_run_pages(vm_offset_t va, unsigned npages, vm_offset_t end)
{
	vm_offset_t room = (end - va) / PAGE_SIZE;

	return npages < room ? npages : (unsigned)room;
}

static vm_offset_t
exec_kernel_va(const struct op *o)
{
	return KVA_BASE + arg(o, OP_A_KREGION) * NBPDR +
	    arg(o, OP_A_KPAGE) * PAGE_SIZE;
}

static vm_page_t
exec_page(struct exec *ex, uint32_t pfn)
{
	return &ex->w->mc->pages[pfn];
}

/* The most a pmap may be given for a model mapping: copy-on-write frames
 * stay read-only until the write fault copies them. */
static vm_prot_t
exec_enter_prot(const struct model_map *map)
{
	return (map->flags & MODEL_PRIVATE) ? map->prot & ~VM_PROT_WRITE :
					      map->prot;
}

static bool
exec_frame_wired(struct exec *ex, uint32_t pfn)
{
	struct model_ref refs[8];
	unsigned n = model_frame_maps(ex->w->md, pfn, refs, 8);

	for (unsigned i = 0; i < n && i < 8; i++) {
		const struct model_map *map =
		    model_lookup(ex->w->md, refs[i].as, refs[i].va);

		if (map != NULL && (map->flags & MODEL_WIRED))
			return true;
	}
	return n > 8;
}

/* Free pfn if nothing intends to map it and no I/O holds it. */
static void
exec_release_frame(struct exec *ex, uint32_t pfn)
{
	const struct model_frame *f = model_frame(ex->w->md, pfn);
	vm_page_t m = exec_page(ex, pfn);

	if (f == NULL || f->nmaps != 0 ||
	    (f->flags & (MODEL_F_BUSY | MODEL_F_IO)) != 0 ||
	    (m->flags & VPF_ALLOCATED) == 0)
		return;
	(void)model_page_free(ex->w->md, pfn);
	m->wire_count = 0;
	vm_page_free(ex->w->mc, m);
	exec_call_done(ex, "vm_page_free");
}

/* An anonymous page for va in slot s, from that region's object. */
static vm_page_t
exec_anon_alloc(struct exec *ex, struct exec_as *as, vm_offset_t va)
{
	unsigned region = (unsigned)((va - USER_BASE) / NBPDR);
	vm_page_t m;

	if (as->object[region] == 0)
		as->object[region] = vm_object_allocate(ex->w->mc);
	m = vm_page_alloc(ex->w->mc, as->object[region],
	    (va - USER_BASE - region * NBPDR) / PAGE_SIZE, 0);
	if (m != NULL)
		(void)model_page_alloc(ex->w->md, m->pfn);
	return m;
}

/* ---- Anonymous memory ---- */

/* map: allocate and enter the pages of a run that are not mapped yet, as
 * if each was faulted in (mlock'd when wired). */
static void
op_map(struct exec *ex, const struct op *o)
{
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = exec_user_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_NPAGES), USER_END);
	vm_prot_t prot = (vm_prot_t)(arg(o, 4) | VM_PROT_READ);
	bool wired = arg(o, 5) != 0;

	if (as == NULL)
		return;
	for (unsigned i = 0; i < n; i++, va += PAGE_SIZE) {
		unsigned id = as->pmap->pm_id;
		vm_page_t m;
		int rv;

		if (model_lookup(ex->w->md, id, va) != NULL)
			continue;
		if ((m = exec_anon_alloc(ex, as, va)) == NULL)
			return;
		(void)model_map(ex->w->md, id, va, m->pfn, prot,
		    MODEL_MANAGED | (wired ? MODEL_WIRED : 0));
		rv = pmap_enter(as->pmap, va, m, prot,
		    (prot & PROT_RW) | (wired ? PMAP_ENTER_WIRED : 0));
		if (rv != KERN_SUCCESS) {
			(void)model_unmap(ex->w->md, id, va);
			exec_call_done(ex, "pmap_enter");
			exec_release_frame(ex, m->pfn);
			return;
		}
		if (wired)
			m->wire_count++;
		exec_call_done(ex, "pmap_enter");
	}
}

/*
 * A frame whose last mapping is going away is being discarded: its
 * contents no longer matter, so it is clean from the model's point of view
 * (the pmap only tracks dirtiness of managed frames anyway).
 */
static void
exec_discard_unmapped(struct exec *ex, const uint32_t *pfns, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct model_frame *f;

		if (pfns[i] == UINT32_MAX)
			continue;
		f = model_frame(ex->w->md, pfns[i]);
		if (f != NULL && f->nmaps == 0)
			model_page_cleaned(ex->w->md, pfns[i]);
	}
}

/* Release every frame of a run that nothing maps any more. */
static void
exec_release_run(struct exec *ex, const uint32_t *pfns, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (pfns[i] != UINT32_MAX)
			exec_release_frame(ex, pfns[i]);
}

static void
op_unmap(struct exec *ex, const struct op *o)
{
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = exec_user_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_NPAGES), USER_END);
	uint32_t pfns[NPTEPG];

	if (as == NULL || n == 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		const struct model_map *map = model_lookup(ex->w->md,
		    as->pmap->pm_id, va + i * PAGE_SIZE);

		pfns[i] = map != NULL ? map->pfn : UINT32_MAX;
	}
	model_unmap_range(ex->w->md, as->pmap->pm_id, va, va + n * PAGE_SIZE);
	exec_discard_unmapped(ex, pfns, n);
	pmap_remove(as->pmap, va, va + n * PAGE_SIZE);
	exec_call_done(ex, "pmap_remove");
	exec_release_run(ex, pfns, n);
}

static void
op_protect(struct exec *ex, const struct op *o)
{
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = exec_user_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_NPAGES), USER_END);
	vm_prot_t prot = (vm_prot_t)(arg(o, 4) | VM_PROT_READ);

	if (as == NULL || n == 0)
		return;
	model_protect(ex->w->md, as->pmap->pm_id, va, va + n * PAGE_SIZE, prot);
	pmap_protect(as->pmap, va, va + n * PAGE_SIZE, prot);
	exec_call_done(ex, "pmap_protect");
}

/* ---- Touches and the soft-fault path ---- */

static vm_prot_t
exec_access(unsigned a)
{
	return a == OP_ACCESS_WRITE ? VM_PROT_WRITE :
	    a == OP_ACCESS_EXEC	    ? VM_PROT_EXECUTE :
				      VM_PROT_READ;
}

/* Copy-on-write: give slot as a private copy of the frame at va. */
static void
exec_cow(struct exec *ex, struct exec_as *as, vm_offset_t va,
    const struct model_map *map)
{
	struct model *md = ex->w->md;
	struct model_map old = *map;
	unsigned id = as->pmap->pm_id;
	bool wired = (old.flags & MODEL_WIRED) != 0;
	vm_page_t m = exec_anon_alloc(ex, as, va);
	int rv;

	if (m == NULL)
		return;
	(void)model_map(md, id, va, m->pfn, old.prot,
	    MODEL_MANAGED | (old.flags & MODEL_WIRED));
	rv = pmap_enter(as->pmap, va, m, old.prot,
	    VM_PROT_WRITE | VM_PROT_READ | (wired ? PMAP_ENTER_WIRED : 0));
	if (rv != KERN_SUCCESS) {
		(void)model_map(md, id, va, old.pfn, old.prot, old.flags);
		exec_call_done(ex, "pmap_enter");
		exec_release_frame(ex, m->pfn);
		return;
	}
	exec_call_done(ex, "pmap_enter");
	exec_release_frame(ex, old.pfn);
}

/*
 * The first frame of user region va2m of as when the model maps it whole as
 * one 2 MiB page could (model_region_frames: like's prot, and its flags
 * within fmask) and that frame's reservation is fully populated; else
 * UINT32_MAX.
 */
static uint32_t
exec_region_whole(struct exec *ex, unsigned id, vm_offset_t va2m,
    const struct model_map *like, unsigned fmask)
{
	uint32_t f0 = model_region_frames(ex->w->md, id, va2m, like->prot,
	    like->flags, fmask);

	return f0 != UINT32_MAX &&
		reserv_level_iffullpop(ex->w->mc, exec_page(ex, f0)) == 0 ?
	    f0 :
	    UINT32_MAX;
}

/*
 * vm_fault_soft_fast's superpage case (FreeBSD's psind 1): a fault in a
 * user region that the model maps whole (exec_region_whole), managed and
 * neither wired nor copy-on-write, is served with one 2 MiB mapping.  A
 * writable one only when no page is busy and every page is dirty
 * (PS_ALL_DIRTY), and then dirty (PG_M preset); a read-only one whatever
 * the pages' state.  Returns false when the fault is not such a one or
 * the enter failed: the caller enters the page alone.
 */
static bool
exec_fault_2m(struct exec *ex, struct exec_as *as, vm_offset_t va,
    const struct model_map *map)
{
	struct model *md = ex->w->md;
	unsigned id = as->pmap->pm_id;
	vm_offset_t va2m = trunc_2mpage(va);
	bool writable = (map->prot & VM_PROT_WRITE) != 0, was;
	uint32_t f0;
	int rv;

	if (!pmap_superpages_enabled(as->pmap) || map->flags != MODEL_MANAGED ||
	    (f0 = exec_region_whole(ex, id, va2m, map, ~0u)) == UINT32_MAX)
		return false;
	for (unsigned i = 0; writable && i < NPTEPG; i++) {
		unsigned fl = exec_page(ex, f0 + i)->flags;

		if ((fl & VPF_BUSY) || !(fl & VPF_DIRTY))
			return false;
	}
	was = model_superpage(md, id, va2m);
	(void)model_superpage_set(md, id, va2m, true);
	rv = pmap_enter_2m(as->pmap, va2m, exec_page(ex, f0), map->prot,
	    VM_PROT_READ | (writable ? VM_PROT_WRITE : 0));
	if (rv != KERN_SUCCESS)
		(void)model_superpage_set(md, id, va2m, was);
	exec_call_done(ex, "pmap_enter_2m");
	return rv == KERN_SUCCESS;
}

/*
 * vm_fault: the model says what va should map; enter it (copying a
 * copy-on-write frame on a write), with one 2 MiB mapping when the region
 * allows (exec_fault_2m).  Segmentation faults and busy pages (the faulting
 * thread would sleep) do nothing.
 */
static void
exec_soft_fault(struct exec *ex, struct exec_as *as, vm_offset_t va,
    vm_prot_t access)
{
	const struct model_map *map =
	    model_lookup(ex->w->md, as->pmap->pm_id, va);
	vm_page_t m;

	if (map == NULL || (map->prot & access) != access)
		return;
	m = exec_page(ex, map->pfn);
	if (m->flags & VPF_BUSY)
		return;
	if ((access & VM_PROT_WRITE) && (map->flags & MODEL_PRIVATE)) {
		exec_cow(ex, as, va, map);
		return;
	}
	if (exec_fault_2m(ex, as, va, map))
		return;
	(void)pmap_enter(as->pmap, va, m, exec_enter_prot(map),
	    (access & PROT_RW) | VM_PROT_READ |
		((map->flags & MODEL_WIRED) ? PMAP_ENTER_WIRED : 0));
	exec_call_done(ex, "pmap_enter");
}

/*
 * A successful write through a managed mapping (by the model's intent for
 * that address) dirties the frame it reached, which the pmap must then be
 * able to report.  Writes through unmanaged mappings (kenter, qenter) are
 * the VM's to account, as in FreeBSD: the pmap tracks nothing for them.
 */
void
exec_touched(struct exec *ex, unsigned as, vm_offset_t va, vm_prot_t access,
    uint32_t pfn)
{
	const struct model_map *map;

	if ((access & VM_PROT_WRITE) == 0)
		return;
	map = model_lookup(ex->w->md, as, va);
	if (map != NULL && (map->flags & MODEL_MANAGED) != 0)
		model_page_written(ex->w->md, pfn);
}

static void
op_touch(struct exec *ex, const struct op *o)
{
	struct machine *mc = ex->w->mc;
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = exec_user_va(o);
	vm_prot_t access = exec_access(arg(o, 3));
	unsigned cpu = arg(o, 4) % mc->cfg.ncpus;
	uint32_t pfn;

	if (as == NULL)
		return;
	if (mc->cpus[cpu].pmap_id != (int16_t)as->pmap->pm_id) {
		pmap_activate(as->pmap, cpu);
		exec_call_done(ex, "pmap_activate");
	}
	mc->curcpu = cpu;
	if (mach_touch(mc, cpu, va, access, &pfn) != TOUCH_OK) {
		exec_soft_fault(ex, as, va, access);
		if (mach_touch(mc, cpu, va, access, &pfn) != TOUCH_OK) {
			mc->curcpu = 0;
			return;
		}
	}
	exec_touched(ex, as->pmap->pm_id, va, access, pfn);
	mc->curcpu = 0;
}

static void
op_ktouch(struct exec *ex, const struct op *o)
{
	struct machine *mc = ex->w->mc;
	vm_prot_t access = exec_access(arg(o, 2));
	uint32_t pfn;

	if (mach_touch(mc, arg(o, 3) % mc->cfg.ncpus, exec_kernel_va(o), access,
		&pfn) == TOUCH_OK)
		exec_touched(ex, MODEL_KERNEL_AS, exec_kernel_va(o), access,
		    pfn);
}

/* ---- Kernel memory ---- */

static vm_offset_t
kmem_pindex(vm_offset_t va)
{
	return (va - KVA_BASE) / PAGE_SIZE;
}

/*
 * kmem_alloc's superpage mode: allocate every page of the whole kernel
 * region at va and enter it with one 2 MiB mapping (a kernel superpage from
 * the start, as vm_fault can make one).  Returns false, having changed
 * nothing, when superpages are off, the run is not a whole region or a
 * page cannot be had, and when pmap_enter_2m refuses (the intent withdrawn
 * before the call's check, the pages freed): the caller then backs the run
 * page by page.
 */
static bool
kmem_alloc_2m(struct exec *ex, vm_offset_t va, unsigned n, vm_page_t *ma)
{
	struct model *md = ex->w->md;
	pmap_t kp = kernel_pmap(ex->w->ps);
	unsigned got = 0;
	int rv;

	if (!pmap_superpages_enabled(kp) || (va & PDRMASK) != 0 || n != NPTEPG)
		return false;
	for (; got < n; got++) {
		ma[got] = vm_page_alloc(ex->w->mc, OBJ_KMEM,
		    kmem_pindex(va + got * PAGE_SIZE), VM_ALLOC_WIRED);
		if (ma[got] == NULL)
			break;
	}
	if (got < n || ma[0]->pfn % NPTEPG != 0) {
		while (got-- > 0)
			vm_page_free(ex->w->mc, ma[got]);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		(void)model_page_alloc(md, ma[i]->pfn);
		(void)model_map(md, MODEL_KERNEL_AS, va + i * PAGE_SIZE,
		    ma[i]->pfn, PROT_RW, MODEL_WIRED);
	}
	(void)model_superpage_set(md, MODEL_KERNEL_AS, va, true);
	rv = pmap_enter_2m(kp, va, ma[0], PROT_RW, PROT_RW | PMAP_ENTER_WIRED);
	if (rv != KERN_SUCCESS) {
		(void)model_superpage_set(md, MODEL_KERNEL_AS, va, false);
		model_unmap_range(md, MODEL_KERNEL_AS, va, va + NBPDR);
	}
	exec_call_done(ex, "pmap_enter_2m");
	if (rv == KERN_SUCCESS)
		return true;
	for (unsigned i = 0; i < n; i++) {
		(void)model_page_free(md, ma[i]->pfn);
		vm_page_free(ex->w->mc, ma[i]);
	}
	return false;
}

/*
 * kmem_alloc: wired kernel pages at fixed VAs, from the kmem object, so the
 * same VA always gets the same frame.  Modes: two-loop (8.x: allocate all,
 * then enter one at a time, each enter free to promote), interleaved
 * (today's kmem_back), enter_multi (workaround c), superpage
 * (kmem_alloc_2m, else interleaved).  The range must be free in the arena.
 */
static void
op_kmem_alloc(struct exec *ex, const struct op *o)
{
	struct model *md = ex->w->md;
	pmap_t kp = kernel_pmap(ex->w->ps);
	vm_offset_t va = exec_kernel_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_KNPAGES), KVA_END);
	unsigned mode = arg(o, 3);
	vm_page_t ma[NPTEPG];
	unsigned got;

	if (mode == OP_KMEM_TWO_LOOP && bug_on(ex->w->mc, BUG_WA_ENTER_MULTI))
		mode = OP_KMEM_ENTER_MULTI;
	for (unsigned i = 0; i < n; i++)
		if (model_lookup(md, MODEL_KERNEL_AS, va + i * PAGE_SIZE))
			return;
	if (mode == OP_KMEM_SUPERPAGE) {
		if (kmem_alloc_2m(ex, va, n, ma))
			return;
		mode = OP_KMEM_INTERLEAVED;
	}
	for (got = 0; got < n; got++) {
		vm_offset_t v = va + got * PAGE_SIZE;

		ma[got] = vm_page_alloc(ex->w->mc, OBJ_KMEM, kmem_pindex(v),
		    VM_ALLOC_WIRED);
		if (ma[got] == NULL)
			break;
		(void)model_page_alloc(md, ma[got]->pfn);
		if (mode != OP_KMEM_INTERLEAVED)
			continue;
		(void)model_map(md, MODEL_KERNEL_AS, v, ma[got]->pfn, PROT_RW,
		    MODEL_WIRED);
		(void)pmap_enter(kp, v, ma[got], PROT_RW,
		    PROT_RW | PMAP_ENTER_WIRED);
		exec_call_done(ex, "pmap_enter");
	}
	if (mode == OP_KMEM_TWO_LOOP) {
		for (unsigned i = 0; i < got; i++) {
			vm_offset_t v = va + i * PAGE_SIZE;

			(void)model_map(md, MODEL_KERNEL_AS, v, ma[i]->pfn,
			    PROT_RW, MODEL_WIRED);
			(void)pmap_enter(kp, v, ma[i], PROT_RW,
			    PROT_RW | PMAP_ENTER_WIRED);
			exec_call_done(ex, "pmap_enter");
		}
	} else if (mode == OP_KMEM_ENTER_MULTI && got > 0) {
		for (unsigned i = 0; i < got; i++)
			(void)model_map(md, MODEL_KERNEL_AS, va + i * PAGE_SIZE,
			    ma[i]->pfn, PROT_RW, MODEL_WIRED);
		(void)pmap_enter_multi(kp, va, ma, (int)got, PROT_RW,
		    PROT_RW | PMAP_ENTER_WIRED);
		exec_call_done(ex, "pmap_enter_multi");
	}
}

/* kmem_free: unmap the pages of the range that are allocated, then free
 * them (after the shootdown, as kmem_unback does). */
static void
op_kmem_free(struct exec *ex, const struct op *o)
{
	struct model *md = ex->w->md;
	vm_offset_t va = exec_kernel_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_KNPAGES), KVA_END);
	uint32_t pfns[NPTEPG];
	bool any = false;

	for (unsigned i = 0; i < n; i++) {
		const struct model_map *map =
		    model_lookup(md, MODEL_KERNEL_AS, va + i * PAGE_SIZE);

		pfns[i] = map != NULL ? map->pfn : UINT32_MAX;
		any |= map != NULL;
	}
	if (!any)
		return;
	model_unmap_range(md, MODEL_KERNEL_AS, va, va + n * PAGE_SIZE);
	exec_discard_unmapped(ex, pfns, n);
	pmap_remove(kernel_pmap(ex->w->ps), va, va + n * PAGE_SIZE);
	exec_call_done(ex, "pmap_remove");
	exec_release_run(ex, pfns, n);
}

/* ---- Processes ---- */

/*
 * fork: copy-on-write for the anonymous regions (write-protect the parent,
 * copy its mappings to the child), then a wired kernel stack entered into
 * the child, which is not the current address space: through the window.
 */
static void
op_fork(struct exec *ex, const struct op *o)
{
	struct model *md = ex->w->md;
	unsigned cs = arg(o, 1);
	struct exec_as *parent = exec_slot(ex, arg(o, 0));
	pmap_t child;
	vm_page_t m;

	if (parent == NULL || cs >= OP_AS_SLOTS || ex->as[cs].pmap != NULL)
		return;
	child = pmap_pinit(ex->w->ps);
	exec_call_done(ex, "pmap_pinit");
	if (child == NULL)
		return;
	ex->as[cs].pmap = child;
	(void)model_as_create(md, child->pm_id);
	model_copy(md, child->pm_id, parent->pmap->pm_id, USER_BASE, USER_END);
	pmap_protect(parent->pmap, USER_BASE, USER_END,
	    VM_PROT_READ | VM_PROT_EXECUTE);
	exec_call_done(ex, "pmap_protect");
	pmap_copy(child, parent->pmap, USER_BASE, USER_END - USER_BASE,
	    USER_BASE);
	exec_call_done(ex, "pmap_copy");
	m = vm_page_alloc(ex->w->mc, vm_object_allocate(ex->w->mc), 0,
	    VM_ALLOC_WIRED);
	if (m == NULL)
		return;
	m->flags |= VPF_UNMANAGED;
	(void)model_page_alloc(md, m->pfn);
	(void)model_map(md, child->pm_id, KSTACK_VA, m->pfn, PROT_RW,
	    MODEL_WIRED);
	if (pmap_enter(child, KSTACK_VA, m, PROT_RW,
		PROT_RW | PMAP_ENTER_WIRED) != KERN_SUCCESS) {
		(void)model_unmap(md, child->pm_id, KSTACK_VA);
		exec_call_done(ex, "pmap_enter");
		exec_release_frame(ex, m->pfn);
		return;
	}
	exec_call_done(ex, "pmap_enter");
}

/* exit: off every CPU, everything unmapped and released, pmap freed. */
static void
op_exit(struct exec *ex, const struct op *o)
{
	struct exec_world *w = ex->w;
	unsigned s = arg(o, 0);
	struct exec_as *as = exec_slot(ex, s);
	uint32_t pfns[MODEL_USER_SLOTS];
	unsigned id, n = 0;

	if (as == NULL)
		return;
	id = as->pmap->pm_id;
	for (unsigned c = 0; c < w->mc->cfg.ncpus; c++) {
		if (w->mc->cpus[c].pmap_id == (int16_t)id) {
			pmap_activate(kernel_pmap(w->ps), c);
			exec_call_done(ex, "pmap_activate");
		}
	}
	for (unsigned i = 0; i < MODEL_USER_SLOTS; i++) {
		const struct model_map *map =
		    model_lookup(w->md, id, model_slot_va(id, i));

		if (map != NULL)
			pfns[n++] = map->pfn;
	}
	model_unmap_range(w->md, id, USER_BASE, USER_END);
	exec_discard_unmapped(ex, pfns, n);
	pmap_remove(as->pmap, USER_BASE, USER_END);
	exec_call_done(ex, "pmap_remove");
	model_unmap_range(w->md, id, KSTACK_VA,
	    KSTACK_VA + KSTACK_PAGES * PAGE_SIZE);
	exec_discard_unmapped(ex, pfns, n);
	pmap_remove(as->pmap, KSTACK_VA, KSTACK_VA + KSTACK_PAGES * PAGE_SIZE);
	exec_call_done(ex, "pmap_remove");
	exec_release_run(ex, pfns, n);
	model_as_destroy(w->md, id);
	pmap_release(as->pmap);
	exec_call_done(ex, "pmap_release");
	memset(as, 0, sizeof(*as));
}

static void
op_switch(struct exec *ex, const struct op *o)
{
	struct exec_as *as = exec_slot(ex, arg(o, 0));

	if (as == NULL)
		return;
	pmap_activate(as->pmap, arg(o, 1) % ex->w->mc->cfg.ncpus);
	exec_call_done(ex, "pmap_activate");
}

/* ---- Buffer I/O ---- */

/*
 * io_start: the buffer takes the frames of the run that are mapped in the
 * slot and neither wired nor already under I/O.  Fixed kernel
 * (vfs_busy_pages after 7c818168d5): each page is busied and all its
 * mappings removed, so completion finds empty PV lists.  apt-intr-clobber
 * (2.x before the fix): pages stay mapped, write-protected for writes only.
 */
static void
op_io_start(struct exec *ex, const struct op *o)
{
	struct machine *mc = ex->w->mc;
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = exec_user_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_NPAGES), USER_END);
	struct exec_buf *b = &ex->buf[arg(o, 5)];
	bool old = bug_on(mc, BUG_APT_INTR_CLOBBER) &&
	    !bug_on(mc, BUG_WA_BUSY_REMOVE_ALL);

	if (as == NULL || b->active)
		return;
	b->npages = 0;
	b->write = arg(o, 4) != 0;
	for (unsigned i = 0; i < n; i++) {
		const struct model_map *map = model_lookup(ex->w->md,
		    as->pmap->pm_id, va + i * PAGE_SIZE);

		if (map == NULL ||
		    (exec_page(ex, map->pfn)->flags &
			(VPF_IO | VPF_UNMANAGED)) ||
		    exec_frame_wired(ex, map->pfn))
			continue;
		b->pfn[b->npages++] = map->pfn;
	}
	if (b->npages == 0)
		return;
	b->active = 1;
	for (unsigned i = 0; i < b->npages; i++) {
		vm_page_t m = exec_page(ex, b->pfn[i]);

		m->flags |= VPF_IO;
		model_page_io(ex->w->md, m->pfn, true);
		if (old) {
			if (b->write) {
				pmap_remove_write(ex->w->ps, m);
				exec_call_done(ex, "pmap_remove_write");
			}
			continue;
		}
		m->flags |= VPF_BUSY;
		model_page_busy(ex->w->md, m->pfn, true);
		pmap_remove_all(ex->w->ps, m);
		exec_call_done(ex, "pmap_remove_all");
	}
}

/*
 * Bio completion (biodone -> vfs_unbusy_pages): run down each page through
 * its PV list (remove write, clear modify), mark it clean and unbusy it.
 * Runs at interrupt level, also when it is an op of its own.
 */
void
exec_io_done(struct exec *ex, unsigned bi)
{
	struct exec_world *w = ex->w;
	struct exec_buf *b = &ex->buf[bi];
	struct cpu *cpu = &w->mc->cpus[w->mc->curcpu];

	if (!b->active)
		return;
	b->active = 0;
	cpu->intr_level++;
	for (unsigned i = 0; i < b->npages; i++) {
		vm_page_t m = exec_page(ex, b->pfn[i]);

		pmap_remove_write(w->ps, m);
		exec_call_done(ex, "pmap_remove_write");
		model_page_cleaned(w->md, m->pfn);
		pmap_clear_modify(w->ps, m);
		exec_call_done(ex, "pmap_clear_modify");
		m->flags &= ~(VPF_DIRTY | VPF_BUSY | VPF_IO);
		model_page_busy(w->md, m->pfn, false);
		model_page_io(w->md, m->pfn, false);
	}
	cpu->intr_level--;
	for (unsigned i = 0; i < b->npages; i++)
		exec_release_frame(ex, b->pfn[i]);
}

static void
op_io_done(struct exec *ex, const struct op *o)
{
	exec_io_done(ex, arg(o, 0));
}

/* ---- Page-level operations ---- */

/* The managed, unwired frame slot s maps at va, or NULL. */
static vm_page_t
exec_frame_at(struct exec *ex, unsigned s, vm_offset_t va)
{
	struct exec_as *as = exec_slot(ex, s);
	const struct model_map *map;
	vm_page_t m;

	if (as == NULL ||
	    (map = model_lookup(ex->w->md, as->pmap->pm_id, va)) == NULL)
		return NULL;
	m = exec_page(ex, map->pfn);
	if ((m->flags & VPF_UNMANAGED) || exec_frame_wired(ex, map->pfn))
		return NULL;
	return m;
}

/* pmap_remove_all drops cached mappings: the intent does not change (a
 * pmap may lose non-wired user mappings, and wired frames are skipped). */
void
exec_remove_all_at(struct exec *ex, unsigned s, vm_offset_t va)
{
	vm_page_t m = exec_frame_at(ex, s, va);

	if (m == NULL)
		return;
	pmap_remove_all(ex->w->ps, m);
	exec_call_done(ex, "pmap_remove_all");
}

static void
op_remove_all(struct exec *ex, const struct op *o)
{
	exec_remove_all_at(ex, arg(o, OP_A_AS), exec_user_va(o));
}

static void
op_remove_write(struct exec *ex, const struct op *o)
{
	vm_page_t m = exec_frame_at(ex, arg(o, OP_A_AS), exec_user_va(o));

	if (m == NULL)
		return;
	pmap_remove_write(ex->w->ps, m);
	exec_call_done(ex, "pmap_remove_write");
}

/*
 * Cleaning a page as the pageout daemon does: write-protect every mapping
 * first, so no write can race the cleaning; the page is clean from then
 * on; then clear the modified bits and the page's dirty field.
 */
static void
op_clear_modify(struct exec *ex, const struct op *o)
{
	vm_page_t m = exec_frame_at(ex, arg(o, OP_A_AS), exec_user_va(o));

	if (m == NULL || (m->flags & VPF_BUSY))
		return;
	pmap_remove_write(ex->w->ps, m);
	exec_call_done(ex, "pmap_remove_write");
	model_page_cleaned(ex->w->md, m->pfn);
	pmap_clear_modify(ex->w->ps, m);
	exec_call_done(ex, "pmap_clear_modify");
	m->flags &= ~VPF_DIRTY;
}

/* ---- Wiring ---- */

/* wire: fault in and wire every mapped page of the run (vm_fault_wire). */
static void
op_wire(struct exec *ex, const struct op *o)
{
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = exec_user_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_NPAGES), USER_END);

	if (as == NULL)
		return;
	for (unsigned i = 0; i < n; i++, va += PAGE_SIZE) {
		unsigned id = as->pmap->pm_id;
		const struct model_map *map = model_lookup(ex->w->md, id, va);
		vm_page_t m;

		if (map == NULL || (map->flags & MODEL_WIRED))
			continue;
		m = exec_page(ex, map->pfn);
		if (m->flags & VPF_BUSY)
			continue;
		(void)model_wire(ex->w->md, id, va, true);
		if (pmap_enter(as->pmap, va, m, exec_enter_prot(map),
			VM_PROT_READ | PMAP_ENTER_WIRED) != KERN_SUCCESS) {
			(void)model_wire(ex->w->md, id, va, false);
			exec_call_done(ex, "pmap_enter");
			return;
		}
		m->wire_count++;
		exec_call_done(ex, "pmap_enter");
	}
}

static void
op_unwire(struct exec *ex, const struct op *o)
{
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = exec_user_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_NPAGES), USER_END);

	if (as == NULL)
		return;
	for (unsigned i = 0; i < n; i++, va += PAGE_SIZE) {
		unsigned id = as->pmap->pm_id;
		const struct model_map *map = model_lookup(ex->w->md, id, va);

		if (map == NULL || !(map->flags & MODEL_WIRED))
			continue;
		if (exec_page(ex, map->pfn)->wire_count > 0)
			exec_page(ex, map->pfn)->wire_count--;
		(void)model_wire(ex->w->md, id, va, false);
		pmap_unwire(as->pmap, va, va + PAGE_SIZE);
		exec_call_done(ex, "pmap_unwire");
	}
}

/* ---- Knobs ---- */

static void
op_sysctl_pg_ps(struct exec *ex, const struct op *o)
{
	ex->w->ps->pg_ps_enabled = (int)arg(o, 0);
}

static void
op_demote(struct exec *ex, const struct op *o)
{
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = USER_BASE + arg(o, OP_A_REGION) * NBPDR;
	int level = 0;
	pt_entry_t e;

	if (as == NULL)
		return;
	e = mach_walk(ex->w->mc, as->pmap->pm_pml4, va, &level, NULL, NULL);
	if (level != PT_LVL_PDE || (e & (PG_V | PG_PS)) != (PG_V | PG_PS))
		return;
	(void)pmap_demote_pde(as->pmap, va);
	exec_call_done(ex, "pmap_demote_pde");
}

/* A page a prefault may map: the model maps it managed; it is not busy. */
static bool
exec_prefaultable(struct exec *ex, const struct model_map *map)
{
	return map != NULL && (map->flags & MODEL_MANAGED) != 0 &&
	    (exec_page(ex, map->pfn)->flags & VPF_BUSY) == 0;
}

/*
 * prefault (vm_map_pmap_enter for madvise(MADV_WILLNEED)): each longest
 * stretch of the run whose pages the model maps managed, with one prot,
 * none busy, goes to one pmap_enter_object.  The model's intent does not
 * change (prefaulted mappings are read-only, fewer rights than it allows);
 * a region the model maps whole (exec_region_whole, whatever the pages'
 * flags) is marked as one the call may enter with one 2 MiB mapping.  The
 * mark stays when the call does not (the region was mapped already): it
 * only spares an unpromoted PS PDE there the PG_PROMOTED rule, until a page
 * is remapped.
 */
static void
op_prefault(struct exec *ex, const struct op *o)
{
	struct exec_as *as = exec_slot(ex, arg(o, OP_A_AS));
	vm_offset_t va = exec_user_va(o);
	unsigned n = exec_run_pages(va, arg(o, OP_A_NPAGES), USER_END);
	vm_page_t ma[USER_REGIONS * NPTEPG];
	struct model *md = ex->w->md;
	const struct model_map *first = NULL;
	unsigned id, k = 0;
	vm_offset_t start = va;

	if (as == NULL)
		return;
	id = as->pmap->pm_id;
	for (unsigned i = 0; i <= n; i++, va += PAGE_SIZE) {
		const struct model_map *map =
		    i < n ? model_lookup(md, id, va) : NULL;
		bool ok = exec_prefaultable(ex, map);

		if (k > 0 && (!ok || map->prot != first->prot)) {
			pmap_enter_object(as->pmap, start, ma, (int)k,
			    first->prot);
			exec_call_done(ex, "pmap_enter_object");
			k = 0;
		}
		if (!ok)
			continue;
		if (k == 0) {
			first = map;
			start = va;
		}
		/* What pmap_enter_object tests, whatever else the pages are
		 * (a wired page is mapped, so the region is skipped). */
		if ((va & PDRMASK) == 0 && n - i >= NPTEPG &&
		    exec_region_whole(ex, id, va, map, 0) != UINT32_MAX)
			(void)model_superpage_set(md, id, va, true);
		ma[k++] = exec_page(ex, map->pfn);
	}
}

const exec_op_fn exec_op_table[OP_COUNT] = {
	[OP_MAP] = op_map,
	[OP_UNMAP] = op_unmap,
	[OP_PROTECT] = op_protect,
	[OP_TOUCH] = op_touch,
	[OP_KTOUCH] = op_ktouch,
	[OP_KMEM_ALLOC] = op_kmem_alloc,
	[OP_KMEM_FREE] = op_kmem_free,
	[OP_FORK] = op_fork,
	[OP_EXIT] = op_exit,
	[OP_SWITCH] = op_switch,
	[OP_IO_START] = op_io_start,
	[OP_IO_DONE] = op_io_done,
	[OP_REMOVE_ALL] = op_remove_all,
	[OP_REMOVE_WRITE] = op_remove_write,
	[OP_CLEAR_MODIFY] = op_clear_modify,
	[OP_WIRE] = op_wire,
	[OP_UNWIRE] = op_unwire,
	[OP_SYSCTL_PG_PS] = op_sysctl_pg_ps,
	[OP_DEMOTE] = op_demote,
	[OP_ARM_INTR_IO_DONE] = exec_arm_add,
	[OP_ARM_INTR_TOUCH] = exec_arm_add,
	[OP_ARM_INTR_REMOVE_ALL] = exec_arm_add,
	[OP_ARM_ALLOC_FAIL] = exec_arm_add,
	[OP_ARM_DROP_SHOOTDOWN] = exec_arm_add,
	[OP_ARM_AM_RACE] = exec_arm_add,
	[OP_PREFAULT] = op_prefault,
};

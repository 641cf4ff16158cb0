/*
 * tlb.c - the CPUs of the simulated machine: cr3, the TLBs, the hardware
 * page-table walker and memory touches (the other half of the machine
 * module; see machine.c).
 *
 * A TLB entry caches the rights of the whole walk that filled it: writable
 * and user only if every level allowed it, no-execute if any level forbade
 * it, as amd64 combines them.  A hit is used as is, however the tables
 * changed since; only invalidation, a cr3 change or a fault removes it.
 * 1 GiB pages are not modelled: a PG_PS entry above the PD level is a leaf
 * for mach_walk() but a touch through it faults as not present.
 */
#include "pmapfuzz/machine.h"

#include <string.h>

#include "machine_int.h"
#include "pmapfuzz/passert.h"

/* What a walk of the tables found. */
struct tlb_walk {
	pt_entry_t leaf; /* last entry read: the leaf, or the invalid one */
	int level;	 /* its level; 0 if root is 0 or a table is missing */
	uint32_t table_pfn;   /* table holding it */
	unsigned idx;	      /* its index there */
	uint8_t rw, user, nx; /* rights combined over every level read */
};

static struct cpu *
tlb_cpu(struct machine *mc, unsigned cpu, const char *func)
{
	if (cpu >= mc->cfg.ncpus)
		pmap_assert_fail(mc, func, "cpu %u does not exist (ncpus %u)",
		    cpu, (unsigned)mc->cfg.ncpus);
	return &mc->cpus[cpu];
}

static uint64_t
tlb_size(const struct tlb_entry *e)
{
	return e->big ? NBPDR : PAGE_SIZE;
}

/*
 * Walk the tables under root for va, filling *w.  Returns 1 when a valid
 * leaf was reached (a PTE, or a PG_PS entry at level 2 or above), else 0:
 * w->level is then the level of the invalid entry, or 0 when root is 0 or
 * an entry points at a frame that holds no table.
 */
static int
tlb_walk(const struct machine *mc, uint32_t root, vm_offset_t va,
    struct tlb_walk *w)
{
	uint32_t pfn = root;

	memset(w, 0, sizeof(*w));
	w->rw = w->user = 1;
	if (root == 0)
		return 0;
	for (int lvl = PT_LVL_PML4E; lvl >= PT_LVL_PTE; lvl--) {
		const pt_entry_t *t;
		unsigned idx = pmap_level_index(va, lvl);
		pt_entry_t e;

		if ((t = mach_table(mc, pfn)) == NULL) {
			memset(w, 0, sizeof(*w));
			return 0;
		}
		e = t[idx];
		w->leaf = e;
		w->level = lvl;
		w->table_pfn = pfn;
		w->idx = idx;
		if ((e & PG_V) == 0)
			return 0;
		w->rw &= (e & PG_RW) != 0;
		w->user &= (e & PG_U) != 0;
		w->nx |= (e & PG_NX) != 0;
		if (lvl == PT_LVL_PTE || (e & PG_PS) != 0)
			return 1;
		pfn = (uint32_t)atop(e & PG_FRAME);
	}
	return 0; /* not reached: level 1 always returns */
}

pt_entry_t
mach_walk(const struct machine *mc, uint32_t root, vm_offset_t va, int *level,
    uint32_t *table_pfn, unsigned *idx)
{
	struct tlb_walk w;

	(void)tlb_walk(mc, root, va, &w);
	if (level != NULL)
		*level = w.level;
	if (table_pfn != NULL)
		*table_pfn = w.table_pfn;
	if (idx != NULL)
		*idx = w.idx;
	return w.leaf;
}

/* Whether rights (rw, user, nx) allow access; user says the access is
 * from user mode. */
static int
tlb_rights_ok(vm_prot_t access, int user, int rw, int uok, int nx)
{
	if ((access & VM_PROT_WRITE) != 0 && !rw)
		return 0;
	if ((access & VM_PROT_EXECUTE) != 0 && nx)
		return 0;
	if (user && !uok)
		return 0;
	return 1;
}

/* Walk from root for an access and say whether it may proceed; on
 * TOUCH_OK, *w describes a 4 KiB or 2 MiB leaf. */
static enum touch_result
tlb_walk_access(const struct machine *mc, uint32_t root, vm_offset_t va,
    vm_prot_t access, struct tlb_walk *w)
{
	if (!tlb_walk(mc, root, va, w) || w->level > PT_LVL_PDE)
		return TOUCH_NOT_PRESENT;
	if (!tlb_rights_ok(access, !va_is_kernel(va), w->rw, w->user, w->nx))
		return TOUCH_PROTECTION;
	return TOUCH_OK;
}

/* Set PG_A, and PG_M for a write, in the leaf *w found under root for va,
 * with a logged store; no store when they are already set. */
static void
tlb_set_am(struct machine *mc, struct tlb_walk *w, uint32_t root,
    vm_offset_t va, int write)
{
	pt_entry_t want = PG_A | (write ? PG_M : 0);

	if ((w->leaf & want) == want)
		return;
	w->leaf |= want;
	pt_store(mc, pt_direct(w->table_pfn, w->idx, w->level, root, va),
	    w->leaf);
}

/* The entry of cpu that translates va now: 4 KiB entries first. */
static struct tlb_entry *
tlb_lookup(struct cpu *cpu, vm_offset_t va)
{
	for (unsigned i = 0; i < TLB_4K_ENTRIES; i++) {
		struct tlb_entry *e = &cpu->tlb4k[i];

		if (e->valid && e->va == (va & ~PAGE_MASK) &&
		    (e->global || e->root == cpu->cr3))
			return e;
	}
	for (unsigned i = 0; i < TLB_2M_ENTRIES; i++) {
		struct tlb_entry *e = &cpu->tlb2m[i];

		if (e->valid && e->va == trunc_2mpage(va) &&
		    (e->global || e->root == cpu->cr3))
			return e;
	}
	return NULL;
}

static void
tlb_log_inval(struct machine *mc, unsigned cpu, vm_offset_t sva,
    vm_offset_t eva)
{
	struct mach_event *ev;

	if ((ev = mach_log_append(mc, EV_TLB_INVAL)) != NULL) {
		ev->cpu = (uint8_t)cpu;
		ev->va = sva;
		ev->va2 = eva;
	}
}

/* Replace the next entry in round-robin order with the translation *w
 * gives for va, on behalf of cr3; returns the entry. */
static struct tlb_entry *
tlb_fill(struct machine *mc, unsigned cpuid, vm_offset_t va,
    const struct tlb_walk *w)
{
	struct cpu *cpu = &mc->cpus[cpuid];
	struct tlb_entry *e;
	struct mach_event *ev;
	int big = w->level == PT_LVL_PDE;

	if (big) {
		e = &cpu->tlb2m[cpu->next2m];
		cpu->next2m = (uint8_t)((cpu->next2m + 1) % TLB_2M_ENTRIES);
		e->va = trunc_2mpage(va);
		e->pfn = (uint32_t)atop(w->leaf & PG_PS_FRAME);
	} else {
		e = &cpu->tlb4k[cpu->next4k];
		cpu->next4k = (uint8_t)((cpu->next4k + 1) % TLB_4K_ENTRIES);
		e->va = va & ~PAGE_MASK;
		e->pfn = (uint32_t)atop(w->leaf & PG_FRAME);
	}
	e->root = cpu->cr3;
	e->valid = 1;
	e->big = (uint8_t)big;
	e->rw = w->rw;
	e->user = w->user;
	e->nx = w->nx;
	e->dirty = (w->leaf & PG_M) != 0;
	e->global = (w->leaf & PG_G) != 0;
	e->pad = 0;
	if ((ev = mach_log_append(mc, EV_TLB_FILL)) != NULL) {
		ev->cpu = (uint8_t)cpuid;
		ev->level = (uint8_t)w->level;
		ev->pfn = e->pfn;
		ev->root = e->root;
		ev->va = e->va;
		ev->va2 = e->va + tlb_size(e);
		ev->new = w->leaf;
	}
	return e;
}

/*
 * Invalidate cpu's entries that overlap [sva, last] (last inclusive, so
 * that the whole address space can be named), sparing global ones when
 * keep_global is set.
 */
static void
tlb_inval_span(struct cpu *cpu, vm_offset_t sva, vm_offset_t last,
    int keep_global)
{
	struct tlb_entry *e;

	for (unsigned i = 0; i < TLB_4K_ENTRIES + TLB_2M_ENTRIES; i++) {
		e = i < TLB_4K_ENTRIES ? &cpu->tlb4k[i] :
					 &cpu->tlb2m[i - TLB_4K_ENTRIES];
		if (!e->valid || (keep_global && e->global))
			continue;
		if (e->va <= last && sva <= e->va + (tlb_size(e) - 1))
			e->valid = 0;
	}
}

/*
 * Switch cpu to the address space whose PML4 is root.  A change of root
 * drops every non-global entry (no PCIDs); this is not logged as an
 * EV_TLB_INVAL, since it is implied by the new cr3.
 */
void
cpu_load_cr3(struct machine *mc, unsigned cpu, uint32_t root)
{
	struct cpu *c = tlb_cpu(mc, cpu, __func__);

	if (root != c->cr3)
		tlb_inval_span(c, 0, UINT64_MAX, 1);
	c->cr3 = root;
}

void
tlb_invalidate_page(struct machine *mc, unsigned cpu, vm_offset_t va)
{
	struct cpu *c = tlb_cpu(mc, cpu, __func__);

	tlb_inval_span(c, va, va, 0);
	tlb_log_inval(mc, cpu, va & ~PAGE_MASK, (va & ~PAGE_MASK) + PAGE_SIZE);
}

void
tlb_invalidate_range(struct machine *mc, unsigned cpu, vm_offset_t sva,
    vm_offset_t eva)
{
	struct cpu *c = tlb_cpu(mc, cpu, __func__);

	if (eva > sva)
		tlb_inval_span(c, sva, eva - 1, 0);
	tlb_log_inval(mc, cpu, sva, eva);
}

/* Logged as the range [0, UINT64_MAX). */
void
tlb_invalidate_all(struct machine *mc, unsigned cpu)
{
	struct cpu *c = tlb_cpu(mc, cpu, __func__);

	tlb_inval_span(c, 0, UINT64_MAX, 0);
	tlb_log_inval(mc, cpu, 0, UINT64_MAX);
}

/* One CPU's share of a shootdown. */
static void
tlb_shoot_one(struct machine *mc, unsigned cpu, vm_offset_t sva,
    vm_offset_t eva)
{
	if (eva - sva > PAGE_SIZE)
		tlb_invalidate_range(mc, cpu, sva, eva);
	else
		tlb_invalidate_page(mc, cpu, sva);
}

/*
 * The FI_SHOOTDOWN site is passed before anything is invalidated, and only
 * when a CPU other than curcpu is in cpumask.  Bits of CPUs that do not
 * exist are ignored.  An empty range (eva <= sva) is the caller's bug.
 */
int
tlb_shootdown(struct machine *mc, uint32_t cpumask, vm_offset_t sva,
    vm_offset_t eva)
{
	unsigned self = mc->curcpu;
	uint32_t remote;
	int dropped = 0;

	PMAP_ASSERT(mc, self < mc->cfg.ncpus, "curcpu %u does not exist", self);
	PMAP_ASSERT(mc, sva < eva, "empty range [%#llx, %#llx)",
	    (unsigned long long)sva, (unsigned long long)eva);
	cpumask &= (uint32_t)((1ULL << mc->cfg.ncpus) - 1);
	remote = cpumask & ~(1U << self);
	if (remote != 0)
		dropped = FI_SITE(mc, FI_SHOOTDOWN, NULL) != 0;
	if ((cpumask & (1U << self)) != 0)
		tlb_shoot_one(mc, self, sva, eva);
	if (dropped)
		return 0;
	for (unsigned cpu = 0; cpu < mc->cfg.ncpus; cpu++)
		if ((remote & (1U << cpu)) != 0)
			tlb_shoot_one(mc, cpu, sva, eva);
	return 1;
}

/* Drop one entry after a fault through it, as the hardware does. */
static void
tlb_fault_drop(struct machine *mc, unsigned cpu, struct tlb_entry *e)
{
	e->valid = 0;
	tlb_log_inval(mc, cpu, e->va, e->va + tlb_size(e));
}

/*
 * On a fault *pfn_out is 0 and the TLB holds no entry for va any more.  A
 * hit with too few rights faults as TOUCH_PROTECTION without re-walking
 * (amd64 faults on the cached rights).
 */
enum touch_result
mach_touch(struct machine *mc, unsigned cpuid, vm_offset_t va, vm_prot_t access,
    uint32_t *pfn_out)
{
	struct cpu *cpu = tlb_cpu(mc, cpuid, __func__);
	struct tlb_entry *e;
	struct tlb_walk w;
	enum touch_result res;
	int write = (access & VM_PROT_WRITE) != 0;

	if (pfn_out != NULL)
		*pfn_out = 0;
	if ((e = tlb_lookup(cpu, va)) != NULL) {
		if (!tlb_rights_ok(access, !va_is_kernel(va), e->rw, e->user,
			e->nx)) {
			tlb_fault_drop(mc, cpuid, e);
			return TOUCH_PROTECTION;
		}
		if (write && !e->dirty) {
			res = tlb_walk_access(mc, cpu->cr3, va, access, &w);
			if (res != TOUCH_OK) {
				tlb_fault_drop(mc, cpuid, e);
				return res;
			}
			tlb_set_am(mc, &w, cpu->cr3, va, 1);
			e->dirty = 1;
		}
	} else {
		res = tlb_walk_access(mc, cpu->cr3, va, access, &w);
		if (res != TOUCH_OK)
			return res;
		tlb_set_am(mc, &w, cpu->cr3, va, write);
		e = tlb_fill(mc, cpuid, va, &w);
	}
	if (pfn_out != NULL)
		*pfn_out = e->pfn + (e->big ? pmap_pte_index(va) : 0);
	return TOUCH_OK;
}

void
mach_hw_set_am(struct machine *mc, uint32_t root, vm_offset_t va, int set_m)
{
	struct tlb_walk w;

	if (tlb_walk(mc, root, va, &w) && w.level <= PT_LVL_PDE)
		tlb_set_am(mc, &w, root, va, set_m);
}

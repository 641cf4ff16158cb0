/*
 * exec_inject.c - the fault injector: the hook behind every FI_SITE() of
 * the core and the machine, and the arms of the op language that act
 * inside the next op.
 *
 * Arms count the site hits of their kind (an interrupt arm: every hit, or
 * one site number).  When an arm's count reaches n it fires once:
 *   interrupt      the arm's action runs at interrupt level on the
 *                  interrupted CPU, now, or, if the core is in a critical
 *                  section, when it leaves the outermost one;
 *   alloc_fail     that allocation fails;
 *   drop_shootdown remote CPUs miss that shootdown (only with lost-ipi on:
 *                  a fixed kernel does not lose IPIs);
 *   am_race        hardware sets PG_A (and PG_M if the entry is writable and
 *                  set_m) between the core's read of that PTE and its write.
 * Interrupts do not nest: no arm counts while one runs.
 */
#include "exec_int.h"

static unsigned
arm_arg(const struct exec_arm *a, unsigned i)
{
	return (unsigned)op_arg_value(&a->op, i);
}

static bool
arm_is_interrupt(const struct exec_arm *a)
{
	return a->op.code <= OP_ARM_INTR_REMOVE_ALL;
}

void
exec_arm_add(struct exec *ex, const struct op *o)
{
	struct exec_arm *a;

	if (ex->narms >= OP_MAX)
		return;
	a = &ex->arms[ex->narms++];
	a->op = *o;
	a->n = arm_arg(a, 0);
	a->site = arm_is_interrupt(a) ? arm_arg(a, 1) : 0;
	a->count = 0;
	a->fired = 0;
	ex->arms_live++;
	/* Sites are counted only while an op has arms (exec_arms_clear
	 * takes the hook out: an op without arms pays nothing per site). */
	ex->w->mc->fi_hook = exec_fi_hook;
}

void
exec_arms_clear(struct exec *ex)
{
	ex->narms = 0;
	ex->arms_live = 0;
	ex->pending_arm = -1;
	ex->w->mc->fi_hook = NULL; /* no arm: no site needs counting */
}

/* ---- Interrupt actions ---- */

static void
intr_io_done(struct exec *ex, const struct exec_arm *a)
{
	exec_io_done(ex, arm_arg(a, 2));
}

static vm_offset_t
arm_user_va(const struct exec_arm *a)
{
	return USER_BASE + arm_arg(a, 3) * NBPDR + arm_arg(a, 4) * PAGE_SIZE;
}

/* The interrupted CPU touches a page of as if as is active there; an
 * interrupt handler takes no soft faults. */
static void
intr_touch(struct exec *ex, const struct exec_arm *a)
{
	struct machine *mc = ex->w->mc;
	unsigned s = arm_arg(a, 2);
	unsigned acc = arm_arg(a, 5);
	vm_prot_t access = acc == OP_ACCESS_WRITE ? VM_PROT_WRITE :
	    acc == OP_ACCESS_EXEC		  ? VM_PROT_EXECUTE :
						    VM_PROT_READ;
	uint32_t pfn;

	if (ex->as[s].pmap == NULL ||
	    mc->cpus[mc->curcpu].pmap_id != (int16_t)ex->as[s].pmap->pm_id)
		return;
	if (mach_touch(mc, mc->curcpu, arm_user_va(a), access, &pfn) ==
	    TOUCH_OK)
		exec_touched(ex, ex->as[s].pmap->pm_id, arm_user_va(a), access,
		    pfn);
}

static void
intr_remove_all(struct exec *ex, const struct exec_arm *a)
{
	exec_remove_all_at(ex, arm_arg(a, 2), arm_user_va(a));
}

typedef void (*intr_fn)(struct exec *ex, const struct exec_arm *a);

static const intr_fn intr_table[] = {
	[OP_ARM_INTR_IO_DONE - OP_ARM_INTR_IO_DONE] = intr_io_done,
	[OP_ARM_INTR_TOUCH - OP_ARM_INTR_IO_DONE] = intr_touch,
	[OP_ARM_INTR_REMOVE_ALL - OP_ARM_INTR_IO_DONE] = intr_remove_all,
};

static void
exec_interrupt(struct exec *ex, const struct exec_arm *a)
{
	struct cpu *cpu = &ex->w->mc->cpus[ex->w->mc->curcpu];

	ex->intr_depth++;
	cpu->intr_level++;
	intr_table[a->op.code - OP_ARM_INTR_IO_DONE](ex, a);
	cpu->intr_level--;
	ex->intr_depth--;
}

/* ---- Hardware A/M race ---- */

static int exec_as_of_root(const struct exec *ex, uint32_t root,
    vm_offset_t va);

static void
exec_am_race(struct exec *ex, const struct pt_ref *ref, bool set_m)
{
	struct machine *mc = ex->w->mc;
	pt_entry_t pte, set = PG_A;
	uint32_t tpfn;
	unsigned idx;

	if (ref == NULL || !pt_resolve(mc, *ref, &tpfn, &idx))
		return;
	pte = mach_table(mc, tpfn)[idx];
	if ((pte & PG_V) == 0)
		return;
	if (set_m && (pte & PG_RW))
		set |= PG_M;
	if ((pte & set) == set)
		return;
	pt_store(mc, pt_direct(tpfn, idx, ref->level, ref->root, ref->va),
	    pte | set);
	if ((set & PG_M) && !(pte & PG_M)) {
		vm_paddr_t pa = (pte & PG_FRAME);
		int as = exec_as_of_root(ex, ref->root, ref->va);

		if (ref->level == PT_LVL_PDE)
			pa = (pte & PG_PS_FRAME) +
			    (ref->va & PDRMASK & ~PAGE_MASK);
		if (as >= 0)
			exec_touched(ex, (unsigned)as, ref->va, VM_PROT_WRITE,
			    (uint32_t)atop(pa));
	}
}

/* The model's address space of a table walk from root for va: the kernel's
 * for a kernel va, else the slot whose pmap the executor created with that
 * root; -1 if none (a pmap the executor no longer holds). */
static int
exec_as_of_root(const struct exec *ex, uint32_t root, vm_offset_t va)
{
	if (va >= KVA_BASE)
		return MODEL_KERNEL_AS;
	for (unsigned s = 0; s < OP_AS_SLOTS; s++)
		if (ex->as[s].pmap != NULL && ex->as[s].pmap->pm_pml4 == root)
			return (int)ex->as[s].pmap->pm_id;
	return -1;
}

/* ---- The hook ---- */

/*
 * Fault coverage, for coverage-guided engines: a counter per (arm kind,
 * site) that fired, and per site hit while an arm was live.  libFuzzer
 * takes a section of this name as extra coverage counters (and clears it
 * per input), so an input that makes a fault land somewhere new is kept
 * even when the code it runs is not new.  Elsewhere it is a plain array
 * that nothing reads.
 */
#define FI_COV_ARMS (OP_ARM_AM_RACE - OP_ARM_INTR_IO_DONE + 1)
__attribute__((section("__libfuzzer_extra_counters"),
    used)) static uint8_t fi_cov[(FI_COV_ARMS + 1) * FI_SITE_MAX];

static void
fi_cov_note(unsigned row, enum fi_site site)
{
	if ((unsigned)site < FI_SITE_MAX)
		fi_cov[row * FI_SITE_MAX + site]++;
}

static enum fi_kind
site_kind(enum fi_site site)
{
	return (unsigned)site >= 1 && (unsigned)site <= fi_site_count ?
	    fi_site_table[site - 1].kind :
	    FI_KIND_POINT;
}

/* Fire an interrupt arm now, or hold it until the critical section ends. */
static void
exec_raise(struct exec *ex, int idx)
{
	if (ex->w->mc->crit > 0) {
		if (ex->pending_arm < 0) {
			ex->pending_arm = idx;
			ex->w->mc->intr_pending = 1;
		}
		return;
	}
	exec_interrupt(ex, &ex->arms[idx]);
}

static void
arm_fired(struct exec *ex, struct exec_arm *a, enum fi_site site)
{
	fi_cov_note(a->op.code - OP_ARM_INTR_IO_DONE, site);
	a->fired = 1;
	ex->arms_fired++;
	ex->arms_live--;
}

/* Every arm of the op fired and none waits for delivery: the rest of the
 * op's sites need no counting. */
static void
exec_hook_retire(struct exec *ex)
{
	if (ex->arms_live == 0 && ex->pending_arm < 0)
		ex->w->mc->fi_hook = NULL;
}

int
exec_fi_hook(struct machine *mc, enum fi_site site, const struct pt_ref *ref)
{
	struct exec *ex = mc->fi_arg;
	enum fi_kind kind = site_kind(site);
	int rv = 0;

	if (kind == FI_KIND_DELIVER) {
		int idx = ex->pending_arm;

		mc->intr_pending = 0;
		ex->pending_arm = -1;
		if (idx >= 0)
			exec_interrupt(ex, &ex->arms[idx]);
		exec_hook_retire(ex);
		return 0;
	}
	if (ex->arms_live == 0 || ex->intr_depth > 0)
		return 0;
	fi_cov_note(FI_COV_ARMS, site);
	for (unsigned i = 0; i < ex->narms; i++) {
		struct exec_arm *a = &ex->arms[i];

		if (a->fired)
			continue;
		if (arm_is_interrupt(a)) {
			if ((a->site != 0 && a->site != (unsigned)site) ||
			    ++a->count != a->n)
				continue;
			arm_fired(ex, a, site);
			exec_raise(ex, (int)i);
			continue;
		}
		if ((a->op.code == OP_ARM_ALLOC_FAIL &&
			kind != FI_KIND_ALLOC) ||
		    (a->op.code == OP_ARM_DROP_SHOOTDOWN &&
			kind != FI_KIND_SHOOTDOWN) ||
		    (a->op.code == OP_ARM_AM_RACE && kind != FI_KIND_RMW) ||
		    ++a->count != a->n)
			continue;
		arm_fired(ex, a, site);
		if (a->op.code == OP_ARM_ALLOC_FAIL)
			rv = 1;
		else if (a->op.code == OP_ARM_DROP_SHOOTDOWN)
			rv = bug_on(mc, BUG_LOST_IPI);
		else
			exec_am_race(ex, ref, arm_arg(a, 1) != 0);
	}
	exec_hook_retire(ex);
	return rv;
}

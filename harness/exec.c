/*
 * exec.c - the executor's lifecycle and run loop: one simulated system per
 * machine configuration, reset to its boot state before every input; the
 * ops run in order, each pmap call followed by an incremental check and
 * each op by a full one; the first finding (or failed PMAP_ASSERT) ends the
 * input through a longjmp back to exec_run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_int.h"
#include "pmapfuzz/report.h"
#include "trace.h"

/* How a longjmp to ex->stop ends the input. */
enum { EXEC_STOP_FINDING = 1, EXEC_STOP_QUIET = 2 };

static void *
exec_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		abort();
	return p;
}

/* Tell the model what the boot state holds: the init process and its
 * wired kernel stack. */
static void
exec_world_model_boot(struct exec_world *w)
{
	model_reset(w->md);
	(void)model_as_create(w->md, w->init_pmap);
	(void)model_page_alloc(w->md, w->init_kstack);
	(void)model_map(w->md, w->init_pmap, KSTACK_VA, w->init_kstack,
	    VM_PROT_READ | VM_PROT_WRITE, MODEL_WIRED);
}

/*
 * Boot a system: kernel pmap, then the init process (slot 0) active on
 * CPU 0 with its wired kernel stack, which every process has at KSTACK_VA.
 * That state is the snapshot every input starts from.
 */
static struct exec_world *
exec_world_boot(unsigned ncpus, unsigned mem_class)
{
	struct exec_world *w = exec_xcalloc(1, sizeof(*w));
	struct mach_config cfg = {
		.nframes = (uint32_t)OP_MEM_BASE << mem_class,
		.ncpus = (uint8_t)ncpus,
	};
	vm_page_t m;
	pmap_t init;

	w->mc = machine_create(&cfg);
	w->ps = exec_xcalloc(1, sizeof(*w->ps));
	pmap_bootstrap(w->ps, w->mc);
	init = pmap_pinit(w->ps);
	pmap_activate(init, 0);
	m = vm_page_alloc(w->mc, vm_object_allocate(w->mc), 0,
	    VM_ALLOC_WIRED | VM_ALLOC_NOFAULT);
	if (init == NULL || m == NULL)
		abort();
	m->flags |= VPF_UNMANAGED;
	if (pmap_enter(init, KSTACK_VA, m, VM_PROT_READ | VM_PROT_WRITE,
		VM_PROT_READ | VM_PROT_WRITE | PMAP_ENTER_WIRED) !=
	    KERN_SUCCESS)
		abort();
	w->init_pmap = init->pm_id;
	w->init_kstack = m->pfn;
	machine_boot_done(w->mc);
	pmap_sys_boot_done(w->ps);
	w->md = model_create();
	w->inv = inv_ctx_create(w->mc, w->ps, w->md);
	if (w->md == NULL || w->inv == NULL)
		abort();
	exec_world_model_boot(w);
	/* Check the boot state once, fully, and start every input from what
	 * that check learnt instead of sweeping again. */
	if (inv_ctx_snapshot(w->inv) != 0) {
		fprintf(stderr, "pmapfuzz: the boot state is unsound: %s\n",
		    w->inv->finding.title);
		abort();
	}
	return w;
}

static void
exec_world_destroy(struct exec_world *w)
{
	inv_ctx_destroy(w->inv);
	model_destroy(w->md);
	pmap_sys_destroy(w->ps);
	free(w->ps);
	machine_destroy(w->mc);
	free(w);
}

struct exec *
exec_create(void)
{
	struct exec *ex = exec_xcalloc(1, sizeof(*ex));

	ex->pending_arm = -1;
	return ex;
}

void
exec_destroy(struct exec *ex)
{
	for (unsigned c = 0; c < OP_CPUS_MAX; c++)
		for (unsigned k = 0; k < OP_MEM_CLASSES; k++)
			if (ex->worlds[c][k] != NULL)
				exec_world_destroy(ex->worlds[c][k]);
	free(ex);
}

struct inv_ctx *
exec_inv(struct exec *ex)
{
	return ex->w != NULL ? ex->w->inv : NULL;
}

/* Did this call use a window after it was re-pointed under it? */
static bool
exec_window_went_stale(const struct machine *mc)
{
	for (uint32_t i = 0; i < mc->nlog; i++) {
		const struct mach_event *ev = &mc->log[i];

		if ((ev->kind == EV_PTE_WRITE || ev->kind == EV_PTE_LOST ||
			ev->kind == EV_WIN_STALE_READ) &&
		    ev->win != WIN_NONE && ev->gen_ref != ev->gen_now)
			return true;
	}
	return false;
}

/*
 * A PMAP_ASSERT fired: record it and end the input.  If the call had been
 * reading or writing through a window that an interrupt re-pointed, that
 * is the cause and the finding names it; the panic is only the symptom.
 */
static void
exec_assert_hook(struct machine *mc, const char *func, const char *fmt,
    const char *msg)
{
	struct exec *ex = mc->assert_arg;
	struct inv_ctx *inv = ex->w->inv;

	if ((inv->enabled & (1u << INV_WRONG_ADDRESS_SPACE)) &&
	    exec_window_went_stale(mc)) {
		uint32_t enabled = inv->enabled;

		inv->enabled = 1u << INV_WRONG_ADDRESS_SPACE;
		if (inv_check_call(inv, func)) {
			inv->enabled = enabled;
			longjmp(ex->stop, EXEC_STOP_FINDING);
		}
		inv->enabled = enabled;
	}
	/* The core cannot go on after an assertion either way; with the
	 * assert invariant deselected the input just ends, clean. */
	longjmp(ex->stop,
	    inv_finding_assert(inv, func, fmt, msg) ? EXEC_STOP_FINDING :
						      EXEC_STOP_QUIET);
}

/*
 * After a pmap call: the incremental check, unless the call ran inside an
 * injected interrupt (the interrupted call's own check covers it: the
 * state in the middle of a call is not expected to be consistent).
 */
void
exec_call_done(struct exec *ex, const char *func)
{
	ex->pmap_calls++;
	if (ex->intr_depth > 0 || ex->opt->level < EXEC_CHECK_CALL)
		return;
	if (inv_check_call(ex->w->inv, func))
		longjmp(ex->stop, EXEC_STOP_FINDING);
}

/* Return the world to its boot state and tell the model what it holds. */
static void
exec_reset(struct exec *ex, const struct op_program *p)
{
	struct exec_world *w = ex->w;
	struct machine *mc = w->mc;

	machine_reset(mc);
	pmap_sys_reset(w->ps);
	exec_world_model_boot(w);
	mc->bugs = ex->opt->bugs;
	mc->fi_arg = ex;
	mc->assert_hook = exec_assert_hook;
	mc->assert_arg = ex;
	mc->curcpu = 0;
	w->ps->pg_ps_enabled = p->cfg.pg_ps_enabled;
	inv_ctx_reset(w->inv);
	/* After inv_ctx_reset, which turns the log on for its checker. */
	mc->log_enabled = ex->opt->level != EXEC_CHECK_NONE;
	w->inv->enabled = ex->opt->checks != 0 ? ex->opt->checks : INV_ALL;
	w->inv->fast_verify = ex->opt->verify_fast;
	memset(ex->as, 0, sizeof(ex->as));
	ex->as[0].pmap = &w->ps->pmaps[w->init_pmap];
	for (unsigned b = 0; b < OP_IO_BUFS; b++)
		ex->buf[b].active = 0;
	exec_arms_clear(ex);
	ex->intr_depth = 0;
	ex->arms_fired = 0;
	ex->pmap_calls = 0;
}

static bool
exec_is_arm(unsigned code)
{
	return code >= OP_ARM_INTR_IO_DONE && code <= OP_ARM_AM_RACE;
}

static void
exec_verbose_op(struct exec *ex, unsigned i, const struct op *o)
{
	char line[256];

	if (ex->opt->verbose == NULL)
		return;
	(void)trace_format_op(line, sizeof(line), o);
	fprintf(ex->opt->verbose, "op %u: %s\n", i, line);
}

void
exec_boot_all(struct exec *ex)
{
	for (unsigned c = 0; c < OP_CPUS_MAX; c++)
		for (unsigned m = 0; m < OP_MEM_CLASSES; m++)
			if (ex->worlds[c][m] == NULL)
				ex->worlds[c][m] = exec_world_boot(c + 1, m);
}

int
exec_run(struct exec *ex, const struct op_program *p,
    const struct exec_options *opt, struct exec_result *res)
{
	unsigned ncpus =
	    p->cfg.ncpus >= 1 && p->cfg.ncpus <= OP_CPUS_MAX ? p->cfg.ncpus : 1;
	unsigned mem = p->cfg.mem_class < OP_MEM_CLASSES ? p->cfg.mem_class : 0;
	volatile unsigned i = 0;
	volatile int finding = 0;
	int stop;

	if (ex->worlds[ncpus - 1][mem] == NULL)
		ex->worlds[ncpus - 1][mem] = exec_world_boot(ncpus, mem);
	ex->w = ex->worlds[ncpus - 1][mem];
	ex->opt = opt;
	exec_reset(ex, p);
	memset(res, 0, sizeof(*res));
	if ((stop = setjmp(ex->stop)) == 0) {
		for (i = 0; i < p->nops; i++) {
			const struct op *o = &p->ops[i];

			if (exec_is_arm(o->code)) {
				exec_arm_add(ex, o);
				continue;
			}
			inv_set_op(ex->w->inv, i, op_info(o->code)->name);
			exec_verbose_op(ex, i, o);
			exec_op_table[o->code](ex, o);
			exec_arms_clear(ex);
			if (opt->level >= EXEC_CHECK_OP &&
			    inv_check_op(ex->w->inv)) {
				finding = 1;
				break;
			}
		}
	} else
		finding = stop == EXEC_STOP_FINDING;
	ex->w->mc->crit = 0; /* a longjmp may have left a section open */
	ex->w->mc->intr_pending = 0;
	exec_arms_clear(ex);
	res->finding = finding;
	if (finding)
		res->f = ex->w->inv->finding;
	res->ops_run = finding || stop != 0 ? i + 1 : p->nops;
	res->arms_fired = ex->arms_fired;
	res->pmap_calls = ex->pmap_calls;
	if (!opt->skip_hash)
		res->hash = exec_hash(ex);
	return finding;
}

uint64_t
exec_hash(struct exec *ex)
{
	return machine_hash(ex->w->mc, 0x70a7f022) ^
	    pmap_sys_hash(ex->w->ps, 0x5eed);
}

/*
 * The report of a finding: the whole trace with the failing op marked, then
 * the invariant's own report (entries with their bits named, expectation,
 * page-table picture).
 */
void
exec_report(FILE *f, struct exec *ex, const struct op_program *p,
    const struct exec_result *res)
{
	char line[256];

	if (!res->finding)
		return;
	fprintf(f, "trace (%u ops, the finding arose in op %u):\n", p->nops,
	    res->f.op_index);
	fprintf(f, "     config cpus=%u ps=%u mem=%u\n", p->cfg.ncpus,
	    p->cfg.pg_ps_enabled, op_config_frames(&p->cfg));
	for (unsigned i = 0; i < p->nops; i++) {
		(void)trace_format_op(line, sizeof(line), &p->ops[i]);
		fprintf(f, "%s %2u %s\n", i == res->f.op_index ? ">>" : "  ", i,
		    line);
	}
	fputc('\n', f);
	report_text(f, &res->f, ex->w->inv);
}

/*
 * inv_run.c - the call check of a run: a call that wrote up to RUN_MAX
 * PTEs of one page table, each once and in ascending order, and logged
 * nothing else but placeholders (a pmap_remove or pmap_protect of a few
 * pages, mostly), the model's intent changing only for slots it wrote; or
 * a call that logged nothing but placeholders while the model's intent
 * changed for up to RUN_MAX slots of one region (a pmap_protect of pages
 * already read-only, mostly).
 *
 * The general pass (invariants.c) collects the events, then re-observes
 * the slots, then screens slots and frames, each stage over its list.
 * Here one loop per written slot does all of it: the event's TLB note and
 * table count, the slot's observation (the shadow updated as the general
 * pass updates it, in its order), its screen and its frames' screens, a
 * frame screened once (the work set's frame stamps, dropped with the work
 * set when the call is clean).  When a screen fails the loop goes on
 * updating the shadow, then the general pass's work set is built, in its
 * order, and the general checks take over, so that every finding is
 * theirs.  Same contract as inv_fast_pass.
 */
#include "inv_screen.h"

#define RUN_MAX 64

struct run {
	unsigned as;
	uint32_t lo;	      /* global slot of PTE index idx0 */
	unsigned idx0, n;     /* the region's first PTE index, its slots */
	const pt_entry_t *pt; /* its page table, as the walk memo has it */
	unsigned nev; /* slots to observe, in the general pass's order: the
			 PTE writes', else the journal's */
	const struct mach_event *ev[RUN_MAX]; /* their writes, or NULL */
	uint16_t idx[RUN_MAX];		      /* their PTE indexes */
	uint64_t wrote[NPTEPG / 64];	      /* PTE indexes written */
	uint64_t intent[NPTEPG / 64];	      /* the model's journal names */
	const uint32_t *jframes;
	unsigned njframes;
	/* Per event, by run_check: the observation before and after. */
	pt_entry_t oe[RUN_MAX], e[RUN_MAX];
	uint8_t olvl[RUN_MAX], lvl[RUN_MAX];
};

static inline int
run_bit(const uint64_t *map, unsigned i)
{
	return (map[i / 64] >> (i % 64)) & 1;
}

/* The log's PTE writes (fills rn->ev, rn->wrote), or 0 if it is not a
 * run's: only placeholders besides, one table, one root, each index once
 * and ascending, its va the index's, through no re-pointed window. */
static int
run_events(const struct machine *mc, struct run *rn)
{
	const struct mach_event *first = NULL;
	int prev = -1;

	if (mc->nlog > 2 * RUN_MAX)
		return 0;
	rn->nev = 0;
	memset(rn->wrote, 0, sizeof(rn->wrote));
	for (unsigned i = 0; i < mc->nlog; i++) {
		const struct mach_event *ev = &mc->log[i];

		if (ev->kind == EV_NONE)
			continue;
		if (ev->kind != EV_PTE_WRITE || ev->level != PT_LVL_PTE ||
		    rn->nev == RUN_MAX || (int)ev->idx <= prev ||
		    (ev->win != WIN_NONE && ev->gen_ref != ev->gen_now))
			return 0;
		if (first == NULL)
			first = ev;
		else if (ev->pfn != first->pfn || ev->root != first->root ||
		    ev->va != first->va + ptoa(ev->idx - first->idx))
			return 0;
		prev = ev->idx;
		rn->wrote[ev->idx / 64] |= 1ULL << (ev->idx % 64);
		rn->idx[rn->nev] = ev->idx;
		rn->ev[rn->nev++] = ev;
	}
	return first == NULL || first->pfn < MACH_FRAMES_MAX;
}

/* The journal's slots, of one region and at most RUN_MAX, as the slots of
 * a call that wrote none (fills rn->ev, rn->idx, run); 0 if not so. */
static int
run_intent(struct inv_ctx *ctx, struct run *rn, struct inv_run *run)
{
	const uint32_t *jslots;
	unsigned nj = model_pending_slots(ctx->md, &jslots);

	if (nj == 0 || nj > RUN_MAX)
		return 0;
	inv_run_of(jslots[0], run);
	for (unsigned i = 0; i < nj; i++) {
		uint32_t k = jslots[i] - run->lo;

		if (k >= run->n)
			return 0;
		rn->ev[i] = NULL;
		rn->idx[i] = (uint16_t)(run->idx0 + k);
	}
	rn->nev = nj;
	return 1;
}

/* rn's region: run's slots, whose page table the walk memo gives. */
static void
run_take(struct run *rn, const struct inv_run *run,
    const struct inv_walk_memo *memo)
{
	rn->as = run->as;
	rn->lo = run->lo;
	rn->idx0 = run->idx0;
	rn->n = run->n;
	rn->pt = memo->pt;
}

/*
 * Whether the call is a run (fills rn, changes nothing but the region's
 * walk memo, which it may refresh as inv_observe would): its table must be
 * the one the walk gives for the slots written, and the model's journal
 * name only slots written.
 */
static int
run_shape(struct inv_ctx *ctx, struct run *rn)
{
	const struct machine *mc = ctx->mc;
	const struct inv_state *st = ctx->st;
	const struct mach_event *first;
	const struct inv_walk_memo *memo;
	const uint32_t *jslots;
	struct inv_run run;
	unsigned nj, last;
	int as, slot;

	if (ctx->enabled != INV_ALL || !run_events(mc, rn))
		return 0;
	if (rn->nev == 0) {
		if (!run_intent(ctx, rn, &run))
			return 0;
		memo = inv_region_memo(ctx, run.as, run.r);
		if (memo->pde != 0 || memo->pt == NULL)
			return 0;
		run_take(rn, &run, memo);
		memset(rn->intent, 0xff, sizeof(rn->intent));
		rn->njframes = model_pending_frames(ctx->md, &rn->jframes);
		return 1;
	}
	first = rn->ev[0];
	if (st->upper_gen[first->pfn] == st->topo_gen)
		return 0;
	as = va_is_kernel(first->va) ? 0 : inv_as_of_root(ctx, first->root);
	if (as < 0 || (slot = model_slot((unsigned)as, first->va)) < 0)
		return 0;
	inv_run_of((uint32_t)as * MODEL_SLOTS_MAX + (uint32_t)slot, &run);
	memo = inv_region_memo(ctx, run.as, run.r);
	last = rn->ev[rn->nev - 1]->idx;
	if (memo->pde != 0 || memo->pt == NULL ||
	    memo->pt != mach_table(mc, first->pfn) ||
	    first->idx !=
		run.idx0 +
		    ((uint32_t)as * MODEL_SLOTS_MAX + (uint32_t)slot -
			run.lo) ||
	    last - run.idx0 >= run.n)
		return 0;
	run_take(rn, &run, memo);
	memset(rn->intent, 0, sizeof(rn->intent));
	nj = model_pending_slots(ctx->md, &jslots);
	for (unsigned i = 0; i < nj; i++) {
		uint32_t k = jslots[i] - run.lo, idx = run.idx0 + k;

		if (k >= run.n || !run_bit(rn->wrote, idx))
			return 0;
		rn->intent[idx / 64] |= 1ULL << (idx % 64);
	}
	rn->njframes = model_pending_frames(ctx->md, &rn->jframes);
	return 1;
}

/* Screen frame f unless this pass has (frame_w): whether it is plain. */
static inline INV_ALWAYS_INLINE int
run_frame(struct inv_ctx *ctx, uint32_t f, unsigned *nframes)
{
	struct inv_state *st = ctx->st;

	if (f >= MACH_FRAMES_MAX || st->frame_w[f] == st->wgen)
		return 1;
	st->frame_w[f] = st->wgen;
	++*nframes;
	return inv_frame_plain(ctx, f);
}

/*
 * The shadow's update and the screens, slot by slot in log order; the
 * journal's frames; the PV and pmap screens.  Whether all passed.
 */
static int
run_check(struct inv_ctx *ctx, struct run *rn, unsigned *nchecked,
    unsigned *nframes)
{
	struct inv_state *st = ctx->st;
	unsigned as = rn->as;
	int plain = 1;

	inv_scan_begin(st);
	for (unsigned i = 0; i < rn->nev; i++) {
		const struct mach_event *ev = rn->ev[i];
		unsigned idx = rn->idx[i];
		uint32_t g = rn->lo + (idx - rn->idx0), of, nf;
		pt_entry_t e = rn->pt[idx], oe = st->obs_e[g];
		int lvl = (e & PG_V) != 0 ? PT_LVL_PTE : 0,
		    olvl = st->obs_lvl[g];
		int changed;

		if (ev != NULL) {
			if (inv_ev_shrinks(ev))
				inv_note_tlb(st, ev, PAGE_SHIFT);
			inv_ev_count(st, ev);
		}
		if (lvl == 0)
			e = 0;
		rn->oe[i] = oe;
		rn->olvl[i] = (uint8_t)olvl;
		rn->e[i] = e;
		rn->lvl[i] = (uint8_t)lvl;
		of = inv_leaf_frame_idx(oe, olvl, idx);
		nf = inv_leaf_frame_idx(e, lvl, idx);
		changed = oe != e || olvl != lvl;
		if (changed) {
			inv_obs_put(st, g, e, lvl);
			inv_obs_move(st, as, oe, olvl, of, e, lvl, nf);
		}
		if (!plain)
			continue;
		if (changed || run_bit(rn->intent, idx)) {
			++*nchecked;
			plain = inv_slot_plain_at(ctx, as,
			    g - as * MODEL_SLOTS_MAX, e, lvl);
		}
		if (ev != NULL && (ev->old & PG_V) != 0)
			plain &= run_frame(ctx,
			    (uint32_t)atop(ev->old & PG_FRAME), nframes);
		if (ev != NULL && (ev->new &PG_V) != 0)
			plain &= run_frame(ctx,
			    (uint32_t)atop(ev->new &PG_FRAME), nframes);
		if (changed) {
			plain &= run_frame(ctx, of, nframes);
			plain &= run_frame(ctx, nf, nframes);
		}
	}
	if (!plain)
		return 0;
	for (unsigned i = 0; i < rn->njframes; i++)
		if (!run_frame(ctx, rn->jframes[i], nframes))
			return 0;
	return !inv_pv_count_differs(ctx) && inv_as_plain(ctx, as);
}

/* The general pass's work set for the run, built in its order: the log's
 * frames and slots, the journal's, then the observation's. */
static void
run_work(struct inv_ctx *ctx, const struct run *rn)
{
	struct inv_state *st = ctx->st;
	const uint32_t *jslots;
	unsigned nj;

	inv_work_drop(st);
	for (unsigned i = 0; i < rn->nev && rn->ev[i] != NULL; i++) {
		const struct mach_event *ev = rn->ev[i];

		if ((ev->old & PG_V) != 0)
			inv_add_frame(st, (uint32_t)atop(ev->old & PG_FRAME));
		if ((ev->new &PG_V) != 0)
			inv_add_frame(st, (uint32_t)atop(ev->new &PG_FRAME));
		inv_add_slot(st, rn->lo + (ev->idx - rn->idx0));
	}
	nj = model_pending_slots(ctx->md, &jslots);
	for (unsigned i = 0; i < nj; i++) {
		inv_add_slot(st, jslots[i]);
		inv_add_changed(st, jslots[i]);
	}
	for (unsigned i = 0; i < rn->njframes; i++)
		inv_add_frame(st, rn->jframes[i]);
	for (unsigned i = 0; i < rn->nev; i++) {
		unsigned idx = rn->idx[i];
		uint32_t of = inv_leaf_frame_idx(rn->oe[i], rn->olvl[i], idx);
		uint32_t nf = inv_leaf_frame_idx(rn->e[i], rn->lvl[i], idx);

		if (rn->oe[i] == rn->e[i] && rn->olvl[i] == rn->lvl[i])
			continue;
		inv_add_changed(st, rn->lo + (idx - rn->idx0));
		inv_add_frame(st, of);
		if (rn->olvl[i] == 0 || rn->lvl[i] == 0 || of != nf)
			inv_add_frame(st, nf);
	}
	st->as_touched |= 1u << rn->as;
}

int
inv_run_applies(struct inv_ctx *ctx)
{
	struct run rn;

	return run_shape(ctx, &rn);
}

int
inv_run_pass(struct inv_ctx *ctx)
{
	struct run rn;
	unsigned nchecked = 0, nframes = 0;

	if (!run_shape(ctx, &rn))
		return -1;
	ctx->cnt.runs++;
	if (run_check(ctx, &rn, &nchecked, &nframes)) {
		inv_work_drop(ctx->st);
		ctx->cnt.observed += rn.nev;
		ctx->cnt.checked += nchecked;
		ctx->cnt.frames += nframes;
		return 0;
	}
	run_work(ctx, &rn);
	return 1;
}

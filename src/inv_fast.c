/*
 * inv_fast.c - the call check of the commonest call, in one go: a call that
 * wrote one PTE of a model slot, after allocating at most one data page,
 * and changed the model's intent at most for that slot (a one-page
 * pmap_enter, mostly).
 *
 * The general pass (invariants.c) collects a work set from the log and the
 * model's journal, re-observes its slots, then screens and checks it.  For
 * this call the work set is known before: one slot, a few frames, at most
 * one reservation chunk, one address space.  inv_fast_pass updates the
 * shadow as the general pass would and asks the screens' own tests
 * (inv_slot_plain, inv_frame_plain, inv_chunk_plain, inv_as_plain) about
 * exactly those elements.  When every test passes, the general pass would
 * have run no check: the call is clean.  When one fails, it builds the
 * general pass's work set, as the general pass would, and the general
 * checks take over, so that every finding is theirs.
 */
#include "inv_screen.h"

/* Frames of the model's journal a one-write call may have. */
#define FAST_PEND_FRAMES 2
/* Work frames: the page allocated, the entry's old and new frames, the
 * journal's, the observation's old and new frames. */
#define FAST_FRAMES (5 + FAST_PEND_FRAMES)
/* Events a one-write call may log, placeholders included. */
#define FAST_LOG_MAX 4

struct fast {
	const struct mach_event *page; /* the allocation, or NULL */
	const struct mach_event *pte;  /* the PTE write */
	unsigned as, slot;
	uint32_t g;   /* the global slot written (slot of as) */
	int pending;  /* the model's journal names g */
	pt_entry_t e; /* g's new observation and its level */
	int lvl;
	pt_entry_t oe; /* g's observation before, and its level */
	int olvl;
	uint32_t of, nf;	 /* their frames (inv_leaf_frame_idx) */
	const uint32_t *jframes; /* the journal's frames */
	unsigned njframes;
	uint32_t frame[FAST_FRAMES]; /* the work frames, in the general */
	unsigned nframe;	     /* pass's order, once each */
};

/* Whether the observation of g changes; then, whether it keeps its frame
 * (inv_obs_set's two ways of changing it). */
static inline int
fast_changed(const struct fast *fx)
{
	return fx->oe != fx->e || fx->olvl != fx->lvl;
}

static inline int
fast_same_frame(const struct fast *fx)
{
	return fx->olvl != 0 && fx->lvl != 0 && fx->of == fx->nf;
}

/* The page-allocation event that may precede the write: of a data page
 * (a table's would change the walks' memo), on no walk's path. */
static int
fast_page_ok(const struct inv_state *st, const struct mach_event *ev)
{
	return ev->kind == EV_PAGE_ALLOC &&
	    (ev->flags & MACH_EVF_ZEROED_TABLE) == 0 &&
	    ev->pfn < MACH_FRAMES_MAX &&
	    st->upper_gen[ev->pfn] != st->topo_gen &&
	    st->end_gen[ev->pfn] != st->topo_gen;
}

/*
 * The call's events, the placeholders of the kinds the checker does not log
 * (EV_NONE: a window re-pointed, a TLB fill or invalidation) left aside:
 * at most one page allocation, then one PTE write, and nothing else.
 */
static inline INV_ALWAYS_INLINE int
fast_events(const struct machine *mc, struct fast *fx)
{
	/* The common logs first: a write, or an allocation and a write. */
	if (mc->nlog == 1) {
		fx->page = NULL;
		fx->pte = &mc->log[0];
		return fx->pte->kind == EV_PTE_WRITE;
	}
	if (mc->nlog == 2 && mc->log[0].kind == EV_PAGE_ALLOC) {
		fx->page = &mc->log[0];
		fx->pte = &mc->log[1];
		return fx->pte->kind == EV_PTE_WRITE;
	}
	fx->page = fx->pte = NULL;
	for (unsigned i = 0; i < mc->nlog; i++) {
		const struct mach_event *ev = &mc->log[i];

		if (ev->kind == EV_NONE)
			continue;
		if (fx->pte != NULL)
			return 0;
		if (ev->kind == EV_PTE_WRITE)
			fx->pte = ev;
		else if (ev->kind == EV_PAGE_ALLOC && fx->page == NULL)
			fx->page = ev;
		else
			return 0;
	}
	return fx->pte != NULL;
}

/*
 * Whether the call is a one-write call: fills fx without changing
 * anything (at the start of a pass, whose work set is empty).  The write must
 * be a PTE of g's own entry in the page table that the walks' memo (valid)
 * gives for g's region, through a window that was not re-pointed.
 */
static inline INV_ALWAYS_INLINE int
fast_shape(struct inv_ctx *ctx, struct fast *fx)
{
	const struct machine *mc = ctx->mc;
	const struct inv_state *st = ctx->st;
	const struct mach_event *ev;
	const struct inv_walk_memo *memo;
	const uint32_t *jslots;
	struct inv_run run;
	unsigned idx;
	int as, slot;

	if (ctx->enabled != INV_ALL || mc->nlog == 0 || mc->nlog > FAST_LOG_MAX)
		return 0;
	if (!fast_events(mc, fx) ||
	    (fx->page != NULL && !fast_page_ok(st, fx->page)))
		return 0;
	ev = fx->pte;
	if (ev->level != PT_LVL_PTE || ev->pfn >= MACH_FRAMES_MAX ||
	    st->upper_gen[ev->pfn] == st->topo_gen ||
	    (ev->win != WIN_NONE && ev->gen_ref != ev->gen_now))
		return 0;
	as = va_is_kernel(ev->va) ? 0 : inv_as_of_root(ctx, ev->root);
	if (as < 0 || (slot = model_slot((unsigned)as, ev->va)) < 0)
		return 0;
	fx->as = (unsigned)as;
	fx->slot = (unsigned)slot;
	fx->g = fx->as * MODEL_SLOTS_MAX + (uint32_t)slot;
	inv_run_of(fx->g, &run);
	memo = &st->walk_memo[run.as * INV_NREG_MAX + run.r];
	idx = run.idx0 + (fx->g - run.lo);
	if (memo->gen != st->topo_gen || memo->pde != 0 || memo->pt == NULL ||
	    memo->pt != mach_table(mc, ev->pfn) || ev->idx != idx)
		return 0;
	switch (model_pending_slots(ctx->md, &jslots)) {
	case 0:
		fx->pending = 0;
		break;
	case 1:
		if (jslots[0] != fx->g)
			return 0;
		fx->pending = 1;
		break;
	default:
		return 0;
	}
	fx->njframes = model_pending_frames(ctx->md, &fx->jframes);
	if (fx->njframes > FAST_PEND_FRAMES)
		return 0;
	/* inv_observe's reading of the slot. */
	fx->e = memo->pt[idx];
	fx->lvl = (fx->e & PG_V) != 0 ? PT_LVL_PTE : 0;
	if (fx->lvl == 0)
		fx->e = 0;
	fx->oe = st->obs_e[fx->g];
	fx->olvl = st->obs_lvl[fx->g];
	fx->of = inv_leaf_frame_idx(fx->oe, fx->olvl, idx);
	fx->nf = inv_leaf_frame_idx(fx->e, fx->lvl, idx);
	return 1;
}

/* Add work frame f once (the call's frames are mostly one, the page
 * entered: the first one is compared first). */
static inline void
fast_add_frame(struct fast *fx, uint32_t f)
{
	unsigned n = fx->nframe;

	if (f >= MACH_FRAMES_MAX || (n != 0 && fx->frame[0] == f))
		return;
	for (unsigned i = 1; i < n; i++)
		if (fx->frame[i] == f)
			return;
	fx->frame[n] = f;
	fx->nframe = n + 1;
}

/* The work frames, in the order inv_collect_log, inv_collect_model and
 * inv_observe add them. */
static void
fast_frames(struct fast *fx)
{
	const struct mach_event *ev = fx->pte;

	fx->nframe = 0;
	if (fx->page != NULL)
		fast_add_frame(fx, fx->page->pfn);
	if ((ev->old & PG_V) != 0)
		fast_add_frame(fx, (uint32_t)atop(ev->old & PG_FRAME));
	if ((ev->new &PG_V) != 0)
		fast_add_frame(fx, (uint32_t)atop(ev->new &PG_FRAME));
	for (unsigned i = 0; i < fx->njframes; i++)
		fast_add_frame(fx, fx->jframes[i]);
	if (fast_changed(fx)) {
		fast_add_frame(fx, fx->of);
		if (!fast_same_frame(fx))
			fast_add_frame(fx, fx->nf);
	}
}

/* The shadow's update, as inv_collect_log and inv_observe (inv_obs_set)
 * make it: the write's TLB note if it took rights away (a remove, a
 * protect), table counts, then g's observation and what derives from
 * it. */
static void
fast_observe(struct inv_state *st, const struct fast *fx)
{
	const struct mach_event *ev = fx->pte;
	uint32_t g = fx->g;

	if (fx->page != NULL)
		inv_set_nvalid(st, fx->page->pfn, -1);
	if (inv_ev_shrinks(ev))
		inv_note_tlb(st, ev, PAGE_SHIFT);
	inv_ev_count(st, ev);
	if (!fast_changed(fx))
		return;
	inv_obs_put(st, g, fx->e, fx->lvl);
	inv_obs_move(st, fx->as, fx->oe, fx->olvl, fx->of, fx->e, fx->lvl,
	    fx->nf);
}

/* Whether the general pass would run no check: every screen passes. */
static int
fast_plain(struct inv_ctx *ctx, const struct fast *fx)
{
	inv_scan_begin(ctx->st);
	if ((fx->pending || fast_changed(fx)) &&
	    !inv_slot_plain_at(ctx, fx->as, fx->slot, fx->e, fx->lvl))
		return 0;
	if (inv_pv_count_differs(ctx))
		return 0;
	if (fx->page != NULL &&
	    !inv_chunk_plain(ctx, fx->page->pfn / RESERV_FRAMES))
		return 0;
	for (unsigned i = 0; i < fx->nframe; i++)
		if (!inv_frame_plain(ctx, fx->frame[i]))
			return 0;
	return inv_as_plain(ctx, fx->as);
}

/* The general pass's work set for the call, built as it builds it. */
static void
fast_work(struct inv_state *st, const struct fast *fx)
{
	if (fx->page != NULL)
		inv_add_chunk(st, fx->page->pfn);
	inv_add_slot(st, fx->g);
	if (fx->pending || fast_changed(fx))
		inv_add_changed(st, fx->g);
	for (unsigned i = 0; i < fx->nframe; i++)
		inv_add_frame(st, fx->frame[i]);
	st->as_touched |= 1u << fx->as;
}

int
inv_fast_applies(struct inv_ctx *ctx)
{
	struct fast fx;

	return fast_shape(ctx, &fx);
}

int
inv_fast_pass(struct inv_ctx *ctx)
{
	struct fast fx;

	if (!fast_shape(ctx, &fx))
		return -1;
	fast_frames(&fx);
	fast_observe(ctx->st, &fx);
	if (fast_plain(ctx, &fx)) {
		ctx->cnt.observed++;
		ctx->cnt.checked += fx.pending || fast_changed(&fx);
		ctx->cnt.frames += fx.nframe;
		return 0;
	}
	fast_work(ctx->st, &fx);
	return 1;
}

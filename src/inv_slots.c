/*
 * inv_slots.c - the per-slot verdicts of one pass.
 *
 * Every slot whose leaf or intent changed since it was last verified (every
 * slot in a sweep) is judged once, against every slot invariant at the
 * same time: wrong-address-space, stale-pte, missing-wired,
 * wrong-translation, shared-writable and the slot half of pv-mismatch.
 * The first offending slot of each invariant is kept in st->bad[]; the
 * checks in table order then report from there, so precedence is the
 * table's.  One scan instead of one per invariant keeps the incremental
 * check cheap when a promotion or demotion changes a whole region.
 */
#include <string.h>

#include "inv_screen.h"

static void
verdict(struct inv_state *st, enum inv_id id, uint32_t g, uint32_t arg,
    uint32_t arg2, const char *why)
{
	if (st->bad[id] != INV_NO_SLOT)
		return;
	st->bad_mask |= 1u << id;
	st->bad[id] = g;
	st->bad_arg[id] = arg;
	st->bad_arg2[id] = arg2;
	st->bad_why[id] = why;
}

/* The first way leaf e gives more (or other) rights than mp; NULL if
 * none (if leaf_ok). */
static const char *
leaf_mismatch(pt_entry_t e, int kernel, const struct model_map *mp)
{
	if (leaf_ok(e, kernel ? LM_KERNEL : 0, mp))
		return NULL;
	if ((e & PG_RW) != 0 && (mp->prot & VM_PROT_WRITE) == 0)
		return "writable, but the model allows no write";
	if ((e & PG_NX) == 0 && (mp->prot & VM_PROT_EXECUTE) == 0)
		return "executable (no PG_NX), but the model allows no execute";
	if (!kernel && (e & PG_U) == 0)
		return "user va without PG_U";
	if (kernel && (e & PG_U) != 0)
		return "kernel va with PG_U";
	if (kernel && (e & PG_G) == 0)
		return "kernel va without PG_G";
	if (!kernel && (e & PG_G) != 0)
		return "user va with PG_G (survives address-space switches)";
	if (((e & PG_W) != 0) != ((mp->flags & MODEL_WIRED) != 0))
		return (e & PG_W) != 0 ? "PG_W on a mapping the model has not "
					 "wired" :
					 "no PG_W on a wired mapping";
	if (((e & PG_MANAGED) != 0) != ((mp->flags & MODEL_MANAGED) != 0))
		return (e & PG_MANAGED) != 0 ?
		    "PG_MANAGED on an unmanaged "
		    "mapping" :
		    "no PG_MANAGED on a managed mapping";
	return NULL;
}

/* Another pmap whose leaf for a private model mapping of f is writable:
 * its global slot, or INV_NO_SLOT. */
static INV_NOINLINE uint32_t
shared_writer(struct inv_ctx *ctx, unsigned as, uint32_t f)
{
	const struct inv_state *st = ctx->st;
	struct model_ref refs[16];
	unsigned n = model_frame_maps(ctx->md, f, refs, 16);

	for (unsigned k = 0; k < n && k < 16; k++) {
		const struct model_map *mq;
		int slot;
		uint32_t h;

		if (refs[k].as == as)
			continue;
		slot = model_slot(refs[k].as, refs[k].va);
		if (slot < 0)
			continue;
		mq = &model_maps(ctx->md, refs[k].as)[slot];
		h = refs[k].as * MODEL_SLOTS_MAX + (uint32_t)slot;
		if ((mq->flags & MODEL_PRIVATE) != 0 && st->obs_lvl[h] != 0 &&
		    (st->obs_e[h] & PG_RW) != 0 && inv_obs_frame(st, h) == f)
			return h;
	}
	return INV_NO_SLOT;
}

/* A PV list walk: entries naming (pm, va) and all entries, or
 * malformed. */
struct pv_scan {
	unsigned n, len;
	int bad;
	uint32_t idx;
	const char *why;
};
static void
inv_pv_count(const struct pmap_sys *ps, uint32_t head, unsigned pm,
    vm_offset_t va, struct pv_scan *s)
{
	uint32_t steps = 0;

	s->n = 0;
	s->len = 0;
	s->bad = 0;
	s->idx = 0;
	s->why = NULL;
	for (uint32_t i = head; i != 0; i = ps->pv[i].pv_next) {
		if (i >= PV_MAX || ++steps > PV_MAX) {
			s->bad = 1;
			s->idx = i;
			s->why = i >= PV_MAX ? "index out of the pool" :
					       "the list does not end";
			return;
		}
		s->len++;
		if (ps->pv[i].pv_pmap == pm && ps->pv[i].pv_va == va)
			s->n++;
	}
}

/* The slot half of pv-mismatch: a managed leaf (level lvl, frame f) at
 * slot g of as, va va, has exactly one entry. */
static void
pv_verdict(struct inv_ctx *ctx, uint32_t g, int lvl, unsigned as,
    vm_offset_t va, uint32_t f)
{
	struct inv_state *st = ctx->st;
	const struct machine *mc = ctx->mc;
	struct pv_scan sc;
	uint32_t head;

	if (f >= mc->cfg.nframes)
		head = 0;
	else if (lvl == PT_LVL_PDE) {
		/* The 2 MiB mapping's entry is its first page's. */
		if (inv_slot_pte_index(g) != 0)
			return;
		head = mc->pages[f].pv2m_head;
	} else {
		head = mc->pages[f].pv_head;
		/* The common list, this leaf's entry alone: what the walk
		 * below finds for it, directly. */
		if (pv_alone(ctx->ps->pv, head, as, va)) {
			st->pv_ok_pass[f] = st->pass_no;
			return;
		}
	}
	inv_pv_count(ctx->ps, head, as, va, &sc);
	if (!sc.bad && sc.n == 1) {
		/* The list is this managed 4 KiB leaf's entry alone. */
		if (sc.len == 1 && lvl == PT_LVL_PTE)
			st->pv_ok_pass[f] = st->pass_no;
		return;
	}
	verdict(st, INV_PV_MISMATCH, g, sc.n, sc.idx, sc.bad ? sc.why : NULL);
}

/*
 * The last of the changed slots cslot[i + 1 ..] that need no judging once
 * cslot[i], global slot g, is judged, in a row from i: slots of g's run
 * that the 2 MiB leaf e maps (g is one), and the model too, to e's frame,
 * with the prot and flags of g's mapping mp, which matched, with e that
 * needs no shared-writable test.  Each would get no verdict but those g
 * gets (kept already): leaf_ok's answer is mp's.  Its frame must be in the
 * machine and its PTE index not 0 (the PV entry is the first page's), so
 * that pv_verdict has nothing to test.  A promotion or demotion changes a
 * leaf's 512 slots at once.
 */
static uint32_t
pde_twins(const struct inv_ctx *ctx, uint32_t g, uint32_t i, pt_entry_t e,
    const struct model_map *mp)
{
	const struct inv_state *st = ctx->st;
	uint32_t nframes = ctx->mc->cfg.nframes, k0, kn;
	const struct model_map *row;
	struct inv_run run;
	uint64_t f0;

	inv_run_of(g, &run);
	row = st->maps[run.as] + run.s0;
	/* Slot k of the run maps frame f0 + k; in [k0, kn) its PTE index
	 * is not 0 and its frame in the machine. */
	f0 = atop(e & PG_PS_FRAME) + run.idx0;
	k0 = run.idx0 == 0;
	kn = f0 >= nframes	 ? 0 :
	    nframes - f0 < run.n ? (uint32_t)(nframes - f0) :
				   run.n;
	if (kn <= k0)
		return i;
	for (; i + 1 < st->ncslot; i++) {
		uint32_t h = st->cslot[i + 1], k = h - run.lo;

		if (k - k0 >= kn - k0 || st->obs_lvl[h] != PT_LVL_PDE ||
		    st->obs_e[h] != e || row[k].pfn != f0 + k ||
		    row[k].prot != mp->prot || row[k].flags != mp->flags)
			break;
	}
	return i;
}

/*
 * Judge changed slot cslot[i] against every slot invariant.  Returns the
 * last index of cslot it judged (pde_twins: a 2 MiB leaf's twins that
 * follow it).  Out of line: the scan's screen needs it rarely.
 */
static INV_NOINLINE uint32_t
judge_slot(struct inv_ctx *ctx, uint32_t i)
{
	struct inv_state *st = ctx->st;
	const struct model_map *const *maps = st->maps;
	uint32_t g = st->cslot[i], f;
	unsigned as = g / MODEL_SLOTS_MAX, s = g - as * MODEL_SLOTS_MAX;
	const struct model_map *mp = &maps[as][s];
	pt_entry_t e = st->obs_e[g];
	int lvl = st->obs_lvl[g];
	const char *why;

	if (lvl == 0) {
		if (leaf_missing(mp, as))
			verdict(st, INV_MISSING_WIRED, g, 0, 0, NULL);
		return i;
	}
	f = inv_leaf_frame_at(e, lvl, g);
	if (mp->prot == 0 || mp->pfn != f) {
		for (unsigned q = 1; as != 0 && q < MODEL_AS_MAX &&
		     st->bad[INV_WRONG_ADDRESS_SPACE] == INV_NO_SLOT;
		     q++)
			if (q != as && maps[q][s].prot != 0 &&
			    maps[q][s].pfn == f)
				verdict(st, INV_WRONG_ADDRESS_SPACE, g, q, 0,
				    NULL);
		if (mp->prot == 0) {
			verdict(st, INV_STALE_PTE, g, 0, 0, NULL);
			return i;
		}
		verdict(st, INV_WRONG_TRANSLATION, g, 0, 0,
		    "maps another frame than the model's");
	} else if ((why = leaf_mismatch(e, as == 0, mp)) != NULL)
		verdict(st, INV_WRONG_TRANSLATION, g, 0, 0, why);
	if (leaf_shares(e, mp, f) &&
	    (ctx->enabled >> INV_SHARED_WRITABLE & 1) &&
	    st->bad[INV_SHARED_WRITABLE] == INV_NO_SLOT) {
		uint32_t h = shared_writer(ctx, as, f);

		if (h != INV_NO_SLOT)
			verdict(st, INV_SHARED_WRITABLE, g, h, 0, NULL);
	}
	if (leaf_pv_judged(st, ctx->enabled, e))
		pv_verdict(ctx, g, lvl, as, model_slot_va(as, s), f);
	/* The 2 MiB leaf's other changed slots mostly follow. */
	if (lvl == PT_LVL_PDE && mp->pfn == f &&
	    ((e & PG_RW) == 0 || (mp->flags & MODEL_PRIVATE) == 0))
		i = pde_twins(ctx, g, i, e, mp);
	return i;
}

/* The invariants judge_slot gives verdicts for: without one of them
 * enabled, the scan has nothing to find. */
#define SLOT_VERDICTS                                                          \
	((1u << INV_WRONG_ADDRESS_SPACE) | (1u << INV_STALE_PTE) |             \
	    (1u << INV_MISSING_WIRED) | (1u << INV_WRONG_TRANSLATION) |        \
	    (1u << INV_SHARED_WRITABLE) | (1u << INV_PV_MISMATCH))

void
inv_scan_slots(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	inv_scan_begin(st);
	if ((ctx->enabled & SLOT_VERDICTS) == 0)
		return;
	for (uint32_t i = 0; i < st->ncslot; i++)
		if (!inv_slot_plain(ctx, st->cslot[i]))
			i = judge_slot(ctx, i);
}

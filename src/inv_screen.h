/*
 * inv_screen.h - the screens' tests of one element of a work set: a slot
 * (inv_slots.c), a frame or reservation chunk (inv_frames.c), a touched
 * pmap (inv_tables.c).  Each says whether its checks may report there;
 * the general screens run them over a pass's work set, and the one-write
 * pass (inv_fast.c) over the few elements its call touched.  Inline, as
 * both run them in their hot loops.  Private to the checker, like
 * inv_int.h.
 */
#ifndef PMAPFUZZ_INV_SCREEN_H
#define PMAPFUZZ_INV_SCREEN_H

#include "inv_int.h"

/* Slots. */

/*
 * Whether leaf e gives exactly the rights of mp: leaf_mismatch finds
 * nothing.  By lm_index: the bits of e that must have a fixed value
 * (lm_mask) and that value (lm_want).  A right the model allows leaves its
 * bit free (PG_RW, PG_NX); any other bit is as the model and the address
 * space say.
 */
#define LM_KERNEL 16 /* lm_index's bit for the kernel address space */
#define LM_MASK(i)                                                             \
	(PG_U | PG_G | PG_W | PG_MANAGED | ((i)&1 ? 0 : PG_RW) |               \
	    ((i)&2 ? 0 : PG_NX))
#define LM_WANT(i)                                                             \
	(((i)&LM_KERNEL ? PG_G : PG_U) | ((i)&4 ? PG_W : 0) |                  \
	    ((i)&8 ? PG_MANAGED : 0) | ((i)&2 ? 0 : PG_NX))
#define LM_4(F, i) F(i), F(i + 1), F(i + 2), F(i + 3)
#define LM_32(F)                                                               \
	LM_4(F, 0), LM_4(F, 4), LM_4(F, 8), LM_4(F, 12), LM_4(F, 16),          \
	    LM_4(F, 20), LM_4(F, 24), LM_4(F, 28)
static const pt_entry_t lm_mask[32] = { LM_32(LM_MASK) };
static const pt_entry_t lm_want[32] = { LM_32(LM_WANT) };
_Static_assert(VM_PROT_WRITE == 2 && VM_PROT_EXECUTE == 4 && MODEL_WIRED == 1 &&
	MODEL_MANAGED == 2,
    "lm_index");

/* Index of (mp, kernel: LM_KERNEL or 0) in lm_mask and lm_want. */
static inline unsigned
lm_index(const struct model_map *mp, unsigned kernel)
{
	return kernel | (mp->prot >> 1 & 3) | (mp->flags & 3) << 2;
}

static inline int
leaf_ok(pt_entry_t e, unsigned kernel, const struct model_map *mp)
{
	unsigned i = lm_index(mp, kernel);

	return (e & lm_mask[i]) == lm_want[i];
}

/* Whether the PV list at head is one entry, naming (as, va): what
 * inv_pv_count finds for a managed 4 KiB leaf's own entry alone. */
static inline int
pv_alone(const struct pv_entry *pv, uint32_t head, unsigned as, vm_offset_t va)
{
	return head != 0 && head < PV_MAX && pv[head].pv_next == 0 &&
	    pv[head].pv_pmap == as && pv[head].pv_va == va;
}

/* Whether the model's mapping mp at a slot of as that holds no leaf breaks
 * missing-wired. */
static inline int
leaf_missing(const struct model_map *mp, unsigned as)
{
	return mp->prot != 0 && (as == 0 || (mp->flags & MODEL_WIRED) != 0);
}

/* Whether leaf e, frame f, of the model's mapping mp needs the
 * shared-writable test, as far as the leaf tells. */
static inline int
leaf_shares(pt_entry_t e, const struct model_map *mp, uint32_t f)
{
	return (e & PG_RW) != 0 && (mp->flags & MODEL_PRIVATE) != 0 &&
	    mp->pfn == f;
}

/* Whether leaf e needs the slot half of pv-mismatch in this scan. */
static inline int
leaf_pv_judged(const struct inv_state *st, uint32_t en, pt_entry_t e)
{
	return (e & PG_MANAGED) != 0 && (en >> INV_PV_MISMATCH & 1) &&
	    st->bad[INV_PV_MISMATCH] == INV_NO_SLOT;
}

/*
 * The scan's screen: what judge_slot finds, directly, for slot s of as
 * observed (e, lvl) when it is certainly fine: no leaf where none is
 * missing, or a 4 KiB leaf as the model wants it that needs no
 * shared-writable test and whose PV list (if judged) is its own entry
 * alone, which it marks shown (pv_ok_pass).  0: the slot must be judged.
 */
static inline INV_ALWAYS_INLINE int
inv_slot_plain_at(struct inv_ctx *ctx, unsigned as, unsigned s, pt_entry_t e,
    int lvl)
{
	struct inv_state *st = ctx->st;
	const struct model_map *mp = &st->maps[as][s];
	uint32_t f;

	if (lvl == 0)
		return !leaf_missing(mp, as);
	if (lvl != PT_LVL_PTE || mp->prot == 0 ||
	    mp->pfn != (f = atop(e & PG_FRAME)) ||
	    !leaf_ok(e, as == 0 ? LM_KERNEL : 0, mp) || leaf_shares(e, mp, f))
		return 0;
	if (!leaf_pv_judged(st, ctx->enabled, e))
		return 1;
	if (f >= ctx->mc->cfg.nframes ||
	    !pv_alone(ctx->ps->pv, ctx->mc->pages[f].pv_head, as,
		model_slot_va(as, s)))
		return 0;
	st->pv_ok_pass[f] = st->pass_no;
	return 1;
}

/* The same for global slot g as observed. */
static inline INV_ALWAYS_INLINE int
inv_slot_plain(struct inv_ctx *ctx, uint32_t g)
{
	const struct inv_state *st = ctx->st;
	unsigned as = g / MODEL_SLOTS_MAX;

	return inv_slot_plain_at(ctx, as, g - as * MODEL_SLOTS_MAX,
	    st->obs_e[g], st->obs_lvl[g]);
}

/* Frames and chunks. */

/* Whether frame f's (page m's) 4 KiB PV list passes pv_list_find without
 * a walk: it is empty, or the slot scan showed it this pass (pv_ok_pass). */
static inline int
pv4k_shown(const struct inv_state *st, const struct vm_page *m, uint32_t f)
{
	return m->pv_head == 0 || st->pv_ok_pass[f] == st->pass_no;
}

/* Bits set in x (no popcnt instruction in the baseline ISA, and libgcc's
 * fallback is a call). */
static inline unsigned
popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* Population of chunk c's bitmap from the cached copy and the words that
 * differ from it; the copy follows. */
static inline INV_ALWAYS_INLINE unsigned
reserv_delta(struct inv_state *st, const struct reserv *r, uint32_t c)
{
	uint64_t *old = st->rsv_map[c];
	unsigned bits = st->rsv_bits[c];

#pragma GCC unroll 8
	for (unsigned w = 0; w < RESERV_FRAMES / 64; w++) {
		uint64_t cur = r->popmap[w], d;

		if (cur == old[w])
			continue;
		d = cur ^ old[w];
		/* One frame allocated or freed: one bit flipped. */
		if ((d & (d - 1)) == 0)
			bits = (cur & d) != 0 ? bits + 1 : bits - 1;
		else
			bits = bits + popcount64(cur) - popcount64(old[w]);
		old[w] = cur;
		st->rsv_bits[c] = (uint16_t)bits;
	}
	return bits;
}

/* Whether frame f's (< nframes) bit in its chunk's bitmap says whether it
 * is allocated, and an allocated frame of a reserved chunk belongs to the
 * reservation's object (page-table pages come from the direct pool). */
static inline int
reserv_frame_ok(const struct machine *mc, uint32_t f)
{
	const struct reserv *r = &mc->reserv[f / RESERV_FRAMES];
	const struct vm_page *m = &mc->pages[f];
	unsigned flags = m->flags;
	unsigned alloc = (flags & VPF_ALLOCATED) != 0;

	if (((r->popmap[f % RESERV_FRAMES / 64] >> (f % 64)) & 1) != alloc)
		return 0;
	return !alloc || m->object == r->object || r->object == OBJ_NONE ||
	    (flags & VPF_PTP) != 0;
}

/*
 * Whether allocated work frame f (< nframes) certainly passes
 * frame_suspect's tests, whatever the checks wanted: no 2 MiB PV list, a
 * 4 KiB one that pv4k_shown, never written (dirty_known's first test) and
 * reserv_frame_ok.  The common case, in few loads.
 */
static inline INV_ALWAYS_INLINE int
alloc_plain(const struct machine *mc, const struct inv_state *st, uint32_t f)
{
	const struct vm_page *m = &mc->pages[f];

	return m->pv2m_head == 0 &&
	    (st->frames[f].flags & MODEL_F_WRITTEN) == 0 &&
	    pv4k_shown(st, m, f) && reserv_frame_ok(mc, f);
}

/* Whether the frame screen finds nothing on work frame f: beyond memory,
 * or allocated and alloc_plain (frames_plain's test). */
static inline INV_ALWAYS_INLINE int
inv_frame_plain(const struct inv_ctx *ctx, uint32_t f)
{
	const struct machine *mc = ctx->mc;

	return f >= mc->cfg.nframes ||
	    ((mc->pages[f].flags & VPF_ALLOCATED) != 0 &&
		alloc_plain(mc, ctx->st, f));
}

/* Whether reserv-count's screen finds nothing on work chunk c: beyond
 * memory, or its count is its bitmap's population (the cache follows). */
static inline INV_ALWAYS_INLINE int
inv_chunk_plain(struct inv_ctx *ctx, uint32_t c)
{
	const struct machine *mc = ctx->mc;

	return c >= mc->cfg.nframes / RESERV_FRAMES ||
	    reserv_delta(ctx->st, &mc->reserv[c], c) == mc->reserv[c].popcnt;
}
/* Touched pmaps. */

/* Whether pm keeps any saved ptp (one pass over the array, no branch per
 * entry). */
static inline int
has_any_saved(const struct pmap *pm)
{
	uint32_t any = 0;

#pragma GCC unroll 8
	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++)
		any |= pm->pm_saved[i].pfn;
	return any != 0;
}

/*
 * ptp-count's test of table pfn on the paths of live pmap as: a kernel
 * table's count is fixed (VPF_KERNEL_PTP, ref_count 512), a user table's
 * equals its cached valid entries (-1, not cached, differs: the caller
 * counts it) and is not 0.  Reads only.  Shared by ptp_as_bad and the screen's
 * fast path.
 */
static inline INV_ALWAYS_INLINE int
ptp_tab_bad(const struct inv_ctx *ctx, unsigned as, uint32_t pfn)
{
	const struct vm_page *m = &ctx->mc->pages[pfn];

	if (as == 0)
		return (m->flags & VPF_KERNEL_PTP) == 0 ||
		    m->ref_count != NPTEPG;
	/* |, not ||: one branch in the screen's loop. */
	return (ctx->st->tab_nvalid[pfn] != m->ref_count) | (m->ref_count == 0);
}

/*
 * pmap-stats' recount for live pmap as: the pages its leaves map, plus for
 * a user pmap its page-table pages (p) and saved ptps (nsaved).
 */
static inline int64_t
stats_resident(const struct inv_state *st, unsigned as,
    const struct inv_paths *p, int64_t nsaved)
{
	return st->pages[as] + (as != 0 ? (int64_t)p->ntab + nsaved : 0);
}

/* Whether pm's counters equal the recount (res) and the wired shadow. */
static inline int
stats_ok(const struct inv_state *st, const struct pmap *pm, unsigned as,
    int64_t res)
{
	return res == pm->pm_stats.resident_count &&
	    st->wired[as] == pm->pm_stats.wired_count;
}

/* What as_quick finds for one pmap. */
enum as_quick {
	AS_QUICK_PLAIN, /* neither check may report on it */
	AS_QUICK_SLOW,	/* not usual, or a count may differ: the whole test */
	AS_QUICK_STATS	/* pmap-stats may report on it */
};

/*
 * inv_as_suspect's test of touched pmap as in its loop, by reads only: a
 * pmap with no root is plain; one whose paths are cached and sound and
 * which keeps no saved ptp, the usual case, gets ptp_tab_bad on every path
 * table and pmap-stats's comparison without saved ptps; any other is
 * AS_QUICK_SLOW.
 */
static inline INV_ALWAYS_INLINE enum as_quick
as_quick(const struct inv_ctx *ctx, const struct pmap *pms, unsigned as)
{
	const struct inv_state *st = ctx->st;
	const struct inv_paths *p = &st->paths[as];
	unsigned i = 0;

	if (st->root[as] == 0)
		return AS_QUICK_PLAIN;
	if (!st->paths_ok[as] || p->bad || has_any_saved(&pms[as]))
		return AS_QUICK_SLOW;
	if (as == 0)
		while (i < p->ntab && !ptp_tab_bad(ctx, 0, p->tab[i]))
			i++;
	else
		while (i < p->ntab && !ptp_tab_bad(ctx, as, p->tab[i]))
			i++;
	if (i < p->ntab)
		return AS_QUICK_SLOW;
	return stats_ok(st, &pms[as], as, stats_resident(st, as, p, 0)) ?
	    AS_QUICK_PLAIN :
	    AS_QUICK_STATS;
}

/* Whether the screen finds nothing on touched pmap as (ptp-count and
 * pmap-stats may not report there): as_quick's answer, or for a pmap that
 * is not usual (one that keeps saved ptps, say) the screen's whole test. */
static inline INV_ALWAYS_INLINE int
inv_as_plain(struct inv_ctx *ctx, unsigned as)
{
	switch (as_quick(ctx, ctx->ps->pmaps, as)) {
	case AS_QUICK_PLAIN:
		return 1;
	case AS_QUICK_STATS:
		return 0;
	case AS_QUICK_SLOW:
		break;
	}
	return inv_as_screen(ctx, INV_AS_SCREENED, 1u << as) == 0;
}

#endif /* PMAPFUZZ_INV_SCREEN_H */

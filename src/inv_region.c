/*
 * inv_region.c - the call check of a call that changed the leaves of one
 * 2 MiB model region at once, in one go:
 *   a demotion: one PDE write turned the region's 2 MiB leaf into a link
 *	to a page table of 512 PTEs, the same frames with the same bits (a
 *	pmap_protect or pmap_enter that demoted, mostly);
 *   a promotion: PTE writes into the region's page table that keep each
 *	page's frame (the page entered, the clean pages write-protected),
 *	after at most one data page allocated, then one PDE write that
 *	replaced the link with a 2 MiB leaf of the same frames (a pmap_enter
 *	that promoted);
 * with the model's intent changed at most inside the region.
 *
 * The general pass (invariants.c) would add the region's 512 slots to its
 * work set, re-observe them one by one, screen each slot and each frame
 * through its lists, and walk the region for illegal-promotion and
 * wrong-translation.  Here the same tests run in one loop over the
 * region, the leaf's bits tested against the model's prot and flags once
 * per change of them along the region (a demotion's PTEs must all equal
 * the first but for the frame, else the general pass takes the call).
 * What the tests read before the shadow changes runs first, and when one
 * fails nothing has changed: the general pass runs.  Then the shadow is
 * updated as the general pass would update it, in its order, and the
 * screens that read it (a promotion's frames, whose PV lists are compared
 * with it; the touched pmap's ptp-count and pmap-stats; the PV count) come
 * last: if one fails, the general pass's work set is built, as it would
 * build it, and its checks take over, so that every finding is theirs.
 */
#include "inv_screen.h"

enum region_kind { REGION_DEMOTE, REGION_PROMOTE };

struct region_call {
	enum region_kind kind;
	const struct mach_event *ev;   /* the PDE write */
	const struct mach_event *page; /* a promotion's allocation, or NULL */
	unsigned as, r;		       /* the region */
	uint32_t g0;		       /* its first global slot */
	vm_offset_t va;		       /* its first va */
	uint32_t base;		       /* the frame of its first page */
	uint32_t odd;		       /* the frame the general pass takes from
					  the link (the PDE's new value for a
					  demotion, its old one for a
					  promotion) as if it were a leaf */
	pt_entry_t leaf;      /* the new leaf: a demotion's first PTE, a
				 promotion's PDE */
	const pt_entry_t *pt; /* a demotion's page table, now linked */
	/* A promotion's slots (index in the region) in the order its PTE
	 * writes first name them: the order the general pass re-observes. */
	uint16_t first[NPTEPG];
	unsigned nfirst;
};

/* Whether a write went directly or through a window not re-pointed since
 * the writer took it (else the general pass notes it). */
static inline int
region_win_ok(const struct mach_event *ev)
{
	return ev->win == WIN_NONE || ev->gen_ref == ev->gen_now;
}

/* The PDE write the call logged last, the placeholders (EV_NONE) after it
 * aside, and the kind of change it made; 0 if it made neither. */
static int
region_event(const struct machine *mc, struct region_call *rc)
{
	const struct mach_event *ev;
	unsigned n = mc->nlog;

	while (n > 0 && mc->log[n - 1].kind == EV_NONE)
		n--;
	if (n == 0)
		return 0;
	ev = &mc->log[n - 1];
	if (ev->kind != EV_PTE_WRITE || ev->level != PT_LVL_PDE ||
	    !region_win_ok(ev) || ev->pfn >= MACH_FRAMES_MAX)
		return 0;
	rc->ev = ev;
	rc->page = NULL;
	rc->nfirst = 0;
	if ((ev->old & (PG_V | PG_PS)) == (PG_V | PG_PS) &&
	    (ev->new &(PG_V | PG_PS)) == PG_V) {
		rc->kind = REGION_DEMOTE;
		rc->base = (uint32_t)atop(ev->old & PG_PS_FRAME);
		rc->odd = (uint32_t)atop(ev->new &PG_PS_FRAME);
		/* Nothing else logged but placeholders. */
		for (unsigned i = 0; i + 1 < n; i++)
			if (mc->log[i].kind != EV_NONE)
				return 0;
		return 1;
	}
	if ((ev->old & (PG_V | PG_PS)) == PG_V &&
	    (ev->new &(PG_V | PG_PS)) == (PG_V | PG_PS)) {
		rc->kind = REGION_PROMOTE;
		rc->base = (uint32_t)atop(ev->new &PG_PS_FRAME);
		rc->odd = (uint32_t)atop(ev->old & PG_PS_FRAME);
		rc->leaf = ev->new;
		return 1;
	}
	return 0;
}

/* The whole region of as that va starts: its index, or -1 (none, or the
 * kernel stack's, which is not a whole 2 MiB). */
static int
region_of(unsigned as, vm_offset_t va)
{
	for (unsigned r = 0; r < inv_nregions(as); r++) {
		unsigned first, end;

		if (inv_region_va(as, r) != va)
			continue;
		inv_region_slots(as, r, &first, &end);
		return end - first == NPTEPG &&
			inv_slot_pte_index(as * MODEL_SLOTS_MAX + first) == 0 ?
		    (int)r :
		    -1;
	}
	return -1;
}

/*
 * A promotion's other events: at most one allocation of a data page (as
 * the one-write pass takes it: on no walk's path), then PTE writes into
 * the page table the PDE write unlinked, of the same root, each for a page
 * of the region, mapping that page's frame after (and before, if
 * anything): the table's count only grows.  Fills rc->page and
 * rc->first.
 */
static int
region_promote_events(const struct inv_state *st, const struct machine *mc,
    struct region_call *rc)
{
	const struct mach_event *pde = rc->ev;
	uint32_t table = (uint32_t)atop(pde->old & PG_FRAME);
	uint64_t seen[NPTEPG / 64] = { 0 };

	for (const struct mach_event *ev = mc->log; ev < pde; ev++) {
		uint64_t off = ev->va - rc->va, k = off >> PAGE_SHIFT;
		/* The page's frame, where the PTE's frame bits are. */
		pt_entry_t want = ptoa(rc->base) + (off & ~(uint64_t)PAGE_MASK);

		if (ev->kind == EV_PTE_WRITE) {
			if (ev->level != PT_LVL_PTE || !region_win_ok(ev) ||
			    ev->pfn != table || ev->root != pde->root ||
			    off >= NBPDR || (ev->new &PG_V) == 0 ||
			    ((ev->new ^ want) & PG_FRAME) != 0 ||
			    ((ev->old & PG_V) != 0 &&
				((ev->old ^ want) & PG_FRAME) != 0))
				return 0;
			if ((seen[k / 64] >> (k % 64) & 1) == 0) {
				seen[k / 64] |= 1ULL << (k % 64);
				rc->first[rc->nfirst++] = (uint16_t)k;
			}
			continue;
		}
		if (ev->kind == EV_NONE)
			continue;
		if (ev->kind != EV_PAGE_ALLOC || rc->page != NULL ||
		    rc->nfirst != 0 ||
		    (ev->flags & MACH_EVF_ZEROED_TABLE) != 0 ||
		    ev->pfn - rc->base >= NPTEPG ||
		    st->upper_gen[ev->pfn] == st->topo_gen ||
		    st->end_gen[ev->pfn] == st->topo_gen)
			return 0;
		rc->page = ev;
	}
	return 1;
}

/*
 * Whether the call is a change of one region this pass takes, as far as
 * the log, the journal and the shadow tell: fills rc but a demotion's pt
 * and leaf, changing nothing.  A demotion's region must hold the old 2 MiB
 * leaf in every slot of the shadow (its first slot tested here, the others
 * by region_demote_plain).
 */
static int
region_shape(struct inv_ctx *ctx, struct region_call *rc)
{
	const struct machine *mc = ctx->mc;
	const struct inv_state *st = ctx->st;
	const struct mach_event *ev;
	const uint32_t *list;
	unsigned n;
	int as, r;

	if (ctx->enabled != INV_ALL || !region_event(mc, rc))
		return 0;
	ev = rc->ev;
	as = va_is_kernel(ev->va) ? 0 : inv_as_of_root(ctx, ev->root);
	if (as < 0 || (r = region_of((unsigned)as, ev->va & ~PDRMASK)) < 0)
		return 0;
	rc->as = (unsigned)as;
	rc->r = (unsigned)r;
	rc->va = ev->va & ~PDRMASK;
	rc->g0 =
	    rc->as * MODEL_SLOTS_MAX + (uint32_t)model_slot(rc->as, rc->va);
	if (rc->base + NPTEPG > mc->cfg.nframes)
		return 0;
	n = model_pending_slots(ctx->md, &list);
	for (unsigned i = 0; i < n; i++)
		if (list[i] - rc->g0 >= NPTEPG)
			return 0;
	n = model_pending_frames(ctx->md, &list);
	for (unsigned i = 0; i < n; i++)
		if (list[i] - rc->base >= NPTEPG)
			return 0;
	if (rc->kind == REGION_PROMOTE)
		return region_promote_events(st, mc, rc);
	return st->obs_lvl[rc->g0] == PT_LVL_PDE &&
	    st->obs_e[rc->g0] == ev->old;
}

/*
 * What illegal-promotion and wrong-translation's region test find by
 * their walk: nothing, on a path of table links with the right bits down
 * to the new leaf.  For a demotion, fills rc->pt and rc->leaf from the
 * page table the PDE write linked; a promotion's leaf must pass
 * illegal-promotion's own tests of the PDE (region_promote_plain's of the
 * pages imply the rest).  0 if anything else.
 */
static int
region_walk(struct inv_ctx *ctx, struct region_call *rc)
{
	pt_entry_t want = rc->as == 0 ? INV_TABLE_KERN : INV_TABLE_USER;
	int leaf = rc->kind == REGION_DEMOTE ? PT_LVL_PTE : PT_LVL_PDE;
	struct inv_walk w;

	inv_walk(ctx->mc, ctx->st->root[rc->as], rc->va, &w);
	if (w.bad != 0 || w.leaf != leaf || w.ent[PT_LVL_PDE] != rc->ev->new)
		return 0;
	for (int l = PT_LVL_PML4E; l > leaf; l--)
		if ((w.ent[l] & INV_TABLE_BITS) != want)
			return 0;
	if (rc->kind == REGION_PROMOTE)
		return !inv_promotion_pde_bad(ctx, rc->as, rc->va, rc->leaf);
	rc->pt = mach_table(ctx->mc, w.tab[PT_LVL_PTE]);
	rc->leaf = w.ent[PT_LVL_PTE];
	return rc->pt != NULL &&
	    w.tab[PT_LVL_PTE] == atop(rc->ev->new &PG_FRAME);
}

/*
 * Whether leaf e needs no verdict at a slot whose model mapping is mp and
 * frame f, as far as its bits go (the caller compared the frames).
 * *prot and *flags are those of the last row that passed (at first 0xff,
 * no prot): a row with the same passes without a new test.
 */
static inline INV_ALWAYS_INLINE int
region_row_ok(pt_entry_t e, unsigned kernel, const struct model_map *mp,
    uint32_t f, uint8_t *prot, uint8_t *flags)
{
	if (mp->prot == *prot && mp->flags == *flags)
		return 1;
	if (mp->prot == 0 || !leaf_ok(e, kernel, mp) || leaf_shares(e, mp, f))
		return 0;
	*prot = mp->prot;
	*flags = mp->flags;
	return 1;
}

/*
 * alloc_plain for frame f (page m) of a chunk whose bitmap is full (every
 * frame's bit set, as reserv_frame_ok wants of an allocated one) and whose
 * reservation's object is obj.
 */
static inline int
region_frame_plain(const struct inv_state *st, const struct vm_page *m,
    uint32_t f, uint32_t obj)
{
	return (m->flags & VPF_ALLOCATED) != 0 && m->pv2m_head == 0 &&
	    pv4k_shown(st, m, f) &&
	    (st->frames[f].flags & MODEL_F_WRITTEN) == 0 &&
	    (obj == OBJ_NONE || m->object == obj || (m->flags & VPF_PTP) != 0);
}

/* Whether chunk rv's bitmap is full. */
static inline int
region_chunk_full(const struct reserv *rv)
{
	uint64_t all = ~0ULL;

	for (unsigned w = 0; w < RESERV_FRAMES / 64; w++)
		all &= rv->popmap[w];
	return all == ~0ULL;
}

/*
 * A demotion's slot scan and frame screen, in one loop, for a region whose
 * shadow holds the old 2 MiB leaf in every slot: every PTE is the first
 * one's but for the frame, base + i; every model row maps the same frame,
 * with a prot and flags that the leaf's bits match and that need no
 * shared-writable test; a managed leaf's PV list is its own entry alone
 * (marked shown, as the scan marks it), an unmanaged leaf's frame on no
 * 4 KiB list; every frame passes alloc_plain (the region's chunk allocated
 * whole: each frame's bit set).  Then the frame the general pass takes
 * from the new PDE.  1: every slot and frame plain.
 */
static int
region_demote_plain(struct inv_ctx *ctx, const struct region_call *rc)
{
	struct inv_state *st = ctx->st;
	const struct machine *mc = ctx->mc;
	const struct model_map *row =
	    st->maps[rc->as] + (rc->g0 - rc->as * MODEL_SLOTS_MAX);
	const struct pv_entry *pv = ctx->ps->pv;
	const struct reserv *rv = &mc->reserv[rc->base / RESERV_FRAMES];
	pt_entry_t e0 = rc->leaf, old = rc->ev->old;
	int managed = (e0 & PG_MANAGED) != 0;
	unsigned kernel = rc->as == 0 ? LM_KERNEL : 0;
	uint32_t obj = rv->object;
	uint8_t prot = 0xff, flags = 0; /* region_row_ok's */

	if ((e0 & (PG_V | PG_PS)) != PG_V || atop(e0 & PG_FRAME) != rc->base ||
	    !region_chunk_full(rv))
		return 0;
	inv_scan_begin(st);
	for (unsigned i = 0; i < NPTEPG; i++) {
		uint32_t g = rc->g0 + i, f = rc->base + i;
		const struct vm_page *m = &mc->pages[f];

		if (st->obs_lvl[g] != PT_LVL_PDE || st->obs_e[g] != old ||
		    rc->pt[i] != e0 + ptoa(i) || row[i].pfn != f)
			return 0;
		if (!region_row_ok(e0, kernel, &row[i], f, &prot, &flags))
			return 0;
		if (managed) {
			if (!pv_alone(pv, m->pv_head, rc->as, rc->va + ptoa(i)))
				return 0;
			st->pv_ok_pass[f] = st->pass_no;
		}
		if (!region_frame_plain(st, m, f, obj))
			return 0;
	}
	return inv_frame_plain(ctx, rc->odd);
}

/*
 * A promotion's slot scan: every slot of the shadow holds a 4 KiB leaf of
 * its page's frame or none (the page entered by the call); every model
 * row maps the page's frame with a prot and flags that the 2 MiB leaf's
 * bits match and that need no shared-writable test; a managed leaf's 2 MiB
 * PV list is its own entry alone.  1: every slot plain.
 */
static int
region_promote_plain(struct inv_ctx *ctx, const struct region_call *rc)
{
	struct inv_state *st = ctx->st;
	const struct model_map *row =
	    st->maps[rc->as] + (rc->g0 - rc->as * MODEL_SLOTS_MAX);
	pt_entry_t e = rc->leaf;
	unsigned kernel = rc->as == 0 ? LM_KERNEL : 0;
	uint8_t prot = 0xff, flags = 0; /* region_row_ok's */

	inv_scan_begin(st);
	for (unsigned i = 0; i < NPTEPG; i++) {
		uint32_t g = rc->g0 + i, f = rc->base + i;

		if (st->obs_lvl[g] == PT_LVL_PTE ?
			atop(st->obs_e[g] & PG_FRAME) != f :
			st->obs_lvl[g] != 0)
			return 0;
		if (row[i].pfn != f)
			return 0;
		if (!region_row_ok(e, kernel, &row[i], f, &prot, &flags))
			return 0;
	}
	return (e & PG_MANAGED) == 0 ||
	    pv_alone(ctx->ps->pv, ctx->mc->pages[rc->base].pv2m_head, rc->as,
		rc->va);
}

/* The PDE write's part of the shadow's update, as inv_collect_pte makes
 * it: its TLB note, its table's count, the walks it voids. */
static void
region_pde_event(struct inv_state *st, const struct mach_event *ev)
{
	if (inv_ev_shrinks(ev))
		inv_note_tlb(st, ev, PDRSHIFT);
	inv_ev_count(st, ev);
	if (st->upper_gen[ev->pfn] == st->topo_gen)
		inv_void_walks(st);
	memset(st->paths_ok, 0, sizeof(st->paths_ok));
}

/*
 * A promotion's other events, as inv_collect_log takes them: the allocated
 * page's count unknown; each PTE write's TLB note (until the notes
 * overflow: then every TLB entry is suspect already), its table's count
 * (one table, counted once for all) and the walks it voids (only the
 * first can: after a bump the table's stamp is old).
 */
static void
region_promote_events_apply(struct inv_state *st, const struct machine *mc,
    const struct region_call *rc)
{
	uint32_t table = (uint32_t)atop(rc->ev->old & PG_FRAME);
	int moved = 0, wrote = 0;

	for (const struct mach_event *ev = mc->log; ev < rc->ev; ev++) {
		if (ev->kind == EV_PAGE_ALLOC) {
			inv_set_nvalid(st, ev->pfn, -1);
			continue;
		}
		if (ev->kind != EV_PTE_WRITE)
			continue;
		if (!wrote && st->tab_nvalid[table] >= 0)
			inv_set_nvalid(st, table, st->tab_nvalid[table]);
		if (!wrote && st->upper_gen[table] == st->topo_gen)
			inv_void_walks(st);
		wrote = 1;
		moved += (int)(ev->new &PG_V) - (int)(ev->old & PG_V);
		if (!st->tlb_all && inv_ev_shrinks(ev))
			inv_note_tlb(st, ev, PAGE_SHIFT);
	}
	if (moved != 0 && st->tab_nvalid[table] >= 0)
		st->tab_nvalid[table] =
		    (int16_t)(st->tab_nvalid[table] + moved);
}

/* A demotion's 512 observations: the same frames, so only the wired and
 * managed counts move. */
static void
region_demote_observe(struct inv_state *st, const struct region_call *rc)
{
	pt_entry_t old = rc->ev->old;

	for (unsigned i = 0; i < NPTEPG; i++)
		inv_obs_put(st, rc->g0 + i, rc->leaf + ptoa(i), PT_LVL_PTE);
	st->wired[rc->as] +=
	    NPTEPG * ((int64_t)((rc->leaf & PG_W) != 0) - ((old & PG_W) != 0));
	if ((old & PG_MANAGED) != 0)
		st->mngps -= NPTEPG;
	if ((rc->leaf & PG_MANAGED) != 0)
		st->mng4k += NPTEPG;
}

/*
 * A promotion's 512 observations, in the general pass's order (the pages
 * its PTE writes named, then the others): every slot gets the 2 MiB leaf.
 * A slot without a leaf gains one (inv_obs_account); a 4 KiB leaf of the
 * same frame becomes it, which moves only the wired and managed counts
 * (inv_obs_reaccount), summed here over the region.
 */
static void
region_promote_observe(struct inv_state *st, const struct region_call *rc)
{
	uint64_t seen[NPTEPG / 64] = { 0 };
	pt_entry_t e = rc->leaf;
	int64_t nold = 0, wold = 0, mold = 0;
	unsigned k = 0;

	for (unsigned i = 0; i < NPTEPG; i++) {
		uint32_t g;
		pt_entry_t oe;

		/* The i-th slot in order: first[i], then the unseen ones. */
		if (i < rc->nfirst) {
			k = rc->first[i];
			seen[k / 64] |= 1ULL << (k % 64);
		} else {
			k = i == rc->nfirst ? 0 : k + 1;
			while (seen[k / 64] >> (k % 64) & 1)
				k++;
		}
		g = rc->g0 + k;
		oe = st->obs_e[g];
		if (st->obs_lvl[g] == 0) {
			inv_obs_put(st, g, e, PT_LVL_PDE);
			inv_obs_account(st, rc->as, e, PT_LVL_PDE, rc->base + k,
			    1);
			continue;
		}
		inv_obs_put(st, g, e, PT_LVL_PDE);
		nold++;
		wold += (oe & PG_W) != 0;
		mold += (oe & PG_MANAGED) != 0;
	}
	st->wired[rc->as] += nold * ((e & PG_W) != 0) - wold;
	st->mng4k -= mold;
	if ((e & PG_MANAGED) != 0)
		st->mngps += nold;
}

/*
 * A promotion's frame screen, which reads the updated shadow (a frame's
 * PV lists against the leaves observed): the allocated page's chunk, then
 * the region's frames, the frame the general pass takes from the old link.
 * A frame alloc_plain passes (tested here in one loop when the region's
 * chunk is allocated whole); any other, the first 2 MiB one's with its
 * PV entry, asks the screen's own test.
 */
static int
region_promote_frames(struct inv_ctx *ctx, const struct region_call *rc)
{
	const struct machine *mc = ctx->mc;
	const struct reserv *rv = &mc->reserv[rc->base / RESERV_FRAMES];
	int full;

	if (rc->page != NULL &&
	    !inv_chunk_plain(ctx, rc->page->pfn / RESERV_FRAMES))
		return 0;
	full = region_chunk_full(rv);
	for (uint32_t f = rc->base; f < rc->base + NPTEPG; f++)
		if (!(full &&
			region_frame_plain(ctx->st, &mc->pages[f], f,
			    rv->object)) &&
		    inv_frame_suspect(ctx, f) != 0)
			return 0;
	return rc->odd >= mc->cfg.nframes ||
	    inv_frame_suspect(ctx, rc->odd) == 0;
}

/*
 * The general pass's work set for the call, built as it builds it:
 * inv_collect_log's frames, chunk, slots and region, the journal, then
 * inv_observe's (every slot of the region changed, its frame the page's).
 */
static void
region_work(struct inv_ctx *ctx, const struct region_call *rc)
{
	struct inv_state *st = ctx->st;
	const struct mach_event *pde = rc->ev;
	const uint32_t *list;
	unsigned n;

	for (const struct mach_event *ev = ctx->mc->log; ev < pde; ev++) {
		if (ev->kind == EV_PAGE_ALLOC) {
			inv_add_frame(st, ev->pfn);
			inv_add_chunk(st, ev->pfn);
		} else if (ev->kind == EV_PTE_WRITE) {
			if ((ev->old & PG_V) != 0)
				inv_add_frame(st,
				    (uint32_t)atop(ev->old & PG_FRAME));
			if ((ev->new &PG_V) != 0)
				inv_add_frame(st,
				    (uint32_t)atop(ev->new &PG_FRAME));
			inv_add_slot(st,
			    rc->g0 +
				(uint32_t)((ev->va - rc->va) >> PAGE_SHIFT));
		}
	}
	inv_add_frame(st, (uint32_t)atop(pde->old & PG_PS_FRAME));
	inv_add_frame(st, (uint32_t)atop(pde->new &PG_PS_FRAME));
	inv_add_region(st, rc->as, rc->r);
	n = model_pending_slots(ctx->md, &list);
	for (unsigned i = 0; i < n; i++)
		inv_add_changed(st, list[i]);
	n = model_pending_frames(ctx->md, &list);
	for (unsigned i = 0; i < n; i++)
		inv_add_frame(st, list[i]);
	for (unsigned i = 0; i < st->nwslot; i++) {
		inv_add_changed(st, st->wslot[i]);
		inv_add_frame(st, rc->base + (st->wslot[i] - rc->g0));
	}
	st->as_touched |= 1u << rc->as;
}

int
inv_region_applies(struct inv_ctx *ctx)
{
	struct region_call rc;

	return region_shape(ctx, &rc);
}

int
inv_region_pass(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	struct region_call rc;
	int plain;

	if (!region_shape(ctx, &rc) || !region_walk(ctx, &rc))
		return -1;
	plain = rc.kind == REGION_DEMOTE ? region_demote_plain(ctx, &rc) :
					   region_promote_plain(ctx, &rc);
	if (!plain)
		return -1;
	ctx->cnt.regions++;
	if (rc.kind == REGION_PROMOTE)
		region_promote_events_apply(st, ctx->mc, &rc);
	region_pde_event(st, rc.ev);
	(void)inv_region_memo(ctx, rc.as, rc.r);
	if (rc.kind == REGION_DEMOTE)
		region_demote_observe(st, &rc);
	else
		region_promote_observe(st, &rc);
	if ((rc.kind == REGION_DEMOTE || region_promote_frames(ctx, &rc)) &&
	    !inv_pv_count_differs(ctx) && inv_as_plain(ctx, rc.as)) {
		ctx->cnt.observed += NPTEPG;
		ctx->cnt.checked += NPTEPG;
		ctx->cnt.frames += NPTEPG +
		    (rc.odd < MACH_FRAMES_MAX && rc.odd - rc.base >= NPTEPG);
		return 0;
	}
	region_work(ctx, &rc);
	return 1;
}

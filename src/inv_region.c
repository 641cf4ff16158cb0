/*
 * inv_region.c - the call check of a demotion, in one go: a call whose one
 * logged write turned the 2 MiB leaf of a model region into a link to a
 * page table of 512 PTEs, the same frames with the same bits (a
 * pmap_protect or pmap_enter that demoted, mostly), and whose intent
 * changed at most inside that region.
 *
 * The general pass (invariants.c) would add the region's 512 slots to its
 * work set, re-observe them one by one, screen each slot and each frame
 * through its lists, and walk the region for illegal-promotion and
 * wrong-translation.  Here the same tests run in one loop over the
 * region, the leaf's bits tested against the model's prot and flags once
 * per change of them along the region (every PTE must equal the first
 * but for the frame, else the general pass takes the call).  The loop
 * only reads: when a test fails, nothing has changed and the general pass
 * runs.  When every test passes the shadow is updated as the general pass
 * would update it, in its order; the touched pmap's screen (ptp-count,
 * pmap-stats) and the PV count need the updated shadow and come last: if
 * one fails, the general pass's work set is built, as it would build it,
 * and its checks take over, so that every finding is theirs.
 */
#include "inv_screen.h"

struct region_call {
	const struct mach_event *ev; /* the PDE write */
	unsigned as, r;		     /* the region */
	uint32_t g0;		     /* its first global slot */
	vm_offset_t va;		     /* its first va */
	uint32_t base;		     /* the frame of its first page */
	uint32_t odd;		     /* the frame the general pass takes from
					the new PDE as if it were a leaf */
	const pt_entry_t *pt;	     /* the page table now linked */
	pt_entry_t e0;		     /* its first PTE */
};

/* The logged write, the placeholders (EV_NONE) aside: one PDE write of a
 * 2 MiB leaf into a link, into a table frame of the machine, through no
 * window re-pointed since the writer took it; NULL if the log is anything
 * else. */
static const struct mach_event *
region_event(const struct machine *mc)
{
	const struct mach_event *w = NULL;

	if (mc->nlog > 4)
		return NULL;
	for (unsigned i = 0; i < mc->nlog; i++) {
		const struct mach_event *ev = &mc->log[i];

		if (ev->kind == EV_NONE)
			continue;
		if (w != NULL || ev->kind != EV_PTE_WRITE)
			return NULL;
		w = ev;
	}
	if (w == NULL || w->level != PT_LVL_PDE ||
	    (w->win != WIN_NONE && w->gen_ref != w->gen_now) ||
	    w->pfn >= MACH_FRAMES_MAX ||
	    (w->old & (PG_V | PG_PS)) != (PG_V | PG_PS) ||
	    (w->new &(PG_V | PG_PS)) != PG_V)
		return NULL;
	return w;
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
 * Whether the call is a demotion this pass takes, as far as the log, the
 * journal and the shadow tell: fills rc but pt and e0, changing nothing.
 * The region's shadow must hold the old 2 MiB leaf in every slot (its
 * first slot tested here, the others by region_plain).
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

	if (ctx->enabled != INV_ALL || (ev = region_event(mc)) == NULL)
		return 0;
	as = va_is_kernel(ev->va) ? 0 : inv_as_of_root(ctx, ev->root);
	if (as < 0 || (r = region_of((unsigned)as, ev->va & ~PDRMASK)) < 0)
		return 0;
	rc->ev = ev;
	rc->as = (unsigned)as;
	rc->r = (unsigned)r;
	rc->va = ev->va & ~PDRMASK;
	rc->g0 =
	    rc->as * MODEL_SLOTS_MAX + (uint32_t)model_slot(rc->as, rc->va);
	rc->base = (uint32_t)atop(ev->old & PG_PS_FRAME);
	rc->odd = (uint32_t)atop(ev->new &PG_PS_FRAME);
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
	/* The rest of the region in region_plain's loop. */
	return st->obs_lvl[rc->g0] == PT_LVL_PDE &&
	    st->obs_e[rc->g0] == ev->old;
}

/*
 * What illegal-promotion and wrong-translation's region test find by
 * their walk (nothing: a path of table links with the right bits down to
 * a valid 4 KiB leaf) and the page table the walk reaches, the one the
 * PDE write linked: fills rc->pt and rc->e0; 0 if anything else.
 */
static int
region_walk(struct inv_ctx *ctx, struct region_call *rc)
{
	pt_entry_t want = rc->as == 0 ? INV_TABLE_KERN : INV_TABLE_USER;
	struct inv_walk w;

	inv_walk(ctx->mc, ctx->st->root[rc->as], rc->va, &w);
	if (w.bad != 0 || w.leaf != PT_LVL_PTE ||
	    w.ent[PT_LVL_PDE] != rc->ev->new ||
	    w.tab[PT_LVL_PTE] != atop(rc->ev->new &PG_FRAME))
		return 0;
	for (int l = PT_LVL_PML4E; l > PT_LVL_PTE; l--)
		if ((w.ent[l] & INV_TABLE_BITS) != want)
			return 0;
	rc->pt = mach_table(ctx->mc, w.tab[PT_LVL_PTE]);
	rc->e0 = w.ent[PT_LVL_PTE];
	return rc->pt != NULL;
}

/*
 * The slot scan's and the frame screen's verdicts, in one loop, for a
 * region whose shadow holds the old 2 MiB leaf in every slot: every PTE is
 * the first one's but for the frame, base + i; every model row maps the
 * same frame, with a prot and flags that the leaf's bits match (leaf_ok)
 * and that need no shared-writable test; a managed leaf's PV list is its
 * own entry alone (marked shown, as the scan marks it), an unmanaged
 * leaf's frame on no 4 KiB list; every frame passes alloc_plain (the
 * region's chunk allocated whole: each frame's bit set).  Then the frame
 * the general pass takes from the new PDE.  1: every slot and frame plain.
 */
static int
region_plain(struct inv_ctx *ctx, const struct region_call *rc)
{
	struct inv_state *st = ctx->st;
	const struct machine *mc = ctx->mc;
	const struct model_map *row =
	    st->maps[rc->as] + (rc->g0 - rc->as * MODEL_SLOTS_MAX);
	const struct model_frame *frames = st->frames;
	const struct pv_entry *pv = ctx->ps->pv;
	const struct reserv *rv = &mc->reserv[rc->base / RESERV_FRAMES];
	pt_entry_t e0 = rc->e0, old = rc->ev->old;
	int managed = (e0 & PG_MANAGED) != 0;
	unsigned kernel = rc->as == 0 ? LM_KERNEL : 0;
	uint32_t obj = rv->object;
	/* The model's prot and flags last found fine with e0's bits. */
	uint8_t prot = 0, flags = 0;

	if ((e0 & (PG_V | PG_PS)) != PG_V || atop(e0 & PG_FRAME) != rc->base)
		return 0;
	for (unsigned w = 0; w < RESERV_FRAMES / 64; w++)
		if (rv->popmap[w] != ~0ULL)
			return 0;
	inv_scan_begin(st);
	for (unsigned i = 0; i < NPTEPG; i++) {
		uint32_t g = rc->g0 + i, f = rc->base + i;
		const struct vm_page *m = &mc->pages[f];

		if (st->obs_lvl[g] != PT_LVL_PDE || st->obs_e[g] != old ||
		    rc->pt[i] != e0 + ptoa(i) || row[i].pfn != f)
			return 0;
		if (row[i].prot != prot || row[i].flags != flags) {
			if (row[i].prot == 0 || !leaf_ok(e0, kernel, &row[i]) ||
			    leaf_shares(e0, &row[i], f))
				return 0;
			prot = row[i].prot;
			flags = row[i].flags;
		}
		if ((m->flags & VPF_ALLOCATED) == 0 || m->pv2m_head != 0 ||
		    (frames[f].flags & MODEL_F_WRITTEN) != 0 ||
		    (obj != OBJ_NONE && m->object != obj &&
			(m->flags & VPF_PTP) == 0))
			return 0;
		if (!managed) {
			if (m->pv_head != 0)
				return 0;
			continue;
		}
		if (!pv_alone(pv, m->pv_head, rc->as, rc->va + ptoa(i)))
			return 0;
		st->pv_ok_pass[f] = st->pass_no;
	}
	return inv_frame_plain(ctx, rc->odd);
}

/* The shadow's update, as inv_collect_pte and inv_observe make it: the PDE
 * write's TLB note, table count and voided walks, then the region's 512
 * observations (same frames: only the wired and managed counts move). */
static void
region_observe(struct inv_ctx *ctx, const struct region_call *rc)
{
	struct inv_state *st = ctx->st;
	const struct mach_event *ev = rc->ev;
	pt_entry_t old = ev->old;

	if (inv_ev_shrinks(ev))
		inv_note_tlb(st, ev, PDRSHIFT);
	inv_ev_count(st, ev);
	if (st->upper_gen[ev->pfn] == st->topo_gen)
		inv_void_walks(st);
	memset(st->paths_ok, 0, sizeof(st->paths_ok));
	(void)inv_region_memo(ctx, rc->as, rc->r);
	for (unsigned i = 0; i < NPTEPG; i++) {
		uint32_t g = rc->g0 + i;

		if (!st->dslot_mark[g]) {
			st->dslot_mark[g] = 1;
			st->dslot[st->ndslot++] = g;
		}
		st->obs_e[g] = rc->e0 + ptoa(i);
		st->obs_lvl[g] = PT_LVL_PTE;
	}
	st->wired[rc->as] +=
	    NPTEPG * ((int64_t)((rc->e0 & PG_W) != 0) - ((old & PG_W) != 0));
	if ((old & PG_MANAGED) != 0)
		st->mngps -= NPTEPG;
	if ((rc->e0 & PG_MANAGED) != 0)
		st->mng4k += NPTEPG;
}

/* The general pass's work set for the call, built as it builds it:
 * inv_collect_log's frames and region, the journal, then inv_observe. */
static void
region_work(struct inv_ctx *ctx, const struct region_call *rc)
{
	struct inv_state *st = ctx->st;
	const uint32_t *list;
	unsigned n;

	inv_add_frame(st, rc->base);
	inv_add_frame(st, rc->odd);
	inv_add_region(st, rc->as, rc->r);
	n = model_pending_slots(ctx->md, &list);
	for (unsigned i = 0; i < n; i++)
		inv_add_changed(st, list[i]);
	n = model_pending_frames(ctx->md, &list);
	for (unsigned i = 0; i < n; i++)
		inv_add_frame(st, list[i]);
	for (unsigned i = 0; i < NPTEPG; i++) {
		inv_add_changed(st, rc->g0 + i);
		inv_add_frame(st, rc->base + i);
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
	struct region_call rc;

	if (!region_shape(ctx, &rc) || !region_walk(ctx, &rc) ||
	    !region_plain(ctx, &rc))
		return -1;
	region_observe(ctx, &rc);
	ctx->cnt.regions++;
	if (!inv_pv_count_differs(ctx) && inv_as_plain(ctx, rc.as)) {
		ctx->cnt.observed += NPTEPG;
		ctx->cnt.checked += NPTEPG;
		ctx->cnt.frames += NPTEPG +
		    (rc.odd < MACH_FRAMES_MAX && rc.odd - rc.base >= NPTEPG);
		return 0;
	}
	region_work(ctx, &rc);
	return 1;
}

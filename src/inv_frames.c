/*
 * inv_frames.c - the checks about frames and the structures that hang off
 * them: pv-mismatch, freed-while-mapped, lost-dirty, stale-tlb and
 * reserv-count.
 */

#include "inv_screen.h"
#include "pmapfuzz/ptdump.h"

#define PV_FREE_PMAP 0xffff

static unsigned
g_as(uint32_t g)
{
	return g / MODEL_SLOTS_MAX;
}

static vm_offset_t
g_va(uint32_t g)
{
	return model_slot_va(g / MODEL_SLOTS_MAX, g % MODEL_SLOTS_MAX);
}

/* pv-mismatch */

static int
pv_fail(struct inv_ctx *ctx, int as, vm_offset_t va, uint32_t pfn,
    uint32_t pvidx, const char *expected, const char *found, const char *detail)
{
	struct inv_finding *f = &ctx->finding;
	char what[24];

	inv_fail(ctx, INV_PV_MISMATCH, as, as >= 0, va, pfn);
	if (pvidx != 0 && pvidx < PV_MAX) {
		const struct pv_entry *pv = &ctx->ps->pv[pvidx];

		inv_set(what, sizeof(what), "pv %u", (unsigned)pvidx);
		inv_add_entry(f, what, 0, pfn, pvidx,
		    ((uint64_t)pv->pv_pmap << 48) | pv->pv_va);
	}
	inv_set(f->expected, sizeof(f->expected), "%s", expected);
	inv_set(f->found, sizeof(f->found), "%s", found);
	inv_set(f->detail, sizeof(f->detail), "%s", detail);
	return 1;
}

/* The slot scan's verdict: a managed leaf without exactly one entry. */
static int
pv_slots(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	uint32_t g = st->bad[INV_PV_MISMATCH], f;
	unsigned as;
	vm_offset_t va;
	char found[96], detail[160];
	int big;

	if (g == INV_NO_SLOT)
		return 0;
	as = g_as(g);
	va = g_va(g);
	f = inv_obs_frame(st, g);
	big = st->obs_lvl[g] == PT_LVL_PDE;
	if (st->bad_why[INV_PV_MISMATCH] != NULL)
		inv_set(found, sizeof(found), "malformed list: %s",
		    st->bad_why[INV_PV_MISMATCH]);
	else
		inv_set(found, sizeof(found), "%u entries",
		    (unsigned)st->bad_arg[INV_PV_MISMATCH]);
	inv_set(detail, sizeof(detail),
	    "managed %s mapping (pmap %u, va %#llx) of frame %u needs exactly "
	    "one entry on the frame's %s list",
	    big ? "2 MiB" : "4 KiB", as, (unsigned long long)va, (unsigned)f,
	    big ? "pv2m" : "pv");
	return pv_fail(ctx, (int)as, va, f, st->bad_arg2[INV_PV_MISMATCH],
	    "one PV entry", found, detail);
}

/* What is wrong with a frame's PV list (pv_list_find). */
enum pv_list_why {
	PVL_OK,
	PVL_MALFORMED, /* an index outside the pool, or a cycle */
	PVL_FREE,      /* a free entry on the list */
	PVL_UNMAPPED   /* an entry naming no managed mapping of the frame */
};

/*
 * Whether every entry on frame f's list (4 KiB, or 2 MiB when big) names a
 * live managed mapping of f at that level: PVL_OK, or what is wrong with
 * the first entry *at (the offending index) that breaks it.
 */
static inline enum pv_list_why
pv_list_find(const struct inv_ctx *ctx, uint32_t f, int big, uint32_t *at)
{
	const struct pmap_sys *ps = ctx->ps;
	const struct inv_state *st = ctx->st;
	uint32_t head =
	    big ? ctx->mc->pages[f].pv2m_head : ctx->mc->pages[f].pv_head;
	uint32_t steps = 0;
	int lvl = big ? PT_LVL_PDE : PT_LVL_PTE;

	for (uint32_t i = head; i != 0; i = ps->pv[i].pv_next) {
		const struct pv_entry *pv;
		int slot;
		uint32_t h;

		*at = i;
		if (i >= PV_MAX || ++steps > PV_MAX)
			return PVL_MALFORMED;
		pv = &ps->pv[i];
		if (pv->pv_pmap == PV_FREE_PMAP)
			return PVL_FREE;
		slot = pv->pv_pmap < PMAP_MAX ?
		    model_slot(pv->pv_pmap, pv->pv_va) :
		    -1;
		if (slot < 0)
			return PVL_UNMAPPED;
		h = pv->pv_pmap * MODEL_SLOTS_MAX + (uint32_t)slot;
		if (st->obs_lvl[h] != lvl || (st->obs_e[h] & PG_MANAGED) == 0 ||
		    inv_obs_frame(st, h) != f ||
		    (big && pmap_pte_index(pv->pv_va) != 0))
			return PVL_UNMAPPED;
	}
	return PVL_OK;
}

/* Whether both PV lists of frame f (< nframes) pass pv_list_find. */
static int
pv_lists_ok(const struct inv_ctx *ctx, uint32_t f)
{
	const struct vm_page *m = &ctx->mc->pages[f];
	const struct inv_state *st = ctx->st;
	uint32_t at;

	return (pv4k_shown(st, m, f) ||
		   pv_list_find(ctx, f, 0, &at) == PVL_OK) &&
	    (m->pv2m_head == 0 || pv_list_find(ctx, f, 1, &at) == PVL_OK);
}

/*
 * Every entry on frame f's list (4 KiB, or 2 MiB when big) names a live
 * managed mapping of f at that level; else report the first that does not.
 */
static int
pv_frame_list(struct inv_ctx *ctx, uint32_t f, int big)
{
	const struct pv_entry *pv;
	uint32_t i = 0;
	char detail[192];

	switch (pv_list_find(ctx, f, big, &i)) {
	case PVL_OK:
		return 0;
	case PVL_MALFORMED:
		return pv_fail(ctx, INV_NONE_PMAP, 0, f, 0,
		    "a list ending at 0",
		    i >= PV_MAX ? "an index outside the pool" : "a cycle",
		    "the PV list of a frame is malformed");
	case PVL_FREE:
		inv_set(detail, sizeof(detail),
		    "frame %u's %s list holds free entry %u", (unsigned)f,
		    big ? "pv2m" : "pv", (unsigned)i);
		return pv_fail(ctx, INV_NONE_PMAP, 0, f, i, "entries in use",
		    "a free entry", detail);
	case PVL_UNMAPPED:
		break;
	}
	pv = &ctx->ps->pv[i];
	inv_set(detail, sizeof(detail),
	    "PV entry %u on frame %u's %s list names (pmap %u, va "
	    "%#llx), which holds no managed %s mapping of the frame",
	    (unsigned)i, (unsigned)f, big ? "pv2m" : "pv",
	    (unsigned)pv->pv_pmap, (unsigned long long)pv->pv_va,
	    big ? "2 MiB" : "4 KiB");
	return pv_fail(ctx,
	    pv->pv_pmap < PMAP_MAX ? pv->pv_pmap : INV_NONE_PMAP, pv->pv_va, f,
	    i, "a mapping for every PV entry", "an entry without mapping",
	    detail);
}

/*
 * Entries in use == managed mappings, by a walk of the pool; on a
 * difference, the first entry on any frame's list that names no managed
 * mapping of the frame is reported (an entry recorded without its
 * mapping), else the counts (an entry on no list).
 */
static int
pv_census(struct inv_ctx *ctx)
{
	const struct pmap_sys *ps = ctx->ps;
	const struct inv_state *st = ctx->st;
	uint32_t hwm = ps->pv_hwm < PV_MAX ? ps->pv_hwm : PV_MAX - 1;
	int64_t inuse = 0, want = inv_pv_wanted(st);
	char exp[48], got[48];

	for (uint32_t i = 1; i <= hwm; i++)
		inuse += ps->pv[i].pv_pmap != PV_FREE_PMAP;
	if (inuse == want)
		return 0;
	for (uint32_t f = 0; f < ctx->mc->cfg.nframes; f++) {
		const struct vm_page *m = &ctx->mc->pages[f];

		if ((m->pv_head != 0 && pv_frame_list(ctx, f, 0)) ||
		    (m->pv2m_head != 0 && pv_frame_list(ctx, f, 1)))
			return 1;
	}
	inv_set(exp, sizeof(exp), "%lld entries in use", (long long)want);
	inv_set(got, sizeof(got), "%lld entries in use", (long long)inuse);
	return pv_fail(ctx, INV_NONE_PMAP, 0, UINT32_MAX, 0, exp, got,
	    "the PV pool holds entries that no list or mapping accounts for");
}

int
inv_chk_pv(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	if (pv_slots(ctx))
		return 1;
	for (uint32_t i = 0; i < st->nwframe; i++) {
		uint32_t f = st->wframe[i];
		const struct vm_page *m;

		if (f >= ctx->mc->cfg.nframes)
			continue;
		m = &ctx->mc->pages[f];
		if ((m->pv_head != 0 && pv_frame_list(ctx, f, 0)) ||
		    (m->pv2m_head != 0 && pv_frame_list(ctx, f, 1)))
			return 1;
	}
	return st->sweep || inv_pv_count_differs(ctx) ? pv_census(ctx) : 0;
}

/* freed-while-mapped */

/* Whether TLB entry e translates frame f. */
static inline int
tlb_maps(const struct tlb_entry *e, uint32_t f)
{
	if (!e->valid)
		return 0;
	if (e->big)
		return f >= e->pfn && f - e->pfn < NPTEPG;
	return e->pfn == f;
}

/* Whether TLB entry e is valid and its frames meet [lo, hi]. */
static inline INV_ALWAYS_INLINE int
tlb_meets(const struct tlb_entry *e, uint32_t lo, uint32_t hi)
{
	return e->valid && e->pfn <= hi &&
	    e->pfn + (e->big ? NPTEPG - 1 : 0) >= lo;
}

/* Whether TLB entry e translates one of frames fr[0..n). */
static INV_NOINLINE int
tlb_maps_some(const struct tlb_entry *e, const uint32_t *fr, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (tlb_maps(e, fr[k]))
			return 1;
	return 0;
}

/* Whether any CPU's TLB has a valid entry translating one of frames
 * fr[0..n), n > 0: one walk of the TLBs for them all, unrolled so that
 * each entry costs a test of valid; the range test inline, the frames'
 * only for an entry in range. */
static int
tlb_any_maps(const struct machine *mc, const uint32_t *fr, unsigned n)
{
	uint32_t lo = fr[0], hi = fr[0];

	for (unsigned k = 1; k < n; k++) {
		lo = fr[k] < lo ? fr[k] : lo;
		hi = fr[k] > hi ? fr[k] : hi;
	}
	for (unsigned c = 0; c < mc->cfg.ncpus; c++) {
		const struct cpu *cpu = &mc->cpus[c];

#pragma GCC unroll 32
		for (unsigned i = 0; i < TLB_4K_ENTRIES; i++)
			if (tlb_meets(&cpu->tlb4k[i], lo, hi) &&
			    tlb_maps_some(&cpu->tlb4k[i], fr, n))
				return 1;
#pragma GCC unroll 8
		for (unsigned i = 0; i < TLB_2M_ENTRIES; i++)
			if (tlb_meets(&cpu->tlb2m[i], lo, hi) &&
			    tlb_maps_some(&cpu->tlb2m[i], fr, n))
				return 1;
	}
	return 0;
}

static int
freed_tlb(struct inv_ctx *ctx, uint32_t f, vm_offset_t kva)
{
	const struct machine *mc = ctx->mc;
	struct inv_finding *fd = &ctx->finding;

	for (unsigned c = 0; c < mc->cfg.ncpus; c++) {
		const struct cpu *cpu = &mc->cpus[c];

		for (unsigned i = 0; i < TLB_4K_ENTRIES + TLB_2M_ENTRIES; i++) {
			const struct tlb_entry *e = i < TLB_4K_ENTRIES ?
			    &cpu->tlb4k[i] :
			    &cpu->tlb2m[i - TLB_4K_ENTRIES];
			char what[24];

			if (!tlb_maps(e, f) ||
			    (kva != 0 && e->global &&
				e->va == (e->big ? trunc_2mpage(kva) : kva)))
				continue;
			inv_fail(ctx, INV_FREED_WHILE_MAPPED,
			    inv_as_of_root(ctx, e->root), 1, e->va, f);
			fd->cpu = (int)c;
			inv_set(what, sizeof(what), "tlb cpu%u", c);
			inv_add_entry(fd, what,
			    e->big ? PT_LVL_PDE : PT_LVL_PTE, e->root, i,
			    ptoa(e->pfn));
			inv_set(fd->expected, sizeof(fd->expected),
			    "no translation to a freed frame");
			inv_set(fd->found, sizeof(fd->found),
			    "cpu %u TLB entry va %#llx -> frame %u", c,
			    (unsigned long long)e->va, (unsigned)e->pfn);
			inv_set(fd->detail, sizeof(fd->detail),
			    "frame %u was freed during the call while cpu %u "
			    "could still reach it through its TLB",
			    (unsigned)f, c);
			return 1;
		}
	}
	return 0;
}

/* A slot of a live pmap whose leaf maps f, other than skip; or
 * UINT32_MAX. */
static uint32_t
find_mapping(const struct inv_ctx *ctx, uint32_t f, uint32_t skip)
{
	const struct inv_state *st = ctx->st;

	for (unsigned as = 0; as < PMAP_MAX; as++) {
		if (!st->live[as])
			continue;
		for (unsigned s = 0; s < model_nslots(as); s++) {
			uint32_t g = as * MODEL_SLOTS_MAX + s;

			if (g != skip && st->obs_lvl[g] != 0 &&
			    inv_obs_frame(st, g) == f)
				return g;
		}
	}
	return UINT32_MAX;
}

static int
freed_frame(struct inv_ctx *ctx, uint32_t f)
{
	const struct machine *mc = ctx->mc;
	const struct vm_page *m = &mc->pages[f];
	struct inv_state *st = ctx->st;
	struct inv_finding *fd = &ctx->finding;
	vm_offset_t kva = inv_kmem_va(mc, f);
	uint32_t exempt = UINT32_MAX, g;
	unsigned nexempt = 0;

	if (m->pv_head != 0 || m->pv2m_head != 0) {
		inv_fail(ctx, INV_FREED_WHILE_MAPPED, INV_NONE_PMAP, 0, 0, f);
		inv_set(fd->expected, sizeof(fd->expected), "empty PV lists");
		inv_set(fd->found, sizeof(fd->found),
		    "pv_head %u, pv2m_head %u", (unsigned)m->pv_head,
		    (unsigned)m->pv2m_head);
		inv_set(fd->detail, sizeof(fd->detail),
		    "frame %u is free but PV entries still name it",
		    (unsigned)f);
		return 1;
	}
	if (kva != 0) {
		int s = model_slot(0, kva);

		exempt = (uint32_t)s;
		if (st->obs_lvl[exempt] != 0 && inv_obs_frame(st, exempt) == f)
			nexempt = 1;
	}
	if (st->frame_nmap[f] > nexempt &&
	    (g = find_mapping(ctx, f, exempt)) != UINT32_MAX) {
		inv_fail(ctx, INV_FREED_WHILE_MAPPED, (int)g_as(g), 1, g_va(g),
		    f);
		inv_set(fd->expected, sizeof(fd->expected),
		    "no leaf maps a free frame");
		inv_describe_leaf(fd->found, sizeof(fd->found), st->obs_e[g],
		    st->obs_lvl[g], f);
		inv_set(fd->detail, sizeof(fd->detail),
		    "frame %u is free but pmap %u still maps it at va %#llx",
		    (unsigned)f, g_as(g), (unsigned long long)g_va(g));
		return 1;
	}
	return !st->op_level && tlb_any_maps(mc, &f, 1) &&
	    freed_tlb(ctx, f, kva);
}

int
inv_chk_freed(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	const struct machine *mc = ctx->mc;

	for (uint32_t i = 0; i < st->nwframe; i++) {
		uint32_t f = st->wframe[i];

		if (f >= mc->cfg.nframes ||
		    (mc->pages[f].flags & VPF_ALLOCATED) != 0)
			continue;
		if (freed_frame(ctx, f))
			return 1;
	}
	return 0;
}

/* lost-dirty */

/*
 * Whether frame f (< nframes) is known dirty if the model says it was
 * written: 1 if so (or not written), else 0 with its model mappings in
 * refs[0..*n) (the first 16).
 */
static int
dirty_known(const struct inv_ctx *ctx, uint32_t f, struct model_ref refs[16],
    unsigned *n)
{
	const struct machine *mc = ctx->mc;
	const struct inv_state *st = ctx->st;
	const struct model_frame *mf = &st->frames[f];

	/* The pmap tracks dirtiness of managed pages only. */
	if ((mf->flags & MODEL_F_WRITTEN) == 0 ||
	    (mc->pages[f].flags & (VPF_DIRTY | VPF_UNMANAGED)) != 0)
		return 1;
	*n = model_frame_maps(ctx->md, f, refs, 16);
	for (unsigned k = 0; k < *n && k < 16; k++) {
		int s = model_slot(refs[k].as, refs[k].va);
		uint32_t h;

		if (s < 0)
			continue;
		h = refs[k].as * MODEL_SLOTS_MAX + (uint32_t)s;
		if (st->obs_lvl[h] != 0 && (st->obs_e[h] & PG_M) != 0 &&
		    inv_obs_frame(st, h) == f)
			return 1;
	}
	return 0;
}

/* dirty_known for the screen, out of its loop. */
static INV_NOINLINE int
dirty_screen(const struct inv_ctx *ctx, uint32_t f)
{
	struct model_ref refs[16];
	unsigned n;

	return dirty_known(ctx, f, refs, &n);
}

static int
dirty_frame(struct inv_ctx *ctx, uint32_t f)
{
	struct inv_finding *fd = &ctx->finding;
	struct model_ref refs[16];
	unsigned n = 0;

	if (dirty_known(ctx, f, refs, &n))
		return 0;
	if (n != 0)
		inv_fail(ctx, INV_LOST_DIRTY, (int)refs[0].as, 1, refs[0].va,
		    f);
	else
		inv_fail(ctx, INV_LOST_DIRTY, INV_NONE_PMAP, 0, 0, f);
	inv_set(fd->expected, sizeof(fd->expected),
	    "frame %u known dirty (PG_M or VPF_DIRTY)", (unsigned)f);
	inv_set(fd->found, sizeof(fd->found),
	    "no PG_M in its %u mapping(s), vm_page not dirty", n);
	inv_set(fd->detail, sizeof(fd->detail),
	    "frame %u was written through a mapping and not cleaned since, "
	    "but nothing records it as dirty: the write would be lost",
	    (unsigned)f);
	return 1;
}

int
inv_chk_lost_dirty(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	uint32_t nframes = ctx->mc->cfg.nframes;

	for (uint32_t i = 0; i < st->nwframe; i++) {
		uint32_t f = st->wframe[i];

		/* dirty_frame's first test, without the call. */
		if (f < nframes &&
		    (st->frames[f].flags & MODEL_F_WRITTEN) != 0 &&
		    dirty_frame(ctx, f))
			return 1;
	}
	if (st->sweep) {
		const uint32_t *list;
		unsigned n = model_used_frames(ctx->md, &list);

		for (unsigned i = 0; i < n; i++)
			if (list[i] < nframes && dirty_frame(ctx, list[i]))
				return 1;
	}
	return 0;
}

/* stale-tlb */

/* Rights along a walk, combined as the hardware does. */
struct rights {
	int rw, user, nx;
};

static void
walk_rights(const struct inv_walk *w, int low, struct rights *r)
{
	r->rw = r->user = 1;
	r->nx = 0;
	for (int l = PT_LVL_PML4E; l >= low; l--) {
		r->rw &= (w->ent[l] & PG_RW) != 0;
		r->user &= (w->ent[l] & PG_U) != 0;
		r->nx |= (w->ent[l] & PG_NX) != 0;
	}
}

/* Why cached rights exceed r, or NULL. */
static const char *
rights_exceed(const struct tlb_entry *e, const struct rights *r)
{
	/*
	 * A writable but clean entry is harmless over a read-only PTE: the
	 * first write through it re-walks the tables to set PG_M and faults
	 * there (FreeBSD clears PG_RW of clean PTEs without invalidation).
	 */
	if (e->rw && e->dirty && !r->rw)
		return "writable and dirty in the TLB, read-only in the tables";
	if (e->user && !r->user)
		return "user-accessible in the TLB, not in the tables";
	if (!e->nx && r->nx)
		return "executable in the TLB, PG_NX in the tables";
	return NULL;
}

/* Why a 2 MiB entry disagrees with the 512 PTEs of a demoted range. */
static const char *
tlb_big_over_pt(const struct machine *mc, const struct tlb_entry *e,
    const struct inv_walk *w)
{
	const pt_entry_t *pt = mach_table(mc, w->tab[PT_LVL_PTE]);
	struct rights up;

	if (pt == NULL)
		return "2 MiB entry over a missing page table";
	walk_rights(w, PT_LVL_PDE, &up);
	for (unsigned i = 0; i < NPTEPG; i++) {
		struct rights r = up;
		const char *why;

		if ((pt[i] & PG_V) == 0)
			return "2 MiB entry over a range with invalid PTEs";
		if (atop(pt[i] & PG_FRAME) != e->pfn + i)
			return "2 MiB entry over PTEs of other frames";
		r.rw &= (pt[i] & PG_RW) != 0;
		r.user &= (pt[i] & PG_U) != 0;
		r.nx |= (pt[i] & PG_NX) != 0;
		if ((why = rights_exceed(e, &r)) != NULL)
			return why;
	}
	return NULL;
}

/* Why TLB entry e is no longer allowed by the tables, or NULL. */
static const char *
tlb_entry_stale(struct inv_ctx *ctx, const struct tlb_entry *e, uint32_t root)
{
	const struct machine *mc = ctx->mc;
	struct inv_walk w;
	struct rights r;
	uint32_t f;

	if (e->pfn >= mc->cfg.nframes ||
	    (mc->pages[e->pfn].flags & VPF_ALLOCATED) == 0)
		return "translation to a freed frame";
	inv_walk(mc, root, e->va, &w);
	if (e->big && w.leaf == PT_LVL_PTE)
		return tlb_big_over_pt(mc, e, &w);
	if (w.leaf == 0)
		return "the tables no longer map the va";
	if (e->big && w.leaf != PT_LVL_PDE)
		return "2 MiB entry, 4 KiB mapping";
	f = w.leaf == PT_LVL_PDE ? (uint32_t)atop(w.ent[2] & PG_PS_FRAME) +
		(e->big ? 0 : pmap_pte_index(e->va)) :
				   (uint32_t)atop(w.ent[1] & PG_FRAME);
	if (f != e->pfn)
		return "the tables map another frame now";
	walk_rights(&w, w.leaf, &r);
	if (rights_exceed(e, &r) != NULL)
		return rights_exceed(e, &r);
	if (e->dirty && e->rw && (w.ent[w.leaf] & PG_M) == 0)
		return "dirty writable entry over a clean PTE (later writes "
		       "would not set PG_M)";
	return NULL;
}

/* Whether something since the last operation check may have made e
 * stale: a range whose rights shrank under it, or a freed frame. */
static int
tlb_suspect(const struct inv_state *st, const struct tlb_entry *e)
{
	uint64_t size = e->big ? NBPDR : PAGE_SIZE;

	if (st->tlb_all)
		return 1;
	for (unsigned i = 0; i < st->ntlb_rng; i++) {
		const struct inv_tlb_range *r = &st->tlb_rng[i];

		if (e->va < r->hi && r->lo < e->va + size &&
		    (r->root == 0 || e->global || r->root == e->root))
			return 1;
	}
	for (unsigned i = 0; i < st->ntlb_free; i++)
		if (tlb_maps(e, st->tlb_free[i]))
			return 1;
	return 0;
}

int
inv_chk_stale_tlb(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	const struct machine *mc = ctx->mc;
	uint32_t kroot = ctx->st->root[0];

	if (!st->op_level ||
	    (!st->tlb_all && st->ntlb_rng == 0 && st->ntlb_free == 0))
		return 0;
	for (unsigned c = 0; c < mc->cfg.ncpus; c++) {
		const struct cpu *cpu = &mc->cpus[c];

		for (unsigned i = 0; i < TLB_4K_ENTRIES + TLB_2M_ENTRIES; i++) {
			const struct tlb_entry *e = i < TLB_4K_ENTRIES ?
			    &cpu->tlb4k[i] :
			    &cpu->tlb2m[i - TLB_4K_ENTRIES];
			struct inv_finding *fd = &ctx->finding;
			const char *why;
			uint32_t root;
			char what[24];

			if (!e->valid || (!e->global && e->root != cpu->cr3) ||
			    !tlb_suspect(st, e))
				continue;
			root = e->global ? kroot : e->root;
			if ((why = tlb_entry_stale(ctx, e, root)) == NULL)
				continue;
			inv_fail(ctx, INV_STALE_TLB,
			    e->global ? 0 : inv_as_of_root(ctx, root), 1, e->va,
			    e->pfn);
			fd->root = root;
			fd->cpu = (int)c;
			inv_set(what, sizeof(what), "tlb cpu%u", c);
			inv_add_entry(fd, what,
			    e->big ? PT_LVL_PDE : PT_LVL_PTE, root, i,
			    ptoa(e->pfn) | (e->rw ? PG_RW : 0) |
				(e->user ? PG_U : 0) | (e->nx ? PG_NX : 0) |
				(e->dirty ? PG_M : 0) | (e->global ? PG_G : 0) |
				PG_V);
			inv_set(fd->expected, sizeof(fd->expected),
			    "TLB entries allowed by the tables");
			inv_set(fd->found, sizeof(fd->found),
			    "cpu %u %s entry va %#llx -> frame %u%s%s", c,
			    e->big ? "2M" : "4K", (unsigned long long)e->va,
			    (unsigned)e->pfn, e->rw ? " rw" : " ro",
			    e->dirty ? " dirty" : "");
			inv_set(fd->detail, sizeof(fd->detail),
			    "after the operation cpu %u still caches a "
			    "translation the tables no longer allow: %s",
			    c, why);
			return 1;
		}
	}
	return 0;
}

/* reserv-count */

static int
reserv_fail(struct inv_ctx *ctx, uint32_t c, unsigned bits, uint32_t pfn)
{
	const struct reserv *r = &ctx->mc->reserv[c];
	struct inv_finding *fd = &ctx->finding;

	inv_fail(ctx, INV_RESERV_COUNT, INV_NONE_PMAP, 0, 0, pfn);
	inv_set(fd->expected, sizeof(fd->expected),
	    "popcnt = %u bits set, bit i iff frame i allocated", bits);
	inv_set(fd->found, sizeof(fd->found), "popcnt %u%s",
	    (unsigned)r->popcnt,
	    pfn != UINT32_MAX ? ", a bit disagrees with its frame" : "");
	inv_set(fd->detail, sizeof(fd->detail),
	    "reservation of chunk %u (frames %u..%u, object %u): count or "
	    "bitmap differs from the allocated frames",
	    (unsigned)c, (unsigned)(c * RESERV_FRAMES),
	    (unsigned)(c * RESERV_FRAMES + RESERV_FRAMES - 1),
	    (unsigned)r->object);
	return 1;
}

/* Population of chunk c's bitmap counted from scratch; becomes the
 * cached copy. */
static unsigned
reserv_recount(struct inv_state *st, const struct reserv *r, uint32_t c)
{
	unsigned bits = 0;

	for (unsigned w = 0; w < RESERV_FRAMES / 64; w++) {
		st->rsv_map[c][w] = r->popmap[w];
		bits += popcount64(r->popmap[w]);
	}
	st->rsv_bits[c] = (uint16_t)bits;
	return bits;
}

/*
 * Touched chunks: the count equals the bitmap's population.  Touched
 * frames (every frame in a sweep): their bit says whether they are
 * allocated, and an allocated frame of a reserved chunk belongs to the
 * reservation's object (page-table pages come from the direct pool).
 */
int
inv_chk_reserv(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	const struct machine *mc = ctx->mc;
	uint32_t nchunks = mc->cfg.nframes / RESERV_FRAMES;

	for (uint32_t i = 0; i < st->nwchunk; i++) {
		uint32_t c = st->wchunk[i];
		unsigned bits;

		if (c >= nchunks)
			continue;
		bits = st->sweep ? reserv_recount(st, &mc->reserv[c], c) :
				   reserv_delta(st, &mc->reserv[c], c);
		if (bits != mc->reserv[c].popcnt)
			return reserv_fail(ctx, c, bits, UINT32_MAX);
	}
	for (uint32_t i = 0; i < st->nwframe; i++) {
		uint32_t f = st->wframe[i], c = f / RESERV_FRAMES;

		if (f < mc->cfg.nframes && !reserv_frame_ok(mc, f))
			return reserv_fail(ctx, c, mc->reserv[c].popcnt, f);
	}
	return 0;
}

/* Free work frames the screen's TLB test takes at once; more are
 * suspect. */
#define FREED_SCREEN_MAX 16

/* The free work frames that await the screen's TLB test. */
struct freed_set {
	unsigned n;
	uint32_t f[FREED_SCREEN_MAX];
};

/*
 * freed_frame's first tests of free frame f (page m), without reporting:
 * 0 when f is on no PV list and in no obs slot and has joined fs for the
 * TLB test; the check's bit when it may report (or fs is full).
 */
static inline uint32_t
freed_screen(const struct inv_state *st, const struct vm_page *m, uint32_t f,
    struct freed_set *fs)
{
	if ((m->pv_head | m->pv2m_head) != 0 || st->frame_nmap[f] != 0 ||
	    fs->n == FREED_SCREEN_MAX)
		return 1u << INV_FREED_WHILE_MAPPED;
	fs->f[fs->n++] = f;
	return 0;
}

/*
 * Whether work frame f (< nframes) certainly passes frame_suspect's tests,
 * whatever the checks wanted: allocated and alloc_plain, or free, never
 * written, reserv_frame_ok and freed_screen (f then joined fs; else fs is
 * as it was).
 */
static inline INV_ALWAYS_INLINE int
frame_plain(const struct machine *mc, const struct inv_state *st, uint32_t f,
    struct freed_set *fs)
{
	const struct vm_page *m = &mc->pages[f];

	if ((m->flags & VPF_ALLOCATED) != 0)
		return alloc_plain(mc, st, f);
	return (st->frames[f].flags & MODEL_F_WRITTEN) == 0 &&
	    reserv_frame_ok(mc, f) && freed_screen(st, m, f, fs) == 0;
}

/*
 * The screen's tests of work frame f (< nframes), evaluating what each
 * check's own walk tests: the screened checks (bit id) that may report on
 * it, the cheap tests for every check, the calls only for one in want.
 */
static INV_NOINLINE uint32_t
frame_suspect(const struct inv_ctx *ctx, uint32_t f, uint32_t want,
    struct freed_set *fs)
{
	const struct vm_page *m = &ctx->mc->pages[f];
	const struct inv_state *st = ctx->st;
	uint32_t bad = 0;

	if (!reserv_frame_ok(ctx->mc, f))
		bad |= 1u << INV_RESERV_COUNT;
	if ((m->flags & VPF_ALLOCATED) == 0)
		bad |= freed_screen(st, m, f, fs);
	if ((m->pv_head | m->pv2m_head) != 0 &&
	    (want >> INV_PV_MISMATCH & 1) != 0 && !pv_lists_ok(ctx, f))
		bad |= 1u << INV_PV_MISMATCH;
	/* dirty_known's first test, without the call. */
	if ((st->frames[f].flags & MODEL_F_WRITTEN) != 0 &&
	    (want >> INV_LOST_DIRTY & 1) != 0 && !dirty_screen(ctx, f))
		bad |= 1u << INV_LOST_DIRTY;
	return bad;
}

/* inv_frames_suspect's walk of the work chunks and frames, evaluating
 * what each check's own walk tests, without reporting. */
static INV_NOINLINE uint32_t
frames_suspect(struct inv_ctx *ctx, uint32_t want)
{
	struct inv_state *st = ctx->st;
	const struct machine *mc = ctx->mc;
	uint32_t bad = want & ~INV_FRAME_SCREENED;
	uint32_t n = st->nwframe, nframes = mc->cfg.nframes;
	struct freed_set fs;

	/* reserv_delta keeps its cache consistent: the check's own call
	 * finds the same population. */
	if ((want >> INV_RESERV_COUNT & 1) != 0) {
		for (uint32_t i = 0; i < st->nwchunk; i++)
			if (!inv_chunk_plain(ctx, st->wchunk[i]))
				bad |= 1u << INV_RESERV_COUNT;
	}
	fs.n = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t f = st->wframe[i];

		if (f < nframes && !frame_plain(mc, st, f, &fs))
			bad |= frame_suspect(ctx, f, want, &fs);
	}
	/* freed_frame's TLB test (at call level only). */
	if (fs.n != 0 && !st->op_level &&
	    (want >> INV_FREED_WHILE_MAPPED & 1) != 0 &&
	    tlb_any_maps(mc, fs.f, fs.n))
		bad |= 1u << INV_FREED_WHILE_MAPPED;
	return bad & want;
}

/* Whether every work frame is allocated and alloc_plain.  The common
 * pass, without calls. */
static inline INV_ALWAYS_INLINE int
frames_plain(const struct inv_ctx *ctx)
{
	const struct inv_state *st = ctx->st;

	for (const uint32_t *p = st->wframe, *e = p + st->nwframe; p < e; p++)
		if (!inv_frame_plain(ctx, *p))
			return 0;
	return 1;
}

/* One allocated work frame f (< nframes): the screened frame checks that
 * may report on it (0: none), as frames_suspect would find them. */
uint32_t
inv_frame_suspect(struct inv_ctx *ctx, uint32_t f)
{
	struct freed_set fs;

	fs.n = 0;
	if (frame_plain(ctx->mc, ctx->st, f, &fs))
		return fs.n == 0 ? 0 : 1u << INV_FREED_WHILE_MAPPED;
	return frame_suspect(ctx, f, INV_FRAME_SCREENED, &fs) |
	    (fs.n == 0 ? 0 : 1u << INV_FREED_WHILE_MAPPED);
}

/*
 * The frame checks' screen (inv_int.h).  frames_suspect finds nothing in
 * a plain pass: no work chunk to screen (reserv-count not wanted, or none)
 * and frames_plain.
 */
uint32_t
inv_frames_suspect(struct inv_ctx *ctx, uint32_t want)
{
	if (((want >> INV_RESERV_COUNT & 1) == 0 || ctx->st->nwchunk == 0) &&
	    frames_plain(ctx))
		return want & ~INV_FRAME_SCREENED;
	return frames_suspect(ctx, want);
}

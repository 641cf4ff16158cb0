/*
 * inv_tables.c - the checks that compare the page tables with the model:
 * wrong-address-space, illegal-promotion, stale-pte, missing-wired,
 * wrong-translation, shared-writable, and the structural counts
 * ptp-count and pmap-stats.
 *
 * Every check reads the work set of the current pass (inv_int.h) and the
 * shadow the observation step just refreshed; none changes anything but
 * ctx->finding.
 */
#include <string.h>

#include "inv_screen.h"
#include "pmapfuzz/ptdump.h"

static const char *const level_name[PT_LVL_PML4E + 1] = {
	"-",
	"pte",
	"pde",
	"pdpe",
	"pml4e",
};

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

/* Fill expected/found of a slot finding from the model and the shadow. */
static void
slot_describe(struct inv_ctx *ctx, uint32_t g, const struct model_map *mp)
{
	struct inv_finding *f = &ctx->finding;
	struct inv_state *st = ctx->st;

	inv_describe_model(f->expected, sizeof(f->expected), mp);
	inv_describe_leaf(f->found, sizeof(f->found), st->obs_e[g],
	    st->obs_lvl[g], inv_obs_frame(st, g));
}

static int
slot_fail(struct inv_ctx *ctx, enum inv_id id, uint32_t g)
{
	unsigned as = g_as(g);
	vm_offset_t va = g_va(g);
	const struct model_map *mp = model_lookup(ctx->md, as, va);

	inv_fail(ctx, id, (int)as, 1, va, inv_obs_frame(ctx->st, g));
	slot_describe(ctx, g, mp);
	return 1;
}

/* A finding about a logged PTE event. */
static int
event_fail(struct inv_ctx *ctx, enum inv_id id, const struct mach_event *ev)
{
	struct inv_finding *f;
	int as = va_is_kernel(ev->va) ? 0 : inv_as_of_root(ctx, ev->root);
	char bits[96];

	inv_fail(ctx, id, as, 1, ev->va, UINT32_MAX);
	f = &ctx->finding;
	f->nentries = 0;
	f->root = ev->root;
	f->cpu = ev->cpu;
	if (ev->kind == EV_PTE_WRITE)
		inv_add_entry(f,
		    level_name[ev->level <= PT_LVL_PML4E ? ev->level : 0],
		    ev->level, ev->pfn, ev->idx, ev->new);
	if (ev->kind == EV_WIN_STALE_READ) {
		ptdump_bits(ev->old, bits, sizeof(bits));
		inv_set(f->found, sizeof(f->found),
		    "read of level-%u entry %#llx [%s]", (unsigned)ev->level,
		    (unsigned long long)ev->old, bits);
		return 1;
	}
	ptdump_bits(ev->new, bits, sizeof(bits));
	inv_set(f->found, sizeof(f->found), "%s of level-%u entry %#llx [%s]",
	    ev->kind == EV_PTE_WRITE ? "write" : "lost write",
	    (unsigned)ev->level, (unsigned long long)ev->new, bits);
	return 1;
}

/* wrong-address-space */

static int
was_window(struct inv_ctx *ctx)
{
	const struct mach_event *ev = &ctx->st->win_gen.ev;
	struct inv_finding *f = &ctx->finding;
	int as = inv_as_of_root(ctx, ev->root);

	event_fail(ctx, INV_WRONG_ADDRESS_SPACE, ev);
	inv_set(f->expected, sizeof(f->expected),
	    "window %u still at generation %u when its ref is used",
	    (unsigned)ev->win, (unsigned)ev->gen_ref);
	inv_set(f->detail, sizeof(f->detail),
	    "a ref into window %u made at generation %u was used at "
	    "generation %u: the window had been re-pointed, so the access "
	    "for va %#llx resolved through root %u (pmap %d)%s",
	    (unsigned)ev->win, (unsigned)ev->gen_ref, (unsigned)ev->gen_now,
	    (unsigned long long)ev->va, (unsigned)ev->root, as,
	    ev->kind == EV_PTE_LOST	      ? " and did not resolve" :
		ev->kind == EV_WIN_STALE_READ ? " (a read)" :
						"");
	return 1;
}

/* The kernel half of user pmap as must equal the kernel pmap's. */
static int
was_upper(struct inv_ctx *ctx, unsigned as)
{
	const struct machine *mc = ctx->mc;
	uint32_t kroot = ctx->st->root[0], root = ctx->st->root[as];
	const pt_entry_t *kt = mach_table(mc, kroot);
	const pt_entry_t *ut = mach_table(mc, root);
	struct inv_finding *f = &ctx->finding;
	unsigned i;

	if (kt == NULL || ut == NULL)
		return 0;
	if (memcmp(kt + NPTEPG / 2, ut + NPTEPG / 2,
		NPTEPG / 2 * sizeof(*kt)) == 0)
		return 0;
	for (i = NPTEPG / 2; i < NPTEPG && kt[i] == ut[i]; i++)
		;
	inv_fail(ctx, INV_WRONG_ADDRESS_SPACE, (int)as, 0, 0, UINT32_MAX);
	f->has_va = 1;
	f->va = 0xffff000000000000ULL | ((vm_offset_t)i << PML4SHIFT);
	inv_add_entry(f, "user pml4e", PT_LVL_PML4E, root, i, ut[i]);
	inv_add_entry(f, "kernel pml4e", PT_LVL_PML4E, kroot, i, kt[i]);
	inv_set(f->expected, sizeof(f->expected), "kernel pml4e[%u] = %#llx", i,
	    (unsigned long long)kt[i]);
	inv_set(f->found, sizeof(f->found), "pmap %u pml4e[%u] = %#llx", as, i,
	    (unsigned long long)ut[i]);
	inv_set(f->detail, sizeof(f->detail),
	    "the kernel half of pmap %u's PML4 differs from the kernel "
	    "pmap's: a write meant for one address space landed in another",
	    as);
	return 1;
}

int
inv_chk_wrong_as(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	if (st->win_gen.set)
		return was_window(ctx);
	for (unsigned as = 1; st->upper_check != 0 && as < PMAP_MAX; as++)
		if ((st->upper_check >> as & 1) && ctx->st->root[as] != 0 &&
		    was_upper(ctx, as))
			return 1;
	if (st->bad[INV_WRONG_ADDRESS_SPACE] != INV_NO_SLOT) {
		uint32_t g = st->bad[INV_WRONG_ADDRESS_SPACE];

		slot_fail(ctx, INV_WRONG_ADDRESS_SPACE, g);
		inv_set(ctx->finding.detail, sizeof(ctx->finding.detail),
		    "pmap %u maps va %#llx to frame %u, which the model gives "
		    "to pmap %u at that va",
		    g_as(g), (unsigned long long)g_va(g),
		    (unsigned)inv_obs_frame(st, g),
		    (unsigned)st->bad_arg[INV_WRONG_ADDRESS_SPACE]);
		return 1;
	}
	return 0;
}

/* illegal-promotion */

/* Whether pmap as has a saved ptp for the 2 MiB va. */
static int
has_saved(const struct inv_ctx *ctx, unsigned as, vm_offset_t va2m)
{
	const struct pmap *pm = &ctx->ps->pmaps[as];

	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++)
		if (pm->pm_saved[i].pfn != 0 && pm->pm_saved[i].va == va2m)
			return 1;
	return 0;
}

static int
promo_fail(struct inv_ctx *ctx, unsigned as, vm_offset_t va, pt_entry_t pde,
    const char *fmt_expected, const char *why)
{
	struct inv_finding *f = &ctx->finding;
	char bits[96];

	inv_fail(ctx, INV_ILLEGAL_PROMOTION, (int)as, 1, va,
	    (uint32_t)atop(pde & PG_PS_FRAME));
	ptdump_bits(pde, bits, sizeof(bits));
	inv_set(f->expected, sizeof(f->expected), "%s", fmt_expected);
	inv_set(f->found, sizeof(f->found), "2M pde %#llx [%s]",
	    (unsigned long long)pde, bits);
	inv_set(f->detail, sizeof(f->detail), "%s", why);
	return 1;
}

/*
 * Why page i's model mapping mp cannot be part of the 2 MiB mapping pde
 * with base frame base, or NULL.  The PDE may hold fewer rights than a
 * page's model allows (promotion write-protects clean pages), never more.
 */
static const char *
promo_page(const struct model_map *mp, pt_entry_t pde, uint32_t frame)
{
	if (mp == NULL)
		return "unmapped";
	if (mp->pfn != frame)
		return "another frame";
	if ((pde & PG_RW) != 0 && (mp->prot & VM_PROT_WRITE) == 0)
		return "not writable";
	if ((pde & PG_NX) == 0 && (mp->prot & VM_PROT_EXECUTE) == 0)
		return "not executable";
	if (((pde & PG_W) != 0) != ((mp->flags & MODEL_WIRED) != 0))
		return (pde & PG_W) != 0 ? "not wired" : "wired";
	if (((pde & PG_MANAGED) != 0) != ((mp->flags & MODEL_MANAGED) != 0))
		return (pde & PG_MANAGED) != 0 ? "unmanaged" : "managed";
	return NULL;
}

/* promo_check's tests of the PS PDE itself (its bits, its saved
 * page-table page), before the model's pages. */
static int
promo_pde_check(struct inv_ctx *ctx, unsigned as, vm_offset_t va2m,
    pt_entry_t pde)
{
	/* One that the executor entered whole (psind 1) is not promoted. */
	if ((pde & PG_PROMOTED) == 0 && !model_superpage(ctx->md, as, va2m))
		return promo_fail(ctx, as, va2m, pde, "PG_PROMOTED",
		    "a 2 MiB mapping that was neither made by promotion nor "
		    "entered whole");
	if ((pde & PG_FRAME & PDRMASK) != 0)
		return promo_fail(ctx, as, va2m, pde, "2 MiB-aligned frame",
		    "the PS PDE's frame is not 2 MiB-aligned");
	/*
	 * A kernel demotion cannot allocate, and a wired mapping must
	 * survive one (D19670).  A user 2 MiB mapping that fork copied has no
	 * page-table page, as in FreeBSD: its demotion allocates one.
	 */
	if ((as == 0 || (pde & PG_W) != 0) && !has_saved(ctx, as, va2m))
		return promo_fail(ctx, as, va2m, pde,
		    "a saved page-table page for this 2 MiB va",
		    as == 0 ? "a kernel 2 MiB mapping without its page-table "
			      "page (demotion would need an allocation)" :
			      "a wired 2 MiB mapping without a page-table page "
			      "(a demotion that cannot allocate one would "
			      "unmap a wired range)");
	return 0;
}

/* Check one PS PDE at region base va2m of as. */
static int
promo_check(struct inv_ctx *ctx, unsigned as, vm_offset_t va2m, pt_entry_t pde)
{
	uint32_t base = (uint32_t)atop(pde & PG_PS_FRAME);
	const struct model_map *maps = ctx->st->maps[as];
	const struct model_map *ok = NULL; /* the last page that passed */
	char why[192], exp[96];
	int s0, dense;

	if (promo_pde_check(ctx, as, va2m, pde))
		return 1;
	/* The range's slots are usually one dense run of the model's array. */
	s0 = model_slot(as, va2m);
	dense = s0 >= 0 &&
	    model_slot(as, va2m + ptoa(NPTEPG - 1)) == s0 + NPTEPG - 1;
	for (unsigned i = 0; i < NPTEPG; i++) {
		vm_offset_t va = va2m + ptoa(i);
		const struct model_map *mp = !dense ?
		    model_lookup(ctx->md, as, va) :
		    (maps[s0 + i].prot != 0 ? &maps[s0 + i] : NULL);
		const char *bad;
		char mdesc[96];

		/* promo_page reads only the frame, prot and flags: a page
		 * with the rights of one that passed passes if its frame
		 * is right. */
		if (mp != NULL && ok != NULL && mp->pfn == base + i &&
		    mp->prot == ok->prot && mp->flags == ok->flags)
			continue;
		if ((bad = promo_page(mp, pde, base + i)) == NULL) {
			ok = mp;
			continue;
		}
		inv_describe_model(mdesc, sizeof(mdesc), mp);
		inv_set(exp, sizeof(exp),
		    "page %u mapped to frame %u with "
		    "the PDE's rights",
		    i, (unsigned)(base + i));
		inv_set(why, sizeof(why),
		    "page %u of the 2 MiB range (va %#llx) is %s in the "
		    "model (%s)",
		    i, (unsigned long long)va, bad, mdesc);
		return promo_fail(ctx, as, va2m, pde, exp, why);
	}
	return 0;
}

int
inv_promotion_pde_bad(struct inv_ctx *ctx, unsigned as, vm_offset_t va2m,
    pt_entry_t pde)
{
	return promo_pde_check(ctx, as, va2m, pde);
}

int
inv_chk_illegal_promotion(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	for (uint32_t i = 0; i < st->nwregion; i++) {
		unsigned as = st->wregion[i] / INV_NREG_MAX;
		unsigned r = st->wregion[i] % INV_NREG_MAX;
		vm_offset_t va2m = inv_region_va(as, r);
		uint32_t root = ctx->st->root[as];
		struct inv_walk w;

		if (root == 0)
			continue;
		inv_walk(ctx->mc, root, va2m, &w);
		if (w.leaf == PT_LVL_PDE &&
		    promo_check(ctx, as, va2m, w.ent[PT_LVL_PDE]))
			return 1;
	}
	return 0;
}

/* stale-pte */

/* Whether [va, va + size) holds a region of as's universe. */
static int
range_has_region(unsigned as, vm_offset_t va, uint64_t size)
{
	for (unsigned r = 0; r < inv_nregions(as); r++) {
		vm_offset_t rva = inv_region_va(as, r);

		if (rva >= va && rva - va < size)
			return 1;
	}
	return 0;
}

/* Canonical va of entry idx of a level-lvl table covering base. */
static vm_offset_t
entry_va(vm_offset_t base, int lvl, unsigned idx)
{
	vm_offset_t va =
	    base + ((vm_offset_t)idx << (PAGE_SHIFT + 9 * (lvl - 1)));

	if (lvl == PT_LVL_PML4E && idx >= NPTEPG / 2)
		va |= 0xffff000000000000ULL;
	return va;
}

/*
 * Sweep only: find a valid entry of as's tables (user half for a user
 * pmap, the whole PML4 for the kernel's) that maps or leads to nothing in
 * the universe.  Returns 1 with *out filled.
 */
struct outside {
	uint32_t table;
	unsigned idx;
	int level;
	pt_entry_t e;
	vm_offset_t va;
};

static int
scan_outside(const struct machine *mc, unsigned as, uint32_t pfn, int lvl,
    vm_offset_t base, struct outside *out)
{
	const pt_entry_t *t = mach_table(mc, pfn);
	unsigned lim = (lvl == PT_LVL_PML4E && as != 0) ? NPTEPG / 2 : NPTEPG;
	uint64_t size = 1ULL << (PAGE_SHIFT + 9 * (lvl - 1));

	if (t == NULL)
		return 0;
	for (unsigned i = 0; i < lim; i++) {
		pt_entry_t e = t[i];
		vm_offset_t va;
		int in;

		if ((e & PG_V) == 0)
			continue;
		va = entry_va(base, lvl, i);
		if (lvl == PT_LVL_PTE)
			in = model_slot(as, va) >= 0;
		else
			in = range_has_region(as, va, size);
		if (in && lvl > PT_LVL_PTE && (e & PG_PS) == 0 &&
		    scan_outside(mc, as, (uint32_t)atop(e & PG_FRAME), lvl - 1,
			va, out))
			return 1;
		if (in)
			continue;
		out->table = pfn;
		out->idx = i;
		out->level = lvl;
		out->e = e;
		out->va = va;
		return 1;
	}
	return 0;
}

static int
stale_outside_sweep(struct inv_ctx *ctx)
{
	for (unsigned as = 0; as < PMAP_MAX; as++) {
		uint32_t root = ctx->st->root[as];
		struct outside o;
		struct inv_finding *f = &ctx->finding;
		char bits[96];

		if (root == 0 ||
		    !scan_outside(ctx->mc, as, root, PT_LVL_PML4E, 0, &o))
			continue;
		inv_fail(ctx, INV_STALE_PTE, (int)as, 1, o.va, UINT32_MAX);
		f->nentries = 0;
		inv_add_entry(f, level_name[o.level], o.level, o.table, o.idx,
		    o.e);
		ptdump_bits(o.e, bits, sizeof(bits));
		inv_set(f->expected, sizeof(f->expected),
		    "nothing outside the universe");
		inv_set(f->found, sizeof(f->found), "%s %#llx [%s]",
		    level_name[o.level], (unsigned long long)o.e, bits);
		inv_set(f->detail, sizeof(f->detail),
		    "a valid level-%d entry covers va %#llx, where the model "
		    "can map nothing",
		    o.level, (unsigned long long)o.va);
		return 1;
	}
	return 0;
}

int
inv_chk_stale_pte(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	if (st->outside.set) {
		event_fail(ctx, INV_STALE_PTE, &st->outside.ev);
		inv_set(ctx->finding.expected, sizeof(ctx->finding.expected),
		    "nothing outside the universe");
		inv_set(ctx->finding.detail, sizeof(ctx->finding.detail),
		    "a valid entry was written for va %#llx, where the model "
		    "can map nothing",
		    (unsigned long long)st->outside.ev.va);
		return 1;
	}
	if (st->bad[INV_STALE_PTE] != INV_NO_SLOT) {
		uint32_t g = st->bad[INV_STALE_PTE];

		slot_fail(ctx, INV_STALE_PTE, g);
		inv_set(ctx->finding.detail, sizeof(ctx->finding.detail),
		    "pmap %u still translates va %#llx, which the model says "
		    "is unmapped",
		    g_as(g), (unsigned long long)g_va(g));
		return 1;
	}
	return st->sweep ? stale_outside_sweep(ctx) : 0;
}

/* missing-wired */

int
inv_chk_missing_wired(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	uint32_t g = st->bad[INV_MISSING_WIRED];

	if (g == INV_NO_SLOT)
		return 0;
	slot_fail(ctx, INV_MISSING_WIRED, g);
	inv_set(ctx->finding.detail, sizeof(ctx->finding.detail),
	    "the model's %s mapping of va %#llx in pmap %u is absent from "
	    "the tables",
	    g_as(g) == 0 ? "kernel" : "wired", (unsigned long long)g_va(g),
	    g_as(g));
	return 1;
}

/* wrong-translation */

/* Intermediate entries and page sizes on the path to region gr. */
static int
wt_region(struct inv_ctx *ctx, uint32_t gr)
{
	unsigned as = gr / INV_NREG_MAX, r = gr % INV_NREG_MAX;
	vm_offset_t va = inv_region_va(as, r);
	uint32_t root = ctx->st->root[as];
	pt_entry_t want = as == 0 ? INV_TABLE_KERN : INV_TABLE_USER;
	struct inv_finding *f = &ctx->finding;
	struct inv_walk w;
	int low;

	if (root == 0)
		return 0;
	inv_walk(ctx->mc, root, va, &w);
	if (w.bad != 0 && (w.ent[w.bad] & PG_PS) != 0 && w.bad > PT_LVL_PDE) {
		inv_fail(ctx, INV_WRONG_TRANSLATION, (int)as, 1, va,
		    UINT32_MAX);
		inv_set(f->expected, sizeof(f->expected),
		    "4 KiB or 2 MiB pages only");
		inv_set(f->found, sizeof(f->found), "PG_PS in a %s",
		    level_name[w.bad]);
		return 1;
	}
	low = w.leaf != 0 ? w.leaf + 1 : w.stop + 1;
	for (int l = PT_LVL_PML4E; l >= low && l > PT_LVL_PTE; l--) {
		pt_entry_t e = w.ent[l];
		char bits[96], wbits[96];

		if (w.tab[l] == 0 || (e & PG_V) == 0 ||
		    (e & INV_TABLE_BITS) == want)
			continue;
		inv_fail(ctx, INV_WRONG_TRANSLATION, (int)as, 1, va,
		    UINT32_MAX);
		ptdump_bits(e & INV_TABLE_BITS, bits, sizeof(bits));
		ptdump_bits(want, wbits, sizeof(wbits));
		inv_set(f->expected, sizeof(f->expected), "%s bits [%s]",
		    level_name[l], wbits);
		inv_set(f->found, sizeof(f->found), "%s bits [%s]",
		    level_name[l], bits);
		inv_set(f->detail, sizeof(f->detail),
		    "an entry pointing at a page-table page carries the wrong "
		    "bits (table %u index %u)",
		    (unsigned)w.tab[l], pmap_level_index(va, l));
		return 1;
	}
	return 0;
}

int
inv_chk_wrong_translation(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	if (st->win_lost.set) {
		event_fail(ctx, INV_WRONG_TRANSLATION, &st->win_lost.ev);
		inv_set(ctx->finding.expected, sizeof(ctx->finding.expected),
		    "the entry exists in the pmap the window shows");
		inv_set(ctx->finding.detail, sizeof(ctx->finding.detail),
		    "an access through window %u for va %#llx (level %u) "
		    "could not resolve: the pmap's tables have no path there, "
		    "so the write meant for it was lost",
		    (unsigned)st->win_lost.ev.win,
		    (unsigned long long)st->win_lost.ev.va,
		    (unsigned)st->win_lost.ev.level);
		return 1;
	}
	for (uint32_t i = 0; i < st->nwregion; i++)
		if (wt_region(ctx, st->wregion[i]))
			return 1;
	if (st->bad[INV_WRONG_TRANSLATION] != INV_NO_SLOT) {
		uint32_t g = st->bad[INV_WRONG_TRANSLATION];

		slot_fail(ctx, INV_WRONG_TRANSLATION, g);
		inv_set(ctx->finding.detail, sizeof(ctx->finding.detail),
		    "pmap %u va %#llx: %s", g_as(g),
		    (unsigned long long)g_va(g),
		    st->bad_why[INV_WRONG_TRANSLATION]);
		return 1;
	}
	return 0;
}

/* shared-writable */

int
inv_chk_shared_writable(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	uint32_t g = st->bad[INV_SHARED_WRITABLE], h;

	if (g == INV_NO_SLOT)
		return 0;
	h = st->bad_arg[INV_SHARED_WRITABLE];
	slot_fail(ctx, INV_SHARED_WRITABLE, g);
	inv_set(ctx->finding.detail, sizeof(ctx->finding.detail),
	    "private frame %u is writable in pmap %u (va %#llx) and in pmap "
	    "%u (va %#llx)",
	    (unsigned)inv_obs_frame(st, g), g_as(g),
	    (unsigned long long)g_va(g), g_as(h), (unsigned long long)g_va(h));
	return 1;
}

/* ptp-count and pmap-stats: the tables on the universe's paths. */

#define PATH_TABS_MAX (INV_NREG_MAX * 3)

static int
frame_is_table(const struct machine *mc, uint32_t pfn)
{
	return pfn < mc->cfg.nframes &&
	    (mc->pages[pfn].flags & (VPF_ALLOCATED | VPF_PTP)) ==
	    (VPF_ALLOCATED | VPF_PTP) &&
	    mach_table(mc, pfn) != NULL;
}

static void
paths_add(struct inv_paths *p, uint32_t pfn, int lvl)
{
	for (unsigned i = 0; i < p->ntab; i++)
		if (p->tab[i] == pfn)
			return;
	if (p->ntab < PATH_TABS_MAX) {
		p->tab[p->ntab] = pfn;
		p->lvl[p->ntab++] = (uint8_t)lvl;
	}
}

/* Compute the tables on as's universe paths into st->paths[as]. */
static void
paths_compute(struct inv_ctx *ctx, unsigned as, uint32_t root)
{
	const struct machine *mc = ctx->mc;
	struct inv_paths *p = &ctx->st->paths[as];

	ctx->st->paths_ok[as] = 1;
	memset(p, 0, sizeof(*p));
	for (unsigned r = 0; r < inv_nregions(as); r++) {
		vm_offset_t va = inv_region_va(as, r);
		uint32_t pfn = root;

		for (int lvl = PT_LVL_PML4E; lvl > PT_LVL_PTE; lvl--) {
			const pt_entry_t *t = mach_table(mc, pfn);
			unsigned idx = pmap_level_index(va, lvl);
			uint32_t child;

			if (t == NULL || (t[idx] & PG_V) == 0 ||
			    (t[idx] & PG_PS) != 0)
				break;
			child = (uint32_t)atop(t[idx] & PG_FRAME);
			if (!frame_is_table(mc, child)) {
				if (!p->bad) {
					p->bad = 1;
					p->bad_level = lvl;
					p->bad_table = pfn;
					p->bad_idx = idx;
					p->bad_e = t[idx];
					p->bad_va = va;
				}
				break;
			}
			paths_add(p, child, lvl - 1);
			pfn = child;
		}
	}
}

/* The tables on as's universe paths; computed once until a write above
 * the PT level or a free may have changed them. */
static inline const struct inv_paths *
inv_paths(struct inv_ctx *ctx, unsigned as, uint32_t root)
{
	if (!ctx->st->paths_ok[as])
		paths_compute(ctx, as, root);
	return &ctx->st->paths[as];
}

static int
ptp_fail(struct inv_ctx *ctx, unsigned as, uint32_t pfn, int lvl,
    const char *expected, const char *found, const char *detail)
{
	struct inv_finding *f = &ctx->finding;

	inv_fail(ctx, INV_PTP_COUNT, (int)as, 0, 0, pfn);
	inv_set(f->expected, sizeof(f->expected), "%s", expected);
	inv_set(f->found, sizeof(f->found), "%s", found);
	inv_set(f->detail, sizeof(f->detail), "%s (table frame %u, level %d)",
	    detail, (unsigned)pfn, lvl);
	return 1;
}

/* The saved ptps pm keeps. */
static int64_t
count_saved(const struct pmap *pm)
{
	int64_t n = 0;

	if (!has_any_saved(pm))
		return 0;
	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++)
		n += pm->pm_saved[i].pfn != 0;
	return n;
}

/* What ptp_as_bad found (and where: path table i, saved slot i). */
enum ptp_why {
	PTP_PATH,
	PTP_KERNEL,
	PTP_USER,
	PTP_USER_EMPTY,
	PTP_SAVED_FREED,
	PTP_SAVED_USED
};

/* Report ptp-count's finding why about live pmap as; returns 1. */
static int
ptp_report(struct inv_ctx *ctx, unsigned as, const struct inv_paths *pp,
    enum ptp_why why, unsigned i)
{
	const struct machine *mc = ctx->mc;
	const struct vm_page *m;
	struct inv_finding *f = &ctx->finding;
	char exp[64], got[64];
	uint32_t pfn;

	switch (why) {
	case PTP_PATH:
		inv_fail(ctx, INV_PTP_COUNT, (int)as, 1, pp->bad_va,
		    (uint32_t)atop(pp->bad_e & PG_FRAME));
		f->nentries = 0;
		inv_add_entry(f, level_name[pp->bad_level], pp->bad_level,
		    pp->bad_table, pp->bad_idx, pp->bad_e);
		inv_set(f->expected, sizeof(f->expected),
		    "an allocated page-table page");
		inv_set(f->found, sizeof(f->found), "frame %u (flags %#x)",
		    (unsigned)atop(pp->bad_e & PG_FRAME),
		    (unsigned)mc
			->pages[atop(pp->bad_e & PG_FRAME) % MACH_FRAMES_MAX]
			.flags);
		inv_set(f->detail, sizeof(f->detail),
		    "a reachable %s points at a frame that holds no page "
		    "table: freed while reachable",
		    level_name[pp->bad_level]);
		return 1;
	case PTP_KERNEL:
		m = &mc->pages[pp->tab[i]];
		inv_set(got, sizeof(got), "ref_count %u%s",
		    (unsigned)m->ref_count,
		    (m->flags & VPF_KERNEL_PTP) != 0 ? "" :
						       ", not VPF_KERNEL_PTP");
		return ptp_fail(ctx, as, pp->tab[i], pp->lvl[i],
		    "VPF_KERNEL_PTP with ref_count 512", got,
		    "a kernel page-table page's count is fixed");
	case PTP_USER:
		m = &mc->pages[pp->tab[i]];
		inv_set(exp, sizeof(exp), "ref_count %d (valid entries)",
		    inv_tab_nvalid(ctx, pp->tab[i]));
		inv_set(got, sizeof(got), "ref_count %u",
		    (unsigned)m->ref_count);
		return ptp_fail(ctx, as, pp->tab[i], pp->lvl[i], exp, got,
		    "a user page-table page's count differs from its valid "
		    "entries");
	case PTP_USER_EMPTY:
		return ptp_fail(ctx, as, pp->tab[i], pp->lvl[i],
		    "no empty user page-table page reachable",
		    "ref_count 0, no valid entry",
		    "a user page-table page goes with its last entry: this "
		    "one is reachable and maps nothing (leaked)");
	case PTP_SAVED_FREED:
		pfn = ctx->ps->pmaps[as].pm_saved[i].pfn;
		return ptp_fail(ctx, as, pfn, PT_LVL_PTE,
		    "an allocated page-table page", "a freed frame",
		    "a saved page-table page was freed");
	case PTP_SAVED_USED:
		pfn = ctx->ps->pmaps[as].pm_saved[i].pfn;
		return ptp_fail(ctx, as, pfn, PT_LVL_PTE,
		    "saved ptp unreachable", "reachable from the tables",
		    "a page-table page is both saved and in use");
	}
	return 1;
}

/* ptp_as_bad's user table test from path table i on: whether a count
 * differs from the table's valid entries, or a table has none (reported
 * if report). */
static int
ptp_user_bad(struct inv_ctx *ctx, unsigned as, const struct inv_paths *pp,
    unsigned i, int report)
{
	for (; i < pp->ntab; i++) {
		int n = inv_tab_nvalid(ctx, pp->tab[i]);

		if (n != (int)ctx->mc->pages[pp->tab[i]].ref_count)
			return report ? ptp_report(ctx, as, pp, PTP_USER, i) :
					1;
		if (n == 0)
			return report ?
			    ptp_report(ctx, as, pp, PTP_USER_EMPTY, i) :
			    1;
	}
	return 0;
}

/* ptp_as_bad's test of the saved ptps of pmap as: whether one is freed or
 * on the paths pp (reported if report). */
static int
ptp_saved_bad(struct inv_ctx *ctx, unsigned as, const struct inv_paths *pp,
    int report)
{
	const struct machine *mc = ctx->mc;
	const struct pmap *pm = &ctx->ps->pmaps[as];
	unsigned ntab = pp->ntab;

	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++) {
		uint32_t pfn = pm->pm_saved[i].pfn;

		if (pfn == 0)
			continue;
		if (!frame_is_table(mc, pfn))
			return report ?
			    ptp_report(ctx, as, pp, PTP_SAVED_FREED, i) :
			    1;
		for (unsigned k = 0; k < ntab; k++)
			if (pp->tab[k] == pfn)
				return report ?
				    ptp_report(ctx, as, pp, PTP_SAVED_USED, i) :
				    1;
	}
	return 0;
}

/*
 * ptp-count for live pmap as, whose universe paths are pp and which keeps
 * nsaved (count_saved) saved ptps: 0 if it holds, else 1, after reporting
 * the first violation when report is set.  The check and its screen
 * (report 0) both ask this.  The path tables are allocated frames (below
 * nframes), so their cached counts are read directly.  Inlined in both,
 * so that the screen's copy is the bare loops.
 */
static inline INV_ALWAYS_INLINE int
ptp_as_bad(struct inv_ctx *ctx, unsigned as, const struct inv_paths *pp,
    int64_t nsaved, int report)
{
	unsigned ntab = pp->ntab;

	if (pp->bad)
		return report ? ptp_report(ctx, as, pp, PTP_PATH, 0) : 1;
	for (unsigned i = 0; as == 0 && i < ntab; i++)
		if (ptp_tab_bad(ctx, 0, pp->tab[i]))
			return report ? ptp_report(ctx, as, pp, PTP_KERNEL, i) :
					1;
	if (as != 0) {
		unsigned i = 0;

		/* Every count cached and equal, usually; a count not cached
		 * (-1) differs, and the loop below counts it. */
		while (i < ntab && !ptp_tab_bad(ctx, as, pp->tab[i]))
			i++;
		if (i < ntab && ptp_user_bad(ctx, as, pp, i, report))
			return 1;
	}
	return nsaved != 0 && ptp_saved_bad(ctx, as, pp, report);
}

static int
ptp_check_as(struct inv_ctx *ctx, unsigned as, uint32_t root)
{
	const struct inv_paths *pp = inv_paths(ctx, as, root);

	return ptp_as_bad(ctx, as, pp, count_saved(&ctx->ps->pmaps[as]), 1);
}

int
inv_chk_ptp_count(struct inv_ctx *ctx)
{
	const struct machine *mc = ctx->mc;
	const struct inv_state *st = ctx->st;

	for (uint32_t m = st->as_touched & INV_AS_MASK; m != 0; m &= m - 1) {
		unsigned as = (unsigned)__builtin_ctz(m);

		if (st->root[as] != 0 && ptp_check_as(ctx, as, st->root[as]))
			return 1;
	}
	if (!ctx->st->sweep)
		return 0;
	for (uint32_t pfn = 0; pfn < mc->cfg.nframes; pfn++) {
		const struct vm_page *m = &mc->pages[pfn];
		char got[48];

		if ((m->flags & VPF_KERNEL_PTP) == 0 || m->ref_count == NPTEPG)
			continue;
		inv_set(got, sizeof(got), "ref_count %u",
		    (unsigned)m->ref_count);
		return ptp_fail(ctx, 0, pfn, 0, "ref_count 512", got,
		    "a kernel page-table page's count is fixed");
	}
	return 0;
}

/* inv_as_suspect's whole test of the live pmaps in mask slow: of
 * ptp-count and pmap-stats in want, those that may report on one. */
static INV_NOINLINE uint32_t
as_suspect_full(struct inv_ctx *ctx, uint32_t want, uint32_t slow)
{
	struct inv_state *st = ctx->st;
	uint32_t bad = 0;
	int ptp = want >> INV_PTP_COUNT & 1;
	int stats = want >> INV_PMAP_STATS & 1;

	for (uint32_t m = slow; m != 0; m &= m - 1) {
		unsigned as = (unsigned)__builtin_ctz(m);
		const struct pmap *pm = &ctx->ps->pmaps[as];
		const struct inv_paths *p = inv_paths(ctx, as, st->root[as]);
		int64_t nsaved, res;

		nsaved = count_saved(pm);
		if (ptp && ptp_as_bad(ctx, as, p, nsaved, 0))
			bad |= 1u << INV_PTP_COUNT;
		res = stats_resident(st, as, p, nsaved);
		if (stats && !stats_ok(st, pm, as, res))
			bad |= 1u << INV_PMAP_STATS;
	}
	return bad;
}

/*
 * The screen of ptp-count and pmap-stats (inv_int.h).  A pmap whose paths
 * are cached and sound and which keeps no saved ptp, the usual case, is
 * tested in this loop, by reads only and without a call (the registers
 * stay free): ptp_as_bad then reduces to ptp_tab_bad on every path table
 * (a loop each for the kernel and the user tables), and pmap-stats to its
 * comparison with no saved ptp.  A pmap that fails ptp_tab_bad (its count
 * may just be uncached) or is not usual gets the whole test after the
 * loop (as_suspect_full).  The verdicts do not depend on the order: the
 * tests only read, but for caches (paths, counts).
 */
uint32_t
inv_as_screen(struct inv_ctx *ctx, uint32_t want, uint32_t asmask)
{
	const struct pmap *pms = ctx->ps->pmaps;
	uint32_t bad = 0, slow = 0;

	for (uint32_t m = asmask & INV_AS_MASK; m != 0; m &= m - 1) {
		unsigned as = (unsigned)__builtin_ctz(m);

		switch (as_quick(ctx, pms, as)) {
		case AS_QUICK_SLOW:
			slow |= 1u << as;
			break;
		case AS_QUICK_STATS:
			bad |= 1u << INV_PMAP_STATS;
			break;
		case AS_QUICK_PLAIN:
			break;
		}
	}
	if (slow != 0)
		bad |= as_suspect_full(ctx, want, slow);
	return (bad | ~INV_AS_SCREENED) & want;
}

uint32_t
inv_as_suspect(struct inv_ctx *ctx, uint32_t want)
{
	return inv_as_screen(ctx, want, ctx->st->as_touched);
}

int
inv_chk_pmap_stats(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	for (uint32_t m = st->as_touched & INV_AS_MASK; m != 0; m &= m - 1) {
		unsigned as = (unsigned)__builtin_ctz(m);
		uint32_t root = st->root[as];
		const struct pmap *pm = &ctx->ps->pmaps[as];
		int64_t res, nsaved = 0;
		struct inv_finding *f = &ctx->finding;
		const struct inv_paths *p = NULL;
		unsigned ntab = 0;

		if (root == 0)
			continue;
		if (as != 0) {
			p = inv_paths(ctx, as, root);
			ntab = p->ntab;
			nsaved = count_saved(pm);
		}
		res = stats_resident(st, as, p, nsaved);
		if (stats_ok(st, pm, as, res))
			continue;
		inv_fail(ctx, INV_PMAP_STATS, (int)as, 0, 0, UINT32_MAX);
		inv_set(f->expected, sizeof(f->expected),
		    "resident %lld, wired %lld", (long long)res,
		    (long long)st->wired[as]);
		inv_set(f->found, sizeof(f->found), "resident %lld, wired %lld",
		    (long long)pm->pm_stats.resident_count,
		    (long long)pm->pm_stats.wired_count);
		if (as == 0)
			inv_set(f->detail, sizeof(f->detail),
			    "kernel pmap: %lld pages mapped by leaves",
			    (long long)st->pages[as]);
		else
			inv_set(f->detail, sizeof(f->detail),
			    "pmap %u: %lld pages mapped by leaves + %u "
			    "page-table pages + %lld saved ptps",
			    as, (long long)st->pages[as], ntab,
			    (long long)nsaved);
		return 1;
	}
	return 0;
}

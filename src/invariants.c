/*
 * invariants.c - the checker's table, its entry points and the pass that
 * collects the work set and refreshes the shadow (see inv_int.h).  The
 * checks themselves live in inv_tables.c (page tables against the model)
 * and inv_frames.c (PV lists, frames, TLBs, reservations).
 */
#include "pmapfuzz/invariants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inv_int.h"
#include "pmapfuzz/ptdump.h"

_Static_assert(MODEL_AS_MAX == PMAP_MAX, "model and pmap agree on ids");
_Static_assert(MODEL_FRAMES_MAX == MACH_FRAMES_MAX,
    "model and machine agree on memory size");
_Static_assert(INV_COUNT <= 32, "enabled set fits a mask");
_Static_assert((USER_BASE & PDRMASK) == 0 && (KVA_BASE & PDRMASK) == 0,
    "slot s of a user or kernel region is PTE index s % 512 "
    "(inv_slot_pte_index)");
_Static_assert(((KSTACK_VA >> PAGE_SHIFT) & (NPTEPG - 1)) + KSTACK_PAGES <=
	NPTEPG,
    "the kernel stack lies in one region");

/* The catalogue.  Order is check order and precedence. */
const struct inv_info inv_table[INV_COUNT] = {
	{ INV_ASSERT, "assert", "the core's own PMAP_ASSERT did not fire",
	    "Reported by the executor's assert hook through "
	    "inv_finding_assert(); the assertion's format string is part of "
	    "the title so that findings with different values group "
	    "together.  First because a core that stopped half-way leaves "
	    "every other structure in an arbitrary state.",
	    "8.0 'attempted pmap_enter on 2MB page' panic (seed 000)", NULL },
	{ INV_WRONG_ADDRESS_SPACE, "wrong-address-space",
	    "no write made on behalf of pmap P lands in pmap Q's tables, "
	    "and no pmap holds a translation the model gives to another",
	    "From the log: a PTE read, store or load-clear through a "
	    "window ref whose generation changed between making the ref and "
	    "using it (the window was re-pointed in between, so the access "
	    "resolved through another address space), or an unresolvable "
	    "window access under such a generation change.  From the tables: a "
	    "leaf in pmap P that disagrees with P's model but maps the frame "
	    "the model gives to pmap Q at that va; a user pmap whose kernel "
	    "half (PML4 entries 256..511) differs from the kernel pmap's.",
	    "Alternate window re-pointed at interrupt time: fork entered the "
	    "child's kernel stack into a third process (FreeBSD 2.x, "
	    "seed 002)",
	    inv_chk_wrong_as },
	{ INV_ILLEGAL_PROMOTION, "illegal-promotion",
	    "every PS PDE maps a 2 MiB-aligned frame, all 512 of its pages "
	    "are expected by the model with the PDE's rights, it carries "
	    "PG_PROMOTED unless it was entered whole, and a kernel or wired "
	    "one has a saved page-table page",
	    "For every PS PDE in a touched region: PG_PROMOTED set (made by "
	    "promotion, or copied from such a PDE at fork) unless the model "
	    "says the executor entered the region whole with one 2 MiB "
	    "mapping (pmap_enter_2m, FreeBSD's psind 1) and has not remapped "
	    "a page of it since, frame 2 MiB-"
	    "aligned, and the model maps each of the 512 pages to base "
	    "frame + i, with rights that allow the PDE's (RW, no NX) and the "
	    "PDE's wired and managed state; for a kernel or wired PDE, "
	    "pm_saved[] holds a ptp for that 2 MiB va.  The PDE may hold "
	    "fewer rights than a page allows: promotion write-protects clean "
	    "pages.  A user 2 MiB mapping that fork copied has no saved ptp, "
	    "as in FreeBSD (pmap_copy): its demotion allocates one.",
	    "Premature kernel promotion over litter (8.0, seed 000)",
	    inv_chk_illegal_promotion },
	{ INV_STALE_PTE, "stale-pte",
	    "no valid entry maps a va that the model says is unmapped",
	    "Every touched slot whose leaf (PTE or PS PDE) is valid must be "
	    "mapped in the model; no valid entry may lie outside the "
	    "universe (a write there is caught from the log, a sweep scans "
	    "every table).",
	    "Kernel unmap leaving PTEs in place (kmem litter, 8.0, "
	    "seed 000); FreeBSD-SA-21:08.vm",
	    inv_chk_stale_pte },
	{ INV_MISSING_WIRED, "missing-wired",
	    "every wired or kernel mapping of the model is present",
	    "A touched slot that the model maps wired, or any mapped kernel "
	    "slot, must have a valid leaf.  Non-wired user mappings may be "
	    "missing: a pmap is a cache.",
	    "A wired superpage without a saved page-table page failed to "
	    "demote and unmapped a wired range (FreeBSD D19670)",
	    inv_chk_missing_wired },
	{ INV_WRONG_TRANSLATION, "wrong-translation",
	    "every present translation maps the model's frame with no more "
	    "rights than the model allows",
	    "Leaf frame equals the model's; PG_RW only if the model allows "
	    "write; PG_NX unless it allows execute; PG_U exactly on user "
	    "va; PG_G exactly on kernel va; PG_W iff wired; PG_MANAGED iff "
	    "managed.  Intermediate entries carry exactly V RW U A M "
	    "(user) or V RW A M (kernel), no PS above the PD level.  A "
	    "window access that could not resolve although the window was "
	    "not re-pointed (the write meant for the pmap was lost).",
	    "Demotion from a partially initialised kernel ptp (FreeBSD "
	    "r348306); arm64 demotion failure left a writable 2 MiB "
	    "mapping (rS349003)",
	    inv_chk_wrong_translation },
	{ INV_SHARED_WRITABLE, "shared-writable",
	    "no private (copy-on-write) frame is writable in more than one "
	    "pmap",
	    "A touched slot whose leaf is writable and whose model mapping "
	    "is private: no other pmap's leaf for a private model mapping "
	    "of the same frame may be writable.",
	    "Copy-on-write through a shared shadow object left the source "
	    "writable elsewhere (FreeBSD-SA-21:08.vm, CVE-2021-29626)",
	    inv_chk_shared_writable },
	{ INV_PV_MISMATCH, "pv-mismatch",
	    "managed valid mappings and PV entries correspond one to one",
	    "A valid managed 4 KiB leaf has exactly one (pmap, va) entry on "
	    "its frame's pv_head list, a managed PS PDE exactly one "
	    "(pmap, 2 MiB va) entry on its first frame's pv2m_head list; "
	    "every entry on the list of a touched frame names such a "
	    "mapping; lists are well formed.  Every check also compares "
	    "the pmap's count of PV entries in use with the managed "
	    "mappings observed, since an entry recorded without its mapping "
	    "touches no table; on a difference (and in every sweep) the pool "
	    "is walked and the first entry that names no mapping reported.",
	    "Repeated enter over a 2 MiB mapping created PV entries for "
	    "mappings that did not exist (FreeBSD PR 266108)",
	    inv_chk_pv },
	{ INV_PTP_COUNT, "ptp-count",
	    "each user page-table page's count equals its valid entries, "
	    "one at least; kernel ones are fixed; none is freed while "
	    "reachable",
	    "Along the universe's paths of every pmap: each non-leaf entry "
	    "points at an allocated VPF_PTP frame; user PDP/PD/PT pages have "
	    "ref_count == valid entries > 0 (a user table goes with its last "
	    "entry: a reachable empty one is leaked); kernel ones are "
	    "VPF_KERNEL_PTP with ref_count 512.  Saved ptps are allocated "
	    "tables that are not reachable.",
	    "Copying page tables on an error path leaked a page-table page "
	    "(FreeBSD D22763); ptp freed under a software walker (rS360280)",
	    inv_chk_ptp_count },
	{ INV_PMAP_STATS, "pmap-stats",
	    "resident and wired counts equal a recount of the tables",
	    "User: resident = valid 4 KiB leaves + 512 per PS PDE + "
	    "reachable PDP/PD/PT pages + saved ptps; kernel: leaves only.  "
	    "wired = leaves with PG_W (4 KiB units).  The recount is the "
	    "checker's shadow of the leaves it has verified.",
	    "User demotion that allocated a ptp did not count it "
	    "(FreeBSD 78d3e2f)",
	    inv_chk_pmap_stats },
	{ INV_FREED_WHILE_MAPPED, "freed-while-mapped",
	    "no frame is freed while a PTE, a PV entry or a TLB entry still "
	    "maps it",
	    "A touched free frame has empty PV lists and no valid leaf "
	    "mapping it (except a kernel PTE at exactly that kmem frame's "
	    "own va: the frame can only come back there); in a call check, "
	    "a frame freed during the call has no TLB entry either (after "
	    "the operation that is stale-tlb's business).",
	    "Demotion underflow stopped pmap_remove early (FreeBSD "
	    "78d3e2f); mremap flush after unlock (CVE-2018-18281)",
	    inv_chk_freed },
	{ INV_LOST_DIRTY, "lost-dirty",
	    "a page written through a mapping stays known dirty (PG_M or "
	    "vm_page dirty) until it is cleaned",
	    "For a touched managed frame the model says was written (through "
	    "a managed mapping) and not cleaned: VPF_DIRTY is set or a leaf "
	    "of one of its model mappings has PG_M.  Unmanaged mappings' "
	    "dirtiness is their owner's business, as in FreeBSD.",
	    "Non-atomic pmap_protect lost a racing PG_M (FreeBSD PR 61852)",
	    inv_chk_lost_dirty },
	{ INV_STALE_TLB, "stale-tlb",
	    "once an operation returns, no CPU's TLB holds a translation "
	    "that the tables no longer allow, nor one to a freed frame",
	    "Operation checks and sweeps only: every valid entry of every "
	    "CPU, reachable under its cr3 (or global), that lies over a "
	    "range whose rights shrank or maps a frame freed since the last "
	    "operation check (every entry in a sweep) is re-walked: same "
	    "frame, "
	    "rights no wider than the tables' (U, NX; RW only counts once "
	    "the entry is dirty, since a clean writable entry re-walks "
	    "before its first write), a dirty writable entry only over a "
	    "PTE with PG_M, frame allocated.  A 2 MiB entry over a demoted "
	    "range must agree with all 512 PTEs.",
	    "Promoted superpage removal invalidated only its first 4 KiB "
	    "(FreeBSD r312954); PCID IPI reordering (EN-22:04.pcid)",
	    inv_chk_stale_tlb },
	{ INV_RESERV_COUNT, "reserv-count",
	    "each reservation's count and bitmap match the frames allocated "
	    "from it",
	    "For a touched chunk: popcnt == bits in popmap and bit i set "
	    "iff frame i is allocated.",
	    "vm_reserv population accounting (the premise of "
	    "reserv_level_iffullpop, seed 000)",
	    inv_chk_reserv },
};

const struct inv_info *
inv_lookup(const char *name)
{
	for (unsigned i = 0; i < INV_COUNT; i++)
		if (strcmp(inv_table[i].name, name) == 0)
			return &inv_table[i];
	return NULL;
}

int
inv_parse_list(const char *list, uint32_t *mask, const char **bad)
{
	uint32_t m = 0;
	const char *p = list;

	if (strcmp(list, "all") == 0) {
		*mask = INV_ALL;
		return 0;
	}
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		unsigned i;

		for (i = 0; i < INV_COUNT; i++)
			if (strlen(inv_table[i].name) == len &&
			    strncmp(inv_table[i].name, p, len) == 0)
				break;
		if (len != 0 && i == INV_COUNT) {
			if (bad != NULL)
				*bad = p;
			return -1;
		}
		if (len != 0)
			m |= 1u << i;
		p += len;
		if (*p == ',')
			p++;
	}
	*mask = m;
	return 0;
}

/*
 * What each check reads from the work set of a pass, besides its own slot
 * verdict (bad[id]).  A check none of whose inputs is present holds
 * trivially and is not called: keep a row in step with its check.
 */
enum inv_input {
	IN_B_WIN_GEN,  /* st->win_gen noted */
	IN_B_WIN_LOST, /* st->win_lost noted */
	IN_B_OUTSIDE,  /* st->outside noted */
	IN_B_UPPER,    /* st->upper_check */
	IN_B_REGIONS,  /* st->wregion[] */
	IN_B_FRAMES,   /* st->wframe[] */
	IN_B_CHUNKS,   /* st->wchunk[] */
	IN_B_AS,       /* st->as_touched */
	IN_B_SWEEP,    /* st->sweep */
	IN_B_OP,       /* st->op_level */
	IN_B_COUNT
};

#define IN_WIN_GEN (1u << IN_B_WIN_GEN)
#define IN_WIN_LOST (1u << IN_B_WIN_LOST)
#define IN_OUTSIDE (1u << IN_B_OUTSIDE)
#define IN_UPPER (1u << IN_B_UPPER)
#define IN_REGIONS (1u << IN_B_REGIONS)
#define IN_FRAMES (1u << IN_B_FRAMES)
#define IN_CHUNKS (1u << IN_B_CHUNKS)
#define IN_AS (1u << IN_B_AS)
#define IN_SWEEP (1u << IN_B_SWEEP)
#define IN_OP (1u << IN_B_OP)

static const uint16_t inv_inputs[INV_COUNT] = {
	[INV_ASSERT] = 0,
	[INV_WRONG_ADDRESS_SPACE] = IN_WIN_GEN | IN_UPPER,
	[INV_ILLEGAL_PROMOTION] = IN_REGIONS,
	[INV_STALE_PTE] = IN_OUTSIDE | IN_SWEEP,
	[INV_MISSING_WIRED] = 0,
	[INV_WRONG_TRANSLATION] = IN_WIN_LOST | IN_REGIONS,
	[INV_SHARED_WRITABLE] = 0,
	[INV_PV_MISMATCH] = IN_FRAMES | IN_SWEEP,
	[INV_PTP_COUNT] = IN_AS | IN_SWEEP,
	[INV_PMAP_STATS] = IN_AS,
	[INV_FREED_WHILE_MAPPED] = IN_FRAMES,
	[INV_LOST_DIRTY] = IN_FRAMES | IN_SWEEP,
	[INV_STALE_TLB] = IN_OP,
	[INV_RESERV_COUNT] = IN_CHUNKS | IN_FRAMES,
};

_Static_assert(IN_B_COUNT == INV_NINPUTS, "every input has a reader mask");

/* st->readers[b]: the checks (bit id) that read input bit b. */
static void
inv_readers_init(struct inv_state *st)
{
	for (unsigned b = 0; b < INV_NINPUTS; b++) {
		st->readers[b] = 0;
		for (unsigned id = 0; id < INV_COUNT; id++)
			if (inv_inputs[id] >> b & 1)
				st->readers[b] |= 1u << id;
	}
}

/*
 * The checks (bit id) that have input in the current pass's work set.  Of
 * those reading only work frames or chunks, outside a sweep, only the ones
 * the frame screen suspects.
 */
static uint32_t
inv_checks_with_input(struct inv_ctx *ctx)
{
	const struct inv_state *st = ctx->st;
	const uint32_t *r = st->readers;
	uint32_t m = st->bad_mask, fr = 0, as = 0;

	m |= st->win_gen.set ? r[IN_B_WIN_GEN] : 0;
	m |= st->win_lost.set ? r[IN_B_WIN_LOST] : 0;
	m |= st->outside.set ? r[IN_B_OUTSIDE] : 0;
	m |= st->upper_check != 0 ? r[IN_B_UPPER] : 0;
	m |= st->nwregion != 0 ? r[IN_B_REGIONS] : 0;
	fr |= st->nwframe != 0 ? r[IN_B_FRAMES] : 0;
	fr |= st->nwchunk != 0 ? r[IN_B_CHUNKS] : 0;
	as |= st->as_touched != 0 ? r[IN_B_AS] : 0;
	m |= st->sweep ? r[IN_B_SWEEP] : 0;
	m |= st->op_level ? r[IN_B_OP] : 0;
	/* The one input a pass may have without a work element. */
	if ((ctx->enabled >> INV_PV_MISMATCH & 1) != 0 &&
	    inv_pv_count_differs(ctx))
		m |= 1u << INV_PV_MISMATCH;
	/* A check with other input runs anyway; a sweep runs every check
	 * with input. */
	fr &= ctx->enabled & ~m;
	as &= ctx->enabled & ~m;
	if (fr != 0 && !st->sweep)
		fr = inv_frames_suspect(ctx, fr);
	if (as != 0 && !st->sweep)
		as = inv_as_suspect(ctx, as);
	return m | fr | as;
}

/* Run the enabled checks in table order, each only when it has input;
 * 1 at the first that reports. */
static int
inv_run_checks(struct inv_ctx *ctx)
{
	uint32_t run = inv_checks_with_input(ctx) & ctx->enabled & INV_ALL;

	for (; run != 0; run &= run - 1) {
		const struct inv_info *t = &inv_table[__builtin_ctz(run)];

		if (t->check != NULL && t->check(ctx))
			return 1;
	}
	return 0;
}

/* Helpers shared with inv_tables.c and inv_frames.c. */

int
inv_enabled(const struct inv_ctx *ctx, enum inv_id id)
{
	return (ctx->enabled >> id) & 1;
}

/* Re-index root[] for inv_as_of_root (after root[] changed). */
static void
inv_root_index(struct inv_state *st)
{
	for (unsigned as = 0; as < MODEL_AS_MAX; as++)
		if (st->root_indexed[as] < MACH_FRAMES_MAX)
			st->root_as[st->root_indexed[as]] = -1;
	/* Downwards: the lowest as sharing a root wins. */
	for (unsigned as = MODEL_AS_MAX; as-- > 0;)
		if (st->root[as] < MACH_FRAMES_MAX)
			st->root_as[st->root[as]] = (int8_t)as;
	memcpy(st->root_indexed, st->root, sizeof(st->root_indexed));
}

void
inv_walk(const struct machine *mc, uint32_t root, vm_offset_t va,
    struct inv_walk *w)
{
	uint32_t pfn = root;

	memset(w, 0, sizeof(*w));
	for (int lvl = PT_LVL_PML4E; lvl >= PT_LVL_PTE; lvl--) {
		const pt_entry_t *t = mach_table(mc, pfn);
		pt_entry_t e;

		if (t == NULL) {
			/* The entry above points at no table. */
			if (lvl < PT_LVL_PML4E)
				w->bad = lvl + 1;
			w->stop = lvl + 1;
			return;
		}
		w->tab[lvl] = pfn;
		e = t[pmap_level_index(va, lvl)];
		w->ent[lvl] = e;
		if ((e & PG_V) == 0) {
			w->stop = lvl;
			return;
		}
		if (lvl == PT_LVL_PTE ||
		    ((e & PG_PS) != 0 && lvl == PT_LVL_PDE)) {
			w->leaf = lvl;
			return;
		}
		if ((e & PG_PS) != 0) {
			w->bad = lvl;
			w->stop = lvl;
			return;
		}
		pfn = (uint32_t)atop(e & PG_FRAME);
	}
}

unsigned
inv_nregions(unsigned as)
{
	return as == 0 ? KVA_REGIONS : INV_NREG_USER;
}

vm_offset_t
inv_region_va(unsigned as, unsigned r)
{
	if (as == 0)
		return KVA_BASE + r * NBPDR;
	if (r < USER_REGIONS)
		return USER_BASE + r * NBPDR;
	return trunc_2mpage(KSTACK_VA);
}

void
inv_region_slots(unsigned as, unsigned r, unsigned *first, unsigned *end)
{
	if (as == 0 || r < USER_REGIONS) {
		*first = r * NPTEPG;
		*end = *first + NPTEPG;
		return;
	}
	*first = USER_REGIONS * NPTEPG;
	*end = *first + KSTACK_PAGES;
}

vm_offset_t
inv_kmem_va(const struct machine *mc, uint32_t pfn)
{
	const struct reserv *r = &mc->reserv[pfn / RESERV_FRAMES];
	vm_offset_t va;

	if (pfn >= mc->cfg.nframes || r->object != OBJ_KMEM || !r->pinned)
		return 0;
	va = KVA_BASE + ptoa(r->pindex + pfn % RESERV_FRAMES);
	return va < KVA_END ? va : 0;
}

int
inv_tab_recount(struct inv_ctx *ctx, uint32_t pfn)
{
	struct inv_state *st = ctx->st;
	const pt_entry_t *t;
	int n = 0;

	if (pfn >= ctx->mc->cfg.nframes)
		return -1;
	if (st->tab_nvalid[pfn] >= 0)
		return st->tab_nvalid[pfn];
	if ((t = mach_table(ctx->mc, pfn)) == NULL)
		return -1;
	for (unsigned i = 0; i < NPTEPG; i++)
		n += (int)(t[i] & PG_V);
	inv_set_nvalid(st, pfn, n);
	return n;
}

/* Work-set builders. */

void
inv_add_frame(struct inv_state *st, uint32_t pfn)
{
	if (pfn >= MACH_FRAMES_MAX || st->frame_w[pfn] == st->wgen)
		return;
	st->frame_w[pfn] = st->wgen;
	st->wframe[st->nwframe++] = pfn;
}

void
inv_add_slot(struct inv_state *st, uint32_t g)
{
	if (st->slot_w[g] == st->wgen)
		return;
	st->slot_w[g] = st->wgen;
	st->wslot[st->nwslot++] = g;
}

/* inv_add_slot for global slots [g0, g0 + n).  The count lives in a
 * local: a store to a mark (a byte) could otherwise alias it. */
static void
inv_add_slots(struct inv_state *st, uint32_t g0, uint32_t n)
{
	uint32_t nw = st->nwslot, gen = st->wgen;

	for (uint32_t g = g0; g < g0 + n; g++) {
		if (st->slot_w[g] == gen)
			continue;
		st->slot_w[g] = gen;
		st->wslot[nw++] = g;
	}
	st->nwslot = nw;
}

/* Slot g must be re-checked (it need not be re-observed). */
void
inv_add_changed(struct inv_state *st, uint32_t g)
{
	if (st->slot_c[g] == st->wgen)
		return;
	st->slot_c[g] = st->wgen;
	st->cslot[st->ncslot++] = g;
}

void
inv_add_region(struct inv_state *st, unsigned as, unsigned r)
{
	uint32_t gr = as * INV_NREG_MAX + r;
	unsigned first, end;

	if (st->region_w[gr] == st->wgen)
		return;
	st->region_w[gr] = st->wgen;
	st->wregion[st->nwregion++] = gr;
	inv_region_slots(as, r, &first, &end);
	inv_add_slots(st, as * MODEL_SLOTS_MAX + first, end - first);
}

void
inv_add_chunk(struct inv_state *st, uint32_t pfn)
{
	uint32_t c = pfn / RESERV_FRAMES;

	if (c >= RESERV_MAX || st->chunk_w[c] == st->wgen)
		return;
	st->chunk_w[c] = st->wgen;
	st->wchunk[st->nwchunk++] = c;
}

static void
inv_note(struct inv_ev_note *n, const struct mach_event *ev)
{
	if (n->set)
		return;
	n->set = 1;
	n->ev = *ev;
}

/* The frame a leaf value maps (its first frame for a PS PDE). */
static uint32_t
inv_leaf_frame(pt_entry_t e, int level)
{
	if (level == PT_LVL_PDE)
		return (uint32_t)atop(e & PG_PS_FRAME);
	return (uint32_t)atop(e & PG_FRAME);
}

/*
 * Rights of the range a PTE event's entry covers shrank (or its frame
 * changed): a TLB entry overlapping it must be re-walked after the
 * operation.  Kernel va are the same in every address space.
 */
static void
inv_tlb_note_range(struct inv_state *st, const struct mach_event *ev,
    unsigned shift)
{
	struct inv_tlb_range *r;

	if (st->ntlb_rng == INV_TLB_NOTES) {
		st->tlb_all = 1;
		return;
	}
	r = &st->tlb_rng[st->ntlb_rng++];
	r->lo = ev->va & ~((1ULL << shift) - 1);
	r->hi = r->lo + (1ULL << shift);
	r->root = va_is_kernel(ev->va) ? 0 : ev->root;
}

/* An upper-level entry value that reaches no leaf: invalid, or a link to
 * a table whose cached valid-entry count is 0. */
static int
inv_known_empty(const struct inv_state *st, pt_entry_t e)
{
	uint32_t t;

	if ((e & PG_V) == 0)
		return 1;
	if ((e & PG_PS) != 0)
		return 0;
	t = (uint32_t)atop(e & PG_FRAME);
	return t < MACH_FRAMES_MAX && st->tab_nvalid[t] == 0;
}

/* Every walk memo is void from now on (inv_state.topo_gen). */
static void
inv_topo_bump(struct inv_state *st)
{
	if (++st->topo_gen != 0)
		return;
	memset(st->upper_gen, 0, sizeof(st->upper_gen));
	memset(st->end_gen, 0, sizeof(st->end_gen));
	for (unsigned i = 0; i < INV_NGREGIONS; i++)
		st->walk_memo[i].gen = 0;
	st->topo_gen = 1;
}

/*
 * A PTE event: mark what it touched.  Kernel va are the kernel address
 * space's whatever root the write went through, except the kernel half of
 * a user PML4, which is only compared with the kernel's.
 */
static void
inv_collect_pte(struct inv_ctx *ctx, const struct mach_event *ev)
{
	struct inv_state *st = ctx->st;
	int kva = va_is_kernel(ev->va), as, any = 0, empty;
	unsigned shift = PAGE_SHIFT + 9 * (ev->level - 1);
	vm_offset_t lo, hi;

	/* Each test one rarely taken branch (&, not &&: the first halves
	 * alone are unpredictable). */
	if ((ev->win != WIN_NONE) & (ev->gen_ref != ev->gen_now))
		inv_note(&st->win_gen, ev);
	if (inv_ev_shrinks(ev))
		inv_tlb_note_range(st, ev, shift);
	if (ev->pfn < MACH_FRAMES_MAX) {
		inv_ev_count(st, ev);
		/* Whatever level the writer meant: a walk read this frame. */
		if (st->upper_gen[ev->pfn] == st->topo_gen)
			inv_topo_bump(st);
	}
	if (ev->level > PT_LVL_PTE)
		memset(st->paths_ok, 0, sizeof(st->paths_ok));
	as = kva ? 0 : inv_as_of_root(ctx, ev->root);
	if (kva && ev->level == PT_LVL_PML4E && ev->root == st->root[0])
		st->upper_check = ~0u;
	if (kva && ev->level == PT_LVL_PML4E && ev->root != st->root[0]) {
		int uas = inv_as_of_root(ctx, ev->root);

		if (uas > 0)
			st->upper_check |= 1u << uas;
		return;
	}
	if (as < 0)
		return;
	st->as_touched |= 1u << as;
	if (ev->level == PT_LVL_PTE ||
	    (ev->level == PT_LVL_PDE && ((ev->old | ev->new) & PG_PS) != 0)) {
		if ((ev->old & PG_V) != 0)
			inv_add_frame(st, inv_leaf_frame(ev->old, ev->level));
		if ((ev->new &PG_V) != 0)
			inv_add_frame(st, inv_leaf_frame(ev->new, ev->level));
	}
	if (ev->level == PT_LVL_PTE) {
		int slot = model_slot((unsigned)as, ev->va);

		if (slot >= 0)
			inv_add_slot(st,
			    (uint32_t)as * MODEL_SLOTS_MAX + (uint32_t)slot);
		else if ((ev->new &PG_V) != 0)
			inv_note(&st->outside, ev);
		return;
	}
	/* An upper entry that only links or unlinks tables known empty (at
	 * this point of the log) changes no leaf under it. */
	empty = inv_known_empty(st, ev->old) && inv_known_empty(st, ev->new);
	lo = ev->va & ~((1ULL << shift) - 1);
	hi = lo + (1ULL << shift) - 1;
	for (unsigned r = 0; r < inv_nregions((unsigned)as); r++) {
		vm_offset_t rva = inv_region_va((unsigned)as, r);

		if (rva >= lo && rva <= hi) {
			if (!empty)
				inv_add_region(st, (unsigned)as, r);
			any = 1;
		}
	}
	if (!any && (ev->new &PG_V) != 0)
		inv_note(&st->outside, ev);
}

/* Drop the cached paths that pass through table frame pfn. */
static void
inv_paths_forget(struct inv_state *st, uint32_t pfn)
{
	for (unsigned as = 0; as < MODEL_AS_MAX; as++) {
		if (!st->paths_ok[as])
			continue;
		for (unsigned i = 0; i < st->paths[as].ntab; i++)
			if (st->paths[as].tab[i] == pfn)
				st->paths_ok[as] = 0;
	}
}

static void
inv_collect_log(struct inv_ctx *ctx)
{
	struct machine *mc = ctx->mc;
	struct inv_state *st = ctx->st;

	for (uint32_t i = 0; i < mc->nlog; i++) {
		const struct mach_event *ev = &mc->log[i];

		/* The common kind first, without the switch's indirect
		 * jump (a mispredicted one per pass, mostly). */
		if (ev->kind == EV_PTE_WRITE) {
			inv_collect_pte(ctx, ev);
			continue;
		}
		switch (ev->kind) {
		case EV_WIN_STALE_READ:
			inv_note(&st->win_gen, ev);
			break;
		case EV_PTE_LOST:
			if (ev->win != WIN_NONE && ev->gen_ref != ev->gen_now)
				inv_note(&st->win_gen, ev);
			else
				inv_note(&st->win_lost, ev);
			break;
		case EV_PAGE_FREE:
			if (st->ntlb_free < INV_TLB_NOTES)
				st->tlb_free[st->ntlb_free++] = ev->pfn;
			else
				st->tlb_all = 1;
			/* FALLTHROUGH */
		case EV_PAGE_ALLOC:
			/* Whether the frame holds a table may have changed. */
			if (ev->pfn < MACH_FRAMES_MAX &&
			    (st->upper_gen[ev->pfn] == st->topo_gen ||
				st->end_gen[ev->pfn] == st->topo_gen))
				inv_topo_bump(st);
			inv_add_frame(st, ev->pfn);
			inv_add_chunk(st, ev->pfn);
			/* A table handed out zero-filled is known empty. */
			if (ev->pfn < MACH_FRAMES_MAX)
				inv_set_nvalid(st, ev->pfn,
				    ev->kind == EV_PAGE_ALLOC &&
					    (ev->flags &
						MACH_EVF_ZEROED_TABLE) != 0 ?
					0 :
					-1);
			/* A new frame is on no path until an upper entry is
			 * written; a freed table may have been (only tables
			 * are on paths, and only they count in a pmap's
			 * statistics besides its leaves). */
			if (ev->kind == EV_PAGE_FREE &&
			    (ev->flags & MACH_EVF_TABLE) != 0) {
				inv_paths_forget(st, ev->pfn);
				st->as_touched = ~0u;
			}
			break;
		default:
			break;
		}
	}
}

static void
inv_collect_model(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	const uint32_t *list;
	unsigned n;

	n = model_pending_slots(ctx->md, &list);
	for (unsigned i = 0; i < n; i++) {
		uint32_t g = list[i], gen = st->wgen;

		/* inv_add_slot and inv_add_changed in one. */
		if (st->slot_w[g] != gen)
			st->wslot[st->nwslot++] = g;
		if (st->slot_c[g] != gen)
			st->cslot[st->ncslot++] = g;
		st->slot_w[g] = st->slot_c[g] = gen;
		st->as_touched |= 1u << (g / MODEL_SLOTS_MAX);
	}
	n = model_pending_frames(ctx->md, &list);
	for (unsigned i = 0; i < n; i++)
		inv_add_frame(st, list[i]);
}

static void
inv_collect_all(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	uint32_t nframes = ctx->mc->cfg.nframes;

	for (unsigned as = 0; as < PMAP_MAX; as++) {
		if (st->root[as] == 0 && !st->live[as])
			continue;
		for (unsigned r = 0; r < inv_nregions(as); r++)
			inv_add_region(st, as, r);
		if (as != 0)
			st->upper_check |= 1u << as;
	}
	for (uint32_t pfn = 0; pfn < nframes; pfn++) {
		inv_add_frame(st, pfn);
		inv_add_chunk(st, pfn);
		inv_set_nvalid(st, pfn, -1);
	}
	st->tlb_all = 1;
	inv_topo_bump(st);
}

/* Shadow maintenance. */

/* Slot g's observation becomes (e, lvl), a change: g is re-checked, its
 * address space touched and the change remembered for the boot restore. */
static inline void
inv_obs_store(struct inv_state *st, uint32_t g, unsigned as, pt_entry_t e,
    int lvl)
{
	inv_add_changed(st, g);
	st->as_touched |= 1u << as;
	inv_obs_put(st, g, e, lvl);
}

/* inv_obs_set's change of frame (or of a slot without a leaf before or
 * after): slot g's observation (oe, olvl, frame of) becomes (e, lvl,
 * frame nf); the old and new frames join the work set. */
static INV_NOINLINE void
inv_obs_change(struct inv_state *st, uint32_t g, unsigned as, pt_entry_t e,
    int lvl, uint32_t of, uint32_t nf)
{
	pt_entry_t oe = st->obs_e[g];
	int olvl = st->obs_lvl[g];

	inv_obs_store(st, g, as, e, lvl);
	inv_add_frame(st, of);
	inv_obs_account(st, as, oe, olvl, of, -1);
	inv_obs_account(st, as, e, lvl, nf, 1);
	inv_add_frame(st, nf);
}

/* Replace slot g's observation (as: g's address space; idx: its PTE
 * index, inv_slot_pte_index); adds the old and new frames to the work set
 * when anything changed.  A leaf that keeps its frame (new rights, A/M
 * bits, a promotion or a demotion: the common bulk change) is handled
 * here, inline. */
static inline INV_ALWAYS_INLINE void
inv_obs_set(struct inv_state *st, uint32_t g, unsigned as, unsigned idx,
    pt_entry_t e, int lvl)
{
	pt_entry_t oe = st->obs_e[g];
	int olvl = st->obs_lvl[g];
	uint32_t of, nf;

	if (st->sweep)
		inv_add_changed(st, g);
	if (oe == e && olvl == lvl)
		return;
	of = inv_leaf_frame_idx(oe, olvl, idx);
	nf = inv_leaf_frame_idx(e, lvl, idx);
	if (olvl == 0 || lvl == 0 || of != nf) {
		inv_obs_change(st, g, as, e, lvl, of, nf);
		return;
	}
	inv_obs_store(st, g, as, e, lvl);
	inv_add_frame(st, of);
	inv_obs_reaccount(st, as, oe, olvl, e, lvl);
}

/* Forget everything observed in as (its pmap went away or changed). */
static void
inv_obs_drop_as(struct inv_state *st, unsigned as)
{
	for (unsigned s = 0; s < MODEL_SLOTS_MAX; s++) {
		uint32_t g = as * MODEL_SLOTS_MAX + s;

		/* inv_obs_set would change nothing on an empty slot. */
		if (!st->sweep && st->obs_lvl[g] == 0 && st->obs_e[g] == 0)
			continue;
		inv_obs_set(st, g, as, inv_slot_pte_index(g), 0, 0);
	}
	st->live[as] = 0;
	st->live_root[as] = 0;
}

/* Stamp frame pfn (any value: the walk read it from an entry) in gen[]. */
static inline void
inv_walk_stamp(struct inv_state *st, uint32_t *gen, uint32_t pfn)
{
	if (pfn < MACH_FRAMES_MAX)
		gen[pfn] = st->topo_gen;
}

/*
 * What inv_walk finds for region r of as (first va va) at the PD level,
 * without the rest: memo->pt, the page table mapping the region (NULL if
 * none), or memo->pde, the PS PDE that maps it instead (else 0).  From the
 * memo while it holds; a new walk stamps the tables it read.
 */
static const struct inv_walk_memo *
inv_walk_pt(struct inv_ctx *ctx, unsigned as, unsigned r, vm_offset_t va)
{
	struct inv_state *st = ctx->st;
	struct inv_walk_memo *memo = &st->walk_memo[as * INV_NREG_MAX + r];
	uint32_t pfn = st->root[as];

	if (memo->gen == st->topo_gen)
		return memo;
	memo->gen = st->topo_gen;
	memo->pt = NULL;
	memo->pde = 0;
	if (pfn == 0)
		return memo;
#pragma GCC unroll 3
	for (int lvl = PT_LVL_PML4E; lvl >= PT_LVL_PDE; lvl--) {
		const pt_entry_t *t = mach_table(ctx->mc, pfn);
		pt_entry_t e;

		if (t == NULL) {
			inv_walk_stamp(st, st->end_gen, pfn);
			return memo;
		}
		inv_walk_stamp(st, st->upper_gen, pfn);
		e = t[pmap_level_index(va, lvl)];
		if ((e & PG_V) == 0)
			return memo;
		if ((e & PG_PS) != 0) {
			if (lvl == PT_LVL_PDE)
				memo->pde = e;
			return memo;
		}
		pfn = (uint32_t)atop(e & PG_FRAME);
	}
	inv_walk_stamp(st, st->end_gen, pfn);
	/* inv_walk records a page table at frame 0 as none. */
	memo->pt = pfn != 0 ? mach_table(ctx->mc, pfn) : NULL;
	return memo;
}

void
inv_note_tlb(struct inv_state *st, const struct mach_event *ev, unsigned shift)
{
	inv_tlb_note_range(st, ev, shift);
}

void
inv_void_walks(struct inv_state *st)
{
	inv_topo_bump(st);
}

const struct inv_walk_memo *
inv_region_memo(struct inv_ctx *ctx, unsigned as, unsigned r)
{
	return inv_walk_pt(ctx, as, r, inv_region_va(as, r));
}

/*
 * Re-observe every work slot.  Slots arrive mostly in runs of one region,
 * whose walk down to the PD is taken once per run (inv_run), from the
 * region's memo while it holds.
 */
static void
inv_observe(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	struct inv_run run = { 0 };
	const pt_entry_t *pt = NULL;
	pt_entry_t pde = 0;

	for (uint32_t i = 0; i < st->nwslot; i++) {
		uint32_t g = st->wslot[i];
		unsigned idx;
		pt_entry_t e;

		if (!inv_in_run(&run, g)) {
			const struct inv_walk_memo *memo;

			inv_run_of(g, &run);
			memo = inv_walk_pt(ctx, run.as, run.r,
			    model_slot_va(run.as, run.s0));
			pt = memo->pt;
			pde = memo->pde;
		}
		idx = run.idx0 + (g - run.lo);
		if (pde != 0) {
			inv_obs_set(st, g, run.as, idx, pde, PT_LVL_PDE);
			continue;
		}
		e = pt == NULL ? 0 : pt[idx];
		inv_obs_set(st, g, run.as, idx, (e & PG_V) != 0 ? e : 0,
		    (e & PG_V) != 0 ? PT_LVL_PTE : 0);
	}
}

/* The kinds of event after which a call check re-reads the pmaps' roots:
 * every root is a page-table page allocated by pmap_pinit and freed by
 * pmap_release (inv_state.root). */
#define INV_ROOT_KINDS ((1u << EV_PAGE_ALLOC) | (1u << EV_PAGE_FREE))

/* User pmap as, whose root is now root, went away or changed roots: it
 * loses its shadow; a new root is taken as live, with what pinit made. */
static void
inv_track_moved(struct inv_ctx *ctx, unsigned as, uint32_t root)
{
	struct inv_state *st = ctx->st;

	st->as_touched |= 1u << as;
	memset(st->paths_ok, 0, sizeof(st->paths_ok));
	inv_topo_bump(st);
	if (st->live[as])
		inv_obs_drop_as(st, as);
	if (root == 0)
		return;
	st->live[as] = 1;
	st->live_root[as] = root;
	/* Its user part may hold anything pinit made: every region that its
	 * tables reach (the shadow of a new address space is empty, and so
	 * is a region without a valid PDE). */
	for (unsigned r = 0; r < inv_nregions(as); r++) {
		struct inv_walk w;

		inv_walk(ctx->mc, root, inv_region_va(as, r), &w);
		if ((w.ent[PT_LVL_PDE] & PG_V) != 0 || w.bad != 0)
			inv_add_region(st, as, r);
	}
	st->upper_check |= 1u << as;
}

/*
 * Every pmap's root for this pass (inv_root); pmaps that went away or
 * changed roots lose their shadow.  live_root[as] is 0 exactly when as is
 * not live, so a root equal to it means unchanged.  Between passes root[]
 * equals live_root[] (this function and inv_ctx_reset see to it), so
 * root[] is rewritten only when a root moved.
 */
static void
inv_track_pmaps(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	const struct pmap *pm = ctx->ps->pmaps;
	uint32_t moved = 0;

	st->root[0] = pm[0].pm_pml4;
	/* Without a branch per pmap: moved is 0 iff no root moved. */
#pragma GCC unroll 8
	for (unsigned as = 1; as < PMAP_MAX; as++)
		moved |= (pm[as].pm_pml4 & -(uint32_t)(pm[as].pm_inuse != 0)) ^
		    st->live_root[as];
	for (unsigned as = 1; moved != 0 && as < PMAP_MAX; as++)
		st->root[as] = inv_root(ctx, as);
	for (unsigned as = 1; moved != 0 && as < PMAP_MAX; as++)
		if (st->root[as] != st->live_root[as])
			inv_track_moved(ctx, as, st->root[as]);
	st->live[0] = 1;
	st->live_root[0] = st->root[0];
	st->roots_unsure = 0;
	if (moved != 0 || st->root[0] != st->root_indexed[0])
		inv_root_index(st);
}

/* The model's dense arrays, taken once per model. */
static void
inv_model_arrays(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	if (st->maps_md == ctx->md)
		return;
	st->maps_md = ctx->md;
	for (unsigned as = 0; as < MODEL_AS_MAX; as++)
		st->maps[as] = model_maps(ctx->md, as);
	st->frames = model_frames(ctx->md);
}

/* Clear the work set: every list empty; stamps from before a wrap of
 * wgen are cleared so that none equals a future wgen. */
static void
inv_work_clear(struct inv_state *st)
{
	st->nwslot = st->ncslot = st->nwregion = st->nwframe = st->nwchunk = 0;
	if (++st->wgen == 0) {
		memset(st->slot_w, 0, sizeof(st->slot_w));
		memset(st->slot_c, 0, sizeof(st->slot_c));
		memset(st->region_w, 0, sizeof(st->region_w));
		memset(st->frame_w, 0, sizeof(st->frame_w));
		memset(st->chunk_w, 0, sizeof(st->chunk_w));
		st->wgen = 1;
	}
	st->upper_check = 0;
	st->as_touched = 0;
	st->win_gen.set = st->win_lost.set = st->outside.set = 0;
}

void
inv_work_drop(struct inv_state *st)
{
	inv_work_clear(st);
}

/* A pass's work set, from the log and the model's journal (everything for
 * a sweep), and the re-observation of its slots. */
static INV_NOINLINE void
inv_collect(struct inv_ctx *ctx, int sweep)
{
	if (sweep) {
		memset(ctx->st->paths_ok, 0, sizeof(ctx->st->paths_ok));
		inv_collect_all(ctx);
	} else
		inv_collect_log(ctx);
	inv_collect_model(ctx);
	inv_observe(ctx);
}

/* inv_ctx.fast_verify's copy of the state, allocated at first use. */
static struct inv_state *
inv_fast_before(struct inv_state *st)
{
	if (st->fast_before == NULL &&
	    (st->fast_before = malloc(sizeof(*st))) == NULL) {
		fprintf(stderr, "pmapfuzz: out of memory\n");
		abort();
	}
	return st->fast_before;
}

/* The first part of what the general pass learnt (g) that differs from
 * what the one-write pass learnt (f): the shadow, the TLB notes and, when
 * the one-write pass handed over (fast 1), the work set; NULL if none. */
static const char *
inv_fast_differs(const struct inv_state *f, const struct inv_state *g, int fast)
{
#define INV_DIFF(field)                                                        \
	if (memcmp(&f->field, &g->field, sizeof(f->field)) != 0)               \
	return #field
#define INV_DIFF_LIST(list, n)                                                 \
	if (f->n != g->n ||                                                    \
	    memcmp(f->list, g->list, f->n * sizeof(f->list[0])) != 0)          \
	return #list
	INV_DIFF(obs_e);
	INV_DIFF(obs_lvl);
	INV_DIFF(pages);
	INV_DIFF(wired);
	INV_DIFF(mng4k);
	INV_DIFF(mngps);
	INV_DIFF(frame_nmap);
	INV_DIFF(tab_nvalid);
	INV_DIFF(dslot_mark);
	INV_DIFF(dframe_mark);
	INV_DIFF_LIST(dslot, ndslot);
	INV_DIFF_LIST(dframe, ndframe);
	INV_DIFF(tlb_all);
	INV_DIFF_LIST(tlb_rng, ntlb_rng);
	INV_DIFF_LIST(tlb_free, ntlb_free);
	INV_DIFF(win_gen.set);
	INV_DIFF(win_lost.set);
	INV_DIFF(outside.set);
	if (fast == 0)
		return NULL;
	INV_DIFF_LIST(wslot, nwslot);
	INV_DIFF_LIST(cslot, ncslot);
	INV_DIFF_LIST(wframe, nwframe);
	INV_DIFF_LIST(wchunk, nwchunk);
	INV_DIFF_LIST(wregion, nwregion);
	INV_DIFF(upper_check);
	INV_DIFF(as_touched);
	return NULL;
#undef INV_DIFF
#undef INV_DIFF_LIST
}

/*
 * inv_ctx.fast_verify: the general pass's collection and observation of
 * the call, from the state before the one-write pass (g), must learn what
 * the one-write pass learnt; and when that found the call clean, the
 * general checks must find nothing and leave the reservation screen's
 * cache as the one-write pass left it.  Aborts otherwise: a bug of the
 * checker's own.
 */
static void
inv_fast_verify(struct inv_ctx *ctx, struct inv_state *g, int fast)
{
	struct inv_state *st = ctx->st;
	const char *why;

	ctx->st = g;
	g->sweep = g->op_level = 0;
	if ((ctx->mc->log_kinds & INV_ROOT_KINDS) != 0)
		inv_track_pmaps(ctx);
	inv_collect(ctx, 0);
	why = inv_fast_differs(st, g, fast);
	if (why == NULL && fast == 0) {
		inv_scan_slots(ctx);
		if (inv_run_checks(ctx))
			why = ctx->finding.title;
		/* The reservation screen's cache: both screened the chunk of
		 * the page allocated, if any. */
		else if (memcmp(st->rsv_map, g->rsv_map, sizeof(g->rsv_map)) !=
			0 ||
		    memcmp(st->rsv_bits, g->rsv_bits, sizeof(g->rsv_bits)) != 0)
			why = "rsv_map";
	}
	ctx->st = st;
	if (why == NULL)
		return;
	fprintf(stderr,
	    "pmapfuzz: checker self-check: after %s, the one-write or region "
	    "pass and the general pass differ: %s\n",
	    ctx->func, why);
	abort();
}

/*
 * A call check's short passes (one-write, region, run), when the shadow may
 * take them: 0, the call is clean (its logs cleared); 1, the work set is
 * the general pass's for the call; -1, the general pass collects it.  A
 * short pass is taken only when its call allocates no table: no root can
 * have moved.  Inline in inv_check_call: most calls end here.
 */
static inline INV_ALWAYS_INLINE int
inv_short_passes(struct inv_ctx *ctx)
{
	const struct inv_state *st = ctx->st;
	struct inv_state *before = NULL;
	int fast;

	if (st->need_sweep || ctx->mc->log_overflow || st->roots_unsure ||
	    st->maps_md != ctx->md)
		return -1;
	if (ctx->fast_verify &&
	    (inv_fast_applies(ctx) || inv_region_applies(ctx) ||
		inv_run_applies(ctx))) {
		before = inv_fast_before(ctx->st);
		memcpy(before, st, sizeof(*before));
	}
	fast = inv_fast_pass(ctx);
	if (fast < 0)
		fast = inv_region_may(ctx->mc) ? inv_region_pass(ctx) :
						 inv_run_pass(ctx);
	/* The region pass may refuse a call its shape test took (a leaf or a
	 * frame not plain): nothing changed then. */
	if (before != NULL && fast >= 0)
		inv_fast_verify(ctx, before, fast);
	if (fast == 0) {
		mach_log_clear(ctx->mc);
		model_pending_clear(ctx->md);
	}
	return fast;
}

/*
 * One pass: collect (unless a short pass left the work set: fast 1),
 * observe, run the enabled checks in table order.  Returns 1 with
 * ctx->finding filled at the first violation.
 */
static INV_NOINLINE int
inv_pass_general(struct inv_ctx *ctx, int op_level, int sweep, int fast)
{
	struct inv_state *st = ctx->st;
	const uint32_t *list;
	int found = 0;

	/* Nothing logged, no intent changed, as many PV entries as managed
	 * mappings: nothing a call check looks at can have changed. */
	if (!op_level && !sweep && !st->need_sweep && ctx->mc->nlog == 0 &&
	    !ctx->mc->log_overflow &&
	    model_pending_slots(ctx->md, &list) == 0 &&
	    model_pending_frames(ctx->md, &list) == 0 &&
	    ((ctx->enabled >> INV_PV_MISMATCH & 1) == 0 ||
		!inv_pv_count_differs(ctx)))
		return 0;
	if (ctx->mc->log_overflow) {
		ctx->cnt.overflows++;
		sweep = 1;
	}
	if (st->need_sweep)
		sweep = 1;
	st->sweep = sweep;
	st->op_level = op_level || sweep;
	if (st->op_level)
		st->as_touched = ~0u;
	if (sweep)
		st->upper_check = ~0u;
	if (sweep) {
		ctx->cnt.sweeps++;
		st->need_sweep = 0;
		st->ops_since_sweep = 0;
	}
	inv_model_arrays(ctx);
	if (st->op_level || st->roots_unsure ||
	    (ctx->mc->log_kinds & INV_ROOT_KINDS) != 0)
		inv_track_pmaps(ctx);
	if (fast < 0)
		inv_collect(ctx, sweep);
	ctx->cnt.observed += st->nwslot;
	ctx->cnt.checked += st->ncslot;
	ctx->cnt.frames += st->nwframe;
	inv_scan_slots(ctx);
	found = inv_run_checks(ctx);
	if (st->op_level) {
		st->tlb_all = 0;
		st->ntlb_rng = st->ntlb_free = 0;
	}
	inv_work_clear(st);
	mach_log_clear(ctx->mc);
	model_pending_clear(ctx->md);
	return found;
}

/* An operation check or a sweep: the general pass alone. */
static int
inv_pass(struct inv_ctx *ctx, int op_level, int sweep)
{
	return inv_pass_general(ctx, op_level, sweep, -1);
}

/* Lifecycle and entry points. */

/* The kinds of event inv_collect_log reads (and exec's assert hook, which
 * reads window PTE events); a machine with a checker logs only these. */
#define INV_LOG_KINDS                                                          \
	((1u << EV_PTE_WRITE) | (1u << EV_PTE_LOST) | (1u << EV_PAGE_ALLOC) |  \
	    (1u << EV_PAGE_FREE) | (1u << EV_WIN_STALE_READ))

struct inv_ctx *
inv_ctx_create(struct machine *mc, struct pmap_sys *ps, struct model *md)
{
	struct inv_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return NULL;
	ctx->st = calloc(1, sizeof(*ctx->st));
	if (ctx->st == NULL) {
		free(ctx);
		return NULL;
	}
	inv_readers_init(ctx->st);
	for (unsigned i = 0; i < INV_COUNT; i++)
		ctx->st->bad[i] = INV_NO_SLOT;
	ctx->st->wgen = 1;     /* every stamp is 0: every list empty */
	ctx->st->topo_gen = 1; /* every memo gen is 0: void */
	/* Every root 0 and indexed as such. */
	memset(ctx->st->root_as, 0xff, sizeof(ctx->st->root_as));
	ctx->mc = mc;
	ctx->ps = ps;
	ctx->md = md;
	ctx->enabled = INV_ALL;
	mc->log_enabled = 1;
	mc->log_mask = INV_LOG_KINDS;
	inv_ctx_reset(ctx);
	return ctx;
}

void
inv_ctx_destroy(struct inv_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free(ctx->st->boot);
	free(ctx->st->fast_before);
	free(ctx->st);
	free(ctx);
}

/*
 * The shadow of a sound boot state, what inv_ctx_reset returns to.  The
 * small per-address-space parts are copied whole; the per-slot and
 * per-frame arrays only where the shadow changed since.
 */
struct inv_boot {
	pt_entry_t obs_e[INV_NGSLOTS];
	uint8_t obs_lvl[INV_NGSLOTS];
	uint16_t frame_nmap[MACH_FRAMES_MAX];
	int16_t tab_nvalid[MACH_FRAMES_MAX];
	int64_t pages[MODEL_AS_MAX], wired[MODEL_AS_MAX];
	int64_t mng4k, mngps;
	uint8_t live[MODEL_AS_MAX];
	uint32_t live_root[MODEL_AS_MAX];
	uint8_t paths_ok[MODEL_AS_MAX];
	struct inv_paths paths[MODEL_AS_MAX];
};

#define INV_COPY(dst, src, field)                                              \
	memcpy((dst)->field, (src)->field, sizeof((dst)->field))

/* Copy the whole-copied parts of the shadow from src to dst (either may
 * be the state or the boot record: the fields have the same names). */
#define INV_COPY_SMALL(dst, src)                                               \
	do {                                                                   \
		INV_COPY(dst, src, pages);                                     \
		INV_COPY(dst, src, wired);                                     \
		(dst)->mng4k = (src)->mng4k;                                   \
		(dst)->mngps = (src)->mngps;                                   \
		INV_COPY(dst, src, live);                                      \
		INV_COPY(dst, src, live_root);                                 \
		INV_COPY(dst, src, paths_ok);                                  \
		INV_COPY(dst, src, paths);                                     \
	} while (0)

static void
inv_dirty_forget(struct inv_state *st)
{
	for (uint32_t i = 0; i < st->ndslot; i++)
		st->dslot_mark[st->dslot[i]] = 0;
	for (uint32_t i = 0; i < st->ndframe; i++)
		st->dframe_mark[st->dframe[i]] = 0;
	st->ndslot = st->ndframe = 0;
}

/* Back to the boot shadow, touching only what changed since. */
static void
inv_restore_boot(struct inv_state *st)
{
	const struct inv_boot *b = st->boot;

	for (uint32_t i = 0; i < st->ndslot; i++) {
		uint32_t g = st->dslot[i];

		st->obs_e[g] = b->obs_e[g];
		st->obs_lvl[g] = b->obs_lvl[g];
	}
	for (uint32_t i = 0; i < st->ndframe; i++) {
		uint32_t f = st->dframe[i];

		st->frame_nmap[f] = b->frame_nmap[f];
		st->tab_nvalid[f] = b->tab_nvalid[f];
	}
	INV_COPY_SMALL(st, b);
	inv_dirty_forget(st);
}

/* No boot snapshot: an empty shadow, filled by a sweep at the next check. */
static void
inv_clear_shadow(struct inv_state *st)
{
	memset(st->obs_e, 0, sizeof(st->obs_e));
	memset(st->obs_lvl, 0, sizeof(st->obs_lvl));
	memset(st->pages, 0, sizeof(st->pages));
	memset(st->wired, 0, sizeof(st->wired));
	st->mng4k = st->mngps = 0;
	memset(st->live, 0, sizeof(st->live));
	memset(st->live_root, 0, sizeof(st->live_root));
	memset(st->frame_nmap, 0, sizeof(st->frame_nmap));
	memset(st->tab_nvalid, 0xff, sizeof(st->tab_nvalid));
	memset(st->paths_ok, 0, sizeof(st->paths_ok));
	inv_dirty_forget(st);
	st->need_sweep = 1;
}

void
inv_ctx_reset(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;

	inv_work_clear(st);
	if (st->boot != NULL)
		inv_restore_boot(st);
	else
		inv_clear_shadow(st);
	/* inv_track_pmaps's premise; the next pass re-reads the roots. */
	memcpy(st->root, st->live_root, sizeof(st->root));
	inv_root_index(st);
	st->roots_unsure = 1;
	/* The machine's tables went back without a log. */
	inv_topo_bump(st);
	st->tlb_all = 1;
	st->ntlb_rng = st->ntlb_free = 0;
	st->ops_since_sweep = 0;
	ctx->op_index = 0;
	ctx->op_name = NULL;
	ctx->func = NULL;
	memset(&ctx->finding, 0, sizeof(ctx->finding));
	ctx->mc->log_enabled = 1;
	ctx->mc->log_mask = INV_LOG_KINDS;
	mach_log_clear(ctx->mc);
	model_pending_clear(ctx->md);
}

int
inv_ctx_snapshot(struct inv_ctx *ctx)
{
	struct inv_state *st = ctx->st;
	struct inv_boot *b;
	int found;

	free(st->boot);
	st->boot = NULL;
	inv_ctx_reset(ctx);
	if ((found = inv_check_full(ctx)) != 0)
		return found;
	if ((b = malloc(sizeof(*b))) == NULL)
		abort();
	memcpy(b->obs_e, st->obs_e, sizeof(b->obs_e));
	memcpy(b->obs_lvl, st->obs_lvl, sizeof(b->obs_lvl));
	memcpy(b->frame_nmap, st->frame_nmap, sizeof(b->frame_nmap));
	memcpy(b->tab_nvalid, st->tab_nvalid, sizeof(b->tab_nvalid));
	INV_COPY_SMALL(b, st);
	st->boot = b;
	inv_dirty_forget(st);
	return 0;
}

void
inv_set_op(struct inv_ctx *ctx, unsigned index, const char *name)
{
	ctx->op_index = index;
	ctx->op_name = name;
	/* A finding of an operation that made no pmap call names none. */
	ctx->func = NULL;
}

int
inv_check_call(struct inv_ctx *ctx, const char *func)
{
	int fast;

	ctx->func = func;
	ctx->cnt.calls++;
	fast = inv_short_passes(ctx);
	return fast == 0 ? 0 : inv_pass_general(ctx, 0, 0, fast);
}

int
inv_check_op(struct inv_ctx *ctx)
{
	int sweep = 0;

	ctx->cnt.ops++;
	if (ctx->sweep_period != 0 &&
	    ++ctx->st->ops_since_sweep >= ctx->sweep_period)
		sweep = 1;
	return inv_pass(ctx, 1, sweep);
}

int
inv_check_full(struct inv_ctx *ctx)
{
	return inv_pass(ctx, 1, 1);
}

/* Findings. */

void
inv_set(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void
inv_add_entry(struct inv_finding *f, const char *what, int level,
    uint32_t table_pfn, unsigned idx, uint64_t value)
{
	struct inv_entry *e;

	if (f->nentries >= INV_ENTRIES_MAX)
		return;
	e = &f->entries[f->nentries++];
	e->level = (uint8_t)level;
	e->table_pfn = table_pfn;
	e->idx = (uint16_t)idx;
	e->value = value;
	snprintf(e->what, sizeof(e->what), "%s", what);
}

static const char *const inv_level_names[PT_LVL_PML4E + 1] = {
	"-",
	"pte",
	"pde",
	"pdpe",
	"pml4e",
};

int
inv_fail(struct inv_ctx *ctx, enum inv_id id, int as, int has_va,
    vm_offset_t va, uint32_t pfn)
{
	struct inv_finding *f = &ctx->finding;
	const char *func =
	    ctx->func != NULL && ctx->func[0] != '\0' ? ctx->func : "-";
	const char *op = ctx->op_name != NULL && ctx->op_name[0] != '\0' ?
	    ctx->op_name :
	    "-";

	memset(f, 0, sizeof(*f));
	f->inv = id;
	snprintf(f->title, sizeof(f->title), "%s in %s (%s)",
	    inv_table[id].name, func, op);
	snprintf(f->func, sizeof(f->func), "%s", func);
	snprintf(f->op, sizeof(f->op), "%s", op);
	f->op_index = ctx->op_index;
	f->cpu = (int)ctx->mc->curcpu;
	f->pmap = as;
	f->root = as >= 0 ? inv_root(ctx, (unsigned)as) : 0;
	f->has_va = has_va;
	f->va = va;
	f->pfn = pfn;
	if (has_va && f->root != 0) {
		struct inv_walk w;
		int low;

		inv_walk(ctx->mc, f->root, va, &w);
		low = w.leaf != 0 ? w.leaf : (w.stop != 0 ? w.stop : 1);
		if (low > PT_LVL_PML4E)
			low = PT_LVL_PML4E;
		for (int l = low + 1 <= PT_LVL_PML4E ? low + 1 : low; l >= low;
		     l--)
			if (w.tab[l] != 0)
				inv_add_entry(f, inv_level_names[l], l,
				    w.tab[l], pmap_level_index(va, l),
				    w.ent[l]);
	}
	return 1;
}

int
inv_finding_assert(struct inv_ctx *ctx, const char *func, const char *fmt,
    const char *msg)
{
	struct inv_finding *f = &ctx->finding;

	if (!inv_enabled(ctx, INV_ASSERT))
		return 0;
	if (func != NULL)
		ctx->func = func;
	inv_fail(ctx, INV_ASSERT, INV_NONE_PMAP, 0, 0, UINT32_MAX);
	snprintf(f->title, sizeof(f->title), "assert in %s (%s): %s", f->func,
	    f->op, fmt != NULL ? fmt : "?");
	inv_set(f->detail, sizeof(f->detail), "%s", msg != NULL ? msg : "");
	inv_set(f->expected, sizeof(f->expected), "no assertion fails");
	inv_set(f->found, sizeof(f->found), "PMAP_ASSERT failed in %s",
	    f->func);
	return 1;
}

void
inv_describe_model(char *buf, size_t len, const struct model_map *mp)
{
	if (mp == NULL) {
		inv_set(buf, len, "unmapped");
		return;
	}
	inv_set(buf, len, "frame %u %c%c%c%s%s%s", (unsigned)mp->pfn,
	    (mp->prot & VM_PROT_READ) != 0 ? 'r' : '-',
	    (mp->prot & VM_PROT_WRITE) != 0 ? 'w' : '-',
	    (mp->prot & VM_PROT_EXECUTE) != 0 ? 'x' : '-',
	    (mp->flags & MODEL_WIRED) != 0 ? " wired" : "",
	    (mp->flags & MODEL_MANAGED) != 0 ? " managed" : "",
	    (mp->flags & MODEL_PRIVATE) != 0 ? " private" : "");
}

void
inv_describe_leaf(char *buf, size_t len, pt_entry_t e, int level, uint32_t pfn)
{
	char bits[96];

	if (level == 0 || (e & PG_V) == 0) {
		inv_set(buf, len, "no valid leaf");
		return;
	}
	ptdump_bits(e, bits, sizeof(bits));
	inv_set(buf, len, "frame %u via %s %#llx [%s]", (unsigned)pfn,
	    level == PT_LVL_PDE ? "2M pde" : "pte", (unsigned long long)e,
	    bits);
}

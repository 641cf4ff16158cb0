/*
 * inv_int.h - what the checker's files (invariants.c, inv_slots.c,
 * inv_tables.c, inv_frames.c) share and nobody else may use.  They are one
 * module, "inv"; this header exists only because the module is split.
 *
 * The checker keeps a shadow of what it has verified: for every page slot
 * of the model's universe the leaf it last saw there (obs), and from those
 * the counts a pmap's statistics must equal and how many leaves map each
 * frame.  A pass first collects the work set (slots, regions, frames,
 * tables, reservation chunks) from the log and the model's journal, or
 * everything for a sweep; re-observes the work slots, updating the shadow;
 * then runs the enabled checks in table order over the work set.
 */
#ifndef PMAPFUZZ_INV_INT_H
#define PMAPFUZZ_INV_INT_H

#include <stdarg.h>
#include <string.h>

#include "pmapfuzz/invariants.h"

/* Inlining hints for the hot loops, where the compiler's choice measured
 * worse; empty where unsupported. */
#if defined(__GNUC__)
#define INV_NOINLINE __attribute__((noinline))
#define INV_ALWAYS_INLINE __attribute__((always_inline))
#else
#define INV_NOINLINE
#define INV_ALWAYS_INLINE
#endif

#define INV_NGSLOTS (MODEL_AS_MAX * MODEL_SLOTS_MAX)
/* Regions: 2 MiB ranges of the universe.  User: the USER_REGIONS regions,
 * then the one holding the kernel stack; kernel: the kmem arena's. */
#define INV_NREG_USER (USER_REGIONS + 1)
#define INV_NREG_MAX (INV_NREG_USER > KVA_REGIONS ? INV_NREG_USER : KVA_REGIONS)
#define INV_NGREGIONS (MODEL_AS_MAX * INV_NREG_MAX)
#define INV_KSTACK_REGION USER_REGIONS
/* Every address space's bit in an as mask. */
#define INV_AS_MASK ((1u << PMAP_MAX) - 1)

/* Kinds of input a check reads from a pass's work set (invariants.c). */
#define INV_NINPUTS 10

/* Notes kept for the next stale-tlb check before it checks every entry. */
#define INV_TLB_NOTES 32

/* A window event that broke the window contract (first one kept). */
struct inv_ev_note {
	int set;
	struct mach_event ev;
};

struct inv_state {
	/* Shadow of verified leaves, per global slot: the entry (PTE or PS
	 * PDE) and its level, 0 when no valid leaf was there. */
	pt_entry_t obs_e[INV_NGSLOTS];
	uint8_t obs_lvl[INV_NGSLOTS];
	/* Derived from obs, per address space, in 4 KiB pages. */
	int64_t pages[MODEL_AS_MAX];
	int64_t wired[MODEL_AS_MAX];
	int64_t mng4k;		    /* managed 4 KiB leaves, every as */
	int64_t mngps;		    /* pages under managed PS PDEs, every as */
	uint8_t live[MODEL_AS_MAX]; /* obs may hold entries of this as */
	uint32_t live_root[MODEL_AS_MAX];     /* its root when it became live */
	uint16_t frame_nmap[MACH_FRAMES_MAX]; /* obs slots mapping a frame */
	/* Valid-entry count of a table frame, -1 unknown. */
	int16_t tab_nvalid[MACH_FRAMES_MAX];
	/*
	 * What changed in the shadow since the last reset: the slots whose
	 * observation and the frames whose frame_nmap or tab_nvalid changed.
	 * With a boot snapshot, inv_ctx_reset restores only these.
	 */
	uint8_t dslot_mark[INV_NGSLOTS];
	uint32_t dslot[INV_NGSLOTS];
	uint32_t ndslot;
	uint8_t dframe_mark[MACH_FRAMES_MAX];
	uint32_t dframe[MACH_FRAMES_MAX];
	uint32_t ndframe;
	struct inv_boot *boot; /* NULL until inv_ctx_snapshot */

	/*
	 * The work set of the current pass: lists, and for each a stamp per
	 * element that equals wgen exactly when the element is on the list.
	 * inv_work_clear empties every list at once by moving wgen on.  A
	 * slot to re-observe (wslot) and one to re-check (cslot: its leaf or
	 * its intent changed since it was last verified, or a sweep) are
	 * two independent lists.
	 */
	int sweep;
	int op_level;
	uint32_t wgen;
	uint32_t slot_w[INV_NGSLOTS];
	uint32_t wslot[INV_NGSLOTS]; /* to re-observe */
	uint32_t nwslot;
	uint32_t slot_c[INV_NGSLOTS];
	uint32_t cslot[INV_NGSLOTS]; /* to re-check: the slot checks run
					over these only */
	uint32_t ncslot;
	uint32_t region_w[INV_NGREGIONS];
	uint32_t wregion[INV_NGREGIONS];
	uint32_t nwregion;
	uint32_t frame_w[MACH_FRAMES_MAX];
	uint32_t wframe[MACH_FRAMES_MAX];
	uint32_t nwframe;
	uint32_t chunk_w[RESERV_MAX];
	uint32_t wchunk[RESERV_MAX];
	uint32_t nwchunk;
	uint32_t upper_check;	     /* as whose kernel half to check */
	uint32_t as_touched;	     /* mask of as whose tables, leaves or
					intent changed: their counts are
					re-checked (every as at op level) */
	struct inv_ev_note win_gen;  /* window used after re-pointing */
	struct inv_ev_note win_lost; /* unresolvable window access, same gen */
	struct inv_ev_note outside;  /* valid entry written outside universe */
	/*
	 * What may have made a TLB entry stale since the last operation
	 * check: ranges whose rights shrank (root 0: any address space) and
	 * frames freed; tlb_all when the lists overflowed or for a sweep.
	 */
	int tlb_all;
	unsigned ntlb_rng, ntlb_free;
	struct inv_tlb_range {
		uint64_t lo, hi; /* [lo, hi) */
		uint32_t root;
	} tlb_rng[INV_TLB_NOTES];
	uint32_t tlb_free[INV_TLB_NOTES];
	int need_sweep;
	/* inv_ctx.fast_verify's copy of the state before a one-write pass;
	 * NULL until the first. */
	struct inv_state *fast_before;
	unsigned ops_since_sweep;
	/*
	 * Verdicts of the slot scan (inv_slots.c), per invariant: the first
	 * changed slot that breaks it (UINT32_MAX: none; bad[id] is set
	 * exactly when bad_mask has bit id), an argument (the
	 * other pmap, the other slot, a PV count) and a reason.
	 */
	uint32_t bad[INV_COUNT];
	uint32_t bad_mask; /* bit id: bad[id] holds a slot */
	uint32_t bad_arg[INV_COUNT];
	uint32_t bad_arg2[INV_COUNT];
	const char *bad_why[INV_COUNT];
	/*
	 * Frames whose 4 KiB PV list the slot scan found to be exactly one
	 * entry, naming a managed 4 KiB leaf of the frame it re-checked
	 * (pv_ok_pass[f] == pass_no): pv_list_find holds on that list this
	 * pass.  pass_no counts passes; at wrap the array is cleared.
	 */
	uint32_t pass_no;
	uint32_t pv_ok_pass[MACH_FRAMES_MAX];
	/* Per input a check may have (invariants.c, IN_B_*): the checks (bit
	 * id) that read it; set once at creation. */
	uint32_t readers[INV_NINPUTS];
	/*
	 * Per pass: every pmap's root as inv_root() gave it when the pass
	 * began (the pmaps do not change during a pass), and the model's
	 * dense arrays (stable for the model's lifetime; maps_md says for
	 * which model they were taken).  A root is a page-table page: it
	 * comes and goes with a page event, so a call check re-reads the
	 * roots only after one (or after a reset: roots_unsure); an
	 * operation check always does.
	 */
	uint32_t root[MODEL_AS_MAX];
	int roots_unsure;
	/* inv_as_of_root's index of root[]: root_as[pfn] is the lowest as
	 * whose root is pfn, else -1; it indexes the roots root_indexed. */
	int8_t root_as[MACH_FRAMES_MAX];
	uint32_t root_indexed[MODEL_AS_MAX];
	const struct model *maps_md;
	const struct model_map *maps[MODEL_AS_MAX];
	const struct model_frame *frames;
	/*
	 * reserv-count's cache of bitmap populations: per chunk, a copy of
	 * the bitmap as last counted and its population.  Any such pair is
	 * consistent, so a chunk's population follows from the words that
	 * differ from the copy; a sweep recounts every chunk from scratch.
	 */
	uint64_t rsv_map[RESERV_MAX][RESERV_FRAMES / 64];
	uint16_t rsv_bits[RESERV_MAX];
	/*
	 * inv_observe's walks, per global region (as * INV_NREG_MAX + r):
	 * the page table that maps the region's slots (pt, NULL if none) or
	 * the PS PDE that maps them instead (pde), as the walk from root[as]
	 * found them.  A memo holds while its gen equals topo_gen.  A walk's
	 * result depends only on the root, on the entries of the upper
	 * tables it read (their frames are stamped upper_gen = topo_gen) and
	 * on whether the frames it reached hold tables (the upper ones, and
	 * the last: the page table, or a frame found to be none, stamped
	 * end_gen).  So topo_gen moves on a write into an upper_gen frame, on
	 * a page event of a frame stamped either way, on a root change, a
	 * sweep and a reset.
	 */
	uint32_t topo_gen;
	struct inv_walk_memo {
		uint32_t gen;
		const pt_entry_t *pt;
		pt_entry_t pde;
	} walk_memo[INV_NGREGIONS];
	uint32_t upper_gen[MACH_FRAMES_MAX];
	uint32_t end_gen[MACH_FRAMES_MAX];
	/* Tables on the universe's paths, per as, computed once a pass. */
	uint8_t paths_ok[MODEL_AS_MAX];
	struct inv_paths {
		unsigned ntab;
		uint32_t tab[INV_NREG_MAX * 3];
		uint8_t lvl[INV_NREG_MAX * 3]; /* 3 PDP .. 1 PT */
		int bad;		       /* an entry points at no table */
		int bad_level;
		uint32_t bad_table;
		unsigned bad_idx;
		pt_entry_t bad_e;
		vm_offset_t bad_va;
	} paths[MODEL_AS_MAX];
};

/* Set tab_nvalid[pfn] (pfn < MACH_FRAMES_MAX), remembering the change. */
static inline void
inv_set_nvalid(struct inv_state *st, uint32_t pfn, int n)
{
	st->tab_nvalid[pfn] = (int16_t)n;
	if (!st->dframe_mark[pfn]) {
		st->dframe_mark[pfn] = 1;
		st->dframe[st->ndframe++] = pfn;
	}
}

/*
 * PTE event ev took rights from a valid entry (or moved it to another
 * frame): a TLB entry over it must be re-walked after the operation
 * (inv_state.tlb_rng).  &, not &&: one rarely taken branch.
 */
static inline int
inv_ev_shrinks(const struct mach_event *ev)
{
	return ((ev->old & PG_V) != 0) & ((ev->old & ~ev->new & ~PG_A) != 0);
}

/* The cached valid-entry count of the table ev wrote (ev->pfn <
 * MACH_FRAMES_MAX) follows the write: every store is logged with its old
 * value. */
static inline void
inv_ev_count(struct inv_state *st, const struct mach_event *ev)
{
	if (st->tab_nvalid[ev->pfn] >= 0)
		inv_set_nvalid(st, ev->pfn,
		    st->tab_nvalid[ev->pfn] + (int)(ev->new &PG_V) -
			(int)(ev->old & PG_V));
}

/* Bits compared in an entry that points at a lower table (wrong-translation
 * wants one of the two values). */
#define INV_TABLE_BITS                                                         \
	(PG_V | PG_RW | PG_U | PG_A | PG_M | PG_PS | PG_G | PG_NX)
#define INV_TABLE_KERN (PG_V | PG_RW | PG_A | PG_M)
#define INV_TABLE_USER (INV_TABLE_KERN | PG_U)

/* A walk of the tables from a root for one va. */
struct inv_walk {
	uint32_t tab[PT_LVL_PML4E + 1];	  /* tab[l]: level-l table, 0 if none */
	pt_entry_t ent[PT_LVL_PML4E + 1]; /* ent[l]: its entry for va */
	int leaf; /* level of the valid leaf (1 or 2), 0 if none */
	int stop; /* level of the invalid entry the walk stopped at */
	int bad;  /* level of an entry that points at a non-table frame
		     or is PS above the PD level; 0 if none */
};

/* invariants.c: helpers shared by the check files. */
int inv_enabled(const struct inv_ctx *ctx, enum inv_id id);

/* Root of pmap as if it is live (the kernel's always is), else 0. */
static inline uint32_t
inv_root(const struct inv_ctx *ctx, unsigned as)
{
	const struct pmap *pm;

	if (as >= PMAP_MAX)
		return 0;
	pm = &ctx->ps->pmaps[as];
	return as == 0 || pm->pm_inuse ? pm->pm_pml4 : 0;
}

/* The pmap whose root (as of this pass) is root, lowest first; -1 if
 * none.  Only during a pass. */
static inline int
inv_as_of_root(const struct inv_ctx *ctx, uint32_t root)
{
	return root != 0 && root < MACH_FRAMES_MAX ? ctx->st->root_as[root] :
						     -1;
}

void inv_walk(const struct machine *mc, uint32_t root, vm_offset_t va,
    struct inv_walk *w);
vm_offset_t inv_region_va(unsigned as, unsigned r);
unsigned inv_nregions(unsigned as);
/* First and one-past-last slot of region r of as. */
void inv_region_slots(unsigned as, unsigned r, unsigned *first, unsigned *end);
/* Index in its page table of global slot g's va: slot s of a region is
 * PTE index s % 512, but for the kernel stack's, which start at
 * KSTACK_VA's index. */
static inline unsigned
inv_slot_pte_index(uint32_t g)
{
	unsigned as = g / MODEL_SLOTS_MAX, s = g % MODEL_SLOTS_MAX;

	if (as != 0 && s >= USER_REGIONS * NPTEPG)
		return pmap_pte_index(KSTACK_VA) + s - USER_REGIONS * NPTEPG;
	return s % NPTEPG;
}

/* Frame that leaf e of level lvl maps at global slot g, UINT32_MAX if
 * lvl is 0 (no leaf). */
static inline uint32_t
inv_leaf_frame_at(pt_entry_t e, int lvl, uint32_t g)
{
	if (lvl == PT_LVL_PTE)
		return (uint32_t)atop(e & PG_FRAME);
	if (lvl == PT_LVL_PDE)
		return (uint32_t)atop(e & PG_PS_FRAME) + inv_slot_pte_index(g);
	return UINT32_MAX;
}

/* Frame that leaf e of level lvl maps at a slot whose PTE index is idx
 * (inv_slot_pte_index), UINT32_MAX if lvl is 0 (no leaf). */
static inline uint32_t
inv_leaf_frame_idx(pt_entry_t e, int lvl, unsigned idx)
{
	if (lvl == PT_LVL_PTE)
		return (uint32_t)atop(e & PG_FRAME);
	if (lvl == PT_LVL_PDE)
		return (uint32_t)atop(e & PG_PS_FRAME) + idx;
	return UINT32_MAX;
}

/*
 * The run of global slots that one region is: slots [lo, lo + n) of
 * address space as, region r, whose slot numbers start at s0 and PTE
 * indices (inv_slot_pte_index) at idx0.  Loops over slots, which mostly
 * arrive in runs of one region, re-derive it (inv_run_of) only for a slot
 * outside it (inv_in_run); n == 0 holds no slot.
 */
struct inv_run {
	uint32_t lo, n;
	unsigned as, r, s0, idx0;
};

static inline int
inv_in_run(const struct inv_run *run, uint32_t g)
{
	return g - run->lo < run->n;
}

/* The run of global slot g (the regions of inv_region_slots). */
static inline void
inv_run_of(uint32_t g, struct inv_run *run)
{
	unsigned as = g / MODEL_SLOTS_MAX, s = g - as * MODEL_SLOTS_MAX;

	run->as = as;
	if (as != 0 && s >= USER_REGIONS * NPTEPG) {
		run->r = INV_KSTACK_REGION;
		run->s0 = USER_REGIONS * NPTEPG;
		run->n = KSTACK_PAGES;
		run->idx0 = pmap_pte_index(KSTACK_VA);
	} else {
		run->r = s / NPTEPG;
		run->s0 = run->r * NPTEPG;
		run->n = MODEL_SLOTS_MAX - run->s0 < NPTEPG ?
		    MODEL_SLOTS_MAX - run->s0 :
		    NPTEPG;
		run->idx0 = 0;
	}
	run->lo = as * MODEL_SLOTS_MAX + run->s0;
}

/* Frame that slot's observed leaf maps, UINT32_MAX if none. */
static inline uint32_t
inv_obs_frame(const struct inv_state *st, uint32_t g)
{
	return inv_leaf_frame_at(st->obs_e[g], st->obs_lvl[g], g);
}
/* Kernel VA a kmem frame is pinned to, 0 if the frame is not kmem's. */
vm_offset_t inv_kmem_va(const struct machine *mc, uint32_t pfn);
/* Count table frame pfn's valid entries into st->tab_nvalid and return
 * them; -1 if pfn holds no table. */
int inv_tab_recount(struct inv_ctx *ctx, uint32_t pfn);

/* Valid entries of table frame pfn (cached, counted on a miss); -1 if
 * pfn holds no table. */
static inline int
inv_tab_nvalid(struct inv_ctx *ctx, uint32_t pfn)
{
	if (pfn < ctx->mc->cfg.nframes && ctx->st->tab_nvalid[pfn] >= 0)
		return ctx->st->tab_nvalid[pfn];
	return inv_tab_recount(ctx, pfn);
}
/* Work-set builders: add a frame, a slot to re-observe, a slot to
 * re-check, the reservation chunk of a frame (each once per pass). */
void inv_add_frame(struct inv_state *st, uint32_t pfn);
void inv_add_slot(struct inv_state *st, uint32_t g);
void inv_add_changed(struct inv_state *st, uint32_t g);
void inv_add_chunk(struct inv_state *st, uint32_t pfn);
/* Add region r of as and its slots to re-observe. */
void inv_add_region(struct inv_state *st, unsigned as, unsigned r);

/*
 * Count leaf e of level lvl at a slot of address space as, whose frame is
 * f, into the derived shadow with sign +1 (it appears) or -1 (it goes).
 */
static inline void
inv_obs_account(struct inv_state *st, unsigned as, pt_entry_t e, int lvl,
    uint32_t f, int sign)
{
	if (lvl == 0)
		return;
	st->pages[as] += sign;
	if ((e & PG_W) != 0)
		st->wired[as] += sign;
	if ((e & PG_MANAGED) != 0) {
		if (lvl == PT_LVL_PTE)
			st->mng4k += sign;
		else
			st->mngps += sign;
	}
	if (f < MACH_FRAMES_MAX) {
		st->frame_nmap[f] = (uint16_t)(st->frame_nmap[f] + sign);
		if (!st->dframe_mark[f]) {
			st->dframe_mark[f] = 1;
			st->dframe[st->ndframe++] = f;
		}
	}
}

/* Slot g's observation becomes (e, lvl); the slot is remembered for the
 * boot restore (inv_state.dslot). */
static inline void
inv_obs_put(struct inv_state *st, uint32_t g, pt_entry_t e, int lvl)
{
	if (!st->dslot_mark[g]) {
		st->dslot_mark[g] = 1;
		st->dslot[st->ndslot++] = g;
	}
	st->obs_e[g] = e;
	st->obs_lvl[g] = (uint8_t)lvl;
}

/*
 * A leaf that stays a leaf of the same frame at slot g (new rights, A/M
 * bits, or a promotion or demotion): only the wired and managed counts
 * can move; pages and frame_nmap keep their values.
 */
static inline void
inv_obs_reaccount(struct inv_state *st, unsigned as, pt_entry_t oe, int olvl,
    pt_entry_t e, int lvl)
{
	st->wired[as] += (int64_t)((e & PG_W) != 0) - ((oe & PG_W) != 0);
	if ((oe & PG_MANAGED) != 0) {
		if (olvl == PT_LVL_PTE)
			st->mng4k--;
		else
			st->mngps--;
	}
	if ((e & PG_MANAGED) != 0) {
		if (lvl == PT_LVL_PTE)
			st->mng4k++;
		else
			st->mngps++;
	}
}

/* What a changed observation at a slot of as moves in the derived shadow:
 * leaf oe (level olvl, frame of) became e (level lvl, frame nf). */
static inline void
inv_obs_move(struct inv_state *st, unsigned as, pt_entry_t oe, int olvl,
    uint32_t of, pt_entry_t e, int lvl, uint32_t nf)
{
	if (olvl != 0 && lvl != 0 && of == nf) {
		inv_obs_reaccount(st, as, oe, olvl, e, lvl);
		return;
	}
	inv_obs_account(st, as, oe, olvl, of, -1);
	inv_obs_account(st, as, e, lvl, nf, 1);
}

/*
 * Start a finding of invariant id about (as, va): fills title, func, op,
 * cpu, pmap, root and the path of entries to va (when va is given).  The
 * caller adds expected/found/detail with inv_set() and returns 1.
 */
int inv_fail(struct inv_ctx *ctx, enum inv_id id, int as, int has_va,
    vm_offset_t va, uint32_t pfn);
void inv_set(char *buf, size_t len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void inv_add_entry(struct inv_finding *f, const char *what, int level,
    uint32_t table_pfn, unsigned idx, uint64_t value);
/* "frame N, rw, wired, managed" or "unmapped" for a model mapping. */
void inv_describe_model(char *buf, size_t len, const struct model_map *mp);
void inv_describe_leaf(char *buf, size_t len, pt_entry_t e, int level,
    uint32_t pfn);

/*
 * inv_fast.c: the call check of a call that wrote one PTE of a model slot
 * (after allocating at most one data page) and changed the model's intent
 * at most for that slot, with the shadow updated as the general pass
 * would.  -1: not such a call, nothing done; 0: clean; 1: the work set is
 * the general pass's after its observation, for the checks to run on.
 */
int inv_fast_pass(struct inv_ctx *ctx);
/* Whether inv_fast_pass takes the call (changes nothing). */
int inv_fast_applies(struct inv_ctx *ctx);

/*
 * inv_region.c: the call check of a call that changed the leaves of one
 * 2 MiB region at once (a promotion or a demotion), in one loop, with the
 * shadow updated as the general pass would; the same contract as
 * inv_fast_pass.  inv_region_applies: whether its shape test takes the
 * call (changes nothing); the pass may still refuse it (-1).
 */
int inv_region_pass(struct inv_ctx *ctx);
int inv_region_applies(struct inv_ctx *ctx);

/*
 * inv_run.c: the call check of a call that wrote a few PTEs of one page
 * table and nothing else (a remove or protect of a range), in one loop;
 * the same contract as inv_fast_pass.
 */
int inv_run_pass(struct inv_ctx *ctx);
int inv_run_applies(struct inv_ctx *ctx);

/* Whether the call's last event but placeholders is a PDE write: the
 * region pass's first test, inline on the general pass's way. */
static inline int
inv_region_may(const struct machine *mc)
{
	unsigned n = mc->nlog;

	while (n > 0 && mc->log[n - 1].kind == EV_NONE)
		n--;
	return n > 0 && mc->log[n - 1].kind == EV_PTE_WRITE &&
	    mc->log[n - 1].level == PT_LVL_PDE;
}

/* invariants.c's steps of the general pass that the region and run passes
 * repeat, out of line (the general pass keeps its inlined copies): a TLB
 * note of PTE event ev's range (1 << shift bytes), the end of every walk
 * memo, and region r's memo (walking from root[as] when void). */
void inv_note_tlb(struct inv_state *st, const struct mach_event *ev,
    unsigned shift);
void inv_void_walks(struct inv_state *st);
/* Empty the work set (inv_work_clear): the stamps a pass set go. */
void inv_work_drop(struct inv_state *st);
const struct inv_walk_memo *inv_region_memo(struct inv_ctx *ctx, unsigned as,
    unsigned r);

/* inv_slots.c: fill st->bad[] from the changed slots. */
#define INV_NO_SLOT UINT32_MAX
void inv_scan_slots(struct inv_ctx *ctx);
/* The scan's start: a new pass number (pv_ok_pass), no verdict. */
static inline void
inv_scan_begin(struct inv_state *st)
{
	if (++st->pass_no == 0) {
		memset(st->pv_ok_pass, 0, sizeof(st->pv_ok_pass));
		st->pass_no = 1;
	}
	/* Only the verdicts of the previous scan are set (bad_mask). */
	for (uint32_t m = st->bad_mask; m != 0; m &= m - 1)
		st->bad[__builtin_ctz(m)] = INV_NO_SLOT;
	st->bad_mask = 0;
}

/*
 * The frame checks' screen (inv_frames.c), for a pass that is not a sweep:
 * of the checks in want (bit id), those that may report on a work frame or
 * chunk.  A screened check (INV_FRAME_SCREENED) left out holds on every
 * work frame and chunk; a check outside INV_FRAME_SCREENED is always
 * returned.  The checks report themselves, from their own walks.
 */
#define INV_FRAME_SCREENED                                                     \
	((1u << INV_PV_MISMATCH) | (1u << INV_FREED_WHILE_MAPPED) |            \
	    (1u << INV_LOST_DIRTY) | (1u << INV_RESERV_COUNT))
uint32_t inv_frames_suspect(struct inv_ctx *ctx, uint32_t want);
/* The same for one allocated frame f (< nframes) of a pass's work set, of
 * the screened checks: 0 if none may report there; a free frame is
 * always suspect of freed-while-mapped. */
uint32_t inv_frame_suspect(struct inv_ctx *ctx, uint32_t f);
/* illegal-promotion's tests of the PS PDE pde at region va2m of as itself
 * (its bits, its saved page-table page), without those of the model's
 * pages under it: 1 (with ctx->finding filled) if one fails.  A page whose
 * model mapping leaf_ok finds the PDE's bits fine passes the others. */
int inv_promotion_pde_bad(struct inv_ctx *ctx, unsigned as, vm_offset_t va2m,
    pt_entry_t pde);
/* PV entries that the observed managed mappings call for: one per 4 KiB
 * leaf, one per 2 MiB leaf (whose 512 slots the universe holds whole). */
static inline int64_t
inv_pv_wanted(const struct inv_state *st)
{
	return st->mng4k + st->mngps / NPTEPG;
}

/*
 * Whether the pmap's count of PV entries in use differs from the managed
 * leaves observed: an entry was recorded or dropped without its mapping,
 * which no work frame may show (pv-mismatch then walks the pool).
 */
static inline int
inv_pv_count_differs(const struct inv_ctx *ctx)
{
	return (int64_t)ctx->ps->pv_count != inv_pv_wanted(ctx->st);
}

/*
 * The same for the checks that read only the touched address spaces
 * (inv_tables.c): of ptp-count and pmap-stats in want, those that may
 * report on one of them; outside a sweep.
 */
#define INV_AS_SCREENED ((1u << INV_PTP_COUNT) | (1u << INV_PMAP_STATS))
uint32_t inv_as_suspect(struct inv_ctx *ctx, uint32_t want);
/* The same for the pmaps in asmask instead of the touched ones. */
uint32_t inv_as_screen(struct inv_ctx *ctx, uint32_t want, uint32_t asmask);

/* The checks, in table order (inv_tables.c, inv_frames.c). */
int inv_chk_wrong_as(struct inv_ctx *ctx);
int inv_chk_illegal_promotion(struct inv_ctx *ctx);
int inv_chk_stale_pte(struct inv_ctx *ctx);
int inv_chk_missing_wired(struct inv_ctx *ctx);
int inv_chk_wrong_translation(struct inv_ctx *ctx);
int inv_chk_shared_writable(struct inv_ctx *ctx);
int inv_chk_pv(struct inv_ctx *ctx);
int inv_chk_ptp_count(struct inv_ctx *ctx);
int inv_chk_pmap_stats(struct inv_ctx *ctx);
int inv_chk_freed(struct inv_ctx *ctx);
int inv_chk_lost_dirty(struct inv_ctx *ctx);
int inv_chk_stale_tlb(struct inv_ctx *ctx);
int inv_chk_reserv(struct inv_ctx *ctx);

#endif /* PMAPFUZZ_INV_INT_H */

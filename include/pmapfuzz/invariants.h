/*
 * invariants.h - the invariant checker: page tables, PV lists, counters,
 * reservations and every CPU's TLB compared with the reference model.
 *
 * The checker reads the machine (tables through mach_table(), TLBs,
 * vm_pages, reservations, the change log) and the pmap's own structures
 * (ps->pmaps[], the PV pool and the vm_page PV heads).  It never calls a
 * pmap function: it walks the tables itself, so a broken pmap cannot hide
 * its own mistakes.
 *
 * One table (inv_table[]) has a row per invariant.  Table order is check
 * order and precedence: when one state breaks several invariants, the
 * earliest row names the finding (the more specific title wins).  See
 * docs/invariants.md for the catalogue and the reasons for the order.
 *
 * Three entry points, each returning 0 (all enabled invariants hold) or 1
 * (ctx->finding describes the first violation; the input should end):
 *
 *   inv_check_call  after every pmap call.  Incremental: only what the
 *		     machine's change log and the model's journal show was
 *		     touched since the previous check (PTE writes, frame
 *		     allocations and frees, intent changes) is re-observed,
 *		     and only slots whose leaf or intent changed are
 *		     re-checked; the counts of the pmaps touched are
 *		     compared.  stale-tlb is not checked here: a TLB may
 *		     legitimately be stale in the middle of an operation,
 *		     before its invalidation.
 *   inv_check_op    after every operation: the same, plus the counts of
 *		     every pmap, plus every TLB entry that a shrinking of
 *		     rights or a freed frame since the previous operation
 *		     check may have made stale.  Every sweep_period-th
 *		     operation check (if nonzero) is a sweep.
 *   inv_check_full  a sweep: every slot, table, frame, PV entry, TLB entry
 *		     and reservation, independent of the log.  Also done
 *		     automatically by the first check after inv_ctx_reset()
 *		     and whenever the log overflowed.
 *
 * All three clear the machine's log and the model's journal afterwards.
 * Writes that bypass pt_* (a direct memory write into a table) are not
 * logged: a pass sees one only if it re-reads that slot for another reason,
 * and the next sweep sees it for certain.  The log must stay enabled
 * (inv_ctx_create turns it on); interrupt-time pmap calls nested in an
 * outer call just add their writes to the same log.
 */
#ifndef PMAPFUZZ_INVARIANTS_H
#define PMAPFUZZ_INVARIANTS_H

#include <stdbool.h>
#include <stdint.h>

#include "pmapfuzz/machine.h"
#include "pmapfuzz/model.h"
#include "pmapfuzz/pmap.h"

/* In table order, which is check order and precedence. */
enum inv_id {
	INV_ASSERT,
	INV_WRONG_ADDRESS_SPACE,
	INV_ILLEGAL_PROMOTION,
	INV_STALE_PTE,
	INV_MISSING_WIRED,
	INV_WRONG_TRANSLATION,
	INV_SHARED_WRITABLE,
	INV_PV_MISMATCH,
	INV_PTP_COUNT,
	INV_PMAP_STATS,
	INV_FREED_WHILE_MAPPED,
	INV_LOST_DIRTY,
	INV_STALE_TLB,
	INV_RESERV_COUNT,
	INV_COUNT
};

#define INV_ALL ((1u << INV_COUNT) - 1)

struct inv_ctx;

struct inv_info {
	enum inv_id id;
	const char *name;      /* stable id used in titles */
	const char *statement; /* holds when ... (one line) */
	const char *doc;       /* what exactly is checked, and when */
	const char *history;   /* historical bug it would have caught */
	/* The check; NULL for assert, which the core reports itself. */
	int (*check)(struct inv_ctx *ctx);
};

extern const struct inv_info inv_table[INV_COUNT];

/* Look up an invariant by id string; NULL if unknown. */
const struct inv_info *inv_lookup(const char *name);
/*
 * Parse "id,id,..." (or "all") into a mask of (1u << enum inv_id).
 * Returns 0 on success; on an unknown id returns -1 and points *bad at it
 * (within list; it runs to the next comma).
 */
int inv_parse_list(const char *list, uint32_t *mask, const char **bad);

/* A page-table entry involved in a finding. */
struct inv_entry {
	uint8_t level;	    /* PT_LVL_*; 0 for a PV entry or TLB entry */
	uint16_t idx;	    /* index in its table (or pool / TLB slot) */
	uint32_t table_pfn; /* frame of the table holding it */
	uint64_t value;	    /* the entry */
	char what[24];	    /* "pde", "pte", "pv 17", "tlb cpu1", ... */
};

#define INV_ENTRIES_MAX 4
#define INV_NONE_PMAP (-1)

struct inv_finding {
	enum inv_id inv;
	char title[224]; /* "<id> in <function> (<op>)[: <assert fmt>]" */
	char func[48];	 /* pmap function */
	char op[48];	 /* operation name */
	unsigned op_index;
	int cpu;       /* CPU of the call, or the CPU of a TLB entry */
	int pmap;      /* pmap id, INV_NONE_PMAP if none */
	uint32_t root; /* that pmap's PML4 (for the picture), 0 if none */
	int has_va;
	uint64_t va;
	uint32_t pfn; /* frame concerned, UINT32_MAX if none */
	unsigned nentries;
	struct inv_entry entries[INV_ENTRIES_MAX];
	char expected[128]; /* what the model (or the contract) says */
	char found[128];    /* what the tables / structures hold */
	char detail[256];
};

struct inv_counters {
	uint64_t calls;	    /* inv_check_call */
	uint64_t ops;	    /* inv_check_op */
	uint64_t sweeps;    /* full sweeps, whatever asked for them */
	uint64_t overflows; /* sweeps forced by log overflow */
	uint64_t observed;  /* slots re-observed */
	uint64_t checked;   /* slots re-checked (leaf or intent changed) */
	uint64_t frames;    /* frames checked */
	uint64_t regions;   /* call checks of a promotion or demotion in
			       one loop (inv_region.c) */
	uint64_t runs;	    /* call checks of a few PTE writes of one table
			       in one loop (inv_run.c) */
};

struct inv_state;

struct inv_ctx {
	struct machine *mc;
	struct pmap_sys *ps;
	struct model *md;
	uint32_t enabled;  /* mask of (1u << enum inv_id); INV_ALL */
	unsigned op_index; /* set by inv_set_op */
	/* Names for titles, as passed to inv_set_op and inv_check_call: not
	 * copied (the hot path), so they must outlive the check. */
	const char *op_name;
	const char *func;      /* function of the last call check, NULL: none */
	unsigned sweep_period; /* 0: sweep only when needed */
	/* 1: every call that the one-write pass (the checker's fast path for
	 * a call that wrote one PTE) checks is checked again by the general
	 * pass, from the state before; a difference in what they learn or
	 * find aborts.  Costs a copy of the checker's state per such call:
	 * for tests. */
	int fast_verify;
	struct inv_counters cnt;
	struct inv_finding finding; /* valid after a check returned 1 */
	struct inv_state *st;	    /* private */
};

/*
 * A checker for this machine, pmap system and model; all invariants
 * enabled, the machine's log switched on.  NULL if memory runs out.
 */
struct inv_ctx *inv_ctx_create(struct machine *mc, struct pmap_sys *ps,
    struct model *md);
void inv_ctx_destroy(struct inv_ctx *ctx);
/*
 * After machine, pmap system and model were reset: forget what was learnt.
 * Without a snapshot the next check is a sweep; with one, the checker
 * returns to the snapshot's knowledge at a cost in proportion to what
 * changed since, and the next check is incremental.
 */
void inv_ctx_reset(struct inv_ctx *ctx);
/*
 * Make the current state what inv_ctx_reset returns to: reset, run a full
 * check, and if it is clean keep what it learnt.  Call it when machine,
 * pmap system and model are in the state that their own resets return to
 * (right after boot).  Returns 0, or 1 with the finding (no snapshot is
 * kept then: the boot state itself is unsound).  Aborts if out of memory.
 */
int inv_ctx_snapshot(struct inv_ctx *ctx);
/* Name the operation about to run (for titles); the function in titles is
 * that of the last call check since, "-" before the first.  name is kept,
 * not copied: pass a string that lives as long as the checker (a literal,
 * a table's). */
void inv_set_op(struct inv_ctx *ctx, unsigned index, const char *name);

/* func names the pmap function just called; kept, not copied, like
 * inv_set_op's name (pass string literals or __func__). */
int inv_check_call(struct inv_ctx *ctx, const char *func);
int inv_check_op(struct inv_ctx *ctx);
int inv_check_full(struct inv_ctx *ctx);

/*
 * Record a failed PMAP_ASSERT (call it from the machine's assert hook):
 * title "assert in <func> (<op>): <fmt>", msg in the detail.  Returns 1
 * with ctx->finding filled, or 0 when the assert invariant is disabled.
 */
int inv_finding_assert(struct inv_ctx *ctx, const char *func, const char *fmt,
    const char *msg);

#endif /* PMAPFUZZ_INVARIANTS_H */

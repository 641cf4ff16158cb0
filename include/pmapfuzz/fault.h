/*
 * fault.h - fault sites: the numbered points where real hardware or a real
 * kernel could interleave something with the pmap code.
 *
 * The core and the machine only call FI_SITE(); they never know what an
 * injected fault does.  The harness installs the hook (SQLite's split between
 * sqlite3FaultSim() and its injectors).  Numbers are stable: a site is never
 * renumbered and a retired number is never reused.  A build without
 * PMAPFUZZ_FAULTS compiles every site to the constant 0.
 */
#ifndef PMAPFUZZ_FAULT_H
#define PMAPFUZZ_FAULT_H

#include "pmapfuzz/param.h"

/* What kind of interleaving a site offers; arms count hits per kind. */
enum fi_kind {
	FI_KIND_ALLOC = 1, /* a page allocation: the hook may fail it */
	FI_KIND_WINDOW,	   /* the alternate window was just pointed */
	FI_KIND_RMW,	   /* between a PTE read and its write-back */
	FI_KIND_STORE,	   /* just before or after a PTE store */
	FI_KIND_SHOOTDOWN, /* before a TLB shootdown: the hook may drop it */
	FI_KIND_POINT,	   /* any other interrupt point */
	FI_KIND_DELIVER,   /* a critical section ended: a pending
			      interrupt may run now (not counted) */
};

/* X(name, number, kind, doc).  Append only; never renumber. */
#define FI_SITE_TABLE(X)                                                       \
	X(FI_ALLOC_PAGE, 1, FI_KIND_ALLOC, "vm_page_alloc of an object page")  \
	X(FI_ALLOC_PTP, 2, FI_KIND_ALLOC, "allocation of a page-table page")   \
	X(FI_WINDOW_POINTED, 3, FI_KIND_WINDOW,                                \
	    "pmap_pte pointed the window at a foreign pmap")                   \
	X(FI_ENTER_PTE_READ, 4, FI_KIND_RMW,                                   \
	    "pmap_enter read the old PTE, new one not stored yet")             \
	X(FI_PROTECT_PTE_READ, 5, FI_KIND_RMW,                                 \
	    "pmap_protect read a PTE, write-protected value not stored yet")   \
	X(FI_REMOVE_WRITE_PTE_READ, 6, FI_KIND_RMW,                            \
	    "pmap_remove_write read a PTE, not stored yet")                    \
	X(FI_CLEAR_MODIFY_PTE_READ, 7, FI_KIND_RMW,                            \
	    "pmap_clear_modify read a PTE, not stored yet")                    \
	X(FI_PTE_STORE_BEFORE, 8, FI_KIND_STORE, "before a PTE store")         \
	X(FI_PTE_STORE_AFTER, 9, FI_KIND_STORE, "after a PTE store")           \
	X(FI_SHOOTDOWN, 10, FI_KIND_SHOOTDOWN, "before a TLB shootdown")       \
	X(FI_PROMOTE_CHECKED, 11, FI_KIND_POINT,                               \
	    "pmap_promote_pde checked the PTEs, PDE not stored yet")           \
	X(FI_DEMOTE_PTP_READY, 12, FI_KIND_POINT,                              \
	    "pmap_demote_pde filled the page-table page, PDE not stored yet")  \
	X(FI_REMOVE_BEFORE_FREE, 13, FI_KIND_POINT,                            \
	    "a page-table page is unlinked and about to be freed")             \
	X(FI_PV_WALK, 14, FI_KIND_POINT,                                       \
	    "a PV-list walk is between two entries")                           \
	X(FI_ALLOC_PV, 15, FI_KIND_ALLOC, "allocation of a PV entry")          \
	X(FI_COPY_PTE, 16, FI_KIND_POINT, "pmap_copy between two PTEs")        \
	X(FI_INTR_DELIVER, 17, FI_KIND_DELIVER,                                \
	    "the outermost critical section ended (pending interrupt runs)")

enum fi_site {
	FI_NONE = 0,
#define FI_ENUM(name, num, kind, doc) name = num,
	FI_SITE_TABLE(FI_ENUM)
#undef FI_ENUM
	    FI_SITE_MAX
};

struct machine;
struct pt_ref;

/*
 * The hook installed by the harness.  ref is the PTE the site concerns, or
 * NULL.  The return value matters for FI_KIND_ALLOC (nonzero: the allocation
 * fails) and FI_KIND_SHOOTDOWN (nonzero: remote CPUs do not receive it); it
 * is ignored elsewhere.  The hook may run arbitrary pmap calls (an
 * interrupt), so callers must not assume anything they did not re-read.
 */
typedef int (*fi_hook_t)(struct machine *mc, enum fi_site site,
    const struct pt_ref *ref);

struct fi_site_info {
	const char *name;
	enum fi_site site;
	enum fi_kind kind;
	const char *doc;
};

/* The site table; fi_site_table[i] for i in [0, fi_site_count). */
extern const struct fi_site_info fi_site_table[];
extern const unsigned fi_site_count;
const struct fi_site_info *fi_site_lookup(enum fi_site site);

#ifdef PMAPFUZZ_FAULTS
int fi_site_hit(struct machine *mc, enum fi_site site,
    const struct pt_ref *ref);
/* fi_site_pass() is fi_site_hit() inline (in machine.h, which every user of
 * FI_SITE includes): with no hook installed a site costs one test. */
#define FI_SITE(mc, site, ref) fi_site_pass((mc), (site), (ref))
#else
#define FI_SITE(mc, site, ref) ((void)(mc), (void)(ref), 0)
#endif

#endif /* PMAPFUZZ_FAULT_H */

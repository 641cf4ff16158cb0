/*
 * bugs.h - the catalogue of known historical pmap bugs and of the seed
 * reports' workarounds, each a switch that the core (or the harness's
 * kernel services) consults at the exact place the historical code differed.
 *
 * Every switch is off unless turned on (PMAPFUZZ_BUGS=name,name or --bugs).
 * Off means today's fixed behaviour.  Names and numbers are stable.
 */
#ifndef PMAPFUZZ_BUGS_H
#define PMAPFUZZ_BUGS_H

#include <stdint.h>

#include "pmapfuzz/machine.h"

enum bug_kind { BUG_KIND_BUG = 1, BUG_KIND_WORKAROUND };

/* X(id, number, name, kind, invariant expected to catch it, mechanism,
 * source).  Append only. */
#define BUG_TABLE(X)                                                           \
	X(BUG_KMEM_LITTER, 0, "kmem-litter", BUG_KIND_BUG, "stale-pte",        \
	    "kernel unmap leaves PTEs in place; pmap_enter asserts on a "      \
	    "2 MiB PDE (8.0)",                                                 \
	    "freebsd-stable, Oct 2010 (seed 000)")                             \
	X(BUG_APT_INTR_CLOBBER, 1, "apt-intr-clobber", BUG_KIND_BUG,           \
	    "wrong-address-space",                                             \
	    "I/O start only write-protects, and interrupt-time PV walks "      \
	    "re-point the one shared window",                                  \
	    "FreeBSD 2.x, 7c818168d5 (seed 002)")                              \
	X(BUG_WA_ZERO_ON_UNMAP, 2, "wa-zero-on-unmap", BUG_KIND_WORKAROUND,    \
	    "-", "kmem-litter workaround (b): clear kernel PTEs on unmap",     \
	    "seed 000")                                                        \
	X(BUG_WA_ALREADY_MAPPED, 3, "wa-already-mapped", BUG_KIND_WORKAROUND,  \
	    "-",                                                               \
	    "kmem-litter workaround (a): pmap_enter leaves a correct "         \
	    "mapping alone",                                                   \
	    "seed 000")                                                        \
	X(BUG_WA_ENTER_MULTI, 4, "wa-enter-multi", BUG_KIND_WORKAROUND, "-",   \
	    "kmem-litter workaround (c): kmem_alloc enters all pages, then "   \
	    "promotes once",                                                   \
	    "seed 000")                                                        \
	X(BUG_WA_NO_SUPERPAGES, 5, "wa-no-superpages", BUG_KIND_WORKAROUND,    \
	    "-", "kmem-litter workaround (d): vm.pmap.pg_ps_enabled=0",        \
	    "seed 000")                                                        \
	X(BUG_WA_BUSY_REMOVE_ALL, 6, "wa-busy-remove-all",                     \
	    BUG_KIND_WORKAROUND, "-",                                          \
	    "apt-intr-clobber fix: pages busy and all mappings removed at "    \
	    "I/O start",                                                       \
	    "seed 002")                                                        \
	X(BUG_PROMOTED_INVL_FIRST, 7, "promoted-invl-first", BUG_KIND_BUG,     \
	    "stale-tlb",                                                       \
	    "removing a promoted superpage invalidates only its first 4 KiB",  \
	    "FreeBSD r312954, r314310")                                        \
	X(BUG_PROTECT_NONATOMIC, 8, "protect-nonatomic", BUG_KIND_BUG,         \
	    "lost-dirty",                                                      \
	    "pmap_protect stores the write-protected PTE without "             \
	    "compare-and-set; a racing PG_M is lost",                          \
	    "FreeBSD PR 61852")                                                \
	X(BUG_DEMOTE_UNCOUNTED, 9, "demote-uncounted", BUG_KIND_BUG,           \
	    "pmap-stats",                                                      \
	    "a user demotion that allocates a ptp does not count it in "       \
	    "resident_count (2 MiB mappings that fork copied or a fault "      \
	    "entered whole have no saved ptp)",                                \
	    "FreeBSD 78d3e2f")                                                 \
	X(BUG_LOST_IPI, 10, "lost-ipi", BUG_KIND_BUG, "stale-tlb",             \
	    "a shootdown IPI is lost, remote CPUs keep stale entries (the "    \
	    "drop-shootdown fault arm acts only with this on)",                \
	    "FreeBSD EN-22:04.pcid (reordered IPI and local flush)")           \
	X(BUG_DEMOTE_FAIL_KEEP, 11, "demote-fail-keep", BUG_KIND_BUG,          \
	    "wrong-translation",                                               \
	    "pmap_protect keeps a 2 MiB mapping it failed to demote and "      \
	    "skips it, leaving it writable",                                   \
	    "FreeBSD rS349003 (arm64; amd64 destroys the mapping)")            \
	X(BUG_WIRED_DEMOTE_DESTROY, 12, "wired-demote-destroy", BUG_KIND_BUG,  \
	    "missing-wired",                                                   \
	    "a demotion refused its PV entries destroys even a wired 2 MiB "   \
	    "mapping, unmapping a wired range",                                \
	    "FreeBSD D19670 (there a missing ptp); found here on the fixed "   \
	    "core by pmapfuzz")                                                \
	X(BUG_QUICK_OVER_2M, 13, "quick-over-2m", BUG_KIND_BUG, "pv-mismatch", \
	    "a prefault's pmap_enter_quick over a 2 MiB mapping records a PV " \
	    "entry for a mapping it never makes (and a prefault of a mapped "  \
	    "2 MiB region falls back to it page by page)",                     \
	    "FreeBSD PR 266108 / D36563 (arm64)")                              \
	X(BUG_KERNEL_2M_ZERO_PTP, 14, "kernel-2m-zero-ptp", BUG_KIND_BUG,      \
	    "missing-wired",                                                   \
	    "demoting a kernel 2 MiB mapping entered whole uses the "          \
	    "page-table page it kept zero-filled as it is, unmapping the "     \
	    "range",                                                           \
	    "FreeBSD r348306 / D20380 (kernel superpage from vm_fault)")       \
	X(BUG_COPY_LEAK_PTP, 15, "copy-leak-ptp", BUG_KIND_BUG, "ptp-count",   \
	    "pmap_copy refused the PV entry of a 2 MiB mapping only drops "    \
	    "its count on the PD page, leaving one it just allocated linked "  \
	    "and empty",                                                       \
	    "FreeBSD D22763 (pmap_abort_ptp)")

enum bug_id {
#define BUG_ENUM(id, num, name, kind, inv, mech, src) id = num,
	BUG_TABLE(BUG_ENUM)
#undef BUG_ENUM
	    BUG_COUNT
};

struct bug_info {
	enum bug_id id;
	const char *name;
	enum bug_kind kind;
	const char *invariant;
	const char *mechanism;
	const char *source;
};

extern const struct bug_info bug_table[BUG_COUNT];

static inline int
bug_on(const struct machine *mc, enum bug_id b)
{
	return (mc->bugs >> b) & 1;
}

/* Look up a switch by name; NULL if unknown. */
const struct bug_info *bug_lookup(const char *name);
/*
 * Parse "name,name,..." into a mask.  Returns 0 on success; on an unknown
 * name returns -1 and points *bad at it (within list).
 */
int bug_parse_list(const char *list, uint64_t *mask, const char **bad);

#endif /* PMAPFUZZ_BUGS_H */

/*
 * machine_int.h - what machine.c and tlb.c share and nobody else may use.
 * Both files are the one "machine" module; this header only exists because
 * the module is split in two files.
 */
#ifndef PMAPFUZZ_MACHINE_INT_H
#define PMAPFUZZ_MACHINE_INT_H

#include "pmapfuzz/machine.h"

#include <string.h>

/*
 * The log entry the next event of the given kind goes to, left as it was:
 * the caller writes every field (mach_log_append zeroes them).  Returns
 * NULL when logging is off or the log is full; a full log sets
 * log_overflow, which stays set until mach_log_clear().  A kind that
 * log_mask leaves out takes its place as an EV_NONE entry and returns NULL
 * too, so the log overflows at the same event whatever the mask.  Inline:
 * every PTE store logs.
 */
static inline struct mach_event *
mach_log_reserve(struct machine *mc, enum mach_ev_kind kind)
{
	struct mach_event *ev;

	if (!mc->log_enabled || mc->log_overflow)
		return NULL;
	if (mc->nlog == MACH_LOG_MAX) {
		mc->log_overflow = 1;
		return NULL;
	}
	ev = &mc->log[mc->nlog++];
	if (((mc->log_mask >> kind) & 1) == 0) {
		ev->kind = EV_NONE;
		return NULL;
	}
	mc->log_kinds |= 1u << kind;
	return ev;
}

/*
 * Append an event of the given kind to the change log and return it, zeroed
 * except for kind, cpu (curcpu) and win (WIN_NONE); NULL as
 * mach_log_reserve.
 */
static inline struct mach_event *
mach_log_append(struct machine *mc, enum mach_ev_kind kind)
{
	struct mach_event *ev = mach_log_reserve(mc, kind);

	if (ev != NULL)
		*ev = (struct mach_event) {
			.kind = (uint8_t)kind,
			.cpu = (uint8_t)mc->curcpu,
			.win = WIN_NONE,
		};
	return ev;
}

/*
 * A table entry was written, or a frame got or lost its table: the next
 * window walk is made from the root again.
 */
static inline void
mach_tables_changed(struct machine *mc)
{
	mc->walk_memo.valid = 0;
}

/*
 * mach_mark_touched() for a pfn the caller knows is below cfg.nframes (a
 * frame it just allocated, freed or resolved a table ref to).
 */
static inline void
mach_touch_frame(struct machine *mc, uint32_t pfn)
{
	if (mc->touched_mark[pfn])
		return;
	mc->touched_mark[pfn] = 1;
	mc->touched[mc->ntouched++] = pfn;
}

#endif /* PMAPFUZZ_MACHINE_INT_H */

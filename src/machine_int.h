/*
 * machine_int.h - what machine.c and tlb.c share and nobody else may use.
 * Both files are the one "machine" module; this header only exists because
 * the module is split in two files.
 */
#ifndef PMAPFUZZ_MACHINE_INT_H
#define PMAPFUZZ_MACHINE_INT_H

#include "pmapfuzz/machine.h"

/*
 * Append an event of the given kind to the change log and return it, zeroed
 * except for kind, cpu (curcpu) and win (WIN_NONE).  Returns NULL when
 * logging is off or the log is full; a full log sets log_overflow, which
 * stays set until mach_log_clear().
 */
struct mach_event *mach_log_append(struct machine *mc, enum mach_ev_kind kind);

#endif /* PMAPFUZZ_MACHINE_INT_H */

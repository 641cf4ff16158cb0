/*
 * pmap_fixture.h - what the pmap unit tests share: a booted machine with its
 * pmap layer, reads of page-table entries that bypass the core (and so
 * never move a window), counts of allocated frames, a page-table picture
 * for failure dumps, and an assert hook that returns control to the test.
 *
 * One fixture exists at a time: pf_boot() destroys the previous one (a
 * failed CHECK may have left it behind) and the last one is destroyed at
 * exit, so a test never needs to clean up.
 */
#ifndef PMAPFUZZ_PMAP_FIXTURE_H
#define PMAPFUZZ_PMAP_FIXTURE_H

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>

#include "pmapfuzz/machine.h"
#include "pmapfuzz/pmap.h"

struct pmap_fixture {
	struct machine *mc;
	struct pmap_sys *ps;
};

/*
 * Boot a machine of MACH_FRAMES_DEFAULT frames and ncpus CPUs, bootstrap
 * the pmap layer on it and take both boot snapshots, as the smoke program
 * does.  Aborts if memory runs out.
 */
struct pmap_fixture *pf_boot(unsigned ncpus);

/*
 * The entry at level for va in pmap's tables, read directly from the
 * frames (the hardware's view, never through a window); 0 when a table
 * above that level is missing or is a 2 MiB leaf.
 */
pt_entry_t pf_entry(pmap_t pmap, vm_offset_t va, int level);
/* The frame of the table at level that holds va's entry, 0 if none. */
uint32_t pf_table(pmap_t pmap, vm_offset_t va, int level);
/* Number of allocated frames. */
unsigned pf_allocated_frames(const struct machine *mc);
/* The valid TLB entry of cpu that covers va (4 KiB first), or NULL. */
const struct tlb_entry *pf_tlb_entry(const struct machine *mc, unsigned cpu,
    vm_offset_t va);

/*
 * Print pmap's leaves, statistics and saved page-table pages with FreeBSD's
 * bit names (ptdump_pmap), then its page-table pages with their use
 * counts, the superpage counters, the windows and every CPU's TLB.
 */
void pf_ptdump(FILE *fp, pmap_t pmap);
/* A testlib dump hook: arg is the pmap_t to picture on stderr. */
void pf_dump_hook(void *arg);
/* Make pmap the picture of the running test's failure dump. */
void pf_watch(pmap_t pmap);

/*
 * Catching PMAP_ASSERT.  A test arms the hook and calls into the core
 * under setjmp(pf_assert.env); a failing assertion comes back there with
 * its function, format and message copied here.
 */
struct pf_assert_catch {
	jmp_buf env;
	int fired;
	char func[64];
	char fmt[256];
	char msg[512];
};

extern struct pf_assert_catch pf_assert;

void pf_catch_asserts(struct machine *mc);

#endif /* PMAPFUZZ_PMAP_FIXTURE_H */

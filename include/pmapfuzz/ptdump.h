/*
 * ptdump.h - pictures of page tables for reports and test failures.
 *
 * Everything printed is a frame number, an index, a VA or an entry value:
 * no host address, so the output is deterministic.  None of these functions
 * changes anything, and none calls the pmap: they walk the machine's tables.
 */
#ifndef PMAPFUZZ_PTDUMP_H
#define PMAPFUZZ_PTDUMP_H

#include <stddef.h>
#include <stdio.h>

#include "pmapfuzz/machine.h"
#include "pmapfuzz/pmap.h"

/*
 * The set bits of e by FreeBSD's names without the PG_ prefix, in bit
 * order: "V RW U PWT PCD A M PS G MANAGED W PROMOTED NX"; "0" for an empty
 * entry.  Returns buf (always NUL-terminated when len > 0).
 */
char *ptdump_bits(pt_entry_t e, char *buf, size_t len);
/* The path through the four levels for va under root, one line per
 * level, ending at the leaf or at the first invalid entry. */
void ptdump_walk(FILE *out, const struct machine *mc, uint32_t root,
    vm_offset_t va);
/*
 * The PDE for va and the PTEs of its page table within radius entries of
 * va's, runs of empty entries and of entries that differ only by the next
 * frame compressed to one line.  va's own line is marked with '>'.
 */
void ptdump_region(FILE *out, const struct machine *mc, uint32_t root,
    vm_offset_t va, unsigned radius);
/* Every valid leaf of pmap (user half for a user pmap, kernel half for
 * the kernel's), runs of contiguous same-bit 4 KiB leaves compressed. */
void ptdump_pmap(FILE *out, struct pmap_sys *ps, const struct pmap *pmap);

#endif /* PMAPFUZZ_PTDUMP_H */

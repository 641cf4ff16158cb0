/*
 * pmap.h - the pmap under test: FreeBSD amd64's machine-dependent VM layer
 * with its names and contracts (see shared/PMAP_FACTS.md), and the i386
 * alternate window for foreign address spaces.
 *
 * All pmap state of one run lives in one struct pmap_sys beside the
 * machine.  The core reaches the tables of the kernel pmap and of the pmap
 * active on the executing CPU directly, and those of any other pmap only
 * through an alternate window.
 */
#ifndef PMAPFUZZ_PMAP_H
#define PMAPFUZZ_PMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "pmapfuzz/machine.h"

#define PMAP_MAX 9	 /* kernel (id 0) + 8 user pmaps */
#define PMAP_SAVED_MAX 8 /* saved page-table pages per pmap */
#define PV_MAX 16384	 /* PV entries in the pool; index 0 unused */

struct pmap_statistics {
	int64_t resident_count; /* pages mapped (4 KiB units) incl. ptps */
	int64_t wired_count;	/* wired pages (4 KiB units) */
};

/* A page-table page kept after promotion so demotion can reinstall it
 * (FreeBSD's pm_root trie; here a small array keyed by the 2 MiB VA). */
struct pmap_saved_ptp {
	uint64_t va;  /* 2 MiB-aligned VA the page served */
	uint32_t pfn; /* 0: slot empty */
};

struct pmap {
	struct pmap_sys *pm_sys;
	uint16_t pm_id; /* index in pmap_sys.pmaps; 0 = kernel */
	uint8_t pm_inuse;
	uint8_t pad;
	uint32_t pm_pml4;   /* pfn of the top-level table */
	uint32_t pm_active; /* mask of CPUs where active (kernel: all) */
	struct pmap_statistics pm_stats;
	struct pmap_saved_ptp pm_saved[PMAP_SAVED_MAX];
};
typedef struct pmap *pmap_t;

/* One managed mapping of a frame: (pmap, va).  Lists are linked by index. */
struct pv_entry {
	uint64_t pv_va;
	uint32_t pv_next; /* 0 = end */
	uint16_t pv_pmap; /* pmap id; 0xffff while free */
	uint16_t pad;
};

/* vm.pmap.pde.* counters. */
struct pmap_counters {
	uint64_t promotions;
	uint64_t p_failures; /* promotion attempts that failed */
	uint64_t demotions;
	uint64_t d_failures; /* demotions that destroyed the mapping */
	uint64_t mappings;   /* 2 MiB mappings created by enter */
	uint64_t invl_pages; /* shootdown requests, for the benchmarks */
};

struct pmap_sys {
	struct machine *mc;
	struct pmap pmaps[PMAP_MAX];
	struct pv_entry pv[PV_MAX];
	uint32_t pv_free;  /* head of the free list, 0 = empty */
	uint32_t pv_hwm;   /* highest index ever handed out since boot */
	uint32_t pv_count; /* entries in use (FreeBSD's pv_entry_count) */
	int pg_ps_enabled; /* vm.pmap.pg_ps_enabled */
	struct pmap_counters cnt;
	struct pmap_sys_boot *boot; /* snapshot for pmap_sys_reset */
};

/* PMAP_ENTER flags; the low bits carry the access type (VM_PROT_*). */
#define PMAP_ENTER_ACCESS_MASK VM_PROT_ALL
#define PMAP_ENTER_WIRED 0x0100
#define PMAP_ENTER_NOSLEEP 0x0200
/* pmap_enter_2m: fail with KERN_NO_SPACE where anything is mapped. */
#define PMAP_ENTER_NOREPLACE 0x0400

#define KERN_SUCCESS 0
#define KERN_NO_SPACE 3
#define KERN_RESOURCE_SHORTAGE 6
#define KERN_FAILURE 5

static inline pmap_t
kernel_pmap(struct pmap_sys *ps)
{
	return &ps->pmaps[0];
}

/*
 * Boot: create the kernel pmap and preallocate the kernel arena's
 * page-table pages (fixed use count 512).  ps->pg_ps_enabled starts at 1.
 */
void pmap_bootstrap(struct pmap_sys *ps, struct machine *mc);
/* Snapshot / return to the boot state; cost proportional to use. */
void pmap_sys_boot_done(struct pmap_sys *ps);
void pmap_sys_reset(struct pmap_sys *ps);
void pmap_sys_destroy(struct pmap_sys *ps);
uint64_t pmap_sys_hash(const struct pmap_sys *ps, uint64_t seed);

/* A new user pmap with an empty user part and the kernel's PML4 entries;
 * NULL if no pmap slot or no page could be had. */
pmap_t pmap_pinit(struct pmap_sys *ps);
/* Free an emptied pmap (resident count must be 0 but for its tables). */
void pmap_release(pmap_t pmap);
/* Make pmap the active address space of cpu (cr3 load). */
void pmap_activate(pmap_t pmap, unsigned cpu);

/*
 * Map va to m with prot.  Demotes a 2 MiB mapping covering va; leaves an
 * already-correct mapping alone; replaces a mapping of another frame; tries
 * promotion at the end when the ptp and the reservation are full.  Returns
 * KERN_RESOURCE_SHORTAGE when a page-table page cannot be had.
 */
int pmap_enter(pmap_t pmap, vm_offset_t va, vm_page_t m, vm_prot_t prot,
    unsigned flags);
/* FreeBSD's pmap_ps_enabled: whether superpages may be made (what
 * vm_fault asks before it picks psind 1). */
bool pmap_superpages_enabled(pmap_t pmap);
/*
 * FreeBSD's pmap_enter with psind 1 (pmap_enter_pde): map the 2 MiB region
 * at va (aligned; a user region or one of the kernel arena) to the 512
 * frames from m (2 MiB aligned) with one PDE, without PG_PROMOTED.
 * Whatever mapped the region is removed first; the kernel keeps its page
 * table, zero-filled, as the saved page a demotion fills.  Wired only in
 * the kernel; writable only with PG_M (a write access).  Returns
 * KERN_FAILURE when superpages are off (vm.pmap.pg_ps_enabled) and
 * KERN_RESOURCE_SHORTAGE when a PD page or the PV entry cannot be had,
 * the pmap unchanged in both cases.
 */
int pmap_enter_2m(pmap_t pmap, vm_offset_t va, vm_page_t m, vm_prot_t prot,
    unsigned flags);
/*
 * Prefault (FreeBSD's pmap_enter_object, for madvise(MADV_WILLNEED) and
 * MAP_PREFAULT): map ma[i] at start + i * PAGE_SIZE read-only (prot without
 * write) where nothing maps it, by pmap_enter_quick, or a whole 2 MiB region
 * of one full reservation by one 2 MiB mapping where nothing maps the
 * region.  Advisory: a page that cannot be had is left out.
 */
void pmap_enter_object(pmap_t pmap, vm_offset_t start, vm_page_t *ma, int count,
    vm_prot_t prot);
/* Enter count pages at va (ma[i] at va + i * PAGE_SIZE) and try promotion
 * once at the end, never in between (the seed's workaround c). */
int pmap_enter_multi(pmap_t pmap, vm_offset_t va, vm_page_t *ma, int count,
    vm_prot_t prot, unsigned flags);
/* Unmanaged kernel mappings. */
void pmap_kenter(struct pmap_sys *ps, vm_offset_t va, vm_paddr_t pa);
void pmap_kremove(struct pmap_sys *ps, vm_offset_t va);
void pmap_qenter(struct pmap_sys *ps, vm_offset_t va, vm_page_t *ma, int count);
void pmap_qremove(struct pmap_sys *ps, vm_offset_t va, int count);

/* Remove every mapping in [sva, eva); frees emptied user ptps after the
 * shootdown. */
void pmap_remove(pmap_t pmap, vm_offset_t sva, vm_offset_t eva);
/* Remove every mapping of m in every pmap (demoting superpages first). */
void pmap_remove_all(struct pmap_sys *ps, vm_page_t m);
/* Write-protect every mapping of m; moves PG_M into the page's dirty. */
void pmap_remove_write(struct pmap_sys *ps, vm_page_t m);
/* Reduce rights of [sva, eva) to prot (VM_PROT_NONE removes). */
void pmap_protect(pmap_t pmap, vm_offset_t sva, vm_offset_t eva,
    vm_prot_t prot);
void pmap_clear_modify(struct pmap_sys *ps, vm_page_t m);
bool pmap_is_modified(struct pmap_sys *ps, vm_page_t m);
/* Physical address va maps to in pmap, 0 if none. */
vm_paddr_t pmap_extract(pmap_t pmap, vm_offset_t va);
/* Fork: copy src's managed mappings of [addr, addr+len) into dst without
 * A, M and W (dst is usually foreign: reached through the window). */
void pmap_copy(pmap_t dst, pmap_t src, vm_offset_t dst_addr, vm_offset_t len,
    vm_offset_t src_addr);
/* Clear PG_W on [sva, eva); wired mappings must exist. */
void pmap_unwire(pmap_t pmap, vm_offset_t sva, vm_offset_t eva);
/* Demote the 2 MiB mapping at va; false if it was destroyed instead. */
bool pmap_demote_pde(pmap_t pmap, vm_offset_t va);
void pmap_invalidate_page(pmap_t pmap, vm_offset_t va);
void pmap_invalidate_range(pmap_t pmap, vm_offset_t sva, vm_offset_t eva);
void pmap_invalidate_all(pmap_t pmap);

/* A pmap's id/pointer from its root, for reports; NULL if none. */
pmap_t pmap_by_root(struct pmap_sys *ps, uint32_t root);

#endif /* PMAPFUZZ_PMAP_H */

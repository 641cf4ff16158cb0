/*
 * param.h - constants of the simulated amd64 machine: page sizes, page-table
 * geometry, PTE bits with FreeBSD's names, and the virtual address universe
 * that every other module agrees on.
 *
 * Nothing here has state.  All values are fixed at compile time.
 */
#ifndef PMAPFUZZ_PARAM_H
#define PMAPFUZZ_PARAM_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t pt_entry_t; /* any level's entry */
typedef uint64_t pd_entry_t;
typedef uint64_t vm_offset_t; /* virtual address */
typedef uint64_t vm_paddr_t;  /* physical address */
typedef uint8_t vm_prot_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define PAGE_MASK (PAGE_SIZE - 1)
#define NPTEPG 512 /* entries per table page, at every level */
#define PDRSHIFT 21
#define NBPDR (1ULL << PDRSHIFT) /* 2 MiB: what one PDE maps */
#define PDRMASK (NBPDR - 1)
#define PDPSHIFT 30
#define PML4SHIFT 39

/* Page-table levels, numbered as the hardware walks them bottom-up. */
#define PT_LVL_PTE 1
#define PT_LVL_PDE 2
#define PT_LVL_PDPE 3
#define PT_LVL_PML4E 4

/* Hardware bits (amd64). */
#define PG_V 0x001ULL
#define PG_RW 0x002ULL
#define PG_U 0x004ULL
#define PG_NC_PWT 0x008ULL
#define PG_NC_PCD 0x010ULL
#define PG_A 0x020ULL
#define PG_M 0x040ULL
#define PG_PS 0x080ULL /* in a PDE: 2 MiB page; in a PTE it is PAT */
#define PG_G 0x100ULL
#define PG_NX (1ULL << 63)
/* Software bits. */
#define PG_MANAGED 0x400ULL
#define PG_W 0x800ULL
#define PG_PROMOTED (1ULL << 54) /* PDEs only: made by promotion */
#define PG_FRAME 0x000ffffffffff000ULL
#define PG_PS_FRAME 0x000fffffffe00000ULL
/*
 * Bits that must be identical in all 512 PTEs for promotion: everything but
 * the frame, A and M (today's FreeBSD).
 */
#define PG_PTE_PROMOTE                                                         \
	(PG_NX | PG_MANAGED | PG_W | PG_G | PG_PS | PG_NC_PCD | PG_NC_PWT |    \
	    PG_U | PG_RW | PG_V)

#define VM_PROT_NONE 0
#define VM_PROT_READ 1
#define VM_PROT_WRITE 2
#define VM_PROT_EXECUTE 4
#define VM_PROT_ALL 7

/*
 * The virtual address universe.  It is deliberately small so that fuzzed
 * operations collide often.
 *
 * User space: USER_REGIONS regions of 2 MiB each starting at USER_BASE, plus
 * the kernel-stack page of each process at KSTACK_VA (as i386's UPAGES were:
 * mapped in the process's own address space, which is why fork enters it
 * into the child through the alternate window).
 *
 * Kernel space: a kmem arena of KVA_REGIONS regions of 2 MiB each at
 * KVA_BASE.  Its page-table pages are preallocated at boot and never freed.
 */
#define USER_BASE 0x0000000040000000ULL
#define USER_REGIONS 3
#define KSTACK_VA 0x00007fffffe00000ULL
#define KSTACK_PAGES 1
#define KVA_BASE 0xffffffff80000000ULL
#define KVA_REGIONS 2
#define KVA_END (KVA_BASE + KVA_REGIONS * NBPDR)

static inline unsigned
pmap_pml4e_index(vm_offset_t va)
{
	return (unsigned)((va >> PML4SHIFT) & (NPTEPG - 1));
}

static inline unsigned
pmap_pdpe_index(vm_offset_t va)
{
	return (unsigned)((va >> PDPSHIFT) & (NPTEPG - 1));
}

static inline unsigned
pmap_pde_index(vm_offset_t va)
{
	return (unsigned)((va >> PDRSHIFT) & (NPTEPG - 1));
}

static inline unsigned
pmap_pte_index(vm_offset_t va)
{
	return (unsigned)((va >> PAGE_SHIFT) & (NPTEPG - 1));
}

/* Index of va's entry in the table of the given level. */
static inline unsigned
pmap_level_index(vm_offset_t va, int level)
{
	return (
	    unsigned)((va >> (PAGE_SHIFT + 9 * (level - 1))) & (NPTEPG - 1));
}

static inline bool
va_is_kernel(vm_offset_t va)
{
	return (va >> 63) != 0;
}

#define trunc_2mpage(va) ((va) & ~PDRMASK)
#define round_2mpage(va) (((va) + PDRMASK) & ~PDRMASK)
#define atop(pa) ((pa) >> PAGE_SHIFT)
#define ptoa(pfn) ((vm_paddr_t)(pfn) << PAGE_SHIFT)

#endif /* PMAPFUZZ_PARAM_H */

/*
 * machine.h - the simulated hardware and VM substrate under the pmap:
 * physical frames with their vm_page records, reservations, page-table
 * contents, CPUs with TLBs, the alternate page-table windows, memory
 * touches, and the per-call log of what changed.
 *
 * All state of one run lives in one struct machine.  Field comments say who
 * may write a field: (m) the machine only, (p) the pmap core only, (h) the
 * harness only; everybody may read.  No field holds a host address that is
 * hashed, printed or compared.
 */
#ifndef PMAPFUZZ_MACHINE_H
#define PMAPFUZZ_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "pmapfuzz/fault.h"
#include "pmapfuzz/param.h"

#define MACH_FRAMES_DEFAULT 4096
#define MACH_FRAMES_MAX 16384
#define MACH_CPUS_MAX 4
#define MACH_TABLES_MAX 2048 /* page-table pages in use at once */
#define RESERV_FRAMES NPTEPG /* 512 frames = 2 MiB */
#define RESERV_MAX (MACH_FRAMES_MAX / RESERV_FRAMES)
#define TLB_4K_ENTRIES 32
#define TLB_2M_ENTRIES 8
#define MACH_LOG_MAX 4096

/* Object ids.  0 is "no object"; 1 is the kmem object; the rest are the
 * harness's anonymous objects from vm_object_allocate(). */
#define OBJ_NONE 0
#define OBJ_KMEM 1

/* vm_page flags (m unless noted). */
#define VPF_ALLOCATED 0x0001
#define VPF_PTP 0x0002	      /* holds a page table (has a table slot) */
#define VPF_BUSY 0x0004	      /* (h) exclusive-busied, e.g. under I/O */
#define VPF_DIRTY 0x0008      /* (p,h) vm_page dirty field */
#define VPF_UNMANAGED 0x0010  /* no PV entries for its mappings (kmem) */
#define VPF_PTP_VALID 0x0020  /* (p) saved ptp still holds valid PTEs */
#define VPF_IO 0x0040	      /* (h) under I/O */
#define VPF_WRITEABLE 0x0080  /* (p) PGA_WRITEABLE: may have a RW mapping */
#define VPF_KERNEL_PTP 0x0100 /* preallocated kernel page-table page */

/*
 * The record of one physical frame.  vm_page_t pointers are only valid for
 * the life of the machine; code that needs a stable name uses pfn.
 */
struct vm_page {
	uint32_t pfn;	     /* (m) frame number; never changes */
	uint32_t object;     /* (m) owner object id, OBJ_NONE if none */
	uint64_t pindex;     /* (m) page index within the object */
	uint32_t table;	     /* (m) table slot if VPF_PTP, else 0 */
	uint16_t flags;	     /* VPF_* */
	uint16_t ref_count;  /* (p) ptp: valid entries (user) or 512 (kernel) */
	uint16_t wire_count; /* (h) data page wirings */
	uint16_t pad;
	uint32_t pv_head;   /* (p) 4 KiB PV list: index into pv pool, 0 = end */
	uint32_t pv2m_head; /* (p) 2 MiB PV list of the superpage this frame
			       starts; 0 = end */
};
typedef struct vm_page *vm_page_t;

/*
 * A reservation: a 2 MiB-aligned run of 512 frames handed to one
 * (object, pindex >> 9) pair.  Kmem reservations are pinned at boot (kmem
 * arena region i owns chunk i for ever) so that the same kernel VA always
 * gets the same frame.
 */
struct reserv {
	uint32_t object; /* (m) OBJ_NONE when the chunk is not reserved */
	uint64_t pindex; /* (m) first pindex covered (multiple of 512) */
	uint16_t popcnt; /* (m) allocated frames */
	uint8_t pinned;	 /* (m) never released (kmem) */
	uint8_t pad;
	uint64_t popmap[RESERV_FRAMES / 64]; /* (m) bit i: frame i allocated */
};

/* One cached translation.  Non-global entries belong to the address space
 * whose root was in cr3 when they were filled. */
struct tlb_entry {
	uint64_t va;   /* aligned to the entry's size */
	uint32_t pfn;  /* first frame */
	uint32_t root; /* cr3 at fill time (pfn of the PML4) */
	uint8_t valid;
	uint8_t big; /* 1: 2 MiB entry */
	uint8_t rw, user, nx, dirty, global;
	uint8_t pad;
};

struct cpu {
	uint32_t cr3;	    /* (m) root of the active address space; 0 none */
	int16_t pmap_id;    /* (p) id of the active pmap, -1 none */
	uint8_t intr_level; /* (h) interrupt nesting depth */
	uint8_t pad;
	struct tlb_entry tlb4k[TLB_4K_ENTRIES];
	struct tlb_entry tlb2m[TLB_2M_ENTRIES];
	uint8_t next4k, next2m; /* (m) round-robin replacement cursors */
};

/*
 * The alternate page-table windows.  WIN_APT is i386's single shared window
 * (APTDpde/APTmap).  WIN_INTR is a per-purpose window reserved for
 * interrupt-level users (later i386's PMAP1): the fixed core uses it at
 * interrupt level, the apt-intr-clobber core does not.  Pointing a window
 * bumps its generation.
 */
enum { WIN_APT = 0, WIN_INTR = 1, WIN_COUNT = 2, WIN_NONE = 0xff };

struct apt_window {
	uint32_t root; /* (m) PML4 pfn the window shows, 0 if none */
	uint32_t gen;  /* (m) bumped by every win_point */
};

/*
 * A reference to one page-table entry, the model of a kernel pointer to a
 * PTE.  Direct refs name (pfn, idx).  Window refs name (window, va, level)
 * and are resolved at the moment of each access by walking from whatever
 * root the window shows then, as the hardware would; gen is the window's
 * generation when the ref was made.
 */
struct pt_ref {
	uint32_t pfn;  /* direct: the table frame */
	uint16_t idx;  /* direct: entry index */
	uint8_t win;   /* WIN_NONE for direct refs */
	uint8_t level; /* PT_LVL_* of the entry */
	uint32_t gen;  /* window refs: generation at creation */
	uint32_t root; /* the address space meant: direct refs, set by the
			  caller; window refs, the window's root at creation */
	uint64_t va;   /* the VA whose entry is meant (any VA inside the
			  range an upper-level entry covers) */
};
typedef struct pt_ref pt_ref_t;

/* The per-call change log that the incremental checker reads. */
enum mach_ev_kind {
	EV_NONE = 0,	   /* a place holder for an event of a kind that
			      log_mask leaves out: no field is meaningful */
	EV_PTE_WRITE = 1,  /* a page-table entry changed */
	EV_PTE_LOST,	   /* a window access could not resolve: write lost */
	EV_TLB_FILL,	   /* cpu filled a TLB entry for va */
	EV_TLB_INVAL,	   /* invalidation of [va, va2) on cpu */
	EV_PAGE_ALLOC,	   /* frame pfn allocated */
	EV_PAGE_FREE,	   /* frame pfn freed */
	EV_WIN_POINT,	   /* window win pointed at root */
	EV_WIN_STALE_READ, /* a window ref was read after the window was
			      re-pointed (gen_ref != gen_now) */
};

struct mach_event {
	uint8_t kind;  /* enum mach_ev_kind */
	uint8_t win;   /* window used, WIN_NONE if direct */
	uint8_t level; /* entry level for PTE events */
	uint8_t cpu;
	uint16_t idx;	   /* entry index */
	uint16_t flags;	   /* MACH_EVF_* */
	uint32_t pfn;	   /* table frame written, or page allocated/freed */
	uint32_t root;	   /* PTE events: window refs, the root the access
			      resolved through; direct refs, the ref's root */
	uint32_t gen_ref;  /* window events: generation recorded in the ref */
	uint32_t gen_now;  /* window events: generation at the access */
	uint64_t va;	   /* the VA concerned (the ref's va, or TLB va) */
	uint64_t va2;	   /* TLB_INVAL: end of range */
	uint64_t old, new; /* PTE events: entry before and after */
};

/* PAGE_ALLOC: the frame came as a page-table page, zero-filled. */
#define MACH_EVF_ZEROED_TABLE 0x1
/* PAGE_FREE: the frame held a page table until then. */
#define MACH_EVF_TABLE 0x2

struct mach_config {
	uint32_t nframes; /* multiple of 512, <= MACH_FRAMES_MAX */
	uint8_t ncpus;	  /* 1..MACH_CPUS_MAX */
};

/* Hook run when a PMAP_ASSERT fails; it must not return (longjmp/abort).
 * fmt is the assertion's format string (stable: good for titles), msg the
 * formatted message with the values. */
typedef void (*mach_assert_hook_t)(struct machine *mc, const char *func,
    const char *fmt, const char *msg);

struct machine {
	struct mach_config cfg;
	uint64_t bugs;	   /* (h) bit b set: bug/workaround switch b is on */
	fi_hook_t fi_hook; /* (h) NULL: every site is a no-op */
	void *fi_arg;	   /* (h) the hook's state */
	mach_assert_hook_t assert_hook; /* (h) NULL: print and abort() */
	void *assert_arg;
	unsigned curcpu; /* (h) the CPU executing the current pmap call */
	/*
	 * Interrupt blocking.  crit is the depth of critical sections the
	 * core is in (its pmap lock / splvm); an interrupt that the harness
	 * raises while crit > 0 sets intr_pending and runs when the core
	 * leaves its outermost section (site FI_INTR_DELIVER).
	 */
	uint8_t crit;	      /* (p) */
	uint8_t intr_pending; /* (h) */

	struct vm_page pages[MACH_FRAMES_MAX];
	struct reserv reserv[RESERV_MAX];
	uint32_t reserv_hint; /* (m) chunk reserv_find() returned last; only a
				 hint, checked before use */
	struct cpu cpus[MACH_CPUS_MAX];
	struct apt_window win[WIN_COUNT];
	uint32_t next_object; /* (m) next id from vm_object_allocate */

	/* Page-table contents: tables[slot][i].  Slot 0 is never used. */
	pt_entry_t (*tables)[NPTEPG];
	uint32_t table_free[MACH_TABLES_MAX]; /* (m) stack of free slots */
	uint32_t ntable_free;
	/* (m) The least ntable_free since machine_boot_done() or
	 * machine_reset(): the stack below it is as it was then. */
	uint32_t table_free_low;
	/*
	 * (m) The last window walk that resolved: from root, va's entry at
	 * level is entry idx of table frame pfn.  A walk reads only table
	 * entries and which frames hold tables, so this holds until one of
	 * them changes (machine_int.h's mach_tables_changed()).
	 */
	struct {
		uint64_t va;
		uint32_t root, pfn;
		uint16_t idx;
		uint8_t level, valid;
	} walk_memo;

	/* Change log since the last mach_log_clear(); overflow is sticky. */
	struct mach_event log[MACH_LOG_MAX];
	uint32_t nlog;
	uint32_t log_kinds; /* bit kind: logged in full since the clear */
	uint8_t log_overflow;
	uint8_t log_enabled; /* (h) 0: nothing is logged (fast path) */
	/*
	 * (h) Kinds logged in full (bit kind), MACH_LOG_ALL after
	 * machine_create.  An event of a kind left out still takes its place
	 * in the log as EV_NONE, so the log overflows at the same event
	 * whatever the mask; only its fields are not written.
	 */
	uint32_t log_mask;

	/* Reset bookkeeping: frames changed since boot (m). */
	uint32_t *touched;
	uint32_t ntouched;
	uint8_t *touched_mark;
	struct machine_boot *boot; /* (m) snapshot taken by machine_boot_done */
};

#ifdef PMAPFUZZ_FAULTS
/* FI_SITE(): the hook's answer, or 0 (nothing injected) when none is
 * installed. */
static inline int
fi_site_pass(struct machine *mc, enum fi_site site, const struct pt_ref *ref)
{
	return mc->fi_hook != NULL ? mc->fi_hook(mc, site, ref) : 0;
}
#endif

/* Lifecycle. */
struct machine *machine_create(const struct mach_config *cfg);
void machine_destroy(struct machine *mc);
/* Snapshot the current state as the state that machine_reset returns to. */
void machine_boot_done(struct machine *mc);
/* Return to the snapshot; cost is proportional to what changed since. */
void machine_reset(struct machine *mc);
/* Hash of everything observable (frames, tables, TLBs, windows,
 * reservations); no host addresses.  Deterministic across builds. */
uint64_t machine_hash(const struct machine *mc, uint64_t seed);

/* Frames. */

/*
 * A frame beyond memory was looked up on behalf of func: a failed
 * assertion in func, through the assert hook; never returns.
 */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void
mach_phys_beyond(struct machine *mc, const char *func, vm_paddr_t pa);

static inline vm_page_t
mach_phys_to_page(struct machine *mc, vm_paddr_t pa, const char *func)
{
	if ((pa >> PAGE_SHIFT) >= mc->cfg.nframes)
		mach_phys_beyond(mc, func, pa);
	return &mc->pages[pa >> PAGE_SHIFT];
}

/*
 * FreeBSD's PHYS_TO_VM_PAGE.  The core looks up frames that it reads from
 * its own entries; one beyond memory (a corrupted entry) is the calling
 * function's failed assertion, as FreeBSD panics on the NULL page, instead
 * of a read or write outside the frame array.
 */
#define PHYS_TO_VM_PAGE(mc, pa) mach_phys_to_page((mc), (pa), __func__)

static inline vm_paddr_t
VM_PAGE_TO_PHYS(const struct vm_page *m)
{
	return ptoa(m->pfn);
}

/*
 * Page-table contents of frame pfn, or NULL if it holds no table, pfn
 * included: any frame number, even one read from a corrupted entry, is safe
 * to pass.  For reading: a write through it is neither logged nor seen by
 * the window-walk memo (a test's deliberate corruption must not be followed
 * by window accesses to the same entry's walk).
 */
static inline pt_entry_t *
mach_table(const struct machine *mc, uint32_t pfn)
{
	uint32_t slot;

	if (pfn >= mc->cfg.nframes)
		return (pt_entry_t *)0;
	slot = mc->pages[pfn].table;
	return slot != 0 ? mc->tables[slot] : (pt_entry_t *)0;
}

/* Allocation flags. */
#define VM_ALLOC_PTP 0x1     /* give the frame a zeroed table slot */
#define VM_ALLOC_WIRED 0x2   /* wire_count = 1 */
#define VM_ALLOC_NOFAULT 0x4 /* do not pass the fault site (boot) */

uint32_t vm_object_allocate(struct machine *mc);
/*
 * Allocate the frame for (object, pindex) from that pair's reservation,
 * creating the reservation from a wholly free 2 MiB chunk if needed, else
 * from any free frame.  Passes FI_ALLOC_PAGE.  NULL when memory is exhausted
 * or the fault hook fails it.
 */
vm_page_t vm_page_alloc(struct machine *mc, uint32_t object, uint64_t pindex,
    int flags);
/* Allocate a frame outside any reservation (page-table pages); passes
 * FI_ALLOC_PTP.  With VM_ALLOC_PTP the frame gets a zeroed table. */
vm_page_t vm_page_alloc_noobj(struct machine *mc, int flags);
/* Free a frame (and its table slot); updates its reservation. */
void vm_page_free(struct machine *mc, vm_page_t m);
/* 0 if every frame of m's reservation is allocated, -1 otherwise. */
int reserv_level_iffullpop(struct machine *mc, vm_page_t m);
/* The reservation m belongs to, or NULL. */
struct reserv *reserv_of(struct machine *mc, const struct vm_page *m);

/* Page-table entry access.  Every store is logged while logging is on. */
/* A direct ref to entry idx of table pfn, meant for va in the address space
 * whose root is root (both only recorded, for the log).  Inline: the core
 * makes one per entry it touches. */
static inline pt_ref_t
pt_direct(uint32_t pfn, unsigned idx, int level, uint32_t root, vm_offset_t va)
{
	pt_ref_t r = {
		.pfn = pfn,
		.idx = (uint16_t)idx,
		.win = WIN_NONE,
		.level = (uint8_t)level,
		.gen = 0,
		.root = root,
		.va = va,
	};

	return r;
}

pt_ref_t pt_window(struct machine *mc, int win, vm_offset_t va, int level);
/* Point window win at root (a PML4 pfn); bumps its generation. */
void win_point(struct machine *mc, int win, uint32_t root);
pt_entry_t pt_load_resolve(struct machine *mc, pt_ref_t r);

/*
 * The entry r names.  An unresolvable window ref reads as 0, and a read
 * through a window re-pointed since the ref was made is logged.  Inline
 * for the common case, a direct ref to an entry of a table frame, which
 * has no side effect; every other ref goes to pt_load_resolve().
 */
static inline pt_entry_t
pt_load(struct machine *mc, pt_ref_t r)
{
	uint32_t slot;

	if (r.win == WIN_NONE && r.pfn < mc->cfg.nframes && r.idx < NPTEPG &&
	    (slot = mc->pages[r.pfn].table) != 0)
		return mc->tables[slot][r.idx];
	return pt_load_resolve(mc, r);
}
void pt_store(struct machine *mc, pt_ref_t r, pt_entry_t v);
pt_entry_t pt_load_clear(struct machine *mc, pt_ref_t r); /* atomic swap 0 */
/* Atomic compare-and-set; 1 when stored (or lost: see machine.c). */
int pt_cmpset(struct machine *mc, pt_ref_t r, pt_entry_t old, pt_entry_t new);
/* Atomically clear bits; returns the old value. */
pt_entry_t pt_clear_bits(struct machine *mc, pt_ref_t r, pt_entry_t bits);
/* Where a ref resolves now: table frame and index; 0 if unresolvable. */
int pt_resolve(struct machine *mc, pt_ref_t r, uint32_t *pfn, unsigned *idx);
/* *ref = pt_window(mc, win, va, level); then whether *ref resolves now (as
 * pt_resolve() would say), in one call. */
int pt_window_resolve(struct machine *mc, int win, vm_offset_t va, int level,
    pt_ref_t *ref);

/* CPUs and TLBs. */
void cpu_load_cr3(struct machine *mc, unsigned cpu, uint32_t root);
void tlb_invalidate_page(struct machine *mc, unsigned cpu, vm_offset_t va);
void tlb_invalidate_range(struct machine *mc, unsigned cpu, vm_offset_t sva,
    vm_offset_t eva);
void tlb_invalidate_all(struct machine *mc, unsigned cpu); /* incl. global */
/* Invalidate [sva, eva) on every CPU in cpumask.  The local CPU (curcpu),
 * if in cpumask, is always done; the others only if the FI_SHOOTDOWN hook
 * (passed once per call) does not drop the shootdown.  Returns 1 if remote
 * CPUs were reached (or there were none to reach). */
int tlb_shootdown(struct machine *mc, uint32_t cpumask, vm_offset_t sva,
    vm_offset_t eva);

/*
 * Memory touch from a CPU, as hardware does it: look up the TLB (a hit uses
 * the cached translation even if the tables changed since); on a miss walk
 * the tables from cr3, setting A (and M on write) in the leaf entry, and
 * fill the TLB.  A write that hits a clean TLB entry re-walks to set M.
 * access: VM_PROT_READ, VM_PROT_WRITE or VM_PROT_EXECUTE.
 */
enum touch_result {
	TOUCH_OK = 0,
	TOUCH_NOT_PRESENT, /* page fault: no valid translation */
	TOUCH_PROTECTION,  /* page fault: rights do not allow the access */
};
enum touch_result mach_touch(struct machine *mc, unsigned cpu, vm_offset_t va,
    vm_prot_t access, uint32_t *pfn_out);
/* Hardware A/M update on the leaf entry mapping va in the tables under
 * root, without a TLB fill (another CPU's walker racing an RMW). */
void mach_hw_set_am(struct machine *mc, uint32_t root, vm_offset_t va,
    int set_m);
/* Walk the tables under root for va: leaf entry (0 if none) and its level. */
pt_entry_t mach_walk(const struct machine *mc, uint32_t root, vm_offset_t va,
    int *level, uint32_t *table_pfn, unsigned *idx);

/* Change log. */
void mach_log_clear(struct machine *mc);

/* Every kind of event, for log_mask. */
#define MACH_LOG_ALL UINT32_MAX

/*
 * Reset bookkeeping: allocation, free and pt_* stores mark their frames
 * automatically.  Code that changes a vm_page of a frame allocated at boot
 * by any other means (e.g. VPF_PTP_VALID on a kernel ptp) must call this.
 */
void mach_mark_touched(struct machine *mc, uint32_t pfn);

#endif /* PMAPFUZZ_MACHINE_H */

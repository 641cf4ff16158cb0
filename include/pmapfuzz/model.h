/*
 * model.h - the reference model: what every address space is supposed to
 * map, and what state every physical frame is in, as the executor intends
 * it.  This is the oracle the invariant checker compares the pmap with.
 *
 * The model depends on nothing but its own types and param.h.  It never
 * reads a page table, a PV list or anything else the pmap core computes:
 * the executor feeds it the intent of each step BEFORE the pmap call that
 * carries the step out ("pmap 3 should now map va to frame f, read-only,
 * wired"), and the checker compares what the pmap did with that intent.
 *
 * Address spaces are numbered as pmap ids: 0 is the kernel, 1 ..
 * MODEL_AS_MAX-1 are user address spaces.  The virtual address universe is
 * tiny (param.h), so every address space is a dense array indexed by page
 * slot:
 *
 *	user:	USER_REGIONS * 512 pages at USER_BASE, then KSTACK_PAGES
 *		pages at KSTACK_VA
 *	kernel:	KVA_REGIONS * 512 pages at KVA_BASE
 *
 * Meaning of a mapping:
 *   - prot is the most the pmap may grant (the vm_map entry's rights).  A
 *     pmap may hold fewer rights (write-protection for copy-on-write or
 *     dirty tracking), never more.
 *   - A non-wired user mapping may be absent from the page tables (a pmap
 *     is a cache); wired mappings and every kernel mapping may not.
 *   - MODEL_PRIVATE marks a copy-on-write mapping: a private frame must
 *     never be writable in two address spaces at once.
 *
 * Cost: model_reset() costs in proportion to what was changed since the
 * previous reset, never to the size of the universe or of memory.
 */
#ifndef PMAPFUZZ_MODEL_H
#define PMAPFUZZ_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "pmapfuzz/param.h"

#define MODEL_AS_MAX 9	       /* = PMAP_MAX; checked by the checker */
#define MODEL_FRAMES_MAX 16384 /* = MACH_FRAMES_MAX; checked likewise */
#define MODEL_KERNEL_AS 0

/* Page slots of one address space. */
#define MODEL_USER_SLOTS (USER_REGIONS * NPTEPG + KSTACK_PAGES)
#define MODEL_KERN_SLOTS (KVA_REGIONS * NPTEPG)
#define MODEL_SLOTS_MAX                                                        \
	(MODEL_USER_SLOTS > MODEL_KERN_SLOTS ? MODEL_USER_SLOTS :              \
					       MODEL_KERN_SLOTS)

/* Mapping flags. */
#define MODEL_WIRED 0x01   /* must stay present; PG_W */
#define MODEL_MANAGED 0x02 /* has a PV entry; PG_MANAGED */
#define MODEL_PRIVATE 0x04 /* copy-on-write: never writable twice */

/* One intended mapping.  A slot without a mapping has prot == 0. */
struct model_map {
	uint32_t pfn;
	uint8_t prot;  /* VM_PROT_*; READ is implied for any mapping */
	uint8_t flags; /* MODEL_* */
	uint16_t pad;
};

/* Frame states. */
#define MODEL_F_ALLOCATED 0x01 /* the executor allocated it */
#define MODEL_F_BUSY 0x02      /* exclusive-busied */
#define MODEL_F_IO 0x04	       /* under I/O */
#define MODEL_F_WRITTEN 0x08   /* written through a mapping, not cleaned */

struct model_frame {
	uint8_t flags; /* MODEL_F_* */
	uint8_t pad;
	uint16_t nmaps; /* intended mappings of this frame */
	int32_t first;	/* (internal) first mapping, global slot or -1 */
};

/* Where a frame is mapped: one (address space, va) pair. */
struct model_ref {
	unsigned as;
	vm_offset_t va;
};

struct model;

/* Lifecycle.  A new model is in the reset state. */
struct model *model_create(void);
void model_destroy(struct model *md);
/*
 * Forget every mapping and frame state; only the kernel address space
 * exists afterwards.  Cost: proportional to the slots and frames changed
 * since the previous reset.
 */
void model_reset(struct model *md);

/*
 * The slot of va in address space as, in [0, MODEL_SLOTS_MAX), or -1 when
 * va lies outside that space's universe (as 0: the kmem arena; others: the
 * user regions and the kernel stack).  Global slot numbers, as used by
 * model_pending(), are as * MODEL_SLOTS_MAX + slot.
 */
static inline int
model_slot(unsigned as, vm_offset_t va)
{
	if (as >= MODEL_AS_MAX)
		return -1;
	if (as == MODEL_KERNEL_AS) {
		if (va >= KVA_BASE && va < KVA_END)
			return (int)((va - KVA_BASE) >> PAGE_SHIFT);
		return -1;
	}
	if (va >= USER_BASE && va < USER_BASE + USER_REGIONS * NBPDR)
		return (int)((va - USER_BASE) >> PAGE_SHIFT);
	if (va >= KSTACK_VA && va < KSTACK_VA + KSTACK_PAGES * PAGE_SIZE)
		return (int)(USER_REGIONS * NPTEPG +
		    ((va - KSTACK_VA) >> PAGE_SHIFT));
	return -1;
}
/* The va of a slot (inverse of model_slot). */
static inline vm_offset_t
model_slot_va(unsigned as, unsigned slot)
{
	if (as == MODEL_KERNEL_AS)
		return KVA_BASE + ptoa(slot);
	if (slot < USER_REGIONS * NPTEPG)
		return USER_BASE + ptoa(slot);
	return KSTACK_VA + ptoa(slot - USER_REGIONS * NPTEPG);
}
/* Slots of as: MODEL_KERN_SLOTS for 0, MODEL_USER_SLOTS otherwise. */
static inline unsigned
model_nslots(unsigned as)
{
	return as == MODEL_KERNEL_AS ? MODEL_KERN_SLOTS : MODEL_USER_SLOTS;
}

/* Address spaces.  create: 0 on success, -1 if as is out of range or
 * exists already.  destroy removes every mapping first. */
int model_as_create(struct model *md, unsigned as);
void model_as_destroy(struct model *md, unsigned as);
bool model_as_exists(const struct model *md, unsigned as);
/* Number of mappings / wired mappings in as. */
unsigned model_as_count(const struct model *md, unsigned as);
unsigned model_as_wired(const struct model *md, unsigned as);

/*
 * Intent.  Each returns 0, or -1 (and changes nothing) if as does not
 * exist or va is outside its universe.  model_map replaces whatever va
 * mapped; prot must include VM_PROT_READ.
 */
int model_map(struct model *md, unsigned as, vm_offset_t va, uint32_t pfn,
    vm_prot_t prot, unsigned flags);
int model_unmap(struct model *md, unsigned as, vm_offset_t va);
/* Unmap every page of [sva, eva) that lies in as's universe. */
void model_unmap_range(struct model *md, unsigned as, vm_offset_t sva,
    vm_offset_t eva);
/* Reduce the rights of every mapping in [sva, eva) to prot & old;
 * VM_PROT_NONE (or a result without READ) unmaps, as pmap_protect does. */
void model_protect(struct model *md, unsigned as, vm_offset_t sva,
    vm_offset_t eva, vm_prot_t prot);
/* Set or clear MODEL_WIRED of the mapping at va (-1 if there is none). */
int model_wire(struct model *md, unsigned as, vm_offset_t va, bool wired);
/* Remove every mapping of frame pfn (pmap_remove_all's intent). */
void model_unmap_frame(struct model *md, uint32_t pfn);
/*
 * Fork's intent: for every managed mapping of src in [sva, eva), dst
 * may map the same va to the same frame with the same rights, not wired,
 * and both become MODEL_PRIVATE (copy-on-write).  Mappings dst already
 * has are kept.
 */
void model_copy(struct model *md, unsigned dst, unsigned src, vm_offset_t sva,
    vm_offset_t eva);

/*
 * on: the executor enters region va2m (2 MiB aligned: a user region or one
 * of the kmem arena) whole with one 2 MiB mapping (pmap_enter_2m), over
 * the 512 mappings the model holds there; its PS PDE need not carry
 * PG_PROMOTED until a page of the region is unmapped or mapped anew
 * (fork's copy inherits this).  off: undo it when the enter failed.
 * Returns -1 if as does not exist or va2m is not such a region.
 */
int model_superpage_set(struct model *md, unsigned as, vm_offset_t va2m,
    bool on);
/* Whether the region holding va2m was so entered. */
bool model_superpage(const struct model *md, unsigned as, vm_offset_t va2m);
/*
 * Whether the model maps region va2m of as (2 MiB aligned) whole as one
 * 2 MiB page could: page i to frame f0 + i, f0 a multiple of 512, every
 * page with prot and, within fmask, flags.  Returns f0, or UINT32_MAX.
 */
uint32_t model_region_frames(const struct model *md, unsigned as,
    vm_offset_t va2m, vm_prot_t prot, unsigned flags, unsigned fmask);
/* Frames.  alloc/free return -1 for a bad pfn; free also returns -1 when
 * the model still maps the frame (the executor's bug; frame is freed). */
int model_page_alloc(struct model *md, uint32_t pfn);
int model_page_free(struct model *md, uint32_t pfn);
void model_page_busy(struct model *md, uint32_t pfn, bool busy);
void model_page_io(struct model *md, uint32_t pfn, bool io);
/*
 * A write through a managed mapping of pfn succeeded (a touch, or the
 * hardware setting PG_M in a race) / the executor cleaned pfn: call
 * model_page_cleaned BEFORE pmap_clear_modify (or at completion of an I/O
 * write), since the check after the call expects PG_M gone.  Writes
 * through unmanaged mappings (kmem, qenter buffers) are their owner's
 * business: the pmap does not track them (FreeBSD's buffer cache dirties
 * such pages itself), so do not report them here.
 */
void model_page_written(struct model *md, uint32_t pfn);
void model_page_cleaned(struct model *md, uint32_t pfn);

/* Queries.  lookup returns NULL when va is unmapped in as (or outside). */
const struct model_map *model_lookup(const struct model *md, unsigned as,
    vm_offset_t va);
const struct model_frame *model_frame(const struct model *md, uint32_t pfn);
/* The dense array of every frame's state (MODEL_FRAMES_MAX entries,
 * indexed by pfn), for fast read-only scans; stable for md's lifetime. */
const struct model_frame *model_frames(const struct model *md);
/* The dense array of as's slots (model_nslots(as) entries, indexed by
 * model_slot(); prot == 0 means unmapped), for fast read-only scans;
 * stable for md's lifetime. */
const struct model_map *model_maps(const struct model *md, unsigned as);
/* Copy up to max of pfn's mappings into out; returns how many exist. */
unsigned model_frame_maps(const struct model *md, uint32_t pfn,
    struct model_ref *out, unsigned max);

/*
 * Change journals for the checker: the global slots (see model_slot) and
 * the frames whose intent changed since the last model_pending_clear(),
 * each listed once.  The lists stay valid until the next model call.
 *
 * The checker reads them after every pmap call, so they are inline: a
 * struct model begins with this head (C11 6.7.2.1: a pointer to a struct
 * points to its first member), which only model.c writes.
 */
struct model_pending_head {
	uint32_t nslots, nframes;
	uint32_t gen; /* a slot's or frame's stamp equals it while listed */
	uint32_t *slots, *frames;
};

static inline unsigned
model_pending_slots(const struct model *md, const uint32_t **list)
{
	const struct model_pending_head *h = (const void *)md;

	*list = h->slots;
	return h->nslots;
}

static inline unsigned
model_pending_frames(const struct model *md, const uint32_t **list)
{
	const struct model_pending_head *h = (const void *)md;

	*list = h->frames;
	return h->nframes;
}

/* Called by model_pending_clear once in 2^32 clears: every stamp zeroed. */
void model_pending_wrap(struct model *md);

static inline void
model_pending_clear(struct model *md)
{
	struct model_pending_head *h = (void *)md;

	h->nslots = h->nframes = 0;
	if (++h->gen == 0)
		model_pending_wrap(md);
}

/* Every frame whose state changed since the last reset (a superset of
 * the frames with any flag set), each listed once. */
unsigned model_used_frames(const struct model *md, const uint32_t **list);

#endif /* PMAPFUZZ_MODEL_H */

/*
 * model.c - the reference model (see model.h).
 *
 * Every address space is a dense array of struct model_map indexed by page
 * slot.  Each frame keeps a singly linked list of the slots that map it
 * (through next[], by global slot number) so that the checker can ask where
 * a frame is meant to be mapped.  Two journals make model_reset() and the
 * checker's incremental pass cost in proportion to use: "used" lists every
 * slot and frame changed since the last reset, "pending" those changed
 * since the checker last looked.
 */
#include "pmapfuzz/model.h"

#include <stdlib.h>
#include <string.h>

#define NGSLOTS (MODEL_AS_MAX * MODEL_SLOTS_MAX)

/* Journal marks, per slot and per frame: used since the last reset. */
#define MARK_USED 0x1
/* The 2 MiB regions of an address space's universe, at most: the user
 * regions (not the kernel stack's) or the kmem arena's. */
#define SP_REGIONS (USER_REGIONS > KVA_REGIONS ? USER_REGIONS : KVA_REGIONS)

/* The 2 MiB region of slot of as, or -1 outside every region. */
static inline int
model_region(unsigned as, unsigned slot)
{
	unsigned n = as == MODEL_KERNEL_AS ? KVA_REGIONS : USER_REGIONS;

	return slot < n * NPTEPG ? (int)(slot / NPTEPG) : -1;
}

struct model {
	/* First, for model.h's inline readers: the journal's counts, stamp
	 * and lists (slots: pend_slots, frames: pend_frames). */
	struct model_pending_head pend;
	struct model_map map[MODEL_AS_MAX][MODEL_SLOTS_MAX];
	int32_t next[NGSLOTS]; /* next slot mapping the same frame, -1 */
	struct model_frame frame[MODEL_FRAMES_MAX];
	uint8_t exists[MODEL_AS_MAX];
	uint16_t count[MODEL_AS_MAX];
	uint16_t wired[MODEL_AS_MAX];
	/* Regions entered whole by one 2 MiB mapping (model_superpage_set)
	 * and not remapped since. */
	uint8_t superpage[MODEL_AS_MAX][SP_REGIONS];

	uint8_t slot_mark[NGSLOTS];
	uint8_t frame_mark[MODEL_FRAMES_MAX];
	uint32_t used_slots[NGSLOTS];
	uint32_t nused_slots;
	uint32_t used_frames[MODEL_FRAMES_MAX];
	uint32_t nused_frames;
	/*
	 * Changed since the last model_pending_clear: the lists (counts in
	 * pend), and per slot and frame a stamp that equals pend.gen exactly
	 * when it is on its list (a clear moves pend.gen on; at a wrap the
	 * stamps are zeroed).
	 */
	uint32_t slot_pend[NGSLOTS];
	uint32_t frame_pend[MODEL_FRAMES_MAX];
	uint32_t pend_slots[NGSLOTS];
	uint32_t pend_frames[MODEL_FRAMES_MAX];
};

_Static_assert(NGSLOTS < INT32_MAX, "global slots fit the links");

struct model *
model_create(void)
{
	struct model *md = calloc(1, sizeof(*md));

	if (md == NULL)
		return NULL;
	for (uint32_t i = 0; i < NGSLOTS; i++)
		md->next[i] = -1;
	for (uint32_t i = 0; i < MODEL_FRAMES_MAX; i++)
		md->frame[i].first = -1;
	md->exists[MODEL_KERNEL_AS] = 1;
	md->pend.gen = 1;
	md->pend.slots = md->pend_slots;
	md->pend.frames = md->pend_frames;
	return md;
}

void
model_destroy(struct model *md)
{
	free(md);
}

void
model_reset(struct model *md)
{
	for (uint32_t i = 0; i < md->nused_slots; i++) {
		uint32_t g = md->used_slots[i];

		memset(&md->map[g / MODEL_SLOTS_MAX][g % MODEL_SLOTS_MAX], 0,
		    sizeof(struct model_map));
		md->next[g] = -1;
		md->slot_mark[g] = 0;
	}
	for (uint32_t i = 0; i < md->nused_frames; i++) {
		uint32_t pfn = md->used_frames[i];

		memset(&md->frame[pfn], 0, sizeof(md->frame[pfn]));
		md->frame[pfn].first = -1;
		md->frame_mark[pfn] = 0;
	}
	md->nused_slots = md->nused_frames = 0;
	model_pending_clear(md);
	memset(md->exists, 0, sizeof(md->exists));
	memset(md->count, 0, sizeof(md->count));
	memset(md->wired, 0, sizeof(md->wired));
	memset(md->superpage, 0, sizeof(md->superpage));
	md->exists[MODEL_KERNEL_AS] = 1;
}

/*
 * Journal a change of global slot g.  A slot pending since the last
 * clear is used since the last reset (a reset also clears), so a pending
 * one needs nothing more.
 */
static inline void
model_touch_slot(struct model *md, uint32_t g)
{
	if (md->slot_pend[g] == md->pend.gen)
		return;
	md->slot_pend[g] = md->pend.gen;
	md->pend_slots[md->pend.nslots++] = g;
	if ((md->slot_mark[g] & MARK_USED) == 0) {
		md->slot_mark[g] = MARK_USED;
		md->used_slots[md->nused_slots++] = g;
	}
}

static inline void
model_touch_frame(struct model *md, uint32_t pfn)
{
	if (md->frame_pend[pfn] == md->pend.gen)
		return;
	md->frame_pend[pfn] = md->pend.gen;
	md->pend_frames[md->pend.nframes++] = pfn;
	if ((md->frame_mark[pfn] & MARK_USED) == 0) {
		md->frame_mark[pfn] = MARK_USED;
		md->used_frames[md->nused_frames++] = pfn;
	}
}

/* Unlink global slot g from frame pfn's list. */
static void
model_frame_unlink(struct model *md, uint32_t pfn, uint32_t g)
{
	int32_t *link = &md->frame[pfn].first;

	while (*link != -1 && (uint32_t)*link != g)
		link = &md->next[*link];
	if (*link == -1)
		return;
	*link = md->next[g];
	md->next[g] = -1;
	md->frame[pfn].nmaps--;
}

/* Clear slot (as, slot); the caller checked as and slot. */
static void
model_clear_slot(struct model *md, unsigned as, unsigned slot)
{
	struct model_map *mp = &md->map[as][slot];
	uint32_t g = as * MODEL_SLOTS_MAX + slot;
	int r;

	if (mp->prot == 0)
		return;
	/* A page of the region goes or changes: its 2 MiB entry is over. */
	if ((r = model_region(as, slot)) >= 0)
		md->superpage[as][r] = 0;
	model_touch_slot(md, g);
	model_touch_frame(md, mp->pfn);
	model_frame_unlink(md, mp->pfn, g);
	md->count[as]--;
	if ((mp->flags & MODEL_WIRED) != 0)
		md->wired[as]--;
	memset(mp, 0, sizeof(*mp));
}

/* Set slot (as, slot) to map pfn; the caller checked everything. */
static void
model_set_slot(struct model *md, unsigned as, unsigned slot, uint32_t pfn,
    vm_prot_t prot, unsigned flags)
{
	struct model_map *mp = &md->map[as][slot];
	uint32_t g = as * MODEL_SLOTS_MAX + slot;

	if (mp->prot != 0) /* no call for the common empty slot */
		model_clear_slot(md, as, slot);
	model_touch_slot(md, g);
	model_touch_frame(md, pfn);
	mp->pfn = pfn;
	mp->prot = (uint8_t)(prot | VM_PROT_READ);
	mp->flags =
	    (uint8_t)(flags & (MODEL_WIRED | MODEL_MANAGED | MODEL_PRIVATE));
	md->next[g] = md->frame[pfn].first;
	md->frame[pfn].first = (int32_t)g;
	md->frame[pfn].nmaps++;
	md->count[as]++;
	if ((flags & MODEL_WIRED) != 0)
		md->wired[as]++;
}

int
model_as_create(struct model *md, unsigned as)
{
	if (as >= MODEL_AS_MAX || md->exists[as])
		return -1;
	md->exists[as] = 1;
	return 0;
}

void
model_as_destroy(struct model *md, unsigned as)
{
	if (as >= MODEL_AS_MAX || !md->exists[as])
		return;
	model_unmap_range(md, as, 0, UINT64_MAX);
	if (as != MODEL_KERNEL_AS)
		md->exists[as] = 0;
}

bool
model_as_exists(const struct model *md, unsigned as)
{
	return as < MODEL_AS_MAX && md->exists[as];
}

unsigned
model_as_count(const struct model *md, unsigned as)
{
	return as < MODEL_AS_MAX ? md->count[as] : 0;
}

unsigned
model_as_wired(const struct model *md, unsigned as)
{
	return as < MODEL_AS_MAX ? md->wired[as] : 0;
}

int
model_map(struct model *md, unsigned as, vm_offset_t va, uint32_t pfn,
    vm_prot_t prot, unsigned flags)
{
	int slot = model_slot(as, va);

	if (slot < 0 || !md->exists[as] || pfn >= MODEL_FRAMES_MAX ||
	    (prot & VM_PROT_READ) == 0)
		return -1;
	model_set_slot(md, as, (unsigned)slot, pfn, prot, flags);
	return 0;
}

int
model_unmap(struct model *md, unsigned as, vm_offset_t va)
{
	int slot = model_slot(as, va);

	if (slot < 0 || !md->exists[as])
		return -1;
	model_clear_slot(md, as, (unsigned)slot);
	return 0;
}

/* Call fn for every mapped slot of as in slots [first, end). */
static void
model_range_slots(struct model *md, unsigned as, unsigned first, unsigned end,
    void (*fn)(struct model *, unsigned, unsigned, vm_prot_t), vm_prot_t arg)
{
	for (unsigned s = first; s < end && md->count[as] != 0; s++)
		if (md->map[as][s].prot != 0)
			fn(md, as, s, arg);
}

/*
 * Call fn for every mapped slot of as whose va lies in [sva, eva): the
 * universe is one or two runs of slots, so the range is clipped to each.
 */
static void
model_range(struct model *md, unsigned as, vm_offset_t sva, vm_offset_t eva,
    void (*fn)(struct model *, unsigned, unsigned, vm_prot_t), vm_prot_t arg)
{
	static const struct {
		int kernel;
		vm_offset_t base;
		unsigned first, n;
	} runs[] = {
		{ 1, KVA_BASE, 0, KVA_REGIONS * NPTEPG },
		{ 0, USER_BASE, 0, USER_REGIONS * NPTEPG },
		{ 0, KSTACK_VA, USER_REGIONS * NPTEPG, KSTACK_PAGES },
	};

	if (as >= MODEL_AS_MAX || !md->exists[as] || md->count[as] == 0 ||
	    eva <= sva)
		return;
	for (unsigned i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		vm_offset_t lo = runs[i].base;
		vm_offset_t hi = runs[i].base + ptoa(runs[i].n);
		vm_offset_t a = sva > lo ? sva : lo, b = eva < hi ? eva : hi;

		if ((runs[i].kernel != 0) != (as == MODEL_KERNEL_AS) || a >= b)
			continue;
		model_range_slots(md, as,
		    runs[i].first +
			(unsigned)((a - lo + PAGE_MASK) >> PAGE_SHIFT),
		    runs[i].first +
			(unsigned)((b - lo + PAGE_MASK) >> PAGE_SHIFT),
		    fn, arg);
	}
}

static void
model_range_unmap(struct model *md, unsigned as, unsigned slot,
    vm_prot_t unused)
{
	(void)unused;
	model_clear_slot(md, as, slot);
}

static void
model_range_protect(struct model *md, unsigned as, unsigned slot,
    vm_prot_t prot)
{
	struct model_map *mp = &md->map[as][slot];
	vm_prot_t np = (vm_prot_t)(mp->prot & prot);

	if ((np & VM_PROT_READ) == 0) {
		model_clear_slot(md, as, slot);
		return;
	}
	if (np == mp->prot)
		return;
	model_touch_slot(md, as * MODEL_SLOTS_MAX + slot);
	mp->prot = np;
}

void
model_unmap_range(struct model *md, unsigned as, vm_offset_t sva,
    vm_offset_t eva)
{
	model_range(md, as, sva, eva, model_range_unmap, 0);
}

void
model_protect(struct model *md, unsigned as, vm_offset_t sva, vm_offset_t eva,
    vm_prot_t prot)
{
	model_range(md, as, sva, eva, model_range_protect, prot);
}

int
model_wire(struct model *md, unsigned as, vm_offset_t va, bool wired)
{
	int slot = model_slot(as, va);
	struct model_map *mp;

	if (slot < 0 || !md->exists[as])
		return -1;
	mp = &md->map[as][slot];
	if (mp->prot == 0)
		return -1;
	if (((mp->flags & MODEL_WIRED) != 0) == wired)
		return 0;
	model_touch_slot(md, as * MODEL_SLOTS_MAX + (unsigned)slot);
	if (wired) {
		mp->flags |= MODEL_WIRED;
		md->wired[as]++;
	} else {
		mp->flags &= (uint8_t)~MODEL_WIRED;
		md->wired[as]--;
	}
	return 0;
}

void
model_unmap_frame(struct model *md, uint32_t pfn)
{
	if (pfn >= MODEL_FRAMES_MAX)
		return;
	while (md->frame[pfn].first != -1) {
		uint32_t g = (uint32_t)md->frame[pfn].first;

		model_clear_slot(md, g / MODEL_SLOTS_MAX, g % MODEL_SLOTS_MAX);
	}
}

void
model_copy(struct model *md, unsigned dst, unsigned src, vm_offset_t sva,
    vm_offset_t eva)
{
	unsigned n;

	if (dst == MODEL_KERNEL_AS || src == MODEL_KERNEL_AS ||
	    !model_as_exists(md, dst) || !model_as_exists(md, src))
		return;
	n = model_nslots(src);
	for (unsigned s = 0; s < n; s++) {
		struct model_map *sp = &md->map[src][s];
		vm_offset_t va = model_slot_va(src, s);

		if (sp->prot == 0 || (sp->flags & MODEL_MANAGED) == 0 ||
		    va < sva || va >= eva || md->map[dst][s].prot != 0)
			continue;
		if ((sp->flags & MODEL_PRIVATE) == 0) {
			sp->flags |= MODEL_PRIVATE;
			model_touch_slot(md, src * MODEL_SLOTS_MAX + s);
		}
		model_set_slot(md, dst, s, sp->pfn, sp->prot,
		    (sp->flags & ~MODEL_WIRED) | MODEL_PRIVATE);
	}
	/* A 2 MiB mapping is copied as it is (pmap_copy). */
	for (unsigned r = 0; r < USER_REGIONS; r++) {
		vm_offset_t rva = USER_BASE + (vm_offset_t)r * NBPDR;

		if (md->superpage[src][r] && rva >= sva && rva + NBPDR <= eva)
			md->superpage[dst][r] = 1;
	}
}

int
model_superpage_set(struct model *md, unsigned as, vm_offset_t va2m, bool on)
{
	int s = model_slot(as, va2m), r;

	if (!model_as_exists(md, as) || s < 0 || (va2m & PDRMASK) != 0 ||
	    (r = model_region(as, (unsigned)s)) < 0)
		return -1;
	md->superpage[as][r] = on;
	return 0;
}

bool
model_superpage(const struct model *md, unsigned as, vm_offset_t va2m)
{
	int s = model_slot(as, va2m), r;

	return s >= 0 && (r = model_region(as, (unsigned)s)) >= 0 &&
	    md->superpage[as][r] != 0;
}

uint32_t
model_region_frames(const struct model *md, unsigned as, vm_offset_t va2m,
    vm_prot_t prot, unsigned flags, unsigned fmask)
{
	int s0 = model_slot(as, va2m);
	const struct model_map *run;
	uint32_t f0;

	if (s0 < 0 || (va2m & PDRMASK) != 0 ||
	    model_region(as, (unsigned)s0) < 0)
		return UINT32_MAX;
	run = &md->map[as][s0];
	f0 = run[0].pfn;
	if (run[0].prot == 0 || f0 % NPTEPG != 0)
		return UINT32_MAX;
	for (unsigned i = 0; i < NPTEPG; i++)
		if (run[i].pfn != f0 + i || run[i].prot != prot ||
		    ((run[i].flags ^ flags) & fmask) != 0)
			return UINT32_MAX;
	return f0;
}

int
model_page_alloc(struct model *md, uint32_t pfn)
{
	if (pfn >= MODEL_FRAMES_MAX)
		return -1;
	model_touch_frame(md, pfn);
	md->frame[pfn].flags = MODEL_F_ALLOCATED;
	return 0;
}

int
model_page_free(struct model *md, uint32_t pfn)
{
	if (pfn >= MODEL_FRAMES_MAX)
		return -1;
	model_touch_frame(md, pfn);
	md->frame[pfn].flags = 0;
	return md->frame[pfn].nmaps != 0 ? -1 : 0;
}

/* Set or clear frame flag bit of pfn. */
static void
model_frame_flag(struct model *md, uint32_t pfn, uint8_t bit, bool on)
{
	if (pfn >= MODEL_FRAMES_MAX)
		return;
	model_touch_frame(md, pfn);
	if (on)
		md->frame[pfn].flags |= bit;
	else
		md->frame[pfn].flags &= (uint8_t)~bit;
}

void
model_page_busy(struct model *md, uint32_t pfn, bool busy)
{
	model_frame_flag(md, pfn, MODEL_F_BUSY, busy);
}

void
model_page_io(struct model *md, uint32_t pfn, bool io)
{
	model_frame_flag(md, pfn, MODEL_F_IO, io);
}

void
model_page_written(struct model *md, uint32_t pfn)
{
	model_frame_flag(md, pfn, MODEL_F_WRITTEN, true);
}

void
model_page_cleaned(struct model *md, uint32_t pfn)
{
	model_frame_flag(md, pfn, MODEL_F_WRITTEN, false);
}

const struct model_map *
model_lookup(const struct model *md, unsigned as, vm_offset_t va)
{
	int slot = model_slot(as, va);
	const struct model_map *mp;

	if (slot < 0)
		return NULL;
	mp = &md->map[as][slot];
	return mp->prot != 0 ? mp : NULL;
}

const struct model_map *
model_maps(const struct model *md, unsigned as)
{
	return as < MODEL_AS_MAX ? md->map[as] : md->map[0];
}

const struct model_frame *
model_frame(const struct model *md, uint32_t pfn)
{
	return pfn < MODEL_FRAMES_MAX ? &md->frame[pfn] : NULL;
}

const struct model_frame *
model_frames(const struct model *md)
{
	return md->frame;
}

unsigned
model_frame_maps(const struct model *md, uint32_t pfn, struct model_ref *out,
    unsigned max)
{
	unsigned n = 0;

	if (pfn >= MODEL_FRAMES_MAX)
		return 0;
	for (int32_t g = md->frame[pfn].first; g != -1; g = md->next[g]) {
		if (n < max) {
			out[n].as = (unsigned)g / MODEL_SLOTS_MAX;
			out[n].va = model_slot_va(out[n].as,
			    (unsigned)g % MODEL_SLOTS_MAX);
		}
		n++;
	}
	return n;
}

void
model_pending_wrap(struct model *md)
{
	memset(md->slot_pend, 0, sizeof(md->slot_pend));
	memset(md->frame_pend, 0, sizeof(md->frame_pend));
	md->pend.gen = 1;
}

unsigned
model_used_frames(const struct model *md, const uint32_t **list)
{
	*list = md->used_frames;
	return md->nused_frames;
}

/*
 * machine.c - the simulated substrate under the pmap: physical frames and
 * their vm_page records, reservations, page-table contents reached through
 * pt_* references (direct or through an alternate window), the change log,
 * and the boot snapshot that machine_reset() returns to.  CPUs, TLBs, table
 * walks and memory touches live in tlb.c.
 *
 * Physical memory is cut in 2 MiB chunks of RESERV_FRAMES frames; chunk c
 * holds frames [c * 512, c * 512 + 511] and reserv[c] describes it:
 *
 *	chunks 0 .. KVA_REGIONS-1	pinned to OBJ_KMEM, pindex c * 512
 *	chunks KVA_REGIONS .. last-1	reservable by any object
 *	last chunk			the direct pool (never reserved)
 *
 * Every chunk's popcnt/popmap counts its allocated frames, reserved or not,
 * so the direct pool's free frames are found from its popmap too.
 */
#include "pmapfuzz/machine.h"

#include <stdlib.h>
#include <string.h>

#include "machine_int.h"
#include "pmapfuzz/passert.h"

/* The direct pool and the kmem chunks must not overlap, and at least one
 * chunk must be reservable by objects. */
#define MACH_CHUNKS_MIN (KVA_REGIONS + 2)
#define MACH_FRAMES_MIN (MACH_CHUNKS_MIN * RESERV_FRAMES)

_Static_assert(MACH_FRAMES_MAX % RESERV_FRAMES == 0,
    "memory is a whole number of chunks");
_Static_assert(MACH_FRAMES_MIN <= MACH_FRAMES_DEFAULT,
    "the default machine is big enough");
_Static_assert(MACH_TABLES_MAX <= 0xffff, "slot map fits in 16 bits");
_Static_assert(MACH_CPUS_MAX <= 32, "a cpumask is 32 bits");
_Static_assert(RESERV_FRAMES ==
	64 * (sizeof(((struct reserv *)0)->popmap) / sizeof(uint64_t)),
    "popmap has one bit per frame");

/*
 * The state machine_reset() returns to.  Table contents are kept only for
 * the slots in use at boot: contents[slot_copy[slot] - 1] is slot's copy,
 * slot_copy[slot] == 0 when the slot was free.
 */
struct machine_boot {
	struct vm_page *pages; /* cfg.nframes records */
	struct reserv reserv[RESERV_MAX];
	struct cpu cpus[MACH_CPUS_MAX];
	struct apt_window win[WIN_COUNT];
	uint32_t next_object;
	uint32_t table_free[MACH_TABLES_MAX];
	uint32_t ntable_free;
	uint16_t slot_copy[MACH_TABLES_MAX];
	pt_entry_t (*contents)[NPTEPG];
};

static uint32_t
mach_nchunks(const struct machine *mc)
{
	return mc->cfg.nframes / RESERV_FRAMES;
}

static uint32_t
mach_direct_chunk(const struct machine *mc)
{
	return mach_nchunks(mc) - 1;
}

/*
 * Turn a caller's configuration (or NULL) into a valid one: nframes rounded
 * down to whole chunks and clamped to [MACH_FRAMES_MIN, MACH_FRAMES_MAX]
 * (0 means MACH_FRAMES_DEFAULT); ncpus clamped to [1, MACH_CPUS_MAX].
 */
static struct mach_config
mach_config_fix(const struct mach_config *cfg)
{
	struct mach_config c = { .nframes = MACH_FRAMES_DEFAULT, .ncpus = 1 };

	if (cfg == NULL)
		return c;
	if (cfg->nframes != 0) {
		c.nframes = cfg->nframes - cfg->nframes % RESERV_FRAMES;
		if (c.nframes < MACH_FRAMES_MIN)
			c.nframes = MACH_FRAMES_MIN;
		if (c.nframes > MACH_FRAMES_MAX)
			c.nframes = MACH_FRAMES_MAX;
	}
	if (cfg->ncpus != 0)
		c.ncpus =
		    cfg->ncpus > MACH_CPUS_MAX ? MACH_CPUS_MAX : cfg->ncpus;
	return c;
}

struct machine *
machine_create(const struct mach_config *cfg)
{
	struct machine *mc;
	uint32_t n;

	mc = calloc(1, sizeof(*mc));
	if (mc == NULL)
		return NULL;
	mc->cfg = mach_config_fix(cfg);
	mc->log_mask = MACH_LOG_ALL;
	n = mc->cfg.nframes;
	mc->tables = calloc(MACH_TABLES_MAX, sizeof(*mc->tables));
	mc->touched = calloc(n, sizeof(*mc->touched));
	mc->touched_mark = calloc(n, sizeof(*mc->touched_mark));
	if (mc->tables == NULL || mc->touched == NULL ||
	    mc->touched_mark == NULL) {
		machine_destroy(mc);
		return NULL;
	}
	for (uint32_t pfn = 0; pfn < MACH_FRAMES_MAX; pfn++)
		mc->pages[pfn].pfn = pfn;
	/* Pushed high to low so that slot 1 is handed out first. */
	for (uint32_t slot = MACH_TABLES_MAX - 1; slot >= 1; slot--)
		mc->table_free[mc->ntable_free++] = slot;
	for (uint32_t c = 0; c < KVA_REGIONS; c++) {
		mc->reserv[c].object = OBJ_KMEM;
		mc->reserv[c].pindex = (uint64_t)c * RESERV_FRAMES;
		mc->reserv[c].pinned = 1;
	}
	for (unsigned i = 0; i < MACH_CPUS_MAX; i++)
		mc->cpus[i].pmap_id = -1;
	mc->next_object = 2;
	return mc;
}

void
machine_destroy(struct machine *mc)
{
	if (mc == NULL)
		return;
	if (mc->boot != NULL) {
		free(mc->boot->pages);
		free(mc->boot->contents);
		free(mc->boot);
	}
	free(mc->tables);
	free(mc->touched);
	free(mc->touched_mark);
	free(mc);
}

/*
 * Take the snapshot machine_reset() returns to, replacing any earlier one,
 * and forget which frames were touched.  Aborts if memory runs out: a
 * machine without a snapshot cannot honour machine_reset().
 */
void
machine_boot_done(struct machine *mc)
{
	struct machine_boot *b = mc->boot;
	uint32_t n = mc->cfg.nframes, ncopy = 0;
	uint32_t nused = MACH_TABLES_MAX - 1 - mc->ntable_free;

	if (b == NULL) {
		b = calloc(1, sizeof(*b));
		PMAP_ASSERT(mc, b != NULL, "out of memory");
		b->pages = calloc(n, sizeof(*b->pages));
		PMAP_ASSERT(mc, b->pages != NULL, "out of memory");
		mc->boot = b;
	}
	memcpy(b->pages, mc->pages, n * sizeof(*b->pages));
	memcpy(b->reserv, mc->reserv, sizeof(b->reserv));
	memcpy(b->cpus, mc->cpus, sizeof(b->cpus));
	memcpy(b->win, mc->win, sizeof(b->win));
	b->next_object = mc->next_object;
	memcpy(b->table_free, mc->table_free, sizeof(b->table_free));
	b->ntable_free = mc->ntable_free;
	mc->table_free_low = mc->ntable_free;

	memset(b->slot_copy, 0, sizeof(b->slot_copy));
	free(b->contents);
	/* One spare so that a machine without tables still gets memory. */
	b->contents = calloc(nused + 1, sizeof(*b->contents));
	PMAP_ASSERT(mc, b->contents != NULL, "out of memory");
	for (uint32_t pfn = 0; pfn < n; pfn++) {
		uint32_t slot = mc->pages[pfn].table;

		if (slot == 0)
			continue;
		memcpy(b->contents[ncopy], mc->tables[slot],
		    sizeof(b->contents[0]));
		b->slot_copy[slot] = (uint16_t)++ncopy;
	}

	for (uint32_t i = 0; i < mc->ntouched; i++)
		mc->touched_mark[mc->touched[i]] = 0;
	mc->ntouched = 0;
}

/*
 * Return to the boot snapshot.  Only touched frames are restored (their
 * vm_page and, if they held a table at boot, that table's contents in its
 * boot slot); the fixed-size arrays are copied whole.  Frames allocated
 * since boot go back to free because their boot record is free, and their
 * slots return with the boot free stack.
 */
void
machine_reset(struct machine *mc)
{
	struct machine_boot *b = mc->boot;

	PMAP_ASSERT(mc, b != NULL, "machine_boot_done() was never called");
	for (uint32_t i = 0; i < mc->ntouched; i++) {
		uint32_t pfn = mc->touched[i];
		uint32_t slot = b->pages[pfn].table;

		mc->pages[pfn] = b->pages[pfn];
		if (slot != 0)
			memcpy(mc->tables[slot],
			    b->contents[b->slot_copy[slot] - 1],
			    sizeof(mc->tables[0]));
		mc->touched_mark[pfn] = 0;
	}
	mc->ntouched = 0;
	mach_tables_changed(mc);
	memcpy(mc->reserv, b->reserv, sizeof(mc->reserv));
	memcpy(mc->cpus, b->cpus, sizeof(mc->cpus));
	memcpy(mc->win, b->win, sizeof(mc->win));
	mc->next_object = b->next_object;
	/* Slots are pushed only at ntable_free: the stack below the low
	 * water mark still holds the boot stack. */
	memcpy(&mc->table_free[mc->table_free_low],
	    &b->table_free[mc->table_free_low],
	    (b->ntable_free - mc->table_free_low) * sizeof(mc->table_free[0]));
	mc->ntable_free = mc->table_free_low = b->ntable_free;
	mc->nlog = 0;
	mc->log_kinds = 0;
	mc->log_overflow = 0;
	mc->curcpu = 0;
	mc->crit = 0;
	mc->intr_pending = 0;
}

void
mach_mark_touched(struct machine *mc, uint32_t pfn)
{
	PMAP_ASSERT(mc, pfn < mc->cfg.nframes, "pfn %u out of range",
	    (unsigned)pfn);
	mach_touch_frame(mc, pfn);
}

/* Hash: FNV-1a over explicit little-endian field values (never raw struct
 * bytes, which would include padding). */
#define HASH_BASIS 0xcbf29ce484222325ULL
#define HASH_MUL 0x9e3779b97f4a7c15ULL

/* One word into the running hash: a multiply and a shift, so that hashing
 * is cheap enough for the fuzz target's self-check. */
static uint64_t
hash_u64(uint64_t h, uint64_t v)
{
	h = (h ^ v) * HASH_MUL;
	return h ^ (h >> 29);
}

/* A page table's 512 entries: four independent lanes (the multiplies
 * overlap), folded into h in a fixed order. */
static uint64_t
hash_table(uint64_t h, const pt_entry_t *t)
{
	uint64_t lane[4] = { h, h ^ 1, h ^ 2, h ^ 3 };

	for (unsigned i = 0; i < NPTEPG; i += 4)
		for (unsigned k = 0; k < 4; k++)
			lane[k] = (lane[k] ^ t[i + k]) * HASH_MUL;
	for (unsigned k = 0; k < 4; k++)
		h = hash_u64(h, lane[k] ^ (lane[k] >> 29));
	return h;
}

static uint64_t
hash_tlb(uint64_t h, const struct tlb_entry *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!e[i].valid)
			continue;
		h = hash_u64(h, i);
		h = hash_u64(h, e[i].va);
		h = hash_u64(h, e[i].pfn);
		h = hash_u64(h, e[i].root);
		h = hash_u64(h, e[i].big);
		h = hash_u64(h, e[i].rw);
		h = hash_u64(h, e[i].user);
		h = hash_u64(h, e[i].nx);
		h = hash_u64(h, e[i].dirty);
		h = hash_u64(h, e[i].global);
	}
	return h;
}

/*
 * Hash of the observable state.  Table slot numbers, touched marks, the
 * log and the harness's fields (hooks, bugs, curcpu) are left out.
 */
uint64_t
machine_hash(const struct machine *mc, uint64_t seed)
{
	uint64_t h = hash_u64(HASH_BASIS, seed);

	h = hash_u64(h, mc->cfg.nframes);
	h = hash_u64(h, mc->cfg.ncpus);
	for (uint32_t pfn = 0; pfn < mc->cfg.nframes; pfn++) {
		const struct vm_page *m = &mc->pages[pfn];
		const pt_entry_t *t;

		if ((m->flags & VPF_ALLOCATED) == 0)
			continue;
		h = hash_u64(h, m->pfn);
		h = hash_u64(h, m->object);
		h = hash_u64(h, m->pindex);
		h = hash_u64(h, m->flags);
		h = hash_u64(h, m->ref_count);
		h = hash_u64(h, m->wire_count);
		h = hash_u64(h, m->pv_head);
		h = hash_u64(h, m->pv2m_head);
		if ((t = mach_table(mc, pfn)) != NULL)
			h = hash_table(h, t);
	}
	for (uint32_t c = 0; c < mach_nchunks(mc); c++) {
		const struct reserv *r = &mc->reserv[c];

		h = hash_u64(h, r->object);
		h = hash_u64(h, r->pindex);
		h = hash_u64(h, r->popcnt);
		h = hash_u64(h, r->pinned);
		for (unsigned i = 0; i < RESERV_FRAMES / 64; i++)
			h = hash_u64(h, r->popmap[i]);
	}
	for (unsigned i = 0; i < mc->cfg.ncpus; i++) {
		const struct cpu *cpu = &mc->cpus[i];

		h = hash_u64(h, cpu->cr3);
		h = hash_u64(h, (uint64_t)(int64_t)cpu->pmap_id);
		h = hash_u64(h, cpu->intr_level);
		h = hash_u64(h, cpu->next4k);
		h = hash_u64(h, cpu->next2m);
		h = hash_tlb(h, cpu->tlb4k, TLB_4K_ENTRIES);
		h = hash_u64(h, 0x2d); /* separates the two arrays */
		h = hash_tlb(h, cpu->tlb2m, TLB_2M_ENTRIES);
	}
	for (unsigned i = 0; i < WIN_COUNT; i++) {
		h = hash_u64(h, mc->win[i].root);
		h = hash_u64(h, mc->win[i].gen);
	}
	return hash_u64(h, mc->next_object);
}

/* The change log. */

void
mach_log_clear(struct machine *mc)
{
	mc->nlog = 0;
	mc->log_kinds = 0;
	mc->log_overflow = 0;
}

/* Frames and reservations. */

uint32_t
vm_object_allocate(struct machine *mc)
{
	return mc->next_object++;
}

/* Whether chunk c (below the direct pool) is reserved for (object, base). */
static bool
reserv_is(const struct machine *mc, uint32_t c, uint32_t object, uint64_t base)
{
	return c < mach_direct_chunk(mc) && mc->reserv[c].object == object &&
	    mc->reserv[c].pindex == base;
}

/*
 * The chunk reserved for (object, base), or -1.  At most one chunk is: the
 * kmem chunks are reserved at boot for distinct bases and reserv_grab()
 * reserves only for a pair reserv_find() did not find.  So the chunk found
 * last, when it still matches, is the one the scan would find (a run of
 * pages of one object asks for the same chunk again and again).
 */
static int
reserv_find(struct machine *mc, uint32_t object, uint64_t base)
{
	if (reserv_is(mc, mc->reserv_hint, object, base))
		return (int)mc->reserv_hint;
	for (uint32_t c = 0; c < mach_direct_chunk(mc); c++)
		if (reserv_is(mc, c, object, base)) {
			mc->reserv_hint = c;
			return (int)c;
		}
	return -1;
}

/* Reserve the lowest wholly free reservable chunk for (object, base);
 * -1 if none is free. */
static int
reserv_grab(struct machine *mc, uint32_t object, uint64_t base)
{
	for (uint32_t c = KVA_REGIONS; c < mach_direct_chunk(mc); c++) {
		struct reserv *r = &mc->reserv[c];

		if (r->object == OBJ_NONE && r->popcnt == 0 && !r->pinned) {
			r->object = object;
			r->pindex = base;
			return (int)c;
		}
	}
	return -1;
}

/* The lowest free frame of the direct pool, or UINT32_MAX. */
static uint32_t
mach_direct_free(const struct machine *mc)
{
	uint32_t c = mach_direct_chunk(mc);
	const struct reserv *r = &mc->reserv[c];

	for (unsigned w = 0; w < RESERV_FRAMES / 64; w++) {
		uint64_t freemap = ~r->popmap[w];

		if (freemap != 0)
			return c * RESERV_FRAMES + w * 64 +
			    (uint32_t)__builtin_ctzll(freemap);
	}
	return UINT32_MAX;
}

/*
 * Hand out free frame pfn to (object, pindex).  The caller has checked that
 * a table slot is free if VM_ALLOC_PTP is asked for.
 */
static vm_page_t
mach_take_frame(struct machine *mc, uint32_t pfn, uint32_t object,
    uint64_t pindex, int flags)
{
	vm_page_t m = &mc->pages[pfn];
	struct reserv *r = &mc->reserv[pfn / RESERV_FRAMES];
	unsigned bit = pfn % RESERV_FRAMES;
	struct mach_event *ev;

	PMAP_ASSERT(mc, (m->flags & VPF_ALLOCATED) == 0,
	    "frame %u already allocated", (unsigned)pfn);
	mach_touch_frame(mc, pfn); /* pfn < nframes: the callers found it */
	m->object = object;
	m->pindex = pindex;
	/* Kernel-object pages are unmanaged: no PV entries (FreeBSD). */
	m->flags = VPF_ALLOCATED | (object == OBJ_KMEM ? VPF_UNMANAGED : 0);
	if ((flags & VM_ALLOC_WIRED) != 0)
		m->wire_count = 1;
	if ((flags & VM_ALLOC_PTP) != 0) {
		m->table = mc->table_free[--mc->ntable_free];
		if (mc->ntable_free < mc->table_free_low)
			mc->table_free_low = mc->ntable_free;
		mach_tables_changed(mc);
		memset(mc->tables[m->table], 0, sizeof(mc->tables[0]));
		m->flags |= VPF_PTP;
	}
	r->popcnt++;
	r->popmap[bit / 64] |= 1ULL << (bit % 64);
	if ((ev = mach_log_append(mc, EV_PAGE_ALLOC)) != NULL) {
		ev->pfn = pfn;
		if ((flags & VM_ALLOC_PTP) != 0)
			ev->flags = MACH_EVF_ZEROED_TABLE;
	}
	return m;
}

/*
 * The frame for (object, pindex) is frame (pindex & 511) of the chunk
 * reserved for (object, pindex & ~511), reserving the lowest free chunk if
 * there is none.  If no chunk can be had, or that frame is already
 * allocated (the caller allocated the same pindex twice), the page comes
 * from the direct pool instead, outside any reservation.
 */
vm_page_t
vm_page_alloc(struct machine *mc, uint32_t object, uint64_t pindex, int flags)
{
	uint64_t base = pindex & ~(uint64_t)(RESERV_FRAMES - 1);
	uint32_t pfn = UINT32_MAX;
	int c;

	PMAP_ASSERT(mc, object != OBJ_NONE,
	    "object pages need an object; use vm_page_alloc_noobj");
	if ((flags & VM_ALLOC_NOFAULT) == 0 &&
	    FI_SITE(mc, FI_ALLOC_PAGE, NULL) != 0)
		return NULL;
	if ((flags & VM_ALLOC_PTP) != 0 && mc->ntable_free == 0)
		return NULL;
	if ((c = reserv_find(mc, object, base)) < 0)
		c = reserv_grab(mc, object, base);
	if (c >= 0) {
		pfn = (uint32_t)c * RESERV_FRAMES + (uint32_t)(pindex - base);
		if ((mc->pages[pfn].flags & VPF_ALLOCATED) != 0)
			pfn = UINT32_MAX;
	}
	if (pfn == UINT32_MAX && (pfn = mach_direct_free(mc)) == UINT32_MAX)
		return NULL;
	return mach_take_frame(mc, pfn, object, pindex, flags);
}

vm_page_t
vm_page_alloc_noobj(struct machine *mc, int flags)
{
	uint32_t pfn;

	if ((flags & VM_ALLOC_NOFAULT) == 0 &&
	    FI_SITE(mc, FI_ALLOC_PTP, NULL) != 0)
		return NULL;
	if ((flags & VM_ALLOC_PTP) != 0 && mc->ntable_free == 0)
		return NULL;
	if ((pfn = mach_direct_free(mc)) == UINT32_MAX)
		return NULL;
	return mach_take_frame(mc, pfn, OBJ_NONE, 0, flags);
}

/*
 * Free an allocated frame that no PV list still names.  Its table slot goes
 * back on the free stack (contents are not checked: a freed table that
 * still holds valid entries is for the invariants to find).  An emptied
 * reservation that is not pinned becomes free for any object.
 */
void
vm_page_free(struct machine *mc, vm_page_t m)
{
	uint32_t pfn;
	struct reserv *r;
	unsigned bit;
	struct mach_event *ev;
	int was_table;

	PMAP_ASSERT(mc, m >= &mc->pages[0] && m < &mc->pages[mc->cfg.nframes],
	    "not a page of this machine");
	pfn = m->pfn;
	r = &mc->reserv[pfn / RESERV_FRAMES];
	bit = pfn % RESERV_FRAMES;
	PMAP_ASSERT(mc, (m->flags & VPF_ALLOCATED) != 0,
	    "frame %u is not allocated", (unsigned)pfn);
	PMAP_ASSERT(mc, m->pv_head == 0 && m->pv2m_head == 0,
	    "frame %u still has PV entries (pv %u, pv2m %u)", (unsigned)pfn,
	    (unsigned)m->pv_head, (unsigned)m->pv2m_head);
	mach_touch_frame(mc, pfn); /* m is one of the nframes, asserted above */
	was_table = m->table != 0;
	if (was_table) {
		mc->table_free[mc->ntable_free++] = m->table;
		mach_tables_changed(mc);
	}
	memset(m, 0, sizeof(*m));
	m->pfn = pfn;
	r->popcnt--;
	r->popmap[bit / 64] &= ~(1ULL << (bit % 64));
	if (r->popcnt == 0 && !r->pinned) {
		r->object = OBJ_NONE;
		r->pindex = 0;
	}
	if ((ev = mach_log_append(mc, EV_PAGE_FREE)) != NULL) {
		ev->pfn = pfn;
		ev->flags = was_table ? MACH_EVF_TABLE : 0;
	}
}

/*
 * m's chunk's reservation when that chunk is reserved (object != OBJ_NONE)
 * and m is free or owned by the reservation's object; NULL otherwise, and
 * always NULL for the direct pool.  Since object pages never land in a
 * reserved chunk except through its reservation, an allocated frame of a
 * reserved chunk always belongs to it.
 */
struct reserv *
reserv_of(struct machine *mc, const struct vm_page *m)
{
	uint32_t c = m->pfn / RESERV_FRAMES;
	struct reserv *r = &mc->reserv[c];

	if (c >= mach_direct_chunk(mc) || r->object == OBJ_NONE)
		return NULL;
	if ((m->flags & VPF_ALLOCATED) != 0 && m->object != r->object)
		return NULL;
	return r;
}

int
reserv_level_iffullpop(struct machine *mc, vm_page_t m)
{
	struct reserv *r = reserv_of(mc, m);

	return r != NULL && r->popcnt == RESERV_FRAMES ? 0 : -1;
}

/* Page-table entry access. */

/*
 * A window ref names (win, va, level) and records the window's generation
 * and root now; pfn stays 0 and idx is va's index at that level, for
 * printing only: every access re-resolves.
 */
pt_ref_t
pt_window(struct machine *mc, int win, vm_offset_t va, int level)
{
	pt_ref_t r;

	PMAP_ASSERT(mc, win >= 0 && win < WIN_COUNT, "bad window %d", win);
	PMAP_ASSERT(mc, level >= PT_LVL_PTE && level <= PT_LVL_PML4E,
	    "bad level %d", level);
	memset(&r, 0, sizeof(r));
	r.win = (uint8_t)win;
	r.level = (uint8_t)level;
	r.idx = (uint16_t)pmap_level_index(va, level);
	r.gen = mc->win[win].gen;
	r.root = mc->win[win].root;
	r.va = va;
	return r;
}

void
win_point(struct machine *mc, int win, uint32_t root)
{
	struct mach_event *ev;

	PMAP_ASSERT(mc, win >= 0 && win < WIN_COUNT, "bad window %d", win);
	mc->win[win].root = root;
	mc->win[win].gen++;
	if ((ev = mach_log_append(mc, EV_WIN_POINT)) != NULL) {
		ev->win = (uint8_t)win;
		ev->root = root;
		ev->gen_now = mc->win[win].gen;
	}
}

/* Whether frame pfn exists and holds a table. */
static inline int
mach_is_table(const struct machine *mc, uint32_t pfn)
{
	return pfn < mc->cfg.nframes && mc->pages[pfn].table != 0;
}

/* The entry a direct ref names, or NULL when its frame holds no table. */
static inline pt_entry_t *
pt_direct_entry(const struct machine *mc, const pt_ref_t *r)
{
	if (!mach_is_table(mc, r->pfn) || r->idx >= NPTEPG)
		return NULL;
	return &mc->tables[mc->pages[r->pfn].table][r->idx];
}

/* Whether r's walk from root is the remembered one; its result if so. */
static inline bool
pt_walk_recall(const struct machine *mc, const pt_ref_t *r, uint32_t root,
    uint32_t *pfnp, unsigned *idxp)
{
	if (!mc->walk_memo.valid || mc->walk_memo.root != root ||
	    mc->walk_memo.va != r->va || mc->walk_memo.level != r->level)
		return false;
	*pfnp = mc->walk_memo.pfn;
	*idxp = mc->walk_memo.idx;
	return true;
}

/* Remember that r's walk from root ended at entry idx of table frame pfn. */
static void
pt_walk_remember(struct machine *mc, const pt_ref_t *r, uint32_t pfn,
    unsigned idx)
{
	mc->walk_memo.va = r->va;
	mc->walk_memo.root = mc->win[r->win].root;
	mc->walk_memo.pfn = pfn;
	mc->walk_memo.idx = (uint16_t)idx;
	mc->walk_memo.level = r->level;
	mc->walk_memo.valid = 1;
}

/*
 * Walk a window ref from the window's current root: each entry above
 * r->level must be valid, not PG_PS, and point at a frame holding a table.
 */
static int
pt_resolve_window(struct machine *mc, const pt_ref_t *r, uint32_t *pfnp,
    unsigned *idxp)
{
	uint32_t pfn;
	unsigned idx;

	/* Reported as pt_resolve's, where every window access checks it. */
	if (r->win >= WIN_COUNT || r->level < PT_LVL_PTE ||
	    r->level > PT_LVL_PML4E)
		pmap_assert_fail(mc, "pt_resolve",
		    "bad window ref (win %u, level %u)", (unsigned)r->win,
		    (unsigned)r->level);
	pfn = mc->win[r->win].root;
	if (pt_walk_recall(mc, r, pfn, pfnp, idxp))
		return 1;
	for (int lvl = PT_LVL_PML4E;; lvl--) {
		pt_entry_t e;

		if (!mach_is_table(mc, pfn))
			return 0;
		idx = pmap_level_index(r->va, lvl);
		if (lvl <= r->level)
			break;
		e = mc->tables[mc->pages[pfn].table][idx];
		if ((e & PG_V) == 0 || (e & PG_PS) != 0)
			return 0;
		pfn = (uint32_t)atop(e & PG_FRAME);
	}
	pt_walk_remember(mc, r, pfn, idx);
	*pfnp = pfn;
	*idxp = idx;
	return 1;
}

/*
 * A direct ref resolves when its frame holds a table; a window ref as
 * pt_resolve_window() walks it.
 */
int
pt_resolve(struct machine *mc, pt_ref_t r, uint32_t *pfnp, unsigned *idxp)
{
	uint32_t pfn;
	unsigned idx;

	if (r.win == WIN_NONE) {
		if (pt_direct_entry(mc, &r) == NULL)
			return 0;
		pfn = r.pfn;
		idx = r.idx;
	} else if (!pt_resolve_window(mc, &r, &pfn, &idx))
		return 0;
	if (pfnp != NULL)
		*pfnp = pfn;
	if (idxp != NULL)
		*idxp = idx;
	return 1;
}

int
pt_window_resolve(struct machine *mc, int win, vm_offset_t va, int level,
    pt_ref_t *ref)
{
	uint32_t pfn;
	unsigned idx;

	*ref = pt_window(mc, win, va, level);
	return pt_resolve_window(mc, ref, &pfn, &idx);
}

/*
 * The entry *r names now, with its table frame and index in *pfnp and
 * *idxp, or NULL when a window ref does not resolve.  A direct ref that
 * does not name a table entry is the caller's bug.
 */
static inline pt_entry_t *
pt_entry(struct machine *mc, const pt_ref_t *r, const char *func,
    uint32_t *pfnp, unsigned *idxp)
{
	pt_entry_t *p;

	if (r->win != WIN_NONE) {
		if (!pt_resolve_window(mc, r, pfnp, idxp))
			return NULL;
		return &mc->tables[mc->pages[*pfnp].table][*idxp];
	}
	if ((p = pt_direct_entry(mc, r)) == NULL)
		pmap_assert_fail(mc, func,
		    "direct ref (pfn %u, idx %u, level %u) names no table",
		    (unsigned)r->pfn, (unsigned)r->idx, (unsigned)r->level);
	*pfnp = r->pfn;
	*idxp = r->idx;
	return p;
}

/*
 * Fill the ref's fields of a PTE event: level and va; root is the ref's
 * own for a direct ref and the window's current one for a window ref.
 */
static void
pt_log_ref(struct machine *mc, struct mach_event *ev, const pt_ref_t *r)
{
	ev->level = r->level;
	ev->va = r->va;
	ev->root = r->root;
	if (r->win == WIN_NONE)
		return;
	ev->win = r->win;
	ev->root = mc->win[r->win].root;
	ev->gen_ref = r->gen;
	ev->gen_now = mc->win[r->win].gen;
}

/*
 * Store v into the entry at p (table frame pfn, index idx, as pt_entry()
 * resolved them) and log it.  The event is written whole (one store per
 * word, not mach_log_append's clear and then each field).
 */
static inline void
pt_do_store(struct machine *mc, const pt_ref_t *r, pt_entry_t *p, uint32_t pfn,
    unsigned idx, pt_entry_t v)
{
	struct mach_event *ev;
	pt_entry_t old = *p;

	*p = v;
	mach_tables_changed(mc);
	mach_touch_frame(mc, pfn);
	if ((ev = mach_log_reserve(mc, EV_PTE_WRITE)) == NULL)
		return;
	*ev = (struct mach_event) {
		.kind = EV_PTE_WRITE,
		.win = WIN_NONE,
		.cpu = (uint8_t)mc->curcpu,
		.idx = (uint16_t)idx,
		.pfn = pfn,
		.old = old,
		.new = v,
	};
	pt_log_ref(mc, ev, r);
}

/* Log a write through a window ref that did not resolve; v is the value
 * that was meant to be stored when it is known, else 0. */
static void
pt_log_lost(struct machine *mc, const pt_ref_t *r, pt_entry_t v)
{
	struct mach_event *ev;

	if ((ev = mach_log_append(mc, EV_PTE_LOST)) != NULL) {
		pt_log_ref(mc, ev, r);
		ev->idx = r->idx;
		ev->new = v;
	}
}

/*
 * pt_load() of a ref its inline part does not serve: a window ref, or a
 * direct ref naming no table entry (asserted in pt_load's name).  An
 * unresolvable window ref reads as 0.  Reading through a window that was
 * re-pointed since the ref was made is logged: the reader got another
 * address space's entry.
 */
pt_entry_t
pt_load_resolve(struct machine *mc, pt_ref_t r)
{
	uint32_t pfn;
	unsigned idx;
	pt_entry_t *p = pt_entry(mc, &r, "pt_load", &pfn, &idx);
	struct mach_event *ev;

	if (r.win != WIN_NONE && r.gen != mc->win[r.win].gen &&
	    (ev = mach_log_append(mc, EV_WIN_STALE_READ)) != NULL) {
		pt_log_ref(mc, ev, &r);
		ev->idx = r.idx;
		ev->old = p != NULL ? *p : 0;
	}
	return p != NULL ? *p : 0;
}

void
pt_store(struct machine *mc, pt_ref_t r, pt_entry_t v)
{
	uint32_t pfn;
	unsigned idx;
	pt_entry_t *p = pt_entry(mc, &r, __func__, &pfn, &idx);

	if (p == NULL)
		pt_log_lost(mc, &r, v);
	else
		pt_do_store(mc, &r, p, pfn, idx, v);
}

pt_entry_t
pt_load_clear(struct machine *mc, pt_ref_t r)
{
	uint32_t pfn;
	unsigned idx;
	pt_entry_t *p = pt_entry(mc, &r, __func__, &pfn, &idx), old;

	if (p == NULL) {
		pt_log_lost(mc, &r, 0);
		return 0;
	}
	old = *p;
	pt_do_store(mc, &r, p, pfn, idx, 0);
	return old;
}

/*
 * Stores (and logs) only when the entry equals old.  An unresolvable window
 * ref is an entry that reads as 0 (as pt_load says) and swallows stores:
 * with old 0 the store is lost (EV_PTE_LOST) and the swap succeeds, else it
 * fails.  So a compare-and-set loop through a dead window ends, as it would
 * on hardware, instead of retrying forever.
 */
int
pt_cmpset(struct machine *mc, pt_ref_t r, pt_entry_t old, pt_entry_t new)
{
	uint32_t pfn;
	unsigned idx;
	pt_entry_t *p = pt_entry(mc, &r, __func__, &pfn, &idx);

	if (p == NULL) {
		if (old != 0)
			return 0;
		pt_log_lost(mc, &r, new);
		return 1;
	}
	if (*p != old)
		return 0;
	pt_do_store(mc, &r, p, pfn, idx, new);
	return 1;
}

pt_entry_t
pt_clear_bits(struct machine *mc, pt_ref_t r, pt_entry_t bits)
{
	uint32_t pfn;
	unsigned idx;
	pt_entry_t *p = pt_entry(mc, &r, __func__, &pfn, &idx), old;

	if (p == NULL) {
		pt_log_lost(mc, &r, 0);
		return 0;
	}
	old = *p;
	pt_do_store(mc, &r, p, pfn, idx, old & ~bits);
	return old;
}

void
mach_phys_beyond(struct machine *mc, const char *func, vm_paddr_t pa)
{
	pmap_assert_fail(mc, func,
	    "physical address %#jx is beyond memory (%u frames)", (uintmax_t)pa,
	    (unsigned)mc->cfg.nframes);
}

/*
 * test_model.c - the reference model on its own: slots, intent, frame
 * lists, fork's copy-on-write intent, the journals and reset.
 */
#include <stdlib.h>

#include "pmapfuzz/model.h"
#include "testlib.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)

static struct model *M;

static void
model_free(void)
{
	model_destroy(M);
	M = NULL;
}

static struct model *
fresh(void)
{
	static int registered;

	if (M == NULL)
		M = model_create();
	else
		model_reset(M);
	if (!registered) {
		registered = 1;
		atexit(model_free);
	}
	CHECK(M != NULL, "out of memory");
	return M;
}

TEST(slots_cover_the_universe_and_nothing_else)
{
	CHECK(model_slot(0, KVA_BASE) == 0, "kmem start");
	CHECK(model_slot(0, KVA_END - PAGE_SIZE) == MODEL_KERN_SLOTS - 1,
	    "kmem end");
	CHECK(model_slot(0, KVA_END) == -1, "past kmem");
	CHECK(model_slot(0, USER_BASE) == -1, "user va in the kernel");
	CHECK(model_slot(1, USER_BASE + 5 * PAGE_SIZE + 7) == 5, "user");
	CHECK(model_slot(1, KSTACK_VA) == USER_REGIONS * NPTEPG, "kstack");
	CHECK(model_slot(1, KVA_BASE) == -1, "kernel va in a user space");
	CHECK(model_slot(MODEL_AS_MAX, USER_BASE) == -1, "bad as");
	for (unsigned as = 0; as < 2; as++)
		for (unsigned s = 0; s < model_nslots(as); s += 97)
			CHECK(model_slot(as, model_slot_va(as, s)) == (int)s,
			    "as %u slot %u round trip", as, s);
}

TEST(map_lookup_replace_unmap)
{
	struct model *md = fresh();
	const struct model_map *mp;

	CHECK(model_map(md, 1, USER_BASE, 10, RW, 0) == -1,
	    "mapping in a space that does not exist");
	CHECK(model_as_create(md, 1) == 0 && model_as_create(md, 1) == -1,
	    "create twice");
	CHECK(model_map(md, 1, USER_BASE, 10, VM_PROT_WRITE, 0) == -1,
	    "prot without read");
	CHECK(model_map(md, 1, USER_BASE + 1, 10, RW,
		  MODEL_WIRED | MODEL_MANAGED) == 0,
	    "map");
	mp = model_lookup(md, 1, USER_BASE);
	CHECK(mp != NULL && mp->pfn == 10 && mp->prot == RW &&
		mp->flags == (MODEL_WIRED | MODEL_MANAGED),
	    "lookup");
	CHECK(model_as_count(md, 1) == 1 && model_as_wired(md, 1) == 1,
	    "counts");
	CHECK(model_map(md, 1, USER_BASE, 11, VM_PROT_READ, 0) == 0, "replace");
	CHECK(model_frame(md, 10)->nmaps == 0 &&
		model_frame(md, 11)->nmaps == 1,
	    "frame lists follow the replacement");
	CHECK(model_as_count(md, 1) == 1 && model_as_wired(md, 1) == 0,
	    "counts after replace");
	CHECK(model_unmap(md, 1, USER_BASE) == 0, "unmap");
	CHECK(model_lookup(md, 1, USER_BASE) == NULL, "gone");
	CHECK(model_unmap(md, 1, KVA_BASE) == -1, "outside");
}

TEST(protect_reduces_and_none_unmaps)
{
	struct model *md = fresh();

	model_as_create(md, 2);
	for (unsigned i = 0; i < 4; i++)
		model_map(md, 2, USER_BASE + ptoa(i), 20 + i, VM_PROT_ALL, 0);
	/* Partial pages at both ends: only whole pages inside count. */
	model_protect(md, 2, USER_BASE + 1, USER_BASE + ptoa(3), VM_PROT_READ);
	CHECK(model_lookup(md, 2, USER_BASE)->prot == VM_PROT_ALL, "page 0");
	CHECK(model_lookup(md, 2, USER_BASE + ptoa(1))->prot == VM_PROT_READ,
	    "page 1");
	CHECK(model_lookup(md, 2, USER_BASE + ptoa(2))->prot == VM_PROT_READ,
	    "page 2");
	CHECK(model_lookup(md, 2, USER_BASE + ptoa(3))->prot == VM_PROT_ALL,
	    "page 3");
	model_protect(md, 2, USER_BASE, USER_BASE + ptoa(2), VM_PROT_NONE);
	CHECK(model_lookup(md, 2, USER_BASE) == NULL &&
		model_lookup(md, 2, USER_BASE + ptoa(1)) == NULL,
	    "none unmaps");
	model_unmap_range(md, 2, 0, UINT64_MAX);
	CHECK(model_as_count(md, 2) == 0, "range unmap");
}

TEST(wire_and_unwire)
{
	struct model *md = fresh();

	model_as_create(md, 1);
	CHECK(model_wire(md, 1, USER_BASE, true) == -1, "nothing to wire");
	model_map(md, 1, USER_BASE, 5, RW, MODEL_MANAGED);
	CHECK(model_wire(md, 1, USER_BASE, true) == 0 &&
		model_as_wired(md, 1) == 1,
	    "wired");
	CHECK(model_wire(md, 1, USER_BASE, true) == 0 &&
		model_as_wired(md, 1) == 1,
	    "idempotent");
	CHECK(model_wire(md, 1, USER_BASE, false) == 0 &&
		model_as_wired(md, 1) == 0,
	    "unwired");
}

TEST(fork_copy_marks_both_private)
{
	struct model *md = fresh();
	struct model_ref refs[4];
	const struct model_map *mp;

	model_as_create(md, 1);
	model_as_create(md, 2);
	model_map(md, 1, USER_BASE, 30, RW, MODEL_MANAGED | MODEL_WIRED);
	model_map(md, 1, USER_BASE + PAGE_SIZE, 31, RW, 0);
	model_copy(md, 2, 1, USER_BASE, USER_BASE + NBPDR);
	mp = model_lookup(md, 2, USER_BASE);
	CHECK(mp != NULL && mp->pfn == 30 && mp->prot == RW &&
		mp->flags == (MODEL_MANAGED | MODEL_PRIVATE),
	    "child: %#x", mp != NULL ? mp->flags : 0);
	CHECK((model_lookup(md, 1, USER_BASE)->flags & MODEL_PRIVATE) != 0,
	    "parent private too");
	CHECK(model_lookup(md, 2, USER_BASE + PAGE_SIZE) == NULL,
	    "unmanaged mappings are not copied");
	CHECK(model_frame_maps(md, 30, refs, 4) == 2, "frame 30 twice");
	model_unmap_frame(md, 30);
	CHECK(model_frame(md, 30)->nmaps == 0 &&
		model_lookup(md, 1, USER_BASE) == NULL &&
		model_lookup(md, 2, USER_BASE) == NULL,
	    "remove_all intent");
}

/* A region entered whole stays so through protect, wire and fork, and
 * not through a remap or an unmap of any of its pages, nor a reset. */
TEST(superpage_region_lasts_until_a_page_changes)
{
	struct model *md = fresh();
	const vm_offset_t r1 = USER_BASE + NBPDR;

	model_as_create(md, 1);
	model_as_create(md, 2);
	CHECK(model_superpage_set(md, 0, KVA_BASE + NBPDR, true) == 0 &&
		model_superpage(md, 0, KVA_BASE + NBPDR) &&
		!model_superpage(md, 0, KVA_BASE),
	    "kernel region 1");
	CHECK(model_superpage_set(md, 0, KVA_END, true) == -1, "past kmem");
	CHECK(model_superpage_set(md, 1, KSTACK_VA & ~PDRMASK, true) == -1,
	    "the kernel stack's region is not whole");
	CHECK(model_superpage_set(md, 1, r1 + PAGE_SIZE, true) == -1,
	    "misaligned");
	CHECK(model_superpage_set(md, 3, r1, true) == -1, "no such as");
	for (unsigned i = 0; i < NPTEPG; i++)
		model_map(md, 1, r1 + ptoa(i), 512 + i, RW, MODEL_MANAGED);
	CHECK(model_superpage_set(md, 1, r1, true) == 0, "set");
	CHECK(model_superpage(md, 1, r1) && !model_superpage(md, 1, USER_BASE),
	    "only region 1");
	model_protect(md, 1, r1, r1 + NBPDR, VM_PROT_READ);
	model_wire(md, 1, r1 + ptoa(7), true);
	model_copy(md, 2, 1, USER_BASE, USER_BASE + USER_REGIONS * NBPDR);
	CHECK(model_superpage(md, 1, r1) && model_superpage(md, 2, r1),
	    "kept by protect and wire, copied by fork");
	model_map(md, 1, r1 + ptoa(9), 512 + 9, VM_PROT_READ, MODEL_MANAGED);
	model_unmap(md, 2, r1 + ptoa(511));
	CHECK(!model_superpage(md, 1, r1) && !model_superpage(md, 2, r1),
	    "a remap and an unmap end it");
	model_superpage_set(md, 1, r1, true);
	model_superpage_set(md, 1, r1, false);
	CHECK(!model_superpage(md, 1, r1), "undone");
	model_superpage_set(md, 1, r1, true);
	model_reset(md);
	CHECK(!model_superpage(md, 1, r1), "reset");
}

/* A region is whole when its 512 pages map one aligned run of frames with
 * one prot and (within the mask) one set of flags. */
TEST(region_frames_wants_one_aligned_run)
{
	struct model *md = fresh();
	const vm_offset_t r0 = USER_BASE;

	model_as_create(md, 1);
	for (unsigned i = 0; i < NPTEPG; i++)
		model_map(md, 1, r0 + ptoa(i), 1024 + i, RW, MODEL_MANAGED);
	CHECK(model_region_frames(md, 1, r0, RW, MODEL_MANAGED, ~0u) == 1024,
	    "whole");
	CHECK(model_region_frames(md, 1, r0 + PAGE_SIZE, RW, MODEL_MANAGED,
		  ~0u) == UINT32_MAX,
	    "misaligned va");
	CHECK(model_region_frames(md, 1, r0, VM_PROT_READ, MODEL_MANAGED,
		  ~0u) == UINT32_MAX,
	    "another prot");
	model_wire(md, 1, r0 + ptoa(300), true);
	CHECK(model_region_frames(md, 1, r0, RW, MODEL_MANAGED, ~0u) ==
		    UINT32_MAX &&
		model_region_frames(md, 1, r0, RW, MODEL_MANAGED, 0) == 1024,
	    "flags only within the mask");
	model_map(md, 1, r0 + ptoa(7), 2000, RW, MODEL_MANAGED);
	CHECK(model_region_frames(md, 1, r0, RW, MODEL_MANAGED, 0) ==
		UINT32_MAX,
	    "a frame out of the run");
	model_unmap(md, 1, r0 + ptoa(7));
	CHECK(model_region_frames(md, 1, r0, RW, MODEL_MANAGED, 0) ==
		UINT32_MAX,
	    "a page unmapped");
	for (unsigned i = 0; i < NPTEPG; i++)
		model_map(md, 1, r0 + NBPDR + ptoa(i), 1030 + i, RW, 0);
	CHECK(model_region_frames(md, 1, r0 + NBPDR, RW, 0, 0) == UINT32_MAX,
	    "an unaligned first frame");
}

TEST(frames_and_journals)
{
	struct model *md = fresh();
	const uint32_t *list;

	model_as_create(md, 1);
	model_page_alloc(md, 7);
	model_map(md, 1, USER_BASE, 7, RW, MODEL_MANAGED);
	model_map(md, 1, USER_BASE, 7, VM_PROT_READ, MODEL_MANAGED);
	CHECK(model_pending_slots(md, &list) == 1 &&
		list[0] == 1 * MODEL_SLOTS_MAX + 0,
	    "one slot, listed once");
	CHECK(model_pending_frames(md, &list) == 1 && list[0] == 7,
	    "one frame");
	model_pending_clear(md);
	CHECK(model_pending_slots(md, &list) == 0, "cleared");
	model_page_written(md, 7);
	CHECK((model_frame(md, 7)->flags & MODEL_F_WRITTEN) != 0, "written");
	CHECK(model_pending_frames(md, &list) == 1, "written is journalled");
	model_page_cleaned(md, 7);
	CHECK((model_frame(md, 7)->flags & MODEL_F_WRITTEN) == 0, "cleaned");
	CHECK(model_page_free(md, 7) == -1, "freeing a mapped frame");
	model_unmap(md, 1, USER_BASE);
	CHECK(model_page_free(md, 7) == 0, "free");
}

/* The 2^32nd model_pending_clear wraps the journal's stamp back to the
 * first one: the stamps given under that first one must be gone, or they
 * would read as listed and a change would go unjournalled. */
TEST(journal_after_a_stamp_wrap)
{
	struct model *md = fresh();
	const uint32_t *list;

	model_as_create(md, 1);
	model_page_alloc(md, 7);
	model_pending_clear(md);
	model_pending_wrap(md); /* as a clear after 2^32 - 1 more: stamp 1 */
	model_map(md, 1, USER_BASE, 7, RW, MODEL_MANAGED);
	model_pending_clear(md);
	model_pending_wrap(md); /* stamp 1 again */
	model_map(md, 1, USER_BASE, 7, VM_PROT_READ, MODEL_MANAGED);
	CHECK(model_pending_slots(md, &list) == 1 &&
		list[0] == 1 * MODEL_SLOTS_MAX + 0,
	    "the slot journalled again");
	CHECK(model_pending_frames(md, &list) == 1 && list[0] == 7,
	    "the frame journalled again");
}

TEST(reset_forgets_only_what_was_used)
{
	struct model *md = fresh();
	const uint32_t *list;

	model_as_create(md, 3);
	model_map(md, 3, USER_BASE + ptoa(9), 99, RW, MODEL_WIRED);
	model_map(md, 0, KVA_BASE, 98, RW, MODEL_WIRED);
	CHECK(model_used_frames(md, &list) == 2, "two frames used");
	model_reset(md);
	CHECK(!model_as_exists(md, 3) && model_as_exists(md, 0),
	    "only the kernel space survives");
	CHECK(model_lookup(md, 0, KVA_BASE) == NULL, "kernel emptied");
	CHECK(model_frame(md, 99)->nmaps == 0 &&
		model_frame(md, 99)->first == -1,
	    "frame list emptied");
	CHECK(model_used_frames(md, &list) == 0, "journal emptied");
	model_as_create(md, 3);
	CHECK(model_lookup(md, 3, USER_BASE + ptoa(9)) == NULL, "slot empty");
}

TEST_MAIN(TEST_ENTRY(slots_cover_the_universe_and_nothing_else),
    TEST_ENTRY(map_lookup_replace_unmap),
    TEST_ENTRY(protect_reduces_and_none_unmaps), TEST_ENTRY(wire_and_unwire),
    TEST_ENTRY(fork_copy_marks_both_private),
    TEST_ENTRY(superpage_region_lasts_until_a_page_changes),
    TEST_ENTRY(region_frames_wants_one_aligned_run),
    TEST_ENTRY(frames_and_journals), TEST_ENTRY(journal_after_a_stamp_wrap),
    TEST_ENTRY(reset_forgets_only_what_was_used))

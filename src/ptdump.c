/*
 * ptdump.c - page-table pictures (see ptdump.h).
 */
#include "pmapfuzz/ptdump.h"

#include <string.h>

/* Bit names, in bit order. */
static const struct {
	pt_entry_t bit;
	const char *name;
} ptdump_names[] = {
	{ PG_V, "V" },
	{ PG_RW, "RW" },
	{ PG_U, "U" },
	{ PG_NC_PWT, "PWT" },
	{ PG_NC_PCD, "PCD" },
	{ PG_A, "A" },
	{ PG_M, "M" },
	{ PG_PS, "PS" },
	{ PG_G, "G" },
	{ PG_MANAGED, "MANAGED" },
	{ PG_W, "W" },
	{ PG_PROMOTED, "PROMOTED" },
	{ PG_NX, "NX" },
};

static const char *const ptdump_level[PT_LVL_PML4E + 1] = {
	"-",
	"pte",
	"pde",
	"pdpe",
	"pml4e",
};

char *
ptdump_bits(pt_entry_t e, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(ptdump_names) / sizeof(ptdump_names[0]);
	     i++) {
		int n;

		if ((e & ptdump_names[i].bit) == 0)
			continue;
		n = snprintf(buf + used, len - used, "%s%s",
		    used != 0 ? " " : "", ptdump_names[i].name);
		if (n < 0 || (size_t)n >= len - used) {
			buf[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, len, "0");
	return buf;
}

static void
ptdump_line(FILE *out, char mark, int level, unsigned idx, uint32_t table,
    pt_entry_t e)
{
	char bits[96];

	fprintf(out, "%c %-5s[%3u] in %-5u %#018llx  %s\n", mark,
	    ptdump_level[level], idx, (unsigned)table, (unsigned long long)e,
	    ptdump_bits(e, bits, sizeof(bits)));
}

void
ptdump_walk(FILE *out, const struct machine *mc, uint32_t root, vm_offset_t va)
{
	uint32_t pfn = root;

	fprintf(out, "walk of va %#llx under root %u\n", (unsigned long long)va,
	    (unsigned)root);
	for (int lvl = PT_LVL_PML4E; lvl >= PT_LVL_PTE; lvl--) {
		const pt_entry_t *t = mach_table(mc, pfn);
		unsigned idx = pmap_level_index(va, lvl);
		pt_entry_t e;

		if (t == NULL) {
			fprintf(out, "  frame %u holds no table\n",
			    (unsigned)pfn);
			return;
		}
		e = t[idx];
		ptdump_line(out, ' ', lvl, idx, pfn, e);
		if ((e & PG_V) == 0 || lvl == PT_LVL_PTE || (e & PG_PS) != 0)
			return;
		pfn = (uint32_t)atop(e & PG_FRAME);
	}
}

/* Whether b continues the run whose last entry is a: both empty, or b
 * maps a's next frame with the same bits. */
static int
ptdump_continues(pt_entry_t a, pt_entry_t b)
{
	if (a == 0 || b == 0)
		return a == b;
	return b == a + PAGE_SIZE && ((a ^ b) & ~PG_FRAME) == 0;
}

void
ptdump_region(FILE *out, const struct machine *mc, uint32_t root,
    vm_offset_t va, unsigned radius)
{
	uint32_t pfn = root;
	const pt_entry_t *pt;
	unsigned me = pmap_pte_index(va), lo, hi;

	fprintf(out, "tables around va %#llx under root %u\n",
	    (unsigned long long)va, (unsigned)root);
	for (int lvl = PT_LVL_PML4E; lvl > PT_LVL_PTE; lvl--) {
		const pt_entry_t *t = mach_table(mc, pfn);
		unsigned idx = pmap_level_index(va, lvl);

		if (t == NULL) {
			fprintf(out, "  frame %u holds no table\n",
			    (unsigned)pfn);
			return;
		}
		ptdump_line(out, ' ', lvl, idx, pfn, t[idx]);
		if ((t[idx] & PG_V) == 0)
			return;
		if ((t[idx] & PG_PS) != 0) {
			if (lvl == PT_LVL_PDE)
				fprintf(out, "  2 MiB page: frames %u..%u\n",
				    (unsigned)atop(t[idx] & PG_PS_FRAME),
				    (unsigned)atop(t[idx] & PG_PS_FRAME) +
					NPTEPG - 1);
			return;
		}
		pfn = (uint32_t)atop(t[idx] & PG_FRAME);
	}
	if ((pt = mach_table(mc, pfn)) == NULL) {
		fprintf(out, "  frame %u holds no table\n", (unsigned)pfn);
		return;
	}
	lo = me > radius ? me - radius : 0;
	hi = me + radius < NPTEPG - 1 ? me + radius : NPTEPG - 1;
	for (unsigned i = lo; i <= hi;) {
		unsigned j = i;

		if (i != me)
			while (j + 1 <= hi && j + 1 != me &&
			    ptdump_continues(pt[j], pt[j + 1]))
				j++;
		if (j == i) {
			ptdump_line(out, i == me ? '>' : ' ', PT_LVL_PTE, i,
			    pfn, pt[i]);
		} else if (pt[i] == 0) {
			fprintf(out, "  pte[%3u..%3u] empty\n", i, j);
		} else {
			char bits[96];

			fprintf(out, "  pte[%3u..%3u] frames %u..%u  %s\n", i,
			    j, (unsigned)atop(pt[i] & PG_FRAME),
			    (unsigned)atop(pt[j] & PG_FRAME),
			    ptdump_bits(pt[i] & ~PG_FRAME, bits, sizeof(bits)));
		}
		i = j + 1;
	}
}

/* A run of 4 KiB leaves being collected by ptdump_pmap. */
struct ptdump_run {
	vm_offset_t va;	  /* first va */
	pt_entry_t first; /* first entry */
	pt_entry_t last;  /* last entry */
	unsigned n;
};

static void
ptdump_flush(FILE *out, struct ptdump_run *r)
{
	char bits[96];

	if (r->n == 0)
		return;
	fprintf(out, "  %#018llx %4u x 4K  frames %u..%u  %s\n",
	    (unsigned long long)r->va, r->n,
	    (unsigned)atop(r->first & PG_FRAME),
	    (unsigned)atop(r->last & PG_FRAME),
	    ptdump_bits(r->first & ~PG_FRAME, bits, sizeof(bits)));
	r->n = 0;
}

static void
ptdump_leaf(FILE *out, struct ptdump_run *r, vm_offset_t va, pt_entry_t e)
{
	if (r->n != 0 && va == r->va + ptoa(r->n) &&
	    ptdump_continues(r->last, e)) {
		r->last = e;
		r->n++;
		return;
	}
	ptdump_flush(out, r);
	r->va = va;
	r->first = r->last = e;
	r->n = 1;
}

static void
ptdump_tree(FILE *out, const struct machine *mc, uint32_t pfn, int lvl,
    vm_offset_t base, unsigned from, unsigned to, struct ptdump_run *r)
{
	const pt_entry_t *t = mach_table(mc, pfn);

	if (t == NULL)
		return;
	for (unsigned i = from; i < to; i++) {
		pt_entry_t e = t[i];
		vm_offset_t va =
		    base + ((vm_offset_t)i << (PAGE_SHIFT + 9 * (lvl - 1)));
		char bits[96];

		if (lvl == PT_LVL_PML4E && i >= NPTEPG / 2)
			va |= 0xffff000000000000ULL;
		if ((e & PG_V) == 0)
			continue;
		if (lvl == PT_LVL_PTE) {
			ptdump_leaf(out, r, va, e);
			continue;
		}
		if ((e & PG_PS) != 0) {
			ptdump_flush(out, r);
			fprintf(out,
			    "  %#018llx    1 x %s  frames %u..%u  %s\n",
			    (unsigned long long)va,
			    lvl == PT_LVL_PDE ? "2M" : "??",
			    (unsigned)atop(e & PG_PS_FRAME),
			    (unsigned)atop(e & PG_PS_FRAME) + NPTEPG - 1,
			    ptdump_bits(e & ~PG_FRAME, bits, sizeof(bits)));
			continue;
		}
		ptdump_tree(out, mc, (uint32_t)atop(e & PG_FRAME), lvl - 1, va,
		    0, NPTEPG, r);
	}
}

void
ptdump_pmap(FILE *out, struct pmap_sys *ps, const struct pmap *pmap)
{
	struct ptdump_run r;
	int kernel = pmap->pm_id == 0;

	memset(&r, 0, sizeof(r));
	fprintf(out, "pmap %u (root %u): resident %lld, wired %lld\n",
	    (unsigned)pmap->pm_id, (unsigned)pmap->pm_pml4,
	    (long long)pmap->pm_stats.resident_count,
	    (long long)pmap->pm_stats.wired_count);
	ptdump_tree(out, ps->mc, pmap->pm_pml4, PT_LVL_PML4E, 0,
	    kernel ? NPTEPG / 2 : 0, kernel ? NPTEPG : NPTEPG / 2, &r);
	ptdump_flush(out, &r);
	for (unsigned i = 0; i < PMAP_SAVED_MAX; i++)
		if (pmap->pm_saved[i].pfn != 0)
			fprintf(out, "  saved ptp %u for va %#llx\n",
			    (unsigned)pmap->pm_saved[i].pfn,
			    (unsigned long long)pmap->pm_saved[i].va);
}

/*
 * pmap_fixture.c - the pmap tests' machine, table reads, assert catcher and
 * failure picture (see pmap_fixture.h).
 */
#include "pmap_fixture.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pmapfuzz/ptdump.h"
#include "testlib.h"

/* The fixture alive now; destroyed by the next pf_boot() or at exit. */
static struct pmap_fixture pf_cur;

struct pf_assert_catch pf_assert;

static void
pf_destroy(void)
{
	if (pf_cur.ps != NULL) {
		pmap_sys_destroy(pf_cur.ps);
		free(pf_cur.ps);
	}
	machine_destroy(pf_cur.mc);
	pf_cur.ps = NULL;
	pf_cur.mc = NULL;
}

struct pmap_fixture *
pf_boot(unsigned ncpus)
{
	struct mach_config cfg = { .nframes = MACH_FRAMES_DEFAULT,
		.ncpus = (uint8_t)ncpus };
	static int registered;

	if (!registered && atexit(pf_destroy) == 0)
		registered = 1;
	pf_destroy();
	pf_cur.mc = machine_create(&cfg);
	pf_cur.ps = calloc(1, sizeof(*pf_cur.ps));
	if (pf_cur.mc == NULL || pf_cur.ps == NULL) {
		fprintf(stderr, "pf_boot: out of memory\n");
		abort();
	}
	pmap_bootstrap(pf_cur.ps, pf_cur.mc);
	machine_boot_done(pf_cur.mc);
	pmap_sys_boot_done(pf_cur.ps);
	return &pf_cur;
}

/* ---- Reads that bypass the core ---- */

uint32_t
pf_table(pmap_t pmap, vm_offset_t va, int level)
{
	const struct machine *mc = pmap->pm_sys->mc;
	uint32_t pfn = pmap->pm_pml4;

	for (int l = PT_LVL_PML4E; l > level; l--) {
		const pt_entry_t *t = mach_table(mc, pfn);
		pt_entry_t e;

		if (t == NULL)
			return 0;
		e = t[pmap_level_index(va, l)];
		if ((e & PG_V) == 0 || (e & PG_PS) != 0)
			return 0;
		pfn = (uint32_t)atop(e & PG_FRAME);
	}
	return mach_table(mc, pfn) != NULL ? pfn : 0;
}

pt_entry_t
pf_entry(pmap_t pmap, vm_offset_t va, int level)
{
	uint32_t pfn = pf_table(pmap, va, level);

	if (pfn == 0)
		return 0;
	return mach_table(pmap->pm_sys->mc, pfn)[pmap_level_index(va, level)];
}

unsigned
pf_allocated_frames(const struct machine *mc)
{
	unsigned n = 0;

	for (uint32_t pfn = 0; pfn < mc->cfg.nframes; pfn++)
		if (mc->pages[pfn].flags & VPF_ALLOCATED)
			n++;
	return n;
}

const struct tlb_entry *
pf_tlb_entry(const struct machine *mc, unsigned cpu, vm_offset_t va)
{
	const struct cpu *c = &mc->cpus[cpu];

	for (unsigned i = 0; i < TLB_4K_ENTRIES; i++)
		if (c->tlb4k[i].valid && c->tlb4k[i].va == (va & ~PAGE_MASK))
			return &c->tlb4k[i];
	for (unsigned i = 0; i < TLB_2M_ENTRIES; i++)
		if (c->tlb2m[i].valid && c->tlb2m[i].va == trunc_2mpage(va))
			return &c->tlb2m[i];
	return NULL;
}

/* ---- Assertions ---- */

static void
pf_copy(char *dst, size_t size, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
pf_assert_hook(struct machine *mc, const char *func, const char *fmt,
    const char *msg)
{
	(void)mc;
	pf_assert.fired = 1;
	pf_copy(pf_assert.func, sizeof(pf_assert.func), func);
	pf_copy(pf_assert.fmt, sizeof(pf_assert.fmt), fmt);
	pf_copy(pf_assert.msg, sizeof(pf_assert.msg), msg);
	longjmp(pf_assert.env, 1);
}

void
pf_catch_asserts(struct machine *mc)
{
	memset(pf_assert.func, 0, sizeof(pf_assert.func));
	memset(pf_assert.fmt, 0, sizeof(pf_assert.fmt));
	memset(pf_assert.msg, 0, sizeof(pf_assert.msg));
	pf_assert.fired = 0;
	mc->assert_hook = pf_assert_hook;
}

/* ---- The picture ---- */

/*
 * What ptdump_pmap() leaves out: the page-table pages under pmap's half of
 * the address space, with their use counts.
 */
static void
pf_dump_ptps(FILE *fp, const struct machine *mc, pmap_t pmap)
{
	const pt_entry_t *pml4 = mach_table(mc, pmap->pm_pml4);
	unsigned first = pmap->pm_id == 0 ? NPTEPG / 2 : 0;

	for (unsigned i4 = first; pml4 != NULL && i4 < first + NPTEPG / 2;
	     i4++) {
		uint32_t pdp = (uint32_t)atop(pml4[i4] & PG_FRAME);

		if ((pml4[i4] & PG_V) == 0 || mach_table(mc, pdp) == NULL)
			continue;
		fprintf(fp, "  pml4[%u] -> pdp %u ref %u\n", i4, pdp,
		    (unsigned)mc->pages[pdp].ref_count);
		for (unsigned i3 = 0; i3 < NPTEPG; i3++) {
			pt_entry_t e3 = mach_table(mc, pdp)[i3];
			uint32_t pd = (uint32_t)atop(e3 & PG_FRAME);

			if ((e3 & (PG_V | PG_PS)) != PG_V ||
			    mach_table(mc, pd) == NULL)
				continue;
			fprintf(fp, "    pdp[%u] -> pd %u ref %u\n", i3, pd,
			    (unsigned)mc->pages[pd].ref_count);
			for (unsigned i2 = 0; i2 < NPTEPG; i2++) {
				pt_entry_t e2 = mach_table(mc, pd)[i2];
				uint32_t pt = (uint32_t)atop(e2 & PG_FRAME);

				if ((e2 & (PG_V | PG_PS)) != PG_V)
					continue;
				fprintf(fp, "      pd[%u] -> pt %u ref %u%s\n",
				    i2, pt, (unsigned)mc->pages[pt].ref_count,
				    (mc->pages[pt].flags & VPF_PTP_VALID) ?
					" PTP_VALID" :
					"");
			}
		}
	}
}

static void
pf_dump_tlb(FILE *fp, const struct machine *mc, unsigned cpu)
{
	const struct cpu *c = &mc->cpus[cpu];

	fprintf(fp, "cpu%u: cr3 %u pmap %d intr_level %u\n", cpu,
	    (unsigned)c->cr3, (int)c->pmap_id, (unsigned)c->intr_level);
	for (unsigned i = 0; i < TLB_4K_ENTRIES + TLB_2M_ENTRIES; i++) {
		const struct tlb_entry *e = i < TLB_4K_ENTRIES ?
		    &c->tlb4k[i] :
		    &c->tlb2m[i - TLB_4K_ENTRIES];

		if (!e->valid)
			continue;
		fprintf(fp,
		    "  tlb %s va %#" PRIx64 " -> frame %u root %u"
		    "%s%s%s%s%s\n",
		    e->big ? "2M" : "4K", e->va, (unsigned)e->pfn,
		    (unsigned)e->root, e->rw ? " rw" : "",
		    e->user ? " user" : "", e->nx ? " nx" : "",
		    e->dirty ? " dirty" : "", e->global ? " global" : "");
	}
}

void
pf_ptdump(FILE *fp, pmap_t pmap)
{
	struct pmap_sys *ps = pmap->pm_sys;
	const struct machine *mc = ps->mc;
	const struct pmap_counters *cnt = &ps->cnt;

	ptdump_pmap(fp, ps, pmap);
	pf_dump_ptps(fp, mc, pmap);
	fprintf(fp,
	    "active %#x; promotions %" PRIu64 " p_failures %" PRIu64
	    " demotions %" PRIu64 " d_failures %" PRIu64 "\n",
	    (unsigned)pmap->pm_active, cnt->promotions, cnt->p_failures,
	    cnt->demotions, cnt->d_failures);
	fprintf(fp, "windows: apt root %u gen %u, intr root %u gen %u\n",
	    (unsigned)mc->win[WIN_APT].root, (unsigned)mc->win[WIN_APT].gen,
	    (unsigned)mc->win[WIN_INTR].root, (unsigned)mc->win[WIN_INTR].gen);
	for (unsigned c = 0; c < mc->cfg.ncpus; c++)
		pf_dump_tlb(fp, mc, c);
}

void
pf_dump_hook(void *arg)
{
	if (arg != NULL)
		pf_ptdump(stderr, (pmap_t)arg);
}

void
pf_watch(pmap_t pmap)
{
	test_dump_hook = pf_dump_hook;
	test_dump_arg = pmap;
}

/*
 * ops.c - the op table and the binary form of programs.
 *
 * The table is the single source of the op language: the decoder, the
 * encoder, the text parser and printer, the mutators and the docs all read
 * it.  It says nothing about what an op does beyond its doc string; the
 * executor's handler table is parallel to it and lives with the executor.
 */
#include "ops.h"

#include <string.h>

#include "pmapfuzz/fault.h"
#include "pmapfuzz/machine.h"
#include "pmapfuzz/param.h"

_Static_assert(OP_COUNT <= 256, "opcodes are one byte");
_Static_assert(OP_CPUS_MAX == MACH_CPUS_MAX, "cpu arguments cover the CPUs");
_Static_assert(OP_MEM_BASE << (OP_MEM_CLASSES - 1) == MACH_FRAMES_MAX,
    "the largest memory class is the machine's maximum");

/* Arguments that several ops share; each is {name, range, bias}. */
/* clang-format off */
#define ARG_AS { "as", OP_AS_SLOTS, 0 }
#define ARG_REGION { "region", USER_REGIONS, 0 }
#define ARG_KREGION { "kregion", KVA_REGIONS, 0 }
#define ARG_PAGE { "page", NPTEPG, 0 }
#define ARG_NPAGES { "npages", NPTEPG, 1 }
#define ARG_PROT { "prot", VM_PROT_ALL + 1, 0 }
#define ARG_CPU { "cpu", OP_CPUS_MAX, 0 }
#define ARG_ACCESS { "access", 3, 0 }
#define ARG_BUF { "buf", OP_IO_BUFS, 0 }
#define ARG_NTH { "n", OP_ARM_NTH_MAX, 1 }
#define ARG_SITE { "site", FI_SITE_MAX, 0 }
/* clang-format on */

/*
 * Indexed by enum op_code.  Keep the rows in code order; append only.
 * User runs [page, page + npages) may cross into the next region and are
 * clipped at the end of the last one; kernel runs likewise within the arena.
 */
static const struct op_info op_table[] = {
	[OP_MAP] = { "map", 6,
	    { ARG_AS, ARG_REGION, ARG_PAGE, ARG_NPAGES, ARG_PROT,
		{ "wired", 2, 0 } },
	    "allocate anonymous pages for the run and pmap_enter each with "
	    "prot, wired or not" },
	[OP_UNMAP] = { "unmap", 4, { ARG_AS, ARG_REGION, ARG_PAGE, ARG_NPAGES },
	    "pmap_remove the run and free its pages" },
	[OP_PROTECT] = { "protect", 5,
	    { ARG_AS, ARG_REGION, ARG_PAGE, ARG_NPAGES, ARG_PROT },
	    "pmap_protect the run to prot" },
	[OP_TOUCH] = { "touch", 5,
	    { ARG_AS, ARG_REGION, ARG_PAGE, ARG_ACCESS, ARG_CPU },
	    "access a user page from cpu with as active (activating it if "
	    "needed); a fault takes the soft-fault path to pmap_enter, or to "
	    "pmap_enter_2m when the region is one whole reservation" },
	[OP_KTOUCH] = { "ktouch", 4,
	    { ARG_KREGION, ARG_PAGE, ARG_ACCESS, ARG_CPU },
	    "access a kernel arena page from cpu" },
	[OP_KMEM_ALLOC] = { "kmem_alloc", 4,
	    { ARG_KREGION, ARG_PAGE, ARG_NPAGES, { "mode", 4, 0 } },
	    "back the kernel run with kmem object pages; mode 0 two-loop "
	    "(8.x), 1 interleaved (today), 2 pmap_enter_multi, 3 one 2 MiB "
	    "mapping for a whole region (pmap_enter_2m), else as 1" },
	[OP_KMEM_FREE] = { "kmem_free", 3,
	    { ARG_KREGION, ARG_PAGE, ARG_NPAGES },
	    "unmap the kernel run and free its pages" },
	[OP_FORK] = { "fork", 2,
	    { { "parent", OP_AS_SLOTS, 0 }, { "child", OP_AS_SLOTS, 0 } },
	    "create child as a copy of parent (pmap_copy) and enter its "
	    "kernel stack through the window" },
	[OP_EXIT] = { "exit", 1, { ARG_AS },
	    "remove all mappings of as, release its pmap, free the slot" },
	[OP_SWITCH] = { "switch", 2, { ARG_AS, ARG_CPU },
	    "pmap_activate as on cpu" },
	[OP_IO_START] = { "io_start", 6,
	    { ARG_AS, ARG_REGION, ARG_PAGE, ARG_NPAGES, { "write", 2, 0 },
		ARG_BUF },
	    "start I/O on the frames mapped at the run into buffer slot buf; "
	    "write 1 is a write to the device" },
	[OP_IO_DONE] = { "io_done", 1, { ARG_BUF },
	    "complete the I/O in buffer slot buf, as its interrupt would" },
	[OP_REMOVE_ALL] = { "remove_all", 3, { ARG_AS, ARG_REGION, ARG_PAGE },
	    "pmap_remove_all on the frame mapped at the page" },
	[OP_REMOVE_WRITE] = { "remove_write", 3,
	    { ARG_AS, ARG_REGION, ARG_PAGE },
	    "pmap_remove_write on the frame mapped at the page" },
	[OP_CLEAR_MODIFY] = { "clear_modify", 3,
	    { ARG_AS, ARG_REGION, ARG_PAGE },
	    "pmap_clear_modify on the frame mapped at the page" },
	[OP_WIRE] = { "wire", 4, { ARG_AS, ARG_REGION, ARG_PAGE, ARG_NPAGES },
	    "wire the run's mapped pages: pmap_enter each again with the "
	    "wired flag, as vm_map_wire does" },
	[OP_UNWIRE] = { "unwire", 4,
	    { ARG_AS, ARG_REGION, ARG_PAGE, ARG_NPAGES },
	    "pmap_unwire the run" },
	[OP_SYSCTL_PG_PS] = { "sysctl_pg_ps", 1, { { "enabled", 2, 0 } },
	    "set vm.pmap.pg_ps_enabled" },
	[OP_DEMOTE] = { "demote", 2, { ARG_AS, ARG_REGION },
	    "pmap_demote_pde on the region's 2 MiB mapping, if any" },
	[OP_ARM_INTR_IO_DONE] = { "arm_intr_io_done", 3,
	    { ARG_NTH, ARG_SITE, ARG_BUF },
	    "at the n-th fault-site hit of the next op (counting only site "
	    "number `site`, or every site if 0), interrupt: io_done buf" },
	[OP_ARM_INTR_TOUCH] = { "arm_intr_touch", 6,
	    { ARG_NTH, ARG_SITE, ARG_AS, ARG_REGION, ARG_PAGE, ARG_ACCESS },
	    "like arm_intr_io_done; the interrupt touches the page of as on "
	    "the interrupted CPU (soft faults call pmap_enter on as)" },
	[OP_ARM_INTR_REMOVE_ALL] = { "arm_intr_remove_all", 5,
	    { ARG_NTH, ARG_SITE, ARG_AS, ARG_REGION, ARG_PAGE },
	    "like arm_intr_io_done; the interrupt runs pmap_remove_all on the "
	    "frame mapped at the page when it fires" },
	[OP_ARM_ALLOC_FAIL] = { "arm_alloc_fail", 1, { ARG_NTH },
	    "fail the n-th allocation-site hit of the next op" },
	[OP_ARM_DROP_SHOOTDOWN] = { "arm_drop_shootdown", 1, { ARG_NTH },
	    "remote CPUs miss the n-th shootdown of the next op" },
	[OP_ARM_AM_RACE] = { "arm_am_race", 2, { ARG_NTH, { "set_m", 2, 0 } },
	    "at the n-th PTE read-modify-write site of the next op, hardware "
	    "sets PG_A (and PG_M if set_m) in that PTE between read and "
	    "write" },
	[OP_PREFAULT] = { "prefault", 4,
	    { ARG_AS, ARG_REGION, ARG_PAGE, ARG_NPAGES },
	    "madvise(MADV_WILLNEED) on the run: pmap_enter_object maps its "
	    "mapped pages read-only where nothing maps them, a region that "
	    "is one whole reservation with one 2 MiB mapping" },
};

_Static_assert(sizeof(op_table) / sizeof(op_table[0]) == OP_COUNT,
    "one table row per opcode");

size_t
op_count(void)
{
	return OP_COUNT;
}

const struct op_info *
op_info(unsigned code)
{
	if (code >= OP_COUNT)
		return NULL;
	return &op_table[code];
}

int
op_lookup(const char *name)
{
	for (unsigned i = 0; i < OP_COUNT; i++)
		if (strcmp(op_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

uint32_t
op_config_frames(const struct op_config *cfg)
{
	return (uint32_t)OP_MEM_BASE << (cfg->mem_class % OP_MEM_CLASSES);
}

/* Reduce a config the way the decoder reads its header bytes. */
static void
op_config_reduce(struct op_config *c, unsigned ncpus_minus_1, unsigned ps,
    unsigned mem_class)
{
	c->ncpus = (uint8_t)(ncpus_minus_1 % OP_CPUS_MAX + 1);
	c->pg_ps_enabled = (uint8_t)(ps & 1);
	c->mem_class = (uint8_t)(mem_class % OP_MEM_CLASSES);
}

/*
 * Reduce one op: the code modulo the op count, each argument modulo its
 * range, unused slots to 0.  raw[] is read before out is written, so the two
 * may alias.
 */
static void
op_reduce(unsigned code, const unsigned raw[OP_NARGS], struct op *out)
{
	const struct op_info *info = &op_table[code % OP_COUNT];
	unsigned v[OP_NARGS];

	for (unsigned i = 0; i < OP_NARGS; i++)
		v[i] = i < info->nargs ? raw[i] % info->args[i].range : 0;
	out->code = (uint8_t)(code % OP_COUNT);
	for (unsigned i = 0; i < OP_NARGS; i++)
		out->arg[i] = (uint16_t)v[i];
}

void
op_decode(const uint8_t *data, size_t size, struct op_program *out)
{
	uint8_t hdr[OP_HEADER_SIZE] = { 0 };
	size_t nrec;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < OP_HEADER_SIZE && i < size; i++)
		hdr[i] = data[i];
	/* hdr[3] is reserved: read, ignored, written back as 0. */
	op_config_reduce(&out->cfg, hdr[0], hdr[1], hdr[2]);
	if (size <= OP_HEADER_SIZE)
		return;
	nrec = (size - OP_HEADER_SIZE) / OP_RECORD_SIZE;
	if (nrec > OP_MAX)
		nrec = OP_MAX;
	for (size_t r = 0; r < nrec; r++) {
		const uint8_t *rec = data + OP_HEADER_SIZE + r * OP_RECORD_SIZE;
		unsigned raw[OP_NARGS];

		for (unsigned i = 0; i < OP_NARGS; i++)
			raw[i] = rec[1 + OP_ARG_SIZE * i] |
			    (unsigned)rec[2 + OP_ARG_SIZE * i] << 8;
		op_reduce(rec[0], raw, &out->ops[r]);
	}
	out->nops = (uint8_t)nrec;
}

size_t
op_encode(const struct op_program *p, uint8_t *buf, size_t cap)
{
	struct op_config c;
	unsigned nops = p->nops < OP_MAX ? p->nops : OP_MAX;
	size_t size = OP_HEADER_SIZE + (size_t)nops * OP_RECORD_SIZE;

	if (size > cap)
		return size;
	op_config_reduce(&c, p->cfg.ncpus - 1u, p->cfg.pg_ps_enabled,
	    p->cfg.mem_class);
	buf[0] = (uint8_t)(c.ncpus - 1);
	buf[1] = c.pg_ps_enabled;
	buf[2] = c.mem_class;
	buf[3] = 0;
	for (unsigned r = 0; r < nops; r++) {
		uint8_t *rec = buf + OP_HEADER_SIZE + r * OP_RECORD_SIZE;
		unsigned raw[OP_NARGS];
		struct op o;

		for (unsigned i = 0; i < OP_NARGS; i++)
			raw[i] = p->ops[r].arg[i];
		op_reduce(p->ops[r].code, raw, &o);
		rec[0] = o.code;
		for (unsigned i = 0; i < OP_NARGS; i++) {
			rec[1 + OP_ARG_SIZE * i] = (uint8_t)(o.arg[i] & 0xff);
			rec[2 + OP_ARG_SIZE * i] = (uint8_t)(o.arg[i] >> 8);
		}
	}
	return size;
}

int
op_program_equal(const struct op_program *a, const struct op_program *b)
{
	if (a->cfg.ncpus != b->cfg.ncpus ||
	    a->cfg.pg_ps_enabled != b->cfg.pg_ps_enabled ||
	    a->cfg.mem_class != b->cfg.mem_class || a->nops != b->nops)
		return 0;
	for (unsigned r = 0; r < a->nops && r < OP_MAX; r++) {
		if (a->ops[r].code != b->ops[r].code)
			return 0;
		for (unsigned i = 0; i < OP_NARGS; i++)
			if (a->ops[r].arg[i] != b->ops[r].arg[i])
				return 0;
	}
	return 1;
}

int
op_arg_value(const struct op *o, unsigned i)
{
	const struct op_info *info = op_info(o->code);

	if (info == NULL || i >= info->nargs)
		return -1;
	return o->arg[i] + info->args[i].bias;
}

int
op_arg_set(struct op *o, unsigned i, int value)
{
	const struct op_info *info = op_info(o->code);
	const struct op_arg *a;

	if (info == NULL || i >= info->nargs)
		return -1;
	a = &info->args[i];
	if (value < a->bias || value - a->bias >= a->range)
		return -1;
	o->arg[i] = (uint16_t)(value - a->bias);
	return 0;
}

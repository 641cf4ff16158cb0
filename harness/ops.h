/*
 * ops.h - the op language of the harness: the op table, the in-memory
 * program, and its binary form with a total decoder.
 *
 * A program is a config (CPUs, pg_ps_enabled, memory size) and up to OP_MAX
 * ops.  Each op is an opcode and up to OP_NARGS small integer arguments whose
 * names and ranges come from the op's row in the table.  What an op does is
 * the executor's business: this module only knows the shapes.  The executor
 * keeps its handlers in its own table indexed by enum op_code.
 *
 * Binary form (docs/trace-format.md has the full layout):
 *	header	OP_HEADER_SIZE bytes: ncpus-1, pg_ps_enabled, mem_class, 0
 *	records	OP_RECORD_SIZE bytes each: opcode, then OP_NARGS arguments of
 *		OP_ARG_SIZE bytes, little-endian
 * Every byte string decodes to a valid program: fields are reduced modulo
 * their ranges, missing header bytes read as 0, a trailing partial record and
 * records past OP_MAX are ignored.  Encoding a valid program gives its
 * canonical bytes, and decode(encode(p)) == p.
 *
 * Stability: an opcode is the op's index in the table; ops are only ever
 * appended, and a retired op keeps its code (it would become a no-op), so a
 * code is never reused.  Argument positions and names of an op never change.
 * A range may only grow, which changes the meaning of no canonical input.
 */
#ifndef PMAPFUZZ_OPS_H
#define PMAPFUZZ_OPS_H

#include <stddef.h>
#include <stdint.h>

#define OP_MAX 64	 /* ops in one program */
#define OP_NARGS 6	 /* argument slots in one op */
#define OP_HEADER_SIZE 4 /* bytes of config header */
#define OP_ARG_SIZE 2	 /* bytes per argument in a record */
#define OP_RECORD_SIZE (1 + OP_NARGS * OP_ARG_SIZE)
#define OP_ENCODED_MAX (OP_HEADER_SIZE + OP_MAX * OP_RECORD_SIZE)

/* Config ranges: ncpus 1..OP_CPUS_MAX; memory OP_MEM_BASE << class frames
 * for class 0..OP_MEM_CLASSES-1. */
#define OP_CPUS_MAX 4
#define OP_MEM_BASE 4096
#define OP_MEM_CLASSES 3

/* The address-space slots that `as`, `parent` and `child` name. */
#define OP_AS_SLOTS 8
/* The I/O buffer slots that `buf` names. */
#define OP_IO_BUFS 4
/* Fault arms count hits 1..OP_ARM_NTH_MAX. */
#define OP_ARM_NTH_MAX 64

/* Opcodes.  Append only; see "Stability" above. */
enum op_code {
	OP_MAP = 0,
	OP_UNMAP = 1,
	OP_PROTECT = 2,
	OP_TOUCH = 3,
	OP_KTOUCH = 4,
	OP_KMEM_ALLOC = 5,
	OP_KMEM_FREE = 6,
	OP_FORK = 7,
	OP_EXIT = 8,
	OP_SWITCH = 9,
	OP_IO_START = 10,
	OP_IO_DONE = 11,
	OP_REMOVE_ALL = 12,
	OP_REMOVE_WRITE = 13,
	OP_CLEAR_MODIFY = 14,
	OP_WIRE = 15,
	OP_UNWIRE = 16,
	OP_SYSCTL_PG_PS = 17,
	OP_DEMOTE = 18,
	OP_ARM_INTR_IO_DONE = 19,
	OP_ARM_INTR_TOUCH = 20,
	OP_ARM_INTR_REMOVE_ALL = 21,
	OP_ARM_ALLOC_FAIL = 22,
	OP_ARM_DROP_SHOOTDOWN = 23,
	OP_ARM_AM_RACE = 24,
	OP_PREFAULT = 25,
	OP_COUNT
};

/*
 * Argument positions shared by ops that address memory, so that one helper
 * can turn any of them into a VA.  User ops: as, region, page, then npages
 * if the op takes a run.  Kernel ops: kregion, page, then npages.  A test
 * holds the table to this.
 */
#define OP_A_AS 0
#define OP_A_REGION 1
#define OP_A_PAGE 2
#define OP_A_NPAGES 3
#define OP_A_KREGION 0
#define OP_A_KPAGE 1
#define OP_A_KNPAGES 2

/* Values of the `access` argument of touch, ktouch and arm_intr_touch. */
#define OP_ACCESS_READ 0
#define OP_ACCESS_WRITE 1
#define OP_ACCESS_EXEC 2

/* Values of the `mode` argument of kmem_alloc. */
#define OP_KMEM_TWO_LOOP 0    /* 8.x: allocate all pages, then enter each */
#define OP_KMEM_INTERLEAVED 1 /* today: allocate and enter page by page */
#define OP_KMEM_ENTER_MULTI 2 /* allocate all, enter the run, promote once */
#define OP_KMEM_SUPERPAGE 3   /* a whole region: one 2 MiB mapping (psind 1) */

struct op_config {
	uint8_t ncpus;	       /* 1..4 */
	uint8_t pg_ps_enabled; /* 0 or 1: vm.pmap.pg_ps_enabled at boot */
	uint8_t mem_class;     /* 0..2: 4096 << mem_class frames */
};

/*
 * One op.  arg[i] holds the raw value, in [0, range) of the op's i-th
 * argument; the user-facing value is raw + bias (op_arg_value).  Slots past
 * the op's nargs are 0.
 */
struct op {
	uint8_t code;
	uint16_t arg[OP_NARGS];
};

struct op_program {
	struct op_config cfg;
	uint8_t nops; /* 0..OP_MAX */
	struct op ops[OP_MAX];
};

struct op_arg {
	const char *name;
	uint16_t range; /* raw values are 0..range-1; range >= 1 */
	uint16_t bias;	/* user-facing value = raw + bias */
};

struct op_info {
	const char *name;
	uint8_t nargs;
	struct op_arg args[OP_NARGS];
	const char *doc;
};

/* Number of ops in the table (OP_COUNT). */
size_t op_count(void);

/* The table row of code, or NULL if code >= op_count(). */
const struct op_info *op_info(unsigned code);

/* The code of the op called name, or -1. */
int op_lookup(const char *name);

/* Frames of memory that a config asks for: 4096 << mem_class. */
uint32_t op_config_frames(const struct op_config *cfg);

/*
 * Decode size bytes at data into *out.  Total: every byte string gives a
 * valid program.  No allocation, no string work: this is on the fuzz hot
 * path.  data may be NULL when size is 0.
 */
void op_decode(const uint8_t *data, size_t size, struct op_program *out);

/*
 * Encode *p canonically.  Returns the encoded size (OP_HEADER_SIZE +
 * nops * OP_RECORD_SIZE) and writes the bytes only if that fits in cap, so
 * a caller may ask for the size with cap 0 and buf NULL.  Out-of-range fields
 * are reduced as the decoder would reduce them, so the output always decodes
 * to a valid program; for a valid p, decode(encode(p)) == p.
 */
size_t op_encode(const struct op_program *p, uint8_t *buf, size_t cap);

/* Nonzero if a and b have the same config and the same ops. */
int op_program_equal(const struct op_program *a, const struct op_program *b);

/*
 * The user-facing value of argument i of o (raw + bias).  o must be valid
 * and i < its nargs; otherwise returns -1.
 */
int op_arg_value(const struct op *o, unsigned i);

/*
 * Set argument i of o from its user-facing value.  Returns 0, or -1 (and
 * changes nothing) if o->code is not an op, i is not one of its arguments,
 * or value is outside [bias, bias + range).
 */
int op_arg_set(struct op *o, unsigned i, int value);

#endif /* PMAPFUZZ_OPS_H */

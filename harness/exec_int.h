/*
 * exec_int.h - the executor's private state, shared by exec.c (lifecycle,
 * run loop, checks), exec_ops.c (the kernel services behind each op) and
 * exec_inject.c (fault arms and interrupts).
 */
#ifndef PMAPFUZZ_EXEC_INT_H
#define PMAPFUZZ_EXEC_INT_H

#include <setjmp.h>

#include "exec.h"
#include "pmapfuzz/bugs.h"
#include "pmapfuzz/fault.h"
#include "pmapfuzz/machine.h"
#include "pmapfuzz/model.h"
#include "pmapfuzz/pmap.h"

#define EXEC_BUF_PAGES NPTEPG

/* One address-space slot of the op language. */
struct exec_as {
	pmap_t pmap;		       /* NULL: the slot is empty */
	uint32_t object[USER_REGIONS]; /* anonymous objects, 0: none yet */
};

/* One I/O buffer: the frames under I/O. */
struct exec_buf {
	uint8_t active;
	uint8_t write;
	uint16_t npages;
	uint32_t pfn[EXEC_BUF_PAGES];
};

/* A fault arm waiting in the current op. */
struct exec_arm {
	struct op op;	/* the arm as written */
	uint32_t n;	/* fire at this matching hit (argument 0) */
	uint32_t site;	/* interrupt arms: the site counted, 0 any (arg 1) */
	uint32_t count; /* matching site hits so far */
	uint8_t fired;
};

/* The simulated system of one configuration, booted once and reset per
 * input.  The init process (slot 0) and its kernel stack are part of the
 * boot state. */
struct exec_world {
	struct machine *mc;
	struct pmap_sys *ps;
	struct model *md;
	struct inv_ctx *inv;
	uint16_t init_pmap;   /* pmap id of the init process */
	uint32_t init_kstack; /* its kernel-stack frame */
};

struct exec {
	struct exec_world *worlds[OP_CPUS_MAX][OP_MEM_CLASSES];
	struct exec_world *w; /* the world of the current run */
	const struct exec_options *opt;
	struct exec_as as[OP_AS_SLOTS];
	struct exec_buf buf[OP_IO_BUFS];
	struct exec_arm arms[OP_MAX];
	unsigned narms;
	unsigned arms_live;  /* arms of this op not fired yet */
	int pending_arm;     /* arm whose interrupt waits, or -1 */
	unsigned intr_depth; /* >0: inside an injected interrupt */
	unsigned arms_fired;
	uint64_t pmap_calls;
	jmp_buf stop; /* a finding ends the input */
};

/* exec.c */
void exec_call_done(struct exec *ex, const char *func);

/* A touch of va in address space as reached pfn with access: tell the model
 * of a write through a managed mapping (exec_ops.c). */
void exec_touched(struct exec *ex, unsigned as, vm_offset_t va,
    vm_prot_t access, uint32_t pfn);

/* exec_ops.c: the handler of every op code; arms go to exec_arm_add. */
typedef void (*exec_op_fn)(struct exec *ex, const struct op *o);
extern const exec_op_fn exec_op_table[OP_COUNT];
void exec_io_done(struct exec *ex, unsigned b);
void exec_remove_all_at(struct exec *ex, unsigned slot, vm_offset_t va);
vm_offset_t exec_user_va(const struct op *o);

/* exec_inject.c */
void exec_arm_add(struct exec *ex, const struct op *o);
void exec_arms_clear(struct exec *ex);
int exec_fi_hook(struct machine *mc, enum fi_site site,
    const struct pt_ref *ref);

#endif /* PMAPFUZZ_EXEC_INT_H */

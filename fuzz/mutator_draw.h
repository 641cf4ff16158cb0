/*
 * mutator_draw.h - how the mutator draws opcodes and argument values so
 * that ops collide: private to the mutator (mutator.c), tested through it.
 *
 * Arguments are classified by name (from the op table) into groups of
 * arguments that name the same kind of thing: `as`, `parent` and `child`
 * all name an address-space slot, `page` names a page in a user or kernel
 * region, and so on.  A value drawn for an argument is, with a per-kind
 * probability, a value that another op of the program already uses for
 * an argument of the same group; otherwise it comes from a per-kind
 * distribution biased to the values that matter (slot 0, page 0, small
 * runs, a run to the 2 MiB boundary, a whole region, early fault hits).
 */
#ifndef PMAPFUZZ_MUTATOR_DRAW_H
#define PMAPFUZZ_MUTATOR_DRAW_H

#include <stdint.h>

#include "mutator.h"
#include "ops.h"

enum mut_group {
	MUT_G_OTHER = 0, /* flags, prot, access, mode: drawn uniformly */
	MUT_G_AS,	 /* as, parent, child */
	MUT_G_REGION,
	MUT_G_KREGION,
	MUT_G_PAGE,
	MUT_G_NPAGES,
	MUT_G_BUF,
	MUT_G_CPU,
	MUT_G_NTH,
	MUT_G_SITE,
};

/* The group of an argument of the op table. */
enum mut_group mut_arg_group(const struct op_arg *a);

/* Nonzero if the group says where an op acts (slot, region, page, run,
 * buffer): values that mut_adopt_args copies between ops. */
int mut_group_is_address(enum mut_group g);

/* Nonzero if code is a fault arm (its first argument is `n`). */
int mut_op_is_arm(unsigned code);

/* A random opcode, uniform over the table. */
unsigned mut_draw_code(struct mut_rng *r);

/*
 * A raw value for argument i of record rec of p.  The record's code and
 * its arguments before i must be set (npages looks at page).  Values are
 * taken from the other records only, never from rec itself.  The result is
 * in [0, range) of the argument.
 */
uint16_t mut_draw_arg(const struct op_program *p, unsigned rec, unsigned i,
    struct mut_rng *r);

/*
 * Make record rec of p a fresh op with opcode code: every argument drawn
 * with mut_draw_arg, then, with some probability, the address arguments
 * adopted from another record of p (mut_adopt_args).
 */
void mut_fill_record(struct op_program *p, unsigned rec, unsigned code,
    struct mut_rng *r);

/* A record other than rec that shares an address group with it, chosen
 * uniformly; -1 if none. */
int mut_pick_partner(const struct op_program *p, unsigned rec,
    struct mut_rng *r);

/*
 * Copy into record dst the values of record src for every address
 * argument of dst whose group src also has (an `as` of dst may take src's
 * `child`, and so on; reduced modulo dst's range).  Returns the number of
 * arguments of dst that changed.
 */
unsigned mut_adopt_args(struct op_program *p, unsigned dst, unsigned src,
    struct mut_rng *r);

#endif /* PMAPFUZZ_MUTATOR_DRAW_H */

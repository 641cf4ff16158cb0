/*
 * mutator.c - the strategy table of the structure-aware mutator and its
 * byte-level entry points (see mutator.h for the contracts).
 *
 * A strategy changes a decoded program in one structural way: records are
 * inserted, deleted, duplicated, moved, swapped or spliced in from another
 * program; one argument, an opcode or the config changes; or an op takes
 * over the address of another.  Each row of mut_strategies has a weight;
 * mut_mutate stacks a few strategies picked by weight.  What values the
 * new arguments get is mutator_draw.c's business.
 */
#include "mutator.h"

#include <string.h>

#include "mutator_draw.h"
#include "ops.h"

/* Longest block of records that duplicate and splice move at once. */
#define MUT_BLOCK_MAX 8

/*
 * A strategy: change *p (valid, at most cap records) and return nonzero,
 * or return 0 when it does not apply.  It may leave *p changed when it
 * returns 0 only if mut_apply restores it, which it does.
 */
typedef int (*mut_fn)(struct op_program *p, const struct op_program *other,
    unsigned cap, struct mut_rng *r);

struct mut_strategy {
	const char *name;
	unsigned weight;
	mut_fn fn;
};

/* ---- Record surgery ---- */

static unsigned
min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* Open n empty slots at pos (n more records must fit in OP_MAX). */
static void
rec_open(struct op_program *p, unsigned pos, unsigned n)
{
	memmove(&p->ops[pos + n], &p->ops[pos],
	    (p->nops - pos) * sizeof(p->ops[0]));
	memset(&p->ops[pos], 0, n * sizeof(p->ops[0]));
	p->nops = (uint8_t)(p->nops + n);
}

/* Remove the n records at pos. */
static void
rec_close(struct op_program *p, unsigned pos, unsigned n)
{
	memmove(&p->ops[pos], &p->ops[pos + n],
	    (p->nops - pos - n) * sizeof(p->ops[0]));
	p->nops = (uint8_t)(p->nops - n);
	memset(&p->ops[p->nops], 0, n * sizeof(p->ops[0]));
}

/* A block length in 1..max (max >= 1), short blocks most likely. */
static unsigned
block_len(struct mut_rng *r, unsigned max)
{
	if (max <= 1 || mut_rng_pct(r, 60))
		return 1;
	return 1 + mut_rng_below(r, max);
}

/* Nonzero if the record has an argument with more than one value. */
static int
rec_has_choice(const struct op *o)
{
	const struct op_info *info = op_info(o->code);

	for (unsigned i = 0; i < info->nargs; i++)
		if (info->args[i].range > 1)
			return 1;
	return 0;
}

/* ---- Strategies ---- */

/* A fresh random op at a random position. */
static int
st_insert(struct op_program *p, const struct op_program *other, unsigned cap,
    struct mut_rng *r)
{
	unsigned pos;

	(void)other;
	if (p->nops >= cap)
		return 0;
	pos = mut_rng_below(r, p->nops + 1u);
	rec_open(p, pos, 1);
	mut_fill_record(p, pos, mut_draw_code(r), r);
	return 1;
}

/* A fresh fault arm just before an op that is not an arm, so it acts on
 * that op (random placement rarely lands there). */
static int
st_insert_arm(struct op_program *p, const struct op_program *other,
    unsigned cap, struct mut_rng *r)
{
	unsigned arms[OP_COUNT], narms = 0, seen = 0, pos;

	(void)other;
	if (p->nops >= cap)
		return 0;
	for (unsigned c = 0; c < op_count(); c++)
		if (mut_op_is_arm(c))
			arms[narms++] = c;
	if (narms == 0)
		return 0;
	pos = p->nops;
	for (unsigned k = 0; k < p->nops; k++)
		if (!mut_op_is_arm(p->ops[k].code) &&
		    mut_rng_below(r, ++seen) == 0)
			pos = k;
	rec_open(p, pos, 1);
	mut_fill_record(p, pos, arms[mut_rng_below(r, narms)], r);
	return 1;
}

/* Remove a record, sometimes a short block. */
static int
st_delete(struct op_program *p, const struct op_program *other, unsigned cap,
    struct mut_rng *r)
{
	unsigned n;

	(void)other;
	(void)cap;
	if (p->nops == 0)
		return 0;
	n = block_len(r, min_u(p->nops, 4));
	rec_close(p, mut_rng_below(r, p->nops - n + 1u), n);
	return 1;
}

/* Copy a record (or a short block) to a random position. */
static int
st_duplicate(struct op_program *p, const struct op_program *other, unsigned cap,
    struct mut_rng *r)
{
	struct op block[MUT_BLOCK_MAX];
	unsigned n, src, dst;

	(void)other;
	if (p->nops == 0 || p->nops >= cap)
		return 0;
	n = block_len(r, min_u(min_u(p->nops, cap - p->nops), MUT_BLOCK_MAX));
	src = mut_rng_below(r, p->nops - n + 1u);
	memcpy(block, &p->ops[src], n * sizeof(block[0]));
	dst = mut_rng_below(r, p->nops + 1u);
	rec_open(p, dst, n);
	memcpy(&p->ops[dst], block, n * sizeof(block[0]));
	return 1;
}

/* Exchange two records. */
static int
st_swap(struct op_program *p, const struct op_program *other, unsigned cap,
    struct mut_rng *r)
{
	unsigned i, j;
	struct op t;

	(void)other;
	(void)cap;
	if (p->nops < 2)
		return 0;
	i = mut_rng_below(r, p->nops);
	j = (i + 1 + mut_rng_below(r, p->nops - 1u)) % p->nops;
	t = p->ops[i];
	p->ops[i] = p->ops[j];
	p->ops[j] = t;
	return 1;
}

/* Take a record out and put it back elsewhere. */
static int
st_move(struct op_program *p, const struct op_program *other, unsigned cap,
    struct mut_rng *r)
{
	unsigned i, j;
	struct op t;

	(void)other;
	(void)cap;
	if (p->nops < 2)
		return 0;
	i = mut_rng_below(r, p->nops);
	t = p->ops[i];
	rec_close(p, i, 1);
	j = (i + 1 + mut_rng_below(r, p->nops)) % (p->nops + 1u);
	rec_open(p, j, 1);
	p->ops[j] = t;
	return 1;
}

/*
 * Crossover: a block of other's records inserted into p, or replacing a
 * block of p.  At least one record of other always goes in, and at least
 * one of p stays when p had records and cap >= 2.
 */
static int
st_splice(struct op_program *p, const struct op_program *other, unsigned cap,
    struct mut_rng *r)
{
	unsigned n, src, dst, cut;

	if (other == NULL || other->nops == 0 || cap == 0)
		return 0;
	/* Make room for one record, keeping at least one of p's. */
	if (p->nops >= cap)
		rec_close(p, cap - 1, p->nops - (cap - 1));
	n = block_len(r,
	    min_u(min_u(other->nops, cap - p->nops), MUT_BLOCK_MAX));
	src = mut_rng_below(r, other->nops - n + 1u);
	dst = mut_rng_below(r, p->nops + 1u);
	/* Replace: drop up to n of p's records at dst, keeping one. */
	if (p->nops > 1 && mut_rng_pct(r, 50)) {
		cut = min_u(1 + mut_rng_below(r, n), p->nops - dst);
		if (cut >= p->nops)
			cut = p->nops - 1;
		rec_close(p, dst, cut);
	}
	rec_open(p, dst, n);
	memcpy(&p->ops[dst], &other->ops[src], n * sizeof(p->ops[0]));
	return 1;
}

/* One argument of one record gets a new value drawn for its kind. */
static int
st_mutate_arg(struct op_program *p, const struct op_program *other,
    unsigned cap, struct mut_rng *r)
{
	unsigned seen = 0, rec = 0, i, old, range;
	const struct op_info *info;
	struct op *o;

	(void)other;
	(void)cap;
	for (unsigned k = 0; k < p->nops; k++)
		if (rec_has_choice(&p->ops[k]) && mut_rng_below(r, ++seen) == 0)
			rec = k;
	if (seen == 0)
		return 0;
	o = &p->ops[rec];
	info = op_info(o->code);
	do
		i = mut_rng_below(r, info->nargs);
	while (info->args[i].range < 2);
	old = o->arg[i];
	range = info->args[i].range;
	for (unsigned tries = 0; tries < 8 && o->arg[i] == old; tries++)
		o->arg[i] = mut_draw_arg(p, rec, i, r);
	if (o->arg[i] == old)
		o->arg[i] =
		    (uint16_t)((old + 1 + mut_rng_below(r, range - 1)) % range);
	return 1;
}

/*
 * A record becomes another op.  An argument keeps its value when the old
 * op had one of that name at that position, or else one of the same group
 * (map -> unmap keeps the run, fork -> exit keeps a slot); the rest are
 * drawn.
 */
static int
st_retype(struct op_program *p, const struct op_program *other, unsigned cap,
    struct mut_rng *r)
{
	const struct op_info *io, *in;
	struct op old, *o;
	unsigned rec, code;

	(void)other;
	(void)cap;
	if (p->nops == 0)
		return 0;
	rec = mut_rng_below(r, p->nops);
	o = &p->ops[rec];
	old = *o;
	code = (old.code + 1 + mut_rng_below(r, (unsigned)op_count() - 1)) %
	    (unsigned)op_count();
	io = op_info(old.code);
	in = op_info(code);
	memset(o, 0, sizeof(*o));
	o->code = (uint8_t)code;
	for (unsigned i = 0; i < in->nargs; i++) {
		enum mut_group g = mut_arg_group(&in->args[i]);
		int from = -1;

		if (i < io->nargs &&
		    strcmp(io->args[i].name, in->args[i].name) == 0)
			from = (int)i;
		for (unsigned j = 0; from < 0 && j < io->nargs; j++)
			if (g != MUT_G_OTHER &&
			    mut_arg_group(&io->args[j]) == g)
				from = (int)j;
		o->arg[i] = from >= 0 ?
		    (uint16_t)(old.arg[from] % in->args[i].range) :
		    mut_draw_arg(p, rec, i, r);
	}
	return 1;
}

/* A record takes over the slot, page, run or buffer of another record. */
static int
st_share_address(struct op_program *p, const struct op_program *other,
    unsigned cap, struct mut_rng *r)
{
	unsigned rec;
	int partner;

	(void)other;
	(void)cap;
	if (p->nops < 2)
		return 0;
	/* In a program whose ops already agree, most pairs change nothing. */
	for (unsigned tries = 0; tries < 4; tries++) {
		rec = mut_rng_below(r, p->nops);
		partner = mut_pick_partner(p, rec, r);
		if (partner >= 0 &&
		    mut_adopt_args(p, rec, (unsigned)partner, r))
			return 1;
	}
	return 0;
}

/* One field of the config header changes. */
static int
st_config(struct op_program *p, const struct op_program *other, unsigned cap,
    struct mut_rng *r)
{
	struct op_config *c = &p->cfg;

	(void)other;
	(void)cap;
	switch (mut_rng_below(r, 3)) {
	case 0:
		c->ncpus = (uint8_t)(1 +
		    (c->ncpus + mut_rng_below(r, OP_CPUS_MAX - 1)) %
			OP_CPUS_MAX);
		break;
	case 1:
		c->pg_ps_enabled ^= 1;
		break;
	default:
		c->mem_class =
		    (uint8_t)((c->mem_class + 1 +
				  mut_rng_below(r, OP_MEM_CLASSES - 1)) %
			OP_MEM_CLASSES);
		break;
	}
	return 1;
}

/*
 * Weights are relative.  They were tuned on the executions libFuzzer needs,
 * from an empty corpus, to find seed bug 2 (an interrupt re-pointing the
 * window under a foreign-pmap op): arms placed before an op matter most.
 */
/* clang-format off */
static const struct mut_strategy mut_strategies[] = {
	{ "insert",		20, st_insert },
	{ "insert_arm",		14, st_insert_arm },
	{ "delete",		10, st_delete },
	{ "duplicate",		 8, st_duplicate },
	{ "swap",		 5, st_swap },
	{ "move",		 5, st_move },
	{ "splice",		 8, st_splice },
	{ "mutate_arg",		24, st_mutate_arg },
	{ "retype",		 6, st_retype },
	{ "share_address",	 8, st_share_address },
	{ "config",		 4, st_config },
};
/* clang-format on */

#define MUT_NSTRATEGIES (sizeof(mut_strategies) / sizeof(mut_strategies[0]))

_Static_assert(MUT_NSTRATEGIES <= 256, "a trail keeps strategies in bytes");

unsigned
mut_strategy_count(void)
{
	return (unsigned)MUT_NSTRATEGIES;
}

const char *
mut_strategy_name(unsigned s)
{
	return s < MUT_NSTRATEGIES ? mut_strategies[s].name : NULL;
}

int
mut_strategy_lookup(const char *name)
{
	for (unsigned s = 0; s < MUT_NSTRATEGIES; s++)
		if (strcmp(mut_strategies[s].name, name) == 0)
			return (int)s;
	return -1;
}

unsigned
mut_capacity(size_t max_size)
{
	size_t n;

	if (max_size < OP_HEADER_SIZE)
		return 0;
	n = (max_size - OP_HEADER_SIZE) / OP_RECORD_SIZE;
	return n < OP_MAX ? (unsigned)n : OP_MAX;
}

int
mut_apply(unsigned s, struct op_program *p, const struct op_program *other,
    unsigned cap, struct mut_rng *r)
{
	struct op_program before;

	if (s >= MUT_NSTRATEGIES)
		return 0;
	before = *p;
	if (mut_strategies[s].fn(p, other, cap, r) &&
	    !op_program_equal(&before, p))
		return 1;
	*p = before;
	return 0;
}

/* A strategy picked by weight. */
static unsigned
pick_strategy(struct mut_rng *r)
{
	unsigned total = 0, x;

	for (unsigned s = 0; s < MUT_NSTRATEGIES; s++)
		total += mut_strategies[s].weight;
	x = mut_rng_below(r, total);
	for (unsigned s = 0; s < MUT_NSTRATEGIES; s++) {
		if (x < mut_strategies[s].weight)
			return s;
		x -= mut_strategies[s].weight;
	}
	return 0;
}

/* Drop records past cap (an input longer than the caller's maximum). */
static void
clip(struct op_program *p, unsigned cap)
{
	if (p->nops > cap)
		rec_close(p, cap, p->nops - cap);
}

/* Attempts to find a strategy that applies, per stacked step. */
#define MUT_TRIES 16

size_t
mut_mutate(uint8_t *data, size_t size, size_t max_size, const uint8_t *other,
    size_t other_size, uint64_t seed, struct mut_trail *trail)
{
	struct op_program p, o, orig;
	const struct op_program *po = NULL;
	struct mut_rng r;
	unsigned cap = mut_capacity(max_size), depth = 1;

	if (trail != NULL)
		trail->n = 0;
	if (max_size < OP_HEADER_SIZE)
		return 0;
	op_decode(data, size, &p);
	clip(&p, cap);
	if (other != NULL) {
		op_decode(other, other_size, &o);
		po = &o;
	}
	mut_rng_seed(&r, seed);
	while (depth < MUT_STACK_MAX && mut_rng_pct(&r, 30))
		depth++;
	orig = p;
	/* One more step when the stack undid itself (a swap swapped back). */
	for (unsigned d = 0;
	     d < depth || (d == depth && op_program_equal(&p, &orig)); d++) {
		for (unsigned t = 0; t < MUT_TRIES; t++) {
			unsigned s = pick_strategy(&r);

			if (!mut_apply(s, &p, po, cap, &r))
				continue;
			if (trail != NULL)
				trail->strategy[trail->n++] = (uint8_t)s;
			break;
		}
	}
	return op_encode(&p, data, max_size);
}

size_t
mut_crossover(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size,
    uint8_t *out, size_t max_out, uint64_t seed)
{
	struct op_program pa, pb;
	struct mut_rng r;
	unsigned cap = mut_capacity(max_out);

	if (max_out < OP_HEADER_SIZE)
		return 0;
	op_decode(a, a_size, &pa);
	op_decode(b, b_size, &pb);
	clip(&pa, cap);
	mut_rng_seed(&r, seed);
	if (mut_rng_pct(&r, 30))
		pa.cfg = pb.cfg;
	if (pb.nops > 0 && cap > 0) {
		if (pa.nops > 0 && mut_rng_pct(&r, 50)) {
			/* One point: a prefix of a, then b from a point on. */
			unsigned keep = 1 +
			    mut_rng_below(&r,
				min_u(pa.nops, cap > 1 ? cap - 1 : 1));
			unsigned from = mut_rng_below(&r, pb.nops);
			unsigned n = min_u(pb.nops - from, cap - keep);

			clip(&pa, keep);
			memcpy(&pa.ops[keep], &pb.ops[from],
			    n * sizeof(pa.ops[0]));
			pa.nops = (uint8_t)(keep + n);
		} else {
			(void)st_splice(&pa, &pb, cap, &r);
		}
	}
	return op_encode(&pa, out, max_out);
}

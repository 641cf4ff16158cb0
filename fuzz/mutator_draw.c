/*
 * mutator_draw.c - biased opcodes and argument values for the mutator.
 *
 * The universe is small on purpose (8 slots, 3 user regions, 512 pages),
 * but uniform draws still rarely make two ops touch the same page of the
 * same address space, and a bug needs exactly that: a map, then an I/O or
 * an interrupt on the same frame, then an op in another pmap.  So a value
 * is first, with the kind's reuse probability, copied from another op of
 * the program; failing that it comes from the kind's drawer, which favours
 * boundaries and small counts.  One table row per argument name; names the
 * table does not know are drawn uniformly, so a new op works unchanged.
 */
#include "mutator_draw.h"

#include <string.h>

#include "ops.h"

/* Where a drawer is asked for a value: argument i of record rec of p. */
struct draw_ctx {
	const struct op_program *p;
	unsigned rec;
	unsigned i;
	unsigned range; /* >= 1 */
};

typedef unsigned (*draw_fn)(const struct draw_ctx *c, struct mut_rng *r);

struct mut_kind {
	const char *name;     /* the argument's name in the op table */
	enum mut_group group; /* values are shared within a group */
	unsigned reuse_pct;   /* chance to reuse a value of the group */
	draw_fn draw;	      /* otherwise: a raw value in [0, range) */
};

static unsigned
draw_uniform(const struct draw_ctx *c, struct mut_rng *r)
{
	return mut_rng_below(r, c->range);
}

/* Low values first: slot 0 exists from boot, forks fill 1, 2, ... */
static unsigned
draw_low(const struct draw_ctx *c, struct mut_rng *r)
{
	if (mut_rng_pct(r, 75))
		return mut_rng_below(r, c->range < 3 ? c->range : 3);
	return mut_rng_below(r, c->range);
}

/* Nonzero if some record of p other than c->rec names slot s. */
static int
slot_named(const struct draw_ctx *c, unsigned s)
{
	for (unsigned k = 0; k < c->p->nops; k++) {
		const struct op *o = &c->p->ops[k];
		const struct op_info *info = op_info(o->code);

		if (k == c->rec || info == NULL)
			continue;
		for (unsigned j = 0; j < info->nargs; j++)
			if (mut_arg_group(&info->args[j]) == MUT_G_AS &&
			    o->arg[j] == s)
				return 1;
	}
	return 0;
}

/* A fork's child: mostly the lowest slot nobody names yet, since a fork
 * onto a live slot does nothing. */
static unsigned
draw_child(const struct draw_ctx *c, struct mut_rng *r)
{
	if (mut_rng_pct(r, 80))
		for (unsigned s = 1; s < c->range; s++)
			if (!slot_named(c, s))
				return s;
	return mut_rng_below(r, c->range);
}

/* Pages: the first and last of a region, the first few, or any. */
static unsigned
draw_page(const struct draw_ctx *c, struct mut_rng *r)
{
	unsigned low = c->range < 16 ? c->range : 16;
	unsigned x = mut_rng_below(r, 100);

	if (x < 25)
		return 0;
	if (x < 45)
		return mut_rng_below(r, low);
	if (x < 55)
		return c->range - 1 - mut_rng_below(r, low);
	return mut_rng_below(r, c->range);
}

/* The raw page of the op being drawn, if it has one before npages. */
static int
own_page(const struct draw_ctx *c, unsigned *page)
{
	const struct op *o = &c->p->ops[c->rec];
	const struct op_info *info = op_info(o->code);

	for (unsigned j = 0; j < c->i; j++)
		if (mut_arg_group(&info->args[j]) == MUT_G_PAGE) {
			*page = o->arg[j];
			return 1;
		}
	return 0;
}

/*
 * Runs (raw value = npages - 1): a few pages; up to the end of the page's
 * 2 MiB region, where promotion and demotion happen; exactly a whole
 * region (one PDE when page is 0); or any length.
 */
static unsigned
draw_npages(const struct draw_ctx *c, struct mut_rng *r)
{
	unsigned x = mut_rng_below(r, 100);
	unsigned page;

	if (x < 35)
		return mut_rng_below(r, c->range < 8 ? c->range : 8);
	if (x < 55 && own_page(c, &page) && page < c->range)
		return c->range - 1 - page;
	if (x < 75)
		return c->range - 1;
	return mut_rng_below(r, c->range);
}

/* Fault arms (raw value = n - 1): the first hits matter most. */
static unsigned
draw_nth(const struct draw_ctx *c, struct mut_rng *r)
{
	unsigned x = mut_rng_below(r, 100);

	if (x < 50)
		return mut_rng_below(r, c->range < 4 ? c->range : 4);
	if (x < 80)
		return mut_rng_below(r, c->range < 16 ? c->range : 16);
	return mut_rng_below(r, c->range);
}

/* Interrupt sites: 0 (any site) or one real site. */
static unsigned
draw_site(const struct draw_ctx *c, struct mut_rng *r)
{
	if (c->range < 2 || mut_rng_pct(r, 35))
		return 0;
	return 1 + mut_rng_below(r, c->range - 1);
}

/* Buffers: one slot is enough for most bugs; pairing matters more. */
static unsigned
draw_buf(const struct draw_ctx *c, struct mut_rng *r)
{
	if (mut_rng_pct(r, 50))
		return 0;
	return mut_rng_below(r, c->range);
}

/* clang-format off */
static const struct mut_kind mut_kinds[] = {
	{ "as",		MUT_G_AS,	60, draw_low },
	{ "parent",	MUT_G_AS,	50, draw_low },
	{ "child",	MUT_G_AS,	10, draw_child },
	{ "region",	MUT_G_REGION,	50, draw_uniform },
	{ "kregion",	MUT_G_KREGION,	60, draw_uniform },
	{ "page",	MUT_G_PAGE,	50, draw_page },
	{ "npages",	MUT_G_NPAGES,	30, draw_npages },
	{ "buf",	MUT_G_BUF,	60, draw_buf },
	{ "cpu",	MUT_G_CPU,	30, draw_uniform },
	{ "n",		MUT_G_NTH,	10, draw_nth },
	{ "site",	MUT_G_SITE,	20, draw_site },
};
/* clang-format on */

/* Any other argument: uniform, never shared. */
static const struct mut_kind mut_kind_other = { "", MUT_G_OTHER, 0,
	draw_uniform };

static const struct mut_kind *
kind_of(const struct op_arg *a)
{
	for (size_t k = 0; k < sizeof(mut_kinds) / sizeof(mut_kinds[0]); k++)
		if (strcmp(mut_kinds[k].name, a->name) == 0)
			return &mut_kinds[k];
	return &mut_kind_other;
}

enum mut_group
mut_arg_group(const struct op_arg *a)
{
	return kind_of(a)->group;
}

int
mut_group_is_address(enum mut_group g)
{
	return g == MUT_G_AS || g == MUT_G_REGION || g == MUT_G_KREGION ||
	    g == MUT_G_PAGE || g == MUT_G_NPAGES || g == MUT_G_BUF;
}

int
mut_op_is_arm(unsigned code)
{
	const struct op_info *info = op_info(code);

	return info != NULL && info->nargs > 0 &&
	    strcmp(info->args[0].name, "n") == 0;
}

unsigned
mut_draw_code(struct mut_rng *r)
{
	return mut_rng_below(r, (unsigned)op_count());
}

/*
 * A value that another record of p holds for an argument of group g,
 * chosen uniformly among all such arguments (reservoir sampling).
 * Returns 0 if there is none.
 */
static int
reuse_value(const struct op_program *p, unsigned rec, enum mut_group g,
    struct mut_rng *r, unsigned *out)
{
	unsigned seen = 0;

	for (unsigned k = 0; k < p->nops; k++) {
		const struct op_info *info = op_info(p->ops[k].code);

		if (k == rec || info == NULL)
			continue;
		for (unsigned j = 0; j < info->nargs; j++) {
			if (mut_arg_group(&info->args[j]) != g)
				continue;
			if (mut_rng_below(r, ++seen) == 0)
				*out = p->ops[k].arg[j];
		}
	}
	return seen > 0;
}

uint16_t
mut_draw_arg(const struct op_program *p, unsigned rec, unsigned i,
    struct mut_rng *r)
{
	const struct op_info *info = op_info(p->ops[rec].code);
	const struct op_arg *a = &info->args[i];
	const struct mut_kind *k = kind_of(a);
	struct draw_ctx c = { p, rec, i, a->range };
	unsigned v;

	if (k->reuse_pct > 0 && mut_rng_pct(r, k->reuse_pct) &&
	    reuse_value(p, rec, k->group, r, &v))
		return (uint16_t)(v % a->range);
	return (uint16_t)(k->draw(&c, r) % a->range);
}

/* Chance that a fresh record takes its address from another record. */
#define MUT_ADOPT_PCT 50

void
mut_fill_record(struct op_program *p, unsigned rec, unsigned code,
    struct mut_rng *r)
{
	struct op *o = &p->ops[rec];
	const struct op_info *info = op_info(code);
	int partner;

	memset(o, 0, sizeof(*o));
	o->code = (uint8_t)code;
	for (unsigned i = 0; i < info->nargs; i++)
		o->arg[i] = mut_draw_arg(p, rec, i, r);
	if (mut_rng_pct(r, MUT_ADOPT_PCT) &&
	    (partner = mut_pick_partner(p, rec, r)) >= 0)
		(void)mut_adopt_args(p, rec, (unsigned)partner, r);
}

/* Nonzero if records a and b share an address group. */
static int
share_address(const struct op *a, const struct op *b)
{
	const struct op_info *ia = op_info(a->code);
	const struct op_info *ib = op_info(b->code);

	for (unsigned i = 0; i < ia->nargs; i++) {
		enum mut_group g = mut_arg_group(&ia->args[i]);

		if (!mut_group_is_address(g))
			continue;
		for (unsigned j = 0; j < ib->nargs; j++)
			if (mut_arg_group(&ib->args[j]) == g)
				return 1;
	}
	return 0;
}

int
mut_pick_partner(const struct op_program *p, unsigned rec, struct mut_rng *r)
{
	unsigned seen = 0;
	int pick = -1;

	for (unsigned k = 0; k < p->nops; k++)
		if (k != rec && share_address(&p->ops[rec], &p->ops[k]) &&
		    mut_rng_below(r, ++seen) == 0)
			pick = (int)k;
	return pick;
}

unsigned
mut_adopt_args(struct op_program *p, unsigned dst, unsigned src,
    struct mut_rng *r)
{
	struct op *d = &p->ops[dst];
	const struct op *s = &p->ops[src];
	const struct op_info *id = op_info(d->code);
	const struct op_info *is = op_info(s->code);
	unsigned changed = 0;

	for (unsigned i = 0; i < id->nargs; i++) {
		enum mut_group g = mut_arg_group(&id->args[i]);
		unsigned seen = 0, v = 0;

		if (!mut_group_is_address(g))
			continue;
		for (unsigned j = 0; j < is->nargs; j++)
			if (mut_arg_group(&is->args[j]) == g &&
			    mut_rng_below(r, ++seen) == 0)
				v = s->arg[j] % id->args[i].range;
		if (seen > 0 && d->arg[i] != v) {
			d->arg[i] = (uint16_t)v;
			changed++;
		}
	}
	return changed;
}

/*
 * mutator.h - the structure-aware mutator of binary op programs.  One core,
 * used by libFuzzer's hooks (fuzz_pmap.c: LLVMFuzzerCustomMutator and
 * LLVMFuzzerCustomCrossOver) and by AFL++'s custom mutator library
 * (afl_mutator.c).  This module has no engine hooks of its own.
 *
 * Contract of every entry point that takes bytes: the input(s) are decoded
 * with op_decode (total, so any byte string is fine), the struct op_program
 * is changed, and the result is written with op_encode.  Hence the output
 * is always canonical (encode(decode(out)) == out), holds only in-range
 * values, and is never longer than the caller's maximum.  Everything is
 * deterministic: the same bytes and the same seed give the same output.
 * No clocks, no rand(), no global state; the only randomness is the
 * caller's seed, expanded by struct mut_rng.
 *
 * The strategies are one weighted table (mutator.c); how argument values
 * are drawn so that ops collide is in mutator_draw.c.
 */
#ifndef PMAPFUZZ_MUTATOR_H
#define PMAPFUZZ_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

#include "ops.h"

/* splitmix64: a small, fast PRNG.  Any seed (0 included) is fine. */
struct mut_rng {
	uint64_t s;
};

static inline void
mut_rng_seed(struct mut_rng *r, uint64_t seed)
{
	r->s = seed;
}

static inline uint64_t
mut_rng_next(struct mut_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A value in [0, n); n must be at least 1. */
static inline unsigned
mut_rng_below(struct mut_rng *r, unsigned n)
{
	return (unsigned)((mut_rng_next(r) >> 32) * n >> 32);
}

/* True with probability pct percent. */
static inline int
mut_rng_pct(struct mut_rng *r, unsigned pct)
{
	return mut_rng_below(r, 100) < pct;
}

/* At most this many strategies are stacked by one mut_mutate call. */
#define MUT_STACK_MAX 4

/* Which strategies one mut_mutate call applied, in order (for reports such
 * as AFL++'s afl_custom_describe and for tests).  One more than
 * MUT_STACK_MAX when the stack undid itself and a last step was added. */
struct mut_trail {
	unsigned n;
	uint8_t strategy[MUT_STACK_MAX + 1];
};

/* The strategy table: count, names, lookup by name (-1 if none). */
unsigned mut_strategy_count(void);
const char *mut_strategy_name(unsigned s);
int mut_strategy_lookup(const char *name);

/* Records that fit in max_size bytes of canonical encoding (0..OP_MAX);
 * 0 also when not even the header fits. */
unsigned mut_capacity(size_t max_size);

/*
 * Apply strategy s once to *p, which must be valid (as op_decode makes
 * it) and have at most cap records; cap is at most OP_MAX.  other is the
 * second parent for strategies that splice, or NULL.  Returns 1 if *p
 * changed; 0 if the strategy does not apply (e.g. delete on an empty
 * program, splice without other) or drew no change, and then *p is
 * unchanged.  *p stays valid with at most cap records.
 */
int mut_apply(unsigned s, struct op_program *p, const struct op_program *other,
    unsigned cap, struct mut_rng *r);

/*
 * Mutate the size bytes at data in place: 1 to MUT_STACK_MAX strategies,
 * chosen by weight, and one more if they undid each other, so the output
 * differs from the canonical form of the input whenever some strategy
 * applies (always, given room for one record).  data has room for
 * max_size bytes.  other (may be NULL with other_size 0) is a second input
 * for splicing.  Returns the new size, at most max_size, or 0 when
 * max_size cannot hold even the header (data is then untouched).  trail,
 * if not NULL, receives the strategies used.
 */
size_t mut_mutate(uint8_t *data, size_t size, size_t max_size,
    const uint8_t *other, size_t other_size, uint64_t seed,
    struct mut_trail *trail);

/*
 * Cross over two inputs into out (room for max_out bytes): the config of
 * one parent, and records of both whenever both have records and at least
 * two fit.  Returns the size written, at most max_out, or 0 when the
 * header does not fit.  out must not overlap the parents.
 */
size_t mut_crossover(const uint8_t *a, size_t a_size, const uint8_t *b,
    size_t b_size, uint8_t *out, size_t max_out, uint64_t seed);

#endif /* PMAPFUZZ_MUTATOR_H */

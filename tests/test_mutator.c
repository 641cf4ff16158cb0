/*
 * test_mutator.c - the structure-aware mutator (fuzz/mutator.h) and its
 * AFL++ entry points (fuzz/afl_mutator.c, compiled into this test): every
 * output is canonical, within its maximum size and determined by its seed;
 * every strategy applies and changes its input; arguments stay within their
 * ranges; crossover mixes both parents; the value biases make ops collide.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutator.h"
#include "ops.h"
#include "testlib.h"
#include "trace.h"

/* The AFL++ API, as fuzz/afl_mutator.c defines it. */
void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
    unsigned char **out_buf, unsigned char *add_buf, size_t add_buf_size,
    size_t max_size);
const char *afl_custom_describe(void *data, size_t max_description_len);
void afl_custom_deinit(void *data);
int32_t afl_custom_init_trim(void *data, unsigned char *buf, size_t buf_size);
size_t afl_custom_trim(void *data, unsigned char **out_buf);
int32_t afl_custom_post_trim(void *data, unsigned char success);

/* A program of mixed ops (one of each kind of argument). */
static const char mixed_text[] =
    "config cpus=2 ps=1 mem=8192\n"
    "fork parent=0 child=1\n"
    "map as=1 region=0 page=0 npages=4 prot=3 wired=0\n"
    "touch as=1 region=0 page=0 access=1 cpu=0\n"
    "io_start as=1 region=0 page=0 npages=4 write=1 buf=0\n"
    "arm_intr_io_done n=4 site=3 buf=0\n"
    "fork parent=0 child=2\n"
    "kmem_alloc kregion=1 page=10 npages=20 mode=2\n"
    "arm_am_race n=1 set_m=1\n"
    "protect as=0 region=2 page=511 npages=1 prot=1\n"
    "sysctl_pg_ps enabled=0\n";

/* Another program, for splicing. */
static const char other_text[] =
    "config cpus=4 ps=0 mem=16384\n"
    "map as=0 region=2 page=100 npages=512 prot=7 wired=1\n"
    "demote as=0 region=2\n"
    "arm_alloc_fail n=2\n"
    "unmap as=0 region=2 page=100 npages=3\n"
    "exit as=3\n";

static void
parse_ok(const char *text, struct op_program *p)
{
	char err[256];

	CHECK(trace_parse(text, "t.trace", p, NULL, err, sizeof(err)) == 0,
	    "%s", err);
}

/* Fail unless p is a program the decoder could have produced, with at
 * most cap records. */
static void
check_valid(const struct op_program *p, unsigned cap)
{
	CHECK(p->cfg.ncpus >= 1 && p->cfg.ncpus <= OP_CPUS_MAX);
	CHECK(p->cfg.pg_ps_enabled <= 1);
	CHECK(p->cfg.mem_class < OP_MEM_CLASSES);
	CHECK(p->nops <= cap, "%u ops, cap %u", p->nops, cap);
	for (unsigned r = 0; r < p->nops; r++) {
		const struct op_info *info = op_info(p->ops[r].code);

		CHECK(info != NULL, "op %u code %u", r, p->ops[r].code);
		for (unsigned i = 0; i < OP_NARGS; i++)
			CHECK(i < info->nargs ?
				p->ops[r].arg[i] < info->args[i].range :
				p->ops[r].arg[i] == 0,
			    "op %u (%s) arg %u = %u", r, info->name, i,
			    p->ops[r].arg[i]);
	}
}

/* Fail unless the size bytes at b are canonical: decode + encode gives
 * them back exactly. */
static void
check_canonical(const uint8_t *b, size_t size)
{
	struct op_program p;
	uint8_t again[OP_ENCODED_MAX];
	size_t n;

	CHECK(size >= OP_HEADER_SIZE &&
		(size - OP_HEADER_SIZE) % OP_RECORD_SIZE == 0,
	    "size %zu", size);
	op_decode(b, size, &p);
	n = op_encode(&p, again, sizeof(again));
	CHECK(n == size && memcmp(again, b, size) == 0,
	    "not canonical (%zu bytes, re-encoded %zu)", size, n);
}

/* Deterministic test bytes: xorshift64. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t
random_bytes(uint64_t *s, uint8_t *buf, size_t max)
{
	size_t n = next_rand(s) % (max + 1);

	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)next_rand(s);
	return n;
}

static size_t
encode(const struct op_program *p, uint8_t *buf)
{
	return op_encode(p, buf, OP_ENCODED_MAX);
}

TEST(outputs_are_canonical_and_fit)
{
	static const size_t maxes[] = { 4, 17, 30, 100, 400, OP_ENCODED_MAX,
		4096 };
	uint64_t s = 0x1234567;

	for (unsigned k = 0; k < 3000; k++) {
		uint8_t buf[4096], other[1000];
		size_t max = maxes[k % (sizeof(maxes) / sizeof(maxes[0]))];
		size_t in = random_bytes(&s, buf, 1000);
		size_t on = random_bytes(&s, other, sizeof(other));
		size_t n = mut_mutate(buf, in, max, k & 1 ? other : NULL,
		    k & 1 ? on : 0, k, NULL);

		CHECK(n >= OP_HEADER_SIZE && n <= max, "size %zu max %zu", n,
		    max);
		check_canonical(buf, n);
	}
}

TEST(mutating_an_empty_input_gives_a_canonical_program)
{
	uint8_t buf[OP_ENCODED_MAX];
	size_t n = mut_mutate(buf, 0, sizeof(buf), NULL, 0, 7, NULL);

	check_canonical(buf, n);
}

TEST(max_size_below_the_header_gives_0_and_leaves_data)
{
	uint8_t buf[3] = { 9, 9, 9 }, out[3];
	struct mut_trail t;

	CHECK(mut_mutate(buf, 3, 3, NULL, 0, 1, &t) == 0);
	CHECK(buf[0] == 9 && buf[1] == 9 && buf[2] == 9);
	CHECK(t.n == 0);
	CHECK(mut_crossover(buf, 3, buf, 3, out, 3, 1) == 0);
	CHECK(mut_capacity(3) == 0 && mut_capacity(4) == 0);
	CHECK(mut_capacity(OP_HEADER_SIZE + OP_RECORD_SIZE) == 1);
	CHECK(mut_capacity(100000) == OP_MAX);
}

TEST(same_seed_same_output_other_seeds_differ)
{
	struct op_program p;
	uint8_t a[OP_ENCODED_MAX], b[OP_ENCODED_MAX], orig[OP_ENCODED_MAX];
	size_t len, na, nb;
	unsigned differ = 0;

	parse_ok(mixed_text, &p);
	len = encode(&p, orig);
	for (uint64_t seed = 0; seed < 200; seed++) {
		memcpy(a, orig, len);
		memcpy(b, orig, len);
		na = mut_mutate(a, len, sizeof(a), NULL, 0, seed, NULL);
		nb = mut_mutate(b, len, sizeof(b), NULL, 0, seed, NULL);
		CHECK(na == nb && memcmp(a, b, na) == 0, "seed %llu",
		    (unsigned long long)seed);
		memcpy(b, orig, len);
		nb = mut_mutate(b, len, sizeof(b), NULL, 0, seed + 1000, NULL);
		differ += na != nb || memcmp(a, b, na) != 0;
	}
	CHECK(differ > 150, "only %u of 200 seed pairs differ", differ);
}

TEST(mutation_changes_its_input)
{
	struct op_program p;
	uint8_t buf[OP_ENCODED_MAX], orig[OP_ENCODED_MAX];
	size_t len, n;
	unsigned same = 0;

	parse_ok(mixed_text, &p);
	len = encode(&p, orig);
	for (uint64_t seed = 0; seed < 500; seed++) {
		memcpy(buf, orig, len);
		n = mut_mutate(buf, len, sizeof(buf), NULL, 0, seed, NULL);
		same += n == len && memcmp(buf, orig, len) == 0;
	}
	CHECK(same == 0, "%u of 500 mutations changed nothing", same);
}

TEST(strategy_names_are_unique_and_found)
{
	CHECK(mut_strategy_count() >= 10);
	CHECK(mut_strategy_name(mut_strategy_count()) == NULL);
	for (unsigned s = 0; s < mut_strategy_count(); s++)
		CHECK(mut_strategy_lookup(mut_strategy_name(s)) == (int)s, "%s",
		    mut_strategy_name(s));
	CHECK(mut_strategy_lookup("nosuch") == -1);
}

/* The strategies the brief names must exist. */
TEST(the_documented_strategies_exist)
{
	static const char *const names[] = { "insert", "delete", "duplicate",
		"swap", "splice", "mutate_arg", "config" };

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		CHECK(mut_strategy_lookup(names[k]) >= 0, "%s", names[k]);
}

TEST(every_strategy_applies_and_changes_the_program)
{
	struct op_program base, other;

	parse_ok(mixed_text, &base);
	parse_ok(other_text, &other);
	for (unsigned s = 0; s < mut_strategy_count(); s++) {
		unsigned applied = 0;

		for (uint64_t seed = 0; seed < 50; seed++) {
			struct op_program p = base;
			struct mut_rng r;

			mut_rng_seed(&r, seed);
			if (!mut_apply(s, &p, &other, OP_MAX, &r)) {
				CHECK(op_program_equal(&p, &base),
				    "%s returned 0 but changed the program",
				    mut_strategy_name(s));
				continue;
			}
			applied++;
			CHECK(!op_program_equal(&p, &base),
			    "%s returned 1 without a change",
			    mut_strategy_name(s));
			check_valid(&p, OP_MAX);
		}
		CHECK(applied >= 40, "%s applied %u times in 50",
		    mut_strategy_name(s), applied);
	}
}

TEST(strategies_keep_arguments_in_range_and_records_within_cap)
{
	struct op_program other;
	uint64_t s = 99;

	parse_ok(other_text, &other);
	for (unsigned cap = 0; cap <= OP_MAX; cap += 7) {
		struct op_program p;
		struct mut_rng r;
		uint8_t buf[1000];
		size_t n = random_bytes(&s, buf, sizeof(buf));

		op_decode(buf, n, &p);
		if (p.nops > cap)
			p.nops = (uint8_t)cap;
		memset(&p.ops[p.nops], 0, (OP_MAX - p.nops) * sizeof(p.ops[0]));
		mut_rng_seed(&r, cap);
		for (unsigned k = 0; k < 2000; k++) {
			unsigned st = k % mut_strategy_count();

			(void)mut_apply(st, &p, k & 1 ? &other : NULL, cap, &r);
			check_valid(&p, cap);
		}
	}
}

TEST(strategies_that_cannot_apply_return_0)
{
	struct op_program empty, full, other;
	struct mut_rng r;
	int s;

	memset(&empty, 0, sizeof(empty));
	empty.cfg.ncpus = 1;
	parse_ok(other_text, &other);
	full = other;
	mut_rng_seed(&r, 1);
	s = mut_strategy_lookup("delete");
	CHECK(mut_apply((unsigned)s, &empty, NULL, OP_MAX, &r) == 0);
	s = mut_strategy_lookup("swap");
	CHECK(mut_apply((unsigned)s, &empty, NULL, OP_MAX, &r) == 0);
	s = mut_strategy_lookup("splice");
	CHECK(mut_apply((unsigned)s, &full, NULL, OP_MAX, &r) == 0);
	s = mut_strategy_lookup("insert");
	CHECK(mut_apply((unsigned)s, &full, NULL, full.nops, &r) == 0);
	CHECK(op_program_equal(&full, &other));
	CHECK(mut_apply(mut_strategy_count(), &full, NULL, OP_MAX, &r) == 0);
}

TEST(mut_mutate_uses_every_strategy)
{
	struct op_program p, o;
	uint8_t orig[OP_ENCODED_MAX], other[OP_ENCODED_MAX];
	unsigned used[256] = { 0 };
	size_t len, olen;

	parse_ok(mixed_text, &p);
	parse_ok(other_text, &o);
	len = encode(&p, orig);
	olen = encode(&o, other);
	for (uint64_t seed = 0; seed < 3000; seed++) {
		uint8_t buf[OP_ENCODED_MAX];
		struct mut_trail t;

		memcpy(buf, orig, len);
		(void)mut_mutate(buf, len, sizeof(buf), other, olen, seed, &t);
		CHECK(t.n >= 1 && t.n <= MUT_STACK_MAX + 1, "trail %u", t.n);
		for (unsigned k = 0; k < t.n; k++)
			used[t.strategy[k]]++;
	}
	for (unsigned s = 0; s < mut_strategy_count(); s++)
		CHECK(used[s] > 0, "%s never used", mut_strategy_name(s));
}

/* Programs made of one op only, so the parent of each record shows. */
static void
one_op_program(struct op_program *p, unsigned code, unsigned n)
{
	memset(p, 0, sizeof(*p));
	p->cfg.ncpus = 1;
	p->nops = (uint8_t)n;
	for (unsigned r = 0; r < n; r++) {
		p->ops[r].code = (uint8_t)code;
		p->ops[r].arg[0] = (uint16_t)(r % 8);
	}
}

TEST(crossover_takes_records_from_both_parents)
{
	static const size_t maxes[] = { OP_HEADER_SIZE + 2 * OP_RECORD_SIZE,
		100, OP_ENCODED_MAX };
	struct op_program a, b, c;
	uint8_t ab[OP_ENCODED_MAX], bb[OP_ENCODED_MAX], out[OP_ENCODED_MAX];
	size_t an, bn;

	one_op_program(&a, OP_MAP, 10);
	one_op_program(&b, OP_UNMAP, 30);
	an = encode(&a, ab);
	bn = encode(&b, bb);
	for (uint64_t seed = 0; seed < 600; seed++) {
		size_t max = maxes[seed % 3];
		size_t n = mut_crossover(ab, an, bb, bn, out, max, seed);
		unsigned from_a = 0, from_b = 0;

		CHECK(n <= max, "size %zu max %zu", n, max);
		check_canonical(out, n);
		op_decode(out, n, &c);
		for (unsigned r = 0; r < c.nops; r++) {
			from_a += c.ops[r].code == OP_MAP;
			from_b += c.ops[r].code == OP_UNMAP;
		}
		CHECK(from_a > 0 && from_b > 0,
		    "seed %llu: %u records of a, %u of b",
		    (unsigned long long)seed, from_a, from_b);
	}
}

TEST(crossover_is_deterministic_and_takes_either_config)
{
	struct op_program a, b, c;
	uint8_t ab[OP_ENCODED_MAX], bb[OP_ENCODED_MAX];
	uint8_t o1[OP_ENCODED_MAX], o2[OP_ENCODED_MAX];
	size_t an, bn, n1, n2;
	unsigned cfg_a = 0, cfg_b = 0;

	parse_ok(mixed_text, &a);
	parse_ok(other_text, &b);
	an = encode(&a, ab);
	bn = encode(&b, bb);
	for (uint64_t seed = 0; seed < 200; seed++) {
		n1 = mut_crossover(ab, an, bb, bn, o1, sizeof(o1), seed);
		n2 = mut_crossover(ab, an, bb, bn, o2, sizeof(o2), seed);
		CHECK(n1 == n2 && memcmp(o1, o2, n1) == 0);
		op_decode(o1, n1, &c);
		cfg_a += c.cfg.ncpus == a.cfg.ncpus;
		cfg_b += c.cfg.ncpus == b.cfg.ncpus;
	}
	CHECK(cfg_a > 0 && cfg_b > 0, "config of a %u times, of b %u", cfg_a,
	    cfg_b);
}

/* The record of p whose removal gives base (p = base + one insert), or
 * -1. */
static int
inserted_index(const struct op_program *base, const struct op_program *p)
{
	for (unsigned k = 0; k < p->nops; k++) {
		struct op_program q = *p;

		memmove(&q.ops[k], &q.ops[k + 1],
		    (q.nops - k - 1) * sizeof(q.ops[0]));
		q.nops--;
		if (op_program_equal(&q, base))
			return (int)k;
	}
	return -1;
}

/* Index of the argument called name in record o, or -1. */
static int
arg_index(const struct op *o, const char *name)
{
	const struct op_info *info = op_info(o->code);

	for (unsigned i = 0; i < info->nargs; i++)
		if (strcmp(info->args[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * A fresh op that names a user page lands on the program's mapped page
 * (slot, region and page all equal) far more often than the 1 in 12288 of
 * uniform draws.
 */
TEST(inserted_ops_collide_with_the_program)
{
	struct op_program base;
	unsigned user_ops = 0, hits = 0;
	int ins = mut_strategy_lookup("insert");

	parse_ok("config cpus=1 ps=1 mem=4096\n"
		 "fork parent=0 child=5\n"
		 "map as=5 region=2 page=300 npages=3 prot=3 wired=0\n",
	    &base);
	for (uint64_t seed = 0; seed < 4000; seed++) {
		struct op_program p = base;
		struct mut_rng r;
		const struct op *o;
		int k, as, rg, pg;

		mut_rng_seed(&r, seed);
		CHECK(mut_apply((unsigned)ins, &p, NULL, OP_MAX, &r));
		k = inserted_index(&base, &p);
		CHECK(k >= 0, "seed %llu", (unsigned long long)seed);
		o = &p.ops[k];
		as = arg_index(o, "as");
		rg = arg_index(o, "region");
		pg = arg_index(o, "page");
		if (as < 0 || rg < 0 || pg < 0)
			continue;
		user_ops++;
		hits += o->arg[as] == 5 && o->arg[rg] == 2 && o->arg[pg] == 300;
	}
	CHECK(user_ops > 1000, "%u user ops", user_ops);
	CHECK(hits * 5 > user_ops, "%u of %u new user ops hit the map", hits,
	    user_ops);
}

/*
 * npages favours one page, the run to the end of the 2 MiB region and a
 * whole region; fault arms favour their first hits; fork favours a free
 * child slot.
 */
TEST(fresh_arguments_favour_boundaries)
{
	unsigned maps = 0, small = 0, to_end = 0, whole = 0;
	unsigned arms = 0, early = 0, forks = 0, free_child = 0;
	int ins = mut_strategy_lookup("insert");

	for (uint64_t seed = 0; seed < 20000; seed++) {
		struct op_program p;
		struct mut_rng r;
		const struct op *o;

		memset(&p, 0, sizeof(p));
		p.cfg.ncpus = 1;
		mut_rng_seed(&r, seed);
		CHECK(mut_apply((unsigned)ins, &p, NULL, OP_MAX, &r));
		o = &p.ops[0];
		if (o->code == OP_MAP) {
			unsigned page = o->arg[OP_A_PAGE];
			unsigned npages = o->arg[OP_A_NPAGES] + 1u;

			maps++;
			small += npages <= 8;
			to_end += page + npages == 512;
			whole += npages == 512;
		} else if (o->code >= OP_ARM_INTR_IO_DONE &&
		    o->code <= OP_ARM_AM_RACE) {
			arms++;
			early += o->arg[0] + 1u <= 4;
		} else if (o->code == OP_FORK) {
			forks++;
			free_child += o->arg[1] != 0;
		}
	}
	CHECK(maps > 300 && arms > 1500 && forks > 300, "%u %u %u", maps, arms,
	    forks);
	CHECK(small * 4 > maps, "npages <= 8 in %u of %u maps", small, maps);
	CHECK(to_end * 6 > maps, "run to the boundary in %u of %u", to_end,
	    maps);
	CHECK(whole * 6 > maps, "512 pages in %u of %u", whole, maps);
	CHECK(early * 2 > arms, "n <= 4 in %u of %u arms", early, arms);
	CHECK(free_child * 10 > forks * 9, "fresh child in %u of %u forks",
	    free_child, forks);
}

TEST(afl_entry_points_mutate_canonically)
{
	struct op_program p, o;
	uint8_t in[OP_ENCODED_MAX], add[OP_ENCODED_MAX];
	size_t len, alen;
	void *m = afl_custom_init(NULL, 42);

	CHECK(m != NULL);
	parse_ok(mixed_text, &p);
	parse_ok(other_text, &o);
	len = encode(&p, in);
	alen = encode(&o, add);
	for (unsigned k = 0; k < 500; k++) {
		unsigned char *out = NULL;
		size_t max = k % 3 == 0 ? 60 : 1 << 20;
		size_t n = afl_custom_fuzz(m, in, len, &out, k & 1 ? add : NULL,
		    k & 1 ? alen : 0, max);
		const char *d = afl_custom_describe(m, 64);

		CHECK(out != NULL && n > 0 && n <= max, "n %zu", n);
		check_canonical(out, n);
		CHECK(strncmp(d, "pmap:", 5) == 0 && strlen(d) <= 64, "'%s'",
		    d);
	}
	CHECK(strlen(afl_custom_describe(m, 3)) <= 3);
	afl_custom_deinit(m);
}

TEST(afl_instances_with_one_seed_agree)
{
	struct op_program p;
	uint8_t in[OP_ENCODED_MAX];
	size_t len;
	void *m1 = afl_custom_init(NULL, 7), *m2 = afl_custom_init(NULL, 7);
	unsigned moved = 0;

	parse_ok(mixed_text, &p);
	len = encode(&p, in);
	for (unsigned k = 0; k < 100; k++) {
		unsigned char *o1, *o2;
		size_t n1 = afl_custom_fuzz(m1, in, len, &o1, NULL, 0, 4096);
		size_t n2 = afl_custom_fuzz(m2, in, len, &o2, NULL, 0, 4096);

		CHECK(n1 == n2 && memcmp(o1, o2, n1) == 0, "call %u", k);
		moved += n1 != len || memcmp(o1, in, len) != 0;
	}
	CHECK(moved == 100, "%u of 100 calls changed the input", moved);
	afl_custom_deinit(m1);
	afl_custom_deinit(m2);
}

TEST(afl_fuzz_accepts_inputs_longer_than_a_program)
{
	static uint8_t big[5000];
	unsigned char *out = NULL;
	void *m = afl_custom_init(NULL, 1);
	size_t n;

	memset(big, 0x41, sizeof(big));
	n = afl_custom_fuzz(m, big, sizeof(big), &out, big, sizeof(big),
	    1 << 20);
	CHECK(out != NULL && n > 0 && n <= OP_ENCODED_MAX, "n %zu", n);
	check_canonical(out, n);
	afl_custom_deinit(m);
}

static unsigned
count_code(const struct op_program *p, unsigned code)
{
	unsigned n = 0;

	for (unsigned r = 0; r < p->nops; r++)
		n += p->ops[r].code == code;
	return n;
}

/*
 * AFL++'s trimming loop, with "coverage kept" meaning "both forks are still
 * there": the trim removes whole records, one step per record, and ends
 * with the forks alone.
 */
TEST(afl_trim_removes_whole_records)
{
	struct op_program p, q;
	uint8_t in[OP_ENCODED_MAX];
	size_t len, last;
	void *m = afl_custom_init(NULL, 3);
	int32_t steps, cur = 0;

	parse_ok(mixed_text, &p);
	len = encode(&p, in);
	steps = afl_custom_init_trim(m, in, len);
	CHECK(steps == p.nops, "%d steps for %u records", steps, p.nops);
	last = len;
	while (cur < steps) {
		unsigned char *out = NULL;
		size_t n = afl_custom_trim(m, &out);
		int32_t next;
		int keep;

		CHECK(out != NULL && n == last - OP_RECORD_SIZE, "n %zu", n);
		check_canonical(out, n);
		op_decode(out, n, &q);
		keep = count_code(&q, OP_FORK) == 2;
		if (keep)
			last = n;
		next = afl_custom_post_trim(m, (unsigned char)keep);
		CHECK(next == cur + 1, "step %d -> %d", cur, next);
		cur = next;
	}
	CHECK(last == OP_HEADER_SIZE + 2 * OP_RECORD_SIZE, "%zu bytes left",
	    last);
	afl_custom_deinit(m);
}

TEST(afl_trim_never_grows_an_input)
{
	uint8_t two[2] = { 1, 1 };
	void *m = afl_custom_init(NULL, 3);

	CHECK(afl_custom_init_trim(m, two, sizeof(two)) == 0);
	afl_custom_deinit(m);
}

TEST_MAIN(TEST_ENTRY(outputs_are_canonical_and_fit),
    TEST_ENTRY(mutating_an_empty_input_gives_a_canonical_program),
    TEST_ENTRY(max_size_below_the_header_gives_0_and_leaves_data),
    TEST_ENTRY(same_seed_same_output_other_seeds_differ),
    TEST_ENTRY(mutation_changes_its_input),
    TEST_ENTRY(strategy_names_are_unique_and_found),
    TEST_ENTRY(the_documented_strategies_exist),
    TEST_ENTRY(every_strategy_applies_and_changes_the_program),
    TEST_ENTRY(strategies_keep_arguments_in_range_and_records_within_cap),
    TEST_ENTRY(strategies_that_cannot_apply_return_0),
    TEST_ENTRY(mut_mutate_uses_every_strategy),
    TEST_ENTRY(crossover_takes_records_from_both_parents),
    TEST_ENTRY(crossover_is_deterministic_and_takes_either_config),
    TEST_ENTRY(inserted_ops_collide_with_the_program),
    TEST_ENTRY(fresh_arguments_favour_boundaries),
    TEST_ENTRY(afl_entry_points_mutate_canonically),
    TEST_ENTRY(afl_instances_with_one_seed_agree),
    TEST_ENTRY(afl_fuzz_accepts_inputs_longer_than_a_program),
    TEST_ENTRY(afl_trim_removes_whole_records),
    TEST_ENTRY(afl_trim_never_grows_an_input))

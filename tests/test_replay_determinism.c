/*
 * test_replay_determinism.c - replaying a regression trace gives the same
 * outcome and the same state hash every time: twice in a row in one
 * executor, after other traces ran in it, and in a fresh executor.  This is
 * what lets a fuzzer's persistent mode trust that no state leaks from one
 * input to the next.
 *
 * Every .trace file in tests/regress takes part (the tests run from the source
 * directory), with its "# bugs:" and "# checks:" headers applied as
 * `pmapfuzz replay` applies them; so does every input of the fuzz_pmap seed
 * corpus, once with no bug switch and once with each seeded bug (the
 * fuzzer's self-check does the same in persistent mode).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exec.h"
#include "pmapfuzz/bugs.h"
#include "testlib.h"
#include "trace.h"

#define REGRESS_DIR "tests/regress"
#define CORPUS_DIR "fuzz/corpus/fuzz_pmap"
#define TRACES_MAX 512

/* The bug switches each corpus input runs under. */
static const char *const corpus_bugs[] = { "", "kmem-litter",
	"apt-intr-clobber" };

struct rtrace {
	char path[300];
	const char *bugs; /* corpus inputs: the switches it runs under */
	struct op_program prog;
	struct exec_options opt;
};

/* What a run must reproduce. */
struct outcome {
	int finding;
	char title[sizeof(((struct inv_finding *)0)->title)];
	uint64_t hash;
	unsigned ops_run;
	unsigned arms_fired;
};

static struct rtrace traces[TRACES_MAX];
static unsigned ntraces;
static int loaded;

static int
name_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* The sorted names in dir that end in suffix ("" for any regular name). */
static unsigned
list_dir(const char *dir, const char *suffix, char names[][300], unsigned max)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	unsigned n = 0;
	size_t sl = strlen(suffix);

	CHECK(dp != NULL, "cannot open %s (run from the source directory)",
	    dir);
	while ((d = readdir(dp)) != NULL && n < max) {
		size_t len = strlen(d->d_name);

		if (d->d_name[0] == '.' || len <= sl ||
		    strcmp(d->d_name + len - sl, suffix) != 0)
			continue;
		snprintf(names[n++], 300, "%s/%s", dir, d->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(names[0]), name_cmp);
	return n;
}

static void
load_trace(struct rtrace *t, const char *path)
{
	struct trace_meta meta;
	const char *bad;
	char err[256];

	snprintf(t->path, sizeof(t->path), "%s", path);
	CHECK(trace_parse_file(t->path, &t->prog, &meta, err, sizeof(err)) == 0,
	    "%s", err);
	memset(&t->opt, 0, sizeof(t->opt));
	t->opt.level = EXEC_CHECK_OP;
	CHECK(bug_parse_list(meta.bugs, &t->opt.bugs, &bad) == 0,
	    "%s: bugs '%s'", t->path, meta.bugs);
	CHECK(cli_parse_checks(meta.checks, &t->opt.checks, &bad) == 0,
	    "%s: checks '%s'", t->path, meta.checks);
}

static void
load_input(struct rtrace *t, const char *path, const char *bugs)
{
	uint8_t buf[OP_ENCODED_MAX];
	const char *bad;
	size_t n;
	FILE *f = fopen(path, "rb");

	CHECK(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	snprintf(t->path, sizeof(t->path), "%s", path);
	t->bugs = bugs;
	op_decode(buf, n, &t->prog);
	memset(&t->opt, 0, sizeof(t->opt));
	t->opt.level = EXEC_CHECK_OP;
	CHECK(bug_parse_list(bugs, &t->opt.bugs, &bad) == 0, "bugs '%s'", bugs);
}

/* Load every trace of REGRESS_DIR and every corpus input once. */
static void
load_traces(void)
{
	static char names[TRACES_MAX][300];
	unsigned n, ncorpus;

	if (loaded)
		return;
	ntraces = 0;
	n = list_dir(REGRESS_DIR, ".trace", names, TRACES_MAX);
	for (unsigned i = 0; i < n; i++)
		load_trace(&traces[ntraces++], names[i]);
	CHECK(ntraces >= 2, "only %u traces in %s", ntraces, REGRESS_DIR);
	ncorpus = list_dir(CORPUS_DIR, "", names, TRACES_MAX);
	CHECK(ncorpus >= 1, "no inputs in %s", CORPUS_DIR);
	for (unsigned i = 0; i < ncorpus; i++)
		for (unsigned b = 0;
		     b < sizeof(corpus_bugs) / sizeof(corpus_bugs[0]) &&
		     ntraces < TRACES_MAX;
		     b++)
			load_input(&traces[ntraces++], names[i],
			    corpus_bugs[b]);
	loaded = 1;
}

static void
run(struct exec *ex, const struct rtrace *t, struct outcome *o)
{
	struct exec_result res;

	memset(o, 0, sizeof(*o));
	o->finding = exec_run(ex, &t->prog, &t->opt, &res);
	CHECK(o->finding == res.finding,
	    "%s: exec_run returned %d, "
	    "result says %d",
	    t->path, o->finding, res.finding);
	if (res.finding)
		snprintf(o->title, sizeof(o->title), "%s", res.f.title);
	o->hash = res.hash;
	o->ops_run = res.ops_run;
	o->arms_fired = res.arms_fired;
}

static void
check_same(const struct rtrace *t, const struct outcome *a,
    const struct outcome *b, const char *how)
{
	CHECK(a->finding == b->finding && strcmp(a->title, b->title) == 0,
	    "%s%s%s %s: '%s' then '%s'", t->path, t->bugs ? " bugs " : "",
	    t->bugs ? t->bugs : "", how, a->finding ? a->title : "clean",
	    b->finding ? b->title : "clean");
	CHECK(a->hash == b->hash, "%s %s: hash 0x%016llx then 0x%016llx",
	    t->path, how, (unsigned long long)a->hash,
	    (unsigned long long)b->hash);
	CHECK(a->ops_run == b->ops_run && a->arms_fired == b->arms_fired,
	    "%s %s: ops %u/%u, arms %u/%u", t->path, how, a->ops_run,
	    b->ops_run, a->arms_fired, b->arms_fired);
}

TEST(each_trace_twice_in_a_row_gives_one_hash)
{
	struct exec *ex = exec_create();
	struct outcome a, b;

	load_traces();
	for (unsigned i = 0; i < ntraces; i++) {
		run(ex, &traces[i], &a);
		run(ex, &traces[i], &b);
		check_same(&traces[i], &a, &b, "twice in a row");
	}
	exec_destroy(ex);
}

TEST(other_traces_in_between_change_nothing)
{
	static struct outcome first[TRACES_MAX];
	struct exec *ex = exec_create();
	struct outcome again;

	load_traces();
	for (unsigned i = 0; i < ntraces; i++)
		run(ex, &traces[i], &first[i]);
	/* Backwards: each now follows a different predecessor. */
	for (unsigned i = ntraces; i-- > 0;) {
		run(ex, &traces[i], &again);
		check_same(&traces[i], &first[i], &again,
		    "after the other traces");
	}
	exec_destroy(ex);
}

TEST(a_fresh_executor_agrees)
{
	struct exec *used = exec_create();
	struct outcome a, b;

	load_traces();
	for (unsigned i = 0; i < ntraces; i++)
		run(used, &traces[i], &a);
	for (unsigned i = 0; i < ntraces; i++) {
		struct exec *fresh = exec_create();

		run(used, &traces[i], &a);
		run(fresh, &traces[i], &b);
		exec_destroy(fresh);
		check_same(&traces[i], &a, &b, "used vs fresh executor");
	}
	exec_destroy(used);
}

/*
 * The checker's one-write pass (inv_fast.c) against its general pass: with
 * verify_fast every call the one-write pass checks is checked again by the
 * general pass from the state before, which aborts on any difference in
 * what the two learn or find; and the run's outcome is the same.
 */
TEST(the_general_pass_agrees_with_the_one_write_pass)
{
	struct exec *ex = exec_create();
	struct outcome a, b;

	load_traces();
	for (unsigned i = 0; i < ntraces; i++) {
		struct rtrace verified = traces[i];

		verified.opt.verify_fast = true;
		run(ex, &traces[i], &a);
		run(ex, &verified, &b);
		check_same(&traces[i], &a, &b,
		    "with the general pass verifying");
	}
	exec_destroy(ex);
}

TEST_MAIN(TEST_ENTRY(each_trace_twice_in_a_row_gives_one_hash),
    TEST_ENTRY(other_traces_in_between_change_nothing),
    TEST_ENTRY(a_fresh_executor_agrees),
    TEST_ENTRY(the_general_pass_agrees_with_the_one_write_pass))

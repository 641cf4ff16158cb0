/*
 * cmd_fuzz.c - `pmapfuzz fuzz`: a fuzzing campaign (what `make fuzz`
 * runs).  This file holds its options and the order of its steps: check
 * the engine and find its target, prepare OUT, run the engines for the
 * budget (campaign_engine.c), then triage every crash file they left
 * (campaign_triage.c) - also after a Ctrl-C.
 *
 * Exit status: 0 no finding, 1 findings (one "FINDING: <title>" line
 * each, after the progress lines), 2 a usage error or an engine that is
 * missing or could not start.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"
#include "cli.h"
#include "commands.h"

/* The checked-in seed corpus of fuzz_pmap, relative to the source tree. */
#define FUZZ_SEED_CORPUS "fuzz/corpus/fuzz_pmap"
#define FUZZ_DEFAULT_OUT "out"
#define FUZZ_DEFAULT_TIME 60u
#define FUZZ_MAX_TIME (30u * 24 * 3600)
#define FUZZ_MAX_JOBS 64u
/* Time limit of one engine minimizer run, seconds. */
#define FUZZ_MINIMIZE_TIME 30u
/* exec_runs the op-level reduction may spend on one finding. */
#define FUZZ_REDUCE_BUDGET 20000u

static const struct cli_cmd fuzz_cmd = {
	.name = "fuzz",
	.synopsis = "[options]",
	.summary = "Fuzz fuzz_pmap with libFuzzer or AFL++ for a time "
		   "budget, printing progress every 5 s, then triage every "
		   "crash: replay it in-process, group by finding title, "
		   "minimize the first of each group, and write one folder "
		   "per finding to OUT/findings/<slug>/.",
	.details =
	    "  libFuzzer: --jobs 1 runs the target plainly (it stops at its "
	    "first crash);\n  more jobs run -fork=N -ignore_crashes=1, "
	    "which goes on after crashes.\n  AFL++: a main (-M) and N-1 "
	    "secondaries (-S) on OUT/afl.  The bug switches\n  and checks "
	    "reach the target through PMAPFUZZ_BUGS/PMAPFUZZ_CHECKS.\n"
	    "  OUT holds corpus/ (the grown corpus, kept), crashes/ "
	    "(libFuzzer's), afl/,\n  findings/, logs/; a new campaign first "
	    "moves the previous one's results\n  (all but the corpus) to "
	    "OUT/previous/.  Ctrl-C stops the engines; the\n  triage still "
	    "runs.  Each OUT/findings/<slug>/ holds input.bin,\n  input.trace "
	    "(with \"# expect:\"), report.txt, crashes.txt and "
	    "original.bin;\n  `pmapfuzz promote` makes a regression test "
	    "of it.\n",
	.opts = CLI_F(CLI_OPT_HELP) | CLI_F(CLI_OPT_BUGS) |
	    CLI_F(CLI_OPT_CHECKS) | CLI_F(CLI_OPT_ENGINE) |
	    CLI_F(CLI_OPT_TIME) | CLI_F(CLI_OPT_JOBS) | CLI_F(CLI_OPT_CORPUS) |
	    CLI_F(CLI_OPT_OUT_DIR) | CLI_F(CLI_OPT_TARGET),
	.min_files = 0,
	.max_files = 0,
};

/* Parse a whole number in [lo, hi] for option opt; -1 on an error. */
static int
fuzz_number(const char *s, const char *opt, unsigned lo, unsigned hi,
    unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = s[0] >= '0' && s[0] <= '9' ? strtoul(s, &end, 10) : 0;
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v < lo ||
	    v > hi) {
		fprintf(stderr,
		    "pmapfuzz fuzz: %s wants a whole number from %u to %u, "
		    "not '%s'\n",
		    opt, lo, hi, s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* The options that are not lists: engine, time, jobs.  Returns 0 or -1. */
static int
fuzz_settings(const struct cli_args *a, struct campaign *c)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int e =
	    campaign_engine_lookup(a->engine != NULL ? a->engine : "libfuzzer");

	if (e < 0) {
		fprintf(stderr,
		    "pmapfuzz fuzz: unknown --engine '%s' (libfuzzer, afl)\n",
		    a->engine);
		return -1;
	}
	c->engine = (enum campaign_engine)e;
	c->seconds = FUZZ_DEFAULT_TIME;
	if (a->time != NULL &&
	    fuzz_number(a->time, "--time", 1, FUZZ_MAX_TIME, &c->seconds) != 0)
		return -1;
	c->jobs = cores < 1		? 1u :
	    cores > (long)FUZZ_MAX_JOBS ? FUZZ_MAX_JOBS :
					  (unsigned)cores;
	if (a->jobs != NULL &&
	    fuzz_number(a->jobs, "--jobs", 1, FUZZ_MAX_JOBS, &c->jobs) != 0)
		return -1;
	return 0;
}

/* Every crash file the engines left, as paths (malloc'd). */
static char **
fuzz_crash_files(const struct campaign *c, size_t *n)
{
	char **files = NULL;
	size_t cap = 0;

	*n = 0;
	for (unsigned j = 0; j < c->jobs; j++) {
		char *dir = NULL;
		struct cf_list l;

		if (c->engine == CAMPAIGN_LIBFUZZER && j == 0)
			dir = cf_fmt("%s", c->crashes);
		else if (c->engine == CAMPAIGN_AFL) {
			char *inst = campaign_afl_instance(c, j);

			dir = cf_fmt("%s/crashes", inst);
			free(inst);
		}
		if (dir == NULL)
			break;
		if (cf_list_dir(dir, NULL, &l) == 0)
			for (size_t i = 0; i < l.n; i++) {
				/* AFL++ keeps a README.txt beside them. */
				if (c->engine == CAMPAIGN_AFL &&
				    strncmp(l.names[i], "id:", 3) != 0)
					continue;
				if (*n == cap) {
					cap = cap != 0 ? 2 * cap : 64;
					files = realloc(files,
					    cap * sizeof(*files));
					if (files == NULL)
						abort();
				}
				files[(*n)++] =
				    cf_fmt("%s/%s", dir, l.names[i]);
			}
		cf_list_free(&l);
		free(dir);
	}
	return files;
}

static void
fuzz_banner(const struct campaign *c)
{
	const struct campaign_engine_info *ei = campaign_engine_info(c->engine);

	printf("campaign: %s, %u job%s, %u s, bugs: %s, checks: %s\n",
	    ei->label, c->jobs, c->jobs == 1 ? "" : "s", c->seconds,
	    c->bugs[0] != '\0' ? c->bugs : "none",
	    c->checks[0] != '\0' ? c->checks : "all");
	printf("target: %s\n", c->target);
	if (c->engine == CAMPAIGN_AFL)
		printf("custom mutator: %s\n",
		    c->mutator != NULL ? c->mutator :
					 "none (AFL++'s own mutators only)");
	printf("output: %s\n", c->out);
}

/* Triage the campaign's crash files; returns the exit status. */
static int
fuzz_triage(struct campaign *c, unsigned stops_before)
{
	char origin[64];
	struct campaign_triage t;
	size_t n;
	char **files = fuzz_crash_files(c, &n);
	int groups;

	snprintf(origin, sizeof(origin), "pmapfuzz fuzz (%s)",
	    campaign_engine_info(c->engine)->name);
	memset(&t, 0, sizeof(t));
	t.opt = &c->opt;
	t.bugs = c->bugs;
	t.checks = c->checks;
	t.findings = c->findings;
	t.origin = origin;
	t.start = c->start;
	t.min.engine = c->engine;
	t.min.target = c->target;
	t.min.tmp = c->tmp;
	t.min.logs = c->logs;
	t.min.seconds = FUZZ_MINIMIZE_TIME;
	/* An interrupted campaign skips the engines' minimizers. */
	t.min.stop_after = stops_before;
	t.reduce_budget = FUZZ_REDUCE_BUDGET;
	t.reduce_stop_after = proc_stop_requests();
	printf("\n");
	groups = campaign_triage(&t, files, n, 0);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return groups < 0 ? CLI_EXIT_USAGE :
	    groups > 0	  ? CLI_EXIT_FINDING :
			    CLI_EXIT_CLEAN;
}

int
cmd_fuzz(int argc, char **argv)
{
	struct campaign c;
	struct cli_args a;
	struct cf_list corpus;
	int status;
	unsigned stops_before;

	if (cli_parse(&fuzz_cmd, argc, argv, &a, &status) != 0)
		return status;
	memset(&c, 0, sizeof(c));
	if (fuzz_settings(&a, &c) != 0 ||
	    campaign_options(&a, "pmapfuzz fuzz", &c.bugs, &c.checks, &c.opt) !=
		0 ||
	    campaign_check_tools(c.engine) != 0 ||
	    campaign_find_target(c.engine, a.target, &c.target) != 0)
		return CLI_EXIT_USAGE;
	if (c.engine == CAMPAIGN_AFL)
		c.mutator = campaign_mutator_lib(c.target);
	campaign_layout(&c, a.out_dir != NULL ? a.out_dir : FUZZ_DEFAULT_OUT);
	if (campaign_prepare_out(&c,
		a.corpus != NULL ? a.corpus : FUZZ_SEED_CORPUS,
		a.corpus != NULL) != 0 ||
	    (c.engine == CAMPAIGN_AFL && campaign_seed_if_empty(&c) != 0)) {
		campaign_free(&c);
		return CLI_EXIT_USAGE;
	}
	/* TMPDIR: libFuzzer's -fork keeps its work there. */
	setenv("TMPDIR", c.tmp, 1);
	proc_catch_signals();
	stops_before = proc_stop_requests();
	fuzz_banner(&c);
	if (campaign_run_engines(&c) != 0) {
		campaign_clean_tmp(&c);
		campaign_free(&c);
		return CLI_EXIT_USAGE;
	}
	status = fuzz_triage(&c, stops_before);
	campaign_clean_tmp(&c);
	if (cf_list_dir(c.corpus, NULL, &corpus) == 0) {
		printf("corpus: %s (%zu files)\n", c.corpus, corpus.n);
		cf_list_free(&corpus);
	}
	campaign_free(&c);
	return status;
}

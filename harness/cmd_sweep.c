/*
 * cmd_sweep.c - `pmapfuzz sweep FILE`: SQLite's fault sweep over a program.
 * For every op i and every fault arm of the chosen kinds, insert the arm
 * right before op i with n = 1, 2, ... and run the program with all checks,
 * until the arm no longer fires (or n passes OP_ARM_NTH_MAX).  Every finding
 * is listed with its trial, then a table of the distinct titles.
 *
 * The output is buffered until the end so that, as for every command, the
 * first line is "FINDING: <title>" when there is a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exec.h"

static const struct cli_cmd sweep_cmd = {
	.name = "sweep",
	.synopsis = "[options] FILE",
	.summary = "For each op of the program and each fault arm, insert the "
		   "arm before the op with n = 1, 2, ... until it no longer "
		   "fires, run with all checks, and list every finding with "
		   "its trial and a summary of the distinct titles.",
	.details = "  Kinds: alloc (arm_alloc_fail), am (arm_am_race set_m=1), "
		   "drop\n  (arm_drop_shootdown), intr (arm_intr_io_done "
		   "site=0 for each of the 4\n  buffers).  An arm that pushes "
		   "the program past 64 ops drops its last op.\n  Bug "
		   "switches come from --bugs, else the trace's header, else "
		   "PMAPFUZZ_BUGS.\n",
	.opts = CLI_F(CLI_OPT_HELP) | CLI_F(CLI_OPT_BUGS) |
	    CLI_F(CLI_OPT_KINDS) | CLI_F(CLI_OPT_FORMAT),
	.min_files = 1,
	.max_files = 1,
};

/*
 * A kind of fault arm.  Argument 0 of every arm is n; args[] holds the user
 * values of the others, and the arm is tried once per variant with the
 * variant's number in argument variant_arg (if not -1).
 */
struct sweep_kind {
	const char *name;
	uint8_t code;
	uint8_t nvariants;
	int8_t variant_arg;
	int args[OP_NARGS];
};

static const struct sweep_kind sweep_kinds[] = {
	{ "alloc", OP_ARM_ALLOC_FAIL, 1, -1, { 0 } },
	{ "am", OP_ARM_AM_RACE, 1, -1, { 0, 1 } },
	{ "drop", OP_ARM_DROP_SHOOTDOWN, 1, -1, { 0 } },
	{ "intr", OP_ARM_INTR_IO_DONE, OP_IO_BUFS, 2, { 0, 0, 0 } },
};

#define SWEEP_NKINDS (sizeof(sweep_kinds) / sizeof(sweep_kinds[0]))

/* A trial that gave a finding. */
struct sweep_hit {
	unsigned at;   /* op index the arm was inserted before */
	struct op arm; /* the arm, with its n */
	unsigned fop;  /* op index of the finding in the trial */
	char title[sizeof(((struct inv_finding *)0)->title)];
};

/* A distinct title: how often, and its first trial. */
struct sweep_title {
	const struct sweep_hit *first;
	unsigned count;
};

struct sweep {
	struct exec *ex;
	const struct op_program *base;
	struct exec_options opt;
	unsigned base_fired; /* arms of the program itself that fire */
	unsigned long trials;
	struct sweep_hit *hits;
	size_t nhits, caphits;
};

/* Parse --kinds into a mask of sweep_kinds[] rows.  Returns 0 or -1. */
static int
sweep_parse_kinds(const char *list, unsigned *mask)
{
	const char *p = list;

	*mask = 0;
	if (list == NULL) {
		*mask = (1u << SWEEP_NKINDS) - 1;
		return 0;
	}
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		size_t k;

		for (k = 0; k < SWEEP_NKINDS; k++)
			if (strlen(sweep_kinds[k].name) == len &&
			    strncmp(sweep_kinds[k].name, p, len) == 0)
				break;
		if (len != 0 && k == SWEEP_NKINDS) {
			fprintf(stderr,
			    "pmapfuzz sweep: unknown kind '%.*s' (alloc, am, "
			    "drop, intr)\n",
			    (int)len, p);
			return -1;
		}
		if (len != 0)
			*mask |= 1u << k;
		p += len;
		if (*p == ',')
			p++;
	}
	if (*mask == 0) {
		fprintf(stderr, "pmapfuzz sweep: --kinds names no kind\n");
		return -1;
	}
	return 0;
}

/* The arm of kind k, variant v, firing at the n-th hit. */
static void
sweep_arm(const struct sweep_kind *k, unsigned v, unsigned n, struct op *o)
{
	const struct op_info *info = op_info(k->code);

	memset(o, 0, sizeof(*o));
	o->code = k->code;
	for (unsigned i = 1; i < info->nargs; i++)
		op_arg_set(o, i,
		    (int)i == k->variant_arg ? (int)v : k->args[i]);
	op_arg_set(o, 0, (int)n);
}

/* The base program with arm inserted before op at; ops pushed past OP_MAX
 * are dropped. */
static void
sweep_insert(const struct op_program *base, unsigned at, const struct op *arm,
    struct op_program *out)
{
	unsigned n = 0;

	out->cfg = base->cfg;
	for (unsigned i = 0; i < base->nops && n < OP_MAX; i++) {
		if (i == at)
			out->ops[n++] = *arm;
		if (n < OP_MAX)
			out->ops[n++] = base->ops[i];
	}
	out->nops = (uint8_t)n;
}

static void
sweep_record(struct sweep *sw, unsigned at, const struct op *arm,
    const struct exec_result *res)
{
	struct sweep_hit *h;

	if (sw->nhits == sw->caphits) {
		size_t cap = sw->caphits != 0 ? 2 * sw->caphits : 64;

		sw->hits = realloc(sw->hits, cap * sizeof(*sw->hits));
		if (sw->hits == NULL) {
			fprintf(stderr, "pmapfuzz sweep: out of memory\n");
			abort();
		}
		sw->caphits = cap;
	}
	h = &sw->hits[sw->nhits++];
	h->at = at;
	h->arm = *arm;
	h->fop = res->f.op_index;
	snprintf(h->title, sizeof(h->title), "%s", res->f.title);
}

/*
 * Try arm kind k, variant v, before op at, for n = 1, 2, ... until the arm
 * does not fire.  "Fired" is judged against the program's own arms: a trial
 * whose count of fired arms does not exceed the base run's ends the series.
 */
static void
sweep_series(struct sweep *sw, unsigned at, const struct sweep_kind *k,
    unsigned v)
{
	struct op_program trial;
	struct exec_result res;
	struct op arm;

	for (unsigned n = 1; n <= OP_ARM_NTH_MAX; n++) {
		sweep_arm(k, v, n, &arm);
		sweep_insert(sw->base, at, &arm, &trial);
		memset(&res, 0, sizeof(res));
		exec_run(sw->ex, &trial, &sw->opt, &res);
		sw->trials++;
		if (res.finding)
			sweep_record(sw, at, &arm, &res);
		if (res.arms_fired <= sw->base_fired)
			break;
	}
}

/* The distinct titles of the hits, in order of first appearance. */
static size_t
sweep_titles(const struct sweep *sw, struct sweep_title *t)
{
	size_t nt = 0;

	for (size_t i = 0; i < sw->nhits; i++) {
		size_t j;

		for (j = 0; j < nt; j++)
			if (strcmp(t[j].first->title, sw->hits[i].title) == 0)
				break;
		if (j == nt) {
			t[nt].first = &sw->hits[i];
			t[nt].count = 0;
			nt++;
		}
		t[j].count++;
	}
	return nt;
}

static void
sweep_print_trial(const struct sweep_hit *h)
{
	char line[TRACE_OP_LEN];

	trace_format_op(line, sizeof(line), &h->arm);
	printf("before op %u: %s", h->at, line);
}

static void
sweep_report(const struct sweep *sw, const char *path,
    const struct exec_result *base)
{
	struct sweep_title *t;
	size_t nt;

	t = calloc(sw->nhits + 1, sizeof(*t));
	if (t == NULL) {
		fprintf(stderr, "pmapfuzz sweep: out of memory\n");
		abort();
	}
	nt = sweep_titles(sw, t);
	if (base->finding)
		printf("FINDING: %s\n", base->f.title);
	else if (sw->nhits != 0)
		printf("FINDING: %s\n", sw->hits[0].title);
	printf("sweep %s: %u ops, %lu trials, %zu findings, %zu distinct\n",
	    path, sw->base->nops, sw->trials, sw->nhits, nt);
	if (base->finding)
		printf("without an arm: %s (op %u)\n", base->f.title,
		    base->f.op_index);
	else
		printf("without an arm: clean\n");
	for (size_t i = 0; i < sw->nhits; i++) {
		sweep_print_trial(&sw->hits[i]);
		printf(" -> %s (op %u)\n", sw->hits[i].title, sw->hits[i].fop);
	}
	if (nt != 0) {
		printf("\nsummary:\n%7s  %s\n", "count", "title / first trial");
		for (size_t j = 0; j < nt; j++) {
			printf("%7u  %s\n%7s  ", t[j].count, t[j].first->title,
			    "");
			sweep_print_trial(t[j].first);
			printf("\n");
		}
	}
	free(t);
}

int
cmd_sweep(int argc, char **argv)
{
	struct exec_result base;
	struct cli_input in;
	struct cli_args a;
	struct sweep sw;
	enum cli_format fmt;
	unsigned kinds;
	int status;

	if (cli_parse(&sweep_cmd, argc, argv, &a, &status) != 0)
		return status;
	if (cli_format_of(&a, &fmt) != 0 ||
	    sweep_parse_kinds(a.kinds, &kinds) != 0 ||
	    cli_load(a.files[0], fmt, &in) != 0)
		return CLI_EXIT_USAGE;
	memset(&sw, 0, sizeof(sw));
	/* Every trial runs with all checks. */
	if (cli_exec_options(&a, &in, 1, 0, &sw.opt) != 0)
		return CLI_EXIT_USAGE;
	sw.ex = exec_create();
	sw.base = &in.prog;
	memset(&base, 0, sizeof(base));
	exec_run(sw.ex, &in.prog, &sw.opt, &base);
	sw.base_fired = base.arms_fired;
	for (unsigned at = 0; at < in.prog.nops; at++)
		for (size_t k = 0; k < SWEEP_NKINDS; k++) {
			if ((kinds & (1u << k)) == 0)
				continue;
			for (unsigned v = 0; v < sweep_kinds[k].nvariants; v++)
				sweep_series(&sw, at, &sweep_kinds[k], v);
		}
	sweep_report(&sw, in.path, &base);
	exec_destroy(sw.ex);
	free(sw.hits);
	return base.finding || sw.nhits != 0 ? CLI_EXIT_FINDING :
					       CLI_EXIT_CLEAN;
}

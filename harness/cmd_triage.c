/*
 * cmd_triage.c - `pmapfuzz triage FILE|DIR...`: the triage a campaign ends
 * with, on crash files from anywhere (an earlier campaign, OSS-Fuzz, a
 * colleague): replay, group by title, minimize, write OUT/findings.
 * Needs no fuzzer; with --target the engine's minimizer runs first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "cli.h"
#include "commands.h"

#define TRIAGE_DEFAULT_OUT "out"
#define TRIAGE_MINIMIZE_TIME 30u
#define TRIAGE_REDUCE_BUDGET 20000u

static const struct cli_cmd triage_cmd = {
	.name = "triage",
	.synopsis = "[options] FILE|DIR...",
	.summary = "Replay crash files (a directory stands for the files in "
		   "it), group them by finding title, reduce the first of "
		   "each group to a small program with the same title, and "
		   "write OUT/findings/<slug>/ for each, as `pmapfuzz fuzz` "
		   "does at its end.",
	.details = "  Files are binary fuzz inputs, except names ending in "
		   "\".trace\".  The old\n  OUT/findings is replaced.  With "
		   "--target (a libFuzzer or AFL++ build of\n  fuzz_pmap) the "
		   "engine's own minimizer runs first.  Bug switches and "
		   "checks:\n  --bugs/--checks, else PMAPFUZZ_BUGS/"
		   "PMAPFUZZ_CHECKS (a trace's headers are\n  not read).\n",
	.opts = CLI_F(CLI_OPT_HELP) | CLI_F(CLI_OPT_BUGS) |
	    CLI_F(CLI_OPT_CHECKS) | CLI_F(CLI_OPT_OUT_DIR) |
	    CLI_F(CLI_OPT_TARGET),
	.min_files = 1,
	.max_files = -1,
};

static int
triage_keep(const char *name)
{
	return name[0] != '.' && strcmp(name, "README.txt") != 0;
}

/* The files that the arguments name (a directory: its files). */
static char **
triage_expand(char **args, int nargs, size_t *n)
{
	char **files = NULL;
	size_t cap = 0;

	*n = 0;
	for (int i = 0; i < nargs; i++) {
		struct cf_list l = { NULL, 0 };
		size_t add = 1;

		if (cf_is_dir(args[i])) {
			cf_list_dir(args[i], triage_keep, &l);
			add = l.n;
		}
		if (*n + add > cap) {
			cap = 2 * (*n + add) + 16;
			if ((files = realloc(files, cap * sizeof(*files))) ==
			    NULL)
				abort();
		}
		if (!cf_is_dir(args[i]))
			files[(*n)++] = cf_fmt("%s", args[i]);
		for (size_t k = 0; k < l.n; k++)
			files[(*n)++] = cf_fmt("%s/%s", args[i], l.names[k]);
		cf_list_free(&l);
	}
	return files;
}

int
cmd_triage(int argc, char **argv)
{
	struct campaign_triage t;
	struct exec_options opt;
	const char *bugs, *checks, *out;
	struct cli_args a;
	char *findings, *tmp = NULL, *logs = NULL, *target = NULL;
	char **files;
	size_t n;
	int status, kind = -1, groups;

	if (cli_parse(&triage_cmd, argc, argv, &a, &status) != 0)
		return status;
	if (campaign_options(&a, "pmapfuzz triage", &bugs, &checks, &opt) != 0)
		return CLI_EXIT_USAGE;
	if (a.target != NULL) {
		kind = campaign_target_kind(a.target);
		if (kind < 0) {
			fprintf(stderr,
			    "pmapfuzz triage: --target %s is not a fuzz "
			    "target\n",
			    a.target);
			return CLI_EXIT_USAGE;
		}
		if (campaign_check_tools((enum campaign_engine)kind) != 0)
			return CLI_EXIT_USAGE;
		target = cf_fmt("%s", a.target);
	}
	out = a.out_dir != NULL ? a.out_dir : TRIAGE_DEFAULT_OUT;
	findings = cf_fmt("%s/findings", out);
	if (target != NULL) {
		tmp = cf_fmt("%s/tmp", out);
		logs = cf_fmt("%s/logs", out);
		if (cf_mkdirs(tmp) != 0 || cf_mkdirs(logs) != 0) {
			fprintf(stderr, "pmapfuzz triage: cannot create %s\n",
			    tmp);
			return CLI_EXIT_USAGE;
		}
	}
	files = triage_expand(a.files, a.nfiles, &n);
	proc_catch_signals();
	memset(&t, 0, sizeof(t));
	t.opt = &opt;
	t.bugs = bugs;
	t.checks = checks;
	t.findings = findings;
	t.origin = "pmapfuzz triage";
	t.start = 0;
	t.min.engine =
	    kind >= 0 ? (enum campaign_engine)kind : CAMPAIGN_LIBFUZZER;
	t.min.target = target;
	t.min.tmp = tmp;
	t.min.logs = logs;
	t.min.seconds = TRIAGE_MINIMIZE_TIME;
	t.min.stop_after = proc_stop_requests();
	t.reduce_budget = TRIAGE_REDUCE_BUDGET;
	t.reduce_stop_after = proc_stop_requests();
	groups = campaign_triage(&t, files, n, 1);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	if (tmp != NULL)
		cf_rmtree(tmp);
	free(tmp);
	free(logs);
	free(target);
	free(findings);
	return groups < 0 ? CLI_EXIT_USAGE :
	    groups > 0	  ? CLI_EXIT_FINDING :
			    CLI_EXIT_CLEAN;
}

/*
 * cmd_promote.c - `pmapfuzz promote DIR`: a findings folder becomes a
 * regression test.  Its input.trace (with "# expect:", "# bugs:" and
 * "# checks:" headers) is checked the way ctest will check it - replay
 * with the headers alone, no environment, outcome equal to the
 * expectation - and only then copied to tests/regress/<slug>.trace, which
 * ctest picks up by itself.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "cli.h"
#include "commands.h"

#define PROMOTE_REGRESS_DIR "tests/regress"

static const struct cli_cmd promote_cmd = {
	.name = "promote",
	.synopsis = "[options] DIR",
	.summary = "Turn a findings folder (OUT/findings/<slug>/, written by "
		   "`pmapfuzz fuzz` or `triage`) into the regression trace "
		   "tests/regress/<slug>.trace, after checking that it "
		   "replays to its \"# expect:\" title.",
	.details = "  The check is ctest's: replay --check-expect, with the "
		   "trace's own headers\n  and no environment.  An existing "
		   "file is kept unless --force.  Prints\n  the path written. "
		   " Exit 1 if the trace does not give its expected title.\n",
	.opts = CLI_F(CLI_OPT_HELP) | CLI_F(CLI_OPT_NAME) |
	    CLI_F(CLI_OPT_FORCE) | CLI_F(CLI_OPT_REGRESS_DIR),
	.min_files = 1,
	.max_files = 1,
};

/* The folder's own name (its slug), malloc'd. */
static char *
promote_folder_name(const char *dir)
{
	char *copy = cf_fmt("%s", dir), *base;
	size_t len = strlen(copy);

	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	base = cf_fmt("%s", basename(copy));
	free(copy);
	return base;
}

/* Replay in as ctest will.  Returns CLI_EXIT_CLEAN if it gives its
 * expectation, CLI_EXIT_FINDING if not, CLI_EXIT_USAGE if its headers are
 * bad. */
static int
promote_check(const struct cli_input *in)
{
	struct exec_options opt;
	struct exec_result res;
	struct cli_args none;
	struct exec *ex;
	const char *got;
	int rc;

	memset(&none, 0, sizeof(none));
	if (cli_exec_options(&none, in, 0, 1, &opt) != 0)
		return CLI_EXIT_USAGE;
	ex = exec_create();
	memset(&res, 0, sizeof(res));
	exec_run(ex, &in->prog, &opt, &res);
	got = res.finding ? res.f.title : "clean";
	rc = strcmp(got, in->meta.expect) == 0 ? CLI_EXIT_CLEAN :
						 CLI_EXIT_FINDING;
	if (rc != CLI_EXIT_CLEAN)
		fprintf(stderr,
		    "pmapfuzz promote: %s does not replay to its expectation\n"
		    "expected: %s\ngot:      %s\n",
		    in->path, in->meta.expect, got);
	exec_destroy(ex);
	return rc;
}

int
cmd_promote(int argc, char **argv)
{
	static struct cli_input in; /* large */
	const char *regress;
	struct cli_args a;
	char *trace, *name, *dest = NULL;
	int status = CLI_EXIT_USAGE;

	if (cli_parse(&promote_cmd, argc, argv, &a, &status) != 0)
		return status;
	regress = a.regress_dir != NULL ? a.regress_dir : PROMOTE_REGRESS_DIR;
	trace = cf_fmt("%s/input.trace", a.files[0]);
	name = a.name != NULL ? cf_fmt("%s", a.name) :
				promote_folder_name(a.files[0]);
	status = CLI_EXIT_USAGE;
	if (!cf_exists(trace))
		fprintf(stderr,
		    "pmapfuzz promote: %s is not a findings folder (no "
		    "input.trace in it)\n",
		    a.files[0]);
	else if (cli_load(trace, CLI_FMT_TEXT, &in) != 0)
		; /* cli_load said why */
	else if (in.meta.expect[0] == '\0')
		fprintf(stderr,
		    "pmapfuzz promote: %s has no \"# expect:\" header (its "
		    "title is too long for one, or its replay crashed)\n",
		    trace);
	else if (!campaign_name_ok(name))
		fprintf(stderr,
		    "pmapfuzz promote: '%s' is not a usable file name "
		    "(letters, digits, '.', '_', '-'; at most %d)\n",
		    name, CAMPAIGN_SLUG_LEN - 1);
	else if (!cf_is_dir(regress))
		fprintf(stderr,
		    "pmapfuzz promote: no directory %s here: run from the "
		    "source tree or give --regress-dir\n",
		    regress);
	else if (cf_exists(dest = cf_fmt("%s/%s.trace", regress, name)) &&
	    (a.given & CLI_F(CLI_OPT_FORCE)) == 0)
		fprintf(stderr,
		    "pmapfuzz promote: %s exists (--force replaces it, --name "
		    "picks another name)\n",
		    dest);
	else if ((status = promote_check(&in)) != CLI_EXIT_CLEAN)
		; /* promote_check said why */
	else if (cf_copy(trace, dest) != 0) {
		fprintf(stderr, "pmapfuzz promote: cannot write %s\n", dest);
		status = CLI_EXIT_USAGE;
	} else {
		printf("%s\n", dest);
		status = CLI_EXIT_CLEAN;
	}
	free(trace);
	free(name);
	free(dest);
	return status;
}

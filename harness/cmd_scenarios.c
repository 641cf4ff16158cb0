/*
 * cmd_scenarios.c - `pmapfuzz scenarios [--bugs LIST] [NAME...]`: run the
 * built-in scenarios (scenarios.h), all or the named ones, each on a fresh
 * machine with the given bug switches (--bugs, else PMAPFUZZ_BUGS, else
 * none), and print one line per scenario: its name, the superpage counters
 * and the hash of its final state.  The output is deterministic.
 *
 * A scenario stopped by a PMAP_ASSERT is a finding: the first line is then
 * "FINDING: assert in scenario NAME", the scenario's line is followed by
 * the assertion's message, and the exit status is 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "pmapfuzz/bugs.h"
#include "scenarios.h"

static const struct cli_cmd scenarios_cmd = {
	.name = "scenarios",
	.synopsis = "[options] [NAME...]",
	.summary = "Run the built-in scenarios (all, or the named ones; "
		   "pmapfuzz list scenarios), each on a fresh machine, and "
		   "print for each its promotion and demotion counters and "
		   "the hash of its final state (machine ^ pmap layer).",
	.details = "  Exit 1 when a PMAP_ASSERT stopped a scenario; its "
		   "message follows the\n  scenario's line.\n",
	.opts = CLI_F(CLI_OPT_HELP) | CLI_F(CLI_OPT_BUGS),
	.min_files = 0,
	.max_files = -1,
};

/* Length of the list item starting at p (up to the next comma). */
static int
item_len(const char *p)
{
	const char *c = strchr(p, ',');

	return c != NULL ? (int)(c - p) : (int)strlen(p);
}

int
cmd_scenarios(int argc, char **argv)
{
	const struct scenario **run;
	struct scen_result *res;
	struct cli_args a;
	uint64_t bugs = 0;
	const char *list, *bad;
	unsigned n = 0;
	int status, finding = -1;

	if (cli_parse(&scenarios_cmd, argc, argv, &a, &status) != 0)
		return status;
	list = a.bugs != NULL ? a.bugs : getenv("PMAPFUZZ_BUGS");
	if (list != NULL && bug_parse_list(list, &bugs, &bad) != 0) {
		fprintf(stderr,
		    "pmapfuzz scenarios: unknown bug '%.*s' in %s "
		    "(pmapfuzz list bugs)\n",
		    item_len(bad), bad,
		    a.bugs != NULL ? "--bugs" : "PMAPFUZZ_BUGS");
		return CLI_EXIT_USAGE;
	}
	run = calloc(scenario_count + (unsigned)a.nfiles, sizeof(*run));
	res = calloc(scenario_count + (unsigned)a.nfiles, sizeof(*res));
	if (run == NULL || res == NULL) {
		fprintf(stderr, "pmapfuzz scenarios: out of memory\n");
		free(run);
		free(res);
		return CLI_EXIT_USAGE;
	}
	for (int i = 0; i < a.nfiles; i++) {
		run[n] = scenario_lookup(a.files[i]);
		if (run[n++] == NULL) {
			fprintf(stderr,
			    "pmapfuzz scenarios: unknown scenario "
			    "'%s' (pmapfuzz list scenarios)\n",
			    a.files[i]);
			free(run);
			free(res);
			return CLI_EXIT_USAGE;
		}
	}
	if (a.nfiles == 0)
		for (n = 0; n < scenario_count; n++)
			run[n] = &scenario_table[n];

	for (unsigned i = 0; i < n; i++) {
		if (scenario_run(run[i], bugs, &res[i]) != 0) {
			fprintf(stderr, "pmapfuzz scenarios: out of memory\n");
			free(run);
			free(res);
			return CLI_EXIT_USAGE;
		}
		if (res[i].asserted && finding < 0)
			finding = (int)i;
	}
	if (finding >= 0)
		printf("FINDING: assert in scenario %s\n", run[finding]->name);
	for (unsigned i = 0; i < n; i++) {
		const struct pmap_counters *c = &res[i].cnt;

		printf("%-24s promotions %llu p_failures %llu demotions %llu "
		       "d_failures %llu hash %#018llx\n",
		    run[i]->name, (unsigned long long)c->promotions,
		    (unsigned long long)c->p_failures,
		    (unsigned long long)c->demotions,
		    (unsigned long long)c->d_failures,
		    (unsigned long long)res[i].hash);
		if (res[i].asserted)
			printf("  assert: %s\n", res[i].assert_msg);
	}
	free(run);
	free(res);
	return finding >= 0 ? CLI_EXIT_FINDING : CLI_EXIT_CLEAN;
}

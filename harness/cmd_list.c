/*
 * cmd_list.c - `pmapfuzz list WHAT`: the catalogues the CLI's other
 * commands take names from, each printed from its one table: bug switches
 * (bug_table), fault sites (fi_site_table), invariants (inv_table) and
 * built-in scenarios (scenario_table).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "ops.h"
#include "pmapfuzz/bugs.h"
#include "pmapfuzz/fault.h"
#include "pmapfuzz/invariants.h"
#include "scenarios.h"

static const struct cli_cmd list_cmd = {
	.name = "list",
	.synopsis = "[options] bugs|sites|checks|catalogue|ops|scenarios",
	.summary = "List the bug and workaround switches (name, kind, "
		   "invariant expected to catch it, mechanism), the fault "
		   "sites (number, name, kind, where), the invariants that "
		   "--checks names (catalogue: as the Markdown of "
		   "docs/invariants.md), the ops of the trace language (code, "
		   "arguments with their ranges), or the built-in "
		   "scenarios.",
	.details = NULL,
	.opts = CLI_F(CLI_OPT_HELP),
	.min_files = 0,
	.max_files = 1,
};

static void
list_bugs(void)
{
	for (unsigned i = 0; i < BUG_COUNT; i++) {
		const struct bug_info *b = &bug_table[i];

		printf("%-20s %-10s %-20s %s\n", b->name,
		    b->kind == BUG_KIND_BUG ? "bug" : "workaround",
		    b->invariant, b->mechanism);
	}
}

static const char *
site_kind_name(enum fi_kind kind)
{
	static const char *const names[] = {
		[FI_KIND_ALLOC] = "alloc",
		[FI_KIND_WINDOW] = "window",
		[FI_KIND_RMW] = "rmw",
		[FI_KIND_STORE] = "store",
		[FI_KIND_SHOOTDOWN] = "shootdown",
		[FI_KIND_POINT] = "point",
		[FI_KIND_DELIVER] = "deliver",
	};

	if ((unsigned)kind < sizeof(names) / sizeof(names[0]) &&
	    names[kind] != NULL)
		return names[kind];
	return "?";
}

static void
list_sites(void)
{
	for (unsigned i = 0; i < fi_site_count; i++) {
		const struct fi_site_info *s = &fi_site_table[i];

		printf("%2d %-26s %-9s %s\n", (int)s->site, s->name,
		    site_kind_name(s->kind), s->doc);
	}
}

static void
list_checks(void)
{
	for (unsigned i = 0; i < INV_COUNT; i++)
		printf("%-22s %s\n", inv_table[i].name, inv_table[i].statement);
}

/*
 * The invariant catalogue as the Markdown sections of docs/invariants.md
 * (between its "generated" markers; tests/cli/docs.sh holds the two
 * equal): one section per row of inv_table, in check order.
 */
static void
list_catalogue(void)
{
	for (unsigned i = 0; i < INV_COUNT; i++) {
		const struct inv_info *v = &inv_table[i];

		printf("### %u. `%s`\n\n**Holds when** %s.\n\n%s\n\n"
		       "*Historical bug it would have caught:* %s.\n",
		    i + 1, v->name, v->statement, v->doc, v->history);
		if (i + 1 < INV_COUNT)
			printf("\n");
	}
}

/* Each op as "code name arg=lo..hi ...", then its doc. */
static void
list_ops(void)
{
	for (unsigned c = 0; c < op_count(); c++) {
		const struct op_info *oi = op_info(c);

		printf("%2u %s", c, oi->name);
		for (unsigned i = 0; i < oi->nargs; i++)
			printf(" %s=%u..%u", oi->args[i].name, oi->args[i].bias,
			    oi->args[i].bias + oi->args[i].range - 1u);
		printf("\n   %s\n", oi->doc);
	}
}

static void
list_scenarios(void)
{
	for (unsigned i = 0; i < scenario_count; i++)
		printf("%-24s %s\n", scenario_table[i].name,
		    scenario_table[i].doc);
}

static const struct {
	const char *what;
	void (*fn)(void);
} list_table[] = {
	{ "bugs", list_bugs },
	{ "sites", list_sites },
	{ "checks", list_checks },
	{ "catalogue", list_catalogue },
	{ "ops", list_ops },
	{ "scenarios", list_scenarios },
};

int
cmd_list(int argc, char **argv)
{
	struct cli_args a;
	int status;

	if (cli_parse(&list_cmd, argc, argv, &a, &status) != 0)
		return status;
	for (size_t i = 0;
	     a.nfiles == 1 && i < sizeof(list_table) / sizeof(list_table[0]);
	     i++) {
		if (strcmp(a.files[0], list_table[i].what) == 0) {
			list_table[i].fn();
			return CLI_EXIT_CLEAN;
		}
	}
	if (a.nfiles == 1)
		fprintf(stderr, "pmapfuzz list: cannot list '%s'\n",
		    a.files[0]);
	else
		fprintf(stderr, "pmapfuzz list: list what?\n");
	cli_usage(stderr, &list_cmd);
	return CLI_EXIT_USAGE;
}

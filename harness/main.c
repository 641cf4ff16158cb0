/*
 * main.c - the pmapfuzz CLI: a table of commands (name, handler, one-line
 * help) and the dispatch to them.  Each command lives in its own file
 * (harness/cmd_*.c) and parses its own options; adding one is one row
 * here and its declaration in cli.h or commands.h.
 *
 * Exit statuses are every command's: 0 clean, 1 a finding, 2 a usage or
 * input error.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "replay", cmd_replay,
	    "run inputs or traces with the invariant checks; report findings" },
	{ "sweep", cmd_sweep,
	    "replay an input once per fault placement (fail the Nth ...)" },
	{ "print", cmd_print, "print an input as its canonical text trace" },
	{ "compile", cmd_compile,
	    "write an input or trace as its canonical binary form" },
	{ "scenarios", cmd_scenarios,
	    "run the built-in scenarios; print counters and state hashes" },
	{ "list", cmd_list,
	    "list bugs, fault sites, checks, ops or scenarios" },
	{ "fuzz", cmd_fuzz,
	    "run a libFuzzer or AFL++ campaign, then triage its crashes" },
	{ "triage", cmd_triage,
	    "replay crash files, group by title, minimize, write findings" },
	{ "promote", cmd_promote,
	    "turn a findings folder into a tests/regress trace" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pmapfuzz COMMAND [options] [ARG...]\n"
	    "       pmapfuzz help [COMMAND]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f,
	    "\npmapfuzz COMMAND --help describes a command's options.\n"
	    "exit status: 0 clean, 1 finding, 2 usage or input error\n");
}

static const struct command *
lookup(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		usage(stdout);
		return CLI_EXIT_CLEAN;
	}
	if (strcmp(argv[1], "help") == 0) {
		/* help COMMAND is COMMAND --help. */
		char help[] = "--help";
		char *hargv[] = { argv[2], help, NULL };

		if (argc == 3 && (cmd = lookup(argv[2])) != NULL)
			return cmd->fn(2, hargv);
		fprintf(stderr, "pmapfuzz help: %s\n",
		    argc == 3 ? "no such command" : "takes one command name");
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if ((cmd = lookup(argv[1])) == NULL) {
		fprintf(stderr, "pmapfuzz: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return cmd->fn(argc - 1, argv + 1);
}

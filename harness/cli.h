/*
 * cli.h - what the commands of the pmapfuzz CLI share: one option table and
 * its parser, the usage text derived from it, loading a program from a
 * binary input or a text trace, and choosing the bug switches and checks of
 * a run from the command line, a trace's headers and the environment.
 *
 * Exit statuses are the same for every command: 0 clean, 1 a finding (the
 * first line of stdout is then "FINDING: <title>"), 2 a usage or input error
 * (the reason is on stderr).
 */
#ifndef PMAPFUZZ_CLI_H
#define PMAPFUZZ_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "exec.h"
#include "ops.h"
#include "trace.h"

#define CLI_EXIT_CLEAN 0
#define CLI_EXIT_FINDING 1
#define CLI_EXIT_USAGE 2

/* The options of all commands; a command accepts a subset of them. */
enum cli_opt {
	CLI_OPT_HELP,
	CLI_OPT_BUGS,
	CLI_OPT_CHECKS,
	CLI_OPT_JSON,
	CLI_OPT_VERBOSE,
	CLI_OPT_CHECK_EXPECT,
	CLI_OPT_FORMAT,
	CLI_OPT_OUT,
	CLI_OPT_KINDS,
	CLI_OPT_ENGINE,
	CLI_OPT_TIME,
	CLI_OPT_JOBS,
	CLI_OPT_CORPUS,
	CLI_OPT_OUT_DIR,
	CLI_OPT_TARGET,
	CLI_OPT_NAME,
	CLI_OPT_FORCE,
	CLI_OPT_REGRESS_DIR,
	CLI_OPT_COUNT
};

#define CLI_F(o) (1u << (o))

/* A command as the option parser and the usage text see it. */
struct cli_cmd {
	const char *name;     /* "replay" */
	const char *synopsis; /* "[options] FILE..." */
	const char *summary;  /* one line: what it does */
	const char *details;  /* more lines for --help, or NULL */
	unsigned opts;	      /* accepted options: CLI_F(...) | ... */
	int min_files;	      /* positional arguments allowed */
	int max_files;	      /* -1: no limit */
};

/* The parsed command line of one command. */
struct cli_args {
	unsigned given;		 /* CLI_F() of every option present */
	const char *bugs;	 /* --bugs LIST */
	const char *checks;	 /* --checks LIST */
	const char *format;	 /* --format auto|binary|text */
	const char *out;	 /* -o FILE */
	const char *kinds;	 /* --kinds LIST */
	const char *engine;	 /* --engine libfuzzer|afl */
	const char *time;	 /* --time SECONDS */
	const char *jobs;	 /* --jobs N */
	const char *corpus;	 /* --corpus DIR */
	const char *out_dir;	 /* --out DIR */
	const char *target;	 /* --target PATH */
	const char *name;	 /* --name NAME */
	const char *regress_dir; /* --regress-dir DIR */
	int nfiles;
	char **files; /* the positional arguments, in argv */
};

/*
 * Parse argv[1..argc-1] of cmd (argv[0] is the command's name).  Options
 * take their value as the next argument or after '='; "--" ends them.
 * Returns 0 when the command should run, or -1 when it must stop at once
 * with *status: 0 after --help (usage on stdout), 2 after a usage error
 * (message and synopsis on stderr).
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv,
    struct cli_args *a, int *status);

/* The usage text of cmd: synopsis, summary, details, its options. */
void cli_usage(FILE *f, const struct cli_cmd *cmd);

/* How an input file is read. */
enum cli_format { CLI_FMT_AUTO, CLI_FMT_BINARY, CLI_FMT_TEXT };

/* A loaded input. */
struct cli_input {
	const char *path;
	int text; /* 1: read as a text trace */
	struct op_program prog;
	struct trace_meta meta; /* all empty for a binary input */
};

/*
 * Load the program at path.  Auto: a name ending in ".trace" is text; any
 * other file is text when its first bytes hold no NUL and no control byte
 * but tab, CR and LF (a canonical binary starts with ncpus-1, a control
 * byte), else binary, decoded like a fuzz input.  Returns 0, or -1 after
 * printing the reason on stderr; a malformed trace gives the parser's
 * "file:line:col: expected ..." line as it is.
 */
int cli_load(const char *path, enum cli_format fmt, struct cli_input *in);

/* The format that --format asks for (auto without it).  Returns 0, or -1
 * after printing the reason on stderr. */
int cli_format_of(const struct cli_args *a, enum cli_format *fmt);

/*
 * The options of a run of in.  Bug switches and checks each come from the
 * first source that gives them: the command line (--bugs, --checks), then
 * the input's "# bugs:" / "# checks:" header, then, if use_env, the
 * environment (PMAPFUZZ_BUGS, PMAPFUZZ_CHECKS); otherwise none and all.
 * Checks are only looked up if want_checks (else all invariants run).
 * Level is EXEC_CHECK_OP, verbose NULL.  Returns 0, or -1 after naming the
 * unknown bug or invariant and where it came from on stderr.
 */
int cli_exec_options(const struct cli_args *a, const struct cli_input *in,
    int use_env, int want_checks, struct exec_options *opt);

/*
 * Parse a list of checks: invariant ids (or "all") to check, and "-id" items
 * that take an invariant out, e.g. "all,-stale-pte"; a list of removals
 * alone starts from all.  An empty list is all.  Returns 0 with *mask, or
 * -1 with *bad pointing at an unknown item (within list), or NULL when
 * nothing is left to check.
 */
int cli_parse_checks(const char *list, uint32_t *mask, const char **bad);

/* Write s as a JSON string (quotes included) to f. */
void cli_json_string(FILE *f, const char *s);

/* The commands of this module set (harness/main.c dispatches to them).
 * Each gets argc/argv with argv[0] its own name and returns the exit
 * status. */
int cmd_replay(int argc, char **argv);
int cmd_print(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

#endif /* PMAPFUZZ_CLI_H */

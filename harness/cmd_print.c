/*
 * cmd_print.c - `pmapfuzz print FILE` (any input -> canonical text) and
 * `pmapfuzz compile FILE -o OUT` (any input -> canonical binary).  Between
 * them, text -> binary -> text is exact for a canonical trace without
 * headers (a binary input has none), and binary -> text -> binary is exact
 * for a canonical binary.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd print_cmd = {
	.name = "print",
	.synopsis = "[options] FILE",
	.summary = "Print a program (a binary input or a text trace) as its "
		   "canonical text trace on stdout; a trace keeps its "
		   "headers.",
	.details = NULL,
	.opts = CLI_F(CLI_OPT_HELP) | CLI_F(CLI_OPT_FORMAT),
	.min_files = 1,
	.max_files = 1,
};

static const struct cli_cmd compile_cmd = {
	.name = "compile",
	.synopsis = "[options] FILE -o OUT",
	.summary = "Write a program (a text trace or a binary input) to OUT "
		   "as its canonical binary form, the form the fuzzers use.  "
		   "Headers are not kept: a binary has none.",
	.details = NULL,
	.opts =
	    CLI_F(CLI_OPT_HELP) | CLI_F(CLI_OPT_FORMAT) | CLI_F(CLI_OPT_OUT),
	.min_files = 1,
	.max_files = 1,
};

/* Load the one input of a print or compile command line. */
static int
print_load(const struct cli_args *a, struct cli_input *in)
{
	enum cli_format fmt;

	if (cli_format_of(a, &fmt) != 0 || cli_load(a->files[0], fmt, in) != 0)
		return -1;
	return 0;
}

int
cmd_print(int argc, char **argv)
{
	struct cli_input in;
	struct cli_args a;
	int status;

	if (cli_parse(&print_cmd, argc, argv, &a, &status) != 0)
		return status;
	if (print_load(&a, &in) != 0)
		return CLI_EXIT_USAGE;
	trace_print(stdout, &in.prog, in.text ? &in.meta : NULL);
	return CLI_EXIT_CLEAN;
}

int
cmd_compile(int argc, char **argv)
{
	uint8_t buf[OP_ENCODED_MAX];
	struct cli_input in;
	struct cli_args a;
	size_t len;
	int status, tostdout;
	FILE *f;

	if (cli_parse(&compile_cmd, argc, argv, &a, &status) != 0)
		return status;
	if (a.out == NULL) {
		fprintf(stderr, "pmapfuzz compile: -o OUT is required\n");
		return CLI_EXIT_USAGE;
	}
	if (print_load(&a, &in) != 0)
		return CLI_EXIT_USAGE;
	len = op_encode(&in.prog, buf, sizeof(buf));
	tostdout = strcmp(a.out, "-") == 0;
	f = tostdout ? stdout : fopen(a.out, "wb");
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", a.out, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	status = CLI_EXIT_CLEAN;
	if (fwrite(buf, 1, len, f) != len || fflush(f) != 0)
		status = CLI_EXIT_USAGE;
	if (!tostdout && fclose(f) != 0)
		status = CLI_EXIT_USAGE;
	if (status != CLI_EXIT_CLEAN)
		fprintf(stderr, "%s: %s\n", a.out, strerror(errno));
	return status;
}

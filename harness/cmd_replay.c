/*
 * cmd_replay.c - `pmapfuzz replay FILE...`: run saved programs (fuzzer
 * reproducers or text traces) and print their findings, or check them
 * against their "# expect:" headers (what ctest does with tests/regress).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exec.h"
#include "pmapfuzz/report.h"

static const struct cli_cmd replay_cmd = {
	.name = "replay",
	.synopsis = "[options] FILE...",
	.summary = "Run each program (a binary input or a text trace) with "
		   "all its checks and print its finding: \"FINDING: "
		   "<title>\" and the report, or \"clean FILE hash 0x...\".",
	.details = "  Bug switches and checks come from --bugs/--checks, else "
		   "from a trace's\n  headers, else from PMAPFUZZ_BUGS/"
		   "PMAPFUZZ_CHECKS.  With several files the\n  exit status "
		   "is 1 if any had a finding.  With --check-expect each "
		   "file must be\n  a trace with an \"# expect:\" header "
		   "(\"clean\" or an exact title); the exit\n  status is 1 "
		   "if any outcome differs from it.\n",
	.opts = CLI_F(CLI_OPT_HELP) | CLI_F(CLI_OPT_BUGS) |
	    CLI_F(CLI_OPT_CHECKS) | CLI_F(CLI_OPT_JSON) |
	    CLI_F(CLI_OPT_VERBOSE) | CLI_F(CLI_OPT_CHECK_EXPECT) |
	    CLI_F(CLI_OPT_FORMAT),
	.min_files = 1,
	.max_files = -1,
};

/* The outcome of one run as "clean" or the finding's title. */
static const char *
replay_outcome(const struct exec_result *res)
{
	return res->finding ? res->f.title : "clean";
}

static void
replay_print_text(struct exec *ex, const struct cli_input *in,
    const struct exec_result *res)
{
	if (!res->finding) {
		printf("clean %s hash 0x%016" PRIx64 "\n", in->path, res->hash);
		return;
	}
	printf("FINDING: %s\n", res->f.title);
	printf("file %s op %u hash 0x%016" PRIx64 "\n", in->path,
	    res->f.op_index, res->hash);
	exec_report(stdout, ex, &in->prog, res);
}

/*
 * One line of JSON: file, result, title, op_index, hash and the counters,
 * and for a finding the checker's own object (report_json) as "finding".
 */
static void
replay_print_json(const struct cli_input *in, const struct exec_result *res)
{
	char *obj = NULL;
	size_t len = 0;
	FILE *mem;

	printf("{\"file\": ");
	cli_json_string(stdout, in->path);
	printf(", \"result\": \"%s\", \"title\": ",
	    res->finding ? "finding" : "clean");
	if (res->finding) {
		cli_json_string(stdout, res->f.title);
		printf(", \"op_index\": %u", res->f.op_index);
	} else
		printf("null, \"op_index\": null");
	printf(", \"ops_run\": %u, \"arms_fired\": %u, \"hash\": "
	       "\"0x%016" PRIx64 "\"",
	    res->ops_run, res->arms_fired, res->hash);
	if (res->finding && (mem = open_memstream(&obj, &len)) != NULL) {
		report_json(mem, &res->f);
		if (fclose(mem) == 0) {
			while (len > 0 &&
			    (obj[len - 1] == '\n' || obj[len - 1] == ' '))
				len--;
			printf(", \"finding\": %.*s", (int)len, obj);
		}
		free(obj);
	}
	printf("}\n");
}

/*
 * Compare the outcome of in with its "# expect:" header.  Returns 0 on a
 * match, 1 on a mismatch (printing both and the report).
 */
static int
replay_check_expect(struct exec *ex, const struct cli_input *in,
    const struct exec_result *res)
{
	const char *got = replay_outcome(res);

	if (strcmp(in->meta.expect, got) == 0) {
		printf("ok %s: %s\n", in->path, got);
		return CLI_EXIT_CLEAN;
	}
	printf("MISMATCH %s\nexpected: %s\ngot:      %s\n", in->path,
	    in->meta.expect, got);
	if (res->finding)
		exec_report(stdout, ex, &in->prog, res);
	return CLI_EXIT_FINDING;
}

/* Replay one file; returns its exit status. */
static int
replay_one(struct exec *ex, const struct cli_args *a, enum cli_format fmt,
    const char *path)
{
	int expect = (a->given & CLI_F(CLI_OPT_CHECK_EXPECT)) != 0;
	struct exec_options opt;
	struct exec_result res;
	struct cli_input in;

	if (cli_load(path, fmt, &in) != 0)
		return CLI_EXIT_USAGE;
	if (expect && in.meta.expect[0] == '\0') {
		fprintf(stderr, "%s: no \"# expect:\" header to check\n", path);
		return CLI_EXIT_USAGE;
	}
	/* An expectation is about the file alone: no environment. */
	if (cli_exec_options(a, &in, !expect, 1, &opt) != 0)
		return CLI_EXIT_USAGE;
	if ((a->given & CLI_F(CLI_OPT_VERBOSE)) != 0)
		opt.verbose = stdout;
	memset(&res, 0, sizeof(res));
	exec_run(ex, &in.prog, &opt, &res);
	if (expect)
		return replay_check_expect(ex, &in, &res);
	if ((a->given & CLI_F(CLI_OPT_JSON)) != 0)
		replay_print_json(&in, &res);
	else
		replay_print_text(ex, &in, &res);
	return res.finding ? CLI_EXIT_FINDING : CLI_EXIT_CLEAN;
}

int
cmd_replay(int argc, char **argv)
{
	struct cli_args a;
	enum cli_format fmt;
	struct exec *ex;
	int status, worst = CLI_EXIT_CLEAN;

	if (cli_parse(&replay_cmd, argc, argv, &a, &status) != 0)
		return status;
	if ((a.given & CLI_F(CLI_OPT_CHECK_EXPECT)) != 0 &&
	    (a.given & CLI_F(CLI_OPT_JSON)) != 0) {
		fprintf(stderr,
		    "pmapfuzz replay: --check-expect and --json "
		    "do not go together\n");
		return CLI_EXIT_USAGE;
	}
	if (cli_format_of(&a, &fmt) != 0)
		return CLI_EXIT_USAGE;
	ex = exec_create();
	for (int i = 0; i < a.nfiles; i++) {
		status = replay_one(ex, &a, fmt, a.files[i]);
		if (status > worst)
			worst = status;
		fflush(stdout);
	}
	exec_destroy(ex);
	return worst;
}

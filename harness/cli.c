/*
 * cli.c - option parsing, usage text, input loading and run options shared
 * by the CLI's commands (see cli.h).
 *
 * The options of every command are rows of one table; a command names the
 * rows it accepts, and its --help is derived from them.
 */
#include "cli.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pmapfuzz/bugs.h"
#include "pmapfuzz/invariants.h"

/* An option that takes no value. */
#define CLI_FLAG ((size_t)-1)

struct cli_opt_info {
	const char *lng;  /* "--bugs" */
	const char *shrt; /* "-o", or NULL */
	const char *arg;  /* the value's name, or NULL for a flag */
	size_t off;	  /* where the value goes in struct cli_args */
	const char *help;
};

/* Indexed by enum cli_opt. */
static const struct cli_opt_info cli_opt_table[CLI_OPT_COUNT] = {
	[CLI_OPT_HELP] = { "--help", "-h", NULL, CLI_FLAG,
	    "print this help and exit" },
	[CLI_OPT_BUGS] = { "--bugs", NULL, "LIST",
	    offsetof(struct cli_args, bugs),
	    "bug switches to turn on, e.g. kmem-litter,wa-enter-multi "
	    "(pmapfuzz list bugs); wins over a trace's \"# bugs:\" header, "
	    "which wins over PMAPFUZZ_BUGS" },
	[CLI_OPT_CHECKS] = { "--checks", NULL, "LIST",
	    offsetof(struct cli_args, checks),
	    "invariants to check: ids (pmapfuzz list checks), \"all\", and "
	    "-id to leave one out, e.g. all,-stale-pte; wins over a trace's "
	    "\"# checks:\" header, which wins over PMAPFUZZ_CHECKS" },
	[CLI_OPT_JSON] = { "--json", NULL, NULL, CLI_FLAG,
	    "one JSON object per input instead of text" },
	[CLI_OPT_VERBOSE] = { "--verbose", "-v", NULL, CLI_FLAG,
	    "print the per-op trace of each run on stdout" },
	[CLI_OPT_CHECK_EXPECT] = { "--check-expect", NULL, NULL, CLI_FLAG,
	    "compare each outcome with the trace's \"# expect:\" header "
	    "(clean or a title); exit 1 on a mismatch.  The environment is "
	    "not read" },
	[CLI_OPT_FORMAT] = { "--format", NULL, "auto|binary|text",
	    offsetof(struct cli_args, format),
	    "how to read the inputs (auto: *.trace and text files are text, "
	    "anything else is a binary input)" },
	[CLI_OPT_OUT] = { "--output", "-o", "FILE",
	    offsetof(struct cli_args, out),
	    "write the output to FILE (- is "
	    "stdout)" },
	[CLI_OPT_KINDS] = { "--kinds", NULL, "LIST",
	    offsetof(struct cli_args, kinds),
	    "fault kinds to sweep, from alloc,am,drop,intr (default: all)" },
	[CLI_OPT_ENGINE] = { "--engine", NULL, "libfuzzer|afl",
	    offsetof(struct cli_args, engine),
	    "the fuzzing engine (default libfuzzer)" },
	[CLI_OPT_TIME] = { "--time", NULL, "SECONDS",
	    offsetof(struct cli_args, time),
	    "how long the engines fuzz (default 60)" },
	[CLI_OPT_JOBS] = { "--jobs", NULL, "N", offsetof(struct cli_args, jobs),
	    "fuzzing processes (default: the online cores)" },
	[CLI_OPT_CORPUS] = { "--corpus", NULL, "DIR",
	    offsetof(struct cli_args, corpus),
	    "seed corpus, only read: copied into OUT/corpus, which grows "
	    "(default fuzz/corpus/fuzz_pmap)" },
	[CLI_OPT_OUT_DIR] = { "--out", NULL, "DIR",
	    offsetof(struct cli_args, out_dir),
	    "output directory (default out)" },
	[CLI_OPT_TARGET] = { "--target", NULL, "PATH",
	    offsetof(struct cli_args, target),
	    "the fuzz target binary (else $PMAPFUZZ_TARGET, else fuzz_pmap "
	    "beside pmapfuzz, else build/<preset>/bin/fuzz_pmap)" },
	[CLI_OPT_NAME] = { "--name", NULL, "NAME",
	    offsetof(struct cli_args, name),
	    "the file name to use (letters, digits, '.', '_', '-')" },
	[CLI_OPT_FORCE] = { "--force", NULL, NULL, CLI_FLAG,
	    "overwrite an existing file" },
	[CLI_OPT_REGRESS_DIR] = { "--regress-dir", NULL, "DIR",
	    offsetof(struct cli_args, regress_dir),
	    "where regression traces live (default tests/regress)" },
};

/* Find the option that arg names among cmd's; *val gets an "=value". */
static int
cli_opt_find(const struct cli_cmd *cmd, const char *arg, const char **val)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

	*val = eq != NULL ? eq + 1 : NULL;
	for (int i = 0; i < CLI_OPT_COUNT; i++) {
		const struct cli_opt_info *oi = &cli_opt_table[i];

		if ((cmd->opts & CLI_F(i)) == 0)
			continue;
		if ((strlen(oi->lng) == len &&
			strncmp(oi->lng, arg, len) == 0) ||
		    (oi->shrt != NULL && strlen(oi->shrt) == len &&
			strncmp(oi->shrt, arg, len) == 0))
			return i;
	}
	return -1;
}

static void
cli_synopsis(FILE *f, const struct cli_cmd *cmd)
{
	fprintf(f, "usage: pmapfuzz %s %s\n", cmd->name, cmd->synopsis);
}

/* Print a usage error for cmd and return -1 with status 2. */
static int
cli_usage_error(const struct cli_cmd *cmd, int *status, const char *what,
    const char *arg)
{
	fprintf(stderr, "pmapfuzz %s: %s%s%s%s\n", cmd->name, what,
	    arg != NULL ? " '" : "", arg != NULL ? arg : "",
	    arg != NULL ? "'" : "");
	cli_synopsis(stderr, cmd);
	fprintf(stderr, "(pmapfuzz %s --help for more)\n", cmd->name);
	*status = CLI_EXIT_USAGE;
	return -1;
}

int
cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a,
    int *status)
{
	int nfiles = 0, opts_done = 0;

	memset(a, 0, sizeof(*a));
	/* Positional arguments are gathered at argv + 1, in order; the
	 * write index never passes the read index. */
	for (int i = 1; i < argc; i++) {
		const struct cli_opt_info *oi;
		const char *val;
		int o;

		if (opts_done || argv[i][0] != '-' ||
		    strcmp(argv[i], "-") == 0) {
			argv[1 + nfiles++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			opts_done = 1;
			continue;
		}
		o = cli_opt_find(cmd, argv[i], &val);
		if (o < 0)
			return cli_usage_error(cmd, status, "unknown option",
			    argv[i]);
		oi = &cli_opt_table[o];
		if ((a->given & CLI_F(o)) != 0)
			return cli_usage_error(cmd, status,
			    "option given twice:", oi->lng);
		a->given |= CLI_F(o);
		if (oi->arg == NULL) {
			if (val != NULL)
				return cli_usage_error(cmd, status,
				    "option takes no value:", argv[i]);
			continue;
		}
		if (val == NULL) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, status,
				    "option needs a value:", argv[i]);
			val = argv[++i];
		}
		*(const char **)(void *)((char *)a + oi->off) = val;
	}
	if ((a->given & CLI_F(CLI_OPT_HELP)) != 0) {
		cli_usage(stdout, cmd);
		*status = CLI_EXIT_CLEAN;
		return -1;
	}
	if (nfiles < cmd->min_files)
		return cli_usage_error(cmd, status, "missing FILE", NULL);
	if (cmd->max_files >= 0 && nfiles > cmd->max_files)
		return cli_usage_error(cmd, status, "too many arguments, from",
		    argv[1 + cmd->max_files]);
	a->nfiles = nfiles;
	a->files = argv + 1;
	return 0;
}

/* Print text as lines of at most width columns after indent. */
static void
cli_wrap(FILE *f, const char *text, int indent, int width)
{
	const char *p = text;
	int col = indent;

	fprintf(f, "%*s", indent, "");
	while (*p != '\0') {
		const char *w = p;
		int len;

		while (*p != '\0' && *p != ' ')
			p++;
		len = (int)(p - w);
		if (col > indent && col + 1 + len > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", len, w);
		col += len;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void
cli_usage(FILE *f, const struct cli_cmd *cmd)
{
	cli_synopsis(f, cmd);
	fputc('\n', f);
	cli_wrap(f, cmd->summary, 2, 78);
	if (cmd->details != NULL) {
		fputc('\n', f);
		fputs(cmd->details, f);
	}
	fprintf(f, "\noptions:\n");
	for (int i = 0; i < CLI_OPT_COUNT; i++) {
		const struct cli_opt_info *oi = &cli_opt_table[i];

		if ((cmd->opts & CLI_F(i)) == 0)
			continue;
		fprintf(f, "  %s%s%s%s%s\n", oi->shrt != NULL ? oi->shrt : "",
		    oi->shrt != NULL ? ", " : "", oi->lng,
		    oi->arg != NULL ? " " : "", oi->arg != NULL ? oi->arg : "");
		cli_wrap(f, oi->help, 8, 78);
	}
	fprintf(f,
	    "\nexit status: 0 clean, 1 finding, 2 usage or input error\n");
}

int
cli_format_of(const struct cli_args *a, enum cli_format *fmt)
{
	static const struct {
		const char *name;
		enum cli_format fmt;
	} formats[] = {
		{ "auto", CLI_FMT_AUTO },
		{ "binary", CLI_FMT_BINARY },
		{ "text", CLI_FMT_TEXT },
	};

	*fmt = CLI_FMT_AUTO;
	if (a->format == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(a->format, formats[i].name) == 0) {
			*fmt = formats[i].fmt;
			return 0;
		}
	}
	fprintf(stderr,
	    "pmapfuzz: unknown --format '%s' (auto, binary, text)\n",
	    a->format);
	return -1;
}

/* Nonzero if path ends in ".trace". */
static int
cli_is_trace_name(const char *path)
{
	size_t len = strlen(path);

	return len >= 6 && strcmp(path + len - 6, ".trace") == 0;
}

/* Nonzero if the n bytes at b can be the start of a text trace. */
static int
cli_looks_like_text(const unsigned char *b, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (b[i] < 0x20 && b[i] != '\t' && b[i] != '\n' && b[i] != '\r')
			return 0;
	return 1;
}

int
cli_load(const char *path, enum cli_format fmt, struct cli_input *in)
{
	unsigned char buf[OP_ENCODED_MAX];
	char err[256];
	size_t n;
	FILE *f;

	memset(in, 0, sizeof(*in));
	in->path = path;
	if (fmt == CLI_FMT_AUTO && cli_is_trace_name(path))
		fmt = CLI_FMT_TEXT;
	if (fmt != CLI_FMT_TEXT) {
		/* The decoder reads no more than OP_ENCODED_MAX bytes. */
		f = fopen(path, "rb");
		if (f == NULL) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			return -1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		if (ferror(f)) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			fclose(f);
			return -1;
		}
		fclose(f);
		if (fmt == CLI_FMT_BINARY || !cli_looks_like_text(buf, n)) {
			op_decode(buf, n, &in->prog);
			return 0;
		}
	}
	in->text = 1;
	if (trace_parse_file(path, &in->prog, &in->meta, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/*
 * Pick the list of one setting: the command line, the input's header, the
 * environment, in that order.  *where names the source for messages.
 */
static const char *
cli_pick(const char *cmdline, const char *header, const char *env, int use_env,
    const char **where)
{
	const char *e;

	if (cmdline != NULL) {
		*where = "the command line";
		return cmdline;
	}
	if (header[0] != '\0') {
		*where = "the trace's header";
		return header;
	}
	e = use_env ? getenv(env) : NULL;
	if (e != NULL && e[0] != '\0') {
		*where = env;
		return e;
	}
	return NULL;
}

/* The length of the list item at p (up to the next comma). */
static int
cli_item_len(const char *p)
{
	const char *c = strchr(p, ',');

	return c != NULL ? (int)(c - p) : (int)strlen(p);
}

int
cli_exec_options(const struct cli_args *a, const struct cli_input *in,
    int use_env, int want_checks, struct exec_options *opt)
{
	const char *list, *where, *bad;

	memset(opt, 0, sizeof(*opt));
	opt->level = EXEC_CHECK_OP;
	list =
	    cli_pick(a->bugs, in->meta.bugs, "PMAPFUZZ_BUGS", use_env, &where);
	if (list != NULL && bug_parse_list(list, &opt->bugs, &bad) != 0) {
		fprintf(stderr,
		    "%s: unknown bug '%.*s' in %s (pmapfuzz list bugs)\n",
		    in->path, cli_item_len(bad), bad, where);
		return -1;
	}
	if (!want_checks)
		return 0;
	list = cli_pick(a->checks, in->meta.checks, "PMAPFUZZ_CHECKS", use_env,
	    &where);
	if (list != NULL && cli_parse_checks(list, &opt->checks, &bad) != 0) {
		if (bad != NULL)
			fprintf(stderr,
			    "%s: unknown invariant '%.*s' in %s (pmapfuzz "
			    "list checks)\n",
			    in->path, cli_item_len(bad), bad, where);
		else
			fprintf(stderr,
			    "%s: no invariant left to check in %s\n", in->path,
			    where);
		return -1;
	}
	return 0;
}

int
cli_parse_checks(const char *list, uint32_t *mask, const char **bad)
{
	uint32_t add = 0, drop = 0, one;
	int any_add = 0;
	const char *p = list;

	*bad = NULL;
	while (*p != '\0') {
		int len = cli_item_len(p), minus = *p == '-';
		char item[64];

		if (len > 0) {
			if (len - minus >= (int)sizeof(item)) {
				*bad = p;
				return -1;
			}
			memcpy(item, p + minus, (size_t)(len - minus));
			item[len - minus] = '\0';
			if (item[0] == '\0' ||
			    inv_parse_list(item, &one, NULL) != 0) {
				*bad = p;
				return -1;
			}
			if (minus)
				drop |= one;
			else {
				add |= one;
				any_add = 1;
			}
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*mask = (any_add ? add : INV_ALL) & ~drop;
	return *mask != 0 || (!any_add && drop == 0) ? 0 : -1;
}

void
cli_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/*
 * campaign_findings.c - the folder of one distinct finding (see
 * campaign.h): its name (a slug of the title), the reproducer in both
 * forms, the report, and where it came from.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "trace.h"

/* Longest slug before its hash suffix, when it has to be cut. */
#define SLUG_CUT 71

void
campaign_slug(const char *title, char slug[CAMPAIGN_SLUG_LEN])
{
	char full[2 * CAMPAIGN_TITLE_LEN + 2];
	size_t n = 0;
	int sep = 0;

	for (const unsigned char *p = (const unsigned char *)title;
	     *p != '\0' && n + 2 < sizeof(full); p++) {
		int c = tolower(*p);

		if ((c < 0x80 && isalnum(c)) || c == '_') {
			if (sep && n > 0)
				full[n++] = '-';
			full[n++] = (char)c;
			sep = 0;
		} else
			sep = 1;
	}
	full[n] = '\0';
	if (n == 0) {
		snprintf(slug, CAMPAIGN_SLUG_LEN, "finding");
		return;
	}
	if (n < CAMPAIGN_SLUG_LEN) {
		memcpy(slug, full, n + 1);
		return;
	}
	/* Cut, drop a dangling '-', and add the title's hash so that two
	 * long titles with one beginning stay apart. */
	n = SLUG_CUT;
	while (n > 0 && full[n - 1] == '-')
		n--;
	snprintf(slug, CAMPAIGN_SLUG_LEN, "%.*s-%08x", (int)n, full,
	    (unsigned)(cf_hash(title, strlen(title)) & 0xffffffffu));
}

int
campaign_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= CAMPAIGN_SLUG_LEN || name[0] == '.' ||
	    name[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!(c < 0x80 && isalnum(c)) && c != '.' && c != '_' &&
		    c != '-')
			return 0;
	}
	return 1;
}

/* What each file of a finding's folder is written from. */
struct findings_report {
	struct exec *ex;
	const struct exec_options *opt;
	const struct campaign_finding *f;
};

/* Write what print(out, r) prints to path (atomically). */
static int
findings_write_text(const char *path,
    void (*print)(FILE *, const struct findings_report *),
    const struct findings_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int rc;

	if (mem == NULL)
		return -1;
	print(mem, r);
	if (fclose(mem) != 0) {
		free(text);
		return -1;
	}
	rc = cf_write(path, text, len);
	free(text);
	return rc;
}

/* The headers of f's trace; the expectation only if it fits. */
static void
findings_meta(const struct campaign_finding *f, struct trace_meta *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", f->name);
	if (f->verdict == CAMPAIGN_FINDING &&
	    strlen(f->title) < sizeof(m->expect))
		snprintf(m->expect, sizeof(m->expect), "%s", f->title);
	snprintf(m->bugs, sizeof(m->bugs), "%s", f->bugs);
	snprintf(m->checks, sizeof(m->checks), "%s", f->checks);
}

static void
findings_print_trace(FILE *out, const struct findings_report *r)
{
	struct trace_meta m;

	findings_meta(r->f, &m);
	trace_print(out, r->f->prog, &m);
}

static void
findings_print_report(FILE *out, const struct findings_report *r)
{
	const struct campaign_finding *f = r->f;
	struct exec_result res;

	fprintf(out, "FINDING: %s\n", f->title);
	if (f->verdict == CAMPAIGN_HUNG) {
		/* Running it here would hang pmapfuzz too. */
		fprintf(out,
		    "The replay of this input did not finish (a loop in the "
		    "core?).\nRun `pmapfuzz replay original.bin` under a "
		    "debugger and interrupt it.\n");
		return;
	}
	if (f->verdict != CAMPAIGN_FINDING) {
		/* Running it here would crash pmapfuzz too. */
		fprintf(out,
		    "The replay of this input crashed pmapfuzz itself (a "
		    "memory error in the core?).\nRun `pmapfuzz replay "
		    "original.bin` under a debugger or an ASan build.\n");
		return;
	}
	memset(&res, 0, sizeof(res));
	exec_run(r->ex, f->prog, r->opt, &res);
	if (res.finding)
		exec_report(out, r->ex, f->prog, &res);
	else
		fprintf(out,
		    "One run of this program is clean; run twice in one "
		    "process, the two runs end\nin different state hashes "
		    "(the fuzz target's self-check).\n");
}

static void
findings_print_crashes(FILE *out, const struct findings_report *r)
{
	const struct campaign_finding *f = r->f;

	fprintf(out,
	    "# %s\n# %zu crash file%s; seconds from the campaign "
	    "start to each file's mtime\n",
	    f->how, f->ncrashes, f->ncrashes == 1 ? "" : "s");
	for (size_t i = 0; i < f->ncrashes; i++) {
		if (f->hit_times != NULL && f->hit_times[i] >= 0)
			fprintf(out, "%.1f\t%s\n", f->hit_times[i],
			    f->crashes[i]);
		else
			fprintf(out, "-\t%s\n", f->crashes[i]);
	}
}

static int
findings_write_bin(const char *path, const struct findings_report *r)
{
	unsigned char bin[OP_ENCODED_MAX];
	size_t n = op_encode(r->f->prog, bin, sizeof(bin));

	return cf_write(path, bin, n);
}

static int
findings_write_trace(const char *path, const struct findings_report *r)
{
	return findings_write_text(path, findings_print_trace, r);
}

static int
findings_write_report(const char *path, const struct findings_report *r)
{
	return findings_write_text(path, findings_print_report, r);
}

static int
findings_write_crashes(const char *path, const struct findings_report *r)
{
	return findings_write_text(path, findings_print_crashes, r);
}

static int
findings_write_original(const char *path, const struct findings_report *r)
{
	return cf_copy(r->f->first_crash, path);
}

/* The files of a finding's folder. */
static const struct {
	const char *name;
	int (*write)(const char *path, const struct findings_report *r);
} findings_files[] = {
	{ "input.bin", findings_write_bin },
	{ "input.trace", findings_write_trace },
	{ "report.txt", findings_write_report },
	{ "crashes.txt", findings_write_crashes },
	{ "original.bin", findings_write_original },
};

int
campaign_write_finding(struct exec *ex, const struct exec_options *opt,
    const struct campaign_finding *f)
{
	struct findings_report rep = { ex, opt, f };

	if (cf_mkdirs(f->dir) != 0) {
		fprintf(stderr, "pmapfuzz: %s: %s\n", f->dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0;
	     i < sizeof(findings_files) / sizeof(findings_files[0]); i++) {
		char *path = cf_fmt("%s/%s", f->dir, findings_files[i].name);
		int rc = findings_files[i].write(path, &rep);

		if (rc != 0)
			fprintf(stderr, "pmapfuzz: writing %s: %s\n", path,
			    strerror(errno));
		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * campaign_triage.c - what a campaign ends with, and `pmapfuzz triage`
 * (see campaign.h): replay every crash file with the replay CLI's
 * executor, group the crash files by finding title, minimize the earliest
 * of each group (the engine's minimizer, accepted only if the title stays,
 * then the op-level reduction), write one folder per finding and list the
 * crash files that replay clean, and print the summary.
 *
 * Output order does not depend on timing: files are taken in name order,
 * groups in title order; only the seconds printed vary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "cli.h"

struct triage_file {
	char *path;
	int loaded; /* 0: could not be read (cli_load said why) */
	double hit; /* seconds from the campaign start, or -1 */
	struct campaign_replayed r;
};

struct triage_group {
	const char *title; /* a member's r.title */
	enum campaign_verdict verdict;
	size_t *members; /* indices into files[], in name order */
	size_t n;
	size_t first; /* the earliest hit (name order on ties) */
	char slug[CAMPAIGN_SLUG_LEN];
	char *dir;
};

struct triage {
	const struct campaign_triage *t;
	struct triage_file *files;
	struct op_program *progs;
	size_t nfiles;
	struct triage_group *groups;
	size_t ngroups;
	size_t nclean; /* replayed clean or unreadable */
	struct exec *ex;
};

static int
triage_cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every file (in name order) and note its time to hit. */
static void
triage_load(struct triage *tr, char *const *paths, size_t n, int text)
{
	char **sorted = malloc((n + 1) * sizeof(*sorted));

	if (sorted == NULL)
		abort();
	if (n != 0) {
		memcpy(sorted, paths, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), triage_cmp_paths);
	}
	tr->files = calloc(n + 1, sizeof(*tr->files));
	tr->progs = calloc(n + 1, sizeof(*tr->progs));
	if (tr->files == NULL || tr->progs == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct triage_file *f = &tr->files[i];
		size_t len = strlen(sorted[i]);
		int trace = text && len >= 6 &&
		    strcmp(sorted[i] + len - 6, ".trace") == 0;
		static struct cli_input in; /* large */
		double m;

		f->path = sorted[i];
		f->loaded =
		    cli_load(f->path, trace ? CLI_FMT_TEXT : CLI_FMT_BINARY,
			&in) == 0;
		if (f->loaded)
			tr->progs[i] = in.prog;
		m = cf_mtime(f->path);
		f->hit = tr->t->start > 0 && m >= tr->t->start ?
		    m - tr->t->start :
		    -1;
	}
	tr->nfiles = n;
	free(sorted);
}

/* Replay the loaded files in forked children. */
static void
triage_replay(struct triage *tr)
{
	struct campaign_replayed *out = calloc(tr->nfiles + 1, sizeof(*out));
	struct op_program *progs = calloc(tr->nfiles + 1, sizeof(*progs));
	size_t *idx = calloc(tr->nfiles + 1, sizeof(*idx)), n = 0;

	if (out == NULL || progs == NULL || idx == NULL)
		abort();
	for (size_t i = 0; i < tr->nfiles; i++)
		if (tr->files[i].loaded) {
			idx[n] = i;
			progs[n++] = tr->progs[i];
		}
	campaign_replay_isolated(tr->t->opt, progs, n, out);
	for (size_t k = 0; k < n; k++)
		tr->files[idx[k]].r = out[k];
	free(out);
	free(progs);
	free(idx);
}

/* Nonzero if file a was hit before file b (times, then names). */
static int
triage_earlier(const struct triage_file *a, const struct triage_file *b)
{
	if (a->hit >= 0 && b->hit >= 0 && a->hit != b->hit)
		return a->hit < b->hit;
	return strcmp(a->path, b->path) < 0;
}

static int
triage_cmp_groups(const void *a, const void *b)
{
	return strcmp(((const struct triage_group *)a)->title,
	    ((const struct triage_group *)b)->title);
}

/* Group the files with a finding by title; count the others. */
static void
triage_group(struct triage *tr)
{
	tr->groups = calloc(tr->nfiles + 1, sizeof(*tr->groups));
	if (tr->groups == NULL)
		abort();
	for (size_t i = 0; i < tr->nfiles; i++) {
		struct triage_file *f = &tr->files[i];
		struct triage_group *g = NULL;

		if (!f->loaded || f->r.verdict == CAMPAIGN_CLEAN) {
			tr->nclean++;
			continue;
		}
		for (size_t j = 0; j < tr->ngroups && g == NULL; j++)
			if (strcmp(tr->groups[j].title, f->r.title) == 0)
				g = &tr->groups[j];
		if (g == NULL) {
			g = &tr->groups[tr->ngroups++];
			g->title = f->r.title;
			g->verdict = f->r.verdict;
			g->members = calloc(tr->nfiles, sizeof(*g->members));
			if (g->members == NULL)
				abort();
			g->first = i;
		}
		g->members[g->n++] = i;
		if (triage_earlier(f, &tr->files[g->first]))
			g->first = i;
	}
	if (tr->ngroups != 0)
		qsort(tr->groups, tr->ngroups, sizeof(*tr->groups),
		    triage_cmp_groups);
	/* Folder names; a slug that two titles share gets a hash. */
	for (size_t j = 0; j < tr->ngroups; j++) {
		struct triage_group *g = &tr->groups[j];

		campaign_slug(g->title, g->slug);
		for (size_t k = 0; k < j; k++)
			if (strcmp(tr->groups[k].slug, g->slug) == 0) {
				char cut[CAMPAIGN_SLUG_LEN];

				snprintf(cut, sizeof(cut), "%s", g->slug);
				snprintf(g->slug, sizeof(g->slug), "%.71s-%08x",
				    cut,
				    (unsigned)(cf_hash(g->title,
						   strlen(g->title)) &
					0xffffffffu));
				break;
			}
		g->dir = cf_fmt("%s/%s", tr->t->findings, g->slug);
	}
}

/*
 * The engine's minimizer on the group's first file; its result is taken
 * only if it replays (isolated) to the same title.  Appends what happened
 * to how.
 */
static void
triage_engine_minimize(struct triage *tr, struct triage_group *g,
    struct op_program *p, char *how, size_t howlen)
{
	const struct campaign_triage *t = tr->t;
	const char *label = campaign_engine_info(t->min.engine)->label;
	struct campaign_replayed r;
	struct op_program m;
	size_t len = strlen(how);

	if (t->min.target == NULL)
		return;
	if (proc_stop_requests() > t->min.stop_after) {
		snprintf(how + len, howlen - len,
		    "%s minimizer: skipped (interrupted); ", label);
		return;
	}
	if (campaign_engine_minimize(&t->min, tr->files[g->first].path,
		g->title, g->slug, &m) != 0) {
		snprintf(how + len, howlen - len, "%s minimizer: no result; ",
		    label);
		return;
	}
	campaign_replay_isolated(t->opt, &m, 1, &r);
	if (r.verdict == CAMPAIGN_FINDING && strcmp(r.title, g->title) == 0) {
		snprintf(how + len, howlen - len,
		    "%s minimizer: %u -> %u ops; ", label, p->nops, m.nops);
		*p = m;
	} else
		snprintf(how + len, howlen - len,
		    "%s minimizer: rejected (its output replays %s); ", label,
		    r.verdict == CAMPAIGN_CLEAN ? "clean" : "another title");
}

/* Minimize the group's first file and write the group's folder. */
static int
triage_finish_group(struct triage *tr, struct triage_group *g)
{
	const struct campaign_triage *t = tr->t;
	struct campaign_finding f;
	struct campaign_reduce_stats st;
	struct op_program p = tr->progs[g->first];
	char how[256] = "", *name, **crashes;
	double *hits;
	size_t len;
	int rc;

	if (g->verdict == CAMPAIGN_FINDING) {
		triage_engine_minimize(tr, g, &p, how, sizeof(how));
		len = strlen(how);
		if (campaign_reduce_isolated(t->opt, g->title, &p,
			t->reduce_budget, t->reduce_stop_after, &st) == 0)
			snprintf(how + len, sizeof(how) - len,
			    "op-level reduction: %u -> %u ops in %u runs%s",
			    st.ops_before, st.ops_after, st.runs,
			    st.hung	    ? " (stopped: a candidate hung)" :
				st.complete ? "" :
					      " (stopped early)");
		else
			snprintf(how + len, sizeof(how) - len,
			    "op-level reduction crashed; input as found");
	} else
		snprintf(how, sizeof(how), "not minimized: the replay %s",
		    g->verdict == CAMPAIGN_HUNG ? "hung" : "crashed");
	printf("  %s: %s\n", g->slug, how);
	crashes = calloc(g->n + 1, sizeof(*crashes));
	hits = calloc(g->n + 1, sizeof(*hits));
	if (crashes == NULL || hits == NULL)
		abort();
	for (size_t k = 0; k < g->n; k++) {
		crashes[k] = tr->files[g->members[k]].path;
		hits[k] = tr->files[g->members[k]].hit;
	}
	name = cf_fmt("%s: found by %s", g->slug, t->origin);
	memset(&f, 0, sizeof(f));
	f.title = g->title;
	f.slug = g->slug;
	f.dir = g->dir;
	f.prog = &p;
	f.name = name;
	f.bugs = t->bugs;
	f.checks = t->checks;
	f.first_crash = tr->files[g->first].path;
	f.crashes = crashes;
	f.hit_times = hits;
	f.ncrashes = g->n;
	f.how = how;
	f.verdict = g->verdict;
	rc = campaign_write_finding(tr->ex, t->opt, &f);
	free(name);
	free(crashes);
	free(hits);
	return rc;
}

/* OUT/findings/not-reproducible.txt: the files that replay clean. */
static int
triage_write_clean(struct triage *tr, char **path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	*path = cf_fmt("%s/not-reproducible.txt", tr->t->findings);
	if ((mem = open_memstream(&text, &len)) == NULL)
		return -1;
	fprintf(mem,
	    "# crash files that replay clean in-process (or could "
	    "not be read)\n");
	for (size_t i = 0; i < tr->nfiles; i++) {
		const struct triage_file *f = &tr->files[i];

		if (f->loaded && f->r.verdict != CAMPAIGN_CLEAN)
			continue;
		if (f->hit >= 0)
			fprintf(mem, "%.1f\t%s%s\n", f->hit, f->path,
			    f->loaded ? "" : "\t(unreadable)");
		else
			fprintf(mem, "-\t%s%s\n", f->path,
			    f->loaded ? "" : "\t(unreadable)");
	}
	if (fclose(mem) != 0) {
		free(text);
		return -1;
	}
	rc = cf_write(*path, text, len);
	free(text);
	return rc;
}

/* The earliest hit among files that replay clean, or -1. */
static double
triage_clean_first(const struct triage *tr)
{
	double first = -1;

	for (size_t i = 0; i < tr->nfiles; i++) {
		const struct triage_file *f = &tr->files[i];

		if ((!f->loaded || f->r.verdict == CAMPAIGN_CLEAN) &&
		    f->hit >= 0 && (first < 0 || f->hit < first))
			first = f->hit;
	}
	return first;
}

static void
triage_row(size_t hits, double first, const char *title, const char *where)
{
	char when[32] = "-";

	if (first >= 0)
		snprintf(when, sizeof(when), "%.1fs", first);
	printf("%6zu  %9s  %s\n%6s  %9s  %s\n", hits, when, title, "", "",
	    where);
}

static void
triage_table(const struct triage *tr, const char *clean_path)
{
	if (tr->ngroups == 0 && tr->nclean == 0) {
		printf("no findings\n");
		return;
	}
	printf("\n%6s  %9s  %s\n", "hits", "first hit", "title / folder");
	for (size_t j = 0; j < tr->ngroups; j++) {
		const struct triage_group *g = &tr->groups[j];

		triage_row(g->n, tr->files[g->first].hit, g->title, g->dir);
	}
	if (tr->nclean != 0)
		triage_row(tr->nclean, triage_clean_first(tr),
		    "not reproducible (replays clean)", clean_path);
	if (tr->t->start > 0)
		printf("first hit: seconds from the campaign start to the "
		       "crash file's mtime\n");
}

static void
triage_free(struct triage *tr)
{
	for (size_t j = 0; j < tr->ngroups; j++) {
		free(tr->groups[j].members);
		free(tr->groups[j].dir);
	}
	free(tr->groups);
	free(tr->files);
	free(tr->progs);
	if (tr->ex != NULL)
		exec_destroy(tr->ex);
}

int
campaign_triage(const struct campaign_triage *t, char *const *files, size_t n,
    int text)
{
	struct triage tr;
	char *clean_path = NULL;
	int rc = 0;

	memset(&tr, 0, sizeof(tr));
	tr.t = t;
	triage_load(&tr, files, n, text);
	triage_replay(&tr);
	triage_group(&tr);
	for (size_t j = 0; j < tr.ngroups; j++)
		printf("FINDING: %s\n", tr.groups[j].title);
	printf("triage: %zu crash file%s, %zu distinct finding%s, %zu not "
	       "reproducible\n",
	    n, n == 1 ? "" : "s", tr.ngroups, tr.ngroups == 1 ? "" : "s",
	    tr.nclean);
	if (cf_rmtree(t->findings) != 0 || cf_mkdirs(t->findings) != 0) {
		fprintf(stderr, "pmapfuzz: %s: %s\n", t->findings,
		    strerror(errno));
		triage_free(&tr);
		return -1;
	}
	tr.ex = exec_create();
	for (size_t j = 0; j < tr.ngroups && rc == 0; j++)
		rc = triage_finish_group(&tr, &tr.groups[j]);
	if (rc == 0 && tr.nclean != 0 &&
	    (rc = triage_write_clean(&tr, &clean_path)) != 0)
		fprintf(stderr, "pmapfuzz: writing %s: %s\n", clean_path,
		    strerror(errno));
	if (rc == 0)
		triage_table(&tr, clean_path);
	free(clean_path);
	rc = rc == 0 ? (int)tr.ngroups : -1;
	triage_free(&tr);
	return rc;
}

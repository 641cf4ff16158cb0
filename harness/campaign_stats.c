/*
 * campaign_stats.c - what the engines report about themselves, read from
 * their own output (libFuzzer's status lines, AFL++'s fuzzer_stats and
 * plot_data), and the campaign's progress line (see campaign.h).  Nothing
 * is estimated: a number no engine has given yet prints as "-".
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"

/* The unsigned number after key in s, if key occurs; *val gets it. */
static int
stats_field(const char *s, const char *key, unsigned long long *val)
{
	const char *k = strstr(s, key);
	char *end;

	if (k == NULL)
		return 0;
	k += strlen(key);
	while (*k == ' ' || *k == ':')
		k++;
	if (!isdigit((unsigned char)*k))
		return 0;
	*val = strtoull(k, &end, 10);
	return 1;
}

int
campaign_parse_libfuzzer_line(const char *line, struct campaign_progress *p)
{
	unsigned long long execs, cov, ft = 0, corp = 0, eps = 0, secs = 0;
	char *end;

	if (line[0] != '#' || !isdigit((unsigned char)line[1]))
		return 0;
	execs = strtoull(line + 1, &end, 10);
	if (*end != '\t' && *end != ':')
		return 0;
	if (!stats_field(end, "cov:", &cov))
		return 0;
	p->have_execs = 1;
	p->execs = execs;
	/*
	 * "exec/s: N" in a fuzzing process.  A -fork parent's "exec/s N" is
	 * the rate of its last finished job alone, 0 when that job crashed:
	 * its rate is the runs of every job over its "time: Ns".
	 */
	if (*end == ':' && stats_field(end, " time:", &secs) && secs > 0)
		p->execs_per_s = (double)execs / (double)secs;
	else if (stats_field(end, "exec/s", &eps))
		p->execs_per_s = (double)eps;
	if (stats_field(end, "corp:", &corp)) {
		p->have_corpus = 1;
		p->corpus = corp;
	}
	p->have_cov = 1;
	if (stats_field(end, "ft:", &ft))
		snprintf(p->cov, sizeof(p->cov), "cov %llu ft %llu", cov, ft);
	else
		snprintf(p->cov, sizeof(p->cov), "cov %llu", cov);
	return 1;
}

void
campaign_scan_libfuzzer_log(struct campaign_log *lg,
    struct campaign_progress *p)
{
	char chunk[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(lg->path, "rb")) == NULL)
		return;
	if (fseek(f, lg->offset, SEEK_SET) != 0) {
		fclose(f);
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		lg->offset += (long)n;
		for (size_t i = 0; i < n; i++) {
			if (chunk[i] != '\n') {
				/* Lines longer than the buffer are cut. */
				if (lg->npartial < sizeof(lg->partial) - 1)
					lg->partial[lg->npartial++] = chunk[i];
				continue;
			}
			lg->partial[lg->npartial] = '\0';
			campaign_parse_libfuzzer_line(lg->partial, p);
			lg->npartial = 0;
		}
	}
	fclose(f);
}

/* AFL++'s numbers for one instance. */
struct afl_numbers {
	double when; /* wall clock of the numbers */
	unsigned long long execs;
	double eps;
	double bitmap; /* percent */
	int have;
};

/* fuzzer_stats: "key   : value" lines. */
static void
afl_read_fuzzer_stats(const char *dir, struct afl_numbers *a)
{
	char *path = cf_fmt("%s/fuzzer_stats", dir), line[256];
	int have_update = 0;
	FILE *f = fopen(path, "r");

	free(path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');
		size_t klen;

		if (colon == NULL)
			continue;
		klen = strcspn(line, " :");
		if (klen == 11 && strncmp(line, "last_update", 11) == 0) {
			a->when = strtod(colon + 1, NULL);
			have_update = 1;
		} else if (klen == 10 && strncmp(line, "execs_done", 10) == 0)
			a->execs = strtoull(colon + 1, NULL, 10);
		else if (klen == 13 && strncmp(line, "execs_per_sec", 13) == 0)
			a->eps = strtod(colon + 1, NULL);
		else if (klen == 10 && strncmp(line, "bitmap_cvg", 10) == 0)
			a->bitmap = strtod(colon + 1, NULL);
	}
	fclose(f);
	a->have = have_update;
}

/* The index of column name in plot_data's header line, or -1. */
static int
afl_plot_column(const char *header, const char *name)
{
	const char *p = header;
	size_t len = strlen(name);

	for (int col = 0; *p != '\0'; col++) {
		while (*p == '#' || *p == ' ' || *p == ',')
			p++;
		if (strncmp(p, name, len) == 0 &&
		    (p[len] == ',' || p[len] == '\n' || p[len] == '\0' ||
			p[len] == ' '))
			return col;
		p += strcspn(p, ",");
	}
	return -1;
}

/* Column col of a plot_data line, as a number (0 if absent). */
static double
afl_plot_value(const char *line, int col)
{
	const char *p = line;

	if (col < 0)
		return 0;
	for (int i = 0; i < col && *p != '\0'; i++) {
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return strtod(p, NULL);
}

/* The last line of plot_data, if fresher than *a (start: the instance's
 * start time from fuzzer_stats, which relative_time counts from). */
static void
afl_read_plot(const char *dir, double start, struct afl_numbers *a)
{
	char *path = cf_fmt("%s/plot_data", dir), header[512], line[512];
	char last[512] = "";
	double when;
	FILE *f = fopen(path, "r");

	free(path);
	if (f == NULL)
		return;
	header[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#')
			snprintf(header, sizeof(header), "%s", line);
		else if (isdigit((unsigned char)line[0]))
			snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	if (last[0] == '\0' || header[0] == '\0' || start <= 0)
		return;
	when = start +
	    afl_plot_value(last, afl_plot_column(header, "relative_time"));
	if (a->have && when <= a->when)
		return;
	a->when = when;
	a->execs = (unsigned long long)afl_plot_value(last,
	    afl_plot_column(header, "total_execs"));
	a->eps = afl_plot_value(last, afl_plot_column(header, "execs_per_sec"));
	a->bitmap = afl_plot_value(last, afl_plot_column(header, "map_size"));
	a->have = 1;
}

/* fuzzer_stats' start_time, or 0. */
static double
afl_start_time(const char *dir)
{
	char *path = cf_fmt("%s/fuzzer_stats", dir), line[256];
	double start = 0;
	FILE *f = fopen(path, "r");

	free(path);
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "start_time", 10) == 0 &&
		    strchr(line, ':') != NULL)
			start = strtod(strchr(line, ':') + 1, NULL);
	fclose(f);
	return start;
}

static int
afl_is_queue_entry(const char *name)
{
	return strncmp(name, "id:", 3) == 0;
}

int
campaign_read_afl_stats(const char *instance_dir, int is_main, double now,
    struct campaign_progress *p)
{
	struct afl_numbers a;
	double age, cov;

	if (is_main) {
		/* The queue on disk is always current. */
		char *queue = cf_fmt("%s/queue", instance_dir);
		struct cf_list l;

		if (cf_list_dir(queue, afl_is_queue_entry, &l) == 0 &&
		    cf_is_dir(queue)) {
			p->have_corpus = 1;
			p->corpus = l.n;
		}
		cf_list_free(&l);
		free(queue);
	}
	memset(&a, 0, sizeof(a));
	afl_read_fuzzer_stats(instance_dir, &a);
	afl_read_plot(instance_dir, afl_start_time(instance_dir), &a);
	if (!a.have)
		return 0;
	p->execs = (p->have_execs ? p->execs : 0) + a.execs;
	p->execs_per_s = (p->have_execs ? p->execs_per_s : 0) + a.eps;
	p->have_execs = 1;
	cov = p->have_cov ? strtod(p->cov + strlen("bitmap "), NULL) : 0;
	if (!p->have_cov || a.bitmap > cov)
		snprintf(p->cov, sizeof(p->cov), "bitmap %.2f%%", a.bitmap);
	p->have_cov = 1;
	age = now - a.when;
	if (age > p->stats_age)
		p->stats_age = age;
	return 1;
}

void
campaign_print_progress(double elapsed, const struct campaign_progress *p)
{
	char execs[32] = "-", eps[32] = "-", corpus[32] = "-";

	if (p->have_execs) {
		snprintf(execs, sizeof(execs), "%" PRIu64, p->execs);
		/* AFL++ writes "inf" before its first second of run time:
		 * no rate yet. */
		if (isfinite(p->execs_per_s))
			snprintf(eps, sizeof(eps), "%.0f", p->execs_per_s);
	}
	if (p->have_corpus)
		snprintf(corpus, sizeof(corpus), "%" PRIu64, p->corpus);
	printf("[%4.0fs] execs %s (%s/s) corpus %s %s crashes %u", elapsed,
	    execs, eps, corpus, p->have_cov ? p->cov : "cov -", p->crashes);
	if (p->stats_age > 10)
		printf(" (engine stats %.0fs old)", p->stats_age);
	printf("\n");
	fflush(stdout);
}

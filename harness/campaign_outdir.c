/*
 * campaign_outdir.c - a campaign's output directory (layout in
 * campaign.h): its paths, putting the previous campaign's results aside,
 * seeding OUT/corpus from the checked-in corpus (which is only ever read),
 * folding AFL++'s queues back into OUT/corpus, and emptying OUT/tmp.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "ops.h"

void
campaign_layout(struct campaign *c, const char *out)
{
	c->out = cf_fmt("%s", out);
	c->corpus = cf_fmt("%s/corpus", out);
	c->crashes = cf_fmt("%s/crashes", out);
	c->afl = cf_fmt("%s/afl", out);
	c->findings = cf_fmt("%s/findings", out);
	c->logs = cf_fmt("%s/logs", out);
	c->tmp = cf_fmt("%s/tmp", out);
}

void
campaign_free(struct campaign *c)
{
	free(c->target);
	free(c->mutator);
	free(c->out);
	free(c->corpus);
	free(c->crashes);
	free(c->afl);
	free(c->findings);
	free(c->logs);
	free(c->tmp);
}

/* What a campaign leaves that the next one moves to OUT/previous. */
static const char *const outdir_results[] = { "crashes", "afl", "findings",
	"logs" };

#define OUTDIR_NRESULTS (sizeof(outdir_results) / sizeof(outdir_results[0]))

/* Move the previous campaign's results to OUT/previous (replacing the one
 * before); the corpus stays. */
static int
outdir_rotate(const struct campaign *c)
{
	char *prev = cf_fmt("%s/previous", c->out);
	int rc = 0, any = 0;

	for (size_t i = 0; i < OUTDIR_NRESULTS; i++) {
		char *from = cf_fmt("%s/%s", c->out, outdir_results[i]);

		any |= cf_exists(from);
		free(from);
	}
	if (any && (cf_rmtree(prev) != 0 || cf_mkdirs(prev) != 0)) {
		fprintf(stderr, "pmapfuzz fuzz: %s: %s\n", prev,
		    strerror(errno));
		rc = -1;
	}
	for (size_t i = 0; any && rc == 0 && i < OUTDIR_NRESULTS; i++) {
		char *from = cf_fmt("%s/%s", c->out, outdir_results[i]);
		char *to = cf_fmt("%s/%s", prev, outdir_results[i]);

		if (cf_exists(from) && rename(from, to) != 0) {
			fprintf(stderr, "pmapfuzz fuzz: moving %s to %s: %s\n",
			    from, to, strerror(errno));
			rc = -1;
		}
		free(from);
		free(to);
	}
	if (any && rc == 0)
		printf("previous campaign's results moved to %s\n", prev);
	free(prev);
	return rc;
}

/* Copy the files of seed into the corpus (same names; a name already
 * there is left alone).  Returns the number copied, or -1. */
static int
outdir_seed(const struct campaign *c, const char *seed)
{
	struct cf_list l;
	int copied = 0;

	if (cf_list_dir(seed, NULL, &l) != 0) {
		fprintf(stderr, "pmapfuzz fuzz: --corpus %s: %s\n", seed,
		    strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < l.n && copied >= 0; i++) {
		char *from = cf_fmt("%s/%s", seed, l.names[i]);
		char *to = cf_fmt("%s/%s", c->corpus, l.names[i]);

		if (!cf_exists(to)) {
			if (cf_copy(from, to) != 0) {
				fprintf(stderr, "pmapfuzz fuzz: %s -> %s: %s\n",
				    from, to, strerror(errno));
				copied = -1;
			} else
				copied++;
		}
		free(from);
		free(to);
	}
	cf_list_free(&l);
	return copied;
}

int
campaign_prepare_out(struct campaign *c, const char *seed, int seed_given)
{
	const char *dirs[] = { c->out, c->corpus, c->crashes, c->logs, c->tmp };
	int copied = 0;

	if (cf_mkdirs(c->out) != 0) {
		fprintf(stderr, "pmapfuzz fuzz: --out %s: %s\n", c->out,
		    strerror(errno));
		return -1;
	}
	if (outdir_rotate(c) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (cf_mkdirs(dirs[i]) != 0) {
			fprintf(stderr, "pmapfuzz fuzz: %s: %s\n", dirs[i],
			    strerror(errno));
			return -1;
		}
	if (cf_is_dir(seed))
		copied = outdir_seed(c, seed);
	else if (seed_given) {
		fprintf(stderr, "pmapfuzz fuzz: --corpus %s: not a directory\n",
		    seed);
		return -1;
	} else
		printf("no seed corpus at %s\n", seed);
	if (copied < 0)
		return -1;
	if (copied > 0)
		printf("seeded %s with %d file%s from %s\n", c->corpus, copied,
		    copied == 1 ? "" : "s", seed);
	return 0;
}

int
campaign_seed_if_empty(const struct campaign *c)
{
	unsigned char buf[OP_HEADER_SIZE];
	struct op_program empty;
	struct cf_list l;
	char *path;
	size_t n;
	int rc;

	if (cf_list_dir(c->corpus, NULL, &l) != 0)
		return -1;
	n = l.n;
	cf_list_free(&l);
	if (n != 0)
		return 0;
	/* The empty program on one CPU with superpages enabled. */
	memset(&empty, 0, sizeof(empty));
	empty.cfg.ncpus = 1;
	empty.cfg.pg_ps_enabled = 1;
	n = op_encode(&empty, buf, sizeof(buf));
	path = cf_fmt("%s/seed-empty-program", c->corpus);
	rc = cf_write(path, buf, n);
	if (rc == 0)
		printf("%s was empty: added %s (AFL++ needs a seed)\n",
		    c->corpus, path);
	free(path);
	return rc;
}

static int
outdir_is_queue_entry(const char *name)
{
	return strncmp(name, "id:", 3) == 0;
}

char *
campaign_afl_instance(const struct campaign *c, unsigned j)
{
	return j == 0 ? cf_fmt("%s/main", c->afl) : cf_fmt("%s/s%u", c->afl, j);
}

/* Copy one queue's entries into the corpus under names made from their
 * contents (afl-<hash>), so that a copy already there is not repeated. */
static int
outdir_harvest_queue(const struct campaign *c, const char *queue)
{
	struct cf_list q;
	int added = 0;

	if (cf_list_dir(queue, outdir_is_queue_entry, &q) != 0)
		return 0;
	for (size_t i = 0; i < q.n; i++) {
		char *from = cf_fmt("%s/%s", queue, q.names[i]), *to;
		unsigned char *buf;
		size_t len;

		if (cf_read(from, 1u << 20, &buf, &len) == 0) {
			to = cf_fmt("%s/afl-%016llx", c->corpus,
			    (unsigned long long)cf_hash(buf, len));
			if (!cf_exists(to) && cf_write(to, buf, len) == 0)
				added++;
			free(to);
			free(buf);
		}
		free(from);
	}
	cf_list_free(&q);
	return added;
}

int
campaign_harvest_afl(const struct campaign *c)
{
	int added = 0;

	for (unsigned j = 0; j < c->jobs; j++) {
		char *inst = campaign_afl_instance(c, j);
		char *queue = cf_fmt("%s/queue", inst);

		added += outdir_harvest_queue(c, queue);
		free(queue);
		free(inst);
	}
	return added;
}

void
campaign_clean_tmp(const struct campaign *c)
{
	cf_rmtree(c->tmp);
}

/*
 * campaign_replay.c - the outcome of a program as the triage sees it: the
 * executor that `pmapfuzz replay` uses (exec_run with the campaign's bug
 * switches and checks), plus the fuzz target's self-check, in-process or
 * in forked children so that a program that crashes the core itself
 * cannot end the triage (see campaign.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "cli.h"
#include "trace.h"

int
campaign_options(const struct cli_args *a, const char *who, const char **bugs,
    const char **checks, struct exec_options *opt)
{
	static struct cli_input none; /* large; only its empty headers count */
	static char bugs_copy[TRACE_META_LEN], checks_copy[TRACE_META_LEN];
	const char *b = a->bugs, *c = a->checks;
	struct cli_args lists;

	/* The command line, else the environment (cli_exec_options names
	 * the source of a bad item). */
	memset(&lists, 0, sizeof(lists));
	lists.bugs = a->bugs;
	lists.checks = a->checks;
	memset(&none, 0, sizeof(none));
	none.path = who;
	if (cli_exec_options(&lists, &none, 1, 1, opt) != 0)
		return -1;
	if (b == NULL && (b = getenv("PMAPFUZZ_BUGS")) == NULL)
		b = "";
	if (c == NULL && (c = getenv("PMAPFUZZ_CHECKS")) == NULL)
		c = "";
	lists.bugs = b;
	lists.checks = c;
	/* The lists go into trace headers, which hold this much. */
	if (strlen(lists.bugs) >= TRACE_META_LEN ||
	    strlen(lists.checks) >= TRACE_META_LEN) {
		fprintf(stderr,
		    "%s: the bug or check list is longer than a "
		    "trace header holds (%d characters)\n",
		    who, TRACE_META_LEN - 1);
		return -1;
	}
	/* Copies: setenv may replace the strings that getenv gave. */
	snprintf(bugs_copy, sizeof(bugs_copy), "%s", lists.bugs);
	snprintf(checks_copy, sizeof(checks_copy), "%s", lists.checks);
	setenv("PMAPFUZZ_BUGS", bugs_copy, 1);
	setenv("PMAPFUZZ_CHECKS", checks_copy, 1);
	*bugs = bugs_copy;
	*checks = checks_copy;
	return 0;
}

int
campaign_outcome(struct exec *ex, const struct exec_options *opt,
    const struct op_program *p, int selfcheck, char *title, size_t n)
{
	struct exec_result res, again;

	memset(&res, 0, sizeof(res));
	exec_run(ex, p, opt, &res);
	if (res.finding) {
		snprintf(title, n, "%s", res.f.title);
		return 1;
	}
	if (selfcheck) {
		memset(&again, 0, sizeof(again));
		exec_run(ex, p, opt, &again);
		if (again.finding || again.hash != res.hash) {
			snprintf(title, n, "%s", CAMPAIGN_SELFCHECK_TITLE);
			return 1;
		}
	}
	if (n != 0)
		title[0] = '\0';
	return 0;
}

/* What one child replays: progs[from..n). */
struct replay_job {
	const struct exec_options *opt;
	const struct op_program *progs;
	size_t from, n;
};

/* One outcome, as a child sends it (well below PIPE_BUF). */
struct replay_rec {
	uint32_t idx;
	int32_t finding;
	char title[CAMPAIGN_TITLE_LEN];
};

static void
replay_child(void *arg, int fd)
{
	const struct replay_job *j = arg;
	struct exec *ex = exec_create();
	struct replay_rec rec;

	for (size_t i = j->from; i < j->n; i++) {
		memset(&rec, 0, sizeof(rec));
		rec.idx = (uint32_t)i;
		rec.finding = campaign_outcome(ex, j->opt, &j->progs[i], 1,
		    rec.title, sizeof(rec.title));
		if (proc_write_all(fd, &rec, sizeof(rec)) != 0)
			break;
	}
	exec_destroy(ex);
}

void
campaign_replay_isolated(const struct exec_options *opt,
    const struct op_program *progs, size_t n, struct campaign_replayed *out)
{
	size_t from = 0;

	while (from < n) {
		struct replay_job job = { opt, progs, from, n };
		unsigned char *buf;
		size_t len, nrec;
		char how[64];
		int rc;

		rc = proc_isolate(replay_child, &job, CAMPAIGN_INPUT_TIMEOUT,
		    &buf, &len, how, sizeof(how));
		nrec = len / sizeof(struct replay_rec);
		for (size_t k = 0; k < nrec; k++) {
			struct replay_rec rec;
			struct campaign_replayed *o;

			memcpy(&rec, buf + k * sizeof(rec), sizeof(rec));
			if (rec.idx >= n)
				continue;
			o = &out[rec.idx];
			o->verdict =
			    rec.finding ? CAMPAIGN_FINDING : CAMPAIGN_CLEAN;
			rec.title[sizeof(rec.title) - 1] = '\0';
			snprintf(o->title, sizeof(o->title), "%s", rec.title);
		}
		free(buf);
		/* The child answers in order: the first program without an
		 * answer is the one it died on. */
		from += nrec;
		if (rc != 0 && from < n) {
			out[from].verdict =
			    rc == PROC_HUNG ? CAMPAIGN_HUNG : CAMPAIGN_DIED;
			snprintf(out[from].title, sizeof(out[from].title),
			    "replay %s (%s)",
			    rc == PROC_HUNG ? "hung" : "crashed", how);
			from++;
		}
	}
}

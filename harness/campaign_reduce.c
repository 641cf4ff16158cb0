/*
 * campaign_reduce.c - title-preserving reduction of a program at the level
 * of ops, for readable reproducers (see campaign.h).  Byte-level
 * minimizers (the engines') know nothing of records and arguments; this
 * one deletes whole ops and lowers values within their ranges, and keeps a
 * change only when the program still gives the same finding title.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"

struct reduce {
	struct exec *ex;
	const struct exec_options *opt;
	const char *title;
	int selfcheck; /* the title is the self-check's */
	unsigned budget, runs;
	unsigned stop_after; /* signals caught before this one are old */
	int stopped;	     /* budget spent or a signal came */
};

/* Nonzero if cand gives the title; counts the run against the budget. */
static int
reduce_keeps(struct reduce *r, const struct op_program *cand)
{
	char t[CAMPAIGN_TITLE_LEN];

	if (r->stopped || r->runs >= r->budget ||
	    proc_stop_requests() > r->stop_after) {
		r->stopped = 1;
		return 0;
	}
	r->runs++;
	return campaign_outcome(r->ex, r->opt, cand, r->selfcheck, t,
		   sizeof(t)) &&
	    strcmp(t, r->title) == 0;
}

/* p without its ops [at, at + len). */
static void
reduce_cut(const struct op_program *p, unsigned at, unsigned len,
    struct op_program *out)
{
	out->cfg = p->cfg;
	out->nops = (uint8_t)(p->nops - len);
	memcpy(out->ops, p->ops, at * sizeof(p->ops[0]));
	memcpy(out->ops + at, p->ops + at + len,
	    (p->nops - at - len) * sizeof(p->ops[0]));
}

/* Delete runs of k ops for k = nops, nops/2, ..., 1.  Returns 1 if any
 * deletion was kept. */
static int
reduce_ops(struct reduce *r, struct op_program *p)
{
	struct op_program cand;
	int changed = 0;

	for (unsigned k = p->nops; k >= 1 && !r->stopped; k /= 2) {
		unsigned i = 0;

		while (i < p->nops && !r->stopped) {
			unsigned len = k < p->nops - i ? k : p->nops - i;

			reduce_cut(p, i, len, &cand);
			if (reduce_keeps(r, &cand)) {
				*p = cand;
				changed = 1;
			} else
				i += k;
		}
	}
	return changed;
}

/* The smallest CPU count and memory class that keep the title. */
static int
reduce_config(struct reduce *r, struct op_program *p)
{
	struct op_program cand;
	int changed = 0;

	for (uint8_t v = 1; v < p->cfg.ncpus; v++) {
		cand = *p;
		cand.cfg.ncpus = v;
		if (reduce_keeps(r, &cand)) {
			*p = cand;
			changed = 1;
			break;
		}
	}
	for (uint8_t v = 0; v < p->cfg.mem_class; v++) {
		cand = *p;
		cand.cfg.mem_class = v;
		if (reduce_keeps(r, &cand)) {
			*p = cand;
			changed = 1;
			break;
		}
	}
	return changed;
}

/*
 * Lower argument a of op i: the bottom of its range if that keeps the
 * title, else the smallest raw value a binary search finds below the
 * current one (the search assumes that smaller keeps the title up to some
 * point; when it does not, it still only ever takes a value that was
 * tried and kept it).
 */
static int
reduce_arg(struct reduce *r, struct op_program *p, unsigned i, unsigned a)
{
	unsigned raw = p->ops[i].arg[a], lo = 1, hi = raw;
	struct op_program cand;

	if (raw == 0)
		return 0;
	cand = *p;
	cand.ops[i].arg[a] = 0;
	if (reduce_keeps(r, &cand)) {
		*p = cand;
		return 1;
	}
	while (lo < hi && !r->stopped) {
		unsigned mid = lo + (hi - lo) / 2;

		cand = *p;
		cand.ops[i].arg[a] = (uint16_t)mid;
		if (reduce_keeps(r, &cand))
			hi = mid;
		else
			lo = mid + 1;
	}
	if (hi == raw)
		return 0;
	p->ops[i].arg[a] = (uint16_t)hi;
	return 1;
}

static int
reduce_args(struct reduce *r, struct op_program *p)
{
	int changed = 0;

	for (unsigned i = 0; i < p->nops && !r->stopped; i++) {
		const struct op_info *info = op_info(p->ops[i].code);

		for (unsigned a = 0; info != NULL && a < info->nargs; a++)
			changed |= reduce_arg(r, p, i, a);
	}
	return changed;
}

/* One round of every pass; returns 1 if any changed p. */
static int
reduce_round(struct reduce *r, struct op_program *p)
{
	int changed = 0;

	changed |= reduce_ops(r, p);
	changed |= reduce_config(r, p);
	changed |= reduce_args(r, p);
	return changed;
}

static void
reduce_init(struct reduce *r, struct exec *ex, const struct exec_options *opt,
    const char *title, unsigned budget, unsigned stop_after)
{
	memset(r, 0, sizeof(*r));
	r->ex = ex;
	r->opt = opt;
	r->title = title;
	r->selfcheck = strcmp(title, CAMPAIGN_SELFCHECK_TITLE) == 0;
	r->budget = budget;
	r->stop_after = stop_after;
}

void
campaign_reduce(struct exec *ex, const struct exec_options *opt,
    const char *title, struct op_program *p, unsigned budget,
    unsigned stop_after, struct campaign_reduce_stats *st)
{
	struct reduce r;
	int changed;

	reduce_init(&r, ex, opt, title, budget, stop_after);
	st->ops_before = p->nops;
	do
		changed = reduce_round(&r, p);
	while (changed && !r.stopped);
	st->runs = r.runs;
	st->ops_after = p->nops;
	st->complete = !r.stopped && !changed;
}

/* --- in a forked child -------------------------------------------------- */

struct reduce_job {
	const struct exec_options *opt;
	const char *title;
	struct op_program prog;
	unsigned budget, stop_after;
};

/* What the child sends: the program after a round and the counts. */
struct reduce_msg {
	struct op_program prog;
	struct campaign_reduce_stats st;
};

/*
 * The child sends the program after every round, so that a crash of the
 * core on some candidate loses only the round it happened in.
 */
static void
reduce_child(void *arg, int fd)
{
	struct reduce_job *j = arg;
	struct exec *ex = exec_create();
	struct reduce_msg msg;
	struct reduce r;

	reduce_init(&r, ex, j->opt, j->title, j->budget, j->stop_after);
	memset(&msg, 0, sizeof(msg));
	msg.prog = j->prog;
	msg.st.ops_before = j->prog.nops;
	for (;;) {
		int changed = reduce_round(&r, &msg.prog);

		msg.st.runs = r.runs;
		msg.st.ops_after = msg.prog.nops;
		msg.st.complete = !r.stopped && !changed;
		if (proc_write_all(fd, &msg, sizeof(msg)) != 0 || !changed ||
		    r.stopped)
			break;
	}
	exec_destroy(ex);
}

int
campaign_reduce_isolated(const struct exec_options *opt, const char *title,
    struct op_program *p, unsigned budget, unsigned stop_after,
    struct campaign_reduce_stats *st)
{
	struct reduce_job job;
	struct reduce_msg msg;
	unsigned char *buf;
	size_t len;
	char how[64];
	int rc;

	job.opt = opt;
	job.title = title;
	job.prog = *p;
	job.budget = budget;
	job.stop_after = stop_after;
	rc = proc_isolate(reduce_child, &job, CAMPAIGN_ROUND_TIMEOUT, &buf,
	    &len, how, sizeof(how));
	memset(st, 0, sizeof(*st));
	st->ops_before = st->ops_after = p->nops;
	if (len >= sizeof(msg)) {
		/* The last whole message is the best program. */
		memcpy(&msg, buf + (len / sizeof(msg) - 1) * sizeof(msg),
		    sizeof(msg));
		*p = msg.prog;
		*st = msg.st;
	}
	free(buf);
	if (rc != 0)
		st->complete = 0;
	st->hung = rc == PROC_HUNG;
	return rc == 0 || len >= sizeof(msg) ? 0 : -1;
}

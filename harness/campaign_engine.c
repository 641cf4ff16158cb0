/*
 * campaign_engine.c - running the engines of a campaign for its time
 * budget (see campaign.h).
 *
 * libFuzzer: one job runs the target plainly and stops at its first crash.
 * More jobs use -fork=N -ignore_crashes=1: a parent process keeps N
 * fuzzing children busy, merges what they find into OUT/corpus, and
 * starts a new child when one crashes, so a campaign goes on collecting
 * crashes (and distinct findings) for its whole budget.  -jobs=N with
 * -workers=N would instead end each worker at its first crash and the
 * whole run after N of them, and each worker would only see the corpus as
 * it was when it started.
 *
 * AFL++: a main instance (-M main) and jobs-1 secondaries (-S s1, ...) on
 * one sync directory, OUT/afl, each stopping after -V seconds.
 *
 * Either way the engines run in process groups of their own; a SIGINT or
 * SIGTERM to pmapfuzz is forwarded to them as the signal that stops each
 * engine cleanly (SIGTERM for libFuzzer, SIGINT for AFL++; SIGTERM and
 * SIGKILL follow if they linger, and a second signal kills them at once),
 * and a watchdog stops them the same way if they overrun the budget by
 * more than its grace.  Stopped or not, what they wrote stays on disk
 * for the triage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "campaign.h"
#include "ops.h"

/* More processes than this is a usage error (cmd_fuzz.c checks). */
#define ENGINE_MAX_PROCS 64
/* Seconds between progress lines. */
#define ENGINE_PROGRESS_EVERY 5.0
/* After SIGINT, SIGTERM follows after this long, then SIGKILL. */
#define ENGINE_INT_GRACE 10.0
#define ENGINE_TERM_GRACE 5.0

struct engine_proc {
	pid_t pid; /* also its process group; 0 once reaped */
	int status;
	char *name; /* "libfuzzer", "main", "s1", ... */
	char *log;
};

struct engine_run {
	struct campaign *c;
	struct engine_proc procs[ENGINE_MAX_PROCS];
	unsigned nprocs;
	struct campaign_log lflog; /* libFuzzer's output */
	double t0;		   /* proc_now() at the start */
};

/* Print argv as the command that runs (for the log and the user). */
static void
engine_print_argv(FILE *f, char *const *argv)
{
	for (int i = 0; argv[i] != NULL; i++)
		fprintf(f, "%s%s", i != 0 ? " " : "", argv[i]);
	fprintf(f, "\n");
}

/* Start one process; its log starts with its command line. */
static int
engine_spawn(struct engine_run *r, const char *name, char *const *argv)
{
	struct engine_proc *p = &r->procs[r->nprocs];
	struct proc_spec s = { argv, NULL, NULL };
	FILE *f;

	p->name = cf_fmt("%s", name);
	p->log = cf_fmt("%s/%s.log", r->c->logs, name);
	if ((f = fopen(p->log, "w")) != NULL) {
		engine_print_argv(f, argv);
		fclose(f);
	}
	s.log = p->log;
	if (r->nprocs == 0) {
		printf("running: ");
		engine_print_argv(stdout, argv);
	}
	p->pid = proc_spawn(&s);
	if (p->pid < 0) {
		p->pid = 0;
		return -1;
	}
	r->nprocs++;
	return 0;
}

static int
engine_start_libfuzzer(struct engine_run *r)
{
	struct campaign *c = r->c;
	char *a[16], *own[8];
	int n = 0, nown = 0, rc;

	a[n++] = c->target;
	a[n++] = own[nown++] = cf_fmt("-max_total_time=%u", c->seconds);
	a[n++] = own[nown++] = cf_fmt("-artifact_prefix=%s/", c->crashes);
	/* Bytes past the largest program are never decoded. */
	a[n++] = own[nown++] = cf_fmt("-max_len=%u", (unsigned)OP_ENCODED_MAX);
	a[n++] = own[nown++] = cf_fmt("-timeout=%d", CAMPAIGN_INPUT_TIMEOUT);
	if (c->jobs > 1) {
		a[n++] = own[nown++] = cf_fmt("-fork=%u", c->jobs);
		a[n++] = own[nown++] = cf_fmt("-ignore_crashes=1");
	}
	a[n++] = own[nown++] = cf_fmt("-print_final_stats=1");
	a[n++] = c->corpus;
	a[n] = NULL;
	rc = engine_spawn(r, "libfuzzer", a);
	r->lflog.path = r->procs[0].log;
	for (int i = 0; i < nown; i++)
		free(own[i]);
	return rc;
}

static int
engine_start_afl(struct engine_run *r)
{
	struct campaign *c = r->c;
	char *afl = campaign_find_tool("afl-fuzz");
	char *secs = cf_fmt("%u", c->seconds);
	int rc = 0;

	if (afl == NULL) {
		free(secs);
		return campaign_check_tools(CAMPAIGN_AFL);
	}
	/* Progress comes from the stats files, not from a screen. */
	setenv("AFL_NO_UI", "1", 1);
	/* Unattended campaigns: no CPU governor or core_pattern checks
	 * unless the caller set these already. */
	setenv("AFL_SKIP_CPUFREQ", "1", 0);
	setenv("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1", 0);
	if (c->jobs > (unsigned)sysconf(_SC_NPROCESSORS_ONLN))
		setenv("AFL_NO_AFFINITY", "1", 0);
	if (c->mutator != NULL)
		setenv("AFL_CUSTOM_MUTATOR_LIBRARY", c->mutator, 1);
	for (unsigned j = 0; j < c->jobs && rc == 0; j++) {
		char *name = j == 0 ? cf_fmt("main") : cf_fmt("s%u", j);
		char *a[] = { afl, "-i", c->corpus, "-o", c->afl,
			j == 0 ? "-M" : "-S", name, "-V", secs, "--", c->target,
			NULL };
		char *log = cf_fmt("afl-%s", name);

		rc = engine_spawn(r, log, a);
		free(log);
		free(name);
	}
	free(secs);
	free(afl);
	return rc;
}

static int
engine_is_crash_entry(const char *name)
{
	return strncmp(name, "id:", 3) == 0;
}

/* Count the files in dir that keep accepts (NULL: all). */
static unsigned
engine_count(const char *dir, int (*keep)(const char *))
{
	struct cf_list l;
	unsigned n;

	if (cf_list_dir(dir, keep, &l) != 0)
		return 0;
	n = (unsigned)l.n;
	cf_list_free(&l);
	return n;
}

/* What the engines have said so far. */
static void
engine_progress(struct engine_run *r, struct campaign_progress *p)
{
	struct campaign *c = r->c;

	if (c->engine == CAMPAIGN_LIBFUZZER) {
		/* The log is read incrementally: p carries over. */
		campaign_scan_libfuzzer_log(&r->lflog, p);
		p->crashes = engine_count(c->crashes, NULL);
		return;
	}
	memset(p, 0, sizeof(*p));
	p->stats_age = -1;
	for (unsigned j = 0; j < c->jobs; j++) {
		char *inst = campaign_afl_instance(c, j);
		char *crashes = cf_fmt("%s/crashes", inst);

		campaign_read_afl_stats(inst, j == 0, proc_wall(), p);
		p->crashes += engine_count(crashes, engine_is_crash_entry);
		free(crashes);
		free(inst);
	}
}

static void
engine_signal_all(struct engine_run *r, int sig)
{
	for (unsigned i = 0; i < r->nprocs; i++)
		if (r->procs[i].pid != 0)
			proc_signal_group(r->procs[i].pid, sig);
}

/* Reap what has ended; returns how many are still running. */
static unsigned
engine_reap(struct engine_run *r)
{
	unsigned alive = 0;

	for (unsigned i = 0; i < r->nprocs; i++) {
		struct engine_proc *p = &r->procs[i];
		pid_t w;

		if (p->pid == 0)
			continue;
		w = waitpid(p->pid, &p->status, WNOHANG);
		if (w == p->pid || (w < 0 && errno == ECHILD)) {
			/* Its group may hold children it left behind. */
			proc_signal_group(p->pid, SIGKILL);
			p->pid = 0;
		} else
			alive++;
	}
	return alive;
}

/* What an engine's exit status says (libFuzzer's defaults), or "". */
static const char *
engine_exit_meaning(enum campaign_engine e, int code)
{
	static const struct {
		enum campaign_engine engine;
		int code;
		const char *meaning;
	} meanings[] = {
		{ CAMPAIGN_LIBFUZZER, 77, " (crashes found)" },
		{ CAMPAIGN_LIBFUZZER, 72, " (interrupted)" },
		{ CAMPAIGN_LIBFUZZER, 70, " (an input timed out)" },
	};

	for (size_t i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (meanings[i].engine == e && meanings[i].code == code)
			return meanings[i].meaning;
	return "";
}

/* How each engine process ended, one line each; the last lines of the log
 * of one that failed without fuzzing. */
static int
engine_report_ends(struct engine_run *r, const struct campaign_progress *p)
{
	int failed = 0;

	for (unsigned i = 0; i < r->nprocs; i++) {
		struct engine_proc *e = &r->procs[i];
		int st = e->status;

		if (WIFSIGNALED(st))
			printf("%s: killed by signal %d\n", e->name,
			    WTERMSIG(st));
		else if (WEXITSTATUS(st) != 0)
			printf("%s: exit %d%s\n", e->name, WEXITSTATUS(st),
			    engine_exit_meaning(r->c->engine, WEXITSTATUS(st)));
		if (!p->have_execs && p->crashes == 0 &&
		    (WIFSIGNALED(st) || WEXITSTATUS(st) != 0) &&
		    proc_stop_requests() == 0) {
			fprintf(stderr,
			    "pmapfuzz fuzz: %s ended without reporting any "
			    "progress; see %s\n",
			    e->name, e->log);
			failed = 1;
		}
	}
	return failed ? -1 : 0;
}

int
campaign_run_engines(struct campaign *c)
{
	struct engine_run r;
	struct campaign_progress p;
	/* The engines stop themselves; the watchdog allows this much more. */
	double grace = 15 + c->seconds / 10.0, next = ENGINE_PROGRESS_EVERY;
	double level_at = 0;
	unsigned stops0 = proc_stop_requests();
	int level = 0, rc; /* 0 running, 1 SIGINT sent, 2 SIGTERM, 3 KILL */

	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	p.stats_age = -1;
	r.c = c;
	c->start = proc_wall();
	r.t0 = proc_now();
	/* libFuzzer's crashes are titled by the triage's replays.  (AFL++
	 * sets the sanitizers' options itself: symbolize=0 with ASan.) */
	proc_quiet_stacks(c->engine == CAMPAIGN_LIBFUZZER);
	rc = c->engine == CAMPAIGN_LIBFUZZER ? engine_start_libfuzzer(&r) :
					       engine_start_afl(&r);
	proc_quiet_stacks(0);
	if (rc != 0)
		engine_signal_all(&r, SIGKILL);
	while (engine_reap(&r) != 0) {
		double now = proc_now() - r.t0;
		unsigned stops = proc_stop_requests() - stops0;

		if (stops >= 2 && level < 3) {
			printf("second signal: killing the engines\n");
			engine_signal_all(&r, SIGKILL);
			level = 3;
		} else if (level == 0 &&
		    (stops >= 1 || now > c->seconds + grace)) {
			int sig = campaign_engine_info(c->engine)->stop_signal;

			if (stops >= 1)
				printf("stopping: %s to the engines\n",
				    sig == SIGINT ? "SIGINT" : "SIGTERM");
			else
				printf("watchdog: the engines overran "
				       "--time %u by %.0fs; stopping them\n",
				    c->seconds, now - c->seconds);
			engine_signal_all(&r, sig);
			level = 1;
			level_at = now;
		} else if (level == 1 && now - level_at > ENGINE_INT_GRACE) {
			engine_signal_all(&r, SIGTERM);
			level = 2;
			level_at = now;
		} else if (level == 2 && now - level_at > ENGINE_TERM_GRACE) {
			engine_signal_all(&r, SIGKILL);
			level = 3;
		}
		if (now >= next) {
			engine_progress(&r, &p);
			campaign_print_progress(now, &p);
			next += ENGINE_PROGRESS_EVERY;
		}
		proc_sleep(0.2);
	}
	engine_progress(&r, &p);
	printf("engines done after %.0fs; last: ", proc_now() - r.t0);
	campaign_print_progress(proc_now() - r.t0, &p);
	if (rc == 0)
		rc = engine_report_ends(&r, &p);
	if (c->engine == CAMPAIGN_AFL) {
		int added = campaign_harvest_afl(c);

		if (added > 0)
			printf("added %d AFL++ queue entr%s to %s\n", added,
			    added == 1 ? "y" : "ies", c->corpus);
	}
	for (unsigned i = 0; i < ENGINE_MAX_PROCS; i++) {
		free(r.procs[i].name);
		free(r.procs[i].log);
	}
	return rc;
}

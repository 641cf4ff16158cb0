/*
 * campaign_minimize.c - the engines' own crash minimizers, run on the
 * first crash file of each finding (see campaign.h): libFuzzer's
 * -minimize_crash=1 (which re-runs the target, keeping smaller inputs that
 * still crash) and AFL++'s afl-tmin.  Neither knows the finding's title: a
 * smaller input that crashes with another title would do for them.  So the
 * target runs with PMAPFUZZ_ONLY_TITLE set to the finding's title (fuzz_pmap
 * then crashes on that title alone), and the triage still accepts their
 * output only if it replays to the same title.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "campaign.h"
#include "ops.h"

/* Fill argv for engine m->engine; own[] collects what must be freed. */
static int
minimize_argv(const struct campaign_minimizer *m, const char *crash,
    const char *result, char **a, char **own, int *nown)
{
	int n = 0;

	if (m->engine == CAMPAIGN_LIBFUZZER) {
		a[n++] = (char *)m->target;
		a[n++] = own[(*nown)++] = cf_fmt("-minimize_crash=1");
		a[n++] = own[(*nown)++] =
		    cf_fmt("-max_total_time=%u", m->seconds);
		/* Each round ends at a smaller crash or after this many
		 * runs, the last one always after them all: 20000 gave the
		 * same results as 100000 on 16 findings in half the time. */
		a[n++] = own[(*nown)++] = cf_fmt("-runs=20000");
		/* A fixed seed: the same crash minimizes the same way. */
		a[n++] = own[(*nown)++] = cf_fmt("-seed=1");
		a[n++] = own[(*nown)++] =
		    cf_fmt("-exact_artifact_path=%s", result);
		a[n++] = (char *)crash;
	} else {
		char *tmin = campaign_find_tool("afl-tmin");

		if (tmin == NULL)
			return -1;
		a[n++] = own[(*nown)++] = tmin;
		a[n++] = "-i";
		a[n++] = (char *)crash;
		a[n++] = "-o";
		a[n++] = (char *)result;
		a[n++] = "--";
		a[n++] = (char *)m->target;
	}
	a[n] = NULL;
	return 0;
}

/*
 * proc_run with PMAPFUZZ_ONLY_TITLE=title (and for libFuzzer quiet stacks)
 * in the minimizer's environment (inherited from ours: set for the run, then
 * put back as it was), for the engine's own limit and a margin for its wrapping
 * up.
 */
static int
minimize_run(const struct campaign_minimizer *m, const struct proc_spec *s,
    const char *title, int *status)
{
	const char *was = getenv("PMAPFUZZ_ONLY_TITLE");
	char *saved = was != NULL ? cf_fmt("%s", was) : NULL;
	int r;

	setenv("PMAPFUZZ_ONLY_TITLE", title, 1);
	/* afl-tmin sets the sanitizers' options itself, and refuses ones
	 * without abort_on_error=1. */
	proc_quiet_stacks(m->engine == CAMPAIGN_LIBFUZZER);
	r = proc_run(s, m->seconds + 10.0, m->stop_after, status);
	proc_quiet_stacks(0);
	if (saved != NULL)
		setenv("PMAPFUZZ_ONLY_TITLE", saved, 1);
	else
		unsetenv("PMAPFUZZ_ONLY_TITLE");
	free(saved);
	return r;
}

int
campaign_engine_minimize(const struct campaign_minimizer *m, const char *crash,
    const char *title, const char *log_name, struct op_program *out)
{
	char *result, *log, *a[16], *own[8];
	struct proc_spec s;
	unsigned char *buf;
	size_t len;
	int nown = 0, status, rc = -1;

	if (m->target == NULL || proc_stop_requests() > m->stop_after)
		return -1;
	result = cf_fmt("%s/min-%s", m->tmp, log_name);
	log = cf_fmt("%s/minimize-%s.log", m->logs, log_name);
	unlink(result);
	if (minimize_argv(m, crash, result, a, own, &nown) == 0) {
		s.argv = a;
		s.log = log;
		s.dir = NULL;
		/* Whatever it wrote last is a whole input even if it was
		 * stopped; the caller checks its title anyway. */
		if (minimize_run(m, &s, title, &status) >= 0 &&
		    cf_read(result, OP_ENCODED_MAX, &buf, &len) == 0) {
			if (len != 0) {
				op_decode(buf, len, out);
				rc = 0;
			}
			free(buf);
		}
	}
	unlink(result);
	for (int i = 0; i < nown; i++)
		free(own[i]);
	free(result);
	free(log);
	return rc;
}

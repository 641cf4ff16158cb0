/*
 * campaign_proc.c - child processes of a campaign (see campaign.h): the
 * engines and their minimizers are started with fork/execv, never through
 * a shell, each in a process group of its own so that one signal reaches
 * the engine and everything it started; replays that might crash run in
 * forked copies of pmapfuzz.  SIGINT and SIGTERM are only counted here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "campaign.h"

/* Signals caught so far (SIGINT, SIGTERM). */
static volatile sig_atomic_t proc_stops;

static void
proc_on_signal(int sig)
{
	(void)sig;
	if (proc_stops < 1000)
		proc_stops++;
}

void
proc_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = proc_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal cuts sleeps and waits short. */
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

unsigned
proc_stop_requests(void)
{
	return (unsigned)proc_stops;
}

double
proc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
proc_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
proc_sleep(double seconds)
{
	struct timespec ts;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL); /* EINTR: a signal came; the caller looks */
}

/* The sanitizers' options that proc_quiet_stacks changes, and what they
 * were before (NULL: unset). */
#define PROC_SAN_N 2
static const char *const proc_san_name[PROC_SAN_N] = { "ASAN_OPTIONS",
	"UBSAN_OPTIONS" };
static char *proc_san_saved[PROC_SAN_N];
static int proc_san_quiet;

void
proc_quiet_stacks(int on)
{
	if (on == proc_san_quiet)
		return;
	proc_san_quiet = on;
	for (int i = 0; i < PROC_SAN_N; i++) {
		const char *name = proc_san_name[i], *was = getenv(name);
		char *value;

		if (!on) {
			if (proc_san_saved[i] != NULL)
				setenv(name, proc_san_saved[i], 1);
			else
				unsetenv(name);
			free(proc_san_saved[i]);
			proc_san_saved[i] = NULL;
			continue;
		}
		proc_san_saved[i] = was != NULL ? cf_fmt("%s", was) : NULL;
		if (was != NULL && strstr(was, "symbolize=") != NULL)
			continue; /* the user's choice stands */
		value = was != NULL && *was != '\0' ?
		    cf_fmt("%s:symbolize=0", was) :
		    cf_fmt("symbolize=0");
		setenv(name, value, 1);
		free(value);
	}
}

int
proc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* In the child: the process group, stdin, the log, the directory.  Returns
 * 0, or an errno value. */
static int
proc_child_setup(const struct proc_spec *s)
{
	int fd;

	setpgid(0, 0);
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0)
		return errno;
	close(fd);
	if (s->log != NULL) {
		fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0666);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			return errno;
		close(fd);
	}
	if (s->dir != NULL && chdir(s->dir) != 0)
		return errno;
	return 0;
}

pid_t
proc_spawn(const struct proc_spec *s)
{
	int errpipe[2], err = 0;
	ssize_t r;
	pid_t pid;

	/* The child reports a failed setup or exec through a pipe that
	 * closes by itself on a successful exec. */
	if (pipe(errpipe) != 0) {
		fprintf(stderr, "pmapfuzz: pipe: %s\n", strerror(errno));
		return -1;
	}
	fcntl(errpipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(errpipe[1], F_SETFD, FD_CLOEXEC);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "pmapfuzz: fork: %s\n", strerror(errno));
		close(errpipe[0]);
		close(errpipe[1]);
		return -1;
	}
	if (pid == 0) {
		close(errpipe[0]);
		err = proc_child_setup(s);
		if (err == 0) {
			execv(s->argv[0], s->argv);
			err = errno;
		}
		proc_write_all(errpipe[1], &err, sizeof(err));
		_exit(127);
	}
	setpgid(pid, pid); /* also here, so that it holds before we signal */
	close(errpipe[1]);
	do
		r = read(errpipe[0], &err, sizeof(err));
	while (r < 0 && errno == EINTR);
	close(errpipe[0]);
	if (r == (ssize_t)sizeof(err)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		fprintf(stderr, "pmapfuzz: cannot run %s: %s\n", s->argv[0],
		    strerror(err));
		return -1;
	}
	return pid;
}

void
proc_signal_group(pid_t pgid, int sig)
{
	if (pgid > 0)
		kill(-pgid, sig);
}

int
proc_run(const struct proc_spec *s, double timeout, unsigned stop_after,
    int *status)
{
	double t0 = proc_now(), term_at = 0;
	int stopped = 0;
	pid_t pid;

	*status = 0;
	if ((pid = proc_spawn(s)) < 0)
		return -1;
	for (;;) {
		double now = proc_now();
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (!stopped &&
		    ((timeout > 0 && now - t0 > timeout) ||
			proc_stop_requests() > stop_after)) {
			proc_signal_group(pid, SIGTERM);
			stopped = 1;
			term_at = now;
		} else if (stopped && now - term_at > 5)
			proc_signal_group(pid, SIGKILL);
		proc_sleep(0.05);
	}
	/* Whatever the leader left running in its group goes too. */
	proc_signal_group(pid, SIGKILL);
	return stopped;
}

int
proc_isolate(void (*fn)(void *arg, int fd), void *arg, double quiet,
    unsigned char **out, size_t *len, char *how, size_t howlen)
{
	size_t cap = 4096, n = 0;
	unsigned char *buf;
	int pfd[2], status = 0, hung = 0;
	double heard;
	pid_t pid;

	*out = NULL;
	*len = 0;
	if (pipe(pfd) != 0) {
		snprintf(how, howlen, "pipe: %s", strerror(errno));
		return PROC_DIED;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		snprintf(how, howlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return PROC_DIED;
	}
	if (pid == 0) {
		close(pfd[0]);
		fn(arg, pfd[1]);
		_exit(0);
	}
	close(pfd[1]);
	if ((buf = malloc(cap)) == NULL)
		abort();
	heard = proc_now();
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		double left = quiet - (proc_now() - heard);
		ssize_t r;

		if (left <= 0) {
			/* Silent too long: a hang, not a crash. */
			kill(pid, SIGKILL);
			hung = 1;
			break;
		}
		r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r == 0 || (r < 0 && errno == EINTR))
			continue;
		if (r < 0) {
			/* Cannot listen any more: end the child, or the wait
			 * below could wait for ever. */
			kill(pid, SIGKILL);
			break;
		}
		if (n == cap) {
			cap *= 2;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		r = read(pfd[0], buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		heard = proc_now();
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*out = buf;
	*len = n;
	if (hung) {
		snprintf(how, howlen, "no answer within %g s", quiet);
		return PROC_HUNG;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(how, howlen, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(how, howlen, "exit %d", WEXITSTATUS(status));
	return PROC_DIED;
}

/*
 * campaign.h - the pieces of a fuzzing campaign (`pmapfuzz fuzz`), of its
 * triage (`pmapfuzz triage`, also run at the end of every campaign) and of
 * `pmapfuzz promote`.  Each group of declarations belongs to one file:
 *
 *	campaign_fs.c	   files and directories (paths are malloc'd strings)
 *	campaign_proc.c	   child processes: spawning engines in their own
 *			   process groups, waiting with a deadline, the
 *			   SIGINT/SIGTERM flag, and running code in a forked
 *			   copy of this process ("isolated")
 *	campaign_target.c  the engines' table, finding the fuzz target and
 *			   the engine's tools, telling a target's engine
 *	campaign_stats.c   reading the engines' progress (libFuzzer's log,
 *			   AFL++'s stats files) and the progress line
 *	campaign_outdir.c  the output directory: layout, the previous
 *			   campaign's results, seeding and growing the corpus
 *	campaign_engine.c  running the engines for the time budget
 *	campaign_replay.c  the outcome of a program, in-process or isolated
 *	campaign_reduce.c  title-preserving op-level reduction
 *	campaign_minimize.c the engines' own minimizers (libFuzzer
 *			   -minimize_crash, afl-tmin)
 *	campaign_findings.c slugs and the findings folders
 *	campaign_triage.c  replay, group, minimize, write, summarize
 *
 * Layout of a campaign's output directory OUT:
 *	OUT/corpus/	the grown corpus (seeded from --corpus; kept across
 *			campaigns)
 *	OUT/crashes/	libFuzzer's crash artifacts (-artifact_prefix)
 *	OUT/afl/	AFL++'s sync directory: main/, s1/, ...
 *	OUT/findings/	one folder per distinct finding, and
 *			not-reproducible.txt
 *	OUT/logs/	the engines' output
 *	OUT/tmp/	the engines' TMPDIR and scratch files (emptied at the
 *end) OUT/previous/	crashes/, afl/, findings/ and logs/ of the campaign
 *			before (one generation is kept)
 */
#ifndef PMAPFUZZ_CAMPAIGN_H
#define PMAPFUZZ_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec.h"
#include "ops.h"

#if defined(__GNUC__)
#define CAMPAIGN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CAMPAIGN_PRINTF(f, a)
#endif

/* Longest finding title, with its NUL (struct inv_finding's title). */
#define CAMPAIGN_TITLE_LEN sizeof(((struct inv_finding *)0)->title)

/* --- campaign_fs.c ------------------------------------------------------ */

/* A malloc'd string printed from fmt; aborts when out of memory. */
char *cf_fmt(const char *fmt, ...) CAMPAIGN_PRINTF(1, 2);

/* mkdir -p.  Returns 0, or -1 with errno set. */
int cf_mkdirs(const char *path);

/* Nonzero if path is a directory (following links) / exists at all. */
int cf_is_dir(const char *path);
int cf_exists(const char *path);

/* Remove path and everything under it (links are not followed).  Returns 0
 * when path no longer exists, or -1 with errno set. */
int cf_rmtree(const char *path);

/* Read at most max bytes of path into a malloc'd *buf (NUL-terminated for
 * convenience, *len excludes the NUL).  Returns 0, or -1 with errno set. */
int cf_read(const char *path, size_t max, unsigned char **buf, size_t *len);

/* Write len bytes to path through a temporary file and rename(), so that
 * path is either the old file or the whole new one.  Returns 0 or -1. */
int cf_write(const char *path, const void *buf, size_t len);

/* Copy the regular file from to to (as cf_write).  Returns 0 or -1. */
int cf_copy(const char *from, const char *to);

/* The modification time of path in seconds since the epoch (with its
 * nanoseconds), or -1 if it cannot be read. */
double cf_mtime(const char *path);

/* The names of the regular files in a directory, sorted (strcmp). */
struct cf_list {
	char **names;
	size_t n;
};

/*
 * List dir's regular files (after following links) for which keep(name)
 * is nonzero; keep NULL keeps all but names starting with '.'.  Returns 0,
 * or -1 with errno set (a missing directory is an empty list, 0).
 */
int cf_list_dir(const char *dir, int (*keep)(const char *name),
    struct cf_list *l);
void cf_list_free(struct cf_list *l);

/* 64-bit FNV-1a of len bytes, for content-derived file names. */
uint64_t cf_hash(const void *buf, size_t len);

/* --- campaign_proc.c ---------------------------------------------------- */

/*
 * Catch SIGINT and SIGTERM: each one is counted (proc_stop_requests) and
 * interrupts sleeps; nothing else happens, the caller decides.  Engines run
 * in process groups of their own, so a terminal's Ctrl-C reaches only
 * pmapfuzz, which forwards it.
 */
void proc_catch_signals(void);
unsigned proc_stop_requests(void);

/* Monotonic and wall-clock time in seconds; a sleep that a caught signal
 * cuts short. */
double proc_now(void);
double proc_wall(void);
void proc_sleep(double seconds);

/*
 * From proc_quiet_stacks(1) until proc_quiet_stacks(0), children started
 * print their crash stacks unsymbolized: symbolize=0 appended to
 * ASAN_OPTIONS and UBSAN_OPTIONS, unless one names symbolize already (the
 * user's choice stands).  For libFuzzer and its minimizer, whose crashes
 * the triage replays and titles itself: a symbolizer run per crash took
 * 60% of a minimization, and 15% of a campaign's executions when bugs
 * crash often.  Not for AFL++, which sets these options itself and refuses
 * an ASAN_OPTIONS without abort_on_error=1.  Our own process keeps its
 * options once it is off.
 */
void proc_quiet_stacks(int on);

/* How to start a child. */
struct proc_spec {
	char *const *argv; /* argv[0] is the program's path (no PATH search) */
	const char *log;   /* stdout and stderr are appended here */
	const char *dir;   /* working directory, or NULL */
};

/*
 * Start s->argv[0] in a new process group (whose id is the pid), stdin
 * from /dev/null, no shell.  On Linux the child gets SIGTERM when
 * pmapfuzz dies.  Returns the pid, or -1 after printing why on stderr
 * (including an exec that failed in the child).
 */
pid_t proc_spawn(const struct proc_spec *s);

/* Send sig to the process group pgid; a group already gone is fine. */
void proc_signal_group(pid_t pgid, int sig);

/*
 * Run s to its end, at most timeout seconds (0: no limit), and stop it
 * early (SIGTERM to its group, SIGKILL 5 s later) when the count of caught
 * signals passes stop_after.  Returns 0 with *status (waitpid's) when it
 * ended by itself, 1 when it was stopped, -1 when it could not start.
 */
int proc_run(const struct proc_spec *s, double timeout, unsigned stop_after,
    int *status);

/*
 * The longest one program may run, in seconds, before it counts as hung:
 * libFuzzer's -timeout (its default is 1200) and the replays' limit.
 */
#define CAMPAIGN_INPUT_TIMEOUT 10
/* The longest one reduction round may run (it replays up to its whole
 * budget of programs, each well under a millisecond when sound). */
#define CAMPAIGN_ROUND_TIMEOUT 60

/* How proc_isolate's child ended, other than well (0). */
enum { PROC_DIED = -1, PROC_HUNG = -2 };

/*
 * Run fn(arg, fd) in a forked copy of this process and collect what it
 * writes to fd into a malloc'd *out (*len bytes).  A crash or a hang of fn
 * cannot reach the caller.  Returns 0 when the child exited with status 0;
 * PROC_HUNG when it wrote nothing for quiet seconds (it is then killed);
 * else PROC_DIED.  Either way *how describes the end ("killed by signal
 * 6", "exit 1", "no answer within 10 s") and *out holds what the child
 * wrote before.  stdout is flushed before the fork and the child leaves
 * with _exit().
 */
int proc_isolate(void (*fn)(void *arg, int fd), void *arg, double quiet,
    unsigned char **out, size_t *len, char *how, size_t howlen);

/* Write all len bytes to fd (retrying short writes).  Returns 0 or -1. */
int proc_write_all(int fd, const void *buf, size_t len);

/* --- campaign_target.c -------------------------------------------------- */

enum campaign_engine { CAMPAIGN_LIBFUZZER, CAMPAIGN_AFL, CAMPAIGN_NENGINES };

/* One engine: its names, the preset that builds its fuzz_pmap, and what to
 * tell a user who lacks it. */
struct campaign_engine_info {
	const char *name;	  /* "libfuzzer": the --engine value */
	const char *label;	  /* "libFuzzer": for messages */
	const char *preset;	  /* "fuzz": build/<preset>/bin/fuzz_pmap */
	const char *marker;	  /* a string only this engine's targets hold */
	const char *tool;	  /* a program needed in PATH, or NULL */
	const char *install;	  /* the package(s) that bring the engine */
	const char *runtime_glob; /* a file the engine's build needs, or
				     NULL */
	int stop_signal;	  /* what stops it cleanly, keeping its work */
};

const struct campaign_engine_info *campaign_engine_info(enum campaign_engine e);

/* The engine named name, or -1. */
int campaign_engine_lookup(const char *name);

/* The engine a binary was built for: CAMPAIGN_LIBFUZZER, CAMPAIGN_AFL, or
 * -1 if it is no fuzz target (or cannot be read). */
int campaign_target_kind(const char *path);

/*
 * Find the fuzz target of engine e: given (--target), then
 * $PMAPFUZZ_TARGET, then fuzz_pmap beside the running pmapfuzz, then
 * build/<preset>/bin/fuzz_pmap under the current directory.  An explicit
 * path must be a target of e; the others are skipped when they are not.
 * Returns 0 with a malloc'd *path, or -1 after explaining on stderr what
 * is missing and how to get it.
 */
int campaign_find_target(enum campaign_engine e, const char *given,
    char **path);

/* The full path of program name in $PATH (malloc'd), or NULL. */
char *campaign_find_tool(const char *name);

/* Check that engine e's tools are installed.  Returns 0, or -1 after
 * naming the package on stderr. */
int campaign_check_tools(enum campaign_engine e);

/* The AFL++ custom mutator library that goes with target
 * (<target's dir>/../lib/libpmapfuzz_mutator.so), malloc'd, or NULL when
 * it does not exist. */
char *campaign_mutator_lib(const char *target);

/* --- the campaign ------------------------------------------------------- */

struct campaign {
	enum campaign_engine engine;
	char *target;		 /* fuzz_pmap built for the engine */
	char *mutator;		 /* AFL++ custom mutator library, or NULL */
	unsigned seconds;	 /* --time */
	unsigned jobs;		 /* --jobs */
	const char *bugs;	 /* the bug list in force ("" for none) */
	const char *checks;	 /* the check list in force ("" for all) */
	struct exec_options opt; /* the same, parsed */
	double start;		 /* wall clock when the engines started */
	/* The layout of OUT (see the top of this file). */
	char *out, *corpus, *crashes, *afl, *findings, *logs, *tmp;
};

/* --- campaign_outdir.c -------------------------------------------------- */

/* Fill c's paths under out (malloc'd; campaign_free frees them and the
 * target and mutator paths). */
void campaign_layout(struct campaign *c, const char *out);
void campaign_free(struct campaign *c);

/*
 * Make OUT ready: move the previous campaign's crashes/, afl/, findings/
 * and logs/ to OUT/previous/, create corpus/, crashes/, logs/ and tmp/,
 * and copy the
 * files of the seed corpus that OUT/corpus lacks (by name; seed itself is
 * never written).  A missing seed directory is an error only if
 * seed_given.  Returns 0, or -1 after printing the reason on stderr.
 */
int campaign_prepare_out(struct campaign *c, const char *seed, int seed_given);

/* Put the canonical empty program in OUT/corpus if it holds no file (AFL++
 * refuses an empty input directory).  Returns 0 or -1. */
int campaign_seed_if_empty(const struct campaign *c);

/* The directory of AFL++ instance j (0: "main", else "s<j>"), malloc'd. */
char *campaign_afl_instance(const struct campaign *c, unsigned j);

/* Copy the AFL++ instances' queue entries into OUT/corpus (named
 * afl-<hash of the content>).  Returns the number added. */
int campaign_harvest_afl(const struct campaign *c);

/* Remove OUT/tmp. */
void campaign_clean_tmp(const struct campaign *c);

/* --- campaign_stats.c --------------------------------------------------- */

/* What the engines said about themselves; have_* is 0 for what they have
 * not said yet (printed as "-", never guessed). */
struct campaign_progress {
	int have_execs;
	uint64_t execs;
	double execs_per_s;
	int have_corpus;
	uint64_t corpus;
	int have_cov;
	char cov[48];	  /* "cov 617 ft 2245" or "bitmap 30.69%" */
	unsigned crashes; /* crash files on disk */
	double stats_age; /* AFL++: age of the freshest stats, else -1 */
};

/*
 * Parse one line of libFuzzer's output.  Status lines are
 *	#16384	pulse  cov: 617 ft: 2245 corp: 272/4827b ... exec/s: 1092 ...
 * and, from a -fork parent (whose rate is taken as runs over its time:
 * its exec/s is one job's),
 *	#25349: cov: 571 ft: 2130 corp: 214 exec/s 450 oom/timeout/crash:
 *	    0/0/3 time: 25s job: 8 dft_time: 0
 * Returns 1 and updates p for a status line, 0 for any other line.
 */
int campaign_parse_libfuzzer_line(const char *line,
    struct campaign_progress *p);

/* A log file read incrementally: each call parses the complete lines
 * written since the last one. */
struct campaign_log {
	const char *path;
	long offset;
	char partial[512];
	size_t npartial;
};

void campaign_scan_libfuzzer_log(struct campaign_log *lg,
    struct campaign_progress *p);

/*
 * Fold one AFL++ instance directory into p: the fresher of fuzzer_stats
 * (written every 60 s) and the last line of plot_data (every 5 s after
 * the first minute) gives execs, execs/s and bitmap coverage (the highest
 * of the instances); corpus is the main instance's corpus_count.  now is
 * the wall clock.  Returns 1 if the instance had stats.
 */
int campaign_read_afl_stats(const char *instance_dir, int is_main, double now,
    struct campaign_progress *p);

/* One progress line: "[  5s] execs 12345 (2469/s) corpus 120 cov 617 ft
 * 2245 crashes 0". */
void campaign_print_progress(double elapsed, const struct campaign_progress *p);

/* --- campaign_engine.c -------------------------------------------------- */

/*
 * Run the engines on c for c->seconds, with a progress line every 5 s,
 * forwarding SIGINT/SIGTERM to them and killing them if they overrun
 * (see the watchdog there); then fold AFL++'s queues into c->corpus.
 * Returns 0 when the engines ran (to the end or stopped), -1 when they
 * could not start.
 */
int campaign_run_engines(struct campaign *c);

/* --- campaign_replay.c -------------------------------------------------- */

/* The title of the target's self-check failure (fuzz/fuzz_pmap.c), without
 * the hashes that follow it there. */
#define CAMPAIGN_SELFCHECK_TITLE "nondeterminism in exec_run (self-check)"

/*
 * The outcome of p under opt: 1 with its title, or 0 when clean.  With
 * selfcheck, a clean run is repeated and a different state hash is the
 * finding CAMPAIGN_SELFCHECK_TITLE.
 */
int campaign_outcome(struct exec *ex, const struct exec_options *opt,
    const struct op_program *p, int selfcheck, char *title, size_t n);

struct cli_args;

/*
 * The bug switches and checks of a campaign or a triage: --bugs/--checks,
 * else PMAPFUZZ_BUGS/PMAPFUZZ_CHECKS, else none and all.  *bugs and
 * *checks get the lists ("" when none), *opt the parsed options, and the
 * environment is set to them so that every fuzz target started later
 * reads the same.  Returns 0, or -1 after naming the bad item on stderr
 * (who names the command).
 */
int campaign_options(const struct cli_args *a, const char *who,
    const char **bugs, const char **checks, struct exec_options *opt);

/* The outcome of one program replayed in a forked copy of pmapfuzz. */
enum campaign_verdict {
	CAMPAIGN_CLEAN,	  /* replays clean (twice, same hash) */
	CAMPAIGN_FINDING, /* title holds the finding */
	CAMPAIGN_DIED,	  /* the replay itself crashed: title says how */
	CAMPAIGN_HUNG	  /* the replay gave no answer in time: title says */
};

struct campaign_replayed {
	enum campaign_verdict verdict;
	char title[CAMPAIGN_TITLE_LEN];
};

/*
 * Replay progs[0..n) in forked children, a batch per child; a child that
 * dies marks its current program CAMPAIGN_DIED (CAMPAIGN_HUNG when it was
 * silent for CAMPAIGN_INPUT_TIMEOUT s) and a new child goes on
 * with the next.  Fills out[0..n).
 */
void campaign_replay_isolated(const struct exec_options *opt,
    const struct op_program *progs, size_t n, struct campaign_replayed *out);

/* --- campaign_reduce.c -------------------------------------------------- */

struct campaign_reduce_stats {
	unsigned runs;	     /* exec_runs spent */
	unsigned ops_before; /* ops of the input */
	unsigned ops_after;  /* ops of the result */
	int complete;	     /* 0: stopped by the budget or a signal */
	int hung; /* stopped because a round ran past CAMPAIGN_ROUND_TIMEOUT */
};

/*
 * Make *p smaller while its outcome keeps the title: delete runs of ops
 * (halves, quarters, ... single ops), lower the config (cpus, memory), and
 * lower every argument toward the bottom of its range, until nothing
 * changes or budget runs are spent; a caught signal (proc_stop_requests
 * past stop_after) also ends it.  Deterministic for a given input and
 * budget.  *p always keeps the title.
 */
void campaign_reduce(struct exec *ex, const struct exec_options *opt,
    const char *title, struct op_program *p, unsigned budget,
    unsigned stop_after, struct campaign_reduce_stats *st);

/* The same in a forked child.  Returns 0 with *p reduced, or -1 (and *p
 * unchanged) when the child died. */
int campaign_reduce_isolated(const struct exec_options *opt, const char *title,
    struct op_program *p, unsigned budget, unsigned stop_after,
    struct campaign_reduce_stats *st);

/* --- campaign_minimize.c ------------------------------------------------ */

/* What the engine minimizer needs. */
struct campaign_minimizer {
	enum campaign_engine engine;
	const char *target;  /* the fuzz target; NULL: no engine minimizer */
	const char *tmp;     /* scratch directory */
	const char *logs;    /* where its output goes */
	unsigned seconds;    /* its time limit */
	unsigned stop_after; /* skip or stop it once a signal passes this */
};

/*
 * Minimize the crash file, whose finding is titled title, with the engine's
 * own minimizer (libFuzzer -minimize_crash=1, afl-tmin), the target crashing
 * on that title alone (PMAPFUZZ_ONLY_TITLE).  Returns 0 with the minimized
 * bytes decoded into *out, or -1 (not run, failed, stopped or no output).
 * The caller checks that *out keeps the title.  log_name names the log file.
 */
int campaign_engine_minimize(const struct campaign_minimizer *m,
    const char *crash, const char *title, const char *log_name,
    struct op_program *out);

/* --- campaign_findings.c ------------------------------------------------ */

/* Longest slug, with its NUL. */
#define CAMPAIGN_SLUG_LEN 81

/*
 * The folder name of a title: lower case, runs of anything but [a-z0-9_]
 * become one '-', no '-' at either end, at most 80 characters (a longer
 * one is cut and ends in '-' and 8 hex digits of the title's hash), never
 * empty ("finding").  "wrong-address-space in pmap_enter (fork)" gives
 * "wrong-address-space-in-pmap_enter-fork".
 */
void campaign_slug(const char *title, char slug[CAMPAIGN_SLUG_LEN]);

/* Nonzero if name is a safe file name: [A-Za-z0-9._-], not starting with
 * '.' or '-', at most 80 characters. */
int campaign_name_ok(const char *name);

/* A distinct finding, as the triage writes it. */
struct campaign_finding {
	const char *title;
	const char *slug;
	const char *dir;	       /* OUT/findings/<slug> */
	const struct op_program *prog; /* the reduced reproducer */
	const char *name;	       /* "# name:" header */
	const char *bugs, *checks;     /* headers ("" for none) */
	const char *first_crash;       /* path of the first crash file */
	char *const *crashes;	       /* every crash file of the group */
	const double *hit_times;       /* their seconds to hit, or NULL */
	size_t ncrashes;
	const char *how; /* how it was minimized, one line */
	/* CAMPAIGN_DIED or CAMPAIGN_HUNG: not run, no expectation */
	enum campaign_verdict verdict;
};

/*
 * Write f's folder: input.bin (op_encode), input.trace (with its headers),
 * report.txt (exec_report of a fresh run), crashes.txt (the crash files
 * and their times), original.bin (a copy of the first crash file).
 * Returns 0, or -1 after printing the reason on stderr.
 */
int campaign_write_finding(struct exec *ex, const struct exec_options *opt,
    const struct campaign_finding *f);

/* --- campaign_triage.c -------------------------------------------------- */

struct campaign_triage {
	const struct exec_options *opt;
	const char *bugs, *checks;     /* for the trace headers */
	const char *findings;	       /* OUT/findings */
	const char *origin;	       /* for "# name:", e.g. "pmapfuzz fuzz" */
	double start;		       /* campaign start (wall), 0: unknown */
	struct campaign_minimizer min; /* target NULL: in-process only */
	unsigned reduce_budget;	       /* exec_runs per finding */
	unsigned reduce_stop_after;    /* a signal past this count stops the
					  reduction */
};

/*
 * Triage the crash files: replay each (isolated), group by title, minimize
 * the first of each group (engine, then in-process), write the findings
 * folders (the old OUT/findings is replaced) and print the summary table.
 * Binary crash files are decoded like fuzz inputs; with text, names ending
 * in ".trace" are read as traces.  Returns the number of distinct findings,
 * or -1 when the findings could not be written.
 */
int campaign_triage(const struct campaign_triage *t, char *const *files,
    size_t n, int text);

#endif /* PMAPFUZZ_CAMPAIGN_H */

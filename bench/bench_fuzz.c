/*
 * bench_fuzz.c - executions per second of the fuzz_pmap target's per-input
 * path (LLVMFuzzerTestOneInput from fuzz/fuzz_pmap.c, linked in as it is),
 * one core, no engine.  The workload is the seed corpus plus, with -m N, N
 * mutants of it made by the shared mutator with fixed seeds (closer to what
 * a campaign executes).  The inputs run round-robin for the time budget
 * (best of three rounds, since the machine may be shared); the number of
 * inputs, the executions and execs/s are printed.  Build it in the release
 * preset for the plain number and in the asan preset for ASan+UBSan:
 *
 *	build/bin/bench_fuzz [-v] [-t SECONDS] [-m MUTANTS] [DIR|FILE]...
 *	(default: -t 2 -m 0 fuzz/corpus/fuzz_pmap)
 *
 * -v also prints, per seed input (not per mutant), its own exec/s and its
 * share of the round's time: the inputs that decide the mean.
 *
 * -l LEVELS, a comma list of none, call and op, runs the same inputs with
 * checks after every pmap call and every operation (op, the default: what
 * the target does), after every pmap call only (call) or not at all (none:
 * the machine's log off too), the levels interleaved within each round,
 * and prints each level's exec/s and its time over the first level's:
 * what checking costs on fuzz inputs rather than on bench_check's
 * synthetic workload.
 *
 * Goals (issue 5): 20,000 exec/s plain, 3,000 with ASan+UBSan.  An input
 * with a finding aborts, as in the fuzzer: the corpus must be clean.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "fuzz_pmap.h"
#include "mutator.h"
#include "ops.h"

#define BENCH_INPUTS_MAX 65536
#define BENCH_ROUNDS 3

/* -l's names of the check levels. */
static const char *const level_name[] = {
	[EXEC_CHECK_NONE] = "none",
	[EXEC_CHECK_CALL] = "call",
	[EXEC_CHECK_OP] = "op",
};
#define BENCH_LEVELS (sizeof(level_name) / sizeof(level_name[0]))

struct input {
	const char *name; /* file name; NULL for a mutant */
	size_t size;
	uint8_t data[OP_ENCODED_MAX];
};

static struct input *inputs;
static unsigned ninputs;

static void
add_file(const char *path)
{
	FILE *f;
	struct input *in;

	if (ninputs >= BENCH_INPUTS_MAX)
		return;
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(2);
	}
	in = &inputs[ninputs++];
	if ((in->name = strdup(path)) == NULL)
		abort();
	in->size = fread(in->data, 1, sizeof(in->data), f);
	fclose(f);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files in name order (the workload is the same on
 * every run). */
static void
add_path(const char *path)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (stat(path, &sb) != 0) {
		perror(path);
		exit(2);
	}
	if (!S_ISDIR(sb.st_mode)) {
		add_file(path);
		return;
	}
	if ((d = opendir(path)) == NULL) {
		perror(path);
		exit(2);
	}
	while ((de = readdir(d)) != NULL) {
		char full[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((names = realloc(names, cap * sizeof(*names))) ==
			    NULL)
				abort();
		}
		if ((names[n++] = strdup(full)) == NULL)
			abort();
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		add_file(names[i]);
		free(names[i]);
	}
	free(names);
}

/* n mutants: mutant i mutates seed input i % nseeds with seed i. */
static void
add_mutants(unsigned n)
{
	unsigned nseeds = ninputs;

	for (unsigned i = 0; i < n && nseeds > 0 && ninputs < BENCH_INPUTS_MAX;
	     i++) {
		const struct input *src = &inputs[i % nseeds];
		const struct input *other = &inputs[(i * 7 + 3) % nseeds];
		struct input *in = &inputs[ninputs++];

		memcpy(in->data, src->data, src->size);
		in->size = mut_mutate(in->data, src->size, sizeof(in->data),
		    other->data, other->size, 0x6d757461ull + i, NULL);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -v: each seed input alone for budget / ninputs seconds (at least 50 ms),
 * best of three; its exec/s and its share of one pass over all of them. */
static void
print_per_input(double budget)
{
	double slice = budget / ninputs, total = 0;
	double *per = calloc(ninputs, sizeof(*per));

	if (per == NULL)
		abort();
	if (slice < 0.05)
		slice = 0.05;
	for (unsigned i = 0; i < ninputs; i++) {
		if (inputs[i].name == NULL)
			continue;
		for (int round = 0; round < BENCH_ROUNDS; round++) {
			double t0 = now(), t;
			unsigned long long execs = 0;

			do {
				LLVMFuzzerTestOneInput(inputs[i].data,
				    inputs[i].size);
				execs++;
				t = now() - t0;
			} while (t < slice / BENCH_ROUNDS);
			if (execs / t > per[i])
				per[i] = (double)execs / t;
		}
		total += 1 / per[i];
	}
	printf("%10s %6s  %s\n", "exec/s", "share", "input");
	for (unsigned i = 0; i < ninputs; i++)
		if (inputs[i].name != NULL)
			printf("%10.0f %5.1f%%  %s\n", per[i],
			    100 / per[i] / total, inputs[i].name);
	free(per);
}

/* -l's list into levels[]; the number of levels, 0 if the list is bad. */
static unsigned
parse_levels(const char *list, enum exec_checks *levels)
{
	unsigned n = 0;
	const char *p = list;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		unsigned l = 0;

		while (l < BENCH_LEVELS &&
		    (strlen(level_name[l]) != len ||
			strncmp(p, level_name[l], len) != 0))
			l++;
		if (l == BENCH_LEVELS || n == BENCH_LEVELS)
			return 0;
		levels[n++] = (enum exec_checks)l;
		p += len;
		if (*p == ',' && *++p == '\0')
			return 0;
	}
	return n;
}

/* One round's share of the budget at the current level: executions per
 * second over whole passes of the inputs. */
static double
run_round(double seconds)
{
	double t0 = now(), t;
	unsigned long long execs = 0;

	do {
		for (unsigned i = 0; i < ninputs; i++)
			LLVMFuzzerTestOneInput(inputs[i].data, inputs[i].size);
		execs += ninputs;
		t = now() - t0;
	} while (t < seconds);
	return (double)execs / t;
}

int
main(int argc, char **argv)
{
	double budget = 2, best[BENCH_LEVELS] = { 0 };
	enum exec_checks levels[BENCH_LEVELS] = { EXEC_CHECK_OP };
	unsigned mutants = 0, nops = 0, nlevels = 1;
	int opt, npaths = 0, verbose = 0;
	int fargc = 1;
	char *fargv0[] = { argv[0], NULL };
	char **fargv = fargv0;

	inputs = calloc(BENCH_INPUTS_MAX, sizeof(*inputs));
	if (inputs == NULL)
		abort();
	while ((opt = getopt(argc, argv, "vt:m:l:")) != -1) {
		if (opt == 't')
			budget = atof(optarg);
		else if (opt == 'l') {
			if ((nlevels = parse_levels(optarg, levels)) != 0)
				continue;
			fprintf(stderr,
			    "%s: -l takes a comma list of none, call and op, "
			    "not '%s'\n",
			    argv[0], optarg);
			return 2;
		} else if (opt == 'm')
			mutants = (unsigned)strtoul(optarg, NULL, 0);
		else if (opt == 'v')
			verbose = 1;
		else {
			fprintf(stderr,
			    "usage: %s [-v] [-t SECONDS] [-m MUTANTS] "
			    "[-l LEVELS] [DIR|FILE]...\n",
			    argv[0]);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++, npaths++)
		add_path(argv[i]);
	if (npaths == 0)
		add_path("fuzz/corpus/fuzz_pmap");
	if (ninputs == 0) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		return 2;
	}
	add_mutants(mutants);
	for (unsigned i = 0; i < ninputs; i++) {
		struct op_program p;

		op_decode(inputs[i].data, inputs[i].size, &p);
		nops += p.nops;
	}
	LLVMFuzzerInitialize(&fargc, &fargv);
	/* The levels interleaved within a round: a slow spell of a shared
	 * machine hits each alike. */
	for (int round = 0; round < BENCH_ROUNDS; round++)
		for (unsigned l = 0; l < nlevels; l++) {
			double r;

			fuzz_pmap_set_level(levels[l]);
			r = run_round(budget / BENCH_ROUNDS / nlevels);
			if (r > best[l])
				best[l] = r;
		}
	if (nlevels == 1)
		printf("inputs %u (%u mutants), mean ops/input %.1f, "
		       "exec/s %.0f (best of %d rounds of %.1f s)\n",
		    ninputs, mutants, (double)nops / ninputs, best[0],
		    BENCH_ROUNDS, budget / BENCH_ROUNDS);
	else {
		printf("inputs %u (%u mutants), mean ops/input %.1f, best of "
		       "%d rounds of %.1f s per level\n",
		    ninputs, mutants, (double)nops / ninputs, BENCH_ROUNDS,
		    budget / BENCH_ROUNDS / nlevels);
		printf("%-6s %10s %8s\n", "level", "exec/s", "ratio");
		for (unsigned l = 0; l < nlevels; l++)
			printf("%-6s %10.0f %7.2fx\n", level_name[levels[l]],
			    best[l], best[0] / best[l]);
	}
	fuzz_pmap_set_level(levels[0]);
	if (verbose)
		print_per_input(budget);
	return 0;
}

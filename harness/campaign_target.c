/*
 * campaign_target.c - the engines a campaign can run, finding the fuzz
 * target built for one, and telling which engine a binary was built for
 * (see campaign.h).
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "campaign.h"

#define TARGET_NAME "fuzz_pmap"

/* Every fuzz target defines the libFuzzer entry point (AFL++ runs it
 * through its libFuzzer driver). */
#define TARGET_ENTRY "LLVMFuzzerTestOneInput"

static const struct campaign_engine_info engines[CAMPAIGN_NENGINES] = {
	[CAMPAIGN_LIBFUZZER] = {
	    .name = "libfuzzer",
	    .label = "libFuzzer",
	    .preset = "fuzz",
	    /* One of libFuzzer's own flags, in every binary it links. */
	    .marker = "max_total_time",
	    .tool = NULL,
	    .install = "clang libclang-rt-14-dev",
	    .runtime_glob =
		"/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a",
	    /* A -fork parent runs its jobs through system(), which ignores
	     * SIGINT while a job runs; SIGTERM ends it like SIGINT. */
	    .stop_signal = SIGTERM,
	},
	[CAMPAIGN_AFL] = {
	    .name = "afl",
	    .label = "AFL++",
	    .preset = "afl",
	    /* afl-clang-fast's instrumentation (__afl_area_ptr, ...). */
	    .marker = "__afl_",
	    .tool = "afl-fuzz",
	    .install = "afl++",
	    .runtime_glob = NULL,
	    /* afl-fuzz writes its stats and stops (SIGTERM does the same). */
	    .stop_signal = SIGINT,
	},
};

/* The order in which markers are tried: AFL++'s first, since an AFL++
 * binary may hold libFuzzer strings too, never the reverse. */
static const enum campaign_engine kind_order[] = { CAMPAIGN_AFL,
	CAMPAIGN_LIBFUZZER };

const struct campaign_engine_info *
campaign_engine_info(enum campaign_engine e)
{
	return &engines[e];
}

int
campaign_engine_lookup(const char *name)
{
	for (int e = 0; e < CAMPAIGN_NENGINES; e++)
		if (strcmp(engines[e].name, name) == 0)
			return e;
	return -1;
}

/* Nonzero if needle occurs in the n bytes at hay. */
static int
target_has(const unsigned char *hay, size_t n, const char *needle)
{
	size_t len = strlen(needle);

	for (size_t i = 0; i + len <= n; i++) {
		const unsigned char *p = memchr(hay + i, needle[0], n - i);

		if (p == NULL)
			return 0;
		i = (size_t)(p - hay);
		if (i + len <= n && memcmp(p, needle, len) == 0)
			return 1;
	}
	return 0;
}

int
campaign_target_kind(const char *path)
{
	int found[CAMPAIGN_NENGINES] = { 0 }, entry;
	unsigned char *buf;
	size_t len;
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    access(path, X_OK) != 0)
		return -1;
	if (cf_read(path, (size_t)st.st_size, &buf, &len) != 0)
		return -1;
	entry = target_has(buf, len, TARGET_ENTRY);
	for (int e = 0; e < CAMPAIGN_NENGINES; e++)
		found[e] = target_has(buf, len, engines[e].marker);
	free(buf);
	if (!entry)
		return -1;
	for (size_t i = 0; i < sizeof(kind_order) / sizeof(kind_order[0]); i++)
		if (found[kind_order[i]])
			return (int)kind_order[i];
	return -1;
}

char *
campaign_find_tool(const char *name)
{
	const char *path = getenv("PATH"), *p;

	if (path == NULL || path[0] == '\0')
		path = "/usr/bin:/bin";
	for (p = path;; p++) {
		size_t len = strcspn(p, ":");
		/* An empty entry is the current directory. */
		char *full = len != 0 ? cf_fmt("%.*s/%s", (int)len, p, name) :
					cf_fmt("./%s", name);
		struct stat st;

		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0)
			return full;
		free(full);
		p += len;
		if (*p == '\0')
			break;
	}
	return NULL;
}

int
campaign_check_tools(enum campaign_engine e)
{
	const struct campaign_engine_info *ei = &engines[e];
	char *tool;

	if (ei->tool == NULL)
		return 0;
	if ((tool = campaign_find_tool(ei->tool)) != NULL) {
		free(tool);
		return 0;
	}
	fprintf(stderr,
	    "pmapfuzz fuzz: %s is not installed (%s is not in PATH): "
	    "apt-get install %s, then make build-%s\n",
	    ei->label, ei->tool, ei->install, ei->preset);
	return -1;
}

/* Nonzero if the engine's build runtime is installed (or not needed). */
static int
target_runtime_present(const struct campaign_engine_info *ei)
{
	glob_t g;
	int found;

	if (ei->runtime_glob == NULL)
		return 1;
	found = glob(ei->runtime_glob, 0, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return found;
}

/* Check a target named explicitly (by what: "--target", ...). */
static int
target_check_given(enum campaign_engine e, const char *path, const char *by)
{
	int kind;

	if (access(path, F_OK) != 0) {
		fprintf(stderr, "pmapfuzz fuzz: %s %s: %s\n", by, path,
		    strerror(errno));
		return -1;
	}
	kind = campaign_target_kind(path);
	if (kind == (int)e)
		return 0;
	if (kind < 0)
		fprintf(stderr,
		    "pmapfuzz fuzz: %s %s is not a fuzz target (no %s in it, "
		    "or not executable)\n",
		    by, path, TARGET_ENTRY);
	else
		fprintf(stderr,
		    "pmapfuzz fuzz: %s %s is a %s target, not a %s one: use "
		    "--engine %s, or build it with make build-%s\n",
		    by, path, engines[kind].label, engines[e].label,
		    engines[kind].name, engines[e].preset);
	return -1;
}

/* The directory holding the running program, malloc'd, or NULL. */
static char *
target_self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return cf_fmt("%s", buf[0] != '\0' ? buf : "/");
}

int
campaign_find_target(enum campaign_engine e, const char *given, char **path)
{
	const struct campaign_engine_info *ei = &engines[e];
	const char *env = getenv("PMAPFUZZ_TARGET");
	char *cand[2], *self;
	int ncand = 0;

	*path = NULL;
	if (given != NULL || (env != NULL && env[0] != '\0')) {
		const char *p = given != NULL ? given : env;

		if (target_check_given(e, p,
			given != NULL ? "--target" : "$PMAPFUZZ_TARGET") != 0)
			return -1;
		*path = cf_fmt("%s", p);
		return 0;
	}
	if ((self = target_self_dir()) != NULL) {
		cand[ncand++] = cf_fmt("%s/%s", self, TARGET_NAME);
		free(self);
	}
	cand[ncand++] = cf_fmt("build/%s/bin/%s", ei->preset, TARGET_NAME);
	for (int i = 0; i < ncand; i++)
		if (*path == NULL && campaign_target_kind(cand[i]) == (int)e)
			*path = cf_fmt("%s", cand[i]);
	if (*path == NULL) {
		fprintf(stderr,
		    "pmapfuzz fuzz: no %s build of %s found (looked for "
		    "--target, $PMAPFUZZ_TARGET",
		    ei->label, TARGET_NAME);
		for (int i = 0; i < ncand; i++)
			fprintf(stderr, ", %s", cand[i]);
		fprintf(stderr, "); build it with: make build-%s\n",
		    ei->preset);
		if (!target_runtime_present(ei))
			fprintf(stderr,
			    "pmapfuzz fuzz: the %s runtime is not "
			    "installed: apt-get install %s\n",
			    ei->label, ei->install);
	}
	for (int i = 0; i < ncand; i++)
		free(cand[i]);
	return *path != NULL ? 0 : -1;
}

char *
campaign_mutator_lib(const char *target)
{
	const char *slash = strrchr(target, '/');
	char *lib;

	if (slash == NULL)
		lib = cf_fmt("../lib/libpmapfuzz_mutator.so");
	else
		lib = cf_fmt("%.*s/../lib/libpmapfuzz_mutator.so",
		    (int)(slash - target), target);
	if (access(lib, R_OK) == 0)
		return lib;
	free(lib);
	return NULL;
}

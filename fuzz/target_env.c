/*
 * target_env.c - fuzz target configuration from the environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "target_env.h"

/* -1: unset (sample), 0 never, 1 always. */
static int selfcheck_mode = -1;
/* PMAPFUZZ_ONLY_TITLE, or NULL for every title. */
static const char *only_title;

void
target_env_options(struct exec_options *opt)
{
	struct cli_args a;
	static struct cli_input in; /* large; only its empty headers are read */
	const char *s;

	memset(&a, 0, sizeof(a));
	memset(&in, 0, sizeof(in));
	in.path = "fuzz target";
	if (cli_exec_options(&a, &in, 1, 1, opt) != 0)
		exit(2);
	s = getenv("PMAPFUZZ_SELFCHECK");
	if (s != NULL && *s != '\0') {
		if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0) {
			fprintf(stderr,
			    "fuzz target: PMAPFUZZ_SELFCHECK must be 0 or 1, "
			    "not '%s'\n",
			    s);
			exit(2);
		}
		selfcheck_mode = s[0] - '0';
	}
	s = getenv("PMAPFUZZ_ONLY_TITLE");
	only_title = s != NULL && *s != '\0' ? s : NULL;
}

int
target_env_reports(const char *title)
{
	return only_title == NULL || strcmp(title, only_title) == 0;
}

int
target_env_selfcheck(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	if (selfcheck_mode >= 0)
		return selfcheck_mode;
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	/* 1 in 64: the state hash walks every frame, which for a small
	 * input costs as much as running it.  FNV's low bits depend only on
	 * the inputs' low bits (records full of small numbers picked 40% of
	 * a grown corpus): decide on the top bits, which every bit reaches. */
	return (h >> 26) == 0;
}

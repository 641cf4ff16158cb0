/*
 * bugs.c - the bug catalogue: one row per historical bug or seed-report
 * workaround, derived from BUG_TABLE so names, numbers and documentation
 * cannot drift apart.
 */
#include "pmapfuzz/bugs.h"

#include <string.h>

const struct bug_info bug_table[BUG_COUNT] = {
#define BUG_ROW(id, num, name, kind, inv, mech, src)                           \
	[num] = { id, name, kind, inv, mech, src },
	BUG_TABLE(BUG_ROW)
#undef BUG_ROW
};

const struct bug_info *
bug_lookup(const char *name)
{
	for (unsigned i = 0; i < BUG_COUNT; i++)
		if (strcmp(bug_table[i].name, name) == 0)
			return &bug_table[i];
	return NULL;
}

/*
 * Parse a comma-separated list of switch names.  Empty items are ignored,
 * so "", "a," and ",a" are fine.  On an unknown name, *bad points at its
 * first character inside list and the mask is left untouched.
 */
int
bug_parse_list(const char *list, uint64_t *mask, const char **bad)
{
	uint64_t m = 0;
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		char name[64];

		if (len > 0) {
			const struct bug_info *b;

			if (len >= sizeof(name))
				goto unknown;
			memcpy(name, p, len);
			name[len] = '\0';
			b = bug_lookup(name);
			if (b == NULL)
				goto unknown;
			m |= 1ULL << b->id;
		}
		p = end != NULL ? end + 1 : NULL;
		continue;
	unknown:
		if (bad != NULL)
			*bad = p;
		return -1;
	}
	*mask = m;
	return 0;
}

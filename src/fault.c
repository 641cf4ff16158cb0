/*
 * fault.c - the table of fault sites, built from FI_SITE_TABLE, and the
 * dispatch from a site to the harness's hook.  Nothing here decides what a
 * fault does: that is the hook's business.
 */
#include "pmapfuzz/fault.h"

#include <stddef.h>

#include "pmapfuzz/machine.h"

const struct fi_site_info fi_site_table[] = {
#define FI_INFO(name, num, kind, doc) { #name, name, kind, doc },
	FI_SITE_TABLE(FI_INFO)
#undef FI_INFO
};

const unsigned fi_site_count = sizeof(fi_site_table) / sizeof(fi_site_table[0]);

/* The table entry of site, or NULL for a number that names no site. */
const struct fi_site_info *
fi_site_lookup(enum fi_site site)
{
	for (unsigned i = 0; i < fi_site_count; i++)
		if (fi_site_table[i].site == site)
			return &fi_site_table[i];
	return NULL;
}

#ifdef PMAPFUZZ_FAULTS
/* The hook's answer, or 0 (nothing injected) when no hook is installed. */
int
fi_site_hit(struct machine *mc, enum fi_site site, const struct pt_ref *ref)
{
	return mc->fi_hook != NULL ? mc->fi_hook(mc, site, ref) : 0;
}
#endif

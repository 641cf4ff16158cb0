/*
 * report.h - rendering of a checker finding as text for people and as
 * JSON for tools.  The executor prints the op trace itself; these print
 * the finding only.  Output is deterministic (no host addresses).
 */
#ifndef PMAPFUZZ_REPORT_H
#define PMAPFUZZ_REPORT_H

#include <stdio.h>

#include "pmapfuzz/invariants.h"

/*
 * The finding as text: title, where (op index, CPU, pmap, va, frame),
 * the entries involved with their bits named, expected vs found, the
 * detail, and when ctx is not NULL a picture of the page-table
 * neighbourhood of the va (ptdump_region) under the finding's root.
 */
void report_text(FILE *out, const struct inv_finding *f,
    const struct inv_ctx *ctx);
/* The finding as one JSON object followed by a newline; strings escaped
 * per RFC 8259. */
void report_json(FILE *out, const struct inv_finding *f);

#endif /* PMAPFUZZ_REPORT_H */

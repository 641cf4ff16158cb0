/*
 * fuzz_trace.c - fuzz the text-trace parser: any byte string must either
 * parse, or fail with one "file:line:col: expected ..." message; never
 * crash, never read out of bounds.  A trace that parses must print as text
 * that parses back to the same program (the round trip the regression
 * tests rely on); a mismatch aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[OP_MAX * 256 + 4096];
	struct op_program p, q;
	struct trace_meta meta, meta2;
	char err[256];
	size_t n;

	if (trace_parse_buf((const char *)data, size, "input", &p, &meta, err,
		sizeof(err)) != 0) {
		if (strncmp(err, "input:", 6) != 0) {
			fprintf(stderr,
			    "FINDING: parse error without location: %s\n", err);
			abort();
		}
		return 0;
	}
	n = trace_format(text, sizeof(text), &p, &meta);
	if (n >= sizeof(text)) {
		fprintf(stderr, "FINDING: canonical trace too long (%zu)\n", n);
		abort();
	}
	if (trace_parse(text, "canonical", &q, &meta2, err, sizeof(err)) != 0 ||
	    !op_program_equal(&p, &q)) {
		fprintf(stderr, "FINDING: trace round trip differs: %s\n%s",
		    err, text);
		abort();
	}
	return 0;
}

/*
 * trace.h - the text form of programs ("traces"): what people read, write
 * by hand and keep as regression tests.
 *
 *	# name: seed 000, kmem litter
 *	# expect: illegal-promotion in pmap_enter (kmem_alloc)
 *	# bugs: kmem-litter
 *	config cpus=1 ps=1 mem=4096
 *	kmem_alloc kregion=0 page=0 npages=512 mode=0
 *
 * One op per line with every argument as name=value (any order, each once,
 * decimal, in the argument's user-facing range); `#` starts a comment; at
 * most one config line, before the first op.  docs/trace-format.md has the
 * grammar and the error format.  The printer writes the canonical text:
 * header lines, the config line, then one op per line with the arguments in
 * table order.  Canonical text -> program -> text is exact, and so is
 * program -> text -> program.
 */
#ifndef PMAPFUZZ_TRACE_H
#define PMAPFUZZ_TRACE_H

#include <stddef.h>
#include <stdio.h>

#include "ops.h"

/* Longest header value kept, plus its NUL. */
#define TRACE_META_LEN 256
/* Longest line the printer writes for one op, plus its NUL. */
#define TRACE_OP_LEN 128

/*
 * Header comments: `# name: ...`, `# expect: <title>|clean`, `# bugs: a,b`,
 * `# checks: a,b`.  Values are kept verbatim minus surrounding blanks; an
 * empty string means the header is absent.  Their meaning belongs to the
 * callers (the CLI parses bugs with bug_parse_list).
 */
struct trace_meta {
	char name[TRACE_META_LEN];
	char expect[TRACE_META_LEN];
	char bugs[TRACE_META_LEN];
	char checks[TRACE_META_LEN];
};

/*
 * Parse the NUL-terminated text into *out and *meta (meta may be NULL: the
 * headers are then checked and dropped).  filename is only used in error
 * messages.  Returns 0, or -1 with a one-line message in err (truncated to
 * errlen) of the form
 *	file:line:col: expected <what>, got '<token>'
 * after which *out and *meta are unspecified.  Never exits, never allocates.
 */
int trace_parse(const char *text, const char *filename, struct op_program *out,
    struct trace_meta *meta, char *err, size_t errlen);

/* The same for len bytes at text, which need not be NUL-terminated; a NUL
 * byte inside is an error.  For fuzz targets. */
int trace_parse_buf(const char *text, size_t len, const char *filename,
    struct op_program *out, struct trace_meta *meta, char *err, size_t errlen);

/*
 * Read and parse the file at path.  Errors are reported as by trace_parse;
 * a file that cannot be read gives "path: <strerror>".
 */
int trace_parse_file(const char *path, struct op_program *out,
    struct trace_meta *meta, char *err, size_t errlen);

/* Write the canonical text of p (with meta's headers if meta is not NULL)
 * to f. */
void trace_print(FILE *f, const struct op_program *p,
    const struct trace_meta *meta);

/*
 * The same into buf, snprintf-style: returns the length of the whole text
 * and writes at most n bytes including a terminating NUL.
 */
size_t trace_format(char *buf, size_t n, const struct op_program *p,
    const struct trace_meta *meta);

/*
 * Format one op as its trace line (no newline), snprintf-style; the line
 * is always shorter than TRACE_OP_LEN.  For reports.
 */
int trace_format_op(char *buf, size_t n, const struct op *o);

#endif /* PMAPFUZZ_TRACE_H */

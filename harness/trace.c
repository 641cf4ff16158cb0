/*
 * trace.c - parse and print the text form of programs.
 *
 * The parser works line by line on a length-delimited buffer, without
 * allocating, and reports the first error as file:line:col.  Both the config
 * line and op lines go through one field parser driven by a small table of
 * field specs, which is how every "name=value" gets the same checks and the
 * same messages.  The printer writes through a sink that is either a FILE or
 * a buffer, so trace_print, trace_format and trace_format_op share it.
 */
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Longest token shown in an error message; longer ones end in "...". */
#define TRACE_TOKEN_SHOW 40
/* Values are parsed up to this and saturate there: it is out of every
 * range, so the range check reports the number as written. */
#define TRACE_VALUE_SAT 1000000u

/*
 * One name=value field of a line.  The user-facing value of raw r is
 * r + bias, or bias << r for a power-of-two field (mem).
 */
struct field {
	const char *name;
	unsigned range;
	unsigned bias;
	int pow2;
};

/* Where a parsed field's value was, for range errors and duplicates. */
struct field_val {
	const char *at; /* NULL: not seen */
	size_t len;
	unsigned value;
};

struct parser {
	const char *file;
	unsigned lineno;
	const char *line; /* start of the current line */
	char *err;
	size_t errlen;
	struct op_program *out;
	struct trace_meta *meta;
	int have_config;
};

static const struct field config_fields[] = {
	{ "cpus", OP_CPUS_MAX, 1, 0 },
	{ "ps", 2, 0, 0 },
	{ "mem", OP_MEM_CLASSES, OP_MEM_BASE, 1 },
};
#define CONFIG_NFIELDS (sizeof(config_fields) / sizeof(config_fields[0]))

/* Header comments, in the order the printer writes them. */
static const struct header {
	const char *key;
	size_t off; /* of the value's array in struct trace_meta */
} headers[] = {
	{ "name", offsetof(struct trace_meta, name) },
	{ "expect", offsetof(struct trace_meta, expect) },
	{ "bugs", offsetof(struct trace_meta, bugs) },
	{ "checks", offsetof(struct trace_meta, checks) },
};
#define NHEADERS (sizeof(headers) / sizeof(headers[0]))

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static unsigned
field_user_value(const struct field *f, unsigned raw)
{
	return f->pow2 ? f->bias << raw : f->bias + raw;
}

/* The raw value of user-facing value v, or -1 if v is outside f's range. */
static int
field_raw(const struct field *f, unsigned v)
{
	for (unsigned r = 0; r < f->range; r++)
		if (field_user_value(f, r) == v)
			return (int)r;
	return -1;
}

/* "lo..hi", or "a|b|c" for a power-of-two field. */
static void
field_describe(const struct field *f, char *buf, size_t n)
{
	size_t len = 0;

	if (!f->pow2) {
		snprintf(buf, n, "%u..%u", f->bias, f->bias + f->range - 1);
		return;
	}
	buf[0] = '\0';
	for (unsigned r = 0; r < f->range && len < n; r++)
		len += (size_t)snprintf(buf + len, n - len, "%s%u",
		    r == 0 ? "" : "|", field_user_value(f, r));
}

static struct field
field_of_arg(const struct op_arg *a)
{
	struct field f = { a->name, a->range, a->bias, 0 };

	return f;
}

/*
 * Record an error at position at of the current line.  tok (toklen bytes)
 * is what was found there, or NULL for the end of the line.  Returns -1 so
 * callers can return its value.
 */
static int
perr(struct parser *ps, const char *at, const char *tok, size_t toklen,
    const char *fmt, ...)
{
	char what[192], got[4 * TRACE_TOKEN_SHOW + 8];
	size_t g = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (tok == NULL) {
		snprintf(got, sizeof(got), "end of line");
	} else {
		got[g++] = '\'';
		for (size_t i = 0; i < toklen && i < TRACE_TOKEN_SHOW; i++) {
			unsigned char c = (unsigned char)tok[i];

			if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
				got[g++] = (char)c;
			else
				g += (size_t)snprintf(got + g, sizeof(got) - g,
				    "\\x%02x", c);
		}
		if (toklen > TRACE_TOKEN_SHOW) {
			memcpy(got + g, "...", 3);
			g += 3;
		}
		got[g++] = '\'';
		got[g] = '\0';
	}
	if (ps->errlen > 0)
		snprintf(ps->err, ps->errlen, "%s:%u:%u: expected %s, got %s",
		    ps->file, ps->lineno, (unsigned)(at - ps->line) + 1, what,
		    got);
	return -1;
}

/* The next token in [*pos, end): its start and length; 0 if none. */
static int
next_token(const char **pos, const char *end, const char **tok, size_t *len)
{
	const char *p = *pos;

	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return 0;
	*tok = p;
	while (p < end && !is_blank(*p))
		p++;
	*len = (size_t)(p - *tok);
	*pos = p;
	return 1;
}

/* Decimal digits only; saturates at TRACE_VALUE_SAT.  -1 if not a number. */
static int
parse_decimal(const char *s, size_t len, unsigned *v)
{
	unsigned x = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (unsigned)(s[i] - '0');
		if (x > TRACE_VALUE_SAT)
			x = TRACE_VALUE_SAT;
	}
	*v = x;
	return 0;
}

/*
 * Parse the name=value tokens in [pos, end) against fields[0..n) of what
 * (an op or "config"): every field exactly once, in any order, each value in
 * its range.  Fills raw[].  end is the end of the line's text before any
 * comment.
 */
static int
parse_fields(struct parser *ps, const char *what, const struct field *fields,
    unsigned n, const char *pos, const char *end, unsigned raw[])
{
	struct field_val seen[OP_NARGS] = { { NULL, 0, 0 } };
	const char *tok, *last = pos;
	size_t len;
	char desc[64];

	while (next_token(&pos, end, &tok, &len)) {
		const char *eq = memchr(tok, '=', len);
		size_t klen;
		unsigned i;

		last = pos;
		if (eq == NULL || eq == tok)
			return perr(ps, tok, tok, len, "name=value");
		klen = (size_t)(eq - tok);
		for (i = 0; i < n; i++)
			if (strlen(fields[i].name) == klen &&
			    memcmp(fields[i].name, tok, klen) == 0)
				break;
		if (i == n) {
			char names[96];
			size_t nl = 0;

			names[0] = '\0';
			for (unsigned j = 0; j < n && nl < sizeof(names); j++)
				nl += (size_t)snprintf(names + nl,
				    sizeof(names) - nl, "%s%s",
				    j == 0 ? "" : " ", fields[j].name);
			return perr(ps, tok, tok, len, "an argument of %s (%s)",
			    what, names);
		}
		if (seen[i].at != NULL)
			return perr(ps, tok, tok, len, "%s once",
			    fields[i].name);
		seen[i].at = eq + 1;
		seen[i].len = len - klen - 1;
		if (parse_decimal(seen[i].at, seen[i].len, &seen[i].value))
			return perr(ps, seen[i].at, seen[i].at, seen[i].len,
			    "a decimal number for %s", fields[i].name);
		if (field_raw(&fields[i], seen[i].value) < 0) {
			field_describe(&fields[i], desc, sizeof(desc));
			return perr(ps, seen[i].at, seen[i].at, seen[i].len,
			    "%s in %s", fields[i].name, desc);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (seen[i].at == NULL) {
			field_describe(&fields[i], desc, sizeof(desc));
			return perr(ps, last, NULL, 0, "%s=%s", fields[i].name,
			    desc);
		}
		raw[i] = (unsigned)field_raw(&fields[i], seen[i].value);
	}
	return 0;
}

static int
parse_config(struct parser *ps, const char *name, size_t len, const char *pos,
    const char *end)
{
	unsigned raw[CONFIG_NFIELDS];

	if (ps->have_config)
		return perr(ps, name, name, len, "at most one config line");
	if (ps->out->nops > 0)
		return perr(ps, name, name, len, "config before the first op");
	if (parse_fields(ps, "config", config_fields, CONFIG_NFIELDS, pos, end,
		raw))
		return -1;
	ps->out->cfg.ncpus = (uint8_t)(raw[0] + 1);
	ps->out->cfg.pg_ps_enabled = (uint8_t)raw[1];
	ps->out->cfg.mem_class = (uint8_t)raw[2];
	ps->have_config = 1;
	return 0;
}

/* The code of the op called name (len bytes, not NUL-terminated), or -1. */
static int
lookup_op(const char *name, size_t len)
{
	char buf[32];

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return op_lookup(buf);
}

static int
parse_op(struct parser *ps, const char *name, size_t len, const char *pos,
    const char *end)
{
	const struct op_info *info;
	struct field fields[OP_NARGS];
	unsigned raw[OP_NARGS];
	struct op *o;
	int code;

	if ((code = lookup_op(name, len)) < 0)
		return perr(ps, name, name, len, "an op name");
	info = op_info((unsigned)code);
	if (ps->out->nops == OP_MAX)
		return perr(ps, name, name, len, "at most %d ops", OP_MAX);
	for (unsigned i = 0; i < info->nargs; i++)
		fields[i] = field_of_arg(&info->args[i]);
	if (parse_fields(ps, info->name, fields, info->nargs, pos, end, raw))
		return -1;
	o = &ps->out->ops[ps->out->nops++];
	o->code = (uint8_t)code;
	for (unsigned i = 0; i < info->nargs; i++)
		o->arg[i] = (uint16_t)raw[i];
	return 0;
}

/*
 * A whole-line comment [p, end) that starts with '#'.  If it is a header,
 * store its value; other comments are ignored.
 */
static int
parse_comment(struct parser *ps, const char *p, const char *end)
{
	const char *key, *val, *vend;
	char *dst;
	size_t klen;
	unsigned h;

	p++;
	while (p < end && is_blank(*p))
		p++;
	key = p;
	while (p < end && *p != ':' && !is_blank(*p))
		p++;
	if (p == end || *p != ':')
		return 0;
	klen = (size_t)(p - key);
	for (h = 0; h < NHEADERS; h++)
		if (strlen(headers[h].key) == klen &&
		    memcmp(headers[h].key, key, klen) == 0)
			break;
	if (h == NHEADERS)
		return 0;
	val = p + 1;
	vend = end;
	while (val < vend && is_blank(*val))
		val++;
	while (vend > val && is_blank(vend[-1]))
		vend--;
	if (val == vend)
		return 0;
	dst = (char *)ps->meta + headers[h].off;
	if (dst[0] != '\0')
		return perr(ps, key, key, klen + 1, "one %s header",
		    headers[h].key);
	if ((size_t)(vend - val) >= TRACE_META_LEN)
		return perr(ps, val, val, (size_t)(vend - val),
		    "a %s header of at most %d characters", headers[h].key,
		    TRACE_META_LEN - 1);
	memcpy(dst, val, (size_t)(vend - val));
	dst[vend - val] = '\0';
	return 0;
}

static int
parse_line(struct parser *ps, const char *end)
{
	const char *pos = ps->line, *text_end, *nul, *name;
	size_t len;

	if ((nul = memchr(ps->line, '\0', (size_t)(end - ps->line))) != NULL)
		return perr(ps, nul, nul, 1, "text");
	text_end = memchr(ps->line, '#', (size_t)(end - ps->line));
	if (text_end == NULL)
		text_end = end;
	if (!next_token(&pos, text_end, &name, &len)) {
		if (text_end == end)
			return 0;
		return parse_comment(ps, text_end, end);
	}
	if (len == 6 && memcmp(name, "config", 6) == 0)
		return parse_config(ps, name, len, pos, text_end);
	return parse_op(ps, name, len, pos, text_end);
}

int
trace_parse_buf(const char *text, size_t len, const char *filename,
    struct op_program *out, struct trace_meta *meta, char *err, size_t errlen)
{
	struct trace_meta scratch;
	struct parser ps;
	const char *p = text, *end = len > 0 ? text + len : text;

	memset(out, 0, sizeof(*out));
	out->cfg.ncpus = 1;
	out->cfg.pg_ps_enabled = 1;
	out->cfg.mem_class = 0;
	if (meta == NULL)
		meta = &scratch;
	memset(meta, 0, sizeof(*meta));
	memset(&ps, 0, sizeof(ps));
	ps.file = filename != NULL ? filename : "<trace>";
	ps.err = err;
	ps.errlen = errlen;
	ps.out = out;
	ps.meta = meta;
	if (errlen > 0)
		err[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;

		ps.lineno++;
		ps.line = p;
		if (parse_line(&ps, eol))
			return -1;
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}

int
trace_parse(const char *text, const char *filename, struct op_program *out,
    struct trace_meta *meta, char *err, size_t errlen)
{
	return trace_parse_buf(text, strlen(text), filename, out, meta, err,
	    errlen);
}

int
trace_parse_file(const char *path, struct op_program *out,
    struct trace_meta *meta, char *err, size_t errlen)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		goto fail;
	do {
		if (len == cap) {
			cap = cap == 0 ? 4096 : 2 * cap;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				errno = ENOMEM;
				goto fail;
			}
			buf = nbuf;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		errno = EIO;
		goto fail;
	}
	fclose(f);
	rc = trace_parse_buf(buf != NULL ? buf : "", len, path, out, meta, err,
	    errlen);
	free(buf);
	return rc;
fail:
	if (errlen > 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (f != NULL)
		fclose(f);
	free(buf);
	return -1;
}

/* Text goes either to a FILE or into a buffer, snprintf-style. */
struct sink {
	FILE *f;
	char *buf;
	size_t n;
	size_t len; /* whole length so far, written or not */
};

static void
sink_printf(struct sink *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	if (s->f != NULL)
		r = vfprintf(s->f, fmt, ap);
	else
		r = vsnprintf(s->len < s->n ? s->buf + s->len : NULL,
		    s->len < s->n ? s->n - s->len : 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		s->len += (size_t)r;
}

static void
emit_op(struct sink *s, const struct op *o)
{
	const struct op_info *info = op_info(o->code);

	if (info == NULL) {
		sink_printf(s, "# bad opcode %u", o->code);
		return;
	}
	sink_printf(s, "%s", info->name);
	for (unsigned i = 0; i < info->nargs; i++)
		sink_printf(s, " %s=%u", info->args[i].name,
		    (unsigned)o->arg[i] + info->args[i].bias);
}

static void
emit_program(struct sink *s, const struct op_program *p,
    const struct trace_meta *meta)
{
	for (unsigned h = 0; meta != NULL && h < NHEADERS; h++) {
		const char *v = (const char *)meta + headers[h].off;

		if (v[0] != '\0')
			sink_printf(s, "# %s: %.*s\n", headers[h].key,
			    TRACE_META_LEN - 1, v);
	}
	sink_printf(s, "config cpus=%u ps=%u mem=%u\n", (unsigned)p->cfg.ncpus,
	    (unsigned)p->cfg.pg_ps_enabled,
	    (unsigned)op_config_frames(&p->cfg));
	for (unsigned i = 0; i < p->nops && i < OP_MAX; i++) {
		emit_op(s, &p->ops[i]);
		sink_printf(s, "\n");
	}
}

void
trace_print(FILE *f, const struct op_program *p, const struct trace_meta *meta)
{
	struct sink s = { f, NULL, 0, 0 };

	emit_program(&s, p, meta);
}

size_t
trace_format(char *buf, size_t n, const struct op_program *p,
    const struct trace_meta *meta)
{
	struct sink s = { NULL, buf, n, 0 };

	if (n > 0)
		buf[0] = '\0';
	emit_program(&s, p, meta);
	return s.len;
}

int
trace_format_op(char *buf, size_t n, const struct op *o)
{
	struct sink s = { NULL, buf, n, 0 };

	if (n > 0)
		buf[0] = '\0';
	emit_op(&s, o);
	return (int)s.len;
}

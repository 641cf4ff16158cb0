/*
 * test_oplang.c - the op language: the table's shape and stability, the
 * total binary decoder, the text form, and exact round trips between them.
 */
/* mkstemp and fdopen, for the one test that reads a file. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "pmapfuzz/param.h"
#include "testlib.h"
#include "trace.h"

/* A program that uses every op once, in canonical text. */
static const char every_op_text[] =
    "# name: every op\n"
    "# expect: clean\n"
    "# bugs: kmem-litter,wa-enter-multi\n"
    "# checks: stale-pte,illegal-promotion\n"
    "config cpus=4 ps=1 mem=16384\n"
    "map as=0 region=2 page=511 npages=512 prot=7 wired=1\n"
    "unmap as=7 region=0 page=0 npages=1\n"
    "protect as=1 region=1 page=3 npages=9 prot=1\n"
    "touch as=2 region=0 page=17 access=2 cpu=3\n"
    "ktouch kregion=1 page=500 access=1 cpu=0\n"
    "kmem_alloc kregion=0 page=0 npages=512 mode=2\n"
    "kmem_free kregion=1 page=12 npages=100\n"
    "fork parent=0 child=7\n"
    "exit as=5\n"
    "switch as=3 cpu=2\n"
    "io_start as=0 region=1 page=256 npages=16 write=1 buf=3\n"
    "io_done buf=2\n"
    "remove_all as=4 region=2 page=8\n"
    "remove_write as=6 region=0 page=9\n"
    "clear_modify as=1 region=1 page=10\n"
    "wire as=0 region=0 page=0 npages=256\n"
    "unwire as=0 region=0 page=255 npages=257\n"
    "sysctl_pg_ps enabled=0\n"
    "demote as=2 region=2\n"
    "arm_intr_io_done n=1 site=3 buf=0\n"
    "arm_intr_touch n=64 site=0 as=1 region=2 page=511 access=1\n"
    "arm_intr_remove_all n=2 site=16 as=0 region=0 page=0\n"
    "arm_alloc_fail n=5\n"
    "arm_drop_shootdown n=33\n"
    "arm_am_race n=1 set_m=1\n"
    "prefault as=3 region=1 page=0 npages=512\n";

/* Deterministic test input: xorshift64 with a fixed seed. */
static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Fail unless p is a program the decoder could have produced. */
static void
check_valid(const struct op_program *p)
{
	CHECK(p->cfg.ncpus >= 1 && p->cfg.ncpus <= 4, "ncpus %u", p->cfg.ncpus);
	CHECK(p->cfg.pg_ps_enabled <= 1);
	CHECK(p->cfg.mem_class <= 2);
	CHECK(p->nops <= OP_MAX);
	for (unsigned r = 0; r < p->nops; r++) {
		const struct op *o = &p->ops[r];
		const struct op_info *info = op_info(o->code);

		CHECK(info != NULL, "op %u code %u", r, o->code);
		for (unsigned i = 0; i < OP_NARGS; i++) {
			if (i < info->nargs)
				CHECK(o->arg[i] < info->args[i].range,
				    "op %u arg %u = %u", r, i, o->arg[i]);
			else
				CHECK(o->arg[i] == 0, "op %u unused arg %u", r,
				    i);
		}
	}
}

static void
parse_ok(const char *text, struct op_program *p, struct trace_meta *meta)
{
	char err[256];
	int rc = trace_parse(text, "t.trace", p, meta, err, sizeof(err));

	CHECK(rc == 0, "parse failed: %s", err);
}

/* Parse text, which must fail with exactly the message want. */
static void
check_parse_error(const char *text, const char *want)
{
	struct op_program p;
	char err[256];
	int rc = trace_parse(text, "t.trace", &p, NULL, err, sizeof(err));

	CHECK(rc == -1, "parsed without error: %s", text);
	CHECK(strcmp(err, want) == 0, "\n got: %s\nwant: %s", err, want);
}

TEST(table_rows_are_well_formed)
{
	CHECK(op_count() == OP_COUNT);
	CHECK(op_info(OP_COUNT) == NULL);
	CHECK(op_lookup("config") == -1, "config is not an op name");
	CHECK(op_lookup("nosuch") == -1);
	for (unsigned c = 0; c < op_count(); c++) {
		const struct op_info *info = op_info(c);

		CHECK(info != NULL && info->name != NULL && info->doc != NULL,
		    "row %u", c);
		CHECK(op_lookup(info->name) == (int)c, "%s", info->name);
		CHECK(strspn(info->name, "abcdefghijklmnopqrstuvwxyz_") ==
			strlen(info->name),
		    "%s", info->name);
		CHECK(info->nargs <= OP_NARGS, "%s", info->name);
		for (unsigned i = 0; i < info->nargs; i++) {
			const struct op_arg *a = &info->args[i];

			CHECK(a->name != NULL && a->range >= 1, "%s arg %u",
			    info->name, i);
			for (unsigned j = 0; j < i; j++)
				CHECK(strcmp(a->name, info->args[j].name) != 0,
				    "%s: two args named %s", info->name,
				    a->name);
		}
		for (unsigned i = info->nargs; i < OP_NARGS; i++)
			CHECK(info->args[i].name == NULL, "%s slot %u",
			    info->name, i);
	}
}

/* Codes are table indices and are never reused: this list only grows. */
TEST(opcodes_are_stable)
{
	static const char *const names[] = { "map", "unmap", "protect", "touch",
		"ktouch", "kmem_alloc", "kmem_free", "fork", "exit", "switch",
		"io_start", "io_done", "remove_all", "remove_write",
		"clear_modify", "wire", "unwire", "sysctl_pg_ps", "demote",
		"arm_intr_io_done", "arm_intr_touch", "arm_intr_remove_all",
		"arm_alloc_fail", "arm_drop_shootdown", "arm_am_race",
		"prefault" };
	unsigned n = sizeof(names) / sizeof(names[0]);

	CHECK(op_count() >= n);
	for (unsigned c = 0; c < n; c++)
		CHECK(strcmp(op_info(c)->name, names[c]) == 0,
		    "code %u is %s, was %s", c, op_info(c)->name, names[c]);
}

static int
arg_index(const struct op_info *info, const char *name)
{
	for (unsigned i = 0; i < info->nargs; i++)
		if (strcmp(info->args[i].name, name) == 0)
			return (int)i;
	return -1;
}

TEST(address_args_share_positions)
{
	for (unsigned c = 0; c < op_count(); c++) {
		const struct op_info *info = op_info(c);
		const char *first = info->nargs > 0 ? info->args[0].name : "";

		if (strcmp(first, "as") == 0) {
			int r = arg_index(info, "region");
			int pg = arg_index(info, "page");
			int np = arg_index(info, "npages");

			CHECK(r == -1 || r == OP_A_REGION, "%s", info->name);
			CHECK(pg == -1 || pg == OP_A_PAGE, "%s", info->name);
			CHECK(np == -1 || np == OP_A_NPAGES, "%s", info->name);
			CHECK(pg == -1 || r != -1, "%s", info->name);
		} else if (strcmp(first, "kregion") == 0) {
			int pg = arg_index(info, "page");
			int np = arg_index(info, "npages");

			CHECK(pg == OP_A_KPAGE, "%s", info->name);
			CHECK(np == -1 || np == OP_A_KNPAGES, "%s", info->name);
		} else if (strncmp(info->name, "arm_", 4) == 0) {
			CHECK(strcmp(first, "n") == 0, "%s", info->name);
		}
	}
}

TEST(arg_ranges_cover_the_va_universe)
{
	const struct op_info *map = op_info(OP_MAP);
	const struct op_info *kmem = op_info(OP_KMEM_ALLOC);
	struct op o = { OP_MAP, { 0 } };

	CHECK(map->args[OP_A_AS].range == OP_AS_SLOTS);
	CHECK(map->args[OP_A_REGION].range == USER_REGIONS);
	CHECK(map->args[OP_A_PAGE].range == NPTEPG);
	CHECK(map->args[OP_A_NPAGES].range == NPTEPG &&
		map->args[OP_A_NPAGES].bias == 1,
	    "npages is 1..512");
	CHECK(kmem->args[OP_A_KREGION].range == KVA_REGIONS);
	CHECK(kmem->args[OP_A_KNPAGES].range == NPTEPG &&
	    kmem->args[OP_A_KNPAGES].bias == 1);

	CHECK(op_arg_set(&o, OP_A_NPAGES, 512) == 0);
	CHECK(o.arg[OP_A_NPAGES] == 511);
	CHECK(op_arg_value(&o, OP_A_NPAGES) == 512);
	CHECK(op_arg_set(&o, OP_A_NPAGES, 0) == -1, "below the bias");
	CHECK(op_arg_set(&o, OP_A_NPAGES, 513) == -1, "past the range");
	CHECK(o.arg[OP_A_NPAGES] == 511, "a failed set changes nothing");
	CHECK(op_arg_set(&o, 6, 0) == -1 && op_arg_value(&o, 6) == -1);
}

TEST(empty_input_decodes_to_the_zero_header)
{
	struct op_program p;

	op_decode(NULL, 0, &p);
	CHECK(p.cfg.ncpus == 1 && p.cfg.pg_ps_enabled == 0 &&
	    p.cfg.mem_class == 0 && p.nops == 0);
	CHECK(op_config_frames(&p.cfg) == 4096);
}

TEST(short_header_reads_missing_bytes_as_zero)
{
	const uint8_t two[] = { 7, 3 };
	struct op_program p;

	op_decode(two, sizeof(two), &p);
	CHECK(p.cfg.ncpus == 4, "(7 mod 4) + 1");
	CHECK(p.cfg.pg_ps_enabled == 1, "3 & 1");
	CHECK(p.cfg.mem_class == 0 && p.nops == 0);
}

TEST(decoder_reduces_every_field)
{
	uint8_t in[OP_HEADER_SIZE + 2 * OP_RECORD_SIZE + 5];
	uint8_t out[OP_ENCODED_MAX];
	struct op_program p;
	size_t n;

	memset(in, 0xff, sizeof(in));
	in[OP_HEADER_SIZE] = OP_COUNT + OP_IO_DONE; /* wraps to io_done */
	in[OP_HEADER_SIZE + OP_RECORD_SIZE] = OP_MAP;
	op_decode(in, sizeof(in), &p);
	check_valid(&p);
	CHECK(p.cfg.ncpus == 4 && p.cfg.pg_ps_enabled == 1);
	CHECK_EQ_U64(p.cfg.mem_class, 0xff % 3);
	CHECK(p.nops == 2, "the trailing partial record is ignored");
	CHECK(p.ops[0].code == OP_IO_DONE);
	CHECK_EQ_U64(p.ops[0].arg[0], 0xffff % OP_IO_BUFS);
	CHECK(p.ops[1].code == OP_MAP);
	CHECK_EQ_U64(p.ops[1].arg[OP_A_REGION], 0xffff % USER_REGIONS);
	CHECK_EQ_U64(p.ops[1].arg[OP_A_PAGE], 0xffff % NPTEPG);
	CHECK(op_arg_value(&p.ops[1], OP_A_NPAGES) == 512);

	n = op_encode(&p, out, sizeof(out));
	CHECK(n == OP_HEADER_SIZE + 2 * OP_RECORD_SIZE);
	CHECK(out[3] == 0, "the reserved byte is re-encoded as 0");
	for (unsigned i = 1 + OP_ARG_SIZE; i < OP_RECORD_SIZE; i++)
		CHECK(out[OP_HEADER_SIZE + i] == 0,
		    "io_done's unused arg byte %u is 0", i);
	CHECK_EQ_U64(out[OP_HEADER_SIZE + 1], 0xffff % OP_IO_BUFS);
}

TEST(records_past_op_max_are_ignored)
{
	uint8_t in[OP_HEADER_SIZE + (OP_MAX + 3) * OP_RECORD_SIZE];
	struct op_program p;

	memset(in, 0, sizeof(in));
	for (unsigned r = 0; r < OP_MAX + 3; r++)
		in[OP_HEADER_SIZE + r * OP_RECORD_SIZE] = (uint8_t)r;
	op_decode(in, sizeof(in), &p);
	CHECK(p.nops == OP_MAX);
	CHECK_EQ_U64(p.ops[OP_MAX - 1].code, (OP_MAX - 1) % OP_COUNT);
	CHECK(op_encode(&p, NULL, 0) == OP_ENCODED_MAX);
}

TEST(encode_reports_size_without_writing_when_short)
{
	struct op_program p;
	uint8_t buf[8];

	parse_ok("io_done buf=1\nio_done buf=2\n", &p, NULL);
	memset(buf, 0xaa, sizeof(buf));
	CHECK(op_encode(&p, NULL, 0) == OP_HEADER_SIZE + 2 * OP_RECORD_SIZE);
	CHECK(op_encode(&p, buf, sizeof(buf)) ==
	    OP_HEADER_SIZE + 2 * OP_RECORD_SIZE);
	for (unsigned i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == 0xaa, "byte %u written", i);
}

TEST(every_op_round_trips_text_binary_text)
{
	uint8_t bin[OP_ENCODED_MAX];
	char text[sizeof(every_op_text) + 64];
	struct op_program p, q;
	struct trace_meta meta;
	unsigned seen[OP_COUNT] = { 0 };
	size_t n;

	parse_ok(every_op_text, &p, &meta);
	check_valid(&p);
	for (unsigned r = 0; r < p.nops; r++)
		seen[p.ops[r].code]++;
	for (unsigned c = 0; c < OP_COUNT; c++)
		CHECK(seen[c] == 1, "%s used %u times", op_info(c)->name,
		    seen[c]);
	CHECK(strcmp(meta.expect, "clean") == 0);
	CHECK(strcmp(meta.bugs, "kmem-litter,wa-enter-multi") == 0);

	n = op_encode(&p, bin, sizeof(bin));
	CHECK(n == OP_HEADER_SIZE + OP_COUNT * OP_RECORD_SIZE);
	op_decode(bin, n, &q);
	CHECK(op_program_equal(&p, &q), "decode(encode(p)) == p");

	CHECK(trace_format(text, sizeof(text), &q, &meta) ==
	    strlen(every_op_text));
	CHECK(strcmp(text, every_op_text) == 0, "\n%s", text);
}

TEST(every_op_round_trips_binary_text_binary)
{
	uint8_t bin[OP_ENCODED_MAX], again[OP_ENCODED_MAX];
	char text[sizeof(every_op_text)];
	struct op_program p, q;
	size_t n;

	parse_ok(every_op_text, &p, NULL);
	n = op_encode(&p, bin, sizeof(bin));
	op_decode(bin, n, &q);
	trace_format(text, sizeof(text), &q, NULL);
	parse_ok(text, &q, NULL);
	CHECK(op_encode(&q, again, sizeof(again)) == n);
	CHECK(memcmp(bin, again, n) == 0);
}

TEST(random_bytes_decode_and_round_trip)
{
	static uint8_t in[OP_ENCODED_MAX + 40];
	uint8_t canon[OP_ENCODED_MAX], again[OP_ENCODED_MAX];
	char text[64 * TRACE_OP_LEN + 64], err[256];
	struct op_program p, q;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (unsigned t = 0; t < 2000; t++) {
		size_t len = rng_next() % sizeof(in), n, want;

		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)rng_next();
		/* Every third input uses small bytes so opcodes and args
		 * land in range more often than 0..255 would. */
		if (t % 3 == 0)
			for (size_t i = 0; i < len; i++)
				in[i] %= 32;
		op_decode(in, len, &p);
		check_valid(&p);
		want = len < OP_HEADER_SIZE ?
		    0 :
		    (len - OP_HEADER_SIZE) / OP_RECORD_SIZE;
		CHECK(p.nops == (want < OP_MAX ? want : OP_MAX), "input %u", t);

		n = op_encode(&p, canon, sizeof(canon));
		op_decode(canon, n, &q);
		CHECK(op_program_equal(&p, &q), "input %u: re-decode", t);

		CHECK(
		    trace_format(text, sizeof(text), &p, NULL) < sizeof(text));
		CHECK(trace_parse(text, "rand", &q, NULL, err, sizeof(err)) ==
			0,
		    "input %u: %s", t, err);
		CHECK(op_encode(&q, again, sizeof(again)) == n);
		CHECK(memcmp(canon, again, n) == 0,
		    "input %u: text changed "
		    "the program",
		    t);
	}
}

/*
 * Texts stitched from fragments of the language and bytes outside it: the
 * parser either returns a valid program or one well-formed error.
 */
TEST(random_text_gives_a_program_or_one_error)
{
	static const char *const frags[] = { "map", "io_done", "kmem_alloc",
		"config",
		"cpus=", "ps=", "mem=", "as=", "buf=", "page=", "npages=",
		"mode=", "kregion=", "region=", "prot=", "wired=", "0", "1",
		"7", "512", "4096", "99999999999", "=", " ", "\t", "\n", "\r\n",
		"#", "# expect: ", "# bugs:", "\x01", "\xff", "'", "\\" };
	unsigned nfrags = sizeof(frags) / sizeof(frags[0]);
	char text[512], err[256];
	struct op_program p;
	struct trace_meta m;

	rng_state = 0x2545f4914f6cdd1dULL;
	for (unsigned t = 0; t < 2000; t++) {
		size_t len = 0, want = rng_next() % 200;
		int rc;

		while (len < want) {
			const char *f = frags[rng_next() % nfrags];
			size_t fl = strlen(f);

			if (len + fl >= sizeof(text))
				break;
			memcpy(text + len, f, fl);
			len += fl;
		}
		rc = trace_parse_buf(text, len, "t.trace", &p, &m, err,
		    sizeof(err));
		if (rc == 0) {
			check_valid(&p);
			CHECK(err[0] == '\0');
		} else {
			CHECK(rc == -1);
			CHECK(strncmp(err, "t.trace:", 8) == 0 &&
				strstr(err, ": expected ") != NULL &&
				strchr(err, '\n') == NULL,
			    "input %u: %s", t, err);
		}
	}
}

TEST(parser_defaults_comments_and_any_arg_order)
{
	struct op_program p;

	parse_ok("# a comment\n"
		 "\n"
		 "   \t\n"
		 "kmem_free npages=3 page=7 kregion=1   # trailing comment\r\n"
		 "switch\tcpu=1\tas=007",
	    &p, NULL);
	CHECK(p.cfg.ncpus == 1 && p.cfg.pg_ps_enabled == 1 &&
		p.cfg.mem_class == 0,
	    "defaults: cpus=1 ps=1 mem=4096");
	CHECK(p.nops == 2);
	CHECK(p.ops[0].code == OP_KMEM_FREE);
	CHECK(op_arg_value(&p.ops[0], OP_A_KREGION) == 1);
	CHECK(op_arg_value(&p.ops[0], OP_A_KPAGE) == 7);
	CHECK(op_arg_value(&p.ops[0], OP_A_KNPAGES) == 3);
	CHECK(p.ops[1].code == OP_SWITCH);
	CHECK(
	    op_arg_value(&p.ops[1], 0) == 7 && op_arg_value(&p.ops[1], 1) == 1);
}

TEST(config_line_sets_all_three_fields)
{
	struct op_program p;

	parse_ok("config mem=8192 ps=0 cpus=3\n", &p, NULL);
	CHECK(p.cfg.ncpus == 3 && p.cfg.pg_ps_enabled == 0 &&
	    p.cfg.mem_class == 1);
	CHECK(op_config_frames(&p.cfg) == 8192);
}

TEST(headers_fill_meta_and_other_comments_do_not)
{
	struct op_program p;
	struct trace_meta m;

	parse_ok("#name:   x y  \n"
		 "# expected: not a header\n"
		 "# expect: illegal-promotion in pmap_enter (kmem_alloc)\n"
		 "# bugs:\n"
		 "io_done buf=0 # checks: not a header either\n",
	    &p, &m);
	CHECK(strcmp(m.name, "x y") == 0, "'%s'", m.name);
	CHECK(strcmp(m.expect,
		  "illegal-promotion in pmap_enter (kmem_alloc)") == 0);
	CHECK(m.bugs[0] == '\0' && m.checks[0] == '\0');
	parse_ok("# expect: clean\n", &p, NULL);
}

TEST(printer_writes_one_canonical_line_per_op)
{
	struct op o = { OP_KMEM_ALLOC, { 1, 2, 511, 2, 0, 0 } };

	static const char want[] =
	    "kmem_alloc kregion=1 page=2 npages=512 mode=2";
	char line[TRACE_OP_LEN];

	CHECK(trace_format_op(line, sizeof(line), &o) == sizeof(want) - 1);
	CHECK(strcmp(line, want) == 0, "%s", line);
	CHECK(trace_format_op(line, 5, &o) == sizeof(want) - 1 &&
		strcmp(line, "kmem") == 0,
	    "snprintf-style truncation");
}

TEST(longest_op_line_fits_trace_op_len)
{
	for (unsigned c = 0; c < op_count(); c++) {
		const struct op_info *info = op_info(c);
		struct op o = { (uint8_t)c, { 0 } };

		for (unsigned i = 0; i < info->nargs; i++)
			o.arg[i] = (uint16_t)(info->args[i].range - 1);
		CHECK(trace_format_op(NULL, 0, &o) < TRACE_OP_LEN, "%s",
		    info->name);
	}
}

TEST(parse_errors_name_file_line_and_column)
{
	char many[64 * 16 + 32] = "";

	check_parse_error("mapp as=0\n",
	    "t.trace:1:1: expected an op name, got 'mapp'");
	check_parse_error("map as=0 region=0 page=0 npages=1 prot=3\n",
	    "t.trace:1:41: expected wired=0..1, got end of line");
	check_parse_error("io_done   # buf=1\n",
	    "t.trace:1:8: expected buf=0..3, got end of line");
	check_parse_error("unmap as=0 as=1 region=0 page=0 npages=1\n",
	    "t.trace:1:12: expected as once, got 'as=1'");
	check_parse_error("kmem_free kregion=2 page=0 npages=1\n",
	    "t.trace:1:19: expected kregion in 0..1, got '2'");
	check_parse_error("kmem_free kregion=0 page=0 npages=0\n",
	    "t.trace:1:35: expected npages in 1..512, got '0'");
	check_parse_error("kmem_free kregion=0 page=99999999999 npages=1\n",
	    "t.trace:1:26: expected page in 0..511, got '99999999999'");
	check_parse_error("# c\n\n\tswitch as=0 cpu=9\n",
	    "t.trace:3:18: expected cpu in 0..3, got '9'");
	check_parse_error("io_done buf=0 junk\n",
	    "t.trace:1:15: expected name=value, got 'junk'");
	check_parse_error("io_done =0\n",
	    "t.trace:1:9: expected name=value, got '=0'");
	check_parse_error("io_done buf=-1\n",
	    "t.trace:1:13: expected a decimal number for buf, got '-1'");
	check_parse_error("io_done buf=\n",
	    "t.trace:1:13: expected a decimal number for buf, got ''");
	check_parse_error("exit as=0 region=1\n",
	    "t.trace:1:11: expected an argument of exit (as), "
	    "got 'region=1'");
	check_parse_error("map\x01 as=0\n",
	    "t.trace:1:1: expected an op name, got 'map\\x01'");
	check_parse_error("42\n", "t.trace:1:1: expected an op name, got '42'");

	for (unsigned i = 0; i < OP_MAX; i++)
		strcat(many, "io_done buf=0\n");
	strcat(many, "exit as=0\n");
	check_parse_error(many,
	    "t.trace:65:1: expected at most 64 ops, got 'exit'");
}

TEST(config_errors)
{
	check_parse_error("config cpus=5 ps=1 mem=4096\n",
	    "t.trace:1:13: expected cpus in 1..4, got '5'");
	check_parse_error("config cpus=1 ps=1 mem=1000\n",
	    "t.trace:1:24: expected mem in 4096|8192|16384, got '1000'");
	check_parse_error("config cpus=1 ps=1\n",
	    "t.trace:1:19: expected mem=4096|8192|16384, got end of line");
	check_parse_error("config cpus=1 ps=1 mem=4096 pcid=1\n",
	    "t.trace:1:29: expected an argument of config (cpus ps mem), "
	    "got 'pcid=1'");
	check_parse_error("io_done buf=0\nconfig cpus=1 ps=1 mem=4096\n",
	    "t.trace:2:1: expected config before the first op, "
	    "got 'config'");
	check_parse_error("config cpus=1 ps=1 mem=4096\n"
			  "config cpus=2 ps=1 mem=4096\n",
	    "t.trace:2:1: expected at most one config line, got 'config'");
}

TEST(header_errors)
{
	char long_hdr[TRACE_META_LEN + 32] = "# name: ";

	check_parse_error("# expect: clean\n# expect: stale-pte in x (y)\n",
	    "t.trace:2:3: expected one expect header, got 'expect:'");
	memset(long_hdr + 8, 'a', TRACE_META_LEN);
	long_hdr[8 + TRACE_META_LEN] = '\0';
	check_parse_error(long_hdr,
	    "t.trace:1:9: expected a name header of at most 255 characters, "
	    "got 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
}

TEST(nul_byte_in_buffer_is_an_error)
{
	static const char text[] = "io_done buf=0\nio_done\0 buf=1\n";
	struct op_program p;
	char err[128];

	CHECK(trace_parse_buf(text, sizeof(text) - 1, "t.trace", &p, NULL, err,
		  sizeof(err)) == -1);
	CHECK(strcmp(err, "t.trace:2:8: expected text, got '\\x00'") == 0, "%s",
	    err);
	CHECK(trace_parse_buf(text, 14, "t.trace", &p, NULL, err,
		  sizeof(err)) == 0,
	    "the length bounds the text");
	CHECK(p.nops == 1);
}

/*
 * Write text to a new temporary file and return its path in path (which
 * must hold TEMP_PATH_LEN bytes).  Tests run from the source tree, so the
 * file goes to $TMPDIR or /tmp, under a unique name.
 */
#define TEMP_PATH_LEN 256
static void
write_temp(char *path, const char *text)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(path, TEMP_PATH_LEN, "%s/test_oplang.XXXXXX",
	    dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp %s", path);
	f = fdopen(fd, "w");
	CHECK(f != NULL, "fdopen %s", path);
	fputs(text, f);
	fclose(f);
}

TEST(parse_file_reads_a_trace_and_names_it_in_errors)
{
	char path[TEMP_PATH_LEN], want[TEMP_PATH_LEN + 64], err[512];
	struct op_program p;
	int rc;

	write_temp(path, "config cpus=2 ps=0 mem=4096\nexit as=1\n");
	rc = trace_parse_file(path, &p, NULL, err, sizeof(err));
	remove(path);
	CHECK(rc == 0, "%s", err);
	CHECK(p.nops == 1 && p.cfg.ncpus == 2 && p.ops[0].code == OP_EXIT);

	write_temp(path, "exit as=1\nfork\n");
	rc = trace_parse_file(path, &p, NULL, err, sizeof(err));
	remove(path);
	CHECK(rc == -1);
	snprintf(want, sizeof(want),
	    "%s:2:5: expected parent=0..7, got end of line", path);
	CHECK(strcmp(err, want) == 0, "%s", err);

	CHECK(trace_parse_file("/nonexistent/x.trace", &p, NULL, err,
		  sizeof(err)) == -1);
	CHECK(strncmp(err, "/nonexistent/x.trace: ", 22) == 0, "%s", err);
}

TEST_MAIN(TEST_ENTRY(table_rows_are_well_formed),
    TEST_ENTRY(opcodes_are_stable), TEST_ENTRY(address_args_share_positions),
    TEST_ENTRY(arg_ranges_cover_the_va_universe),
    TEST_ENTRY(empty_input_decodes_to_the_zero_header),
    TEST_ENTRY(short_header_reads_missing_bytes_as_zero),
    TEST_ENTRY(decoder_reduces_every_field),
    TEST_ENTRY(records_past_op_max_are_ignored),
    TEST_ENTRY(encode_reports_size_without_writing_when_short),
    TEST_ENTRY(every_op_round_trips_text_binary_text),
    TEST_ENTRY(every_op_round_trips_binary_text_binary),
    TEST_ENTRY(random_bytes_decode_and_round_trip),
    TEST_ENTRY(random_text_gives_a_program_or_one_error),
    TEST_ENTRY(parser_defaults_comments_and_any_arg_order),
    TEST_ENTRY(config_line_sets_all_three_fields),
    TEST_ENTRY(headers_fill_meta_and_other_comments_do_not),
    TEST_ENTRY(printer_writes_one_canonical_line_per_op),
    TEST_ENTRY(longest_op_line_fits_trace_op_len),
    TEST_ENTRY(parse_errors_name_file_line_and_column),
    TEST_ENTRY(config_errors), TEST_ENTRY(header_errors),
    TEST_ENTRY(nul_byte_in_buffer_is_an_error),
    TEST_ENTRY(parse_file_reads_a_trace_and_names_it_in_errors))

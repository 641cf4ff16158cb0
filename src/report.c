/*
 * report.c - a finding as text and as JSON (see report.h).
 */
#include "pmapfuzz/report.h"

#include "pmapfuzz/ptdump.h"

/* PTEs shown on each side of the finding's va. */
#define REPORT_RADIUS 4

static const char *const report_level[PT_LVL_PML4E + 1] = {
	"-",
	"pte",
	"pde",
	"pdpe",
	"pml4e",
};

void
report_text(FILE *out, const struct inv_finding *f, const struct inv_ctx *ctx)
{
	char bits[96];

	fprintf(out, "%s\n", f->title);
	fprintf(out, "  invariant: %s: %s\n", inv_table[f->inv].name,
	    inv_table[f->inv].statement);
	fprintf(out, "  op #%u %s, pmap function %s, cpu %d\n", f->op_index,
	    f->op, f->func, f->cpu);
	if (f->pmap != INV_NONE_PMAP)
		fprintf(out, "  pmap %d (root %u)\n", f->pmap,
		    (unsigned)f->root);
	if (f->has_va)
		fprintf(out, "  va %#llx\n", (unsigned long long)f->va);
	if (f->pfn != UINT32_MAX)
		fprintf(out, "  frame %u\n", (unsigned)f->pfn);
	for (unsigned i = 0; i < f->nentries && i < INV_ENTRIES_MAX; i++) {
		const struct inv_entry *e = &f->entries[i];

		fprintf(out,
		    "  %-12s level %u (%s) table %u [%u] = %#018llx  "
		    "%s\n",
		    e->what, (unsigned)e->level,
		    report_level[e->level <= PT_LVL_PML4E ? e->level : 0],
		    (unsigned)e->table_pfn, (unsigned)e->idx,
		    (unsigned long long)e->value,
		    e->level != 0 ? ptdump_bits(e->value, bits, sizeof(bits)) :
				    "");
	}
	fprintf(out, "  expected: %s\n", f->expected);
	fprintf(out, "  found:    %s\n", f->found);
	if (f->detail[0] != '\0')
		fprintf(out, "  detail:   %s\n", f->detail);
	if (ctx != NULL && f->has_va && f->root != 0) {
		fprintf(out, "\n");
		ptdump_region(out, ctx->mc, f->root, f->va, REPORT_RADIUS);
	}
}

/* s as a JSON string, quotes included. */
static void
report_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void
report_json_field(FILE *out, const char *name, const char *value, int comma)
{
	report_json_string(out, name);
	fputc(':', out);
	report_json_string(out, value);
	if (comma)
		fputc(',', out);
}

void
report_json(FILE *out, const struct inv_finding *f)
{
	char bits[96];

	fputc('{', out);
	report_json_field(out, "invariant", inv_table[f->inv].name, 1);
	report_json_field(out, "title", f->title, 1);
	report_json_field(out, "function", f->func, 1);
	report_json_field(out, "op", f->op, 1);
	fprintf(out, "\"op_index\":%u,\"cpu\":%d,", f->op_index, f->cpu);
	if (f->pmap != INV_NONE_PMAP)
		fprintf(out, "\"pmap\":%d,\"root\":%u,", f->pmap,
		    (unsigned)f->root);
	else
		fputs("\"pmap\":null,", out);
	if (f->has_va)
		fprintf(out, "\"va\":\"%#llx\",", (unsigned long long)f->va);
	else
		fputs("\"va\":null,", out);
	if (f->pfn != UINT32_MAX)
		fprintf(out, "\"frame\":%u,", (unsigned)f->pfn);
	else
		fputs("\"frame\":null,", out);
	fputs("\"entries\":[", out);
	for (unsigned i = 0; i < f->nentries && i < INV_ENTRIES_MAX; i++) {
		const struct inv_entry *e = &f->entries[i];

		fprintf(out, "%s{", i != 0 ? "," : "");
		report_json_field(out, "what", e->what, 1);
		fprintf(out,
		    "\"level\":%u,\"table\":%u,\"index\":%u,"
		    "\"value\":\"%#llx\",",
		    (unsigned)e->level, (unsigned)e->table_pfn,
		    (unsigned)e->idx, (unsigned long long)e->value);
		report_json_field(out, "bits",
		    e->level != 0 ? ptdump_bits(e->value, bits, sizeof(bits)) :
				    "",
		    0);
		fputc('}', out);
	}
	fputs("],", out);
	report_json_field(out, "expected", f->expected, 1);
	report_json_field(out, "found", f->found, 1);
	report_json_field(out, "detail", f->detail, 0);
	fputs("}\n", out);
}

/*
 * afl_mutator.c - the structure-aware mutator (mutator.h) as an AFL++
 * custom mutator library.  AFL++'s libFuzzer driver ignores
 * LLVMFuzzerCustomMutator, so AFL++ loads this instead:
 *
 *	AFL_CUSTOM_MUTATOR_LIBRARY=build/lib/libpmapfuzz_mutator.so afl-fuzz ...
 *
 * (add AFL_CUSTOM_MUTATOR_ONLY=1 to turn AFL++'s own mutations off).  The
 * API is AFL++ 4.x's C API (docs/custom_mutators.md): afl_custom_init,
 * afl_custom_fuzz, afl_custom_describe, afl_custom_deinit, and the three
 * trimming calls, which remove whole records instead of AFL++'s byte
 * chunks (a chunk that is not a multiple of a record shifts every record
 * after it).  AFL++ passes a random other queue entry as add_buf once it
 * has one; the mutator splices from it.  The library holds only mutator.c,
 * mutator_draw.c and the op language (harness/ops.c), built without
 * instrumentation; it never runs the executor.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutator.h"
#include "ops.h"

/* The library is built with -fvisibility=hidden: only the API is exported. */
#define AFL_API __attribute__((visibility("default")))

/* Longest description afl_custom_describe writes, plus its NUL. */
#define AFL_DESC_LEN 96

/* One instance per afl_custom_init; AFL++ may create several. */
struct afl_pmap_mutator {
	struct mut_rng rng;	     /* advances once per afl_custom_fuzz */
	struct mut_trail trail;	     /* the last call's strategies */
	uint8_t out[OP_ENCODED_MAX]; /* the last output; owned here */
	char desc[AFL_DESC_LEN];
	/* Trimming: the program as trimmed so far, the record the current
	 * step tries to remove, and the steps done out of trim_steps. */
	struct op_program trim_prog;
	unsigned trim_rec;
	unsigned trim_done;
	unsigned trim_steps;
};

AFL_API void *afl_custom_init(void *afl, unsigned int seed);
AFL_API size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
    unsigned char **out_buf, unsigned char *add_buf, size_t add_buf_size,
    size_t max_size);
AFL_API const char *afl_custom_describe(void *data, size_t max_description_len);
AFL_API void afl_custom_deinit(void *data);
AFL_API int32_t afl_custom_init_trim(void *data, unsigned char *buf,
    size_t buf_size);
AFL_API size_t afl_custom_trim(void *data, unsigned char **out_buf);
AFL_API int32_t afl_custom_post_trim(void *data, unsigned char success);

/* A mutator instance seeded by AFL++; NULL if out of memory.  afl (the
 * afl_state_t) is not used. */
void *
afl_custom_init(void *afl, unsigned int seed)
{
	struct afl_pmap_mutator *m = calloc(1, sizeof(*m));

	(void)afl;
	if (m == NULL) {
		perror("pmapfuzz mutator: afl_custom_init");
		return NULL;
	}
	mut_rng_seed(&m->rng, seed);
	return m;
}

/*
 * Mutate buf into the instance's own buffer and point *out_buf at it
 * (valid until the next call).  The output is canonical and at most
 * max_size bytes.  AFL++ requires a nonzero length: in the one case the
 * mutator cannot produce one (max_size below the 4-byte header, which
 * AFL++ never asks for), buf itself is returned, cut to max_size.
 */
size_t
afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
    unsigned char **out_buf, unsigned char *add_buf, size_t add_buf_size,
    size_t max_size)
{
	struct afl_pmap_mutator *m = data;
	size_t in = buf_size < OP_ENCODED_MAX ? buf_size : OP_ENCODED_MAX;
	size_t cap = max_size < OP_ENCODED_MAX ? max_size : OP_ENCODED_MAX;
	size_t n;

	/* Bytes past OP_ENCODED_MAX never decode to anything. */
	memcpy(m->out, buf, in);
	n = mut_mutate(m->out, in, cap, add_buf, add_buf_size,
	    mut_rng_next(&m->rng), &m->trail);
	if (n == 0) {
		*out_buf = buf;
		return buf_size < max_size ? buf_size : max_size;
	}
	*out_buf = m->out;
	return n;
}

/* The strategies of the last mutation, e.g. "pmap:insert+mutate_arg", for
 * the names AFL++ gives queue entries and crashes. */
const char *
afl_custom_describe(void *data, size_t max_description_len)
{
	struct afl_pmap_mutator *m = data;
	size_t cap = max_description_len + 1 < sizeof(m->desc) ?
	    max_description_len + 1 :
	    sizeof(m->desc);
	size_t len = 0;

	m->desc[0] = '\0';
	for (unsigned k = 0; k < m->trail.n && len < cap; k++) {
		int w = snprintf(m->desc + len, cap - len, "%s%s",
		    k == 0 ? "pmap:" : "+",
		    mut_strategy_name(m->trail.strategy[k]));

		if (w < 0)
			break;
		len += (size_t)w;
	}
	return m->desc;
}

/*
 * Trimming, one step per record: step k tries the program without one
 * record; AFL++ keeps it if coverage is unchanged (post_trim success), and
 * the next step tries the record after it.  Returns the number of steps:
 * the number of records, or 0 (no trimming) when the canonical form would
 * not be shorter than buf or there is nothing to remove.
 */
int32_t
afl_custom_init_trim(void *data, unsigned char *buf, size_t buf_size)
{
	struct afl_pmap_mutator *m = data;

	op_decode(buf, buf_size, &m->trim_prog);
	m->trim_rec = 0;
	m->trim_done = 0;
	m->trim_steps = m->trim_prog.nops;
	if (op_encode(&m->trim_prog, NULL, 0) > buf_size)
		m->trim_steps = 0;
	return (int32_t)m->trim_steps;
}

/* The program without record trim_rec, canonical, in the instance's
 * buffer. */
size_t
afl_custom_trim(void *data, unsigned char **out_buf)
{
	struct afl_pmap_mutator *m = data;
	struct op_program p = m->trim_prog;

	if (m->trim_rec < p.nops) {
		memmove(&p.ops[m->trim_rec], &p.ops[m->trim_rec + 1],
		    (p.nops - m->trim_rec - 1) * sizeof(p.ops[0]));
		p.nops--;
	}
	*out_buf = m->out;
	return op_encode(&p, m->out, sizeof(m->out));
}

/* Keep the removal if it kept coverage, else move past the record.
 * Returns the steps done; trimming ends at init_trim's count. */
int32_t
afl_custom_post_trim(void *data, unsigned char success)
{
	struct afl_pmap_mutator *m = data;
	struct op_program *p = &m->trim_prog;

	if (m->trim_rec < p->nops) {
		if (success) {
			memmove(&p->ops[m->trim_rec], &p->ops[m->trim_rec + 1],
			    (p->nops - m->trim_rec - 1) * sizeof(p->ops[0]));
			p->nops--;
		} else {
			m->trim_rec++;
		}
	}
	if (m->trim_done < m->trim_steps)
		m->trim_done++;
	return (int32_t)m->trim_done;
}

void
afl_custom_deinit(void *data)
{
	free(data);
}

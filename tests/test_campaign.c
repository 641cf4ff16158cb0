/*
 * test_campaign.c - the parts of a fuzzing campaign that need no fuzzer:
 * finding slugs and file names, reading the engines' progress (libFuzzer's
 * status lines, AFL++'s stats files), the op-level reduction (it keeps the
 * title, deletes what does not matter, lowers values, respects its budget)
 * and outcomes replayed in forked children.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"
#include "pmapfuzz/bugs.h"
#include "testlib.h"
#include "trace.h"

/* Seed 1 with ops around it that have nothing to do with the finding. */
static const char padded_seed1[] =
    "config cpus=4 ps=1 mem=16384\n"
    "map as=2 region=1 page=7 npages=3 prot=3 wired=1\n"
    "switch as=2 cpu=3\n"
    "kmem_alloc kregion=0 page=0 npages=512 mode=1\n"
    "touch as=2 region=1 page=8 access=1 cpu=1\n"
    "kmem_free kregion=0 page=0 npages=512\n"
    "unmap as=2 region=1 page=7 npages=3\n"
    "kmem_alloc kregion=0 page=0 npages=512 mode=0\n";

#define SEED1_TITLE "stale-pte in pmap_remove (kmem_free)"

static void
parse(const char *text, struct op_program *p)
{
	char err[256];

	CHECK(trace_parse(text, "test", p, NULL, err, sizeof(err)) == 0, "%s",
	    err);
}

static void
litter_options(struct exec_options *opt)
{
	const char *bad;

	memset(opt, 0, sizeof(*opt));
	opt->level = EXEC_CHECK_OP;
	CHECK(bug_parse_list("kmem-litter", &opt->bugs, &bad) == 0);
}

TEST(slug_of_a_title_is_lower_case_words_joined_by_dashes)
{
	char slug[CAMPAIGN_SLUG_LEN];

	campaign_slug("wrong-address-space in pmap_enter (fork)", slug);
	CHECK(strcmp(slug, "wrong-address-space-in-pmap_enter-fork") == 0, "%s",
	    slug);
	campaign_slug("assert in pmap_remove (exit): PV entry 0x1f missing!",
	    slug);
	CHECK(strcmp(slug,
		  "assert-in-pmap_remove-exit-pv-entry-0x1f-missing") == 0,
	    "%s", slug);
	campaign_slug("((( )))", slug);
	CHECK(strcmp(slug, "finding") == 0, "%s", slug);
}

TEST(long_titles_get_a_cut_slug_with_a_hash_that_tells_them_apart)
{
	char a[CAMPAIGN_SLUG_LEN], b[CAMPAIGN_SLUG_LEN];
	char ta[200], tb[200];

	memset(ta, 'x', sizeof(ta));
	ta[sizeof(ta) - 1] = '\0';
	memcpy(tb, ta, sizeof(tb));
	tb[150] = 'y';
	campaign_slug(ta, a);
	campaign_slug(tb, b);
	CHECK(strlen(a) <= 80 && strlen(b) <= 80);
	CHECK(strcmp(a, b) != 0, "%s", a);
	CHECK(campaign_name_ok(a), "%s", a);
}

TEST(names_for_files_allow_no_paths)
{
	CHECK(campaign_name_ok("stale-pte-in-pmap_remove-kmem_free"));
	CHECK(campaign_name_ok("seed1.v2"));
	CHECK(!campaign_name_ok(""));
	CHECK(!campaign_name_ok("../x"));
	CHECK(!campaign_name_ok("a/b"));
	CHECK(!campaign_name_ok(".hidden"));
	CHECK(!campaign_name_ok("-rf"));
}

TEST(libfuzzer_status_lines_give_execs_corpus_and_coverage)
{
	struct campaign_progress p;

	memset(&p, 0, sizeof(p));
	CHECK(campaign_parse_libfuzzer_line(
	    "#16384\tpulse  cov: 617 ft: 2245 corp: 272/4827b lim: 33 "
	    "exec/s: 1092 rss: 75Mb",
	    &p));
	CHECK(p.have_execs && p.execs == 16384 && p.execs_per_s == 1092);
	CHECK(p.have_corpus && p.corpus == 272);
	CHECK(strcmp(p.cov, "cov 617 ft 2245") == 0, "%s", p.cov);
}

TEST(libfuzzer_fork_parent_lines_are_status_lines_too)
{
	struct campaign_progress p;

	memset(&p, 0, sizeof(p));
	CHECK(campaign_parse_libfuzzer_line(
	    "#25349: cov: 571 ft: 2130 corp: 214 exec/s 450 "
	    "oom/timeout/crash: 0/0/3 time: 25s job: 8 dft_time: 0",
	    &p));
	CHECK(p.execs == 25349 && p.corpus == 214);
	CHECK(strcmp(p.cov, "cov 571 ft 2130") == 0, "%s", p.cov);
	/* The rate of all jobs together, not the last job's 450. */
	CHECK(p.execs_per_s > 1013 && p.execs_per_s < 1014, "%f",
	    p.execs_per_s);
	/* A parent whose last job crashed says "exec/s 0". */
	CHECK(campaign_parse_libfuzzer_line(
	    "#281264: cov: 7710 ft: 6890 corp: 1222 exec/s 0 "
	    "oom/timeout/crash: 0/0/1467 time: 599s job: 1468 dft_time: 0",
	    &p));
	CHECK(p.execs_per_s > 469 && p.execs_per_s < 470, "%f", p.execs_per_s);
}

TEST(other_libfuzzer_lines_change_nothing)
{
	static const char *const lines[] = {
		"INFO: Seed: 914989381",
		"#0\tREAD units: 1",
		"FINDING: stale-pte in pmap_remove (kmem_free)",
		"    #7 0x562d099fbd76 in fuzz_found fuzz_pmap.c:49:2",
		"",
	};
	struct campaign_progress p;

	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		CHECK(!campaign_parse_libfuzzer_line(lines[i], &p), "%s",
		    lines[i]);
	CHECK(!p.have_execs && !p.have_corpus && !p.have_cov);
}

/* Write text to dir/name. */
static void
put(const char *dir, const char *name, const char *text)
{
	char *path = cf_fmt("%s/%s", dir, name);

	CHECK(cf_write(path, text, strlen(text)) == 0, "%s", path);
	free(path);
}

TEST(afl_stats_take_the_fresher_of_fuzzer_stats_and_plot_data)
{
	char dir[] = "/tmp/test_campaign.XXXXXX";
	struct campaign_progress p;
	char *queue;

	CHECK(mkdtemp(dir) != NULL);
	put(dir, "fuzzer_stats",
	    "start_time        : 1000\nlast_update       : 1001\n"
	    "execs_done        : 25\nexecs_per_sec     : 10.00\n"
	    "corpus_count      : 2\nbitmap_cvg        : 4.29%\n");
	queue = cf_fmt("%s/queue", dir);
	CHECK(cf_mkdirs(queue) == 0);
	put(queue, "id:000000,orig:seed", "x");
	put(queue, "id:000001,op:havoc", "y");
	put(dir, "plot_data",
	    "# relative_time, cycles_done, cur_item, corpus_count, "
	    "pending_total, pending_favs, map_size, saved_crashes, "
	    "saved_hangs, max_depth, execs_per_sec, total_execs, "
	    "edges_found\n"
	    "65, 0, 20, 661, 656, 78, 32.19%, 0, 0, 3, 1553.11, 67394, 1464\n");
	memset(&p, 0, sizeof(p));
	p.stats_age = -1;
	CHECK(campaign_read_afl_stats(dir, 1, 1070, &p));
	CHECK(p.execs == 67394, "%llu", (unsigned long long)p.execs);
	CHECK(p.execs_per_s > 1553 && p.execs_per_s < 1554);
	CHECK(strcmp(p.cov, "bitmap 32.19%") == 0, "%s", p.cov);
	CHECK(p.have_corpus && p.corpus == 2, "the queue on disk");
	CHECK(p.stats_age > 4.9 && p.stats_age < 5.1, "%f", p.stats_age);
	CHECK(cf_rmtree(dir) == 0);
	free(queue);
}

/* AFL++'s first stats, written during calibration: a rate of "inf". */
TEST(afl_rate_not_yet_known_prints_as_a_dash)
{
	char dir[] = "/tmp/test_campaign.XXXXXX";
	struct campaign_progress p;
	char line[256] = "";
	FILE *out;
	int saved;

	CHECK(mkdtemp(dir) != NULL);
	put(dir, "fuzzer_stats",
	    "start_time        : 1000\nlast_update       : 1000\n"
	    "run_time          : 0\nexecs_done        : 14962\n"
	    "execs_per_sec     : inf\nbitmap_cvg        : 33.63%\n");
	memset(&p, 0, sizeof(p));
	CHECK(campaign_read_afl_stats(dir, 0, 1000, &p));
	CHECK(p.execs == 14962, "%llu", (unsigned long long)p.execs);
	/* The progress line, through a file standing in for stdout. */
	fflush(stdout);
	saved = dup(fileno(stdout));
	CHECK((out = tmpfile()) != NULL && saved >= 0);
	dup2(fileno(out), fileno(stdout));
	campaign_print_progress(20, &p);
	fflush(stdout);
	dup2(saved, fileno(stdout));
	close(saved);
	rewind(out);
	CHECK(fgets(line, sizeof(line), out) != NULL);
	fclose(out);
	CHECK(strstr(line, "execs 14962 (-/s)") != NULL, "%s", line);
	CHECK(cf_rmtree(dir) == 0);
}

TEST(reduction_keeps_the_title_and_drops_what_does_not_matter)
{
	struct campaign_reduce_stats st;
	struct exec_options opt;
	struct op_program p;
	struct exec *ex = exec_create();
	char title[CAMPAIGN_TITLE_LEN];

	litter_options(&opt);
	parse(padded_seed1, &p);
	CHECK(campaign_outcome(ex, &opt, &p, 0, title, sizeof(title)) == 1);
	CHECK(strcmp(title, SEED1_TITLE) == 0, "%s", title);
	campaign_reduce(ex, &opt, SEED1_TITLE, &p, 20000, 1000, &st);
	CHECK(st.complete && st.ops_before == 7);
	CHECK(p.nops == 2 && st.ops_after == 2, "%u ops", p.nops);
	CHECK(p.ops[0].code == OP_KMEM_ALLOC && p.ops[1].code == OP_KMEM_FREE);
	CHECK(op_arg_value(&p.ops[0], OP_A_KNPAGES) == 1, "npages lowered");
	CHECK(p.cfg.ncpus == 1 && p.cfg.mem_class == 0, "config lowered");
	CHECK(campaign_outcome(ex, &opt, &p, 0, title, sizeof(title)) == 1);
	CHECK(strcmp(title, SEED1_TITLE) == 0, "%s", title);
	exec_destroy(ex);
}

TEST(reduction_is_deterministic)
{
	struct campaign_reduce_stats s1, s2;
	struct exec_options opt;
	struct op_program a, b;
	struct exec *ex = exec_create();

	litter_options(&opt);
	parse(padded_seed1, &a);
	b = a;
	campaign_reduce(ex, &opt, SEED1_TITLE, &a, 20000, 1000, &s1);
	campaign_reduce(ex, &opt, SEED1_TITLE, &b, 20000, 1000, &s2);
	CHECK(op_program_equal(&a, &b) && s1.runs == s2.runs);
	exec_destroy(ex);
}

TEST(reduction_stops_at_its_budget_with_the_title_kept)
{
	struct campaign_reduce_stats st;
	struct exec_options opt;
	struct op_program p;
	struct exec *ex = exec_create();
	char title[CAMPAIGN_TITLE_LEN];

	litter_options(&opt);
	parse(padded_seed1, &p);
	campaign_reduce(ex, &opt, SEED1_TITLE, &p, 3, 1000, &st);
	CHECK(!st.complete && st.runs == 3);
	CHECK(campaign_outcome(ex, &opt, &p, 0, title, sizeof(title)) == 1);
	CHECK(strcmp(title, SEED1_TITLE) == 0, "%s", title);
	exec_destroy(ex);
}

TEST(reduction_in_a_child_gives_what_it_gives_in_process)
{
	struct campaign_reduce_stats s1, s2;
	struct exec_options opt;
	struct op_program a, b;
	struct exec *ex = exec_create();

	litter_options(&opt);
	parse(padded_seed1, &a);
	b = a;
	campaign_reduce(ex, &opt, SEED1_TITLE, &a, 20000, 1000, &s1);
	CHECK(campaign_reduce_isolated(&opt, SEED1_TITLE, &b, 20000, 1000,
		  &s2) == 0);
	CHECK(op_program_equal(&a, &b) && s1.runs == s2.runs);
	exec_destroy(ex);
}

TEST(isolated_replay_gives_each_program_its_outcome)
{
	struct campaign_replayed out[3];
	struct exec_options opt;
	struct op_program progs[3];

	litter_options(&opt);
	parse(padded_seed1, &progs[0]);
	parse("config cpus=1 ps=1 mem=4096\n", &progs[1]);
	progs[2] = progs[0];
	memset(out, 0, sizeof(out));
	campaign_replay_isolated(&opt, progs, 3, out);
	CHECK(out[0].verdict == CAMPAIGN_FINDING &&
	    strcmp(out[0].title, SEED1_TITLE) == 0);
	CHECK(out[1].verdict == CAMPAIGN_CLEAN);
	CHECK(out[2].verdict == CAMPAIGN_FINDING &&
	    strcmp(out[2].title, SEED1_TITLE) == 0);
}

/* Children for proc_isolate: write "ab", then end as their name says. */
static void
child_answers(void *arg, int fd)
{
	(void)arg;
	(void)proc_write_all(fd, "ab", 2);
}

static void
child_hangs(void *arg, int fd)
{
	(void)arg;
	(void)proc_write_all(fd, "ab", 2);
	for (;;)
		pause();
}

static void
child_aborts(void *arg, int fd)
{
	(void)arg;
	(void)proc_write_all(fd, "ab", 2);
	abort();
}

/* One child's end through proc_isolate with a quiet limit of 0.3 s;
 * returns its code and checks that the "ab" it wrote came through. */
static int
isolate(void (*fn)(void *, int), char *how, size_t howlen)
{
	unsigned char *buf;
	size_t len;
	int rc;

	how[0] = '\0';
	rc = proc_isolate(fn, NULL, 0.3, &buf, &len, how, howlen);
	CHECK(len == 2 && memcmp(buf, "ab", 2) == 0, "len %zu", len);
	free(buf);
	return rc;
}

TEST(an_isolated_child_that_goes_silent_is_killed_as_hung)
{
	char how[64];

	CHECK(isolate(child_hangs, how, sizeof(how)) == PROC_HUNG);
	CHECK(strcmp(how, "no answer within 0.3 s") == 0, "%s", how);
}

TEST(an_isolated_child_that_crashes_or_ends_is_not_called_hung)
{
	char how[64];

	CHECK(isolate(child_aborts, how, sizeof(how)) == PROC_DIED);
	CHECK(strcmp(how, "killed by signal 6") == 0, "%s", how);
	CHECK(isolate(child_answers, how, sizeof(how)) == 0);
}

TEST_MAIN(TEST_ENTRY(slug_of_a_title_is_lower_case_words_joined_by_dashes),
    TEST_ENTRY(long_titles_get_a_cut_slug_with_a_hash_that_tells_them_apart),
    TEST_ENTRY(names_for_files_allow_no_paths),
    TEST_ENTRY(libfuzzer_status_lines_give_execs_corpus_and_coverage),
    TEST_ENTRY(libfuzzer_fork_parent_lines_are_status_lines_too),
    TEST_ENTRY(other_libfuzzer_lines_change_nothing),
    TEST_ENTRY(afl_stats_take_the_fresher_of_fuzzer_stats_and_plot_data),
    TEST_ENTRY(afl_rate_not_yet_known_prints_as_a_dash),
    TEST_ENTRY(reduction_keeps_the_title_and_drops_what_does_not_matter),
    TEST_ENTRY(reduction_is_deterministic),
    TEST_ENTRY(reduction_stops_at_its_budget_with_the_title_kept),
    TEST_ENTRY(reduction_in_a_child_gives_what_it_gives_in_process),
    TEST_ENTRY(isolated_replay_gives_each_program_its_outcome),
    TEST_ENTRY(an_isolated_child_that_goes_silent_is_killed_as_hung),
    TEST_ENTRY(an_isolated_child_that_crashes_or_ends_is_not_called_hung))

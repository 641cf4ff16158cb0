#!/bin/sh
# campaign.sh - `pmapfuzz fuzz` without a real fuzzer: usage and engine
# errors exit 2 with a clear reason; campaigns run against stand-in
# engines (shell scripts that behave like libFuzzer and AFL++: they take the
# same arguments, write crash files, status lines and stats where the real
# ones do) are triaged, keep their corpus, survive an interrupt, and put
# the previous campaign aside.  Usage: sh campaign.sh PMAPFUZZ
. "$(dirname "$0")/lib/prologue.sh"
cd "$tmp" || exit 1
unset PMAPFUZZ_BUGS PMAPFUZZ_CHECKS PMAPFUZZ_TARGET PMAPFUZZ_ONLY_TITLE

# not_in NAME FILE TEXT: a fixed string must not occur in FILE.
not_in() {
	if grep -qF -- "$3" "$2"; then
		echo "FAIL $1: '$3' in $2"
		fails=$((fails + 1))
	else
		echo "ok $1"
	fi
}

is_file() {
	if [ -f "$2" ]; then echo "ok $1"; else
		echo "FAIL $1: no $2"; fails=$((fails + 1)); fi
}

# The crash: seed 1 with an op that does not matter; the minimized form;
# a program that replays clean.
cat >crash.trace <<'TRACE'
config cpus=1 ps=1 mem=4096
kmem_alloc kregion=0 page=0 npages=512 mode=1
switch as=0 cpu=0
kmem_free kregion=0 page=0 npages=512
TRACE
printf 'config cpus=1 ps=1 mem=4096\nkmem_alloc kregion=0 page=0 npages=1 mode=0\nkmem_free kregion=0 page=0 npages=1\n' >min.trace
"$pf" compile crash.trace -o crash.bin 2>err
"$pf" compile min.trace -o min.bin 2>err
printf '\000\001\000\000' >clean.bin
title='stale-pte in pmap_remove (kmem_free)'
mkdir seeds
cp clean.bin seeds/seed-1
export FAKE_CRASH="$tmp/crash.bin" FAKE_SEEN="$tmp/seen"

# A stand-in libFuzzer target (pmapfuzz tells a libFuzzer build by the
# strings LLVMFuzzerTestOneInput and max_total_time in it).
mkdir -p lf/bin
cat >lf/bin/fuzz_pmap <<'EOF'
#!/bin/sh
# LLVMFuzzerTestOneInput max_total_time
prefix= corpus= exact= minimize=0
for a in "$@"; do
	case $a in
	-artifact_prefix=*) prefix=${a#-artifact_prefix=} ;;
	-exact_artifact_path=*) exact=${a#-exact_artifact_path=} ;;
	-minimize_crash=1) minimize=1 ;;
	-*) ;;
	*) corpus=$a ;;
	esac
done
if [ "$minimize" = 1 ]; then
	echo "only=${PMAPFUZZ_ONLY_TITLE-unset}" >"$FAKE_SEEN.min"
	echo "asan=${ASAN_OPTIONS-unset} ubsan=${UBSAN_OPTIONS-unset}" \
	    >>"$FAKE_SEEN.min"
	[ -n "${FAKE_MIN:-}" ] && cp "$FAKE_MIN" "$exact"
	exit 0
fi
{ echo "args: $*"; echo "bugs=$PMAPFUZZ_BUGS"
  echo "only=${PMAPFUZZ_ONLY_TITLE-unset}"
  echo "asan=${ASAN_OPTIONS-unset} ubsan=${UBSAN_OPTIONS-unset}"; } >"$FAKE_SEEN"
printf '#2\tINITED cov: 10 ft: 20 corp: 1/4b exec/s: 0 rss: 30Mb\n'
cp "$FAKE_CRASH" "${prefix}crash-fake1"
printf 'unit' >"$corpus/new-unit"
printf '#4096\tpulse  cov: 12 ft: 25 corp: 3/12b lim: 4 exec/s: 2048 rss: 31Mb\n'
if [ "${FAKE_MODE:-}" = interrupt ]; then
	# What a user's Ctrl-C does to pmapfuzz; then wait to be stopped.
	trap 'exit 72' TERM INT
	kill -INT "$PPID"
	while :; do sleep 0.1; done
fi
exit 77
EOF
chmod +x lf/bin/fuzz_pmap

# --- usage and engine errors ------------------------------------------
"$pf" fuzz --engine honggfuzz >out 2>err; rc=$?
expect unknown_engine_exits_2 2
grep_in unknown_engine_is_named err "unknown --engine 'honggfuzz' (libfuzzer, afl)"

for bad in 0 abc 12x -5 99999999999; do
	"$pf" fuzz --time "$bad" --target lf/bin/fuzz_pmap >out 2>err; rc=$?
	expect "time_${bad}_exits_2" 2
	grep_in "time_${bad}_is_explained" err "--time wants a whole number"
done
"$pf" fuzz --jobs 0 --target lf/bin/fuzz_pmap >out 2>err; rc=$?
expect zero_jobs_exit_2 2
"$pf" fuzz --bugs kmem-litter,no-such-bug --target lf/bin/fuzz_pmap \
    >out 2>err; rc=$?
expect unknown_bug_exits_2 2
grep_in unknown_bug_is_named err "no-such-bug"
"$pf" fuzz extra-argument >out 2>err; rc=$?
expect positional_argument_exits_2 2

"$pf" fuzz --target "$tmp/no-such-target" >out 2>err; rc=$?
expect missing_target_exits_2 2
grep_in missing_target_is_named err "--target $tmp/no-such-target"
PMAPFUZZ_TARGET="$tmp/no-such-target" "$pf" fuzz >out 2>err; rc=$?
expect missing_env_target_exits_2 2
grep_in missing_env_target_is_named err "\$PMAPFUZZ_TARGET $tmp/no-such-target"
"$pf" fuzz --target seeds/seed-1 >out 2>err; rc=$?
expect non_target_exits_2 2
grep_in non_target_is_explained err "is not a fuzz target"

mkdir nopath
PATH="$tmp/nopath" "$pf" fuzz --engine afl >out 2>err; rc=$?
expect missing_afl_exits_2 2
grep_in missing_afl_names_the_package err "apt-get install afl++"

# With nothing to find: a lone copy of pmapfuzz, run where there is no
# build/ either.
mkdir -p lone/bin lone/cwd
cp "$pf" lone/bin/pmapfuzz
(cd lone/cwd && ../bin/pmapfuzz fuzz >../../out 2>../../err); rc=$?
expect no_target_found_exits_2 2
grep_in no_target_found_names_the_build err "make build-fuzz"
grep_in no_target_found_lists_where_it_looked err "build/fuzz/bin/fuzz_pmap"
[ -e lone/cwd/out ] && { echo "FAIL no_target_found_writes_nothing"; \
    fails=$((fails + 1)); }

"$pf" fuzz --help >out 2>err; rc=$?
expect help_exits_0 0
grep_in help_lists_engine_option out "--engine libfuzzer|afl"

# --- a libFuzzer campaign ---------------------------------------------
FAKE_MIN="$tmp/min.bin" "$pf" fuzz --out camp --target lf/bin/fuzz_pmap \
    --jobs 1 --time 1 --bugs kmem-litter --corpus seeds >out 2>err; rc=$?
expect libfuzzer_campaign_with_a_finding_exits_1 1
grep_in finding_line out "FINDING: $title"
grep_in one_job_runs_plainly seen "-max_total_time=1 -artifact_prefix=camp/crashes/"
not_in one_job_does_not_fork seen "-fork"
grep_in bugs_reach_the_target seen "bugs=kmem-litter"
grep_in progress_comes_from_the_engines_lines out \
    "execs 4096 (2048/s) corpus 3 cov 12 ft 25 crashes 1"
grep_in minimizer_result_is_taken out "libFuzzer minimizer: 3 -> 2 ops"
grep_in campaign_reports_every_title seen "only=unset"
grep_in minimizer_target_reports_the_finding_title_alone seen.min \
    "only=$title"
# The sanitizers' options as they are here (set under the asan preset,
# unset under release), with symbolize=0 appended for libFuzzer and its
# minimizer.
quiet="asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}symbolize=0"
quiet="$quiet ubsan=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}symbolize=0"
grep_in libfuzzer_crash_stacks_are_not_symbolized seen "$quiet"
grep_in minimizer_crash_stacks_are_not_symbolized seen.min "$quiet"
is_file finding_folder_has_the_trace \
    camp/findings/stale-pte-in-pmap_remove-kmem_free/input.trace
for f in input.bin report.txt crashes.txt original.bin; do
	is_file "finding_folder_has_$f" \
	    "camp/findings/stale-pte-in-pmap_remove-kmem_free/$f"
done
"$pf" replay --check-expect \
    camp/findings/stale-pte-in-pmap_remove-kmem_free/input.trace >out2 2>err
rc=$?
expect finding_trace_replays_to_its_title 0
is_file grown_corpus_is_kept camp/corpus/new-unit
is_file seed_is_copied_into_the_corpus camp/corpus/seed-1
if [ "$(ls seeds)" = seed-1 ]; then echo "ok seed_corpus_is_not_written"
else echo "FAIL seed_corpus_is_not_written"; fails=$((fails + 1)); fi

# The minimizer's output is refused when it loses the title.
users_ubsan="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}symbolize=1"
FAKE_MIN="$tmp/clean.bin" UBSAN_OPTIONS=$users_ubsan "$pf" fuzz --out camp \
    --target lf/bin/fuzz_pmap --jobs 1 --time 1 --bugs kmem-litter --corpus seeds >out 2>err; rc=$?
expect campaign_again_exits_1 1
grep_in minimizer_result_losing_the_title_is_refused out \
    "libFuzzer minimizer: rejected (its output replays clean)"
grep_in a_users_symbolize_choice_stands seen \
    "asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}symbolize=0 ubsan=$users_ubsan"
grep_in previous_results_are_put_aside out "results moved to camp/previous"
is_file previous_findings_are_kept \
    camp/previous/findings/stale-pte-in-pmap_remove-kmem_free/input.trace

"$pf" fuzz --out camp --target lf/bin/fuzz_pmap --jobs 3 --time 1 \
    --corpus seeds >out 2>err; rc=$?
expect campaign_without_bugs_still_triages 0
grep_in jobs_fork seen "-fork=3 -ignore_crashes=1"
grep_in crash_that_replays_clean_is_reported out \
    "not reproducible (replays clean)"
grep_in clean_crash_is_listed camp/findings/not-reproducible.txt \
    "camp/crashes/crash-fake1"

# Ctrl-C: the engine is stopped, and the triage still runs.
FAKE_MODE=interrupt "$pf" fuzz --out camp --target lf/bin/fuzz_pmap \
    --jobs 1 --time 60 --bugs kmem-litter --corpus seeds >out 2>err; rc=$?
expect interrupted_campaign_exits_1 1
grep_in interrupt_is_forwarded out "stopping: SIGTERM to the engines"
grep_in interrupted_engine_exit out "libfuzzer: exit 72 (interrupted)"
grep_in interrupted_campaign_triages out "FINDING: $title"
grep_in interrupted_campaign_skips_the_engine_minimizer out \
    "libFuzzer minimizer: skipped (interrupted)"
is_file interrupted_campaign_keeps_its_corpus camp/corpus/new-unit

# --- an AFL++ campaign --------------------------------------------------
mkdir -p afl/bin afl/lib aflpath
printf '#!/bin/sh\n# LLVMFuzzerTestOneInput __afl_area_ptr\nexit 0\n' \
    >afl/bin/fuzz_pmap
chmod +x afl/bin/fuzz_pmap
: >afl/lib/libpmapfuzz_mutator.so
cat >aflpath/afl-fuzz <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in
	-i) in=$2; shift ;;
	-o) out=$2; shift ;;
	-M|-S) name=$2; shift ;;
	-V) secs=$2; shift ;;
	--) shift; break ;;
	esac
	shift
done
d=$out/$name
mkdir -p "$d/queue" "$d/crashes"
echo "$* bugs=$PMAPFUZZ_BUGS ui=$AFL_NO_UI mutator=$AFL_CUSTOM_MUTATOR_LIBRARY V=$secs in=$in asan=${ASAN_OPTIONS-unset}" >"$FAKE_SEEN.$name"
cp "$FAKE_CRASH" "$d/crashes/id:000000,sig:06,src:000000,time:10,op:havoc"
echo readme >"$d/crashes/README.txt"
printf 'queue entry of %s' "$name" >"$d/queue/id:000001,op:havoc"
now=$(date +%s)
printf 'start_time : %s\nlast_update : %s\nexecs_done : 500\nexecs_per_sec : 250.00\ncorpus_count : 1\nbitmap_cvg : 1.50%%\n' \
    "$now" "$now" >"$d/fuzzer_stats"
exit 0
EOF
printf '#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done\necho "only=$PMAPFUZZ_ONLY_TITLE asan=${ASAN_OPTIONS-unset}" >"$FAKE_SEEN.tmin"\ncp "$FAKE_MIN" "$out"\n' \
    >aflpath/afl-tmin
chmod +x aflpath/afl-fuzz aflpath/afl-tmin
rm -rf camp
FAKE_MIN="$tmp/min.bin" PATH="$tmp/aflpath:$PATH" "$pf" fuzz --engine afl \
    --out camp --target afl/bin/fuzz_pmap --jobs 2 --time 7 --bugs kmem-litter \
    --corpus seeds >out 2>err; rc=$?
expect afl_campaign_with_a_finding_exits_1 1
grep_in afl_main_runs_the_target seen.main \
    "afl/bin/fuzz_pmap bugs=kmem-litter ui=1"
grep_in afl_main_stops_after_the_budget seen.main "V=7"
grep_in afl_gets_the_sanitizer_options_as_they_are seen.main \
    "asan=${ASAN_OPTIONS-unset}"
grep_in afl_main_reads_the_grown_corpus seen.main "in=camp/corpus"
grep_in afl_gets_the_custom_mutator seen.main \
    "mutator=afl/bin/../lib/libpmapfuzz_mutator.so"
is_file afl_secondary_runs seen.s1
grep_in afl_finding_line out "FINDING: $title"
grep_in afl_progress_from_stats out \
    "execs 1000 (500/s) corpus 1 bitmap 1.50% crashes 2"
grep_in afl_both_crashes_are_one_finding out \
    "triage: 2 crash files, 1 distinct finding, 0 not reproducible"
grep_in afl_tmin_result_is_taken out "AFL++ minimizer: 3 -> 2 ops"
grep_in afl_tmin_target_reports_the_finding_title_alone seen.tmin \
    "only=$title"
# afl-tmin refuses an ASAN_OPTIONS without abort_on_error=1: it gets ours.
grep_in afl_tmin_gets_the_sanitizer_options_as_they_are seen.tmin \
    "asan=${ASAN_OPTIONS-unset}"
if [ "$(ls camp/corpus | grep -c '^afl-')" -eq 2 ]; then
	echo "ok afl_queues_are_folded_into_the_corpus"
else
	echo "FAIL afl_queues_are_folded_into_the_corpus"; ls camp/corpus
	fails=$((fails + 1))
fi

PATH="$tmp/aflpath:$PATH" "$pf" fuzz --engine afl --target lf/bin/fuzz_pmap \
    >out 2>err; rc=$?
expect wrong_engine_target_exits_2 2
grep_in wrong_engine_target_is_explained err \
    "is a libFuzzer target, not a AFL++ one"

finish

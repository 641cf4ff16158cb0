#!/bin/sh
# triage.sh - `pmapfuzz triage` and `pmapfuzz promote` on crash files made
# with `pmapfuzz compile` from known reproducers: grouping by title, the
# op-level reduction, the findings folders, crash files that replay clean,
# deterministic output, and promotion into a regression directory that
# ctest would run.  Usage: sh triage.sh PMAPFUZZ
. "$(dirname "$0")/lib/prologue.sh"
cd "$tmp" || exit 1
unset PMAPFUZZ_BUGS PMAPFUZZ_CHECKS

# ops_in NAME TRACE N: the trace has N op lines.
ops_in() {
	n=$(grep -cv -e '^#' -e '^config ' "$2")
	if [ "$n" -eq "$3" ]; then echo "ok $1"; else
		echo "FAIL $1: $n ops in $2, expected $3"; sed 's/^/  /' "$2"
		fails=$((fails + 1)); fi
}

# Seed 1 (kmem-litter) twice, once with ops that do not matter; seed 2
# (apt-intr-clobber); and an empty program, which replays clean.
mkdir crashes
cat >seed1.trace <<'TRACE'
config cpus=1 ps=1 mem=4096
kmem_alloc kregion=0 page=0 npages=512 mode=1
kmem_free kregion=0 page=0 npages=512
TRACE
cat >seed1-padded.trace <<'TRACE'
config cpus=2 ps=1 mem=8192
map as=1 region=0 page=3 npages=2 prot=3 wired=0
kmem_alloc kregion=0 page=0 npages=512 mode=1
switch as=1 cpu=1
kmem_free kregion=0 page=0 npages=512
unmap as=1 region=0 page=3 npages=2
TRACE
cat >seed2.trace <<'TRACE'
config cpus=1 ps=1 mem=4096
fork parent=0 child=1
switch as=1 cpu=0
map as=1 region=0 page=0 npages=4 prot=3 wired=0
touch as=1 region=0 page=0 access=1 cpu=0
switch as=0 cpu=0
io_start as=1 region=0 page=0 npages=4 write=1 buf=0
arm_intr_io_done n=4 site=3 buf=0
fork parent=0 child=2
TRACE
for t in seed1 seed1-padded seed2; do
	"$pf" compile "$t.trace" -o "crashes/crash-$t" 2>err
done
printf '\000\001\000\000' >crashes/crash-clean
echo 'not a crash' >crashes/.hidden

bugs=kmem-litter,apt-intr-clobber
t1='stale-pte in pmap_remove (kmem_free)'
t2='wrong-address-space in pmap_enter (fork)'
f1=tri/findings/stale-pte-in-pmap_remove-kmem_free
f2=tri/findings/wrong-address-space-in-pmap_enter-fork

"$pf" triage --out tri --bugs "$bugs" crashes >out 2>err; rc=$?
expect triage_with_findings_exits_1 1
if [ "$(head -n 2 out)" = "FINDING: $t1
FINDING: $t2" ]; then
	echo "ok findings_come_first_in_title_order"
else
	echo "FAIL findings_come_first_in_title_order"; head -n 2 out
	fails=$((fails + 1))
fi
grep_in summary_counts out \
    "triage: 4 crash files, 2 distinct findings, 1 not reproducible"
grep_in same_title_is_one_group out "     2          -  $t1"
grep_in clean_crash_is_reported out "     1          -  not reproducible"
grep_in clean_crash_is_listed tri/findings/not-reproducible.txt \
    "crashes/crash-clean"
for f in input.bin input.trace report.txt crashes.txt original.bin; do
	[ -f "$f1/$f" ] && [ -f "$f2/$f" ] && echo "ok folders_hold_$f" || {
		echo "FAIL folders_hold_$f"; fails=$((fails + 1)); }
done
grep_in trace_expects_the_title "$f1/input.trace" "# expect: $t1"
grep_in trace_names_the_bugs "$f1/input.trace" "# bugs: $bugs"
grep_in report_starts_with_the_finding "$f1/report.txt" "FINDING: $t1"
grep_in crashes_lists_both_files "$f1/crashes.txt" "crashes/crash-seed1-padded"
ops_in seed1_reduces_to_alloc_and_free "$f1/input.trace" 2
grep_in reduction_lowers_npages "$f1/input.trace" "npages=1 "
ops_in seed2_reduction_drops_ops "$f2/input.trace" 5
"$pf" replay --check-expect "$f1/input.trace" "$f2/input.trace" >out2 2>err
rc=$?
expect reduced_traces_replay_to_their_titles 0
"$pf" compile "$f2/input.trace" -o again.bin 2>err
if cmp -s again.bin "$f2/input.bin"; then
	echo "ok input_bin_is_the_trace_compiled"
else
	echo "FAIL input_bin_is_the_trace_compiled"; fails=$((fails + 1))
fi
if cmp -s "$f1/original.bin" crashes/crash-seed1; then
	echo "ok original_is_the_first_crash_file"
else
	echo "FAIL original_is_the_first_crash_file"; fails=$((fails + 1))
fi

cp out first.out
"$pf" triage --out tri --bugs "$bugs" crashes >out 2>err
if cmp -s out first.out; then echo "ok triage_output_is_deterministic"
else echo "FAIL triage_output_is_deterministic"; diff first.out out
	fails=$((fails + 1)); fi

"$pf" triage --out clean crashes/crash-clean >out 2>err; rc=$?
expect only_clean_crashes_exit_0 0
"$pf" triage --out tri --bugs no-such-bug crashes >out 2>err; rc=$?
expect triage_unknown_bug_exits_2 2
"$pf" triage --out tri --target crashes/crash-clean crashes >out 2>err; rc=$?
expect triage_non_target_exits_2 2

# --- promote ------------------------------------------------------------
mkdir -p tests/regress
"$pf" promote "$f1" >out 2>err; rc=$?
expect promote_exits_0 0
grep_in promote_prints_the_path out \
    "tests/regress/stale-pte-in-pmap_remove-kmem_free.trace"
"$pf" replay --check-expect \
    tests/regress/stale-pte-in-pmap_remove-kmem_free.trace >out 2>err; rc=$?
expect promoted_trace_passes_check_expect 0
"$pf" promote "$f1" >out 2>err; rc=$?
expect promote_refuses_to_overwrite 2
grep_in promote_says_why err "exists (--force replaces it"
"$pf" promote --force "$f1/" >out 2>err; rc=$?
expect promote_force_overwrites 0
"$pf" promote --name seed2-from-triage "$f2" >out 2>err; rc=$?
expect promote_with_a_name 0
grep_in promote_uses_the_name out "tests/regress/seed2-from-triage.trace"
"$pf" promote --name ../escape "$f2" >out 2>err; rc=$?
expect promote_refuses_a_path_as_name 2
"$pf" promote crashes >out 2>err; rc=$?
expect promote_of_a_non_folder_exits_2 2
grep_in promote_non_folder_is_explained err "is not a findings folder"
"$pf" promote --regress-dir nowhere "$f2" >out 2>err; rc=$?
expect promote_without_regress_dir_exits_2 2

# A hand-made folder whose trace does not give its expectation.
mkdir -p hand
{ echo '# name: hand made'; echo '# expect: clean'
  echo '# bugs: kmem-litter'; cat seed1.trace; } >hand/input.trace
"$pf" promote hand >out 2>err; rc=$?
expect promote_of_a_wrong_expectation_exits_1 1
grep_in promote_shows_expected_and_got err "got:      $t1"
[ -e tests/regress/hand.trace ] && { echo "FAIL wrong_trace_not_written"; \
    fails=$((fails + 1)); }

finish

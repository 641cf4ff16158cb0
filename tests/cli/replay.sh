#!/bin/sh
# replay.sh - `pmapfuzz replay`: exit 0 clean, 1 with "FINDING: <title>"
# first; where bug switches come from; --check-expect; --json; determinism.
# Usage: sh replay.sh PMAPFUZZ
. "$(dirname "$0")/lib/prologue.sh"
cd "$tmp" || exit 1

# first_line NAME TEXT: the first line of stdout must be TEXT.
first_line() {
	if [ "$(head -n 1 out)" = "$2" ]; then
		echo "ok $1"
	else
		echo "FAIL $1: first line '$(head -n 1 out)', expected '$2'"
		fails=$((fails + 1))
	fi
}

# Seed 1 without headers: the bug switches come from elsewhere.
cat >seed1.trace <<'TRACE'
config cpus=1 ps=1 mem=4096
kmem_alloc kregion=0 page=0 npages=512 mode=1
kmem_free kregion=0 page=0 npages=512
kmem_alloc kregion=0 page=0 npages=512 mode=0
TRACE
{ echo '# bugs: kmem-litter'; cat seed1.trace; } >seed1-bug.trace

"$pf" replay seed1.trace >out 2>err; rc=$?
expect clean_replay_exits_0 0
case $(head -n 1 out) in
"clean seed1.trace hash 0x"*) echo "ok clean_replay_prints_clean_and_hash" ;;
*) echo "FAIL clean_replay_prints_clean_and_hash: $(head -n 1 out)"
   fails=$((fails + 1)) ;;
esac

"$pf" replay seed1-bug.trace >out 2>err; rc=$?
expect finding_exits_1 1
first_line finding_is_the_first_line \
    "FINDING: stale-pte in pmap_remove (kmem_free)"

"$pf" replay --bugs kmem-litter seed1.trace >out 2>err; rc=$?
expect bugs_option_turns_a_bug_on 1

"$pf" replay --bugs '' seed1-bug.trace >out 2>err; rc=$?
expect bugs_option_wins_over_header 0

PMAPFUZZ_BUGS=kmem-litter "$pf" replay seed1.trace >out 2>err; rc=$?
expect environment_turns_a_bug_on 1

PMAPFUZZ_BUGS=kmem-litter "$pf" replay --bugs '' seed1.trace >out 2>err
rc=$?
expect bugs_option_wins_over_environment 0

"$pf" replay --checks all,-stale-pte seed1-bug.trace >out 2>err; rc=$?
expect checks_option_selects_invariants 1
first_line checks_leave_stale_pte_out \
    "FINDING: illegal-promotion in pmap_enter (kmem_alloc)"

"$pf" replay seed1.trace seed1-bug.trace seed1.trace >out 2>err; rc=$?
expect several_files_exit_1_if_any_finding 1

{ echo '# expect: clean'; cat seed1-bug.trace; } >wrong.trace
"$pf" replay --check-expect wrong.trace >out 2>err; rc=$?
expect check_expect_mismatch_exits_1 1
if grep -q '^expected: clean$' out &&
    grep -q '^got: *stale-pte in pmap_remove (kmem_free)$' out; then
	echo "ok check_expect_prints_expected_and_got"
else
	echo "FAIL check_expect_prints_expected_and_got"
	sed 's/^/  /' out
	fails=$((fails + 1))
fi

{ echo '# expect: stale-pte in pmap_remove (kmem_free)'
  cat seed1-bug.trace; } >right.trace
PMAPFUZZ_BUGS=wa-zero-on-unmap "$pf" replay --check-expect right.trace \
    >out 2>err; rc=$?
expect check_expect_match_ignores_environment 0

"$pf" replay --json seed1-bug.trace >out 2>err; rc=$?
expect json_finding_exits_1 1
case $(head -n 1 out) in
'{"file": "seed1-bug.trace", "result": "finding", "title": "stale-pte in pmap_remove (kmem_free)", "op_index": 1,'*'"hash": "0x'*'}')
	echo "ok json_is_one_object_per_file" ;;
*)	echo "FAIL json_is_one_object_per_file: $(head -n 1 out)"
	fails=$((fails + 1)) ;;
esac

"$pf" replay seed1-bug.trace >out1 2>err
"$pf" replay seed1-bug.trace >out2 2>err
if cmp -s out1 out2; then
	echo "ok replay_output_is_deterministic"
else
	echo "FAIL replay_output_is_deterministic"
	fails=$((fails + 1))
fi

finish

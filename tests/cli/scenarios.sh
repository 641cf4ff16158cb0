#!/bin/sh
# scenarios.sh - `pmapfuzz scenarios`, `list` and the command dispatcher:
# scenario output is deterministic, bug switches change exactly the
# scenarios they concern, an assertion is a finding, and usage errors exit
# 2 with the reason on stderr.  Usage: sh scenarios.sh PMAPFUZZ
. "$(dirname "$0")/lib/prologue.sh"
cd "$tmp" || exit 1

# line_of FILE NAME: the output line of scenario NAME.
line_of() {
	grep "^$2 " "$1"
}

# same_line NAME A B SCEN / differ_line: scenario SCEN's line in A and B.
same_line() {
	if [ "$(line_of "$2" "$4")" = "$(line_of "$3" "$4")" ]; then
		echo "ok $1"
	else
		echo "FAIL $1: $4 differs"
		fails=$((fails + 1))
	fi
}
differ_line() {
	if [ "$(line_of "$2" "$4")" != "$(line_of "$3" "$4")" ]; then
		echo "ok $1"
	else
		echo "FAIL $1: $4 is the same"
		fails=$((fails + 1))
	fi
}

unset PMAPFUZZ_BUGS
"$pf" scenarios >fixed 2>err; rc=$?
expect fixed_core_runs_clean 0
"$pf" scenarios >fixed2 2>err; rc=$?
if cmp -s fixed fixed2; then echo "ok output_is_deterministic"; else
	echo "FAIL output_is_deterministic"; fails=$((fails + 1)); fi
grep_in promotion_counted fixed \
    "promote-user-2m          promotions 1 p_failures 0 demotions 0"
grep_in failed_demotion_counted fixed \
    "demote-fail-destroys     promotions 1 p_failures 0 demotions 0 d_failures 1"

"$pf" scenarios --bugs kmem-litter >litter 2>err; rc=$?
expect kmem_litter_is_a_finding 1
grep_in finding_line_first litter "FINDING: assert in scenario kmem-reuse-after-free"
grep_in assert_message_shown litter \
    "  assert: pmap_enter_pde: attempted pmap_enter on 2MB page at va 0xffffffff80001000"
same_line litter_leaves_user_scenarios_alone fixed litter promote-user-2m
"$pf" scenarios --bugs kmem-litter,wa-already-mapped >wa 2>err; rc=$?
expect workaround_a_avoids_the_assert 0

"$pf" scenarios --bugs apt-intr-clobber >apt 2>err; rc=$?
expect apt_intr_clobber_runs 0
differ_line apt_intr_clobber_changes_fork_kstack fixed apt fork-kstack-io-intr
same_line apt_intr_clobber_leaves_kmem_alone fixed apt kmem-reuse-after-free
PMAPFUZZ_BUGS=apt-intr-clobber "$pf" scenarios >env 2>err; rc=$?
if cmp -s apt env; then echo "ok bugs_from_environment"; else
	echo "FAIL bugs_from_environment"; fails=$((fails + 1)); fi

"$pf" scenarios promote-user-2m demote-on-protect >two 2>err; rc=$?
expect named_scenarios_run 0
[ "$(wc -l <two)" -eq 2 ] && echo "ok only_named_scenarios" || {
	echo "FAIL only_named_scenarios"; fails=$((fails + 1)); }

"$pf" scenarios --bugs kmem-litter,no-such-bug >out 2>err; rc=$?
expect unknown_bug_exits_2 2
grep_in unknown_bug_is_named err "unknown bug 'no-such-bug'"
"$pf" scenarios no-such-scenario >out 2>err; rc=$?
expect unknown_scenario_exits_2 2
grep_in unknown_scenario_is_named err "unknown scenario 'no-such-scenario'"

"$pf" list bugs >out 2>err; rc=$?
expect list_bugs_exits_0 0
grep_in list_bugs_has_kind_and_invariant out "kmem-litter          bug        stale-pte"
"$pf" list sites >out 2>err; rc=$?
expect list_sites_exits_0 0
grep_in list_sites_has_numbers out "15 FI_ALLOC_PV"
"$pf" list scenarios >out 2>err; rc=$?
grep_in list_scenarios out "fork-kstack-io-intr"
"$pf" list frobs >out 2>err; rc=$?
expect list_of_unknown_exits_2 2

"$pf" no-such-command >out 2>err; rc=$?
expect unknown_command_exits_2 2
grep_in unknown_command_shows_usage err "usage: pmapfuzz COMMAND"
"$pf" >out 2>err; rc=$?
expect no_command_exits_2 2
"$pf" --help >out 2>err; rc=$?
expect help_exits_0 0
grep_in help_lists_scenarios out "  scenarios "
"$pf" help scenarios >out 2>err; rc=$?
expect help_command_exits_0 0
grep_in help_command_shows_usage out "usage: pmapfuzz scenarios"

finish

#!/bin/sh
# errors.sh - usage and input errors of the pmapfuzz CLI exit 2 with the
# reason on stderr; --help exits 0.  Usage: sh errors.sh PMAPFUZZ
. "$(dirname "$0")/lib/prologue.sh"
cd "$tmp" || exit 1

printf 'kmem_alloc kregion=0 page=0 npages=512 mode=1\nmapp as=0\n' \
    >bad.trace
"$pf" replay bad.trace >out 2>err; rc=$?
expect malformed_trace_exits_2 2
grep_in malformed_trace_names_file_line_col err \
    "bad.trace:2:1: expected an op name, got 'mapp'"
[ -s out ] && { echo "FAIL malformed_trace_prints_nothing"; \
    fails=$((fails + 1)); }
"$pf" print bad.trace >out 2>err; rc=$?
expect print_of_malformed_trace_exits_2 2
"$pf" compile bad.trace -o bad.bin >out 2>err; rc=$?
expect compile_of_malformed_trace_exits_2 2
grep_in compile_names_file_line_col err "bad.trace:2:1: expected"

printf 'kmem_alloc kregion=0 page=0 npages=512 mode=1\n' >good.trace
"$pf" replay --bugs kmem-litter,no-such-bug good.trace >out 2>err; rc=$?
expect unknown_bug_on_command_line_exits_2 2
grep_in unknown_bug_is_named err "no-such-bug"

printf '# bugs: no-such-bug\nkmem_free kregion=0 page=0 npages=1\n' \
    >hdr.trace
"$pf" replay hdr.trace >out 2>err; rc=$?
expect unknown_bug_in_header_exits_2 2
grep_in unknown_bug_in_header_is_named err "no-such-bug"

PMAPFUZZ_BUGS=no-such-bug "$pf" replay good.trace >out 2>err; rc=$?
expect unknown_bug_in_environment_exits_2 2
grep_in unknown_bug_in_environment_is_named err "PMAPFUZZ_BUGS"

"$pf" replay --checks stale-pte,no-such-check good.trace >out 2>err; rc=$?
expect unknown_check_exits_2 2

"$pf" replay --no-such-option good.trace >out 2>err; rc=$?
expect unknown_option_exits_2 2
grep_in unknown_option_shows_usage err "usage: pmapfuzz replay"

"$pf" replay no-such-file.trace >out 2>err; rc=$?
expect missing_file_exits_2 2
grep_in missing_file_is_named err "no-such-file.trace"

"$pf" replay >out 2>err; rc=$?
expect replay_without_file_exits_2 2

"$pf" compile good.trace >out 2>err; rc=$?
expect compile_without_output_exits_2 2

"$pf" replay --check-expect good.trace >out 2>err; rc=$?
expect check_expect_without_header_exits_2 2

"$pf" sweep --kinds alloc,nope good.trace >out 2>err; rc=$?
expect unknown_sweep_kind_exits_2 2

"$pf" no-such-command >out 2>err; rc=$?
expect unknown_command_exits_2 2

for cmd in replay print compile sweep; do
	"$pf" "$cmd" --help >out 2>err; rc=$?
	expect "${cmd}_help_exits_0" 0
	grep_in "${cmd}_help_shows_usage" out "usage: pmapfuzz $cmd"
done

finish

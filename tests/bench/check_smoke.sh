#!/bin/sh
# check_smoke.sh - bench_check runs every mode to the end, and every mode
# ends in the same state: neither checking nor recording what a checker
# reads changes what the core does.  A bad BENCH_CHECKS id exits 2, names
# the id and the command that lists the good ones.  No timing is asserted
# (the ratios are for people to read).
# Usage: sh check_smoke.sh BENCH_CHECK
set -u
bc=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! BENCH_ROUNDS=1 "$bc" 3000 >"$tmp/out" 2>"$tmp/err"; then
	echo "FAIL bench_check 3000 exited non-zero"
	cat "$tmp/out" "$tmp/err"
	exit 1
fi
modes=$(awk 'NR > 1 { print $1 }' "$tmp/out" | tr '\n' ' ')
if [ "$modes" != "off log call op sweep " ]; then
	echo "FAIL modes \"$modes\", expected \"off log call op sweep \""
	cat "$tmp/out"
	exit 1
fi
hashes=$(awk 'NR > 1 { print $NF }' "$tmp/out" | sort -u | wc -l)
if [ "$hashes" -ne 1 ]; then
	echo "FAIL the modes end in $hashes different states"
	cat "$tmp/out"
	exit 1
fi
echo "ok every mode ran and ended in the same state"

BENCH_ROUNDS=1 BENCH_CHECKS=stale-pte,nosuch "$bc" 100 call \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q 'unknown invariant "nosuch"' "$tmp/err" ||
    ! grep -q '"pmapfuzz list checks"' "$tmp/err"; then
	echo "FAIL BENCH_CHECKS=stale-pte,nosuch: exit $rc, stderr:"
	cat "$tmp/err"
	exit 1
fi
echo "ok a bad BENCH_CHECKS id exits 2 and is named, with the list command"

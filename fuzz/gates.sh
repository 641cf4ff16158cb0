#!/bin/bash
#
# gates.sh - the fuzzing gates of `make check`, run through the campaign
# command itself (so the campaign path is tested too):
#   1. each seeded bug is found from an EMPTY corpus by one libFuzzer job
#      within GATE_TIME seconds (default 60), with a title naming the
#      invariant the bug table says catches it.  The run checks that
#      invariant only (--checks), as someone hunting that bug class would:
#      a bug switch that removes interrupt protection also lets the core
#      trip its own asserts, and one libFuzzer job stops at its first crash;
#   2. the fixed core survives GATE_TIME seconds of libFuzzer on the seed
#      corpus, every check on, with no finding;
#   3. AFL++ builds and executes (AFL_TIME seconds, default 8) with the
#      record-aware custom mutator, so that path cannot rot;
#   4. the libFuzzer target crashes on a pinned title alone
#      (PMAPFUZZ_ONLY_TITLE, which the triage sets for the engines'
#      minimizers): a known crash input aborts with its own title pinned and
#      runs clean with another;
#   5. with a third argument, the fixed core survives ASAN_GATE_TIME
#      seconds (default 30) of libFuzzer under ASan and UBSan on the seed
#      corpus: gate 2 runs without sanitizers, so undefined behaviour or a
#      memory error that does not change the outcome would pass it;
#   6. bench/find_times.sh runs and reports: two trials on kmem-litter
#      (found in well under a second each), so the benchmark cannot rot.
#
# Usage: gates.sh LIBFUZZER_PMAPFUZZ AFL_PMAPFUZZ [SANITIZER_PMAPFUZZ]
#   each a pmapfuzz CLI built in the preset whose fuzz_pmap is beside it
#   (build/fuzz/bin/pmapfuzz, build/afl/bin/pmapfuzz,
#   build/fuzz-asan/bin/pmapfuzz).
# Run from the source tree.  Exit 0 when every gate passes.
#
# Each campaign runs under `timeout`: its --time bounds the engine, and its
# triage bounds every replay, so one that outlives its budget by
# CAMPAIGN_SLACK seconds (default 240) is hung; the gate then fails with
# exit 124 (or 137 after the SIGKILL 10 s later) instead of stalling CI.
set -u
lf=$1
afl=$2
san=${3:-}
gate_time=${GATE_TIME:-60}
asan_gate_time=${ASAN_GATE_TIME:-30}
afl_time=${AFL_TIME:-8}
slack=${CAMPAIGN_SLACK:-240}

# A campaign of $1 seconds: the rest of the command line, bounded.
campaign() {
	local secs=$1
	shift
	timeout -k 10 $((secs + slack)) "$@"
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "GATE FAIL: $*"
	fails=$((fails + 1))
}

# The invariant the bug table names for a bug (`pmapfuzz list bugs`).
bug_invariant() {
	"$lf" list bugs | awk -v b="$1" '$1 == b { print $3 }'
}

# 1. Seeded bugs from an empty corpus.
for bug in kmem-litter apt-intr-clobber; do
	inv=$(bug_invariant "$bug")
	out=$tmp/seed-$bug
	mkdir -p "$tmp/empty-$bug"
	start=$(date +%s)
	campaign "$gate_time" "$lf" fuzz --engine libfuzzer --jobs 1 \
	    --time "$gate_time" --bugs "$bug" --checks "$inv" \
	    --corpus "$tmp/empty-$bug" --out "$out" >"$tmp/$bug.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	# The finding the bug table names, whatever else came with it.
	titles=$(sed -n 's/^FINDING: //p' "$out"/findings/*/report.txt \
	    2>/dev/null)
	title=$(printf '%s\n' "$titles" | grep -F -m 1 "$inv in ")
	if [ "$rc" -eq 1 ] && [ -n "$inv" ] && case "$title" in
	    "$inv in "*) true ;; *) false ;; esac; then
		echo "gate ok: $bug found from an empty corpus in ${secs}s" \
		    "(campaign, triage included): $title"
	else
		fail "$bug: exit $rc, titles '${titles:-none}', wanted" \
		    "'$inv in ...' within ${gate_time}s"
		tail -n 25 "$tmp/$bug.log"
	fi
done

# A libFuzzer campaign of $3 seconds on the fixed core with pmapfuzz $2
# (the seed corpus, every check on) must end without a finding; $1 names
# the build in the messages, $4 the output under $tmp.
fixed_core_clean() {
	local what=$1 bin=$2 secs=$3 out=$tmp/$4 rc
	campaign "$secs" "$bin" fuzz --engine libfuzzer --jobs 1 \
	    --time "$secs" --out "$out" >"$out.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "gate ok: fixed core clean$what for ${secs}s:" \
		    "$(grep -E 'execs|exec/s' "$out.log" | tail -n 1)"
	else
		fail "fixed core$what: exit $rc (a finding on the fixed core" \
		    "is an oracle or core bug, or undefined behaviour)"
		tail -n 40 "$out.log"
	fi
}

# 2. The fixed core: no finding.
fixed_core_clean "" "$lf" "$gate_time" fixed

# 3. AFL++ executes.
campaign "$afl_time" "$afl" fuzz --engine afl --jobs 1 --time "$afl_time" \
    --out "$tmp/afl" >"$tmp/afl.log" 2>&1
rc=$?
execs=$(awk -F: '/^execs_done/ { gsub(/ /, "", $2); print $2 }' \
    "$tmp"/afl/afl/*/fuzzer_stats 2>/dev/null | head -n 1)
if [ "$rc" -eq 0 ] && [ "${execs:-0}" -gt 0 ]; then
	echo "gate ok: AFL++ ran $execs executions in ${afl_time}s"
else
	fail "AFL++: exit $rc, execs_done '${execs:-none}'"
	tail -n 40 "$tmp/afl.log"
fi

# 4. The title pin, on the libFuzzer target beside $lf.
target=$(dirname "$lf")/fuzz_pmap
pin_title='stale-pte in pmap_remove (kmem_free)'
printf '%s\n' 'config cpus=1 ps=1 mem=4096' \
    'kmem_alloc kregion=0 page=0 npages=1 mode=0' \
    'kmem_free kregion=0 page=0 npages=1' >"$tmp/pin.trace"
"$lf" compile "$tmp/pin.trace" -o "$tmp/pin.bin" 2>"$tmp/pin.log"
pin_run() {
	PMAPFUZZ_BUGS=kmem-litter PMAPFUZZ_CHECKS=all \
	    PMAPFUZZ_ONLY_TITLE="$1" "$target" "$tmp/pin.bin" \
	    >"$tmp/pin.log" 2>&1
}
pin_run "$pin_title"
rc_own=$?
own=$(sed -n 's/^FINDING: //p' "$tmp/pin.log")
pin_run 'wrong-address-space in pmap_enter (map)'
rc_other=$?
if [ "$rc_own" -ne 0 ] && [ "$own" = "$pin_title" ] && [ "$rc_other" -eq 0 ]
then
	echo "gate ok: a pinned title crashes alone: '$own' (exit $rc_own)," \
	    "clean under another pin"
else
	fail "title pin: own title exit $rc_own '$own', another exit $rc_other"
	tail -n 20 "$tmp/pin.log"
fi

# 5. The fixed core under the sanitizers.
[ -z "$san" ] ||
    fixed_core_clean " under ASan and UBSan" "$san" "$asan_gate_time" fixed-san

# 6. The time-to-find benchmark, on the target beside $lf.
bash bench/find_times.sh -n 2 -t 30 "$target" kmem-litter \
    >"$tmp/find.log" 2>&1
rc=$?
row=$(awk '$1 == "kmem-litter"' "$tmp/find.log")
if [ "$rc" -eq 0 ] && case "$row" in
    *" 2/2 "*"stale-pte in "*) true ;;
    *) false ;; esac; then
	echo "gate ok: find_times.sh: $row"
else
	fail "find_times.sh: exit $rc, row '${row:-none}'"
	cat "$tmp/find.log"
fi

[ "$fails" -eq 0 ] && echo "gates: all passed" || echo "gates: $fails failed"
[ "$fails" -eq 0 ]

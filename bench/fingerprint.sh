#!/bin/sh
# fingerprint.sh - the observable behaviour of a pmapfuzz build over a set of
# inputs, for refactoring: for each input and each bug setting below, the
# replay outcome (clean or the finding's title and op index) and the state
# hash.  Two builds behave the same on the set when their outputs are equal:
#
#	bench/fingerprint.sh build/bin/pmapfuzz DIR|FILE... > before.txt
#	(change, rebuild)
#	bench/fingerprint.sh build/bin/pmapfuzz DIR|FILE... | diff before.txt -
#
# The settings cover the fixed core, every bug switch alone and each seed
# bug with its workaround.  Output is sorted by file, so it does not depend
# on directory order.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 PMAPFUZZ DIR|FILE..." >&2; exit 2; }
bin=$1
shift
files=$(for p in "$@"; do
	if [ -d "$p" ]; then find "$p" -type f ! -name '.*'; else echo "$p"; fi
done | LC_ALL=C sort)
[ -n "$files" ] || { echo "$0: no inputs" >&2; exit 2; }
for bugs in none $("$bin" list bugs | awk '$2 == "bug" { print $1 }') \
    kmem-litter,wa-enter-multi kmem-litter,wa-zero-on-unmap \
    apt-intr-clobber,wa-busy-remove-all; do
	# replay exits 1 when any input has a finding; that is an outcome
	# here, not an error.  --checks all: traces' own headers do not narrow.
	sw=$bugs
	[ "$bugs" != none ] || sw=
	echo "$files" | tr '\n' '\0' |
	    xargs -0 "$bin" replay --json --checks all --bugs "$sw" |
	    sed 's/, "arms_fired".*"hash"/, "hash"/; s/^/'"$bugs"' /' || true
done

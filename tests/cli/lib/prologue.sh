# prologue.sh - what every tests/cli/*.sh script shares; source it first:
#	. "$(dirname "$0")/lib/prologue.sh"
# It takes the pmapfuzz binary from $1 into $pf, makes a scratch directory
# $tmp (removed on exit) and counts failures in $fails.  The checks below
# look at the status of the last command in $rc and at files named out and
# err in the current directory; finish ends the script.
set -u
pf=$1
fails=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# expect NAME STATUS: the last command ($rc) exited with STATUS.
expect() {
	if [ "$rc" -eq "$2" ]; then
		echo "ok $1"
	else
		echo "FAIL $1: exit $rc, expected $2"
		[ -f out ] && sed 's/^/  stdout: /' out
		[ -f err ] && sed 's/^/  stderr: /' err
		fails=$((fails + 1))
	fi
}

# grep_in NAME FILE TEXT: the fixed string TEXT occurs in FILE.
grep_in() {
	if grep -qF -- "$3" "$2"; then
		echo "ok $1"
	else
		echo "FAIL $1: '$3' not in $2:"
		sed 's/^/  /' "$2"
		fails=$((fails + 1))
	fi
}

# finish: exit 1 if any check failed.
finish() {
	[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
	echo "all passed"
}

#!/bin/bash -eu
#
# build.sh - build pmapfuzz's fuzz targets the way OSS-Fuzz and
# ClusterFuzzLite build projects: compile with $CC and $CFLAGS, link with
# $CXX (falling back to $CC) and $LIB_FUZZING_ENGINE, and install into $OUT
# every fuzz/fuzz_*.c target with its <target>_seed_corpus.zip (from
# fuzz/corpus/<target>/), <target>.dict and <target>.options.
#
# The same script serves OSS-Fuzz (projects/pmapfuzz/build.sh calls it),
# ClusterFuzzLite (.clusterfuzzlite/build.sh) and `make check`, which runs it
# with the variables OSS-Fuzz sets for libFuzzer + ASan into a temporary OUT.
#
# Environment: CC, CFLAGS, CXX (optional), LIB_FUZZING_ENGINE, OUT; SRC_ROOT
# (default: the checkout this script is in); WORK (default: a fresh temporary
# directory for objects).

root=${SRC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
: "${CC:?set CC (e.g. clang)}"
: "${OUT:?set OUT (the install directory)}"
: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE (e.g. -fsanitize=fuzzer)}"
CFLAGS=${CFLAGS:-}
LD=${CXX:-$CC}
work=${WORK:-$(mktemp -d)}
mkdir -p "$OUT" "$work"

defs="-std=c11 -D_POSIX_C_SOURCE=200809L -DPMAPFUZZ_FAULTS=1"
incs="-I$root/include -I$root/src -I$root/harness -I$root/fuzz"

# The oracle (model, checker, reports) gives no useful coverage feedback and
# its loops dominate an execution: compile it without the engine's
# instrumentation, as the CMake fuzz presets do.  Everything else keeps
# $CFLAGS as given.
oracle_re='/src/(model|invariants|inv_[a-z_]+|report|ptdump)\.c$'
oracle_cflags=${CFLAGS//-fsanitize=fuzzer-no-link/}

objs=()
compile() { # compile SRC FLAGS...
	local src=$1 obj
	shift
	obj="$work/$(echo "${src#"$root"/}" | tr / _).o"
	# shellcheck disable=SC2086 # flags are word lists
	"$CC" $defs $incs "$@" -c "$src" -o "$obj"
	objs+=("$obj")
}

for src in "$root"/src/*.c "$root"/harness/*.c "$root"/fuzz/*.c; do
	case "$src" in
	*/harness/main.c | */fuzz/fuzz_*.c | */fuzz/afl_*.c) continue ;;
	esac
	if [[ "$src" =~ $oracle_re ]]; then
		# shellcheck disable=SC2086
		compile "$src" $oracle_cflags
	else
		# shellcheck disable=SC2086
		compile "$src" $CFLAGS
	fi
done

# Seed corpora are zipped with zip(1) when it is there, else Python's zipfile.
zip_dir() { # zip_dir ZIPFILE DIR
	rm -f "$1"
	if command -v zip >/dev/null 2>&1; then
		(cd "$2" && zip -q -r "$1" .)
	else
		(cd "$2" && python3 -m zipfile -c "$1" ./*)
	fi
}

for target_src in "$root"/fuzz/fuzz_*.c; do
	name=$(basename "$target_src" .c)
	# shellcheck disable=SC2086
	"$CC" $defs $incs $CFLAGS -c "$target_src" -o "$work/$name.o"
	# shellcheck disable=SC2086
	"$LD" $CFLAGS "$work/$name.o" "${objs[@]}" $LIB_FUZZING_ENGINE -lm \
	    -o "$OUT/$name"
	if [ -d "$root/fuzz/corpus/$name" ] &&
	    [ -n "$(ls -A "$root/fuzz/corpus/$name")" ]; then
		zip_dir "$OUT/${name}_seed_corpus.zip" "$root/fuzz/corpus/$name"
	fi
	for ext in dict options; do
		if [ -f "$root/fuzz/$name.$ext" ]; then
			cp "$root/fuzz/$name.$ext" "$OUT/$name.$ext"
		fi
	done
	echo "built $OUT/$name"
done

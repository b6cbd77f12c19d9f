#!/bin/sh
# The source tree's layers (tests/layers.py): no folder of src/ uses one
# above it, conf/ only lib/, and no call chain from main.c crosses more
# than seven files.  The call graph is gcc's (-fcallgraph-info) for each
# of replyd's source files, compiled here the way the build does.
. "$(dirname "$0")/lib.sh"

SRC=$TOP_SRCDIR/src
BUILD=${MODULES:-$TOP_SRCDIR}
CI=$WORK/ci
mkdir -p "$CI"
failed=""
for f in $(cd "$SRC" && find . -name '*.c' ! -path './import/*' | sort); do
	f=${f#./}
	out=$CI/$(echo "$f" | tr / _)
	# shellcheck disable=SC2046 # pkg-config's flags are words
	(cd "$SRC" && gcc -c -O0 -fcallgraph-info -I. -I"$TOP_SRCDIR/include" \
	    -I"$BUILD" -DSYSCONFDIR='"/etc"' \
	    $(pkg-config --cflags libconfig 2> /dev/null) \
	    -o "$out.o" "$f" 2> "$out.err") || failed="$failed $f"
done
same "every source file compiles for the call graph" "$failed" ""
python3 "$TOP_SRCDIR/tests/layers.py" "$TOP_SRCDIR" "$CI" |
    while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok [0-9]* - }" ;;
	"not ok "*) not_ok "${line#not ok [0-9]* - }" ;;
	"1.."*) ;;
	*) echo "$line" ;;
	esac
    done > "$WORK/tap"
# The points were counted in a subshell: count them again here.
cat "$WORK/tap"
T=$((T + $(grep -c '^\(not \)\?ok ' "$WORK/tap")))
finish

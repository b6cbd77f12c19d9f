#!/bin/sh
# replyd-import on hostile input and on values whose meaning differs
# between xinetd/inetd and replyd: it opens only regular files (a FIFO
# would block it for ever, /dev/zero never ends) and never takes an
# error for the end of a file; what it writes always passes replyd -t.
. "$(dirname "$0")/lib.sh"

: "${REPLYD_IMPORT:=$(dirname "$REPLYD")/replyd-import}"
cd "$WORK" || exit 1

# import NAME ARGS...: replyd-import into NAME.conf and NAME.err, at
# most 10 s; RC is its status (124: it hung).
import() {
	local name=$1
	shift
	timeout 10 "$REPLYD_IMPORT" "$@" > "$WORK/$name.conf" \
	    2> "$WORK/$name.err" < /dev/null
	RC=$?
}

# --- Files that are no regular files, and errors that are no end.
mkfifo "$WORK/fifo"
import fifo "$WORK/fifo"
same "a FIFO named on the command line: refused at once (exit 66)" "$RC" 66
same "... saying why" "$(cat "$WORK/fifo.err")" \
    "replyd-import: $WORK/fifo: cannot read: a FIFO, not a regular file"
printf 'includedir %s/none\ninclude %s/fifo\n' "$WORK" "$WORK" > "$WORK/inc"
mkdir -p "$WORK/none"
import inc "$WORK/inc"
same "an xinetd include of a FIFO: refused at once (exit 66)" "$RC" 66
check "... naming the FIFO" grep -qF "$WORK/fifo: cannot read: a FIFO" \
    "$WORK/inc.err"
import zero /dev/zero
same "/dev/zero: refused (exit 66)" "$RC" 66
same "... as a device" "$(cat "$WORK/zero.err")" \
    "replyd-import: /dev/zero: cannot read: a device, not a regular file"
# A regular file of 64 MiB of NUL bytes (sparse: it takes no room):
# refused before it is read.
truncate -s 64M "$WORK/big"
timeout 10 "$REPLYD_IMPORT" "$WORK/big" > "$WORK/big.conf" 2> "$WORK/big.err"
RC=$?
same "a 64 MiB file: refused, not read until memory runs out (exit 66)" \
    "$RC" 66
same "... saying it is too large" "$(cat "$WORK/big.err")" \
    "replyd-import: $WORK/big: cannot read: larger than 16 MiB"
check "... and nothing is written" [ ! -s "$WORK/big.conf" ]
# 15 MiB, one line: within the limit, but more memory than is let
# while the line grows.  Running out is an error, not the end of the
# file (replyd-import needs less than 4 MB for real files).  The limit:
# 12 MB of address space (the line's buffer reaches 16 MB), or under
# AddressSanitizer, which needs terabytes of address space for itself,
# its own cap on one allocation.
truncate -s 15M "$WORK/line"
if ldd "$REPLYD_IMPORT" 2> /dev/null | grep -q libasan; then
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1:max_allocation_size_mb=4 \
	    timeout 10 "$REPLYD_IMPORT" "$WORK/line"
else
	(ulimit -v 12000; exec timeout 10 "$REPLYD_IMPORT" "$WORK/line")
fi > "$WORK/line.conf" 2> "$WORK/line.err"
RC=$?
same "memory running out mid-line: an error (exit 66), not an end" "$RC" 66
check "... reported against the file" \
    grep -q "^replyd-import: $WORK/line: cannot read: " "$WORK/line.err"

# --- Values that mean something else in replyd.
# passes FILE: the real replyd accepts it.
passes() {
	"$REPLYD" -t -c "$1" > "$WORK/t.out" 2>&1 && return 0
	sed 's/^/#   /' "$WORK/t.out"
	return 1
}
# block FILE NAME: the lines of service NAME, with its comments.
block() {
	awk -v want="name = \"$2\";" '
	/^$/ { buf = ""; next }
	{ buf = buf $0 "\n" }
	index($0, want) { found = 1 }
	found && /^#?\t\}/ { printf "%s", buf; exit }' "$1"
}
xsvc() {
	printf 'service %s\n{\n\ttype = INTERNAL\n\tsocket_type = stream\n' "$1"
	printf '\twait = no\n\tuser = nobody\n\tport = %s\n\tper_source = %s\n}\n' \
	    "$2" "$3"
}
{ xsvc echo 7007 0; xsvc daytime 7013 UNLIMITED; xsvc time 7037 5; } > xps
import xps "$WORK/xps"
same "xinetd per_source: imported (exit 0)" "$RC" 0
for n in echo daytime time; do block xps.conf $n > $n.block; done
check "per_source = 0 (xinetd: nobody gets in): the service is disabled" \
    grep -q '^#		name = "echo";' echo.block
check "... saying why" grep -q 'per_source = 0 lets no client in' echo.block
check "... and no per_source = 0 (replyd: no limit), even commented out" \
    sh -c "! grep -q 'per_source = 0;' echo.block"
check "per_source = UNLIMITED: no per_source line (replyd's default)" \
    sh -c "! grep -q per_source daytime.block"
check "per_source = 5: carried" grep -q '^		per_source = 5;' time.block
check "xinetd per_source: the output passes replyd -t" passes xps.conf

# inetd's nowait.N: N a minute.  Above replyd's highest rate it is no
# limit worth the name; below, the rate is written to the last digit.
printf 'echo stream tcp nowait.7 nobody internal\n' > inetd.conf
printf 'daytime stream tcp nowait.999999999 nobody internal\n' >> inetd.conf
printf 'time stream tcp nowait.60 nobody internal\n' >> inetd.conf
import nw "$WORK/inetd.conf"
same "nowait.N: imported (exit 0)" "$RC" 0
for n in echo daytime time; do block nw.conf $n > nw-$n.block; done
check "nowait.7: rate = 7/60 to the last digit" \
    grep -q '^		rate = 0.11666666666666667;' nw-echo.block
check "nowait.999999999: replyd's highest rate" \
    grep -q '^		rate = 1000000;' nw-daytime.block
check "nowait.60: rate = 1" grep -q '^		rate = 1;' nw-time.block
check "nowait.N: the output passes replyd -t" passes nw.conf
finish

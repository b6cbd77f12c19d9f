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
# A regular file of 64 MiB of NUL bytes (sparse: it takes no room),
# with memory limited so that a reader that grows a line for it fails.
truncate -s 64M "$WORK/big"
(ulimit -v 200000; exec timeout 10 "$REPLYD_IMPORT" "$WORK/big") \
    > "$WORK/big.conf" 2> "$WORK/big.err"
RC=$?
same "a 64 MiB file: refused, not read until memory runs out (exit 66)" \
    "$RC" 66
same "... saying it is too large" "$(cat "$WORK/big.err")" \
    "replyd-import: $WORK/big: cannot read: larger than 16 MiB"
check "... and nothing is written" [ ! -s "$WORK/big.conf" ]
# 15 MiB, one line: within the limit, but more than 24 MB of address
# space holds while the line grows.  Running out is an error, not the
# end of the file (replyd-import needs less than 4 MB for real files).
truncate -s 15M "$WORK/line"
(ulimit -v 24000; exec timeout 10 "$REPLYD_IMPORT" "$WORK/line") \
    > "$WORK/line.conf" 2> "$WORK/line.err"
RC=$?
same "memory running out mid-line: an error (exit 66), not an end" "$RC" 66
check "... reported against the file" \
    grep -q "^replyd-import: $WORK/line: cannot read: " "$WORK/line.err"
finish

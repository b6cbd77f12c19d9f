#!/bin/sh
# Clients that reset the connection, and requests at the edge of
# max_request, against every built-in stream handler: a reset is the
# client's choice, so the child ends with status 0 (not EX_IOERR, which
# the log would show as a failure) and the master goes on serving.
. "$(dirname "$0")/lib.sh"

cf=$(conf resets <<'C'
listen = "127.0.0.1";
port = 0;
timeout = 10;
services = (
	{ name = "reply"; },
	{ name = "echo"; handler = "echo"; },
	{ name = "discard"; handler = "discard"; },
	{ name = "chargen"; handler = "chargen"; },
	{ name = "status"; handler = "status"; },
	{ name = "short"; handler = "status"; max_request = 16; }
);
C
)
start resets "$cf" || exit 1

# ends_ok NAME: the master logged NAME's last child as exited with 0.
ends_ok() {
	wait_log "$LOG" "$1: child [0-9]+ (exited|killed)" &&
	    [ "$(grep -E "$1: child [0-9]+ (exited|killed)" "$LOG" |
	    tail -n 1 | sed -E 's/.* child [0-9]+ (.*) after .*/\1/')" = \
	    "exited with status 0" ]
}

for s in reply echo discard chargen status; do
	p=$(port_of "$LOG" "$s")
	"$TCLIENT" -R -d 'hello\n' 127.0.0.1 "$p" > /dev/null
	check "$s: a client that sends and resets: the child exits with 0" \
	    ends_ok "$s"
done
same "after the resets the master still serves" \
    "$("$TCLIENT" -H -d 'x' 127.0.0.1 "$(port_of "$LOG" reply)")" \
    "thank you !"
same "... echo too" \
    "$("$TCLIENT" -H -d 'again\n' 127.0.0.1 "$(port_of "$LOG" echo)")" \
    "again"

# chargen's client stops reading and then resets: the child is writing.
p=$(port_of "$LOG" chargen)
"$TCLIENT" -S 1 127.0.0.1 "$p" > /dev/null
"$TCLIENT" -R 127.0.0.1 "$p" > /dev/null
check "chargen: a reset while it writes: the child exits with 0" \
    ends_ok chargen

# An HTTP request head longer than max_request, never ended by a blank
# line: the status handler answers with what it read, at once, and does
# not wait for the rest until the timeout.
p=$(port_of "$LOG" short)
"$TCLIENT" -w 5 -d 'GET /metrics HTTP/1.0\r\nHost: x\r\n' 127.0.0.1 "$p" \
    > "$WORK/short.out"
same "a GET head past max_request: answered before the timeout" "$?" 0
check "... as HTTP" grep -q '^HTTP/1.0 200 OK' "$WORK/short.out"
check "... with the counters" grep -q '^replyd_up 1' "$WORK/short.out"
stop "$PID"
same "replyd stops cleanly" "$STATUS" 0
finish

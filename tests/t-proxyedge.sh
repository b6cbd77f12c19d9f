#!/bin/sh
# PROXY v1 headers that are almost right, from a trusted balancer: each
# is refused (no reply, connection closed, "malformed" logged) rather
# than read as far as it goes; a balancer that sends nothing is closed
# at the timeout; a well-formed header and PROXY UNKNOWN are served.
. "$(dirname "$0")/lib.sh"

cf=$(conf pxe <<'C'
listen = "127.0.0.1";
port = 0;
timeout = 1;
proxy_protocol = true;
proxy_from = [ "127.0.0.1" ];
C
)
start pxe "$cf" || exit 1
n=0
# refused WHAT HEADER: no reply, and one more "malformed" line.
refused() {
	n=$((n + 1))
	same "$1: no reply" "$("$TCLIENT" -w 3 -d "$2" 127.0.0.1 "$PORT")" ""
	check "$1: refused as malformed" wait_count "$LOG" \
	    'refused 127\.0\.0\.1:[0-9]+: malformed or oversized PROXY header' "$n"
}
refused "a port with a leading zero" \
    'PROXY TCP4 127.0.0.2 127.0.0.1 1234 0123\r\nx'
refused "a port above 65535" 'PROXY TCP4 127.0.0.2 127.0.0.1 1234 70000\r\nx'
refused "a seventh field" 'PROXY TCP4 127.0.0.2 127.0.0.1 1234 80 9\r\nx'
refused "a line ended by LF alone" 'PROXY TCP4 127.0.0.2 127.0.0.1 1234 80\nx'
refused "a NUL byte in the header" \
    'PROXY TCP4 127.0.0.2\x00 127.0.0.1 1234 80\r\nx'
refused "an IPv6 address in brackets" 'PROXY TCP4 [::1] 127.0.0.1 1234 80\r\nx'

"$TCLIENT" -w 5 127.0.0.1 "$PORT" > "$WORK/silent.out"
same "a balancer that sends nothing: closed (not left to the client's wait)" \
    "$?" 0
check "... logged as no header before the timeout" \
    wait_log "$LOG" 'refused 127\.0\.0\.1:[0-9]+: no PROXY header before timeout'
same "PROXY UNKNOWN: served as the balancer itself" \
    "$("$TCLIENT" -w 3 -d 'PROXY UNKNOWN\r\nx' 127.0.0.1 "$PORT")" \
    "thank you !"
same "a well-formed header: served" "$("$TCLIENT" -w 3 \
    -d "PROXY TCP4 127.0.0.2 127.0.0.1 1234 $PORT\\r\\nx" 127.0.0.1 "$PORT")" \
    "thank you !"
check "... as the client it names" \
    wait_log "$LOG" 'connect from 127\.0\.0\.2:1234 via 127\.0\.0\.1:[0-9]+'
stop "$PID"
finish

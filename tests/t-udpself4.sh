#!/bin/sh
# The UDP loop guard on a listener bound to an IPv4 address (t-udploop
# covers the default, dual-stack one, whose datagrams say where they
# arrived in IPv6 terms): a datagram forged from the listener's own
# address and port is dropped, not answered, while one from 127.0.0.1
# on another port is answered.  Forging needs root (a raw socket).
. "$(dirname "$0")/lib.sh"
LOGLINE='log = "requests";'

cf=$(conf self4 <<'C'
protocol = "udp";
listen = "127.0.0.1";
port = 0;
C
)
start self4 "$cf" || exit 1
same "a datagram from 127.0.0.1 is answered" \
    "$("$TCLIENT" -u -w 2 -d 'hello\n' 127.0.0.1 "$PORT")" "thank you !"
if [ "$(id -u)" = 0 ]; then
	"$TCLIENT" -u -F -s 127.0.0.1 -p "$PORT" -d 'hello\n' 127.0.0.1 "$PORT"
	check "from its own IPv4 address and port: dropped" \
	    wait_log "$LOG" "dropped a datagram from 127\.0\.0\.1:$PORT: our own address"
	same "... and not answered: one reply in all" \
	    "$(grep -c 'child [0-9]* exited' "$LOG")" 1
else
	echo "# not root: forging a datagram from replyd's own address needs a raw socket"
fi
stop "$PID"
same "replyd stops cleanly" "$STATUS" 0
finish

#!/bin/sh
# UDP loops: a datagram that claims to come from replyd itself (its own
# address and port, or another port it serves) or from a port that
# answers every datagram (echo, chargen...) is dropped, not answered,
# so that no two servers answer each other forever.  Forging a source
# needs root (a raw socket); as another user the same points are made
# with a socket bound to a port replyd serves, which is weaker: it
# cannot be replyd's own address and port.
. "$(dirname "$0")/lib.sh"

# A UDP listener's port from the log, by service.
uport() { grep "$2: listening on" "$1" | sed -E 's/.*:([0-9]+) \(udp\)$/\1/'; }

# The default listener, all addresses: getsockname() says only "::".
cf=$(conf loop <<'C'
protocol = "udp";
services = (
	{ name = "a"; port = 0; },
	{ name = "b"; port = 0; handler = "echo"; },
	{ name = "t"; port = 0; protocol = "tcp"; }
);
C
)
start loop "$cf"
pa=$(uport "$LOG" a)
pb=$(uport "$LOG" b)
root=$([ "$(id -u)" = 0 ] && echo 1 || echo)
# forge SPORT DPORT [COUNT]: a datagram from 127.0.0.1:SPORT.
forge() { "$TCLIENT" -u -F -s 127.0.0.1 -p "$1" -n "${3:-1}" -d 'hello\n' 127.0.0.1 "$2"; }
# bound SPORT DPORT [SECS]: the same from a socket bound to that port,
# waiting SECS (1) for an answer.
bound() {
	"$TCLIENT" -u -w "${3:-1}" -s 127.0.0.1 -p "$1" -d 'hello\n' \
	    127.0.0.1 "$2"
}

if [ -n "$root" ]; then
	forge "$pa" "$pa"
	check "from its own address and port: dropped" \
	    wait_log "$LOG" "a: dropped a datagram from 127\.0\.0\.1:$pa: our own address"
else
	ok "from its own address and port: dropped # SKIP not root: forging needs a raw socket; the next point binds instead"
fi
# Two services answering each other: a's reply would go to b, b's echo
# back to a, and so on.
if [ -n "$root" ]; then
	forge "$pb" "$pa"
	out=""
else
	out=$(bound "$pb" "$pa")
fi
check "from another service's port: dropped" \
    wait_count "$LOG" "a: dropped a datagram from 127\.0\.0\.1:$pb: a port replyd serves" 1
same "from another service's port: nothing comes back" "$out" ""
if [ -n "$root" ]; then
	forge 19 "$pa"
	check "from chargen's port: dropped" \
	    wait_log "$LOG" "a: dropped a datagram from 127\.0\.0\.1:19: an echo, daytime, chargen or time port"
else
	ok "from chargen's port: dropped # SKIP not root: port 19 cannot be bound"
fi
# A loop would fill the log in milliseconds: give it half a second.
sleep 0.5
same "no loop: nothing was served" "$(grep -c 'received' "$LOG")" 0
lines=$(wc -l < "$LOG")
check "no loop: the log stays short ($lines lines)" test "$lines" -le 6
# A flood of such datagrams is logged once a second, not once each.
if [ -n "$root" ]; then
	forge "$pb" "$pa" 200
else
	for _ in $(seq 20); do bound "$pb" "$pa" 0 > /dev/null; done
fi
same "a normal client is still answered" \
    "$("$TCLIENT" -u -d 'hello\n' 127.0.0.1 "$pa")" "thank you !"
# A TCP port answers no datagram: a client whose UDP source port has the
# number of replyd's TCP listener is a client like any.
pt=$(grep "t: listening on" "$LOG" | sed -E 's/.*:([0-9]+) \(tcp\)$/\1/')
same "from a port that replyd serves over TCP only: answered" \
    "$(bound "$pt" "$pb")" "hello"
check "... and its reply is logged as sent, once" \
    wait_count "$LOG" 'a: 127\.0\.0\.1:[0-9]+: sent 12 bytes' 1
more=$(($(wc -l < "$LOG") - lines))
check "a flood of dropped datagrams: a few lines ($more more), not one each" \
    test "$more" -le 8
check "the master is still there" kill -0 "$PID"
stop "$PID"
finish

#!/bin/sh
# UDP loops: a datagram that claims to come from replyd itself (its own
# address and port, or another port it serves) or from a port that
# answers every datagram (echo, chargen...) is dropped, not answered,
# so that no two servers answer each other forever.  Forging a source
# needs root (a raw socket); as another user the same points are made
# with a socket bound to a port replyd serves, which is weaker: it
# cannot be replyd's own address and port.
. "$(dirname "$0")/lib.sh"
# These tests read the lines about each request.
LOGLINE='log = "requests";'

# A UDP listener's port from the log, by service.
uport() { grep "$2: listening on" "$1" | sed -E 's/.*:([0-9]+) \(udp\)$/\1/'; }
# dropped WHO FROM WHY: the log says that WHO ("a: ", or "" for any)
# dropped a datagram from FROM, for WHY.  The master logs it as it reads
# the datagram: 2 s is plenty.
dropped() { wait_log "$LOG" "${1}dropped a datagram from $2: $3" 2; }

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
	    dropped "a: " "127\.0\.0\.1:$pa" "our own address"
else
	echo "# not root: from its own address and port: forging needs a raw socket; the next point binds instead"
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
    dropped "a: " "127\.0\.0\.1:$pb" "a port replyd serves"
same "from another service's port: nothing comes back" "$out" ""
if [ -n "$root" ]; then
	forge 19 "$pa"
	check "from chargen's port: dropped" \
	    dropped "a: " "127\.0\.0\.1:19" "the port of a service that answers datagrams"
else
	echo "# not root: from chargen's port: port 19 cannot be bound"
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
if [ -n "$root" ]; then
	forge "$pa" "$pb"
	check "from the first service's port: dropped" \
	    dropped "b: " "127\.0\.0\.1:$pa" "a port replyd serves"
	forge 0 "$pa"
	check "from port 0: dropped" \
	    dropped "a: " "127\.0\.0\.1:0" "source port 0"
	forge 7 "$pb"
	check "from echo's port, the first of the list: dropped" \
	    dropped "b: " "127\.0\.0\.1:7" "the port of a service that answers datagrams"
	"$TCLIENT" -u -F -s ::1 -p "$pb" -d 'hello\n' ::1 "$pb"
	check "from its own address and port, over IPv6: dropped" \
	    dropped "b: " "\\[::1\\]:$pb" "our own address"
fi
# A reload forgets the ports of the services it drops: a client on b's
# old port is a client like any once b is gone.
conf loop <<'C' > /dev/null
protocol = "udp";
services = ( { name = "a"; port = 0; } );
C
kill -HUP "$PID"
check "reloaded without b" wait_log "$LOG" 'reloaded .*: 1 service'
same "from the port of a service the reload dropped: answered" \
    "$(bound "$pb" "$pa")" "thank you !"
stop "$PID"

# A service of the file that cannot bind (an address not on this host)
# still has its port guarded, and the edges of the range too: replyd
# retries it, and meanwhile whatever holds that port may answer.  Its
# port over TCP is a client's like any.  Each drop is seen on its own
# service, as drops are logged once a second per service and reason.
cf=$(conf edge <<C
protocol = "udp";
services = (
	{ name = "one"; port = 1; listen = "192.0.2.1"; },
	{ name = "top"; port = 65535; listen = "192.0.2.1"; },
	{ name = "tt"; port = $pt; protocol = "tcp"; listen = "192.0.2.1"; },
	{ name = "a"; port = 0; listen = "127.0.0.1"; },
	{ name = "z"; port = 0; listen = "0.0.0.0"; }
);
C
)
start edge "$cf"
pa=$(uport "$LOG" a)
pz=$(uport "$LOG" z)
# An IPv4 wildcard socket says only "0.0.0.0" of itself, as "::" did.
if [ -n "$root" ]; then
	forge "$pz" "$pz"
	check "from its own address and port, on 0.0.0.0: dropped" \
	    dropped "z: " "127\.0\.0\.1:$pz" "our own address"
fi
if [ -n "$root" ]; then
	forge 1 "$pa"
	check "from port 1, of a service that cannot bind: dropped" \
	    dropped "a: " "127\.0\.0\.1:1" "a port replyd serves"
else
	echo "# not root: from port 1: it cannot be bound, and forging needs a raw socket"
fi
bound 65535 "$pz" 0 > /dev/null
check "from port 65535, of a service that cannot bind: dropped" \
    dropped "z: " "127\.0\.0\.1:65535" "a port replyd serves"
same "from the port of a TCP service that cannot bind: answered" \
    "$(bound "$pt" "$pa")" "thank you !"
stop "$PID"

# Socket activation: the datagram that starts replyd came before it
# could ask where datagrams arrive, and a datagram from its own address
# and port is known all the same.  Under replyd -i the socket is fd 0,
# all addresses: the next one too.
# activated NAME LISTEN [--inetd -i]: replyd -c $cf started by
# systemd-socket-activate on LISTEN; sets PID and LOG.
activated() {
	LOG=$WORK/$1.log
	systemd-socket-activate --datagram -l "$2" ${3:+"$3"} "$REPLYD" -f \
	    -c "$cf" ${4:+"$4"} 2> "$LOG" &
	PID=$!
	PIDS="$PIDS $PID"
	wait_log "$LOG" 'Listening on'
}
cf=$(conf act <<C
port = $pa;
protocol = "udp";
listen = "127.0.0.1";
C
)
if [ -z "$root" ] || ! command -v systemd-socket-activate > /dev/null; then
	echo "# not root or no systemd-socket-activate: no forged datagram to an activated replyd"
else
	activated act "127.0.0.1:$pa"
	forge "$pa" "$pa"
	check "activated, from its own address and port, first: dropped" \
	    dropped "" "127\.0\.0\.1:$pa" "our own address"
	stop "$PID"
	sed -i '/^listen/d' "$cf"
	activated inetd "$pa" --inetd -i
	same "replyd -i: a client is answered" \
	    "$("$TCLIENT" -u -d 'hello\n' 127.0.0.1 "$pa")" "thank you !"
	forge "$pa" "$pa"
	check "replyd -i on all addresses, from its own address and port: dropped" \
	    dropped "" "127\.0\.0\.1:$pa" "our own address"
	stop "$PID"
fi

# Two masters on one host, each serving a port the other cannot know:
# one datagram forged from B's port to A starts A answering B answering
# A... (CVE-2024-2169).  The budget per peer ends it within a second; a
# real client is still answered.  In a network namespace of the test's
# own, with a raw socket: root only.
pingpong() {
	local a b
	a=$(conf "pp-a-$1" <<C
port = 0;
listen = "127.0.0.1";
protocol = "udp";
C
)
	b=$(conf "pp-b-$1" <<C
port = 0;
listen = "127.0.0.1";
protocol = "udp";
$2
C
)
	mkdir -p "$WORK/pp-$1"
	timeout 20 unshare -n sh "$(dirname "$0")/pingpong.sh" "$REPLYD" \
	    "$a" "$b" "$WORK/pp-$1"
}
if [ -z "$root" ]; then
	echo "# not root: no network namespace and raw socket for the forged datagram"
else
	for pair in echo:'handler = "echo";' reply:'reply = "you too\n";'; do
		b=${pair%%:*}
		read -r na nb got <<-E
		$(pingpong "$b" "${pair#*:}")
		E
		na=${na:-9999} nb=${nb:-9999} got=${got:-0}
		echo "# reply and $b: $na + $nb exchanges in 2 s; a client got $got of 5 answers"
		check "reply and $b: the loop ends within a second ($na + $nb exchanges in 2 s)" \
		    test "$na" -le 30 -a "$nb" -le 30
		same "reply and $b: a real client still gets its answers" "$got" 5
		check "reply and $b: the end is logged" grep -qE \
		    'dropped a datagram from 127\.0\.0\.1:[0-9]+: over 10 answers a second to one address and port' \
		    "$WORK/pp-$b/a.log" "$WORK/pp-$b/b.log"
	done
fi
finish

#!/bin/sh
# One admission path in every mode: allow/deny under `replyd -i` for
# one connection, on a UDP socket and on a listening socket (where a
# refused client is closed at once and holds no descriptor); the status
# handler's local-only rule judged on the real client behind a trusted
# PROXY balancer, and on a Unix client (local); a client a PROXY child
# refuses counted as refused, never as failed.
. "$(dirname "$0")/lib.sh"

SSA=$(command -v systemd-socket-activate)

# refused_fast N PORT: N clients from 127.0.0.2, each of which must see
# the connection closed, with nothing sent back, within a second (they
# send nothing, so that the close is no reset).  Stops at the third
# that does not.  BAD is how many did not.
refused_fast() {
	local out
	BAD=0
	for _ in $(seq "$1"); do
		if ! out=$("$TCLIENT" -s 127.0.0.2 -w 1 127.0.0.1 "$2") ||
		    [ -n "$out" ]; then
			BAD=$((BAD + 1))
			[ "$BAD" -ge 3 ] && break
		fi
	done
}

# activate NAME CONF SSA-ARGS...: replyd -i -c CONF under
# systemd-socket-activate on $port, its log in $WORK/NAME.log; APID is
# the activator's PID (replyd's too without -a, which it execs).
activate() {
	local name=$1 cf=$2
	shift 2
	"$SSA" -l "127.0.0.1:$port" "$@" "$REPLYD" -i -c "$cf" \
	    > /dev/null 2> "$WORK/$name.log" &
	APID=$!
	PIDS="$PIDS $APID"
	wait_log "$WORK/$name.log" 'Listening on'
}

# deactivate: stop what activate started.
deactivate() {
	kill "$APID"
	wait "$APID" 2>/dev/null
}

if [ -z "$SSA" ]; then
	echo "# -i modes: systemd-socket-activate is not installed"
	not_ok "-i modes need systemd-socket-activate"
else
	port=$(free_port)
	icf=$(conf inetd <<'C'
reply = "served\n";
deny = [ "127.0.0.2" ];
timeout = 10;
C
)
	chmod 644 "$icf"

	# -i for one connection (Accept=yes, inetd's nowait).
	activate one "$icf" -a --inetd
	same "-i, one connection: an allowed client is served" \
	    "$("$TCLIENT" -w 5 -d x 127.0.0.1 "$port")" "served"
	same "-i, one connection: a denied client gets nothing" \
	    "$("$TCLIENT" -s 127.0.0.2 -w 5 -d x 127.0.0.1 "$port")" ""
	check "-i, one connection: the refusal is logged" wait_log \
	    "$WORK/one.log" 'refused 127\.0\.0\.2:[0-9]+: access denied'
	check "-i, one connection: a refusal exits 77 (EX_NOPERM)" \
	    wait_log "$WORK/one.log" 'died with code 77'
	deactivate

	# -i on a listening socket (inetd's wait): 50 denied clients each
	# see the end at once, and replyd keeps no descriptor for them.
	activate wait "$icf" --inetd
	same "-i wait: an allowed client is served" \
	    "$("$TCLIENT" -w 5 -d x 127.0.0.1 "$port")" "served"
	wait_log "$WORK/wait.log" 'exited with status 0'
	before=$(fds "$APID")
	t0=$(date +%s)
	refused_fast 50 "$port"
	same "-i wait: 50 denied clients each see EOF at once" "$BAD" 0
	check "-i wait: ... within 10 s in all" \
	    test $(($(date +%s) - t0)) -le 10
	same "-i wait: its descriptors stay flat" "$(fds "$APID")" "$before"
	# Logged once a second at most, the others counted (t-logflood).
	check "-i wait: the refusals are logged" wait_log "$WORK/wait.log" \
	    'refused 127\.0\.0\.2:[0-9]+: access denied'
	n=$(grep -c 'refused 127\.0\.0\.2' "$WORK/wait.log")
	check "-i wait: ... $n lines, one a second at most" \
	    test "$n" -le $(($(date +%s) - t0 + 1))
	same "-i wait: and it still serves" \
	    "$("$TCLIENT" -w 5 -d x 127.0.0.1 "$port")" "served"
	deactivate

	# -i on a UDP socket (inetd's dgram wait).
	ucf=$(conf udp <<'C'
reply = "served\n";
protocol = "udp";
deny = [ "127.0.0.2" ];
timeout = 10;
C
)
	chmod 644 "$ucf"
	activate udp "$ucf" --datagram --inetd
	same "-i UDP: an allowed client is answered" \
	    "$("$TCLIENT" -u -w 5 -d 0123456789 127.0.0.1 "$port")" "served"
	same "-i UDP: a denied client is not" "$("$TCLIENT" -u -s 127.0.0.2 \
	    -w 1 -d 0123456789 127.0.0.1 "$port")" ""
	check "-i UDP: the refusal is logged" wait_log "$WORK/udp.log" \
	    'refused 127\.0\.0\.2:[0-9]+: access denied'
	deactivate
fi

# The status handler behind a loopback balancer: the client the header
# names is judged.  And a client the child refuses is counted refused.
cf=$(conf proxy <<'C'
port = 0;
listen = "127.0.0.1";
proxy_protocol = true;
proxy_from = [ "127.0.0.0/8" ];
services = (
	{ name = "m"; handler = "status"; },
	{ name = "d"; handler = "discard"; per_source = 1;
	  busy_reply = "busy\n"; }
);
C
)
start proxy "$cf"
m=$(port_of "$LOG" m)
d=$(port_of "$LOG" d)
"$TCLIENT" -w 5 -d "PROXY TCP4 192.0.2.7 127.0.0.1 1234 $m\r\nx\n" \
    127.0.0.1 "$m" > "$WORK/remote"
same "PROXY: a remote client behind a loopback balancer gets no metrics" \
    "$(wc -c < "$WORK/remote")" 0
check "PROXY: the refusal names the client and the balancer" \
    wait_log "$LOG" 'm: refused 192\.0\.2\.7:1234 via 127\.0\.0\.1:[0-9]+: access denied'
wait_log "$LOG" 'm: child [0-9]+ exited'
"$TCLIENT" -w 5 -d "PROXY TCP4 127.0.0.1 127.0.0.1 1234 $m\r\nx\n" \
    127.0.0.1 "$m" > "$WORK/metrics"
check "PROXY: a loopback client behind it is served" \
    grep -qx 'replyd_up 1' "$WORK/metrics"
check "PROXY: the refused one counts as denied" grep -qx \
    'replyd_refused_total{service="m",reason="denied"} 1' "$WORK/metrics"
check "PROXY: ... not as failed" \
    grep -qx 'replyd_failed_total{service="m"} 0' "$WORK/metrics"

# per_source behind the balancer: the second client from 192.0.2.7 is
# refused by its child, counted busy, not failed.
"$TCLIENT" -w 3 -d "PROXY TCP4 192.0.2.7 127.0.0.1 1000 $d\r\n" \
    127.0.0.1 "$d" > /dev/null &
hold=$!
wait_log "$LOG" 'd: connect from 192\.0\.2\.7:1000'
same "PROXY per_source: a second client from 192.0.2.7 gets busy_reply" \
    "$("$TCLIENT" -w 5 -d "PROXY TCP4 192.0.2.7 127.0.0.1 1001 $d\r\n" \
    127.0.0.1 "$d")" "busy"
wait_log "$LOG" 'd: child [0-9]+ exited with status 75'
kill -USR1 "$PID"
wait_log "$LOG" 'd: counters'
check "PROXY per_source: counted busy, not failed" \
    grep -qE 'd: counters: .*failed 0, denied 0, busy 1,' "$LOG"
kill "$hold" 2>/dev/null
wait "$hold" 2>/dev/null
stop "$PID"

# A Unix client is local: the status handler answers it.
cf=$(conf unix <<C
services = ( { name = "m"; handler = "status";
	listen = "unix:$WORK/status.sock"; } );
C
)
start unix "$cf"
"$TCLIENT" -w 5 -d 'x\n' "unix:$WORK/status.sock" > "$WORK/unix.out"
check "unix: the status handler answers a Unix client" \
    grep -qx 'replyd_up 1' "$WORK/unix.out"
check "unix: ... and refuses nothing" \
    sh -c "! grep -q 'refused' '$LOG'"
stop "$PID"
finish

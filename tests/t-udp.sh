#!/bin/sh
# shellcheck disable=SC2016 # shconf's scripts are for the handler's shell
# UDP services: exchanges over IPv4 and IPv6, empty and maximal
# datagrams, the amplification limit, exec handlers with UCSPI UDP
# variables.
. "$(dirname "$0")/lib.sh"
# These tests read the lines about each request.
LOGLINE='log = "requests";'

# A UDP listener's port from the log, by address.
uport() { grep "listening on $2" "$1" | sed -E 's/.*:([0-9]+) \(udp\)$/\1/'; }

# shconf NAME SCRIPT [LINES]: a UDP service on 127.0.0.1 (and LINES)
# whose handler is sh -c SCRIPT.
shconf() {
	conf "$1" <<C
port = 0;
protocol = "udp";
listen = "127.0.0.1";
${3:-}
handler = "exec";
exec = { program = "/bin/sh"; args = [ "-c", "$2" ]; };
C
}

cf=$(conf udp <<'C'
port = 0;
protocol = "udp";
listen = [ "127.0.0.1", "::1" ];
C
)
start udp "$cf"
p4=$(uport "$LOG" 127.0.0.1)
p6=$(uport "$LOG" '\[::1\]')
same "udp: a datagram gets the reply (IPv4)" \
    "$("$TCLIENT" -u -d 'hello\n' 127.0.0.1 "$p4")" "thank you !"
same "udp: a datagram gets the reply (IPv6)" \
    "$("$TCLIENT" -u -d 'hello\n' ::1 "$p6")" "thank you !"
check "udp: the request is logged" wait_log "$LOG" 'received 6 bytes: "hello\\x0a"'
# Amplification is weighed on the wire, headers counted: an empty
# datagram is 42 bytes there, the 12-byte reply 54, within 3 times.
same "udp: a 0-byte datagram gets the 12-byte reply (54 bytes for 42)" \
    "$("$TCLIENT" -u -w 1 127.0.0.1 "$p4")" "thank you !"
wait_count "$LOG" 'exited with status' 3
same "udp: each reply sent is logged as sent, once" \
    "$(grep -c 'sent 12 bytes' "$LOG")" 3
check "udp: the master is still there" kill -0 "$PID"
stop "$PID"

cf=$(conf big <<'C'
port = 0;
protocol = "udp";
listen = "127.0.0.1";
handler = "echo";
C
)
start big "$cf"
n=$("$TCLIENT" -u -z 65507 127.0.0.1 "$PORT" | wc -c)
same "udp echo: a 65507-byte datagram comes back whole" "$n" 65507
same "udp echo: an empty datagram comes back empty" \
    "$("$TCLIENT" -u -w 1 127.0.0.1 "$PORT" | wc -c)" 0
check "udp echo: the master logs what it sent" \
    wait_log "$LOG" '127\.0\.0\.1:[0-9]+: sent 65507 bytes$'
stop "$PID"

# A write larger than one datagram can carry is logged, not lost unseen.
cf=$(shconf huge 'read n; dd if=/dev/zero bs=$n count=1 2>/dev/null' \
    'max_amplification = 0;')
start huge "$cf"
same "udp: a 70000-byte write is not sent" \
    "$("$TCLIENT" -u -w 1 -d '70000\n' 127.0.0.1 "$PORT" | wc -c)" 0
check "udp: ... and that is logged" wait_log "$LOG" \
    'reply not sent: 70000 bytes: larger than one datagram'
same "udp: a 65508-byte write (over IPv4's 65507) is not sent" \
    "$("$TCLIENT" -u -w 1 -d '65508\n' 127.0.0.1 "$PORT" | wc -c)" 0
check "udp: ... and that is logged with the reason" wait_log "$LOG" \
    'reply not sent: 65508 bytes: Message too long'
same "udp: a 65535-byte write (fits the relay, not a datagram) is not sent" \
    "$("$TCLIENT" -u -w 1 -d '65535\n' 127.0.0.1 "$PORT" | wc -c)" 0
check "udp: ... and that is logged with the reason" wait_log "$LOG" \
    'reply not sent: 65535 bytes: Message too long'
check "udp: ... and neither is logged as sent" \
    sh -c "! grep -q ': sent [0-9]* bytes' '$LOG'"
stop "$PID"

cf=$(conf amp <<'C'
port = 0;
protocol = "udp";
listen = "127.0.0.1";
reply = "01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678\n";
C
)
start amp "$cf"
# 6 bytes are 48 on the wire, 3 times that 144; 120 bytes are 162 there.
same "udp: a reply 3x the request's weight on the wire is not sent" \
    "$("$TCLIENT" -u -w 1 -d 'hello\n' 127.0.0.1 "$PORT")" ""
check "udp: the cut is logged" wait_log "$LOG" \
    'reply not sent: 120 bytes for a 6-byte request is over max_amplification \(3, headers counted\)'
stop "$PID"
sed -i 's/^port = 0;/port = 0;\nmax_amplification = 0;/' "$cf"
start amp2 "$cf"
same "udp: max_amplification = 0 lifts the limit" \
    "$("$TCLIENT" -u -d 'hello\n' 127.0.0.1 "$PORT" | wc -c)" 120
stop "$PID"

# Every write is a datagram: 300 one-byte writes must not answer one
# 100-byte request (300 times in datagrams, 91 times on the wire).
cf=$(shconf dgrams \
    'cat > /dev/null; i=0; while [ $i -lt 300 ]; do printf x; i=$((i + 1)); done')
start dgrams "$cf"
"$TCLIENT" -u -w 1 -z 100 127.0.0.1 "$PORT" > /dev/null
check "udp: 300 one-byte writes for 100 bytes: cut at datagram 4" \
    wait_log "$LOG" 'reply not sent: datagram 4 for a 100-byte request is over max_amplification \(3\)'
check "udp: ... 3 datagrams sent, no more" wait_log "$LOG" ': sent 3 bytes$'
stop "$PID"

# Past the cut nothing more is read: a handler writing without end gets
# an error (ECONNRESET) at its next write, and the master stays idle.
cf=$(shconf endless 'cat > /dev/null; exec yes' 'session_timeout = 4;')
start endless "$cf"
t0=$(cpu_ms "$PID")
"$TCLIENT" -u -w 1 -d 'x\n' 127.0.0.1 "$PORT" > /dev/null
sleep 1
used=$(($(cpu_ms "$PID") - t0))
check "udp: a handler writing past the cut: the master used $used ms of CPU in 2 s (at most 300)" \
    test "$used" -le 300
check "udp: ... and the handler ends at its next write, within a second" \
    sh -c "! grep -q 'past session_timeout' '$LOG' &&
	grep -qE 'child [0-9]+ (exited|killed) .* after [0-9]{1,3} ms' '$LOG'"
stop "$PID"

# The same for a handler that writes once more after a pause: the write
# that went over the limit ended the relay, so this one fails at once.
cf=$(shconf pastcut \
    'cat > /dev/null; printf a; printf b; printf c; printf d; sleep 0.3; printf e && echo wrote past >&2')
start pastcut "$cf"
same "udp: 3 datagrams for one, then the cut" \
    "$("$TCLIENT" -u -w 1 -d 'x\n' 127.0.0.1 "$PORT")" abc
wait_log "$LOG" 'child [0-9]+ (exited|killed)'
check "udp: ... and the write after the cut fails" \
    sh -c "! grep -q 'wrote past' '$LOG'"
stop "$PID"

# A handler that closes its stdout has answered: the relay ends then,
# its bytes are logged as sent, and the master stays idle while the
# handler lingers.
cf=$(shconf linger 'read x; echo $x; exec > /dev/null; sleep 2')
start linger "$cf"
t0=$(cpu_ms "$PID")
same "udp: a handler that closes its stdout: answered" \
    "$("$TCLIENT" -u -d 'hi\n' 127.0.0.1 "$PORT")" hi
check "udp: ... its reply logged as sent while it lingers" \
    sh -c "grep -q ': sent 3 bytes$' '$LOG' && ! grep -q 'exited with' '$LOG'"
sleep 1
used=$(($(cpu_ms "$PID") - t0))
check "udp: ... and the master used $used ms of CPU meanwhile (at most 300)" \
    test "$used" -le 300
stop "$PID"

# Only what reached the client is logged as sent, once, by the relay:
# the built-ins' own "sent" lines were about the relay's pipe.
cf=$(conf sent <<'C'
protocol = "udp";
listen = "127.0.0.1";
services = (
	{ name = "st"; port = 0; handler = "status"; },
	{ name = "day"; port = 0; handler = "daytime"; },
	{ name = "cg"; port = 0; handler = "chargen"; }
);
C
)
start sent "$cf"
sport() { grep "$1: listening on" "$LOG" | sed -E 's/.*:([0-9]+) \(udp\)$/\1/'; }
same "udp status: a 1-byte request gets no long answer" \
    "$("$TCLIENT" -u -w 1 -d x 127.0.0.1 "$(sport st)")" ""
"$TCLIENT" -u -d x 127.0.0.1 "$(sport day)" > /dev/null
"$TCLIENT" -u -d x 127.0.0.1 "$(sport cg)" > /dev/null
wait_count "$LOG" 'exited with status' 3
check "udp status: the cut is logged" wait_log "$LOG" \
    'st: .*reply not sent: [0-9]+ bytes for a 1-byte request'
same "udp status: a reply not sent is not logged as sent" \
    "$(grep -c 'st: .*: sent [0-9]* bytes' "$LOG")" 0
same "udp daytime: one exchange, one \"sent\" line" \
    "$(grep -c 'day: .*: sent 26 bytes' "$LOG")" 1
same "udp chargen: one exchange, one \"sent\" line" \
    "$(grep -c 'cg: .*: sent [0-9]* bytes' "$LOG")" 1
stop "$PID"

cat > "$WORK/udpenv.sh" <<'S'
#!/bin/sh
read -r line
echo "got=$line proto=$PROTO remote=$UDPREMOTEIP:$UDPREMOTEPORT local=$UDPLOCALIP:$UDPLOCALPORT service=$REPLYD_SERVICE"
echo "ids=$(id -u):$(id -G)"
S
chmod 755 "$WORK/udpenv.sh"
cf=$(conf udpexec <<C
port = 0;
protocol = "udp";
listen = "127.0.0.1";
handler = "exec";
max_amplification = 20;
exec = { program = "$WORK/udpenv.sh"; };
C
)
# As root, the master starts with supplementary groups, which the
# program must not have.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	printf '#!/bin/sh\nexec setpriv --groups 4,27 "%s" "$@"\n' \
	    "$REPLYD" > "$WORK/grouped"
	chmod 755 "$WORK/grouped"
	REPLYD=$WORK/grouped start udpexec "$cf"
else
	start udpexec "$cf"
fi
out=$("$TCLIENT" -u -l -d 'ping\n' 127.0.0.1 "$PORT" 2> "$WORK/udpexec.port")
same "udp exec: the program gets the datagram and UCSPI UDP variables" \
    "$(echo "$out" | head -n 1)" \
    "got=ping proto=UDP remote=127.0.0.1:$(sed -n 's/^port //p' "$WORK/udpexec.port") local=127.0.0.1:$PORT service=0/udp"
# As root: the configured user, its group, no supplementary group.
if [ "$(id -u)" = 0 ]; then want="$(id -u nobody):$(id -g nobody)"
else want="$(id -u):$(id -G)"; fi
same "udp exec: the program runs as the service's user and group only" \
    "$(echo "$out" | sed -n 's/^ids=//p')" "$want"
stop "$PID"

# Exchanges run in parallel: a slow one does not hold up the next.  The
# slow one answers only once the test lets it, after the fast one.
cat > "$WORK/slowudp.sh" <<'S'
#!/bin/sh
read -r x
i=0
while [ "$x" = slow ] && [ ! -e "$1" ] && [ "$i" -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
echo "$x"
S
chmod 755 "$WORK/slowudp.sh"
cf=$(conf slowudp <<C
port = 0;
protocol = "udp";
listen = "127.0.0.1";
handler = "exec";
exec = { program = "$WORK/slowudp.sh"; args = [ "$WORK/slowudp.go" ]; };
C
)
start slowudp "$cf"
"$TCLIENT" -u -w 8 -d 'slow\n' 127.0.0.1 "$PORT" > "$WORK/slow.out" &
cpid=$!
check "udp: the slow exchange is running" poll 5 has_children "$PID" 1
secs=$("$TCLIENT" -t -u -w 5 -d 'fast\n' 127.0.0.1 "$PORT" 2>&1 >"$WORK/fast.out")
same "udp: a second exchange is answered while the first runs" \
    "$(cat "$WORK/fast.out")" fast
check "udp: ... at once (${secs}s, 0.3 of which wait for more datagrams)" \
    awk "BEGIN { exit !(\"${secs:-9}\" + 0 < 1.5) }"
check "udp: ... and the slow one still waits" [ ! -s "$WORK/slow.out" ]
touch "$WORK/slowudp.go"
wait "$cpid"
same "udp: the slow one still gets its answer" "$(cat "$WORK/slow.out")" slow
stop "$PID"

# replyd -i under inetd's "dgram wait" runs the master's loop: a handler
# past session_timeout is ended as under the master, and replyd leaves
# once no child is left and no datagram came for `timeout` seconds.
if command -v systemd-socket-activate > /dev/null; then
	start uprobe "$(conf uprobe <<'C'
port = 0;
protocol = "udp";
listen = "127.0.0.1";
C
)"
	up=$PORT
	stop "$PID"
	cf=$(conf usess <<C
port = $up;
protocol = "udp";
timeout = 2;
session_timeout = 1;
handler = "exec";
exec = { program = "/bin/sh"; args = [ "-c", "read x; echo \$x; [ \$x = slow ] && sleep 30; exit 0" ]; };
C
)
	systemd-socket-activate -l "127.0.0.1:$up" --datagram --inetd \
	    "$REPLYD" -i -c "$cf" 2> "$WORK/usess.log" &
	spid=$!
	PIDS="$PIDS $spid"
	wait_log "$WORK/usess.log" 'Listening on'
	same "udp -i: a datagram is served" \
	    "$("$TCLIENT" -u -d 'slow\n' 127.0.0.1 "$up")" slow
	t0=$(date +%s)
	check "udp -i: the handler past session_timeout is ended" \
	    wait_log "$WORK/usess.log" 'past session_timeout \(1 s\): sent SIGTERM'
	same "udp -i: ... and only the handler: the next datagram is served" \
	    "$("$TCLIENT" -u -d 'fast\n' 127.0.0.1 "$up")" fast
	for _ in $(seq 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
	secs=$(( $(date +%s) - t0 ))
	check "udp -i: it exits once idle for timeout (2 s), not at session_timeout (${secs}s)" \
	    sh -c "! kill -0 $spid 2>/dev/null && [ $secs -ge 2 ]"
	check "udp -i: ... and says so" \
	    grep -q 'no client for 2 s: leaving the socket' "$WORK/usess.log"
else
	not_ok "udp -i: session_timeout (needs systemd-socket-activate)"
fi
finish

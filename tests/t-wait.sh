#!/bin/sh
# wait = true (inetd's "wait"): the program gets the UDP or listening
# socket itself and serves until idle; the master starts it on a client,
# does not poll the socket while it runs, starts it again on the next
# client once it exited, rests a program that exits at once without
# taking its client, and keeps all that in daemon mode and across
# SIGUSR2.
. "$(dirname "$0")/lib.sh"

prog=$WORK/waitprog
cp "$MODULES/tests/waitprog" "$prog"
chmod 755 "$prog"
# A directory each program notes its starts in (it may run as nobody).
notes() { mkdir -m 777 "$WORK/$1"; echo "$WORK/$1"; }
starts() { grep -c '^start' "$1/starts" 2>/dev/null; }
# The pids that answered, one per line, in order.
pids() { sed -E 's/^([0-9]+) .*/\1/' "$1" | uniq; }
# restarted WHAT PORT FIRST DATA: the program that wrote the answers in
# FIRST is reaped once it exited; then DATA starts another, which answers.
restarted() {
	check "$1: the program exits once idle, and is reaped" \
	    wait_log "$LOG" "child $(pids "$3") exited with status 0" 6
	"$TCLIENT" -u -d "$4" 127.0.0.1 "$2" > "$WORK/$4"
	check "$1: after it exited, the next datagram starts it again" \
	    grep -q "^[0-9]* blocking: $4\$" "$WORK/$4"
	check "... as another process" \
	    test "$(pids "$WORK/$4")" != "$(pids "$3")"
}
# udp_conf NAME DIR ARG [PORT]: one UDP wait service running the program.
udp_conf() {
	conf "$1" <<C
listen = "127.0.0.1";
port = ${4:-0};
protocol = "udp";
handler = "exec";
wait = true;
exec = { program = "$prog"; args = [ "$2", "$3" ]; };
C
}

U=$(notes u)
TD=$(notes t)
cf=$(conf wait <<C
listen = "127.0.0.1";
port = 0;
handler = "exec";
wait = true;
services = (
	{ name = "u"; protocol = "udp";
	  exec = { program = "$prog"; args = [ "$U", "3000" ]; }; },
	{ name = "t";
	  exec = { program = "$prog"; args = [ "$TD", "1500" ]; }; }
);
C
)
start wait "$cf"
up=$(port_of "$LOG" u)
tp=$(port_of "$LOG" t)
for i in 1 2 3; do "$TCLIENT" -u -d "d$i" 127.0.0.1 "$up"; echo; done > "$WORK/u1"
same "udp: three datagrams, three answers" "$(grep -c ': d[123]$' "$WORK/u1")" 3
same "udp: all from one program" "$(pids "$WORK/u1" | wc -l)" 1
check "udp: the program got its socket blocking, as from inetd" \
    grep -q '^[0-9]* blocking: d1$' "$WORK/u1"
check "udp: the program holds fds 0, 1 and 2 only" \
    child_fds_are "$PID" "0 1 2"
same "udp: the master started it once, never beside itself" \
    "$(cat "$U/starts")" "start $(pids "$WORK/u1")"
check "udp: the start is logged" \
    wait_log "$LOG" "u: a client on 127.0.0.1:$up: $prog started, pid [0-9]+"
kill -HUP "$PID"
wait_log "$LOG" 'reloaded'
"$TCLIENT" -u -d d4 127.0.0.1 "$up" >> "$WORK/u1"
same "SIGHUP: the reloaded master leaves the socket to the same program" \
    "$(pids "$WORK/u1" | wc -l) $(starts "$U")" "1 1"
restarted udp "$up" "$WORK/u1" again
same "... the second start" "$(starts "$U")" 2

for i in 1 2 3; do "$TCLIENT" -d "c$i" 127.0.0.1 "$tp"; echo; done > "$WORK/t1"
same "tcp: three connections, three answers" "$(grep -c ': c[123]$' "$WORK/t1")" 3
same "tcp: all accepted by one program" "$(pids "$WORK/t1" | wc -l)" 1
same "tcp: one start" "$(starts "$TD")" 1
wait_log "$LOG" "t: child $(pids "$WORK/t1") exited" 5
same "tcp: after it exited, a connection starts it again" \
    "$("$TCLIENT" -d c4 127.0.0.1 "$tp" | sed 's/^[0-9]* //')" "blocking: c4"
same "... a second start" "$(starts "$TD")" 2
check "no program ever ran beside another of its service" \
    sh -c "! grep -q overlap '$U/starts' '$TD/starts'"
wait_count "$LOG" 'child [0-9]+ exited' 4 5
kill -USR1 "$PID"
check "SIGUSR1: each start counted as accepted and served" \
    wait_log "$LOG" 'u: counters: accepted 2, served 2, failed 0'
stop "$PID"

# A program that exits at once leaves its datagram in the socket: the
# master must not start it again and again.
Q=$(notes q)
cf=$(udp_conf quick "$Q" quick)
start quick "$cf"
"$TCLIENT" -u -w 1 -d x 127.0.0.1 "$PORT" > /dev/null
sleep 3.5
n=$(starts "$Q")
check "quick exit: started at most 4 times in 4.5 s (got $n)" \
    test "$n" -ge 2 -a "$n" -le 4
check "quick exit: the rest is logged, and grows" \
    wait_log "$LOG" 'exited after [0-9]+ ms and left its client on .* waiting: not started again for 2000 ms'
check "quick exit: the master used little CPU ($(cpu_ms "$PID") ms)" \
    test "$(cpu_ms "$PID")" -lt 500
check "quick exit: a few log lines, not a flood" \
    test "$(wc -l < "$LOG")" -lt 20
stop "$PID"

# What a wait program leaves running when it exits (in.tftpd's
# transfers) is left to finish, as under inetd.
L=$(notes l)
cf=$(conf left <<C
listen = "127.0.0.1";
port = 0;
protocol = "udp";
handler = "exec";
wait = true;
exec = { program = "/bin/sh";
	 args = [ "-c", "(sleep 1; echo done > $L/left) & exec $prog $L 200" ]; };
C
)
start left "$cf"
"$TCLIENT" -u -d x 127.0.0.1 "$PORT" > /dev/null
wait_log "$LOG" 'child [0-9]+ exited with status 0' 5
check "left running: what the program started outlives it" \
    poll 5 test -s "$L/left"
stop "$PID"

# SIGUSR2 while a program holds its socket: the new image leaves the
# socket to it, reaps it, and starts the next one.
S=$(notes s)
cf=$(udp_conf up "$S" 2500)
start up "$cf"
"$TCLIENT" -u -d before 127.0.0.1 "$PORT" > "$WORK/s1"
kill -USR2 "$PID"
check "upgrade: the new image serves" wait_log "$LOG" 'upgraded: .* serves, 1 children taken over'
"$TCLIENT" -u -d after 127.0.0.1 "$PORT" > "$WORK/s2"
same "upgrade: the program from before answers the next datagram" \
    "$(pids "$WORK/s2")" "$(pids "$WORK/s1")"
same "upgrade: the new image did not start another" "$(starts "$S")" 1
restarted "upgrade: the new image" "$PORT" "$WORK/s1" later
same "... a second start, never two at once" \
    "$(starts "$S") $(grep -c overlap "$S/starts")" "2 0"
stop "$PID"

# Daemon mode: the same from a detached master (its log goes to syslog).
D=$(notes d)
port=$(free_port)
cf=$(udp_conf daemon "$D" 500 "$port")
"$REPLYD" -c "$cf" -P "$WORK/d.pid" 2> "$WORK/d.err"
dpid=$(cat "$WORK/d.pid")
PIDS="$PIDS $dpid"
for i in one two; do "$TCLIENT" -u -d $i 127.0.0.1 "$port"; echo; done > "$WORK/d1"
same "daemon: two datagrams answered by one program" \
    "$(pids "$WORK/d1" | wc -l) $(grep -c ': one$\|: two$' "$WORK/d1")" "1 2"
poll 5 grep -q '^end' "$D/starts"
"$TCLIENT" -u -d three 127.0.0.1 "$port" > "$WORK/d2"
check "daemon: after it exited, the next one starts it again" \
    grep -q ': three$' "$WORK/d2"
same "daemon: two starts" "$(starts "$D")" 2
kill "$dpid"
poll 5 gone "$dpid"
finish

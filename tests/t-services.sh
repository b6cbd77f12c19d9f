#!/bin/sh
# Several services in one master: TCP reply, TCP exec, UDP echo; a reload
# that adds one and removes one under a client loop; SO_REUSEPORT.
. "$(dirname "$0")/lib.sh"
# These tests read the lines about each request.
LOGLINE='log = "requests";'

cf=$(conf three <<'C'
listen = "127.0.0.1";
port = 0;
timeout = 5;
services = (
	{ name = "thanks"; },
	{ name = "date"; handler = "exec";
	  exec = { program = "/bin/sh"; args = [ "-c", "read x; echo from exec" ]; }; },
	{ name = "echo"; protocol = "udp"; handler = "echo"; },
	{ name = "old"; reply = "old\n"; }
);
C
)
start three "$cf"
pt=$(port_of "$LOG" thanks)
pd=$(port_of "$LOG" date)
pu=$(port_of "$LOG" echo)
po=$(port_of "$LOG" old)
same "services: TCP reply" "$("$TCLIENT" -d x 127.0.0.1 "$pt")" "thank you !"
same "services: TCP exec" "$("$TCLIENT" -d 'x\n' 127.0.0.1 "$pd")" "from exec"
same "services: UDP echo" "$("$TCLIENT" -u -d 'ping' 127.0.0.1 "$pu")" "ping"
same "services: a fourth, inheriting the defaults" \
    "$("$TCLIENT" -d x 127.0.0.1 "$po")" "old"
check "services: log lines carry the service name" \
    wait_log "$LOG" '\]: date: connect from 127\.0\.0\.1'

# Under a client loop on the unchanged services: add "new", drop "old".
"$TCLIENT" -n 600 -c 3 -e 'thank you !\n' -d x 127.0.0.1 "$pt" > "$WORK/loop1" &
c1=$!
"$TCLIENT" -n 300 -c 2 -e 'from exec\n' -d 'x\n' 127.0.0.1 "$pd" > "$WORK/loop2" &
c2=$!
# Each reload comes with both loops under way.
flowing() {
	wait_count "$LOG" 'thanks: connect from' $(( $(grep -c 'thanks: connect from' "$LOG") + 30 ))
	wait_count "$LOG" 'date: connect from' $(( $(grep -c 'date: connect from' "$LOG") + 10 ))
}
flowing
sed -i 's/{ name = "old"; reply = "old\\n"; }/{ name = "new"; reply = "new\\n"; }/' "$cf"
kill -HUP "$PID"
check "reload: the new service listens" wait_log "$LOG" 'new: listening on'
flowing
sed -i 's/^port = 0;/port = 0;\nmax_children = 32;/' "$cf"
kill -HUP "$PID"
wait "$c1"
wait "$c2"
same "reload: 0 failed connections on thanks" "$(cat "$WORK/loop1")" "ok=600 failed=0"
same "reload: 0 failed connections on date" "$(cat "$WORK/loop2")" "ok=300 failed=0"
pn=$(port_of "$LOG" new)
same "reload: the added service answers" "$("$TCLIENT" -d x 127.0.0.1 "$pn")" "new"
same "reload: the removed service no longer listens" \
    "$("$TCLIENT" -d x 127.0.0.1 "$po" 2>&1; echo "rc=$?")" "rc=1"
check "reload: unchanged services kept their sockets" \
    sh -c "[ \$(grep -c 'thanks: listening on' '$LOG') -eq 1 ] &&
	[ \$(grep -c 'echo: listening on' '$LOG') -eq 1 ]"
same "reload: the UDP service still echoes" \
    "$("$TCLIENT" -u -d 'pong' 127.0.0.1 "$pu")" "pong"
kill -USR1 "$PID"
check "services: each has its own counters" \
    wait_log "$LOG" 'thanks: counters: accepted [0-9]+, served [0-9]+'
stop "$PID"
same "services: SIGTERM ends the master with 0" "$STATUS" 0

# reuse_port: two instances on one port.
cf=$(conf rp1 <<'C'
port = 0;
listen = "127.0.0.1";
reuse_port = true;
reply = "one\n";
C
)
start rp1 "$cf"
p=$PORT
cf2=$(conf rp2 <<'C'
listen = "127.0.0.1";
reuse_port = true;
reply = "two\n";
C
)
start rp2 "$cf2" -p "$p"
check "reuse_port: a second instance binds the same port" [ "$PORT" = "$p" ]
seen=""
for _ in $(seq 40); do
	seen="$seen $("$TCLIENT" -d x 127.0.0.1 "$p")"
done
case "$seen" in
*one*two*|*two*one*) ok "reuse_port: the kernel spreads clients over both" ;;
*) not_ok "reuse_port: the kernel spreads clients over both ($seen)" ;;
esac
cf3=$(conf rp3 <<'C'
listen = "127.0.0.1";
C
)
"$REPLYD" -f -c "$cf3" -p "$p" 2> "$WORK/rp3.err"
same "without reuse_port the port is busy (71)" "$?" 71
finish

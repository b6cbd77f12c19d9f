#!/bin/sh
# systemd's notification protocol, with a Unix datagram socket standing
# in for systemd: READY=1 once listening, RELOADING=1 (with
# MONOTONIC_USEC) then READY=1 around a reload, STATUS= with counters at
# most once a second, STOPPING=1 on SIGTERM; in daemon mode too, where
# MAINPID names the daemon.  Handlers never see NOTIFY_SOCKET.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

# notifyd NAME: a stand-in socket $WORK/NAME.sock logging to $WORK/NAME.msgs
notifyd() {
	python3 "$HERE/notifyd.py" "$WORK/$1.sock" "$WORK/$1.msgs" &
	PIDS="$PIDS $!"
	wait_log "$WORK/$1.msgs.ready" '' 5 || [ -e "$WORK/$1.msgs.ready" ]
}

notifyd fg
cat > "$WORK/env.sh" <<'S'
#!/bin/sh
printf 'notify=%s\n' "${NOTIFY_SOCKET:-unset}"
S
chmod 755 "$WORK/env.sh"
cf=$(conf fg <<C
port = 0;
listen = "127.0.0.1";
services = (
	{ name = "r"; reply = "one\n"; },
	{ name = "e"; handler = "exec"; exec = { program = "$WORK/env.sh"; }; }
);
C
)
NOTIFY_SOCKET=$WORK/fg.sock start fg "$cf"
M=$WORK/fg.msgs
check "READY=1 with MAINPID, once listening" \
    wait_log "$M" "^[0-9]+ READY=1\|MAINPID=$PID$"
check "READY=1 comes after every listener is bound" \
    sh -c "[ \$(grep -c 'listening on' '$LOG') -eq 2 ]"
check "STATUS= names the services and zero counters" \
    wait_log "$M" 'STATUS=2 services, active 0, accepted 0, served 0, refused 0$'
"$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" r)" > /dev/null
same "a handler does not see NOTIFY_SOCKET" \
    "$("$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" e)")" "notify=unset"
check "STATUS= follows the counters (2 accepted, 2 served)" \
    wait_log "$M" 'STATUS=2 services, active 0, accepted 2, served 2, refused 0$' 4
for _ in 1 2 3 4 5 6 7 8; do
	"$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" r)" > /dev/null
done
check "STATUS= catches up with the last connection" \
    wait_log "$M" 'accepted 10, served 10' 4
# At most one STATUS= a second: no two closer than 1 s (less a margin
# for the receiving side's clock reading).
close=$(awk '/STATUS=/ { if (last && $1 - last < 950000) n++; last = $1 } END { print n + 0 }' "$M")
same "STATUS= lines are at least a second apart" "$close" 0

before=$(grep -c 'READY=1' "$M")
t0=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC)//1000)')
kill -HUP "$PID"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC" \
    wait_log "$M" 'RELOADING=1\|MONOTONIC_USEC=[0-9]+$'
usec=$(sed -n 's/.*RELOADING=1|MONOTONIC_USEC=\([0-9]*\)$/\1/p' "$M" | tail -n 1)
check "MONOTONIC_USEC is CLOCK_MONOTONIC at the reload" \
    [ "${usec:-0}" -ge "$t0" ] && [ "${usec:-0}" -le $((t0 + 5000000)) ]
check "after the reload: READY=1 again" \
    wait_count "$M" 'READY=1' $((before + 1))
echo 'nonsense = 1;' >> "$cf"
kill -HUP "$PID"
check "a failed reload: RELOADING=1 then READY=1 (serving the old file)" \
    wait_count "$M" 'READY=1' $((before + 2))
kill -TERM "$PID"
wait "$PID"
check "SIGTERM: STOPPING=1" wait_log "$M" 'STOPPING=1$'

# Daemon mode: the daemon's own pid is MAINPID, and it matches -P.
notifyd dm
cf=$(conf dm <<'C'
port = 0;
listen = "127.0.0.1";
C
)
NOTIFY_SOCKET=$WORK/dm.sock "$REPLYD" -c "$cf" -P "$WORK/dm.pid" 2> "$WORK/dm.log"
dpid=$(cat "$WORK/dm.pid")
PIDS="$PIDS $dpid"
check "daemon mode: READY=1 with MAINPID of the daemon" \
    wait_log "$WORK/dm.msgs" "READY=1\|MAINPID=$dpid$"
kill -TERM "$dpid"
check "daemon mode: STOPPING=1" wait_log "$WORK/dm.msgs" 'STOPPING=1$'

# An abstract socket name (systemd uses paths, but the protocol allows it).
NOTIFY_SOCKET=@replyd-test-$$ "$REPLYD" -f -c "$cf" 2> "$WORK/ab.log" &
apid=$!
PIDS="$PIDS $apid"
check "an abstract NOTIFY_SOCKET with nobody listening: still serving" \
    wait_log "$WORK/ab.log" 'listening on'
kill -TERM "$apid"
wait "$apid"
same "... and stopping cleanly" "$?" 0
finish

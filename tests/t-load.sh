#!/bin/sh
# Under load: reloads lose no connection; thousands of connections leave
# no zombie and the master's fds and memory flat.  Bounded: at most
# 12 000 connections, each client loop limited by its count.
. "$(dirname "$0")/lib.sh"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

cf=$(conf reload <<'C'
port = 0;
listen = "127.0.0.1";
timeout = 5;
C
)
start reload "$cf"
"$TCLIENT" -n 2000 -c 4 -e 'thank you !\n' -d x 127.0.0.1 "$PORT" \
    > "$WORK/reload.out" &
cpid=$!
sent=0
for i in $(seq 20); do
	sleep 0.1
	sed -i "s/^timeout = .*/timeout = $((5 + i % 2));/" "$cf"
	kill -HUP "$PID" && sent=$((sent + 1))
done
wait "$cpid"
same "reload under load: 2000 connections, 0 failed" \
    "$(cat "$WORK/reload.out")" "ok=2000 failed=0"
same "reload under load: 20 SIGHUPs sent during the loop" "$sent" 20
n=$(grep -c 'reloaded ' "$LOG")
check "reload under load: the reloads took effect ($n logged)" [ "$n" -ge 10 ]
check "reload under load: the listener was never reopened" \
    sh -c "[ \$(grep -c 'listening on' '$LOG') -eq 1 ]"
stop "$PID"

cf=$(conf tenk <<'C'
port = 0;
listen = "127.0.0.1";
C
)
start tenk "$cf"
"$TCLIENT" -n 200 -c 4 -e 'thank you !\n' -d x 127.0.0.1 "$PORT" > /dev/null
wait_count "$LOG" 'child [0-9]+ exited' 200
fd0=$(fds "$PID")
rss0=$(rss "$PID")
out=$("$TCLIENT" -n 10000 -c 8 -e 'thank you !\n' -d x 127.0.0.1 "$PORT")
same "10000 connections: all served" "$out" "ok=10000 failed=0"
wait_count "$LOG" 'child [0-9]+ exited' 10200 10
fd1=$(fds "$PID")
rss1=$(rss "$PID")
echo "# master fds $fd0 -> $fd1, RSS $rss0 kB -> $rss1 kB"
same "10000 connections: no zombie" "$(zombies "$PID")" 0
same "10000 connections: no child left" "$(children "$PID")" 0
same "10000 connections: master fd count flat ($fd0 -> $fd1)" "$fd1" "$fd0"
check "10000 connections: master RSS flat ($rss0 -> $rss1 kB, +64 kB allowed)" \
    [ "$rss1" -le $((rss0 + 64)) ]
stop "$PID"
finish

#!/bin/sh
# Children: no zombies, no fd leak in the master, max_children holds
# clients in the backlog without refusing any, silent clients time out.
. "$(dirname "$0")/lib.sh"

cf=$(conf many <<'C'
port = 0;
listen = "127.0.0.1";
C
)
start many "$cf"
"$TCLIENT" -d x 127.0.0.1 "$PORT" > /dev/null
wait_log "$LOG" 'exited with status'
fd0=$(fds "$PID")
out=$("$TCLIENT" -n 500 -c 4 -e 'thank you !\n' -d x 127.0.0.1 "$PORT")
same "500 connections all get the reply" "$out" "ok=500 failed=0"
wait_count "$LOG" 'exited with status' 501
same "no zombies after 500 connections" "$(zombies "$PID")" 0
same "no children left after 500 connections" "$(children "$PID")" 0
same "the master's fd count is unchanged after 500 connections" \
    "$(fds "$PID")" "$fd0"
same "every child's exit was logged" \
    "$(grep -c 'exited with status 0' "$LOG")" 501
stop "$PID"

# max_children = 2: ten clients at once are all served, two at a time.
cf=$(conf two <<'C'
port = 0;
listen = "127.0.0.1";
max_children = 2;
handler = "exec";
exec = { program = "/bin/sh"; args = [ "-c", "read x; sleep 0.3; echo served" ]; };
C
)
start two "$cf"
"$TCLIENT" -n 10 -c 10 -e 'served\n' -d 'x\n' \
    127.0.0.1 "$PORT" > "$WORK/two.out" &
cpid=$!
most=0
for _ in $(seq 60); do
	n=$(children "$PID")
	[ "$n" -gt "$most" ] && most=$n
	kill -0 "$cpid" 2>/dev/null || break
	sleep 0.05
done
wait "$cpid"
same "max_children = 2: all ten clients served, none refused" \
    "$(cat "$WORK/two.out")" "ok=10 failed=0"
check "max_children = 2: never more than two children ($most seen)" \
    [ "$most" -le 2 ]
check "max_children = 2: the limit was reached" [ "$most" -eq 2 ]
stop "$PID"

# A silent client is dropped after timeout.
cf=$(conf silent <<'C'
port = 0;
listen = "127.0.0.1";
timeout = 1;
C
)
start silent "$cf"
secs=$("$TCLIENT" -t -w 5 127.0.0.1 "$PORT" 2>&1 >/dev/null)
check "a silent client is dropped after timeout (took ${secs}s)" \
    awk "BEGIN { exit !($secs >= 0.9 && $secs < 3) }"
check "the timeout is logged" wait_log "$LOG" 'timeout after 1 s, nothing received'
cf=$(conf echoidle <<'C'
port = 0;
listen = "127.0.0.1";
handler = "echo";
timeout = 1;
C
)
start echoidle "$cf"
secs=$("$TCLIENT" -t -w 5 -d "ping" 127.0.0.1 "$PORT" 2>&1 >/dev/null)
check "echo drops an idle client after timeout (took ${secs}s)" \
    awk "BEGIN { exit !($secs >= 0.9 && $secs < 3) }"
finish

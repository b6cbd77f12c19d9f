#!/bin/sh
# SIGTERM with a child that will not finish: the master stops accepting,
# gives children the grace period (5 s), then sends SIGTERM, and SIGKILL
# 2 s later to a child that ignores it; it logs each step, exits, and
# leaves no handler process behind.
. "$(dirname "$0")/lib.sh"

cf=$(conf grace <<'C'
listen = "127.0.0.1";
port = 0;
timeout = 60;
handler = "exec";
exec = { program = "/bin/sh";
	args = [ "-c", "trap '' TERM; exec sleep 30" ]; };
C
)
start grace "$cf" || exit 1
"$TCLIENT" -w 30 127.0.0.1 "$PORT" > "$WORK/client.out" 2>&1 &
client=$!
PIDS="$PIDS $client"
check "the handler runs and holds its client" poll 5 has_children "$PID" 1
hpid=$(pgrep -P "$PID")
kill -TERM "$PID"
check "SIGTERM: the master waits for its child" \
    wait_log "$LOG" 'stopping: 1 children to finish'
check "... and after the grace period sends it SIGTERM" \
    wait_log "$LOG" 'stopping: sent SIGTERM to 1 children' 10
check "... which it ignores: SIGKILL follows" \
    wait_log "$LOG" 'stopping: sent SIGKILL to 1 children' 5
check "... the kill is logged" wait_log "$LOG" 'child [0-9]+ killed by signal 9'
wait "$PID"
same "the master exits with 0" "$?" 0
# left_none: the handler's process (found before the stop) is gone.
left_none() { [ -n "$hpid" ] && poll 2 gone "$hpid"; }
check "no handler process is left" left_none
wait "$client"
same "the client sees its connection closed (not its own timeout)" "$?" 0
finish

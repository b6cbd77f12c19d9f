#!/bin/sh
# fork() failing (tests/failfork.so, as at RLIMIT_NPROC) for a UDP
# service whose handler's stderr the master relays: the datagram gets
# no answer, the failure is logged and the service rests; the socket
# pair and the stderr pipe made for the child are closed, so the master
# holds no more descriptors than before; once processes can be made
# again the service answers.  (t-hygiene covers TCP.)
. "$(dirname "$0")/lib.sh"

cf=$(conf udpfork <<'C'
listen = "127.0.0.1";
port = 0;
protocol = "udp";
handler = "exec";
exec = { program = "/bin/echo"; args = [ "pong" ]; };
C
)
: > "$WORK/nofork"
start_nofork udpfork "$cf" || exit 1
before=$(fds "$PID")
out=$("$TCLIENT" -u -w 1 -d 'ping\n' 127.0.0.1 "$PORT")
same "fork fails: the datagram gets no answer" "$out" ""
check "... the failure is logged with the client" \
    wait_log "$LOG" 'cannot start a child for 127\.0\.0\.1:[0-9]+: Resource temporarily unavailable'
check "... and the service rests" wait_log "$LOG" 'fork: .*pausing [0-9]+ ms'
same "... the master holds no descriptor more than before" \
    "$(fds "$PID")" "$before"
rm "$WORK/nofork"
# The rest is 500 ms at first: at most 5 tries of about a second.
got=""
for _ in 1 2 3 4 5; do
	got=$("$TCLIENT" -u -w 1 -d 'ping\n' 127.0.0.1 "$PORT")
	[ "$got" = pong ] && break
done
same "once processes can be made again, the service answers" "$got" pong
check "... and its child is logged as ended well" \
    wait_log "$LOG" 'child [0-9]+ exited with status 0'
same "... and no descriptor is left behind" "$(fds "$PID")" "$before"
stop "$PID"
same "replyd stops cleanly" "$STATUS" 0
finish

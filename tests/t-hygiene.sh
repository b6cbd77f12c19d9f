#!/bin/sh
# Daemon hygiene under pressure: a client whose child cannot be started
# waits and is served once processes can be made again; busy_reply
# reaches clients that had already sent a request; what a handler
# leaves running in the background ends with it.
. "$(dirname "$0")/lib.sh"

# --- fork() fails (as at RLIMIT_NPROC), then works again ---
# tests/failfork.so makes fork() fail while $WORK/nofork exists.
cf=$(conf nproc <<'C'
port = 0;
listen = "127.0.0.1";
reply = "late\n";
C
)
: > "$WORK/nofork"
# A sanitizer build wants its runtime first; the shim may come before.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
FAILFORK_FILE=$WORK/nofork LD_PRELOAD=$MODULES/tests/failfork.so \
    start nproc "$cf"
"$TCLIENT" -w 15 -d x 127.0.0.1 "$PORT" > "$WORK/nproc.out" 2>&1 &
c=$!
check "fork fails: logged with the client" \
    wait_log "$LOG" '[0-9]+/tcp: cannot start a child for 127\.0\.0\.1:[0-9]+: Resource temporarily unavailable'
check "... and the service rests" wait_log "$LOG" 'fork: .*pausing 500 ms'
check "... and tries again after the rest" \
    wait_count "$LOG" 'cannot start a child for' 2 3
check "the client is not closed meanwhile" kill -0 "$c"
rm "$WORK/nofork"
wait "$c"
same "once processes can be made again, the waiting client is served" \
    "$(cat "$WORK/nproc.out")" late
kill -USR1 "$PID"
check "SIGUSR1 counts the fork failures" \
    wait_log "$LOG" 'counters: children [0-9]+, reloads 0, fork failures [2-9]'
stop "$PID"

# --- busy_reply reaches clients that sent their request at once ---
cf=$(conf busy <<'C'
port = 0;
listen = "127.0.0.1";
reply = "ok\n";
timeout = 5;
per_source = 1;
busy_reply = "busy\n";
C
)
start busy "$cf"
"$TCLIENT" -w 10 127.0.0.1 "$PORT" > /dev/null 2>&1 &
hold=$!
poll 3 has_children "$PID" 1
# Each client sends its request, and reads only 200 ms later: a reset
# that came meanwhile would have thrown the busy_reply away.
got=$(python3 - "$PORT" <<'P'
import socket, sys, time
got = 0
for i in range(20):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    s.sendall(b"a request\n" * 100)
    time.sleep(0.2)
    try:
        got += s.recv(100) == b"busy\n"
    except OSError:
        pass
    s.close()
print(got)
P
)
same "20 refused clients that sent a request: 20 got busy_reply" "$got" 20
kill "$hold" 2>/dev/null
wait "$hold" 2>/dev/null
stop "$PID"

# --- a handler's background process ends with it ---
cat > "$WORK/bg.sh" <<'S'
#!/bin/sh
echo started
sleep 29.5 &
exit 0
S
chmod 755 "$WORK/bg.sh"
cf=$(conf bg <<C
port = 0;
listen = "127.0.0.1";
handler = "exec";
exec = { program = "$WORK/bg.sh"; };
C
)
start bg "$cf"
t0=$(date +%s)
out=$("$TCLIENT" -w 10 127.0.0.1 "$PORT")
t1=$(date +%s)
same "the handler answered" "$out" started
check "the connection ends with the handler, not with its background sleep" \
    [ $((t1 - t0)) -le 3 ]
check "no background sleep is left" sh -c "! pgrep -f '[s]leep 29.5' > /dev/null"
stop "$PID"
finish

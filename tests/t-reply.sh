#!/bin/sh
# The tutorial exchange and the reply handler, over real sockets.
. "$(dirname "$0")/lib.sh"

cf=$(conf tutorial <<'C'
port = 0;
listen = "127.0.0.1";
reply = "thank you !\n";
log = "requests";
C
)
start tutorial "$cf"
check "replyd listens on a free loopback port" [ "$PORT" -gt 0 ]

out=$("$TCLIENT" -d 'hello\n' 127.0.0.1 "$PORT"; echo "rc=$?")
same "hello gets exactly the reply, then the server closes" "$out" \
    "$(printf 'thank you !\nrc=0')"
check "the request is logged, escaped" \
    wait_log "$LOG" 'received 6 bytes: "hello\\x0a"'
check "the bytes sent are logged" wait_log "$LOG" 'sent 12 bytes'
check "the connection is logged with the peer" \
    wait_log "$LOG" 'connect from 127\.0\.0\.1:[0-9]+'
check "the child's exit status is logged" \
    wait_log "$LOG" 'child [0-9]+ exited with status 0 after [0-9]+ ms'

# A client that sends nothing and half-closes still gets the reply.
out=$("$TCLIENT" -H 127.0.0.1 "$PORT")
same "an empty half-closed request gets the reply" "$out" "thank you !"
check "an empty request is logged as 0 bytes" \
    wait_log "$LOG" 'received 0 bytes: ""'

# Hostile bytes never reach the log raw.
"$TCLIENT" -d 'a\x1b[31m\r\nb%n%s\x01\xff' 127.0.0.1 "$PORT" >/dev/null
check "control bytes, escapes and format directives are escaped" \
    wait_log "$LOG" 'received 15 bytes: "a\\x1b\[31m\\x0d\\x0ab%n%s\\x01\\xff"'
esc=$(printf '\033')
if LC_ALL=C grep -q "$esc" "$LOG"; then
	not_ok "no raw ESC byte in the log"
	LC_ALL=C grep -n "$esc" "$LOG" | cat -v | sed 's/^/#   /' 
else
	ok "no raw ESC byte in the log"
fi
check "the log has one line per event (no injected line)" \
    sh -c "! grep -q '^b%n' '$LOG'"
stop "$PID"

# reply text and max_request come from the config.
cf=$(conf custom <<'C'
port = 0;
listen = [ "127.0.0.1", "::1" ];
reply = "custom answer\n";
max_request = 4;
log = "requests";
C
)
start custom "$cf"
out=$("$TCLIENT" -d "abcdefghij" 127.0.0.1 "$PORT")
same "the configured reply is sent" "$out" "custom answer"
check "at most max_request bytes are read" \
    wait_log "$LOG" 'received 4 bytes: "abcd"'
port6=$(grep 'listening on \[::1\]' "$LOG" | sed -E 's/.*:([0-9]+) \(tcp\)$/\1/')
if [ -n "$port6" ]; then
	out=$("$TCLIENT" -d "hi" ::1 "$port6")
	same "every listen address is bound (::1 too)" "$out" "custom answer"
else
	not_ok "every listen address is bound (::1 too)"
fi
stop "$PID"
same "SIGTERM ends the master with status 0" "$STATUS" 0

# Default listen address: dual stack, IPv4 and IPv6 clients alike.
cf=$(conf dual <<'C'
port = 0;
log = "requests";
C
)
start dual "$cf"
same "the default listener takes IPv4 clients" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "thank you !"
same "the default listener takes IPv6 clients" \
    "$("$TCLIENT" -d x ::1 "$PORT")" "thank you !"
check "an IPv4 client of the dual-stack socket is logged as IPv4" \
    wait_log "$LOG" 'connect from 127\.0\.0\.1:'
stop "$PID"

finish

#!/bin/sh
# Clients that misbehave: huge, binary, silent, resetting, slow; children
# that overstay session_timeout.  The master must log, survive, and keep
# serving.
. "$(dirname "$0")/lib.sh"
# These tests read the lines about each request.
LOGLINE='log = "requests";'
: "${MODULES:=$(pwd)}"

cf=$(conf bad <<'C'
port = 0;
listen = "127.0.0.1";
timeout = 2;
C
)
start bad "$cf"
"$TCLIENT" -H 127.0.0.1 "$PORT" > /dev/null
check "0 bytes: logged as an empty request" wait_log "$LOG" 'received 0 bytes: ""'
"$TCLIENT" -z 1048576 127.0.0.1 "$PORT" > /dev/null 2>&1
check "1 MB: only max_request bytes are read" \
    wait_log "$LOG" 'received 1024 bytes: "z{256}\.\.\."'
"$TCLIENT" -d 'a\x00b\x00\xfe\xff' 127.0.0.1 "$PORT" > /dev/null
check "NUL and binary bytes are escaped" \
    wait_log "$LOG" 'received 6 bytes: "a\\x00b\\x00\\xfe\\xff"'
"$TCLIENT" -R -d 'reset' 127.0.0.1 "$PORT" > /dev/null
check "a client that resets at once: its request is logged" \
    wait_log "$LOG" 'received 5 bytes: "reset"'
pid=$(grep 'received 5 bytes: "reset"' "$LOG" | sed -E 's/^replyd\[([0-9]+)\].*/\1/')
check "a client that resets at once: its child still ends" \
    wait_log "$LOG" "child $pid (exited with status|killed by signal)"
"$TCLIENT" -R 127.0.0.1 "$PORT" > /dev/null
poll 3 has_children "$PID" 0
check "the master survived them all" kill -0 "$PID"
same "and still serves" "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "thank you !"
check "no crash: every child exited by status, none by a signal" \
    sh -c "! grep -q 'killed by signal' '$LOG'"
stop "$PID"

# Slowloris: max_children idle clients are each dropped at timeout, then
# the next client is served.
cf=$(conf slow <<'C'
port = 0;
listen = "127.0.0.1";
max_children = 3;
timeout = 1;
C
)
start slow "$cf"
for _ in 1 2 3; do "$TCLIENT" -w 5 127.0.0.1 "$PORT" > /dev/null & done
for _ in $(seq 40); do [ "$(children "$PID")" -ge 3 ] && break; sleep 0.05; done
same "slowloris: max_children idle clients hold every child" "$(children "$PID")" 3
secs=$("$TCLIENT" -t -d x 127.0.0.1 "$PORT" 2>&1 >"$WORK/slow.out")
same "slowloris: the next client is served once they time out" \
    "$(cat "$WORK/slow.out")" "thank you !"
check "slowloris: it waited in the backlog about one timeout (${secs}s)" \
    awk "BEGIN { exit !($secs >= 0.8 && $secs < 4) }"
check "slowloris: the idle ones were dropped at timeout" \
    wait_count "$LOG" 'timeout after 1 s' 3
stop "$PID"

# session_timeout ends a child that keeps busy, exec handler included.
cf=$(conf session <<'C'
port = 0;
listen = "127.0.0.1";
session_timeout = 1;
handler = "exec";
exec = { program = "/bin/sh"; args = [ "-c", "trap '' TERM; echo started; sleep 30" ]; };
C
)
start session "$cf"
secs=$("$TCLIENT" -t -w 10 -d x 127.0.0.1 "$PORT" 2>&1 >/dev/null)
check "session_timeout: a child ignoring SIGTERM is killed (${secs}s)" \
    awk "BEGIN { exit !($secs >= 0.9 && $secs < 6) }"
check "session_timeout: SIGTERM first" wait_log "$LOG" 'past session_timeout \(1 s\): sent SIGTERM'
check "session_timeout: then SIGKILL" wait_log "$LOG" 'past session_timeout \(1 s\): sent SIGKILL'
check "session_timeout: the kill is logged" wait_log "$LOG" 'killed by signal 9'
stop "$PID"

# An exec'd program's own blocking read fails after timeout idle seconds.
cf=$(conf execidle <<'C'
port = 0;
listen = "127.0.0.1";
timeout = 1;
handler = "exec";
exec = { program = "/bin/sh"; args = [ "-c", "read x || echo read-failed" ]; };
C
)
start execidle "$cf"
secs=$("$TCLIENT" -t -w 5 127.0.0.1 "$PORT" 2>&1 >"$WORK/idle.out")
same "exec: a silent client makes the program's read fail" \
    "$(cat "$WORK/idle.out")" "read-failed"
check "exec: after about timeout seconds (${secs}s)" \
    awk "BEGIN { exit !($secs >= 0.9 && $secs < 4) }"
stop "$PID"
# exec.chroot: as root, the program runs inside it, as the user.  (A
# probe built with AddressSanitizer cannot run without /proc: the
# sanitizer build skips this; the plain build, which CI requires to skip
# nothing, runs it.)
if ldd "$MODULES/tests/probe" | grep -q libasan; then
	ok "exec.chroot # SKIP the probe is built with AddressSanitizer"
elif [ "$(id -u)" = 0 ]; then
	mkdir -p "$WORK/jail/bin"
	cp "$MODULES/tests/probe" "$WORK/jail/bin/probe"
	for lib in $(ldd "$MODULES/tests/probe" | grep -oE '/[^ ]+'); do
		mkdir -p "$WORK/jail$(dirname "$lib")"
		cp "$lib" "$WORK/jail$lib"
	done
	cf=$(conf jail <<C
port = 0;
listen = "127.0.0.1";
handler = "exec";
exec = { chroot = "$WORK/jail"; program = "/bin/probe"; };
C
)
	start jail "$cf"
	same "exec.chroot: the program runs inside the jail, as the user" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" \
	    "uid=$(id -u nobody) cwd=/ passwd=no"
	stop "$PID"
else
	ok "exec.chroot: needs root (# SKIP not root)"
fi
finish

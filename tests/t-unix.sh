#!/bin/sh
# Unix domain sockets: "unix:/path" listeners beside IP ones; the socket
# file's mode and owners; the variables of ucspi-unix's unixserver
# (PROTO=UNIX, UNIXREMOTEEUID, UNIXREMOTEEGID, UNIXREMOTEPID, ...)
# compared with the client's real ids and pid; per_source by user id;
# allow/deny left to IP clients; stale sockets replaced, other files
# never removed; reloads; activated AF_UNIX sockets.
. "$(dirname "$0")/lib.sh"
# These tests read the lines about each request.
LOGLINE='log = "requests";'

SSA=$(command -v systemd-socket-activate)
if [ "$(id -u)" = 0 ]; then
	GROUP=nogroup
	HUID=$(id -u nobody)
else
	GROUP=$(id -gn)
	HUID=$(id -u)
fi

cat > "$WORK/who.sh" <<'S'
#!/bin/sh
read -r line
echo "got=$line proto=$PROTO path=$UNIXLOCALPATH euid=$UNIXREMOTEEUID" \
    "egid=$UNIXREMOTEEGID pid=$UNIXREMOTEPID luid=$UNIXLOCALUID" \
    "svc=$REPLYD_SERVICE"
S
chmod 755 "$WORK/who.sh"

# services [THANKS_MODE] [WITH_ECHO]: the configuration's services list.
services() {
	cat <<C
services = (
	{ name = "who"; handler = "exec"; exec = { program = "$WORK/who.sh"; };
	  listen = [ "unix:$WORK/who.sock", "127.0.0.1" ]; port = 0; },
	{ name = "thanks"; listen = "unix:$WORK/thanks.sock";
	  socket_mode = $1; socket_group = "$GROUP"; },
	{ name = "busy"; listen = "unix:$WORK/busy.sock"; per_source = 1;
	  timeout = 2; busy_reply = "busy\n"; },
	{ name = "mixed"; listen = [ "unix:$WORK/mixed.sock", "127.0.0.1" ];
	  port = 0; allow = [ "192.0.2.1" ]; }$2
);
C
}
cf=$(services 0640 ", { name = \"echo\"; handler = \"echo\"; timeout = 2;
	  listen = \"unix:$WORK/echo.sock\"; }" | conf unix)
chmod 644 "$cf"

"$REPLYD" -t -c "$cf" > /dev/null
same "-t accepts unix: listeners, socket_mode and socket_group" "$?" 0
start unix "$cf"
wait_log "$LOG" 'echo: listening on' 10
check "the log names the listener and its kind" \
    grep -q "who: listening on unix:$WORK/who.sock (unix stream)" "$LOG"

# The exec handler sees the client as ucspi-unix's unixserver shows it.
"$TCLIENT" -w 5 -d 'hi\n' "unix:$WORK/who.sock" > "$WORK/who.out" &
cpid=$!
wait "$cpid"
same "exec: PROTO=UNIX, the path, the client's euid, egid and pid" \
    "$(cat "$WORK/who.out")" \
    "got=hi proto=UNIX path=$WORK/who.sock euid=$(id -u) egid=$(id -g) pid=$cpid luid=$HUID svc=who"
check "the log names the client by its credentials" \
    wait_log "$LOG" "who: connect from unix:uid=$(id -u),pid=$cpid\$"
wport=$(sed -nE 's/.*who: listening on 127\.0\.0\.1:([0-9]+) \(tcp\)$/\1/p' "$LOG")
out=$("$TCLIENT" -w 5 -d 'ip\n' 127.0.0.1 "$wport")
same "the same service's IP listener still says PROTO=TCP" \
    "$(echo "$out" | sed 's/ path=.*//')" "got=ip proto=TCP"

same "reply over a Unix socket" \
    "$("$TCLIENT" -w 5 -H -d x "unix:$WORK/thanks.sock")" "thank you !"
same "echo over a Unix socket" \
    "$("$TCLIENT" -w 5 -H -d 'ping\n' "unix:$WORK/echo.sock")" "ping"
same "socket_mode and socket_group set the socket file's" \
    "$(stat -c '%a %G' "$WORK/thanks.sock")" "640 $GROUP"
same "the default mode is 0666" "$(stat -c %a "$WORK/who.sock")" 666

# per_source counts Unix clients by user id.
"$TCLIENT" -w 5 "unix:$WORK/busy.sock" > "$WORK/first.out" &
first=$!
wait_log "$LOG" 'busy: connect from unix:'
"$TCLIENT" -w 5 "unix:$WORK/busy.sock" > "$WORK/second.out" &
second=$!
wait "$second"
same "per_source: a second client of the same uid is busy" \
    "$(cat "$WORK/second.out")" "busy"
check "and logged by its credentials" grep -q \
    "busy: refused unix:uid=$(id -u),pid=$second: per_source limit reached" \
    "$LOG"
wait "$first"
same "the first one is served" "$(cat "$WORK/first.out")" "thank you !"

# allow/deny judge IP clients only.
mport=$(sed -nE 's/.*mixed: listening on 127\.0\.0\.1:([0-9]+) \(tcp\)$/\1/p' "$LOG")
same "allow does not apply to Unix clients" \
    "$("$TCLIENT" -w 5 -H -d x "unix:$WORK/mixed.sock")" "thank you !"
"$TCLIENT" -w 5 -H -d x 127.0.0.1 "$mport" > /dev/null
check "but to the same service's IP clients" \
    wait_log "$LOG" "mixed: refused 127\.0\.0\.1:[0-9]+: access denied"

# A reload keeps an unchanged listener, applies a new mode, and removes
# the file of a listener that goes away.
ino=$(stat -c %i "$WORK/thanks.sock")
services 0600 '' | conf unix > /dev/null
kill -HUP "$PID"
wait_log "$LOG" 'reloaded'
same "reload: the kept listener is the same file" \
    "$(stat -c %i "$WORK/thanks.sock")" "$ino"
same "reload: with the new socket_mode" \
    "$(stat -c %a "$WORK/thanks.sock")" 600
check "reload: the file of the listener that went is removed" \
    test ! -e "$WORK/echo.sock"
same "reload: still served" \
    "$("$TCLIENT" -w 5 -H -d x "unix:$WORK/thanks.sock")" "thank you !"

stop "$PID"
same "SIGTERM: exit 0" "$STATUS" 0
same "SIGTERM: replyd removes the socket files it made" \
    "$(find "$WORK" -maxdepth 1 -name '*.sock' | wc -l)" 0

# A socket nobody listens on (a replyd killed) is stale and replaced.
start stale "$cf"
wait_log "$LOG" 'mixed: listening on 127' 10
kill -9 "$PID"
wait "$PID" 2>/dev/null
check "kill -9 leaves stale socket files" test -S "$WORK/who.sock"
start again "$cf"
check "a stale socket is replaced" \
    wait_log "$LOG" 'mixed: listening on 127' 10
same "and served" \
    "$("$TCLIENT" -w 5 -H -d x "unix:$WORK/thanks.sock")" "thank you !"
# A live one is not.  Alone, it is an exit with a clear error; beside
# listeners that can be bound, it is logged by name and retried.
first=$PID
only=$(conf inuse <<C
listen = "unix:$WORK/who.sock";
C
)
"$REPLYD" -f -c "$only" > /dev/null 2> "$WORK/inuse.err"
same "a socket another server listens on: exit 71" "$?" 71
check "with a clear error" grep -qx \
    "replyd: unix: cannot listen on unix:$WORK/who.sock: Address already in use" \
    "$WORK/inuse.err"
start second "$cf"
check "beside others: logged by name, and retried" wait_log "$LOG" \
    "^replyd: who: cannot listen on unix:$WORK/who.sock: Address already in use; retrying"
stop "$PID"
same "and the first server keeps its socket" \
    "$("$TCLIENT" -w 5 -H -d x "unix:$WORK/thanks.sock")" "thank you !"
stop "$first"

# Any other file at the path is an error, and never removed.
echo precious > "$WORK/plain.sock"
plain=$(conf plain <<C
listen = "unix:$WORK/plain.sock";
C
)
"$REPLYD" -t -c "$plain" 2> "$WORK/plain.err"
same "a file that is not a socket: -t exits 78" "$?" 78
check "naming the file and line" grep -q \
    "^replyd: $plain:2: listen \"unix:$WORK/plain.sock\": $WORK/plain.sock exists and is not a socket" \
    "$WORK/plain.err"
"$REPLYD" -f -c "$plain" 2> /dev/null
same "and replyd does not start" "$?" 78
same "the file is left alone" "$(cat "$WORK/plain.sock")" precious

# Activated AF_UNIX sockets.
if [ -z "$SSA" ]; then
	for i in 1 2 3 4 5 6 7; do
		ok "# SKIP systemd-socket-activate is not installed"
	done
	finish
	exit 0
fi
act=$(conf act <<C
listen = "unix:$WORK/act.sock";
reply = "activated\n";
C
)
"$SSA" -l "$WORK/act.sock" "$REPLYD" -f -c "$act" > "$WORK/act.log" 2>&1 &
apid=$!
PIDS="$PIDS $apid"
wait_log "$WORK/act.log" 'Listening on'
same "LISTEN_FDS: an activated Unix socket is served" \
    "$("$TCLIENT" -w 5 -H -d x "unix:$WORK/act.sock")" "activated"
check "and taken, not closed" grep -q \
    "listening on unix:$WORK/act.sock (unix stream, from socket activation)" \
    "$WORK/act.log"
kill "$apid"
wait "$apid" 2>/dev/null
check "replyd leaves the file of a socket it did not make" \
    test -S "$WORK/act.sock"

# systemd-socket-activate -a --inetd: replyd -i on one Unix connection.
"$SSA" -l "$WORK/acc.sock" -a --inetd "$REPLYD" -i -c "$cf" \
    > "$WORK/acc.log" 2>&1 &
spid=$!
PIDS="$PIDS $spid"
wait_log "$WORK/acc.log" 'Listening on'
"$TCLIENT" -w 5 -d 'hi\n' "unix:$WORK/acc.sock" > "$WORK/acc.out" &
cpid=$!
wait "$cpid"
same "replyd -i on a Unix connection: the client's credentials" \
    "$(cat "$WORK/acc.out")" \
    "got=hi proto=UNIX path=$WORK/acc.sock euid=$(id -u) egid=$(id -g) pid=$cpid luid=$HUID svc=who"
kill "$spid"
wait "$spid" 2>/dev/null

# --inetd without -a: replyd -i gets the listening socket itself.
waitcf=$(conf wait <<C
listen = "unix:$WORK/wait.sock";
timeout = 1;
C
)
"$SSA" -l "$WORK/wait.sock" --inetd "$REPLYD" -i -c "$waitcf" \
    > "$WORK/wait.log" 2>&1 &
wpid=$!
PIDS="$PIDS $wpid"
wait_log "$WORK/wait.log" 'Listening on'
out=$("$TCLIENT" -w 5 -H -d a "unix:$WORK/wait.sock")
out="$out $("$TCLIENT" -w 5 -H -d b "unix:$WORK/wait.sock")"
same "replyd -i on a listening Unix socket serves each client" "$out" \
    "thank you ! thank you !"
for i in $(seq 60); do
	kill -0 "$wpid" 2>/dev/null || break
	sleep 0.1
done
check "and exits once idle for timeout" test "$i" -lt 60
finish

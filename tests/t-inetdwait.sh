#!/bin/sh
# replyd -i on a service's own socket (inetd "wait": a listening TCP
# socket from systemd-socket-activate --inetd, a UDP one with
# --datagram) runs the master's loop, so a child ends there as under the
# master: its stderr reaches the log tagged with the service and its
# pid, what it left in its process group is killed, and replyd leaves
# the socket to the superserver once no child lives and no client came
# for `timeout` seconds.
. "$(dirname "$0")/lib.sh"

SSA=$(command -v systemd-socket-activate)
if [ -z "$SSA" ]; then
	not_ok "replyd -i on a service's socket: needs systemd-socket-activate"
	finish
	exit 0
fi
# The handler writes here as the test user or, under root, as nobody.
mkdir "$WORK/bg" && chmod 1777 "$WORK/bg"

cat > "$WORK/h.sh" <<'S'
#!/bin/sh
read -r line
echo "err $line from $$" >&2
case $line in
bg)	sleep 60 < /dev/null > /dev/null 2>&1 &
	echo $! > "$BGFILE" ;;
slow)	sleep 2 ;;
esac
echo "got $line"
S
chmod 755 "$WORK/h.sh"

# ended PID: PID is gone or a zombie (its new parent reaps it when it will).
ended() { [ -n "$1" ] && ! grep -qsE '^State:[[:space:]]*[^Z[:space:]]' "/proc/$1/status"; }

# udp_port: a UDP port on 127.0.0.1 nothing serves now.
udp_port() {
	start uprobe "$(conf uprobe <<'C'
port = 0;
protocol = "udp";
listen = "127.0.0.1";
C
)" > /dev/null || return 1
	echo "$PORT"
	stop "$PID"
}

# mode PROTO: the three scenarios under systemd-socket-activate.
mode() {
	local proto=$1 port cf spid kid bg i out u="" ssa=""
	if [ "$proto" = udp ]; then
		port=$(udp_port); u=-u; ssa=--datagram
	else
		port=$(free_port)
	fi
	cf=$(conf "w$proto" <<C
port = $port;
protocol = "$proto";
timeout = 1;
handler = "exec";
exec = { program = "$WORK/h.sh"; env = [ "BGFILE=$WORK/bg/$proto" ]; };
services = ( { name = "w$proto"; } );
C
)
	chmod 644 "$cf"
	"$SSA" -l "127.0.0.1:$port" $ssa --inetd "$REPLYD" -i -c "$cf" \
	    > /dev/null 2> "$WORK/$proto.log" &
	spid=$!
	PIDS="$PIDS $spid"
	wait_log "$WORK/$proto.log" 'Listening on'

	out=$("$TCLIENT" $u -w 5 -d 'hello\n' 127.0.0.1 "$port")
	same "$proto wait: the client is served" "$out" "got hello"
	wait_log "$WORK/$proto.log" "w$proto: child [0-9]+ exited"
	kid=$(sed -n "s/.*w$proto: child \([0-9]*\) exited.*/\1/p" \
	    "$WORK/$proto.log" | head -n 1)
	check "$proto wait: the handler's stderr reaches the log, tagged" \
	    grep -qE "^replyd\[[0-9]+\]: w$proto: child $kid: stderr: \"err hello from $kid\"\$" \
	    "$WORK/$proto.log"

	out=$("$TCLIENT" $u -w 5 -d 'bg\n' 127.0.0.1 "$port")
	same "$proto wait: a handler that leaves a process behind is served" \
	    "$out" "got bg"
	bg=$(cat "$WORK/bg/$proto" 2>/dev/null)
	PIDS="$PIDS $bg"
	check "$proto wait: what it left in its process group is killed" \
	    poll 3 ended "$bg"

	"$TCLIENT" $u -w 5 -d 'slow\n' 127.0.0.1 "$port" \
	    > "$WORK/slow.$proto" &
	i=$!
	sleep 1.6
	check "$proto wait: no leaving while a child lives past timeout" \
	    kill -0 "$spid"
	wait "$i"
	same "$proto wait: ... and the slow client is served" \
	    "$(cat "$WORK/slow.$proto")" "got slow"
	check "$proto wait: it leaves once idle for timeout" \
	    poll 4 sh -c "! kill -0 $spid 2>/dev/null"
	kill "$spid" 2>/dev/null
	wait "$spid"
	same "$proto wait: ... with status 0" "$?" 0
}

mode tcp
mode udp
finish

#!/bin/sh
# Socket activation and inetd mistakes.  LISTEN_FDS naming descriptors
# that are not open, not sockets, or sockets that do not listen (systemd's
# Accept=yes given to the master) is one clear error and exit 71, never a
# master that serves nothing or calls accept() in a loop; LISTEN_PID of
# another process is not ours to act on.  replyd -i given a listening
# socket (systemd-socket-activate --inetd without -a, inetd's "wait")
# serves it: one child per client, max_children, exit once idle.
. "$(dirname "$0")/lib.sh"

SSA=$(command -v systemd-socket-activate)
[ -n "$SSA" ] || skip_all "needs systemd-socket-activate"

# free_port: a port nothing listens on now (the kernel's choice).
free_port() {
	local cf p
	cf=$(conf probe <<'C'
port = 0;
listen = "127.0.0.1";
C
)
	start probe "$cf" || return 1
	p=$PORT
	stop "$PID"
	echo "$p"
}

# ended PID: whether PID has ended (a zombie has).
ended() {
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# outcome PID: RC is its exit status once it ends, or "running" if it
# still runs after 5 seconds (it is then killed).
outcome() {
	local i
	for i in $(seq 200); do
		if ended "$1"; then
			wait "$1"
			RC=$?
			return
		fi
		sleep 0.05
	done
	kill "$1"
	wait "$1" 2>/dev/null
	RC=running
}

port=$(free_port)
cf=$(conf act <<C
port = $port;
listen = "127.0.0.1";
reply = "served\n";
C
)

# mistake NAME WANT-MESSAGE COMMAND...: COMMAND (a replyd with a wrong
# environment, started in the background) must exit 71 with that line.
mistake() {
	local name=$1 want=$2 pid
	shift 2
	"$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
	pid=$!
	PIDS="$PIDS $pid"
	# systemd-socket-activate starts replyd on the first client.
	for i in $(seq 50); do
		"$TCLIENT" -w 1 -d x 127.0.0.1 "$port" > /dev/null 2>&1 &&
		    break
		ended "$pid" && break
		sleep 0.05
	done
	outcome "$pid"
	same "$name: exit 71" "$RC" 71
	check "$name: says why" grep -qxF "$want" "$WORK/$name.err"
}

# shellcheck disable=SC2016 # "$0" and "$1" belong to the inner sh
mistake "LISTEN_FDS=2, one fd passed" \
    "replyd: socket activation: fd 4 of LISTEN_FDS=2 is not open" \
    "$SSA" -l "127.0.0.1:$port" sh -c 'LISTEN_FDS=2 exec "$0" -f -c "$1"' \
    "$REPLYD" "$cf"
# With -a, systemd-socket-activate forks replyd per connection and stays.
"$SSA" -l "127.0.0.1:$port" -a "$REPLYD" -f -c "$cf" 2> "$WORK/accept.err" &
spid=$!
PIDS="$PIDS $spid"
wait_log "$WORK/accept.err" 'Listening on'
"$TCLIENT" -w 1 -d x 127.0.0.1 "$port" > /dev/null 2>&1
check "Accept=yes given to the master: exit 71" \
    wait_log "$WORK/accept.err" 'died with code 71'
check "Accept=yes given to the master: says why" grep -qxF \
    "replyd: socket activation: fd 3 of LISTEN_FDS=1 is a stream socket that is not listening (one connection, as with Accept=yes, is for replyd -i)" \
    "$WORK/accept.err"
kill "$spid"
wait "$spid" 2>/dev/null
# shellcheck disable=SC2016 # $$, "$0" and "$1" belong to the inner sh
mistake "LISTEN_FDS naming a file" \
    "replyd: socket activation: fd 3 of LISTEN_FDS=1 is not a socket" \
    sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" -f -c "$1" 3< /dev/null' \
    "$REPLYD" "$cf"
# shellcheck disable=SC2016 # $$, "$0" and "$1" belong to the inner sh
mistake "LISTEN_FDS naming a closed fd" \
    "replyd: socket activation: fd 3 of LISTEN_FDS=1 is not open" \
    sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" -f -c "$1" 3<&-' \
    "$REPLYD" "$cf"
# shellcheck disable=SC2016 # $$, "$0" and "$1" belong to the inner sh
mistake "LISTEN_FDS not a number" \
    "replyd: socket activation: LISTEN_FDS=\"three\" is not a number of descriptors from 0 to 64" \
    sh -c 'LISTEN_PID=$$ LISTEN_FDS=three exec "$0" -f -c "$1"' \
    "$REPLYD" "$cf"
for n in 65 -1 3x; do
	# shellcheck disable=SC2016 # $$, "$0" and "$1" belong to the inner sh
	mistake "LISTEN_FDS=$n" \
	    "replyd: socket activation: LISTEN_FDS=\"$n\" is not a number of descriptors from 0 to 64" \
	    sh -c 'LISTEN_PID=$$ LISTEN_FDS='"$n"' exec "$0" -f -c "$1"' \
	    "$REPLYD" "$cf"
done
# activated FAMILY TYPE: replyd started with LISTEN_FDS=1 and a socket
# of that family and type on fd 3.
cat > "$WORK/activate.py" <<'PY'
import os, socket, sys
s = socket.socket(getattr(socket, sys.argv[1]), getattr(socket, sys.argv[2]))
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = "1"
os.execv(sys.argv[3], sys.argv[3:])
PY
mistake "LISTEN_FDS naming a netlink socket" \
    "replyd: socket activation: fd 3 of LISTEN_FDS=1 is not an IP or Unix domain socket" \
    python3 "$WORK/activate.py" AF_NETLINK SOCK_RAW "$REPLYD" -f -c "$cf"
mistake "LISTEN_FDS naming a SOCK_SEQPACKET socket" \
    "replyd: socket activation: fd 3 of LISTEN_FDS=1 is neither a stream nor a datagram socket" \
    python3 "$WORK/activate.py" AF_UNIX SOCK_SEQPACKET "$REPLYD" -f -c "$cf"

# LISTEN_PID of another process: the variables are not for us.
LISTEN_PID=1 LISTEN_FDS=1 "$REPLYD" -f -c "$cf" > /dev/null \
    2> "$WORK/other.log" 3< /dev/null &
opid=$!
PIDS="$PIDS $opid"
wait_log "$WORK/other.log" 'listening on'
same "LISTEN_PID of another process: replyd binds and serves" \
    "$("$TCLIENT" -w 5 -H -d x 127.0.0.1 "$port")" "served"
stop "$opid"

# replyd -i on a listening socket: inetd's "wait" for TCP.
cat > "$WORK/slow.sh" <<'S'
#!/bin/sh
read -r line
sleep 0.3
echo "got $line"
S
chmod 755 "$WORK/slow.sh"
waitcf=$(conf wait <<C
handler = "exec";
exec = { program = "$WORK/slow.sh"; };
max_children = 1;
timeout = 1;
C
)
chmod 644 "$waitcf"
"$SSA" -l "127.0.0.1:$port" --inetd "$REPLYD" -i -c "$waitcf" \
    > /dev/null 2> "$WORK/wait.log" &
wpid=$!
PIDS="$PIDS $wpid"
wait_log "$WORK/wait.log" 'Listening on'
t0=$(date +%s%N)
for i in 1 2 3; do
	"$TCLIENT" -w 5 -d "c$i\n" 127.0.0.1 "$port" > "$WORK/c$i.out" &
	eval "c$i=\$!"
done
# shellcheck disable=SC2154 # c1..c3 are set by the eval above
wait "$c1" "$c2" "$c3"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
same "replyd -i on a listening socket serves every client" \
    "$(cat "$WORK/c1.out" "$WORK/c2.out" "$WORK/c3.out")" \
    "$(printf 'got c1\ngot c2\ngot c3')"
check "one child at a time with max_children = 1 (${ms} ms for 3 x 300)" \
    test "$ms" -ge 850
check "each child logged and reaped" \
    wait_count "$WORK/wait.log" 'child [0-9]+ exited with status 0' 3
same "no zombie" "$(zombies "$wpid")" 0
outcome "$wpid"
same "it exits 0 once idle for timeout" "$RC" 0
finish

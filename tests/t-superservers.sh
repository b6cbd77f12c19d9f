#!/bin/sh
# replyd -i under the real superservers (xinetd, openbsd-inetd,
# systemd-socket-activate with Accept=yes), and the socket-activated
# master (LISTEN_FDS).  The handler reports what it saw of the peer.
# On a machine without them this skips; CI installs them all and fails
# on any skip.
. "$(dirname "$0")/lib.sh"

XINETD=${XINETD:-$(command -v xinetd)}
INETD=${OPENBSD_INETD:-}
# Where README's first command and .ci/run unpack it (it conflicts with
# xinetd as a package).
[ -n "$INETD" ] || [ ! -x /opt/replyd-ci/openbsd-inetd/usr/sbin/inetd ] ||
    INETD=/opt/replyd-ci/openbsd-inetd/usr/sbin/inetd
[ -n "$INETD" ] || [ ! -x /usr/sbin/inetd ] || INETD=/usr/sbin/inetd
SSA=$(command -v systemd-socket-activate)
if [ -z "$XINETD" ] || [ -z "$INETD" ] || [ -z "$SSA" ]; then
	skip_all "needs xinetd, openbsd-inetd and systemd-socket-activate"
fi
ME=$(id -un)

cat > "$WORK/peer.sh" <<'S'
#!/bin/sh
read -r line
echo "got=$line proto=$PROTO remote=$TCPREMOTEIP local=$TCPLOCALIP:$TCPLOCALPORT"
S
chmod 755 "$WORK/peer.sh"
handler=$(conf handler <<C
handler = "exec";
exec = { program = "$WORK/peer.sh"; };
C
)
chmod 644 "$handler"

# run_xinetd NAME SOCKTYPE PROTO WAIT PORT CONF: start xinetd with one
# replyd -i service; sets SPID.
run_xinetd() {
	cat > "$WORK/$1.conf" <<X
defaults
{
	instances = 50
	cps = 1000 1
}
service replyd-$1
{
	type = UNLISTED
	socket_type = $2
	protocol = $3
	wait = $4
	user = $ME
	bind = 127.0.0.1
	port = $5
	server = $REPLYD
	server_args = -i -c $6
}
X
	"$XINETD" -dontfork -f "$WORK/$1.conf" -pidfile "$WORK/$1.pid" \
	    -filelog "$WORK/$1.log" 2> "$WORK/$1.err" &
	SPID=$!
	PIDS="$PIDS $SPID"
}

# run_inetd NAME "SOCKTYPE PROTO WAIT" PORT CONF: the same, openbsd-inetd.
run_inetd() {
	printf '127.0.0.1:%s %s %s %s replyd -i -c %s\n' \
	    "$3" "$2" "$ME" "$REPLYD" "$4" > "$WORK/$1.conf"
	"$INETD" -d "$WORK/$1.conf" > "$WORK/$1.log" 2>&1 &
	SPID=$!
	PIDS="$PIDS $SPID"
}

# expect NAME PORT: the exchange through a superserver.
expect() {
	local out
	for _ in $(seq 50); do
		out=$("$TCLIENT" -w 5 -d 'hi\n' 127.0.0.1 "$2" 2>/dev/null) &&
		    [ -n "$out" ] && break
		sleep 0.1
	done
	same "$1: replyd -i answers with the peer it saw" "$out" \
	    "got=hi proto=TCP remote=127.0.0.1 local=127.0.0.1:$2"
}

# xinetd
port=$(free_port)
run_xinetd xinetd stream tcp no "$port" "$handler"
xpid=$SPID
expect xinetd "$port"
kill "$xpid"; wait "$xpid" 2>/dev/null

# openbsd-inetd
port=$(free_port)
run_inetd inetd "stream tcp nowait" "$port" "$handler"
ipid=$SPID
expect openbsd-inetd "$port"
kill "$ipid"; wait "$ipid" 2>/dev/null

# inetd's "wait" for TCP: replyd -i gets the listening socket itself,
# serves its clients and exits once idle (the handler config's timeout).
waithandler=$(conf waithandler <<C
handler = "exec";
timeout = 1;
exec = { program = "$WORK/peer.sh"; };
C
)
chmod 644 "$waithandler"
port=$(free_port)
run_xinetd xinetd-wait stream tcp yes "$port" "$waithandler"
xpid=$SPID
expect "xinetd stream wait" "$port"
kill "$xpid"; wait "$xpid" 2>/dev/null

port=$(free_port)
run_inetd inetd-wait "stream tcp wait" "$port" "$waithandler"
ipid=$SPID
expect "openbsd-inetd stream wait" "$port"
expect "openbsd-inetd stream wait, again" "$port"
kill "$ipid"; wait "$ipid" 2>/dev/null

# systemd-socket-activate -a --inetd: systemd's Accept=yes.
port=$(free_port)
"$SSA" -l "127.0.0.1:$port" -a --inetd "$REPLYD" -i -c "$handler" \
    > "$WORK/ssa.log" 2>&1 &
spid=$!
PIDS="$PIDS $spid"
expect "systemd-socket-activate -a" "$port"
kill "$spid"; wait "$spid" 2>/dev/null

# UDP, inetd's "dgram wait": replyd -i gets the service socket itself.
udphandler=$(conf udphandler <<C
handler = "exec";
protocol = "udp";
timeout = 2;
max_amplification = 20;
exec = { program = "$WORK/udppeer.sh"; };
C
)
chmod 644 "$udphandler"
cat > "$WORK/udppeer.sh" <<'S'
#!/bin/sh
read -r line
echo "got=$line proto=$PROTO remote=$UDPREMOTEIP"
S
chmod 755 "$WORK/udppeer.sh"
# uexpect NAME PORT
uexpect() {
	local out
	for _ in $(seq 30); do
		out=$("$TCLIENT" -u -w 1 -d 'hi\n' 127.0.0.1 "$2" 2>/dev/null) &&
		    [ -n "$out" ] && break
	done
	same "$1: replyd -i serves datagrams" "$out" \
	    "got=hi proto=UDP remote=127.0.0.1"
	out=$("$TCLIENT" -u -w 2 -d 'again\n' 127.0.0.1 "$2" 2>/dev/null)
	same "$1: and the next one" "$out" "got=again proto=UDP remote=127.0.0.1"
}

port=$(free_port)
run_xinetd xinetd-udp dgram udp yes "$port" "$udphandler"
xpid=$SPID
uexpect "xinetd dgram wait" "$port"
kill "$xpid"; wait "$xpid" 2>/dev/null

port=$(free_port)
run_inetd inetd-udp "dgram udp wait" "$port" "$udphandler"
ipid=$SPID
uexpect "openbsd-inetd dgram wait" "$port"
kill "$ipid"; wait "$ipid" 2>/dev/null

# systemd-socket-activate without -a: the master takes LISTEN_FDS.
port=$(free_port)
master=$(conf master <<C
port = $port;
listen = "127.0.0.1";
reply = "from the activated master\n";
C
)
"$SSA" -l "127.0.0.1:$port" "$REPLYD" -f -c "$master" > "$WORK/master.log" 2>&1 &
mpid=$!
PIDS="$PIDS $mpid"
out=""
for _ in $(seq 50); do
	out=$("$TCLIENT" -w 5 -d x 127.0.0.1 "$port" 2>/dev/null) && [ -n "$out" ] && break
	sleep 0.1
done
same "LISTEN_FDS: the master serves on the inherited socket" "$out" \
    "from the activated master"
check "LISTEN_FDS: it says so and binds nothing of its own" \
    grep -q "listening on 127.0.0.1:$port (tcp, from socket activation)" \
    "$WORK/master.log"
kill "$mpid"; wait "$mpid" 2>/dev/null
finish

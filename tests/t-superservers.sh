#!/bin/sh
# replyd -i under the real superservers (xinetd, openbsd-inetd,
# systemd-socket-activate with Accept=yes), and the socket-activated
# master (LISTEN_FDS).  The handler reports what it saw of the peer.
# On a machine without them this skips; CI installs them all and fails
# on any skip.
. "$(dirname "$0")/lib.sh"

XINETD=${XINETD:-$(command -v xinetd)}
INETD=${OPENBSD_INETD:-}
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

# expect NAME PORT: the exchange through a superserver.
expect() {
	local out i
	for i in $(seq 50); do
		out=$("$TCLIENT" -w 5 -d 'hi\n' 127.0.0.1 "$2" 2>/dev/null) &&
		    [ -n "$out" ] && break
		sleep 0.1
	done
	same "$1: replyd -i answers with the peer it saw" "$out" \
	    "got=hi proto=TCP remote=127.0.0.1 local=127.0.0.1:$2"
}

# xinetd
port=$(free_port)
cat > "$WORK/xinetd.conf" <<X
defaults
{
	instances = 50
	cps = 1000 1
}
service replyd-test
{
	type = UNLISTED
	socket_type = stream
	protocol = tcp
	wait = no
	user = $ME
	bind = 127.0.0.1
	port = $port
	server = $REPLYD
	server_args = -i -c $handler
}
X
"$XINETD" -dontfork -f "$WORK/xinetd.conf" -pidfile "$WORK/xinetd.pid" \
    -filelog "$WORK/xinetd.log" 2> "$WORK/xinetd.err" &
xpid=$!
PIDS="$PIDS $xpid"
expect xinetd "$port"
kill "$xpid"; wait "$xpid" 2>/dev/null

# openbsd-inetd
port=$(free_port)
printf '127.0.0.1:%s stream tcp nowait %s %s replyd -i -c %s\n' \
    "$port" "$ME" "$REPLYD" "$handler" > "$WORK/inetd.conf"
"$INETD" -d "$WORK/inetd.conf" > "$WORK/inetd.log" 2>&1 &
ipid=$!
PIDS="$PIDS $ipid"
expect openbsd-inetd "$port"
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
	local out i
	for i in $(seq 30); do
		out=$("$TCLIENT" -u -w 1 -d 'hi\n' 127.0.0.1 "$2" 2>/dev/null) &&
		    [ -n "$out" ] && break
	done
	same "$1: replyd -i serves datagrams" "$out" \
	    "got=hi proto=UDP remote=127.0.0.1"
	out=$("$TCLIENT" -u -w 2 -d 'again\n' 127.0.0.1 "$2" 2>/dev/null)
	same "$1: and the next one" "$out" "got=again proto=UDP remote=127.0.0.1"
}

port=$(free_port)
cat > "$WORK/xinetd-udp.conf" <<X
defaults
{
	instances = 50
	cps = 1000 1
}
service replyd-udp
{
	type = UNLISTED
	socket_type = dgram
	protocol = udp
	wait = yes
	user = $ME
	bind = 127.0.0.1
	port = $port
	server = $REPLYD
	server_args = -i -c $udphandler
}
X
"$XINETD" -dontfork -f "$WORK/xinetd-udp.conf" -pidfile "$WORK/xinetd-udp.pid" \
    -filelog "$WORK/xinetd-udp.log" 2> "$WORK/xinetd-udp.err" &
xpid=$!
PIDS="$PIDS $xpid"
uexpect "xinetd dgram wait" "$port"
kill "$xpid"; wait "$xpid" 2>/dev/null

port=$(free_port)
printf '127.0.0.1:%s dgram udp wait %s %s replyd -i -c %s\n' \
    "$port" "$ME" "$REPLYD" "$udphandler" > "$WORK/inetd-udp.conf"
"$INETD" -d "$WORK/inetd-udp.conf" > "$WORK/inetd-udp.log" 2>&1 &
ipid=$!
PIDS="$PIDS $ipid"
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
for i in $(seq 50); do
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

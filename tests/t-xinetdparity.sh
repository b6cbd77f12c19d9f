#!/bin/sh
# Taking over from xinetd: one xinetd file, served by the real xinetd
# and, through replyd-import, by replyd, side by side on loopback, and
# every service asked the same: the internal services (echo, discard,
# daytime, time, chargen, over TCP and UDP) and a program.  What the
# client gets must be the same, or mean the same where the RFC leaves
# the form free (daytime's text, time's second).
. "$(dirname "$0")/lib.sh"

XINETD=${XINETD:-$(command -v xinetd || true)}
[ -n "$XINETD" ] || skip_all "needs xinetd"
: "${REPLYD_IMPORT:=$(dirname "$REPLYD")/replyd-import}"
ME=$(id -un)

# ports N: N ports free on 127.0.0.1 for TCP and UDP both, now.
ports() {
	python3 - "$1" <<'P'
import socket, sys
got, held = [], []
while len(got) < int(sys.argv[1]):
    t = socket.socket(); t.bind(("127.0.0.1", 0))
    p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
        got.append(p)
    except OSError:
        pass
    held += [t, u]
print(" ".join(map(str, got)))
P
}

# SERVICES: name id socket_type, one a line; "program" is /bin/echo.
SERVICES='echo echo-stream stream
echo echo-dgram dgram
discard discard-stream stream
daytime daytime-stream stream
daytime daytime-dgram dgram
time time-stream stream
time time-dgram dgram
chargen chargen-stream stream
program program stream'

# xfile PORTS...: the xinetd file, a service a port.
xfile() {
	echo "defaults"; echo "{"; echo "	instances = 50"; echo "}"
	echo "$SERVICES" | while read -r name id type; do
		echo "service $name"; echo "{"
		if [ "$name" = program ]; then
			echo "	type = UNLISTED"
			echo "	server = /bin/echo"
			echo "	server_args = hello from a program"
		else
			echo "	type = INTERNAL UNLISTED"
			echo "	id = $id"
		fi
		echo "	socket_type = $type"
		echo "	protocol = $([ "$type" = stream ] && echo tcp || echo udp)"
		echo "	wait = $([ "$type" = stream ] && echo no || echo yes)"
		echo "	user = $ME"
		echo "	bind = 127.0.0.1"
		echo "	port = $1"
		echo "}"
		shift
	done
}

# shellcheck disable=SC2046 # a list of ports, word by word
set -- $(ports 18)
[ $# = 18 ] || { echo "# no free ports"; exit 1; }
xfile "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" > "$WORK/x.conf"
shift 9
xfile "$@" > "$WORK/r.xinetd"
"$REPLYD_IMPORT" "$WORK/r.xinetd" > "$WORK/r.conf" 2> "$WORK/import.err"
same "import: every service enabled" \
    "$(grep -c '^		name = ' "$WORK/r.conf")" 9
chmod 644 "$WORK/r.conf"

"$XINETD" -dontfork -f "$WORK/x.conf" -pidfile "$WORK/x.pid" \
    -filelog "$WORK/x.log" 2> "$WORK/x.err" &
XPID=$!
PIDS="$PIDS $XPID"
start replyd "$WORK/r.conf" || exit 1
RPID=$PID

# answer PORT TYPE NAME: what a client gets, in a form both must share.
answer() {
	timeout 10 python3 - "$@" <<'P'
import socket, struct, sys, time, calendar
port, kind, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
# What a client of each sends: daytime, time and chargen clients over
# TCP send nothing (a request nobody reads is reset by xinetd), over UDP
# an empty datagram.
req = b"hello\n" if name in ("echo", "discard") else b""
deadline = time.time() + 5
while True:
    try:
        if kind == "stream":
            s = socket.create_connection(("127.0.0.1", port), timeout=3)
            if req:
                s.sendall(req)
                s.shutdown(socket.SHUT_WR)
            got = b""
            while len(got) < 148 or name != "chargen":
                b = s.recv(4096)
                if not b:
                    break
                got += b
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(3)
            s.sendto(req, ("127.0.0.1", port))
            got = s.recv(4096)
        break
    except (ConnectionRefusedError, socket.timeout):
        if time.time() > deadline:
            print("no answer"); sys.exit(0)
        time.sleep(0.2)
now = time.time()
# RFC 864's lines: 72 printable characters and CRLF, each line the
# ring of the 95 printable ones shifted by one (where the ring starts
# differs: inetd's at the blank, xinetd's at "!").
if name == "chargen":
    lines = got[:148].split(b"\r\n")[:2]
    ring = bytes(range(32, 127))
    ok = len(lines) == 2 and all(len(l) == 72 for l in lines)
    ok = ok and (ring * 3).find(lines[0] + lines[1][-1:]) >= 0 and \
        lines[1][:71] == lines[0][1:]
    got = b"RFC 864 lines" if ok else got[:148]
if name == "time":
    t = struct.unpack("!I", got)[0] - 2208988800 if len(got) == 4 else 0
    got = b"a time within 3 s of now" if abs(t - now) <= 3 else got
if name == "daytime":
    text = got.decode("ascii", "replace").strip()
    for form in ("%a %b %d %H:%M:%S %Y", "%d %b %Y %H:%M:%S %Z"):
        try:
            t = calendar.timegm(time.strptime(text, form))
        except ValueError:
            continue
        tz = time.localtime(now).tm_gmtoff if "%Z" not in form else 0
        if abs(t - tz - now) <= 3 and got.endswith(b"\r\n"):
            got = b"a date within 3 s of now, CRLF"
print(repr(got))
P
}

# The ports, in SERVICES order, of each server.
xports=$(sed -n 's/^	port = //p' "$WORK/x.conf")
rports=$(sed -n 's/^	port = //p' "$WORK/r.xinetd")
i=0
echo "$SERVICES" > "$WORK/services"
while read -r name id type; do
	i=$((i + 1))
	xp=$(echo "$xports" | sed -n "${i}p")
	rp=$(echo "$rports" | sed -n "${i}p")
	x=$(answer "$xp" "$type" "$name")
	r=$(answer "$rp" "$type" "$name")
	# Silence from both is no agreement.
	[ "$x" != "no answer" ] || x="(xinetd gave no answer)"
	same "$id: replyd answers as xinetd does" "$r" "$x"
done < "$WORK/services"
stop "$RPID"
kill "$XPID" 2>/dev/null
wait "$XPID" 2>/dev/null
finish

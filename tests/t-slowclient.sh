#!/bin/sh
# Slow clients: a handler that reads a request (status, reply) gives the
# whole request one deadline, `timeout` seconds from the connection, so a
# client that trickles a byte just before each timeout holds a child no
# longer than a silent one.  echo and discard are streams: their timeout
# is idle time (SPEC), and a trickle keeps them, as it must.
. "$(dirname "$0")/lib.sh"

# trickle PORT FIRST EVERY COUNT: send FIRST, then one byte every EVERY
# seconds, at most COUNT of them; print the seconds until the server
# closed (or the bytes ran out and 4 more seconds passed).
trickle() {
	python3 - "$@" <<'P'
import socket, sys, time
port, first, every, count = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
t0 = time.monotonic()
s.sendall(first.encode())
def closed(wait):
    s.settimeout(wait)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except socket.timeout:
        return False
    except OSError:
        return True
for i in range(count):
    if closed(every):
        break
    try:
        s.send(b"X")
    except OSError:
        break
else:
    closed(4)
print("%.1f" % (time.monotonic() - t0))
P
}

cf=$(conf slow <<'C'
listen = "127.0.0.1";
port = 0;
timeout = 2;
services = (
	{ name = "stats"; handler = "status"; },
	{ name = "reply"; port = 0; },
	{ name = "echo"; port = 0; handler = "echo"; }
);
C
)
start slow "$cf"
pstat=$(port_of "$LOG" stats) preply=$(port_of "$LOG" reply)
pecho=$(port_of "$LOG" echo)

# One byte every 1.5 s, eight times: 12 s of trickle against timeout 2.
secs=$(trickle "$pstat" 'GET / HTTP/1.0\r\n' 1.5 8)
check "status: a trickling HTTP header is closed by about timeout (${secs}s, timeout 2 s)" \
    awk "BEGIN { exit !($secs < 3.5) }"
secs=$(trickle "$preply" '' 1.5 8)
check "reply: a client that trickles is closed by about timeout (${secs}s)" \
    awk "BEGIN { exit !($secs < 3.5) }"
secs=$(trickle "$pecho" 'x' 1.5 3)
check "echo: a trickle is not idle, the stream stays open (${secs}s)" \
    awk "BEGIN { exit !($secs > 4) }"

# A NUL in the header does not hide its end: answered at once.
secs=$("$TCLIENT" -t -w 5 -d 'GET /\x00 HTTP/1.0\r\n\r\n' 127.0.0.1 "$pstat" \
    2>&1 > "$WORK/nul.out")
check "status: a header with a NUL is answered as HTTP" \
    grep -q '^HTTP/1.0 200 OK' "$WORK/nul.out"
check "status: ... at once, not at timeout (${secs}s)" \
    awk "BEGIN { exit !($secs < 1.5) }"
finish

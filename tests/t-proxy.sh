#!/bin/sh
# PROXY protocol: the real HAProxy in front of two replyd instances, one
# with send-proxy (v1), one with send-proxy-v2; trusted and untrusted
# sources; malformed headers.  Skips without haproxy; CI installs it.
. "$(dirname "$0")/lib.sh"

HAPROXY=${HAPROXY:-$(command -v haproxy || true)}
[ -x /usr/sbin/haproxy ] && [ -z "$HAPROXY" ] && HAPROXY=/usr/sbin/haproxy
[ -n "$HAPROXY" ] || skip_all "needs haproxy"

# pieces PORT PIECE DELAY DATA: from 127.0.0.1, send DATA (\r, \n and
# \xNN escapes) PIECE bytes at a time, DELAY seconds apart, then
# half-close; print what comes back until the server closes.
pieces() {
	python3 - "$@" <<'P'
import codecs, socket, sys, time
port, piece, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
data = codecs.decode(sys.argv[4], "unicode_escape").encode("latin-1")
s = socket.create_connection(("127.0.0.1", port), timeout=10)
for i in range(0, len(data), piece):
    s.sendall(data[i:i + piece])
    time.sleep(delay)
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode("latin-1"))
P
}

cat > "$WORK/peer.sh" <<'S'
#!/bin/sh
read -r line
echo "got=$line remote=$TCPREMOTEIP local=$TCPLOCALIP"
S
chmod 755 "$WORK/peer.sh"
backend() {
	conf "$1" <<C
port = 0;
listen = "127.0.0.1";
proxy_protocol = true;
proxy_from = [ "127.0.0.1" ];
handler = "exec";
exec = { program = "$WORK/peer.sh"; };
C
}
start a "$(backend a)"
pa=$PORT loga=$LOG pida=$PID
start b "$(backend b)"
pb=$PORT logb=$LOG

# A free port for haproxy's frontend.
start probe "$(conf probe <<'C'
port = 0;
listen = "127.0.0.1";
C
)"
pf=$PORT
stop "$PID"
cat > "$WORK/haproxy.cfg" <<H
global
	maxconn 100
defaults
	mode tcp
	timeout connect 2s
	timeout client 5s
	timeout server 5s
frontend fe
	bind 127.0.0.1:$pf
	default_backend be
backend be
	balance roundrobin
	server a 127.0.0.1:$pa send-proxy
	server b 127.0.0.1:$pb send-proxy-v2
H
"$HAPROXY" -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
hpid=$!
PIDS="$PIDS $hpid"
for _ in $(seq 50); do
	out=$("$TCLIENT" -s 127.0.0.7 -w 5 -d 'one\n' 127.0.0.1 "$pf" 2>/dev/null) &&
	    [ -n "$out" ] && break
	sleep 0.1
done
out2=$("$TCLIENT" -s 127.0.0.7 -w 5 -d 'two\n' 127.0.0.1 "$pf")
same "haproxy: the handler sees the real client (first backend)" \
    "$(echo "$out" | sed 's/got=[a-z]* //')" "remote=127.0.0.7 local=127.0.0.1"
same "haproxy: the handler sees the real client (second backend)" \
    "$(echo "$out2" | sed 's/got=[a-z]* //')" "remote=127.0.0.7 local=127.0.0.1"
check "send-proxy (v1): replyd logs the client and the balancer" \
    wait_log "$loga" 'connect from 127\.0\.0\.7:[0-9]+ via 127\.0\.0\.1:[0-9]+$'
check "send-proxy-v2: replyd logs the client and the balancer" \
    wait_log "$logb" 'connect from 127\.0\.0\.7:[0-9]+ via 127\.0\.0\.1:[0-9]+$'
kill "$hpid"; wait "$hpid" 2>/dev/null

# Straight to a backend, not through the balancer.
same "untrusted source without a header: an ordinary client" \
    "$("$TCLIENT" -s 127.0.0.5 -d 'plain\n' 127.0.0.1 "$pa")" \
    "got=plain remote=127.0.0.5 local=127.0.0.1"
# Bytes that only begin a signature are an ordinary request.
same "untrusted source, a lone 'P': an ordinary client" \
    "$("$TCLIENT" -H -s 127.0.0.5 -d 'P' 127.0.0.1 "$pa")" \
    "got=P remote=127.0.0.5 local=127.0.0.1"
same "untrusted source, a blank line (v2's first bytes): an ordinary client" \
    "$("$TCLIENT" -H -s 127.0.0.5 -d '\r\n' 127.0.0.1 "$pa" | tr -d '\r')" \
    "got= remote=127.0.0.5 local=127.0.0.1"
same "untrusted source, 'PROXY' without its space: an ordinary client" \
    "$("$TCLIENT" -H -s 127.0.0.5 -d 'PROXY' 127.0.0.1 "$pa")" \
    "got=PROXY remote=127.0.0.5 local=127.0.0.1"
same "untrusted source, v2's whole signature: closed" \
    "$("$TCLIENT" -s 127.0.0.5 -d '\r\n\r\n\x00\r\nQUIT\n\x21' 127.0.0.1 "$pa")" ""
same "untrusted source with a header: closed" \
    "$("$TCLIENT" -s 127.0.0.5 -d 'PROXY TCP4 1.1.1.1 127.0.0.1 1 2\r\nhi\n' 127.0.0.1 "$pa")" ""
check "untrusted source with a header: logged" \
    wait_log "$loga" 'refused 127\.0\.0\.5:[0-9]+: PROXY header from an untrusted source'
same "trusted source, malformed header: closed" \
    "$("$TCLIENT" -d 'PROXY TCP4 1.1.1.1 nonsense\r\nhi\n' 127.0.0.1 "$pa")" ""
check "trusted source, malformed header: logged" \
    wait_log "$loga" 'refused 127\.0\.0\.1:[0-9]+: malformed or oversized PROXY header'
same "trusted source, oversized header: closed" \
    "$("$TCLIENT" -z 300 -d 'PROXY TCP4 ' 127.0.0.1 "$pa")" ""

# A balancer's header that comes in pieces is read whole, however it is
# cut; one that stops mid-header is refused.
same "trusted source, a v1 header byte by byte: the client it names" \
    "$(pieces "$pa" 1 0.02 "PROXY TCP4 127.0.0.9 127.0.0.1 4444 $pa\\r\\nslow\\n")" \
    "got=slow remote=127.0.0.9 local=127.0.0.1"
check "... logged as that client, via the balancer" \
    wait_log "$loga" 'connect from 127\.0\.0\.9:4444 via 127\.0\.0\.1:[0-9]+$'
v2='\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\x7f\x00\x00\x0a\x7f\x00\x00\x01\x11\x5d\x00\x07'
same "trusted source, a v2 header five bytes at a time: the client it names" \
    "$(pieces "$pa" 5 0.05 "${v2}v2slow\\n")" \
    "got=v2slow remote=127.0.0.10 local=127.0.0.1"
check "... logged as that client, via the balancer" \
    wait_log "$loga" 'connect from 127\.0\.0\.10:4445 via 127\.0\.0\.1:[0-9]+$'
n=$(grep -c 'malformed or oversized PROXY header' "$loga")
same "trusted source, part of a header and then a half-close: closed" \
    "$(pieces "$pa" 4 0.02 'PROXY TCP4 127.0.0.9 127')" ""
check "... logged as malformed" wait_count "$loga" \
    'refused 127\.0\.0\.1:[0-9]+: malformed or oversized PROXY header' $((n + 1))

# Waiting for headers never holds up the master: silent connections from
# the balancer do not delay a client behind them.
for _ in 1 2 3 4 5 6; do
	"$TCLIENT" -w 4 127.0.0.1 "$pa" > /dev/null 2>&1 &
done
six_waiting() { [ "$(live_children "$pida")" -ge 6 ]; }
poll 3 six_waiting
secs=$("$TCLIENT" -t -s 127.0.0.5 -d 'quick\n' 127.0.0.1 "$pa" 2>&1 >"$WORK/quick.out")
same "silent balancer connections: another client is still answered" \
    "$(cat "$WORK/quick.out")" "got=quick remote=127.0.0.5 local=127.0.0.1"
check "silent balancer connections: ... without waiting on them (${secs}s)" \
    awk "BEGIN { exit !($secs < 1) }"

# Without proxy_protocol a PROXY header is just request data.
start plain "$(conf plain <<'C'
port = 0;
listen = "127.0.0.1";
log = "requests";
C
)"
same "without proxy_protocol: a header is an ordinary request" \
    "$("$TCLIENT" -d 'PROXY TCP4 1.1.1.1 2.2.2.2 1 2\r\n' 127.0.0.1 "$PORT")" \
    "thank you !"
check "without proxy_protocol: it is logged as data" \
    wait_log "$LOG" 'received 32 bytes: "PROXY TCP4 1\.1\.1\.1 2\.2\.2\.2 1 2\\x0d\\x0a"'
finish

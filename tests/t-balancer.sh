#!/bin/sh
# Behind a balancer: HAProxy's own health checks (send-proxy-v2 and
# send-proxy, with check) run no handler and cost one log line each;
# connections a balancer resets right after its header; per_source
# counts the real clients, not the balancer.  Skips without haproxy;
# CI installs it.
. "$(dirname "$0")/lib.sh"

HAPROXY=${HAPROXY:-$(command -v haproxy || true)}
[ -x /usr/sbin/haproxy ] && [ -z "$HAPROXY" ] && HAPROXY=/usr/sbin/haproxy
[ -n "$HAPROXY" ] || skip_all "needs haproxy"

# The handler says on stderr (the log) each time it runs, and what for.
cat > "$WORK/peer.sh" <<'S'
#!/bin/sh
read -r line
echo "handler ran for $TCPREMOTEIP: $line" >&2
echo "got=$line remote=$TCPREMOTEIP"
S
chmod 755 "$WORK/peer.sh"
start be "$(conf be <<C
port = 0;
listen = "127.0.0.1";
proxy_protocol = true;
proxy_from = [ "127.0.0.1" ];
max_children = 1;
handler = "exec";
exec = { program = "$WORK/peer.sh"; };
C
)"
pb=$PORT
be_pid=$PID

# A free port for haproxy's frontend.
start probe "$(conf probe <<'C'
port = 0;
listen = "127.0.0.1";
C
)"
pf=$PORT
stop "$PID"
LOG=$WORK/be.log

# Two servers on the same replyd: checks in both PROXY versions.
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
	server v2 127.0.0.1:$pb send-proxy-v2 check inter 200ms
	server v1 127.0.0.1:$pb send-proxy check inter 200ms
H
"$HAPROXY" -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
hpid=$!
PIDS="$PIDS $hpid"
# About 2 s of checks: 200 ms apart, from two servers.
check "haproxy checks: they reach replyd" \
    wait_count "$LOG" 'child [0-9]+ exited with status 0' 16 10
out=$("$TCLIENT" -s 127.0.0.7 -w 5 -d 'one\n' 127.0.0.1 "$pf")
same "haproxy: a real client is served" "$out" "got=one remote=127.0.0.7"
check "haproxy: ... and logged with its own address, via the balancer" \
    wait_log "$LOG" 'connect from 127\.0\.0\.7:[0-9]+ via 127\.0\.0\.1:[0-9]+$'
wait_count "$LOG" 'child [0-9]+ exited with status 0' 20 5
kill "$hpid"; wait "$hpid" 2>/dev/null
checks=$(grep -cE 'child [0-9]+ exited with status 0' "$LOG")
same "haproxy checks: no handler runs for them (only for the client)" \
    "$(grep -c 'handler ran' "$LOG")" 1
# Every line but the client's, the exits and the checks that waited for
# max_children ("listening" is the first).
same "haproxy checks: one quiet line each, nothing else ($checks exits)" \
    "$(grep -vE 'child [0-9]+ exited with status 0 after|127\.0\.0\.7|clients? waited for' \
    "$LOG" | tail -n +2)" ""
check "haproxy: every server stayed up" \
    sh -c "! grep -E 'is DOWN|no server available' '$WORK/haproxy.log'"

# The same by hand, from the trusted balancer address.
V2SIG='\r\n\r\n\x00\r\nQUIT\n'
LOCAL="$V2SIG"'\x20\x00\x00\x00'
# PROXY, TCP over IPv4: 192.0.2.7:4242 to 127.0.0.1:8080.
REAL="$V2SIG"'\x21\x11\x00\x0c\xc0\x00\x02\x07\x7f\x00\x00\x01\x10\x92\x1f\x90'
# quietly DESCRIPTION TCLIENT-ARGS...: the connection's only log line is
# its child's exit with status 0.
quietly() {
	local desc=$1 before exits
	shift
	before=$(wc -l < "$LOG")
	exits=$(grep -c 'exited with status' "$LOG")
	"$TCLIENT" -w 5 "$@" 127.0.0.1 "$pb" > "$WORK/quiet.out" 2>&1
	wait_count "$LOG" 'exited with status' $((exits + 1))
	same "$desc" "$(tail -n +$((before + 1)) "$LOG" |
	    grep -vE 'clients? waited for' |
	    sed -E 's/.*: child [0-9]+ (exited with status [0-9]+) .*/\1/')" \
	    "exited with status 0"
}
quietly "v2 LOCAL, then a reset: no line but the exit" -R -d "$LOCAL"
# HAProxy's content checks send a request behind LOCAL and want the
# answer: the balancer's own connection, served with it as the peer.
same "v2 LOCAL, then data: served, the balancer is the peer" \
    "$("$TCLIENT" -w 5 -H -d "$LOCAL"'hi\n' 127.0.0.1 "$pb" |
    sed 's/ local=.*//')" "got=hi remote=127.0.0.1"
quietly "a connection reset before a byte: quiet" -R
# HAProxy's v1 checks name the check's own connection: bound to a port
# of our choosing (the probe's, free again), the test does the same.
quietly "v1 header naming its own connection, then a reset: quiet" \
    -R -s 127.0.0.1 -p "$pf" -d "PROXY TCP4 127.0.0.1 127.0.0.1 $pf $pb\r\n"
# Reset right after a header and a request: getpeername() fails in the
# child by then, but the header is still read, and the request is the
# real client's, not the header.  A silent connection holds the one
# child, so the reset one waits in the backlog until the test lets it go.
"$TCLIENT" -w 8 127.0.0.1 "$pb" > /dev/null &
holder=$!
for _ in $(seq 100); do [ "$(children "$be_pid")" -ge 1 ] && break; sleep 0.05; done
"$TCLIENT" -R -d "$REAL"'hi\n' 127.0.0.1 "$pb"
kill "$holder"
wait "$holder" 2>/dev/null
check "reset after a header: it is still parsed (real client logged)" \
    wait_log "$LOG" 'connect from 192\.0\.2\.7:4242 via 127\.0\.0\.1:[0-9]+$'
check "reset after a header: the handler gets the request, not the header" \
    wait_log "$LOG" 'stderr: "handler ran for 192\.0\.2\.7: hi"$'
stop "$be_pid"

# per_source counts the clients the headers name.
start ps "$(conf ps <<'C'
port = 0;
listen = "127.0.0.1";
proxy_protocol = true;
proxy_from = [ "127.0.0.1" ];
per_source = 1;
busy_reply = "busy\n";
timeout = 10;
C
)"
"$TCLIENT" -w 12 -d "$(proxy_hdr 192.0.2.1 1111)" 127.0.0.1 "$PORT" > /dev/null &
holder=$!
wait_log "$LOG" 'connect from 192\.0\.2\.1:1111 via'
same "per_source behind a balancer: the same client again is busy" \
    "$("$TCLIENT" -d "$(proxy_hdr 192.0.2.1 2222)hi\n" 127.0.0.1 "$PORT")" "busy"
same "per_source behind a balancer: another client via the same one is served" \
    "$("$TCLIENT" -d "$(proxy_hdr 192.0.2.2 3333)hi\n" 127.0.0.1 "$PORT")" "thank you !"
check "per_source behind a balancer: the refusal names client and balancer" \
    wait_log "$LOG" 'refused 192\.0\.2\.1:2222 via 127\.0\.0\.1:[0-9]+: per_source limit reached'
kill "$holder"
wait "$holder" 2>/dev/null
wait_log "$LOG" '192\.0\.2\.1:1111: received'
wait_count "$LOG" 'exited with status 0' 2
same "per_source behind a balancer: once it is gone, the client is served" \
    "$("$TCLIENT" -d "$(proxy_hdr 192.0.2.1 4444)hi\n" 127.0.0.1 "$PORT")" "thank you !"
# A direct client (not in proxy_from) counts as itself.
"$TCLIENT" -w 12 -s 127.0.0.5 127.0.0.1 "$PORT" > /dev/null &
holder=$!
wait_log "$LOG" 'connect from 127\.0\.0\.5:'
same "per_source, direct client of a PROXY service: limited as itself" \
    "$("$TCLIENT" -s 127.0.0.5 -d 'hi\n' 127.0.0.1 "$PORT")" "busy"
kill "$holder"
wait "$holder" 2>/dev/null
finish

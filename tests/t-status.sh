#!/bin/sh
# The status handler: every service's counters in the Prometheus text
# format, over plain TCP and as an HTTP/1.0 response to a GET (what
# Prometheus sends), loopback clients only unless `allow` says more.
. "$(dirname "$0")/lib.sh"

cf=$(conf st <<'C'
port = 0;
listen = "127.0.0.1";
services = (
	{ name = "r"; reply = "hi\n"; deny = [ "127.0.0.9" ]; },
	{ name = "odd.name-2"; reply = "x\n"; },
	{ name = "stats"; handler = "status"; },
	{ name = "stats6"; handler = "status"; listen = "::"; }
);
C
)
start st "$cf"
r=$(port_of "$LOG" r)
s=$(port_of "$LOG" stats)
"$TCLIENT" -d x 127.0.0.1 "$r" > /dev/null
"$TCLIENT" -d x 127.0.0.1 "$r" > /dev/null
"$TCLIENT" -s 127.0.0.9 -d x 127.0.0.1 "$r" > /dev/null
wait_count "$LOG" 'r: child [0-9]+ exited' 2

"$TCLIENT" -d 'x\n' 127.0.0.1 "$s" > "$WORK/plain"
check "plain text: replyd_up 1" grep -qx 'replyd_up 1' "$WORK/plain"
check "plain text: accepted counts the two served clients" \
    grep -qx 'replyd_accepted_total{service="r"} 2' "$WORK/plain"
check "plain text: served 2" grep -qx 'replyd_served_total{service="r"} 2' "$WORK/plain"
check "plain text: refused by reason (denied 1)" \
    grep -qx 'replyd_refused_total{service="r",reason="denied"} 1' "$WORK/plain"
check "plain text: busy and rate-limited are there as 0" \
    sh -c "grep -qx 'replyd_refused_total{service=\"r\",reason=\"busy\"} 0' '$WORK/plain' &&
	grep -qx 'replyd_refused_total{service=\"r\",reason=\"rate-limited\"} 0' '$WORK/plain'"
check "plain text: the status service counts itself as active" \
    grep -qx 'replyd_active{service="stats"} 1' "$WORK/plain"
check "plain text: a service without clients shows zeros" \
    grep -qx 'replyd_accepted_total{service="odd.name-2"} 0' "$WORK/plain"
check "plain text: fork failures, uptime and reloads" \
    sh -c "grep -qx 'replyd_fork_failures_total{service=\"r\"} 0' '$WORK/plain' &&
	grep -qE '^replyd_uptime_seconds [0-9]+$' '$WORK/plain' &&
	grep -qx 'replyd_reloads_total 0' '$WORK/plain'"
# Every line is a comment (HELP or TYPE) or a sample, and every metric
# has its HELP and TYPE before its first sample.
check "plain text: well-formed exposition format" python3 - "$WORK/plain" <<'P'
import re, sys
seen, ok, samples = set(), True, 0
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r'# (HELP|TYPE) ([a-z_]+) (.+)$', line)
    if m:
        seen.add((m.group(1), m.group(2)))
        continue
    m = re.match(r'([a-z_]+)(\{[a-z]+="(?:[^"\\]|\\.)*"(?:,[a-z]+="(?:[^"\\]|\\.)*")*\})? [0-9]+$', line)
    if not m or ("HELP", m.group(1)) not in seen or ("TYPE", m.group(1)) not in seen:
        print("# bad line:", line); ok = False
    samples += 1
sys.exit(0 if ok and samples >= 20 else 1)
P
# Prometheus's own parser and linter (promtool, in Debian's prometheus
# package) on the same text: a missing promtool fails, it is not a skip.
promtool_ok() { promtool check metrics < "$1" > "$WORK/promtool" 2>&1; }
if command -v promtool > /dev/null; then
	check "plain text: promtool check metrics finds nothing" \
	    promtool_ok "$WORK/plain"
	sed 's/^/# promtool: /' "$WORK/promtool"
else
	not_ok "plain text: promtool check metrics: promtool is missing" \
	    "(apt-get install prometheus)"
fi

# What Prometheus does: an HTTP GET.
check "HTTP GET: a 200 response with the same metrics" python3 - "$s" <<'P'
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5) as r:
    body = r.read().decode()
    assert r.status == 200, r.status
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
    assert int(r.headers["Content-Length"]) == len(body.encode()), r.headers
    assert 'replyd_served_total{service="r"} 2\n' in body, body
P
"$TCLIENT" -d 'GET / HTTP/1.0\r\n\r\n' 127.0.0.1 "$s" > "$WORK/http"
check "HTTP GET: status line and header end" \
    sh -c "head -n 1 '$WORK/http' | grep -q '^HTTP/1.0 200 OK' && grep -q \"\$(printf '^\r$')\" '$WORK/http'"

# Loopback over IPv6 too: ::1, and 127.0.0.1 as the v4-mapped peer of a
# dual-stack listener.
up() { "$TCLIENT" -d x "$1" "$2" | grep -qx 'replyd_up 1'; }
s6=$(port_of "$LOG" stats6)
check "status on a dual-stack listener: ::1 is loopback, served" up ::1 "$s6"
check "status on a dual-stack listener: 127.0.0.1 (v4-mapped) is loopback, served" \
    up 127.0.0.1 "$s6"

kill -HUP "$PID"
wait_log "$LOG" 'reloaded'
"$TCLIENT" -d x 127.0.0.1 "$s" > "$WORK/after"
check "after a reload: counters carried over, the reload counted" \
    sh -c "grep -qx 'replyd_served_total{service=\"r\"} 2' '$WORK/after' &&
	grep -qx 'replyd_reloads_total 1' '$WORK/after'"
stop "$PID"

# From an address that is not loopback: refused unless allow says so.
# The address is on the loopback interface of a network namespace of
# the test's own, so nothing leaves the machine (tclient only talks to
# 127/8 and ::1: python3 is the client here).
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	cat > "$WORK/ns.sh" <<NS
ip link set lo up
ip addr add 192.0.2.1/32 dev lo || exit 3
printf 'user = "nobody";\nport = 0;\nlisten = "192.0.2.1";\nservices = ( { name = "a"; handler = "status"; },\n{ name = "b"; handler = "status"; allow = [ "192.0.2.0/24" ]; } );\n' > "$WORK/ns.conf"
"$REPLYD" -f -c "$WORK/ns.conf" 2> "$WORK/ns.log" &
pid=\$!
for i in \$(seq 50); do grep -q 'b: listening' "$WORK/ns.log" && break; sleep 0.1; done
pa=\$(sed -n 's/.*a: listening on .*:\([0-9]*\) (tcp)\$/\1/p' "$WORK/ns.log")
pb=\$(sed -n 's/.*b: listening on .*:\([0-9]*\) (tcp)\$/\1/p' "$WORK/ns.log")
ask() { python3 -c 'import socket, sys
s = socket.create_connection(("192.0.2.1", int(sys.argv[1])), timeout=5)
s.sendall(b"x\\n"); s.shutdown(1); sys.stdout.write(s.makefile().read())' "\$1"; }
ask "\$pa" > "$WORK/ns.a" 2>&1
ask "\$pb" > "$WORK/ns.b" 2>&1
kill \$pid; wait \$pid
NS
	unshare -n sh "$WORK/ns.sh"
	check "from 192.0.2.1 without allow: refused" \
	    grep -q 'a: refused 192.0.2.1:[0-9]*: access denied' "$WORK/ns.log"
	check "from 192.0.2.1 with allow naming it: served" \
	    grep -qx 'replyd_up 1' "$WORK/ns.b"
else
	T=$((T + 1)); echo "ok $T # SKIP a network namespace needs root"
fi
finish

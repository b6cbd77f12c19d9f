#!/bin/sh
# Floods do not reach the log: every kind of refusal is logged at most
# once a second per service and reason, the line after a quiet spell
# saying how many were not logged.  20 000 refused datagrams make a few
# lines, not 20 000.
. "$(dirname "$0")/lib.sh"

cf=$(conf flood <<'C'
listen = "127.0.0.1";
deny = [ "127.0.0.0/8" ];
services = (
	{ name = "u1"; port = 0; protocol = "udp"; },
	{ name = "u2"; port = 0; protocol = "udp"; },
	{ name = "t"; port = 0; }
);
C
)
start flood "$cf"
u1=$(port_of "$LOG" u1)
u2=$(port_of "$LOG" u2)
t=$(port_of "$LOG" t)
# flood PROTO PORT COUNT: COUNT datagrams or connections, paced a little
# so that the socket's buffer does not drop them before replyd sees them.
flood() {
	timeout 30 python3 -c '
import socket, sys, time
proto, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(count):
    if proto == "udp":
        u.sendto(b"x", ("127.0.0.1", port))
    else:
        c = socket.create_connection(("127.0.0.1", port))
        c.close()
    if i % 100 == 99:
        time.sleep(0.002)
' "$@"
}
t0=$(date +%s)
flood udp "$u1" 20000
flood udp "$u2" 1
flood tcp "$t" 300
secs=$(($(date +%s) - t0 + 1))
sleep 1.1
# One more of each after a quiet second: logged, with the count.
flood udp "$u1" 1
flood tcp "$t" 1
check "one more after a quiet second: logged with what was not" \
    wait_log "$LOG" 'u1: refused 127\.0\.0\.1:[0-9]+: access denied \(and [0-9]+ more like it before\)'
check "... for TCP refusals too" \
    wait_log "$LOG" 't: refused 127\.0\.0\.1:[0-9]+: access denied \(and [0-9]+ more like it before\)'
lines=$(grep -c 'u1: refused' "$LOG")
quiet=$(sed -n 's/.*u1: refused .*(and \([0-9]*\) more like it before)$/\1/p' "$LOG" |
    awk '{ n += $1 } END { print n + 0 }')
echo "# u1: $lines log lines for $((lines + quiet)) refused datagrams of 20 001, in about $secs s"
check "20 000 refused datagrams: $lines log lines (at most one a second, $secs s, and the last)" \
    test "$lines" -le $((secs + 1))
# What the kernel dropped (a full socket buffer on a loaded machine)
# replyd never saw: the last column of u1's line in /proc/net/udp.
drops=$(awk -v p="$(printf ':%04X' "$u1")" 'index($2, p) { print $NF }' \
    /proc/net/udp | head -n 1)
check "... and the lines count what they did not log ($quiet, ${drops:-0} dropped by the kernel)" \
    test "$((lines + quiet + ${drops:-0}))" -ge 19900
tl=$(grep -c 't: refused' "$LOG")
check "300 refused connections: $tl log lines" test "$tl" -le $((secs + 1))
check "each service has its own second: u2's refusal is logged" \
    grep -q 'u2: refused 127\.0\.0\.1:[0-9]*: access denied$' "$LOG"
check "the master is still there" kill -0 "$PID"
stop "$PID"
finish

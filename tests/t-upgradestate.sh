#!/bin/sh
# What SIGUSR2 hands over beyond t-upgrade's: a -p PORT given on the
# command line (the new image serves the same port, not the file's), a
# source's per_source_rate bucket (a source over its rate stays over it),
# and a UDP child still working (its reply reaches the client after the
# upgrade, relayed by the new image).
. "$(dirname "$0")/lib.sh"

cat > "$WORK/late.sh" <<'S'
#!/bin/sh
sleep 2
echo late reply
S
chmod 755 "$WORK/late.sh"
U=$(free_port)
P=$(free_port)
cf=$(conf ustate <<C
listen = "127.0.0.1";
port = 1;
per_source_rate = 0.01;
busy_reply = "slow down\\n";
services = (
	{ name = "r"; },
	{ name = "late"; protocol = "udp"; port = $U; per_source_rate = 0;
	  handler = "exec"; exec = { program = "$WORK/late.sh"; }; }
);
C
)
start ustate "$cf" -p "$P" || exit 1
same "-p: the service listens on the port given" "$(port_of "$LOG" r)" "$P"
same "a first client from 127.0.0.2 is served" \
    "$("$TCLIENT" -s 127.0.0.2 -d x 127.0.0.1 "$P")" "thank you !"
same "... a second one is over per_source_rate" \
    "$("$TCLIENT" -s 127.0.0.2 -d x 127.0.0.1 "$P")" "slow down"

"$TCLIENT" -u -w 8 -d 'ping\n' 127.0.0.1 "$U" > "$WORK/late.out" &
late=$!
PIDS="$PIDS $late"
check "a UDP child is at work" poll 3 has_children "$PID" 1
kill -USR2 "$PID"
check "SIGUSR2: the new image serves" wait_log "$LOG" 'upgraded: .* serves'
same "after the upgrade: still on the port -p gave" \
    "$("$TCLIENT" -d x 127.0.0.1 "$P")" "thank you !"
check "... no listener of the old image was closed as unmatched" \
    sh -c "! grep -q 'matches no service' '$LOG'"
same "... 127.0.0.2 is still over its rate" \
    "$("$TCLIENT" -s 127.0.0.2 -d x 127.0.0.1 "$P")" "slow down"
wait "$late"
same "the UDP child's reply reaches its client after the upgrade" \
    "$(cat "$WORK/late.out")" "late reply"
stop "$PID"
same "replyd stops cleanly" "$STATUS" 0
finish

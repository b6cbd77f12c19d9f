#!/bin/sh
# SIGUSR2: replyd executes its binary on disk in place (the same pid),
# handing over its listeners, children and counters, with no refused
# connection; a bad binary or configuration leaves the old one serving.
. "$(dirname "$0")/lib.sh"

mkdir "$WORK/bin"
cp "$REPLYD" "$WORK/bin/replyd"
chmod 755 "$WORK/bin" "$WORK/bin/replyd"
cat > "$WORK/slow.sh" <<'S'
#!/bin/sh
sleep 2
echo slow done
S
chmod 755 "$WORK/slow.sh"
cf=$(conf up <<C
port = 0;
listen = "127.0.0.1";
services = (
	{ name = "r"; reply = "v1\\n"; max_children = 16; },
	{ name = "slow"; handler = "exec"; exec = { program = "$WORK/slow.sh"; }; },
	{ name = "u"; protocol = "udp"; handler = "echo"; }
);
C
)
REPLYD=$WORK/bin/replyd start up "$cf"
r=$(port_of "$LOG" r)
"$TCLIENT" -w 10 127.0.0.1 "$(port_of "$LOG" slow)" > "$WORK/slow.out" &
slow=$!
poll 3 has_children "$PID" 1

# Thousands of connections, two upgrades among them, the second to a
# binary replaced on disk meanwhile (as a package upgrade does).
"$TCLIENT" -n 3000 -c 8 -e 'v1\n' -d x 127.0.0.1 "$r" > "$WORK/load.out" &
load=$!
poll 5 wait_count "$LOG" 'r: child [0-9]+ exited' 200
kill -USR2 "$PID"
check "SIGUSR2: the new image says it serves" wait_log "$LOG" 'upgraded: .* serves'
cp "$REPLYD" "$WORK/bin/replyd.new"
mv "$WORK/bin/replyd.new" "$WORK/bin/replyd"
kill -USR2 "$PID"
check "a second SIGUSR2, to the binary replaced on disk" \
    wait_count "$LOG" 'upgraded: .* serves' 2
wait "$load"
same "3000 connections across two upgrades: none failed" \
    "$(cat "$WORK/load.out")" "ok=3000 failed=0"
check "the same pid serves" kill -0 "$PID"
check "it runs the binary now on disk" \
    sh -c "! readlink /proc/$PID/exe | grep -q deleted"
check "the listeners were kept, not reopened" \
    wait_count "$LOG" 'r: listening on .* kept across the upgrade' 2
wait "$slow"
same "a child from before the upgrades finished its work" \
    "$(cat "$WORK/slow.out")" "slow done"
check "... and the new image reaped it" \
    wait_log "$LOG" 'slow: child [0-9]+ exited with status 0 after 2[0-9]{3} ms'
same "UDP still answers" "$("$TCLIENT" -u -d ping 127.0.0.1 "$(port_of "$LOG" u)")" ping
kill -USR1 "$PID"
check "the counters went on across the upgrades" \
    wait_log "$LOG" 'r: counters: accepted 300[0-9], served 300[0-9], failed 0'
check "no child left as a zombie" [ "$(zombies "$PID")" = 0 ]

# A binary that fails its check, a missing one, a bad configuration:
# the old image goes on serving.
printf '#!/bin/sh\nexit 1\n' > "$WORK/bin/replyd.new"
chmod 755 "$WORK/bin/replyd.new"
mv "$WORK/bin/replyd.new" "$WORK/bin/replyd"
kill -USR2 "$PID"
check "a broken binary: refused, and said so" \
    wait_log "$LOG" 'upgrade refused: .*replyd -t -c .* failed; still running the old binary'
same "... still serving" "$("$TCLIENT" -d x 127.0.0.1 "$r")" v1
rm "$WORK/bin/replyd"
kill -USR2 "$PID"
check "a missing binary: refused" \
    wait_count "$LOG" 'upgrade refused' 2
cp "$REPLYD" "$WORK/bin/replyd"
echo 'nonsense = 1;' >> "$cf"
kill -USR2 "$PID"
check "a bad configuration: refused" wait_count "$LOG" 'upgrade refused' 3
same "... still serving the old reply" "$("$TCLIENT" -d x 127.0.0.1 "$r")" v1
check "... with the same pid" kill -0 "$PID"
stop "$PID"
same "then SIGTERM: exit 0" "$STATUS" 0

# The daemon (no -f): same pid, pid file kept, still answering.
cf=$(conf updaemon <<'C'
port = 0;
listen = "127.0.0.1";
reply = "daemon\n";
C
)
"$WORK/bin/replyd" -c "$cf" -P "$WORK/d.pid" 2> "$WORK/d.log"
dpid=$(cat "$WORK/d.pid")
PIDS="$PIDS $dpid"
dport=$(port_of "$WORK/d.log" "")
kill -USR2 "$dpid"
sleep 0.5
same "daemon: after SIGUSR2 it answers" "$("$TCLIENT" -d x 127.0.0.1 "$dport")" daemon
check "daemon: the same pid, in the pid file" \
    sh -c "kill -0 $dpid && [ \"\$(cat '$WORK/d.pid')\" = $dpid ]"
kill "$dpid"
finish

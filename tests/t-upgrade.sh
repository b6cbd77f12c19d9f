#!/bin/sh
# SIGUSR2: replyd executes its binary on disk in place (the same pid),
# handing over its listeners, children and counters, with no refused
# connection; a bad binary or configuration leaves the old one serving.
. "$(dirname "$0")/lib.sh"
# These tests read the lines about each request.
LOGLINE='log = "requests";'

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

# Whatever fails after SIGUSR2, the old image goes on serving with its
# old configuration, children and counters, and says why (issue 20).
printf '#!/bin/sh\nexit 1\n' > "$WORK/bin/replyd.new"
chmod 755 "$WORK/bin/replyd.new"
mv "$WORK/bin/replyd.new" "$WORK/bin/replyd"
kill -USR2 "$PID"
check "a broken binary: refused, with its exit status" \
    wait_log "$LOG" 'upgrade refused: .*replyd -t -c .* failed \(exit status 1\); still running the old binary'
same "... still serving" "$("$TCLIENT" -d x 127.0.0.1 "$r")" v1
rm "$WORK/bin/replyd"
kill -USR2 "$PID"
check "a missing binary: refused, and why" \
    wait_log "$LOG" 'upgrade refused: .* failed \(No such file or directory\)'
cp "$REPLYD" "$WORK/bin/replyd"
cp "$cf" "$WORK/up.good"
echo 'nonsense = 1;' >> "$cf"
kill -USR2 "$PID"
check "a bad configuration: refused" wait_count "$LOG" 'upgrade refused' 3
check "... with the new binary's words" \
    wait_log "$LOG" 'the new image said: .*nonsense'
same "... still serving the old reply" "$("$TCLIENT" -d x 127.0.0.1 "$r")" v1

# A configuration that passes -t but cannot be served: a new service on
# a port the test holds.  A child in flight and the counters stay.
hold=$(conf hold <<'C'
port = 0;
listen = "127.0.0.1";
C
)
upid=$PID ulog=$LOG
start hold "$hold"
hpid=$PID hp=$PORT
PID=$upid LOG=$ulog
sed 's/v1/v2/' "$WORK/up.good" > "$cf"
sed -i "s/^services = (/services = (\n\t{ name = \"held\"; port = $hp; },/" "$cf"
"$REPLYD" -t -c "$cf" > /dev/null 2>&1
same "(the new configuration passes -t)" "$?" 0
"$TCLIENT" -w 10 127.0.0.1 "$(port_of "$LOG" slow)" > "$WORK/slow2.out" &
slow=$!
poll 3 has_children "$PID" 1
kill -USR1 "$PID"
wait_count "$LOG" 'r: counters' 2
before=$(grep 'r: counters' "$LOG" | tail -n 1 | sed -E 's/.*accepted ([0-9]+),.*/\1/')
kill -USR2 "$PID"
check "a port the new image cannot bind: refused, with its exit status" \
    wait_log "$LOG" 'upgrade refused: the new image cannot serve \(exit status 71\); still running the old binary and configuration'
check "... and what it said" \
    wait_log "$LOG" "the new image said: .*cannot listen on 127\\.0\\.0\\.1:$hp: Address already in use"
same "... the same pid still serves the old configuration" \
    "$("$TCLIENT" -d x 127.0.0.1 "$r")" v1
wait "$slow"
same "... a child from before finished its work" "$(cat "$WORK/slow2.out")" "slow done"
check "... and the old image reaped it" \
    wait_count "$LOG" 'slow: child [0-9]+ exited with status 0' 2
kill -USR1 "$PID"
wait_count "$LOG" 'r: counters' 3
same "... its counters went on" \
    "$(grep 'r: counters' "$LOG" | tail -n 1 | sed -E 's/.*accepted ([0-9]+),.*/\1/')" \
    $((before + 1))
stop "$hpid"
cp "$WORK/up.good" "$cf"

# A new binary that passes -t, then crashes before it serves.
cat > "$WORK/bin/replyd" <<S
#!/bin/sh
case " \$* " in *" -t "*) exec "$REPLYD" "\$@" ;; esac
kill -SEGV \$\$
S
kill -USR2 "$PID"
check "a new image that crashes: refused, with the signal" \
    wait_log "$LOG" 'upgrade refused: the new image cannot serve \(killed by signal 11'
same "... still serving" "$("$TCLIENT" -d x 127.0.0.1 "$r")" v1
cp "$REPLYD" "$WORK/bin/replyd"

# Too few descriptors for the new image: ten more services, and room
# for the hand-over but not for them.
n=$(fds "$PID")
prlimit --pid "$PID" --nofile=$((n + 7)):$((n + 7))
for i in $(seq 10); do
	sed -i "s/^services = (/services = (\n\t{ name = \"more$i\"; },/" "$cf"
done
kill -USR2 "$PID"
check "too few descriptors: refused, and why" \
    wait_log "$LOG" 'upgrade refused: the new image cannot serve \(exit status 71\)'
check "... in the new image's words" \
    wait_log "$LOG" 'the new image said: .*Too many open files'
same "... still serving" "$("$TCLIENT" -d x 127.0.0.1 "$r")" v1
check "... with the same pid" kill -0 "$PID"
stop "$PID"
same "then SIGTERM: exit 0" "$STATUS" 0

# Everything crosses, with no fixed limit: 200 services keep their
# ports (chosen by the kernel, so only the sockets handed over have them).
{
	echo 'listen = "127.0.0.1";'
	echo 'services = ('
	for i in $(seq 200); do
		printf '\t{ name = "s%d"; port = 0; reply = "s%d\\n"; }%s\n' \
		    "$i" "$i" "$([ "$i" -lt 200 ] && echo ,)"
	done
	echo ');'
} > "$WORK/many.in"
many=$(conf many < "$WORK/many.in")
START_WAIT=40 start many "$many"
wait_count "$LOG" 'listening on' 200 20
for i in $(seq 200); do port_of "$LOG" "s$i"; done > "$WORK/many.ports"
fd0=$(fds "$PID")
kill -USR2 "$PID"
check "200 services: upgraded" wait_log "$LOG" 'upgraded: .* serves' 20
answered=0 i=0
while read -r p && [ $((i - answered)) -lt 3 ]; do
	i=$((i + 1))
	[ "$("$TCLIENT" -w 2 -d x 127.0.0.1 "$p")" = "s$i" ] &&
	    answered=$((answered + 1))
done < "$WORK/many.ports"
same "200 services: each answers on its port after the upgrade" "$answered" 200
same "200 services: every listener was kept" \
    "$(grep -c 'listening on .* kept across the upgrade' "$LOG")" 200
same "200 services: as many descriptors as before" "$(fds "$PID")" "$fd0"
stop "$PID"

# Socket files replyd made stay its own: a reload after an upgrade
# tightens the mode, removes the file of a service removed, and a stop
# removes the rest.
cat > "$WORK/unix.tmpl" <<C
services = (
	{ name = "a"; listen = "unix:$WORK/a.sock"; socket_mode = 0666; reply = "a\\n"; },
	{ name = "b"; listen = "unix:$WORK/b.sock"; reply = "b\\n"; }
);
C
ucf=$(conf unix < "$WORK/unix.tmpl")
start unix "$ucf"
kill -USR2 "$PID"
check "socket files: upgraded" wait_log "$LOG" 'upgraded: .* serves'
same "... the socket answers" "$("$TCLIENT" -d x "unix:$WORK/a.sock")" a
sed -i 's/0666/0600/; /name = "b"/d; s/},$/}/' "$ucf"
kill -HUP "$PID"
wait_log "$LOG" 'reloaded'
same "socket_mode tightened after an upgrade: applied by the reload" \
    "$(stat -c %a "$WORK/a.sock")" 600
check "the file of a service removed after an upgrade is removed" \
    [ ! -e "$WORK/b.sock" ]
# A service new to the upgrade: the trial binds it and hands it over.
sed -i "s|^services = (|services = (\n\t{ name = \"c\"; listen = \"unix:$WORK/c.sock\"; socket_mode = 0640; reply = \"c\\\\n\"; },|" "$ucf"
kill -USR2 "$PID"
wait_count "$LOG" 'upgraded: .* serves' 2
same "a Unix service new to the upgrade answers" \
    "$("$TCLIENT" -d x "unix:$WORK/c.sock")" c
same "... its file has its mode" "$(stat -c %a "$WORK/c.sock")" 640
check "... on the socket the trial bound, handed over" \
    wait_log "$LOG" 'c: listening on unix:.*/c\.sock \(unix stream, kept across the upgrade\)'
stop "$PID"
same "after a second upgrade, a stop removes the files" \
    "$(ls "$WORK"/*.sock 2>/dev/null)" ""

# A client waiting for a child (fork failing, tests/failfork.so) is
# kept across SIGHUP and SIGUSR2, and served once fork works again.
pcf=$(conf pend <<'C'
port = 0;
listen = "127.0.0.1";
reply = "late\n";
timeout = 60;
C
)
: > "$WORK/nofork"
start_nofork pend "$pcf"
"$TCLIENT" -w 30 -d x 127.0.0.1 "$PORT" > "$WORK/pend.out" 2>&1 &
c=$!
wait_log "$LOG" 'cannot start a child for'
kill -HUP "$PID"
wait_log "$LOG" 'reloaded'
check "a waiting client: kept across SIGHUP" \
    wait_count "$LOG" 'cannot start a child for' 2
kill -USR2 "$PID"
check "... the master upgrades meanwhile" wait_log "$LOG" 'upgraded: .* serves'
n=$(grep -c 'cannot start a child for' "$LOG")
check "... and the new image tries again for that client" \
    wait_count "$LOG" 'cannot start a child for' $((n + 1))
check "... which is still connected" kill -0 "$c"
rm "$WORK/nofork"
wait "$c"
same "... and is served once fork works" "$(cat "$WORK/pend.out")" late
stop "$PID"

# A UDP exchange in flight across an upgrade: the reply goes out, and
# the log still names the client.
cat > "$WORK/udpslow.sh" <<'S'
#!/bin/sh
sleep 1
cat
S
chmod 755 "$WORK/udpslow.sh"
ucf=$(conf udpslow <<C
port = 0;
listen = "127.0.0.1";
protocol = "udp";
handler = "exec";
exec = { program = "$WORK/udpslow.sh"; };
C
)
start udpslow "$ucf"
"$TCLIENT" -u -w 10 -l -d hello 127.0.0.1 "$PORT" > "$WORK/udpslow.out" 2> "$WORK/udpslow.port" &
c=$!
poll 3 has_children "$PID" 1
kill -USR2 "$PID"
wait_log "$LOG" 'upgraded: .* serves'
wait "$c"
same "a UDP exchange across an upgrade: the reply came" \
    "$(cat "$WORK/udpslow.out")" hello
cport=$(sed -n 's/^port //p' "$WORK/udpslow.port")
check "... and the log names its client" \
    wait_log "$LOG" ": 127\\.0\\.0\\.1:$cport: sent 5 bytes"
stop "$PID"

# per_source of a PROXY service: the children of the old image still
# count in the table the new image sees.
start ps "$(conf ps <<'C'
port = 0;
listen = "127.0.0.1";
per_source = 1;
busy_reply = "busy\n";
proxy_protocol = true;
proxy_from = [ "127.0.0.1" ];
C
)"
"$TCLIENT" -w 12 -d "$(proxy_hdr 192.0.2.1 1111)" 127.0.0.1 "$PORT" > /dev/null &
holder=$!
wait_log "$LOG" 'connect from 192\.0\.2\.1:1111 via'
kill -USR2 "$PID"
wait_log "$LOG" 'upgraded: .* serves'
same "per_source after an upgrade: a client the old image's child serves is counted" \
    "$("$TCLIENT" -d "$(proxy_hdr 192.0.2.1 2222)hi\n" 127.0.0.1 "$PORT")" busy
same "... another client is served" \
    "$("$TCLIENT" -d "$(proxy_hdr 192.0.2.2 3333)hi\n" 127.0.0.1 "$PORT")" "thank you !"
kill "$holder"
wait "$holder" 2>/dev/null
stop "$PID"

# 20 upgrades in a row under load (TCP reply, exec with stderr, UDP
# exec): no connection fails, and the master's descriptors and memory
# stay flat.
cat > "$WORK/err.sh" <<'S'
#!/bin/sh
echo "a line on stderr" >&2
echo ok
S
chmod 755 "$WORK/err.sh"
lcf=$(conf load <<C
listen = "127.0.0.1";
services = (
	{ name = "r"; port = 0; reply = "r\\n"; max_children = 16; },
	{ name = "e"; port = 0; handler = "exec"; exec = { program = "$WORK/err.sh"; }; },
	{ name = "u"; port = 0; protocol = "udp"; handler = "exec"; exec = { program = "/bin/cat"; }; }
);
C
)
REPLYD=$WORK/bin/replyd start load "$lcf"
lr=$(port_of "$LOG" r) le=$(port_of "$LOG" e) lu=$(port_of "$LOG" u)
same "(warm-up)" "$("$TCLIENT" -d x 127.0.0.1 "$lr")" r
kill -USR2 "$PID"
wait_log "$LOG" 'upgraded: .* serves'
fd0=$(fds "$PID")
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$PID/status")
# Each load runs in batches until the upgrades are done (at most 60).
load() {
	local out=$1 n=0 ok=0 bad=0 line
	shift
	while [ ! -e "$WORK/load.stop" ] && [ "$n" -lt 60 ]; do
		line=$("$@")
		ok=$((ok + $(echo "$line" | sed -E 's/ok=([0-9]+) .*/\1/')))
		bad=$((bad + $(echo "$line" | sed -E 's/.*failed=([0-9]+)/\1/')))
		n=$((n + 1))
	done
	echo "batches=$n failed=$bad" > "$out"
	[ "$ok" -gt 0 ] && [ "$n" -lt 60 ]
}
udp() {
	local i bad=0
	for i in 1 2 3; do
		[ "$("$TCLIENT" -u -w 10 -d "u$i" 127.0.0.1 "$lu")" = "u$i" ] ||
		    bad=$((bad + 1))
	done
	echo "ok=$((3 - bad)) failed=$bad"
}
load "$WORK/lr.out" "$TCLIENT" -n 100 -c 4 -e 'r\n' -d x 127.0.0.1 "$lr" &
l1=$!
load "$WORK/le.out" "$TCLIENT" -n 20 -c 2 -e 'ok\n' 127.0.0.1 "$le" &
l2=$!
load "$WORK/lu.out" udp &
l3=$!
done_ok=0
for i in $(seq 20); do
	kill -USR2 "$PID"
	wait_count "$LOG" 'upgraded: .* serves' $((i + 1)) 20 || break
	done_ok=$((done_ok + 1))
done
touch "$WORK/load.stop"
during=0
for l in $l1 $l2 $l3; do wait "$l" && during=$((during + 1)); done
same "20 upgrades in a row under load" "$done_ok" 20
same "... the three loads ran throughout" "$during" 3
for f in lr le lu; do echo "# $f: $(cat "$WORK/$f.out")"; done
same "TCP reply: none failed" "$(sed 's/.* //' "$WORK/lr.out")" failed=0
same "exec with stderr: none failed" "$(sed 's/.* //' "$WORK/le.out")" failed=0
same "UDP exec: none failed" "$(sed 's/.* //' "$WORK/lu.out")" failed=0
check "... exec children were served" \
    [ "$(grep -cE 'e: child [0-9]+ exited' "$LOG")" -gt 0 ]
same "... each one's stderr was logged, across the upgrades" \
    "$(grep -cE 'e: child [0-9]+: stderr: "a line on stderr"$' "$LOG")" \
    "$(grep -cE 'e: child [0-9]+ exited' "$LOG")"
poll 10 has_children "$PID" 0
fd1=$(fds "$PID")
rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$PID/status")
echo "# master descriptors before/after: $fd0/$fd1; VmRSS kB before/after: $rss0/$rss1"
same "descriptors: flat across 20 upgrades" "$fd1" "$fd0"
check "memory: flat across 20 upgrades (VmRSS within 10%)" \
    [ "$rss1" -le $((rss0 + rss0 / 10)) ]
check "no child left as a zombie" [ "$(zombies "$PID")" = 0 ]
stop "$PID"

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
# A configuration the new image cannot serve (a port the test holds):
# the daemon goes on with the old one.
start hold "$hold"
hpid=$PID hp=$PORT
printf 'services = ( { name = "held"; port = %s; } );\n' "$hp" >> "$cf"
sed -i 's/daemon/changed/' "$cf"
kill -USR2 "$dpid"
sleep 0.3
poll 10 has_children "$dpid" 0
same "daemon: a port the new image cannot bind: the old configuration answers" \
    "$("$TCLIENT" -d x 127.0.0.1 "$dport")" daemon
check "daemon: ... with the same pid, in the pid file" \
    sh -c "kill -0 $dpid && [ \"\$(cat '$WORK/d.pid')\" = $dpid ]"
stop "$hpid"
kill "$dpid"
finish

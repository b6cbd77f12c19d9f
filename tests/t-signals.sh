#!/bin/sh
# SIGHUP reloads (keeping listeners and children), a bad file on reload
# keeps the old configuration, SIGTERM stops gracefully.
. "$(dirname "$0")/lib.sh"

cf=$(conf hup <<'C'
port = 0;
listen = "127.0.0.1";
reply = "first\n";
C
)
start hup "$cf"
port0=$PORT
same "before SIGHUP: the first reply" "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" first
# shellcheck disable=SC2012 # /proc/PID/fd holds numeric names only
inode0=$(readlink "/proc/$PID/fd/$(ls -l /proc/$PID/fd | awk '/socket:/ {print $9; exit}')")

sed -i 's/first/second/' "$cf"
kill -HUP "$PID"
check "SIGHUP: the reload is logged" wait_log "$LOG" 'reloaded .*: 1 service$'
same "after SIGHUP: new clients get the new reply" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" second
# shellcheck disable=SC2012 # /proc/PID/fd holds numeric names only
inode1=$(readlink "/proc/$PID/fd/$(ls -l /proc/$PID/fd | awk '/socket:/ {print $9; exit}')")
same "SIGHUP: the listening socket is kept, not reopened" "$inode1" "$inode0"
check "SIGHUP: port 0 keeps the port already bound" \
    sh -c "[ \$(grep -c 'listening on' '$LOG') -eq 1 ]"

printf 'timeout = "broken";\nnonsense = 1;\n' >> "$cf"
kill -HUP "$PID"
check "SIGHUP with a bad file: the error is logged with its line" \
    wait_log "$LOG" "$cf:5: timeout must be an integer"
check "SIGHUP with a bad file: every error is logged" \
    wait_log "$LOG" "$cf:6: unknown key \"nonsense\""
check "SIGHUP with a bad file: the old configuration is kept" \
    wait_log "$LOG" 'reload failed: keeping the old configuration'
same "SIGHUP with a bad file: still serving the old reply" \
    "$("$TCLIENT" -d x 127.0.0.1 "$port0")" second
stop "$PID"

# Signals are held from the first "listening on" line: a SIGHUP sent at
# once is a reload, never the default action (death).
cf=$(conf early <<'C'
port = 0;
listen = "127.0.0.1";
C
)
alive=0
for i in $(seq 10); do
	# A log of its own each time: the shell may truncate a shared one
	# only after the next wait_log has read the last run's lines.
	"$REPLYD" -f -c "$cf" 2> "$WORK/early.$i.log" &
	epid=$!
	PIDS="$PIDS $epid"
	wait_log "$WORK/early.$i.log" 'listening on' 5
	kill -HUP "$epid"
	wait_log "$WORK/early.$i.log" 'reloaded' 2 &&
	    kill -0 "$epid" 2>/dev/null && alive=$((alive + 1))
	kill -TERM "$epid"
	wait "$epid"
done
same "SIGHUP right after start: the master survives (10 of 10)" "$alive" 10

# hold.sh GOFILE WORD: reads a line, answers WORD once GOFILE exists.
cat > "$WORK/hold.sh" <<'S'
#!/bin/sh
read -r x
i=0
while [ ! -e "$1" ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
echo "$2"
S
chmod 755 "$WORK/hold.sh"

# A reload never kills a live child; a changed address opens a new socket.
cf=$(conf live <<C
port = 0;
listen = "127.0.0.1";
handler = "exec";
exec = { program = "$WORK/hold.sh"; args = [ "$WORK/live.go", "done" ]; };
C
)
start live "$cf"
"$TCLIENT" -d 'x\n' 127.0.0.1 "$PORT" > "$WORK/live.out" &
cpid=$!
poll 5 has_children "$PID" 1
sed -i 's/127.0.0.1/127.0.0.2/' "$cf"
kill -HUP "$PID"
wait_log "$LOG" 'reloaded'
touch "$WORK/live.go"
wait "$cpid"
same "SIGHUP: a child in flight finishes its reply" "$(cat "$WORK/live.out")" "done"
check "SIGHUP: a changed address is bound anew" \
    wait_log "$LOG" 'listening on 127\.0\.0\.2:'
stop "$PID"

# A reload that moves a listener to another address on the same port.
cf=$(conf move <<'C'
port = 0;
listen = "127.0.0.1";
C
)
start move "$cf"
mp=$PORT
sed -i "s/^port = 0;/port = $mp;/; s/127.0.0.1/127.0.0.3/" "$cf"
kill -HUP "$PID"
check "SIGHUP: a listener can move to another address on its port" \
    wait_log "$LOG" "listening on 127\\.0\\.0\\.3:$mp"
same "SIGHUP: the new address answers" "$("$TCLIENT" -d x 127.0.0.3 "$mp")" \
    "thank you !"
same "SIGHUP: the old one no longer does" \
    "$("$TCLIENT" -d x 127.0.0.1 "$mp" 2>&1; echo "rc=$?")" "rc=1"
# A reload that fails after releasing a port gets the old socket back.
printf 'services = ( { name = "a"; port = %s; listen = "127.0.0.4"; },\n { name = "b"; port = %s; listen = "127.0.0.4"; } );\n' \
    "$mp" "$mp" >> "$cf"
sed -i '/^port = /d; /^listen = /d' "$cf"
kill -HUP "$PID"
check "SIGHUP: a reload that cannot bind fails" \
    wait_log "$LOG" 'reload failed: keeping the old configuration'
same "SIGHUP: ... and the old listener answers again" \
    "$("$TCLIENT" -d x 127.0.0.3 "$mp")" "thank you !"
stop "$PID"

# SIGTERM: stop accepting, let children finish, exit 0.
cf=$(conf term <<C
port = 0;
listen = "127.0.0.1";
handler = "exec";
exec = { program = "$WORK/hold.sh"; args = [ "$WORK/term.go", "finished" ]; };
C
)
start term "$cf"
"$TCLIENT" -d 'x\n' 127.0.0.1 "$PORT" > "$WORK/term.out" &
cpid=$!
poll 5 has_children "$PID" 1
kids=$(pgrep -P "$PID")
kill -TERM "$PID"
wait_log "$LOG" 'stopping: '
touch "$WORK/term.go"
wait "$PID"
same "SIGTERM: the master exits 0" "$?" 0
wait "$cpid"
same "SIGTERM: the child in flight finished its reply" \
    "$(cat "$WORK/term.out")" finished
left=0
for k in $kids; do kill -0 "$k" 2>/dev/null && left=$((left + 1)); done
check "SIGTERM: a child was running when the master was told to stop" \
    [ -n "$kids" ]
same "SIGTERM: no child of the master is left" "$left" 0
check "SIGTERM: the stop is logged" wait_log "$LOG" 'stopping: 1 children to finish'
finish

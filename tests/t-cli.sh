#!/bin/sh
# The command line: options, exit codes (sysexits) and their messages.
. "$(dirname "$0")/lib.sh"

# run ARGS...: sets RC, OUT and ERR.
run() {
	"$REPLYD" "$@" > "$WORK/o" 2> "$WORK/e"
	RC=$?
	OUT=$(cat "$WORK/o")
	ERR=$(cat "$WORK/e")
}

run --help
same "--help exits 0" "$RC" 0
# shellcheck disable=SC2016 # the loop's variables belong to the inner sh
check "--help lists every option" sh -c 'for o in --config --foreground \
    --inetd --check --print --port --pidfile --help --version; do
	grep -q -- "$o" "$1" || exit 1; done' sh "$WORK/o"
run -h
same "-h exits 0" "$RC" 0
run -V
same "-V prints the version" "$OUT" "replyd $(sed -n 's/^AC_INIT(\[replyd\], \[\([^]]*\)\].*/\1/p' "$TOP_SRCDIR/configure.ac")"

run --bogus
same "an unknown option exits 64" "$RC" 64
same "an unknown option says which" "$(echo "$ERR" | head -n 1)" \
    "replyd: unknown option --bogus"
run -x
same "an unknown short option exits 64" "$RC" 64
run -p 70000
same "-p out of range exits 64" "$RC" 64
same "-p out of range says what is allowed" "$(echo "$ERR" | head -n 1)" \
    'replyd: -p wants a port from 0 to 65535 (got "70000")'
run -p 12ab
same "-p with trailing garbage exits 64" "$RC" 64
run -c
same "-c without a file exits 64" "$RC" 64
same "a missing argument is named" "$(echo "$ERR" | head -n 1)" \
    "replyd: option -c needs an argument"
run one two
same "a stray argument exits 64" "$RC" 64
same "a stray argument is named" "$(echo "$ERR" | head -n 1)" \
    'replyd: unexpected argument "two"'
run -c "$WORK/x.conf" extra
same "a file argument after -c is a stray argument (64)" "$RC" 64
run -i -t
same "-i with -t exits 64" "$RC" 64

good=$(conf good <<'C'
port = 7788;
reply = "ok\n";
C
)
run -t -c "$good"
same "-t on a good file exits 0" "$RC" 0
same "-t on a good file says ok" "$OUT" "replyd: $good: ok"
run -t "$good"
same "-t FILE: the file may be given without -c" "$OUT" "replyd: $good: ok"
run -t -c "$WORK/missing.conf"
same "-t on a missing file exits 78" "$RC" 78
same "-t on a missing file says why" "$ERR" \
    "replyd: $WORK/missing.conf: cannot read: No such file or directory"
run -c "$WORK/missing.conf" -f
same "starting on a missing file exits 78" "$RC" 78

if [ "$(id -u)" = 0 ]; then
	printf 'port = 7788;\n' > "$WORK/root.conf"
	run -t -c "$WORK/root.conf"
	same "as root, a config without user is refused (78)" "$RC" 78
	same "as root, the refusal says what to do" "$ERR" \
	    "replyd: $WORK/root.conf: service \"7788/tcp\": refusing to run handlers as root: set user (user = \"root\" allows it)"
	printf 'port = 7788;\nuser = "root";\n' > "$WORK/root.conf"
	run -t -c "$WORK/root.conf"
	same "as root, user = \"root\" is accepted" "$RC" 0
	cp /bin/true "$WORK/private" && chmod 700 "$WORK/private"
	printf 'user = "nobody";\nhandler = "exec";\nexec = { program = "%s"; };\n' \
	    "$WORK/private" > "$WORK/priv.conf"
	run -t -c "$WORK/priv.conf"
	same "as root, a program the user cannot execute is refused" "$ERR" \
	    "replyd: $WORK/priv.conf: service \"7788/tcp\": exec.program \"$WORK/private\" is not executable by user \"nobody\""
else
	printf 'port = 7788;\n' > "$WORK/root.conf"
	run -t -c "$WORK/root.conf"
	same "as a user, a config without user is fine" "$RC" 0
fi

# A port in use: exit 71 and one clear line.
cf=$(conf busy <<'C'
port = 0;
listen = "127.0.0.1";
C
)
start busy "$cf"
busy=$PID
run -f -c "$cf" -p "$PORT"
same "a port in use exits 71" "$RC" 71
same "a port in use is one clear line" "$ERR" \
    "replyd: $PORT/tcp: cannot listen on 127.0.0.1:$PORT: Address already in use"
# -p overrides the configured port.
cf2=$(conf override <<'C'
port = 1;
listen = "127.0.0.1";
C
)
start override "$cf2" -p 0
check "-p overrides the configured port" [ "$PORT" -gt 1 ]
stop "$PID"

# Daemon mode: detaches, writes the pidfile, serves, stops on SIGTERM.
dport=$(port_of "$WORK/busy.log" "")
kill "$busy"
poll 5 gone "$busy"
"$REPLYD" -c "$cf" -p "$dport" -P "$WORK/replyd.pid" 2>"$WORK/daemon.err"
same "daemon mode: the starting command exits 0" "$?" 0
dpid=$(cat "$WORK/replyd.pid" 2>/dev/null)
PIDS="$PIDS $dpid"
check "daemon mode: the pidfile names a live process" kill -0 "${dpid:-0}"
same "daemon mode: it serves" "$("$TCLIENT" -d x 127.0.0.1 "$dport")" \
    "thank you !"
kill -TERM "$dpid"
for _ in $(seq 50); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
check "daemon mode: SIGTERM stops it" sh -c "! kill -0 $dpid 2>/dev/null"
check "daemon mode: the pidfile is removed" [ ! -e "$WORK/replyd.pid" ]
"$REPLYD" -c "$cf" -p 0 -P "$WORK/no/such/dir/replyd.pid" > /dev/null 2> "$WORK/derr"
same "daemon mode: an error after detaching still exits 71" "$?" 71
same "daemon mode: ... and is printed on stderr" "$(tail -n 1 "$WORK/derr")" \
    "replyd: cannot write $WORK/no/such/dir/replyd.pid: No such file or directory"

# Out of descriptors: the master rests the service instead of spinning.
if command -v prlimit > /dev/null; then
	cf5=$(conf nofile <<'C'
port = 0;
listen = "127.0.0.1";
C
)
	LOG=$WORK/nofile.log
	"$REPLYD" -f -c "$cf5" 2> "$LOG" &
	npid=$!
	PIDS="$PIDS $npid"
	wait_log "$LOG" 'listening on'
	# One exchange: the master is in its loop, every descriptor of its
	# own open, and the child is reaped.
	np=$(port_of "$LOG" "")
	"$TCLIENT" -w 2 -d x 127.0.0.1 "$np" > /dev/null
	wait_log "$LOG" 'child [0-9]+ exited'
	# The lowest free descriptor number becomes the limit: the next
	# accept fails.
	lim=0
	while [ -e "/proc/$npid/fd/$lim" ]; do lim=$((lim + 1)); done
	prlimit --pid "$npid" --nofile=$lim:$lim
	"$TCLIENT" -w 2 -d x 127.0.0.1 "$np" > /dev/null 2>&1
	n=$(grep -c 'Too many open files' "$LOG")
	check "EMFILE: logged, and paused, not a busy loop ($n lines in 2 s)" \
	    sh -c "[ $n -ge 1 ] && [ $n -le 10 ]"
	check "EMFILE: the master is still there" kill -0 "$npid"
	kill "$npid"
else
	not_ok "EMFILE: prlimit (util-linux) is needed"
fi
finish

#!/bin/sh
# The master in each of the three ways it runs: daemonized (the default,
# without -f), in the foreground (-f) and socket-activated (LISTEN_FDS
# from systemd-socket-activate, systemd's Accept=no).  The same scenarios
# run under each: the pid file, reloads, max_children 1 to 4 with
# sequential and concurrent clients, the SIGUSR1 counters, the
# descriptors a child holds, SIGTERM with a client in flight, and all of
# the signals with a module loaded that starts a thread.
#
# A daemon's log is read in a private mount namespace (lib.sh's
# syslog_ns).  Where that cannot work the daemon runs as is and its
# scenarios check effects only (clients served, pid file, exit); a
# comment line says so.
. "$(dirname "$0")/lib.sh"

SSA=$(command -v systemd-socket-activate)
: "${MODULES:=$(pwd)}"
MODES="daemon fg ssa"
# Every master inherits fd 7, so that a child keeping it shows.
: > "$WORK/marker"

syslog_ns ||
    echo "# no mount namespace here: the daemon's log is not read, effects only"

# listener_inode PORT: the inode of the socket listening on
# 127.0.0.1:PORT; holds_listener PID PORT: PID holds that socket.
listener_inode() {
	awk -v a="$(printf '0100007F:%04X' "$1")" \
	    '$2 == a && $4 == "0A" { print $10; exit }' /proc/net/tcp
}
holds_listener() {
	local ino
	ino=$(listener_inode "$2")
	# shellcheck disable=SC2010 # /proc/PID/fd: numeric names; the link target is matched
	[ -n "$ino" ] && ls -l "/proc/$1/fd" 2>/dev/null | grep -q "socket:\[$ino\]"
}
nobody_listens() { [ -z "$(listener_inode "$1")" ]; }

# launch MODE NAME CONF: start a master the MODE way on $PORT; sets PID,
# PIDFILE and LOG ("" when the mode's log cannot be read).
launch() {
	local mode=$1 name=$2 cf=$3 rc started
	PIDFILE=$WORK/$name.pid
	LOG=$WORK/$name.log
	CATCHER=""
	case $mode in
	daemon)
		if [ -n "$NS" ]; then
			catch_syslog "$WORK/$name.sock" "$LOG"
		else
			LOG=""
		fi
		in_ns "$WORK/$name.sock" "$REPLYD" -c "$cf" -P "$PIDFILE" \
		    2> "$WORK/$name.err" 7< "$WORK/marker"
		rc=$?
		PID=$(cat "$PIDFILE" 2>/dev/null)
		[ -z "$PID" ] || PIDS="$PIDS $PID"
		if [ "$rc" != 0 ] || [ -z "$PID" ]; then
			echo "# daemon did not start (exit $rc):"
			sed 's/^/#   /' "$WORK/$name.err"
			return 1
		fi
		return 0 ;;
	fg)
		"$REPLYD" -f -c "$cf" -P "$PIDFILE" 2> "$LOG" \
		    7< "$WORK/marker" & ;;
	ssa)
		"$SSA" -l "127.0.0.1:$PORT" "$REPLYD" -f -c "$cf" \
		    -P "$PIDFILE" 2> "$LOG" 7< "$WORK/marker" & ;;
	esac
	PID=$!
	PIDS="$PIDS $PID"
	# systemd-socket-activate starts replyd at the first connection,
	# which is the scenario's first client.
	[ "$mode" = fg ] && started='listening on' || started='^Listening on'
	if ! wait_log "$LOG" "$started" 10; then
		echo "# $mode did not start:"
		sed 's/^/#   /' "$LOG"
		return 1
	fi
}

# up MODE NAME SETTINGS: NAME.conf on a free port with SETTINGS, started
# the MODE way (again on another port when the port was taken first).
up() {
	local i
	for i in 1 2 3; do
		PORT=$(free_port) || continue
		CONF=$(printf 'port = %s;\nlisten = "127.0.0.1";\n%s\n' \
		    "$PORT" "$3" | conf "$2")
		launch "$1" "$2.$i" "$CONF" && return 0
		halt "$1"
	done
	return 1
}

# halt MODE: SIGTERM, and wait (bounded) until the master is gone;
# STATUS is its exit status ("" for a daemon, whose parent is not us).
halt() {
	STATUS=""
	kill -TERM "$PID" 2>/dev/null
	poll 10 gone "$PID" || kill -9 "$PID" 2>/dev/null
	[ "$1" = daemon ] || { wait "$PID"; STATUS=$?; }
	[ -z "$CATCHER" ] || kill "$CATCHER"
}

# reply_is PORT TEXT: a new client gets TEXT.
reply_is() {
	[ "$("$TCLIENT" -w 2 -d x 127.0.0.1 "$1" 2>/dev/null)" = "$2" ]
}

# The pid file, its process, and for a daemon: detached.
pidfile_checks() {
	local m=$1
	check "$m: the pid file holds the master's pid" \
	    poll 5 sh -c "[ \"\$(cat '$PIDFILE' 2>/dev/null)\" = '$PID' ]"
	check "$m: that process holds the listening socket" \
	    holds_listener "$PID" "$PORT"
	if [ "$m" = daemon ]; then
		same "daemon: it leads a session of its own" \
		    "$(ps -o sid= -p "$PID" | tr -d ' ')" "$PID"
		check "daemon: it is not the test's child" \
		    [ "$(ps -o ppid= -p "$PID" | tr -d ' ')" != $$ ]
	fi
}

scenario_reload() {
	local m=$1
	if ! up "$m" "$m-hup" 'reply = "first\n";'; then
		not_ok "$m: the master starts"
		return
	fi
	same "$m: before SIGHUP: the reply" \
	    "$("$TCLIENT" -w 2 -d x 127.0.0.1 "$PORT")" first
	pidfile_checks "$m"
	sed -i 's/first/second/' "$CONF"
	kill -HUP "$PID"
	check "$m: after SIGHUP: the new reply" poll 3 reply_is "$PORT" second
	[ -z "$LOG" ] || check "$m: the reload is logged" \
	    wait_log "$LOG" 'reloaded .*: 1 service$'
	sed -i 's/second/third/' "$CONF"
	kill -HUP "$PID" 2>/dev/null
	check "$m: after a second SIGHUP: the newer reply" \
	    poll 3 reply_is "$PORT" third
	check "$m: the master survived both reloads" alive "$PID"
	same "$m: the pid file still names it" "$(cat "$PIDFILE" 2>/dev/null)" \
	    "$PID"
	halt "$m"
	check "$m: SIGTERM ends it" gone "$PID"
	check "$m: the pid file is removed" [ ! -e "$PIDFILE" ]
	[ "$m" = daemon ] || same "$m: exit status 0" "$STATUS" 0
}

# max_children N: 3 clients in a row, 8 more 4 at a time, the counters
# after them; with N = 2 three silent clients show the limit and what
# the children hold.
scenario_children() {
	local m=$1 n=$2 ok=0 i c1 want
	if ! up "$m" "$m-mc$n" "max_children = $n;
reply = \"mc$n\\n\";"; then
		not_ok "$m: max_children = $n: the master starts"
		return
	fi
	for i in 1 2 3; do
		reply_is "$PORT" "mc$n" || break
		ok=$((ok + 1))
	done
	same "$m: max_children = $n: 3 clients in a row served" "$ok" 3
	if [ "$ok" != 3 ]; then
		# Not serving at all: the rest would only wait for timeouts.
		for i in "8 clients, 4 at a time, all served" \
		    "SIGUSR1 logs the counters" "it serves after SIGUSR1"; do
			not_ok "$m: max_children = $n: $i (not tried)"
		done
		[ -z "$LOG" ] || kill -USR1 "$PID" 2>/dev/null
		[ -z "$LOG" ] || ! wait_log "$LOG" 'counters: accepted' 1 ||
		    grep 'counters' "$LOG" | sed 's/^/#   /'
		halt "$m"
		return
	fi
	same "$m: max_children = $n: 8 clients, 4 at a time, all served" \
	    "$("$TCLIENT" -w 3 -n 8 -c 4 -e "mc$n\\n" -d x 127.0.0.1 "$PORT")" \
	    "ok=8 failed=0"
	if [ -n "$LOG" ]; then
		wait_count "$LOG" 'child [0-9]+ exited' 11 3
		kill -USR1 "$PID"
		want='[0-9]+/tcp: counters: accepted 11, served 11, failed 0, denied 0, busy 0, rate-limited 0, expired 0, active 0$'
		check "$m: max_children = $n: SIGUSR1 logs the counters" \
		    wait_log "$LOG" "$want" 3
		grep -q "$want" "$LOG" || grep 'counters' "$LOG" | sed 's/^/#   /'
	else
		kill -USR1 "$PID"
	fi
	check "$m: max_children = $n: it serves after SIGUSR1" \
	    reply_is "$PORT" "mc$n"
	if [ "$n" = 2 ]; then
		c1=""
		for i in 1 2 3; do
			"$TCLIENT" -w 5 127.0.0.1 "$PORT" > /dev/null 2>&1 &
			c1="$c1 $!"
		done
		check "$m: max_children = 2: two children for three silent clients" \
		    poll 3 has_children "$PID" 2
		check "$m: a reply child holds only 0, 1 and 2" \
		    poll 2 child_fds_are "$PID" "0 1 2"
		child_fds_are "$PID" "0 1 2" || show_child_fds "$PID"
		same "$m: max_children = 2: the third waits in the backlog" \
		    "$(live_children "$PID")" 2
		# shellcheck disable=SC2086 # c1 is a list of PIDs
		kill $c1 2>/dev/null
		# shellcheck disable=SC2086 # c1 is a list of PIDs
		wait $c1 2>/dev/null
		check "$m: max_children = 2: ... and is then served and gone" \
		    poll 3 has_children "$PID" 0
	fi
	halt "$m"
	check "$m: max_children = $n: SIGTERM ends it" gone "$PID"
}

# SIGTERM with a client in flight: the master stops listening, waits for
# the child, which answers once the test lets it, then exits.
cat > "$WORK/hold.sh" <<'S'
#!/bin/sh
read -r x
i=0
while [ ! -e "$1" ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
echo finished
S
chmod 755 "$WORK/hold.sh"

scenario_term() {
	local m=$1 cpid
	if ! up "$m" "$m-term" "handler = \"exec\";
exec = { program = \"$WORK/hold.sh\"; args = [ \"$WORK/$m.go\" ]; };"; then
		not_ok "$m: SIGTERM: the master starts"
		return
	fi
	"$TCLIENT" -w 10 -d 'x\n' 127.0.0.1 "$PORT" > "$WORK/$m.term.out" &
	cpid=$!
	check "$m: SIGTERM: a client is in flight" poll 5 has_children "$PID" 1
	kill -TERM "$PID"
	check "$m: SIGTERM: it stops listening at once" \
	    poll 5 nobody_listens "$PORT"
	[ -z "$LOG" ] || check "$m: SIGTERM: the stop is logged" \
	    wait_log "$LOG" 'stopping: 1 children to finish'
	check "$m: SIGTERM: the master waits for its child" alive "$PID"
	touch "$WORK/$m.go"
	check "$m: SIGTERM: then it exits" poll 5 gone "$PID"
	wait "$cpid"
	same "$m: SIGTERM: the client in flight got its reply" \
	    "$(cat "$WORK/$m.term.out")" finished
	check "$m: SIGTERM: the pid file is removed" [ ! -e "$PIDFILE" ]
	[ -z "$LOG" ] || check "$m: SIGTERM: 'stopped' is logged" \
	    wait_log "$LOG" 'stopped$'
	halt "$m"
	[ "$m" = daemon ] || same "$m: SIGTERM: exit status 0" "$STATUS" 0
}

# A module whose constructor starts a thread (tests/threadmod.c): the
# master blocks its signals before any module code runs, so the thread
# takes none of them (its default action would kill the master, or drop
# a SIGCHLD and leave a zombie holding a max_children slot).  A daemon
# forks after its first load and leaves that thread behind; its reload
# starts one in the daemon.
threads() { sed -n 's/^Threads:[[:space:]]*//p' "/proc/$1/status"; }
no_zombie() { [ "$(zombies "$1")" = 0 ]; }
# in_a_row PORT TEXT: three clients, one after the other, get TEXT.
in_a_row() {
	local i
	for i in 1 2 3; do reply_is "$1" "$2" || return 1; done
}

scenario_thread() {
	local m=$1
	if ! up "$m" "$m-thread" "max_children = 1;
handler = \"module\";
module = { path = \"$MODULES/tests/threadmod.so\"; reply = \"one\"; };"
	then
		not_ok "$m: thread module: the master starts"
		return
	fi
	check "$m: thread module: max_children = 1, 3 clients in a row" \
	    in_a_row "$PORT" one
	check "$m: thread module: no zombie" poll 3 no_zombie "$PID"
	if [ -n "$LOG" ]; then
		wait_count "$LOG" 'child [0-9]+ exited' 3 3
		kill -USR1 "$PID"
		check "$m: thread module: SIGUSR1 logs the counters" \
		    wait_log "$LOG" 'counters: accepted 3, served 3,' 3
	else
		kill -USR1 "$PID"
	fi
	check "$m: thread module: the master survives SIGUSR1" alive "$PID"
	sed -i 's/"one"/"two"/' "$CONF"
	kill -HUP "$PID"
	check "$m: thread module: SIGHUP reloads" poll 3 reply_is "$PORT" two
	check "$m: thread module: the module's thread runs in the master" \
	    [ "$(threads "$PID")" -ge 2 ]
	check "$m: thread module: after the reload, 3 clients in a row" \
	    in_a_row "$PORT" two
	check "$m: thread module: no zombie after the reload" \
	    poll 3 no_zombie "$PID"
	halt "$m"
	check "$m: thread module: SIGTERM ends it" gone "$PID"
	check "$m: thread module: the pid file is removed" [ ! -e "$PIDFILE" ]
	[ "$m" = daemon ] || same "$m: thread module: exit status 0" \
	    "$STATUS" 0
}

for m in $MODES; do
	if [ "$m" = ssa ] && [ -z "$SSA" ]; then
		ok "socket activation # SKIP systemd-socket-activate not found"
		continue
	fi
	scenario_reload "$m"
	for n in 1 2 3 4; do scenario_children "$m" "$n"; done
	scenario_term "$m"
	scenario_thread "$m"
done
finish

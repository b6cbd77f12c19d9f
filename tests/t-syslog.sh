#!/bin/sh
# Daemon mode logs to syslog.  A private mount namespace puts a stand-in
# syslog daemon (syslogd.py) on /dev/log for the daemon alone: lines
# arrive in syslog's form, and a syslog reader that stops reading never
# stops the master (lines are dropped and counted instead).
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

# A mount namespace needs root (in a user namespace of one's own, with
# only root mapped, no handler could drop its supplementary groups).
[ "$(id -u)" = 0 ] || skip_all "mount namespaces need root (CI runs as root)"
NS="unshare -m"
U='user = "nobody";'
$NS true 2>/dev/null || { echo "Bail out! cannot make a mount namespace"; exit 1; }

# daemon NAME [--stuck|--slow] [SETTINGS]: a syslog stand-in and replyd
# as a daemon in a namespace where /dev/log is the stand-in's; sets DPID,
# SPID, DPORT.
daemon() {
	local name=$1 d=$WORK/$1 try
	mkdir -p "$d/dev"
	: > "$d/dev/null"
	# shellcheck disable=SC2086 # an empty second argument passes no argument
	python3 "$HERE/syslogd.py" "$d/dev/log" "$d/syslog" ${2:-} &
	SPID=$!
	PIDS="$PIDS $SPID"
	wait_log "$d/syslog.ready" '' 5 || [ -e "$d/syslog.ready" ]
	# The port is chosen free, then bound by replyd: a test running
	# beside this one may take it between the two; then another.
	for try in 1 2 3 4 5; do
		DPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
		printf '%s\nport = %s;\nlisten = "127.0.0.1";\nreply = "ok\\n";\n%s\n' \
		    "$U" "$DPORT" "${3:-}" > "$d/c.conf"
		# shellcheck disable=SC2016 # "$1" and "$2" belong to the inner sh
		$NS sh -c 'mount --bind /dev/null "$1/dev/null" &&
		    mount --bind "$1/dev" /dev && exec "$2" -c "$1/c.conf" -P "$1/pid"' \
		    sh "$d" "$REPLYD" && break
		echo "# try $try: port $DPORT was taken meanwhile"
	done
	DPID=$(cat "$d/pid" 2>/dev/null)
	PIDS="$PIDS $DPID"
}

daemon reading
check "daemon started with a pid file" [ -n "$DPID" ]
same "daemon: a client is served" "$("$TCLIENT" -d x 127.0.0.1 "$DPORT")" ok
check "syslog: one line for the connection, daemon facility, tagged replyd[PID] once, from the master" \
    wait_log "$WORK/reading/syslog" \
    "^<30>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} replyd\[$DPID\]: [0-9]+/tcp: child [0-9]+ exited with status 0 after [0-9]+ ms; client 127\.0\.0\.1:[0-9]+, 1 bytes in, 3 out$"
check "syslog: the daemon's start-up lines reach syslog too" \
    grep -qE "^<29>.* replyd\[[0-9]+\]: [0-9]+/tcp: listening on 127\.0\.0\.1:$DPORT \(tcp\)$" \
    "$WORK/reading/syslog"
kill "$DPID"

# log_facility: the service's lines carry it, the master's the top level's.
daemon local3 "" 'log_facility = "local3"; log = "requests";'
"$TCLIENT" -d x 127.0.0.1 "$DPORT" > /dev/null
check "log_facility local3: a child's request line is local3.info (158)" \
    wait_log "$WORK/local3/syslog" '^<158>.*: received 1 bytes: "x"$'
check "log_facility local3: the master's end line too" \
    wait_log "$WORK/local3/syslog" '^<158>.*: child [0-9]+ exited with status 0'
kill "$DPID"

# A reader that is only behind: a burst of more lines than its queue
# holds (SIGUSR1: a line per service, and one more) is waited for, not
# dropped.
svcs=$(for i in $(seq 20); do printf '{ name = "s%d"; port = 0; },' "$i"; done)
daemon slow --slow "services = ( ${svcs%,} );"
sleep 1.1	# a new second: the start-up lines had theirs
kill -USR1 "$DPID"
check "a reader that is behind: a burst of 21 lines arrives whole" \
    wait_count "$WORK/slow/syslog" ': counters: ' 21 5
check "... and none is reported lost" \
    sh -c "! grep -q 'log lines dropped' '$WORK/slow/syslog'"
kill "$DPID"

# A reader that has stopped: the queue fills after a few lines, and the
# master must go on serving at full pace (with libc's blocking syslog()
# it would stop at the first full queue and every client would time out).
daemon stuck --stuck
served=0
for _ in $(seq 40); do
	[ "$("$TCLIENT" -w 2 -d x 127.0.0.1 "$DPORT" 2>/dev/null)" = ok ] &&
	    served=$((served + 1))
done
same "stuck syslog reader: 40 of 40 clients served" "$served" 40
kill -USR1 "$SPID"
wait_count "$WORK/stuck/syslog" 'replyd' 10
"$TCLIENT" -d x 127.0.0.1 "$DPORT" > /dev/null
check "once it reads again: how many lines were dropped is logged" \
    wait_log "$WORK/stuck/syslog" 'replyd\[[0-9]+\]: [0-9]+ log lines dropped: the syslog daemon was not reading'
kill "$DPID"
finish

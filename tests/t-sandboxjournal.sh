#!/bin/sh
# A call the sandbox refuses is logged from the trapped child's signal
# handler by a writer of its own (log_raw: no stdio, no malloc), which
# must mark the line as log_msg would: under systemd's journal
# (JOURNAL_STREAM names standard error) with its priority, <3> (error),
# like every other line, without it with none; in a daemon, to syslog
# with the daemon facility.  (That line has no timestamp: the handler
# cannot call localtime; journald and rsyslog stamp local lines.)
. "$(dirname "$0")/lib.sh"

: "${MODULES:=$(pwd)}"
cf=$(conf sbj <<C
listen = "127.0.0.1";
port = 0;
handler = "module";
module = { path = "$MODULES/tests/sandboxmod.so"; try = "connect:9"; };
C
)
: > "$WORK/sbj.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/sbj.log")
export JOURNAL_STREAM
start sbj "$cf" || exit 1
unset JOURNAL_STREAM
same "the module's connect: no answer" \
    "$("$TCLIENT" -w 3 -d x 127.0.0.1 "$PORT")" ""
check "journal: the refusal is logged with priority <3>" \
    wait_log "$LOG" '^<3>replyd\[[0-9]+\]: 0/tcp: sandbox refused system call socket$'
check "... and the child's end by SIGSYS too, with its own priority" \
    wait_log "$LOG" '^<5>replyd\[[0-9]+\]: 0/tcp: child [0-9]+ killed by signal 31 '
check "journal: no line without a priority" \
    sh -c "! grep -qvE '^<[0-7]>replyd' '$LOG'"
stop "$PID"

start plain "$cf" || exit 1
"$TCLIENT" -w 3 -d x 127.0.0.1 "$PORT" > /dev/null
check "without the journal: the same line, no priority" \
    wait_log "$LOG" '^replyd\[[0-9]+\]: 0/tcp: sandbox refused system call socket$'
stop "$PID"

# A daemon logs to syslog: the line goes to /dev/log, a stand-in's in a
# private namespace (syslog_ns), as a datagram with the daemon facility.
if syslog_ns; then
	P=$(free_port)
	sed "s/^port = 0;/port = $P;/" "$cf" > "$WORK/d.conf"
	catch_syslog "$WORK/log.sock" "$WORK/syslog"
	in_ns "$WORK/log.sock" "$REPLYD" -c "$WORK/d.conf" -P "$WORK/pid" \
	    2> "$WORK/d.err"
	DPID=$(cat "$WORK/pid" 2>/dev/null)
	PIDS="$PIDS $DPID"
	"$TCLIENT" -w 3 -d x 127.0.0.1 "$P" > /dev/null
	check "daemon: the refusal reaches syslog, daemon facility, error" \
	    wait_log "$WORK/syslog" "^<27>replyd\\[[0-9]+\\]: $P/tcp: sandbox refused system call socket\$"
	kill "${DPID:-0}"
else
	echo "# no private namespace for /dev/log here: the daemon's syslog line is not checked"
fi
finish

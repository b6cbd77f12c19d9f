#!/bin/sh
# The mode-parity matrix (SPEC: "Every mode, one truth"): the same
# scenarios in every way replyd serves, one TAP point "MODE: SCENARIO"
# per cell, a "# MODE: SCENARIO: not applicable: WHY" line where a cell
# cannot apply, never nothing.
#
# A mode is one up_MODE NAME FRAGMENT function: it starts replyd for a
# service "modes" made of FRAGMENT and sets PORT (where to reach it),
# PROTO (tcp or udp), LOG (where its log lines go) and MPID (what to stop).
# A scenario is conf_SCENARIO (its config fragment, which may use $RUN, a
# folder anyone may write) and check_SCENARIO (talks to PORT, reads LOG;
# each failed step says why on a "#" line).  Each cell starts its own
# replyd.  Modes run side by side, the cells of one mode in turn.
. "$(dirname "$0")/lib.sh"

SSA=$(command -v systemd-socket-activate)
MODES="daemon fg ssa one wait udp upgraded"
SCENARIOS="reply allowed denied per_source rate stderr session_timeout
    log_connections log_errors"

# not_applicable MODE SCENARIO: why the cell cannot apply (nothing if
# it can).
not_applicable() {
	case $1:$2 in
	daemon:*)
		[ -n "$NS" ] ||
		    echo "no mount namespace here to read the daemon's log" ;;
	one:per_source|one:rate)
		echo "one process per client: no other client to count" ;;
	esac
	case $1 in
	ssa|one|wait|udp)
		[ -n "$SSA" ] || echo "systemd-socket-activate is not installed" ;;
	esac
}

# mkconf NAME PORT FRAGMENT [PROTO]: the file, readable by the handlers.
mkconf() {
	printf 'port = %s;\nlisten = "127.0.0.1";\nprotocol = "%s";\n%s\n' \
	    "$2" "${4:-tcp}" "services = ( { name = \"modes\"; $3 } );" |
	    conf "$1"
	chmod 644 "$WORK/$1.conf"
}

# --- modes ---

up_fg() {
	PROTO=tcp
	start "$1" "$(mkconf "$1" 0 "$2")" || return 1
	MPID=$PID
}

# -f, then SIGUSR2: the scenarios meet the image the upgrade started.
up_upgraded() {
	up_fg "$@" || return 1
	kill -USR2 "$MPID"
	wait_log "$LOG" 'upgraded: .* serves' 10
}

# No -f: the log is syslog, caught in a private mount namespace; the
# port is on stderr, which is a daemon's until it detaches.
up_daemon() {
	local cf
	PROTO=tcp
	cf=$(mkconf "$1" 0 "$2")
	LOG=$WORK/$1.log
	catch_syslog "$WORK/$1.sock" "$LOG" || return 1
	in_ns "$WORK/$1.sock" "$REPLYD" -c "$cf" -P "$WORK/$1.pid" \
	    2> "$WORK/$1.err" || { cat "$WORK/$1.err"; return 1; }
	MPID=$(cat "$WORK/$1.pid")
	PIDS="$PIDS $MPID"
	PORT=$(port_of "$WORK/$1.err" "")
}

# ssa NAME FRAGMENT PROTO "SSA-OPTIONS" REPLYD-OPTION: replyd under
# systemd-socket-activate on a free port, another one if that was taken
# meanwhile.  Its stderr, and so the log of every replyd it starts, is LOG.
ssa() {
	PROTO=$3
	LOG=$WORK/$1.log
	for _ in 1 2 3; do
		PORT=$(free_port) || continue
		: > "$LOG"
		# shellcheck disable=SC2086
		"$SSA" -l "127.0.0.1:$PORT" $4 "$REPLYD" "$5" \
		    -c "$(mkconf "$1" "$PORT" "$2" "$3")" > /dev/null 2> "$LOG" &
		MPID=$!
		PIDS="$PIDS $MPID"
		wait_log "$LOG" '^Listening on' 5 && return 0
		down
	done
	return 1
}
up_ssa() { ssa "$1" "$2" tcp "" -f; }
up_one() { ssa "$1" "$2" tcp "--inetd -a" -i; }
up_wait() { ssa "$1" "$2" tcp --inetd -i; }
up_udp() { ssa "$1" "$2" udp "--datagram --inetd" -i; }

# down: SIGTERM to what up_MODE started (and to the children of
# systemd-socket-activate -a), SIGKILL if it lingers.
down() {
	local p
	[ -n "$MPID" ] || return 0
	for p in $(pgrep -P "$MPID") "$MPID"; do
		kill -TERM "$p" 2>/dev/null
		poll 5 gone "$p" > /dev/null || kill -9 "$p" 2>/dev/null
	done
	wait "$MPID" 2>/dev/null
	[ -z "${CATCHER:-}" ] || kill "$CATCHER"
	CATCHER=""
}

# --- what the scenarios share ---

# ask [TCLIENT-OPTIONS]: one client of PORT, over PROTO.
ask() {
	if [ "$PROTO" = udp ]; then
		"$TCLIENT" -u "$@" 127.0.0.1 "$PORT"
	else
		"$TCLIENT" "$@" 127.0.0.1 "$PORT"
	fi
}

ms() { date +%s%3N; }

# A request long enough for any reply here to stay within UDP's default
# max_amplification.
REQ='a request, long enough for every reply\n'

# closed WHAT STATUS: tclient's STATUS says the server closed (0) or
# reset (3) the connection, rather than tclient timing out.
closed() {
	[ "$2" = 0 ] || [ "$2" = 3 ] && return 0
	echo "#   $1: not closed (tclient status $2)"
	return 1
}

# is WHAT GOT WANT
is() {
	[ "$2" = "$3" ] && return 0
	printf '#   %s: got "%s", want "%s"\n' "$1" "$2" "$3"
	return 1
}

# logged WHAT PATTERN: LOG gets a line matching PATTERN within 3 s.
logged() {
	wait_log "$LOG" "$2" 3 && return 0
	echo "#   $1: no log line matches /$2/"
	return 1
}

# refused_promptly WHAT: a client that is sent nothing and closed at once
# (TCP) or left without an answer (UDP, where nothing can be closed).
refused_promptly() {
	local out rc
	if [ "$PROTO" = udp ]; then
		out=$(ask -w 1 -d "$REQ" 2>/dev/null)
		is "$1: the answer" "$out" ""
		return
	fi
	out=$(ask -w 2 -d "$REQ" 2>/dev/null)
	rc=$?
	is "$1: the answer" "$out" "" && closed "$1, within 2 s" "$rc"
}

# --- scenarios ---

# frag TEXT: a fragment, as it is (dash's echo would turn its \n escapes
# into newlines).
frag() { printf '%s\n' "$*"; }

# exec_sh SCRIPT: the fragment for an exec handler running sh -c SCRIPT
# (no double quote in SCRIPT).
exec_sh() {
	printf 'handler = "exec"; exec = { program = "/bin/sh";\n'
	printf '    args = [ "-c", "%s" ]; };\n' "$1"
}

conf_reply() { frag 'reply = "hello\n";'; }
check_reply() { is "the reply" "$(ask -w 3 -d "$REQ")" hello; }

conf_allowed() { frag 'allow = [ "127.0.0.0/8" ]; reply = "allowed\n";'; }
check_allowed() {
	is "the allowed client's reply" "$(ask -w 3 -d "$REQ")" allowed
}

conf_denied() { frag 'deny = [ "127.0.0.0/8" ]; reply = "denied\n";'; }
check_denied() {
	refused_promptly "the denied client" &&
	    logged "the refusal" 'refused 127\.0\.0\.1:[0-9]+: access denied'
}

# The first client's handler holds it 2 s; the second from the same
# address is refused.  UDP gets no busy_reply (the master sends none
# over UDP): it is refused, unanswered.
conf_per_source() {
	frag 'per_source = 1; busy_reply = "busy\n";'
	exec_sh "touch $RUN/held; sleep 2; echo slow"
}
check_per_source() {
	local first out rc bad=0
	ask -w 8 -d "$REQ" > "$RUN/first.out" 2>/dev/null &
	first=$!
	if ! poll 5 [ -e "$RUN/held" ]; then
		echo "#   the first client's handler did not start"
		wait "$first"
		return 1
	fi
	if [ "$PROTO" = udp ]; then
		refused_promptly "the second client" || bad=1
	else
		out=$(ask -w 2 -d "$REQ" 2>/dev/null)
		rc=$?
		is "the second client" "$out" busy || bad=1
		closed "the second client, within 2 s" "$rc" || bad=1
	fi
	logged "the refusal" \
	    'refused 127\.0\.0\.1:[0-9]+: per_source limit reached' || bad=1
	wait "$first"
	is "the first client" "$(cat "$RUN/first.out")" slow || bad=1
	return $bad
}

# rate = 1: the second client within the second waits for the token
# (the pair takes 900 ms or more) and is served.
conf_rate() { frag 'rate = 1; reply = "rated\n";'; }
check_rate() {
	local t0 a b el bad=0
	t0=$(ms)
	a=$(ask -w 4 -d "$REQ")
	b=$(ask -w 4 -d "$REQ")
	el=$(( $(ms) - t0 ))
	is "the first client" "$a" rated || bad=1
	is "the second client" "$b" rated || bad=1
	[ "$el" -ge 900 ] ||
	    { echo "#   two clients in $el ms: the second did not wait"; bad=1; }
	if grep -q refused "$LOG"; then
		grep refused "$LOG" | sed 's/^/#   refused: /'
		bad=1
	fi
	return $bad
}

# log (the default, "connections"): one line for a client, when its
# child ends, naming it; its request is not logged.
conf_log_connections() { frag 'reply = "logged\n";'; }
check_log_connections() {
	is "the reply" "$(ask -w 3 -d "$REQ")" logged &&
	    logged "the end line" 'modes: child [0-9]+ exited with status 0 after [0-9]+ ms; client 127\.0\.0\.1:[0-9]+' || return 1
	if grep -q 'a request, long enough' "$LOG"; then
		echo "#   the request reached the log at the default level"
		return 1
	fi
}

# log = "errors": a client served well leaves no line; a failed one does.
conf_log_errors() {
	frag 'log = "errors";'
	# shellcheck disable=SC2016 # $line is the handler's, not this shell's
	exec_sh 'read line; case $line in fail) exit 1;; esac; echo served'
}
check_log_errors() {
	is "the reply" "$(ask -w 3 -d "$REQ")" served || return 1
	ask -w 3 -d 'fail\n' > /dev/null 2>&1
	logged "the failed client" \
	    'modes: child [0-9]+ exited with status 1 after' || return 1
	if [ "$(grep -c 'modes: child [0-9]* exited' "$LOG")" != 1 ] ||
	    grep -q 'connect from' "$LOG"; then
		echo "#   a line for the client served well:"
		sed 's/^/#     /' "$LOG"
		return 1
	fi
}

conf_stderr() { exec_sh 'echo to-the-log >&2; echo hi'; }
check_stderr() {
	is "the reply" "$(ask -w 3 -d "$REQ")" hi &&
	    logged "the handler's stderr, tagged" \
	    'modes: child [0-9]+: stderr: "to-the-log"$'
}

# A handler that waits for a sleep in the background: only a kill of
# its process group closes the client.
conf_session_timeout() {
	frag 'session_timeout = 1;'
	exec_sh "sleep 9 & echo \$! > $RUN/sleeper; wait; echo late"
}
check_session_timeout() {
	local t0 el out rc bad=0 sleeper
	t0=$(ms)
	out=$(ask -w 6 -d "$REQ" 2>/dev/null)
	rc=$?
	el=$(( $(ms) - t0 ))
	is "the answer" "$out" "" || bad=1
	if [ "$PROTO" = tcp ]; then
		closed "the client" "$rc" || bad=1
		[ "$el" -lt 3500 ] ||
		    { echo "#   the client was closed after $el ms"; bad=1; }
	fi
	logged "the kill" 'past session_timeout' || bad=1
	sleeper=$(cat "$RUN/sleeper" 2>/dev/null)
	if [ -z "$sleeper" ]; then
		echo "#   the handler did not start"
		bad=1
	elif ! poll 3 gone "$sleeper"; then
		echo "#   the handler's background process is left running"
		bad=1
	fi
	return $bad
}

# --- the matrix ---

# cell MODE SCENARIO: one TAP point, or the comment why it cannot apply.
cell() {
	local m=$1 s=$2 why p
	MPID=""
	LOG=/dev/null
	why=$(not_applicable "$m" "$s")
	if [ -n "$why" ]; then
		echo "# $m: $s: not applicable: $why"
		return
	fi
	RUN=$WORK/$s.run
	mkdir "$RUN"
	chmod 1777 "$RUN"
	if ! "up_$m" "$s" "$("conf_$s")"; then
		not_ok "$m: $s"
		echo "#   replyd did not start:"
		sed 's/^/#     /' "$LOG"
		down
		return
	fi
	if "check_$s" > "$RUN/why" 2>&1; then
		ok "$m: $s"
	else
		not_ok "$m: $s"
		cat "$RUN/why"
		echo "#   the log:"
		tail -n 12 "$LOG" | sed 's/^/#     /'
	fi
	down
	# What a handler left behind, if the mode failed to end it.
	while read -r p; do kill "$p" 2>/dev/null; done 2>/dev/null < "$RUN/sleeper"
}

# run_mode MODE: its cells in turn, in a work folder of its own.
run_mode() {
	WORK=$WORK/$1
	mkdir "$WORK"
	chmod 755 "$WORK"
	PIDS=""
	trap 'for p in $PIDS; do kill -9 "$p" 2>/dev/null; done' EXIT
	for s in $SCENARIOS; do cell "$1" "$s"; done
}

syslog_ns
jobs=""
for m in $MODES; do
	run_mode "$m" > "$WORK/$m.tap" 2>&1 &
	jobs="$jobs $!"
	PIDS="$PIDS $!"
done
# shellcheck disable=SC2086 # one word per job's pid
wait $jobs
# One plan: the points of every mode, numbered in MODES order.
for m in $MODES; do
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok * - }" ;;
		"not ok "*) not_ok "${line#not ok * - }" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < "$WORK/$m.tap"
done
finish

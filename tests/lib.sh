# Shared by the integration tests: TAP output, a private work folder,
# starting the real replyd on a free loopback port, and cleaning up
# (every process a test starts is killed by its PID).
set -u

: "${REPLYD:=$(pwd)/src/replyd}"
: "${TCLIENT:=$(pwd)/tests/tclient}"
: "${TESTDATA:=$(cd "$(dirname "$0")" && pwd)/data}"

T=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/replyd-test.XXXXXX")
chmod 755 "$WORK"	# handlers may run as nobody
PIDS=""

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

ok() { T=$((T + 1)); echo "ok $T - $*"; }
not_ok() { T=$((T + 1)); echo "not ok $T - $*"; }
# check DESCRIPTION COMMAND...: one test point from a command's status.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# same DESCRIPTION GOT WANT
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '#   got:  %s\n#   want: %s\n' "$2" "$3"
	fi
}
skip_all() { echo "1..0 # SKIP $*"; trap - EXIT; rm -rf "$WORK"; exit 0; }
# With REPLYD_VALGRIND=1 every replyd a test starts runs under valgrind
# memcheck, and the test ends with one more point: no error, no leak.
finish() {
	if [ -n "${REPLYD_VALGRIND:-}" ]; then
		for p in $PIDS; do kill "$p" 2>/dev/null; done
		sleep 1
		bad=$(grep -lE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' \
		    "$WORK"/valgrind.*.log 2>/dev/null)
		# shellcheck disable=SC2012 # counts the test's own valgrind.PID.log files
		n=$(ls "$WORK"/valgrind.*.log 2>/dev/null | wc -l)
		if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
			ok "valgrind: $n processes, no error, no definite leak"
		else
			not_ok "valgrind: $n processes, no error, no definite leak"
			for f in $bad; do sed 's/^/# /' "$f"; done
		fi
	fi
	echo "1..$T"
}

# As root, handlers must run as somebody: the tests use nobody.
if [ "$(id -u)" = 0 ]; then USERLINE='user = "nobody";'; else USERLINE=''; fi

# conf NAME <<EOF ... : write $WORK/NAME.conf (with the user line, and
# $LOGLINE: a test of the lines about each request sets it to say so).
conf() {
	{ echo "$USERLINE${LOGLINE:+ $LOGLINE}"; cat; } > "$WORK/$1.conf"
	echo "$WORK/$1.conf"
}

# wait_log FILE PATTERN [SECONDS]: until grep -E finds PATTERN in FILE.
wait_log() {
	local n=$(( ${3:-5} * 20 ))
	for _ in $(seq "$n"); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_count FILE PATTERN N [SECONDS]: until PATTERN is on N lines.
wait_count() {
	local n=$(( ${4:-5} * 20 ))
	for _ in $(seq "$n"); do
		[ "$(grep -cE -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

# start NAME CONF [ARGS...]: run replyd -f in the background; sets PID,
# PORT (the first port it listens on) and LOG.
start() {
	local name=$1 cf=$2
	shift 2
	LOG=$WORK/$name.log
	# Emptied now, not by the background job's redirection, which may
	# come after wait_log has read a previous run's lines.
	: > "$LOG"
	if [ -n "${REPLYD_VALGRIND:-}" ]; then
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		    --log-file="$WORK/valgrind.%p.log" \
		    "$REPLYD" -f -c "$cf" "$@" > "$WORK/$name.out" 2> "$LOG" &
	else
		"$REPLYD" -f -c "$cf" "$@" > "$WORK/$name.out" 2> "$LOG" &
	fi
	PID=$!
	PIDS="$PIDS $PID"
	if ! wait_log "$LOG" 'listening on' "${START_WAIT:-20}"; then
		echo "# replyd did not start:"; sed 's/^/#   /' "$LOG"
		PORT=0
		return 1
	fi
	PORT=$(port_of "$LOG" "")
}

# start_nofork NAME CONF [ARGS...]: start, with fork() in replyd failing
# while $WORK/nofork exists (tests/failfork.so).
start_nofork() {
	# A sanitizer build wants its runtime first; the shim may come before.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	FAILFORK_FILE=$WORK/nofork LD_PRELOAD=$MODULES/tests/failfork.so \
	    start "$@"
}

# proxy_hdr SRC SPORT: a PROXY v1 header (escaped for tclient -d) from
# SRC:SPORT to the server's $PORT.
proxy_hdr() { printf 'PROXY TCP4 %s 127.0.0.1 %s %s\\r\\n' "$1" "$2" "$PORT"; }

# port_of LOG SERVICE: the port SERVICE listens on ("" = the first).
port_of() {
	grep -E "${2:+$2: }listening on" "$1" | head -n 1 |
	    sed -E 's/.*:([0-9]+) \((tcp|udp)\)$/\1/'
}

# stop PID: SIGTERM and wait for it; STATUS is its exit status.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	# shellcheck disable=SC2034 # STATUS is read by the tests that source this file
	STATUS=$?
}

# children PID: how many children PID has now.
children() { pgrep -P "$1" | wc -l; }

# zombies PID: how many of PID's children are zombies.
zombies() {
	local n=0 c
	for c in $(pgrep -P "$1"); do
		grep -q '^State:.*Z' "/proc/$c/status" 2>/dev/null && n=$((n + 1))
	done
	echo "$n"
}

# shellcheck disable=SC2012 # /proc/PID/fd holds numeric names only
fds() { ls "/proc/$1/fd" | wc -l; }

# poll SECONDS COMMAND...: until COMMAND succeeds (every 50 ms), bounded.
poll() {
	local n=$(( $1 * 20 ))
	shift
	for _ in $(seq "$n"); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# alive PID: PID runs and is not a zombie (an orphaned daemon is reaped
# by whatever PID 1 is, perhaps late).
alive() {
	kill -0 "$1" 2>/dev/null &&
	    ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
gone() { ! alive "$1"; }

# live_children PID: PID's children that are not zombies.
live_children() {
	local n=0 c
	for c in $(pgrep -P "$1"); do
		grep -q '^State:.*Z' "/proc/$c/status" 2>/dev/null ||
		    n=$((n + 1))
	done
	echo "$n"
}
has_children() { [ "$(live_children "$1")" -eq "$2" ]; }

# fd_list PID: PID's open descriptors, sorted, on one line.
# shellcheck disable=SC2012 # /proc/PID/fd holds numeric names only
fd_list() { ls "/proc/$1/fd" 2>/dev/null | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# child_fds_are PID WANT: PID has a live child, and each holds exactly
# the descriptors WANT (as fd_list prints them).
child_fds_are() {
	local k n=0
	for k in $(pgrep -P "$1"); do
		grep -q '^State:.*Z' "/proc/$k/status" 2>/dev/null && continue
		[ "$(fd_list "$k")" = "$2" ] || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

# show_child_fds PID: what each child of PID holds, as TAP comments.
show_child_fds() {
	local k
	for k in $(pgrep -P "$1"); do
		# shellcheck disable=SC2012 # /proc/PID/fd holds numeric names only
		echo "#   child $k: $(ls -l "/proc/$k/fd" | tail -n +2 |
		    awk '{ print $9 $10 $11 }' | tr '\n' ' ')"
	done
}

# free_port: a TCP port on 127.0.0.1 nothing listens on now (the
# kernel's choice, for servers that cannot bind port 0 themselves;
# whoever binds it next may lose a race and must retry).
free_port() {
	local cf p
	cf=$(conf freeport <<'C'
port = 0;
listen = "127.0.0.1";
C
)
	start freeport "$cf" > /dev/null || return 1
	p=$PORT
	stop "$PID"
	echo "$p"
}

# A daemon logs to syslog, that is /dev/log, which is global (and absent
# on build machines).  To read its log a daemon runs in a private mount
# namespace whose /dev is a small tmpfs with the usual device nodes and a
# /dev/log that is the test's own datagram socket: as root with
# unshare -m, as another user inside user namespaces (mapped back to the
# user's own uid, so replyd runs as a normal user).
#
# syslog_ns: whether that works here; sets NS to root, user or "".
syslog_ns() {
	NS_SH=$WORK/ns.sh
	cat > "$NS_SH" <<'S'
set -e
sock=$1
shift
old=$(dirname "$sock")/olddev.$$
mkdir "$old"
mount --rbind /dev "$old"
mount -t tmpfs -o mode=755,size=64k replyd-test-dev /dev
for n in null zero full random urandom tty; do
	[ -e "$old/$n" ] || continue
	: > "/dev/$n"
	mount --bind "$old/$n" "/dev/$n"
done
ln -s /proc/self/fd /dev/fd
ln -s "$sock" /dev/log
exec "$@"
S
	NS=""
	command -v python3 > /dev/null && command -v unshare > /dev/null ||
	    return 1
	if [ "$(id -u)" = 0 ]; then NS=root; else NS=user; fi
	catch_syslog "$WORK/probe.sock" "$WORK/probe.log"
	in_ns "$WORK/probe.sock" python3 -c 'import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
s.send(b"probe")' 2>/dev/null && wait_log "$WORK/probe.log" '^probe$' 2 ||
	    NS=""
	kill "$CATCHER"
	CATCHER=""
	[ -n "$NS" ]
}

# in_ns SOCK PROGRAM...: PROGRAM in the private namespace (syslog_ns),
# if any, with /dev/log being SOCK.
in_ns() {
	local sock=$1
	shift
	case $NS in
	root)	unshare -m sh "$NS_SH" "$sock" "$@" ;;
	user)	unshare -Urm sh "$NS_SH" "$sock" \
		    unshare -U --map-user="$(id -u)" --map-group="$(id -g)" \
		    "$@" ;;
	*)	"$@" ;;
	esac
}

# catch_syslog SOCK FILE: a syslog listener on SOCK writing lines to
# FILE; sets CATCHER.
catch_syslog() {
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        m = s.recv(65536).decode("utf-8", "replace")
        f.write(m.rstrip("\n") + "\n")
' "$1" "$2" &
	CATCHER=$!
	PIDS="$PIDS $CATCHER"
	poll 5 [ -S "$1" ]
}

# cpu_ms PID: the CPU time PID has used so far (user and system), in ms.
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" \
	    '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' \
	    "/proc/$1/stat"
}

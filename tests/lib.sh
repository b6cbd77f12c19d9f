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

# conf NAME <<EOF ... : write $WORK/NAME.conf (with the user line).
conf() {
	{ echo "$USERLINE"; cat; } > "$WORK/$1.conf"
	echo "$WORK/$1.conf"
}

# wait_log FILE PATTERN [SECONDS]: until grep -E finds PATTERN in FILE.
wait_log() {
	local i n=$(( ${3:-5} * 20 ))
	for i in $(seq "$n"); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_count FILE PATTERN N [SECONDS]: until PATTERN is on N lines.
wait_count() {
	local i n=$(( ${4:-5} * 20 ))
	for i in $(seq "$n"); do
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
	if [ -n "${REPLYD_VALGRIND:-}" ]; then
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		    --log-file="$WORK/valgrind.%p.log" \
		    "$REPLYD" -f -c "$cf" "$@" > "$WORK/$name.out" 2> "$LOG" &
	else
		"$REPLYD" -f -c "$cf" "$@" > "$WORK/$name.out" 2> "$LOG" &
	fi
	PID=$!
	PIDS="$PIDS $PID"
	if ! wait_log "$LOG" 'listening on' 20; then
		echo "# replyd did not start:"; sed 's/^/#   /' "$LOG"
		PORT=0
		return 1
	fi
	PORT=$(port_of "$LOG" "")
}

# port_of LOG SERVICE: the port SERVICE listens on ("" = the first).
port_of() {
	grep -E "${2:+$2: }listening on" "$1" | head -n 1 |
	    sed -E 's/.*:([0-9]+) \((tcp|udp)\)$/\1/'
}

# stop PID: SIGTERM and wait for it; STATUS is its exit status.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
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

fds() { ls "/proc/$1/fd" | wc -l; }

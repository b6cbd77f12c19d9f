#!/bin/sh
# The descriptors a child holds: a child of a built-in handler (reply,
# echo, module) and an exec'd program hold 0, 1 and 2 only, never a
# listener, the master's own descriptors or one the master inherited;
# the same on a kernel without close_range(2) (a seccomp filter makes it
# fail with ENOSYS); and the daemon keeps nothing it inherited beyond 2.
# The master is always started with descriptors 3 and 7 open on a file
# of the test's, so that a leak of inherited descriptors shows too.
. "$(dirname "$0")/lib.sh"

: "${MODULES:=$(pwd)}"
: "${DENYSYS:=$MODULES/tests/denysys}"
: > "$WORK/marker"

# The exec'd program lists its own descriptors; ls itself opens one
# (3, the directory it lists).
cat > "$WORK/lsfd.sh" <<'S'
#!/bin/sh
exec ls /proc/self/fd
S
chmod 755 "$WORK/lsfd.sh"

cf=$(conf fds <<C
port = 0;
listen = "127.0.0.1";
services = (
	{ name = "reply"; },
	{ name = "echo"; handler = "echo"; },
	{ name = "module"; handler = "module";
	  module = { path = "$MODULES/examples/upper.so"; }; },
	{ name = "exec"; handler = "exec";
	  exec = { program = "$WORK/lsfd.sh"; }; }
);
C
)

# held_by_child WHAT SERVICE: connect to SERVICE without sending, find
# the master's child and check that it holds 0, 1 and 2 only.
held_by_child() {
	local what=$1 port c k
	port=$(port_of "$LOG" "$2")
	"$TCLIENT" -w 5 127.0.0.1 "$port" > /dev/null 2>&1 &
	c=$!
	poll 3 has_children "$PID" 1
	# A module's stderr is a pipe to the master (stderr_relay.c), and replyd's
	# own lines in that child keep the log channel as fd 3.
	want="0 1 2"
	[ "$2" = module ] && want="0 1 2 3"
	check "$what: the $2 child holds only $want" \
	    poll 2 child_fds_are "$PID" "$want"
	child_fds_are "$PID" "$want" || show_child_fds "$PID"
	if [ "$2" = module ]; then
		k=$(pgrep -P "$PID" | head -n 1)
		check "$what: the module child's fd 2 is a pipe, fd 3 the master's stderr" \
		    sh -c "readlink /proc/$k/fd/2 | grep -q '^pipe:' &&
			[ \"\$(readlink /proc/$k/fd/3)\" = \"\$(readlink /proc/$PID/fd/2)\" ]"
	fi
	kill "$c" 2>/dev/null
	wait "$c" 2>/dev/null
	poll 3 has_children "$PID" 0
}

# served WHAT: every service still answers, and the exec'd program
# holds only 0, 1 and 2 (and ls's own 3).
served() {
	same "$1: reply answers" \
	    "$("$TCLIENT" -w 3 -d x 127.0.0.1 "$(port_of "$LOG" reply)")" \
	    "thank you !"
	same "$1: echo answers" \
	    "$("$TCLIENT" -w 3 -H -d x 127.0.0.1 "$(port_of "$LOG" echo)")" x
	same "$1: the module answers" \
	    "$("$TCLIENT" -w 3 -d x 127.0.0.1 "$(port_of "$LOG" module)")" X
	same "$1: an exec'd program holds only 0, 1 and 2" \
	    "$("$TCLIENT" -w 3 -d x 127.0.0.1 "$(port_of "$LOG" exec)" |
	    sort -n | tr '\n' ' ')" "0 1 2 3 "
}

start fds "$cf" 3< "$WORK/marker" 7< "$WORK/marker"
for s in reply echo module; do held_by_child "close_range" "$s"; done
served "close_range"
stop "$PID"

# Without close_range: the helper checks that its filter holds before it
# runs replyd.
printf '#!/bin/sh\nexec "%s" close_range "%s" "$@"\n' "$DENYSYS" "$REPLYD" \
    > "$WORK/noclose"
chmod 755 "$WORK/noclose"
REPLYD=$WORK/noclose start noclose "$cf" 3< "$WORK/marker" 7< "$WORK/marker"
check "no close_range: the helper runs replyd under its filter" \
    sh -c "! grep -q '^denysys:' '$LOG'"
for s in reply echo module; do held_by_child "no close_range" "$s"; done
served "no close_range"
stop "$PID"

# The daemon keeps no descriptor it inherited: with one on a pipe, the
# reader of the pipe sees its end once the starting command returns.
dcf=$(conf daemon <<'C'
port = 0;
listen = "127.0.0.1";
C
)
cat > "$WORK/pipe.sh" <<S
{ readlink /proc/self/fd/5 > "$WORK/pipe.id"
  exec "$REPLYD" -c "$dcf" -P "$WORK/daemon.pid" 7< "$WORK/marker" \
      2> "$WORK/daemon.err"; } 5>&1 |
    cat > /dev/null
S
timeout 3 sh "$WORK/pipe.sh"
same "daemon: 'replyd 5>&1 | cat' ends (the daemon keeps no fd 5)" "$?" 0
dpid=$(cat "$WORK/daemon.pid" 2>/dev/null)
PIDS="$PIDS $dpid"
check "daemon: it holds no descriptor it inherited" \
    sh -c "! ls -l /proc/${dpid:-0}/fd | grep -q -e '$WORK/marker' \
    -e '$(cat "$WORK/pipe.id")'"
[ -z "$dpid" ] || kill -TERM "$dpid"
check "daemon: SIGTERM stops it" poll 5 gone "${dpid:-0}"
finish

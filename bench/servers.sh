# bench/servers.sh: how bench/run builds and starts each server (sourced).
#
# build() compiles the C parts into $W.  start_server NAME PORT starts one
# server in the background with its output in $W/NAME.log and sets PID;
# it returns 2 when the server is not installed, so the table says
# "skipped (not installed)" instead of failing.  The anchors' throttling
# defaults are raised here; describe NAME says how NAME was run.  launch
# NAME finds a free port, starts NAME and waits (bounded) until it answers
# a first connection correctly.  stop and cleanup end what a script
# started; the script defines log and W.

INETD=""

# stop PID: TERM, up to 3 s, then KILL; only PIDs this script started.
stop() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# cleanup: stop what was started, remove the work directory $W (kept
# with BENCH_KEEP=1).  The caller traps EXIT with it.
cleanup() {
	local pid
	for pid in $STARTED; do
		stop "$pid"
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		log "work directory kept: $W"
	else
		rm -rf "$W"
	fi
}

# background LOG CMD...: run CMD with only fds 0-2 (stdin /dev/null,
# stdout and stderr to LOG), so every server starts with the same fds
# whatever this script inherited; sets PID.
background() {
	local logf=$1

	shift
	(
		for f in "/proc/$BASHPID/fd/"*; do
			f=${f##*/}
			case $f in
			0|1|2|*[!0-9]*) ;;
			*) eval "exec $f>&-" ;;
			esac
		done
		exec "$@"
	) < /dev/null > "$logf" 2>&1 &
	PID=$!
}

build() {
	local f cflags="-O2 -Wall -Wextra"

	for f in loadgen forkserver spawnserver; do
		# shellcheck disable=SC2086 # $cflags is a list of flags
		$CC $cflags -o "$W/$f" "$HERE/$f.c" || return 1
	done
	# shellcheck disable=SC2086 # $cflags is a list of flags
	$CC $cflags -static -o "$W/forkserver-static" "$HERE/forkserver.c" ||
	    log "cannot link forkserver statically (no libc.a?)"
	# shellcheck disable=SC2086,SC2153 # $cflags is a list of flags; TINY comes from bench/run
	if [ "$TINY" = bare ] && $CC $cflags -static -nostdlib \
	    -fno-stack-protector -o "$W/tiny" "$HERE/barehandler.c"; then
		TINYDESC="bench/barehandler.c: no C library, three system calls"
		return 0
	fi
	if [ "$TINY" = bare ]; then
		log "cannot build barehandler.c here: tinyhandler.c instead"
	fi
	# shellcheck disable=SC2086 # $cflags is a list of flags
	if [ "$TINY" != dynamic ] &&
	    $CC $cflags -static -o "$W/tiny" "$HERE/tinyhandler.c"; then
		TINYDESC="bench/tinyhandler.c, linked static"
	else
		# shellcheck disable=SC2086 # $cflags is a list of flags
		$CC $cflags -o "$W/tiny" "$HERE/tinyhandler.c" || return 1
		# shellcheck disable=SC2034 # TINYDESC is read by bench/run or bench/phases
		TINYDESC="bench/tinyhandler.c, linked dynamic"
	fi
}

# find_inetd: openbsd-inetd's binary, unpacked by bench/setup or installed.
find_inetd() {
	local c

	for c in "${OPENBSD_INETD:-}" "$CACHE/openbsd-inetd/usr/sbin/inetd" \
	    /opt/replyd-ci/openbsd-inetd/usr/sbin/inetd; do
		if [ -n "$c" ] && [ -x "$c" ]; then
			echo "$c"
			return 0
		fi
	done
	if [ -x /usr/sbin/inetd ] && dpkg-query -S /usr/sbin/inetd 2>/dev/null |
	    grep -q '^openbsd-inetd:'; then
		echo /usr/sbin/inetd
		return 0
	fi
	return 1
}

# replyd_conf NAME PORT [LINE...]: the shipped config, loopback port and
# user replaced, plus LINEs; checked with replyd -t.
replyd_conf() {
	local name=$1 f=$W/$1.conf port=$2

	shift 2
	if [ -f "$REPLYD_CONF_BASE" ]; then
		grep -Ev '^[[:space:]]*(port|listen|user|handler)[[:space:]]*=' \
		    "$REPLYD_CONF_BASE" > "$f"
	else
		printf 'reply = "thank you !\\n";\n' > "$f"
	fi
	printf 'port = %s;\nlisten = "127.0.0.1";\nuser = "%s";\n' \
	    "$port" "$BUSER" >> "$f"
	printf '%s\n' "$@" >> "$f"
	chmod 644 "$f"
	"$REPLYD" -t -c "$f" > "$W/$name.check" 2>&1 || {
		log "$name: replyd -t rejects $f: $(head -3 "$W/$name.check")"
		return 1
	}
}

# build_bin BUILD: the binary BENCH_BUILDS names BUILD ("name=path ...").
build_bin() {
	local b

	for b in ${BENCH_BUILDS:-}; do
		[ "${b%%=*}" = "$1" ] && { echo "${b#*=}"; return 0; }
	done
	return 1
}

# start_replyd NAME PORT: replyd-* runs $REPLYD, old-* runs $REPLYD_OLD,
# BUILD-* the build BENCH_BUILDS names BUILD (other builds, such as the
# previous design or an ablation's, measured in the same run).
start_replyd() {
	local name=$1 port=$2 bin=$REPLYD

	case $name in
	replyd-*) ;;
	old-*) bin=${REPLYD_OLD:-} ;;
	*) bin=$(build_bin "${name%-*}") || return 2 ;;
	esac
	[ -n "$bin" ] && [ -x "$bin" ] || return 2
	case ${name##*-} in
	exec)
		replyd_conf "$name" "$port" 'handler = "exec";' \
		    "exec = { program = \"$W/tiny\"; };" || return 1 ;;
	nosandbox)
		replyd_conf "$name" "$port" \
		    'sandbox = { syscalls = "none"; };' || return 1 ;;
	requests)
		replyd_conf "$name" "$port" 'log = "requests";' || return 1 ;;
	*)
		replyd_conf "$name" "$port" || return 1 ;;
	esac
	background "$W/$name.log" "$bin" -f -c "$W/$name.conf"
}

xinetd_conf() {
	cat > "$W/xinetd.conf" <<X
defaults
{
	instances	= UNLIMITED
	cps		= 100000 1
	per_source	= UNLIMITED
}
service replyd-bench
{
	type		= UNLISTED
	socket_type	= stream
	protocol	= tcp
	wait		= no
	user		= $BUSER
	bind		= 127.0.0.1
	port		= $1
	server		= $W/tiny
}
X
}

start_xinetd() {
	command -v xinetd > /dev/null || return 2
	xinetd_conf "$1"
	background "$W/xinetd.out" xinetd -dontfork -f "$W/xinetd.conf" \
	    -pidfile "$W/xinetd.pid" -filelog "$W/xinetd.log"
}

start_inetd() {
	INETD=$(find_inetd) || return 2
	printf '127.0.0.1:%s stream tcp nowait.100000 %s %s tiny\n' \
	    "$1" "$BUSER" "$W/tiny" > "$W/inetd.conf"
	background "$W/openbsd-inetd.log" "$INETD" -i -q 1024 "$W/inetd.conf"
}

# drops_user: BENCH_USER names someone else, so the servers that can
# switch users (replyd, xinetd, openbsd-inetd, tcpserver, tcpsvd) run
# their handlers as that user; the bare references cannot.
drops_user() {
	[ "$BUSER" != "$(id -un)" ]
}

# start_anchor NAME PORT: a server that takes the handler as arguments.
start_anchor() {
	local name=$1 port=$2 tiny=$W/tiny
	local -a as=()

	case $name in
	tcpserver)
		command -v tcpserver > /dev/null || return 2
		drops_user && as=(-u "$(id -u "$BUSER")" -g "$(id -g "$BUSER")")
		background "$W/$name.log" tcpserver -R -H -l0 -c 1000 \
		    -b 1024 "${as[@]}" 127.0.0.1 "$port" "$tiny" ;;
	tcpsvd)
		command -v tcpsvd > /dev/null || return 2
		drops_user && as=(-u "$BUSER")
		background "$W/$name.log" tcpsvd -l localhost -c 1000 \
		    -b 1024 "${as[@]}" 127.0.0.1 "$port" "$tiny" ;;
	systemd-sa)
		command -v systemd-socket-activate > /dev/null || return 2
		background "$W/$name.log" systemd-socket-activate -a \
		    --inetd -l "127.0.0.1:$port" "$tiny" ;;
	spawn)
		background "$W/$name.log" "$W/spawnserver" "$port" "$tiny" ;;
	esac
}

# start_server NAME PORT: start one server; 2 = not installed.
start_server() {
	case $1 in
	replyd-reply|replyd-exec|replyd-nosandbox|replyd-requests|old-reply|\
	    old-exec)
		start_replyd "$1" "$2" ;;
	fork)
		background "$W/fork.log" "$W/forkserver" "$2" ;;
	fork-static)
		[ -x "$W/forkserver-static" ] || return 2
		background "$W/$1.log" "$W/forkserver-static" "$2" ;;
	tcpserver|tcpsvd|systemd-sa|spawn)
		start_anchor "$1" "$2" ;;
	xinetd)
		start_xinetd "$2" ;;
	openbsd-inetd)
		start_inetd "$2" ;;
	*-reply|*-exec|*-nosandbox|*-requests)
		build_bin "${1%-*}" > /dev/null || { log "unknown server $1" \
		    "(no such build in BENCH_BUILDS)"; return 1; }
		start_replyd "$1" "$2" ;;
	*)
		log "unknown server $1"
		return 1 ;;
	esac
}

# describe NAME: how NAME was run, for the notes under the table.
describe() {
	case $1 in
	replyd-reply)
		echo "replyd -f -c CONF: $(basename "$REPLYD_CONF_BASE")" \
		    "with port, listen and user set; logs to a file" ;;
	replyd-exec)
		echo "the same, handler = \"exec\" running the tiny handler" ;;
	replyd-nosandbox)
		echo "as replyd-reply, with sandbox = { syscalls = \"none\"; }:" \
		    "what the children's seccomp filter costs" ;;
	replyd-requests)
		echo "as replyd-reply, with log = \"requests\": four lines a" \
		    "connection where the default writes one" ;;
	old-reply|old-exec)
		echo "as replyd-${1#old-}, run by REPLYD_OLD=$REPLYD_OLD" ;;
	*-reply|*-exec|*-nosandbox|*-requests)
		echo "as replyd-${1##*-}, run by the build ${1%-*}=$(build_bin \
		    "${1%-*}")" ;;
	fork)
		echo "bench/forkserver.c, cc -O2, dynamic, lazy binding:" \
		    "ratio 1.00" ;;
	fork-static)
		echo "the same linked -static: the fork-per-connection limit" ;;
	spawn)
		echo "bench/spawnserver.c: accept, posix_spawn (vfork-style)," \
		    "close" ;;
	tcpserver)
		echo "tcpserver -R -H -l0 -c 1000 -b 1024" \
		    "$(drops_user && echo "-u UID -g GID ")(defaults -c 40," \
		    "-b 20)" ;;
	tcpsvd)
		echo "ipsvd tcpsvd -l localhost -c 1000 -b 1024" \
		    "$(drops_user && echo "-u $BUSER ")(defaults -c 30, -b 20)" ;;
	xinetd)
		echo "xinetd -dontfork -f CONF: instances UNLIMITED," \
		    "cps 100000 1, per_source UNLIMITED (default cps 50 10)" ;;
	openbsd-inetd)
		echo "$INETD -i -q 1024 CONF with nowait.100000 (defaults:" \
		    "256 a minute, queue 128; -i, not -d: no debug output)" ;;
	systemd-sa)
		echo "systemd-socket-activate -a --inetd (nothing to raise;" \
		    "logs 5 lines a connection, to a file)" ;;
	esac
}

# answers PORT: one correct exchange within a second.
answers() {
	"$W/loadgen" -n 1 -t 1 127.0.0.1 "$1" > /dev/null 2>&1
}

# launch NAME: start NAME on a free port (retrying a lost port race) and
# wait at most 5 s for it to answer; sets PORT and PID.  2 = not installed.
launch() {
	local name=$1 try rc

	for try in 1 2 3; do
		PORT=$("$W/loadgen" -F) || return 1
		start_server "$name" "$PORT"
		rc=$?
		[ "$rc" = 0 ] || return "$rc"
		STARTED="$STARTED $PID"
		for _ in $(seq 50); do
			kill -0 "$PID" 2>/dev/null || break
			answers "$PORT" && return 0
			sleep 0.1
		done
		log "$name did not answer on port $PORT (try $try)"
		stop "$PID"
		STARTED=${STARTED% "$PID"}
	done
	return 1
}

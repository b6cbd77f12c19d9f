#!/bin/sh
# The sandbox's namespaces and file system (sandbox.network, filesystem,
# private_tmp; child/confine.c), for a module and an exec'd program:
# network = false leaves only a downed loopback, so a listener the test
# opens cannot be reached, while the client is still answered;
# "read-only" refuses a write, "empty" a read; private_tmp hides a file
# the test put in /tmp and keeps what the child writes there.  Each try
# is made without the option too, and works: the test fails without
# the sandbox.  Then a host without namespaces or Landlock (tests/nons.so):
# start and -t refuse such a service with one line naming it, and
# "read-only" falls back to a read-only mount namespace.
. "$(dirname "$0")/lib.sh"

: "${MODULES:=$(pwd)}"
mod=$MODULES/tests/sandboxmod.so
# A copy where its handler's user (nobody, for root) may run it: the
# build tree may be a private clone in /root.
cp "$MODULES/tests/sandboxprog" "$WORK/sandboxprog" && chmod 755 "$WORK/sandboxprog"
prog=$WORK/sandboxprog
nons=$MODULES/tests/nons.so
w=$WORK/w
mkdir "$w" && chmod 777 "$w"	# the children may run as nobody
marker=$(mktemp /tmp/replyd-marker.XXXXXX)
written=/tmp/replyd-private.$$
trap 'rm -f "$marker" "$written"; cleanup' EXIT
target=$(free_port)

# svc NAME TRY SANDBOX: an exec'd program (e-*) or a module (m-*)
# trying TRY (sandbox_try.h) inside the sandbox group's SANDBOX.
svc() {
	case $1 in
	e-*)	h="handler = \"exec\"; exec = { program = \"$prog\";
   args = [ \"$2\" ]; };" ;;
	*)	h="handler = \"module\"; module = { path = \"$mod\";
   try = \"$2\"; };" ;;
	esac
	echo " { name = \"$1\"; $h sandbox = { $3 }; },"
}
# sh_svc NAME SCRIPT SANDBOX: /bin/sh running SCRIPT, for a private
# /tmp that hides the build tree when it is under /tmp (CI's are).
sh_svc() {
	echo " { name = \"$1\"; handler = \"exec\"; exec = {
   program = \"/bin/sh\"; args = [ \"-c\", \"$2\" ]; };
   sandbox = { $3 }; },"
}
seen() { echo "if [ -e $1 ]; then echo there; else echo absent; fi"; }
# The module profile has no socket and opens files only for reading.
net='allow = [ "socket", "connect" ];'
wr='allow = [ "open", "openat" ];'
{
	echo 'listen = "127.0.0.1";'
	echo 'port = 0;'
	echo 'services = ('
	echo " { name = \"target\"; port = $target; },"
	svc e-net-off "connect:$target" 'network = false;'
	svc e-net-on "connect:$target" ''
	svc m-net-off "connect:$target" "$net network = false;"
	svc m-net-on "connect:$target" "$net"
	svc e-ifs ifs 'network = false;'
	svc e-ro "tmp:$w/e-ro" 'filesystem = "read-only";'
	svc e-rw "tmp:$w/e-rw" ''
	svc m-ro "tmp:$w/m-ro" "$wr filesystem = \"read-only\";"
	svc m-rw "tmp:$w/m-rw" "$wr"
	svc e-empty read:/etc/hostname 'filesystem = "empty";'
	svc e-ro-read read:/etc/hostname 'filesystem = "read-only";'
	svc m-empty read:/etc/hostname 'filesystem = "empty";'
	svc m-ro-read read:/etc/hostname 'filesystem = "read-only";'
	sh_svc e-ptmp-see "$(seen "$marker")" 'private_tmp = true;'
	sh_svc e-tmp-see "$(seen "$marker")" ''
	sh_svc e-ptmp-write "echo x > $written && echo written" \
	    'private_tmp = true;'
	sh_svc e-ptmp-again "$(seen "$written")" 'private_tmp = true;'
	svc m-ptmp-ro "tmp:/tmp/x" \
	    "$wr private_tmp = true; filesystem = \"read-only\";"
	echo ' { name = "last"; }'
	echo ');'
} | conf ns > /dev/null
cf=$WORK/ns.conf

"$REPLYD" -T "$cf" > "$WORK/printed" 2>&1
check "-T prints the three keys of the sandbox group" \
    sh -c "grep -q 'network = false;' '$WORK/printed' &&
    grep -q 'filesystem = \"empty\";' '$WORK/printed' &&
    grep -q 'private_tmp = true;' '$WORK/printed'"

start ns "$cf"
ask() { "$TCLIENT" -w 5 -d x 127.0.0.1 "$(port_of "$LOG" "$1")" 2>/dev/null; }
said() { printf '%s: reached the kernel: %s' "$1" "$2"; }

for k in e m; do
	same "$k: network = false: the listener cannot be reached" \
	    "$(ask "$k-net-off")" "$(said "connect:$target" \
	    'Network is unreachable')"
	same "$k: with the network, it can" "$(ask "$k-net-on")" \
	    "$(said "connect:$target" "done")"
done
same "network = false: only a loopback interface, down, yet answering" \
    "$(ask e-ifs)" "ifs: lo down"

for k in e m; do
	same "$k: filesystem = \"read-only\": a write is refused" \
	    "$(ask "$k-ro")" "$(said "tmp:$w/$k-ro" 'Permission denied')"
	check "$k: filesystem = \"read-only\": no file was made" \
	    [ ! -e "$w/$k-ro" ]
	same "$k: without it, the write is made" "$(ask "$k-rw")" \
	    "$(said "tmp:$w/$k-rw" "done")"
	same "$k: filesystem = \"empty\": reading a file is refused" \
	    "$(ask "$k-empty")" \
	    "$(said read:/etc/hostname 'Permission denied')"
	same "$k: filesystem = \"read-only\": reading it is not" \
	    "$(ask "$k-ro-read")" "$(said read:/etc/hostname "done")"
done

same "private_tmp: the test's file in /tmp is not there" \
    "$(ask e-ptmp-see)" absent
same "without private_tmp it is" "$(ask e-tmp-see)" there
same "private_tmp: the child writes in its /tmp" "$(ask e-ptmp-write)" \
    written
check "private_tmp: what it wrote is not in the real /tmp" \
    [ ! -e "$written" ]
same "private_tmp: nor in the next child's /tmp" "$(ask e-ptmp-again)" \
    absent
same "private_tmp with filesystem = \"read-only\": its /tmp stays writable" \
    "$(ask m-ptmp-ro)" "$(said tmp:/tmp/x "done")"
check "the master still serves" [ "$(ask target)" = "thank you !" ]
stop "$PID"

# replyd -i: the same confinement in the one child.
icf=$(conf inetd <<C
handler = "exec";
exec = { program = "$prog"; args = [ "ifs" ]; };
sandbox = { network = false; };
C
)
same "-i: network = false there too" \
    "$(printf x | "$REPLYD" -i -c "$icf" 2> "$WORK/inetd.err")" "ifs: lo down"

# A host without namespaces, or without Landlock: nons.so in replyd.
without() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	LD_PRELOAD=$nons "$@"
}
one() {
	conf "$1" <<C
listen = "127.0.0.1";
port = 0;
services = ( { name = "$1"; handler = "exec"; exec = { program = "$prog";
  args = [ "$2" ]; }; sandbox = { $3 }; } );
C
}
refused() {	# NAME WHY: -t and start both refuse with the same line
	local line="^replyd: $1: sandbox \\(.*\\) cannot be had here: .*$2"
	local st
	without timeout 10 "$REPLYD" -t "$WORK/$1.conf" > "$WORK/$1.t" 2>&1
	st=$?
	check "$1: -t fails (status $st)" \
	    sh -c "[ $st -ne 0 ] && [ $st -ne 124 ]"
	check "$1: -t says why, naming the service" \
	    grep -qE "$line" "$WORK/$1.t"
	without timeout 10 "$REPLYD" -f -c "$WORK/$1.conf" > "$WORK/$1.f" 2>&1
	st=$?
	check "$1: start fails (status $st), serving nothing" \
	    sh -c "[ $st -ne 0 ] && [ $st -ne 124 ] &&
	    ! grep -q 'listening on' '$WORK/$1.f'"
	check "$1: start says the same" grep -qE "$line" "$WORK/$1.f"
}
one no-net ifs 'network = false;' > /dev/null
one no-tmp ifs 'private_tmp = true;' > /dev/null
one no-empty ifs 'filesystem = "empty";' > /dev/null
NONS_UNSHARE=1 refused no-net 'namespace'
NONS_UNSHARE=1 refused no-tmp 'namespace'
NONS_LANDLOCK=1 refused no-empty 'needs Landlock'

# "read-only" without Landlock: every mount read-only, in a namespace.
fb=$(one fallback "tmp:$w/fallback" 'filesystem = "read-only";')
NONS_LANDLOCK=1 without start fallback "$fb"
same "no Landlock: \"read-only\" is a read-only mount namespace" \
    "$(ask fallback)" "$(said "tmp:$w/fallback" 'Read-only file system')"
check "no Landlock: no file was made" [ ! -e "$w/fallback" ]
stop "$PID"
finish

#!/bin/sh
# The children's seccomp sandbox (sandbox.syscalls, child/sandbox.c): a
# module and an exec'd program that try what no handler should (read
# /etc/shadow, connect out, fork, exec /bin/sh, mount, write a file) are
# refused, each logged by the system call's name, or for an exec'd
# program by the master's "killed by signal 31" (SIGSYS) line; the
# same tries with syscalls = "none" reach the kernel, so the test fails
# without the sandbox.  A reply child has one seccomp filter more than
# the master, "none" none; the same confinement under replyd -i.
. "$(dirname "$0")/lib.sh"

: "${MODULES:=$(pwd)}"
mod=$MODULES/tests/sandboxmod.so
# A copy where its handler's user (nobody, for root) may run it: the
# build tree may be a private clone in /root.
cp "$MODULES/tests/sandboxprog" "$WORK/sandboxprog" && chmod 755 "$WORK/sandboxprog"
prog=$WORK/sandboxprog
tmpfile=$WORK/tried

# What each try is refused as, from a built-in or module child.
call_of() {
	case $1 in
	shadow|tmp) echo 'openat|open' ;;
	connect) echo 'socket' ;;
	fork) echo 'clone|clone3|fork' ;;
	exec) echo 'execve' ;;
	mount) echo 'mount' ;;
	esac
}
arg_of() {
	case $1 in
	connect) echo connect:9 ;;
	tmp) echo "tmp:$tmpfile" ;;
	*) echo "$1" ;;
	esac
}

# The "module" profile lets a module read files, so reading /etc/shadow
# is refused in the "handler" profile (no open at all); an exec'd
# program gets "module" (the loader's needs allowed) for all but mount,
# which the default "service" deny-list refuses.  What a program may
# read is its user's business: its loader must open its libraries.
tries="shadow connect fork exec mount tmp"
{
	echo 'listen = "127.0.0.1";'
	echo 'port = 0;'
	echo 'services = ('
	echo ' { name = "reply"; },'
	echo ' { name = "reply-none"; sandbox = { syscalls = "none"; }; },'
	echo " { name = \"m-ok\"; handler = \"module\"; module = { path = \"$mod\"; }; },"
	echo " { name = \"e-ok\"; handler = \"exec\"; exec = { program = \"$prog\"; };"
	echo '   sandbox = { syscalls = "module"; }; },'
	for t in $tries; do
		mp='"module"'; ep='"module"'
		[ "$t" = shadow ] && mp='"handler"'
		[ "$t" = mount ] && ep='"service"'
		for kind in m n-m e n-e; do
			case $kind in
			*m) p=$mp; h="handler = \"module\"; module = {
   path = \"$mod\"; try = \"$(arg_of "$t")\"; };" ;;
			*e) p=$ep; h="handler = \"exec\"; exec = {
   program = \"$prog\"; args = [ \"$(arg_of "$t")\" ]; };" ;;
			esac
			case $kind in n-*) p='"none"' ;; esac
			echo " { name = \"$kind-$t\"; $h"
			echo "   sandbox = { syscalls = $p; }; },"
		done
	done
	echo ' { name = "last"; }'
	echo ');'
} | conf sandbox > /dev/null
cf=$WORK/sandbox.conf
start sandbox "$cf"
ask() { "$TCLIENT" -w 5 -d x 127.0.0.1 "$(port_of "$LOG" "$1")" 2>/dev/null; }

# How many seccomp filters a child that holds its connection has more
# than the master (which may run under a filter of its own: .ci/sandbox).
filters() { sed -n 's/^Seccomp_filters:[[:space:]]*//p' "/proc/$1/status"; }
extra_filters() {
	"$TCLIENT" -w 3 127.0.0.1 "$(port_of "$LOG" "$1")" > /dev/null 2>&1 &
	held=$!
	poll 2 has_children "$PID" 1
	k=$(pgrep -P "$PID" | head -n 1)
	grep '^Seccomp:' "/proc/${k:-0}/status" > "$WORK/mode.$1" 2>/dev/null
	echo $(( $(filters "${k:-0}" 2>/dev/null || echo 0) - $(filters "$PID") ))
	kill "$held" 2>/dev/null
	wait "$held" 2>/dev/null
	poll 2 has_children "$PID" 0
}
same "a reply child runs under one seccomp filter more than the master" \
    "$(extra_filters reply)" 1
same "syscalls = \"none\": a reply child has no filter of its own" \
    "$(extra_filters reply-none)" 0
check "a reply child's status says Seccomp: 2 (filter mode)" \
    grep -qE '^Seccomp:[[:space:]]+2$' "$WORK/mode.reply"
same "the reply handler answers inside its filter" "$(ask reply)" \
    "thank you !"
same "a module that behaves answers inside the module profile" \
    "$(ask m-ok)" "nothing tried"
same "an exec'd program that behaves answers inside the module profile" \
    "$(ask e-ok)" "nothing tried"

for t in $tries; do
	call=$(call_of "$t")
	same "module tries $t: no answer" "$(ask "m-$t")" ""
	check "module tries $t: refused and logged by name ($call)" \
	    wait_log "$LOG" "m-$t: sandbox refused system call ($call)\$"
	pid=$(grep -E "m-$t: sandbox refused" "$LOG" | head -n 1 |
	    sed -E 's/^replyd\[([0-9]+)\].*/\1/')
	check "module tries $t: the child ends by SIGSYS" \
	    wait_log "$LOG" "m-$t: child ${pid:-none} killed by signal 31 "
	check "module tries $t: without the sandbox it reaches the kernel" \
	    sh -c "'$TCLIENT' -w 5 -d x 127.0.0.1 $(port_of "$LOG" "n-m-$t") |
	    grep -q 'reached'"
	if [ "$t" = shadow ]; then
		echo "# exec'd program tries shadow: not a seccomp matter: a" \
		    "dynamically linked program's loader must open files"
		continue
	fi
	same "exec'd program tries $t: no answer" "$(ask "e-$t")" ""
	check "exec'd program tries $t: the master logs its SIGSYS" \
	    wait_log "$LOG" "e-$t: child [0-9]+ killed by signal 31 "
	check "exec'd program tries $t: without the sandbox it reaches the kernel" \
	    sh -c "'$TCLIENT' -w 5 -d x 127.0.0.1 $(port_of "$LOG" "n-e-$t") |
	    grep -q 'reached'"
done
check "the master still serves" [ "$(ask reply)" = "thank you !" ]
stop "$PID"

# replyd -i: the same filter, installed in the one process.
icf=$(conf inetd <<C
handler = "module";
module = { path = "$mod"; try = "connect:9"; };
C
)
out=$(printf x | "$REPLYD" -i -c "$icf" 2> "$WORK/inetd.err")
same "-i: the module's socket is refused: no answer" "$out" ""
check "-i: refused and logged by name" \
    grep -qE ': sandbox refused system call socket$' "$WORK/inetd.err"
finish

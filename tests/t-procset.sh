#!/bin/sh
# Per-service process settings xinetd users rely on (issue 22, item 2):
# rlimit_files, rlimit_as, rlimit_cpu, rlimit_nproc, nice, umask,
# exec.passenv, groups, inherited from the top level, as an exec'd
# program sees them in /proc and its environment.
. "$(dirname "$0")/lib.sh"

cat > "$WORK/show.sh" <<'S'
#!/bin/sh
# What a handler was given: its limits, nice value, umask, groups, TZ.
read -r _ || true
awk '/^Max open files/ { print "files", $4, $5 }
    /^Max address space/ { print "as", $4, $5 }
    /^Max cpu time/ { print "cpu", $4, $5 }
    /^Max processes/ { print "nproc", $3, $4 }' /proc/self/limits
echo "nice $(cut -d' ' -f19 /proc/self/stat)"
echo "umask $(umask)"
echo "groups $(id -G)"
echo "tz ${TZ:-unset} home ${HOME:-unset}"
S
chmod 755 "$WORK/show.sh"

cf=$(conf procset <<C
listen = "127.0.0.1";
port = 0;
handler = "exec";
rlimit_files = 40;
rlimit_as = 512;
rlimit_cpu = 30;
rlimit_nproc = 1000;
nice = 5;
umask = "0027";
exec = { program = "$WORK/show.sh"; passenv = [ "TZ", "NOT_SET_HERE" ]; };
services = ( { name = "set"; }, { name = "plain"; rlimit_files = 0;
	rlimit_as = 0; rlimit_cpu = 0; rlimit_nproc = 0; nice = 0;
	exec = { program = "$WORK/show.sh"; }; } );
C
)
"$REPLYD" -T -c "$cf" > "$WORK/printed" 2>&1
same "-T prints what the service inherited" \
    "$(sed -n '/name = "set"/,/^	}/p' "$WORK/printed" | grep -oE '^		(rlimit_files|rlimit_as|rlimit_cpu|rlimit_nproc|nice|umask) = [^;]*;' | tr -d '\t' | tr '\n' ' ')" \
    'nice = 5; umask = "0027"; rlimit_as = 512; rlimit_cpu = 30; rlimit_files = 40; rlimit_nproc = 1000; '
check "-T prints exec.passenv" grep -q 'passenv = \[ "TZ", "NOT_SET_HERE" \];' "$WORK/printed"
"$REPLYD" -t -c "$WORK/printed" > /dev/null 2>&1
same "-T's output reads back" "$?" 0

TZ=Europe/Paris HOME=/nowhere START_WAIT=20 start procset "$cf"
"$TCLIENT" -d 'x\n' 127.0.0.1 "$(port_of "$LOG" set)" > "$WORK/set.out"
same "rlimit_files: soft and hard" "$(grep '^files' "$WORK/set.out")" "files 40 40"
same "rlimit_as: 512 MiB" "$(grep '^as' "$WORK/set.out")" "as 536870912 536870912"
same "rlimit_cpu" "$(grep '^cpu' "$WORK/set.out")" "cpu 30 30"
same "rlimit_nproc" "$(grep '^nproc' "$WORK/set.out")" "nproc 1000 1000"
same "nice" "$(grep '^nice' "$WORK/set.out")" "nice 5"
same "umask" "$(grep '^umask' "$WORK/set.out")" "umask 0027"
same "passenv passes TZ only, and no unset name" "$(grep '^tz' "$WORK/set.out")" \
    "tz Europe/Paris home unset"
"$TCLIENT" -d 'x\n' 127.0.0.1 "$(port_of "$LOG" plain)" > "$WORK/plain.out"
mine=$(awk '/^Max open files/ { print "files", $4, $5 }' /proc/$PID/limits)
same "0: the master's own limit" "$(grep '^files' "$WORK/plain.out")" "$mine"
same "0: the master's nice" "$(grep '^nice' "$WORK/plain.out")" \
    "nice $(cut -d' ' -f19 /proc/$PID/stat)"
same "passenv is inherited into a service's own exec group" \
    "$(grep '^tz' "$WORK/plain.out")" "tz Europe/Paris home unset"
stop "$PID"

# groups: the user's supplementary groups, as root only (otherwise user
# and group are not applied at all).
member=$(getent group | awk -F: '$4 != "" { split($4, m, ","); print m[1]; exit }')
if [ "$(id -u)" != 0 ] || [ -z "$member" ]; then
	echo "# groups: needs root and a user with a supplementary group"
else
	cf=$WORK/groups.conf
	cat > "$cf" <<C
listen = "127.0.0.1";
port = 0;
handler = "exec";
user = "$member";
exec = { program = "$WORK/show.sh"; };
services = ( { name = "with"; groups = true; }, { name = "without"; } );
C
	start groups "$cf"
	want=$(id -G "$member" | tr ' ' '\n' | sort -n | tr '\n' ' ')
	got=$("$TCLIENT" -d 'x\n' 127.0.0.1 "$(port_of "$LOG" with)" |
	    sed -n 's/^groups //p' | tr ' ' '\n' | sort -n | tr '\n' ' ')
	same "groups = true: $member's groups" "$got" "$want"
	got=$("$TCLIENT" -d 'x\n' 127.0.0.1 "$(port_of "$LOG" without)" |
	    sed -n 's/^groups //p')
	same "groups unset: the primary group only" "$got" "$(id -g "$member")"
	stop "$PID"
fi
printf 'port = 0;\ngroups = true;\n' > "$WORK/nouser.conf"
"$REPLYD" -t -c "$WORK/nouser.conf" > /dev/null 2> "$WORK/nouser.err"
check "groups without user is an error" grep -q 'groups needs user' "$WORK/nouser.err"
finish

#!/bin/sh
# replyd-import: the files Debian ships for openbsd-inetd and xinetd and
# hand-written hard cases become configurations that the real replyd
# accepts, with the values each attribute maps to; bad input gets its
# FILE:LINE errors and sysexits status; an imported exec service and an
# imported built-in answer a client.
. "$(dirname "$0")/lib.sh"

D=$TESTDATA/import
. "$(dirname "$0")/importlib.sh"
cd "$WORK" || exit 1

# entry NAME FILE: the lines of the service called NAME, "#" removed.
entry() {
	awk -v want="name = \"$1\";" '
	{ line = $0; sub(/^#/, "", line) }
	line ~ /^\t(, )?\{$/ { buf = ""; inb = 1 }
	inb { buf = buf line "\n" }
	inb && line ~ /^\t\}/ { inb = 0; if (index(buf, want)) printf "%s", buf }
	' "$2"
}

# has NAME FILE TEXT...: each TEXT is a line (tabs trimmed) of entry NAME.
has() {
	local name=$1 file=$2 t
	shift 2
	entry "$name" "$file" | sed 's/^[[:space:]]*//' > "$WORK/entry"
	[ -s "$WORK/entry" ] || { echo "# no service $name in $file"; return 1; }
	for t in "$@"; do
		grep -qxF -- "$t" "$WORK/entry" ||
		    { echo "# $name lacks: $t"; sed 's/^/#   /' "$WORK/entry"; return 1; }
	done
}

# lacks NAME FILE TEXT: entry NAME has no line holding TEXT.
lacks() { ! entry "$1" "$2" | grep -qF -- "$3"; }

# enabled/disabled NAME FILE: the service is (not) commented out.

# top FILE TEXT: the comments above the services list hold TEXT.
top() {
	sed -n '1,/services = (/s/^# *//p' "$1" | tr -s ' \n' ' ' | grep -qF -- "$2"
}

# passes FILE: the real replyd accepts it.
passes() {
	"$REPLYD" -t -c "$1" > "$WORK/t.out" 2>&1 && return 0
	sed 's/^/#   /' "$WORK/t.out"
	return 1
}

# uncommented FILE: every commented-out service of FILE enabled.
# (and "disable = true;", which keeps a file with no enabled service off)
uncommented() {
	sed -E 's/^#([^ ])/\1/; /^disable = true;$/d' "$1" > "$1.all"
	echo "$1.all"
}

# --- the command line and bad input ---
import usage
same "no argument: status 64" "$RC" 64
check "no argument: says what is missing" grep -q 'name at least one file' usage.err
import badopt -Q "$D/inetd-hard.conf"
same "unknown option: status 64" "$RC" 64
import missing "$D/inetd-hard.conf" "$WORK/no-such-file"
same "unreadable input: status 66" "$RC" 66
same "unreadable input: one line naming it" "$(cat missing.err)" \
    "replyd-import: $WORK/no-such-file: cannot read: No such file or directory"
check "unreadable input: nothing on stdout" test ! -s missing.conf

import ibad "$D/inetd-bad.conf"
same "bad inetd.conf: status 65" "$RC" 65
same "bad inetd.conf: every bad line, with FILE:LINE" "$(cat ibad.err)" \
"replyd-import: $D/inetd-bad.conf:2: an entry needs at least 6 fields: service, socket type, protocol, wait or nowait, user, server (got 5)
replyd-import: $D/inetd-bad.conf:3: unknown protocol \"sctp5\" (such as tcp, udp, tcp6, udp4, rpc/tcp or unix)
replyd-import: $D/inetd-bad.conf:4: unknown socket type \"packet\" (allowed: stream, dgram, raw, rdm, seqpacket)
replyd-import: $D/inetd-bad.conf:5: \"sometimes\" must be wait or nowait, with an optional .max such as nowait.400 or /N/M/P such as nowait/3/10
replyd-import: $D/inetd-bad.conf:6: \"nowait.x\" must be wait or nowait, with an optional .max such as nowait.400 or /N/M/P such as nowait/3/10
replyd-import: $D/inetd-bad.conf:7: \":7206\" must be ADDRESS:SERVICE or SERVICE"
check "bad inetd.conf: nothing on stdout" test ! -s ibad.conf

import xbad "$D/xinetd-bad.conf"
same "bad xinetd file: status 65" "$RC" 65
same "bad xinetd file: every problem, with FILE:LINE" "$(sort xbad.err)" \
"$(sort <<E
replyd-import: $D/xinetd-bad.conf:4: "port 7301" must be ATTRIBUTE = VALUES (or += or -=)
replyd-import: $D/xinetd-bad.conf:5: "only_from *= 192.0.2.1" must be ATTRIBUTE = VALUES (or += or -=)
replyd-import: $D/xinetd-bad.conf:6: user takes =, not +=
replyd-import: $D/xinetd-bad.conf:9: warning: port is set twice in service a (first on line 8): this one is ignored, as xinetd ignores it
replyd-import: $D/xinetd-bad.conf:10: wait must be yes or no (got "maybe")
replyd-import: $D/xinetd-bad.conf:12: instances must be a number or UNLIMITED (got "many")
replyd-import: $D/xinetd-bad.conf:17: a line with only "{" must follow "service b" (line 16)
replyd-import: $D/xinetd-bad.conf:19: expected service NAME, defaults, include FILE or includedir DIR (got "bogus line")
replyd-import: $D/xinetd-bad.conf:20: service c has no closing '}'
replyd-import: $D/xinetd-bad.conf:23: cps takes 2 values (got 1)
E
)"
import empty "$D/xinetd-empty.conf"
same "xinetd's empty.conf template: status 65" "$RC" 65
check "xinetd's empty.conf template: its empty id is named" grep -qxF \
    "replyd-import: $D/xinetd-empty.conf:13: id takes 1 value (got 0)" empty.err

same "--version" "$("$REPLYD_IMPORT" --version)" "$("$REPLYD" --version | sed 's/^replyd /replyd-import /')"
MAN=${TOP_SRCDIR:-$(dirname "$0")/..}/man/replyd-import.8
for opt in $("$REPLYD_IMPORT" --help | grep -oE -- '--[a-z]+' | sort -u); do
	check "replyd-import(8) documents $opt" grep -q -- "\\\\-\\\\-${opt#--}" "$MAN"
done
if command -v mandoc > /dev/null && command -v groff > /dev/null; then
	same "replyd-import.8: mandoc -T lint is clean" "$(mandoc -T lint "$MAN" 2>&1)" ""
	same "replyd-import.8: groff -man -ww -z is clean" \
	    "$(groff -man -ww -z "$MAN" 2>&1)" ""
fi

# --- What the input had off: a line each, or whole with --all ---
"$REPLYD_IMPORT" "$D/freebsd-inetd.conf" > fb-short.conf 2> /dev/null
"$REPLYD_IMPORT" --all "$D/freebsd-inetd.conf" > fb-all.conf 2> /dev/null
same "examples: FreeBSD's 58 commented-out lines, a line each" \
    "$(grep -c '^#   [a-z0-9-]* [0-9/]*[a-z]*: .*\[freebsd-inetd.conf:[0-9]*' fb-short.conf)" 58
check "examples: a line says name, port, program, arguments and line" \
    grep -qx '#   ftp 21/tcp: /usr/libexec/ftpd -l \[freebsd-inetd.conf:9\]' fb-short.conf
same "examples: none is written whole by default" \
    "$(grep -c '^#		name = ' fb-short.conf)" 0
same "examples: --all writes each whole" \
    "$(grep -c '^#		name = ' fb-all.conf)" 58
check "examples: --all lists none in a line" \
    sh -c "! grep -q 'freebsd-inetd.conf:9\]' fb-all.conf"
check "examples: the default is the shorter by far" \
    test "$(wc -l < fb-short.conf)" -lt "$(($(wc -l < fb-all.conf) / 4))"
"$REPLYD_IMPORT" "$D/rhel-xinetd.d-tftp" > tftp-short.conf 2> /dev/null
check "examples: disable = yes is said in the line" \
    grep -q '^#   tftp 69/udp: /usr/sbin/in.tftpd -s /var/lib/tftpboot \[rhel-xinetd.d-tftp:[0-9]*, disable = yes\]' tftp-short.conf
"$REPLYD_IMPORT" "$D/xinetd-sample.conf" > sample-short.conf 2> /dev/null
check "examples: what the default writes passes replyd -t" \
    passes sample-short.conf
"$REPLYD_IMPORT" "$D/xinetd-hard.conf" > xh-short.conf 2> /dev/null
check "examples: a service disabled for another reason stays whole" \
    grep -q 'disabled: only_from lets no client in' xh-short.conf

# --- process and socket settings carried as replyd's keys ---
cat > "$WORK/proc.x" <<'X'
defaults
{
	umask = 027
}
service daytime
{
	type = INTERNAL
	socket_type = stream
	protocol = tcp
	wait = no
	user = nobody
	groups = yes
	nice = -5
	rlimit_as = 64M
	rlimit_cpu = 30
	rlimit_files = UNLIMITED
	rlimit_stack = 8M
	flags = KEEPALIVE NODELAY
}
service echo
{
	type = INTERNAL
	socket_type = dgram
	protocol = udp
	wait = yes
	user = nobody
	nice = 40
	rlimit_as = 1500K
	rlimit_files = 256
	flags = NODELAY
}
X
import proc "$WORK/proc.x"
same "process settings: status 0" "$RC" 0
check "groups, nice, umask, limits, keepalive and nodelay carried" \
    has daytime proc.conf 'groups = true;' 'nice = -5;' 'umask = "027";' \
    'rlimit_as = 64;' 'rlimit_cpu = 30;' 'keepalive = true;' 'nodelay = true;'
check "rlimit_as in bytes is rounded up to MiB; rlimit_files carried" \
    has echo proc.conf 'rlimit_as = 2;' 'rlimit_files = 256;' 'umask = "027";'
check "rlimit_files = UNLIMITED is noted, not carried" \
    why daytime proc.conf 'rlimit_files = UNLIMITED: replyd leaves the master'
check "rlimit_stack is noted, not carried" \
    why daytime proc.conf 'rlimit_stack = 8M not carried'
check "a nice value out of range is left out, with a note" \
    why echo proc.conf 'nice = 40 is not from -20 to 19: left out'
check "NODELAY on UDP is left out, with a note" \
    why echo proc.conf 'flags KEEPALIVE and NODELAY are for TCP: left out'
check "... and not written" lacks echo proc.conf 'nodelay'
check "process settings: replyd -t accepts what was written" passes proc.conf

# --- programs the package's replyd.service may not let write ---
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexit 0\n' > "$WORK/bin/rsync"
chmod 755 "$WORK/bin/rsync"
me=$(id -un)
printf 'rsync stream tcp nowait %s %s rsync --daemon\nrsh stream tcp nowait %s %s rsync -e\n' \
    "$me" "$WORK/bin/rsync" "$me" "$WORK/bin/rsync" > "$WORK/writers.conf"
"$REPLYD_IMPORT" "$WORK/writers.conf" > writers.out 2> writers.err
check "writers: rsync --daemon enabled, warned on stderr" \
    grep -q "service rsync: $WORK/bin/rsync writes its modules' folders, which replyd.service may not allow" writers.err
# (the note is wrapped: read it as one line)
check "writers: and noted beside the service" sh -c "tr '\\n\\t#' '   ' < writers.out |
    tr -s ' ' | grep -q \"writes its modules' folders: under the package's replyd.service only\""
same "writers: rsync without --daemon is not warned of" \
    "$(grep -c 'service rsh' writers.err)" 0
check "writers: the header says what replyd.service allows programs" \
    top writers.out "under the package's replyd.service, programs run with /usr, /boot, /etc and /home read-only"
check "writers: replyd -t accepts it" passes writers.out

# --- Debian's own files ---
import dinetd "$D/debian-inetd.conf"
same "Debian's inetd.conf: status 0" "$RC" 0
check "Debian's inetd.conf: no enabled service, and it says so" \
    grep -q 'no services defined' dinetd.err
check "Debian's inetd.conf: the list is commented out" grep -qx '#services = (' dinetd.conf
same "Debian's inetd.conf: its six commented-out services" \
    "$(grep -c '^#		name = ' dinetd.conf)" 6
check "Debian's inetd.conf: #echo is the echo handler on port 7" \
    has echo dinetd.conf 'port = 7;' 'handler = "echo";'
check "Debian's inetd.conf: the udp discard line" \
    has discard-udp dinetd.conf 'port = 9;' 'protocol = "udp";' 'handler = "discard";'
check "Debian's inetd.conf: disabled because commented out" \
    why chargen dinetd.conf 'disabled: commented out'
check "Debian's inetd.conf: all enabled, replyd -t accepts it" \
    passes "$(uncommented dinetd.conf)"

import dx "$D/debian-xinetd/xinetd.conf"
same "Debian's xinetd files: status 0" "$RC" 0
same "Debian's xinetd files: xinetd.conf and the 12 files of its includedir" \
    "$(sed -n '/^#   /p' dx.conf | head -n 13 | wc -l)" 13
same "Debian's xinetd files: 17 services, all disabled" \
    "$(grep -c '^#		name = ' dx.conf):$(grep -c '^		name = ' dx.conf)" "17:0"
check "Debian's xinetd files: echo-stream" \
    has echo-stream dx.conf 'port = 7;' 'handler = "echo";' 'user = "root";'
check "Debian's xinetd files: echo-dgram is udp" \
    has echo-dgram dx.conf 'port = 7;' 'protocol = "udp";' 'handler = "echo";'
check "Debian's xinetd files: disable = yes is why" \
    why time-stream dx.conf 'disabled: disable = yes'
check "Debian's xinetd files: the duplicate id gets its own name" \
    has chargen-dgram-udp dx.conf 'port = 19;' 'protocol = "udp";'
check "Debian's xinetd files: only_from 127.0.0.1 and the UNLISTED port" \
    has servers dx.conf 'port = 9099;' 'allow = [ "127.0.0.1" ];'
check "Debian's xinetd files: xinetd's own servers service is not carried" \
    why servers dx.conf 'replyd has no such built-in'
# Debian ships two files for each dgram service with the same id: all
# enabled, the two clash on their port, which replyd -t says, and only
# that.
"$REPLYD" -t -c "$(uncommented dx.conf)" > dx.t 2>&1
check "Debian's xinetd files: all enabled, replyd -t names only the duplicates' ports" \
    sh -c "[ \$(grep -c 'services \"\([a-z]*\)-dgram\" and \"\1-dgram-udp\" both listen on port [0-9]* (udp)\$' dx.t) -eq 5 ] &&
	[ \$(wc -l < dx.t) -eq 5 ]"
import dx2 "$D/debian-xinetd/xinetd.conf" "$D/debian-xinetd/xinetd.d" "$D/debian-xinetd/xinetd.d/echo"
same "a file named again, or in a directory named again, is read once" \
    "$(grep -c 'name = ' dx2.conf)" 17

import sample "$D/xinetd-sample.conf"
same "xinetd's sample.conf: status 0" "$RC" 0
check "xinetd's sample.conf: defaults' instances and only_from reach echo" \
    has echo-stream sample.conf 'max_children = 25;' '"128.138.193.0/24",' '"127.0.0.1",' '"::1",' '"192.231.139.0/24"'
check "xinetd's sample.conf: defaults' disabled list" \
    why tftp sample.conf "disabled: tftp is in the defaults' disabled list"
check "xinetd's sample.conf: RPC services are not carried" \
    why rstatd sample.conf 'disabled: an RPC service'
check "xinetd's sample.conf: redirect is not carried" \
    why telnet-tcp sample.conf 'disabled: redirect = 128.138.202.20 23'
check "xinetd's sample.conf: SENSOR is not carried" \
    why irc sample.conf 'disabled: flags SENSOR'
check "xinetd's sample.conf: a missing program disables its service" \
    why ftp sample.conf 'disabled: /usr/etc/in.ftpd: No such file or directory'
check "xinetd's sample.conf: defaults' log_type is noted once, at the top" \
    top sample.conf "- $D/xinetd-sample.conf:8: defaults log_type = FILE /var/log/servicelog not carried"
check "xinetd's sample.conf: replyd -t accepts it" passes sample.conf

# --- hand-written hard cases ---
import ih "$D/inetd-hard.conf"
same "hard inetd.conf: status 0" "$RC" 0
check "hard inetd.conf: replyd -t accepts it" passes ih.conf
check "continuation lines join the entry" \
    has 7001 ih.conf 'args = [ "one", "two", "three" ];'
check "\"#\" in an entry is an argument, and noted" \
    has 7002 ih.conf 'args = [ "a", "#", "b" ];'
check "quotes are characters, escaped for libconfig; user:group" \
    has 7003 ih.conf 'program = "/usr/bin/printf";' \
    'args = [ "\"%s\\n\"", "'"'"'x", "y'"'"'" ];' 'user = "nobody";' 'group = "nogroup";'
check "tcpd with a path is unwrapped" \
    has 7004 ih.conf 'program = "/bin/cat";' 'args = [ "-u" ];'
check "tcpd unwrapped: and said" why 7004 ih.conf '/usr/sbin/tcpd unwrapped'
check "tcpd with a name: /usr/sbin; user.group" \
    has 7005 ih.conf 'program = "/usr/sbin/in.nosuchd";' 'group = "nogroup";'
check "a program this host lacks disables its service" \
    why 7005 ih.conf 'disabled: /usr/sbin/in.nosuchd: No such file'
check "[::1]:service" has 7006 ih.conf 'listen = [ "::1" ];'
check "::1:service" has 7007 ih.conf 'listen = [ "::1" ];'
check "an address list" has 7008 ih.conf 'listen = [ "127.0.0.1", "::1" ];'
check "a host name is not resolved" why 7009 ih.conf 'is a host name'
check "tcp6: IPv6 only, nowait.120: 2 a second" \
    has 7010 ih.conf 'listen = [ "::" ];' 'deny = [ "0.0.0.0/0" ];' 'rate = 2;'
check "udp4 on the same port: IPv4 only, its own name" \
    has 7010-udp ih.conf 'protocol = "udp";' 'listen = [ "0.0.0.0" ];'
check "socket buffer sizes are noted" why 7011 ih.conf 'rcvbuf=64k,sndbuf=1m not carried'
check "wait for a program: a wait service, enabled" \
    has 7012 ih.conf 'wait = true;' 'program = "/bin/cat";'
check "... written enabled" enabled 7012 ih.conf
check "... over udp too" has 7013 ih.conf 'protocol = "udp";' 'wait = true;'
check "... and said" why 7013 ih.conf 'wait: the program gets the listening or UDP socket'
check "RPC: disabled, with a name replyd allows" why rusers-1-3 ih.conf 'disabled: an RPC service'
check "Unix-domain socket: disabled" why -run-hard.sock ih.conf 'disabled: a Unix-domain socket'
check "raw socket: disabled" why 7014 ih.conf 'disabled: socket type raw'
check "#<off># line: disabled" why 7015 ih.conf 'switched off by update-inetd'
check "#-commented line: disabled" why 7016 ih.conf 'disabled: commented out'
check "the first of two on one port stays enabled" enabled 7017 ih.conf
check "the second of two on one port: disabled" why 7017-tcp ih.conf 'disabled: port 7017/tcp is'
check "a lone address line applies to the entries after it" \
    has 7018 ih.conf 'listen = [ "127.0.0.1" ];'
check "... until the next one" lacks no-such-service ih.conf 'listen'
check "an unknown service name: disabled" why no-such-service ih.conf 'not a tcp service in /etc/services'
check "an unknown user: disabled" why 7019 ih.conf 'user "no-such-user" does not exist'
"$REPLYD" -t -c "$(uncommented ih.conf)" > ih.t 2>&1
grep -v -e in.nosuchd -e rpc.rusersd -e no-such-user -e /no/such/program \
    -e 'service "7019"' -e 'handler "exec" needs' \
    -e 'services "7017" and "7017-tcp" both listen on port 7017 (tcp)' \
    -e 'services "-run-hard.sock" and "no-such-service" both listen on port 7788 (tcp)' \
    ih.t > ih.t2
check "all enabled: replyd -t names just what this host lacks, and the ports the importer found taken" \
    test ! -s ih.t2
sed 's/^/#   /' ih.t2

import ii "$D/inetd-internal.conf"
check "internal echo: the echo handler on port 7" has echo ii.conf 'port = 7;' 'handler = "echo";'
check "internal discard over udp" has discard ii.conf 'port = 9;' 'protocol = "udp";' 'handler = "discard";'
check "internal daytime over tcp6" has daytime ii.conf 'handler = "daytime";' 'deny = [ "0.0.0.0/0" ];'
check "internal time over udp4" has time ii.conf 'port = 37;' 'listen = [ "0.0.0.0" ];' 'handler = "time";'
check "internal chargen, user:group" has chargen ii.conf 'port = 19;' 'handler = "chargen";' 'group = "nogroup";'
check "internal tcpmux: disabled" why tcpmux ii.conf 'replyd has no built-in "tcpmux"'
check "internal services: replyd -t accepts them" passes ii.conf

REPLYD_IMPORT_TEST_VAR=hello; export REPLYD_IMPORT_TEST_VAR
import xh "$D/xinetd-hard.conf"
same "hard xinetd file: status 0" "$RC" 0
check "hard xinetd file: replyd -t accepts it" passes xh.conf
check "server_args: quotes and # are characters; only_from = replaces defaults" \
    has plain xh.conf 'args = [ "\"%s\\n\"", "'"'"'q'"'"'", "#x" ];' \
    'allow = [ "127.0.0.1" ];' 'deny = [ "10.1.0.0/16" ];' 'max_children = 30;'
check "passenv: the value replyd-import was given" \
    has plain xh.conf 'env = [ "REPLYD_IMPORT_TEST_VAR=hello" ];'
check "passenv: an unset variable is noted" why plain xh.conf 'passenv NOT_SET_ANYWHERE_X: not set'
check "only_from += and -= on the defaults' list; factorized addresses" \
    has ops xh.conf '"127.0.0.1",' '"192.168.1.0/24",' '"192.168.2.0/24",' \
    '"172.16.0.0/12",' '"::1",' '"2001:db8::7"'
check "only_from -= removes" lacks ops xh.conf '10.0.0.0'
check "no_access -= and +=" has ops xh.conf 'deny = [ "2001:db8::/32" ];'
check "only_from inside no_access: the difference is noted" \
    why ops xh.conf 'only_from 2001:db8::7 is inside no_access 2001:db8::/32'
check "a trailing .0 is a network" has bound6 xh.conf '"10.0.0.0/8",'
check "bind ::1" has bound6 xh.conf 'listen = [ "::1" ];'
check "flags IPv4; wait=no without blanks" \
    has v4 xh.conf 'protocol = "udp";' 'listen = [ "0.0.0.0" ];'
check "flags KEEPALIVE on UDP is noted, not carried" why v4 xh.conf 'flags KEEPALIVE and NODELAY are for TCP: left out'
check "NAMEINARGS with tcpd: unwrapped" \
    has wrapped xh.conf 'program = "/bin/echo";' 'args = [ "hello", "from", "tcpd" ];'
check "env, v6only, cps, per_source" \
    has envs xh.conf '"LANG=C.UTF-8",' '"TZ=UTC",' 'listen = [ "::" ];' \
    'rate = 25;' 'per_source = 5;' 'deny = [ "0.0.0.0/0", "10.1.0.0/16" ];'
check "instances = UNLIMITED: no max_children" lacks envs xh.conf max_children
check "a bad env entry is noted" why envs xh.conf 'env BAD-NAME=x is not NAME=value'
check "nice and rlimit_as are carried" has envs xh.conf 'nice = 5;' 'rlimit_as = 8;'
check "an empty only_from lets nobody in: disabled" why internal-echo xh.conf 'disabled: only_from lets no client in'
check "wait = yes for a program: a wait service" \
    has limits xh.conf 'wait = true;' 'handler = "exec";'
check "... the defaults' only_from cannot apply to it: disabled, never open" \
    why limits xh.conf 'disabled: access rules (only_from, no_access) cannot apply to a wait service'
check "... and said on stderr" grep -q 'service limits disabled: access rules' xh.err
check "a name in no_access: disabled" why noaccess-name xh.conf 'disabled: no_access bad.example.org is a host name'
check "only names in only_from: disabled, with the name" \
    why empty-from xh.conf 'disabled: only_from host.example.org is a host name'
check "an unknown attribute is noted" why unknown xh.conf 'frobnicate is no xinetd attribute'
check "defaults' enabled list" why notenabled xh.conf "notenabled is not in the defaults' enabled list"
check "defaults' log_type: one note at the top" \
    top xh.conf "- $D/xinetd-hard.conf:9: defaults log_type = SYSLOG daemon info not carried"

# --- end to end: import, run replyd, ask it ---
cat > e2e-inetd.conf <<'E'
127.0.0.1:0 stream tcp nowait nobody /bin/echo echo imported "q" #x
echo stream tcp nowait nobody internal
E
echo 'daytime stream tcp nowait nobody internal' >> e2e-inetd.conf
cat > e2e-xinetd <<'E'
service from-xinetd
{
	type		= UNLISTED
	port		= 0
	bind		= 127.0.0.1
	socket_type	= stream
	wait		= no
	user		= nobody
	server		= /bin/echo
	server_args	= from xinetd
}
E
import e2e e2e-inetd.conf e2e-xinetd
same "end to end: imported" "$RC" 0
# Port 0 for the built-ins, which the files put on 7 and 13.
sed -i 's/port = \(7\|13\);/port = 0;/; s/^\(\t\tname = "\(echo\|daytime\)";\)$/\1 listen = "127.0.0.1";/' e2e.conf
if start e2e "$WORK/e2e.conf"; then
	same "end to end: the inetd exec service answers, argv as inetd gave it" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" 0)")" 'imported "q" #x'
	same "end to end: the xinetd exec service answers" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" from-xinetd)")" 'from xinetd'
	same "end to end: the internal echo is replyd's echo" \
	    "$("$TCLIENT" -H -d 'ping\n' 127.0.0.1 "$(port_of "$LOG" echo)")" ping
	check "end to end: the internal daytime is replyd's daytime" sh -c \
	    "'$TCLIENT' 127.0.0.1 '$(port_of "$LOG" daytime)' | grep -q '[0-9]'"
	check "end to end: no error logged" sh -c "! grep -qi error '$LOG'"
	stop "$PID"
else
	not_ok "end to end: replyd starts on the imported configuration"
fi
finish

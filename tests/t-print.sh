#!/bin/sh
# replyd -T prints the effective configuration: every key of every
# service, defaults resolved, as a file that -t accepts and that -T
# prints again byte for byte.  Bad files exit 78 as with -t.
. "$(dirname "$0")/lib.sh"

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${MODULES:=$(pwd)}"

# roundtrip NAME FILE: -T FILE > B, -t B is ok, -T B prints B again.
roundtrip() {
	"$REPLYD" -T -c "$2" > "$WORK/$1.T" 2> "$WORK/$1.err"
	same "$1: -T exits 0" "$?" 0
	same "$1: -T says nothing on stderr" "$(cat "$WORK/$1.err")" ""
	"$REPLYD" -t -c "$WORK/$1.T" > /dev/null 2>&1
	same "$1: -t accepts what -T printed" "$?" 0
	"$REPLYD" -T -c "$WORK/$1.T" > "$WORK/$1.TT" 2>&1
	check "$1: -T of that prints it again, byte for byte" \
	    cmp -s "$WORK/$1.T" "$WORK/$1.TT"
}

# The shipped file (its user may be missing here: then nobody's).
if id replyd > /dev/null 2>&1; then
	cp "$TOP_SRCDIR/conf/replyd.conf" "$WORK/shipped.conf"
else
	sed 's/^user = "replyd";/user = "nobody";/' \
	    "$TOP_SRCDIR/conf/replyd.conf" > "$WORK/shipped.conf"
fi
roundtrip shipped "$WORK/shipped.conf"
# Every key of the table is printed, and its value: no key is missing.
keys=$(printf 'no_such_key = 1;\n' > "$WORK/k.conf"
    "$REPLYD" -t -c "$WORK/k.conf" 2>&1 |
    sed -n 's/.*(allowed: \(.*\))$/\1/p' | tr -d , | tr ' ' '\n' |
    grep -vx services)
missing=""
for k in $keys; do
	grep -qE "^(# )?$k( = |: not set)" "$WORK/shipped.T" ||
	    missing="$missing $k"
done
same "shipped: every top-level key is printed" "$missing" ""
check "shipped: the defaults are resolved" \
    grep -qx 'max_request = 1024; *# .*' "$WORK/shipped.T"
check "shipped: a user's group is resolved" \
    grep -qE '^group = "[^"]+";' "$WORK/shipped.T"

# Every key set to something other than its default: one service at the
# top level, then two services (udp cannot have proxy_protocol).
every() {
	cat <<C
port = 1;
listen = [ "127.0.0.1", "::1" ];
handler = "exec";
reply = "r\\\\ \\"q\\"\\t\\x01";
max_request = 5;
timeout = 6;
session_timeout = 7;
max_children = 8;
reuse_port = true;
user = "nobody";
group = "daemon";
exec = { program = "/bin/sh"; args = [ "-c", "x" ]; env = [ "A=1" ];
	chroot = "/"; no_new_privs = false; };
module = { path = "$MODULES/examples/upper.so"; prefix = "> "; };
sandbox = { syscalls = "module"; allow = [ "socket", "connect" ]; };
allow = [ "192.0.2.0/24", "2001:db8::/32" ];
deny = [ "::ffff:192.0.2.1" ];
per_source = 9;
per_source_ipv6_prefix = 48;
rate = 2.5;
per_source_rate = 0.001;
busy_reply = "busy";
max_amplification = 1.5;
socket_mode = "0640";
umask = "0027";
socket_user = "daemon";
socket_group = "daemon";
backlog = 12;
keepalive = true;
nodelay = true;
freebind = true;
interface = "lo";
rlimit_core = 0;
C
}
{ every; echo 'protocol = "tcp";'; echo 'proxy_protocol = true;'
    echo 'proxy_from = [ "10.0.0.0/8" ];'; } > "$WORK/every.conf"
roundtrip every "$WORK/every.conf"
check "every: a v4-mapped rule prints as IPv4" \
    grep -q '^deny = \[ "192.0.2.1/32" \];' "$WORK/every.T"
check "every: escapes print back" \
    grep -qF 'reply = "r\\ \"q\"\t\x01";' "$WORK/every.T"
# Every key refuses a value of another type than the one -T shows for
# it, with exit 78 and the file and line.
keys_typed=$(sed -nE 's/^([a-z0-9_]+) = (.).*/\1 \2/p' "$WORK/every.T")
for kv in $(echo "$keys_typed" | tr ' ' ':') services:@ name:@; do
	k=${kv%%:*}
	case ${kv#*:} in
	'"') wrong=1 ;;			# a string: a number
	'[') wrong=true ;;		# a list: a boolean
	t|f) wrong=1 ;;			# a boolean: a number
	'{'|@) wrong='"x"' ;;		# a group or a list of groups
	*) wrong='"1"' ;;		# a number: a string
	esac
	# socket_mode and umask take digits as a number or a string alike.
	case $k in socket_mode|umask) wrong=true ;; esac
	# Line 1: the user, or a comment when user is the key tried.
	line1=$USERLINE
	[ "$k" = user ] && line1="# no user"
	if [ "$k" = name ]; then
		wrong=1
		printf '%s\nservices = ( { name = 1; } );\n' "$line1" \
		    > "$WORK/type.conf"
	else
		printf '%s\n%s = %s;\n' "$line1" "$k" "$wrong" \
		    > "$WORK/type.conf"
	fi
	timeout 10 "$REPLYD" -t -c "$WORK/type.conf" > /dev/null \
	    2> "$WORK/type.err"
	rc=$?
	# shellcheck disable=SC2016 # $1..$4 belong to the inner sh
	check "$k = $wrong: exit 78 and \"FILE:2: $k must ...\"" \
	    sh -c '[ "$1" = 78 ] && grep -q "^replyd: $2:2: $3 must " "$4"' \
	    sh "$rc" "$WORK/type.conf" "$k" "$WORK/type.err"
done
same "every top-level key of the table was tried" \
    "$(echo "$keys_typed" | cut -d' ' -f1 | sort | tr '\n' ' ')" \
    "$(echo "$keys" | sort | tr '\n' ' ')"

{ every; cat <<'C'
proxy_protocol = true;
proxy_from = [ "10.0.0.0/8" ];
services = (
	{ name = "a"; },
	{ name = "b"; port = 2; protocol = "udp"; proxy_protocol = false; }
);
C
} > "$WORK/every-list.conf"
roundtrip every-list "$WORK/every-list.conf"
same "every-list: two services, each whole" \
    "$(grep -c 'per_source_rate = 0.001;' "$WORK/every-list.T")" 2
# The TCP keys the UDP service inherits are not printed as set: written
# in it, -t would refuse them.
same "every-list: the UDP service leaves keepalive, nodelay, backlog unset" \
    "$(grep -cE '^		# (keepalive|nodelay|backlog): not set +# no use on UDP services$' \
    "$WORK/every-list.T")" 3

# A services list with inherited defaults.
cat > "$WORK/list.conf" <<C
$USERLINE
listen = [ "127.0.0.1", "::1" ];
timeout = 3;
services = (
	{ name = "thanks"; port = 7788; },
	{ name = "echo"; port = 7789; protocol = "udp"; handler = "echo"; },
	{ name = "upper"; port = 7791; handler = "module";
	  module = { path = "$MODULES/examples/upper.so"; }; }
);
C
roundtrip list "$WORK/list.conf"
same "list: each service inherits the top-level timeout" \
    "$(grep -c '^		timeout = 3;' "$WORK/list.T")" 3
same "list: the top level holds only services" \
    "$(grep -E '^[a-z_]+ = ' "$WORK/list.T")" "services = ("

# -p shows in the port printed.
"$REPLYD" -T -p 4242 -c "$WORK/every.conf" > "$WORK/p.T"
check "-T -p: the port is the one given" grep -q '^port = 4242;' "$WORK/p.T"

# Inherited allow/deny in a service that listens only on Unix sockets
# judge none of its clients, and written in it -t refuses them: -T
# leaves them out there, and keeps them where an IP listener uses them.
cat > "$WORK/unixacl.conf" <<C
$USERLINE
allow = [ "127.0.0.0/8" ];
deny = [ "127.0.0.2" ];
services = (
	{ name = "local"; listen = "unix:$WORK/u.sock"; },
	{ name = "both"; port = 0; listen = [ "unix:$WORK/b.sock", "127.0.0.1" ]; }
);
C
roundtrip unixacl "$WORK/unixacl.conf"
same "unixacl: the IP service keeps the inherited lists" \
    "$(grep -cE '^		(allow|deny) = \[ "127' "$WORK/unixacl.T")" 2
# A bad file: exit 78, the usual messages, nothing on stdout.
printf '%s\nport = 70000;\n' "$USERLINE" > "$WORK/bad.conf"
"$REPLYD" -T -c "$WORK/bad.conf" > "$WORK/bad.out" 2> "$WORK/bad.err"
same "bad: -T exits 78" "$?" 78
same "bad: -T says why" "$(cat "$WORK/bad.err")" \
    "replyd: $WORK/bad.conf:2: port must be an integer from 0 to 65535 (got 70000)"
same "bad: -T prints no configuration" "$(cat "$WORK/bad.out")" ""
finish

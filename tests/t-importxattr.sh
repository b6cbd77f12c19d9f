#!/bin/sh
# replyd-import on xinetd attributes replyd cannot serve as written: a
# protocol other than tcp and udp, a socket_type that does not fit the
# protocol, TCPMUX, a bind address given by name are each disabled with
# the reason; v6only = yes becomes "::" with IPv4 denied; a port or a
# per_source that is no number is an error in the input (exit 65),
# named by file and line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/importlib.sh"
cd "$WORK" || exit 1

{
	xinetd_svc icmpish 7101 'user = nobody' 'socket_type = raw' 'protocol = icmp'
	xinetd_svc mismatch 7102 'user = nobody' 'socket_type = dgram' 'protocol = tcp'
	# The helpers' type is UNLISTED; xinetd keeps the first type line.
	printf 'service mux\n{\n\ttype = TCPMUX UNLISTED\n\twait = no\n'
	printf '\tuser = nobody\n\tserver = /bin/cat\n\tport = 7103\n'
	printf '\tsocket_type = stream\n\tprotocol = tcp\n}\n'
	xinetd_tcp named 7104 'user = nobody' 'bind = localhost'
	xinetd_tcp v6 7105 'user = nobody' 'v6only = yes'
} > odd.xinetd
import odd odd.xinetd
same "imported (exit 0)" "$RC" 0
check "protocol icmp: disabled" disabled icmpish odd.conf
check "... saying replyd serves tcp and udp" \
    why icmpish odd.conf 'protocol icmp: replyd serves tcp and udp'
check "socket_type dgram over tcp: disabled" disabled mismatch odd.conf
check "... saying so" why mismatch odd.conf 'socket_type dgram over tcp'
check "TCPMUX: disabled" disabled mux odd.conf
check "... saying replyd has none" why mux odd.conf 'replyd has no TCPMUX'
check "bind = localhost: disabled, names are not resolved" \
    why named odd.conf 'bind localhost is a host name'
check "v6only = yes: enabled" enabled v6 odd.conf
check "... on \"::\"" sh -c "awk '/name = \"v6\";/,/^\t}/' odd.conf |
    grep -q 'listen = \[ \"::\" \];'"
check "... with IPv4 clients denied" sh -c "awk '/name = \"v6\";/,/^\t}/' odd.conf |
    grep -q 'deny = \[ \"0.0.0.0/0\" \];'"
"$REPLYD_IMPORT" odd.xinetd > enabled.conf 2> /dev/null
check "what is enabled passes replyd -t" \
    sh -c "'$REPLYD' -t -c enabled.conf > /dev/null 2>&1"

{
	xinetd_tcp bigport 70000 'user = nobody'
	xinetd_tcp badps 7106 'user = nobody' 'per_source = lots'
} > bad.xinetd
import bad bad.xinetd
same "port 70000, per_source lots: an error in the input (exit 65)" "$RC" 65
same "... each named by file and line" "$(cat bad.err)" \
"replyd-import: bad.xinetd:6: port must be a number from 0 to 65535 (got \"70000\")
replyd-import: bad.xinetd:18: per_source must be a number or UNLIMITED (got \"lots\")"
finish

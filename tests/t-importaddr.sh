#!/bin/sh
# replyd-import on xinetd's older address forms and on owners and ports
# given the way xinetd allows: only_from's "10.{1,2}" and trailing-zero
# wildcards become the CIDR prefixes they mean, all or nothing; numeric
# user and group ids become names; bind addresses that cannot meet let
# two services share a port, and only those.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/importlib.sh"
cd "$WORK" || exit 1

# allow_of NAME FILE: service NAME's allow list, one entry a line.
allow_of() {
	awk -v want="name = \"$1\";" '
	index($0, want) { found = 1 }
	found && /allow = \[/ { on = 1; next }
	found && on && /\]/ { exit }
	found && on { gsub(/[#\t",]/, ""); print }' "$2"
}
# passes FILE: the real replyd accepts it.
passes() {
	"$REPLYD" -t -c "$1" > "$WORK/t.out" 2>&1 && return 0
	sed 's/^/#   /' "$WORK/t.out"
	return 1
}

{
	xinetd_tcp braces 7001 'user = nobody' \
	    'only_from = 10.{1,2} 172.16.5.{7,9} 192.168.0.0 0.0.0.0'
	xinetd_tcp badbrace 7002 'user = nobody' 'only_from = 10.{1,x} 10.{}'
	xinetd_tcp typos 7007 'user = nobody' \
	    'only_from = ::1/129 10.0.0.0/33 256.1.1.1 host.example.org'
	xinetd_tcp ids 7003 'user = 0' 'group = 0'
	xinetd_tcp nogroup 7004 'user = nobody' 'group = 4242424'
	xinetd_tcp lo1 7005 'user = nobody' 'bind = 127.0.0.1'
	xinetd_tcp lo2 7005 'user = nobody' 'bind = 127.0.0.2'
	xinetd_tcp any 7005 'user = nobody' 'bind = 0.0.0.0'
	xinetd_tcp lo3 7006 'user = nobody' 'bind = 127.0.0.3'
	xinetd_tcp v6 7006 'user = nobody' 'bind = ::1'
} > xinetd.conf
import x xinetd.conf
same "imported (exit 0)" "$RC" 0

same "10.{1,2} and 172.16.5.{7,9}: one prefix each; .0 octets a wildcard" \
    "$(allow_of braces x.conf | tr '\n' ' ')" \
    "10.1.0.0/16 10.2.0.0/16 172.16.5.7/32 172.16.5.9/32 192.168.0.0/16 0.0.0.0/0 ::/0 "
check "... the service is enabled" enabled braces x.conf
check "10.{1,x}: not an address, the service is disabled" \
    disabled badbrace x.conf
check "... naming the entry" \
    why badbrace x.conf 'only_from 10.{1,x} is not a valid address'
check "... and 10.{}, an empty list, too" \
    why badbrace x.conf 'only_from 10.{} is not a valid address'
same "... and no part of 10.{1,x} is left in allow" \
    "$(allow_of badbrace x.conf)" ""
for bad in ::1/129 10.0.0.0/33 256.1.1.1; do
	check "only_from $bad: a mistyped address, not a name" \
	    why typos x.conf "only_from $bad is not a valid address"
done
check "... and a name is still called a name" \
    why typos x.conf 'only_from host.example.org is a host name'

awk '/name = "ids";/ { on = 1 } on { print } on && /^\t}/ { exit }' x.conf \
    > ids.block
check "user = 0: imported as the name of uid 0" \
    grep -qx '		user = "root";' ids.block
check "group = 0: imported as the name of gid 0" \
    grep -qx '		group = "root";' ids.block
check "group = 4242424, no such id: the service is disabled" \
    disabled nogroup x.conf
check "... saying so" \
    why nogroup x.conf 'group "4242424" does not exist on this host'

check "one port on 127.0.0.1 and on 127.0.0.2: both enabled" \
    sh -c "grep -qx '		name = \"lo1\";' x.conf &&
	grep -qx '		name = \"lo2\";' x.conf"
check "... then on 0.0.0.0: disabled, it takes both" disabled any x.conf
check "... naming the service that has the port" \
    why any x.conf "port 7005/tcp is xinetd.conf:"
check "127.0.0.3 and ::1 on one port: both enabled" \
    sh -c "grep -qx '		name = \"lo3\";' x.conf &&
	grep -qx '		name = \"v6\";' x.conf"

# The enabled services only, as replyd takes them.
"$REPLYD_IMPORT" xinetd.conf > enabled.conf 2> /dev/null
check "what is enabled passes replyd -t" passes enabled.conf
finish

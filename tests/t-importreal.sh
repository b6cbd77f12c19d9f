#!/bin/sh
# replyd-import on real files (tests/data/import/README says where each
# comes from), issue 22 items 10-15: a restriction it cannot carry
# disables the service and is said on stderr; what xinetd only warns
# about is a warning; what xinetd rejects is not enabled; FreeBSD's
# nowait/N/M; internal UDP time and daytime enabled and answering;
# replyd's own entry left out; what every service shares written once;
# nothing enabled is "no services defined", never the tutorial.
. "$(dirname "$0")/lib.sh"

D=$TESTDATA/import
. "$(dirname "$0")/importlib.sh"
cd "$WORK" || exit 1
# The host's tcp-wrappers rules are not the test's.
: > hosts.none
REPLYD_IMPORT_HOSTS_ALLOW=$WORK/hosts.none
REPLYD_IMPORT_HOSTS_DENY=$WORK/hosts.none
export REPLYD_IMPORT_HOSTS_ALLOW REPLYD_IMPORT_HOSTS_DENY

# entry NAME FILE: the lines of service NAME, "#" and blanks removed.
entry() {
	awk -v want="name = \"$1\";" '
	{ line = $0; sub(/^#/, "", line); gsub(/^[ \t]+/, "", line) }
	line ~ /^(, )?\{$/ { buf = ""; inb = 1 }
	inb { buf = buf line "\n" }
	inb && line ~ /^\}$/ { inb = 0; if (index(buf, want)) printf "%s", buf }
	' "$2"
}
refused_as_empty() {
	"$REPLYD" -t -c "$1" > "$WORK/t.out" 2>&1
	[ $? = 78 ] && grep -q 'no services defined' "$WORK/t.out"
}

# Amanda's xinetd.amandaserver sets flags twice: xinetd warns.
import amanda "$D/xinetd.amandaserver"
same "amanda: flags twice is no refusal (status 0)" "$RC" 0
check "amanda: ... but a warning with its line" grep -qF \
    "replyd-import: $D/xinetd.amandaserver:10: warning: flags is set twice in service amanda (first on line 9)" amanda.err
check "amanda: the service is written" grep -q 'name = "amanda";' amanda.conf
same "amanda: the first flags (IPv4) is the one kept, as xinetd keeps it" \
    "$(entry amanda amanda.conf | grep '^listen')" 'listen = [ "0.0.0.0" ];'

# Gentoo's cvspserver: protocol twice (a warning), and access_times,
# max_load, which replyd cannot carry: disabled, and said on stderr.
import cvs "$D/gentoo-cvspserver"
same "cvspserver: status 0" "$RC" 0
check "cvspserver: protocol twice is a warning" grep -q \
    'gentoo-cvspserver:27: warning: protocol is set twice' cvs.err
check "cvspserver: access_times disables it, on stderr" grep -qF \
    "replyd-import: $D/gentoo-cvspserver:22: service cvspserver disabled: access_times = 8:00-17:00 not carried" cvs.err
check "cvspserver: max_load too" grep -q \
    'service cvspserver disabled: max_load = 1.0 not carried' cvs.err
check "cvspserver: the reason beside it" why cvspserver cvs.conf \
    'disabled: access_times = 8:00-17:00 not carried'
check "cvspserver: nothing enabled is \"no services defined\"" \
    grep -q 'no services defined' cvs.err
check "cvspserver: ... and replyd refuses the file so, never the tutorial" \
    refused_as_empty cvs.conf

# RHEL's xinetd.d/tftp: wait = yes is a wait service (disabled only by
# its own disable = yes); per_source cannot apply to one and is dropped,
# said; only_from cannot either, and a wait service restricted by it is
# written disabled, never open.
import tftp "$D/rhel-xinetd.d-tftp"
same "tftp: the wait service, with its program and arguments" \
    "$(entry tftp tftp.conf | grep -e '^wait' -e '^handler' -e '^args' -e '^per_source')" \
    "handler = \"exec\";
wait = true;
args = [ \"-s\", \"/var/lib/tftpboot\" ];"
check "tftp: disabled for its own disable = yes only" \
    sh -c "[ \"\$(grep -c '# disabled:' tftp.conf)\" = 1 ] && grep -q '# disabled: disable = yes' tftp.conf"
check "tftp: per_source = 11 dropped, and said" \
    why tftp tftp.conf 'per-source limits dropped'
sed -e '/disable/d' -e 's/^}/\tonly_from = 127.0.0.1\n}/' "$D/rhel-xinetd.d-tftp" > tftp-from
import tftpfrom tftp-from
check "tftp with only_from: disabled, on stderr" grep -qF \
    "service tftp disabled: access rules (only_from, no_access) cannot apply to a wait service" tftpfrom.err
check "... and not written open" \
    sh -c "! grep -q '^[[:space:]]*name = \"tftp\"' tftpfrom.conf"

# tcp-wrappers rules replyd does not read: a wrapped service is off.
printf 'ALL: ALL\n' > deny.rules
printf 'daytime stream tcp nowait nobody /usr/sbin/tcpd /bin/date\n' > wrapped.conf
REPLYD_IMPORT_HOSTS_DENY=$WORK/deny.rules import wr wrapped.conf
check "tcpd with rules in hosts.deny: disabled, on stderr" grep -q \
    'service daytime disabled: /usr/sbin/tcpd checked the rules' wr.err
import wr0 wrapped.conf
check "tcpd without rules: enabled (nothing was restricted)" enabled daytime wr0.conf

# "service name {" on one line: xinetd does not serve it.
printf 'service oneline {\n\ttype = UNLISTED\n\tport = 7400\n\tsocket_type = stream\n\twait = no\n\tuser = nobody\n\tserver = /bin/cat\n}\n' > oneline
import one oneline
same "service NAME {: read (status 0)" "$RC" 0
check "service NAME {: not enabled, with the reason" why oneline one.conf \
    'disabled: "{" on the line of "service": xinetd wants it on a line of its own'

# A host name in only_from: disabled, never written open.
printf 'service named\n{\n\ttype = UNLISTED\n\tport = 7401\n\tsocket_type = stream\n\twait = no\n\tuser = nobody\n\tserver = /bin/cat\n\tonly_from = 127.0.0.1 trusted.example.org\n}\n' > named
import nm named
check "a host name in only_from: disabled, on stderr" grep -q \
    'service named disabled: only_from trusted.example.org is a host name' nm.err

# FreeBSD's inetd.conf: nowait/3/10 and nowait/400.
import fb "$D/freebsd-inetd.conf"
same "FreeBSD inetd.conf: status 0" "$RC" 0
same "FreeBSD: nowait/3/10 is max_children and per_source_rate" \
    "$(entry finger fb.conf | grep -E '^(max_children|per_source_rate)' | tr '\n' ' ')" \
    "max_children = 3; per_source_rate = 0.16666666666666666; "
same "FreeBSD: nowait/400 is max_children" \
    "$(entry swat fb.conf | grep -E '^max_children')" "max_children = 400;"
check "FreeBSD: every line commented out: no services defined" \
    refused_as_empty fb.conf

# NetBSD's inetd.conf: internal UDP time and daytime enabled, and they
# answer an empty and a one-byte datagram, as inetd's do.
import nb "$D/netbsd-inetd.conf"
same "NetBSD inetd.conf: status 0" "$RC" 0
check "NetBSD: time over udp enabled" enabled time-udp nb.conf
check "NetBSD: daytime over udp enabled" enabled daytime-udp nb.conf
{ printf 'listen = "127.0.0.1";\n'
  if [ "$(id -u)" != 0 ]; then sed '/^user = "root";$/d' nb.conf; else cat nb.conf; fi |
      sed -E 's/^(\t\tport = )[0-9]+;/\10;/'; } > nb.run
start nb nb.run
for svc in time-udp daytime-udp; do
	p=$(port_of "$LOG" "$svc")
	got=$("$TCLIENT" -u -w 3 127.0.0.1 "$p" | wc -c)
	check "$svc: an empty datagram is answered ($got bytes)" [ "$got" -ge 4 ]
	got=$("$TCLIENT" -u -w 3 -d x 127.0.0.1 "$p" | wc -c)
	check "$svc: a one-byte datagram is answered ($got bytes)" [ "$got" -ge 4 ]
done
stop "$PID"

# Debian's inetd.conf: its six services all run as root: written once.
import deb "$D/debian-inetd.conf"
same "what every service has is written once, at the top" \
    "$(grep -c '^user = "root";$' deb.conf):$(grep -c 'user = ' deb.conf)" "1:1"

# replyd's own xinetd file and inetd.conf line are not services.
printf 'replyd stream tcp nowait replyd /usr/sbin/replyd replyd -i\necho stream tcp nowait nobody internal\n' > own.inetd
import own own.inetd "${TOP_SRCDIR:-$(dirname "$0")/..}/debian/xinetd/replyd"
same "own entries: status 0" "$RC" 0
same "own entries: no service runs replyd" "$(grep -c 'program = "/usr/sbin/replyd"' own.conf)" 0
same "own entries: both said at the top" \
    "$(tr -s '\n#' '  ' < own.conf | grep -o "is replyd's own entry" | wc -l)" 2
check "own entries: the rest is imported" enabled echo own.conf
finish

#!/bin/sh
# tftp served end to end as on a RHEL host taken over from xinetd:
# RHEL's /etc/xinetd.d/tftp (tests/data/import/) imported by
# replyd-import, its port, address and directory rewritten for the
# test, served by replyd as a wait service running tftpd-hpa's in.tftpd,
# and a file fetched with tftp-hpa's client byte for byte, twice (the
# second time from a new in.tftpd, once the first has exited).  Skips
# without tftpd-hpa and tftp-hpa; CI installs them.
. "$(dirname "$0")/lib.sh"

# in.tftpd from the package, or unpacked where README's first command
# and CI put it without starting the package's daemon.
for t in "${TFTPD:-}" /usr/sbin/in.tftpd /opt/replyd-ci/tftpd-hpa/usr/sbin/in.tftpd; do
	[ -n "$t" ] && [ -x "$t" ] && { TFTPD=$t; break; }
done
TFTP=${TFTP:-$(command -v tftp || true)}
{ [ -x "${TFTPD:-}" ] && [ -n "$TFTP" ]; } || skip_all "needs tftpd-hpa and tftp-hpa"
: "${REPLYD_IMPORT:=$(dirname "$REPLYD")/replyd-import}"

cd "$WORK" || exit 1
mkdir boot
head -c 300000 /dev/urandom > boot/pxelinux.0
chmod 755 boot
chmod 644 boot/pxelinux.0
port=$(free_port)
# The file as RHEL ships it, switched on (disable = yes dropped), on a
# free loopback port, serving the test's directory; -t 2: in.tftpd
# waits 2 s (not 15 min) for the next request before it exits.
sed -e '/disable/d' -e "s|\\(server[[:space:]]*=\\).*|\\1 $TFTPD|" \
    -e "s|server_args.*|server_args = -t 2 -s $WORK/boot|" \
    -e "s|^}|\\tport = $port\\n\\tbind = 127.0.0.1\\n}|" \
    "$TESTDATA/import/rhel-xinetd.d-tftp" > tftp
"$REPLYD_IMPORT" tftp > tftp.conf 2> import.err
same "import: status 0" "$?" 0
check "import: tftp is an enabled wait service" \
    grep -qx '		wait = true;' tftp.conf
passes() { "$REPLYD" -t -c "$1" > /dev/null 2>&1; }
check "import: replyd -t accepts it" passes tftp.conf

# in.tftpd drops to its own user (-u, nobody by default) and -s enters
# its directory: both need root.
if [ "$(id -u)" != 0 ]; then
	echo "# not root: in.tftpd cannot drop to its user or chroot, not served"
	finish
	exit 0
fi
start tftp "$WORK/tftp.conf"
fetch() { timeout 20 "$TFTP" -m binary 127.0.0.1 "$port" -c get pxelinux.0 "$1"; }
fetch got1
same "tftp: the client got the file (exit 0)" "$?" 0
check "tftp: byte for byte" cmp boot/pxelinux.0 got1
check "tftp: replyd started in.tftpd with the socket" \
    wait_log "$LOG" "tftp: a client on 127.0.0.1:$port: $TFTPD started"
check "tftp: in.tftpd exits once idle, and is reaped" \
    wait_log "$LOG" 'tftp: child [0-9]+ exited with status 0' 10
fetch got2
check "tftp: the next client starts it again, and gets the file" \
    cmp boot/pxelinux.0 got2
same "tftp: two starts in all" "$(grep -c 'in.tftpd started' "$LOG")" 2
stop "$PID"
finish

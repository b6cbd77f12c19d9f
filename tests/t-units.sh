#!/bin/sh
# The Debian package's systemd units pass systemd-analyze verify, which
# needs no systemd as PID 1: every key known, every value parsed, every
# command executable (the replyd under test stands in for
# /usr/sbin/replyd).  verify exits 0 on an unknown key, so any word it
# says is a failure.
. "$(dirname "$0")/lib.sh"

# verify UNIT...: systemd-analyze verify says nothing about them.
verify() {
	systemd-analyze verify --man=no "$@" > "$WORK/verify" 2>&1 &&
	    [ ! -s "$WORK/verify" ]
}
not() { ! "$@"; }

if ! command -v systemd-analyze > /dev/null; then
	not_ok "systemd-analyze is missing (apt-get install systemd)"
	finish
	exit
fi
for u in replyd.service replyd.socket replyd@.service; do
	sed "s|/usr/sbin/replyd|$REPLYD|g" "$TOP_SRCDIR/debian/$u" > "$WORK/$u"
	# systemd warns about a world-writable unit (coverage runs umask 0).
	chmod 644 "$WORK/$u"
done
check "debian/'s units: systemd-analyze verify finds nothing" \
    verify "$WORK/replyd.service" "$WORK/replyd.socket" "$WORK/replyd@.service"
sed 's/^/# /' "$WORK/verify"
# The same check sees a misspelt key (so its silence above means clean).
sed 's/^NoNewPrivileges=/NoNewPrivilege=/' "$WORK/replyd.service" \
    > "$WORK/typo.service"
chmod 644 "$WORK/typo.service"
check "a misspelt key in a unit is reported" not verify "$WORK/typo.service"
finish

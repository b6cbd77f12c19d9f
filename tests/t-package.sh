#!/bin/sh
# What the package ships (issue 22, items 16 and 18): the tutorial on
# loopback only, every handler named in the shipped file's comment, the
# unit waiting for the network and agreeing with replyd(8) on UMask,
# README and /etc/replyd.d installed.
. "$(dirname "$0")/lib.sh"

TOP=${TOP_SRCDIR:-$(dirname "$0")/..}
"$REPLYD" -T -c "$TOP/conf/replyd.conf" > "$WORK/shipped.T" 2>&1
same "shipped: listens on loopback only" \
    "$(grep '^listen = ' "$WORK/shipped.T" | sed 's/;.*/;/')" \
    'listen = [ "127.0.0.1", "::1" ];'
# Served for real (its user may not exist here: the test's instead).
sed -e '/^user = /d' -e 's/^port = 7788;/port = 0;/' "$TOP/conf/replyd.conf" |
    { echo "$USERLINE"; cat; } > "$WORK/shipped.conf"
start shipped "$WORK/shipped.conf"
same "shipped: no listener but loopback" \
    "$(grep -oE 'listening on [^ ]+' "$LOG" | sed -E 's/:[0-9]+$//' | sort | tr '\n' ' ')" \
    "listening on 127.0.0.1 listening on [::1] "
same "shipped: the tutorial answers" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "thank you !"
stop "$PID"

# Every handler replyd has, as it lists them for an unknown one.
printf '%s\nhandler = "none";\n' "$USERLINE" > "$WORK/h.conf"
handlers=$("$REPLYD" -t -c "$WORK/h.conf" 2>&1 |
    sed -n 's/.*handler must be one of \(.*\) (got.*/\1/p' | tr -d ',')
check "replyd lists its handlers" [ "$(echo "$handlers" | wc -w)" -ge 9 ]
comment=$(sed -n '/^# handler = /,/^# [a-z_]* = /p' "$TOP/conf/replyd.conf")
for h in $handlers; do
	check "shipped: the comment names handler $h" \
	    sh -c "echo \"\$1\" | grep -qw \"$h\"" - "$comment"
done

U=$TOP/debian/replyd.service
check "unit: Wants=network-online.target" grep -qx 'Wants=network-online.target' "$U"
check "unit: After=network-online.target" grep -qx 'After=network-online.target' "$U"
same "unit and replyd(8) agree on UMask" \
    "$(sed -n 's/^UMask=//p' "$U")" \
    "$(sed -n 's/^\.BR UMask=\([0-7]*\) *\.*$/\1/p' "$TOP/man/replyd.8")"
check "package: README.md in /usr/share/doc/replyd" grep -qx README.md "$TOP/debian/replyd.docs"
check "package: an empty /etc/replyd.d" grep -qx etc/replyd.d "$TOP/debian/replyd.dirs"
finish

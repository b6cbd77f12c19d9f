#!/bin/sh
# PROXY v2 edges a balancer really sends, straight from a trusted source:
# LOCAL with a request behind it (HAProxy's content health checks), the
# AF_UNIX families (frontends on Unix sockets), and headers past 512
# bytes (TLVs for a unique id and TLS).  None needs haproxy itself.
. "$(dirname "$0")/lib.sh"
# These tests read the lines about each request.
LOGLINE='log = "requests";'

start b "$(conf b <<'C'
port = 0;
listen = "127.0.0.1";
proxy_protocol = true;
proxy_from = [ "127.0.0.1" ];
C
)"
SIG='\r\n\r\n\x00\r\nQUIT\n'
# rep N STR: STR N times (STR taken literally, backslashes and all).
rep() { printf "%${1}s" '' | sed "s/ /$(printf '%s' "$2" | sed 's/\\/\\\\/g')/g"; }

same "LOCAL with a request behind it: answered" \
    "$("$TCLIENT" -w 5 -d "${SIG}\\x20\\x00\\x00\\x00hello\\n" 127.0.0.1 "$PORT")" \
    "thank you !"
check "LOCAL with a request: served as the balancer's own connection" \
    wait_log "$LOG" 'received 6 bytes: "hello\\x0a"'
same "LOCAL, then closed: a check, nothing to answer" \
    "$("$TCLIENT" -w 5 -H -d "${SIG}\\x20\\x00\\x00\\x00" 127.0.0.1 "$PORT")" ""

# PROXY over AF_UNIX stream: 216 bytes of addresses, then the request.
same "AF_UNIX family: served as UNSPEC" \
    "$("$TCLIENT" -w 5 -d "${SIG}\\x21\\x31\\x00\\xd8$(rep 216 '\x00')unix\\n" \
    127.0.0.1 "$PORT")" "thank you !"
check "AF_UNIX family: the balancer is the peer" \
    wait_log "$LOG" 'received 5 bytes: "unix\\x0a"'

# TCP over IPv4 with a 600-byte TLV: a 628-byte header.
same "a 628-byte header (600 bytes of TLVs): served" \
    "$("$TCLIENT" -w 5 -d "${SIG}\\x21\\x11\\x02\\x64\\xcb\\x00\\x71\\x09\\x7f\\x00\\x00\\x01\\x1f\\x90\\x00\\x50\\x05\\x02\\x55$(rep 597 u)tlv\\n" \
    127.0.0.1 "$PORT")" "thank you !"
check "a 628-byte header: the client it names is logged" \
    wait_log "$LOG" 'connect from 203\.0\.113\.9:8080 via 127\.0\.0\.1:[0-9]+$'
check "nothing above was refused" \
    sh -c "! grep -q 'refused' '$LOG'"
finish

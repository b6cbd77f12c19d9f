#!/bin/sh
# replyd -i on a listening socket (inetd "wait") and the signals that a
# master acts on: SIGHUP does not reload and SIGUSR2 does not upgrade
# (the superserver starts the next one from the file and the binary),
# each says so in one line, and it goes on serving; SIGTERM ends it.
. "$(dirname "$0")/lib.sh"

cf=$(conf isig <<'C'
timeout = 60;
reply = "first\n";
C
)
# A listening socket on 127.0.0.1 as standard input, as inetd gives it.
python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(sys.argv[1], "w") as f:
	f.write("%d\n" % s.getsockname()[1])
os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], sys.argv[2:])
' "$WORK/port" "$REPLYD" -i -c "$cf" > /dev/null 2> "$WORK/isig.log" &
IPID=$!
PIDS="$PIDS $IPID"
check "replyd -i on a listening socket starts" wait_log "$WORK/port" '^[0-9]+$'
P=$(cat "$WORK/port")
same "... and serves" "$("$TCLIENT" -d x 127.0.0.1 "$P")" first

sed -i 's/first/second/' "$cf"
kill -HUP "$IPID"
check "SIGHUP: says it keeps its configuration" \
    wait_log "$WORK/isig.log" 'SIGHUP: replyd -i keeps its configuration; the next one started reads the file'
same "... and keeps it" "$("$TCLIENT" -d x 127.0.0.1 "$P")" first
kill -USR2 "$IPID"
check "SIGUSR2: says it is not upgraded in place" \
    wait_log "$WORK/isig.log" 'SIGUSR2: replyd -i is not upgraded in place; the next one started is the new binary'
same "... and serves on, the same process" \
    "$("$TCLIENT" -d x 127.0.0.1 "$P")" first
check "... still running" kill -0 "$IPID"
kill -TERM "$IPID"
wait "$IPID"
same "SIGTERM: it exits with 0" "$?" 0
finish

#!/bin/sh
# SIGUSR2 to a new binary that never answers: it is killed after 10 s
# and the upgrade refused, while clients that came meanwhile wait in the
# backlog and are served after, none lost; a stop signal sent meanwhile
# ends the wait at once and is obeyed, not held for the 10 s.
. "$(dirname "$0")/lib.sh"

mkdir "$WORK/bin"
cp "$REPLYD" "$WORK/bin/replyd"
chmod 755 "$WORK/bin" "$WORK/bin/replyd"
cf=$(conf hang <<'C'
port = 0;
listen = "127.0.0.1";
reply = "v1\n";
C
)
# hang: the binary on disk becomes one that says a word and never ends
# (exec: the pid replyd kills is the one that hangs).
hang() {
	printf '#!/bin/sh\necho about to hang >&2\nexec sleep 60\n' \
	    > "$WORK/bin/replyd.new"
	chmod 755 "$WORK/bin/replyd.new"
	mv "$WORK/bin/replyd.new" "$WORK/bin/replyd"
}
# gone PID: PID was known and has ended.
gone() { [ -n "$1" ] && ! kill -0 "$1" 2>/dev/null; }
# tried PID: the new binary runs as PID's child, hanging.
tried() { poll 3 pgrep -P "$1" sleep > /dev/null; }

REPLYD=$WORK/bin/replyd start hang "$cf"
P=$PORT
hang
kill -USR2 "$PID"
check "SIGUSR2: the new binary runs, and hangs" tried "$PID"
sleeper=$(pgrep -P "$PID" sleep)
t0=$(date +%s)
"$TCLIENT" -w 20 -d x 127.0.0.1 "$P" > "$WORK/during.out" &
client=$!
check "after 10 s: refused, and why" \
    wait_log "$LOG" 'upgrade refused: .* failed \(no answer within 10 s\); still running the old binary' 15
check "... at 10 s, not before" [ $(($(date +%s) - t0)) -ge 9 ]
check "... with what it said" \
    wait_log "$LOG" 'upgrade refused: the new image said: "about to hang"$'
check "... and the hanging binary is gone" gone "$sleeper"
wait "$client"
same "a client that came meanwhile waited and was served" \
    "$(cat "$WORK/during.out")" v1
same "... and the next one too" "$("$TCLIENT" -d x 127.0.0.1 "$P")" v1
check "the same pid serves" kill -0 "$PID"

# A stop while the new binary hangs: obeyed at once.
kill -USR2 "$PID"
check "a second SIGUSR2: the new binary runs, and hangs" tried "$PID"
sleeper=$(pgrep -P "$PID" sleep)
t0=$(date +%s)
kill -TERM "$PID"
wait "$PID"
STATUS=$?
same "SIGTERM meanwhile: replyd stops, exit 0" "$STATUS" 0
check "... within 3 s, not after the 10 s" [ $(($(date +%s) - t0)) -le 3 ]
check "... saying the upgrade was refused for it" \
    grep -q 'upgrade refused: .* failed (told to stop meanwhile)' "$LOG"
check "... and the hanging binary is gone" gone "$sleeper"
finish

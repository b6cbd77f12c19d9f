#!/bin/sh
# The pid file never follows a link: a symlink named as the pid file is
# replaced by a regular file, what it pointed to is left untouched, and
# no temporary file is left behind.
. "$(dirname "$0")/lib.sh"

cf=$(conf pid <<'C'
port = 0;
listen = "127.0.0.1";
C
)
echo precious > "$WORK/target"
ln -s "$WORK/target" "$WORK/replyd.pid"
start pid "$cf" -P "$WORK/replyd.pid"
check "the pid file is a regular file now, not the link" \
    poll 5 sh -c "[ -f '$WORK/replyd.pid' ] && [ ! -L '$WORK/replyd.pid' ]"
same "the pid file holds the pid" "$(cat "$WORK/replyd.pid")" "$PID"
same "the link's target is untouched" "$(cat "$WORK/target")" precious
same "no temporary file is left" \
    "$(find "$WORK" -maxdepth 1 -name 'replyd.pid.*' | wc -l)" 0
stop "$PID"
check "at the end the pid file is removed" [ ! -e "$WORK/replyd.pid" ]
same "... and the target is still untouched" "$(cat "$WORK/target")" precious

# A stale pid file is replaced whole.
printf '99999999999\n' > "$WORK/stale.pid"
start stale "$cf" -P "$WORK/stale.pid"
check "a stale pid file is replaced by the new pid" \
    poll 5 sh -c "[ \"\$(cat '$WORK/stale.pid')\" = '$PID' ]"
stop "$PID"
# A directory that does not exist: a clear error, no start.
"$REPLYD" -f -c "$cf" -P "$WORK/nodir/x.pid" > /dev/null 2> "$WORK/nodir.err" &
p=$!
PIDS="$PIDS $p"
wait "$p"
same "a pid file in a missing directory: exit 71" "$?" 71
check "... with the path in the message" \
    grep -q "cannot write $WORK/nodir/x.pid" "$WORK/nodir.err"
finish

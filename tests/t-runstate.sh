#!/bin/sh
# The master's run state outlives a reload on purpose: counters and the
# per_source_rate buckets of a service that keeps its name survive a
# SIGHUP, and a renamed service starts afresh.
. "$(dirname "$0")/lib.sh"

cf=$(conf rs <<'C'
port = 0;
listen = "127.0.0.1";
reply = "r\n";
per_source_rate = 0.2;
C
)
start rs "$cf"
# The bucket holds one token: the first client passes, the next is
# refused until five seconds have passed.
same "first client: served" "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" r
"$TCLIENT" -d x 127.0.0.1 "$PORT" > /dev/null 2>&1
check "second client at once: refused by per_source_rate" \
    wait_count "$LOG" 'refused .*per_source_rate exceeded' 1
kill -USR1 "$PID"
check "SIGUSR1 before the reload: accepted 1, rate-limited 1" \
    wait_log "$LOG" '[0-9]+/tcp: counters: accepted 1, served [01], failed 0, denied 0, busy 0, rate-limited 1,'

sed -i 's/"r\\n"/"s\\n"/' "$cf"
kill -HUP "$PID"
check "SIGHUP: reloaded" wait_log "$LOG" 'reloaded .*: 1 service$'
# Refusals are logged once a second per service and reason: a second
# later, well before the bucket's next token (5 s).
sleep 1.1
"$TCLIENT" -d x 127.0.0.1 "$PORT" > "$WORK/third.out" 2>&1
check "after the reload the bucket is still empty: refused again" \
    wait_count "$LOG" 'refused .*per_source_rate exceeded' 2
same "after the reload: the refused client got no reply" \
    "$(cat "$WORK/third.out")" ""
: > "$WORK/mark"
kill -USR1 "$PID"
check "SIGUSR1 after the reload: the counters went on (accepted 1, served 1, rate-limited 2)" \
    wait_log "$LOG" '[0-9]+/tcp: counters: accepted 1, served 1, failed 0, denied 0, busy 0, rate-limited 2,'
check "SIGUSR1 after the reload: one reload counted" \
    wait_log "$LOG" 'counters: children 0, reloads 1,'

# A service under a new name is a new service: its counters start at 0.
printf 'services = ( { name = "other"; } );\n' >> "$cf"
kill -HUP "$PID"
check "SIGHUP with a renamed service: reloaded" \
    wait_count "$LOG" 'reloaded .*: 1 service$' 2
kill -USR1 "$PID"
check "the renamed service's counters start at 0" \
    wait_log "$LOG" 'other: counters: accepted 0, served 0, failed 0, denied 0, busy 0, rate-limited 0,'
stop "$PID"
finish

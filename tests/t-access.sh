#!/bin/sh
# Decisions the master makes before it forks: allow/deny, per_source,
# rate and per_source_rate, busy_reply; SIGUSR1 counters.
. "$(dirname "$0")/lib.sh"

cf=$(conf acl <<'C'
port = 0;
log = "requests";
allow = [ "127.0.0.0/8", "::1" ];
deny = [ "127.0.0.2" ];
C
)
start acl "$cf"
same "allow: 127.0.0.1 is served" "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "thank you !"
same "deny wins over allow: 127.0.0.2 gets nothing" \
    "$("$TCLIENT" -s 127.0.0.2 -d x 127.0.0.1 "$PORT")" ""
check "deny: the refusal is logged" \
    wait_log "$LOG" 'refused 127\.0\.0\.2:[0-9]+: access denied'
same "allow: ::1 is served" "$("$TCLIENT" -d x ::1 "$PORT")" "thank you !"
check "deny: no child was forked for the denied client" \
    sh -c "[ \$(grep -c 'connect from' '$LOG') -eq 2 ]"
stop "$PID"

# Rules written as v4-mapped addresses are the IPv4 rules they name, on
# the dual-stack default listener as everywhere.
cf=$(conf mapped <<'C'
port = 0;
allow = [ "::ffff:127.0.0.0/104", "::1" ];
deny = [ "::ffff:127.0.0.2" ];
C
)
start mapped "$cf"
same "v4-mapped allow: 127.0.0.1 is served" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "thank you !"
same "v4-mapped deny: 127.0.0.2 gets nothing" \
    "$("$TCLIENT" -s 127.0.0.2 -d x 127.0.0.1 "$PORT")" ""
check "v4-mapped deny: the refusal is logged" \
    wait_log "$LOG" 'refused 127\.0\.0\.2:[0-9]+: access denied'
stop "$PID"

cf=$(conf allowonly <<'C'
port = 0;
allow = [ "::1/128" ];
C
)
start allowonly "$cf"
same "allow list: an address outside it gets nothing" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" ""
same "allow list: the address in it is served" \
    "$("$TCLIENT" -d x ::1 "$PORT")" "thank you !"
stop "$PID"

# per_source: a flood of idle clients from 127.0.0.2 does not keep
# 127.0.0.1 out; the extra ones from 127.0.0.2 get busy_reply.
cf=$(conf persrc <<'C'
port = 0;
listen = "127.0.0.1";
max_children = 10;
per_source = 3;
timeout = 3;
busy_reply = "busy\n";
C
)
start persrc "$cf"
for _ in 1 2 3; do
	"$TCLIENT" -s 127.0.0.2 -w 6 127.0.0.1 "$PORT" > /dev/null &
done
for _ in $(seq 40); do [ "$(children "$PID")" -ge 3 ] && break; sleep 0.05; done
same "per_source: three children for 127.0.0.2" "$(children "$PID")" 3
same "per_source: a fourth from 127.0.0.2 gets busy_reply" \
    "$("$TCLIENT" -s 127.0.0.2 -d x 127.0.0.1 "$PORT")" "busy"
check "per_source: the refusal is logged" \
    wait_log "$LOG" 'refused 127\.0\.0\.2:[0-9]+: per_source limit reached'
same "per_source: 127.0.0.1 is still served" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "thank you !"
wait_log "$LOG" 'exited with status 0'	# the one served, reaped
kill -USR1 "$PID"
check "SIGUSR1: counters are logged" wait_log "$LOG" \
    '[0-9]+/tcp: counters: accepted 4, served 1, failed 0, denied 0, busy 1, rate-limited 0, expired 0, active 3'
stop "$PID"

# rate pauses accepting, it never refuses: 12 clients at rate 4/s
# (a burst of 4, then one every 250 ms) take about 2 s, all served.
cf=$(conf rate <<'C'
port = 0;
listen = "127.0.0.1";
rate = 4;
C
)
start rate "$cf"
t0=$(date +%s.%N)
out=$("$TCLIENT" -n 12 -c 12 -e 'thank you !\n' -d x 127.0.0.1 "$PORT")
t1=$(date +%s.%N)
same "rate: every client is served, none refused" "$out" "ok=12 failed=0"
el=$(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN{print $t1 - $t0}")
check "rate: 12 clients at 4/s take 1.5 s or more (took $el s)" \
    awk "BEGIN { exit !($el >= 1.5 && $el < 8) }"
stop "$PID"

# per_source_rate: a burst from 127.0.0.2 is cut, 127.0.0.1 is not.
cf=$(conf srcrate <<'C'
port = 0;
listen = "127.0.0.1";
per_source_rate = 2;
busy_reply = "slow down\n";
C
)
start srcrate "$cf"
n=0
for _ in 1 2 3 4 5 6; do
	r=$("$TCLIENT" -s 127.0.0.2 -d x 127.0.0.1 "$PORT")
	[ "$r" = "slow down" ] && n=$((n + 1))
done
check "per_source_rate: a burst of 6 from 127.0.0.2 is cut ($n refused)" \
    [ "$n" -ge 3 ]
same "per_source_rate: 127.0.0.1 is not affected" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "thank you !"
check "per_source_rate: the refusal is logged" \
    wait_log "$LOG" 'refused 127\.0\.0\.2:[0-9]+: per_source_rate exceeded'
stop "$PID"
finish

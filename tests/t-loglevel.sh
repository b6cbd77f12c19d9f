#!/bin/sh
# What a served client leaves in the log at each `log` level, in the
# master and under -i; stderr priorities for the journal; the counters
# operators alert on (clients that waited, failed reloads, the version).
. "$(dirname "$0")/lib.sh"

# lines_for FILE PORT: the lines that name the client port PORT.
lines_for() { grep -cE "127\.0\.0\.1:$2([^0-9]|$)" "$1"; }

cf=$(conf levels <<'C'
listen = "127.0.0.1";
services = (
	{ name = "conn"; port = 0; },
	{ name = "req"; port = 0; log = "requests"; },
	{ name = "err"; port = 0; log = "errors"; },
	{ name = "errfail"; port = 0; log = "errors"; handler = "exec";
	  exec = { program = "/bin/sh"; args = [ "-c", "exit 3" ]; }; },
	{ name = "udp"; port = 0; protocol = "udp"; handler = "echo"; }
);
C
)
start levels "$cf"
P_conn=$(port_of "$LOG" conn)
P_req=$(port_of "$LOG" req)
P_err=$(port_of "$LOG" err)
P_errfail=$(port_of "$LOG" errfail)
P_udp=$(port_of "$LOG" udp)

# connections, the default: one line, the master's, when the child ends.
"$TCLIENT" -l -H -d 'hello' 127.0.0.1 "$P_conn" 2> "$WORK/cport" > /dev/null
cport=$(sed -n 's/^port //p' "$WORK/cport")
check "connections: the end line names the client, the bytes in and out" \
    wait_log "$LOG" "^replyd\[$PID\]: conn: child [0-9]+ exited with status 0 after [0-9]+ ms; client 127\.0\.0\.1:$cport, 5 bytes in, 12 out$"
same "connections: it is the only line for that client" \
    "$(lines_for "$LOG" "$cport")" 1
check "connections: no connect line, no request line" \
    sh -c "! grep -qE 'conn: (connect from|127\.0\.0\.1:[0-9]+: (received|sent))' '$LOG'"

# requests: today's lines, with the escaped request.
"$TCLIENT" -l -H -d 'hi\n' 127.0.0.1 "$P_req" 2> "$WORK/rport" > /dev/null
rport=$(sed -n 's/^port //p' "$WORK/rport")
check "requests: the escaped request is logged" \
    wait_log "$LOG" "req: 127\.0\.0\.1:$rport: received 3 bytes: \"hi\\\\x0a\""
wait_log "$LOG" "req: child [0-9]+ exited .*:$rport, " > /dev/null
same "requests: connect, received, sent and the end line" \
    "$(lines_for "$LOG" "$rport")" 4

# errors: nothing for a client served well; a failure and a refusal are.
"$TCLIENT" -l -H -d 'x' 127.0.0.1 "$P_err" 2> "$WORK/eport" > /dev/null
eport=$(sed -n 's/^port //p' "$WORK/eport")
"$TCLIENT" -H -d 'x' 127.0.0.1 "$P_errfail" > /dev/null
check "errors: a child that failed is logged" \
    wait_log "$LOG" 'errfail: child [0-9]+ exited with status 3 after'
same "errors: a client served well leaves no line" \
    "$(lines_for "$LOG" "$eport")" 0

# UDP: the relay in the master knows the bytes.
"$TCLIENT" -u -d 'ping' 127.0.0.1 "$P_udp" > /dev/null
check "UDP: the end line has the relay's bytes" \
    wait_log "$LOG" 'udp: child [0-9]+ exited with status 0 after [0-9]+ ms; client 127\.0\.0\.1:[0-9]+, 4 bytes in, 4 out$'
stop "$PID"

# replyd -i: the same one line, written by -i's own loop.
icf=$(conf ione <<'C'
port = 7;
C
)
out=$(printf 'hey\n' | "$REPLYD" -i -c "$icf" 2> "$WORK/i.log")
same "-i: the client gets the reply" "$out" "thank you !"
check "-i: one line, the end line" \
    sh -c "[ \$(wc -l < '$WORK/i.log') -eq 1 ] &&
	grep -qE 'child [0-9]+ exited with status 0 after [0-9]+ ms; client ' '$WORK/i.log'"

# stderr as the journal (JOURNAL_STREAM names its device and inode):
# every line starts with its priority, "<N>".
jcf=$(conf journal <<'C'
port = 0;
listen = "127.0.0.1";
log = "requests";
C
)
: > "$WORK/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/journal.log")
export JOURNAL_STREAM
start journal "$jcf"
unset JOURNAL_STREAM
"$TCLIENT" -H -d 'j' 127.0.0.1 "$PORT" > /dev/null
wait_log "$LOG" 'exited with status' > /dev/null
check "journal: the start-up line is <5> (notice)" \
    grep -qE '^<5>replyd: 0/tcp: listening on' "$LOG"
check "journal: a child's lines and the master's carry <6> too" \
    sh -c "grep -qE '^<6>replyd\[[0-9]+\]: 0/tcp: 127\.0\.0\.1:[0-9]+: received 1 bytes' '$LOG' &&
	grep -qE '^<6>replyd\[$PID\]: 0/tcp: child [0-9]+ exited' '$LOG'"
check "journal: no line without a priority" \
    sh -c "! grep -qvE '^<[0-7]>replyd' '$LOG'"
stop "$PID"
JOURNAL_STREAM=0:0
export JOURNAL_STREAM
start notjournal "$jcf"
unset JOURNAL_STREAM
check "JOURNAL_STREAM of another file: no priorities" \
    grep -qE '^replyd: 0/tcp: listening on' "$LOG"
stop "$PID"

# The counters to alert on.  max_children = 1 and a child that takes a
# second: the two clients behind it wait in the backlog, and are counted
# once each, however many children they waited for.
wcf=$(conf waits <<'C'
listen = "127.0.0.1";
services = (
	{ name = "slow"; port = 0; max_children = 1; handler = "exec";
	  exec = { program = "/bin/sleep"; args = [ "1" ]; }; },
	{ name = "paced"; port = 0; rate = 1; handler = "daytime"; },
	{ name = "stats"; port = 0; handler = "status"; }
);
C
)
start waits "$wcf"
P_slow=$(port_of "$LOG" slow)
P_paced=$(port_of "$LOG" paced)
P_stats=$(port_of "$LOG" stats)
# rate = 1 holds one token: of three clients at once, two wait for it.
kids=
for _ in 1 2 3; do
	"$TCLIENT" -w 10 127.0.0.1 "$P_slow" > /dev/null &
	kids="$kids $!"
	"$TCLIENT" -w 10 127.0.0.1 "$P_paced" > /dev/null &
	kids="$kids $!"
done
# shellcheck disable=SC2086 # one pid a word
wait $kids
check "waiting clients: logged, by reason" \
    wait_log "$LOG" 'slow: [0-9]+ clients? waited for max_children'
check "waiting clients: the rate's logged too" \
    wait_log "$LOG" 'paced: [0-9]+ clients? waited for rate'
printf 'port = 0;\nbogus = 1;\n' > "$WORK/waits.conf.new"
cp "$WORK/waits.conf" "$WORK/waits.conf.good"
cp "$WORK/waits.conf.new" "$WORK/waits.conf"
kill -HUP "$PID"
wait_log "$LOG" 'reload failed' > /dev/null
"$TCLIENT" -d 'metrics' 127.0.0.1 "$P_stats" > "$WORK/metrics"
check "replyd_waited_total counts them (max_children)" \
    grep -qE '^replyd_waited_total\{service="slow",reason="max_children"\} 2$' "$WORK/metrics"
check "replyd_waited_total has the rate row too" \
    grep -qE '^replyd_waited_total\{service="slow",reason="rate"\} 0$' "$WORK/metrics"
check "replyd_waited_total counts them (rate)" \
    grep -qE '^replyd_waited_total\{service="paced",reason="rate"\} 2$' "$WORK/metrics"
check "replyd_waited_total: a paced service never waited for children" \
    grep -qE '^replyd_waited_total\{service="paced",reason="max_children"\} 0$' "$WORK/metrics"
check "replyd_reloads_failed_total counts the failed reload" \
    grep -qx 'replyd_reloads_failed_total 1' "$WORK/metrics"
check "replyd_build_info says the version" \
    grep -qE '^replyd_build_info\{version="[^"]+"\} 1$' "$WORK/metrics"
if command -v promtool > /dev/null; then
	check "promtool check metrics finds nothing" \
	    sh -c "promtool check metrics < '$WORK/metrics'"
else
	not_ok "promtool is missing (Debian's prometheus package)"
fi
stop "$PID"
finish

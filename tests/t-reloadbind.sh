#!/bin/sh
# A reload that must give up an old listener to bind its port again
# (reuse_port switched on or off) closes the old socket and binds anew;
# if the reload then fails (another port is taken), the old socket is
# bound again and the old configuration goes on serving on its port.
. "$(dirname "$0")/lib.sh"

# Another process holds a port: the reload that wants it must fail.
bcf=$(conf blocker <<'C'
port = 0;
listen = "127.0.0.1";
reply = "blocker\n";
C
)
start blocker "$bcf" || exit 1
BPID=$PID
Q=$PORT

P=$(free_port)
# svc REPLY REUSE_PORT [EXTRA]: the configuration, one service on $P.
svc() {
	printf '%s\nlisten = "127.0.0.1";\nport = %s;\nreply = "%s\\n";\n' \
	    "$USERLINE" "$P" "$1"
	printf 'reuse_port = %s;\n' "$2"
	[ -z "${3:-}" ] || printf 'services = ( { name = "a"; },\n\t%s );\n' "$3"
}
cf=$WORK/reload.conf
svc one false > "$cf"
start reload "$cf" || exit 1
same "served on its port" "$("$TCLIENT" -d x 127.0.0.1 "$P")" one
before=$(fds "$PID")

svc two true > "$cf"
kill -HUP "$PID"
check "reuse_port switched on: reloaded" wait_log "$LOG" 'reloaded .*: 1 service'
same "... the new configuration answers on the same port" \
    "$("$TCLIENT" -d x 127.0.0.1 "$P")" two
check "... not from an address that was in use" \
    sh -c "! grep -q 'Address already in use' '$LOG'"
same "... and the old socket is closed (no descriptor more)" \
    "$(fds "$PID")" "$before"

svc three false "{ name = \"b\"; port = $Q; }" > "$cf"
kill -HUP "$PID"
check "a reload that gives up the port, then cannot bind another: fails" \
    wait_log "$LOG" 'reload failed: keeping the old configuration'
check "... saying which address is taken" \
    grep -q "cannot listen on 127.0.0.1:$Q: Address already in use" "$LOG"
same "... and the old configuration still answers on its port" \
    "$("$TCLIENT" -d x 127.0.0.1 "$P")" two
check "... not having lost its socket" \
    sh -c "! grep -q 'cannot listen on .* again' '$LOG'"
same "... with no descriptor more" "$(fds "$PID")" "$before"
stop "$PID"
same "replyd stops cleanly" "$STATUS" 0
stop "$BPID"
finish

#!/bin/sh
# disable = true: a service that is checked and printed by -T but not
# served (issue 22, item 3).  It may share a port with the service that
# replaces it; a file whose services are all disabled serves nothing and
# is refused.
. "$(dirname "$0")/lib.sh"

cf=$(conf two <<'C'
listen = "127.0.0.1";
port = 0;
services = (
	{ name = "on"; },
	{ name = "off"; disable = true; reply = "off\n"; },
	{ name = "twin"; disable = true; port = 7; protocol = "udp"; },
	{ name = "twin2"; port = 7; protocol = "udp"; handler = "echo";
	  listen = "127.0.0.1"; disable = true; }
);
C
)
"$REPLYD" -T -c "$cf" > "$WORK/printed" 2> "$WORK/printed.err"
same "-T: accepted" "$?" 0
same "-T: the disabled service is printed, disabled" \
    "$(sed -n '/name = "off"/,/}/p' "$WORK/printed" | grep -c 'disable = true;')" 1
same "-T: the enabled one is printed, enabled" \
    "$(sed -n '/name = "on"/,/}/p' "$WORK/printed" | grep -c 'disable = false;')" 1
"$REPLYD" -t -c "$WORK/printed" > /dev/null 2>&1
same "-T: what it prints reads back" "$?" 0

start two "$cf"
same "the enabled service answers" "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" \
    "thank you !"
check "the enabled service listens" grep -q 'on: listening on' "$LOG"
same "the disabled service does not listen" \
    "$(grep -c 'off: listening\|twin: listening' "$LOG")" 0
stop "$PID"

# A bad value in a disabled service is still an error: it is checked.
cf=$(conf badoff <<'C'
listen = "127.0.0.1";
port = 0;
services = ( { name = "on"; }, { name = "off"; disable = true; port = -1; } );
C
)
"$REPLYD" -t -c "$cf" > /dev/null 2> "$WORK/badoff.err"
same "a disabled service is checked" "$?" 78
check "... and its error reported" grep -q 'port must be' "$WORK/badoff.err"

# The single top-level service, disabled: no services defined.
cf=$(conf single <<'C'
port = 0;
listen = "127.0.0.1";
disable = true;
C
)
"$REPLYD" -f -c "$cf" > /dev/null 2> "$WORK/single.err"
same "a disabled single service: exit 78" "$?" 78
same "... saying there is no service" "$(cat "$WORK/single.err")" \
    "replyd: $cf: no services defined (every service is disabled)"

# disable is inherited: every service off unless it says otherwise.
cf=$(conf inherit <<'C'
listen = "127.0.0.1";
port = 0;
disable = true;
services = ( { name = "a"; }, { name = "b"; disable = false; } );
C
)
start inherit "$cf"
check "inherited: b listens" grep -q 'b: listening on' "$LOG"
same "inherited: a does not" "$(grep -c 'a: listening' "$LOG")" 0
stop "$PID"
finish

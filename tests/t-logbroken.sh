#!/bin/sh
# A log that cannot be written (standard error on /dev/full, as a full
# disk or a broken log pipe would leave it) changes nothing a client or
# a superserver sees: under -i the exit status is the handler's, the
# same as with a working log.  A handler decides its status from errno
# after logging; a failed log write must not leave its own errno there.
. "$(dirname "$0")/lib.sh"

# status HANDLER LOG: replyd -i's exit status for a client that stays
# silent past the timeout (1 s), its standard error on LOG.
status() {
	cf=$(conf "i-$1" <<C
handler = "$1";
timeout = 1;
C
)
	sleep 2 | timeout 10 "$REPLYD" -i -c "$cf" > /dev/null 2> "$2"
}

for h in discard echo; do
	status "$h" "$WORK/$h.log"
	same "$h: a silent client, the log working: exit 0" "$?" 0
	check "... the timeout is logged" grep -q 'timeout after 1 s' "$WORK/$h.log"
	status "$h" /dev/full
	same "$h: the same, the log unwritable: exit 0 still" "$?" 0
done
finish

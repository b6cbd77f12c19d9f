#!/bin/sh
# The configuration's path (or an included file) that is not a regular
# file: -t exits 78 with one line and never blocks; a running master
# given one by SIGHUP keeps its configuration, keeps serving and still
# stops on SIGTERM.  And a message that is alone when it should be.
. "$(dirname "$0")/lib.sh"

# check_t NAME PATH MESSAGE: replyd -t PATH exits 78 with one line.
check_t() {
	timeout 10 "$REPLYD" -t -c "$2" > /dev/null 2> "$WORK/$1.err"
	same "$1: -t exits 78" "$?" 78
	same "$1: -t says why in one line" "$(cat "$WORK/$1.err")" "$3"
}

mkdir "$WORK/dir.conf"
mkfifo "$WORK/fifo.conf"
check_t directory "$WORK/dir.conf" \
    "replyd: $WORK/dir.conf: cannot read: a directory, not a regular file"
check_t fifo "$WORK/fifo.conf" \
    "replyd: $WORK/fifo.conf: cannot read: a FIFO, not a regular file"
check_t device /dev/null \
    "replyd: /dev/null: cannot read: a device, not a regular file"
printf '%s\n@include "fifo.conf"\n' "$USERLINE" > "$WORK/inc-fifo.conf"
check_t include-fifo "$WORK/inc-fifo.conf" \
    "replyd: $WORK/inc-fifo.conf:2: cannot include \"fifo.conf\": a FIFO, not a regular file"
# An included directory is read for its *.conf files (t-includes.sh):
# the FIFO there is not one, and is never opened.
mkfifo "$WORK/dir.conf/fifo.conf"
printf '%s\n@include "dir.conf"\n' "$USERLINE" > "$WORK/inc-dir.conf"
timeout 10 "$REPLYD" -t -c "$WORK/inc-dir.conf" > /dev/null 2> "$WORK/inc-dir.err"
same "include-directory: a FIFO in it is passed over" "$?:$(cat "$WORK/inc-dir.err")" "0:"

# An included file is read relative to the file that includes it, and
# its settings count; its errors name it.
mkdir "$WORK/sub"
printf 'reply = "included\\n";\n@include "more.inc"\n' > "$WORK/sub/a.inc"
printf 'timeout = 0;\n' > "$WORK/sub/more.inc"
printf '%s\nport = 0;\n@include "sub/a.inc"\n' "$USERLINE" > "$WORK/inc.conf"
check_t include-nested "$WORK/inc.conf" \
    "replyd: $WORK/sub/more.inc:1: timeout must be an integer from 1 to 86400 (got 0)"
printf 'timeout = 3;\n' > "$WORK/sub/more.inc"
"$REPLYD" -T -c "$WORK/inc.conf" > "$WORK/inc.T"
check "include: the included settings apply" \
    grep -q '^reply = "included\\n";' "$WORK/inc.T"
check "include: and those of a file it includes" \
    grep -q '^timeout = 3;' "$WORK/inc.T"

# A running master whose file becomes a FIFO, then a directory.
cf=$(conf live <<'C'
port = 0;
listen = "127.0.0.1";
reply = "live\n";
C
)
start live "$cf"
mv "$cf" "$cf.orig"
mkfifo "$cf"
kill -HUP "$PID"
check "FIFO on reload: the problem is logged" \
    wait_log "$LOG" "$cf: cannot read: a FIFO, not a regular file"
check "FIFO on reload: the old configuration is kept" \
    wait_count "$LOG" 'reload failed: keeping the old configuration' 1
same "FIFO on reload: still serving" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" live
rm "$cf"
mkdir "$cf"
kill -HUP "$PID"
check "directory on reload: the problem is logged" \
    wait_log "$LOG" "$cf: cannot read: a directory, not a regular file"
check "directory on reload: the old configuration is kept" \
    wait_count "$LOG" 'reload failed: keeping the old configuration' 2
same "directory on reload: still serving" \
    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" live
kill -TERM "$PID"
for _ in $(seq 100); do kill -0 "$PID" 2> /dev/null || break; sleep 0.05; done
# shellcheck disable=SC2016 # "$1" belongs to the inner sh
check "after both, SIGTERM still stops the master" \
    sh -c '! kill -0 "$1" 2> /dev/null' sh "$PID"
wait "$PID"

# A user that does not exist is the only message, even as root (no
# advice to set a user follows).
printf 'user = "nobdy";\n' > "$WORK/nobdy.conf"
check_t no-such-user "$WORK/nobdy.conf" \
    "replyd: $WORK/nobdy.conf:1: user \"nobdy\" does not exist"
finish

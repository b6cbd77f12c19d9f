#!/bin/sh
# Handler modules: the example module answers; a missing file, a wrong
# ABI version, a missing symbol and refused settings are config errors.
. "$(dirname "$0")/lib.sh"

: "${MODULES:=$(pwd)}"
upper=$MODULES/examples/upper.so

cf=$(conf upper <<C
port = 0;
listen = "127.0.0.1";
handler = "module";
module = { path = "$upper"; prefix = "> "; };
C
)
start upper "$cf"
same "module: the example module answers" \
    "$("$TCLIENT" -d 'hello module' 127.0.0.1 "$PORT")" "> HELLO MODULE"
check "module: the child's exit is logged" \
    wait_log "$LOG" 'child [0-9]+ exited with status 0'
stop "$PID"

# replyd -i loads the module itself before it serves.
same "module: -i loads the module and serves with it" \
    "$(printf hello | "$REPLYD" -i -c "$cf" 2> /dev/null)" "> HELLO"

# The module's file changes on disk under a running master.  Served
# from a private copy, rewriting it in place touches nothing that runs;
# a reload loads what is there then.
cp "$upper" "$WORK/mod.so"
cf=$(conf mod <<C
port = 0;
listen = "127.0.0.1";
handler = "module";
module = { path = "$WORK/mod.so"; prefix = "> "; };
C
)
start mod "$cf"
same "module: before any change, the module answers" \
    "$("$TCLIENT" -d 'Hello' 127.0.0.1 "$PORT")" "> HELLO"
cat "$MODULES/tests/lower.so" > "$WORK/mod.so"	# in place: same inode
same "module: rewritten in place, the running code is untouched" \
    "$("$TCLIENT" -d 'Hello' 127.0.0.1 "$PORT")" "> HELLO"
kill -HUP "$PID"
check "module: the reload after the rewrite is logged" \
    wait_count "$LOG" 'reloaded ' 1
check "module: the master survives a reload of a rewritten module" \
    kill -0 "$PID"
same "module: after the reload, what is on disk now is served" \
    "$("$TCLIENT" -d 'Hello' 127.0.0.1 "$PORT")" "> hello"
cp "$upper" "$WORK/mod.so.new"	# a rebuild: a new file at the path
mv "$WORK/mod.so.new" "$WORK/mod.so"
kill -HUP "$PID"
check "module: the reload after the rebuild is logged" \
    wait_count "$LOG" 'reloaded ' 2
same "module: after the reload, the rebuilt module is served" \
    "$("$TCLIENT" -d 'Hello' 127.0.0.1 "$PORT")" "> HELLO"
# shellcheck disable=SC2016 # "$1" and "$2" belong to the inner sh
check "module: the master holds no copy of the module's file" \
    sh -c '! grep -q "$1" "/proc/$2/maps"' sh "$WORK/mod.so" "$PID"
check "module: each reload unloads the copy it replaces" \
    [ "$(grep -c 'memfd:replyd-module' "/proc/$PID/maps")" -le 8 ]
stop "$PID"

# -t and -T load the module in a child: its code never runs in the
# process that checks.
printf '%s\nhandler = "module";\nmodule = { path = "%s"; };\n' "$USERLINE" \
    "$MODULES/tests/lower.so" > "$WORK/ctor.conf"
for opt in -t -T; do
	rm -f "$WORK/loaded-by"
	LOWER_LOADED_BY=$WORK/loaded-by "$REPLYD" $opt -c "$WORK/ctor.conf" \
	    > /dev/null 2>&1 &
	checker=$!
	wait "$checker"
	same "module: $opt exits 0" "$?" 0
	check "module: $opt loads the module" [ -s "$WORK/loaded-by" ]
	check "module: $opt loads it in another process than its own" \
	    [ "$(cat "$WORK/loaded-by")" != "$checker" ]
done
# ... and block the master's signals there first, as the master does, so
# that a thread a module starts takes none of them.  SIGHUP, SIGINT,
# SIGUSR1, SIGUSR2, SIGTERM, SIGCHLD are bits 0, 1, 9, 11, 14 and 16.
printf '%s\nhandler = "module";\nmodule = { path = "%s"; reply = "x"; };\n' \
    "$USERLINE" "$MODULES/tests/threadmod.so" > "$WORK/thread.conf"
for opt in -t -T; do
	rm -f "$WORK/mask"
	THREADMOD_MASK=$WORK/mask "$REPLYD" $opt -c "$WORK/thread.conf" \
	    > /dev/null 2>&1
	same "module: $opt with a module that starts a thread exits 0" "$?" 0
	mask=$(tail -n 1 "$WORK/mask" 2> /dev/null)
	same "module: $opt: the module's thread blocks the master's signals" \
	    "$(( 0x${mask:-0} & 0x14a03 ))" $((0x14a03))
done

# badconf NAME PATH SETTINGS MESSAGE
badconf() {
	printf 'handler = "module";\nmodule = { path = "%s";%s };\n%s\n' "$2" \
	    "$3" "$USERLINE" > "$WORK/$1.conf"
	"$REPLYD" -t -c "$WORK/$1.conf" > /dev/null 2> "$WORK/$1.err"
	same "module: $1 exits 78" "$?" 78
	same "module: $1 is reported" \
	    "$(grep -v 'as root' "$WORK/$1.err")" \
	    "replyd: $WORK/$1.conf:2: module \"$2\": $4"
}
badconf missing "$WORK/none.so" "" "cannot read: No such file or directory"
# Not a regular file: refused without opening it for good (a FIFO would
# block the reading master).
mkdir "$WORK/dir.so"
mkfifo "$WORK/fifo.so"
badconf directory "$WORK/dir.so" "" "cannot read: a directory, not a regular file"
badconf fifo "$WORK/fifo.so" "" "cannot read: a FIFO, not a regular file"
badconf abi "$MODULES/tests/badabi.so" "" \
    "has module ABI version 2, this replyd supports 1: rebuild it against this replyd's <replyd/module.h>"
badconf nosym "$MODULES/tests/nosym.so" "" \
    "has no symbol replyd_module (is it a replyd module?)"
badconf settings "$upper" ' colour = "red";' \
    'unknown setting "colour" (allowed: prefix)'
printf 'handler = "module";\n' > "$WORK/nomod.conf"
"$REPLYD" -t -c "$WORK/nomod.conf" > /dev/null 2> "$WORK/nomod.err"
check "module: handler \"module\" without a module group is refused" \
    grep -q 'handler "module" needs module' "$WORK/nomod.err"
finish

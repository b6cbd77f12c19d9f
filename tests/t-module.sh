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

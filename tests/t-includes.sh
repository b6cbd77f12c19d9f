#!/bin/sh
# @include fan-out: four files of fifty includes each ask for six million
# reads (depth alone is limited; only the 16 MiB text cap stopped them,
# after seconds to minutes of opening files).  At most 1000 @include lines
# per load: -t and a reload refuse such a file at once, naming the file
# and line where the limit was passed (counting top 1, a:1 2, b:1 3,
# then 51 per line of c: c:20 is the 973rd, d:28 the 1001st).
. "$(dirname "$0")/lib.sh"

# fanout DIR: top.conf -> a.conf x50 -> b.conf x50 -> c.conf x50 ->
# d.conf x50 -> e.conf (a comment).
fanout() {
	local from to
	mkdir -p "$1"
	set -- "$1" a b c d e
	echo '# nothing here' > "$1/e.conf"
	for from in a b c d; do
		case $from in a) to=b ;; b) to=c ;; c) to=d ;; d) to=e ;; esac
		for _ in $(seq 50); do echo "@include \"$to.conf\""; done \
		    > "$1/$from.conf"
	done
}
fanout "$WORK/fan"
{ echo "$USERLINE"; printf 'port = 0;\nlisten = "127.0.0.1";\n@include "a.conf"\n'; } \
    > "$WORK/fan/top.conf"

t0=$(date +%s.%N)
timeout 20 "$REPLYD" -t -c "$WORK/fan/top.conf" > /dev/null 2> "$WORK/fan.err"
rc=$?
secs=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $t0 }")
same "-t: a fan-out of includes is refused (exit 78)" "$rc" 78
check "-t: ... at once (${secs}s)" awk "BEGIN { exit !($secs < 3) }"
same "-t: the message names the file, the line and the limit" \
    "$(grep -v 'as root' "$WORK/fan.err")" \
    "replyd: $WORK/fan/d.conf:28: more than 1000 @include lines in one configuration (each counts, however often it includes the same file)"

# Under the limit, many includes of one file are fine.
mkdir -p "$WORK/many"
echo '# nothing here' > "$WORK/many/e.conf"
{ echo "$USERLINE"; printf 'port = 0;\nlisten = "127.0.0.1";\n'
  for _ in $(seq 1000); do echo '@include "e.conf"'; done; } > "$WORK/many/top.conf"
"$REPLYD" -t -c "$WORK/many/top.conf" > /dev/null 2>&1
same "-t: 1000 includes are allowed" "$?" 0

# A reload onto the fan-out is refused as quickly; the old one serves.
cp "$WORK/many/top.conf" "$WORK/many/live.conf"
start live "$WORK/many/live.conf"
cp "$WORK/fan/"*.conf "$WORK/many/"
sed -i 's/^@include "e.conf"$/@include "a.conf"/' "$WORK/many/live.conf"
t0=$(date +%s.%N)
kill -HUP "$PID"
check "reload: refused, naming the limit" \
    wait_log "$LOG" 'more than 1000 @include lines' 10
secs=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $t0 }")
check "reload: ... at once (${secs}s)" awk "BEGIN { exit !($secs < 3) }"
same "reload: the old configuration still serves" \
    "$("$TCLIENT" -w 2 -d x 127.0.0.1 "$PORT")" "thank you !"
stop "$PID"
# A directory: its regular *.conf files in name order (not the others),
# here drop-ins that each add one service to a list (issue 22, item 4).
mkdir -p "$WORK/d/replyd.d/sub.conf"
printf '\t{ name = "b"; reply = "b\\n"; },\n' > "$WORK/d/replyd.d/20-b.conf"
printf '\t{ name = "a"; reply = "a\\n"; },\n' > "$WORK/d/replyd.d/10-a.conf"
echo 'not read {' > "$WORK/d/replyd.d/README"
echo 'not read {' > "$WORK/d/replyd.d/sub.conf/x.conf"
mkfifo "$WORK/d/replyd.d/30-fifo.conf"
{ echo "$USERLINE"; printf 'port = 0;\nlisten = "127.0.0.1";\nservices = (\n'
  printf '@include "replyd.d"\n\t{ name = "last"; }\n);\n'; } > "$WORK/d/top.conf"
timeout 10 "$REPLYD" -T -c "$WORK/d/top.conf" > "$WORK/d.out" 2> "$WORK/d.err"
same "directory: -T accepts it" "$?" 0
same "directory: its *.conf files, in name order, then the rest" \
    "$(sed -n 's/^\t\tname = "\(.*\)";.*/\1/p' "$WORK/d.out" | tr '\n' ' ')" "a b last "
start dir "$WORK/d/top.conf"
same "directory: a service from it answers" \
    "$("$TCLIENT" -w 2 -d x 127.0.0.1 "$(port_of "$LOG" b)")" "b"
stop "$PID"
rm "$WORK/d/replyd.d/"*.conf
"$REPLYD" -t -c "$WORK/d/top.conf" > /dev/null 2>&1
same "directory: an empty one includes nothing" "$?" 0
finish

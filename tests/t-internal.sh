#!/bin/sh
# The internal services of inetd as built-in handlers (discard, daytime,
# time, chargen) over TCP and UDP, in the master and under replyd -i;
# and writes bounded by timeout: a client that stops reading holds a
# child no longer than that.
# shellcheck disable=SC2154 # the P_<service> ports are set by an eval below
. "$(dirname "$0")/lib.sh"

NOW_1900=2208988800

# child_ms LOG PATTERN: how long the child that logged PATTERN lived,
# in ms, from the master's line about its end.
child_ms() {
	local pid
	pid=$(grep -E -- "$2" "$1" | head -n 1 | sed -nE 's/^[^[]*\[([0-9]+)\].*/\1/p')
	[ -n "$pid" ] || return 1
	wait_log "$1" "child $pid (exited|killed) .* after [0-9]+ ms" 15 ||
	    return 1
	grep -E "child $pid (exited|killed)" "$1" | sed -E 's/.* after ([0-9]+) ms.*/\1/'
}

# between N LO HI: LO <= N <= HI.
between() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# chargen_ok FILE: FILE holds RFC 864 lines (72 printable characters,
# each line one on from the one before, CR LF), the last one possibly
# cut short (UDP).  Prints the number of lines, or where it went wrong.
chargen_ok() {
	local whole=0
	[ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' ')" = 0a ] && whole=1
	LC_ALL=C awk -v whole="$whole" '
	BEGIN {
		for (i = 32; i < 127; i++) {
			c = sprintf("%c", i)
			ord[c] = i - 32
			ring = ring c
		}
		ring = ring ring
	}
	NR == 1 { first = ord[substr($0, 1, 1)] }
	{
		want = substr(ring, (first + NR - 1) % 95 + 1, 72) "\r"
		if (prev != "") { print prev; bad = 1; exit }
		if ($0 != want && !(index(want, $0) == 1 && $0 != ""))
			{ print "bad line " NR ": " $0; bad = 1; exit }
		if ($0 != want)
			prev = "line " NR " cut short before the last"
	}
	END {
		if (bad)
			exit 1
		if (whole && prev != "") { print prev; exit 1 }
		print NR
	}' "$1"
}

# time_off FILE: how far FILE's RFC 868 time is from now, in seconds.
time_off() {
	local v now
	# shellcheck disable=SC2046 # one positional parameter per byte
	set -- $(od -An -tu1 "$1")
	[ $# -eq 4 ] || { echo "got $# bytes"; return 1; }
	v=$(( ($1 << 24) | ($2 << 16) | ($3 << 8) | $4 ))
	now=$(( ($(date +%s) + NOW_1900) % 4294967296 ))
	echo $(( ((v - now) % 4294967296 + 6442450944) % 4294967296 - 2147483648 ))
}

# daytime_off FILE: how far FILE's daytime line is from now, in seconds.
daytime_off() {
	local line t
	line=$(tr -d '\r\n' < "$1")
	printf '%s\n' "$line" | grep -qE \
	    '^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$' ||
	    { echo "not ctime's format: $line"; return 1; }
	t=$(date -d "$line" +%s) || return 1
	echo $(( t - $(date +%s) ))
}

# abs_le N MAX
abs_le() { [ "${1#-}" -le "$2" ] 2>/dev/null; }

cf=$(conf internal <<'C'
port = 0;
listen = "127.0.0.1";
timeout = 2;
log = "requests";
services = (
	{ name = "daytime"; handler = "daytime"; },
	{ name = "daytime-u"; handler = "daytime"; protocol = "udp"; },
	{ name = "time"; handler = "time"; },
	{ name = "time-u"; handler = "time"; protocol = "udp"; },
	{ name = "chargen"; handler = "chargen"; },
	{ name = "chargen-long"; handler = "chargen"; timeout = 10; },
	{ name = "chargen-sess"; handler = "chargen"; timeout = 10;
	  session_timeout = 1; },
	{ name = "chargen-u"; handler = "chargen"; protocol = "udp"; },
	{ name = "chargen-u0"; handler = "chargen"; protocol = "udp";
	  max_amplification = 0; },
	{ name = "discard"; handler = "discard"; timeout = 10; },
	{ name = "discard-u"; handler = "discard"; protocol = "udp"; }
);
C
)
start internal "$cf"
# sport LOG SERVICE: the port of SERVICE (port_of's "time" would find
# "daytime" too).
sport() {
	grep -E "^replyd: $2: listening on" "$1" |
	    sed -E 's/.*:([0-9]+) \((tcp|udp)\)$/\1/'
}
for s in daytime daytime-u time time-u chargen chargen-long chargen-sess \
    chargen-u chargen-u0 discard discard-u; do
	eval "P_$(echo "$s" | tr - _)=$(sport "$LOG" "$s")"
done

# The slow ones first, all at once: clients that stop reading.
"$TCLIENT" -S 8 -r 1000 127.0.0.1 "$P_chargen" > /dev/null &
c1=$!
"$TCLIENT" -S 1 -r 1000 127.0.0.1 "$P_chargen_long" > /dev/null &
c2=$!
"$TCLIENT" -S 6 -r 100 127.0.0.1 "$P_chargen_sess" > /dev/null &
c3=$!
PIDS="$PIDS $c1 $c2 $c3"

# daytime
"$TCLIENT" 127.0.0.1 "$P_daytime" > "$WORK/day.out"
off=$(daytime_off "$WORK/day.out")
check "daytime: ctime's line, within 5 s of now ($off s)" abs_le "$off" 5
same "daytime: the line ends in CR LF" \
    "$(tail -c 2 "$WORK/day.out" | od -An -tx1 | tr -d ' ')" 0d0a
"$TCLIENT" -d 'what time is it?\n' 127.0.0.1 "$P_daytime" > "$WORK/day2.out"
same "daytime: a client that sends something still gets the whole line" \
    "$(wc -c < "$WORK/day2.out")" 26
"$TCLIENT" -u -d 'daytime, please' 127.0.0.1 "$P_daytime_u" > "$WORK/dayu.out"
off=$(daytime_off "$WORK/dayu.out")
check "daytime over UDP: one datagram, within 5 s of now ($off s)" \
    abs_le "$off" 5
# A fixed answer of a few bytes is sent whatever max_amplification says.
"$TCLIENT" -u -w 1 127.0.0.1 "$P_daytime_u" > "$WORK/dayu0.out"
off=$(daytime_off "$WORK/dayu0.out")
check "daytime over UDP: an empty datagram gets the line too ($off s)" \
    abs_le "$off" 5

# time
"$TCLIENT" 127.0.0.1 "$P_time" > "$WORK/time.out"
off=$(time_off "$WORK/time.out")
check "time: 4 bytes, seconds since 1900, within 5 s of now ($off s)" \
    abs_le "$off" 5
"$TCLIENT" -u -d 'now?' 127.0.0.1 "$P_time_u" > "$WORK/timeu.out"
off=$(time_off "$WORK/timeu.out")
check "time over UDP: 4 bytes within 5 s of now ($off s)" abs_le "$off" 5
# RFC 868: over UDP the request is an empty datagram.
"$TCLIENT" -u -w 1 127.0.0.1 "$P_time_u" > "$WORK/timeu0.out"
off=$(time_off "$WORK/timeu0.out")
check "time over UDP: an empty datagram is the request (RFC 868) ($off s)" \
    abs_le "$off" 5
check "time and daytime over UDP: no answer was held back" \
    sh -c "! grep -q 'time-u: .*reply not sent' '$LOG'"

# chargen over TCP
"$TCLIENT" -S 1 -r 7400 127.0.0.1 "$P_chargen" > "$WORK/cg.out"
same "chargen: 100 lines of the RFC 864 pattern, wrapping at ~" \
    "$(chargen_ok "$WORK/cg.out")" 100
same "chargen: the first line starts with a space" \
    "$(head -c 3 "$WORK/cg.out")" ' !"'

# discard
out=$("$TCLIENT" -H -w 5 -d 'into the void\n' 127.0.0.1 "$P_discard")
check "discard: answers nothing and closes when the client does" \
    [ $? -eq 0 ] && [ -z "$out" ]
check "discard: logs what it threw away" wait_log "$LOG" \
    'discard: .*discarded 14 bytes'
ms=$(child_ms "$LOG" 'discard: .*discarded 14 bytes')
check "discard: its child exits at the client's close, not the timeout ($ms ms)" \
    between "$ms" 0 3000
"$TCLIENT" -u -w 1 -d 'gone' 127.0.0.1 "$P_discard_u" > "$WORK/discu.out"
same "discard over UDP: no answer" "$(wc -c < "$WORK/discu.out")" 0
check "discard over UDP: the datagram was read" wait_log "$LOG" \
    'discard-u: .*discarded 4 bytes'

# chargen over UDP: 1 to 512 characters, within max_amplification.
ok_sizes=1
for i in 1 2 3 4 5 6; do
	"$TCLIENT" -u -z 100 127.0.0.1 "$P_chargen_u" > "$WORK/cgu.out"
	n=$(wc -c < "$WORK/cgu.out")
	between "$n" 1 300 || { ok_sizes=0; echo "# $n bytes for 100"; }
	chargen_ok "$WORK/cgu.out" | grep -qE '^[0-9]+$' ||
	    { ok_sizes=0; chargen_ok "$WORK/cgu.out" | sed 's/^/# /'; }
done
check "chargen over UDP: 1 to 3 x 100 bytes of the pattern, 6 times" \
    [ "$ok_sizes" = 1 ]
"$TCLIENT" -u -d x 127.0.0.1 "$P_chargen_u" > "$WORK/cgu1.out"
check "chargen over UDP: at most 3 bytes for 1" \
    between "$(wc -c < "$WORK/cgu1.out")" 1 3
check "chargen over UDP: never over the limit, so never held back" \
    sh -c "! grep -q 'chargen-u: .*reply not sent' '$LOG'"
ok_sizes=1
for i in 1 2 3 4 5 6; do
	"$TCLIENT" -u -d x 127.0.0.1 "$P_chargen_u0" > "$WORK/cgu0.out"
	n=$(wc -c < "$WORK/cgu0.out")
	between "$n" 1 512 || { ok_sizes=0; echo "# $n bytes"; }
	chargen_ok "$WORK/cgu0.out" | grep -qE '^[0-9]+$' ||
	    ok_sizes=0
done
check "chargen over UDP without max_amplification: 1 to 512 bytes, 6 times" \
    [ "$ok_sizes" = 1 ]

# The clients that stopped reading.
check "chargen: a client that stops reading is dropped after timeout" \
    wait_log "$LOG" 'chargen: .*timeout after 2 s without the client reading' 10
ms=$(child_ms "$LOG" 'chargen: .*timeout after 2 s without the client')
check "chargen: ... its child ends 2 to 5 s after the client stops ($ms ms)" \
    between "$ms" 2000 5000
ms=$(child_ms "$LOG" 'chargen-long: .*sent [0-9]+ bytes')
check "chargen: a client that closes ends the stream at once ($ms ms, timeout 10 s)" \
    between "$ms" 900 4000
check "chargen: session_timeout ends a stream the client holds" \
    wait_log "$LOG" 'chargen-sess: child [0-9]+ past session_timeout \(1 s\)' 10
ms=$(grep -E 'chargen-sess: child [0-9]+ killed by signal 15' "$LOG" |
    sed -E 's/.* after ([0-9]+) ms.*/\1/')
check "chargen: ... after 1 s ($ms ms)" between "$ms" 1000 3500
kill "$c1" "$c3" 2>/dev/null
wait "$c1" "$c2" "$c3" 2>/dev/null
i=0
while [ "$(children "$PID")" -gt 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "no child is left behind" "$(children "$PID")" 0
stop "$PID"

# Writes are bounded by timeout, for every handler: a reply of 5 MB,
# more than the socket buffers hold, to clients that never read.
line="\"$(printf '%01023d' 0 | tr 0 a)\\n\""
cf=$(conf big <<C
port = 0;
listen = "127.0.0.1";
timeout = 2;
services = (
	{ name = "big"; reply =
$(yes "$line" | head -n 5120)
	; },
	{ name = "echo"; handler = "echo"; }
);
C
)
# libconfig joins adjacent strings slowly: a sanitizer build takes long.
START_WAIT=90 start big "$cf"
"$TCLIENT" -S 10 -d 'hi\n' 127.0.0.1 "$(port_of "$LOG" big)" &
c1=$!
"$TCLIENT" -S 10 -z 8388608 127.0.0.1 "$(port_of "$LOG" echo)" &
c2=$!
PIDS="$PIDS $c1 $c2"
check "reply: 5 MB to a client that never reads: dropped after timeout" \
    wait_log "$LOG" 'big: .*write: Connection timed out' 8
ms=$(child_ms "$LOG" 'big: .*write: Connection timed out')
check "reply: ... its child ends within timeout + 2 s ($ms ms)" \
    between "$ms" 2000 4000
check "echo: 8 MB from a client that never reads: dropped after timeout" \
    wait_log "$LOG" 'echo: .*timeout after 2 s without the client reading' 8
ms=$(child_ms "$LOG" 'echo: .*timeout after 2 s without the client')
check "echo: ... its child ends soon after ($ms ms)" between "$ms" 2000 6000
kill "$c1" "$c2" 2>/dev/null
wait "$c1" "$c2" 2>/dev/null
stop "$PID"

# replyd -i: on a pipe that nobody reads, and on a socket (replyd's own
# exec handler running replyd -i, as t-inetd does).
bigi=$(conf bigi <<C
timeout = 2;
reply =
$(yes "$line" | head -n 1024)
;
C
)
# shellcheck disable=SC2216 # a reader that never reads: replyd -i's stdout fills
( "$REPLYD" -i -c "$bigi" < /dev/null 2> "$WORK/bigi.log"
  echo "rc=$?" > "$WORK/bigi.rc" ) | sleep 20 &
PIDS="$PIDS $!"
check "-i: 1 MB to a pipe nobody reads ends after timeout" \
    wait_log "$WORK/bigi.rc" 'rc=' 6
check "-i: ... and says so" grep -q 'write: Connection timed out' "$WORK/bigi.log"
kill "$!" 2>/dev/null

day=$(conf iday <<'C'
handler = "daytime";
C
)
cg=$(conf icg <<'C'
handler = "chargen";
timeout = 2;
C
)
chmod 644 "$day" "$cg"
# pipe_flags: the flags of the open file on fd 1, a pipe here.
pipe_flags() { sh -c 'sed -n "s/^flags:[[:space:]]*//p" /proc/$$/fdinfo/1'; }
before=$(pipe_flags | cat)
"$REPLYD" -i -c "$day" < /dev/null > "$WORK/iday.pipe" 2> /dev/null
off=$(daytime_off "$WORK/iday.pipe")
check "-i daytime on a pipe: within 5 s ($off s)" abs_le "$off" 5
"$REPLYD" -i -c "$cg" < /dev/null 2> /dev/null | head -c 7400 > "$WORK/icg.pipe"
same "-i chargen on a pipe: 100 lines of the pattern" \
    "$(chargen_ok "$WORK/icg.pipe")" 100
# O_NONBLOCK belongs to the open pipe, which the next program on it
# shares: it must be put back.
{ "$REPLYD" -i -c "$day" < /dev/null 2> /dev/null; pipe_flags; } |
    tail -n 1 > "$WORK/flags"
same "-i on a pipe: the pipe's flags are as they were (no O_NONBLOCK left)" \
    "$(cat "$WORK/flags")" "$before"

# The handler runs as nobody, who may not reach the build tree (a clone
# in /root): it runs a copy in the work folder.
cp "$REPLYD" "$WORK/replyd-i"
chmod 755 "$WORK/replyd-i"
for s in iday icg; do
	printf '#!/bin/sh\nexec "%s" -i -c "%s"\n' "$WORK/replyd-i" "$WORK/$s.conf" \
	    > "$WORK/$s.sh"
	chmod 755 "$WORK/$s.sh"
done
outer=$(conf outer <<C
port = 0;
listen = "127.0.0.1";
handler = "exec";
services = (
	{ name = "iday"; exec = { program = "$WORK/iday.sh"; }; },
	{ name = "icg"; exec = { program = "$WORK/icg.sh"; }; }
);
C
)
start outer "$outer"
"$TCLIENT" 127.0.0.1 "$(port_of "$LOG" iday)" > "$WORK/iday.out"
off=$(daytime_off "$WORK/iday.out")
check "-i daytime on a socket: within 5 s of now ($off s)" abs_le "$off" 5
"$TCLIENT" -S 1 -r 7400 127.0.0.1 "$(port_of "$LOG" icg)" > "$WORK/icg.out"
same "-i chargen on a socket: 100 lines of the pattern" \
    "$(chargen_ok "$WORK/icg.out")" 100
"$TCLIENT" -S 8 -r 100 127.0.0.1 "$(port_of "$LOG" icg)" > /dev/null &
c1=$!
PIDS="$PIDS $c1"
check "-i chargen: a client that stops reading is dropped after timeout" \
    wait_log "$LOG" 'timeout after 2 s without the client reading' 8
wait_count "$LOG" 'icg: child [0-9]+ exited' 2
ms=$(grep -E 'icg: child [0-9]+ exited' "$LOG" | tail -n 1 |
    sed -E 's/.* after ([0-9]+) ms.*/\1/')
check "-i chargen: ... replyd -i ends 2 to 5 s after the client stops ($ms ms)" \
    between "$ms" 2000 5000
kill "$c1" 2>/dev/null
wait "$c1" 2>/dev/null
stop "$PID"

# UDP under inetd's "dgram wait": systemd-socket-activate hands over the
# socket itself.
SSA=$(command -v systemd-socket-activate)
if [ -n "$SSA" ]; then
	probe=$(conf probe <<'C'
port = 0;
listen = "127.0.0.1";
protocol = "udp";
C
)
	start probe "$probe"
	port=$PORT
	stop "$PID"
	cgu=$(conf icgu <<'C'
handler = "chargen";
protocol = "udp";
timeout = 2;
C
	)
	"$SSA" -d -l "127.0.0.1:$port" --inetd "$REPLYD" -i -c "$cgu" \
	    > "$WORK/ssa.log" 2>&1 &
	PIDS="$PIDS $!"
	spid=$!
	for i in $(seq 30); do
		"$TCLIENT" -u -w 1 -z 50 127.0.0.1 "$port" > "$WORK/icgu.out" \
		    2>/dev/null && break
		sleep 0.1
	done
	n=$(wc -c < "$WORK/icgu.out")
	check "-i chargen over UDP: 1 to 150 bytes for 50 ($n)" between "$n" 1 150
	check "-i chargen over UDP: the pattern" \
	    [ -n "$(chargen_ok "$WORK/icgu.out" | grep -E '^[0-9]+$')" ]
	kill "$spid"; wait "$spid" 2>/dev/null
else
	not_ok "-i chargen over UDP: needs systemd-socket-activate"
fi
finish

#!/bin/sh
# A handler's stderr is not the log: an exec'd program's fd 2 is a pipe
# to the master, which logs each line escaped and tagged with the
# service and the child's pid, at most 100 lines a child.
. "$(dirname "$0")/lib.sh"

cat > "$WORK/noisy.sh" <<'S'
#!/bin/sh
readlink /proc/self/fd/2
echo "plain words" >&2
printf 'colour \033[31mred\033[0m\n' >&2
echo 'replyd[1]: replyd: a line that looks like ours' >&2
head -c 600 /dev/zero | tr '\0' a >&2
echo >&2
printf 'no newline at the end' >&2
S
cat > "$WORK/spam.sh" <<'S'
#!/bin/sh
i=0
while [ $i -lt 150 ]; do echo "spam $i" >&2; i=$((i + 1)); done
echo done
S
chmod 755 "$WORK/noisy.sh" "$WORK/spam.sh"
cf=$(conf se <<C
port = 0;
listen = "127.0.0.1";
services = (
	{ name = "noisy"; handler = "exec"; exec = { program = "$WORK/noisy.sh"; }; },
	{ name = "spam"; handler = "exec"; exec = { program = "$WORK/spam.sh"; }; }
);
C
)
start se "$cf"
out=$("$TCLIENT" 127.0.0.1 "$(port_of "$LOG" noisy)")
check "the program's fd 2 is a pipe, not the master's stderr" \
    sh -c "echo '$out' | grep -q '^pipe:'"
wait_log "$LOG" 'noisy: child [0-9]+ exited'
kid=$(sed -n 's/.*noisy: child \([0-9]*\) exited.*/\1/p' "$LOG")
check "a line, tagged with the service and the child's pid" \
    grep -qx "replyd\[$PID\]: noisy: child $kid: stderr: \"plain words\"" "$LOG"
check "control bytes escaped" \
    grep -qF 'stderr: "colour \x1b[31mred\x1b[0m"' "$LOG"
check "a line that looks like replyd's own stays inside the tag" \
    sh -c "! grep -q '^replyd\[1\]' '$LOG' &&
	grep -qF 'stderr: \"replyd[1]: replyd: a line that looks like ours\"' '$LOG'"
check "a long line in pieces of 256 bytes" \
    sh -c "grep -c 'stderr: \"a\{256\}\"\$' '$LOG' | grep -qx 2 &&
	grep -q 'stderr: \"a\{88\}\"\$' '$LOG'"
check "the last line without a newline is logged when the child ends" \
    grep -q 'stderr: "no newline at the end"$' "$LOG"

same "a program writing 150 lines to stderr still answers" \
    "$("$TCLIENT" 127.0.0.1 "$(port_of "$LOG" spam)")" "done"
wait_log "$LOG" 'spam: child [0-9]+ exited'
check "at most 100 lines of one child are logged" \
    sh -c "[ \$(grep -c 'spam: child [0-9]*: stderr: \"spam' '$LOG') -eq 100 ]"
check "... and the rest is counted (50 lines of 9 bytes)" \
    grep -q 'spam: child [0-9]*: stderr: 450 more bytes not logged (100 lines at most)$' "$LOG"
stop "$PID"

# A handler writing to stderr without end: past the cap the pipe is
# closed, so the master stops reading and discarding, and the writer
# gets EPIPE (here SIGPIPE), instead of holding a core until
# session_timeout.
cf=$(conf spew <<'C'
port = 0;
listen = "127.0.0.1";
session_timeout = 4;
handler = "exec";
exec = { program = "/bin/sh"; args = [ "-c", "exec yes spew >&2" ]; };
C
)
start spew "$cf"
t0=$(cpu_ms "$PID")
"$TCLIENT" -w 6 127.0.0.1 "$PORT" > /dev/null &
PIDS="$PIDS $!"
sleep 2
used=$(($(cpu_ms "$PID") - t0))
check "spewing stderr: the master used $used ms of CPU in 2 s (at most 300)" \
    test "$used" -le 300
check "spewing stderr: past the cap the rest is not read" wait_log "$LOG" \
    'child [0-9]+: stderr: [0-9]+ more bytes not logged \(100 lines at most\), the rest not read'
# Killed at its next write: well before session_timeout (4 s from the
# start, 2 s of which have passed).
wait_log "$LOG" 'child [0-9]+ killed by signal 13' 1
check "spewing stderr: the writer ends at its next write, not at session_timeout" \
    sh -c "grep -qE 'child [0-9]+ killed by signal 13' '$LOG' &&
	! grep -q 'past session_timeout' '$LOG'"
stop "$PID"
finish

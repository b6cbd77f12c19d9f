#!/bin/sh
# echo and exec handlers over real sockets; what an exec'd program sees.
. "$(dirname "$0")/lib.sh"

cf=$(conf echo <<'C'
port = 0;
listen = "127.0.0.1";
handler = "echo";
log = "requests";
C
)
start echo "$cf"
out=$("$TCLIENT" -H -d 'line one\nline two' 127.0.0.1 "$PORT")
same "echo sends back what it got until EOF" "$out" "$(printf 'line one\nline two')"
check "echo logs how much it echoed" wait_log "$LOG" 'echoed 17 bytes'
stop "$PID"

# The program reports its environment, arguments and descriptors.
cat > "$WORK/show.sh" <<'S'
#!/bin/sh
read -r line
echo "got=$line"
echo "args=$*"
env | sort | grep -E '^(PROTO|TCP[A-Z]+|REPLYD_[A-Z]+|EXTRA|PATH)='
echo "uid=$(id -u)"
echo "fds:"
exec ls /proc/self/fd
S
chmod 755 "$WORK/show.sh"
cf=$(conf exec <<C
port = 0;
listen = "127.0.0.1";
handler = "exec";
exec = {
	program = "$WORK/show.sh";
	args = [ "one", "two words" ];
	env = [ "EXTRA=yes" ];
};
C
)
start exec "$cf"
out=$("$TCLIENT" -l -d 'hello\n' 127.0.0.1 "$PORT" 2> "$WORK/exec.port")
echo "$out" | sed 's/^/# /'
same "exec: the program reads the request on stdin" \
    "$(echo "$out" | grep '^got=')" "got=hello"
same "exec: args are passed" "$(echo "$out" | grep '^args=')" "args=one two words"
same "exec: PROTO=TCP" "$(echo "$out" | grep '^PROTO=')" "PROTO=TCP"
same "exec: TCPLOCALIP" "$(echo "$out" | grep '^TCPLOCALIP=')" "TCPLOCALIP=127.0.0.1"
same "exec: TCPLOCALPORT is the service port" \
    "$(echo "$out" | grep '^TCPLOCALPORT=')" "TCPLOCALPORT=$PORT"
same "exec: TCPREMOTEIP" "$(echo "$out" | grep '^TCPREMOTEIP=')" "TCPREMOTEIP=127.0.0.1"
same "exec: TCPREMOTEPORT is the client's port" \
    "$(echo "$out" | grep '^TCPREMOTEPORT=')" \
    "TCPREMOTEPORT=$(sed -n 's/^port //p' "$WORK/exec.port")"
same "exec: REPLYD_SERVICE" "$(echo "$out" | grep '^REPLYD_SERVICE=')" \
    "REPLYD_SERVICE=0/tcp"
same "exec: exec.env is added" "$(echo "$out" | grep '^EXTRA=')" "EXTRA=yes"
same "exec: a clean PATH" "$(echo "$out" | grep '^PATH=')" \
    "PATH=/usr/local/bin:/usr/bin:/bin"
# ls itself opens one descriptor (3, the directory it lists); any
# other is one the program inherited.
fdl=$(echo "$out" | sed '1,/^fds:$/d' | sort -n | tr '\n' ' ')
same "exec: only fds 0, 1 and 2 are inherited" "$fdl" "0 1 2 3 "
if [ "$(id -u)" = 0 ]; then
	same "exec: as root the program runs as the configured user" \
	    "$(echo "$out" | grep '^uid=')" "uid=$(id -u nobody)"
else
	same "exec: the program runs as the invoking user" \
	    "$(echo "$out" | grep '^uid=')" "uid=$(id -u)"
fi
stop "$PID"
# A program that went away after the file was checked: the reason is
# logged, tagged with the service and the child (issue 22, item 18).
printf '#!/bin/sh\necho gone\n' > "$WORK/gone.sh"
chmod 755 "$WORK/gone.sh"
cf=$(conf gone <<C
port = 0;
listen = "127.0.0.1";
handler = "exec";
exec = { program = "$WORK/gone.sh"; };
C
)
start gone "$cf"
rm "$WORK/gone.sh"
"$TCLIENT" -w 5 -d 'x\n' 127.0.0.1 "$PORT" > /dev/null 2>&1
check "exec: a program missing at run time is logged with the reason" \
    wait_log "$LOG" ": child [0-9]+: stderr: \"cannot run $WORK/gone.sh: No such file or directory\"" 5
check "... and the child's exit status" wait_log "$LOG" 'exited with status 127' 5
stop "$PID"
finish

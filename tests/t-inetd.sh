#!/bin/sh
# replyd -i: the handler alone, with the connection already on stdin and
# stdout.  A real socket is put there by replyd's own exec handler
# running "replyd -i" (the superservers themselves are tested apart).
. "$(dirname "$0")/lib.sh"

inner=$(conf inner <<'C'
reply = "from inetd mode\n";
log = "requests";
C
)
out=$(printf 'hi\n' | "$REPLYD" -i -c "$inner" 2>"$WORK/pipe.log")
same "-i on a pipe: the handler answers on stdout" "$out" "from inetd mode"
check "-i on a pipe: the peer is logged as stdin" \
    grep -q 'connect from stdin' "$WORK/pipe.log"
check "-i on a pipe: the request is logged" \
    grep -q 'received 3 bytes: "hi\\x0a"' "$WORK/pipe.log"

# The handler runs as nobody when the suite runs as root, and the build
# tree may be private (a clone in /root): it runs a copy of replyd from
# the work folder, which anybody can read.
cp "$REPLYD" "$WORK/replyd"
chmod 755 "$WORK/replyd"
cat > "$WORK/inetd.sh" <<S
#!/bin/sh
exec "$WORK/replyd" -i -c "$inner"
S
chmod 755 "$WORK/inetd.sh"
chmod 644 "$inner"
outer=$(conf outer <<C
port = 0;
listen = "127.0.0.1";
handler = "exec";
exec = { program = "$WORK/inetd.sh"; };
C
)
start outer "$outer"
out=$("$TCLIENT" -d 'hello\n' 127.0.0.1 "$PORT")
same "-i on a socket: the client gets the reply" "$out" "from inetd mode"
check "-i on a socket: the peer comes from getpeername(0)" \
    wait_log "$LOG" ': child [0-9]+: stderr: "replyd\[[0-9]+\]: [0-9]+/tcp: connect from 127\.0\.0\.1:[0-9]+"$'

# The inner replyd's own log lines come through stderr (which the outer
# master logs as its handler's), and so does an echo service on the same
# socket.
echo_cf=$(conf innerecho <<'C'
handler = "echo";
C
)
chmod 644 "$echo_cf"
sed -i "s|$inner|$echo_cf|" "$WORK/inetd.sh"
out=$("$TCLIENT" -H -d "round trip" 127.0.0.1 "$PORT")
same "-i echo: the same handler code serves inetd mode" "$out" "round trip"

# As inetd and xinetd start it: the connection on 0, 1 and 2.  A bad
# config (or any other message) must never be written to the client.
printf 'port = 7788;\nnonsense = 1;\nrate = "fast";\n' > "$WORK/bad.conf"
chmod 644 "$WORK/bad.conf"
sed -i "s|exec \"\(.*\)\" -i -c .*|exec \"\1\" -i -c \"$WORK/bad.conf\" 2>\&1|" "$WORK/inetd.sh"
check "the handler script now runs -i on a bad file with fd 2 the socket" \
    grep -q 'bad.conf" 2>&1$' "$WORK/inetd.sh"
out=$("$TCLIENT" -d 'hello\n' 127.0.0.1 "$PORT")
same "-i with a bad config, stderr the socket: nothing reaches the client" \
    "$out" ""
check "... and the handler exited with the config error status (78)" \
    wait_log "$LOG" 'child [0-9]+ exited with status 78'
stop "$PID"

# stderr apart from the connection (systemd's Accept=yes): errors go there.
out=$("$REPLYD" -i -c "$WORK/bad.conf" < /dev/null 2> "$WORK/apart.err")
same "-i with a bad config, stderr apart: nothing on stdout" "$out" ""
check "-i with a bad config, stderr apart: the error is on stderr" \
    grep -q 'bad.conf:2: unknown key "nonsense"' "$WORK/apart.err"
finish

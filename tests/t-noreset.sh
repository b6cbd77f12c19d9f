#!/bin/sh
# No answer is lost to a reset: a handler that writes its answer without
# reading the request (an exec'd `sh -c date`) exits with the request
# unread, and the kernel would answer the client's next bytes with a
# reset.  The master keeps its copy of the connection until the child is
# gone, then half-closes it and drains it a moment, as the built-ins do.
. "$(dirname "$0")/lib.sh"

cf=$(conf noreset <<'C'
port = 0;
listen = "127.0.0.1";
handler = "exec";
exec = { program = "/bin/sh"; args = [ "-c", "date" ]; };
C
)
start noreset "$cf"
fd0=$(fds "$PID")
# COUNT clients, each sending a line, then (once the child is gone) the
# rest of its request, then reading: how many got the answer and EOF.
clients() {
	timeout 30 python3 -c '
import socket, sys, time
ok = 0
for i in range(int(sys.argv[2])):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    c.settimeout(5)
    c.sendall(b"first line\n")
    time.sleep(0.3)
    got = b""
    try:
        c.sendall(b"the rest of the request\n")
        while True:
            b = c.recv(1000)
            if not b:
                break
            got += b
    except OSError as e:
        print("# client %d: %s after %d bytes" % (i, e, len(got)))
        got = b""
    ok += len(got) > 0
    c.close()
print(ok)
' "$@"
}
out=$(clients "$PORT" 5)
echo "$out" | grep '^#'
same "5 clients whose request the handler did not read: every answer arrives" \
    "$(echo "$out" | tail -n 1)" 5
fds_back() { [ "$(fds "$PID")" -eq "$fd0" ]; }
check "... and the master holds no descriptor for them after the drain" \
    poll 5 fds_back
stop "$PID"
finish

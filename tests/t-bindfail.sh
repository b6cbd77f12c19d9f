#!/bin/sh
# A service that cannot bind at start does not take the others down: it
# is logged by name, address and reason, shown down (status handler,
# SIGUSR1), retried with a back-off and served once its port is free,
# in the foreground and as a daemon.  Not one listener bound: exit 71
# with one line.  A reload that adds a service that cannot bind keeps
# the old configuration.  And the listener keys, seen on the real
# sockets: keepalive, nodelay and rlimit_core by a handler that asks
# its own fd 0 and limits, backlog and interface by ss(8), freebind by
# binding an address that is not on the host.
. "$(dirname "$0")/lib.sh"

# hold PORT: a listener on 127.0.0.1:PORT until release (at most 60 s).
hold() {
	rm -f "$WORK/hold.$1.up"
	: > "$WORK/hold.$1"
	python3 - "$1" "$WORK/hold.$1" <<'P' &
import os, socket, sys, time
s = socket.socket()
# A TIME_WAIT left by an earlier test must not stop it.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
# A daemon stopped just before may still hold it a moment.
t = time.time()
while True:
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
        break
    except OSError:
        if time.time() - t > 5:
            raise
        time.sleep(0.05)
s.listen(1)
open(sys.argv[2] + ".up", "w").close()
t = time.time()
while os.path.exists(sys.argv[2]) and time.time() - t < 60:
    time.sleep(0.05)
P
	HOLDER=$!
	PIDS="$PIDS $HOLDER"
	poll 5 test -e "$WORK/hold.$1.up" ||
	    echo "# could not hold port $1: the next points fail"
}
release() { rm -f "$WORK/hold.$1"; wait "$HOLDER" 2>/dev/null; }

# status PORT: the status handler's metrics.
status() { "$TCLIENT" -d 'x\n' 127.0.0.1 "$1"; }

BUSY=$(free_port)
hold "$BUSY"

# Two services and a status handler, one of them on the busy port.
cf=$(conf two <<C
listen = "127.0.0.1";
services = (
	{ name = "free"; port = 0; reply = "free\n"; },
	{ name = "busy"; port = $BUSY; reply = "busy\n"; },
	{ name = "stats"; port = 0; handler = "status"; }
);
C
)
# systemd's stand-in (t-notify.sh): STATUS= says how many are down.
python3 "$(cd "$(dirname "$0")" && pwd)/notifyd.py" "$WORK/n.sock" \
    "$WORK/n.msgs" &
PIDS="$PIDS $!"
poll 5 test -e "$WORK/n.msgs.ready"
NOTIFY_SOCKET=$WORK/n.sock start fg "$cf"
F=$(port_of "$LOG" free)
S=$(port_of "$LOG" stats)
same "-f: the free service answers while the other cannot bind" \
    "$("$TCLIENT" -d x 127.0.0.1 "$F")" "free"
check "-f: one line names the service, the address and the reason" \
    wait_log "$LOG" "^replyd: busy: cannot listen on 127.0.0.1:$BUSY: Address already in use; retrying"
status "$S" > "$WORK/down"
check "status: the busy service is down" \
    grep -qx 'replyd_service_up{service="busy"} 0' "$WORK/down"
check "status: one listener of it down, the others up" \
    sh -c "grep -qx 'replyd_listeners_down{service=\"busy\"} 1' '$WORK/down' &&
	grep -qx 'replyd_service_up{service=\"free\"} 1' '$WORK/down'"
kill -USR1 "$PID"
check "sd_notify: STATUS= says one service is down" \
    wait_log "$WORK/n.msgs" 'STATUS=3 services \(1 down\), active'
check "SIGUSR1: a down line for it, with the reason" \
    wait_log "$LOG" "busy: down: cannot listen on 127.0.0.1:$BUSY: Address already in use; [0-9]+ tries failed, next in [0-9]+ s"
# A reload that keeps the down service keeps it down, and succeeds.
kill -HUP "$PID"
check "reload while a service is down: reloaded, not refused" \
    wait_log "$LOG" 'reloaded .*: 3 services'
# An upgrade hands over what is bound; the new image retries the rest.
kill -USR2 "$PID"
check "upgrade with a service down: the new image serves" \
    wait_log "$LOG" 'upgraded: .* serves' 10
same "upgrade: the free service answers" \
    "$("$TCLIENT" -d x 127.0.0.1 "$F")" "free"
check "upgrade: the busy service is still down, and retried" \
    sh -c "'$TCLIENT' -d 'x\n' 127.0.0.1 '$S' | grep -qx 'replyd_service_up{service=\"busy\"} 0'"
release "$BUSY"
check "once its port is free the service binds (within the back-off)" \
    wait_log "$LOG" "busy: listening on 127.0.0.1:$BUSY \(tcp, after [0-9]+ failed tr" 20
same "and answers" "$("$TCLIENT" -d x 127.0.0.1 "$BUSY")" "busy"
status "$S" > "$WORK/up"
check "status: now up" \
    grep -qx 'replyd_service_up{service="busy"} 1' "$WORK/up"
check "sd_notify: STATUS= without a service down" \
    wait_log "$WORK/n.msgs" 'STATUS=3 services, active' 3
n=$(grep -c "busy: cannot listen" "$LOG")
check "retries back off, no spin ($n lines in about 3 s)" [ "$n" -le 4 ]
stop "$PID"

# The same as a daemon: start-up lines on stderr, then served.
hold "$BUSY"
"$REPLYD" -c "$cf" -P "$WORK/d.pid" 2> "$WORK/d.err"
rc=$?
DPID=$(cat "$WORK/d.pid" 2>/dev/null)
[ -z "$DPID" ] || PIDS="$PIDS $DPID"
same "daemon: started (exit 0) with a service down" "$rc" 0
check "daemon: its start-up line names the service" \
    grep -q "^replyd: busy: cannot listen on 127.0.0.1:$BUSY: Address already in use; retrying" "$WORK/d.err"
DF=$(port_of "$WORK/d.err" free)
DS=$(port_of "$WORK/d.err" stats)
same "daemon: the free service answers" "$("$TCLIENT" -d x 127.0.0.1 "$DF")" free
check "daemon: status shows the busy service down" \
    sh -c "'$TCLIENT' -d 'x\n' 127.0.0.1 '$DS' | grep -qx 'replyd_service_up{service=\"busy\"} 0'"
release "$BUSY"
check "daemon: the busy service answers once its port is free" \
    poll 20 sh -c "[ \"\$('$TCLIENT' -d x 127.0.0.1 '$BUSY' 2>/dev/null)\" = busy ]"
[ -z "$DPID" ] || stop "$DPID"

# Nothing can bind: exit 71 with one clear line, -f and daemon alike.
hold "$BUSY"
cf1=$(conf one <<C
listen = "127.0.0.1";
port = $BUSY;
C
)
timeout 10 "$REPLYD" -f -c "$cf1" 2> "$WORK/one.err"
same "-f, nothing can bind: exit 71" "$?" 71
same "-f, nothing can bind: one line" "$(cat "$WORK/one.err")" \
    "replyd: $BUSY/tcp: cannot listen on 127.0.0.1:$BUSY: Address already in use"
timeout 10 "$REPLYD" -c "$cf1" -P "$WORK/one.pid" 2> "$WORK/one.err"
same "daemon, nothing can bind: exit 71" "$?" 71
# Should it have started after all, it is stopped with the test.
[ ! -s "$WORK/one.pid" ] || PIDS="$PIDS $(cat "$WORK/one.pid")"
same "daemon, nothing can bind: one line" "$(wc -l < "$WORK/one.err")" 1

# A reload that adds a service that cannot bind keeps the old
# configuration: its other change is not applied either.
cf=$(conf reload <<C
listen = "127.0.0.1";
services = ( { name = "free"; port = 0; reply = "old\n"; } );
C
)
start reload "$cf"
F=$PORT
cat > "$cf" <<C
$USERLINE
listen = "127.0.0.1";
services = (
	{ name = "free"; port = 0; reply = "new\n"; },
	{ name = "busy"; port = $BUSY; }
);
C
kill -HUP "$PID"
check "reload adding a busy service: named in the log" \
    wait_log "$LOG" "busy: cannot listen on 127.0.0.1:$BUSY: Address already in use$"
check "reload adding a busy service: refused" \
    wait_log "$LOG" 'reload failed: keeping the old configuration'
same "reload adding a busy service: the old configuration serves" \
    "$("$TCLIENT" -d x 127.0.0.1 "$F")" old
stop "$PID"
release "$BUSY"

# An address not on the host (TEST-NET-1): down and retried without
# freebind, bound at once with it; a service with it and 127.0.0.1
# serves on the one it could bind.  Nothing is sent to 192.0.2.1.
P1=$(free_port)
P2=$(free_port)
cf=$(conf far <<C
services = (
	{ name = "both"; port = 0; listen = [ "127.0.0.1", "192.0.2.1" ];
	  reply = "both\n"; },
	{ name = "far"; port = $P1; listen = "192.0.2.1"; },
	{ name = "farfree"; port = $P2; listen = "192.0.2.1"; freebind = true; },
	{ name = "stats"; port = 0; listen = "127.0.0.1"; handler = "status"; }
);
C
)
start far "$cf"
wait_log "$LOG" 'stats: listening on' > /dev/null
check "an address not on the host: logged by name, with the reason" \
    grep -q "^replyd: far: cannot listen on 192.0.2.1:$P1: Cannot assign requested address; retrying" "$LOG"
check "freebind = true: the same address binds at once" \
    grep -q "^replyd: farfree: listening on 192.0.2.1:$P2 (tcp)$" "$LOG"
B=$(port_of "$LOG" both)
same "two addresses, one not on the host: the other serves" \
    "$("$TCLIENT" -d x 127.0.0.1 "$B")" both
status "$(port_of "$LOG" stats)" > "$WORK/far"
check "status: that service has one listener down" \
    sh -c "grep -qx 'replyd_listeners_down{service=\"both\"} 1' '$WORK/far' &&
	grep -qx 'replyd_service_up{service=\"both\"} 0' '$WORK/far' &&
	grep -qx 'replyd_service_up{service=\"farfree\"} 1' '$WORK/far'"
stop "$PID"

# The keys on the real sockets.  The handler asks its own connection
# (fd 0) and its limits.
cat > "$WORK/ask.py" <<'P'
import resource, socket
s = socket.socket(fileno=0)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
      s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
      resource.getrlimit(resource.RLIMIT_CORE)[0] >> 20,
      resource.getrlimit(resource.RLIMIT_CORE)[1] >> 20)
P
chmod 644 "$WORK/ask.py"
# The system's python3: a shim under root's home is not the handler's to run.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
cf=$(conf keys <<C
listen = "127.0.0.1";
port = 0;
handler = "exec";
exec = { program = "$PY"; args = [ "$WORK/ask.py" ]; };
services = (
	{ name = "set"; keepalive = true; nodelay = true; rlimit_core = 2;
	  backlog = 7; interface = "lo"; },
	{ name = "plain"; rlimit_core = 0; },
	{ name = "nodev"; interface = "nosuch0"; }
);
C
)
"$REPLYD" -t -c "$cf" > "$WORK/keys.t" 2>&1
same "-t: an unknown interface is a warning, and the file checks" "$?" 0
check "... naming the service and the interface" grep -qx \
    "replyd: $cf: service \"nodev\": warning: interface \"nosuch0\" does not exist now; its listeners will wait for it" "$WORK/keys.t"
check "... and only that one (lo exists)" \
    sh -c "[ \$(grep -c warning '$WORK/keys.t') -eq 1 ]"
start keys "$cf"
wait_log "$LOG" 'plain: listening on' > /dev/null
same "keepalive, nodelay, rlimit_core = 2: on the connection and the handler" \
    "$("$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" set)")" "1 1 2 2"
same "unset: off, and rlimit_core = 0 allows no core file" \
    "$("$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" plain)")" "0 0 0 0"
SP=$(port_of "$LOG" set)
PP=$(port_of "$LOG" plain)
# ss: a listener's Send-Q is its backlog, and "%lo" its interface.
same "backlog = 7: the listen(2) backlog" \
    "$(ss -Hltn "sport = :$SP" | awk '{ print $3 }')" 7
same "backlog unset: SOMAXCONN (4096)" \
    "$(ss -Hltn "sport = :$PP" | awk '{ print $3 }')" 4096
check "interface = \"lo\": the listener is bound to lo" \
    sh -c "ss -Hltn 'sport = :$SP' | grep -q '127.0.0.1%lo:$SP'"
check "an unknown interface: logged by name, retried, the others serve" \
    grep -q '^replyd: nodev: cannot listen on 127.0.0.1:0: interface "nosuch0": No such device; retrying' "$LOG"
# A reload that changes keepalive and the backlog sets them on the
# socket it keeps: the same port, the new values.
sed -i 's/backlog = 7;/backlog = 9;/; s/keepalive = true; nodelay = true;/keepalive = false; nodelay = true;/' "$cf"
kill -HUP "$PID"
wait_log "$LOG" 'reloaded' > /dev/null
same "reload: the new backlog on the kept socket" \
    "$(ss -Hltn "sport = :$SP" | awk '{ print $3 }')" 9
same "reload: keepalive off on new connections" \
    "$("$TCLIENT" -d x 127.0.0.1 "$SP")" "0 1 2 2"
stop "$PID"

finish

#!/bin/sh
# pingpong.sh REPLYD A.CONF B.CONF DIR: run inside a network namespace
# of its own (t-udploop.sh).  Starts two masters, A and B, each serving
# one UDP port, sends A one datagram forged from B's port (a raw
# socket), and prints how many exchanges each served in the next two
# seconds, then how many of 5 requests from one client port A answered.
set -u
replyd=$1 dir=$4
ip link set lo up || exit 1
"$replyd" -f -c "$2" 2> "$dir/a.log" & a=$!
"$replyd" -f -c "$3" 2> "$dir/b.log" & b=$!
i=0
while [ $i -lt 100 ] && ! { grep -q 'listening on' "$dir/a.log" &&
    grep -q 'listening on' "$dir/b.log"; }; do
	sleep 0.05
	i=$((i + 1))
done
uport() { sed -nE 's/.*listening on .*:([0-9]+) \(udp\)$/\1/p' "$1" | head -n 1; }
pa=$(uport "$dir/a.log")
pb=$(uport "$dir/b.log")
python3 - "$pb" "$pa" <<'PY'
import socket, struct, sys
sport, dport = int(sys.argv[1]), int(sys.argv[2])
data = b"hello\n"
udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64,
    socket.IPPROTO_UDP, 0, socket.inet_aton("127.0.0.1"),
    socket.inet_aton("127.0.0.1"))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip + udp, ("127.0.0.1", 0))
PY
sleep 2
na=$(grep -cE 'child [0-9]+ (exited|killed)' "$dir/a.log")
nb=$(grep -cE 'child [0-9]+ (exited|killed)' "$dir/b.log")
# A real client, asking 5 times from one port, a few a second.
got=$(python3 - "$pa" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
n = 0
for i in range(5):
    s.sendto(b"hello\n", ("127.0.0.1", int(sys.argv[1])))
    try:
        s.recv(100)
        n += 1
    except socket.timeout:
        pass
    time.sleep(0.2)
print(n)
PY
)
kill "$a" "$b"
wait "$a" "$b"
echo "$na $nb $got"

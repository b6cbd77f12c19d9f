#!/usr/bin/env python3
"""A stand-in syslog daemon for tests: binds a Unix datagram socket and
appends each datagram as a line to a file.  With --stuck it reads
nothing until it gets SIGUSR1 (a syslog daemon that stopped reading);
with --slow it reads a datagram every 2 ms (one that is behind)."""
import os, signal, socket, sys, time

path, out = sys.argv[1], sys.argv[2]
stuck = "--stuck" in sys.argv
slow = "--slow" in sys.argv
go = [not stuck]
signal.signal(signal.SIGUSR1, lambda *a: go.__setitem__(0, True))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(path)
os.chmod(path, 0o666)
open(out + ".ready", "w").close()
end = time.time() + 60
with open(out, "a", buffering=1) as f:
    while time.time() < end:
        if not go[0]:
            time.sleep(0.05)
            continue
        s.settimeout(0.2)
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        f.write(d.decode("utf-8", "replace") + "\n")
        if slow:
            time.sleep(0.002)

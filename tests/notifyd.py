#!/usr/bin/env python3
"""A stand-in for systemd's notification socket: binds a Unix datagram
socket and writes each message to a file, its lines joined by '|', with
the receiving time's CLOCK_MONOTONIC in microseconds in front."""
import socket, sys, time

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
open(out + ".ready", "w").close()
s.settimeout(0.5)
end = time.time() + 60
with open(out, "a", buffering=1) as f:
    while time.time() < end:
        try:
            d = s.recv(4096)
        except socket.timeout:
            continue
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        f.write("%d %s\n" % (usec, d.decode("utf-8", "replace").replace("\n", "|")))

/*
 * tinyhandler: the one handler every exec-style server in bench/run runs
 * (replyd exec, spawnserver, tcpserver, tcpsvd, xinetd, openbsd-inetd,
 * systemd-socket-activate).  It reads the request once from stdin and
 * writes "thank you !\n" to stdout: no stdio, no shell, nothing else, so
 * the numbers measure the servers and not the handler.  bench/run links
 * it statically by default (TINY=dynamic links it like any program).
 */
#include <unistd.h>

int
main(void)
{
	static const char reply[] = "thank you !\n";
	char buf[1024];

	if (read(0, buf, sizeof(buf)) < 0)
		return 1;
	return write(1, reply, sizeof(reply) - 1) == sizeof(reply) - 1 ? 0 : 1;
}

/*
 * forkserver: the bare fork-per-connection reference for bench/run.
 *
 * The least a forking server can do: accept, fork, and in the child read
 * the request once, write "thank you !\n" and exit.  No exec, no logging,
 * no limits.  The parent closes its copy of the connection and reaps
 * finished children (waitpid, so their CPU time shows in the parent's
 * /proc/PID/stat) after each accept.  bench/run builds it twice: plain
 * (cc -O2, dynamic, lazy binding) as the 1.00 reference, and -static,
 * its "static twin", as the fork-per-connection limit of the machine.
 * Binds 127.0.0.1 only.  Usage: forkserver PORT
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REF_NAME "forkserver"
#include "refserver.h"

static void
serve(int fd)
{
	static const char reply[] = "thank you !\n";
	char buf[1024];

	if (read(fd, buf, sizeof(buf)) < 0)
		_exit(1);
	_exit(write(fd, reply, sizeof(reply) - 1) < 0);
}

int
main(int argc, char **argv)
{
	int lfd, fd;

	if (argc != 2) {
		fprintf(stderr, "usage: forkserver PORT\n");
		return 64;
	}
	lfd = listen_on(argv[1]);
	catch_term();
	while (!stopping) {
		fd = accept(lfd, NULL, NULL);
		if (fd == -1)
			continue;	/* EINTR (SIGTERM), a client gone */
		switch (fork()) {
		case 0:
			close(lfd);
			serve(fd);
			break;
		case -1:
			perror("forkserver: fork");
			break;
		}
		close(fd);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	alarm(5);	/* a child stuck on a silent client cannot hold us */
	while (wait(NULL) > 0)
		;
	return 0;
}

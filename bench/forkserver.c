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

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * catch_term: SIGTERM interrupts accept() (no SA_RESTART), so the server
 * can reap its last children before it exits instead of leaving them to
 * an init that may not reap.  The per-connection path is unchanged.
 */
static void
catch_term(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static int
listen_on(const char *arg)
{
	struct sockaddr_in in;
	char *end;
	long port;
	int fd, one = 1;

	port = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || port < 1 || port > 65535) {
		fprintf(stderr, "forkserver: bad port %s\n", arg);
		exit(64);
	}
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons((unsigned short)port);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&in, sizeof(in)) == -1 ||
	    listen(fd, 1024) == -1) {
		fprintf(stderr, "forkserver: cannot listen on 127.0.0.1:%ld: "
		    "%s\n", port, strerror(errno));
		exit(71);
	}
	return fd;
}

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

/*
 * refserver.h: what the reference servers share and what they do not
 * measure: the loopback listener and a SIGTERM that lets them reap their
 * last children.  Each includes it after defining REF_NAME.
 */
#ifndef REFSERVER_H
#define REFSERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
		fprintf(stderr, "%s: bad port %s\n", REF_NAME, arg);
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
		fprintf(stderr, "%s: cannot listen on 127.0.0.1:%ld: %s\n",
		    REF_NAME, port, strerror(errno));
		exit(71);
	}
	return fd;
}

#endif

/*
 * spawnserver: the bare posix_spawn+exec reference for bench/run.
 *
 * The least an exec-style superserver can do: accept, posix_spawn the
 * handler program with the connection on its stdin and stdout (glibc's
 * posix_spawn is a vfork-style clone, so no page tables are copied),
 * close the connection, reap finished children with waitpid.  No
 * environment setup, no logging, no limits.  Every fd of the server is
 * close-on-exec, so the handler inherits only 0, 1 and 2.  Binds
 * 127.0.0.1 only.  Usage: spawnserver PORT PROGRAM [ARG...]
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

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
		fprintf(stderr, "spawnserver: bad port %s\n", arg);
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
		fprintf(stderr, "spawnserver: cannot listen on 127.0.0.1:%ld: "
		    "%s\n", port, strerror(errno));
		exit(71);
	}
	return fd;
}

/* spawn: run argv with fd as its stdin and stdout (dup2 clears CLOEXEC). */
static void
spawn(int fd, char **argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	if (rc != 0)
		fprintf(stderr, "spawnserver: %s: %s\n", argv[0], strerror(rc));
	posix_spawn_file_actions_destroy(&fa);
}

int
main(int argc, char **argv)
{
	int lfd, fd;

	if (argc < 3) {
		fprintf(stderr, "usage: spawnserver PORT PROGRAM [ARG...]\n");
		return 64;
	}
	lfd = listen_on(argv[1]);
	catch_term();
	while (!stopping) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1)
			continue;	/* EINTR (SIGTERM), a client gone */
		spawn(fd, argv + 2);
		close(fd);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	alarm(5);	/* a child stuck on a silent client cannot hold us */
	while (wait(NULL) > 0)
		;
	return 0;
}

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

#define REF_NAME "spawnserver"
#include "refserver.h"

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

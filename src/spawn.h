/*
 * How a child starts: the one place that decides which primitive makes
 * a child for a connection or a datagram exchange, for the master and
 * for `replyd -i` alike.  The master loop only asks spawn_conn().
 */
#ifndef REPLYD_SPAWN_H
#define REPLYD_SPAWN_H

#include <sys/types.h>

struct conn;
struct service;

enum spawn_how {
	SPAWN_FORK,	/* fork(), then the handler in the child */
	SPAWN_EXEC,	/* a vfork-style clone that only sets up and execs */
};

enum spawn_how	spawn_how(const struct service *svc);
pid_t		spawn_conn(const struct conn *c, enum spawn_how how, int in,
		    int out);

#endif

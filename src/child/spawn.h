/*
 * How a child starts: the one place that decides which primitive makes
 * a child for a connection or a datagram exchange, for the master and
 * for `replyd -i` alike.  The master loop only asks spawn_conn().
 */
#ifndef REPLYD_CHILD_SPAWN_H
#define REPLYD_CHILD_SPAWN_H

#include <sys/types.h>

struct conn;
struct service;

enum spawn_how {
	SPAWN_FORK,	/* fork(), then the handler in the child */
	SPAWN_EXEC,	/* a vfork-style clone that only sets up and execs */
};

/*
 * A new child's descriptors: in and out become 0 and 1 (a TCP connection
 * twice, or the ends of a UDP relay); err, unless -1, becomes 2 (the
 * pipe to the master's log, stderr_relay.c).
 */
struct spawn_fds {
	int	in, out, err;
};

enum spawn_how	spawn_how(const struct service *svc);
pid_t		spawn_conn(const struct conn *c, enum spawn_how how,
		    const struct spawn_fds *f);

#endif
